//! Final responses explained in plain words for people and scripts.

/// The standard reason phrase of a status code (RFC 3261 section 21 and friends).
pub fn standard_reason(code: u16) -> &'static str {
    match code {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        423 => "Interval Too Brief",
        425 => "Bad Alert Message",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => match code / 100 {
            1 => "Provisional",
            2 => "Success",
            3 => "Redirection",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Global Failure",
        },
    }
}

/// What else a refusal said, beyond its code, that changes its meaning.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RefusalContext {
    /// The answer's `Allow` header lists MESSAGE: whoever answered takes
    /// messages, just not now (Yate answers 405 so for a user who is not
    /// registered).
    pub allow_lists_message: bool,
    /// The request went through our own server and the refusal came without
    /// a challenge first: it is our server speaking, not the recipient's.
    pub from_our_server: bool,
}

/// Explains why a page-mode MESSAGE to `peer` failed with `code reason`.
///
/// `peer` is how to name the recipient (usually the user part of the address).
/// `retry_after` is the Retry-After value in seconds, when the server sent one.
pub fn describe_message_failure(code: u16, reason: &str, peer: &str, retry_after: Option<u32>) -> String {
    describe_message_refusal(code, reason, peer, retry_after, RefusalContext::default())
}

/// Like [`describe_message_failure`], with what else the answer said
/// (see [`RefusalContext`]): a 405 that allows MESSAGE means the person is
/// probably offline; a 501 from our own server means our service does not
/// carry messages.
pub fn describe_message_refusal(
    code: u16,
    reason: &str,
    peer: &str,
    retry_after: Option<u32>,
    context: RefusalContext,
) -> String {
    let reason = if reason.trim().is_empty() {
        standard_reason(code)
    } else {
        reason.trim()
    };
    let what = match code {
        400 => "the server rejected the message as malformed".to_string(),
        401 | 407 => "the server did not accept our credentials; check the user name and password".into(),
        403 => "the server refused to send it".into(),
        404 => format!("{peer} does not exist on that server"),
        405 if context.allow_lists_message => {
            format!("{peer} is probably not online (the server takes messages, but not for {peer} now)")
        }
        405 => format!("{peer}'s service does not accept page-mode messages"),
        408 => format!("no answer from {peer} in time"),
        410 => format!("{peer} is gone"),
        413 | 513 => "the message is too large for the server".into(),
        414 => "the address is too long".into(),
        415 => format!("{peer}'s client cannot show this kind of content"),
        416 => "the address scheme is not supported by the server".into(),
        420 | 421 => "the server needs an extension we do not offer".into(),
        480 => format!("{peer} is not online"),
        481 => format!("{peer}'s client does not know this conversation"),
        482 => "the message looped between servers".into(),
        483 => "too many hops: the message went in circles between servers".into(),
        484 => "the address is incomplete".into(),
        485 => "the address is ambiguous".into(),
        486 | 600 => format!("{peer} is busy"),
        487 => "the request was cancelled".into(),
        488 | 606 => format!("{peer}'s client cannot accept this message"),
        500 => "the server had an internal error".into(),
        501 if context.from_our_server => "your service does not carry page-mode messages".into(),
        501 => format!("{peer}'s service does not support page-mode messages"),
        502 => "a gateway on the way failed".into(),
        503 => "the service is unavailable".into(),
        504 => "a server on the way timed out".into(),
        505 => "the server does not speak our SIP version".into(),
        603 => format!("{peer} declined it"),
        604 => format!("{peer} does not exist anywhere"),
        c if (300..400).contains(&c) => format!("{peer} has moved; redirection is not followed"),
        c if (400..500).contains(&c) => format!("{peer} or the server refused it"),
        c if (500..600).contains(&c) => "the server failed".into(),
        _ => format!("{peer} refused it everywhere"),
    };
    let mut words = format!("{what} ({code} {reason})");
    if let Some(secs) = retry_after {
        words.push_str(&format!("; the server asks to retry in {secs} seconds"));
    }
    words
}

/// Explains why an INVITE for a chat session with `peer` failed.
pub fn describe_session_failure(code: u16, reason: &str, peer: &str) -> String {
    let reason = if reason.trim().is_empty() {
        standard_reason(code)
    } else {
        reason.trim()
    };
    let what = match code {
        405 | 501 => format!("{peer}'s client does not take chat sessions"),
        415 | 488 | 606 => format!("{peer}'s client cannot do a chat session the way we offered it"),
        486 | 600 => format!("{peer} is busy"),
        487 => "the invitation was cancelled".into(),
        603 => format!("{peer} declined the chat"),
        _ => return describe_message_failure(code, reason, peer, None),
    };
    format!("{what} ({code} {reason})")
}

/// Longest Warning text (RFC 3261 section 20.43) we show or send, in bytes.
pub const MAX_WARNING_TEXT_BYTES: usize = 300;

/// Whether a refusal's Warning header value gives the peer's own reason
/// in words (warn-code 399, "miscellaneous"): a peer that takes sessions
/// refused this one, unlike one that lacks the media (300-307 or none).
pub fn is_explained_refusal(value: &str) -> bool {
    value.trim_start().starts_with("399 ") && warning_text(value).is_some()
}

/// The text of the first Warning in a Warning header value
/// (`warn-code SP warn-agent SP quoted-text`, comma-separated), unescaped,
/// control characters dropped and cut to [`MAX_WARNING_TEXT_BYTES`];
/// `None` when there is no readable text.
pub fn warning_text(value: &str) -> Option<String> {
    let first = super::header_value::split_list(value).into_iter().next()?;
    let mut parts = first.trim().splitn(3, ' ');
    let code = parts.next()?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let _agent = parts.next()?;
    let quoted = parts.next()?.trim();
    if !quoted.starts_with('"') || !quoted.ends_with('"') || quoted.len() < 2 {
        return None;
    }
    let text = super::header_value::unquote(quoted);
    let text = clip(
        text.chars()
            .filter(|c| !c.is_control())
            .collect::<String>()
            .trim(),
    );
    (!text.is_empty()).then_some(text)
}

/// A Warning header value: `<warn_code> <agent> "<text>"`, the text
/// escaped as a quoted-string and cut to [`MAX_WARNING_TEXT_BYTES`].
pub fn warning_value(warn_code: u16, agent: &str, text: &str) -> String {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    format!("{warn_code} {agent} {}", super::header_value::quote(&clip(&text)))
}

fn clip(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if out.len() + c.len_utf8() > MAX_WARNING_TEXT_BYTES {
            break;
        }
        out.push(c);
    }
    out
}

/// Like [`describe_session_failure`], but when the refusal carried a
/// Warning with text, that text says why: "bob's client refused: the file
/// is larger than the 100 MiB limit (488 Not Acceptable Here)".
pub fn describe_session_refusal(code: u16, reason: &str, peer: &str, warning: Option<&str>) -> String {
    match warning {
        Some(text) if (400..700).contains(&code) => {
            let reason = if reason.trim().is_empty() {
                standard_reason(code)
            } else {
                reason.trim()
            };
            format!("{peer}'s client refused: {text} ({code} {reason})")
        }
        _ => describe_session_failure(code, reason, peer),
    }
}

/// Words for a transaction that got no final response at all (Timer F).
pub fn describe_timeout(timeout_secs: u64) -> String {
    format!("no response from the server within {timeout_secs} seconds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_application_warning_explains_a_refusal() {
        assert!(is_explained_refusal(
            "399 bob.example.com \"the file is too large\""
        ));
        assert!(!is_explained_refusal(
            "304 bob.example.com \"Media type not available\""
        ));
        assert!(!is_explained_refusal("399 bob.example.com"));
        assert!(!is_explained_refusal(""));
    }

    #[test]
    fn warning_text_reads_the_first_warning() {
        assert_eq!(
            warning_text("399 bob.example.com \"no partial file to resume\"").as_deref(),
            Some("no partial file to resume")
        );
        assert_eq!(
            warning_text("305 host \"a \\\"quoted\\\" type\", 399 other \"second\"").as_deref(),
            Some("a \"quoted\" type")
        );
        assert_eq!(warning_text("399 host unquoted"), None);
        assert_eq!(warning_text("39 host \"x\""), None);
        assert_eq!(warning_text("399 host \"\""), None);
        assert_eq!(warning_text(""), None);
        let long = format!("399 h \"{}\"", "x".repeat(1000));
        assert_eq!(warning_text(&long).unwrap().len(), MAX_WARNING_TEXT_BYTES);
    }

    #[test]
    fn warning_value_round_trips() {
        let v = warning_value(399, "alice.example.com", "say \"no\"\r\n");
        assert_eq!(v, "399 alice.example.com \"say \\\"no\\\"\"");
        assert_eq!(warning_text(&v).as_deref(), Some("say \"no\""));
    }

    #[test]
    fn a_refusal_with_a_warning_says_the_peers_words() {
        assert_eq!(
            describe_session_refusal(488, "Not Acceptable Here", "bob", Some("the file is too big")),
            "bob's client refused: the file is too big (488 Not Acceptable Here)"
        );
        assert_eq!(
            describe_session_refusal(488, "", "bob", None),
            describe_session_failure(488, "", "bob")
        );
    }

    #[test]
    fn the_contract_examples() {
        assert_eq!(
            describe_message_failure(480, "Temporarily Unavailable", "bob", None),
            "bob is not online (480 Temporarily Unavailable)"
        );
        assert_eq!(
            describe_message_failure(404, "", "carol", None),
            "carol does not exist on that server (404 Not Found)"
        );
        assert_eq!(
            describe_message_failure(503, "Service Unavailable", "bob", Some(30)),
            "the service is unavailable (503 Service Unavailable); the server asks to retry in 30 seconds"
        );
    }

    #[test]
    fn a_refusal_says_who_refused() {
        let allows = RefusalContext {
            allow_lists_message: true,
            ..RefusalContext::default()
        };
        let words = describe_message_refusal(405, "Method Not Allowed", "bob", None, allows);
        assert!(words.starts_with("bob is probably not online"), "{words}");
        assert!(describe_message_failure(405, "", "bob", None).contains("bob's service"));
        let ours = RefusalContext {
            from_our_server: true,
            ..RefusalContext::default()
        };
        assert_eq!(
            describe_message_refusal(501, "Not Implemented", "bob", None, ours),
            "your service does not carry page-mode messages (501 Not Implemented)"
        );
        assert!(describe_message_failure(501, "", "bob", None).starts_with("bob's service"));
    }

    #[test]
    fn every_code_gets_words() {
        for code in 300..700u16 {
            let words = describe_message_failure(code, "", "bob", None);
            assert!(words.contains(&code.to_string()), "{words}");
            assert!(!standard_reason(code).is_empty());
        }
    }
}
