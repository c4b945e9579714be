//! INVITE sessions of one agent: the SIP half of an MSRP chat. The agent
//! carries the session description (SDP) as opaque bytes; the runtime
//! builds and reads it.
//!
//! Every session ends with exactly one [`SessionEvent::Failed`] (it never
//! got established) or [`SessionEvent::Ended`] (it was), whoever ended it.
//! See `session_out.rs` for the caller's side and `session_in.rs` for the
//! callee's.

use super::super::builder::{allowed_methods, response_to};
use super::super::message::SipMessage;
use super::super::transaction::{ClientInvite, ClientInviteState, ServerInvite, TransactionKey};
use super::dialog::Dialog;
use super::{Agent, Hop, Output};
use crate::model::SessionId;
use std::collections::HashMap;
use std::time::Instant;

/// Most sessions an agent keeps at once; further INVITEs get 486.
pub const MAX_SESSIONS: usize = 256;

/// The media type of session descriptions.
pub const SDP_TYPE: &str = "application/sdp";

/// What happened to a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// Someone invites us; answer with [`Agent::accept_session`],
    /// [`Agent::reject_session`] (and [`Agent::ring_session`] meanwhile).
    Offered {
        /// The new session.
        session: SessionId,
        /// Caller's address (From URI).
        from: String,
        /// Caller's display name.
        from_name: Option<String>,
        /// The address invited (To URI).
        to: String,
        /// The offer (SDP).
        sdp: Vec<u8>,
        /// Where the INVITE came from.
        hop: Hop,
    },
    /// Our INVITE is ringing or progressing (180, 183).
    Progress {
        /// Which session.
        session: SessionId,
        /// Status code.
        code: u16,
    },
    /// Our INVITE was accepted and ACKed; the answer (SDP) came with it.
    Answered {
        /// Which session.
        session: SessionId,
        /// The answer.
        sdp: Vec<u8>,
    },
    /// The caller ACKed our acceptance.
    Confirmed {
        /// Which session.
        session: SessionId,
    },
    /// The session was never established (refused, cancelled, timed out).
    Failed {
        /// Which session.
        session: SessionId,
        /// The SIP status, when there was one.
        code: Option<u16>,
        /// Why, in words.
        reason: String,
        /// The peer refused this session and said why in an application
        /// Warning (399): it takes sessions, only not this one.
        explained: bool,
    },
    /// An established session ended.
    Ended {
        /// Which session.
        session: SessionId,
        /// True when the peer hung up.
        by_peer: bool,
        /// How, in words.
        reason: String,
    },
}

/// Errors of the session API.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// No such session (or it already ended).
    #[error("there is no chat session {0}")]
    Unknown(SessionId),
    /// The call does not fit the session's state.
    #[error("chat session {session} cannot do that now: {what}")]
    WrongState {
        /// Which session.
        session: SessionId,
        /// What was wrong.
        what: &'static str,
    },
}

/// Our INVITE, while it waits for its final answer.
#[derive(Debug)]
pub(super) struct Calling {
    pub request: SipMessage,
    pub key: TransactionKey,
    pub txn: ClientInvite,
    pub cseq: u32,
    pub tried_nonces: Vec<String>,
    /// The user hung up before the final answer.
    pub cancel_wanted: bool,
    pub cancel_sent: bool,
    /// The ACK we sent for the 2xx, resent for its retransmissions.
    pub ack: Option<Vec<u8>>,
}

/// An INVITE we received, until its transaction ends.
#[derive(Debug)]
pub(super) struct Called {
    pub request: SipMessage,
    pub key: TransactionKey,
    pub txn: ServerInvite,
    pub local_tag: String,
}

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// INVITE sent / received, no final answer yet.
    Pending,
    /// A 2xx went out or came in.
    Established,
    /// The user ended it; only transactions finish.
    Closing,
}

#[derive(Debug)]
pub(super) struct Session {
    pub phase: Phase,
    pub hop: Hop,
    /// How to name the peer in words.
    pub peer: String,
    pub dialog: Option<Dialog>,
    pub local_sdp: Option<Vec<u8>>,
    pub calling: Option<Calling>,
    pub called: Option<Called>,
    /// We ended a session we were invited to before the caller's ACK came:
    /// the BYE waits for the ACK or for Timer H (RFC 3261 section 15).
    pub bye_waits_for_ack: bool,
    /// The Reason header value (RFC 3326) our BYE carries, if any.
    pub bye_reason: Option<String>,
}

/// A finished INVITE transaction kept to absorb retransmissions.
#[derive(Debug)]
pub(super) enum Lingering {
    Client {
        txn: ClientInvite,
        hop: Hop,
        /// The ACK of its 2xx, if it had one.
        ack: Option<Vec<u8>>,
    },
    Server {
        txn: ServerInvite,
        hop: Hop,
        call_id: String,
    },
}

/// Sessions of one agent.
#[derive(Debug, Default)]
pub(super) struct Sessions {
    pub map: HashMap<SessionId, Session>,
    pub lingering: HashMap<TransactionKey, Lingering>,
    next_id: u64,
}

impl Sessions {
    pub fn new_id(&mut self) -> SessionId {
        self.next_id += 1;
        SessionId(self.next_id)
    }

    pub fn by_client_key(&self, key: &TransactionKey) -> Option<SessionId> {
        self.map
            .iter()
            .find(|(_, s)| s.calling.as_ref().is_some_and(|c| &c.key == key))
            .map(|(id, _)| *id)
    }

    pub fn by_server_key(&self, key: &TransactionKey) -> Option<SessionId> {
        self.map
            .iter()
            .find(|(_, s)| s.called.as_ref().is_some_and(|c| &c.key == key))
            .map(|(id, _)| *id)
    }

    pub fn by_dialog(&self, request: &SipMessage) -> Option<SessionId> {
        self.map
            .iter()
            .find(|(_, s)| s.dialog.as_ref().is_some_and(|d| d.matches_incoming(request)))
            .map(|(id, _)| *id)
    }

    pub fn poll_timeout(&self) -> Option<Instant> {
        let live = self.map.values().flat_map(|s| {
            [
                s.calling.as_ref().and_then(|c| c.txn.poll_timeout()),
                s.called.as_ref().and_then(|c| c.txn.poll_timeout()),
            ]
        });
        let old = self.lingering.values().map(|l| match l {
            Lingering::Client { txn, .. } => txn.poll_timeout(),
            Lingering::Server { txn, .. } => txn.poll_timeout(),
        });
        live.chain(old).flatten().min()
    }
}

impl Agent {
    /// A fresh id for [`Agent::invite`].
    pub fn new_session_id(&mut self) -> SessionId {
        self.sessions.new_id()
    }

    /// The path a session's requests take.
    pub fn session_hop(&self, session: SessionId) -> Option<Hop> {
        self.sessions.map.get(&session).map(|s| s.hop)
    }

    /// Whether a session is still known (not failed or ended).
    pub fn has_session(&self, session: SessionId) -> bool {
        self.sessions
            .map
            .get(&session)
            .is_some_and(|s| s.phase != Phase::Closing)
    }

    /// Ends a session from our side as [`Agent::end_session`] does, telling
    /// the peer why in a Reason header on the BYE (RFC 3326): the session's
    /// media could not be set up, in `text`.
    pub fn end_session_because(
        &mut self,
        session: SessionId,
        text: &str,
        now: Instant,
    ) -> Result<(), SessionError> {
        if let Some(s) = self.sessions.map.get_mut(&session) {
            s.bye_reason = Some(super::super::reason::format(
                super::super::reason::CAUSE_MEDIA_FAILED,
                text,
            ));
        }
        self.end_session(session, now)
    }

    /// Ends a session from our side: CANCEL while our INVITE is pending,
    /// 603 Decline for an invitation not answered yet, BYE once
    /// established. The session's last event follows at once.
    pub fn end_session(&mut self, session: SessionId, now: Instant) -> Result<(), SessionError> {
        let s = self
            .sessions
            .map
            .get(&session)
            .ok_or(SessionError::Unknown(session))?;
        match (s.phase, s.calling.is_some(), s.called.is_some()) {
            (Phase::Closing, ..) => Err(SessionError::Unknown(session)),
            (Phase::Established, ..) => {
                self.send_bye(session, now);
                self.emit_session(SessionEvent::Ended {
                    session,
                    by_peer: false,
                    reason: "you ended the chat".into(),
                });
                Ok(())
            }
            (Phase::Pending, true, _) => {
                self.cancel_invite(session, now);
                self.emit_session(SessionEvent::Failed {
                    session,
                    code: None,
                    reason: "you cancelled the invitation".into(),
                    explained: false,
                });
                Ok(())
            }
            (Phase::Pending, false, true) => {
                self.reject_session(session, 603, now)?;
                Ok(())
            }
            (Phase::Pending, false, false) => Err(SessionError::Unknown(session)),
        }
    }

    pub(super) fn emit_session(&mut self, event: SessionEvent) {
        self.emit(super::AgentEvent::Session(event));
    }

    /// Our Contact for a session through `hop`: behind a NAT on the server
    /// flow, the public address the registrar showed us.
    pub(super) fn session_contact(&self, hop: &Hop) -> String {
        if let Some(gruu) = self.gruu_contact(hop) {
            return gruu;
        }
        let user = self.config.aor.user.clone().unwrap_or_default();
        let at = if user.is_empty() { "" } else { "@" };
        let public = self.public_address_on(hop);
        let host = match public.map_or(hop.local.ip(), |p| p.ip()) {
            std::net::IpAddr::V4(ip) => ip.to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
        };
        let port = match public {
            Some(p) => p.port(),
            None => self.config.listen_port.unwrap_or(hop.local.port()),
        };
        let transport = match hop.transport {
            super::super::uri::Transport::Udp => String::new(),
            t => format!(";transport={}", t.param_token()),
        };
        format!("<sip:{user}{at}{host}:{port}{transport}>")
    }

    /// Sends a BYE in the session's dialog; its answer is only logged.
    pub(super) fn send_bye(&mut self, session: SessionId, now: Instant) {
        let Some(s) = self.sessions.map.get_mut(&session) else {
            return;
        };
        s.phase = Phase::Closing;
        if s.called.as_ref().is_some_and(|c| c.txn.awaits_ack()) {
            tracing::debug!(account = %self.config.account, %session, "BYE waits for the caller's ACK");
            s.bye_waits_for_ack = true;
            return;
        }
        s.bye_waits_for_ack = false;
        let hop = s.hop;
        let reason = s.bye_reason.take();
        let Some(dialog) = s.dialog.as_mut() else {
            return;
        };
        let mut bye = dialog.request(super::super::message::Method::Bye);
        if let Some(reason) = reason {
            bye.push_header("Reason", reason);
        }
        if let Err(e) = self.start_client(&mut bye, hop, super::Purpose::Bye(session), now) {
            tracing::debug!(account = %self.config.account, %session, "BYE not sent: {e}");
        }
        self.forget_if_done(session);
    }

    /// Removes a closing session once our INVITE (if any) has its final
    /// answer, moving transactions still absorbing retransmissions into the
    /// lingering set. While our INVITE waits, the session stays: a 1xx
    /// triggers the pending CANCEL, a 2xx gets its ACK and a BYE.
    pub(super) fn forget_if_done(&mut self, session: SessionId) {
        let Some(s) = self.sessions.map.get(&session) else {
            return;
        };
        let invite_waiting = s.calling.as_ref().is_some_and(|c| {
            matches!(
                c.txn.state(),
                ClientInviteState::Calling | ClientInviteState::Proceeding
            )
        });
        if s.phase != Phase::Closing || invite_waiting {
            return;
        }
        let Some(s) = self.sessions.map.remove(&session) else {
            return;
        };
        if let Some(c) = s.calling {
            if !c.txn.is_terminated() {
                self.sessions.lingering.insert(
                    c.key,
                    Lingering::Client {
                        txn: c.txn,
                        hop: s.hop,
                        ack: c.ack,
                    },
                );
            }
        }
        if let Some(c) = s.called {
            if !c.txn.is_terminated() {
                let call_id = c.request.call_id().unwrap_or_default().to_string();
                self.sessions.lingering.insert(
                    c.key,
                    Lingering::Server {
                        txn: c.txn,
                        hop: s.hop,
                        call_id,
                    },
                );
            }
        }
    }

    /// Fires session timers and moves their output.
    pub(super) fn sessions_timeout(&mut self, now: Instant) {
        for s in self.sessions.map.values_mut() {
            if let Some(c) = s.calling.as_mut() {
                if c.txn.poll_timeout().is_some_and(|t| t <= now) {
                    c.txn.handle_timeout(now);
                }
            }
            if let Some(c) = s.called.as_mut() {
                if c.txn.poll_timeout().is_some_and(|t| t <= now) {
                    c.txn.handle_timeout(now);
                }
            }
        }
        for l in self.sessions.lingering.values_mut() {
            match l {
                Lingering::Client { txn, .. } if txn.poll_timeout().is_some_and(|d| d <= now) => {
                    txn.handle_timeout(now)
                }
                Lingering::Server { txn, .. } if txn.poll_timeout().is_some_and(|d| d <= now) => {
                    txn.handle_timeout(now)
                }
                _ => {}
            }
        }
        self.drain_sessions(now);
    }

    /// Moves the bytes of every INVITE transaction to the output and acts on
    /// their events (timeouts, missing ACKs, transport errors).
    pub(super) fn drain_sessions(&mut self, now: Instant) {
        let mut failed_calls = Vec::new();
        let mut unacked = Vec::new();
        for (id, s) in self.sessions.map.iter_mut() {
            if let Some(c) = s.calling.as_mut() {
                while let Some(bytes) = c.txn.poll_transmit() {
                    self.outputs.push_back(Output::Transmit { hop: s.hop, bytes });
                }
                if let Some(event) = c.txn.poll_event() {
                    failed_calls.push((*id, event));
                }
            }
            if let Some(c) = s.called.as_mut() {
                while let Some(bytes) = c.txn.poll_transmit() {
                    self.outputs.push_back(Output::Transmit { hop: s.hop, bytes });
                }
                if let Some(event) = c.txn.poll_event() {
                    unacked.push((*id, event));
                }
            }
        }
        for l in self.sessions.lingering.values_mut() {
            let (bytes, hop): (Vec<Vec<u8>>, Hop) = match l {
                Lingering::Client { txn, hop, .. } => {
                    (std::iter::from_fn(|| txn.poll_transmit()).collect(), *hop)
                }
                Lingering::Server { txn, hop, .. } => {
                    while txn.poll_event().is_some() {}
                    (std::iter::from_fn(|| txn.poll_transmit()).collect(), *hop)
                }
            };
            for b in bytes {
                self.outputs.push_back(Output::Transmit { hop, bytes: b });
            }
        }
        self.sessions.lingering.retain(|_, l| match l {
            Lingering::Client { txn, .. } => !txn.is_terminated(),
            Lingering::Server { txn, .. } => !txn.is_terminated(),
        });
        for (id, event) in failed_calls {
            self.invite_not_answered(id, event, now);
        }
        for (id, event) in unacked {
            self.invitation_unconfirmed(id, event, now);
        }
    }

    /// Builds a response of ours to an INVITE with the session's tag.
    pub(super) fn answer_to_invite(&self, called: &Called, code: u16) -> SipMessage {
        let tag = (code > 100).then_some(called.local_tag.as_str());
        let mut resp = response_to(&called.request, code, tag);
        if (101..300).contains(&code) {
            for rr in called.request.header_lines("Record-Route") {
                resp.push_header("Record-Route", rr);
            }
        }
        if code == 405 || code == 501 {
            resp.push_header("Allow", allowed_methods());
        }
        resp
    }
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
