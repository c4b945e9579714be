//! Our own presence kept between runs: `presence.ron` in the data
//! directory, a RON map from account name to status and note
//! (`{"work": (status: away, note: Some("lunch"))}`). The driver writes it
//! when the presence feature asks (`PresenceEffect::Persist`) and reads it
//! at start; `sipchat status` writes it when no instance runs. Watcher
//! decisions are kept with the contacts
//! ([`super::contact_book::ContactChange::DecideWatcher`]); the `allowed` and
//! `blocked` lists older versions wrote here are still read.

use super::presence::SavedPresence;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name inside the data directory.
pub const PRESENCE_FILE: &str = "presence.ron";
/// Larger files are refused unread.
pub const MAX_PRESENCE_FILE_BYTES: u64 = 256 * 1024;

/// Why the saved presence cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PresenceFileError {
    /// The file could not be read or written.
    #[error("cannot use the presence file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// Larger than [`MAX_PRESENCE_FILE_BYTES`].
    #[error("the presence file {0} is too large to be ours")]
    TooLarge(PathBuf),
    /// Not a RON map of account names to statuses.
    #[error("the presence file {path} is not readable: {reason}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        reason: String,
    },
}

/// Every account's saved status (empty when there is no file).
pub fn load(data_dir: &Path) -> Result<BTreeMap<String, SavedPresence>, PresenceFileError> {
    let path = data_dir.join(PRESENCE_FILE);
    let size = match fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(source) => return Err(PresenceFileError::Io { path, source }),
    };
    if size > MAX_PRESENCE_FILE_BYTES {
        return Err(PresenceFileError::TooLarge(path));
    }
    let text = fs::read_to_string(&path).map_err(|source| PresenceFileError::Io {
        path: path.clone(),
        source,
    })?;
    ron::from_str(&text).map_err(|e| PresenceFileError::Syntax {
        path,
        reason: e.to_string(),
    })
}

/// Records `saved` for `account` (written to a temporary file, then
/// renamed, so a crash leaves the old file or the new one).
pub fn record(data_dir: &Path, account: &str, saved: &SavedPresence) -> Result<(), PresenceFileError> {
    let mut all = load(data_dir).unwrap_or_else(|e| {
        tracing::warn!("{e}; starting it afresh");
        BTreeMap::new()
    });
    all.insert(account.to_string(), saved.clone());
    let path = data_dir.join(PRESENCE_FILE);
    let io = |source| PresenceFileError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(data_dir).map_err(io)?;
    let body = ron::ser::to_string_pretty(&all, ron::ser::PrettyConfig::default()).map_err(|e| {
        PresenceFileError::Syntax {
            path: path.clone(),
            reason: e.to_string(),
        }
    })?;
    let text = format!("// Our presence per account, set with `sipchat status` or the window.\n{body}\n");
    let temp = data_dir.join(format!("{PRESENCE_FILE}.tmp"));
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(text.as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&temp, &path)) {
        let _ = fs::remove_file(&temp);
        return Err(io(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::OwnStatus;

    #[test]
    fn records_and_reads_back_per_account_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_empty());
        let away = SavedPresence {
            status: OwnStatus::Away,
            note: Some("lunch \"soon\"".into()),
            allowed: vec!["sip:bob@example.org".into()],
            blocked: Vec::new(),
        };
        record(dir.path(), "work", &away).unwrap();
        record(dir.path(), "local", &SavedPresence::default()).unwrap();
        let all = load(dir.path()).unwrap();
        assert_eq!(all.get("work"), Some(&away));
        assert_eq!(all.get("local"), Some(&SavedPresence::default()));
        std::fs::write(dir.path().join(PRESENCE_FILE), "{\"work\": (status: sleepy)}").unwrap();
        assert!(matches!(load(dir.path()), Err(PresenceFileError::Syntax { .. })));
    }
}
