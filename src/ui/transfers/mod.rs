//! File transfers in the window: every transfer the window knows (sent from
//! here, offered by a peer, or recorded in the history), filed under its
//! conversation, with its progress and how it ended.
//!
//! Live transfers are keyed by the runtime's [`TransferId`]; the history's
//! rows (`Event::Transfers`, loaded at start) by their row id, since the
//! store does not keep the runtime's id. A row that describes a transfer
//! already shown live (same conversation, direction and name, started within
//! a few seconds) is left out. The pane shows a conversation's transfers in
//! its timeline (`view.rs`); the app turns [`Action`]s into commands, file
//! dialogs and `xdg-open` calls (`app/files.rs`).

mod view;

use crate::ui::conversation::ConversationKey;
use crate::ui::i18n::t;
use sipchat::model::{AccountId, Direction as StoredDirection, StoredTransfer, TransferId, TransferState};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[cfg(test)]
pub use view::progress_words;
pub use view::{offer_banner, size_words, timeline_row};

/// How far apart (in seconds) a live transfer and a history row may have
/// started and still be taken for the same transfer.
pub const SAME_TRANSFER_SECS: u64 = 5;

/// Identifies a transfer in the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TransferKey {
    /// One the runtime told us about in this run.
    Live(TransferId),
    /// A row of the history.
    Stored(i64),
}

/// Where a transfer stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    /// Offered by the peer; waiting for Accept or Decline.
    Offered,
    /// Handed to the runtime (hashing, offering, or accepted and waiting
    /// for the first bytes).
    Starting,
    /// Bytes are moving.
    Running {
        bytes: u64,
        total: u64,
        /// Average bytes per second so far.
        rate: u64,
    },
    /// Complete on both sides; the file is at `path`.
    Done { path: PathBuf },
    /// Declined, cancelled or broken, in words.
    Failed { reason: String },
}

impl State {
    /// Whether the transfer is still under way (or waiting for an answer).
    pub fn is_live(&self) -> bool {
        matches!(self, State::Offered | State::Starting | State::Running { .. })
    }
}

/// One file transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub key: TransferKey,
    /// The conversation it belongs to.
    pub conversation: ConversationKey,
    /// True for a file the peer sends us.
    pub incoming: bool,
    /// The file's name (as offered, or ours).
    pub name: String,
    /// Size in bytes, when known.
    pub size: Option<u64>,
    /// When it started, seconds since the Unix epoch.
    pub at: u64,
    pub state: State,
    /// Ours: the file on disk, so a failed transfer can be sent again.
    pub source: Option<PathBuf>,
}

/// A conversation's newest transfer, as the list's preview shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    /// Seconds since the Unix epoch.
    pub at: u64,
    pub name: String,
    pub incoming: bool,
}

/// What the transfer rows and the offer banner report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Accept(TransferKey),
    Decline(TransferKey),
    Cancel(TransferKey),
    /// Open the received or sent file with the desktop's program.
    Open(TransferKey),
    /// Open the folder the file is in.
    ShowInFolder(TransferKey),
    /// Send a file of ours that did not get through once more (it picks up
    /// where it stopped when the peer kept the part).
    SendAgain(TransferKey),
}

/// What the app must do after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Accept the offer: save into the account's download folder.
    Accept {
        account: AccountId,
        transfer: TransferId,
    },
    Decline {
        account: AccountId,
        transfer: TransferId,
    },
    Cancel {
        account: AccountId,
        transfer: TransferId,
    },
    /// Hand this file or folder to the desktop (`xdg-open`).
    Open(PathBuf),
    /// Send this file to the conversation again.
    SendAgain {
        conversation: ConversationKey,
        path: PathBuf,
    },
}

/// Every transfer the window knows.
#[derive(Debug, Default)]
pub struct Transfers {
    all: BTreeMap<TransferKey, Transfer>,
}

impl Transfers {
    /// A file we just asked the runtime to send.
    pub fn sending(
        &mut self,
        id: TransferId,
        conversation: ConversationKey,
        path: &std::path::Path,
        now: u64,
    ) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let size = std::fs::metadata(path).ok().map(|m| m.len());
        self.all.insert(
            TransferKey::Live(id),
            Transfer {
                key: TransferKey::Live(id),
                conversation,
                incoming: false,
                name,
                size,
                at: now,
                state: State::Starting,
                source: Some(path.to_path_buf()),
            },
        );
    }

    /// A file the runtime could not even start sending.
    pub fn not_sent(&mut self, id: TransferId, reason: String) {
        if let Some(t) = self.all.get_mut(&TransferKey::Live(id)) {
            t.state = State::Failed { reason };
        }
    }

    /// A peer offers a file.
    pub fn offered(
        &mut self,
        id: TransferId,
        conversation: ConversationKey,
        name: &str,
        size: Option<u64>,
        now: u64,
    ) {
        self.all.insert(
            TransferKey::Live(id),
            Transfer {
                key: TransferKey::Live(id),
                conversation,
                incoming: true,
                name: name.to_string(),
                size,
                at: now,
                state: State::Offered,
                source: None,
            },
        );
    }

    /// An interrupted transfer picks up at `offset`: ours (already shown
    /// as sending) or one of the peer's that is taken without asking,
    /// since the user accepted that file before.
    #[allow(clippy::too_many_arguments)]
    pub fn resuming(
        &mut self,
        id: TransferId,
        conversation: ConversationKey,
        incoming: bool,
        name: &str,
        offset: u64,
        total: u64,
        now: u64,
    ) {
        let running = State::Running {
            bytes: offset,
            total,
            rate: 0,
        };
        let entry = self.all.entry(TransferKey::Live(id)).or_insert_with(|| Transfer {
            key: TransferKey::Live(id),
            conversation,
            incoming,
            name: name.to_string(),
            size: Some(total),
            at: now,
            state: State::Starting,
            source: None,
        });
        if entry.state.is_live() {
            entry.state = running;
            entry.size = Some(total);
        }
    }

    /// Bytes moved. Unknown transfers (e.g. those of the CLI) are ignored.
    pub fn progress(&mut self, id: TransferId, bytes: u64, total: u64, rate: u64) {
        if let Some(t) = self.all.get_mut(&TransferKey::Live(id)) {
            if t.state.is_live() {
                t.state = State::Running { bytes, total, rate };
                t.size = Some(total);
            }
        }
    }

    /// A transfer finished.
    pub fn done(&mut self, id: TransferId, path: PathBuf, size: u64) {
        if let Some(t) = self.all.get_mut(&TransferKey::Live(id)) {
            t.state = State::Done { path };
            t.size = Some(size);
        }
    }

    /// A transfer failed, was declined or cancelled.
    pub fn failed(&mut self, id: TransferId, reason: &str) {
        if let Some(t) = self.all.get_mut(&TransferKey::Live(id)) {
            t.state = State::Failed {
                reason: reason.to_string(),
            };
        }
    }

    /// Everything running or waiting stops (the runtime is gone).
    pub fn runtime_stopped(&mut self, reason: &str) {
        for t in self.all.values_mut().filter(|t| t.state.is_live()) {
            t.state = State::Failed {
                reason: reason.to_string(),
            };
        }
    }

    /// Merges the history's rows. Rows of transfers already shown live are
    /// skipped; rows seen before are replaced.
    pub fn apply_stored(&mut self, rows: &[StoredTransfer]) {
        for row in rows {
            let Some(peer_key) = row.transfer.peer_key.as_deref() else {
                continue;
            };
            // Still waiting for an answer: the runtime offers it again live.
            if row.transfer.state == TransferState::Offered {
                continue;
            }
            let conversation = ConversationKey::stored(&row.transfer.account, peer_key);
            let incoming = row.transfer.direction == StoredDirection::In;
            let at = u64::try_from(row.transfer.started_at.max(0) / 1000).unwrap_or(0);
            let name = row.transfer.file_name.clone();
            let shown_live = self.all.values().any(|t| {
                matches!(t.key, TransferKey::Live(_))
                    && t.conversation == conversation
                    && t.incoming == incoming
                    && t.name == name
                    && t.at.abs_diff(at) <= SAME_TRANSFER_SECS
            });
            if shown_live {
                continue;
            }
            let state = stored_state(&row.transfer.state, row.transfer.path.as_deref(), incoming);
            let key = TransferKey::Stored(row.id);
            self.all.insert(
                key,
                Transfer {
                    key,
                    conversation,
                    incoming,
                    name,
                    size: row.transfer.size.and_then(|s| u64::try_from(s).ok()),
                    at,
                    state,
                    source: (!incoming)
                        .then(|| row.transfer.path.as_deref().map(PathBuf::from))
                        .flatten(),
                },
            );
        }
    }

    /// One transfer.
    #[cfg(test)]
    pub fn get(&self, key: TransferKey) -> Option<&Transfer> {
        self.all.get(&key)
    }

    /// A conversation's transfers, oldest first.
    pub fn of(&self, conversation: &ConversationKey) -> Vec<&Transfer> {
        let mut list: Vec<&Transfer> = self
            .all
            .values()
            .filter(|t| &t.conversation == conversation)
            .collect();
        list.sort_by_key(|t| (t.at, t.key));
        list
    }

    /// The newest transfer of each conversation: when it started, its file
    /// name and whether it came in (for the list's preview line).
    pub fn latest(&self) -> BTreeMap<ConversationKey, Latest> {
        let mut latest: BTreeMap<ConversationKey, Latest> = BTreeMap::new();
        for t in self.all.values() {
            let newer = latest.get(&t.conversation).is_none_or(|l| t.at >= l.at);
            if newer {
                let entry = Latest {
                    at: t.at,
                    name: t.name.clone(),
                    incoming: t.incoming,
                };
                latest.insert(t.conversation.clone(), entry);
            }
        }
        latest
    }

    /// Offers waiting for an answer, oldest first.
    pub fn offers(&self) -> Vec<&Transfer> {
        let mut list: Vec<&Transfer> = self.all.values().filter(|t| t.state == State::Offered).collect();
        list.sort_by_key(|t| (t.at, t.key));
        list
    }

    /// Conversations with an offer waiting.
    pub fn offer_conversations(&self) -> Vec<ConversationKey> {
        let mut keys: Vec<ConversationKey> = self
            .offers()
            .into_iter()
            .map(|t| t.conversation.clone())
            .collect();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Handles a button; the answer says what the app must do.
    pub fn update(&mut self, message: Message) -> Action {
        let key = match &message {
            Message::Accept(k)
            | Message::Decline(k)
            | Message::Cancel(k)
            | Message::Open(k)
            | Message::ShowInFolder(k)
            | Message::SendAgain(k) => *k,
        };
        let Some(transfer) = self.all.get_mut(&key) else {
            return Action::None;
        };
        let account = transfer.conversation.account.clone();
        match (message, key, &transfer.state) {
            (Message::Accept(_), TransferKey::Live(id), State::Offered) => {
                transfer.state = State::Starting;
                Action::Accept {
                    account,
                    transfer: id,
                }
            }
            (Message::Decline(_), TransferKey::Live(id), State::Offered) => Action::Decline {
                account,
                transfer: id,
            },
            (Message::Cancel(_), TransferKey::Live(id), State::Starting | State::Running { .. }) => {
                Action::Cancel {
                    account,
                    transfer: id,
                }
            }
            (Message::Open(_), _, State::Done { path }) => Action::Open(path.clone()),
            (Message::ShowInFolder(_), _, State::Done { path }) => match path.parent() {
                Some(dir) if !dir.as_os_str().is_empty() => Action::Open(dir.to_path_buf()),
                _ => Action::None,
            },
            (Message::SendAgain(_), _, State::Failed { .. }) if !transfer.incoming => {
                match &transfer.source {
                    Some(path) => Action::SendAgain {
                        conversation: transfer.conversation.clone(),
                        path: path.clone(),
                    },
                    None => Action::None,
                }
            }
            _ => Action::None,
        }
    }
}

/// A history row's state: `done` (with the file's path), else the reason
/// after `failed: `.
fn stored_state(state: &TransferState, path: Option<&str>, incoming: bool) -> State {
    match (state, path) {
        (TransferState::Done, Some(path)) => State::Done {
            path: PathBuf::from(path),
        },
        // Stopped mid-way (a lost connection, or sipchat quit): the part
        // is kept, and sending again continues.
        (state, _) if state.is_unfinished() => State::Failed {
            reason: if incoming {
                t!("transfer-interrupted-in")
            } else {
                t!("transfer-interrupted-out")
            },
        },
        (TransferState::Failed { reason }, _) => State::Failed {
            reason: reason.trim().to_string(),
        },
        // Anything else shows its own words.
        (other, _) => {
            let words = other.as_text();
            State::Failed {
                reason: words.strip_prefix("failed:").unwrap_or(&words).trim().to_string(),
            }
        }
    }
}

/// Seconds left at `rate`, when it can be told.
pub fn eta_secs(bytes: u64, total: u64, rate: u64) -> Option<u64> {
    if rate == 0 || bytes >= total {
        return None;
    }
    Some((total - bytes).div_ceil(rate))
}

#[cfg(test)]
mod tests;
