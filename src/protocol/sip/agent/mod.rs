//! The sans-IO SIP user agent of one account: registration and page-mode
//! MESSAGE on top of the transaction layer; presence subscriptions
//! (`subscription.rs`), our publication (`publication.rs`) and, for the
//! local account, answering watchers (`notifier.rs`). A packet that is
//! STUN, not SIP, is the answer to a keep-alive (`keepalive.rs`).
//!
//! Inputs are packets (with where they came from), commands and the current
//! time; outputs are packets to send (with where to) and [`AgentEvent`]s.
//! The runtime's endpoint drives it with real sockets and tokio time; tests
//! drive it with virtual time and no sockets at all.

mod auth;
mod dialog;
mod keepalive;
mod notifier;
mod outbound;
mod own_address;
mod pager;
mod publication;
mod registration;
mod session;
mod session_in;
mod session_out;
mod subscription;

pub use keepalive::{STUN_ANSWER_WAIT, STUN_FIRST_RETRANSMIT};
pub use notifier::{NotifyState, WatcherEvent, WatcherId, MAX_WATCHERS, MAX_WATCHER_EXPIRES};
pub use outbound::{instance_from, MAX_OUTBOUND_URI, REG_ID};
pub use pager::{
    ArrivedFile, ArrivedMessage, IncomingAnswer, IncomingToken, MessageIdentity, PageFileBody,
    MAX_BODY_STREAM, MAX_REQUEST_UDP,
};
pub use publication::{PublicationEvent, MAX_ETAG_LEN, MAX_PUBLISH_EXPIRES};
pub use registration::{DEFAULT_UDP_KEEPALIVE, KEEPALIVE_PING};
pub use session::{SessionError, SessionEvent, MAX_SESSIONS, SDP_TYPE};
pub use subscription::{
    SubscribeRequest, SubscriptionEvent, SubscriptionId, SubscriptionState, SubscriptionStateError,
    TerminationReason, MAX_SUBSCRIBE_EXPIRES, MAX_SUBSCRIPTIONS,
};

use super::builder::{allowed_methods, response_to, USER_AGENT};
use super::message::{MessageError, Method, SipMessage};
use super::name_addr::Via;
use super::transaction::{
    ClientNonInvite, Retransmission, Role, ServerNonInvite, TableOutput, TimerConfig, TransactionKey,
    TransactionTable,
};
use super::uri::{SipUri, Transport};
use crate::model::{DeliveryState, MessageId, RegistrationState, SessionId};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;
use std::time::Instant;

/// Where a packet goes (or came from): transport, addresses and, for
/// streams, the connection to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hop {
    /// UDP, TCP or TLS.
    pub transport: Transport,
    /// The peer.
    pub remote: SocketAddr,
    /// Our address used on this path (goes into Via and Contact).
    pub local: SocketAddr,
    /// The stream connection, when there is one.
    pub conn: Option<u64>,
}

impl Hop {
    fn local_host_port(&self) -> String {
        match self.local {
            SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
            SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
        }
    }
}

/// Who we are and how we authenticate.
#[derive(Clone)]
pub struct AgentConfig {
    /// Account name, for logs.
    pub account: String,
    /// Our address of record.
    pub aor: SipUri,
    /// Display name for From.
    pub display_name: Option<String>,
    /// Digest user name.
    pub auth_user: String,
    /// Digest password (never logged).
    pub password: Option<String>,
    /// Request-URI for REGISTER; `None` for the peer-to-peer account.
    pub registrar: Option<SipUri>,
    /// Preloaded Route (the outbound proxy with `;lr`), if any.
    pub route: Option<String>,
    /// Requested registration expiry in seconds.
    pub expires: u32,
    /// RFC 3261 timers.
    pub timers: TimerConfig,
    /// Peer-to-peer only: the port we listen on. Our From address then takes
    /// the host from the path to each peer, so replies can find us.
    pub listen_port: Option<u16>,
}

impl fmt::Debug for AgentConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentConfig")
            .field("account", &self.account)
            .field("aor", &self.aor.to_string())
            .field("auth_user", &self.auth_user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("registrar", &self.registrar.as_ref().map(ToString::to_string))
            .field("route", &self.route)
            .field("expires", &self.expires)
            .finish()
    }
}

/// Something the runtime must act on or show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentEvent {
    /// Registration changed.
    Registration(RegistrationState),
    /// An outgoing message changed state.
    Delivery {
        /// The caller's id.
        id: MessageId,
        /// Recipient as given.
        to: String,
        /// New state.
        state: DeliveryState,
        /// The SIP identity of the last attempt (on final states), for
        /// retries; `None` when nothing went out (bad address, too long).
        sent_as: Option<MessageIdentity>,
        /// Seconds the server asked us to wait (Retry-After), on failures.
        retry_after: Option<u32>,
    },
    /// A MESSAGE arrived. It is answered only when the runtime calls
    /// [`Agent::answer_incoming`] (after storing it).
    MessageArrived {
        /// Pass back to [`Agent::answer_incoming`].
        token: IncomingToken,
        /// What arrived (boxed: it is by far the largest event).
        message: Box<ArrivedMessage>,
    },
    /// A chat session's signalling moved on.
    Session(SessionEvent),
    /// One of our subscriptions (presence, watcher info) moved on.
    Subscription(SubscriptionEvent),
    /// Our presence publication moved on.
    Publication(PublicationEvent),
    /// Someone watching us (the local account is its own notifier).
    Watcher(WatcherEvent),
}

/// Output of the agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Send these bytes.
    Transmit {
        /// Where.
        hop: Hop,
        /// What.
        bytes: Vec<u8>,
    },
    /// Tell the runtime.
    Event(AgentEvent),
}

/// What a client transaction was for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Purpose {
    Register,
    Message(MessageId),
    /// The CANCEL of a session's INVITE.
    Cancel(SessionId),
    /// The BYE ending a session.
    Bye(SessionId),
    /// A SUBSCRIBE of one of our subscriptions.
    Subscribe(SubscriptionId),
    /// Our PUBLISH.
    Publish,
    /// A NOTIFY to someone watching us.
    Notify(WatcherId),
}

#[derive(Debug, Clone)]
struct ClientCtx {
    hop: Hop,
    purpose: Purpose,
}

/// A transaction ended without a final response.
#[derive(Debug, Clone, Copy)]
enum Failure {
    Timeout,
    Transport,
}

/// The user agent of one account.
pub struct Agent {
    config: AgentConfig,
    rng: StdRng,
    table: TransactionTable<ClientCtx>,
    /// Where the request of each live server transaction came from; removed
    /// with its final answer (a retransmission is answered to its own hop).
    server_hops: HashMap<TransactionKey, Hop>,
    outputs: VecDeque<Output>,
    auth: auth::AuthState,
    registration: registration::Registration,
    pager: pager::Pager,
    sessions: session::Sessions,
    subscriptions: subscription::Subscriptions,
    publication: publication::Publication,
    watchers: notifier::Watchers,
}

impl Agent {
    /// A new agent; `seed` feeds tags, branches and Call-IDs.
    pub fn new(config: AgentConfig, seed: u64) -> Agent {
        let mut rng = StdRng::seed_from_u64(seed);
        let registration = registration::Registration::new(&mut rng, config.expires);
        Agent {
            config,
            rng,
            table: TransactionTable::new(),
            server_hops: HashMap::new(),
            outputs: VecDeque::new(),
            auth: auth::AuthState::default(),
            registration,
            pager: pager::Pager::default(),
            sessions: session::Sessions::default(),
            subscriptions: subscription::Subscriptions::default(),
            publication: publication::Publication::default(),
            watchers: notifier::Watchers::default(),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// Feeds one received datagram or stream message. Garbage is dropped
    /// (logged), malformed requests are answered 400; nothing panics.
    pub fn handle_packet(&mut self, bytes: &[u8], from: Hop, now: Instant) {
        if crate::protocol::stun::looks_like_stun(bytes) {
            self.stun_arrived(bytes, from, now);
            return;
        }
        let msg = match SipMessage::parse(bytes) {
            Ok(m) => m,
            Err(MessageError::Version(version)) => {
                self.refuse_version(bytes, &version, from);
                return;
            }
            Err(e) => {
                tracing::debug!(account = %self.config.account, remote = %from.remote, "dropping unparsable packet: {e}");
                return;
            }
        };
        if msg.is_request() {
            self.on_request(msg, from, now);
        } else {
            self.on_response(msg, now);
        }
        self.drain_table(now);
    }

    /// Fires due timers.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.table.handle_timeout(now);
        self.drain_table(now);
        self.registration_timer(now);
        self.sessions_timeout(now);
    }

    /// When [`Agent::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        [
            self.table.poll_timeout(),
            self.registration.wake_at(),
            self.sessions.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Whether requests we sent still wait for their final answer.
    pub fn has_pending_requests(&self) -> bool {
        self.registration.key().is_some()
            || self.pager.keys().next().is_some()
            || self.subscriptions.keys().next().is_some()
            || self.publication.key().is_some()
            || self.watchers.keys().next().is_some()
    }

    /// Our address as the From of a request through `hop`.
    fn own_uri(&self, hop: &Hop) -> SipUri {
        let mut uri = self.config.aor.clone();
        if let Some(port) = self.config.listen_port {
            uri.host = match hop.local.ip() {
                std::net::IpAddr::V4(ip) => ip.to_string(),
                std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            };
            uri.port = Some(port);
        }
        uri
    }

    /// Next output.
    pub fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The transport could not deliver to `hop` (connect failed, connection
    /// closed): fail the client transactions that were using it.
    pub fn transport_failed(&mut self, remote: SocketAddr, conn: Option<u64>, now: Instant) {
        let keys: Vec<TransactionKey> = self.pending_client_keys(remote, conn);
        for key in keys {
            self.table.client_transport_error(&key);
        }
        self.drain_table(now);
        self.sessions_transport_failed(remote, conn, now);
    }

    fn pending_client_keys(&self, remote: SocketAddr, conn: Option<u64>) -> Vec<TransactionKey> {
        self.pager
            .keys()
            .chain(self.registration.key())
            .chain(self.subscriptions.keys())
            .chain(self.publication.key())
            .chain(self.watchers.keys())
            .filter(|key| {
                self.table
                    .client_context(key)
                    .is_some_and(|ctx| ctx.hop.remote == remote && (conn.is_none() || ctx.hop.conn == conn))
            })
            .cloned()
            .collect()
    }

    fn emit(&mut self, event: AgentEvent) {
        self.outputs.push_back(Output::Event(event));
    }

    fn random_token(&mut self, bytes: usize) -> String {
        (0..bytes)
            .map(|_| format!("{:02x}", self.rng.gen::<u8>()))
            .collect()
    }

    fn new_tag(&mut self) -> String {
        self.random_token(6)
    }

    fn new_call_id(&mut self) -> String {
        let token = self.random_token(12);
        format!("{token}@{}", self.config.aor.host)
    }

    fn cnonce(&mut self) -> String {
        self.random_token(16)
    }

    /// Fills Via (new branch), Max-Forwards, Route and User-Agent, then starts
    /// a client transaction for `request`.
    fn start_client(
        &mut self,
        request: &mut SipMessage,
        hop: Hop,
        purpose: Purpose,
        now: Instant,
    ) -> Result<TransactionKey, String> {
        let branch = self.prepare_request(request, &hop);
        self.start_prepared(request, branch, hop, purpose, now)
    }

    /// Starts a non-INVITE client transaction for a request whose Via is
    /// already filled with `branch` (a CANCEL copies its INVITE's Via).
    fn start_prepared(
        &mut self,
        request: &SipMessage,
        branch: String,
        hop: Hop,
        purpose: Purpose,
        now: Instant,
    ) -> Result<TransactionKey, String> {
        let method = request.method().unwrap_or(Method::Options);
        let key = TransactionKey::client(branch, method.as_str());
        let txn = ClientNonInvite::new(
            request.to_bytes(),
            hop.transport.is_reliable(),
            now,
            self.config.timers,
        );
        self.table
            .start_client(key.clone(), txn, ClientCtx { hop, purpose })
            .map_err(|e| format!("too many requests in progress ({e})"))?;
        self.drain_table(now);
        Ok(key)
    }

    /// Fills Via with a new branch (returned), Max-Forwards, the outbound
    /// Route when the request has no route of its own, and User-Agent.
    fn prepare_request(&mut self, request: &mut SipMessage, hop: &Hop) -> String {
        let branch = format!("z9hG4bK{}", self.random_token(10));
        request.set_header(
            "Via",
            format!(
                "SIP/2.0/{} {};branch={branch};rport",
                hop.transport,
                hop.local_host_port()
            ),
        );
        if request.header("Max-Forwards").is_none() {
            request.push_header("Max-Forwards", "70");
        }
        if let (Some(route), None) = (&self.config.route, request.header("Route")) {
            request.push_header("Route", route.clone());
        }
        if request.header("User-Agent").is_none() {
            request.push_header("User-Agent", USER_AGENT);
        }
        branch
    }

    fn on_response(&mut self, msg: SipMessage, now: Instant) {
        let (Ok(via), Ok((_, method)), Some(code)) = (msg.top_via(), msg.cseq(), msg.status()) else {
            tracing::debug!(account = %self.config.account, "dropping response without usable Via/CSeq");
            return;
        };
        let Some(branch) = via.branch() else { return };
        let key = TransactionKey::client(branch, method.as_str());
        if method == Method::Invite {
            self.invite_response(&key, &msg, now);
            return;
        }
        match self.table.client_response(&key, code, now) {
            Some(super::transaction::ClientResponse::Final(ctx)) => match ctx.purpose {
                Purpose::Register => self.registration_response(&key, ctx.hop, &msg, now),
                Purpose::Message(id) => self.message_response(id, &key, ctx.hop, &msg, now),
                Purpose::Cancel(session) | Purpose::Bye(session) => {
                    tracing::debug!(account = %self.config.account, %session, code, "{method} answered");
                }
                Purpose::Subscribe(id) => self.subscribe_response(id, &key, &msg, now),
                Purpose::Publish => self.publish_response(&key, &msg, now),
                Purpose::Notify(id) => self.notify_response(id, &key, Some(code)),
            },
            Some(_) => {}
            None => tracing::debug!(account = %self.config.account, %key, code, "stray response"),
        }
    }

    fn on_request(&mut self, msg: SipMessage, from: Hop, now: Instant) {
        let method = msg.method().unwrap_or(Method::Options);
        if let Err(e) = msg.validate_request() {
            tracing::debug!(account = %self.config.account, remote = %from.remote, "bad request: {e}");
            let mut resp = response_to(&msg, 400, None);
            resp.push_header("Warning", warning_value(&e.to_string()));
            // RFC 4475 3.3.1: a request missing Call-ID, From or To still
            // gets its 400 when we know where to send it (the Via).
            if msg.top_via().is_ok() && method != Method::Ack {
                self.outputs.push_back(Output::Transmit {
                    hop: from,
                    bytes: resp.to_bytes(),
                });
            }
            return;
        }
        match method {
            Method::Ack => return self.on_ack(&msg, now),
            Method::Invite => return self.on_invite(msg, from, now),
            _ => {}
        }
        let key = server_key(&msg, &method);
        match self.table.server_retransmission(&key) {
            Retransmission::New => {}
            Retransmission::Absorbed => return,
            Retransmission::Answer(bytes) => {
                self.outputs.push_back(Output::Transmit { hop: from, bytes });
                return;
            }
        }
        let txn = ServerNonInvite::new(from.transport.is_reliable(), now, self.config.timers);
        if self.table.insert_server(key.clone(), txn).is_err() {
            let mut resp = response_to(&msg, 503, None);
            resp.push_header("Retry-After", "5");
            self.outputs.push_back(Output::Transmit {
                hop: from,
                bytes: resp.to_bytes(),
            });
            return;
        }
        self.server_hops.insert(key.clone(), from);
        if let Some(resp) = self.refuse_unsupported(&msg) {
            self.respond(&key, resp, now);
            return;
        }
        if method == Method::Notify && self.is_our_notify(&msg) {
            return self.on_notify(key, msg, now);
        }
        if method == Method::Subscribe && self.is_own_notifier() {
            return self.on_subscribe(key, msg, from, now);
        }
        let has_to_tag = msg.to_header().ok().is_some_and(|t| t.tag().is_some());
        if has_to_tag && method != Method::Cancel && !self.in_known_dialog(&msg) {
            let resp = response_to(&msg, 481, None);
            self.respond(&key, resp, now);
            return;
        }
        if method == Method::Message && !has_to_tag && !self.addressed_to_us(&msg, &from) {
            // Not for this account (a misrouted or scanning request): say
            // so, and keep nothing.
            tracing::debug!(account = %self.config.account, uri = msg.request_uri().unwrap_or_default(), "MESSAGE for someone else");
            let resp = response_to(&msg, 404, Some(&self.new_tag()));
            self.respond(&key, resp, now);
            return;
        }
        match method {
            Method::Message => self.on_incoming_message(key, msg, now),
            Method::Bye => self.on_bye(key, msg, now),
            Method::Cancel => self.on_cancel(key, msg, now),
            Method::Options => {
                let mut resp = response_to(&msg, 200, Some(&self.new_tag()));
                resp.push_header("Allow", allowed_methods());
                resp.push_header("Accept", pager::ACCEPTED_TYPES.join(", "));
                self.respond(&key, resp, now);
            }
            Method::Register | Method::Subscribe | Method::Publish | Method::Refer => {
                let mut resp = response_to(&msg, 405, Some(&self.new_tag()));
                resp.push_header("Allow", allowed_methods());
                self.respond(&key, resp, now);
            }
            Method::Update if has_to_tag => {
                // A session refresh inside one of our dialogs: nothing changes.
                let resp = response_to(&msg, 200, None);
                self.respond(&key, resp, now);
            }
            Method::Notify | Method::Info | Method::Update | Method::Prack => {
                let resp = response_to(&msg, 481, None);
                self.respond(&key, resp, now);
            }
            Method::Other(_) | Method::Ack | Method::Invite => {
                let mut resp = response_to(&msg, 501, None);
                resp.push_header("Allow", allowed_methods());
                self.respond(&key, resp, now);
            }
        }
    }

    /// RFC 4475 3.1.2.16: a request in another SIP version gets `505
    /// Version Not Supported`, sent statelessly, when its Via can be read.
    fn refuse_version(&mut self, bytes: &[u8], version: &str, from: Hop) {
        let Some(msg) = SipMessage::parse_as_current_version(bytes) else {
            tracing::debug!(account = %self.config.account, remote = %from.remote, "dropping a {version} packet");
            return;
        };
        let readable_via = msg
            .header_list("Via")
            .first()
            .is_some_and(|via| Via::parse(&via_as_current_version(via)).is_ok());
        if !msg.is_request() || msg.method() == Some(Method::Ack) || !readable_via {
            tracing::debug!(account = %self.config.account, remote = %from.remote, "dropping a {version} packet");
            return;
        }
        tracing::debug!(account = %self.config.account, remote = %from.remote, "answering a {version} request 505");
        let resp = response_to(&msg, 505, None);
        self.outputs.push_back(Output::Transmit {
            hop: from,
            bytes: resp.to_bytes(),
        });
    }

    /// 416 for a Request-URI scheme we do not serve (RFC 3261 8.2.2.1), 400
    /// for a SIP Request-URI we cannot read (an IPv6 host without its
    /// brackets, RFC 5118 section 4.4; the Warning says why), 420 for a
    /// Require we do not support (8.2.2.3; `eventlist` on a NOTIFY is
    /// supported).
    fn refuse_unsupported(&mut self, msg: &SipMessage) -> Option<SipMessage> {
        let uri = msg.request_uri().unwrap_or_default();
        let scheme = uri.split(':').next().unwrap_or_default();
        if !scheme.eq_ignore_ascii_case("sip") && !scheme.eq_ignore_ascii_case("sips") {
            return Some(response_to(msg, 416, Some(&self.new_tag())));
        }
        if let Err(e) = SipUri::parse(uri) {
            let mut resp = response_to(msg, 400, Some(&self.new_tag()));
            resp.push_header("Warning", warning_value(&format!("Request-URI: {e}")));
            return Some(resp);
        }
        // A resource list's NOTIFY requires `eventlist` (RFC 4662), which
        // we offer in every list SUBSCRIBE.
        let unsupported: Vec<&str> = msg
            .header_list("Require")
            .into_iter()
            .filter(|r| !(msg.method() == Some(Method::Notify) && r.eq_ignore_ascii_case("eventlist")))
            .collect();
        if !unsupported.is_empty() && msg.method() != Some(Method::Cancel) {
            let mut resp = response_to(msg, 420, Some(&self.new_tag()));
            resp.push_header("Unsupported", unsupported.join(", "));
            return Some(resp);
        }
        None
    }

    /// Sends `response` on the server transaction `key`.
    fn respond(&mut self, key: &TransactionKey, response: SipMessage, now: Instant) {
        let code = response.status().unwrap_or(500);
        if let Some(server) = self.table.server_for(key) {
            if let Err(e) = server.send_response(code, response.to_bytes(), now) {
                tracing::debug!(%key, "response not sent: {e}");
            }
        }
        self.drain_table(now);
    }

    fn drain_table(&mut self, now: Instant) {
        while let Some(out) = self.table.poll_output() {
            match out {
                TableOutput::Transmit { role, key, bytes } => {
                    let hop = match role {
                        Role::Client => self.table.client_context(&key).map(|c| c.hop),
                        Role::Server if self.table.server(&key).is_none() => {
                            // The final answer: a retransmission is answered from
                            // the table, to where it came from.
                            self.server_hops.remove(&key)
                        }
                        Role::Server => self.server_hops.get(&key).copied(),
                    };
                    match hop {
                        Some(hop) => self.outputs.push_back(Output::Transmit { hop, bytes }),
                        None => tracing::debug!(%key, "no destination for transmission"),
                    }
                }
                TableOutput::ClientTimedOut { key, ctx } => {
                    self.client_failed(&key, ctx, Failure::Timeout, now)
                }
                TableOutput::ClientTransportError { key, ctx } => {
                    self.client_failed(&key, ctx, Failure::Transport, now)
                }
                TableOutput::ServerTransportError { key } => {
                    self.server_hops.remove(&key);
                }
            }
        }
    }

    fn client_failed(&mut self, key: &TransactionKey, ctx: ClientCtx, failure: Failure, now: Instant) {
        match ctx.purpose {
            Purpose::Register => self.registration_no_response(key, failure, now),
            Purpose::Message(id) => self.message_no_response(id, key, ctx.hop, failure),
            Purpose::Cancel(session) | Purpose::Bye(session) => {
                tracing::debug!(account = %self.config.account, %session, %key, ?failure, "no answer");
            }
            Purpose::Subscribe(id) => self.subscribe_no_response(id, key, failure),
            Purpose::Publish => self.publish_no_response(key, failure, now),
            Purpose::Notify(id) => {
                let _ = failure;
                self.notify_response(id, key, None)
            }
        }
    }

    /// Words for a request that got no final answer. `peer` names the far
    /// end for peer-to-peer requests (there is no server to blame).
    fn failure_words(&self, failure: Failure, hop: Option<Hop>, peer: Option<&str>) -> String {
        let secs = (self.config.timers.t1 * 64).as_secs();
        match failure {
            Failure::Timeout if self.config.registrar.is_none() => {
                let who = peer.unwrap_or("the peer");
                let at = hop.map(|h| format!(" at {}", h.remote)).unwrap_or_default();
                format!("no answer from {who}{at} within {secs} seconds")
            }
            Failure::Timeout => super::outcome::describe_timeout(secs),
            Failure::Transport => match hop {
                Some(h) => format!("could not send to {} over {}", h.remote, h.transport),
                None => "could not send: the connection failed".into(),
            },
        }
    }
}

/// Longest warn-text we put in a Warning header.
pub const MAX_WARNING_TEXT: usize = 200;

/// `399 sipchat "text"` with the text escaped and bounded.
fn warning_value(text: &str) -> String {
    let mut short: String = text
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_WARNING_TEXT)
        .collect();
    if text.chars().count() > MAX_WARNING_TEXT {
        short.push('…');
    }
    format!("399 sipchat {}", super::header_value::quote(&short))
}

/// A Via value with its protocol version read as 2.0 (`SIP/7.0/UDP h` ->
/// `SIP/2.0/UDP h`), to find where to answer a request in another version.
fn via_as_current_version(via: &str) -> String {
    let via = via.trim();
    let mut parts = via.splitn(3, '/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(name), Some(_version), Some(rest)) => format!("{name}/2.0/{rest}"),
        _ => via.to_string(),
    }
}

/// Server transaction key (RFC 3261 section 17.2.3, with an RFC 2543 fallback).
fn server_key(msg: &SipMessage, method: &Method) -> TransactionKey {
    let via = msg.top_via().ok();
    let sent_by = via.as_ref().map(|v| v.sent_by()).unwrap_or_default();
    match via.as_ref().and_then(|v| v.branch()) {
        Some(b) if b.starts_with("z9hG4bK") => TransactionKey::server(b, method.as_str(), sent_by),
        _ => {
            let call_id = msg.call_id().unwrap_or_default();
            let cseq = msg.cseq().map(|(n, _)| n).unwrap_or_default();
            let tag = msg
                .from_header()
                .ok()
                .and_then(|f| f.tag().map(str::to_string))
                .unwrap_or_default();
            TransactionKey::server(format!("{call_id}/{cseq}/{tag}"), method.as_str(), sent_by)
        }
    }
}

#[cfg(test)]
#[path = "agent_tests.rs"]
mod tests;
#[cfg(test)]
mod tests_support;
