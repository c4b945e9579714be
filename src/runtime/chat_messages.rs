//! The messages of chat sessions: storing and sending ours, storing and
//! confirming the peer's (CPIM, isComposing, IMDN), and delivery states.

use super::super::endpoint::{Endpoint, Internal};
use super::super::msrp_task::TaskCommand;
use super::super::outbox::now_ms;
use super::ChatState;
use crate::model::{DeliveryState, IncomingMessage, MessageId, SessionId};
use crate::protocol::cpim::CpimMessage;
use crate::protocol::imdn::{self, Disposition, Notification, Requested};
use crate::protocol::iscomposing::{ComposeState, IsComposing};
use crate::runtime::Event;
use crate::store::{conversation_key, InsertOutcome, NewIncoming, NewOutgoing};

impl Endpoint {
    pub(super) fn store_chat_message(&mut self, id: MessageId, session: SessionId, text: String) {
        let Some(chat) = self.chats.map.get(&session) else {
            self.emit(Event::DeliveryUpdate {
                id,
                account: self.account_id(),
                to: String::new(),
                state: DeliveryState::Failed {
                    code: None,
                    reason: "there is no such chat (it may have ended)".into(),
                },
            });
            return;
        };
        let new = NewOutgoing {
            id: Some(id),
            account: self.account_name().to_string(),
            peer_key: conversation_key(&chat.peer),
            peer_address: chat.peer.clone(),
            display_name: None,
            local_id: None,
            content_type: "text/plain".into(),
            body: text.clone(),
            file_ref: None,
            sent_at: now_ms(),
        };
        self.store_then(
            move |s| s.insert_outgoing_in_session(&new),
            move |result| Internal::ChatStored {
                session,
                id,
                text,
                result,
            },
        );
    }

    pub(crate) fn on_chat_stored(
        &mut self,
        session: SessionId,
        id: MessageId,
        text: String,
        result: Result<MessageId, String>,
    ) {
        let peer = self
            .chats
            .map
            .get(&session)
            .map(|c| c.peer.clone())
            .unwrap_or_default();
        if let Err(e) = result {
            return self.chat_delivery(
                id,
                peer,
                DeliveryState::Failed {
                    code: None,
                    reason: format!("not sent: the message could not be saved ({e})"),
                },
            );
        }
        self.chat_delivery(id, peer.clone(), DeliveryState::Queued);
        match self.chats.map.get_mut(&session) {
            Some(chat) if matches!(chat.state, ChatState::Active { .. }) => {
                self.send_chat_text(session, id, text)
            }
            Some(chat) => chat.waiting.push((id, text)),
            None => self.record_chat_delivery(
                id,
                peer,
                DeliveryState::Failed {
                    code: None,
                    reason: "not sent: the chat ended".into(),
                },
            ),
        }
    }

    pub(super) fn send_chat_text(&mut self, session: SessionId, id: MessageId, text: String) {
        let own = self.agent.config().aor.to_string();
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        // A message ends our typing notice by itself (RFC 3994 section 3).
        chat.compose_out.message_sent();
        let (content_type, body) = if chat.cpim {
            let imdn_id = format!("{id}.{:08x}", rand::random::<u32>());
            let msg = CpimMessage::new(
                &format!("<{own}>"),
                &format!("<{}>", chat.peer),
                "text/plain;charset=UTF-8",
                text.into_bytes(),
            )
            .with_datetime(&chrono::Utc::now().fixed_offset())
            .with_imdn(&imdn_id, Requested::default());
            ("message/cpim".to_string(), msg.to_bytes())
        } else {
            ("text/plain;charset=UTF-8".to_string(), text.into_bytes())
        };
        let peer = chat.peer.clone();
        if let Some(task) = &chat.task {
            let _ = task.send(TaskCommand::Send {
                id: Some(id),
                content_type,
                body,
            });
            self.chats.in_flight.insert(id, peer.clone());
            self.chat_delivery(id, peer, DeliveryState::Sending);
        }
    }

    /// The user types (or stopped): tell the peer, at most once per state
    /// change and refresh (RFC 3994), going idle by itself after a pause.
    pub(super) fn send_composing(&mut self, session: SessionId, active: bool) {
        let now = std::time::Instant::now();
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        if !chat.composing || !matches!(chat.state, ChatState::Active { .. }) {
            return;
        }
        let doc = if active {
            chat.compose_out.typed(now)
        } else if chat.compose_out.is_active() {
            chat.compose_out.message_sent();
            Some(IsComposing::idle())
        } else {
            None
        };
        if let Some(doc) = doc {
            self.send_composing_doc(session, &doc);
        }
        self.schedule_chat_tick(session);
    }

    fn send_composing_doc(&self, session: SessionId, doc: &IsComposing) {
        if let Some(task) = self.chats.map.get(&session).and_then(|c| c.task.as_ref()) {
            let _ = task.send(TaskCommand::Send {
                id: None,
                content_type: "application/im-iscomposing+xml".into(),
                body: doc.to_xml().into_bytes(),
            });
        }
    }

    /// Wakes the chat when a typing notice is due or expires.
    fn schedule_chat_tick(&self, session: SessionId) {
        let Some(chat) = self.chats.map.get(&session) else {
            return;
        };
        let due = [chat.compose_out.poll_timeout(), chat.compose_in.poll_timeout()]
            .into_iter()
            .flatten()
            .min();
        if let Some(at) = due {
            let internal = self.internal_tx.clone();
            tokio::spawn(async move {
                tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await;
                let _ = internal.send(Internal::ChatTick { session });
            });
        }
    }

    /// Typing notices that are due: our idle or refresh, the peer's expiry.
    pub(crate) fn on_chat_tick(&mut self, session: SessionId) {
        let now = std::time::Instant::now();
        let Some(chat) = self.chats.map.get_mut(&session) else {
            return;
        };
        let ours = chat.compose_out.handle_timeout(now);
        let theirs = chat.compose_in.handle_timeout(now);
        if let Some(doc) = ours {
            self.send_composing_doc(session, &doc);
        }
        if let Some(state) = theirs {
            self.emit_composing(session, state);
        }
        self.schedule_chat_tick(session);
    }

    fn emit_composing(&self, session: SessionId, state: ComposeState) {
        self.emit(Event::PeerComposing {
            account: self.account_id(),
            session,
            active: state == ComposeState::Active,
        });
    }

    pub(super) fn chat_received(
        &mut self,
        session: SessionId,
        msrp_id: String,
        content_type: &str,
        body: Vec<u8>,
    ) {
        let Some(chat) = self.chats.map.get(&session) else {
            return;
        };
        let peer = chat.peer.clone();
        let mut wants_delivery_notice = None;
        let (inner_type, inner_body, remote_id) = if content_type.eq_ignore_ascii_case("message/cpim") {
            match CpimMessage::parse(&body) {
                Ok(m) => {
                    let id = m.imdn_message_id().map(str::to_string);
                    if m.disposition_notification().is_some_and(|r| r.positive_delivery) {
                        wants_delivery_notice = id.clone();
                    }
                    (
                        m.content_type().unwrap_or_else(|| "text/plain".into()),
                        m.body,
                        id,
                    )
                }
                Err(e) => {
                    tracing::info!(%session, "unreadable CPIM message: {e}");
                    return self.confirm(session, msrp_id);
                }
            }
        } else {
            (content_type.to_string(), body, None)
        };
        let bare = inner_type
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if bare == "application/im-iscomposing+xml" {
            if let Ok(doc) = IsComposing::parse(&inner_body) {
                let change = self
                    .chats
                    .map
                    .get_mut(&session)
                    .and_then(|c| c.compose_in.received(&doc, std::time::Instant::now()));
                if let Some(state) = change {
                    self.emit_composing(session, state);
                }
                self.schedule_chat_tick(session);
            }
            return self.confirm(session, msrp_id);
        }
        if !bare.starts_with("text/") {
            tracing::info!(%session, content_type = %bare, "ignoring a chat message of a type we do not show");
            return self.confirm(session, msrp_id);
        }
        let text = String::from_utf8_lossy(&inner_body).into_owned();
        let new = NewIncoming {
            id: Some(crate::runtime::next_message_id()),
            account: self.account_name().to_string(),
            peer_key: conversation_key(&peer),
            peer_address: peer.clone(),
            display_name: None,
            call_id: None,
            cseq: None,
            remote_message_id: Some(remote_id.unwrap_or_else(|| format!("msrp:{msrp_id}"))),
            content_type: bare.clone(),
            body: text.clone(),
            file_ref: None,
            sent_at: None,
            received_at: now_ms(),
        };
        let to = self.agent.config().aor.to_string();
        self.store_then(
            move |s| s.insert_incoming(&new),
            move |result| Internal::ChatReceived {
                session,
                msrp_id,
                imdn: wants_delivery_notice,
                message: Box::new(IncomingMessage {
                    id: MessageId(0),
                    account: crate::model::AccountId(String::new()),
                    from: peer,
                    from_name: None,
                    to,
                    content_type: bare,
                    body: text,
                    subject: None,
                    received_at: u64::try_from(now_ms() / 1000).unwrap_or_default(),
                    session: Some(session),
                    alert: Default::default(),
                }),
                result,
            },
        );
    }

    pub(crate) fn on_chat_received(
        &mut self,
        session: SessionId,
        msrp_id: String,
        imdn: Option<String>,
        mut message: IncomingMessage,
        result: Result<InsertOutcome, String>,
    ) {
        if result.is_ok() {
            if let Some(original) = imdn {
                self.send_delivery_notice(session, &original);
            }
        }
        match result {
            Ok(InsertOutcome::Inserted(id)) => {
                self.confirm(session, msrp_id);
                message.id = id;
                message.account = self.account_id();
                let stopped = self
                    .chats
                    .map
                    .get_mut(&session)
                    .and_then(|c| c.compose_in.message_received());
                if let Some(state) = stopped {
                    self.emit_composing(session, state);
                }
                self.emit(Event::MessageReceived(message));
            }
            Ok(InsertOutcome::Duplicate(_)) => self.confirm(session, msrp_id),
            Err(e) => {
                // Not confirmed: the peer gets no success report for it.
                self.emit(Event::Error {
                    account: Some(self.account_id()),
                    message: format!("a chat message from {} could not be saved ({e})", message.from),
                });
            }
        }
    }

    /// Tells the sender its message is stored (RFC 5438 positive delivery
    /// notification, in CPIM).
    pub(super) fn send_delivery_notice(&self, session: SessionId, original: &str) {
        let Some(chat) = self.chats.map.get(&session) else {
            return;
        };
        let (Some(task), true) = (chat.task.as_ref(), chat.cpim) else {
            return;
        };
        let own = self.agent.config().aor.to_string();
        let notice = Notification {
            message_id: original.to_string(),
            datetime: chrono::Utc::now().to_rfc3339(),
            recipient_uri: Some(own.clone()),
            original_recipient_uri: None,
            disposition: Disposition::Delivered,
        };
        let cpim = CpimMessage::new(
            &format!("<{own}>"),
            &format!("<{}>", chat.peer),
            imdn::CONTENT_TYPE,
            notice.to_xml().into_bytes(),
        )
        .with_datetime(&chrono::Utc::now().fixed_offset())
        .with_imdn(&format!("n{:016x}", rand::random::<u64>()), Requested::default())
        .with_content_header("Content-Disposition", "notification");
        let _ = task.send(TaskCommand::Send {
            id: None,
            content_type: "message/cpim".into(),
            body: cpim.to_bytes(),
        });
    }

    pub(super) fn confirm(&self, session: SessionId, msrp_id: String) {
        if let Some(task) = self.chats.map.get(&session).and_then(|c| c.task.as_ref()) {
            let _ = task.send(TaskCommand::Confirm { msrp_id });
        }
    }

    pub(super) fn chat_delivery(&self, id: MessageId, to: String, state: DeliveryState) {
        self.emit(Event::DeliveryUpdate {
            id,
            account: self.account_id(),
            to,
            state,
        });
    }

    /// Tells the UI a chat message's final state (what the network said)
    /// and records it in the history.
    pub(super) fn record_chat_delivery(&mut self, id: MessageId, to: String, state: DeliveryState) {
        self.chat_delivery(id, to, state.clone());
        self.store_then(
            move |s| s.set_delivery_state(id, &state, now_ms()).map(|_| ()),
            move |result| Internal::ChatDeliveryStored { id, result },
        );
    }
}
