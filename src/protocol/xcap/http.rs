//! A small HTTP/1.1 client side, sans-IO, for XCAP: the URL of an XCAP
//! root, a request as bytes, and a response read from bytes as they come.
//!
//! One request per connection (`Connection: close`); a response body is
//! delimited by `Content-Length`, by chunked transfer coding, or by the end
//! of the connection. Every length is bounded by a named constant; bad
//! input is a typed [`HttpError`], never a panic.

use std::fmt;

/// Longest status line and header block of a response.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Most header fields read from a response.
pub const MAX_HEADERS: usize = 64;
/// Longest response body kept (XCAP documents are small).
pub const MAX_BODY_BYTES: usize = 256 * 1024;
/// Longest URL accepted.
pub const MAX_URL_BYTES: usize = 2048;
/// Longest chunk-size line of a chunked body.
pub const MAX_CHUNK_LINE_BYTES: usize = 64;

/// Why an HTTP URL or response could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// Not an `http://` or `https://` URL with a host.
    #[error("{0:?} is not an http:// or https:// address with a host")]
    BadUrl(String),
    /// The status line is not `HTTP/1.x NNN reason`.
    #[error("the server's answer does not start with an HTTP status line")]
    StatusLine,
    /// A header line without a colon, or not UTF-8.
    #[error("the server's answer has a malformed header line")]
    Header,
    /// More than [`MAX_HEADERS`] headers or [`MAX_HEAD_BYTES`] bytes.
    #[error("the server's answer has too many or too long headers")]
    HeadTooLong,
    /// A body longer than [`MAX_BODY_BYTES`].
    #[error("the server's answer is longer than {MAX_BODY_BYTES} bytes")]
    BodyTooLong,
    /// `Content-Length` or a chunk size is not a number.
    #[error("the server's answer has an unreadable length")]
    Length,
    /// The connection ended before the announced body did.
    #[error("the connection ended in the middle of the server's answer")]
    Truncated,
}

/// `http` or `https`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

/// A parsed `http://host:port/path` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Url {
    /// The scheme.
    pub scheme: Scheme,
    /// The host, without brackets for IPv6.
    pub host: String,
    /// The port (80 or 443 when not given).
    pub port: u16,
    /// The path, starting with `/`, without a trailing `/` unless it is the root.
    pub path: String,
}

impl Url {
    /// Reads `http://host[:port][/path]` (no user info, query or fragment).
    pub fn parse(text: &str) -> Result<Url, HttpError> {
        let bad = || HttpError::BadUrl(text.chars().take(80).collect());
        if text.len() > MAX_URL_BYTES || text.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad());
        }
        let lower = text.to_ascii_lowercase();
        let (scheme, rest) = if lower.starts_with("http://") {
            (Scheme::Http, &text["http://".len()..])
        } else if lower.starts_with("https://") {
            (Scheme::Https, &text["https://".len()..])
        } else {
            return Err(bad());
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') || path.contains(['?', '#']) {
            return Err(bad());
        }
        let default_port = match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']').ok_or_else(bad)?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().map_err(|_| bad())?,
                None if after.is_empty() => default_port,
                None => return Err(bad()),
            };
            (host.to_string(), port)
        } else {
            match authority.split_once(':') {
                Some((host, p)) => (host.to_string(), p.parse().map_err(|_| bad())?),
                None => (authority.to_string(), default_port),
            }
        };
        if host.is_empty() {
            return Err(bad());
        }
        let path = match path.trim_end_matches('/') {
            "" => "/".to_string(),
            p => p.to_string(),
        };
        Ok(Url {
            scheme,
            host,
            port,
            path,
        })
    }

    /// The `Host` header value.
    pub fn host_header(&self) -> String {
        let default = matches!(
            (self.scheme, self.port),
            (Scheme::Http, 80) | (Scheme::Https, 443)
        );
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        if default {
            host
        } else {
            format!("{host}:{}", self.port)
        }
    }

    /// This URL with `segments` appended to its path, each percent-encoded
    /// where a path segment needs it (RFC 3986).
    pub fn join(&self, segments: &[&str]) -> Url {
        let mut path = if self.path == "/" {
            String::new()
        } else {
            self.path.clone()
        };
        for segment in segments {
            path.push('/');
            path.push_str(&encode_segment(segment));
        }
        Url { path, ..self.clone() }
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}{}", self.host_header(), self.path)
    }
}

/// Percent-encodes what may not stand in a path segment (RFC 3986
/// `pchar`): unreserved, sub-delims, `:` and `@` stay.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One request to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request<'a> {
    /// `GET`, `PUT`, `DELETE`.
    pub method: &'a str,
    /// Where.
    pub url: &'a Url,
    /// More header fields (`Authorization`, `If-Match`, `Content-Type`).
    pub headers: &'a [(&'a str, String)],
    /// The body (empty for none).
    pub body: &'a [u8],
}

impl Request<'_> {
    /// The request as bytes: request line, `Host`, the headers (CR and LF
    /// removed from values), `Content-Length` when there is a body or the
    /// method is `PUT`, and `Connection: close`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let clean = |v: &str| v.chars().filter(|c| *c != '\r' && *c != '\n').collect::<String>();
        let mut head = format!(
            "{} {} HTTP/1.1\r\nHost: {}\r\n",
            self.method,
            self.url.path,
            self.url.host_header()
        );
        for (name, value) in self.headers {
            head.push_str(&format!("{}: {}\r\n", clean(name), clean(value)));
        }
        if !self.body.is_empty() || self.method.eq_ignore_ascii_case("PUT") {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("Connection: close\r\n\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(self.body);
        out
    }
}

/// A response read in full.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// The header fields, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl Response {
    /// The first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header named `name` (any case).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Reads a response from `bytes` received so far. `Ok(None)`: more
    /// bytes are needed; `closed` says the connection has ended (then a
    /// body without a length ends there, and a short one is an error).
    pub fn parse(bytes: &[u8], closed: bool) -> Result<Option<Response>, HttpError> {
        let Some(head_end) = find(bytes, b"\r\n\r\n") else {
            if bytes.len() > MAX_HEAD_BYTES {
                return Err(HttpError::HeadTooLong);
            }
            return if closed {
                Err(HttpError::Truncated)
            } else {
                Ok(None)
            };
        };
        if head_end > MAX_HEAD_BYTES {
            return Err(HttpError::HeadTooLong);
        }
        let head = std::str::from_utf8(&bytes[..head_end]).map_err(|_| HttpError::Header)?;
        let mut lines = head.split("\r\n");
        let (status, reason) = status_line(lines.next().unwrap_or_default())?;
        let mut headers = Vec::new();
        for line in lines {
            if headers.len() >= MAX_HEADERS {
                return Err(HttpError::HeadTooLong);
            }
            let (name, value) = line.split_once(':').ok_or(HttpError::Header)?;
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(HttpError::Header);
            }
            headers.push((name.to_string(), value.trim().to_string()));
        }
        let mut response = Response {
            status,
            reason,
            headers,
            body: Vec::new(),
        };
        let rest = &bytes[head_end + 4..];
        let no_body = status < 200 || status == 204 || status == 304;
        let chunked = response
            .header("Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
        if no_body {
            return Ok(Some(response));
        }
        if chunked {
            return match dechunk(rest)? {
                Some(body) => {
                    response.body = body;
                    Ok(Some(response))
                }
                None if closed => Err(HttpError::Truncated),
                None => Ok(None),
            };
        }
        match response.header("Content-Length") {
            Some(length) => {
                let length: usize = length.trim().parse().map_err(|_| HttpError::Length)?;
                if length > MAX_BODY_BYTES {
                    return Err(HttpError::BodyTooLong);
                }
                if rest.len() < length {
                    return if closed {
                        Err(HttpError::Truncated)
                    } else {
                        Ok(None)
                    };
                }
                response.body = rest[..length].to_vec();
                Ok(Some(response))
            }
            None => {
                if rest.len() > MAX_BODY_BYTES {
                    return Err(HttpError::BodyTooLong);
                }
                if !closed {
                    return Ok(None);
                }
                response.body = rest.to_vec();
                Ok(Some(response))
            }
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn status_line(line: &str) -> Result<(u16, String), HttpError> {
    let rest = line.strip_prefix("HTTP/1.").ok_or(HttpError::StatusLine)?;
    let mut parts = rest.splitn(3, ' ');
    let minor = parts.next().unwrap_or_default();
    if minor.len() != 1 || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return Err(HttpError::StatusLine);
    }
    let code = parts.next().unwrap_or_default();
    if code.len() != 3 {
        return Err(HttpError::StatusLine);
    }
    let status: u16 = code.parse().map_err(|_| HttpError::StatusLine)?;
    if !(100..=599).contains(&status) {
        return Err(HttpError::StatusLine);
    }
    Ok((status, parts.next().unwrap_or_default().trim().to_string()))
}

/// A chunked body, when all of it is there.
fn dechunk(mut rest: &[u8]) -> Result<Option<Vec<u8>>, HttpError> {
    let mut body = Vec::new();
    loop {
        let Some(line_end) = find(rest, b"\r\n") else {
            if rest.len() > MAX_CHUNK_LINE_BYTES {
                return Err(HttpError::Length);
            }
            return Ok(None);
        };
        if line_end > MAX_CHUNK_LINE_BYTES {
            return Err(HttpError::Length);
        }
        let line = std::str::from_utf8(&rest[..line_end]).map_err(|_| HttpError::Length)?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| HttpError::Length)?;
        rest = &rest[line_end + 2..];
        if size == 0 {
            return Ok(Some(body));
        }
        if body.len().saturating_add(size) > MAX_BODY_BYTES {
            return Err(HttpError::BodyTooLong);
        }
        if rest.len() < size + 2 {
            return Ok(None);
        }
        body.extend_from_slice(&rest[..size]);
        rest = &rest[size + 2..];
    }
}

#[cfg(test)]
#[path = "http_tests.rs"]
mod tests;
