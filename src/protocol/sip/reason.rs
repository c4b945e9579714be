//! The Reason header (RFC 3326): why a session ends, carried on its BYE, so
//! the peer can say the true cause instead of "ended the chat".

use super::header_value::{find_param, parse_params, quote, split_list};

/// Most characters of a Reason `text` we send or show; longer ones are cut.
pub const MAX_REASON_TEXT: usize = 300;
/// The SIP cause we give when the session's media (the MSRP connection)
/// could not be set up: 503 Service Unavailable.
pub const CAUSE_MEDIA_FAILED: u16 = 503;

/// One reason: the protocol (`SIP`, `Q.850`), its cause and words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    /// The protocol the cause is from.
    pub protocol: String,
    /// The cause code, when given and a number.
    pub cause: Option<u16>,
    /// The words, unquoted and cleaned, when given.
    pub text: Option<String>,
}

/// `text` without control characters, cut to [`MAX_REASON_TEXT`].
pub fn clean_text(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(MAX_REASON_TEXT)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The header value for a SIP `cause` with `text`.
pub fn format(cause: u16, text: &str) -> String {
    format!("SIP ;cause={cause} ;text={}", quote(&clean_text(text)))
}

/// The first reason of a Reason header value; `None` when it has no
/// protocol.
pub fn parse(value: &str) -> Option<Reason> {
    let first = split_list(value).into_iter().next()?;
    let (protocol, params) = match first.find(';') {
        Some(i) => (&first[..i], &first[i + 1..]),
        None => (first, ""),
    };
    let protocol = protocol.trim();
    if protocol.is_empty()
        || !protocol
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    let params = parse_params(params);
    let cause = find_param(&params, "cause")
        .and_then(|p| p.value.as_deref())
        .and_then(|v| v.trim().parse().ok());
    let text = find_param(&params, "text")
        .and_then(|p| p.unquoted_value())
        .map(|t| clean_text(&t))
        .filter(|t| !t.is_empty());
    Some(Reason {
        protocol: protocol.to_string(),
        cause,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_foreign_forms() {
        let v = format(503, "could not open \"the\" chat\r\nconnection");
        assert_eq!(
            v,
            r#"SIP ;cause=503 ;text="could not open \"the\" chatconnection""#
        );
        let r = parse(&v).unwrap();
        assert_eq!(r.protocol, "SIP");
        assert_eq!(r.cause, Some(503));
        assert_eq!(r.text.as_deref(), Some("could not open \"the\" chatconnection"));
        // RFC 3326's example, and a list: the first counts.
        let r = parse(r#"Q.850;cause=16;text="Terminated", SIP;cause=200"#).unwrap();
        assert_eq!((r.protocol.as_str(), r.cause), ("Q.850", Some(16)));
        assert_eq!(r.text.as_deref(), Some("Terminated"));
        let r = parse("SIP;cause=abc").unwrap();
        assert_eq!((r.cause, r.text), (None, None));
        assert_eq!(parse(""), None);
        assert_eq!(parse(";cause=1"), None);
        let long = format!("SIP;text=\"{}\"", "x".repeat(5000));
        assert_eq!(parse(&long).unwrap().text.unwrap().len(), MAX_REASON_TEXT);
    }
}
