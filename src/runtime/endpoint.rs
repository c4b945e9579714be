//! One task per account: drives the sans-IO [`Agent`] with sockets and tokio
//! time, keeps the server flow up, and turns agent events into runtime events.

use super::account::{AccountSetup, ServerTarget};
use super::event::Event;
use crate::model::{AccountId, DeliveryState, IncomingMessage, MessageId, RegistrationState};
use crate::protocol::sip::agent::{Agent, AgentEvent, Hop, Output};
use crate::protocol::sip::uri::{SipUri, Transport};
use crate::transport::stream::{self, StreamHandle, StreamOptions};
use crate::transport::{self, udp, ConnId, TransportError, TransportEvent};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tracing::Instrument;

/// How long shutdown waits for the unregistration to be answered.
pub const UNREGISTER_GRACE: Duration = Duration::from_secs(4);
/// Transport events buffered per endpoint.
pub const TRANSPORT_QUEUE: usize = 1024;
/// Delays between attempts to reach the server (then the last repeats).
const RECONNECT_DELAYS: [u64; 6] = [1, 2, 5, 10, 30, 60];

/// What the supervisor asks of an endpoint.
#[derive(Debug)]
pub(crate) enum AccountCommand {
    Register,
    Unregister,
    Send { id: MessageId, to: String, text: String },
    Shutdown,
}

/// Results of work the endpoint spawned.
#[derive(Debug)]
enum Internal {
    FlowUp(Result<FlowHandle, TransportError>),
    RouteReady {
        key: String,
        route: Result<(Hop, Option<StreamHandle>), String>,
    },
}

/// A message waiting for its peer-to-peer path.
#[derive(Debug)]
struct Waiting {
    id: MessageId,
    to: String,
    text: String,
}

pub(crate) struct Endpoint {
    id: AccountId,
    agent: Agent,
    events: mpsc::UnboundedSender<Event>,
    transport_tx: mpsc::Sender<TransportEvent>,
    internal_tx: mpsc::UnboundedSender<Internal>,
    udp: Option<Arc<UdpSocket>>,
    streams: HashMap<ConnId, StreamHandle>,
    target: Option<ServerTarget>,
    flow: Option<Hop>,
    flow_connecting: bool,
    /// Peer-to-peer paths being opened, with the messages waiting for each.
    routing: HashMap<String, Vec<Waiting>>,
    register: bool,
    reconnect_at: Option<Instant>,
    reconnect_failures: usize,
    shutting_down: Option<Instant>,
    epoch: Instant,
    std_epoch: std::time::Instant,
}

impl Endpoint {
    /// Binds what the account needs and spawns its task.
    pub(crate) async fn spawn(
        setup: AccountSetup,
        auto_register: bool,
        events: mpsc::UnboundedSender<Event>,
    ) -> Result<(mpsc::UnboundedSender<AccountCommand>, tokio::task::JoinHandle<()>), TransportError> {
        let (transport_tx, transport_rx) = mpsc::channel(TRANSPORT_QUEUE);
        let (internal_tx, internal_rx) = mpsc::unbounded_channel();
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let seed = rand::random::<u64>();
        let (agent, target, register, udp, listening) = match setup {
            AccountSetup::Server {
                agent,
                target,
                register,
            } => {
                let agent = Agent::new(agent, seed);
                (agent, Some(target), register && auto_register, None, None)
            }
            AccountSetup::Local { agent, bind } => {
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
                )
            }
        };
        let id = AccountId(agent.config().account.clone());
        let endpoint = Endpoint {
            id: id.clone(),
            agent,
            events,
            transport_tx,
            internal_tx,
            udp,
            streams: HashMap::new(),
            target,
            flow: None,
            flow_connecting: false,
            routing: HashMap::new(),
            register,
            reconnect_at: None,
            reconnect_failures: 0,
            shutting_down: None,
            epoch: Instant::now(),
            std_epoch: std::time::Instant::now(),
        };
        if let Some(addr) = listening {
            endpoint.emit(Event::AccountState {
                account: id.clone(),
                state: RegistrationState::Listening {
                    address: addr.to_string(),
                },
            });
        }
        let span = tracing::info_span!("account", account = %id);
        let task = tokio::spawn(endpoint.run(cmd_rx, transport_rx, internal_rx).instrument(span));
        Ok((cmd_tx, task))
    }

    fn emit(&self, event: Event) {
        let _ = self.events.send(event);
    }

    /// Converts tokio time to the std Instant the sans-IO core uses.
    fn now(&self) -> std::time::Instant {
        self.std_epoch + (Instant::now() - self.epoch)
    }

    fn to_tokio(&self, at: std::time::Instant) -> Instant {
        self.epoch + at.saturating_duration_since(self.std_epoch)
    }

    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<AccountCommand>,
        mut transport_rx: mpsc::Receiver<TransportEvent>,
        mut internal_rx: mpsc::UnboundedReceiver<Internal>,
    ) {
        if self.target.is_some() {
            self.start_flow();
        }
        loop {
            let wake = [
                self.agent.poll_timeout().map(|t| self.to_tokio(t)),
                self.reconnect_at,
                self.shutting_down,
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
                cmd = commands.recv() => match cmd {
                    Some(AccountCommand::Shutdown) | None => {
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
            AccountCommand::Send { id, to, text } => self.send(id, to, text),
            AccountCommand::Shutdown => {}
        }
    }

    fn send(&mut self, id: MessageId, to: String, text: String) {
        let now = self.now();
        if self.target.is_some() {
            match self.flow {
                Some(hop) => self.agent.send_message(id, &to, &text, hop, now),
                None => self.emit(Event::DeliveryUpdate {
                    id,
                    account: self.id.clone(),
                    to,
                    state: DeliveryState::Failed {
                        code: None,
                        reason: "not connected to the server; the message was not sent".into(),
                    },
                }),
            }
            return;
        }
        // Peer-to-peer: find (or open) the path to the address first; messages
        // to a peer whose path is being opened wait for it.
        let key = route_key(&to);
        let waiting = Waiting {
            id,
            to: to.clone(),
            text,
        };
        if let Some(queue) = self.routing.get_mut(&key) {
            queue.push(waiting);
            return;
        }
        self.routing.insert(key.clone(), vec![waiting]);
        let udp_port = self
            .udp
            .as_ref()
            .and_then(|s| s.local_addr().ok())
            .map(|a| a.port());
        let existing: Vec<StreamHandle> = self.streams.values().cloned().collect();
        let events = self.transport_tx.clone();
        let internal = self.internal_tx.clone();
        tokio::spawn(async move {
            let route = p2p_route(&to, udp_port, &existing, events).await;
            let _ = internal.send(Internal::RouteReady { key, route });
        });
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
            Internal::FlowUp(result) => {
                self.flow_connecting = false;
                match result {
                    Ok(handle) => self.flow_established(handle),
                    Err(e) => {
                        let delay = RECONNECT_DELAYS[self.reconnect_failures.min(RECONNECT_DELAYS.len() - 1)];
                        self.reconnect_failures += 1;
                        self.reconnect_at = Some(Instant::now() + Duration::from_secs(delay));
                        tracing::warn!("cannot reach the server: {e}");
                        self.emit(Event::AccountState {
                            account: self.id.clone(),
                            state: RegistrationState::Failed {
                                reason: e.to_string(),
                                retry_in_secs: delay,
                            },
                        });
                    }
                }
            }
            Internal::RouteReady { key, route } => {
                let waiting = self.routing.remove(&key).unwrap_or_default();
                match route {
                    Ok((hop, handle)) => {
                        if let Some(h) = handle {
                            self.streams.insert(h.id, h);
                        }
                        for w in waiting {
                            self.agent.send_message(w.id, &w.to, &w.text, hop, now);
                        }
                    }
                    Err(reason) => {
                        for w in waiting {
                            self.emit(Event::DeliveryUpdate {
                                id: w.id,
                                account: self.id.clone(),
                                to: w.to,
                                state: DeliveryState::Failed {
                                    code: None,
                                    reason: reason.clone(),
                                },
                            });
                        }
                    }
                }
            }
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
        self.agent.handle_timeout(self.now());
    }

    /// Starts unregistering; true when the endpoint can stop at once.
    fn begin_shutdown(&mut self) -> bool {
        if self.shutting_down.is_some() {
            return true;
        }
        if !self.agent.is_registered() {
            return true;
        }
        self.shutting_down = Some(Instant::now() + UNREGISTER_GRACE);
        self.agent.unregister(self.now());
        false
    }

    fn shutdown_done(&self) -> bool {
        match self.shutting_down {
            Some(deadline) => {
                !self.agent.is_registered() && !self.agent.has_pending_requests()
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
        let now = self.now();
        match ev {
            AgentEvent::Registration(state) => self.emit(Event::AccountState {
                account: self.id.clone(),
                state,
            }),
            AgentEvent::Delivery { id, to, state, .. } => self.emit(Event::DeliveryUpdate {
                id,
                account: self.id.clone(),
                to,
                state,
            }),
            AgentEvent::MessageArrived { token, message } => {
                // The history store (next step) commits here before the answer.
                let received_at = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or_default();
                self.agent.answer_incoming(token, true, now);
                self.emit(Event::MessageReceived(IncomingMessage {
                    id: super::next_message_id(),
                    account: self.id.clone(),
                    from: message.from,
                    from_name: message.from_name,
                    to: message.to,
                    content_type: message.content_type,
                    body: message.body,
                    subject: message.subject,
                    received_at,
                }));
            }
        }
    }
}

/// The flow to a server: a UDP socket or a stream.
#[derive(Debug)]
pub(crate) enum FlowHandle {
    Udp { socket: Arc<UdpSocket>, hop: Hop },
    Stream(StreamHandle),
}

impl From<StreamHandle> for FlowHandle {
    fn from(h: StreamHandle) -> Self {
        FlowHandle::Stream(h)
    }
}

async fn connect_flow(
    target: &ServerTarget,
    existing_udp: Option<Arc<UdpSocket>>,
    events: mpsc::Sender<TransportEvent>,
) -> Result<FlowHandle, TransportError> {
    let remote = transport::resolve(&target.host, target.port).await?;
    let options = StreamOptions {
        keepalive: target.keepalive,
        ..StreamOptions::default()
    };
    match target.transport {
        Transport::Udp => {
            let socket = match existing_udp {
                Some(s) => s,
                None => {
                    let any: SocketAddr = if remote.is_ipv4() {
                        SocketAddr::from(([0, 0, 0, 0], 0))
                    } else {
                        SocketAddr::from(([0u16; 8], 0))
                    };
                    udp::bind(any).await?
                }
            };
            let port = socket.local_addr().map(|a| a.port()).unwrap_or_default();
            let ip = transport::local_ip_towards(remote).map_err(|e| TransportError::Connect {
                addr: remote,
                transport: Transport::Udp,
                reason: e.to_string(),
            })?;
            let hop = Hop {
                transport: Transport::Udp,
                remote,
                local: SocketAddr::new(ip, port),
                conn: None,
            };
            Ok(FlowHandle::Udp { socket, hop })
        }
        Transport::Tcp => Ok(stream::connect_tcp(remote, options, events).await?.into()),
        Transport::Tls => {
            let config = target.tls.clone().ok_or_else(|| TransportError::Connect {
                addr: remote,
                transport: Transport::Tls,
                reason: "no TLS configuration".into(),
            })?;
            Ok(stream::connect_tls(remote, &target.host, config, options, events)
                .await?
                .into())
        }
    }
}

/// Messages to the same host, port and transport share a path.
fn route_key(to: &str) -> String {
    match SipUri::parse(to) {
        Ok(u) => format!(
            "{}|{}|{}",
            u.transport(),
            u.host_for_lookup().to_ascii_lowercase(),
            u.port_or_default()
        ),
        Err(_) => to.to_string(),
    }
}

/// Finds the path to a peer for the local account.
async fn p2p_route(
    to: &str,
    udp_port: Option<u16>,
    existing: &[StreamHandle],
    events: mpsc::Sender<TransportEvent>,
) -> Result<(Hop, Option<StreamHandle>), String> {
    let uri = SipUri::parse(to).map_err(|e| e.to_string())?;
    let transport = uri.transport();
    let remote = transport::resolve(uri.host_for_lookup(), uri.port_or_default())
        .await
        .map_err(|e| e.to_string())?;
    match transport {
        Transport::Udp => {
            let ip = transport::local_ip_towards(remote).map_err(|e| format!("no route to {remote}: {e}"))?;
            let port = udp_port.ok_or("no UDP socket")?;
            Ok((
                Hop {
                    transport,
                    remote,
                    local: SocketAddr::new(ip, port),
                    conn: None,
                },
                None,
            ))
        }
        Transport::Tcp | Transport::Tls => {
            if let Some(h) = existing
                .iter()
                .find(|h| h.remote == remote && h.transport == transport && !h.is_closed())
            {
                let hop = Hop {
                    transport,
                    remote,
                    local: h.local,
                    conn: Some(h.id),
                };
                return Ok((hop, None));
            }
            let handle = if transport == Transport::Tcp {
                stream::connect_tcp(remote, StreamOptions::default(), events).await
            } else {
                let config = transport::tls::client_config(None, true).map_err(|e| e.to_string())?;
                stream::connect_tls(
                    remote,
                    uri.host_for_lookup(),
                    config,
                    StreamOptions::default(),
                    events,
                )
                .await
            }
            .map_err(|e| e.to_string())?;
            let hop = Hop {
                transport,
                remote,
                local: handle.local,
                conn: Some(handle.id),
            };
            Ok((hop, Some(handle)))
        }
    }
}
