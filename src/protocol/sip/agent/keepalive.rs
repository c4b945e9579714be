//! Keep-alives of a UDP registration (RFC 5626 section 4.4).
//!
//! A plain registration (the registrar did not say `Require: outbound`)
//! sends a double CRLF ([`super::KEEPALIVE_PING`]) at the account's
//! interval: it holds the home router's binding open and expects no
//! answer. On an outbound flow over UDP the keep-alive is a STUN Binding
//! request (RFC 5626 section 4.4.2, RFC 5389), retransmitted from
//! [`STUN_FIRST_RETRANSMIT`] on, doubling, until [`STUN_ANSWER_WAIT`]:
//!
//! - the first one tells whether the server answers STUN at all; when it
//!   does not, the flow keeps CRLF keep-alives (said in the log);
//! - once the server has answered, a request left unanswered means the
//!   flow is gone (the router forgot us, or the server restarted): we
//!   register again at once, as for a missing pong on a stream;
//! - an answer whose XOR-MAPPED-ADDRESS differs from the address our
//!   Contact names means the router moved us: we register again with the
//!   new address, as when a REGISTER's Via `received`/`rport` says so.

use super::{Agent, Hop, Output, USER_AGENT};
use crate::protocol::sip::uri::Transport;
use crate::protocol::stun::{self, StunKind};
use rand::Rng;
use std::time::{Duration, Instant};

/// How long a STUN keep-alive may go unanswered.
pub const STUN_ANSWER_WAIT: Duration = Duration::from_secs(10);
/// The first retransmission of an unanswered STUN keep-alive (RFC 5389's
/// initial RTO); each later one waits twice as long.
pub const STUN_FIRST_RETRANSMIT: Duration = Duration::from_millis(500);

/// STUN keep-alives on one flow.
#[derive(Debug, Default)]
pub(super) struct StunKeepalive {
    /// Whether the server answers STUN on this flow: `None` until the first
    /// keep-alive is answered or given up.
    answers: Option<bool>,
    /// The request waiting for its answer.
    pending: Option<Pending>,
}

#[derive(Debug)]
struct Pending {
    transaction: [u8; 12],
    bytes: Vec<u8>,
    hop: Hop,
    give_up_at: Instant,
    retransmit_at: Instant,
    retransmit_every: Duration,
}

impl StunKeepalive {
    /// When the pending request must be sent again or given up.
    pub(super) fn wake_at(&self) -> Option<Instant> {
        self.pending.as_ref().map(|p| p.retransmit_at.min(p.give_up_at))
    }

    /// Forgets the waiting request (the registration failed or ended).
    pub(super) fn stop(&mut self) {
        self.pending = None;
    }

    /// Whether the server answered a STUN keep-alive on this flow.
    pub(super) fn answered(&self) -> bool {
        self.answers == Some(true)
    }
}

impl Agent {
    /// Whether the next keep-alive on `hop` is a STUN request: an outbound
    /// flow over UDP whose server has not shown that it ignores STUN.
    fn stun_keepalive_wanted(&self, hop: &Hop) -> bool {
        self.registration.outbound
            && hop.transport == Transport::Udp
            && self.registration.stun.answers != Some(false)
    }

    /// Sends the keep-alive that is due on `hop`: STUN on an outbound UDP
    /// flow, else a double CRLF. Nothing while a STUN request still waits.
    pub(super) fn send_keepalive(&mut self, hop: Hop, now: Instant) {
        if !self.stun_keepalive_wanted(&hop) {
            tracing::trace!(account = %self.config.account, remote = %hop.remote, "keep-alive (CRLF)");
            self.outputs.push_back(Output::Transmit {
                hop,
                bytes: super::KEEPALIVE_PING.to_vec(),
            });
            return;
        }
        if self.registration.stun.pending.is_some() {
            return;
        }
        let transaction: [u8; 12] = self.rng.gen();
        let bytes = stun::binding_request(transaction, USER_AGENT);
        tracing::trace!(account = %self.config.account, remote = %hop.remote, "keep-alive (STUN)");
        self.outputs.push_back(Output::Transmit {
            hop,
            bytes: bytes.clone(),
        });
        self.registration.stun.pending = Some(Pending {
            transaction,
            bytes,
            hop,
            give_up_at: now + STUN_ANSWER_WAIT,
            retransmit_at: now + STUN_FIRST_RETRANSMIT,
            retransmit_every: STUN_FIRST_RETRANSMIT,
        });
    }

    /// Retransmits the waiting STUN request, or gives it up.
    pub(super) fn stun_timer(&mut self, now: Instant) {
        let Some(pending) = self.registration.stun.pending.as_mut() else {
            return;
        };
        if pending.give_up_at <= now {
            self.registration.stun.pending = None;
            if self.registration.stun.answered() {
                tracing::warn!(account = %self.config.account, "no answer to the STUN keep-alive within {} s: the flow is gone; registering again", STUN_ANSWER_WAIT.as_secs());
                self.register_now(now);
            } else {
                tracing::info!(account = %self.config.account, "the server does not answer STUN: CRLF keep-alives on this flow");
                self.registration.stun.answers = Some(false);
            }
            return;
        }
        if pending.retransmit_at <= now {
            pending.retransmit_every = pending.retransmit_every.saturating_mul(2);
            pending.retransmit_at = now + pending.retransmit_every;
            let (hop, bytes) = (pending.hop, pending.bytes.clone());
            self.outputs.push_back(Output::Transmit { hop, bytes });
        }
    }

    /// A STUN message arrived on `from`: the answer to our keep-alive, or
    /// nothing of ours (dropped).
    pub(super) fn stun_arrived(&mut self, bytes: &[u8], from: Hop, now: Instant) {
        let message = match stun::parse(bytes) {
            Ok(m) => m,
            Err(e) => {
                tracing::debug!(account = %self.config.account, remote = %from.remote, "dropping a STUN packet: {e}");
                return;
            }
        };
        let ours = self
            .registration
            .stun
            .pending
            .as_ref()
            .is_some_and(|p| p.transaction == message.transaction && p.hop.remote == from.remote);
        if !ours || !matches!(message.kind, StunKind::Success | StunKind::Error) {
            tracing::debug!(account = %self.config.account, remote = %from.remote, "dropping a STUN message that answers nothing of ours");
            return;
        }
        self.registration.stun.pending = None;
        if self.registration.stun.answers != Some(true) {
            tracing::info!(account = %self.config.account, "the server answers STUN: STUN keep-alives on this outbound flow");
        }
        self.registration.stun.answers = Some(true);
        if let Some(mapped) = message.mapped {
            self.address_seen_by_stun(mapped, now);
        }
    }
}

#[cfg(test)]
#[path = "keepalive_tests.rs"]
mod tests;
