//! File transfers as the history records them: the row the runtime reads
//! and writes ([`NewTransfer`], [`StoredTransfer`], answered to the UI in
//! `Event::Transfers`) and where a transfer stands ([`TransferState`]).
//! Timestamps are Unix milliseconds.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Direction;

/// Where a recorded transfer stands. The store keeps it as text (the words
/// of [`TransferState::as_text`]); text this build does not know reads as
/// [`TransferState::Other`], unchanged.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum TransferState {
    /// A file that came in a MESSAGE and waits for the user's answer
    /// (`offered`).
    Offered,
    /// Being sent (`sending`): its row exists while it runs, so a crash
    /// leaves a trace the next start turns into [`TransferState::Interrupted`].
    Sending,
    /// Being received (`receiving`).
    Receiving,
    /// Complete (`done`).
    Done,
    /// Lost its connection with bytes confirmed or kept; may be resumed
    /// (`interrupted`).
    Interrupted,
    /// An interrupted transfer that a later one continued (`resumed`).
    Resumed,
    /// Ended without the file, for this reason in words
    /// (`failed: <reason>`).
    Failed {
        /// Why, in words ("declined by bob (603 Decline)").
        reason: String,
    },
    /// Text this build does not know (written by a newer sipchat?), kept
    /// as it was.
    Other(String),
}

/// How a failed state starts in the store's text.
const FAILED_PREFIX: &str = "failed: ";

impl TransferState {
    /// A failed state with its reason in words.
    pub fn failed(reason: impl Into<String>) -> TransferState {
        TransferState::Failed {
            reason: reason.into(),
        }
    }

    /// Reads the store's text (every text reads as some state).
    pub fn from_text(text: &str) -> TransferState {
        match text {
            "offered" => TransferState::Offered,
            "sending" => TransferState::Sending,
            "receiving" => TransferState::Receiving,
            "done" => TransferState::Done,
            "interrupted" => TransferState::Interrupted,
            "resumed" => TransferState::Resumed,
            _ => match text.strip_prefix(FAILED_PREFIX) {
                Some(reason) => TransferState::failed(reason),
                None => TransferState::Other(text.to_string()),
            },
        }
    }

    /// The store's text: `offered`, `sending`, `receiving`, `done`,
    /// `interrupted`, `resumed`, `failed: <reason>`, or the unknown text as
    /// it was read.
    pub fn as_text(&self) -> String {
        match self {
            TransferState::Offered => "offered".into(),
            TransferState::Sending => "sending".into(),
            TransferState::Receiving => "receiving".into(),
            TransferState::Done => "done".into(),
            TransferState::Interrupted => "interrupted".into(),
            TransferState::Resumed => "resumed".into(),
            TransferState::Failed { reason } => format!("{FAILED_PREFIX}{reason}"),
            TransferState::Other(text) => text.clone(),
        }
    }

    /// Whether it stopped mid-way and left a row a resume can use or the
    /// user should hear about: interrupted, or still sending / receiving
    /// from a run that did not end it.
    pub fn is_unfinished(&self) -> bool {
        matches!(
            self,
            TransferState::Interrupted | TransferState::Sending | TransferState::Receiving
        )
    }
}

impl fmt::Display for TransferState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_text())
    }
}

impl From<&str> for TransferState {
    fn from(text: &str) -> TransferState {
        TransferState::from_text(text)
    }
}

impl From<String> for TransferState {
    fn from(text: String) -> TransferState {
        TransferState::from_text(&text)
    }
}

impl From<TransferState> for String {
    fn from(state: TransferState) -> String {
        state.as_text()
    }
}

impl PartialEq<str> for TransferState {
    fn eq(&self, text: &str) -> bool {
        self.as_text() == text
    }
}

impl PartialEq<&str> for TransferState {
    fn eq(&self, text: &&str) -> bool {
        self.as_text() == *text
    }
}

/// A file transfer to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTransfer {
    /// Account.
    pub account: String,
    /// The conversation's normalised peer address; linked if it exists.
    pub peer_key: Option<String>,
    /// In (received) or out (sent).
    pub direction: Direction,
    /// File name (as offered, or ours).
    pub file_name: String,
    /// Size in bytes, if known.
    pub size: Option<i64>,
    /// SHA-1 in hex, if known.
    pub sha1: Option<String>,
    /// Where the file is (saved or sent from).
    pub path: Option<String>,
    /// Where it stands.
    pub state: TransferState,
    /// When it started.
    pub started_at: i64,
    /// The peer's normalised address as recorded (kept even when there is
    /// no conversation to link).
    #[serde(default)]
    pub peer: Option<String>,
    /// For an interrupted transfer: bytes the receiver confirmed (sent) or
    /// kept on disk (received).
    #[serde(default)]
    pub resume_bytes: Option<i64>,
    /// For an interrupted incoming transfer: the kept temporary file.
    #[serde(default)]
    pub part_path: Option<String>,
}

/// A transfer as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTransfer {
    /// Row id.
    pub id: i64,
    /// The transfer (`peer_key` is that of the linked conversation).
    #[serde(flatten)]
    pub transfer: NewTransfer,
    /// When it ended, if it has.
    pub finished_at: Option<i64>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "transfer_tests.rs"]
mod tests;
