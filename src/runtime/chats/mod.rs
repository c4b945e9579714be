//! FEATURE: MSRP chat sessions of one account, as a state machine. It
//! never touches sockets, files, SQLite, tokio or the clock: the driver
//! (`endpoint/sessions.rs`) feeds it [`ChatInput`]s with the time and
//! carries out the [`ChatEffect`]s it asks for.
//!
//! An outgoing chat: `Open` -> [`ChatEffect::Route`] -> `Routed` ->
//! [`ChatEffect::StartTask`] (the MSRP task prepares our path: relay AUTH,
//! or the hub waiting for a connection) -> `Task(Prepared)` -> INVITE with
//! our offer -> `Answered` -> [`TaskCommand::Go`] -> `Task(Opened)` ->
//! `Active`. An incoming one: `Offered` (the driver judged the SDP once)
//! -> `ChatOffered` (or accepted at once with `--accept-chats`) -> task
//! prepares -> 200 with the answer -> task connects -> `Active`.
//!
//! An incoming chat runs over TLS exactly when its offer is `TCP/TLS/MSRP`
//! (the task prepares an `msrps:` path; an answer that could not be TLS is
//! a 488 with a Warning); an outgoing one as the account says (`msrp.tls`).
//! `Active { secure }` is what the task found on the wire.
//!
//! Messages are stored first, then sent (waiting until `Active`); their
//! delivery comes from the task. A lost MSRP connection waits
//! [`CONNECTION_LOST_GRACE`] for the peer's BYE before we hang up
//! ([`Chats::poll_timeout`]); typing notices (RFC 3994) time out the same
//! way.

mod messages;
mod negotiation;
mod store_ops;
#[cfg(test)]
mod tests;

pub(crate) use store_ops::ChatStoreOp;

use super::blocking::BlockList;
use super::clock::Now;
use super::event::Event;
use super::msrp_session::{ActionKind, SessionAction, SessionSdpError};
use super::msrp_task::{TaskCommand, TaskEvent};
use crate::config::MsrpRole;
use crate::model::{AccountId, ChatState, DeliveryState, IncomingMessage, MessageId, SessionId};
use crate::protocol::iscomposing::{ComposeReceiver, ComposeSender};
use crate::protocol::sdp::{self, OfferDecision, SessionDescription};
use crate::protocol::sip::agent::Hop;
use crate::protocol::sip::uri::SipUri;
use crate::store::{conversation_key, InsertOutcome, StoreError};
use std::collections::{HashMap, VecDeque};
use std::time::Instant;

pub use super::msrp_session::CONNECTION_LOST_GRACE;

/// Why a chat (or one of its messages) failed; the words users see.
#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// No path to the peer (the routing's words).
    #[error("{0}")]
    Unreachable(String),
    /// The history store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A session description could not be made or read.
    #[error(transparent)]
    Sdp(#[from] SessionSdpError),
}

/// What the chats feature needs to know about its account.
#[derive(Debug, Clone)]
pub(crate) struct ChatsConfig {
    pub account: AccountId,
    /// Our address of record (CPIM From, the `to` of received messages).
    pub own_aor: String,
    pub role: MsrpRole,
    /// The account has an MSRP relay.
    pub relayed: bool,
    /// The MSRP listeners are up; without them chats fail with words.
    pub msrp_available: bool,
    /// Our certificate's fingerprint for direct `msrps`.
    pub fingerprint: Option<String>,
    /// Outgoing direct chats use TLS (`msrps`).
    pub tls: bool,
    /// Accept every offered chat at once.
    pub auto_accept: bool,
}

/// Everything that can happen to the chats.
#[derive(Debug)]
pub(crate) enum ChatInput {
    /// The block list changed: offers from these addresses get 603.
    BlockList(BlockList),
    /// Open a chat with `peer` in `session` (a fresh id from the agent),
    /// unless one is open already.
    Open {
        session: SessionId,
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
    /// The path for an outgoing chat is known (or not).
    Routed {
        session: SessionId,
        result: Result<Hop, ChatError>,
    },
    /// A usable chat offer came in (judged by the driver).
    Offered {
        session: SessionId,
        from: String,
        from_name: Option<String>,
        hop: Hop,
        offer: Box<SessionDescription>,
        decision: Box<OfferDecision>,
    },
    /// A provisional answer to our INVITE.
    Progress {
        session: SessionId,
        code: u16,
    },
    /// The peer answered our offer.
    Answered {
        session: SessionId,
        sdp: Vec<u8>,
    },
    /// The INVITE failed or was refused.
    Failed {
        session: SessionId,
        reason: String,
    },
    /// The session ended (BYE either way).
    Ended {
        session: SessionId,
        reason: String,
    },
    /// The agent refused a [`SessionAction`] we asked for.
    ActionFailed {
        session: SessionId,
        action: ActionKind,
        reason: String,
    },
    /// News from the session's MSRP task.
    Task {
        session: SessionId,
        event: TaskEvent,
    },
    /// An outgoing message is stored (or not).
    MessageStored {
        session: SessionId,
        id: MessageId,
        text: String,
        result: Result<MessageId, ChatError>,
    },
    /// An incoming message is stored (or not).
    MessageReceived {
        session: SessionId,
        msrp_id: String,
        /// The sender's IMDN Message-ID when it asked for a delivery notice.
        imdn: Option<String>,
        message: Box<IncomingMessage>,
        result: Result<InsertOutcome, ChatError>,
    },
    /// A message's final state is stored (or not).
    DeliveryStored {
        id: MessageId,
        result: Result<(), ChatError>,
    },
    /// The account stops: end every chat.
    Shutdown,
}

/// What the chats ask of the driver.
#[derive(Debug)]
pub(crate) enum ChatEffect {
    /// A SIP session action on the agent.
    Session(SessionAction),
    /// Find the path to `peer` (the server flow, or a peer-to-peer one).
    Route { session: SessionId, peer: String },
    /// Start the session's MSRP task over `hop`; `secure` for an `msrps`
    /// path of ours (direct sessions).
    StartTask {
        session: SessionId,
        hop: Hop,
        secure: bool,
    },
    /// A command for the session's MSRP task.
    Task {
        session: SessionId,
        command: TaskCommand,
    },
    /// Work on the store thread; its result comes back as an input.
    Store(ChatStoreOp),
    /// An event for the UI / CLI.
    Emit(Event),
    /// The session is over for the chats: forget who owns it.
    Release { session: SessionId },
}

/// One chat of the account.
#[derive(Debug)]
struct Chat {
    peer: String,
    incoming: bool,
    state: ChatState,
    hop: Option<Hop>,
    /// The MSRP task was started (and not reported closed).
    task: bool,
    /// Outgoing: the INVITE went out (the agent knows the session).
    signalled: bool,
    /// Our offer (outgoing) or the peer's (incoming).
    offer: Option<SessionDescription>,
    decision: Option<OfferDecision>,
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
    /// The connection was lost: hang up at this moment unless a BYE comes.
    lost: Option<(Instant, String)>,
}

impl Chat {
    fn new(peer: String, incoming: bool) -> Chat {
        Chat {
            peer,
            incoming,
            state: ChatState::Inviting,
            hop: None,
            task: false,
            signalled: incoming,
            offer: None,
            decision: None,
            relay: None,
            secure: false,
            cpim: false,
            composing: false,
            compose_out: ComposeSender::default(),
            compose_in: ComposeReceiver::new(),
            waiting: Vec::new(),
            lost: None,
        }
    }

    fn active(&self) -> bool {
        matches!(self.state, ChatState::Active { .. })
    }
}

/// The chats of one account.
#[derive(Debug)]
pub(crate) struct Chats {
    config: ChatsConfig,
    map: HashMap<SessionId, Chat>,
    /// Messages handed to a session, by id: their peer (for events after
    /// the chat is gone).
    in_flight: HashMap<MessageId, String>,
    /// Whose offers are declined at once.
    blocked: BlockList,
    effects: VecDeque<ChatEffect>,
}

impl Chats {
    pub(crate) fn new(config: ChatsConfig) -> Chats {
        Chats {
            config,
            map: HashMap::new(),
            in_flight: HashMap::new(),
            blocked: BlockList::default(),
            effects: VecDeque::new(),
        }
    }

    /// Whether any chat is open or being set up.
    pub(crate) fn any(&self) -> bool {
        !self.map.is_empty()
    }

    /// Whether `session` is one of ours.
    pub(crate) fn owns(&self, session: SessionId) -> bool {
        self.map.contains_key(&session)
    }

    pub(crate) fn poll_effect(&mut self) -> Option<ChatEffect> {
        self.effects.pop_front()
    }

    /// The next moment a chat needs [`Chats::handle_timeout`]: a lost
    /// connection's grace, or a typing notice due or expiring.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.map
            .values()
            .flat_map(|c| [c.lost.as_ref().map(|(at, _)| *at), c.composing_due()])
            .flatten()
            .min()
    }

    pub(crate) fn handle_timeout(&mut self, now: Now) {
        let lost: Vec<(SessionId, String)> = self
            .map
            .iter()
            .filter_map(|(s, c)| match &c.lost {
                Some((at, reason)) if *at <= now.at => Some((*s, reason.clone())),
                _ => None,
            })
            .collect();
        for (session, reason) in lost {
            self.chat_lost(session, reason);
        }
        let due: Vec<SessionId> = self
            .map
            .iter()
            .filter(|(_, c)| c.composing_due().is_some_and(|at| at <= now.at))
            .map(|(s, _)| *s)
            .collect();
        for session in due {
            self.composing_tick(session, now);
        }
    }

    pub(crate) fn handle(&mut self, input: ChatInput, now: Now) {
        match input {
            ChatInput::Open { session, peer } => self.open(session, peer),
            ChatInput::Accept { session } => self.accept(session),
            ChatInput::BlockList(list) => self.blocked = list,
            ChatInput::Decline { session } => self.session(SessionAction::Reject {
                session,
                code: 603,
                warning: None,
            }),
            ChatInput::Send { id, session, text } => self.store_message(id, session, text, now),
            ChatInput::Composing { session, active } => self.composing(session, active, now),
            ChatInput::Close { session } => self.close(session),
            ChatInput::Routed { session, result } => match result {
                Ok(hop) => {
                    if let Some(chat) = self.map.get_mut(&session) {
                        chat.hop = Some(hop);
                        self.start_task(session, hop);
                    }
                }
                Err(e) => self.finish(
                    session,
                    ChatState::Failed {
                        reason: e.to_string(),
                    },
                ),
            },
            ChatInput::Offered {
                session,
                from,
                from_name,
                hop,
                offer,
                decision,
            } => self.offered(session, from, from_name, hop, *offer, *decision),
            ChatInput::Progress { session, code } => {
                if code == 180 && self.map.contains_key(&session) {
                    self.set_state(session, ChatState::Ringing);
                }
            }
            ChatInput::Answered { session, sdp } => self.answered(session, &sdp),
            ChatInput::Failed { session, reason } => self.finish(session, ChatState::Failed { reason }),
            ChatInput::Ended { session, reason } => self.finish(session, ChatState::Ended { reason }),
            ChatInput::ActionFailed {
                session,
                action,
                reason,
            } => self.action_failed(session, action, reason),
            ChatInput::Task { session, event } => self.task_event(session, event, now),
            ChatInput::MessageStored {
                session,
                id,
                text,
                result,
            } => self.message_stored(session, id, text, result, now),
            ChatInput::MessageReceived {
                session,
                msrp_id,
                imdn,
                message,
                result,
            } => self.message_received(session, msrp_id, imdn, *message, result, now),
            ChatInput::DeliveryStored { id, result } => {
                if let Err(e) = result {
                    tracing::warn!(%id, "chat delivery state not saved: {e}");
                }
            }
            ChatInput::Shutdown => {
                let sessions: Vec<SessionId> = self.map.keys().copied().collect();
                for session in sessions {
                    self.close(session);
                }
            }
        }
    }

    fn emit(&mut self, event: Event) {
        self.effects.push_back(ChatEffect::Emit(event));
    }

    fn session(&mut self, action: SessionAction) {
        self.effects.push_back(ChatEffect::Session(action));
    }

    fn task(&mut self, session: SessionId, command: TaskCommand) {
        if self.map.get(&session).is_some_and(|c| c.task) {
            self.effects.push_back(ChatEffect::Task { session, command });
        }
    }

    fn update(&mut self, session: SessionId) {
        if let Some(chat) = self.map.get(&session) {
            let event = Event::ChatUpdate {
                account: self.config.account.clone(),
                session,
                peer: chat.peer.clone(),
                state: chat.state.clone(),
            };
            self.emit(event);
        }
    }

    fn error(&mut self, session: SessionId, what: &str) {
        self.emit(Event::Error {
            account: Some(self.config.account.clone()),
            message: format!("chat {session}: {what}"),
        });
    }

    fn set_state(&mut self, session: SessionId, state: ChatState) {
        if let Some(chat) = self.map.get_mut(&session) {
            chat.state = state;
        }
        self.update(session);
    }

    fn open(&mut self, session: SessionId, peer: String) {
        let key = conversation_key(&peer);
        let existing = self
            .map
            .iter()
            .find(|(_, c)| !c.state.is_final() && conversation_key(&c.peer) == key)
            .map(|(id, _)| *id);
        if let Some(existing) = existing {
            return self.update(existing);
        }
        self.map.insert(session, Chat::new(peer.clone(), false));
        self.set_state(session, ChatState::Inviting);
        if let Err(e) = SipUri::parse(&peer) {
            return self.finish(
                session,
                ChatState::Failed {
                    reason: e.to_string(),
                },
            );
        }
        if !self.config.msrp_available {
            return self.finish(
                session,
                ChatState::Failed {
                    reason: "chats are unavailable: sipchat could not listen for MSRP connections".into(),
                },
            );
        }
        self.effects.push_back(ChatEffect::Route { session, peer });
    }

    fn start_task(&mut self, session: SessionId, hop: Hop) {
        let outgoing = self.config.tls;
        if let Some(chat) = self.map.get_mut(&session) {
            chat.task = true;
            // An offer decides (msrps is TLS, always); ours follow the account.
            let secure = match &chat.decision {
                Some(decision) => decision.transport == sdp::MsrpTransport::Tls,
                None => outgoing,
            };
            self.effects
                .push_back(ChatEffect::StartTask { session, hop, secure });
        }
    }

    fn accept(&mut self, session: SessionId) {
        let hop = match self.map.get(&session) {
            Some(chat) if chat.incoming && !chat.task && !chat.state.is_final() => chat.hop,
            _ => return self.error(session, "there is no invitation to accept"),
        };
        let Some(hop) = hop else { return };
        self.set_state(session, ChatState::Connecting);
        self.start_task(session, hop);
    }

    fn close(&mut self, session: SessionId) {
        match self.map.get(&session) {
            Some(chat) if chat.signalled => self.session(SessionAction::End { session }),
            // Not signalled yet (still preparing): end it here.
            Some(_) => self.finish(
                session,
                ChatState::Failed {
                    reason: "you cancelled the invitation".into(),
                },
            ),
            None => {}
        }
    }

    fn action_failed(&mut self, session: SessionId, action: ActionKind, reason: String) {
        match action {
            ActionKind::Accept => self.finish(session, ChatState::Failed { reason }),
            ActionKind::End if self.map.contains_key(&session) => self.finish(
                session,
                ChatState::Failed {
                    reason: "you cancelled the invitation".into(),
                },
            ),
            ActionKind::Reject { code: 603 } => self.error(session, "there is no invitation to decline"),
            _ => tracing::debug!(%session, "session action refused: {reason}"),
        }
    }

    /// Ends a chat: stops its task, fails what waited, tells the UI.
    fn finish(&mut self, session: SessionId, state: ChatState) {
        let Some(mut chat) = self.map.remove(&session) else {
            return;
        };
        if chat.task {
            self.effects.push_back(ChatEffect::Task {
                session,
                command: TaskCommand::Close,
            });
        }
        let reason = match &state {
            ChatState::Failed { reason } | ChatState::Ended { reason } => reason.clone(),
            _ => String::new(),
        };
        for (id, _) in std::mem::take(&mut chat.waiting) {
            self.delivery(
                id,
                chat.peer.clone(),
                DeliveryState::Failed {
                    code: None,
                    reason: format!("not sent: the chat ended ({reason})"),
                },
            );
        }
        self.emit(Event::ChatUpdate {
            account: self.config.account.clone(),
            session,
            peer: chat.peer,
            state,
        });
        self.effects.push_back(ChatEffect::Release { session });
    }

    fn task_event(&mut self, session: SessionId, event: TaskEvent, now: Now) {
        match event {
            TaskEvent::Prepared {
                local_path,
                relay,
                behind_nat,
            } => self.prepared(session, local_path, relay, behind_nat),
            TaskEvent::Opened { secure } => {
                let Some(chat) = self.map.get_mut(&session) else {
                    return;
                };
                chat.secure = secure;
                chat.state = ChatState::Active {
                    secure: chat.secure,
                    relay: chat.relay.clone(),
                };
                let waiting = std::mem::take(&mut chat.waiting);
                self.update(session);
                for (id, text) in waiting {
                    self.send_text(session, id, text, now);
                }
            }
            TaskEvent::Received {
                msrp_id,
                content_type,
                body,
            } => self.received(session, msrp_id, &content_type, body, now),
            TaskEvent::Delivered { id } => {
                if let Some(peer) = self.in_flight.remove(&id) {
                    self.record_delivery(id, peer, DeliveryState::Accepted);
                }
            }
            TaskEvent::Failed { id, reason } => {
                if let Some(peer) = self.in_flight.remove(&id) {
                    self.record_delivery(id, peer, DeliveryState::Failed { code: None, reason });
                }
            }
            TaskEvent::Closed { reason } => {
                let Some(chat) = self.map.get_mut(&session) else {
                    return;
                };
                chat.task = false;
                let reason = reason.unwrap_or_else(|| "the chat connection closed".into());
                if chat.active() {
                    // A peer that hangs up closes the connection and sends
                    // BYE; the BYE may come a moment later by another path.
                    chat.lost = Some((now.at + CONNECTION_LOST_GRACE, reason));
                } else {
                    self.chat_lost(session, reason);
                }
            }
            // File news never concerns a chat.
            TaskEvent::FileProgress { .. }
            | TaskEvent::FileConfirmed { .. }
            | TaskEvent::FileSent
            | TaskEvent::FileWritten { .. }
            | TaskEvent::FileFailed { .. } => {}
        }
    }

    /// The MSRP connection is gone and no BYE came: hang up.
    fn chat_lost(&mut self, session: SessionId, reason: String) {
        let Some(chat) = self.map.get(&session) else {
            return;
        };
        let signalled = chat.signalled;
        let state = if chat.active() {
            ChatState::Ended {
                reason: reason.clone(),
            }
        } else {
            ChatState::Failed {
                reason: reason.clone(),
            }
        };
        self.finish(session, state);
        if signalled {
            // The peer learns the true cause from the BYE's Reason.
            self.session(SessionAction::EndBecause { session, reason });
        }
    }
}
