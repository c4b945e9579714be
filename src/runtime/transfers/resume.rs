//! Resuming interrupted file transfers (RFC 5547 `a=file-range`) and
//! keeping partial files in check.
//!
//! - While receiving, the writer makes the bytes durable every
//!   [`DURABLE_EVERY`] and the session sends a success
//!   REPORT for them (RFC 4975 allows reports for partial receipt), so the
//!   sender knows how far the receiver safely got (`FileSide::confirmed`).
//! - Receiver: when the MSRP connection is lost without the sender ending
//!   the session (no BYE within the grace), or we shut down, the temporary
//!   file is kept with the durable bytes, and the `transfers` row is
//!   `interrupted` with `resume_bytes` and `part_path`. Cancel, decline, a
//!   `#` abort, failed checks and a sender's BYE leave nothing.
//! - Sender: a transfer that ends unfinished after the receiver confirmed
//!   some bytes is `interrupted` with those bytes. A new `SendFile` of the
//!   same file (path, size, SHA-1) to the same peer on the same account
//!   offers `a=file-range:<confirmed+1>-<size>` with the same selector and
//!   sends only the rest (Byte-Range totals stay the whole size).
//! - Receiver of such an offer: the kept partial file of the same peer and
//!   selector (name, size, SHA-1) with at least `start - 1` bytes is cut to
//!   `start - 1` and the rest appended; the SHA-1 covers the whole file.
//!   It is accepted without asking: the user accepted this file before
//!   (only an accepted transfer ever has a partial file), and it goes where
//!   they chose then. Without a usable partial file the answer is 488 with
//!   the Warning "no partial file to resume", and the sender offers the
//!   whole file again by itself (same transfer id).
//! - A running transfer has a row (`sending` / `receiving`) whose
//!   `resume_bytes` follows the confirmed / durable bytes, so a crash on
//!   either side is resumable too: the next start makes such rows
//!   `interrupted` (or failed when nothing was confirmed).
//! - At start ([`sweep_partials`]): partial files older than
//!   [`KEEP_PARTIAL_FOR`] are removed with their rows closed, and our
//!   temporary files ([`part_file_name`]) that belong to no kept transfer
//!   (left by a crash) and were not written for [`LEFTOVER_QUIET_FOR`] are
//!   removed from the download directories.

use super::{
    Candidate, FileSide, SessionAction, SessionId, Transfer, TransferEffect, TransferError, TransferStoreOp,
    Transfers,
};
use crate::model::{human_size, AccountId};
use crate::protocol::sdp::FileRange;
use crate::runtime::event::Event;
use crate::runtime::files::hex;
use crate::store::{conversation_key, Direction, Store, StoreError, StoredTransfer, TransferState};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use crate::runtime::msrp_task::DURABLE_EVERY;

/// Partial files of interrupted transfers are kept this long for a resume
/// (and interrupted sends are resumed only within it).
pub const KEEP_PARTIAL_FOR: Duration = Duration::from_secs(7 * 24 * 3600);
/// Temporary files we write start with this ...
pub const PART_PREFIX: &str = ".sipchat-";
/// ... and end with this; only such names are ever removed by the sweep.
pub const PART_SUFFIX: &str = ".part";
/// A temporary file of ours that no kept transfer owns is removed only
/// when it was not written for this long (another sipchat process using
/// the same directory may be writing it right now).
pub const LEFTOVER_QUIET_FOR: Duration = Duration::from_secs(10 * 60);
/// The Warning text of a 488 to a resume offer we cannot serve.
pub const NO_PARTIAL_WARNING: &str = "no partial file to resume";

/// The temporary file name for a transfer token (hex).
pub(crate) fn part_file_name(token: &str) -> String {
    format!("{PART_PREFIX}{token}{PART_SUFFIX}")
}

/// Whether `name` is one of our temporary file names.
pub fn is_part_file_name(name: &str) -> bool {
    name.strip_prefix(PART_PREFIX)
        .and_then(|rest| rest.strip_suffix(PART_SUFFIX))
        .is_some_and(|token| {
            !token.is_empty() && token.len() <= 64 && token.bytes().all(|b| b.is_ascii_hexdigit())
        })
}

fn is_our_part(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(is_part_file_name)
}

/// The failure words of a transfer kept for a resume.
pub(crate) fn kept_words(file: &FileSide, reason: &str, bytes: u64) -> String {
    let of = format!("{} of {}", human_size(bytes), human_size(file.size));
    if file.incoming {
        format!("{reason}; {of} are kept, and the sender can resume the transfer")
    } else {
        format!("{reason}; the receiver has {of}, sending the file again resumes there")
    }
}

/// What [`sweep_partials`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Leftover temporary files removed (no kept transfer owns them).
    pub leftovers: usize,
    /// Interrupted transfers given up (too old, or their file is gone).
    pub expired: usize,
}

/// Cleans up partial files at start: interrupted transfers older than
/// [`KEEP_PARTIAL_FOR`] (or whose partial file is gone) are closed and
/// their files removed; then our temporary files in `dirs` (and in the
/// directories of kept ones) that belong to no kept transfer are removed.
pub fn sweep_partials(store: &mut Store, dirs: &[PathBuf], now_ms: i64) -> Result<Sweep, StoreError> {
    let mut sweep = Sweep::default();
    let mut keep: HashSet<PathBuf> = HashSet::new();
    let mut dirs: Vec<PathBuf> = dirs.to_vec();
    let limit = i64::try_from(KEEP_PARTIAL_FOR.as_millis()).unwrap_or(i64::MAX);
    // Rows a crash left running are interrupted now (or failed).
    store.interrupt_unfinished_transfers(now_ms)?;
    for row in store.interrupted_transfers(None)? {
        let t = &row.transfer;
        let since = row.finished_at.unwrap_or(t.started_at);
        let expired = now_ms.saturating_sub(since) > limit;
        let part = t.part_path.as_ref().map(PathBuf::from);
        let reason = match (&t.direction, &part) {
            (Direction::Out, _) if expired => TransferState::failed("not resumed within 7 days"),
            (Direction::Out, _) => continue,
            (Direction::In, _) if expired => {
                TransferState::failed("the partial file was kept 7 days and removed")
            }
            (Direction::In, Some(p)) if p.is_file() && is_our_part(p) => {
                if let Some(dir) = p.parent() {
                    dirs.push(dir.to_path_buf());
                }
                keep.insert(p.clone());
                continue;
            }
            (Direction::In, _) => TransferState::failed("the partial file is gone"),
        };
        if let Some(p) = part.filter(|p| is_our_part(p)) {
            let _ = std::fs::remove_file(p);
        }
        store.finish_transfer(row.id, &reason, now_ms)?;
        sweep.expired += 1;
    }
    dirs.sort();
    dirs.dedup();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let ours = entry.file_type().is_ok_and(|t| t.is_file()) && is_our_part(&path);
            let quiet = entry
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age >= LEFTOVER_QUIET_FOR));
            if ours && quiet && !keep.contains(&path) && std::fs::remove_file(&path).is_ok() {
                tracing::info!(path = %path.display(), "removed a leftover partial file");
                sweep.leftovers += 1;
            }
        }
    }
    Ok(sweep)
}

/// Whether an unfinished transfer is kept for a resume, and with how
/// many bytes (durable on disk, or confirmed by the receiver).
pub(crate) fn keep_for_resume(file: &FileSide) -> Option<u64> {
    let bytes = if file.incoming {
        file.durable.load(std::sync::atomic::Ordering::Relaxed)
    } else {
        file.confirmed
    };
    if file.done || file.no_resume || bytes == 0 || bytes >= file.size || file.sha1.is_none() {
        return None;
    }
    if file.incoming {
        // The writer made `bytes` durable in the temporary file itself.
        file.temp.as_ref()?;
        file.interrupted.then_some(bytes)
    } else {
        Some(bytes)
    }
}

/// The row of `rows` an outgoing resume of `file` to `peer` continues:
/// same direction, peer, path, size and SHA-1, with confirmed bytes short
/// of the whole.
pub(crate) fn sent_before<'a>(
    rows: &'a [StoredTransfer],
    file: &FileSide,
    peer: &str,
) -> Option<&'a StoredTransfer> {
    let peer = conversation_key(peer);
    let path = file.path.display().to_string();
    let sha1 = file.sha1.map(|d| hex(&d))?;
    let size = i64::try_from(file.size).ok()?;
    rows.iter().find(|r| {
        let t = &r.transfer;
        t.direction == Direction::Out
            && t.peer.as_deref() == Some(peer.as_str())
            && t.path.as_deref() == Some(path.as_str())
            && t.size == Some(size)
            && t.sha1.as_deref() == Some(sha1.as_str())
            && t.resume_bytes.is_some_and(|b| b > 0 && b < size)
    })
}

/// The kept partial file an incoming resume of `file` from `peer` appends
/// to: same peer, name, size and SHA-1, with at least `file.from` bytes
/// kept and on disk (`part_len`, looked at by the store work).
pub(crate) fn received_before(rows: &[Candidate], file: &FileSide, peer: &str) -> Option<(i64, PathBuf)> {
    let peer = conversation_key(peer);
    let sha1 = file.sha1.map(|d| hex(&d))?;
    let size = i64::try_from(file.size).ok()?;
    let need = i64::try_from(file.from).ok()?;
    rows.iter().find_map(|c| {
        let t = &c.stored.transfer;
        let part = PathBuf::from(t.part_path.as_ref()?);
        let fits = t.direction == Direction::In
            && t.peer.as_deref() == Some(peer.as_str())
            && t.file_name == file.name
            && t.size == Some(size)
            && t.sha1.as_deref() == Some(sha1.as_str())
            && t.resume_bytes.is_some_and(|b| b >= need)
            && is_our_part(&part)
            && c.part_len.is_some_and(|len| len >= file.from);
        fits.then_some((c.stored.id, part))
    })
}

impl Transfers {
    /// Looks for an interrupted transfer to resume: for the file we are
    /// about to send, or for a resume offer we received.
    pub(super) fn look_for_resume(&mut self, session: SessionId) {
        let account = self.config.account.0.clone();
        self.store(TransferStoreOp::Interrupted { session, account });
    }

    /// A resume offer (`a=file-range` starting after byte 1) came in.
    pub(super) fn resume_offered(&mut self, session: SessionId, range: FileRange) {
        let Some(file) = self.file_mut(session) else {
            return;
        };
        let whole = range.stop.is_none_or(|stop| stop == file.size);
        let problem = if !whole {
            Some("only a range up to the end of the file can be resumed")
        } else if range.start > file.size {
            Some("the range starts after the end of the file")
        } else if file.sha1.is_none() {
            Some("a resume needs the file's SHA-1 in the offer")
        } else {
            None
        };
        if let Some(words) = problem {
            return self.refuse_resume(session, words);
        }
        file.from = range.start - 1;
        self.look_for_resume(session);
    }

    /// Interrupted transfers from the store: resume the outgoing file if
    /// one fits, or take an incoming resume into its kept partial file.
    pub(super) fn candidates(&mut self, session: SessionId, result: Result<Vec<Candidate>, TransferError>) {
        let rows = result.unwrap_or_else(|e| {
            tracing::warn!("interrupted transfers could not be read: {e}");
            Vec::new()
        });
        let account = self.config.account.clone();
        let Some(t) = self.map.get_mut(&session) else {
            return;
        };
        let peer = t.peer.clone();
        let file = &mut t.file;
        if !file.incoming {
            let stored: Vec<StoredTransfer> = rows.into_iter().map(|c| c.stored).collect();
            if let Some(row) = sent_before(&stored, file, &peer) {
                let bytes = row
                    .transfer
                    .resume_bytes
                    .and_then(|b| u64::try_from(b).ok())
                    .unwrap_or(0);
                file.from = bytes;
                file.confirmed = bytes;
                file.resumes = Some(row.id);
                let event = resuming(account, &peer, file);
                tracing::info!(to = %peer, name = %file.name, bytes, "resuming an interrupted transfer");
                self.emit(event);
            }
            self.open_row(session);
            return self.start_session(session, peer);
        }
        let Some((row, part)) = received_before(&rows, file, &peer) else {
            return self.refuse_resume(session, NO_PARTIAL_WARNING);
        };
        file.path = part.parent().map(Path::to_path_buf).unwrap_or_default();
        file.temp = Some(part);
        file.resumes = Some(row);
        file.confirmed = file.from;
        let event = resuming(account, &peer, file);
        tracing::info!(from = %peer, name = %file.name, bytes = file.from, "taking a resumed transfer");
        self.emit(event);
        self.open_row(session);
        self.accept_session(session);
    }

    /// Records the transfer as running (`sending` / `receiving`), so a
    /// crash leaves a row the next start turns into `interrupted`.
    pub(super) fn open_row(&mut self, session: SessionId) {
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let file = &t.file;
        let state = if file.incoming {
            TransferState::Receiving
        } else {
            TransferState::Sending
        };
        let mut row = file.row(&self.config.account, &t.peer, state, None);
        row.resume_bytes = (file.from > 0).then(|| i64::try_from(file.from).unwrap_or(i64::MAX));
        row.part_path = file.temp.as_ref().map(|p| p.display().to_string());
        let cell = file.row.clone();
        self.store(TransferStoreOp::OpenRow {
            row: Box::new(row),
            cell,
        });
    }

    /// Refuses a resume offer (488 with the words in a Warning); the user
    /// never saw it, so it ends quietly.
    fn refuse_resume(&mut self, session: SessionId, words: &str) {
        tracing::info!(words, "refusing a resume offer");
        self.session(SessionAction::Reject {
            session,
            code: 488,
            warning: Some((399, words.to_string())),
        });
        if let Some(t) = self.map.remove(&session) {
            self.by_id.remove(&t.file.id);
            self.effects.push_back(TransferEffect::Release { session });
        }
    }

    /// Our resume offer was refused with 488 (the receiver has no usable
    /// partial file): offer the whole file again in the `fresh` session
    /// under the same transfer id. `true` when that happened.
    pub(super) fn resume_refused(&mut self, session: SessionId, fresh: SessionId) -> bool {
        let resumable = self
            .map
            .get(&session)
            .is_some_and(|t| !t.incoming && !t.file.done && t.file.from > 0);
        if !resumable {
            return false;
        }
        let Some(old) = self.map.remove(&session) else {
            return false;
        };
        if old.task {
            self.effects.push_back(TransferEffect::Task {
                session,
                command: crate::runtime::msrp_task::TaskCommand::Close,
            });
        }
        self.effects.push_back(TransferEffect::Release { session });
        let mut file = old.file;
        tracing::info!(to = %old.peer, name = %file.name, "no partial file at the receiver: sending the whole file");
        file.from = 0;
        file.confirmed = 0;
        file.failure = None;
        self.note_progress(file.row.clone(), 0);
        self.by_id.insert(file.id, fresh);
        self.map.insert(fresh, Transfer::new(old.peer.clone(), file));
        self.start_session(fresh, old.peer);
        true
    }
}

fn resuming(account: AccountId, peer: &str, file: &FileSide) -> Event {
    Event::TransferResuming {
        account,
        transfer: file.id,
        peer: peer.to_string(),
        incoming: file.incoming,
        name: file.name.clone(),
        offset: file.from,
        total: file.size,
    }
}

#[cfg(test)]
mod tests;
