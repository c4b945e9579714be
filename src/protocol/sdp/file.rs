//! RFC 5547 file transfer attributes: `a=file-selector`, `a=file-transfer-id`,
//! `a=file-disposition`, `a=file-date`, `a=file-icon`, `a=file-range`.

use super::MAX_FILE_NAME_BYTES;
use std::fmt;

/// `a=file-selector`: what identifies the file (RFC 5547 section 5).
///
/// Every part is optional. The name is stored decoded (percent escapes
/// undone); it is whatever the peer wrote, including `/` or `..`: never use
/// it as a path without cleaning it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileSelector {
    /// `name:"..."`, decoded.
    pub name: Option<String>,
    /// `type:` media type with its parameters, as written (e.g.
    /// `image/jpeg` or `text/plain;charset=utf-8`).
    pub file_type: Option<String>,
    /// `size:` in bytes.
    pub size: Option<u64>,
    /// `hash:` selectors (usually one, `sha-1`).
    pub hashes: Vec<FileHash>,
}

/// A `hash:<algorithm>:<hex pairs>` selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileHash {
    /// The algorithm in lower case, e.g. `sha-1`.
    pub algorithm: String,
    /// The digest bytes.
    pub digest: Vec<u8>,
}

impl FileHash {
    /// A SHA-1 hash selector from the 20 digest bytes.
    pub fn sha1(digest: [u8; 20]) -> Self {
        FileHash {
            algorithm: "sha-1".into(),
            digest: digest.to_vec(),
        }
    }
}

impl fmt::Display for FileHash {
    /// `sha-1:72:24:5F:...` (upper-case hex pairs, as RFC 5547 writes them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.algorithm)?;
        for b in &self.digest {
            write!(f, ":{b:02X}")?;
        }
        Ok(())
    }
}

impl FileSelector {
    /// The SHA-1 digest, when a `hash:sha-1:` selector is present.
    pub fn sha1(&self) -> Option<&[u8]> {
        self.hashes
            .iter()
            .find(|h| h.algorithm == "sha-1")
            .map(|h| h.digest.as_slice())
    }

    /// Reads the attribute value (`None` when the attribute has no value).
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        let mut sel = FileSelector::default();
        let Some(value) = value else {
            return Ok(sel);
        };
        for item in split_items(value)? {
            let (key, val) = item.split_once(':').unwrap_or((item, ""));
            match key.to_ascii_lowercase().as_str() {
                "name" => {
                    if sel.name.is_some() {
                        return Err("the name selector appears twice".into());
                    }
                    sel.name =
                        Some(decode_name(unquote(val).ok_or_else(|| {
                            format!("the file name {val:?} is not in double quotes")
                        })?)?);
                }
                "type" => {
                    if sel.file_type.is_some() {
                        return Err("the type selector appears twice".into());
                    }
                    if !val.contains('/') || val.starts_with('/') {
                        return Err(format!("{val:?} is not a media type"));
                    }
                    sel.file_type = Some(val.to_string());
                }
                "size" => {
                    if sel.size.is_some() {
                        return Err("the size selector appears twice".into());
                    }
                    sel.size = Some(
                        parse_number(val)
                            .ok_or_else(|| format!("the size {val:?} is not a whole number of bytes"))?,
                    );
                }
                "hash" => sel.hashes.push(parse_hash(val)?),
                other => tracing::debug!(selector = other, "unknown file-selector part ignored"),
            }
        }
        Ok(sel)
    }

    /// The attribute value, or `None` when every part is empty.
    pub fn to_value(&self) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(name) = &self.name {
            parts.push(format!("name:\"{}\"", encode_name(name)));
        }
        if let Some(t) = &self.file_type {
            parts.push(format!("type:{t}"));
        }
        if let Some(size) = self.size {
            parts.push(format!("size:{size}"));
        }
        for h in &self.hashes {
            parts.push(format!("hash:{h}"));
        }
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// `a=file-date` (RFC 5547 section 5): dates as written (RFC 5322
/// date-time, e.g. `Mon, 15 May 2006 15:01:31 +0300`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileDate {
    /// `creation:"..."`.
    pub creation: Option<String>,
    /// `modification:"..."`.
    pub modification: Option<String>,
    /// `read:"..."`.
    pub read: Option<String>,
}

impl FileDate {
    /// Reads the attribute value.
    pub fn parse(value: &str) -> Result<Self, String> {
        let mut date = FileDate::default();
        for item in split_items(value)? {
            let (key, val) = item.split_once(':').unwrap_or((item, ""));
            let val = unquote(val)
                .ok_or_else(|| format!("the date {val:?} is not in double quotes"))?
                .to_string();
            let slot = match key.to_ascii_lowercase().as_str() {
                "creation" => &mut date.creation,
                "modification" => &mut date.modification,
                "read" => &mut date.read,
                other => {
                    tracing::debug!(date = other, "unknown file-date part ignored");
                    continue;
                }
            };
            if slot.is_some() {
                return Err(format!("the {key} date appears twice"));
            }
            *slot = Some(val);
        }
        Ok(date)
    }

    /// The attribute value, or `None` when no date is set. Double quotes in
    /// a date (never valid) are dropped.
    pub fn to_value(&self) -> Option<String> {
        let parts: Vec<String> = [
            ("creation", &self.creation),
            ("modification", &self.modification),
            ("read", &self.read),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}:\"{}\"", v.replace('"', ""))))
        .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// `a=file-range:<start>-<stop>`: 1-based, inclusive byte positions; `stop`
/// is `None` for `*` (to the end, size unknown).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRange {
    /// First byte, counting from 1.
    pub start: u64,
    /// Last byte, or `None` for `*`.
    pub stop: Option<u64>,
}

impl FileRange {
    /// Reads the attribute value.
    pub fn parse(value: &str) -> Result<Self, String> {
        let (start, stop) = value
            .trim()
            .split_once('-')
            .ok_or_else(|| format!("{value:?} is not of the form start-stop"))?;
        let start = parse_number(start)
            .filter(|s| *s >= 1)
            .ok_or_else(|| format!("the start {start:?} is not a position from 1"))?;
        let stop = if stop == "*" {
            None
        } else {
            let n = parse_number(stop).ok_or_else(|| format!("the stop {stop:?} is not a position or *"))?;
            if n < start {
                return Err(format!("the range {start}-{n} ends before it starts"));
            }
            Some(n)
        };
        Ok(FileRange { start, stop })
    }
}

impl fmt::Display for FileRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.stop {
            Some(stop) => write!(f, "{}-{stop}", self.start),
            None => write!(f, "{}-*", self.start),
        }
    }
}

/// All RFC 5547 attributes of one media line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FileAttributes {
    /// `a=file-selector`; a stream is a file transfer when this is present.
    pub selector: Option<FileSelector>,
    /// `a=file-transfer-id` (a token; identifies this transfer).
    pub transfer_id: Option<String>,
    /// `a=file-disposition` (`render`, `attachment`, ...).
    pub disposition: Option<String>,
    /// `a=file-date`.
    pub date: Option<FileDate>,
    /// `a=file-icon` (a `cid:` URL), kept as written and otherwise ignored.
    pub icon: Option<String>,
    /// `a=file-range`.
    pub range: Option<FileRange>,
}

/// Whether `s` is an SDP token (used for file-transfer-id and disposition).
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`{|}~".contains(&b))
}

fn parse_number(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Splits a value into space-separated items; a double-quoted part may hold
/// spaces. An unterminated quote is an error.
fn split_items(value: &str) -> Result<Vec<&str>, String> {
    let mut items = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in value.char_indices() {
        match c {
            '"' => {
                quoted = !quoted;
                start.get_or_insert(i);
            }
            ' ' | '\t' if !quoted => {
                if let Some(s) = start.take() {
                    items.push(&value[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if quoted {
        return Err("a double quote is not closed".into());
    }
    if let Some(s) = start {
        items.push(&value[s..]);
    }
    Ok(items)
}

fn unquote(s: &str) -> Option<&str> {
    let inner = s.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

fn parse_hash(val: &str) -> Result<FileHash, String> {
    let (algorithm, hex) = val
        .split_once(':')
        .ok_or_else(|| format!("the hash {val:?} has no algorithm"))?;
    if !is_token(algorithm) {
        return Err(format!("{algorithm:?} is not a hash algorithm name"));
    }
    let digest = hex
        .split(':')
        .map(|pair| {
            if pair.len() == 2 {
                u8::from_str_radix(pair, 16).ok()
            } else {
                None
            }
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| format!("the hash value {hex:?} is not colon-separated hex pairs"))?;
    let algorithm = algorithm.to_ascii_lowercase();
    if algorithm == "sha-1" && digest.len() != 20 {
        return Err(format!(
            "a sha-1 hash has 20 bytes, this one has {}",
            digest.len()
        ));
    }
    Ok(FileHash { algorithm, digest })
}

/// Undoes `%XX` escapes. A `%` not followed by two hex digits is kept as
/// it is (lenient: some senders do not escape it).
fn decode_name(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    if out.len() > MAX_FILE_NAME_BYTES {
        return Err(format!(
            "the file name is {} bytes long; at most {MAX_FILE_NAME_BYTES} are accepted",
            out.len()
        ));
    }
    let name = String::from_utf8(out).map_err(|_| "the file name is not UTF-8".to_string())?;
    if name.contains('\0') {
        return Err("the file name contains a NUL byte".into());
    }
    Ok(name)
}

/// Escapes a file name for `name:"..."`: `%`, `"` and control characters
/// become `%XX`; everything else (spaces, non-ASCII UTF-8) stays as it is.
fn encode_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c == '%' || c == '"' || c.is_ascii_control() {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[path = "file_tests.rs"]
mod tests;
