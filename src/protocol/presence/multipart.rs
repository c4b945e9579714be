//! `multipart/related` bodies (RFC 2387 on RFC 2046), as a resource list
//! server sends them (RFC 4662): the parts between boundary lines, each
//! with its Content-Type and Content-ID. The boundary comes from the
//! Content-Type header; without one (a notifier that lost it), the first
//! delimiter line of the body names it.
//!
//! Bounded by named constants; malformed input is a typed
//! [`MultipartError`], never a panic.

/// The multipart type of a resource list NOTIFY.
pub const CONTENT_TYPE: &str = "multipart/related";
/// Longest multipart body read, in bytes.
pub const MAX_MULTIPART_BYTES: usize = 2 * 1024 * 1024;
/// Most parts read.
pub const MAX_PARTS: usize = 1024;
/// Most header lines of one part.
pub const MAX_PART_HEADERS: usize = 16;
/// Longest boundary (RFC 2046 section 5.1.1).
pub const MAX_BOUNDARY_BYTES: usize = 70;
/// Longest header line of a part.
pub const MAX_PART_HEADER_BYTES: usize = 1024;

/// Why a multipart body could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultipartError {
    /// Longer than [`MAX_MULTIPART_BYTES`].
    #[error("the multipart body is {0} bytes long; at most {MAX_MULTIPART_BYTES} are read")]
    TooLong(usize),
    /// No usable boundary.
    #[error("the multipart body has no usable boundary")]
    Boundary,
    /// The first boundary line is missing.
    #[error("the multipart body does not start with its boundary")]
    NoFirstBoundary,
    /// The closing boundary is missing.
    #[error("the multipart body ends without its closing boundary")]
    Unterminated,
    /// A part's headers are malformed or too many.
    #[error("a part of the multipart body has malformed headers")]
    PartHeaders,
    /// More than [`MAX_PARTS`] parts.
    #[error("the multipart body has more than {MAX_PARTS} parts")]
    TooManyParts,
}

/// One part.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Part {
    /// Its Content-Type without parameters, lowercase.
    pub content_type: Option<String>,
    /// Its Content-ID without `<` `>`.
    pub content_id: Option<String>,
    /// Its body.
    pub body: Vec<u8>,
}

/// The value of parameter `name` of a header value
/// (`multipart/related;type="application/rlmi+xml";boundary=x`).
pub fn parameter(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (n, v) = p.split_once('=')?;
        n.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// The boundary named by the body's first delimiter line.
fn boundary_from_body(body: &[u8]) -> Option<String> {
    let start = if body.starts_with(b"--") {
        0
    } else {
        find(body, b"\r\n--", 0)? + 2
    };
    let end = find(body, b"\r\n", start)?;
    let line = std::str::from_utf8(&body[start + 2..end]).ok()?;
    Some(line.trim_end().to_string())
}

fn usable(boundary: &str) -> bool {
    !boundary.is_empty()
        && boundary.len() <= MAX_BOUNDARY_BYTES
        && boundary.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Reads the parts of `body`, delimited by `boundary` (from the
/// Content-Type), or by the body's own first delimiter line.
pub fn parse(body: &[u8], boundary: Option<&str>) -> Result<Vec<Part>, MultipartError> {
    if body.len() > MAX_MULTIPART_BYTES {
        return Err(MultipartError::TooLong(body.len()));
    }
    let boundary = match boundary {
        Some(b) => b.to_string(),
        None => boundary_from_body(body).ok_or(MultipartError::Boundary)?,
    };
    if !usable(&boundary) {
        return Err(MultipartError::Boundary);
    }
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut at = if body.starts_with(delimiter) {
        0
    } else {
        find(body, &[b"\r\n", delimiter].concat(), 0).ok_or(MultipartError::NoFirstBoundary)? + 2
    };
    let next_delimiter = [b"\r\n", delimiter].concat();
    let mut parts = Vec::new();
    loop {
        at += delimiter.len();
        if body.get(at..at + 2) == Some(b"--") {
            return Ok(parts);
        }
        // Transport padding, then the line break.
        while matches!(body.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        if body.get(at..at + 2) != Some(b"\r\n") {
            return Err(MultipartError::Unterminated);
        }
        at += 2;
        let end = find(body, &next_delimiter, at).ok_or(MultipartError::Unterminated)?;
        if parts.len() >= MAX_PARTS {
            return Err(MultipartError::TooManyParts);
        }
        parts.push(read_part(&body[at..end])?);
        at = end + 2;
    }
}

fn read_part(bytes: &[u8]) -> Result<Part, MultipartError> {
    let (head, body) = if bytes.starts_with(b"\r\n") {
        (&b""[..], &bytes[2..])
    } else {
        match find(bytes, b"\r\n\r\n", 0) {
            Some(i) => (&bytes[..i], &bytes[i + 4..]),
            None => (bytes, &b""[..]),
        }
    };
    let head = std::str::from_utf8(head).map_err(|_| MultipartError::PartHeaders)?;
    let mut part = Part {
        body: body.to_vec(),
        ..Part::default()
    };
    for (n, line) in head.split("\r\n").filter(|l| !l.is_empty()).enumerate() {
        if n >= MAX_PART_HEADERS || line.len() > MAX_PART_HEADER_BYTES {
            return Err(MultipartError::PartHeaders);
        }
        let (name, value) = line.split_once(':').ok_or(MultipartError::PartHeaders)?;
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-type" => {
                let bare = value.split(';').next().unwrap_or_default().trim();
                part.content_type = Some(bare.to_ascii_lowercase());
            }
            "content-id" => {
                part.content_id = Some(value.trim_start_matches('<').trim_end_matches('>').to_string());
            }
            _ => {}
        }
    }
    Ok(part)
}

#[cfg(test)]
#[path = "multipart_tests.rs"]
mod tests;
