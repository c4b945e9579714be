//! The driver's side of the chats and transfers features: it turns
//! commands and SIP session news into their inputs, routes each session's
//! news to the feature that owns it (an offer is judged once: a file offer
//! goes to transfers, a chat offer to chats), and carries out what they
//! ask: SIP session actions on the agent, MSRP tasks and their commands,
//! hashing and reading files, store work on the store thread. On a server
//! account, a session or page-mode file that needs the flow while it is
//! being opened waits for that attempt (bounded by its connect timeout),
//! so a command run right after start does not fail; with `register:
//! false` the flow alone is enough.

use super::routing::RouteError;
use super::{Endpoint, Internal};
use crate::model::{MessageId, SessionId, TransferId};
use crate::protocol::sip::agent::{Hop, SessionError, SessionEvent as SipSession};
use crate::runtime::account::ChatSettings;
use crate::runtime::chats::{ChatEffect, ChatError, ChatInput, ChatStoreOp, Chats, ChatsConfig};
use crate::runtime::clock::{now_ms, Now};
use crate::runtime::command::FileSendMode;
use crate::runtime::files::publish;
use crate::runtime::msrp_session::{judge_offer, OfferPolicy, SessionAction, Verdict};
use crate::runtime::msrp_task::{self, Plan, TaskCommand, TaskEvent, TaskNews, TaskSetup};
use crate::runtime::msrp_task::{hash_file, FileJob};
use crate::runtime::transfers::{
    check_outgoing_size, TransferEffect, TransferError, TransferInput, TransferStoreOp, Transfers,
    TransfersConfig,
};
use crate::transport::msrp::listener::MsrpHub;
use crate::transport::stream::StreamHandle;
use crate::transport::TransportError;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The words when a server account has no flow for a session and will
/// not get one (it is shutting down).
const NOT_CONNECTED: &str = "not connected to the server; the account is stopping";
/// The words when a server account has no flow for a page-mode file and
/// will not get one.
const PAGE_FILE_NOT_CONNECTED: &str = "not sent: the account is not connected to its server";

/// What the account task is asked to do with chats and transfers.
#[derive(Debug)]
pub(crate) enum ChatCommand {
    Open {
        peer: String,
    },
    Accept {
        session: SessionId,
    },
    Decline {
        session: SessionId,
    },
    Send {
        id: MessageId,
        session: SessionId,
        text: String,
    },
    Composing {
        session: SessionId,
        active: bool,
    },
    Close {
        session: SessionId,
    },
    SendFile {
        id: TransferId,
        to: String,
        path: PathBuf,
        mode: FileSendMode,
    },
    AcceptFile {
        transfer: TransferId,
        dir: PathBuf,
    },
    DeclineFile {
        transfer: TransferId,
    },
    CancelFile {
        transfer: TransferId,
    },
}

/// Which feature a SIP session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    Chats,
    Transfers,
}

/// The driver's bookkeeping for MSRP sessions.
#[derive(Debug, Default)]
pub(crate) struct SessionRoutes {
    owners: HashMap<SessionId, Owner>,
    /// Running MSRP tasks (until they report `Closed`).
    tasks: HashMap<SessionId, mpsc::UnboundedSender<TaskCommand>>,
    /// Where tasks send their news (forwarded to the endpoint's loop).
    news: Option<mpsc::UnboundedSender<TaskNews>>,
    /// Sessions and page-mode files of a server account asked for a route
    /// while its flow was being opened: they go (or fail) when the attempt
    /// ends, which [`crate::transport::stream::CONNECT_TIMEOUT`] bounds.
    waiting_for_flow: Vec<FlowWaiter>,
}

/// Something that needs the server flow, which is not up yet.
#[derive(Debug)]
enum FlowWaiter {
    Session(SessionId),
    PageFile(MessageId),
}

/// The chats and transfers features of an account.
pub(crate) fn features(
    account: &crate::model::AccountId,
    own_aor: String,
    settings: &ChatSettings,
    hub: Option<&Arc<MsrpHub>>,
    server_account: bool,
    now: Now,
) -> (Chats, Transfers) {
    let fingerprint = hub
        .filter(|_| !settings.omit_fingerprint)
        .map(|h| h.fingerprint().to_string());
    let chats = Chats::new(ChatsConfig {
        account: account.clone(),
        own_aor,
        role: settings.role,
        relayed: settings.relay.is_some(),
        msrp_available: hub.is_some(),
        fingerprint: fingerprint.clone(),
        tls: settings.tls,
        auto_accept: settings.auto_accept,
    });
    let transfers = Transfers::new(
        TransfersConfig {
            account: account.clone(),
            role: settings.role,
            relayed: settings.relay.is_some(),
            msrp_available: hub.is_some(),
            fingerprint,
            tls: settings.tls,
            max_file_size: settings.max_file_size,
            server_account,
        },
        now,
    );
    (chats, transfers)
}

impl Endpoint {
    /// The time as the features see it.
    fn clock(&self) -> Now {
        Now {
            at: self.now(),
            unix_ms: now_ms(),
        }
    }

    pub(crate) fn on_chat_command(&mut self, cmd: ChatCommand) {
        match cmd {
            ChatCommand::Open { peer } => {
                let session = self.agent.new_session_id();
                self.sessions.owners.insert(session, Owner::Chats);
                self.feed_chats(ChatInput::Open { session, peer });
                if !self.chats.owns(session) {
                    self.sessions.owners.remove(&session);
                }
            }
            ChatCommand::Accept { session } => self.feed_chats(ChatInput::Accept { session }),
            ChatCommand::Decline { session } => self.feed_chats(ChatInput::Decline { session }),
            ChatCommand::Send { id, session, text } => self.feed_chats(ChatInput::Send { id, session, text }),
            ChatCommand::Composing { session, active } => {
                self.feed_chats(ChatInput::Composing { session, active })
            }
            ChatCommand::Close { session } => self.feed_chats(ChatInput::Close { session }),
            ChatCommand::SendFile { id, to, path, mode } => {
                let session = self.agent.new_session_id();
                self.sessions.owners.insert(session, Owner::Transfers);
                self.feed_transfers(TransferInput::SendFile {
                    id,
                    to,
                    path,
                    mode,
                    session,
                });
                if !self.transfers.owns(session) {
                    self.sessions.owners.remove(&session);
                }
            }
            // Files that came in a MESSAGE are page_file.rs's; the rest are sessions.
            ChatCommand::AcceptFile { transfer, dir } if self.is_page_file_offer(transfer) => {
                self.accept_page_file(transfer, dir)
            }
            ChatCommand::AcceptFile { transfer, dir } => {
                let dir_usable = dir.is_dir();
                self.feed_transfers(TransferInput::Accept {
                    transfer,
                    dir,
                    dir_usable,
                })
            }
            ChatCommand::DeclineFile { transfer } | ChatCommand::CancelFile { transfer }
                if self.is_page_file_offer(transfer) =>
            {
                self.decline_page_file(transfer)
            }
            ChatCommand::DeclineFile { transfer } => self.feed_transfers(TransferInput::Decline { transfer }),
            ChatCommand::CancelFile { transfer } => self.feed_transfers(TransferInput::Cancel { transfer }),
        }
    }

    /// Feeds the chats and carries out what they ask.
    pub(crate) fn feed_chats(&mut self, input: ChatInput) {
        let now = self.clock();
        self.chats.handle(input, now);
        self.run_chat_effects();
    }

    /// Feeds the transfers and carries out what they ask.
    pub(crate) fn feed_transfers(&mut self, input: TransferInput) {
        let now = self.clock();
        self.transfers.handle(input, now);
        self.run_transfer_effects();
    }

    /// Carries out what the chats asked (the run loop may call it after any input).
    pub(crate) fn run_chat_effects(&mut self) {
        while let Some(effect) = self.chats.poll_effect() {
            match effect {
                ChatEffect::Session(action) => {
                    if let Err(e) = self.session_action(&action) {
                        self.feed_chats(ChatInput::ActionFailed {
                            session: action.session(),
                            action: action.kind(),
                            reason: e.to_string(),
                        });
                    }
                }
                ChatEffect::Route { session, peer } => self.route_session(session, peer),
                ChatEffect::StartTask { session, hop, secure } => self.start_task(session, hop, None, secure),
                ChatEffect::Task { session, command } => self.task_command(session, command),
                ChatEffect::Store(op) => self.chat_store(op),
                ChatEffect::Emit(event) => self.emit(event),
                ChatEffect::Release { session } => {
                    self.sessions.owners.remove(&session);
                }
            }
        }
    }

    /// Carries out what the transfers asked (the run loop may call it after any input).
    pub(crate) fn run_transfer_effects(&mut self) {
        while let Some(effect) = self.transfers.poll_effect() {
            match effect {
                TransferEffect::Session(action) => {
                    if let Err(e) = self.session_action(&action) {
                        self.feed_transfers(TransferInput::ActionFailed {
                            session: action.session(),
                            action: action.kind(),
                            reason: e.to_string(),
                        });
                    }
                }
                TransferEffect::Route { session, peer } => self.route_session(session, peer),
                TransferEffect::StartTask {
                    session,
                    hop,
                    job,
                    secure,
                } => self.start_task(session, hop, job, secure),
                TransferEffect::Task { session, command } => self.task_command(session, command),
                TransferEffect::Hash { session, path } => self.hash(session, path),
                TransferEffect::Publish {
                    session,
                    msrp_id,
                    sha1,
                    temp,
                    dir,
                    name,
                } => {
                    let internal = self.internal_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let result = publish(&temp, &dir, &name).map_err(TransferError::from);
                        let _ = internal.send(Internal::Transfers(TransferInput::Published {
                            session,
                            msrp_id,
                            sha1,
                            result,
                        }));
                    });
                }
                TransferEffect::RemoveFile(path) => {
                    let _ = std::fs::remove_file(path);
                }
                TransferEffect::ReadPageFile {
                    transfer,
                    to,
                    path,
                    note,
                } => self.read_page_file(transfer, to, path, note),
                TransferEffect::RoutePageFile { id, target } => self.route_page_file(id, target),
                TransferEffect::SendPageFile { id, to, body, hop } => {
                    let now = self.now();
                    self.agent.send_file_message(id, &to, &body, hop, now);
                }
                TransferEffect::Store(op) => self.transfer_store(op),
                TransferEffect::Emit(event) => self.emit(event),
                TransferEffect::Release { session } => {
                    self.sessions.owners.remove(&session);
                }
            }
        }
    }

    /// Carries out a SIP session action on the agent.
    fn session_action(&mut self, action: &SessionAction) -> Result<(), SessionError> {
        let now = self.now();
        match action {
            SessionAction::Invite {
                session,
                to,
                sdp,
                hop,
            } => {
                self.agent.invite(*session, to, sdp.clone(), *hop, now);
                Ok(())
            }
            SessionAction::Accept { session, sdp } => self.agent.accept_session(*session, sdp.clone(), now),
            SessionAction::Reject {
                session,
                code,
                warning,
            } => {
                let warning = warning.as_ref().map(|(c, text)| (*c, text.as_str()));
                self.agent.reject_session_with(*session, *code, warning, now)
            }
            SessionAction::Ring { session } => self.agent.ring_session(*session, now),
            SessionAction::End { session } => self.agent.end_session(*session, now),
            SessionAction::EndBecause { session, reason } => {
                self.agent.end_session_because(*session, reason, now)
            }
        }
    }

    /// Finds the path for a new outgoing session: the server flow, or a
    /// peer-to-peer path.
    fn route_session(&mut self, session: SessionId, peer: String) {
        if let Some(hop) = self.server_hop_for_chat() {
            return self.session_routed(session, Ok(hop));
        }
        if self.is_server_account() {
            if self.flow_coming() {
                tracing::debug!(%session, "waiting for the server flow");
                return self.sessions.waiting_for_flow.push(FlowWaiter::Session(session));
            }
            return self.session_routed(session, Err(RouteError::NotConnected(NOT_CONNECTED)));
        }
        self.route_to(peer, move |route| Internal::SessionRouted { session, route });
    }

    /// The attempt to open the server flow ended: what waited for it goes
    /// now, over the flow, or fails with the reason the flow did not open.
    pub(super) fn flow_settled(&mut self, failure: Option<&TransportError>) {
        for waiter in std::mem::take(&mut self.sessions.waiting_for_flow) {
            let hop = match (self.server_hop_for_chat(), failure) {
                (Some(hop), _) => Ok(hop),
                (None, Some(e)) => Err(RouteError::ServerUnreachable(e.to_string())),
                (None, None) => Err(RouteError::NotConnected(NOT_CONNECTED)),
            };
            match waiter {
                FlowWaiter::Session(session) => self.session_routed(session, hop),
                FlowWaiter::PageFile(id) => {
                    let result = hop.map_err(|e| match e {
                        RouteError::NotConnected(_) => {
                            TransferError::Unreachable(PAGE_FILE_NOT_CONNECTED.into())
                        }
                        other => TransferError::Unreachable(format!("not sent: {other}")),
                    });
                    self.feed_transfers(TransferInput::PageFileRouted { id, result });
                }
            }
        }
    }

    /// A peer-to-peer path for a session is open (or not).
    pub(crate) fn on_session_routed(
        &mut self,
        session: SessionId,
        route: Result<(Hop, Option<StreamHandle>), RouteError>,
    ) {
        let hop = route.map(|(hop, handle)| {
            if let Some(h) = handle {
                self.adopt_stream(h);
            }
            hop
        });
        self.session_routed(session, hop);
    }

    fn session_routed(&mut self, session: SessionId, hop: Result<Hop, RouteError>) {
        match self.sessions.owners.get(&session) {
            Some(Owner::Chats) => self.feed_chats(ChatInput::Routed {
                session,
                result: hop.map_err(|e| ChatError::Unreachable(e.to_string())),
            }),
            Some(Owner::Transfers) => self.feed_transfers(TransferInput::Routed {
                session,
                result: hop.map_err(|e| TransferError::Unreachable(e.to_string())),
            }),
            None => {}
        }
    }

    /// Starts a session's MSRP task (`secure`: an `msrps` path of ours).
    fn start_task(&mut self, session: SessionId, hop: Hop, file: Option<FileJob>, secure: bool) {
        let Some(hub) = self.hub.clone() else { return };
        let plan = match &self.chat_settings.relay {
            Some(r) => Plan::Relay {
                relay: r.uri.clone(),
                username: r.username.clone(),
                password: r.password.clone(),
                tls: r.tls.clone(),
                queue: r.queue,
            },
            None => {
                let ip = if hop.local.ip().is_unspecified() {
                    crate::transport::local_ip_towards(hop.remote).unwrap_or(hop.local.ip())
                } else {
                    hop.local.ip()
                };
                let host = match ip {
                    std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                    v4 => v4.to_string(),
                };
                Plan::Direct {
                    secure,
                    host,
                    behind_nat: self.agent.behind_nat_on(&hop)
                        || msrp_task::reach::looks_behind_nat(ip, hop.remote.ip()),
                    peer_tls: self.chat_settings.peer_tls.clone(),
                }
            }
        };
        let events = self.task_news_sender();
        let task = msrp_task::spawn(TaskSetup {
            session,
            account: self.account_name().to_string(),
            plan,
            hub,
            events,
            file,
        });
        self.sessions.tasks.insert(session, task);
    }

    /// The channel tasks report on; its news reaches the endpoint's loop
    /// as [`Internal::Msrp`].
    fn task_news_sender(&mut self) -> mpsc::UnboundedSender<TaskNews> {
        if let Some(tx) = &self.sessions.news {
            return tx.clone();
        }
        let (tx, mut rx) = mpsc::unbounded_channel::<TaskNews>();
        let internal = self.internal_tx.clone();
        tokio::spawn(async move {
            while let Some(news) = rx.recv().await {
                if internal.send(Internal::Msrp(news)).is_err() {
                    break;
                }
            }
        });
        self.sessions.news = Some(tx.clone());
        tx
    }

    fn task_command(&mut self, session: SessionId, command: TaskCommand) {
        if let Some(task) = self.sessions.tasks.get(&session) {
            let _ = task.send(command);
        }
    }

    /// News from a session's MSRP task, for the feature that owns it.
    pub(crate) fn on_task_news(&mut self, news: TaskNews) {
        let TaskNews { session, event } = news;
        if matches!(event, TaskEvent::Closed { .. }) {
            self.sessions.tasks.remove(&session);
        }
        match self.sessions.owners.get(&session) {
            Some(Owner::Chats) => self.feed_chats(ChatInput::Task { session, event }),
            Some(Owner::Transfers) => self.feed_transfers(TransferInput::Task { session, event }),
            None => {}
        }
    }

    /// Whether MSRP tasks are still running (they may have bytes to flush).
    pub(crate) fn tasks_running(&self) -> bool {
        !self.sessions.tasks.is_empty()
    }

    /// Whether any chat or file session is open or being set up.
    pub(crate) fn sessions_any(&self) -> bool {
        self.chats.any() || self.transfers.any()
    }

    /// Ends every session (the account is stopping): transfers under way
    /// are interrupted (kept to resume), chats hang up.
    pub(crate) fn close_all_sessions(&mut self) {
        self.feed_transfers(TransferInput::Shutdown);
        self.feed_chats(ChatInput::Shutdown);
    }

    /// When the chats or transfers next need the time.
    pub(crate) fn sessions_poll_timeout(&self) -> Option<std::time::Instant> {
        [self.chats.poll_timeout(), self.transfers.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Lets the chats and transfers act on the time.
    pub(crate) fn sessions_handle_timeout(&mut self) {
        let now = self.clock();
        if self.chats.poll_timeout().is_some_and(|at| at <= now.at) {
            self.chats.handle_timeout(now);
            self.run_chat_effects();
        }
        if self.transfers.poll_timeout().is_some_and(|at| at <= now.at) {
            self.transfers.handle_timeout(now);
            self.run_transfer_effects();
        }
    }

    /// Signalling news from the agent, for the feature that owns the
    /// session; offers are judged here, once.
    pub(crate) fn on_session_event(&mut self, event: SipSession) {
        let owner = |this: &Self, session: &SessionId| this.sessions.owners.get(session).copied();
        match event {
            SipSession::Offered {
                session,
                from,
                from_name,
                sdp,
                hop,
                ..
            } => self.session_offered(session, from, from_name, &sdp, hop),
            SipSession::Progress { session, code } => {
                if owner(self, &session) == Some(Owner::Chats) {
                    self.feed_chats(ChatInput::Progress { session, code });
                }
            }
            SipSession::Answered { session, sdp } => match owner(self, &session) {
                Some(Owner::Chats) => self.feed_chats(ChatInput::Answered { session, sdp }),
                Some(Owner::Transfers) => self.feed_transfers(TransferInput::Answered { session, sdp }),
                None => {}
            },
            SipSession::Confirmed { .. } => {}
            SipSession::Failed {
                session,
                code,
                reason,
                explained,
            } => match owner(self, &session) {
                Some(Owner::Chats) => self.feed_chats(ChatInput::Failed { session, reason }),
                Some(Owner::Transfers) => {
                    // A spare id, in case the file is offered again.
                    let fresh = self.agent.new_session_id();
                    self.sessions.owners.insert(fresh, Owner::Transfers);
                    self.feed_transfers(TransferInput::Failed {
                        session,
                        code,
                        reason,
                        explained,
                        fresh,
                    });
                    if !self.transfers.owns(fresh) {
                        self.sessions.owners.remove(&fresh);
                    }
                }
                None => {}
            },
            SipSession::Ended { session, reason, .. } => match owner(self, &session) {
                Some(Owner::Chats) => self.feed_chats(ChatInput::Ended { session, reason }),
                Some(Owner::Transfers) => self.feed_transfers(TransferInput::Ended { session, reason }),
                None => {}
            },
        }
    }

    fn session_offered(
        &mut self,
        session: SessionId,
        from: String,
        from_name: Option<String>,
        sdp: &[u8],
        hop: Hop,
    ) {
        self.refresh_block_list();
        let policy = OfferPolicy {
            role: self.chat_settings.role,
            relayed: self.chat_settings.relay.is_some(),
            relay_secure: self.chat_settings.relay.as_ref().is_some_and(|r| r.uri.secure),
            max_file_size: self.chat_settings.max_file_size,
            refuse_sessions: self.chat_settings.refuse_sessions,
            msrp_available: self.hub.is_some(),
        };
        match judge_offer(sdp, &policy) {
            Verdict::Refuse { code, warning, why } => {
                tracing::info!(%from, "{why}");
                let now = self.now();
                let warning = warning.as_ref().map(|(c, text)| (*c, text.as_str()));
                let _ = self.agent.reject_session_with(session, code, warning, now);
            }
            Verdict::Chat { offer, decision } => {
                self.sessions.owners.insert(session, Owner::Chats);
                self.feed_chats(ChatInput::Offered {
                    session,
                    from,
                    from_name,
                    hop,
                    offer: Box::new(offer),
                    decision: Box::new(decision),
                });
            }
            Verdict::File { offer, decision } => {
                self.sessions.owners.insert(session, Owner::Transfers);
                let accept_into = self.chat_settings.accept_files.clone().map(|dir| {
                    let usable = dir.is_dir();
                    (dir, usable)
                });
                self.feed_transfers(TransferInput::Offered {
                    session,
                    from,
                    hop,
                    offer: Box::new(offer),
                    decision: Box::new(decision),
                    accept_into,
                });
            }
        }
    }

    /// Whether `id` is a MESSAGE carrying one of our files.
    pub(crate) fn is_page_file_sending(&self, id: MessageId) -> bool {
        self.transfers.is_page_file(id)
    }

    /// Hashes a file to send (size and SHA-1), off the async threads.
    fn hash(&self, session: SessionId, path: PathBuf) {
        let internal = self.internal_tx.clone();
        tokio::task::spawn_blocking(move || {
            let shown = path.display().to_string();
            let result = match std::fs::metadata(&path) {
                Ok(m) if !m.is_file() => Err(TransferError::NotAFile { path: shown }),
                Ok(_) => hash_file(&path).map_err(|source| TransferError::ReadFailed { path: shown, source }),
                Err(source) => Err(TransferError::Unreadable { path: shown, source }),
            };
            let _ = internal.send(Internal::Transfers(TransferInput::Hashed { session, result }));
        });
    }

    /// Reads a file to send as a MESSAGE, off the async threads.
    fn read_page_file(&self, transfer: TransferId, to: String, path: PathBuf, note: Option<String>) {
        let internal = self.internal_tx.clone();
        tokio::task::spawn_blocking(move || {
            let shown = path.display().to_string();
            let result = match std::fs::metadata(&path) {
                Ok(m) if !m.is_file() => Err(TransferError::NotAFile { path: shown }),
                Ok(m) => check_outgoing_size(m.len())
                    .and_then(|()| {
                        std::fs::read(&path)
                            .map_err(|source| TransferError::ReadFailed { path: shown, source })
                    })
                    .and_then(|data| check_outgoing_size(data.len() as u64).map(|()| data)),
                Err(source) => Err(TransferError::Unreadable { path: shown, source }),
            };
            let _ = internal.send(Internal::Transfers(TransferInput::PageFileRead {
                transfer,
                to,
                path,
                note,
                result,
            }));
        });
    }

    /// Finds the path for a page-mode file: the server flow, or a
    /// peer-to-peer path to `target`.
    fn route_page_file(&mut self, id: MessageId, target: String) {
        if self.is_server_account() {
            if self.server_hop_for_chat().is_none() && self.flow_coming() {
                tracing::debug!(%id, "page-mode file waits for the server flow");
                return self.sessions.waiting_for_flow.push(FlowWaiter::PageFile(id));
            }
            let result = self
                .server_hop_for_chat()
                .ok_or_else(|| TransferError::Unreachable(PAGE_FILE_NOT_CONNECTED.into()));
            return self.feed_transfers(TransferInput::PageFileRouted { id, result });
        }
        self.route_to(target, move |route| Internal::PageFileRouted { id, route });
    }

    /// A peer-to-peer path for a page-mode file is open (or not).
    pub(crate) fn on_page_file_routed(
        &mut self,
        id: MessageId,
        route: Result<(Hop, Option<StreamHandle>), RouteError>,
    ) {
        let result = route
            .map(|(hop, handle)| {
                if let Some(h) = handle {
                    self.adopt_stream(h);
                }
                hop
            })
            .map_err(|e| TransferError::Unreachable(e.to_string()));
        self.feed_transfers(TransferInput::PageFileRouted { id, result });
    }

    fn chat_store(&self, op: ChatStoreOp) {
        let internal = self.internal_tx.clone();
        let queued = self.store.submit(move |store| {
            let input = op.execute(store, now_ms());
            let _ = internal.send(Internal::Chats(input));
        });
        if let Err(e) = queued {
            tracing::warn!("chat history work dropped: {e}");
        }
    }

    fn transfer_store(&self, op: TransferStoreOp) {
        let internal = self.internal_tx.clone();
        let queued = self.store.submit(move |store| {
            if let Some(input) = op.execute(store, now_ms()) {
                let _ = internal.send(Internal::Transfers(input));
            }
        });
        if let Err(e) = queued {
            tracing::warn!("transfer history work dropped: {e}");
        }
    }
}
