//! Setting up file sessions: sending (hash, route, task, INVITE with the
//! file's offer, answer), receiving (offer, accept into a directory,
//! decline), cancelling. The offer/answer steps shared with chats are
//! `msrp_session::offer_answer`'s.

use super::{
    files, hex, msrp_session, resume, transfer_token, ChatState, FileSide, Hop, MsrpUri, OfferDecision,
    OfferKind, SessionAction, SessionDescription, SessionId, TaskCommand, Transfer, TransferEffect,
    TransferError, TransferId, TransferVia, Transfers,
};
use crate::protocol::sdp;
use crate::protocol::sip::uri::SipUri;
use crate::runtime::event::Event;
use crate::runtime::msrp_session::offer_answer::{self, OurSide, Outcome, Step};
use std::path::PathBuf;

impl Transfers {
    /// `SendFile` as a session: hash the file, then offer it.
    pub(super) fn send_file(&mut self, id: TransferId, to: String, path: PathBuf, session: SessionId) {
        let (name, mime) = files::outgoing_name_and_type(&path);
        let file = FileSide::new(
            id,
            false,
            name,
            path.clone(),
            0,
            mime,
            None,
            transfer_token(),
            0,
            self.now.unix_ms,
        );
        self.map.insert(session, Transfer::new(to, file));
        self.by_id.insert(id, session);
        self.effects.push_back(TransferEffect::Hash { session, path });
    }

    pub(super) fn hashed(&mut self, session: SessionId, result: Result<(u64, [u8; 20]), TransferError>) {
        match result {
            Ok((size, sha1)) => {
                let Some(file) = self.file_mut(session) else {
                    return;
                };
                file.size = size;
                file.sha1 = Some(sha1);
                // Was the same file to the same peer interrupted? Then the
                // offer resumes it.
                self.look_for_resume(session);
            }
            Err(e) if e.before_start() => {
                // Nothing started: no session, no row.
                if let Some(t) = self.map.remove(&session) {
                    self.by_id.remove(&t.file.id);
                    self.failed_event(t.file.id, e.to_string());
                    self.effects.push_back(TransferEffect::Release { session });
                }
            }
            Err(e) => self.finish(
                session,
                ChatState::Failed {
                    reason: e.to_string(),
                },
            ),
        }
    }

    /// Finds the path for an outgoing file session.
    pub(super) fn start_session(&mut self, session: SessionId, peer: String) {
        if let Err(e) = SipUri::parse(&peer) {
            return self.finish(
                session,
                ChatState::Failed {
                    reason: e.to_string(),
                },
            );
        }
        if !self.config.msrp_available {
            return self.finish(
                session,
                ChatState::Failed {
                    reason: "chats are unavailable: sipchat could not listen for MSRP connections".into(),
                },
            );
        }
        self.effects.push_back(TransferEffect::Route { session, peer });
    }

    pub(super) fn routed(&mut self, session: SessionId, hop: Hop) {
        if let Some(t) = self.map.get_mut(&session) {
            t.hop = Some(hop);
            self.start_task(session, hop);
        }
    }

    pub(super) fn start_task(&mut self, session: SessionId, hop: Hop) {
        let Some(t) = self.map.get_mut(&session) else {
            return;
        };
        t.task = true;
        let job = t.file.job();
        // An offer decides (msrps is TLS, always); ours follow the account.
        let secure = match &t.decision {
            Some(decision) => decision.transport == sdp::MsrpTransport::Tls,
            None => self.config.tls,
        };
        self.effects.push_back(TransferEffect::StartTask {
            session,
            hop,
            job,
            secure,
        });
    }

    pub(super) fn task(&mut self, session: SessionId, command: TaskCommand) {
        if self.map.get(&session).is_some_and(|t| t.task) {
            self.effects.push_back(TransferEffect::Task { session, command });
        }
    }

    /// Starts the task of an incoming transfer (the answer follows once it
    /// knows our path).
    pub(super) fn accept_session(&mut self, session: SessionId) {
        let hop = match self.map.get(&session) {
            Some(t) if t.incoming && !t.task && !t.state.is_final() => t.hop,
            _ => {
                return self.emit(Event::Error {
                    account: Some(self.config.account.clone()),
                    message: format!("chat {session}: there is no invitation to accept"),
                })
            }
        };
        let Some(hop) = hop else { return };
        if let Some(t) = self.map.get_mut(&session) {
            t.state = ChatState::Connecting;
        }
        self.start_task(session, hop);
    }

    /// Ends the session: BYE when signalled, else here.
    pub(super) fn close(&mut self, session: SessionId) {
        match self.map.get(&session) {
            Some(t) if t.signalled => self.session(SessionAction::End { session }),
            Some(_) => self.finish(
                session,
                ChatState::Failed {
                    reason: "you cancelled the invitation".into(),
                },
            ),
            None => {}
        }
    }

    pub(super) fn offered(
        &mut self,
        session: SessionId,
        from: String,
        hop: Hop,
        offer: SessionDescription,
        decision: OfferDecision,
        accept_into: Option<(PathBuf, bool)>,
    ) {
        if self.blocked.blocks(&from) {
            tracing::info!(%from, "declining a file from a blocked contact");
            self.session(SessionAction::Reject {
                session,
                code: 603,
                warning: None,
            });
            return self.effects.push_back(TransferEffect::Release { session });
        }
        let OfferKind::FilePush(attrs) = &decision.kind else {
            return;
        };
        let selector = attrs.selector.clone().unwrap_or_default();
        let Some(size) = selector.size else {
            tracing::info!(%from, "refusing a file offer without a size");
            self.session(SessionAction::Reject {
                session,
                code: 488,
                warning: Some((399, "the file offer does not say how large the file is".into())),
            });
            return self.effects.push_back(TransferEffect::Release { session });
        };
        let sha1 = selector.sha1().and_then(|d| <[u8; 20]>::try_from(d).ok());
        let name = files::safe_file_name(selector.name.as_deref().unwrap_or(""));
        let mime = selector
            .file_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let id = TransferId(crate::runtime::next_message_id().0);
        let range = attrs.range;
        let file = FileSide::new(
            id,
            true,
            name.clone(),
            PathBuf::new(),
            size,
            mime.clone(),
            sha1,
            attrs.transfer_id.clone().unwrap_or_default(),
            self.config.max_file_size,
            self.now.unix_ms,
        );
        let mut transfer = Transfer::new(from.clone(), file);
        transfer.hop = Some(hop);
        transfer.offer = Some(offer);
        transfer.decision = Some(decision);
        self.map.insert(session, transfer);
        self.by_id.insert(id, session);
        if let Some(range) = range.filter(|r| r.start > 1) {
            return self.resume_offered(session, range);
        }
        if let Some((dir, usable)) = accept_into {
            return self.accept(id, dir, usable);
        }
        self.session(SessionAction::Ring { session });
        self.emit(Event::TransferOffered {
            account: self.config.account.clone(),
            transfer: id,
            from,
            name,
            size: Some(size),
            mime: Some(mime),
            sha1: sha1.map(|d| hex(&d)),
            via: TransferVia::Session,
        });
    }

    /// `AcceptTransfer`: pick the temporary file, then answer.
    pub(super) fn accept(&mut self, transfer: TransferId, dir: PathBuf, dir_usable: bool) {
        let Some(session) = self.by_id.get(&transfer).copied() else {
            return self.emit(Event::Error {
                account: Some(self.config.account.clone()),
                message: format!("transfer {transfer}: there is no offer to accept"),
            });
        };
        let Some(file) = self.file_mut(session) else {
            return;
        };
        if !file.incoming || file.temp.is_some() {
            return;
        }
        if !dir_usable {
            file.failure = Some(format!("cannot save into {}: not a directory", dir.display()));
            self.session(SessionAction::Reject {
                session,
                code: 500,
                warning: None,
            });
            return self.finish(
                session,
                ChatState::Failed {
                    reason: String::new(),
                },
            );
        }
        file.temp = Some(dir.join(resume::part_file_name(&transfer_token())));
        file.path = dir;
        self.open_row(session);
        self.accept_session(session);
    }

    /// `DeclineTransfer`.
    pub(super) fn decline(&mut self, transfer: TransferId) {
        let Some(session) = self.by_id.get(&transfer).copied() else {
            return;
        };
        if let Some(file) = self.file_mut(session) {
            file.failure = Some("you declined the file".into());
            file.no_resume = true;
        }
        self.session(SessionAction::Reject {
            session,
            code: 603,
            warning: None,
        });
        self.finish(
            session,
            ChatState::Failed {
                reason: String::new(),
            },
        );
    }

    /// `CancelTransfer`.
    pub(super) fn cancel(&mut self, transfer: TransferId) {
        let Some(session) = self.by_id.get(&transfer).copied() else {
            return;
        };
        if let Some(file) = self.file_mut(session) {
            if !file.done {
                file.failure
                    .get_or_insert_with(|| "you cancelled the transfer".into());
                file.no_resume = true;
            }
        }
        self.close(session);
    }

    /// The task knows our path: send the offer (with the file's
    /// attributes), or the answer.
    pub(super) fn prepared(
        &mut self,
        session: SessionId,
        local_path: Vec<MsrpUri>,
        relay: Option<String>,
        behind_nat: bool,
    ) {
        let role = msrp_session::offer_role(self.config.role, behind_nat);
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let (Some(hop), false) = (t.hop, t.incoming) else {
            return self.answer(session, local_path);
        };
        let ours = OurSide {
            local_path: &local_path,
            relayed: relay.is_some(),
            fingerprint: self.config.fingerprint.as_deref(),
        };
        let attributes = t.file.offer_attributes();
        let step = offer_answer::offer(session, t.peer.clone(), hop, ours, role, attributes);
        self.take_step(session, step);
    }

    pub(super) fn answer(&mut self, session: SessionId, local_path: Vec<MsrpUri>) {
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let (Some(offer), Some(decision)) = (t.offer.as_ref(), t.decision.as_ref()) else {
            return;
        };
        let ours = OurSide {
            local_path: &local_path,
            relayed: self.config.relayed,
            fingerprint: self.config.fingerprint.as_deref(),
        };
        let step = offer_answer::answer(session, offer, decision, ours);
        self.take_step(session, step);
    }

    pub(super) fn answered(&mut self, session: SessionId, sdp: &[u8]) {
        let Some(offer) = self.map.get(&session).and_then(|t| t.offer.as_ref()) else {
            return;
        };
        let step = offer_answer::answered(session, offer, sdp, self.config.relayed);
        if let (Outcome::Connect { .. }, Some(t)) = (&step.outcome, self.map.get_mut(&session)) {
            t.state = ChatState::Connecting;
        }
        self.take_step(session, step);
    }

    /// Carries out a step of offer/answer: once it is done, the task
    /// connects.
    fn take_step(&mut self, session: SessionId, step: Step) {
        for action in step.actions {
            self.session(action);
        }
        match step.outcome {
            Outcome::Offered(offer) => {
                if let Some(t) = self.map.get_mut(&session) {
                    t.offer = Some(offer);
                    t.signalled = true;
                }
            }
            Outcome::Connect { command, .. } => self.task(session, command),
            Outcome::Failed(reason) => self.finish(session, ChatState::Failed { reason }),
        }
    }
}
