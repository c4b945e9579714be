//! How file sessions move on and end: news from the MSRP task, the
//! received file checked and published, done / failed / interrupted rows,
//! lost connections, shutdown.

use super::{
    hex, resume, ChatState, FileSide, SessionAction, SessionId, TaskCommand, TaskEvent, TransferEffect,
    TransferError, TransferStoreOp, Transfers, CONNECTION_LOST_GRACE,
};
use crate::model::TransferState;
use crate::runtime::event::{Event, TransferVia};
use std::path::PathBuf;
use std::sync::atomic::AtomicI64;
use std::sync::Arc;

impl Transfers {
    pub(super) fn task_event(&mut self, session: SessionId, event: TaskEvent) {
        let Some(t) = self.map.get_mut(&session) else {
            return;
        };
        let id = t.file.id;
        match event {
            TaskEvent::Prepared {
                local_path,
                relay,
                behind_nat,
            } => self.prepared(session, local_path, relay, behind_nat),
            TaskEvent::Opened { secure } => {
                t.state = ChatState::Active { secure, relay: None };
            }
            TaskEvent::FileProgress { bytes, total, rate } => self.emit(Event::TransferProgress {
                transfer: id,
                bytes,
                total,
                rate,
            }),
            TaskEvent::FileSent => {
                t.file.done = true;
                self.done(session);
                self.close(session);
            }
            TaskEvent::FileConfirmed { bytes } => {
                t.file.confirmed = t.file.confirmed.max(bytes);
                let (cell, bytes) = (t.file.row.clone(), t.file.confirmed);
                self.note_progress(cell, bytes);
            }
            TaskEvent::FileWritten { msrp_id, size, sha1 } => self.written(session, msrp_id, size, sha1),
            TaskEvent::FileFailed { reason } => {
                if t.file.incoming {
                    // Aborted by the sender, too much data, a write error.
                    t.file.no_resume = true;
                }
                t.file.failure.get_or_insert(reason);
                self.close(session);
            }
            TaskEvent::Closed { reason } => {
                t.task = false;
                let reason = reason.unwrap_or_else(|| "the chat connection closed".into());
                let opened = matches!(t.state, ChatState::Active { .. });
                let file = &mut t.file;
                if !file.done {
                    if file.failure.is_none() {
                        // Lost before anything else ended it: resumable.
                        file.interrupted = true;
                    }
                    file.failure.get_or_insert_with(|| {
                        if opened {
                            format!("the connection was lost: {reason}")
                        } else {
                            // Never opened: the cause says it all.
                            reason.clone()
                        }
                    });
                }
                if matches!(t.state, ChatState::Active { .. }) {
                    // A peer that hangs up closes the connection and sends
                    // BYE; the BYE may come a moment later by another path.
                    t.lost = Some((self.now.at + CONNECTION_LOST_GRACE, reason));
                } else {
                    self.lost(session, reason);
                }
            }
            // Chat messages never come in a file session.
            TaskEvent::Received { .. } | TaskEvent::Delivered { .. } | TaskEvent::Failed { .. } => {}
        }
    }

    /// The connection is gone and no BYE came (or the REPORT never did):
    /// end the transfer.
    pub(super) fn lost(&mut self, session: SessionId, reason: String) {
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let signalled = t.signalled;
        let state = if matches!(t.state, ChatState::Active { .. }) {
            ChatState::Ended {
                reason: reason.clone(),
            }
        } else {
            ChatState::Failed {
                reason: reason.clone(),
            }
        };
        self.finish(session, state);
        if signalled {
            // The peer learns the true cause from the BYE's Reason.
            self.session(SessionAction::EndBecause { session, reason });
        }
    }

    pub(super) fn written(&mut self, session: SessionId, msrp_id: String, size: u64, sha1: [u8; 20]) {
        let Some(file) = self.file_mut(session) else {
            return;
        };
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
        match (problem, file.temp.clone()) {
            (None, Some(temp)) => {
                let (dir, name) = (file.path.clone(), file.name.clone());
                self.effects.push_back(TransferEffect::Publish {
                    session,
                    msrp_id,
                    sha1,
                    temp,
                    dir,
                    name,
                });
            }
            (problem, _) => {
                file.failure = Some(problem.unwrap_or_else(|| "the file was not written".into()));
                file.no_resume = true;
                self.close(session);
            }
        }
    }

    pub(super) fn published(
        &mut self,
        session: SessionId,
        msrp_id: String,
        sha1: [u8; 20],
        result: Result<PathBuf, TransferError>,
    ) {
        let Some(file) = self.file_mut(session) else {
            return;
        };
        match result {
            Ok(path) => {
                file.done = true;
                file.path = path;
                file.temp = None;
                file.sha1 = Some(sha1);
                self.task(session, TaskCommand::Confirm { msrp_id });
                self.done(session);
            }
            Err(e) => {
                file.failure = Some(e.to_string());
                file.no_resume = true;
                self.close(session);
            }
        }
    }

    pub(super) fn done(&mut self, session: SessionId) {
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let file = t.file.clone();
        let peer = t.peer.clone();
        self.emit(Event::TransferDone {
            transfer: file.id,
            incoming: file.incoming,
            path: file.path.clone(),
            size: file.size,
            sha1: file.sha1.map(|d| hex(&d)).unwrap_or_default(),
            via: TransferVia::Session,
            note: None,
        });
        self.record(&file, &peer, TransferState::Done, None);
    }

    /// Ends a transfer session: stops its task, cleans up, says how it
    /// ended.
    pub(super) fn finish(&mut self, session: SessionId, state: ChatState) {
        let Some(t) = self.map.remove(&session) else {
            return;
        };
        if t.task {
            self.effects.push_back(TransferEffect::Task {
                session,
                command: TaskCommand::Close,
            });
        }
        self.ended(t.file, &t.peer, &state);
        self.effects.push_back(TransferEffect::Release { session });
    }

    /// The session of a transfer is over: clean up and say how it ended.
    pub(super) fn ended(&mut self, file: FileSide, peer: &str, state: &ChatState) {
        self.by_id.remove(&file.id);
        if file.done {
            return;
        }
        let kept = resume::keep_for_resume(&file);
        if kept.is_none() {
            if let Some(temp) = &file.temp {
                self.effects.push_back(TransferEffect::RemoveFile(temp.clone()));
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
        let (reason, row_state) = match kept {
            Some(bytes) => (
                resume::kept_words(&file, &reason, bytes),
                TransferState::Interrupted,
            ),
            None => (reason.clone(), TransferState::failed(reason.clone())),
        };
        self.failed_event(file.id, reason);
        self.record(&file, peer, row_state, kept);
    }

    /// Records how a transfer ended (`kept`: bytes kept or confirmed for a
    /// resume); a resumed transfer's interrupted row is closed as `resumed`.
    pub(super) fn record(&mut self, file: &FileSide, peer: &str, state: TransferState, kept: Option<u64>) {
        let row = file.row(&self.config.account, peer, state, kept);
        self.store(TransferStoreOp::Finish {
            row: Box::new(row),
            cell: file.row.clone(),
            resumed: file.resumes,
            finished: self.now.unix_ms,
        });
    }

    /// Records the bytes confirmed (sent) or durable (received) so far.
    pub(super) fn note_progress(&mut self, cell: Arc<AtomicI64>, bytes: u64) {
        self.store(TransferStoreOp::Progress {
            cell,
            bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
        });
    }

    /// The peer hung up a file we send before its success REPORT came:
    /// `true` when the task still runs, so the REPORT may yet arrive (the
    /// failure is remembered in case it does not).
    pub(super) fn report_may_follow(&mut self, session: SessionId, reason: &str) -> bool {
        let Some(t) = self.map.get_mut(&session) else {
            return false;
        };
        let file = &mut t.file;
        if !file.incoming && !file.done && t.task {
            file.failure.get_or_insert_with(|| {
                format!("the receiver ended the transfer before confirming the file ({reason})")
            });
            return true;
        }
        false
    }

    /// The peer ended the session (BYE): an incoming transfer is then not
    /// kept, even if the connection went first (the sender ended it).
    pub(super) fn peer_ended(&mut self, session: SessionId) {
        if let Some(file) = self.file_mut(session) {
            if file.incoming {
                file.interrupted = false;
            }
        }
    }

    /// We are shutting down: unfinished transfers end now, and received
    /// parts are kept to resume. Transfers under way get no BYE: the peer
    /// sees a lost connection and keeps its part too (it hangs up itself
    /// after its grace). Finished ones still open are closed as usual.
    pub(super) fn shutdown(&mut self) {
        let mut sessions: Vec<SessionId> = self.map.keys().copied().collect();
        sessions.sort();
        for session in sessions {
            let Some(t) = self.map.get_mut(&session) else {
                continue;
            };
            if t.file.done {
                self.close(session);
                continue;
            }
            let flowing = matches!(t.state, ChatState::Active { .. });
            if t.file.failure.is_none() {
                t.file.interrupted = true;
                t.file.failure = Some("sipchat was closing".into());
            }
            if !flowing && t.signalled {
                self.session(SessionAction::End { session });
            }
            self.finish(
                session,
                ChatState::Ended {
                    reason: "sipchat was closing".into(),
                },
            );
        }
    }
}
