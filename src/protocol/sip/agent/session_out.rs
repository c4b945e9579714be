//! The caller's side of a session: INVITE, its answers, ACK, CANCEL.

use super::super::builder::allowed_methods;
use super::super::message::{Method, SipMessage};
use super::super::name_addr::NameAddr;
use super::super::outcome::{describe_session_refusal, is_explained_refusal, warning_text};
use super::super::transaction::{ClientEvent, ClientInvite, TransactionKey};
use super::super::uri::SipUri;
use super::dialog::Dialog;
use super::session::{Calling, Lingering, Phase, Session, SessionEvent, MAX_SESSIONS, SDP_TYPE};
use super::{Agent, Failure, Hop, Output};
use crate::model::SessionId;
use std::time::Instant;

impl Agent {
    /// Invites `to` to a session with the offer `sdp`, through `hop`. The
    /// outcome arrives as [`SessionEvent`]s: `Progress`, then `Answered`
    /// or `Failed`.
    pub fn invite(&mut self, session: SessionId, to: &str, sdp: Vec<u8>, hop: Hop, now: Instant) {
        let fail = |agent: &mut Agent, reason: String| {
            agent.emit_session(SessionEvent::Failed {
                session,
                code: None,
                reason,
                explained: false,
            });
        };
        if self.sessions.map.len() >= MAX_SESSIONS {
            return fail(
                self,
                format!("too many chat sessions at once (at most {MAX_SESSIONS})"),
            );
        }
        let target = match SipUri::parse(to) {
            Ok(u) => u,
            Err(e) => return fail(self, e.to_string()),
        };
        let mut from = NameAddr {
            display_name: self.config.display_name.clone(),
            uri: self.own_uri(&hop).to_string(),
            params: Vec::new(),
        };
        from.set_param("tag", Some(&self.new_tag()));
        let mut ruri = target.clone();
        ruri.headers = None;
        let mut req = SipMessage::request(Method::Invite, ruri.to_string());
        req.push_header("Via", "");
        req.push_header("From", from.to_string());
        req.push_header("To", NameAddr::new(target.aor().to_string()).to_string());
        req.push_header("Call-ID", self.new_call_id());
        req.push_header("CSeq", "1 INVITE");
        req.push_header("Contact", self.session_contact(&hop));
        req.push_header("Allow", allowed_methods());
        req.push_header("Content-Type", SDP_TYPE);
        req.body = sdp;
        let cnonce = self.cnonce();
        self.auth.authorize_preemptively(
            &mut req,
            &self.config.auth_user,
            self.config.password.as_deref(),
            &cnonce,
        );
        let peer = target.user.clone().unwrap_or_else(|| target.host.clone());
        self.sessions.map.insert(
            session,
            Session {
                phase: Phase::Pending,
                hop,
                peer,
                dialog: None,
                local_sdp: None,
                calling: None,
                called: None,
                bye_waits_for_ack: false,
                bye_reason: None,
            },
        );
        self.send_invite(session, req, 1, Vec::new(), now);
    }

    /// Starts the INVITE client transaction for `req` (first try or an
    /// answer to a challenge).
    fn send_invite(
        &mut self,
        session: SessionId,
        mut req: SipMessage,
        cseq: u32,
        tried_nonces: Vec<String>,
        now: Instant,
    ) {
        let Some(hop) = self.sessions.map.get(&session).map(|s| s.hop) else {
            return;
        };
        let branch = self.prepare_request(&mut req, &hop);
        let txn = ClientInvite::new(
            req.to_bytes(),
            hop.transport.is_reliable(),
            now,
            self.config.timers,
        );
        let key = TransactionKey::client(branch, Method::Invite.as_str());
        if let Some(s) = self.sessions.map.get_mut(&session) {
            s.local_sdp = Some(req.body.clone());
            s.calling = Some(Calling {
                request: req,
                key,
                txn,
                cseq,
                tried_nonces,
                cancel_wanted: false,
                cancel_sent: false,
                ack: None,
            });
        }
        self.drain_sessions(now);
    }

    /// CANCELs our pending INVITE now if a provisional answer came, else as
    /// soon as one does (RFC 3261 9.1).
    pub(super) fn cancel_invite(&mut self, session: SessionId, now: Instant) {
        let Some(s) = self.sessions.map.get_mut(&session) else {
            return;
        };
        s.phase = Phase::Closing;
        let hop = s.hop;
        let Some(c) = s.calling.as_mut() else {
            return;
        };
        c.cancel_wanted = true;
        if !c.txn.has_provisional() || c.cancel_sent {
            return;
        }
        c.cancel_sent = true;
        let cancel = cancel_for(&c.request);
        let branch = c.key.branch.clone();
        if let Err(e) = self.start_prepared(&cancel, branch, hop, super::Purpose::Cancel(session), now) {
            tracing::debug!(account = %self.config.account, %session, "CANCEL not sent: {e}");
        }
    }

    /// A response to one of our INVITEs.
    pub(super) fn invite_response(&mut self, key: &TransactionKey, resp: &SipMessage, now: Instant) {
        let code = resp.status().unwrap_or(500);
        let Some(session) = self.sessions.by_client_key(key) else {
            self.lingering_invite_response(key, resp, code, now);
            return;
        };
        let Some(s) = self.sessions.map.get_mut(&session) else {
            return;
        };
        let Some(c) = s.calling.as_mut() else {
            return;
        };
        let deliver = c.txn.on_response(code, || ack_for_failure(&c.request, resp), now);
        if !deliver {
            self.drain_sessions(now);
            return;
        }
        match code {
            100..=199 => {
                let cancel_now = c.cancel_wanted && !c.cancel_sent;
                let closing = s.phase == Phase::Closing;
                self.drain_sessions(now);
                if cancel_now {
                    self.cancel_invite(session, now);
                } else if code != 100 && !closing {
                    self.emit_session(SessionEvent::Progress { session, code });
                }
            }
            200..=299 => self.invite_accepted(session, resp, now),
            401 | 407 => self.invite_challenged(session, resp, code, now),
            _ => {
                self.drain_sessions(now);
                self.invite_refused(session, resp, code);
            }
        }
    }

    /// A 2xx: confirm with ACK; keep the session, or hang up at once when
    /// the user already gave up or the answer is unusable.
    fn invite_accepted(&mut self, session: SessionId, resp: &SipMessage, now: Instant) {
        let Some(s) = self.sessions.map.get(&session) else {
            return;
        };
        let hop = s.hop;
        let Some(c) = s.calling.as_ref() else {
            return;
        };
        if let Some(ack) = c.ack.clone() {
            // A retransmitted (or forked) 2xx: the same ACK again.
            self.outputs.push_back(Output::Transmit { hop, bytes: ack });
            return;
        }
        let Some(mut dialog) = Dialog::as_caller(&c.request, resp) else {
            tracing::debug!(account = %self.config.account, %session, "2xx without usable tags or Contact");
            return;
        };
        let cseq = c.cseq;
        let mut ack = dialog.ack(cseq);
        self.prepare_request(&mut ack, &hop);
        let ack_bytes = ack.to_bytes();
        self.outputs.push_back(Output::Transmit {
            hop,
            bytes: ack_bytes.clone(),
        });
        dialog.local_seq = dialog.local_seq.max(cseq);
        let Some(s) = self.sessions.map.get_mut(&session) else {
            return;
        };
        let cancelled = s.phase == Phase::Closing || s.calling.as_ref().is_some_and(|c| c.cancel_wanted);
        if let Some(c) = s.calling.as_mut() {
            c.ack = Some(ack_bytes);
        }
        s.dialog = Some(dialog);
        s.phase = Phase::Established;
        let answer_ok = resp
            .content_type()
            .is_some_and(|t| t.eq_ignore_ascii_case(SDP_TYPE))
            && !resp.body.is_empty();
        if cancelled {
            self.send_bye(session, now);
            return;
        }
        if !answer_ok {
            self.send_bye(session, now);
            self.emit_session(SessionEvent::Failed {
                session,
                code: Some(resp.status().unwrap_or(200)),
                reason: "the peer accepted without a session description; hung up".into(),
                explained: false,
            });
            return;
        }
        self.emit_session(SessionEvent::Answered {
            session,
            sdp: resp.body.clone(),
        });
    }

    /// 401/407: answer the challenge once per nonce with a new INVITE.
    fn invite_challenged(&mut self, session: SessionId, resp: &SipMessage, code: u16, now: Instant) {
        self.drain_sessions(now);
        let Some(s) = self.sessions.map.get_mut(&session) else {
            return;
        };
        let hop = s.hop;
        let Some(mut c) = s.calling.take() else {
            return;
        };
        if s.phase == Phase::Closing {
            s.calling = Some(c);
            self.forget_if_done(session);
            return;
        }
        let cnonce = self.cnonce();
        let user = self.config.auth_user.clone();
        let password = self.config.password.clone();
        let mut req = c.request.clone();
        let answered = self.auth.answer_challenge(
            resp,
            &mut req,
            &mut c.tried_nonces,
            &user,
            password.as_deref(),
            &cnonce,
        );
        // The challenged transaction still absorbs retransmissions (and ACKs them).
        self.sessions.lingering.insert(
            c.key.clone(),
            Lingering::Client {
                txn: c.txn,
                hop,
                ack: None,
            },
        );
        match answered {
            Ok(()) => {
                let cseq = c.cseq + 1;
                req.set_header("CSeq", format!("{cseq} INVITE"));
                self.send_invite(session, req, cseq, c.tried_nonces, now);
            }
            Err(e) => {
                self.sessions.map.remove(&session);
                self.emit_session(SessionEvent::Failed {
                    session,
                    code: Some(code),
                    reason: format!("{e} ({code} {})", resp.reason().unwrap_or_default()),
                    explained: false,
                });
            }
        }
    }

    fn invite_refused(&mut self, session: SessionId, resp: &SipMessage, code: u16) {
        let Some(s) = self.sessions.map.get_mut(&session) else {
            return;
        };
        let closing = s.phase == Phase::Closing;
        let peer = s.peer.clone();
        s.phase = Phase::Closing;
        self.forget_if_done(session);
        if !closing {
            let warning = resp.header("Warning");
            self.emit_session(SessionEvent::Failed {
                session,
                code: Some(code),
                reason: describe_session_refusal(
                    code,
                    resp.reason().unwrap_or_default(),
                    &peer,
                    warning.and_then(warning_text).as_deref(),
                ),
                explained: warning.is_some_and(is_explained_refusal),
            });
        }
    }

    /// A response for an INVITE transaction of a session that is gone.
    fn lingering_invite_response(
        &mut self,
        key: &TransactionKey,
        resp: &SipMessage,
        code: u16,
        now: Instant,
    ) {
        let Some(Lingering::Client { txn, hop, ack }) = self.sessions.lingering.get_mut(key) else {
            tracing::debug!(account = %self.config.account, %key, code, "stray INVITE response");
            return;
        };
        let hop = *hop;
        let deliver = txn.on_response(code, Vec::new, now);
        if deliver && (200..300).contains(&code) {
            if let Some(ack) = ack.clone() {
                self.outputs.push_back(Output::Transmit { hop, bytes: ack });
            } else {
                // A 2xx after we gave up without ever seeing one: ACK and BYE it.
                self.hang_up_stray_2xx(resp, hop, now);
            }
        }
        self.drain_sessions(now);
    }

    /// ACKs and BYEs a 2xx that arrived for an INVITE we no longer want.
    fn hang_up_stray_2xx(&mut self, resp: &SipMessage, hop: Hop, now: Instant) {
        let Ok(cseq) = resp.cseq().map(|(n, _)| n) else {
            return;
        };
        // The response repeats our From, Call-ID and CSeq: enough for a dialog.
        let Some(mut dialog) = Dialog::as_caller(resp, resp) else {
            return;
        };
        let mut ack = dialog.ack(cseq);
        self.prepare_request(&mut ack, &hop);
        self.outputs.push_back(Output::Transmit {
            hop,
            bytes: ack.to_bytes(),
        });
        let mut bye = dialog.request(Method::Bye);
        let session = self.new_session_id();
        if let Err(e) = self.start_client(&mut bye, hop, super::Purpose::Bye(session), now) {
            tracing::debug!(account = %self.config.account, "BYE for a stray 2xx not sent: {e}");
        }
    }

    /// Timer B or a transport error ended our INVITE without an answer.
    pub(super) fn invite_not_answered(&mut self, session: SessionId, event: ClientEvent, _now: Instant) {
        let Some(s) = self.sessions.map.remove(&session) else {
            return;
        };
        if s.phase == Phase::Closing {
            return;
        }
        let failure = match event {
            ClientEvent::TimedOut => Failure::Timeout,
            ClientEvent::TransportError => Failure::Transport,
        };
        let reason = self.failure_words(failure, Some(s.hop), Some(&s.peer));
        self.emit_session(SessionEvent::Failed {
            session,
            code: None,
            reason,
            explained: false,
        });
    }

    /// The transport to `remote` failed: pending INVITEs over it fail.
    pub(super) fn sessions_transport_failed(
        &mut self,
        remote: std::net::SocketAddr,
        conn: Option<u64>,
        now: Instant,
    ) {
        for s in self.sessions.map.values_mut() {
            let same = s.hop.remote == remote && (conn.is_none() || s.hop.conn == conn);
            if let (true, Some(c)) = (same, s.calling.as_mut()) {
                c.txn.on_transport_error();
            }
        }
        self.drain_sessions(now);
    }
}

/// The CANCEL of `invite`: same Request-URI, top Via, Call-ID, From, To,
/// Route and CSeq number (RFC 3261 9.1).
fn cancel_for(invite: &SipMessage) -> SipMessage {
    let mut cancel = SipMessage::request(Method::Cancel, invite.request_uri().unwrap_or_default());
    if let Some(via) = invite.header_lines("Via").next() {
        cancel.push_header("Via", via);
    }
    cancel.push_header("Max-Forwards", "70");
    for route in invite.header_lines("Route") {
        cancel.push_header("Route", route);
    }
    for name in ["From", "To", "Call-ID"] {
        if let Some(v) = invite.header(name) {
            cancel.push_header(name, v);
        }
    }
    let cseq = invite.cseq().map(|(n, _)| n).unwrap_or(1);
    cancel.push_header("CSeq", format!("{cseq} CANCEL"));
    cancel
}

/// The ACK of a non-2xx final answer: the INVITE's Request-URI, top Via,
/// Route, Call-ID and From, the answer's To (with its tag) (RFC 3261 17.1.1.3).
fn ack_for_failure(invite: &SipMessage, resp: &SipMessage) -> Vec<u8> {
    let mut ack = SipMessage::request(Method::Ack, invite.request_uri().unwrap_or_default());
    if let Some(via) = invite.header_lines("Via").next() {
        ack.push_header("Via", via);
    }
    ack.push_header("Max-Forwards", "70");
    for route in invite.header_lines("Route") {
        ack.push_header("Route", route);
    }
    for name in ["From", "Call-ID"] {
        if let Some(v) = invite.header(name) {
            ack.push_header(name, v);
        }
    }
    if let Some(to) = resp.header("To") {
        ack.push_header("To", to);
    }
    let cseq = invite.cseq().map(|(n, _)| n).unwrap_or(1);
    ack.push_header("CSeq", format!("{cseq} ACK"));
    ack.to_bytes()
}
