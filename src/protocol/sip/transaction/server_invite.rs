//! INVITE server transaction (RFC 3261 17.2.1, figure 7, with the RFC 6026
//! Accepted state).
//!
//! Transitions:
//!
//! | From        | Input                  | To                                          |
//! |-------------|------------------------|---------------------------------------------|
//! | Proceeding  | request retransmission | Proceeding (resend last 1xx)                |
//! | Proceeding  | TU sends 1xx           | Proceeding                                  |
//! | Proceeding  | TU sends 2xx           | Accepted (Timer L; 2xx resent until ACK)    |
//! | Proceeding  | TU sends 300-699       | Completed (Timer G unreliable, Timer H)     |
//! | Completed   | request retransmission | Completed (resend final)                    |
//! | Completed   | Timer G                | Completed (resend final)                    |
//! | Completed   | ACK                    | Confirmed (Timer I; Terminated if reliable) |
//! | Completed   | Timer H                | Terminated (+ NoAck)                        |
//! | Accepted    | ACK                    | Accepted (stop resending the 2xx)           |
//! | Accepted    | Timer L                | Terminated (+ NoAck if no ACK came)         |
//! | Confirmed   | Timer I                | Terminated                                  |
//!
//! RFC 3261 makes the TU resend a 2xx until its ACK arrives (13.3.1.4);
//! this machine does it for the TU, over unreliable transports, with the
//! Timer G schedule, and reports [`ServerInviteEvent::NoAck`] when Timer L
//! ends without one (the dialog then hangs up with BYE).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::timers::{deadline, TimerConfig};
use super::{classify_status, StatusClass, TransactionError};

/// State of a [`ServerInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerInviteState {
    /// The INVITE arrived; no final answer yet.
    Proceeding,
    /// A 300-699 went out; waiting for its ACK.
    Completed,
    /// The ACK of the 300-699 arrived; absorbing retransmissions.
    Confirmed,
    /// A 2xx went out.
    Accepted,
    /// Finished.
    Terminated,
}

/// Something the TU must know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerInviteEvent {
    /// Our final answer was never ACKed (Timer H or L).
    NoAck,
    /// The transport failed.
    TransportError,
}

/// Resending the final response.
#[derive(Debug, Clone, Copy)]
struct Retransmit {
    at: Instant,
    interval: Duration,
}

/// INVITE server transaction state machine.
#[derive(Debug)]
pub struct ServerInvite {
    state: ServerInviteState,
    reliable: bool,
    timers: TimerConfig,
    last_response: Option<Vec<u8>>,
    outgoing: VecDeque<Vec<u8>>,
    resend: Option<Retransmit>,
    /// Timer H (Completed), L (Accepted) or I (Confirmed).
    end_at: Option<Instant>,
    acked: bool,
    events: VecDeque<ServerInviteEvent>,
}

impl ServerInvite {
    /// A transaction for a newly received INVITE, in Proceeding. The TU
    /// should answer 100 Trying (or better) at once.
    pub fn new(reliable: bool, timers: TimerConfig) -> Self {
        Self {
            state: ServerInviteState::Proceeding,
            reliable,
            timers,
            last_response: None,
            outgoing: VecDeque::new(),
            resend: None,
            end_at: None,
            acked: false,
            events: VecDeque::new(),
        }
    }

    /// Current state.
    pub fn state(&self) -> ServerInviteState {
        self.state
    }

    /// True once Terminated.
    pub fn is_terminated(&self) -> bool {
        self.state == ServerInviteState::Terminated
    }

    /// Whether a final response has gone out.
    pub fn has_final(&self) -> bool {
        self.state != ServerInviteState::Proceeding
    }

    /// A retransmitted INVITE: what to send back (the last provisional in
    /// Proceeding, the final in Completed; nothing otherwise).
    pub fn on_request_retransmission(&mut self) -> Option<Vec<u8>> {
        match self.state {
            ServerInviteState::Proceeding | ServerInviteState::Completed => self.last_response.clone(),
            _ => None,
        }
    }

    /// The TU answers with `status` (wire form `bytes`).
    ///
    /// # Errors
    ///
    /// [`TransactionError::InvalidStatus`] outside 100..=699,
    /// [`TransactionError::FinalAlreadySent`] after a final answer.
    pub fn send_response(
        &mut self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<(), TransactionError> {
        let class = classify_status(status).ok_or(TransactionError::InvalidStatus(status))?;
        if self.state != ServerInviteState::Proceeding {
            return Err(TransactionError::FinalAlreadySent);
        }
        self.outgoing.push_back(bytes.clone());
        self.last_response = Some(bytes);
        if class == StatusClass::Provisional {
            return Ok(());
        }
        let interval = self.timers.timer_g_initial();
        self.resend = if self.reliable {
            None
        } else {
            deadline(now, interval).map(|at| Retransmit { at, interval })
        };
        if (200..300).contains(&status) {
            tracing::debug!(status, "INVITE server transaction -> Accepted");
            self.state = ServerInviteState::Accepted;
            self.end_at = deadline(now, self.timers.timer_l());
        } else {
            tracing::debug!(status, "INVITE server transaction -> Completed");
            self.state = ServerInviteState::Completed;
            self.end_at = deadline(now, self.timers.timer_h());
        }
        Ok(())
    }

    /// An ACK for this INVITE arrived. Returns true when it was the first
    /// ACK of our final answer (a 2xx's ACK is also the dialog's news).
    pub fn on_ack(&mut self, now: Instant) -> bool {
        match self.state {
            ServerInviteState::Completed => {
                self.resend = None;
                self.acked = true;
                let i = self.timers.timer_i(self.reliable);
                if i.is_zero() {
                    self.terminate();
                } else {
                    self.state = ServerInviteState::Confirmed;
                    self.end_at = deadline(now, i);
                }
                true
            }
            ServerInviteState::Accepted if !self.acked => {
                self.resend = None;
                self.acked = true;
                true
            }
            _ => false,
        }
    }

    /// Whether our 2xx went out and its ACK has not arrived yet (the callee
    /// must not send BYE then: RFC 3261 section 15).
    pub fn awaits_ack(&self) -> bool {
        self.state == ServerInviteState::Accepted && !self.acked
    }

    /// Fires the timers due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.end_at.is_some_and(|at| at <= now) {
            let unanswered = matches!(self.state, ServerInviteState::Completed)
                || (self.state == ServerInviteState::Accepted && !self.acked);
            if unanswered {
                tracing::debug!(state = ?self.state, "INVITE server transaction: no ACK");
                self.events.push_back(ServerInviteEvent::NoAck);
            }
            self.terminate();
            return;
        }
        if let Some(r) = self.resend.filter(|r| r.at <= now) {
            if let Some(bytes) = &self.last_response {
                self.outgoing.push_back(bytes.clone());
            }
            let interval = self.timers.next_retransmit_interval(r.interval);
            self.resend = deadline(now, interval).map(|at| Retransmit { at, interval });
        }
    }

    /// The transport failed: report it and terminate.
    pub fn on_transport_error(&mut self) {
        if self.state != ServerInviteState::Terminated {
            self.events.push_back(ServerInviteEvent::TransportError);
            self.outgoing.clear();
            self.terminate();
        }
    }

    /// Next response bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.outgoing.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [self.resend.map(|r| r.at), self.end_at]
            .into_iter()
            .flatten()
            .min()
    }

    /// Next event for the TU.
    pub fn poll_event(&mut self) -> Option<ServerInviteEvent> {
        self.events.pop_front()
    }

    fn terminate(&mut self) {
        self.state = ServerInviteState::Terminated;
        self.resend = None;
        self.end_at = None;
        self.last_response = None;
    }
}
