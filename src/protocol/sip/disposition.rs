//! `Content-Disposition` (RFC 3261 20.11, RFC 2183 parameters) for files
//! sent inside a page-mode MESSAGE: `attachment; filename="photo.png"`.
//!
//! Some clients (Twinkle, through servers such as Yate that carry no MSRP)
//! send a small file as the body of a MESSAGE with the file's own
//! Content-Type and a disposition naming it. [`parse`] reads such a header
//! (quoted and token file names, the RFC 5987 `filename*=` form in UTF-8 or
//! ISO-8859-1), [`ContentDisposition::to_header_value`] prints one, and
//! [`page_file`] decides whether a MESSAGE body is a file at all. The name
//! read here is the one *offered*: the runtime makes it safe before saving.

use super::header_value::{parse_params, quote, unquote};
use super::message::MAX_MESSAGE_SIZE;

/// Longest Content-Disposition value we read, in bytes.
pub const MAX_DISPOSITION_BYTES: usize = 1024;
/// Most parameters we read in one Content-Disposition.
pub const MAX_DISPOSITION_PARAMS: usize = 16;
/// Longest offered file name kept, in bytes (longer ones are refused).
pub const MAX_FILENAME_BYTES: usize = 512;
/// Largest file body of a page-mode MESSAGE we take: whatever the SIP
/// parser lets through (the account's `max_file_size` may be smaller).
pub const MAX_PAGE_FILE_BYTES: usize = MAX_MESSAGE_SIZE;
/// Disposition types that, with a file name, make a body a file.
pub const FILE_DISPOSITIONS: &[&str] = &["attachment", "render", "inline"];
/// Media types whose MESSAGE body is read as something else (typing
/// notices, emergency alerts): never a file, whatever the disposition.
/// `multipart/*` and `message/*` are never files either.
pub const NOT_FILE_TYPES: &[&str] = &["application/im-iscomposing+xml", "application/cap+xml"];

/// What was wrong with a Content-Disposition value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DispositionError {
    /// The value is longer than [`MAX_DISPOSITION_BYTES`].
    #[error("the Content-Disposition is {0} bytes long (at most {MAX_DISPOSITION_BYTES} are read)")]
    TooLong(usize),
    /// No disposition type before the parameters.
    #[error("the Content-Disposition has no disposition type")]
    NoType,
    /// The type is not a token.
    #[error("the Content-Disposition type {0:?} is not a token")]
    BadType(String),
    /// More than [`MAX_DISPOSITION_PARAMS`] parameters.
    #[error("the Content-Disposition has {0} parameters (at most {MAX_DISPOSITION_PARAMS} are read)")]
    TooManyParams(usize),
    /// The file name is unusable (too long, or a `filename*` we cannot decode).
    #[error("the Content-Disposition file name is unusable: {0}")]
    BadFilename(String),
}

/// A parsed Content-Disposition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentDisposition {
    /// The disposition type, lower case (`attachment`, `render`, ...).
    pub kind: String,
    /// The offered file name (`filename*` wins over `filename`), unquoted,
    /// as sent: it may hold directories or `..`; make it safe before use.
    pub filename: Option<String>,
    /// The `handling` parameter (`required` / `optional`), lower case.
    pub handling: Option<String>,
}

fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.!%*_+`'~".contains(&b))
}

/// Decodes an RFC 5987 `ext-value`: `charset'language'percent-encoded`.
/// Only UTF-8 and ISO-8859-1 are known charsets.
fn decode_ext_value(value: &str) -> Result<String, DispositionError> {
    let bad = |why: &str| DispositionError::BadFilename(why.to_string());
    let mut parts = value.splitn(3, '\'');
    let (Some(charset), Some(_lang), Some(encoded)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("filename* is not charset'language'value"));
    };
    let mut bytes = Vec::with_capacity(encoded.len());
    let mut iter = encoded.bytes();
    while let Some(b) = iter.next() {
        if b == b'%' {
            let hi = iter.next().and_then(|c| (c as char).to_digit(16));
            let lo = iter.next().and_then(|c| (c as char).to_digit(16));
            match (hi, lo) {
                (Some(h), Some(l)) => bytes.push(u8::try_from(h * 16 + l).unwrap_or(b'?')),
                _ => return Err(bad("filename* has a broken %-escape")),
            }
        } else {
            bytes.push(b);
        }
    }
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).map_err(|_| bad("filename* is not valid UTF-8"))
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Ok(bytes.into_iter().map(char::from).collect())
    } else {
        Err(DispositionError::BadFilename(format!(
            "filename* uses the charset {charset:?} (only UTF-8 and ISO-8859-1 are read)"
        )))
    }
}

/// Parses a Content-Disposition value (`attachment; filename="a b.png"`).
pub fn parse(value: &str) -> Result<ContentDisposition, DispositionError> {
    if value.len() > MAX_DISPOSITION_BYTES {
        return Err(DispositionError::TooLong(value.len()));
    }
    let (kind, rest) = match value.find(';') {
        Some(i) => (&value[..i], &value[i + 1..]),
        None => (value, ""),
    };
    let kind = kind.trim();
    if kind.is_empty() {
        return Err(DispositionError::NoType);
    }
    if !is_token(kind) {
        return Err(DispositionError::BadType(kind.to_string()));
    }
    let params = parse_params(rest);
    if params.len() > MAX_DISPOSITION_PARAMS {
        return Err(DispositionError::TooManyParams(params.len()));
    }
    let mut plain = None;
    let mut extended = None;
    let mut handling = None;
    for p in &params {
        let value = p.value.as_deref().unwrap_or("");
        if p.name.eq_ignore_ascii_case("filename*") {
            extended = Some(decode_ext_value(&unquote(value))?);
        } else if p.name.eq_ignore_ascii_case("filename") {
            plain = Some(unquote(value));
        } else if p.name.eq_ignore_ascii_case("handling") {
            handling = Some(unquote(value).to_ascii_lowercase());
        }
    }
    let filename = extended.or(plain).filter(|n| !n.is_empty());
    if let Some(name) = &filename {
        if name.len() > MAX_FILENAME_BYTES {
            return Err(DispositionError::BadFilename(format!(
                "the name is {} bytes long (at most {MAX_FILENAME_BYTES})",
                name.len()
            )));
        }
    }
    Ok(ContentDisposition {
        kind: kind.to_ascii_lowercase(),
        filename,
        handling,
    })
}

impl ContentDisposition {
    /// `attachment; filename="<name>"`.
    pub fn attachment(name: &str) -> ContentDisposition {
        ContentDisposition {
            kind: "attachment".into(),
            filename: Some(name.to_string()),
            handling: None,
        }
    }

    /// Whether the type is one that carries a file ([`FILE_DISPOSITIONS`]).
    pub fn is_file_kind(&self) -> bool {
        FILE_DISPOSITIONS.contains(&self.kind.as_str())
    }

    /// The header value: the type, then `filename` as a quoted string
    /// (control characters dropped, `"` and `\` escaped), then `handling`.
    pub fn to_header_value(&self) -> String {
        let mut out = self.kind.clone();
        if let Some(name) = &self.filename {
            let clean: String = name.chars().filter(|c| !c.is_control()).collect();
            out.push_str("; filename=");
            out.push_str(&quote(&clean));
        }
        if let Some(h) = &self.handling {
            out.push_str("; handling=");
            if is_token(h) {
                out.push_str(h);
            } else {
                let clean: String = h.chars().filter(|c| !c.is_control()).collect();
                out.push_str(&quote(&clean));
            }
        }
        out
    }
}

/// A MESSAGE body that is a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageFile {
    /// The offered name, if the disposition gave one (unsafe as sent).
    pub name: Option<String>,
    /// The body's media type (lower case, no parameters).
    pub content_type: String,
}

/// Whether a MESSAGE body with `content_type` (lower case, no parameters)
/// and the `disposition` header (if any) is a file:
///
/// - never for typing notices, CAP alerts, `multipart/*` and `message/*`;
/// - yes when the disposition is `attachment`, or `render` / `inline` with
///   a file name;
/// - yes for any other type that is not `text/*` (an image, a PDF, ...);
/// - otherwise (plain text, a `text/*` without a file disposition) no.
///
/// A disposition that cannot be parsed counts as absent.
pub fn page_file(content_type: &str, disposition: Option<&str>) -> Option<PageFile> {
    let content_type = content_type.trim().to_ascii_lowercase();
    if NOT_FILE_TYPES.contains(&content_type.as_str())
        || content_type.starts_with("multipart/")
        || content_type.starts_with("message/")
    {
        return None;
    }
    let parsed = disposition.and_then(|d| parse(d).ok());
    let named = parsed
        .as_ref()
        .filter(|d| d.is_file_kind() && (d.filename.is_some() || d.kind == "attachment"));
    if let Some(d) = named {
        return Some(PageFile {
            name: d.filename.clone(),
            content_type,
        });
    }
    let is_text = content_type.starts_with("text/") || content_type.is_empty();
    (!is_text).then_some(PageFile {
        name: None,
        content_type,
    })
}

#[cfg(test)]
#[path = "disposition_tests.rs"]
mod tests;
