//! What the window remembers between runs: its size and position, the last
//! open conversation, the theme and the language setting.
//!
//! One RON file, `window.ron` in the data directory, written (to a temporary
//! file, then renamed) when one of these changes and when the window
//! closes. A missing file means defaults; an unreadable or corrupt one is
//! logged and replaced by defaults: the window always opens.

use crate::ui::i18n::Language;
use crate::ui::theme::ThemeChoice;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// File name of the window state inside the data directory.
pub const STATE_FILE: &str = "window.ron";
/// Largest state file read; anything bigger is not ours.
pub const MAX_STATE_BYTES: u64 = 64 * 1024;
/// Size of a window opened for the first time.
pub const DEFAULT_SIZE: (f32, f32) = (1040.0, 700.0);
/// Smallest window size (the layout needs it).
pub const MIN_SIZE: (f32, f32) = (640.0, 480.0);
/// Largest remembered size; bigger values are taken as corrupt.
pub const MAX_SIZE: f32 = 16_384.0;

/// Why the state file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// The file exists but could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The state file.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The file is larger than [`MAX_STATE_BYTES`].
    #[error("{path} is {size} bytes, more than the {MAX_STATE_BYTES} a window state can be")]
    TooLarge {
        /// The state file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
    },
    /// The file is not a window state.
    #[error("{path} is not a valid window state: {message}")]
    Parse {
        /// The state file.
        path: PathBuf,
        /// What the RON reader said.
        message: String,
    },
    /// The state could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
}

/// A conversation as the state file names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedConversation {
    /// The account's name.
    pub account: String,
    /// The store's key for the peer (`store::conversation_key`).
    pub peer: String,
}

/// Everything the window remembers. Unknown fields are ignored and missing
/// ones take their defaults, so older and newer files both load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct WindowState {
    /// Inner width in logical pixels.
    pub width: f32,
    /// Inner height in logical pixels.
    pub height: f32,
    /// Position of the window on the screen, when the platform tells it
    /// (X11 does, Wayland does not).
    pub position: Option<(f32, f32)>,
    /// The conversation that was open.
    pub last_conversation: Option<SavedConversation>,
    /// Light, dark, or as the system says.
    pub theme: ThemeChoice,
    /// The language chosen in the settings; `None` follows the system.
    pub language: Option<Language>,
    /// "Not now" was chosen on the offer to add a SIP account.
    pub account_offer_dismissed: bool,
    /// Desktop notifications of messages, chat invitations and file offers
    /// (emergency alerts always notify).
    pub notify_messages: bool,
    /// Where received files go when their account names no folder; `None`
    /// is the desktop's download folder.
    pub download_dir: Option<PathBuf>,
    /// Message notifications play a sound (alerts always do).
    pub message_sounds: bool,
    /// Messages are muted until this Unix time (alerts never are).
    pub mute_until: Option<u64>,
    /// Closing the window keeps sipchat running; `None`: never asked.
    pub keep_running: Option<bool>,
    /// Set us away after this many minutes without input; `None`: never.
    pub away_after_minutes: Option<u32>,
    /// Contacts (by id) whose coming online notifies ("tell me when bob
    /// is online").
    pub notify_online: std::collections::BTreeSet<i64>,
}

impl Default for WindowState {
    fn default() -> WindowState {
        WindowState {
            width: DEFAULT_SIZE.0,
            height: DEFAULT_SIZE.1,
            position: None,
            last_conversation: None,
            theme: ThemeChoice::System,
            language: None,
            account_offer_dismissed: false,
            notify_messages: true,
            download_dir: None,
            message_sounds: true,
            mute_until: None,
            keep_running: None,
            away_after_minutes: None,
            notify_online: std::collections::BTreeSet::new(),
        }
    }
}

impl WindowState {
    /// The state file in a data directory.
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join(STATE_FILE)
    }

    /// Reads the state; `Ok(None)` when there is no file yet.
    pub fn read(path: &Path) -> Result<Option<WindowState>, StateError> {
        let size = match std::fs::metadata(path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        if size > MAX_STATE_BYTES {
            return Err(StateError::TooLarge {
                path: path.to_path_buf(),
                size,
            });
        }
        let text = std::fs::read_to_string(path).map_err(|source| StateError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let state: WindowState = ron::from_str(&text).map_err(|e| StateError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Some(state.sanitized()))
    }

    /// Reads the state, or the defaults when the file is missing or bad
    /// (a bad file is logged). Never fails.
    pub fn load(path: &Path) -> WindowState {
        match WindowState::read(path) {
            Ok(Some(state)) => state,
            Ok(None) => WindowState::default(),
            Err(e) => {
                tracing::warn!("{e}; using the default window state");
                WindowState::default()
            }
        }
    }

    /// Writes the state: to a temporary file next to it, then renamed over
    /// it, so a crash never leaves half a file. Creates the directory.
    pub fn save(&self, path: &Path) -> Result<(), StateError> {
        let write_error = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StateError::Write { path, source }
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_error(dir))?;
        }
        let text = ron::ser::to_string_pretty(self, ron::ser::PrettyConfig::default()).map_err(|e| {
            StateError::Write {
                path: path.to_path_buf(),
                source: std::io::Error::other(e.to_string()),
            }
        })?;
        let mut temp = path.as_os_str().to_owned();
        temp.push(".tmp");
        let temp = PathBuf::from(temp);
        std::fs::write(&temp, text).map_err(write_error(&temp))?;
        std::fs::rename(&temp, path).map_err(write_error(path))
    }

    /// The same state with sizes the window can use: missing, absurd or
    /// non-finite values become the defaults, small ones the minimum.
    pub fn sanitized(mut self) -> WindowState {
        let fix = |value: f32, default: f32, min: f32| {
            if !value.is_finite() || value <= 0.0 || value > MAX_SIZE {
                default
            } else {
                value.max(min)
            }
        };
        self.width = fix(self.width, DEFAULT_SIZE.0, MIN_SIZE.0);
        self.height = fix(self.height, DEFAULT_SIZE.1, MIN_SIZE.1);
        self.position = self
            .position
            .filter(|(x, y)| x.is_finite() && y.is_finite() && x.abs() <= MAX_SIZE && y.abs() <= MAX_SIZE);
        self
    }
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
