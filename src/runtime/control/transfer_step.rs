//! The steps of a file sent through the running instance
//! ([`super::Request::SendFile`]): the runtime's transfer events as they
//! cross the control socket, and the file modes by name.

use crate::model::{AccountId, TransferId};
use crate::runtime::{Event, FileSendMode, TransferVia};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A step of a file sent through the instance: the transfer events of
/// [`Event`] as they cross the socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TransferStep {
    /// Bytes moved ([`Event::TransferProgress`]).
    Progress {
        /// Bytes sent and acknowledged.
        bytes: u64,
        /// The file's size.
        total: u64,
        /// Average rate so far, bytes per second.
        rate: u64,
    },
    /// Only the rest moves ([`Event::TransferResuming`]).
    Resuming {
        /// The recipient.
        peer: String,
        /// The file's name.
        name: String,
        /// Bytes the recipient already has.
        offset: u64,
        /// The whole size.
        total: u64,
    },
    /// Sent and confirmed ([`Event::TransferDone`]).
    Done {
        /// The file sent.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// Its SHA-1 in lower-case hex.
        sha1: String,
        /// It went inside a page-mode MESSAGE, not a file session.
        page_mode: bool,
        /// How it went, in words.
        note: Option<String>,
    },
    /// Failed, declined or cancelled ([`Event::TransferFailed`]).
    Failed {
        /// Why, in words.
        reason: String,
    },
}

impl TransferStep {
    /// The step of an event about `transfer` (`None` for other events).
    pub fn of(event: &Event, transfer: TransferId) -> Option<TransferStep> {
        let step = match event.clone() {
            Event::TransferProgress {
                transfer: t,
                bytes,
                total,
                rate,
            } if t == transfer => TransferStep::Progress { bytes, total, rate },
            Event::TransferResuming {
                transfer: t,
                peer,
                name,
                offset,
                total,
                incoming: false,
                ..
            } if t == transfer => TransferStep::Resuming {
                peer,
                name,
                offset,
                total,
            },
            Event::TransferDone {
                transfer: t,
                path,
                size,
                sha1,
                via,
                note,
                incoming: false,
            } if t == transfer => TransferStep::Done {
                path,
                size,
                sha1,
                page_mode: via == TransferVia::PageMode,
                note,
            },
            Event::TransferFailed { transfer: t, reason } if t == transfer => TransferStep::Failed { reason },
            _ => return None,
        };
        Some(step)
    }

    /// The event again, on the client's side.
    pub fn into_event(self, account: &AccountId, transfer: TransferId) -> Event {
        match self {
            TransferStep::Progress { bytes, total, rate } => Event::TransferProgress {
                transfer,
                bytes,
                total,
                rate,
            },
            TransferStep::Resuming {
                peer,
                name,
                offset,
                total,
            } => Event::TransferResuming {
                account: account.clone(),
                transfer,
                peer,
                incoming: false,
                name,
                offset,
                total,
            },
            TransferStep::Done {
                path,
                size,
                sha1,
                page_mode,
                note,
            } => Event::TransferDone {
                transfer,
                incoming: false,
                path,
                size,
                sha1,
                via: if page_mode {
                    TransferVia::PageMode
                } else {
                    TransferVia::Session
                },
                note,
            },
            TransferStep::Failed { reason } => Event::TransferFailed { transfer, reason },
        }
    }

    /// Whether nothing follows this step.
    pub fn is_last(&self) -> bool {
        matches!(self, TransferStep::Done { .. } | TransferStep::Failed { .. })
    }
}

/// The name of a file mode in a [`Request::SendFile`].
pub fn mode_name(mode: FileSendMode) -> &'static str {
    match mode {
        FileSendMode::Auto => "auto",
        FileSendMode::Session => "session",
        FileSendMode::PageMode => "page_mode",
    }
}

/// The file mode a [`Request::SendFile`] names.
pub fn mode_named(name: &str) -> Option<FileSendMode> {
    [FileSendMode::Auto, FileSendMode::Session, FileSendMode::PageMode]
        .into_iter()
        .find(|mode| mode_name(*mode) == name)
}
