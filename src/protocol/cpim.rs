//! Common Presence and Instant Messaging format (RFC 3862,
//! `message/cpim`): message headers (From, To, DateTime, Subject, NS
//! declarations and namespaced headers such as `imdn.Message-ID`), then
//! MIME content headers, then the body. Parse and build; sizes bounded.

use super::imdn::{Requested, CPIM_NAMESPACE};
use chrono::{DateTime, FixedOffset};

/// Content type of a CPIM message.
pub const CONTENT_TYPE: &str = "message/cpim";
/// Largest header part (message and content headers together), in bytes.
pub const MAX_CPIM_HEADER_BYTES: usize = 16 * 1024;
/// Most header lines (message and content headers together).
pub const MAX_CPIM_HEADERS: usize = 64;

/// Why bytes are not a CPIM message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpimError {
    /// The header part is longer than [`MAX_CPIM_HEADER_BYTES`] or never ends.
    #[error("the CPIM headers are longer than {MAX_CPIM_HEADER_BYTES} bytes or have no end")]
    HeadersTooLong,
    /// More than [`MAX_CPIM_HEADERS`] header lines.
    #[error("the CPIM message has more than {MAX_CPIM_HEADERS} headers")]
    TooManyHeaders,
    /// Header text that is not UTF-8.
    #[error("the CPIM headers are not UTF-8 text")]
    NotUtf8,
    /// A line that is not `Name: value`.
    #[error("CPIM header line {0} is not of the form Name: value")]
    BadHeader(usize),
    /// No empty line between the content headers and the body.
    #[error("the CPIM message has no content headers followed by an empty line")]
    NoContent,
}

/// A CPIM message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CpimMessage {
    /// Message headers in order (`(name, value)`, names as written, e.g.
    /// `imdn.Message-ID`). A value starting with `;` carries parameters
    /// (`Subject:;lang=fr text`).
    pub headers: Vec<(String, String)>,
    /// MIME content headers (`Content-Type`, `Content-ID`, ...).
    pub content_headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The address inside `Display Name <uri>` (or the whole value).
pub fn address(value: &str) -> &str {
    match (value.find('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => value[a + 1..b].trim(),
        _ => value.trim(),
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Reads one block of header lines up to an empty line; returns the headers
/// and the offset after the empty line.
fn header_block(bytes: &[u8], count: &mut usize) -> Result<(Vec<(String, String)>, usize), CpimError> {
    let mut headers = Vec::new();
    let mut pos = 0;
    loop {
        let rel =
            bytes[pos..]
                .iter()
                .position(|b| *b == b'\n')
                .ok_or(if bytes.len() > MAX_CPIM_HEADER_BYTES {
                    CpimError::HeadersTooLong
                } else {
                    CpimError::NoContent
                })?;
        let end = pos + rel;
        if end > MAX_CPIM_HEADER_BYTES {
            return Err(CpimError::HeadersTooLong);
        }
        let line = bytes[pos..end].strip_suffix(b"\r").unwrap_or(&bytes[pos..end]);
        pos = end + 1;
        if line.is_empty() {
            return Ok((headers, pos));
        }
        *count += 1;
        if *count > MAX_CPIM_HEADERS {
            return Err(CpimError::TooManyHeaders);
        }
        let text = std::str::from_utf8(line).map_err(|_| CpimError::NotUtf8)?;
        let (name, value) = text.split_once(':').ok_or(CpimError::BadHeader(*count))?;
        let name_ok = !name.is_empty()
            && name.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'-' | b'_' | b'.' | b'!' | b'%' | b'*' | b'+' | b'~')
            });
        if !name_ok || value.contains(|c: char| c.is_control() && c != '\t') {
            return Err(CpimError::BadHeader(*count));
        }
        let value = value
            .strip_prefix(' ')
            .unwrap_or(value)
            .trim_end_matches([' ', '\t']);
        headers.push((name.to_string(), value.to_string()));
    }
}

impl CpimMessage {
    /// A message from `from` to `to` (each `Name <uri>` or a bare URI)
    /// holding `body` of `content_type`.
    pub fn new(from: &str, to: &str, content_type: &str, body: Vec<u8>) -> CpimMessage {
        CpimMessage {
            headers: vec![("From".into(), from.to_string()), ("To".into(), to.to_string())],
            content_headers: vec![("Content-Type".into(), content_type.to_string())],
            body,
        }
    }

    /// Adds `DateTime` (RFC 3339).
    pub fn with_datetime(mut self, at: &DateTime<FixedOffset>) -> CpimMessage {
        self.headers.push(("DateTime".into(), at.to_rfc3339()));
        self
    }

    /// Adds `Subject`.
    pub fn with_subject(mut self, subject: &str) -> CpimMessage {
        self.headers
            .push(("Subject".into(), subject.replace(['\r', '\n'], " ")));
        self
    }

    /// Declares the IMDN namespace and adds `imdn.Message-ID` and, when
    /// something is asked, `imdn.Disposition-Notification`.
    pub fn with_imdn(mut self, message_id: &str, requested: Requested) -> CpimMessage {
        self.headers
            .push(("NS".into(), format!("imdn <{CPIM_NAMESPACE}>")));
        self.headers
            .push(("imdn.Message-ID".into(), message_id.to_string()));
        let asked = requested.to_value();
        if !asked.is_empty() {
            self.headers.push(("imdn.Disposition-Notification".into(), asked));
        }
        self
    }

    /// Adds a content header (e.g. `Content-Disposition: notification` for
    /// an IMDN).
    pub fn with_content_header(mut self, name: &str, value: &str) -> CpimMessage {
        self.content_headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Reads a CPIM message.
    pub fn parse(bytes: &[u8]) -> Result<CpimMessage, CpimError> {
        let mut count = 0;
        let (headers, at) = header_block(bytes, &mut count)?;
        let (content_headers, body_at) = header_block(&bytes[at..], &mut count)?;
        Ok(CpimMessage {
            headers,
            content_headers,
            body: bytes[at + body_at..].to_vec(),
        })
    }

    /// Writes the message (CRLF line ends).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256 + self.body.len());
        for block in [&self.headers, &self.content_headers] {
            for (name, value) in block.iter() {
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(if value.starts_with(';') || value.is_empty() {
                    b":"
                } else {
                    b": "
                });
                out.extend_from_slice(value.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(&self.body);
        out
    }

    /// A message header's value (case-insensitive name, first one).
    pub fn header(&self, name: &str) -> Option<&str> {
        find(&self.headers, name)
    }

    /// `From`.
    pub fn from(&self) -> Option<&str> {
        self.header("From")
    }

    /// `To` (the first one).
    pub fn to(&self) -> Option<&str> {
        self.header("To")
    }

    /// `Subject` (the first one, parameters removed).
    pub fn subject(&self) -> Option<&str> {
        self.header("Subject").map(|v| match v.strip_prefix(';') {
            Some(rest) => rest.split_once(' ').map_or("", |(_, text)| text),
            None => v,
        })
    }

    /// `DateTime`, when present and valid RFC 3339.
    pub fn date_time(&self) -> Option<DateTime<FixedOffset>> {
        DateTime::parse_from_rfc3339(self.header("DateTime")?.trim()).ok()
    }

    /// The value of header `local` in namespace `urn`, resolving the
    /// message's `NS: prefix <urn>` declarations.
    pub fn namespaced(&self, urn: &str, local: &str) -> Option<&str> {
        let prefixes: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("NS"))
            .filter_map(|(_, v)| {
                let (prefix, rest) = v.split_once('<')?;
                let declared = rest.split_once('>')?.0.trim();
                declared.eq_ignore_ascii_case(urn).then_some(prefix.trim())
            })
            .collect();
        self.headers.iter().find_map(|(n, v)| {
            let (prefix, name) = n.rsplit_once('.').unwrap_or(("", n));
            (name.eq_ignore_ascii_case(local) && prefixes.contains(&prefix)).then_some(v.trim())
        })
    }

    /// `imdn.Message-ID`.
    pub fn imdn_message_id(&self) -> Option<&str> {
        self.namespaced(CPIM_NAMESPACE, "Message-ID")
    }

    /// `imdn.Disposition-Notification`.
    pub fn disposition_notification(&self) -> Option<Requested> {
        self.namespaced(CPIM_NAMESPACE, "Disposition-Notification")
            .map(Requested::parse)
    }

    /// The inner `Content-Type` without parameters, lowercased.
    pub fn content_type(&self) -> Option<String> {
        find(&self.content_headers, "Content-Type").map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
    }
}

#[cfg(test)]
#[path = "cpim_tests.rs"]
mod tests;
