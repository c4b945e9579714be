//! Non-INVITE server transaction (RFC 3261 17.2.2, figure 8).
//!
//! Transitions:
//!
//! | From               | Input                  | To                                 |
//! |--------------------|------------------------|------------------------------------|
//! | Trying             | request retransmission | Trying (absorbed)                  |
//! | Trying/Proceeding  | TU sends 1xx           | Proceeding                         |
//! | Trying/Proceeding  | TU sends 200-699       | Completed (Terminated if reliable) |
//! | Proceeding         | request retransmission | Proceeding (resend last 1xx)       |
//! | Completed          | request retransmission | Completed (resend final)           |
//! | Completed          | Timer J                | Terminated                         |
//! | any but Terminated | transport error        | Terminated (+ event)               |
//!
//! The server transaction has no timer before the final response: the TU
//! must always answer every request it receives, otherwise the transaction
//! (and its table slot) lives forever.

use std::collections::VecDeque;
use std::time::Instant;

use super::timers::{deadline, TimerConfig};
use super::{classify_status, StatusClass, TransactionError};

/// State of a [`ServerNonInvite`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerState {
    /// Request received, the TU has not responded yet.
    Trying,
    /// The TU sent a provisional response.
    Proceeding,
    /// The TU sent a final response; absorbing request retransmissions
    /// (Timer J).
    Completed,
    /// Finished; the transaction can be discarded.
    Terminated,
}

/// Event the TU must be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerEvent {
    /// The transport reported a failure
    /// ([`ServerNonInvite::on_transport_error`]).
    TransportError,
}

/// Non-INVITE server transaction state machine.
///
/// Created by the caller when a request that matches no existing server
/// transaction arrives; the request itself is passed to the TU by the
/// caller. Responses go in through [`send_response`](Self::send_response)
/// and come out of [`poll_transmit`](Self::poll_transmit).
#[derive(Debug)]
pub struct ServerNonInvite {
    state: ServerState,
    reliable: bool,
    timers: TimerConfig,
    created_at: Instant,
    /// Most recent response, replayed on request retransmissions.
    last_response: Option<Vec<u8>>,
    /// Responses waiting for `poll_transmit`, oldest first.
    outgoing: VecDeque<Vec<u8>>,
    timer_j: Option<Instant>,
    events: VecDeque<ServerEvent>,
}

impl ServerNonInvite {
    /// Creates a transaction in Trying for a request received at `now`.
    /// `reliable` is true for TCP/TLS (Timer J zero).
    pub fn new(reliable: bool, now: Instant, timers: TimerConfig) -> Self {
        Self {
            state: ServerState::Trying,
            reliable,
            timers,
            created_at: now,
            last_response: None,
            outgoing: VecDeque::new(),
            timer_j: None,
            events: VecDeque::new(),
        }
    }

    /// Current state.
    pub fn state(&self) -> ServerState {
        self.state
    }

    /// True once the transaction reached [`ServerState::Terminated`].
    /// Responses queued before termination are still returned by
    /// [`poll_transmit`](Self::poll_transmit).
    pub fn is_terminated(&self) -> bool {
        self.state == ServerState::Terminated
    }

    /// True when created for a reliable transport.
    pub fn is_reliable(&self) -> bool {
        self.reliable
    }

    /// The `now` passed to [`new`](Self::new) (for diagnostics).
    pub fn created_at(&self) -> Instant {
        self.created_at
    }

    /// A retransmission of the request arrived (RFC 3261 17.2.2).
    ///
    /// Returns the bytes to send back: `None` in Trying (absorbed) and
    /// Terminated, the most recent provisional response in Proceeding, the
    /// final response in Completed. The bytes are returned directly, not
    /// queued for [`poll_transmit`](Self::poll_transmit).
    pub fn on_request_retransmission(&mut self) -> Option<Vec<u8>> {
        match self.state {
            ServerState::Trying | ServerState::Terminated => None,
            ServerState::Proceeding | ServerState::Completed => self.last_response.clone(),
        }
    }

    /// The TU sends a response with status `status` and wire form `bytes`;
    /// the bytes are queued for [`poll_transmit`](Self::poll_transmit).
    ///
    /// A provisional response moves Trying to Proceeding. A final response
    /// moves to Completed and arms Timer J (64*T1 unreliable); over a
    /// reliable transport Timer J is zero, so the transaction goes straight
    /// to Terminated (the response is still queued).
    ///
    /// # Errors
    ///
    /// Nothing is queued and the state is unchanged when:
    /// * `status` is outside 100..=699: [`TransactionError::InvalidStatus`];
    /// * a final response was already sent and the transaction is still in
    ///   Completed: [`TransactionError::FinalAlreadySent`];
    /// * the transaction is Terminated: [`TransactionError::Terminated`].
    pub fn send_response(
        &mut self,
        status: u16,
        bytes: Vec<u8>,
        now: Instant,
    ) -> Result<(), TransactionError> {
        let class = classify_status(status).ok_or(TransactionError::InvalidStatus(status))?;
        match self.state {
            ServerState::Completed => return Err(TransactionError::FinalAlreadySent),
            ServerState::Terminated => return Err(TransactionError::Terminated),
            ServerState::Trying | ServerState::Proceeding => {}
        }
        self.last_response = Some(bytes.clone());
        self.outgoing.push_back(bytes);
        match class {
            StatusClass::Provisional => {
                if self.state == ServerState::Trying {
                    tracing::debug!(status, "server transaction Trying -> Proceeding");
                    self.state = ServerState::Proceeding;
                }
            }
            StatusClass::Final => {
                let j = self.timers.timer_j(self.reliable);
                match deadline(now, j) {
                    Some(at) if !j.is_zero() => {
                        tracing::debug!(status, "server transaction -> Completed");
                        self.state = ServerState::Completed;
                        self.timer_j = Some(at);
                    }
                    _ => {
                        tracing::debug!(status, "server transaction final response -> Terminated");
                        self.terminate();
                    }
                }
            }
        }
        Ok(())
    }

    /// Fires Timer J if due at `now` (Completed -> Terminated).
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == ServerState::Completed && self.timer_j.is_some_and(|at| at <= now) {
            tracing::debug!("server transaction Timer J fired");
            self.terminate();
        }
    }

    /// Reports a failure to send a response (RFC 3261 17.2.4): queues
    /// [`ServerEvent::TransportError`] and terminates, discarding responses
    /// not yet transmitted. Ignored when already Terminated.
    pub fn on_transport_error(&mut self) {
        if self.state != ServerState::Terminated {
            tracing::debug!("server transaction transport error");
            self.events.push_back(ServerEvent::TransportError);
            self.outgoing.clear();
            self.terminate();
        }
    }

    /// Next response bytes to hand to the transport, oldest first.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.outgoing.pop_front()
    }

    /// Instant at which [`handle_timeout`](Self::handle_timeout) must be
    /// called next (Timer J in Completed), otherwise `None`.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            ServerState::Completed => self.timer_j,
            _ => None,
        }
    }

    /// Next event for the TU, if any.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// True while responses or events are waiting to be polled.
    pub fn has_pending_output(&self) -> bool {
        !self.outgoing.is_empty() || !self.events.is_empty()
    }

    /// What answers a retransmission of a Completed transaction: its final
    /// response and Timer J's deadline. `None` in any other state. The table
    /// keeps only these once the response was collected.
    pub fn into_completed(self) -> Option<(Vec<u8>, Instant)> {
        match (self.state, self.last_response, self.timer_j) {
            (ServerState::Completed, Some(answer), Some(at)) => Some((answer, at)),
            _ => None,
        }
    }

    /// Enters Terminated, releasing the stored response and Timer J.
    fn terminate(&mut self) {
        self.state = ServerState::Terminated;
        self.timer_j = None;
        self.last_response = None;
    }
}
