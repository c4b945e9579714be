//! Server certificates the user chose to "always trust" in the window's
//! prompt: `certificate_pins.ron` in the data directory, a RON map from
//! account name to SHA-256 fingerprint (`{"work": "AB:CD:..."}`).
//!
//! The runtime records a pin here for every account (config.ron accounts,
//! which the window never rewrites, included) and reads the file at start:
//! an account without its own `tls.fingerprint` uses the recorded one. An
//! account's own `tls.fingerprint` always wins, so pinning a replaced
//! certificate in the configuration overrides a stale recorded pin. The
//! window also writes the pin into accounts.ron for the accounts it
//! manages, so their settings show it.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The file's name inside the data directory.
pub const PINS_FILE: &str = "certificate_pins.ron";
/// Larger files are refused unread (a pin is ~120 bytes).
pub const MAX_PINS_FILE_BYTES: u64 = 256 * 1024;

/// Why the recorded pins cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PinsError {
    /// The file could not be read or written.
    #[error("cannot use the trusted certificates file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
    /// The file is not a RON map of names to fingerprints.
    #[error("the trusted certificates file {path} is not readable: {reason}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        reason: String,
    },
    /// The file is larger than [`MAX_PINS_FILE_BYTES`].
    #[error("the trusted certificates file {path} is larger than {MAX_PINS_FILE_BYTES} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
    },
}

/// Account name -> pinned fingerprint.
pub type Pins = BTreeMap<String, String>;

/// The pins recorded in `data_dir` (none when the file does not exist).
pub fn load_pins(data_dir: &Path) -> Result<Pins, PinsError> {
    let path = data_dir.join(PINS_FILE);
    let io = |source| PinsError::Io {
        path: path.clone(),
        source,
    };
    match fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Pins::new()),
        Err(e) => return Err(io(e)),
        Ok(meta) if meta.len() > MAX_PINS_FILE_BYTES => return Err(PinsError::TooLarge { path }),
        Ok(_) => {}
    }
    let text = fs::read_to_string(&path).map_err(io)?;
    ron::from_str(&text).map_err(|e| PinsError::Syntax {
        path: path.clone(),
        reason: e.to_string(),
    })
}

/// Records `fingerprint` as the pin of `account` in `data_dir` (through a
/// temporary file and a rename; the other accounts' pins are kept).
pub fn record_pin(data_dir: &Path, account: &str, fingerprint: &str) -> Result<(), PinsError> {
    let mut pins = load_pins(data_dir)?;
    pins.insert(account.to_string(), fingerprint.to_string());
    let path = data_dir.join(PINS_FILE);
    let io = |source| PinsError::Io {
        path: path.clone(),
        source,
    };
    fs::create_dir_all(data_dir).map_err(io)?;
    let mut text = String::from(
        "// Server certificates trusted with \"Always trust\": account name -> SHA-256 fingerprint.\n{\n",
    );
    for (name, pin) in &pins {
        text.push_str(&format!("    {name:?}: {pin:?},\n"));
    }
    text.push_str("}\n");
    let temp = data_dir.join(format!("{PINS_FILE}.tmp"));
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

    #[test]
    fn pins_are_recorded_per_account_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load_pins(dir.path()).unwrap().is_empty());
        record_pin(dir.path(), "work", "AB:CD").unwrap();
        record_pin(dir.path(), "home \"x\"", "01:02").unwrap();
        record_pin(dir.path(), "work", "EF:01").unwrap();
        let pins = load_pins(dir.path()).unwrap();
        assert_eq!(pins.get("work").map(String::as_str), Some("EF:01"));
        assert_eq!(pins.get("home \"x\"").map(String::as_str), Some("01:02"));
        assert_eq!(pins.len(), 2);
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(PINS_FILE), "{\"work\": ").unwrap();
        let error = load_pins(dir.path()).unwrap_err().to_string();
        assert!(error.contains(PINS_FILE), "{error}");
    }
}
