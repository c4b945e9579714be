//! SIP messages: a tolerant parser, a serializer and typed accessors.
//!
//! The parser accepts what real peers send (folded headers, bare LF line ends,
//! compact header names, extra white space, unknown methods, a status line
//! without reason phrase) and rejects what cannot be understood with an error
//! that says why. It never panics: every size is bounded by a named constant.

use super::header_value::split_list;
use super::name_addr::{HeaderError, NameAddr, Via};
use std::fmt;

/// Largest message we read (a UDP datagram is at most 64 KiB anyway).
pub const MAX_MESSAGE_SIZE: usize = 64 * 1024;
/// Most header lines (after unfolding) in one message.
pub const MAX_HEADERS: usize = 200;
/// Longest single header line (after unfolding).
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// A request method. Methods are case-sensitive (RFC 3261 section 7.1).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// INVITE
    Invite,
    /// ACK
    Ack,
    /// BYE
    Bye,
    /// CANCEL
    Cancel,
    /// REGISTER
    Register,
    /// OPTIONS
    Options,
    /// MESSAGE (RFC 3428)
    Message,
    /// INFO
    Info,
    /// UPDATE
    Update,
    /// PRACK
    Prack,
    /// SUBSCRIBE
    Subscribe,
    /// NOTIFY
    Notify,
    /// REFER
    Refer,
    /// PUBLISH
    Publish,
    /// Any other extension method.
    Other(String),
}

impl Method {
    /// Reads a method token.
    pub fn from_token(token: &str) -> Method {
        match token {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "MESSAGE" => Method::Message,
            "INFO" => Method::Info,
            "UPDATE" => Method::Update,
            "PRACK" => Method::Prack,
            "SUBSCRIBE" => Method::Subscribe,
            "NOTIFY" => Method::Notify,
            "REFER" => Method::Refer,
            "PUBLISH" => Method::Publish,
            other => Method::Other(other.to_string()),
        }
    }

    /// The wire token.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Message => "MESSAGE",
            Method::Info => "INFO",
            Method::Update => "UPDATE",
            Method::Prack => "PRACK",
            Method::Subscribe => "SUBSCRIBE",
            Method::Notify => "NOTIFY",
            Method::Refer => "REFER",
            Method::Publish => "PUBLISH",
            Method::Other(s) => s,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The first line of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StartLine {
    /// `METHOD uri SIP/2.0`
    Request {
        /// The method.
        method: Method,
        /// The Request-URI as text (any scheme).
        uri: String,
    },
    /// `SIP/2.0 code reason`
    Response {
        /// Status code, 100..=699.
        code: u16,
        /// Reason phrase (may be empty).
        reason: String,
    },
}

/// One header line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Name with compact forms expanded (`v` becomes `Via`).
    pub name: String,
    /// Value with folding undone and outer white space trimmed.
    pub value: String,
}

/// Why bytes are not a SIP message we can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Longer than [`MAX_MESSAGE_SIZE`].
    #[error("message is too large ({0} bytes)")]
    TooLarge(usize),
    /// Nothing but blank lines.
    #[error("empty message")]
    Empty,
    /// The header section is not valid UTF-8.
    #[error("header section is not valid UTF-8")]
    NotUtf8,
    /// Neither a request line nor a status line.
    #[error("malformed start line \"{0}\"")]
    StartLine(String),
    /// Not SIP/2.0.
    #[error("unsupported SIP version \"{0}\"")]
    Version(String),
    /// A header line without a valid name and colon.
    #[error("malformed header line \"{0}\"")]
    HeaderLine(String),
    /// More than [`MAX_HEADERS`] headers or a line over [`MAX_HEADER_LINE`].
    #[error("header section exceeds limits")]
    HeaderLimits,
    /// Content-Length is not a number.
    #[error("invalid Content-Length \"{0}\"")]
    ContentLength(String),
    /// Fewer body bytes than Content-Length says.
    #[error("body is shorter ({actual} bytes) than Content-Length {declared}")]
    Truncated {
        /// Content-Length.
        declared: usize,
        /// Bytes present.
        actual: usize,
    },
    /// A mandatory header is absent.
    #[error("missing {0} header")]
    Missing(&'static str),
    /// A header is present but malformed.
    #[error("malformed {name} header: {source}")]
    Malformed {
        /// Which header.
        name: &'static str,
        /// What is wrong.
        source: HeaderError,
    },
    /// CSeq not `number METHOD`.
    #[error("malformed CSeq \"{0}\"")]
    CSeq(String),
    /// A header that must appear once appears more often.
    #[error("more than one {0} header")]
    Repeated(&'static str),
}

/// A parsed SIP request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SipMessage {
    /// Request or status line.
    pub start: StartLine,
    /// Headers in order, without Content-Length (it is derived from the body).
    pub headers: Vec<Header>,
    /// Body bytes.
    pub body: Vec<u8>,
}

const COMPACT_FORMS: &[(&str, &str)] = &[
    ("i", "Call-ID"),
    ("m", "Contact"),
    ("e", "Content-Encoding"),
    ("l", "Content-Length"),
    ("c", "Content-Type"),
    ("f", "From"),
    ("s", "Subject"),
    ("k", "Supported"),
    ("t", "To"),
    ("v", "Via"),
    ("o", "Event"),
    ("r", "Refer-To"),
    ("u", "Allow-Events"),
    ("b", "Referred-By"),
    ("x", "Session-Expires"),
];

fn expand_compact(name: &str) -> &str {
    if name.len() == 1 {
        for (short, long) in COMPACT_FORMS {
            if name.eq_ignore_ascii_case(short) {
                return long;
            }
        }
    }
    name
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
}

/// Where the header section ends: the first line end (`\n`) followed by an
/// empty line (`\r\n` or `\n`). Returns (length of the head including that
/// line end, length of the empty line). The stream framer uses the same rule,
/// so framing and parsing never disagree on where a body starts.
pub fn find_head_end(bytes: &[u8], from: usize) -> Option<(usize, usize)> {
    (from..bytes.len()).find_map(|i| {
        if bytes[i] != b'\n' {
            return None;
        }
        let rest = &bytes[i + 1..];
        if rest.starts_with(b"\r\n") {
            Some((i + 1, 2))
        } else if rest.starts_with(b"\n") {
            Some((i + 1, 1))
        } else {
            None
        }
    })
}

/// Splits the header section from the body at the first empty line,
/// accepting CRLF or bare LF line ends. Returns (head, body).
fn split_head(bytes: &[u8]) -> (&[u8], &[u8]) {
    match find_head_end(bytes, 0) {
        Some((head, sep)) => (&bytes[..head], &bytes[head + sep..]),
        None => (bytes, &[]),
    }
}

impl SipMessage {
    /// Parses a request whose start line names another SIP version (RFC 4475
    /// `badvers`) as if it were SIP/2.0, so it can be answered 505. `None`
    /// for responses and anything that still does not parse.
    pub fn parse_as_current_version(bytes: &[u8]) -> Option<SipMessage> {
        let start = bytes.iter().position(|b| *b != b'\r' && *b != b'\n')?;
        let bytes = &bytes[start..];
        let line_end = bytes.iter().position(|b| *b == b'\n').unwrap_or(bytes.len());
        let line = std::str::from_utf8(&bytes[..line_end])
            .ok()?
            .trim_end_matches('\r');
        let (head, version) = line.rsplit_once(' ')?;
        let is_other_version = version.len() > 4
            && version.as_bytes()[..4].eq_ignore_ascii_case(b"SIP/")
            && !version.eq_ignore_ascii_case("SIP/2.0");
        if !is_other_version
            || head
                .as_bytes()
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
        {
            return None;
        }
        let mut rewritten = format!("{head} SIP/2.0").into_bytes();
        rewritten.extend_from_slice(&bytes[line_end..]);
        SipMessage::parse(&rewritten).ok()
    }

    /// Parses one complete message (a datagram, or a frame cut by the stream framer).
    pub fn parse(bytes: &[u8]) -> Result<SipMessage, MessageError> {
        if bytes.len() > MAX_MESSAGE_SIZE {
            return Err(MessageError::TooLarge(bytes.len()));
        }
        // Leading CRLFs are keep-alives or stray line ends: skip them.
        let start = bytes
            .iter()
            .position(|b| *b != b'\r' && *b != b'\n')
            .ok_or(MessageError::Empty)?;
        let (head, body) = split_head(&bytes[start..]);
        let head = std::str::from_utf8(head).map_err(|_| MessageError::NotUtf8)?;
        let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        let first = lines.next().ok_or(MessageError::Empty)?;
        let start = parse_start_line(first)?;

        let mut raw: Vec<String> = Vec::new();
        for line in lines {
            if line.is_empty() {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                // Folded continuation of the previous header.
                let prev = raw
                    .last_mut()
                    .ok_or_else(|| MessageError::HeaderLine(line.to_string()))?;
                prev.push(' ');
                prev.push_str(line.trim());
            } else {
                raw.push(line.to_string());
            }
            if raw.len() > MAX_HEADERS || raw.last().is_some_and(|l| l.len() > MAX_HEADER_LINE) {
                return Err(MessageError::HeaderLimits);
            }
        }

        let mut headers = Vec::with_capacity(raw.len());
        let mut content_length: Option<usize> = None;
        for line in raw {
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| MessageError::HeaderLine(line.clone()))?;
            let name = name.trim();
            if !is_token(name) {
                return Err(MessageError::HeaderLine(line.clone()));
            }
            let name = expand_compact(name);
            let value = value.trim();
            if name.eq_ignore_ascii_case("Content-Length") {
                let n = value
                    .parse::<usize>()
                    .map_err(|_| MessageError::ContentLength(value.to_string()))?;
                if content_length.is_some_and(|old| old != n) {
                    return Err(MessageError::ContentLength(value.to_string()));
                }
                content_length = Some(n);
                continue;
            }
            headers.push(Header {
                name: name.to_string(),
                value: value.to_string(),
            });
        }

        let body = match content_length {
            Some(n) if n > body.len() => {
                return Err(MessageError::Truncated {
                    declared: n,
                    actual: body.len(),
                })
            }
            Some(n) => body[..n].to_vec(),
            None => body.to_vec(),
        };
        Ok(SipMessage { start, headers, body })
    }

    /// A new request with no headers.
    pub fn request(method: Method, uri: impl Into<String>) -> SipMessage {
        SipMessage {
            start: StartLine::Request {
                method,
                uri: uri.into(),
            },
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Serializes the message; Content-Length is always written from the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(256 + self.headers.len() * 48);
        match &self.start {
            StartLine::Request { method, uri } => {
                out.push_str(&format!("{method} {uri} SIP/2.0\r\n"));
            }
            StartLine::Response { code, reason } => {
                out.push_str(&format!("SIP/2.0 {code} {reason}\r\n"));
            }
        }
        for h in &self.headers {
            out.push_str(&h.name);
            out.push_str(": ");
            out.push_str(&h.value);
            out.push_str("\r\n");
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", self.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&self.body);
        bytes
    }

    /// The method of a request, or the CSeq method of a response.
    pub fn method(&self) -> Option<Method> {
        match &self.start {
            StartLine::Request { method, .. } => Some(method.clone()),
            StartLine::Response { .. } => self.cseq().ok().map(|(_, m)| m),
        }
    }

    /// Status code of a response.
    pub fn status(&self) -> Option<u16> {
        match &self.start {
            StartLine::Response { code, .. } => Some(*code),
            StartLine::Request { .. } => None,
        }
    }

    /// Reason phrase of a response.
    pub fn reason(&self) -> Option<&str> {
        match &self.start {
            StartLine::Response { reason, .. } => Some(reason),
            StartLine::Request { .. } => None,
        }
    }

    /// Request-URI of a request.
    pub fn request_uri(&self) -> Option<&str> {
        match &self.start {
            StartLine::Request { uri, .. } => Some(uri),
            StartLine::Response { .. } => None,
        }
    }

    /// Whether this is a request.
    pub fn is_request(&self) -> bool {
        matches!(self.start, StartLine::Request { .. })
    }

    /// First value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Every line of a header, in order.
    pub fn header_lines<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    /// Every element of a comma-separated header across all its lines.
    pub fn header_list<'a>(&'a self, name: &'a str) -> Vec<&'a str> {
        self.header_lines(name).flat_map(split_list).collect()
    }

    /// Appends a header.
    pub fn push_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push(Header {
            name: name.to_string(),
            value: value.into(),
        });
    }

    /// Replaces every line of a header with one value (appended at the end if absent).
    pub fn set_header(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self
            .headers
            .iter()
            .position(|h| h.name.eq_ignore_ascii_case(name))
        {
            Some(pos) => {
                self.headers[pos].value = value;
                let mut i = 0;
                self.headers.retain(|h| {
                    i += 1;
                    i - 1 == pos || !h.name.eq_ignore_ascii_case(name)
                });
            }
            None => self.push_header(name, value),
        }
    }

    /// Removes every line of a header.
    pub fn remove_header(&mut self, name: &str) {
        self.headers.retain(|h| !h.name.eq_ignore_ascii_case(name));
    }

    /// Call-ID.
    pub fn call_id(&self) -> Result<&str, MessageError> {
        self.header("Call-ID")
            .filter(|v| !v.is_empty())
            .ok_or(MessageError::Missing("Call-ID"))
    }

    /// CSeq number and method.
    pub fn cseq(&self) -> Result<(u32, Method), MessageError> {
        let v = self.header("CSeq").ok_or(MessageError::Missing("CSeq"))?;
        let mut parts = v.split_whitespace();
        let (Some(n), Some(m), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(MessageError::CSeq(v.to_string()));
        };
        let n = n.parse::<u32>().map_err(|_| MessageError::CSeq(v.to_string()))?;
        if !is_token(m) {
            return Err(MessageError::CSeq(v.to_string()));
        }
        Ok((n, Method::from_token(m)))
    }

    /// The topmost Via.
    pub fn top_via(&self) -> Result<Via, MessageError> {
        let first = self
            .header_list("Via")
            .into_iter()
            .next()
            .ok_or(MessageError::Missing("Via"))?;
        Via::parse(first).map_err(|source| MessageError::Malformed { name: "Via", source })
    }

    /// From.
    pub fn from_header(&self) -> Result<NameAddr, MessageError> {
        self.name_addr("From")
    }

    /// To.
    pub fn to_header(&self) -> Result<NameAddr, MessageError> {
        self.name_addr("To")
    }

    /// Every Contact (an empty list when absent).
    pub fn contacts(&self) -> Result<Vec<NameAddr>, MessageError> {
        self.header_list("Contact")
            .into_iter()
            .filter(|c| *c != "*")
            .map(|c| {
                NameAddr::parse(c).map_err(|source| MessageError::Malformed {
                    name: "Contact",
                    source,
                })
            })
            .collect()
    }

    fn name_addr(&self, name: &'static str) -> Result<NameAddr, MessageError> {
        let v = self.header(name).ok_or(MessageError::Missing(name))?;
        NameAddr::parse(v).map_err(|source| MessageError::Malformed { name, source })
    }

    /// Checks that a request carries what RFC 3261 section 8.1.1 requires,
    /// so the caller can answer 400 with the reason when it does not.
    pub fn validate_request(&self) -> Result<(), MessageError> {
        for (name, label) in [
            ("Call-ID", "Call-ID"),
            ("CSeq", "CSeq"),
            ("From", "From"),
            ("To", "To"),
        ] {
            if self.header_lines(name).count() > 1 {
                return Err(MessageError::Repeated(label));
            }
        }
        self.top_via()?;
        self.call_id()?;
        let (_, cseq_method) = self.cseq()?;
        self.from_header()?;
        self.to_header()?;
        if let StartLine::Request { method, .. } = &self.start {
            if *method != cseq_method {
                return Err(MessageError::CSeq(format!(
                    "method {cseq_method} does not match request line {method}"
                )));
            }
        }
        Ok(())
    }

    /// Media type of the body (`type/subtype`, lower-case, no parameters).
    pub fn content_type(&self) -> Option<String> {
        self.header("Content-Type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

/// `scheme:rest` with a scheme token and no brackets (RFC 3261 Request-URI).
fn is_absolute_uri(uri: &str) -> bool {
    let Some((scheme, rest)) = uri.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok && !rest.is_empty() && !uri.contains(['<', '>', '"'])
}

fn parse_start_line(line: &str) -> Result<StartLine, MessageError> {
    let bad = || MessageError::StartLine(line.chars().take(200).collect());
    if line.len() > MAX_HEADER_LINE {
        return Err(MessageError::HeaderLimits);
    }
    let mut parts = line.split_whitespace();
    let first = parts.next().ok_or_else(bad)?;
    if first
        .as_bytes()
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"SIP/"))
    {
        if !first.eq_ignore_ascii_case("SIP/2.0") {
            return Err(MessageError::Version(first.to_string()));
        }
        let code = parts.next().ok_or_else(bad)?;
        let code = code
            .parse::<u16>()
            .ok()
            .filter(|c| (100..=699).contains(c) && code.len() == 3)
            .ok_or_else(bad)?;
        let reason = parts.collect::<Vec<_>>().join(" ");
        return Ok(StartLine::Response { code, reason });
    }
    let (uri, version) = (parts.next().ok_or_else(bad)?, parts.next().ok_or_else(bad)?);
    if parts.next().is_some() || !is_token(first) {
        return Err(bad());
    }
    if !version.eq_ignore_ascii_case("SIP/2.0") {
        return Err(MessageError::Version(version.to_string()));
    }
    if !is_absolute_uri(uri) {
        return Err(bad());
    }
    Ok(StartLine::Request {
        method: Method::from_token(first),
        uri: uri.to_string(),
    })
}

#[cfg(test)]
#[path = "message_tests.rs"]
mod tests;
