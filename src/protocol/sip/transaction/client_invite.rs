//! INVITE client transaction (RFC 3261 17.1.1, figure 5, with the RFC 6026
//! Accepted state).
//!
//! Transitions:
//!
//! | From               | Input                      | To                                   |
//! |--------------------|----------------------------|--------------------------------------|
//! | Calling            | Timer A (unreliable)       | Calling (retransmit INVITE)          |
//! | Calling            | 1xx (deliver)              | Proceeding                           |
//! | Calling/Proceeding | 2xx (deliver)              | Accepted (Timer M)                   |
//! | Calling/Proceeding | 300-699 (deliver, ACK)     | Completed (Timer D; Terminated if 0) |
//! | Calling/Proceeding | Timer B / transport error  | Terminated (+ event)                 |
//! | Accepted           | 2xx (deliver: the TU ACKs) | Accepted                             |
//! | Accepted           | Timer M                    | Terminated                           |
//! | Completed          | 300-699 (resend ACK)       | Completed                            |
//! | Completed          | Timer D                    | Terminated                           |
//!
//! The transaction does not parse SIP: the caller hands it the ACK for a
//! non-2xx final response (same branch, To with the response's tag). The
//! ACK for a 2xx is the dialog's business (a new transaction-less request).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::client::ClientEvent;
use super::timers::{deadline, TimerConfig};
use super::{classify_status, StatusClass};

/// State of a [`ClientInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientInviteState {
    /// INVITE sent, no response yet.
    Calling,
    /// A provisional response arrived.
    Proceeding,
    /// A 2xx arrived; later 2xx (from forks or retransmissions) still reach
    /// the TU so it can ACK them (Timer M).
    Accepted,
    /// A non-2xx final response arrived and was ACKed (Timer D).
    Completed,
    /// Finished.
    Terminated,
}

/// Running Timer A.
#[derive(Debug, Clone, Copy)]
struct Retransmit {
    at: Instant,
    interval: Duration,
}

/// INVITE client transaction state machine. Drive it like
/// [`super::ClientNonInvite`]; the first transmission is ready right after
/// [`new`](Self::new).
#[derive(Debug)]
pub struct ClientInvite {
    state: ClientInviteState,
    reliable: bool,
    timers: TimerConfig,
    request: Vec<u8>,
    /// The ACK of the non-2xx final response, resent on its retransmissions.
    ack: Option<Vec<u8>>,
    outgoing: VecDeque<Vec<u8>>,
    timer_a: Option<Retransmit>,
    timer_b: Option<Instant>,
    /// Timer D in Completed, Timer M in Accepted.
    linger_until: Option<Instant>,
    events: VecDeque<ClientEvent>,
}

impl ClientInvite {
    /// Starts the transaction for `request` at `now`. Timer B (64*T1) runs in
    /// every case, Timer A (T1, doubling) only over unreliable transports.
    pub fn new(request: Vec<u8>, reliable: bool, now: Instant, timers: TimerConfig) -> Self {
        let timer_a = if reliable {
            None
        } else {
            let interval = timers.timer_a_initial();
            deadline(now, interval).map(|at| Retransmit { at, interval })
        };
        let mut outgoing = VecDeque::new();
        outgoing.push_back(request.clone());
        Self {
            state: ClientInviteState::Calling,
            reliable,
            timers,
            request,
            ack: None,
            outgoing,
            timer_a,
            timer_b: deadline(now, timers.timer_b()),
            linger_until: None,
            events: VecDeque::new(),
        }
    }

    /// Current state.
    pub fn state(&self) -> ClientInviteState {
        self.state
    }

    /// True once Terminated.
    pub fn is_terminated(&self) -> bool {
        self.state == ClientInviteState::Terminated
    }

    /// Whether a provisional response has been seen (a CANCEL may only be
    /// sent after one, RFC 3261 9.1).
    pub fn has_provisional(&self) -> bool {
        self.state == ClientInviteState::Proceeding
    }

    /// Feeds a response matched to this transaction. `ack` is the ACK to
    /// send for a non-2xx final response (ignored otherwise); the caller may
    /// build it lazily since it is only consumed for 300-699.
    ///
    /// Returns true when the TU must see the response: provisional answers
    /// before the final one, the first non-2xx final, and every 2xx (each
    /// needs its own ACK from the dialog layer).
    pub fn on_response(&mut self, status: u16, ack: impl FnOnce() -> Vec<u8>, now: Instant) -> bool {
        let Some(class) = classify_status(status) else {
            tracing::warn!(status, "INVITE client transaction ignoring invalid status code");
            return false;
        };
        let success = (200..300).contains(&status);
        match self.state {
            ClientInviteState::Calling | ClientInviteState::Proceeding => match class {
                StatusClass::Provisional => {
                    self.state = ClientInviteState::Proceeding;
                    self.timer_a = None;
                    true
                }
                StatusClass::Final if success => {
                    self.stop_calling();
                    self.state = ClientInviteState::Accepted;
                    self.linger_until = deadline(now, self.timers.timer_m());
                    tracing::debug!(status, "INVITE client transaction -> Accepted");
                    true
                }
                StatusClass::Final => {
                    self.stop_calling();
                    let bytes = ack();
                    self.outgoing.push_back(bytes.clone());
                    self.ack = Some(bytes);
                    let d = self.timers.timer_d(self.reliable);
                    if d.is_zero() {
                        tracing::debug!(status, "INVITE client transaction final -> Terminated");
                        self.terminate();
                    } else {
                        tracing::debug!(status, "INVITE client transaction -> Completed");
                        self.state = ClientInviteState::Completed;
                        self.linger_until = deadline(now, d);
                    }
                    true
                }
            },
            ClientInviteState::Accepted => success,
            ClientInviteState::Completed => {
                if class == StatusClass::Final && !success {
                    if let Some(ack) = &self.ack {
                        self.outgoing.push_back(ack.clone());
                    }
                }
                false
            }
            ClientInviteState::Terminated => false,
        }
    }

    /// Fires the timers due at `now`: Timer B (time out), Timer A
    /// (retransmit, interval doubling without cap), Timer D / M (terminate).
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            ClientInviteState::Calling | ClientInviteState::Proceeding => {
                if self.timer_b.is_some_and(|at| at <= now) {
                    tracing::debug!("INVITE client transaction Timer B fired: timed out");
                    self.events.push_back(ClientEvent::TimedOut);
                    self.terminate();
                    return;
                }
                if let Some(a) = self.timer_a.filter(|a| a.at <= now) {
                    let interval = a.interval.saturating_mul(2);
                    self.outgoing.push_back(self.request.clone());
                    self.timer_a = deadline(now, interval).map(|at| Retransmit { at, interval });
                }
            }
            ClientInviteState::Accepted | ClientInviteState::Completed => {
                if self.linger_until.is_some_and(|at| at <= now) {
                    self.terminate();
                }
            }
            ClientInviteState::Terminated => {}
        }
    }

    /// The transport failed before a final response: queue
    /// [`ClientEvent::TransportError`] and terminate.
    pub fn on_transport_error(&mut self) {
        if matches!(
            self.state,
            ClientInviteState::Calling | ClientInviteState::Proceeding
        ) {
            self.events.push_back(ClientEvent::TransportError);
            self.terminate();
        }
    }

    /// Next bytes to send (the INVITE, its retransmissions, or the ACK).
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.outgoing.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) is due next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            ClientInviteState::Calling | ClientInviteState::Proceeding => {
                [self.timer_a.map(|a| a.at), self.timer_b]
                    .into_iter()
                    .flatten()
                    .min()
            }
            ClientInviteState::Accepted | ClientInviteState::Completed => self.linger_until,
            ClientInviteState::Terminated => None,
        }
    }

    /// Next event for the TU.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    fn stop_calling(&mut self) {
        self.timer_a = None;
        self.timer_b = None;
        self.request = Vec::new();
    }

    fn terminate(&mut self) {
        self.state = ClientInviteState::Terminated;
        self.stop_calling();
        self.linger_until = None;
        self.ack = None;
    }
}
