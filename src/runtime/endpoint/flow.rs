//! The flow to an account's server: connecting it (off the loop), keeping
//! it (reconnect with backoff when it fails or closes), registering over
//! it, and whether messages can go out now. Keep-alives: a stream pings
//! itself (`transport::stream`, CRLFCRLF, a missing pong closes it and the
//! flow is opened and registered again; before the registrar said
//! `Require: outbound`, only once the server has answered a ping); a UDP
//! registration's keep-alives (double CRLF, or STUN on an outbound flow)
//! come from the agent, at the account's interval.

use super::routing::{connect_flow, FlowHandle};
use super::{Endpoint, Internal};
use crate::model::RegistrationState;
use crate::protocol::sip::agent::Hop;
use crate::runtime::event::Event;
use crate::runtime::outbox::OutboxInput;
use crate::transport::TransportError;
use std::time::Duration;
use tokio::time::Instant;

/// Delays between attempts to reach the server (then the last repeats).
const RECONNECT_DELAYS: [u64; 6] = [1, 2, 5, 10, 30, 60];
/// How soon a closed flow is opened again.
const RECONNECT_AFTER_CLOSE: Duration = Duration::from_secs(1);

impl Endpoint {
    /// Whether messages can go out now: the local account always; a server
    /// account once its flow is up and, when it registers, it is registered.
    pub(crate) fn can_send(&self) -> bool {
        match self.target {
            None => true,
            Some(_) => self.flow.is_some() && (!self.register || self.agent.is_registered()),
        }
    }

    /// Whether a server account without a flow is opening one, or will
    /// soon: what needs the flow may wait for it.
    pub(crate) fn flow_coming(&self) -> bool {
        self.target.is_some()
            && self.shutting_down.is_none()
            && (self.flow_connecting || self.reconnect_at.is_some())
    }

    /// Whether the account has a server (not peer to peer).
    pub(crate) fn is_server_account(&self) -> bool {
        self.target.is_some()
    }

    /// The hop to send through, for server accounts (the flow), if it is up.
    pub(super) fn server_hop(&self) -> Option<Hop> {
        self.target.as_ref().and(self.flow)
    }

    /// The hop for a chat of a server account (its flow), if it is up.
    pub(crate) fn server_hop_for_chat(&self) -> Option<Hop> {
        self.server_hop()
    }

    /// Connects the server flow off the loop; the result comes back as
    /// [`Internal::FlowUp`].
    pub(super) fn start_flow(&mut self) {
        let Some(target) = self.target.clone() else { return };
        self.flow_connecting = true;
        self.reconnect_at = None;
        let events = self.transport_tx.clone();
        let internal = self.internal_tx.clone();
        let udp_existing = self.udp.clone();
        tokio::spawn(async move {
            let result = connect_flow(&target, udp_existing, events).await;
            let _ = internal.send(Internal::FlowUp(result));
        });
    }

    /// The flow is up (register over it) or could not be opened (try
    /// again later, and say why).
    pub(super) fn flow_up(&mut self, result: Result<FlowHandle, TransportError>) {
        self.flow_connecting = false;
        match result {
            Ok(handle) => {
                self.flow_established(handle);
                self.flow_settled(None);
            }
            Err(e) => {
                self.flow_settled(Some(&e));
                if let TransportError::Certificate { refusal, .. } = &e {
                    if self.certificate_refused(refusal, e.to_string()) {
                        return;
                    }
                }
                let delay = RECONNECT_DELAYS[self.reconnect_failures.min(RECONNECT_DELAYS.len() - 1)];
                self.reconnect_failures += 1;
                self.reconnect_at = Some(Instant::now() + Duration::from_secs(delay));
                tracing::warn!("cannot reach the server: {e}");
                // The words name the server as the user configured it; the
                // window adds "next try in N s" and counts down.
                let server = self.target.as_ref().map_or_else(
                    || "the server".to_string(),
                    |t| match (t.port, t.host.contains(':')) {
                        (Some(port), true) => format!("[{}]:{port}", t.host),
                        (Some(port), false) => format!("{}:{port}", t.host),
                        (None, _) => t.host.clone(),
                    },
                );
                self.feed_outbox(OutboxInput::Unreachable {
                    reason: e.to_string(),
                });
                self.emit(Event::AccountState {
                    account: self.account_id(),
                    state: RegistrationState::Failed {
                        reason: format!("cannot reach {server}: {e}"),
                        retry_in_secs: delay,
                    },
                });
            }
        }
    }

    fn flow_established(&mut self, handle: FlowHandle) {
        self.reconnect_failures = 0;
        let hop = match handle {
            FlowHandle::Udp { socket, hop } => {
                // The endpoint's loop reads every socket it keeps.
                if self.udp.towards(hop.remote).is_none() {
                    self.udp.add(socket);
                }
                hop
            }
            FlowHandle::Stream(h) => {
                let hop = Hop {
                    transport: h.transport,
                    remote: h.remote,
                    local: h.local,
                    conn: Some(h.id),
                };
                self.streams.insert(h.id, h);
                hop
            }
        };
        tracing::info!(remote = %hop.remote, local = %hop.local, "connected over {}", hop.transport);
        // Streams send their own CRLFCRLF pings; a UDP registration's
        // keep-alives are the agent's.
        let keepalive = self.target.as_ref().and_then(|t| t.keepalive);
        self.agent.set_udp_keepalive(keepalive);
        // RFC 5626 / 5627: an instance id of this install for this account
        // (the install's seed and the AoR: `runtime::instance`).
        let seed = format!("{}|{}", self.instance_seed, self.agent.config().aor);
        self.agent
            .set_instance(Some(crate::protocol::sip::agent::instance_from(seed.as_bytes())));
        self.flow = Some(hop);
        if self.register {
            self.agent.register(hop, self.now());
        } else {
            // Not registering (`register: false`, or a one-shot command):
            // the flow is all the account needs to send and to take what
            // the server sends back over it; say so, as the local account
            // does.
            self.emit(Event::AccountState {
                account: self.account_id(),
                state: super::routing::listening_state(&[hop.local]),
            });
            self.outbox_can_send();
        }
    }

    /// The registration over the flow succeeded: on an RFC 5626 outbound
    /// flow (the registrar said `Require: outbound`) the stream's pings
    /// must be answered; on a plain one only a server that answered before
    /// is held to it (`transport::stream`).
    pub(super) fn flow_registered(&mut self) {
        let outbound = self.agent.uses_outbound();
        if let Some(stream) = self.flow.and_then(|f| f.conn).and_then(|c| self.streams.get(&c)) {
            stream.require_pongs(outbound);
        }
    }

    /// The stream `conn` closed: when it was the flow, the agent is told
    /// and the flow is opened again soon.
    pub(super) fn flow_closed(&mut self, conn: u64, reason: &str) {
        if self.flow.is_none_or(|f| f.conn != Some(conn)) {
            return;
        }
        self.flow = None;
        self.agent.flow_lost(reason, self.now());
        if self.shutting_down.is_none() {
            self.reconnect_at = Some(Instant::now() + RECONNECT_AFTER_CLOSE);
        }
        self.outbox_can_send();
    }

    /// A reconnect is due.
    pub(super) fn reconnect_due(&mut self, now: Instant) {
        if self.reconnect_at.is_some_and(|at| at <= now) && !self.flow_connecting {
            self.start_flow();
        }
    }
}
