//! Emergency alerts, sans-IO: which MESSAGEs are alerts (RFC 8876 and the
//! Kamailio `uac` style `Subject: Emergency Alert`), the CAP 1.2 documents
//! they carry, and how a bad one is answered (425 with `AlertMsg-Error`).
//!
//! Who is trusted is read here (`senders.rs`: SIP URIs, addresses, CIDR
//! networks, host names) and the rule is here ([`trust_verdict`]); the
//! runtime knows the account's list, the message's source address and the
//! connection it came over, and hands what it found as a [`Provenance`].

mod cap;
mod multipart;
mod senders;

pub use cap::{
    parse_cap, CAP_NAMESPACE_PREFIX, MAX_AREAS, MAX_CAP_BYTES, MAX_DEPTH, MAX_FIELD_BYTES, MAX_INFOS,
};
pub use multipart::{
    boundary_of, media_type, parse_multipart, Part, MAX_BOUNDARY_LEN, MAX_PARTS, MAX_PART_HEADER_BYTES,
};
pub use senders::{
    source_listed, Network, SenderError, TrustedSender, MAX_ENTRY_LEN, MAX_HOST_NAME_LEN, MAX_LABEL_LEN,
};

use crate::model::CapAlert;

/// The media type of a CAP document.
pub const CAP_MEDIA_TYPE: &str = "application/cap+xml";
/// The Subject that marks an alert (compared case-insensitively).
pub const ALERT_SUBJECT: &str = "Emergency Alert";
/// The Priority value that marks an alert (compared case-insensitively).
pub const ALERT_PRIORITY: &str = "emergency";
/// The status code for an alert we cannot process (RFC 8876).
pub const BAD_ALERT_STATUS: u16 = 425;
/// The header that says why (RFC 8876).
pub const ALERT_MSG_ERROR: &str = "AlertMsg-Error";

/// Why an alert's content could not be read. The words say what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AlertError {
    /// Not well-formed XML.
    #[error("the CAP document is not well-formed XML (at byte {at}): {message}")]
    Xml {
        /// Byte offset of the problem.
        at: u64,
        /// The XML reader's words.
        message: String,
    },
    /// Well-formed, but not a CAP alert we can use.
    #[error("the CAP document is not valid: {0}")]
    Cap(String),
    /// A required CAP element is missing or empty.
    #[error("the CAP document has no <{0}>, which CAP 1.2 requires")]
    Missing(String),
    /// Too long to read.
    #[error("the CAP document is {len} bytes long; at most {max} are read")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// A multipart body that cannot be split.
    #[error("the multipart body cannot be read: {0}")]
    Multipart(String),
    /// Says CAP, but no CAP part was found.
    #[error("the message says it carries a CAP document, but none was found")]
    NoPayload,
}

impl AlertError {
    /// The RFC 8876 error code for this problem: 100 cannot process the
    /// payload, 101 payload not present, 102 not enough information,
    /// 103 too long.
    pub fn alert_msg_code(&self) -> u16 {
        match self {
            AlertError::Xml { .. } | AlertError::Cap(_) | AlertError::Multipart(_) => 100,
            AlertError::NoPayload => 101,
            AlertError::Missing(_) => 102,
            AlertError::TooLong { .. } => 103,
        }
    }

    /// The value of an `AlertMsg-Error` header for this problem:
    /// `error-code *(SEMI error-params)` with a `message` quoted string
    /// (RFC 8876 section 5.2), e.g. `100;message="Cannot process the alert payload"`.
    pub fn alert_msg_error(&self) -> String {
        let code = self.alert_msg_code();
        let words = match code {
            101 => "Alert payload was not present or could not be found",
            102 => "Not enough information to determine the purpose of the alert",
            103 => "Alert too long",
            _ => "Cannot process the alert payload",
        };
        format!("{code};message=\"{words}\"")
    }
}

/// What made a message look like an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// `Subject: Emergency Alert`.
    Subject,
    /// `Priority: emergency`.
    Priority,
    /// An `application/cap+xml` body or part.
    Cap,
}

/// The parts of a MESSAGE classification looks at.
#[derive(Debug, Clone, Copy)]
pub struct AlertInput<'a> {
    /// The Content-Type header as received (with parameters).
    pub content_type: &'a str,
    /// The Subject header.
    pub subject: Option<&'a str>,
    /// The Priority header.
    pub priority: Option<&'a str>,
    /// The body as text.
    pub body: &'a str,
}

/// A message that looks like an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertClaim {
    /// What made it look like one (at least one).
    pub triggers: Vec<Trigger>,
    /// The CAP document, parsed, when there is one.
    pub cap: Option<CapAlert>,
    /// Why the CAP document (or multipart body) could not be read.
    pub error: Option<AlertError>,
    /// What to show: the CAP headline and description, else the text part,
    /// else the whole body.
    pub text: String,
}

/// Whether a MESSAGE is an alert, and what it carries. `None` for ordinary
/// messages.
pub fn classify(input: &AlertInput<'_>) -> Option<AlertClaim> {
    let mut triggers = Vec::new();
    if input
        .subject
        .is_some_and(|s| s.trim().eq_ignore_ascii_case(ALERT_SUBJECT))
    {
        triggers.push(Trigger::Subject);
    }
    if input
        .priority
        .is_some_and(|p| p.trim().eq_ignore_ascii_case(ALERT_PRIORITY))
    {
        triggers.push(Trigger::Priority);
    }
    let media = media_type(input.content_type);
    let mut cap_text: Option<&str> = None;
    let mut plain_text: Option<String> = None;
    let mut error = None;
    if media == CAP_MEDIA_TYPE {
        cap_text = Some(input.body);
    } else if media.starts_with("multipart/") {
        match boundary_of(input.content_type)
            .ok_or_else(|| AlertError::Multipart("the Content-Type has no boundary parameter".into()))
            .and_then(|b| parse_multipart(input.body, &b))
        {
            Ok(parts) => {
                let texts: Vec<&str> = parts
                    .iter()
                    .filter(|p| p.content_type == "text/plain")
                    .map(|p| p.body.trim())
                    .filter(|t| !t.is_empty())
                    .collect();
                if !texts.is_empty() {
                    plain_text = Some(texts.join("\n\n"));
                }
                if let Some(part) = parts.iter().find(|p| p.content_type == CAP_MEDIA_TYPE) {
                    // Keep the slice in the body so the borrow outlives `parts`.
                    cap_text = find_in(input.body, &part.body);
                    if cap_text.is_none() {
                        error = Some(AlertError::NoPayload);
                    }
                    triggers.push(Trigger::Cap);
                }
            }
            Err(e) => error = Some(e),
        }
    }
    let mut cap = None;
    if let Some(xml) = cap_text {
        if !triggers.contains(&Trigger::Cap) {
            triggers.push(Trigger::Cap);
        }
        match parse_cap(xml) {
            Ok(parsed) => cap = Some(parsed),
            Err(e) => error = Some(e),
        }
    }
    if triggers.is_empty() {
        return None;
    }
    let text = cap
        .as_ref()
        .and_then(cap_summary)
        .or(plain_text)
        .unwrap_or_else(|| input.body.trim().to_string());
    Some(AlertClaim {
        triggers,
        cap,
        error,
        text,
    })
}

/// `needle` as a slice of `haystack`, when it is one.
fn find_in<'a>(haystack: &'a str, needle: &str) -> Option<&'a str> {
    let at = haystack.find(needle)?;
    haystack.get(at..at + needle.len())
}

/// Headline, description and instruction of the first info block.
fn cap_summary(cap: &CapAlert) -> Option<String> {
    let info = cap.infos.first()?;
    let lines: Vec<&str> = [
        info.headline.as_deref(),
        info.description.as_deref(),
        info.instruction.as_deref(),
    ]
    .into_iter()
    .flatten()
    .map(str::trim)
    .filter(|l| !l.is_empty())
    .collect();
    if lines.is_empty() {
        Some(info.event.clone())
    } else {
        Some(lines.join("\n"))
    }
}

/// What the runtime found out about where an alert came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provenance {
    /// The sender (normalised From URI) is a URI entry of the account's
    /// trusted list.
    pub sender_listed: bool,
    /// The source address of the request is an address entry, lies in a
    /// network entry, or is a current address of a host entry.
    pub source_listed: bool,
    /// The account has a server: then a URI entry counts only over the
    /// account's own server flow (anyone can write any From).
    pub server_account: bool,
    /// The message arrived over the account's own server flow (its
    /// registration connection, or from the server's address over UDP).
    pub over_own_flow: bool,
}

/// What to do with a message that looks like an alert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Raise it: answer 200 after storing.
    Raise,
    /// Raise it (the user must see it) but answer 425 with this
    /// `AlertMsg-Error` value: its CAP document is bad.
    RaiseBadPayload(String),
    /// Not trusted: keep it as an ordinary message marked as a claim.
    Untrusted,
}

/// The decision for a claim with this provenance: trusted when its source
/// address is listed, or when its From is listed and (for server accounts)
/// it came over the account's own server flow.
pub fn trust_verdict(claim: &AlertClaim, from: &Provenance) -> Verdict {
    let by_uri = from.sender_listed && (!from.server_account || from.over_own_flow);
    let trusted = by_uri || from.source_listed;
    if !trusted {
        return Verdict::Untrusted;
    }
    match &claim.error {
        Some(e) if claim.triggers.contains(&Trigger::Cap) => Verdict::RaiseBadPayload(e.alert_msg_error()),
        _ => Verdict::Raise,
    }
}

#[cfg(test)]
#[path = "alert_tests.rs"]
mod tests;
