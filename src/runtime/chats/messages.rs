//! The messages of chat sessions: storing and sending ours, storing and
//! confirming the peer's (CPIM, isComposing, IMDN), delivery states, and
//! typing notices.

use super::{Chat, ChatEffect, ChatError, ChatStoreOp, Chats};
use crate::model::{AccountId, DeliveryState, IncomingMessage, MessageId, SessionId};
use crate::protocol::cpim::CpimMessage;
use crate::protocol::imdn::{self, Disposition, Notification, Requested};
use crate::protocol::iscomposing::{ComposeState, IsComposing};
use crate::runtime::clock::Now;
use crate::runtime::event::Event;
use crate::runtime::msrp_task::TaskCommand;
use crate::store::{conversation_key, InsertOutcome, NewIncoming, NewOutgoing};
use std::time::Instant;

/// The content type of typing notices (RFC 3994).
const COMPOSING_TYPE: &str = "application/im-iscomposing+xml";

/// The wall-clock time of `now`, for CPIM and IMDN dates.
fn datetime(now: Now) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::from_timestamp_millis(now.unix_ms)
        .unwrap_or_default()
        .fixed_offset()
}

impl Chat {
    /// When a typing notice of ours is due or the peer's expires.
    pub(super) fn composing_due(&self) -> Option<Instant> {
        [self.compose_out.poll_timeout(), self.compose_in.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }
}

impl Chats {
    pub(super) fn store_message(&mut self, id: MessageId, session: SessionId, text: String, now: Now) {
        let Some(chat) = self.map.get(&session) else {
            return self.emit(Event::DeliveryUpdate {
                id,
                account: self.config.account.clone(),
                to: String::new(),
                state: DeliveryState::Failed {
                    code: None,
                    reason: "there is no such chat (it may have ended)".into(),
                },
            });
        };
        let new = NewOutgoing {
            id: Some(id),
            account: self.config.account.0.clone(),
            peer_key: conversation_key(&chat.peer),
            peer_address: chat.peer.clone(),
            display_name: None,
            local_id: None,
            content_type: "text/plain".into(),
            body: text.clone(),
            file_ref: None,
            sent_at: now.unix_ms,
        };
        self.effects
            .push_back(ChatEffect::Store(ChatStoreOp::InsertOutgoing {
                session,
                id,
                text,
                new: Box::new(new),
            }));
    }

    pub(super) fn message_stored(
        &mut self,
        session: SessionId,
        id: MessageId,
        text: String,
        result: Result<MessageId, ChatError>,
        now: Now,
    ) {
        let peer = self.map.get(&session).map(|c| c.peer.clone()).unwrap_or_default();
        if let Err(e) = result {
            return self.delivery(
                id,
                peer,
                DeliveryState::Failed {
                    code: None,
                    reason: format!("not sent: the message could not be saved ({e})"),
                },
            );
        }
        self.delivery(id, peer.clone(), DeliveryState::Queued);
        match self.map.get_mut(&session) {
            Some(chat) if chat.active() => self.send_text(session, id, text, now),
            Some(chat) => chat.waiting.push((id, text)),
            None => self.record_delivery(
                id,
                peer,
                DeliveryState::Failed {
                    code: None,
                    reason: "not sent: the chat ended".into(),
                },
            ),
        }
    }

    pub(super) fn send_text(&mut self, session: SessionId, id: MessageId, text: String, now: Now) {
        let own = self.config.own_aor.clone();
        let Some(chat) = self.map.get_mut(&session) else {
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
            .with_datetime(&datetime(now))
            .with_imdn(&imdn_id, Requested::default());
            ("message/cpim".to_string(), msg.to_bytes())
        } else {
            ("text/plain;charset=UTF-8".to_string(), text.into_bytes())
        };
        let peer = chat.peer.clone();
        if chat.task {
            self.task(
                session,
                TaskCommand::Send {
                    id: Some(id),
                    content_type,
                    body,
                },
            );
            self.in_flight.insert(id, peer.clone());
            self.delivery(id, peer, DeliveryState::Sending);
        }
    }

    /// The user types (or stopped): tell the peer, at most once per state
    /// change and refresh (RFC 3994), going idle by itself after a pause
    /// ([`Chats::poll_timeout`]).
    pub(super) fn composing(&mut self, session: SessionId, active: bool, now: Now) {
        let Some(chat) = self.map.get_mut(&session) else {
            return;
        };
        if !chat.composing || !chat.active() {
            return;
        }
        let doc = if active {
            chat.compose_out.typed(now.at)
        } else if chat.compose_out.is_active() {
            chat.compose_out.message_sent();
            Some(IsComposing::idle())
        } else {
            None
        };
        if let Some(doc) = doc {
            self.send_composing(session, &doc);
        }
    }

    fn send_composing(&mut self, session: SessionId, doc: &IsComposing) {
        self.task(
            session,
            TaskCommand::Send {
                id: None,
                content_type: COMPOSING_TYPE.into(),
                body: doc.to_xml().into_bytes(),
            },
        );
    }

    /// Typing notices that are due: our idle or refresh, the peer's expiry.
    pub(super) fn composing_tick(&mut self, session: SessionId, now: Now) {
        let Some(chat) = self.map.get_mut(&session) else {
            return;
        };
        let ours = chat.compose_out.handle_timeout(now.at);
        let theirs = chat.compose_in.handle_timeout(now.at);
        if let Some(doc) = ours {
            self.send_composing(session, &doc);
        }
        if let Some(state) = theirs {
            self.emit_composing(session, state);
        }
    }

    fn emit_composing(&mut self, session: SessionId, state: ComposeState) {
        self.emit(Event::PeerComposing {
            account: self.config.account.clone(),
            session,
            active: state == ComposeState::Active,
        });
    }

    pub(super) fn received(
        &mut self,
        session: SessionId,
        msrp_id: String,
        content_type: &str,
        body: Vec<u8>,
        now: Now,
    ) {
        let Some(chat) = self.map.get(&session) else {
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
        if bare == COMPOSING_TYPE {
            if let Ok(doc) = IsComposing::parse(&inner_body) {
                let change = self
                    .map
                    .get_mut(&session)
                    .and_then(|c| c.compose_in.received(&doc, now.at));
                if let Some(state) = change {
                    self.emit_composing(session, state);
                }
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
            account: self.config.account.0.clone(),
            peer_key: conversation_key(&peer),
            peer_address: peer.clone(),
            display_name: None,
            call_id: None,
            from_tag: None,
            cseq: None,
            remote_message_id: Some(remote_id.unwrap_or_else(|| format!("msrp:{msrp_id}"))),
            content_type: bare.clone(),
            body: text.clone(),
            file_ref: None,
            sent_at: None,
            received_at: now.unix_ms,
        };
        let message = IncomingMessage {
            id: MessageId(0),
            account: AccountId(String::new()),
            from: peer,
            from_name: None,
            to: self.config.own_aor.clone(),
            content_type: bare,
            body: text,
            subject: None,
            received_at: u64::try_from(now.unix_ms / 1000).unwrap_or_default(),
            session: Some(session),
            alert: Default::default(),
        };
        self.effects
            .push_back(ChatEffect::Store(ChatStoreOp::InsertIncoming {
                session,
                msrp_id,
                imdn: wants_delivery_notice,
                message: Box::new(message),
                new: Box::new(new),
            }));
    }

    pub(super) fn message_received(
        &mut self,
        session: SessionId,
        msrp_id: String,
        imdn: Option<String>,
        mut message: IncomingMessage,
        result: Result<InsertOutcome, ChatError>,
        now: Now,
    ) {
        if result.is_ok() {
            if let Some(original) = imdn {
                self.send_delivery_notice(session, &original, now);
            }
        }
        match result {
            Ok(InsertOutcome::Inserted(id)) => {
                self.confirm(session, msrp_id);
                message.id = id;
                message.account = self.config.account.clone();
                let stopped = self
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
                    account: Some(self.config.account.clone()),
                    message: format!("a chat message from {} could not be saved ({e})", message.from),
                });
            }
        }
    }

    /// Tells the sender its message is stored (RFC 5438 positive delivery
    /// notification, in CPIM).
    fn send_delivery_notice(&mut self, session: SessionId, original: &str, now: Now) {
        let Some(chat) = self.map.get(&session) else {
            return;
        };
        if !chat.task || !chat.cpim {
            return;
        }
        let own = self.config.own_aor.clone();
        let notice = Notification {
            message_id: original.to_string(),
            datetime: datetime(now).to_rfc3339(),
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
        .with_datetime(&datetime(now))
        .with_imdn(&format!("n{:016x}", rand::random::<u64>()), Requested::default())
        .with_content_header("Content-Disposition", "notification");
        self.task(
            session,
            TaskCommand::Send {
                id: None,
                content_type: "message/cpim".into(),
                body: cpim.to_bytes(),
            },
        );
    }

    fn confirm(&mut self, session: SessionId, msrp_id: String) {
        self.task(session, TaskCommand::Confirm { msrp_id });
    }

    pub(super) fn delivery(&mut self, id: MessageId, to: String, state: DeliveryState) {
        self.emit(Event::DeliveryUpdate {
            id,
            account: self.config.account.clone(),
            to,
            state,
        });
    }

    /// Tells the UI a chat message's final state (what the network said)
    /// and records it in the history.
    pub(super) fn record_delivery(&mut self, id: MessageId, to: String, state: DeliveryState) {
        self.delivery(id, to, state.clone());
        self.effects
            .push_back(ChatEffect::Store(ChatStoreOp::SetDeliveryState { id, state }));
    }
}
