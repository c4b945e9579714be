//! File names and digests shared by the transfers feature and page-mode
//! files coming in (not a feature): names offered to us made safe, a free
//! name in a directory, publishing a finished temporary file, hex digests.

use std::path::{Path, PathBuf};

/// Longest file name we save, in bytes (longer offered names are cut).
pub const MAX_SAVED_NAME_BYTES: usize = 200;
/// Name used when the offered one has nothing usable left.
pub const FALLBACK_FILE_NAME: &str = "received-file";
/// Tried suffixes " (1)" .. " (N)" before giving up on a free name.
pub const MAX_NAME_SUFFIX: u32 = 999;
/// Characters never kept in a saved name (reserved on common file systems).
pub const RESERVED_NAME_CHARS: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];
/// Attempts at a free name before [`publish`] gives up (another writer
/// may take each name between the look and the link).
const PUBLISH_ATTEMPTS: usize = 8;

/// Why a finished file could not be given its name.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    /// Every candidate name is taken.
    #[error("no free name for {name} in {dir}")]
    NoFreeName { name: String, dir: String },
    /// Renaming the temporary file failed.
    #[error("cannot save {target}: {source}")]
    Rename { target: String, source: std::io::Error },
}

/// Lower-case hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name and media type we offer a file of ours under: its own name as
/// it is (the receiver makes it safe for itself) and the type its
/// extension suggests.
pub(crate) fn outgoing_name_and_type(path: &Path) -> (String, String) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| FALLBACK_FILE_NAME.into());
    let mime = mime_guess::from_path(path)
        .first_or_octet_stream()
        .essence_str()
        .to_string();
    (name, mime)
}

/// The offered name made safe to save: directories stripped, control and
/// reserved characters dropped, no leading dots (no hidden files, no `..`),
/// cut to [`MAX_SAVED_NAME_BYTES`]; [`FALLBACK_FILE_NAME`] if nothing is left.
pub fn safe_file_name(offered: &str) -> String {
    let last = offered.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !RESERVED_NAME_CHARS.contains(c))
        .collect();
    let trimmed = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' ']);
    let mut out = String::new();
    for c in trimmed.chars() {
        if out.len() + c.len_utf8() > MAX_SAVED_NAME_BYTES {
            break;
        }
        out.push(c);
    }
    if out.is_empty() {
        FALLBACK_FILE_NAME.into()
    } else {
        out
    }
}

/// `name`, or `stem (1).ext`, `stem (2).ext`, ... : the first name not
/// taken in `dir`.
pub fn free_path(dir: &Path, name: &str) -> Option<PathBuf> {
    let first = dir.join(name);
    if std::fs::symlink_metadata(&first).is_err() {
        return Some(first);
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (1..=MAX_NAME_SUFFIX)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| std::fs::symlink_metadata(p).is_err())
}

/// Moves the finished temporary file to a free name in its directory
/// without ever replacing a file (a hard link fails if the name exists).
pub(crate) fn publish(temp: &Path, dir: &Path, name: &str) -> Result<PathBuf, PublishError> {
    let no_name = || PublishError::NoFreeName {
        name: name.to_string(),
        dir: dir.display().to_string(),
    };
    for _ in 0..PUBLISH_ATTEMPTS {
        let target = free_path(dir, name).ok_or_else(no_name)?;
        match std::fs::hard_link(temp, &target) {
            Ok(()) => {
                let _ = std::fs::remove_file(temp);
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                // No hard links here (some file systems): rename instead.
                std::fs::rename(temp, &target).map_err(|source| PublishError::Rename {
                    target: target.display().to_string(),
                    source,
                })?;
                return Ok(target);
            }
        }
    }
    Err(no_name())
}

#[cfg(test)]
mod tests;
