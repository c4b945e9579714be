//! Non-INVITE client transaction (RFC 3261 17.1.2, figure 6).
//!
//! Transitions:
//!
//! | From               | Input                     | To                                 |
//! |--------------------|---------------------------|------------------------------------|
//! | Trying             | 1xx (deliver)             | Proceeding                         |
//! | Trying, Proceeding | 200-699 (deliver)         | Completed (Terminated if reliable) |
//! | Trying, Proceeding | Timer E                   | same (retransmit request)          |
//! | Trying, Proceeding | Timer F / transport error | Terminated (+ event)               |
//! | Completed          | 200-699 (absorbed)        | Completed                          |
//! | Completed          | Timer K                   | Terminated                         |

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::timers::{deadline, TimerConfig};
use super::{classify_status, StatusClass};

/// State of a [`ClientNonInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientState {
    /// Request sent, no response yet.
    Trying,
    /// A provisional (1xx) response was received.
    Proceeding,
    /// A final response was received; absorbing retransmissions (Timer K).
    Completed,
    /// Finished; the transaction can be discarded.
    Terminated,
}

/// Event the transaction user (TU) must be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientEvent {
    /// Timer F fired before a final response arrived (treat as 408).
    TimedOut,
    /// The transport reported a failure ([`ClientNonInvite::on_transport_error`]).
    TransportError,
}

/// Running Timer E: when it fires next and the interval it was armed with.
#[derive(Debug, Clone, Copy)]
struct Retransmit {
    at: Instant,
    interval: Duration,
}

/// Non-INVITE client transaction state machine.
///
/// Drive it with [`on_response`](Self::on_response),
/// [`handle_timeout`](Self::handle_timeout) and
/// [`on_transport_error`](Self::on_transport_error); collect its output with
/// [`poll_transmit`](Self::poll_transmit), [`poll_event`](Self::poll_event)
/// and [`poll_timeout`](Self::poll_timeout). The initial transmission is
/// available from `poll_transmit()` right after [`new`](Self::new).
#[derive(Debug)]
pub struct ClientNonInvite {
    state: ClientState,
    reliable: bool,
    timers: TimerConfig,
    /// Request bytes; released once the transaction leaves Proceeding.
    request: Vec<u8>,
    /// A (re)transmission of `request` is waiting for `poll_transmit`.
    transmit_pending: bool,
    timer_e: Option<Retransmit>,
    timer_f: Option<Instant>,
    timer_k: Option<Instant>,
    events: VecDeque<ClientEvent>,
}

impl ClientNonInvite {
    /// Starts a transaction for `request` at `now`.
    ///
    /// `reliable` is true for TCP/TLS (no retransmissions, Timer K zero).
    /// Timer F (64*T1) is armed in both cases, Timer E (T1) only over
    /// unreliable transports.
    pub fn new(request: Vec<u8>, reliable: bool, now: Instant, timers: TimerConfig) -> Self {
        let timer_e = if reliable {
            None
        } else {
            let interval = timers.timer_e_initial();
            deadline(now, interval).map(|at| Retransmit { at, interval })
        };
        Self {
            state: ClientState::Trying,
            reliable,
            timers,
            request,
            transmit_pending: true,
            timer_e,
            timer_f: deadline(now, timers.timer_f()),
            timer_k: None,
            events: VecDeque::new(),
        }
    }

    /// Current state.
    pub fn state(&self) -> ClientState {
        self.state
    }

    /// True once the transaction reached [`ClientState::Terminated`].
    pub fn is_terminated(&self) -> bool {
        self.state == ClientState::Terminated
    }

    /// True when created for a reliable transport.
    pub fn is_reliable(&self) -> bool {
        self.reliable
    }

    /// Feeds a response matched to this transaction (RFC 3261 17.1.3).
    ///
    /// Returns true when the TU must see the response: every provisional
    /// response in Trying/Proceeding and the *first* final response.
    /// Retransmitted finals (Completed), anything after Terminated and
    /// invalid status codes (outside 100..=699) return false.
    pub fn on_response(&mut self, status: u16, now: Instant) -> bool {
        let Some(class) = classify_status(status) else {
            tracing::warn!(status, "client transaction ignoring invalid status code");
            return false;
        };
        match (self.state, class) {
            (ClientState::Trying | ClientState::Proceeding, StatusClass::Provisional) => {
                if self.state == ClientState::Trying {
                    tracing::debug!(status, "client transaction Trying -> Proceeding");
                    self.state = ClientState::Proceeding;
                }
                true
            }
            (ClientState::Trying | ClientState::Proceeding, StatusClass::Final) => {
                self.complete(status, now);
                true
            }
            (ClientState::Completed | ClientState::Terminated, _) => false,
        }
    }

    /// Fires every timer due at `now`.
    ///
    /// * Timer F (Trying/Proceeding): queue [`ClientEvent::TimedOut`] and
    ///   terminate. It takes precedence over a simultaneous Timer E.
    /// * Timer E (Trying/Proceeding): queue a retransmission and re-arm it
    ///   `min(2*interval, T2)` after `now` (T2 in Proceeding). It fires at
    ///   most once per call, so a late caller gets no burst of copies.
    /// * Timer K (Completed): terminate.
    pub fn handle_timeout(&mut self, now: Instant) {
        match self.state {
            ClientState::Trying | ClientState::Proceeding => {
                if self.timer_f.is_some_and(|at| at <= now) {
                    tracing::debug!("client transaction Timer F fired: timed out");
                    self.events.push_back(ClientEvent::TimedOut);
                    self.terminate();
                    return;
                }
                if let Some(e) = self.timer_e.filter(|e| e.at <= now) {
                    let interval = if self.state == ClientState::Proceeding {
                        self.timers.proceeding_retransmit_interval()
                    } else {
                        self.timers.next_retransmit_interval(e.interval)
                    };
                    tracing::trace!(?interval, "client transaction Timer E: retransmitting");
                    self.transmit_pending = true;
                    self.timer_e = deadline(now, interval).map(|at| Retransmit { at, interval });
                }
            }
            ClientState::Completed => {
                if self.timer_k.is_some_and(|at| at <= now) {
                    tracing::debug!("client transaction Timer K fired");
                    self.terminate();
                }
            }
            ClientState::Terminated => {}
        }
    }

    /// Reports a transport failure for this transaction (RFC 3261 17.1.4):
    /// in Trying/Proceeding queues [`ClientEvent::TransportError`] and
    /// terminates. Ignored in Completed (the TU already has its final
    /// response and nothing is sent any more) and Terminated.
    pub fn on_transport_error(&mut self) {
        if matches!(self.state, ClientState::Trying | ClientState::Proceeding) {
            tracing::debug!("client transaction transport error");
            self.events.push_back(ClientEvent::TransportError);
            self.terminate();
        }
    }

    /// Next bytes to hand to the transport, if any. Multiple pending
    /// retransmissions of the same request are coalesced into one.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        let active = matches!(self.state, ClientState::Trying | ClientState::Proceeding);
        if self.transmit_pending && active {
            self.transmit_pending = false;
            Some(self.request.clone())
        } else {
            None
        }
    }

    /// Instant at which [`handle_timeout`](Self::handle_timeout) must be
    /// called next, or `None` when no timer runs (Terminated).
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            ClientState::Trying | ClientState::Proceeding => {
                let e = self.timer_e.map(|e| e.at);
                match (e, self.timer_f) {
                    (Some(e), Some(f)) => Some(e.min(f)),
                    (e, f) => e.or(f),
                }
            }
            ClientState::Completed => self.timer_k,
            ClientState::Terminated => None,
        }
    }

    /// Next event for the TU, if any.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Enters Completed (arming Timer K) or, when Timer K is zero,
    /// Terminated directly.
    fn complete(&mut self, status: u16, now: Instant) {
        self.timer_e = None;
        self.timer_f = None;
        self.transmit_pending = false;
        self.request = Vec::new();
        let k = self.timers.timer_k(self.reliable);
        match deadline(now, k) {
            Some(at) if !k.is_zero() => {
                tracing::debug!(status, "client transaction -> Completed");
                self.state = ClientState::Completed;
                self.timer_k = Some(at);
            }
            _ => {
                tracing::debug!(status, "client transaction final response -> Terminated");
                self.terminate();
            }
        }
    }

    /// Enters Terminated, stopping all timers and output.
    fn terminate(&mut self) {
        self.state = ClientState::Terminated;
        self.timer_e = None;
        self.timer_f = None;
        self.timer_k = None;
        self.transmit_pending = false;
        self.request = Vec::new();
    }
}
