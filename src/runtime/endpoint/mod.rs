//! THE DRIVER: one task per account. It owns the sans-IO [`Agent`], the
//! server flow (`flow.rs`), the peer-to-peer paths (`routing.rs`) and the
//! feature state machines: the outbox and the inbox (carried out in
//! `messages.rs`), chats and transfers, and presence (`presence.rs`);
//! `trust.rs` asks the user about a
//! server certificate the account does not trust. Its loop waits for commands,
//! datagrams on its UDP sockets (read there, no task between), stream
//! news, results of work it spawned ([`Internal`]) and the earliest timer
//! of the agent, the flow and every feature (one timer, moved only when
//! that deadline changes); after each, it carries out what the agent and
//! the features asked until nothing is left. `answering.rs` gives our
//! address towards a peer when a socket is bound to every address.

mod answering;
mod flow;
mod messages;
mod presence;
pub(crate) mod routing;
mod trust;
mod xcap;

pub(crate) mod sessions;

use super::account::{AccountSetup, ChatSettings, ServerTarget};
use super::blocking::BlockList;
use super::chats::{ChatInput, Chats};
use super::event::Event;
use super::inbox::{Inbox, InboxInput, InboxSettings};
use super::msrp_task::TaskNews;
use super::outbox::{Outbox, OutboxInput};
use super::presence::{Presence, PresenceInput, PresenceSettings};
use super::storage::StoreActor;
use super::transfers::{TransferInput, Transfers};
use crate::model::{AccountId, Contact, MessageId, RegistrationState, SessionId};
use crate::protocol::sip::agent::{Agent, AgentEvent, Hop, Output};
use crate::protocol::sip::uri::Transport;
use crate::transport::msrp::listener::MsrpHub;
use crate::transport::stream::{self, StreamHandle};
use crate::transport::{family, udp, ConnId, TransportError, TransportEvent};
use answering::{answering_address, AnsweringAddresses};
use routing::FlowHandle;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tracing::Instrument;

/// How long shutdown waits for the unregistration to be answered.
pub const UNREGISTER_GRACE: Duration = Duration::from_secs(4);
/// Transport events buffered per endpoint.
pub const TRANSPORT_QUEUE: usize = 1024;

/// What the supervisor asks of an endpoint.
#[derive(Debug)]
pub(crate) enum AccountCommand {
    Register,
    Unregister,
    Send {
        id: MessageId,
        to: String,
        text: String,
    },
    Retry {
        id: MessageId,
    },
    TrustCertificate {
        fingerprint: String,
        always: bool,
    },
    Chat(sessions::ChatCommand),
    /// Work for the presence feature (watch, unwatch, our status).
    Presence(PresenceInput),
    Shutdown,
}

/// Results of work the endpoint spawned.
#[derive(Debug)]
pub(crate) enum Internal {
    FlowUp(Result<FlowHandle, TransportError>),
    /// A session's peer-to-peer path is open (or not).
    SessionRouted {
        session: SessionId,
        route: Result<(Hop, Option<StreamHandle>), routing::RouteError>,
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
        route: Result<(Hop, Option<StreamHandle>), routing::RouteError>,
    },
    /// The peer-to-peer path for the messages waiting under `key` is open (or not).
    RouteReady {
        key: String,
        route: Result<(Hop, Option<StreamHandle>), routing::RouteError>,
    },
    /// A store result (or other news) for the outbox.
    Outbox(Box<OutboxInput>),
    /// A store result or a written file for the inbox.
    Inbox(Box<InboxInput>),
    /// Work for presence came back (an XCAP write).
    Presence(PresenceInput),
}

/// How an endpoint behaves.
#[derive(Debug, Clone)]
pub(crate) struct EndpointOptions {
    pub auto_register: bool,
    /// Retry retryable failures from the outbox (off for one-shot sends).
    pub retries: bool,
    /// Where certificates the user always trusts are recorded.
    pub data_dir: Option<std::path::PathBuf>,
    /// The install's seed of RFC 5626 instance ids (`runtime::instance`).
    pub instance_seed: String,
    /// The outbox works only the messages this runtime queued (one-shot commands).
    pub own_messages_only: bool,
    /// The block list, refreshed by the supervisor when contacts change.
    pub blocked: watch::Receiver<BlockList>,
    /// Addresses to watch from the start.
    pub watch: Vec<String>,
    /// The address book, refreshed by the supervisor when contacts change;
    /// presence watches its addresses.
    pub book: watch::Receiver<Vec<Contact>>,
    /// The account contacts without one of their own use.
    pub default_account: AccountId,
    /// Where changes of the address book go (contacts found on the XCAP
    /// server are added through it, like the user's own changes).
    pub contact_changes: mpsc::UnboundedSender<crate::runtime::queries::Query>,
}

pub(crate) struct Endpoint {
    id: AccountId,
    /// The block list; handed to the inbox, chats and transfers when it
    /// changed, before a request from outside is fed to them.
    blocked: watch::Receiver<BlockList>,
    /// The address book; handed to presence whenever it changes.
    book: watch::Receiver<Vec<Contact>>,
    /// Where contacts found on the XCAP server are added.
    contact_changes: mpsc::UnboundedSender<crate::runtime::queries::Query>,
    pub(crate) agent: Agent,
    events: mpsc::UnboundedSender<Event>,
    pub(crate) store: StoreActor,
    pub(super) transport_tx: mpsc::Sender<TransportEvent>,
    pub(crate) internal_tx: mpsc::UnboundedSender<Internal>,
    /// UDP sockets, one per address family at most (the local account's,
    /// or a server account's flow).
    pub(super) udp: udp::Sockets,
    pub(super) streams: HashMap<ConnId, StreamHandle>,
    /// Our address towards each peer, when a socket is bound to every
    /// address (`answering.rs`).
    answering: AnsweringAddresses,
    target: Option<ServerTarget>,
    flow: Option<Hop>,
    flow_connecting: bool,
    /// Page-mode messages waiting for their peer-to-peer path, by route key.
    routing: HashMap<String, Vec<messages::Waiting>>,
    register: bool,
    reconnect_at: Option<Instant>,
    reconnect_failures: usize,
    /// The user's decisions about the server's certificate (`trust.rs`).
    trust: trust::CertificateTrust,
    shutting_down: Option<Instant>,
    /// FEATURE: page-mode messages out.
    outbox: Outbox,
    /// FEATURE: page-mode messages in (alerts and files too).
    inbox: Inbox,
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
    /// FEATURE: presence (`presence/`), carried out in `presence.rs`.
    presence: Presence,
    /// Where the presence rules are kept (`xcap.rs`).
    xcap_root: Option<crate::protocol::xcap::http::Url>,
    data_dir: Option<std::path::PathBuf>,
    /// The install's seed of RFC 5626 instance ids.
    instance_seed: String,
}

/// Ports tried for the local account when it may listen on any port: the
/// port UDP got may be taken for TCP, or for the other family.
const ANY_PORT_ATTEMPTS: usize = 8;

/// Binds the local account's UDP sockets and TCP listeners on one port, so
/// peers may use either transport: on `bind` itself, or, when `bind` is
/// `[::]` (every network), on `0.0.0.0` and `[::]` side by side (IPv6-only
/// sockets, see `transport::family`), so IPv4 and IPv6 peers both reach
/// us. A machine without IPv6 listens on IPv4 alone. With port 0 (any), a
/// port one of them cannot have is given back and another tried. Returns
/// the sockets and the bound addresses, IPv4 first.
async fn bind_local(
    bind: SocketAddr,
    events: &mpsc::Sender<TransportEvent>,
) -> Result<(udp::Sockets, Vec<SocketAddr>), TransportError> {
    let both = bind.ip() == std::net::IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED);
    let first = if both {
        SocketAddr::new(std::net::Ipv4Addr::UNSPECIFIED.into(), bind.port())
    } else {
        bind
    };
    let attempts = if bind.port() == 0 { ANY_PORT_ATTEMPTS } else { 1 };
    let mut last = None;
    for _ in 0..attempts {
        match bind_family(first, events).await {
            Ok((socket, bound, v4_listener)) => {
                let mut sockets = udp::Sockets::default();
                sockets.add(socket);
                if !both {
                    return Ok((sockets, vec![bound]));
                }
                let v6 = SocketAddr::new(std::net::Ipv6Addr::UNSPECIFIED.into(), bound.port());
                match bind_family(v6, events).await {
                    Ok((socket, bound6, _)) => {
                        sockets.add(socket);
                        return Ok((sockets, vec![bound, bound6]));
                    }
                    Err(TransportError::Bind { source, .. }) if family::ipv6_missing(&source) => {
                        tracing::warn!("this machine has no IPv6 ({source}): listening on IPv4 only");
                        return Ok((sockets, vec![bound]));
                    }
                    Err(e) => {
                        tracing::debug!(port = bound.port(), "IPv6 cannot have the port IPv4 got: {e}");
                        // Give the port back whole: IPv4's TCP listener too.
                        v4_listener.abort();
                        last = Some(e);
                    }
                }
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or(TransportError::Bind {
        addr: bind,
        transport: Transport::Tcp,
        source: std::io::Error::from(std::io::ErrorKind::AddrInUse),
    }))
}

/// Binds UDP and TCP of one family on one port (UDP's when `bind` says 0),
/// and starts accepting TCP connections (the task is returned: aborting it
/// closes the listener).
async fn bind_family(
    bind: SocketAddr,
    events: &mpsc::Sender<TransportEvent>,
) -> Result<(Arc<UdpSocket>, SocketAddr, tokio::task::JoinHandle<()>), TransportError> {
    let socket = udp::bind(bind).await?;
    let bound = socket.local_addr().map_err(|source| TransportError::Bind {
        addr: bind,
        transport: Transport::Udp,
        source,
    })?;
    match stream::listen_tcp(SocketAddr::new(bind.ip(), bound.port()), events.clone()).await {
        Ok((_, listener)) => Ok((socket, bound, listener)),
        Err(e) => {
            tracing::debug!(port = bound.port(), "TCP cannot have the port UDP got: {e}");
            Err(e)
        }
    }
}

impl Endpoint {
    /// Hands a changed block list to the features that refuse blocked
    /// peers (called before a MESSAGE or an INVITE from outside is fed).
    pub(super) fn refresh_block_list(&mut self) {
        if !self.blocked.has_changed().unwrap_or(false) {
            return;
        }
        let list = self.blocked.borrow_and_update().clone();
        self.feed_inbox(InboxInput::BlockList(list.clone()));
        self.feed_chats(ChatInput::BlockList(list.clone()));
        self.feed_transfers(TransferInput::BlockList(list));
    }

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
        let publishes = matches!(setup, AccountSetup::Server { publish: true, .. });
        let list_uri = match &setup {
            AccountSetup::Server { list, .. } => list.clone(),
            _ => None,
        };
        let xcap_root = match &setup {
            AccountSetup::Server {
                xcap_root: Some(root),
                ..
            } => xcap::root(root),
            _ => None,
        };
        let (agent, target, register, udp, listening, chat_settings, trusted_alert_senders) = match setup {
            AccountSetup::Server {
                agent,
                target,
                register,
                chat,
                trusted_alert_senders,
                publish: _,
                xcap_root: _,
                list: _,
            } => (
                Agent::new(agent, seed),
                Some(target),
                register && options.auto_register,
                udp::Sockets::default(),
                None,
                chat,
                trusted_alert_senders,
            ),
            AccountSetup::Local {
                agent,
                bind,
                chat,
                trusted_alert_senders,
            } => {
                // The loop reads the sockets itself (`run`).
                let (sockets, bound) = bind_local(bind, &transport_tx).await?;
                let mut agent_config = agent;
                agent_config.listen_port = bound.first().map(SocketAddr::port);
                (
                    Agent::new(agent_config, seed),
                    None,
                    false,
                    sockets,
                    Some(bound),
                    chat,
                    trusted_alert_senders,
                )
            }
        };
        let id = AccountId(agent.config().account.clone());
        let inbox = Inbox::new(InboxSettings {
            account: id.clone(),
            trusted_alert_senders,
            server_account: target.is_some(),
            max_file_size: chat_settings.max_file_size,
            accept_files: chat_settings.accept_files.clone(),
        });
        let (chats, transfers) = sessions::features(
            &id,
            agent.config().aor.to_string(),
            &chat_settings,
            hub.as_ref(),
            target.is_some(),
            super::clock::Now::read(),
        );
        let mut blocked = options.blocked.clone();
        // The features start with an empty list: hand them the current one.
        blocked.mark_changed();
        let presence = Presence::new(PresenceSettings {
            account: id.clone(),
            aor: agent.config().aor.to_string(),
            publishes,
            saved: presence::saved_status(options.data_dir.as_deref(), &id),
            seed,
            default_account: id == options.default_account,
            watcher_info: publishes,
            xcap: xcap_root.is_some(),
            list: list_uri,
        });
        let mut endpoint = Endpoint {
            id: id.clone(),
            blocked,
            book: options.book.clone(),
            contact_changes: options.contact_changes.clone(),
            agent,
            events,
            store,
            transport_tx,
            internal_tx,
            udp,
            streams: HashMap::new(),
            answering: AnsweringAddresses::default(),
            target,
            flow: None,
            flow_connecting: false,
            routing: HashMap::new(),
            register,
            reconnect_at: None,
            reconnect_failures: 0,
            trust: trust::CertificateTrust::new(options.data_dir.clone()),
            shutting_down: None,
            outbox: Outbox::new(id.clone(), options.retries).own_messages_only(options.own_messages_only),
            inbox,
            epoch: Instant::now(),
            std_epoch: std::time::Instant::now(),
            chats,
            transfers,
            sessions: Default::default(),
            hub,
            chat_settings,
            presence,
            xcap_root,
            data_dir: options.data_dir.clone(),
            instance_seed: options.instance_seed.clone(),
        };
        for contact in &options.watch {
            endpoint.feed_presence(PresenceInput::Watch(contact.clone()));
        }
        if let Some(bound) = listening {
            endpoint.emit(Event::AccountState {
                account: id.clone(),
                state: routing::listening_state(&bound),
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

    async fn run(
        mut self,
        mut commands: mpsc::UnboundedReceiver<AccountCommand>,
        mut transport_rx: mpsc::Receiver<TransportEvent>,
        mut internal_rx: mpsc::UnboundedReceiver<Internal>,
    ) {
        if self.target.is_some() {
            self.start_flow();
        } else {
            self.outbox_can_send();
            self.feed_presence(PresenceInput::CanSend(true));
        }
        let contacts = self.book.borrow_and_update().clone();
        self.feed_presence(PresenceInput::AddressBook(contacts));
        self.load_pending_page_files();
        self.feed_inbox(InboxInput::Started);
        self.flush().await;
        let mut commands_open = true;
        // One timer for the loop's life, moved only when the earliest
        // deadline changes: most turns (a message in, its answer out) leave
        // it where it is, and the runtime's timer wheel is not touched.
        let timer = tokio::time::sleep_until(Instant::now());
        tokio::pin!(timer);
        let mut armed: Option<Instant> = None;
        // Datagrams are read here and handled where they are read: no
        // reader task, channel or copy between the socket and the agent.
        let mut datagram = vec![0u8; udp::MAX_DATAGRAM];
        let mut ipv6_first = false;
        loop {
            let wake = [
                self.agent.poll_timeout().map(|t| self.to_tokio(t)),
                self.outbox.poll_timeout().map(|t| self.to_tokio(t)),
                self.inbox.poll_timeout().map(|t| self.to_tokio(t)),
                self.reconnect_at,
                self.shutting_down,
                self.sessions_poll_timeout().map(|t| self.to_tokio(t)),
                self.presence.poll_timeout().map(|t| self.to_tokio(t)),
            ]
            .into_iter()
            .flatten()
            .min();
            if wake != armed {
                if let Some(at) = wake {
                    timer.as_mut().reset(at);
                }
                armed = wake;
            }
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
                received = self.udp.recv(&mut datagram, ipv6_first) => {
                    ipv6_first = !ipv6_first;
                    self.on_datagram(received, &datagram);
                }
                Some(ev) = transport_rx.recv() => self.on_transport(ev),
                Some(internal) = internal_rx.recv() => self.on_internal(internal),
                Ok(()) = self.book.changed() => {
                    let contacts = self.book.borrow_and_update().clone();
                    self.feed_presence(PresenceInput::AddressBook(contacts));
                }
                () = &mut timer, if armed.is_some() => {
                    armed = None;
                    self.on_timer();
                }
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
                self.trust.forget_asked();
                match self.flow {
                    // Retry: refused credentials get another chance.
                    Some(hop) => self.agent.register_again(hop, now),
                    None if self.target.is_some() && !self.flow_connecting => self.start_flow(),
                    None => {}
                }
                self.refresh_can_send();
            }
            AccountCommand::Unregister => {
                self.register = false;
                self.agent.unregister(now);
                self.refresh_can_send();
            }
            AccountCommand::Send { id, to, text } => self.feed_outbox(OutboxInput::Send { id, to, text }),
            AccountCommand::Retry { id } => self.feed_outbox(OutboxInput::Retry { id }),
            AccountCommand::TrustCertificate { fingerprint, always } => {
                self.trust_certificate(&fingerprint, always)
            }
            AccountCommand::Chat(cmd) => self.on_chat_command(cmd),
            AccountCommand::Presence(input) => self.feed_presence(input),
            AccountCommand::Shutdown => {}
        }
    }

    fn on_internal(&mut self, internal: Internal) {
        match internal {
            Internal::FlowUp(result) => self.flow_up(result),
            Internal::RouteReady { key, route } => self.route_ready(key, route),
            Internal::Outbox(input) => self.feed_outbox(*input),
            Internal::Inbox(input) => self.feed_inbox(*input),
            Internal::Presence(input) => self.feed_presence(input),
            Internal::SessionRouted { session, route } => self.on_session_routed(session, route),
            Internal::Msrp(news) => self.on_task_news(news),
            Internal::Chats(input) => self.feed_chats(input),
            Internal::Transfers(input) => self.feed_transfers(input),
            Internal::PageFileRouted { id, route } => self.on_page_file_routed(id, route),
        }
    }

    fn on_transport(&mut self, ev: TransportEvent) {
        let now = self.now();
        match ev {
            TransportEvent::Received(inbound) => {
                let hop = Hop {
                    transport: inbound.transport,
                    remote: inbound.remote,
                    local: self.answering.of(inbound.local, inbound.remote, now),
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
                self.flow_closed(conn, &reason);
            }
        }
    }

    /// A datagram read by the loop (`buffer` holds it).
    fn on_datagram(&mut self, received: udp::Received, buffer: &[u8]) {
        match received {
            udp::Received::Datagram {
                length,
                remote,
                local,
            } => {
                let bytes = buffer.get(..length).unwrap_or_default();
                let now = self.now();
                let hop = Hop {
                    transport: Transport::Udp,
                    remote,
                    local: self.answering.of(local, remote, now),
                    conn: None,
                };
                tracing::trace!(%remote, "received:\n{}", String::from_utf8_lossy(bytes));
                self.agent.handle_packet(bytes, hop, now);
            }
            udp::Received::KeepAlive => {}
            udp::Received::Failed { local, error } => {
                tracing::debug!("UDP receive error on {local}: {error}")
            }
        }
    }

    fn on_timer(&mut self) {
        self.reconnect_due(Instant::now());
        let now = self.now_for_features();
        self.outbox.handle_timeout(now);
        self.inbox.handle_timeout(now);
        self.presence.handle_timeout(now);
        self.agent.handle_timeout(now.at);
        self.sessions_handle_timeout();
    }

    /// Starts unregistering; true when the endpoint can stop at once.
    fn begin_shutdown(&mut self) -> bool {
        if self.shutting_down.is_some() {
            return false; // already unregistering; the loop ends when done
        }
        let had_sessions = self.sessions_any();
        self.close_all_sessions();
        // Remove our publication (watchers see offline at once) and end
        // every subscription before the registration goes.
        self.feed_presence(PresenceInput::Stop);
        self.drain_presence();
        if !self.agent.is_registered() {
            if had_sessions || self.tasks_running() || self.agent.has_pending_requests() {
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
                (!self.agent.is_registered()
                    && !self.agent.has_pending_requests()
                    && !self.tasks_running()
                    && self.presence.stopping_done())
                    || Instant::now() >= deadline
            }
            None => false,
        }
    }

    /// Sends what the agent produced and forwards its events.
    /// Carries out what the features asked (which may give the agent more
    /// to send) until neither has anything left.
    async fn flush(&mut self) {
        loop {
            self.drain_features();
            let Some(out) = self.agent.poll_output() else {
                break;
            };
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

    /// Carries out what every feature asked, until none asks more.
    fn drain_features(&mut self) {
        self.drain_messages();
        self.run_chat_effects();
        self.run_transfer_effects();
        self.drain_presence();
    }

    async fn transmit(&mut self, hop: Hop, bytes: Vec<u8>) -> Result<(), TransportError> {
        match hop.transport {
            Transport::Udp => match self.udp.towards(hop.remote) {
                Some(socket) => udp::send(socket, hop.remote, &bytes).await,
                None => Err(TransportError::Send {
                    addr: hop.remote,
                    reason: no_socket_for(hop.remote).into(),
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
                    self.flow_registered();
                    self.outbox_can_send();
                } else {
                    self.refresh_can_send();
                }
                if self.shutting_down.is_none() {
                    self.feed_presence(PresenceInput::CanSend(registered));
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
            } => self.message_delivery(id, to, state, sent_as, retry_after),
            AgentEvent::MessageArrived { token, message } => self.message_arrived(token, message),
            AgentEvent::Session(event) => self.on_session_event(event),
            AgentEvent::Subscription(event) => self.feed_presence(PresenceInput::Subscription(event)),
            AgentEvent::Publication(event) => self.feed_presence(PresenceInput::Publication(event)),
            AgentEvent::Watcher(event) => self.feed_presence(PresenceInput::Watcher(event)),
        }
    }
}

/// Why a datagram to `remote` cannot go out: no socket of its family.
pub(crate) fn no_socket_for(remote: SocketAddr) -> &'static str {
    if remote.is_ipv6() {
        "this account does not listen on IPv6 (set bind: \"::\" to use both IPv4 and IPv6)"
    } else {
        "this account does not listen on IPv4 (set bind: \"::\" to use both IPv4 and IPv6)"
    }
}
