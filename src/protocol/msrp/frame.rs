//! MSRP frames (RFC 4975 section 7): one request or response, with its
//! headers, body and end-line flag, and how they are written.
//!
//! Headers are kept in order as `(name, value)` pairs, so unknown extension
//! headers survive a round trip; typed accessors read the known ones.
//! Incoming bytes are cut into frames by [`super::decoder::FrameDecoder`].

use super::uri::{MsrpUri, UriError};
use std::fmt;

/// Longest transaction id we accept or make (RFC 4975: 3 to 31 characters).
pub const MAX_TRANSACTION_ID_LEN: usize = 31;
/// Shortest transaction id RFC 4975 allows.
pub const MIN_TRANSACTION_ID_LEN: usize = 3;
/// Largest header section (start line and headers), in bytes.
pub const MAX_HEADER_SECTION_BYTES: usize = 16 * 1024;
/// Most header lines in one frame.
pub const MAX_HEADERS: usize = 64;
/// Largest body of one chunk we accept, in bytes. Peers that send a whole
/// large message as one chunk beyond this are refused (the connection is
/// closed); RFC 4975 implementations chunk far below it.
pub const MAX_CHUNK_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Most URIs in a To-Path, From-Path or Use-Path.
pub const MAX_PATH_URIS: usize = 16;
/// Longest Message-ID value (RFC 4975 ident: 4 to 32 characters; we are
/// lenient up to this).
pub const MAX_MESSAGE_ID_LEN: usize = 128;
/// The seven dashes that start an end-line.
pub const END_LINE_DASHES: &[u8] = b"-------";

/// The flag at the end of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Continuation {
    /// `$`: the last chunk of the message.
    Complete,
    /// `+`: more chunks follow.
    More,
    /// `#`: the sender gave up on the message.
    Abort,
}

impl Continuation {
    /// The flag character.
    pub fn flag(self) -> u8 {
        match self {
            Continuation::Complete => b'$',
            Continuation::More => b'+',
            Continuation::Abort => b'#',
        }
    }

    /// Reads a flag character.
    pub fn from_flag(b: u8) -> Option<Continuation> {
        match b {
            b'$' => Some(Continuation::Complete),
            b'+' => Some(Continuation::More),
            b'#' => Some(Continuation::Abort),
            _ => None,
        }
    }
}

/// An MSRP method.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Method {
    /// `SEND`: carries (a chunk of) a message.
    Send,
    /// `REPORT`: end-to-end delivery status.
    Report,
    /// `AUTH` (RFC 4976): asks a relay for a path.
    Auth,
    /// Anything else (answered 501 by sessions).
    Other(String),
}

impl Method {
    /// The method as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Send => "SEND",
            Method::Report => "REPORT",
            Method::Auth => "AUTH",
            Method::Other(m) => m,
        }
    }

    /// Reads a method token (case-sensitive, as RFC 4975 defines them).
    pub fn from_token(token: &str) -> Method {
        match token {
            "SEND" => Method::Send,
            "REPORT" => Method::Report,
            "AUTH" => Method::Auth,
            other => Method::Other(other.to_string()),
        }
    }
}

/// Request or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameKind {
    /// A request with its method.
    Request(Method),
    /// A response with its 3-digit code and optional comment.
    Response {
        /// Status code (100 to 999).
        code: u16,
        /// Words after the code, if any.
        comment: Option<String>,
    },
}

/// One MSRP frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Transaction id (from the start line; also ends the end-line).
    pub transaction_id: String,
    /// Request method or response status.
    pub kind: FrameKind,
    /// Headers in order, names as written.
    pub headers: Vec<(String, String)>,
    /// Body bytes (empty when the frame has none).
    pub body: Vec<u8>,
    /// End-line flag.
    pub continuation: Continuation,
}

/// A header that is present but unreadable, or missing where required.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A required header is missing.
    #[error("the {0} header is missing")]
    Missing(&'static str),
    /// A path header holds something that is not an MSRP URI.
    #[error("the {header} header is not a list of MSRP URIs: {source}")]
    BadPath {
        /// Which header.
        header: &'static str,
        /// Why.
        source: UriError,
    },
    /// A path with more than [`MAX_PATH_URIS`] URIs.
    #[error("the {0} header has more than {MAX_PATH_URIS} URIs")]
    PathTooLong(&'static str),
    /// Any other unreadable value.
    #[error("the {header} header cannot be read: {why}")]
    Bad {
        /// Which header.
        header: &'static str,
        /// What is wrong.
        why: &'static str,
    },
}

/// A `Byte-Range` value: `start-end/total`, 1-based and inclusive, with `*`
/// for an unknown end or total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteRange {
    /// First byte (1-based).
    pub start: u64,
    /// Last byte, or `None` for `*`.
    pub end: Option<u64>,
    /// Total message size, or `None` for `*`.
    pub total: Option<u64>,
}

impl ByteRange {
    /// Parses `start-end/total`. A zero-length range (`end = start - 1`,
    /// as in `1-0/0`) is allowed.
    pub fn parse(text: &str) -> Result<ByteRange, HeaderError> {
        let bad = |why| HeaderError::Bad {
            header: "Byte-Range",
            why,
        };
        let (range, total) = text.trim().split_once('/').ok_or(bad("no /total part"))?;
        let (start, end) = range.split_once('-').ok_or(bad("no start-end part"))?;
        let num = |s: &str| -> Result<u64, HeaderError> {
            if s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("a number is not a decimal number of at most 19 digits"));
            }
            s.parse().map_err(|_| bad("a number is too large"))
        };
        let star = |s: &str| -> Result<Option<u64>, HeaderError> {
            if s == "*" {
                Ok(None)
            } else {
                num(s).map(Some)
            }
        };
        let r = ByteRange {
            start: num(start)?,
            end: star(end)?,
            total: star(total)?,
        };
        if r.start == 0 {
            return Err(bad("the first byte is numbered 1, not 0"));
        }
        if let Some(end) = r.end {
            if end + 1 < r.start {
                return Err(bad("the range ends before it starts"));
            }
            if r.total.is_some_and(|t| end > t) {
                return Err(bad("the range ends after the total size"));
            }
        }
        Ok(r)
    }

    /// The last byte for a chunk of `len` bytes at `start`, when the end is `*`.
    pub fn end_for_len(&self, len: usize) -> u64 {
        self.end
            .unwrap_or(self.start + len as u64 - 1)
            .max(self.start.saturating_sub(1))
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-", self.start)?;
        match self.end {
            Some(e) => write!(f, "{e}/")?,
            None => f.write_str("*/")?,
        }
        match self.total {
            Some(t) => write!(f, "{t}"),
            None => f.write_str("*"),
        }
    }
}

/// Success-Report / Failure-Report values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportRequest {
    /// `yes`.
    Yes,
    /// `no`.
    No,
    /// `partial` (Failure-Report only: negative reports only).
    Partial,
}

impl ReportRequest {
    /// As written in the header.
    pub fn as_str(self) -> &'static str {
        match self {
            ReportRequest::Yes => "yes",
            ReportRequest::No => "no",
            ReportRequest::Partial => "partial",
        }
    }

    fn parse(text: &str, header: &'static str) -> Result<ReportRequest, HeaderError> {
        match text.trim() {
            "yes" => Ok(ReportRequest::Yes),
            "no" => Ok(ReportRequest::No),
            "partial" => Ok(ReportRequest::Partial),
            _ => Err(HeaderError::Bad {
                header,
                why: "not yes, no or partial",
            }),
        }
    }
}

/// A `Status` header: `namespace SP code [SP comment]` (namespace 000).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusHeader {
    /// Namespace (`000` for MSRP codes).
    pub namespace: u16,
    /// Status code.
    pub code: u16,
    /// Words after the code.
    pub comment: Option<String>,
}

impl StatusHeader {
    /// Parses `000 200 OK`.
    pub fn parse(text: &str) -> Result<StatusHeader, HeaderError> {
        let bad = |why| HeaderError::Bad {
            header: "Status",
            why,
        };
        let mut parts = text.trim().splitn(3, ' ');
        let three = |s: Option<&str>| -> Result<u16, HeaderError> {
            let s = s.ok_or(bad("too few parts"))?;
            if s.len() != 3 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad("namespace and code must be three digits each"));
            }
            s.parse().map_err(|_| bad("not a number"))
        };
        let namespace = three(parts.next())?;
        let code = three(parts.next())?;
        let comment = parts
            .next()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        Ok(StatusHeader {
            namespace,
            code,
            comment,
        })
    }
}

impl fmt::Display for StatusHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:03} {:03}", self.namespace, self.code)?;
        if let Some(c) = &self.comment {
            write!(f, " {c}")?;
        }
        Ok(())
    }
}

/// The comment RFC 4975 gives each status code we use.
pub fn status_comment(code: u16) -> &'static str {
    match code {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        408 => "Request Timeout",
        413 => "Message Too Large",
        415 => "Unsupported Media Type",
        423 => "Interval Out-of-Bounds",
        481 => "No Such Session",
        501 => "Not Implemented",
        506 => "Session Already Bound",
        _ => "Unknown Status",
    }
}

/// What a status code means, in words for a user.
pub fn status_in_words(code: u16) -> &'static str {
    match code {
        200 => "taken",
        400 => "the peer could not read our request",
        401 => "the relay asks for a user name and password",
        403 => "the peer refused it",
        408 => "no answer in time",
        413 => "the message is larger than the peer accepts",
        415 => "the peer does not accept this kind of content",
        423 => "the relay wants a different expiry time",
        481 => "the peer does not know this chat session",
        501 => "the peer does not understand this request",
        506 => "the peer's session is already connected elsewhere",
        _ => "the peer refused it with an unknown status",
    }
}

impl Frame {
    /// A request frame with no headers yet.
    pub fn request(transaction_id: impl Into<String>, method: Method) -> Frame {
        Frame {
            transaction_id: transaction_id.into(),
            kind: FrameKind::Request(method),
            headers: Vec::new(),
            body: Vec::new(),
            continuation: Continuation::Complete,
        }
    }

    /// A response to `request`: same transaction id, To-Path set to the first
    /// URI of the request's From-Path (the previous hop), From-Path to
    /// `local`. When the request's From-Path is unreadable the response has
    /// no To-Path (it goes back over the same connection anyway).
    pub fn response_to(request: &Frame, code: u16, local: &MsrpUri) -> Frame {
        let mut f = Frame {
            transaction_id: request.transaction_id.clone(),
            kind: FrameKind::Response {
                code,
                comment: Some(status_comment(code).to_string()),
            },
            headers: Vec::new(),
            body: Vec::new(),
            continuation: Continuation::Complete,
        };
        if let Ok(from) = request.from_path() {
            if let Some(first) = from.first() {
                f.push_header("To-Path", first.to_string());
            }
        }
        f.push_header("From-Path", local.to_string());
        f
    }

    /// Appends a header.
    pub fn push_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_string(), value.into()));
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request method, if a request.
    pub fn method(&self) -> Option<&Method> {
        match &self.kind {
            FrameKind::Request(m) => Some(m),
            FrameKind::Response { .. } => None,
        }
    }

    /// The status code, if a response.
    pub fn status(&self) -> Option<u16> {
        match &self.kind {
            FrameKind::Response { code, .. } => Some(*code),
            FrameKind::Request(_) => None,
        }
    }

    fn path(&self, header: &'static str) -> Result<Vec<MsrpUri>, HeaderError> {
        let value = self.header(header).ok_or(HeaderError::Missing(header))?;
        let path = MsrpUri::parse_path(value).map_err(|source| HeaderError::BadPath { header, source })?;
        if path.len() > MAX_PATH_URIS {
            return Err(HeaderError::PathTooLong(header));
        }
        Ok(path)
    }

    /// `To-Path`.
    pub fn to_path(&self) -> Result<Vec<MsrpUri>, HeaderError> {
        self.path("To-Path")
    }

    /// `From-Path`.
    pub fn from_path(&self) -> Result<Vec<MsrpUri>, HeaderError> {
        self.path("From-Path")
    }

    /// `Use-Path` (in a relay's 200 to AUTH).
    pub fn use_path(&self) -> Result<Vec<MsrpUri>, HeaderError> {
        self.path("Use-Path")
    }

    /// `Message-ID`, checked for length and characters.
    pub fn message_id(&self) -> Result<Option<&str>, HeaderError> {
        match self.header("Message-ID").map(str::trim) {
            None => Ok(None),
            Some(id)
                if id.is_empty()
                    || id.len() > MAX_MESSAGE_ID_LEN
                    || !id.bytes().all(|b| b.is_ascii_graphic()) =>
            {
                Err(HeaderError::Bad {
                    header: "Message-ID",
                    why: "empty, too long or with spaces or control characters",
                })
            }
            Some(id) => Ok(Some(id)),
        }
    }

    /// `Byte-Range`, if present.
    pub fn byte_range(&self) -> Result<Option<ByteRange>, HeaderError> {
        self.header("Byte-Range").map(ByteRange::parse).transpose()
    }

    /// `Content-Type` without parameters, lowercased, if present.
    pub fn content_type(&self) -> Option<String> {
        self.header("Content-Type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// `Success-Report` (default `no`).
    pub fn success_report(&self) -> Result<ReportRequest, HeaderError> {
        self.header("Success-Report").map_or(Ok(ReportRequest::No), |v| {
            ReportRequest::parse(v, "Success-Report")
        })
    }

    /// `Failure-Report` (default `yes`).
    pub fn failure_report(&self) -> Result<ReportRequest, HeaderError> {
        self.header("Failure-Report").map_or(Ok(ReportRequest::Yes), |v| {
            ReportRequest::parse(v, "Failure-Report")
        })
    }

    /// `Status`, if present.
    pub fn status_header(&self) -> Result<Option<StatusHeader>, HeaderError> {
        self.header("Status").map(StatusHeader::parse).transpose()
    }

    /// A numeric header (`Expires`, `Min-Expires`, `Max-Expires`).
    pub fn seconds(&self, name: &'static str) -> Result<Option<u32>, HeaderError> {
        match self.header(name).map(str::trim) {
            None => Ok(None),
            Some(v) if !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit()) => {
                v.parse().map(Some).map_err(|_| HeaderError::Bad {
                    header: name,
                    why: "the number is too large",
                })
            }
            Some(_) => Err(HeaderError::Bad {
                header: name,
                why: "not a number of seconds",
            }),
        }
    }

    /// Serialises the frame. The caller must make sure the body does not hold
    /// the end-line (`-------` + transaction id); the session picks
    /// transaction ids so that it does not.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128 + self.body.len());
        out.extend_from_slice(b"MSRP ");
        out.extend_from_slice(self.transaction_id.as_bytes());
        out.push(b' ');
        match &self.kind {
            FrameKind::Request(m) => out.extend_from_slice(m.as_str().as_bytes()),
            FrameKind::Response { code, comment } => {
                out.extend_from_slice(format!("{code:03}").as_bytes());
                if let Some(c) = comment {
                    out.push(b' ');
                    out.extend_from_slice(c.as_bytes());
                }
            }
        }
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if !self.body.is_empty() {
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(&self.body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(END_LINE_DASHES);
        out.extend_from_slice(self.transaction_id.as_bytes());
        out.push(self.continuation.flag());
        out.extend_from_slice(b"\r\n");
        out
    }

    /// Whether `body` holds the end-line of transaction `txid` (then the
    /// frame could not be read back; pick another id).
    pub fn body_collides(body: &[u8], txid: &str) -> bool {
        let mut needle = END_LINE_DASHES.to_vec();
        needle.extend_from_slice(txid.as_bytes());
        memchr::memmem::find(body, &needle).is_some()
    }
}

/// Whether `id` is a transaction id we accept: 3 to 31 alphanumerics or
/// `.`, `-`, `+`, `%`, `=` (RFC 4975 ident), not starting with a symbol.
pub fn valid_transaction_id(id: &str) -> bool {
    (MIN_TRANSACTION_ID_LEN..=MAX_TRANSACTION_ID_LEN).contains(&id.len())
        && id.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'%' | b'='))
}

#[cfg(test)]
#[path = "frame_tests.rs"]
mod tests;
