//! One task per account: drives the sans-IO [`Agent`] with sockets and tokio
//! time, keeps the server flow up, and turns agent events into runtime
//! events. Storage and the outbox are in `outbox.rs`; reaching servers and
//! peers in `routing.rs`.

pub(crate) mod sessions;

use super::account::{AccountSetup, ChatSettings, ServerTarget};
use super::chats::{ChatInput, Chats};
use super::event::Event;
use super::msrp_hub::MsrpHub;
use super::msrp_task::TaskNews;
use super::routing::{connect_flow, route_key, FlowHandle};
use super::storage::StoreActor;
use super::transfers::{TransferInput, Transfers};
use crate::model::{AccountId, DeliveryState, MessageId, RegistrationState, SessionId};
use crate::protocol::sip::agent::{
    Agent, AgentEvent, ArrivedMessage, Hop, IncomingToken, MessageIdentity, Output,
};
use crate::protocol::sip::uri::{SipUri, Transport};
use crate::store::{InsertOutcome, OutboxEntry};
use crate::transport::stream::{self, StreamHandle};
use crate::transport::{udp, ConnId, TransportError, TransportEvent};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::Instrument;

/// How long shutdown waits for the unregistration to be answered.
pub const UNREGISTER_GRACE: Duration = Duration::from_secs(4);
/// Transport events buffered per endpoint.
pub const TRANSPORT_QUEUE: usize = 1024;
/// The outbox is looked at this often even when nothing asks for it.
pub const OUTBOX_SWEEP: Duration = Duration::from_secs(60);
/// Delays between attempts to reach the server (then the last repeats).
const RECONNECT_DELAYS: [u64; 6] = [1, 2, 5, 10, 30, 60];

/// What the supervisor asks of an endpoint.
#[derive(Debug)]
pub(crate) enum AccountCommand {
    Register,
    Unregister,
    Send { id: MessageId, to: String, text: String },
    Retry { id: MessageId },
    Chat(sessions::ChatCommand),
    Shutdown,
}

/// Results of work the endpoint spawned.
#[derive(Debug)]
pub(crate) enum Internal {
    FlowUp(Result<FlowHandle, TransportError>),
    /// A session's peer-to-peer path is open (or not).
    SessionRouted {
        session: SessionId,
        route: Result<(Hop, Option<StreamHandle>), String>,
    },
    /// News from a session's MSRP task.
    Msrp(TaskNews),
    /// Work for the chats came back.
    Chats(ChatInput),
    /// Work for the transfers came back.
    Transfers(TransferInput),
    /// The peer-to-peer path for a page-mode file is open (or not).
    PageFileRouted {
        id: MessageId,
        route: Result<(Hop, Option<StreamHandle>), String>,
    },
    RouteReady {
        key: String,
        route: Result<(Hop, Option<StreamHandle>), String>,
    },
    Queued {
        id: MessageId,
        to: String,
        result: Result<MessageId, String>,
    },
    Due(Result<Vec<OutboxEntry>, String>),
    AttemptRecorded {
        entry: OutboxEntry,
        identity: MessageIdentity,
        result: Result<(), String>,
    },
    Stored {
        token: IncomingToken,
        message: ArrivedMessage,
        result: Result<InsertOutcome, String>,
    },
    AlertStored(Box<super::alerts::StoredAlertClaim>),
    /// Work for a file inside a page-mode MESSAGE (`page_file.rs`).
    PageFile(Box<super::page_file::PageFileInternal>),
    Persisted,
    /// A message went back to the outbox: send what is due.
    Requeued,
}

/// A message waiting for its peer-to-peer path.
#[derive(Debug)]
struct Waiting {
    entry: OutboxEntry,
    identity: MessageIdentity,
}

/// How an endpoint behaves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndpointOptions {
    pub auto_register: bool,
    /// Retry retryable failures from the outbox (off for one-shot sends).
    pub retries: bool,
}

pub(crate) struct Endpoint {
    id: AccountId,
    pub(crate) agent: Agent,
    events: mpsc::UnboundedSender<Event>,
    pub(crate) store: StoreActor,
    pub(super) transport_tx: mpsc::Sender<TransportEvent>,
    pub(crate) internal_tx: mpsc::UnboundedSender<Internal>,
    pub(super) udp: Option<Arc<UdpSocket>>,
    pub(super) streams: HashMap<ConnId, StreamHandle>,
    target: Option<ServerTarget>,
    flow: Option<Hop>,
    flow_connecting: bool,
    routing: HashMap<String, Vec<Waiting>>,
    register: bool,
    pub(crate) retries: bool,
    pub(crate) in_flight: HashMap<MessageId, OutboxEntry>,
    pub(crate) pumping: bool,
    pub(crate) pump_again: bool,
    pub(crate) recovered: bool,
    pump_at: Option<Instant>,
    reconnect_at: Option<Instant>,
    reconnect_failures: usize,
    shutting_down: Option<Instant>,
    /// Normalised senders whose alerts are trusted.
    pub(crate) trusted_alert_senders: Vec<String>,
    epoch: Instant,
    std_epoch: std::time::Instant,
    /// The chats feature (`chats/`).
    pub(crate) chats: Chats,
    /// The transfers feature (`transfers/`).
    pub(crate) transfers: Transfers,
    /// Which feature owns which SIP session, and the MSRP tasks.
    pub(crate) sessions: sessions::SessionRoutes,
    pub(crate) hub: Option<Arc<MsrpHub>>,
    pub(crate) chat_settings: ChatSettings,
    /// Files inside page-mode MESSAGEs, both ways.
    pub(crate) page_files: super::page_file::PageFiles,
}

impl Endpoint {
    /// Binds what the account needs and spawns its task.
    pub(crate) async fn spawn(
        setup: AccountSetup,
        options: EndpointOptions,
        store: StoreActor,
        events: mpsc::UnboundedSender<Event>,
        hub: Option<Arc<MsrpHub>>,
    ) -> Result<(mpsc::UnboundedSender<AccountCommand>, tokio::task::JoinHandle<()>), TransportError> {
        let (transport_tx, transport_rx) = mpsc::channel(TRANSPORT_QUEUE);
        let (internal_tx, internal_rx) = mpsc::unbounded_channel();
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let seed = rand::random::<u64>();
        let (agent, target, register, udp, listening, chat_settings, trusted_alert_senders) = match setup {
            AccountSetup::Server {
                agent,
                target,
                register,
                chat,
                trusted_alert_senders,
            } => (
                Agent::new(agent, seed),
                Some(target),
                register && options.auto_register,
                None,
                None,
                chat,
                trusted_alert_senders,
            ),
            AccountSetup::Local { agent, bind, chat } => {
                let socket = udp::bind(bind).await?;
                let bound = socket.local_addr().map_err(|source| TransportError::Bind {
                    addr: bind,
                    transport: Transport::Udp,
                    source,
                })?;
                udp::spawn_reader(socket.clone(), transport_tx.clone());
                // TCP on the same port, so peers may use either.
                stream::listen_tcp(SocketAddr::new(bind.ip(), bound.port()), transport_tx.clone()).await?;
                let mut agent_config = agent;
                agent_config.listen_port = Some(bound.port());
                (
                    Agent::new(agent_config, seed),
                    None,
                    false,
                    Some(socket),
                    Some(bound),
                    chat,
                    // The peer-to-peer account trusts no alert sender.
                    Vec::new(),
                )
            }
        };
        let id = AccountId(agent.config().account.clone());
        let (chats, transfers) = sessions::features(
            &id,
            agent.config().aor.to_string(),
            &chat_settings,
            hub.as_ref(),
            target.is_some(),
            super::clock::Now::read(),
        );
        let endpoint = Endpoint {
            id: id.clone(),
            agent,
            events,
            store,
            transport_tx,
            internal_tx,
            udp,
            streams: HashMap::new(),
            target,
            flow: None,
            flow_connecting: false,
            routing: HashMap::new(),
            register,
            retries: options.retries,
            in_flight: HashMap::new(),
            pumping: false,
            pump_again: false,
            recovered: false,
            pump_at: None,
            reconnect_at: None,
            reconnect_failures: 0,
            shutting_down: None,
            trusted_alert_senders,
            epoch: Instant::now(),
            std_epoch: std::time::Instant::now(),
            chats,
            transfers,
            sessions: Default::default(),
            hub,
            chat_settings,
            page_files: Default::default(),
        };
        if let Some(addr) = listening {
            endpoint.emit(Event::AccountState {
                account: id.clone(),
                state: RegistrationState::Listening {
                    address: super::routing::reachable_address(addr).to_string(),
                },
            });
        }
        let span = tracing::info_span!("account", account = %id);
        let task = tokio::spawn(endpoint.run(cmd_rx, transport_rx, internal_rx).instrument(span));
        Ok((cmd_tx, task))
    }

    pub(crate) fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    pub(crate) fn account_name(&self) -> &str {
        &self.id.0
    }

    pub(crate) fn account_id(&self) -> AccountId {
        self.id.clone()
    }

    /// Converts tokio time to the std Instant the sans-IO core uses.
    pub(crate) fn now(&self) -> std::time::Instant {
        self.std_epoch + (Instant::now() - self.epoch)
    }

    fn to_tokio(&self, at: std::time::Instant) -> Instant {
        self.epoch + at.saturating_duration_since(self.std_epoch)
    }

    /// Whether messages can go out now: the local account always; a server
    /// account once its flow is up and, when it registers, it is registered.
    pub(crate) fn can_send(&self) -> bool {
        match self.target {
            None => true,
            Some(_) => self.flow.is_some() && (!self.register || self.agent.is_registered()),
        }
    }

    pub(crate) fn schedule_pump_at(&mut self, delay: Duration) {
        let at = Instant::now() + delay;
        self.pump_at = Some(self.pump_at.map_or(at, |old| old.min(at)));
    }

    pub(crate) fn schedule_next_pump(&mut self) {
        self.schedule_pump_at(OUTBOX_SWEEP);
    }

    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<AccountCommand>,
        mut transport_rx: mpsc::Receiver<TransportEvent>,
        mut internal_rx: mpsc::UnboundedReceiver<Internal>,
    ) {
        if self.target.is_some() {
            self.start_flow();
        } else {
            self.pump_outbox();
        }
        self.load_pending_page_files();
        let mut commands_open = true;
        loop {
            let wake = [
                self.agent.poll_timeout().map(|t| self.to_tokio(t)),
                self.reconnect_at,
                self.shutting_down,
                self.pump_at,
                self.sessions_poll_timeout().map(|t| self.to_tokio(t)),
            ]
            .into_iter()
            .flatten()
            .min();
            let sleep = async {
                match wake {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                cmd = commands.recv(), if commands_open => match cmd {
                    Some(AccountCommand::Shutdown) | None => {
                        // The supervisor drops its sender right after Shutdown:
                        // stop listening, and let the unregistration finish.
                        commands_open = cmd.is_some();
                        if self.begin_shutdown() { break; }
                    }
                    Some(cmd) => self.on_command(cmd),
                },
                Some(ev) = transport_rx.recv() => self.on_transport(ev),
                Some(internal) = internal_rx.recv() => self.on_internal(internal),
                () = sleep => self.on_timer(),
            }
            self.flush().await;
            if self.shutdown_done() {
                break;
            }
        }
        tracing::debug!("endpoint stopped");
    }

    fn on_command(&mut self, cmd: AccountCommand) {
        let now = self.now();
        match cmd {
            AccountCommand::Register => {
                self.register = true;
                match self.flow {
                    Some(hop) => self.agent.register(hop, now),
                    None if self.target.is_some() && !self.flow_connecting => self.start_flow(),
                    None => {}
                }
            }
            AccountCommand::Unregister => {
                self.register = false;
                self.agent.unregister(now);
            }
            AccountCommand::Send { id, to, text } => match SipUri::parse(&to) {
                Ok(_) => self.queue_outgoing(id, to, text),
                // Not an address at all: nothing to store or retry.
                Err(e) => self.emit(Event::DeliveryUpdate {
                    id,
                    account: self.account_id(),
                    to,
                    state: DeliveryState::Failed {
                        code: None,
                        reason: e.to_string(),
                    },
                }),
            },
            AccountCommand::Retry { id } => self.retry_by_hand(id),
            AccountCommand::Chat(cmd) => self.on_chat_command(cmd),
            AccountCommand::Shutdown => {}
        }
    }

    /// Puts a failed message back in the outbox and sends it.
    fn retry_by_hand(&mut self, id: MessageId) {
        let account = self.account_name().to_string();
        self.store_then(
            move |s| {
                match s.message(id)? {
                    Some(m) if m.account == account => {
                        s.set_delivery_state(id, &DeliveryState::Queued, super::outbox::now_ms())?;
                    }
                    _ => {}
                }
                Ok(())
            },
            move |r| {
                if let Err(e) = r {
                    tracing::warn!(%id, "retry by hand: {e}");
                }
                Internal::Requeued
            },
        );
    }

    /// Whether the account reaches its server over TLS.
    pub(crate) fn uses_tls(&self) -> bool {
        self.target
            .as_ref()
            .is_some_and(|t| t.transport == Transport::Tls)
    }

    /// The connection id of the registration flow, when it is a stream.
    pub(crate) fn flow_conn(&self) -> Option<u64> {
        self.flow.and_then(|f| f.conn)
    }

    /// The hop to send a message through, for server accounts (the flow).
    fn server_hop(&self) -> Option<Hop> {
        self.target.as_ref().and(self.flow)
    }

    /// Sends an outbox entry whose attempt is recorded.
    pub(crate) fn send_entry(&mut self, entry: OutboxEntry, identity: MessageIdentity) {
        if self.target.is_some() {
            match self.server_hop() {
                Some(hop) => {
                    let now = self.now();
                    self.agent.send_message_as(
                        entry.id,
                        &entry.peer_address,
                        &entry.body,
                        hop,
                        Some(identity),
                        now,
                    );
                }
                // The flow went away meanwhile; the entry waits for the next pump.
                None => {
                    self.in_flight.remove(&entry.id);
                }
            }
            return;
        }
        // Peer-to-peer: find (or open) the path first; messages to a peer
        // whose path is being opened wait for it.
        let key = route_key(&entry.peer_address);
        let to = entry.peer_address.clone();
        let waiting = Waiting { entry, identity };
        if let Some(queue) = self.routing.get_mut(&key) {
            queue.push(waiting);
            return;
        }
        self.routing.insert(key.clone(), vec![waiting]);
        self.route_to(to, move |route| Internal::RouteReady { key, route });
    }

    fn start_flow(&mut self) {
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

    fn on_internal(&mut self, internal: Internal) {
        let now = self.now();
        match internal {
            Internal::FlowUp(Ok(handle)) => {
                self.flow_connecting = false;
                self.flow_established(handle);
            }
            Internal::FlowUp(Err(e)) => {
                self.flow_connecting = false;
                let delay = RECONNECT_DELAYS[self.reconnect_failures.min(RECONNECT_DELAYS.len() - 1)];
                self.reconnect_failures += 1;
                self.reconnect_at = Some(Instant::now() + Duration::from_secs(delay));
                tracing::warn!("cannot reach the server: {e}");
                self.emit(Event::AccountState {
                    account: self.account_id(),
                    state: RegistrationState::Failed {
                        reason: e.to_string(),
                        retry_in_secs: delay,
                    },
                });
            }
            Internal::RouteReady { key, route } => {
                let waiting = self.routing.remove(&key).unwrap_or_default();
                match route {
                    Ok((hop, handle)) => {
                        if let Some(h) = handle {
                            self.streams.insert(h.id, h);
                        }
                        for w in waiting {
                            let e = w.entry;
                            self.agent.send_message_as(
                                e.id,
                                &e.peer_address,
                                &e.body,
                                hop,
                                Some(w.identity),
                                now,
                            );
                        }
                    }
                    Err(reason) => {
                        for w in waiting {
                            let state = DeliveryState::Failed {
                                code: None,
                                reason: reason.clone(),
                            };
                            let e = w.entry;
                            self.on_delivery(e.id, e.peer_address, state, Some(w.identity), None);
                        }
                    }
                }
            }
            Internal::SessionRouted { session, route } => self.on_session_routed(session, route),
            Internal::Msrp(news) => self.on_task_news(news),
            Internal::Chats(input) => self.feed_chats(input),
            Internal::Transfers(input) => self.feed_transfers(input),
            Internal::PageFileRouted { id, route } => self.on_page_file_routed(id, route),
            Internal::Queued { id, to, result } => self.on_queued(id, to, result),
            Internal::Due(result) => self.on_due(result),
            Internal::AttemptRecorded {
                entry,
                identity,
                result,
            } => self.on_attempt_recorded(entry, identity, result),
            Internal::Stored {
                token,
                message,
                result,
            } => self.on_stored(token, message, result),
            Internal::AlertStored(stored) => self.on_alert_stored(*stored),
            Internal::PageFile(work) => self.on_page_file_internal(*work),
            Internal::Persisted => {}
            Internal::Requeued => self.pump_outbox(),
        }
    }

    fn flow_established(&mut self, handle: FlowHandle) {
        self.reconnect_failures = 0;
        let hop = match handle {
            FlowHandle::Udp { socket, hop } => {
                if self.udp.is_none() {
                    udp::spawn_reader(socket.clone(), self.transport_tx.clone());
                    self.udp = Some(socket);
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
        self.flow = Some(hop);
        if self.register {
            self.agent.register(hop, self.now());
        } else {
            self.pump_outbox();
        }
    }

    fn on_transport(&mut self, ev: TransportEvent) {
        let now = self.now();
        match ev {
            TransportEvent::Received(inbound) => {
                let hop = Hop {
                    transport: inbound.transport,
                    remote: inbound.remote,
                    local: inbound.local,
                    conn: inbound.conn,
                };
                tracing::trace!(remote = %hop.remote, "received:\n{}", String::from_utf8_lossy(&inbound.bytes));
                self.agent.handle_packet(&inbound.bytes, hop, now);
            }
            TransportEvent::Accepted(handle) => {
                self.streams.insert(handle.id, handle);
            }
            TransportEvent::Closed { conn, reason } => {
                let Some(handle) = self.streams.remove(&conn) else {
                    return;
                };
                tracing::debug!(conn, "connection closed: {reason}");
                self.agent.transport_failed(handle.remote, Some(conn), now);
                if self.flow.is_some_and(|f| f.conn == Some(conn)) {
                    self.flow = None;
                    self.agent.flow_lost(&reason, now);
                    if self.shutting_down.is_none() {
                        self.reconnect_at = Some(Instant::now() + Duration::from_secs(1));
                    }
                }
            }
        }
    }

    fn on_timer(&mut self) {
        let now = Instant::now();
        if self.reconnect_at.is_some_and(|at| at <= now) && !self.flow_connecting {
            self.start_flow();
        }
        if self.pump_at.is_some_and(|at| at <= now) {
            self.pump_at = None;
            self.pump_outbox();
            if !self.pumping {
                self.schedule_next_pump();
            }
        }
        self.agent.handle_timeout(self.now());
        self.sessions_handle_timeout();
    }

    /// Starts unregistering; true when the endpoint can stop at once.
    fn begin_shutdown(&mut self) -> bool {
        if self.shutting_down.is_some() {
            return false; // already unregistering; the loop ends when done
        }
        let had_sessions = self.sessions_any();
        self.close_all_sessions();
        if !self.agent.is_registered() {
            if had_sessions || self.tasks_running() {
                // Let the BYEs go out first.
                self.shutting_down = Some(Instant::now() + UNREGISTER_GRACE);
                return false;
            }
            return true;
        }
        self.shutting_down = Some(Instant::now() + UNREGISTER_GRACE);
        self.agent.unregister(self.now());
        false
    }

    fn shutdown_done(&self) -> bool {
        match self.shutting_down {
            Some(deadline) => {
                (!self.agent.is_registered() && !self.agent.has_pending_requests() && !self.tasks_running())
                    || Instant::now() >= deadline
            }
            None => false,
        }
    }

    /// Sends what the agent produced and forwards its events.
    async fn flush(&mut self) {
        while let Some(out) = self.agent.poll_output() {
            match out {
                Output::Transmit { hop, bytes } => {
                    tracing::trace!(remote = %hop.remote, "sending:\n{}", String::from_utf8_lossy(&bytes));
                    if let Err(e) = self.transmit(hop, bytes).await {
                        tracing::debug!("{e}");
                        self.agent.transport_failed(hop.remote, hop.conn, self.now());
                    }
                }
                Output::Event(ev) => self.on_agent_event(ev),
            }
        }
    }

    async fn transmit(&mut self, hop: Hop, bytes: Vec<u8>) -> Result<(), TransportError> {
        match hop.transport {
            Transport::Udp => match &self.udp {
                Some(socket) => udp::send(socket, hop.remote, &bytes).await,
                None => Err(TransportError::Send {
                    addr: hop.remote,
                    reason: "no UDP socket".into(),
                }),
            },
            Transport::Tcp | Transport::Tls => {
                let handle = hop
                    .conn
                    .and_then(|c| self.streams.get(&c))
                    .or_else(|| {
                        self.streams
                            .values()
                            .find(|s| s.remote == hop.remote && s.transport == hop.transport)
                    })
                    .cloned();
                match handle {
                    Some(h) => h.send(bytes).await,
                    None => Err(TransportError::Send {
                        addr: hop.remote,
                        reason: "connection closed".into(),
                    }),
                }
            }
        }
    }

    fn on_agent_event(&mut self, ev: AgentEvent) {
        match ev {
            AgentEvent::Registration(state) => {
                let registered = matches!(state, RegistrationState::Registered { .. });
                self.emit(Event::AccountState {
                    account: self.account_id(),
                    state,
                });
                if registered {
                    self.pump_outbox();
                }
            }
            AgentEvent::Delivery { id, state, .. } if self.is_page_file_sending(id) => {
                self.feed_transfers(TransferInput::PageFileDelivery { id, state })
            }
            AgentEvent::Delivery {
                id,
                to,
                state,
                sent_as,
                retry_after,
            } => self.on_delivery(id, to, state, sent_as, retry_after),
            AgentEvent::MessageArrived { token, message } => self.store_incoming(token, message),
            AgentEvent::Session(event) => self.on_session_event(event),
        }
    }

    /// The hop for a chat of a server account (its flow), if it is up.
    pub(crate) fn server_hop_for_chat(&self) -> Option<Hop> {
        self.server_hop()
    }

    /// Whether the account has a server (not peer to peer).
    pub(crate) fn is_server_account(&self) -> bool {
        self.target.is_some()
    }
}
