//! MSRP chat sessions of one account, as the endpoint sees them: INVITE
//! signalling through the agent, one [`super::msrp_task`] per session for
//! the MSRP connection, history, and the events the UI and CLI get.
//!
//! An outgoing chat: route -> task prepares our path (relay AUTH, or the
//! hub waiting for a connection) -> INVITE with the offer -> answer -> task
//! connects -> `Active`. An incoming one: INVITE -> offer judged (488 if
//! unusable) -> `ChatOffered` (or accepted at once with `--accept-chats`)
//! -> task prepares -> 200 with the answer -> task connects -> `Active`.

#[path = "chat_messages.rs"]
mod messages;

use super::chat_sdp;
use super::endpoint::{Endpoint, Internal};
use super::msrp_task::{self, Plan, TaskCommand, TaskEvent, TaskSetup};
use super::transfer::FileSide;
use crate::model::{ChatState, DeliveryState, MessageId, SessionId, TransferId};
use crate::protocol::iscomposing::{ComposeReceiver, ComposeSender};
use crate::protocol::msrp::MsrpUri;
use std::path::PathBuf;

use crate::protocol::sdp::{self, Connect, Negotiated, OfferDecision, OfferKind, SessionDescription};
use crate::protocol::sip::agent::{Hop, SessionEvent as SipSession};
use crate::protocol::sip::uri::SipUri;
use crate::runtime::Event;
use crate::store::conversation_key;
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long a lost MSRP connection waits for the peer's BYE before we
/// hang up ourselves.
pub const CONNECTION_LOST_GRACE: Duration = Duration::from_secs(2);

/// What the account task is asked to do with chats.
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
        mode: super::command::FileSendMode,
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

/// One chat of the account.
pub(crate) struct Chat {
    pub(super) peer: String,
    incoming: bool,
    pub(super) state: ChatState,
    pub(super) hop: Option<Hop>,
    task: Option<mpsc::UnboundedSender<TaskCommand>>,
    /// Our offer (outgoing) or the peer's (incoming).
    pub(super) offer: Option<SessionDescription>,
    pub(super) decision: Option<OfferDecision>,
    relay: Option<String>,
    secure: bool,
    cpim: bool,
    composing: bool,
    /// Our typing notices.
    compose_out: ComposeSender,
    /// The peer's typing notices.
    compose_in: ComposeReceiver,
    /// Stored messages waiting for the session to open.
    waiting: Vec<(MessageId, String)>,
    /// Set when the session carries a file transfer (`transfer.rs`).
    pub(super) file: Option<FileSide>,
}

/// The chats of one account.
#[derive(Default)]
pub(crate) struct Chats {
    pub(super) map: HashMap<SessionId, Chat>,
    /// Messages handed to a session, by id: their peer (for events after
    /// the chat is gone).
    in_flight: HashMap<MessageId, String>,
    /// File transfers and their sessions.
    pub(super) transfers: HashMap<TransferId, SessionId>,
    /// MSRP tasks started and not yet reported closed (shutdown waits for
    /// them, so a last REPORT is not lost).
    live_tasks: usize,
}

impl Endpoint {
    pub(crate) fn on_chat_command(&mut self, cmd: ChatCommand) {
        match cmd {
            ChatCommand::Open { peer } => self.open_chat(peer),
            ChatCommand::Accept { session } => self.accept_chat(session),
            ChatCommand::Decline { session } => {
                let now = self.now();
                if self.agent.reject_session(session, 603, now).is_err() {
                    self.chat_error(session, "there is no invitation to decline");
                }
            }
            ChatCommand::Send { id, session, text } => self.store_chat_message(id, session, text),
            ChatCommand::Composing { session, active } => self.send_composing(session, active),
            ChatCommand::Close { session } => self.close_chat(session),
            ChatCommand::SendFile { id, to, path, mode } => self.send_file_as(id, to, path, mode),
            // Files that came in a MESSAGE are page_file.rs's; the rest are sessions.
            ChatCommand::AcceptFile { transfer, dir } if self.is_page_file_offer(transfer) => {
                self.accept_page_file(transfer, dir)
            }
            ChatCommand::AcceptFile { transfer, dir } => self.accept_file(transfer, dir),
            ChatCommand::DeclineFile { transfer } | ChatCommand::CancelFile { transfer }
                if self.is_page_file_offer(transfer) =>
            {
                self.decline_page_file(transfer)
            }
            ChatCommand::DeclineFile { transfer } => self.decline_file(transfer),
            ChatCommand::CancelFile { transfer } => self.cancel_file(transfer),
        }
    }

    fn chat_update(&self, session: SessionId) {
        if let Some(chat) = self.chats.map.get(&session).filter(|c| c.file.is_none()) {
            self.emit(Event::ChatUpdate {
                account: self.account_id(),
                session,
                peer: chat.peer.clone(),
                state: chat.state.clone(),
            });
        }
    }

    fn chat_error(&self, session: SessionId, what: &str) {
        self.emit(Event::Error {
            account: Some(self.account_id()),
            message: format!("chat {session}: {what}"),
        });
    }

    fn set_chat_state(&mut self, session: SessionId, state: ChatState) {
        if let Some(chat) = self.chats.map.get_mut(&session) {
            chat.state = state;
        }
        self.chat_update(session);
    }

    fn open_chat(&mut self, peer: String) {
        let key = conversation_key(&peer);
        let existing = self
            .chats
            .map
            .iter()
            .find(|(_, c)| !c.state.is_final() && c.file.is_none() && conversation_key(&c.peer) == key)
            .map(|(id, _)| *id);
        if let Some(session) = existing {
            self.chat_update(session);
            return;
        }
        let session = self.agent.new_session_id();
        self.chats.map.insert(session, Chat::new(peer.clone(), false));
        self.chat_update_state_or_fail(session, ChatState::Inviting);
        self.start_session(session, peer);
    }

    /// Finds the path for a new outgoing session (chat or file).
    pub(super) fn start_session(&mut self, session: SessionId, peer: String) {
        if let Err(e) = SipUri::parse(&peer) {
            return self.finish_chat(
                session,
                ChatState::Failed {
                    reason: e.to_string(),
                },
            );
        }
        if self.hub.is_none() {
            return self.finish_chat(
                session,
                ChatState::Failed {
                    reason: "chats are unavailable: sipchat could not listen for MSRP connections".into(),
                },
            );
        }
        if let Some(hop) = self.server_hop_for_chat() {
            return self.chat_routed(session, Ok(hop));
        }
        if self.is_server_account() {
            return self.finish_chat(
                session,
                ChatState::Failed {
                    reason: "not connected to the server yet; try again once the account is registered"
                        .into(),
                },
            );
        }
        self.route_chat(session, peer);
    }

    fn chat_update_state_or_fail(&mut self, session: SessionId, state: ChatState) {
        self.set_chat_state(session, state);
    }

    /// The path for a chat is known (or not): prepare the MSRP side.
    pub(crate) fn chat_routed(&mut self, session: SessionId, hop: Result<Hop, String>) {
        match hop {
            Ok(hop) => {
                if let Some(chat) = self.chats.map.get_mut(&session) {
                    chat.hop = Some(hop);
                }
                self.start_chat_task(session, hop);
            }
            Err(reason) => self.finish_chat(session, ChatState::Failed { reason }),
        }
    }

    fn start_chat_task(&mut self, session: SessionId, hop: Hop) {
        let Some(hub) = self.hub.clone() else { return };
        let plan = match &self.chat_settings.relay {
            Some(r) => Plan::Relay {
                relay: r.uri.clone(),
                username: r.username.clone(),
                password: r.password.clone(),
                tls: r.tls.clone(),
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
                    secure: self.chat_settings.tls,
                    host,
                }
            }
        };
        let file = self
            .chats
            .map
            .get(&session)
            .and_then(|c| c.file.as_ref())
            .and_then(FileSide::job);
        let task = msrp_task::spawn(TaskSetup {
            session,
            account: self.account_name().to_string(),
            plan,
            hub,
            events: self.internal_tx.clone(),
            file,
        });
        self.chats.live_tasks += 1;
        if let Some(chat) = self.chats.map.get_mut(&session) {
            chat.task = Some(task);
        }
    }

    pub(super) fn accept_chat(&mut self, session: SessionId) {
        let hop = match self.chats.map.get(&session) {
            Some(chat) if chat.incoming && chat.task.is_none() && !chat.state.is_final() => chat.hop,
            _ => return self.chat_error(session, "there is no invitation to accept"),
        };
        let Some(hop) = hop else { return };
        self.set_chat_state(session, ChatState::Connecting);
        self.start_chat_task(session, hop);
    }

    pub(super) fn close_chat(&mut self, session: SessionId) {
        let now = self.now();
        if self.agent.end_session(session, now).is_err() {
            // Not signalled yet (still preparing): end it here.
            if self.chats.map.contains_key(&session) {
                self.finish_chat(
                    session,
                    ChatState::Failed {
                        reason: "you cancelled the invitation".into(),
                    },
                );
            }
        }
    }

    /// Ends a chat: stops its task, fails what waited, tells the UI.
    pub(super) fn finish_chat(&mut self, session: SessionId, state: ChatState) {
        let Some(mut chat) = self.chats.map.remove(&session) else {
            return;
        };
        if let Some(task) = chat.task.take() {
            let _ = task.send(TaskCommand::Close);
        }
        if let Some(file) = chat.file.take() {
            return self.transfer_ended(file, &chat.peer, &state);
        }
        let reason = match &state {
            ChatState::Failed { reason } | ChatState::Ended { reason } => reason.clone(),
            _ => String::new(),
        };
        for (id, _) in std::mem::take(&mut chat.waiting) {
            self.chat_delivery(
                id,
                chat.peer.clone(),
                DeliveryState::Failed {
                    code: None,
                    reason: format!("not sent: the chat ended ({reason})"),
                },
            );
        }
        self.emit(Event::ChatUpdate {
            account: self.account_id(),
            session,
            peer: chat.peer,
            state,
        });
    }

    /// Signalling news from the agent.
    pub(crate) fn on_session_event(&mut self, event: SipSession) {
        match event {
            SipSession::Offered {
                session,
                from,
                from_name,
                sdp,
                hop,
                ..
            } => self.chat_offered(session, from, from_name, &sdp, hop),
            SipSession::Progress { session, code } => {
                if code == 180 {
                    self.set_chat_state(session, ChatState::Ringing);
                }
            }
            SipSession::Answered { session, sdp } => self.chat_answered(session, &sdp),
            SipSession::Confirmed { .. } => {}
            SipSession::Failed {
                session,
                code,
                reason,
                explained,
            } => {
                if code == Some(488) && self.resume_refused(session) {
                    return;
                }
                // A small file whose peer takes no sessions goes as a MESSAGE
                // (not when it takes them and said why it refused this one).
                if explained || !self.page_file_fallback(session, code) {
                    self.finish_chat(session, ChatState::Failed { reason })
                }
            }
            SipSession::Ended { session, reason, .. } => {
                self.file_peer_ended(session);
                if self.file_report_may_follow(session, &reason) {
                    // The success REPORT may still be on its way over the
                    // MSRP connection, which the BYE can overtake.
                    let internal = self.internal_tx.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(CONNECTION_LOST_GRACE).await;
                        let _ = internal.send(Internal::ChatLost { session, reason });
                    });
                    return;
                }
                self.finish_chat(session, ChatState::Ended { reason })
            }
        }
    }

    fn chat_offered(
        &mut self,
        session: SessionId,
        from: String,
        from_name: Option<String>,
        sdp: &[u8],
        hop: Hop,
    ) {
        let now = self.now();
        let relayed = self.chat_settings.relay.is_some();
        let decision = SessionDescription::parse(sdp)
            .map_err(|e| (399, e.to_string()))
            .and_then(|offer| {
                let caps = chat_sdp::capabilities(
                    self.chat_settings.role,
                    relayed,
                    self.chat_settings.max_file_size,
                );
                sdp::evaluate_offer(&offer, &caps)
                    .map(|d| (offer, d))
                    .map_err(|e| (e.warn_code(), e.to_string()))
            });
        let (offer, decision) = match decision {
            Ok(_) if self.chat_settings.refuse_sessions => {
                tracing::info!(%from, "refusing a session: this client takes no sessions");
                let _ = self.agent.reject_session(session, 488, now);
                return;
            }
            Ok((offer, d)) if matches!(d.kind, OfferKind::FilePush(_)) && self.hub.is_some() => {
                let mut chat = Chat::new(from.clone(), true);
                chat.hop = Some(hop);
                chat.offer = Some(offer);
                chat.state = ChatState::Ringing;
                return self.file_offered(session, chat, d);
            }
            Ok((offer, d)) if matches!(d.kind, OfferKind::Chat) && self.hub.is_some() => (offer, d),
            Ok(_) => {
                tracing::info!(%from, "refusing an offer we cannot serve here");
                let why = Some((399, "sessions over MSRP are not available here"));
                let _ = self.agent.reject_session_with(session, 488, why, now);
                return;
            }
            Err((warn_code, reason)) => {
                tracing::info!(%from, "refusing an unusable offer: {reason}");
                let _ = self
                    .agent
                    .reject_session_with(session, 488, Some((warn_code, &reason)), now);
                return;
            }
        };
        let mut chat = Chat::new(from.clone(), true);
        chat.hop = Some(hop);
        chat.offer = Some(offer);
        chat.decision = Some(decision);
        chat.state = ChatState::Ringing;
        self.chats.map.insert(session, chat);
        if self.chat_settings.auto_accept {
            self.accept_chat(session);
        } else {
            let _ = self.agent.ring_session(session, now);
            self.emit(Event::ChatOffered {
                account: self.account_id(),
                session,
                from,
                from_name,
            });
        }
    }

    /// The task knows our path: send the offer, or the answer.
    fn chat_prepared(&mut self, session: SessionId, local_path: Vec<MsrpUri>, relay: Option<String>) {
        let now = self.now();
        let settings = self.chat_settings.clone();
        let fingerprint = self.hub.as_ref().map(|h| h.fingerprint().to_string());
        let relayed = relay.is_some();
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        chat.relay = relay;
        chat.secure = local_path.last().is_some_and(|u| u.secure);
        let (Some(hop), false) = (chat.hop, chat.incoming) else {
            return self.chat_answer(session, local_path, fingerprint);
        };
        let file = chat.file.as_ref().and_then(FileSide::offer_attributes);
        match chat_sdp::session_offer(&local_path, settings.role, relayed, fingerprint.as_deref(), file) {
            Ok(offer) => {
                let bytes = offer.to_bytes();
                chat.offer = Some(offer);
                let peer = chat.peer.clone();
                self.agent.invite(session, &peer, bytes, hop, now);
            }
            Err(reason) => self.finish_chat(session, ChatState::Failed { reason }),
        }
    }

    fn chat_answer(&mut self, session: SessionId, local_path: Vec<MsrpUri>, fingerprint: Option<String>) {
        let now = self.now();
        let relayed = self.chat_settings.relay.is_some();
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        let (Some(offer), Some(decision)) = (chat.offer.as_ref(), chat.decision.as_ref()) else {
            return;
        };
        let answered = chat_sdp::chat_answer(offer, decision, &local_path, relayed, fingerprint.as_deref());
        let peer_fp = chat_sdp::fingerprint_in(offer);
        match answered {
            Ok((answer, negotiated)) => {
                if let Err(e) = self.agent.accept_session(session, answer.to_bytes(), now) {
                    return self.finish_chat(
                        session,
                        ChatState::Failed {
                            reason: e.to_string(),
                        },
                    );
                }
                self.chat_go(session, &negotiated, peer_fp);
            }
            Err(reason) => {
                let _ = self.agent.reject_session(session, 488, now);
                self.finish_chat(session, ChatState::Failed { reason });
            }
        }
    }

    fn chat_answered(&mut self, session: SessionId, sdp: &[u8]) {
        let now = self.now();
        let Some(offer) = self.chats.map.get(&session).and_then(|c| c.offer.clone()) else {
            return;
        };
        let read = SessionDescription::parse(sdp)
            .map_err(|e| e.to_string())
            .and_then(|answer| {
                let fp = chat_sdp::fingerprint_in(&answer);
                sdp::read_answer(&offer, &answer)
                    .map(|n| (n, fp))
                    .map_err(|e| e.to_string())
            });
        match read {
            Ok((negotiated, fp)) => {
                self.set_chat_state(session, ChatState::Connecting);
                self.chat_go(session, &negotiated, fp);
            }
            Err(reason) => {
                let _ = self.agent.end_session(session, now);
                self.finish_chat(
                    session,
                    ChatState::Failed {
                        reason: format!("the peer's answer is unusable: {reason}"),
                    },
                );
            }
        }
    }

    /// Offer/answer done: tell the task how to connect.
    fn chat_go(&mut self, session: SessionId, negotiated: &Negotiated, fingerprint: Option<String>) {
        let relayed = self.chat_settings.relay.is_some();
        let path = match chat_sdp::remote_path(negotiated) {
            Ok(p) => p,
            Err(reason) => {
                let now = self.now();
                let _ = self.agent.end_session(session, now);
                return self.finish_chat(session, ChatState::Failed { reason });
            }
        };
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        chat.cpim = chat_sdp::peer_takes_cpim(negotiated);
        chat.composing = chat_sdp::peer_takes_composing(negotiated);
        // The peer's relays are reached by connecting to them.
        let we_connect = !relayed && (path.len() > 1 || negotiated.connect == Connect::WeConnect);
        if let Some(task) = &chat.task {
            let _ = task.send(TaskCommand::Go {
                remote_path: path,
                we_connect,
                fingerprint,
                accept_types: sdp::CHAT_ACCEPT_TYPES.iter().map(|s| s.to_string()).collect(),
            });
        }
    }

    /// News from a session's MSRP task.
    pub(crate) fn on_task_event(&mut self, session: SessionId, event: TaskEvent) {
        match event {
            TaskEvent::Prepared { local_path, relay } => self.chat_prepared(session, local_path, relay),
            TaskEvent::FileProgress { .. }
            | TaskEvent::FileConfirmed { .. }
            | TaskEvent::FileSent
            | TaskEvent::FileWritten { .. }
            | TaskEvent::FileFailed { .. } => self.on_file_event(session, event),
            TaskEvent::Opened => {
                let Some(chat) = self.chats.map.get_mut(&session) else {
                    return;
                };
                chat.state = ChatState::Active {
                    secure: chat.secure,
                    relay: chat.relay.clone(),
                };
                let waiting = std::mem::take(&mut chat.waiting);
                self.chat_update(session);
                for (id, text) in waiting {
                    self.send_chat_text(session, id, text);
                }
            }
            TaskEvent::Received {
                msrp_id,
                content_type,
                body,
            } => self.chat_received(session, msrp_id, &content_type, body),
            TaskEvent::Delivered { id } => {
                if let Some(peer) = self.chats.in_flight.remove(&id) {
                    self.record_chat_delivery(id, peer, DeliveryState::Accepted);
                }
            }
            TaskEvent::Failed { id, reason } => {
                if let Some(peer) = self.chats.in_flight.remove(&id) {
                    self.record_chat_delivery(id, peer, DeliveryState::Failed { code: None, reason });
                }
            }
            TaskEvent::Closed { reason } => {
                self.chats.live_tasks = self.chats.live_tasks.saturating_sub(1);
                let Some(chat) = self.chats.map.get_mut(&session) else {
                    return;
                };
                chat.task = None;
                let active = matches!(chat.state, ChatState::Active { .. });
                let is_file = chat.file.is_some();
                let reason = reason.unwrap_or_else(|| "the chat connection closed".into());
                if is_file {
                    self.file_task_closed(session, &reason);
                }
                if active {
                    // A peer that hangs up closes the connection and sends
                    // BYE; the BYE may come a moment later by another path.
                    let internal = self.internal_tx.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(CONNECTION_LOST_GRACE).await;
                        let _ = internal.send(Internal::ChatLost { session, reason });
                    });
                } else {
                    self.chat_lost(session, reason);
                }
            }
        }
    }

    /// The MSRP connection is gone and no BYE came: hang up.
    pub(crate) fn chat_lost(&mut self, session: SessionId, reason: String) {
        let Some(chat) = self.chats.map.get(&session) else {
            return;
        };
        let state = if matches!(chat.state, ChatState::Active { .. }) {
            ChatState::Ended { reason }
        } else {
            ChatState::Failed { reason }
        };
        self.finish_chat(session, state);
        let now = self.now();
        let _ = self.agent.end_session(session, now);
    }

    /// Ends every chat (the account is stopping).
    pub(crate) fn close_all_chats(&mut self) {
        self.interrupt_transfers();
        let sessions: Vec<SessionId> = self.chats.map.keys().copied().collect();
        for session in sessions {
            self.close_chat(session);
        }
    }
}

impl Chats {
    /// Whether any chat is open or being set up.
    pub(crate) fn any(&self) -> bool {
        !self.map.is_empty()
    }

    /// Whether MSRP tasks are still running (they may have bytes to flush).
    pub(crate) fn tasks_running(&self) -> bool {
        self.live_tasks > 0
    }
}

impl Chat {
    /// Tells the session's task to close, if it runs.
    pub(super) fn stop_task(&mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.send(TaskCommand::Close);
        }
    }

    /// The session's task, while it runs.
    pub(super) fn task_sender(&self) -> Option<&mpsc::UnboundedSender<TaskCommand>> {
        self.task.as_ref()
    }

    pub(super) fn new(peer: String, incoming: bool) -> Chat {
        Chat {
            peer,
            incoming,
            state: ChatState::Inviting,
            hop: None,
            task: None,
            offer: None,
            decision: None,
            relay: None,
            secure: false,
            cpim: false,
            composing: false,
            compose_out: ComposeSender::default(),
            compose_in: ComposeReceiver::new(),
            waiting: Vec::new(),
            file: None,
        }
    }
}
