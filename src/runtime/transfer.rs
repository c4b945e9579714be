//! File transfers (RFC 5547 push over MSRP), as the endpoint sees them.
//!
//! A transfer is a chat session ([`super::chat`]) that carries a
//! [`FileSide`]: the same INVITE, SDP, hub and MSRP task machinery, with a
//! file-selector in the offer and a [`FileJob`] for the task, which streams
//! the file from disk or into a temporary file ([`super::transfer_io`]).
//!
//! Sending: SHA-1 first (one pass in chunks, off the async threads) ->
//! offer with name, type, size, hash and a file-transfer-id -> the task
//! streams the file with `Success-Report: yes` -> done only on the peer's
//! success REPORT -> BYE. Receiving: offer judged (488 when unusable or
//! too large) -> `TransferOffered` (or accepted into
//! `RuntimeOptions::accept_files`) -> written to a temporary file in the
//! target directory -> size and SHA-1 checked -> renamed to a safe name
//! that overwrites nothing -> success REPORT. On failure the temporary
//! file is removed, unless the connection was lost: then it is kept to
//! resume ([`super::transfer_resume`]). Each transfer is recorded in the
//! `transfers` table.

use super::chat::Chat;
use super::endpoint::{Endpoint, Internal};
use super::msrp_task::{TaskCommand, TaskEvent};
use super::outbox::now_ms;
use super::transfer_io::{hash_file, hex, FileJob};
use super::transfer_resume::part_file_name;
use crate::model::{ChatState, SessionId, TransferId};
use crate::protocol::sdp::{FileAttributes, FileHash, FileRange, FileSelector, OfferDecision, OfferKind};
use crate::runtime::Event;
use crate::store::{conversation_key, Direction, NewTransfer, TransferState, TransferUpdate};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

/// Longest file name we save, in bytes (longer offered names are cut).
pub const MAX_SAVED_NAME_BYTES: usize = 200;
/// Name used when the offered one has nothing usable left.
pub const FALLBACK_FILE_NAME: &str = "received-file";
/// Tried suffixes " (1)" .. " (N)" before giving up on a free name.
pub const MAX_NAME_SUFFIX: u32 = 999;
/// Characters never kept in a saved name (reserved on common file systems).
pub const RESERVED_NAME_CHARS: &[char] = &['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// The file part of a session that carries a transfer.
#[derive(Debug, Clone)]
pub(crate) struct FileSide {
    pub(super) id: TransferId,
    pub(super) incoming: bool,
    /// Outgoing: the file's own name; incoming: the offered name made safe.
    pub(super) name: String,
    /// Outgoing: the file sent; incoming: where it was saved (once done),
    /// before that the directory it goes to.
    pub(super) path: PathBuf,
    pub(super) temp: Option<PathBuf>,
    pub(super) size: u64,
    pub(super) mime: String,
    pub(super) sha1: Option<[u8; 20]>,
    pub(super) transfer_id: String,
    pub(super) limit: u64,
    pub(super) done: bool,
    pub(super) failure: Option<String>,
    pub(super) started_ms: i64,
    /// Bytes the receiver already holds (a resume): sent from `from + 1`.
    pub(super) from: u64,
    /// Sending: bytes the receiver confirmed (partial success REPORTs);
    /// receiving: bytes durable on disk.
    pub(super) confirmed: u64,
    /// Receiving: the connection was lost (or we shut down) without the
    /// sender ending the session: keep the partial file to resume.
    pub(super) interrupted: bool,
    /// Never keep or resume this one (cancelled, declined, aborted by the
    /// sender, failed its checks).
    pub(super) no_resume: bool,
    /// The `transfers` row of the interrupted transfer this one resumes.
    pub(super) resumes: Option<i64>,
    /// Receiving: bytes from the start the writer made durable (it sets
    /// this itself, so it is right even before its event arrives).
    pub(super) durable: Arc<AtomicU64>,
    /// The `transfers` row while it runs (0 until the store made it).
    pub(super) row: Arc<AtomicI64>,
}

impl FileSide {
    /// What the MSRP task is to do: send once hashed, receive once accepted.
    pub(crate) fn job(&self) -> Option<FileJob> {
        if self.incoming {
            self.temp.as_ref().map(|temp| FileJob::Receive {
                temp: temp.clone(),
                size: self.size,
                limit: self.limit,
                from: self.from,
                durable: self.durable.clone(),
            })
        } else {
            self.sha1.map(|_| FileJob::Send {
                path: self.path.clone(),
                size: self.size,
                content_type: self.mime.clone(),
                from: self.from,
            })
        }
    }

    /// The RFC 5547 attributes of our offer.
    pub(crate) fn offer_attributes(&self) -> Option<FileAttributes> {
        if self.incoming {
            return None;
        }
        Some(FileAttributes {
            selector: Some(FileSelector {
                name: Some(self.name.clone()),
                file_type: Some(self.mime.clone()),
                size: Some(self.size),
                hashes: self.sha1.map(FileHash::sha1).into_iter().collect(),
            }),
            transfer_id: Some(self.transfer_id.clone()),
            disposition: Some("attachment".into()),
            date: None,
            icon: None,
            range: (self.from > 0).then_some(FileRange {
                start: self.from + 1,
                stop: Some(self.size),
            }),
        })
    }

    /// A side for a file we send or receive, with nothing moved yet.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        id: TransferId,
        incoming: bool,
        name: String,
        path: PathBuf,
        size: u64,
        mime: String,
        sha1: Option<[u8; 20]>,
        transfer_id: String,
        limit: u64,
    ) -> FileSide {
        FileSide {
            id,
            incoming,
            name,
            path,
            temp: None,
            size,
            mime,
            sha1,
            transfer_id,
            limit,
            done: false,
            failure: None,
            started_ms: now_ms(),
            from: 0,
            confirmed: 0,
            interrupted: false,
            no_resume: false,
            resumes: None,
            durable: Arc::new(AtomicU64::new(0)),
            row: Arc::new(AtomicI64::new(0)),
        }
    }
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
pub(crate) fn publish(temp: &Path, dir: &Path, name: &str) -> Result<PathBuf, String> {
    for _ in 0..8 {
        let target =
            free_path(dir, name).ok_or_else(|| format!("no free name for {name} in {}", dir.display()))?;
        match std::fs::hard_link(temp, &target) {
            Ok(()) => {
                let _ = std::fs::remove_file(temp);
                return Ok(target);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => {
                // No hard links here (some file systems): rename instead.
                std::fs::rename(temp, &target)
                    .map_err(|e| format!("cannot save {}: {e}", target.display()))?;
                return Ok(target);
            }
        }
    }
    Err(format!("no free name for {name} in {}", dir.display()))
}

pub(super) fn transfer_token() -> String {
    format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>())
}

impl Endpoint {
    fn transfer_session(&self, transfer: TransferId) -> Option<SessionId> {
        self.chats.transfers.get(&transfer).copied()
    }

    fn file_of(&mut self, session: SessionId) -> Option<&mut FileSide> {
        self.chats.map.get_mut(&session).and_then(|c| c.file.as_mut())
    }

    /// `Command::SendFile`: hash the file, then offer it.
    pub(super) fn send_file(&mut self, id: TransferId, to: String, path: PathBuf) {
        let fail = |this: &Self, reason: String| this.emit(Event::TransferFailed { transfer: id, reason });
        let meta = match std::fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return fail(self, format!("{} is not a file", path.display())),
            Err(e) => return fail(self, format!("cannot read {}: {e}", path.display())),
        };
        let (name, mime) = outgoing_name_and_type(&path);
        let session = self.agent.new_session_id();
        let mut chat = Chat::new(to.clone(), false);
        chat.file = Some(FileSide::new(
            id,
            false,
            name,
            path.clone(),
            meta.len(),
            mime,
            None,
            transfer_token(),
            0,
        ));
        self.chats.map.insert(session, chat);
        self.chats.transfers.insert(id, session);
        let internal = self.internal_tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = hash_file(&path).map_err(|e| format!("cannot read {}: {e}", path.display()));
            let _ = internal.send(Internal::FileHashed { session, result });
        });
    }

    /// The file to send is hashed: offer it.
    pub(crate) fn on_file_hashed(&mut self, session: SessionId, result: Result<(u64, [u8; 20]), String>) {
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        let Some(file) = chat.file.as_mut() else { return };
        match result {
            Ok((size, sha1)) => {
                file.size = size;
                file.sha1 = Some(sha1);
                // Was the same file to the same peer interrupted? Then the
                // offer resumes it.
                self.look_for_resume(session);
            }
            Err(reason) => self.finish_chat(session, ChatState::Failed { reason }),
        }
    }

    /// A file is offered to us (the offer is usable): ask, or accept.
    pub(super) fn file_offered(&mut self, session: SessionId, mut chat: Chat, decision: OfferDecision) {
        let now = self.now();
        let OfferKind::FilePush(attrs) = &decision.kind else {
            return;
        };
        let selector = attrs.selector.clone().unwrap_or_default();
        let Some(size) = selector.size else {
            tracing::info!(from = %chat.peer, "refusing a file offer without a size");
            let why = Some((399, "the file offer does not say how large the file is"));
            let _ = self.agent.reject_session_with(session, 488, why, now);
            return;
        };
        let sha1 = selector.sha1().and_then(|d| <[u8; 20]>::try_from(d).ok());
        let name = safe_file_name(selector.name.as_deref().unwrap_or(""));
        let mime = selector
            .file_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let id = TransferId(super::next_message_id().0);
        let range = attrs.range;
        chat.file = Some(FileSide::new(
            id,
            true,
            name.clone(),
            PathBuf::new(),
            size,
            mime.clone(),
            sha1,
            attrs.transfer_id.clone().unwrap_or_default(),
            self.chat_settings.max_file_size,
        ));
        chat.decision = Some(decision);
        let from = chat.peer.clone();
        self.chats.map.insert(session, chat);
        self.chats.transfers.insert(id, session);
        if let Some(range) = range.filter(|r| r.start > 1) {
            return self.resume_offered(session, range);
        }
        if let Some(dir) = self.chat_settings.accept_files.clone() {
            return self.accept_file(id, dir);
        }
        let _ = self.agent.ring_session(session, now);
        self.emit(Event::TransferOffered {
            account: self.account_id(),
            transfer: id,
            from,
            name,
            size: Some(size),
            mime: Some(mime),
            sha1: sha1.map(|d| hex(&d)),
            via: super::event::TransferVia::Session,
        });
    }

    /// `Command::AcceptTransfer`: pick the temporary file, then answer.
    pub(super) fn accept_file(&mut self, transfer: TransferId, dir: PathBuf) {
        let Some(session) = self.transfer_session(transfer) else {
            return self.emit(Event::Error {
                account: Some(self.account_id()),
                message: format!("transfer {transfer}: there is no offer to accept"),
            });
        };
        let Some(file) = self.file_of(session) else { return };
        if !file.incoming || file.temp.is_some() {
            return;
        }
        if !dir.is_dir() {
            file.failure = Some(format!("cannot save into {}: not a directory", dir.display()));
            let now = self.now();
            let _ = self.agent.reject_session(session, 500, now);
            return self.finish_chat(
                session,
                ChatState::Failed {
                    reason: String::new(),
                },
            );
        }
        file.temp = Some(dir.join(part_file_name(&transfer_token())));
        file.path = dir;
        self.open_transfer_row(session);
        self.accept_chat(session);
    }

    /// `Command::DeclineTransfer`.
    pub(super) fn decline_file(&mut self, transfer: TransferId) {
        let Some(session) = self.transfer_session(transfer) else {
            return;
        };
        let now = self.now();
        if let Some(file) = self.file_of(session) {
            file.failure = Some("you declined the file".into());
            file.no_resume = true;
        }
        let _ = self.agent.reject_session(session, 603, now);
        self.finish_chat(
            session,
            ChatState::Failed {
                reason: String::new(),
            },
        );
    }

    /// `Command::CancelTransfer`.
    pub(super) fn cancel_file(&mut self, transfer: TransferId) {
        let Some(session) = self.transfer_session(transfer) else {
            return;
        };
        if let Some(file) = self.file_of(session) {
            if !file.done {
                file.failure
                    .get_or_insert_with(|| "you cancelled the transfer".into());
                file.no_resume = true;
            }
        }
        self.close_chat(session);
    }

    /// The peer hung up a file we send before its success REPORT came:
    /// `true` when the task still runs, so the REPORT may yet arrive (the
    /// failure is remembered in case it does not).
    pub(super) fn file_report_may_follow(&mut self, session: SessionId, reason: &str) -> bool {
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return false;
        };
        let running = chat.task_sender().is_some();
        match chat.file.as_mut() {
            Some(file) if !file.incoming && !file.done && running => {
                file.failure.get_or_insert_with(|| {
                    format!("the receiver ended the transfer before confirming the file ({reason})")
                });
                true
            }
            _ => false,
        }
    }

    /// The task of a transfer ended; remember why if it was not over.
    pub(super) fn file_task_closed(&mut self, session: SessionId, reason: &str) {
        if let Some(file) = self.file_of(session) {
            if !file.done {
                if file.failure.is_none() {
                    // Lost before anything else ended it: resumable.
                    file.interrupted = true;
                }
                file.failure
                    .get_or_insert_with(|| format!("the connection was lost: {reason}"));
            }
        }
    }

    /// News about the file from the session's task.
    pub(super) fn on_file_event(&mut self, session: SessionId, event: TaskEvent) {
        let Some(file) = self.file_of(session) else { return };
        let id = file.id;
        match event {
            TaskEvent::FileProgress { bytes, total, rate } => self.emit(Event::TransferProgress {
                transfer: id,
                bytes,
                total,
                rate,
            }),
            TaskEvent::FileSent => {
                file.done = true;
                let file = file.clone();
                self.transfer_done(session, &file);
                self.close_chat(session);
            }
            TaskEvent::FileConfirmed { bytes } => {
                file.confirmed = file.confirmed.max(bytes);
                let file = file.clone();
                self.note_transfer_progress(&file);
            }
            TaskEvent::FileWritten { msrp_id, size, sha1 } => self.file_written(session, msrp_id, size, sha1),
            TaskEvent::FileFailed { reason } => {
                if file.incoming {
                    // Aborted by the sender, too much data, a write error.
                    file.no_resume = true;
                }
                file.failure.get_or_insert(reason);
                self.close_chat(session);
            }
            _ => {}
        }
    }

    fn file_written(&mut self, session: SessionId, msrp_id: String, size: u64, sha1: [u8; 20]) {
        let Some(file) = self.file_of(session) else { return };
        let problem = if size != file.size {
            Some(format!(
                "the file arrived with {size} bytes instead of the {} offered",
                file.size
            ))
        } else {
            match file.sha1 {
                Some(want) if want != sha1 => Some(format!(
                    "hash mismatch: the file's SHA-1 is {} but {} was offered",
                    hex(&sha1),
                    hex(&want)
                )),
                _ => None,
            }
        };
        let saved = match (problem, file.temp.clone()) {
            (None, Some(temp)) => publish(&temp, &file.path, &file.name),
            (Some(p), _) => Err(p),
            (None, None) => Err("the file was not written".into()),
        };
        match saved {
            Ok(path) => {
                file.done = true;
                file.path = path;
                file.temp = None;
                file.sha1 = Some(sha1);
                let file = file.clone();
                if let Some(task) = self.chats.map.get(&session).and_then(|c| c.task_sender()) {
                    let _ = task.send(TaskCommand::Confirm { msrp_id });
                }
                self.transfer_done(session, &file);
            }
            Err(reason) => {
                file.failure = Some(reason);
                file.no_resume = true;
                self.close_chat(session);
            }
        }
    }

    fn transfer_done(&self, session: SessionId, file: &FileSide) {
        let peer = self
            .chats
            .map
            .get(&session)
            .map(|c| c.peer.clone())
            .unwrap_or_default();
        let sha1 = file.sha1.map(|d| hex(&d)).unwrap_or_default();
        self.emit(Event::TransferDone {
            transfer: file.id,
            incoming: file.incoming,
            path: file.path.clone(),
            size: file.size,
            sha1: sha1.clone(),
            via: super::event::TransferVia::Session,
            note: None,
        });
        self.record_transfer(file, &peer, TransferState::Done, None);
    }

    /// The session of a transfer is over: clean up and say how it ended.
    pub(super) fn transfer_ended(&mut self, file: FileSide, peer: &str, state: &ChatState) {
        self.chats.transfers.remove(&file.id);
        if file.done {
            return;
        }
        let kept = self.keep_for_resume(&file);
        if kept.is_none() {
            if let Some(temp) = &file.temp {
                let _ = std::fs::remove_file(temp);
            }
        }
        let why = match state {
            ChatState::Failed { reason } | ChatState::Ended { reason } => reason.as_str(),
            _ => "",
        };
        let reason = match (&file.failure, state) {
            (Some(f), _) => f.clone(),
            (None, ChatState::Ended { .. }) if file.incoming => {
                format!("the sender ended the transfer before the whole file arrived ({why})")
            }
            (None, ChatState::Ended { .. }) => {
                format!("the receiver ended the transfer before confirming the file ({why})")
            }
            (None, _) if why.contains("603") || why.to_ascii_lowercase().contains("decline") => {
                format!("declined by {peer} ({why})")
            }
            // The receiver said why in a Warning: its words already.
            (None, _) if why.contains("client refused:") => why.to_string(),
            (None, _) if why.contains("488") => {
                format!("refused by {peer}: the file is too large or cannot be received there ({why})")
            }
            (None, _) => why.to_string(),
        };
        let (reason, state) = match kept {
            Some(bytes) => (
                super::transfer_resume::kept_words(&file, &reason, bytes),
                TransferState::Interrupted,
            ),
            None => (reason.clone(), TransferState::failed(reason)),
        };
        self.emit(Event::TransferFailed {
            transfer: file.id,
            reason,
        });
        self.record_transfer(&file, peer, state, kept);
    }

    /// Records how a transfer ended (`kept`: bytes kept or confirmed for a
    /// resume); a resumed transfer's interrupted row is closed as `resumed`.
    fn record_transfer(&self, file: &FileSide, peer: &str, state: TransferState, kept: Option<u64>) {
        let row = self.transfer_row(file, peer, state, kept);
        let finished = now_ms();
        let resumed = file.resumes;
        let row_id = file.row.clone();
        let _ = self.store.submit(move |store| {
            // Jobs run in order: the row opened when the transfer started
            // (if it was) has its id by now.
            let id = row_id.load(Ordering::Relaxed);
            let update = TransferUpdate {
                state: row.state.clone(),
                path: row.path.clone(),
                sha1: row.sha1.clone(),
                resume_bytes: row.resume_bytes,
                part_path: row.part_path.clone(),
                finished_at: Some(finished),
            };
            let result = resumed
                .map_or(Ok(()), |old| {
                    store.finish_transfer(old, &TransferState::Resumed, finished)
                })
                .and_then(|()| {
                    if id > 0 {
                        store.update_transfer(id, &update)
                    } else {
                        store
                            .insert_transfer(&row)
                            .and_then(|id| store.finish_transfer(id, &row.state, finished))
                    }
                });
            if let Err(e) = result {
                tracing::warn!("the transfer could not be recorded: {e}");
            }
        });
    }

    /// The `transfers` row of `file` with `state`.
    pub(super) fn transfer_row(
        &self,
        file: &FileSide,
        peer: &str,
        state: TransferState,
        kept: Option<u64>,
    ) -> NewTransfer {
        NewTransfer {
            account: self.account_name().to_string(),
            peer_key: Some(conversation_key(peer)),
            direction: if file.incoming {
                Direction::In
            } else {
                Direction::Out
            },
            file_name: file.name.clone(),
            size: i64::try_from(file.size).ok(),
            sha1: file.sha1.map(|d| hex(&d)),
            path: (file.done || !file.incoming).then(|| file.path.display().to_string()),
            state,
            started_at: file.started_ms,
            peer: Some(conversation_key(peer)),
            resume_bytes: kept.and_then(|k| i64::try_from(k).ok()),
            part_path: kept
                .and(file.incoming.then_some(file.temp.as_ref()).flatten())
                .map(|p| p.display().to_string()),
        }
    }
}

#[cfg(test)]
#[path = "transfer_tests.rs"]
mod tests;
