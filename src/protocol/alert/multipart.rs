//! A small `multipart/mixed` reader (RFC 2046 section 5.1), enough to find
//! the CAP document and the text of an alert MESSAGE (RFC 8876 sends CAP
//! next to other parts).

use super::AlertError;

/// Longest boundary RFC 2046 allows.
pub const MAX_BOUNDARY_LEN: usize = 70;
/// Most parts read from one body; more is refused.
pub const MAX_PARTS: usize = 16;
/// Most header bytes of one part.
pub const MAX_PART_HEADER_BYTES: usize = 4096;

/// One body part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// Media type, lower case, without parameters (`text/plain` when the
    /// part has no Content-Type).
    pub content_type: String,
    /// The Content-Type header as written (with parameters), if any.
    pub content_type_header: Option<String>,
    /// The part's body.
    pub body: String,
}

/// The media type of a Content-Type value: lower case, no parameters.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The `boundary` parameter of a Content-Type value, unquoted.
pub fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        Some(value.to_string())
    })
}

/// Splits a multipart body into its parts. The preamble and epilogue are
/// ignored; a body without a closing delimiter is accepted up to its end.
pub fn parse_multipart(body: &str, boundary: &str) -> Result<Vec<Part>, AlertError> {
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY_LEN {
        return Err(AlertError::Multipart(format!(
            "the boundary must be 1 to {MAX_BOUNDARY_LEN} characters long (it is {})",
            boundary.len()
        )));
    }
    let delimiter = format!("--{boundary}");
    // Every delimiter line starts at the start of the body or of a line.
    let mut starts = Vec::new();
    let mut search = 0;
    while let Some(found) = body[search..].find(&delimiter) {
        let at = search + found;
        if at == 0 || body[..at].ends_with('\n') {
            starts.push(at);
        }
        search = at + delimiter.len();
    }
    if starts.is_empty() {
        return Err(AlertError::Multipart(format!(
            "the body has no part delimiter \"{delimiter}\""
        )));
    }
    let mut parts = Vec::new();
    for (i, &at) in starts.iter().enumerate() {
        let after = at + delimiter.len();
        if body[after..].starts_with("--") {
            break; // the closing delimiter
        }
        // Skip the rest of the delimiter line (transport padding).
        let Some(line_end) = body[after..].find('\n') else {
            break;
        };
        let content_start = after + line_end + 1;
        let content_end = match starts.get(i + 1) {
            Some(&next) => {
                // The line break before the next delimiter belongs to it.
                let end = next.saturating_sub(1);
                if end > 0 && body.as_bytes().get(end - 1) == Some(&b'\r') {
                    end - 1
                } else {
                    end
                }
            }
            None => body.len(),
        };
        if content_end < content_start {
            parts.push(part_from("")?);
        } else {
            parts.push(part_from(&body[content_start..content_end])?);
        }
        if parts.len() > MAX_PARTS {
            return Err(AlertError::Multipart(format!(
                "the body has more than {MAX_PARTS} parts"
            )));
        }
    }
    Ok(parts)
}

/// Reads a part's headers and body.
fn part_from(raw: &str) -> Result<Part, AlertError> {
    let (head, body) = if let Some(body) = raw.strip_prefix("\r\n") {
        ("", body)
    } else if let Some(body) = raw.strip_prefix('\n') {
        ("", body)
    } else {
        match (raw.find("\r\n\r\n"), raw.find("\n\n")) {
            (Some(a), Some(b)) if b < a => (&raw[..b], &raw[b + 2..]),
            (Some(a), _) => (&raw[..a], &raw[a + 4..]),
            (None, Some(b)) => (&raw[..b], &raw[b + 2..]),
            (None, None) => (raw, ""),
        }
    };
    if head.len() > MAX_PART_HEADER_BYTES {
        return Err(AlertError::Multipart(format!(
            "a part's headers are longer than {MAX_PART_HEADER_BYTES} bytes"
        )));
    }
    let mut content_type_header = None;
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-type") {
            content_type_header = Some(value.trim().to_string());
        }
    }
    let content_type = content_type_header
        .as_deref()
        .map_or_else(|| "text/plain".to_string(), media_type);
    Ok(Part {
        content_type,
        content_type_header,
        body: body.to_string(),
    })
}
