//! The callee's side of a session, and requests inside dialogs: INVITE,
//! re-INVITE, ACK, CANCEL, BYE.

use super::super::builder::{allowed_methods, response_to};
use super::super::message::{Method, SipMessage};
use super::super::transaction::{ServerInvite, ServerInviteEvent, TransactionKey};
use super::dialog::Dialog;
use super::session::{Called, Lingering, Phase, Session, SessionError, SessionEvent, MAX_SESSIONS, SDP_TYPE};
use super::{server_key, Agent, Hop, Output};
use crate::model::SessionId;
use rand::Rng;
use std::time::Instant;

impl Agent {
    /// An INVITE arrived (new, retransmitted, or inside a dialog).
    pub(super) fn on_invite(&mut self, msg: SipMessage, from: Hop, now: Instant) {
        let key = server_key(&msg, &Method::Invite);
        if let Some(id) = self.sessions.by_server_key(&key) {
            let resend = self
                .sessions
                .map
                .get_mut(&id)
                .and_then(|s| s.called.as_mut())
                .and_then(|c| c.txn.on_request_retransmission());
            if let Some(bytes) = resend {
                self.outputs.push_back(Output::Transmit { hop: from, bytes });
            }
            return;
        }
        if let Some(Lingering::Server { txn, .. }) = self.sessions.lingering.get_mut(&key) {
            if let Some(bytes) = txn.on_request_retransmission() {
                self.outputs.push_back(Output::Transmit { hop: from, bytes });
            }
            return;
        }
        if msg
            .to_header()
            .ok()
            .and_then(|t| t.tag().map(str::to_string))
            .is_some()
        {
            self.on_reinvite(key, msg, from, now);
            return;
        }
        if let Some(resp) = self.refuse_unsupported(&msg) {
            self.answer_invite_once(key, &msg, resp, from, now);
            return;
        }
        if self.sessions.map.len() >= MAX_SESSIONS {
            let resp = response_to(&msg, 486, Some(&self.new_tag()));
            self.answer_invite_once(key, &msg, resp, from, now);
            return;
        }
        let content_type = msg.content_type().unwrap_or_default();
        if msg.body.is_empty() || !content_type.eq_ignore_ascii_case(SDP_TYPE) {
            let mut resp = if msg.body.is_empty() {
                let mut r = response_to(&msg, 488, Some(&self.new_tag()));
                r.push_header(
                    "Warning",
                    super::warning_value("an offer in the INVITE is required"),
                );
                r
            } else {
                response_to(&msg, 415, Some(&self.new_tag()))
            };
            resp.push_header("Accept", SDP_TYPE);
            self.answer_invite_once(key, &msg, resp, from, now);
            return;
        }
        let session = self.sessions.new_id();
        let mut txn = ServerInvite::new(from.transport.is_reliable(), self.config.timers);
        let trying = response_to(&msg, 100, None);
        if let Err(e) = txn.send_response(100, trying.to_bytes(), now) {
            tracing::debug!(account = %self.config.account, "100 Trying not sent: {e}");
        }
        let caller = msg.from_header().ok();
        let from_uri = caller.as_ref().map(|f| f.uri.clone()).unwrap_or_default();
        let peer = caller
            .as_ref()
            .and_then(|f| f.sip_uri().ok())
            .and_then(|u| u.user)
            .unwrap_or_else(|| from_uri.clone());
        let event = SessionEvent::Offered {
            session,
            from: from_uri,
            from_name: caller.and_then(|f| f.display_name),
            to: msg.to_header().map(|t| t.uri).unwrap_or_default(),
            sdp: msg.body.clone(),
            hop: from,
        };
        let local_tag = self.new_tag();
        self.sessions.map.insert(
            session,
            Session {
                phase: Phase::Pending,
                hop: from,
                peer,
                dialog: None,
                local_sdp: None,
                calling: None,
                bye_waits_for_ack: false,
                bye_reason: None,
                called: Some(Called {
                    request: msg,
                    key,
                    txn,
                    local_tag,
                }),
            },
        );
        self.drain_sessions(now);
        self.emit_session(event);
    }

    /// Answers an INVITE once with a final `resp`, keeping the transaction
    /// only to absorb retransmissions and the ACK.
    fn answer_invite_once(
        &mut self,
        key: TransactionKey,
        msg: &SipMessage,
        resp: SipMessage,
        hop: Hop,
        now: Instant,
    ) {
        let mut txn = ServerInvite::new(hop.transport.is_reliable(), self.config.timers);
        let code = resp.status().unwrap_or(500);
        if let Err(e) = txn.send_response(code, resp.to_bytes(), now) {
            tracing::debug!(account = %self.config.account, "INVITE answer not sent: {e}");
        }
        let call_id = msg.call_id().unwrap_or_default().to_string();
        self.sessions
            .lingering
            .insert(key, Lingering::Server { txn, hop, call_id });
        self.drain_sessions(now);
    }

    /// A re-INVITE: refresh the target and answer with the description we
    /// already gave (the chat goes on unchanged).
    fn on_reinvite(&mut self, key: TransactionKey, msg: SipMessage, from: Hop, now: Instant) {
        let Some(id) = self.sessions.by_dialog(&msg) else {
            let resp = response_to(&msg, 481, None);
            self.answer_invite_once(key, &msg, resp, from, now);
            return;
        };
        let contact = self.session_contact(&from);
        let cseq = msg.cseq().map(|(n, _)| n).unwrap_or_default();
        let Some(s) = self.sessions.map.get_mut(&id) else {
            return;
        };
        let (Some(dialog), Phase::Established) = (s.dialog.as_mut(), s.phase) else {
            let resp = response_to(&msg, 491, None);
            self.answer_invite_once(key, &msg, resp, from, now);
            return;
        };
        if !dialog.accept_remote_seq(cseq) {
            let resp = response_to(&msg, 500, None);
            self.answer_invite_once(key, &msg, resp, from, now);
            return;
        }
        dialog.refresh_target(&msg);
        let mut resp = response_to(&msg, 200, None);
        resp.push_header("Contact", contact);
        resp.push_header("Allow", allowed_methods());
        if let Some(sdp) = s.local_sdp.clone() {
            resp.push_header("Content-Type", SDP_TYPE);
            resp.body = sdp;
        }
        self.answer_invite_once(key, &msg, resp, from, now);
    }

    /// An ACK: for a non-2xx answer (same branch as its INVITE) or for a
    /// 2xx (matched by dialog).
    pub(super) fn on_ack(&mut self, msg: &SipMessage, now: Instant) {
        let key = server_key(msg, &Method::Invite);
        if let Some(Lingering::Server { txn, .. }) = self.sessions.lingering.get_mut(&key) {
            txn.on_ack(now);
            self.drain_sessions(now);
            return;
        }
        let session = self
            .sessions
            .by_server_key(&key)
            .or_else(|| self.sessions.by_dialog(msg));
        if let Some(id) = session {
            let first = self
                .sessions
                .map
                .get_mut(&id)
                .and_then(|s| s.called.as_mut())
                .is_some_and(|c| c.txn.on_ack(now));
            let (established, bye_waits) = self.sessions.map.get(&id).map_or((false, false), |s| {
                (s.phase == Phase::Established, s.bye_waits_for_ack)
            });
            self.drain_sessions(now);
            if first && established {
                self.emit_session(SessionEvent::Confirmed { session: id });
            }
            if first && bye_waits {
                self.send_bye(id, now);
            }
            return;
        }
        // The ACK of a 2xx to a re-INVITE.
        let call_id = msg.call_id().unwrap_or_default();
        for l in self.sessions.lingering.values_mut() {
            if let Lingering::Server { txn, call_id: c, .. } = l {
                if c == call_id {
                    txn.on_ack(now);
                }
            }
        }
        self.drain_sessions(now);
    }

    /// A CANCEL (its own transaction `key` is already created).
    pub(super) fn on_cancel(&mut self, key: TransactionKey, msg: SipMessage, now: Instant) {
        let invite_key = server_key(&msg, &Method::Invite);
        let Some(id) = self.sessions.by_server_key(&invite_key) else {
            let known = self.sessions.lingering.contains_key(&invite_key);
            let resp = response_to(&msg, if known { 200 } else { 481 }, Some(&self.new_tag()));
            self.respond(&key, resp, now);
            return;
        };
        let Some(s) = self.sessions.map.get_mut(&id) else {
            return;
        };
        let Some(mut called) = s.called.take() else {
            return;
        };
        let resp = response_to(&msg, 200, Some(&called.local_tag));
        let pending = !called.txn.has_final();
        let peer = s.peer.clone();
        if pending {
            let terminated = self.answer_to_invite(&called, 487);
            if let Err(e) = called.txn.send_response(487, terminated.to_bytes(), now) {
                tracing::debug!(account = %self.config.account, "487 not sent: {e}");
            }
        }
        if let Some(s) = self.sessions.map.get_mut(&id) {
            s.called = Some(called);
            if pending {
                s.phase = Phase::Closing;
            }
        }
        self.respond(&key, resp, now);
        self.drain_sessions(now);
        if pending {
            self.forget_if_done(id);
            self.emit_session(SessionEvent::Failed {
                session: id,
                code: Some(487),
                reason: format!("{peer} withdrew the invitation"),
                explained: false,
            });
        }
    }

    /// A BYE (its transaction `key` is already created).
    pub(super) fn on_bye(&mut self, key: TransactionKey, msg: SipMessage, now: Instant) {
        let Some(id) = self.sessions.by_dialog(&msg) else {
            let resp = response_to(&msg, 481, None);
            self.respond(&key, resp, now);
            return;
        };
        let resp = response_to(&msg, 200, None);
        self.respond(&key, resp, now);
        let Some(s) = self.sessions.map.get_mut(&id) else {
            return;
        };
        let already_closing = s.phase == Phase::Closing;
        let peer = s.peer.clone();
        s.phase = Phase::Closing;
        self.forget_if_done(id);
        // The peer's own words on why (RFC 3326), e.g. that it could not
        // open the MSRP connection.
        let why = msg
            .header("Reason")
            .and_then(super::super::reason::parse)
            .and_then(|r| r.text);
        if !already_closing {
            self.emit_session(SessionEvent::Ended {
                session: id,
                by_peer: true,
                reason: match why {
                    Some(text) => format!("{peer}: {text}"),
                    None => format!("{peer} ended the chat"),
                },
            });
        }
    }

    /// Accepts an offered session with the answer `sdp` (200 OK).
    pub fn accept_session(
        &mut self,
        session: SessionId,
        sdp: Vec<u8>,
        now: Instant,
    ) -> Result<(), SessionError> {
        let (hop, mut called) = self.take_pending_called(session)?;
        let mut resp = self.answer_to_invite(&called, 200);
        resp.push_header("Contact", self.session_contact(&hop));
        resp.push_header("Allow", allowed_methods());
        resp.push_header("Content-Type", SDP_TYPE);
        resp.body = sdp.clone();
        let sent = called.txn.send_response(200, resp.to_bytes(), now);
        let initial_seq = self.rng.gen_range(1..=0x7fff);
        let dialog = Dialog::as_callee(&called.request, &called.local_tag, initial_seq);
        if let Some(s) = self.sessions.map.get_mut(&session) {
            s.called = Some(called);
            s.dialog = dialog;
            s.local_sdp = Some(sdp);
            s.phase = Phase::Established;
        }
        self.drain_sessions(now);
        sent.map_err(|_| SessionError::WrongState {
            session,
            what: "the invitation was already answered",
        })
    }

    /// Refuses an offered session with `code` (300..=699), e.g. 488 when the
    /// offer cannot be served, 486 busy, 603 declined.
    pub fn reject_session(
        &mut self,
        session: SessionId,
        code: u16,
        now: Instant,
    ) -> Result<(), SessionError> {
        self.reject_session_with(session, code, None, now)
    }

    /// Like [`Agent::reject_session`], with a Warning header (RFC 3261
    /// section 20.43) that says why in words: `warning` is the warn-code
    /// (399 unless a 3xx code fits better) and the text; the warn-agent is
    /// our host.
    pub fn reject_session_with(
        &mut self,
        session: SessionId,
        code: u16,
        warning: Option<(u16, &str)>,
        now: Instant,
    ) -> Result<(), SessionError> {
        let (_, mut called) = self.take_pending_called(session)?;
        let code = if (300..700).contains(&code) { code } else { 500 };
        let mut resp = self.answer_to_invite(&called, code);
        if let Some((warn_code, text)) = warning {
            let warn_code = if (300..400).contains(&warn_code) {
                warn_code
            } else {
                399
            };
            let value = super::super::outcome::warning_value(warn_code, &self.config.aor.host, text);
            resp.push_header("Warning", value);
        }
        if let Err(e) = called.txn.send_response(code, resp.to_bytes(), now) {
            tracing::debug!(account = %self.config.account, "INVITE refusal not sent: {e}");
        }
        if let Some(s) = self.sessions.map.get_mut(&session) {
            s.called = Some(called);
            s.phase = Phase::Closing;
        }
        self.drain_sessions(now);
        self.forget_if_done(session);
        let reason = match code {
            603 => "you declined the chat".to_string(),
            486 | 600 => "you were busy".to_string(),
            488 | 606 => "the offered chat could not be served".to_string(),
            c => format!("refused with {c} {}", super::super::outcome::standard_reason(c)),
        };
        self.emit_session(SessionEvent::Failed {
            session,
            code: Some(code),
            reason,
            explained: false,
        });
        Ok(())
    }

    /// Tells the caller we are alerting the user (180 Ringing).
    pub fn ring_session(&mut self, session: SessionId, now: Instant) -> Result<(), SessionError> {
        let (_, mut called) = self.take_pending_called(session)?;
        let resp = self.answer_to_invite(&called, 180);
        let sent = called.txn.send_response(180, resp.to_bytes(), now);
        if let Some(s) = self.sessions.map.get_mut(&session) {
            s.called = Some(called);
        }
        self.drain_sessions(now);
        sent.map_err(|_| SessionError::WrongState {
            session,
            what: "the invitation was already answered",
        })
    }

    /// Takes the INVITE of an offered session not answered yet.
    fn take_pending_called(&mut self, session: SessionId) -> Result<(Hop, Called), SessionError> {
        let s = self
            .sessions
            .map
            .get_mut(&session)
            .ok_or(SessionError::Unknown(session))?;
        let answered = s.called.as_ref().is_none_or(|c| c.txn.has_final());
        if s.phase != Phase::Pending || answered {
            return Err(SessionError::WrongState {
                session,
                what: "it is not an invitation waiting for an answer",
            });
        }
        let called = s.called.take().ok_or(SessionError::Unknown(session))?;
        Ok((s.hop, called))
    }

    /// Our answer to an INVITE was never ACKed, or its transport failed.
    pub(super) fn invitation_unconfirmed(
        &mut self,
        session: SessionId,
        event: ServerInviteEvent,
        now: Instant,
    ) {
        let Some(s) = self.sessions.map.get(&session) else {
            return;
        };
        match (event, s.phase) {
            (ServerInviteEvent::NoAck, Phase::Closing) if s.bye_waits_for_ack => {
                // Timer H: no ACK will come; the queued BYE may go now.
                self.send_bye(session, now);
            }
            (ServerInviteEvent::NoAck, Phase::Established) => {
                self.send_bye(session, now);
                self.emit_session(SessionEvent::Ended {
                    session,
                    by_peer: false,
                    reason: "the caller never confirmed the chat".into(),
                });
            }
            (ServerInviteEvent::TransportError, Phase::Pending) => {
                self.sessions.map.remove(&session);
                self.emit_session(SessionEvent::Failed {
                    session,
                    code: None,
                    reason: "the connection to the caller failed".into(),
                    explained: false,
                });
            }
            _ => {}
        }
    }

    /// For a request with a To tag: whether it belongs to a dialog of ours.
    pub(super) fn in_known_dialog(&self, msg: &SipMessage) -> bool {
        self.sessions.by_dialog(msg).is_some()
    }
}
