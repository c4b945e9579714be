//! Building responses and the fixed parts of requests.

use super::message::{Method, SipMessage, StartLine};
use super::outcome::standard_reason;

/// Product token sent in User-Agent and Server headers.
pub const USER_AGENT: &str = concat!("sipchat/", env!("CARGO_PKG_VERSION"));

/// Builds a response to `request` (RFC 3261 section 8.2.6): copies Via, From,
/// To, Call-ID and CSeq, and adds `to_tag` to To when it has none.
pub fn response_to(request: &SipMessage, code: u16, to_tag: Option<&str>) -> SipMessage {
    let mut response = SipMessage {
        start: StartLine::Response {
            code,
            reason: standard_reason(code).to_string(),
        },
        headers: Vec::new(),
        body: Vec::new(),
    };
    for via in request.header_lines("Via") {
        response.push_header("Via", via);
    }
    for name in ["From", "To", "Call-ID", "CSeq"] {
        if let Some(v) = request.header(name) {
            response.push_header(name, v);
        }
    }
    if let (Some(tag), Ok(to)) = (to_tag, request.to_header()) {
        if to.tag().is_none() && code > 100 {
            let mut to = to;
            to.set_param("tag", Some(tag));
            response.set_header("To", to.to_string());
        }
    }
    response.push_header("Server", USER_AGENT);
    response
}

/// The methods we answer, for Allow headers.
pub fn allowed_methods() -> String {
    [
        Method::Invite,
        Method::Ack,
        Method::Cancel,
        Method::Bye,
        Method::Message,
        Method::Options,
    ]
    .iter()
    .map(Method::as_str)
    .collect::<Vec<_>>()
    .join(", ")
}

#[cfg(test)]
#[path = "builder_tests.rs"]
mod tests;
