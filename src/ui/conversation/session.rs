//! Chat sessions (MSRP) as the window sees them. Per conversation there is
//! at most one: an offer from the peer waiting for Accept or Decline, one
//! being set up, or an active one; plus the reason the last one ended (shown
//! once) and whether the peer is typing. The runtime names sessions by
//! account + [`SessionId`]; they are filed under the conversation of their
//! peer ([`ConversationKey`]), so page-mode messages and session messages
//! share one thread. Without an active session the conversation is in page
//! mode.
//!
//! [`Sessions`] turns the user's [`Request`]s and the runtime's events into
//! the [`Command`]s to send; the view helpers at the end draw the header
//! controls, the offer, the ending line and the typing line.

use super::ConversationKey;
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, container, row, space, text};
use iced::{Center, Element, Fill, Theme};
use sipchat::model::{AccountId, ChatState, SessionId};
use sipchat::runtime::Command;
use std::collections::BTreeMap;

/// Where a conversation's session stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// The peer invites us; Accept or Decline.
    Offered,
    /// "Start chat session" was pressed; the runtime has not named it yet.
    Requested,
    /// Our invitation is on its way.
    Inviting,
    /// The peer's client is ringing.
    Ringing,
    /// Agreed; the MSRP connection is being made.
    Connecting,
    /// Messages flow through it.
    Active {
        /// Over TLS.
        secure: bool,
        /// Through this relay, if any.
        relay: Option<String>,
    },
}

/// One conversation's session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The runtime's id; `None` until it answers our `OpenChat`.
    pub id: Option<SessionId>,
    pub phase: Phase,
    /// The peer said it is typing.
    pub peer_typing: bool,
    /// We told the peer we are typing.
    composing: bool,
    /// Cancel was pressed before the runtime named the session.
    cancel_when_named: bool,
    /// Cancel or End was pressed; waiting for the runtime to end it.
    closing: bool,
}

impl Session {
    fn new(id: Option<SessionId>, phase: Phase) -> Session {
        Session {
            id,
            phase,
            peer_typing: false,
            composing: false,
            cancel_when_named: false,
            closing: false,
        }
    }

    /// The session's id while messages can be sent in it.
    pub fn active_id(&self) -> Option<SessionId> {
        match self.phase {
            Phase::Active { .. } => self.id,
            _ => None,
        }
    }

    /// Whether Cancel or End was pressed and the runtime has not ended it yet.
    pub fn is_closing(&self) -> bool {
        self.closing
    }
}

/// How the last session of a conversation finished, with the runtime's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// It never started.
    Failed(String),
    /// It ended.
    Ended(String),
}

/// What the user asks of a conversation's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    Start,
    /// Stop one being set up.
    Cancel,
    /// Hang up an active one.
    End,
    Accept,
    Decline,
    /// Hide the line saying how the last one ended.
    DismissEnding,
}

/// Every conversation's session.
#[derive(Debug, Default)]
pub struct Sessions {
    sessions: BTreeMap<ConversationKey, Session>,
    endings: BTreeMap<ConversationKey, Ending>,
}

impl Sessions {
    /// The session of a conversation, if there is one.
    pub fn get(&self, key: &ConversationKey) -> Option<&Session> {
        self.sessions.get(key)
    }

    /// How the conversation's last session finished, until dismissed or
    /// the next one starts.
    pub fn ending(&self, key: &ConversationKey) -> Option<&Ending> {
        self.endings.get(key)
    }

    /// The id to send a message with, when the conversation has an active session.
    pub fn active_id(&self, key: &ConversationKey) -> Option<SessionId> {
        self.sessions.get(key).and_then(Session::active_id)
    }

    /// Conversations whose peer is waiting for Accept or Decline.
    pub fn offers(&self) -> impl Iterator<Item = &ConversationKey> {
        self.sessions
            .iter()
            .filter(|(_, s)| s.phase == Phase::Offered)
            .map(|(k, _)| k)
    }

    /// The user's request for the conversation `key`, whose replies go to
    /// `address`. Returns the commands to send.
    pub fn request(&mut self, key: &ConversationKey, address: &str, request: Request) -> Vec<Command> {
        let account = key.account.clone();
        match request {
            Request::Start => {
                if self.sessions.contains_key(key) {
                    return Vec::new();
                }
                self.endings.remove(key);
                self.sessions
                    .insert(key.clone(), Session::new(None, Phase::Requested));
                vec![Command::OpenChat {
                    account,
                    peer: address.to_string(),
                }]
            }
            Request::Cancel | Request::End => {
                let Some(session) = self.sessions.get_mut(key) else {
                    return Vec::new();
                };
                if session.phase == Phase::Offered {
                    return Vec::new();
                }
                session.closing = true;
                match session.id {
                    Some(id) => vec![Command::CloseChat { account, session: id }],
                    None => {
                        session.cancel_when_named = true;
                        Vec::new()
                    }
                }
            }
            Request::Accept => match self.sessions.get_mut(key) {
                Some(session) if session.phase == Phase::Offered => {
                    session.phase = Phase::Connecting;
                    self.endings.remove(key);
                    session
                        .id
                        .map(|id| Command::AcceptChat { account, session: id })
                        .into_iter()
                        .collect()
                }
                _ => Vec::new(),
            },
            Request::Decline => match self.sessions.get(key) {
                Some(session) if session.phase == Phase::Offered => {
                    let id = session.id;
                    self.sessions.remove(key);
                    id.map(|id| Command::DeclineChat { account, session: id })
                        .into_iter()
                        .collect()
                }
                _ => Vec::new(),
            },
            Request::DismissEnding => {
                self.endings.remove(key);
                Vec::new()
            }
        }
    }

    /// The peer of `key` invites us to the session `id`.
    pub fn offered(&mut self, key: &ConversationKey, id: SessionId) {
        self.endings.remove(key);
        self.sessions
            .insert(key.clone(), Session::new(Some(id), Phase::Offered));
    }

    /// The runtime's news about session `id` with the peer of `key`.
    /// Returns the commands to send (a Cancel pressed before the session
    /// had an id goes out now).
    pub fn update(&mut self, key: &ConversationKey, id: SessionId, state: ChatState) -> Vec<Command> {
        let ours = self
            .sessions
            .get(key)
            .is_some_and(|s| s.id == Some(id) || (s.id.is_none() && s.phase == Phase::Requested));
        let unanswered = self
            .sessions
            .get(key)
            .is_some_and(|s| s.phase == Phase::Offered && s.id == Some(id));
        if unanswered && !state.is_final() {
            // The runtime repeats an offer we have not answered (an
            // `OpenChat` that raced it reuses it): still ours to answer.
            return Vec::new();
        }
        let phase = match state {
            ChatState::Failed { reason } | ChatState::Ended { reason } if !ours => {
                tracing::debug!(%id, "a session the window did not show ended: {reason}");
                return Vec::new();
            }
            ChatState::Failed { reason } => return self.finish(key, Ending::Failed(reason)),
            ChatState::Ended { reason } => return self.finish(key, Ending::Ended(reason)),
            ChatState::Inviting => Phase::Inviting,
            ChatState::Ringing => Phase::Ringing,
            ChatState::Connecting => Phase::Connecting,
            ChatState::Active { secure, relay } => Phase::Active { secure, relay },
        };
        if !ours {
            // A session the window did not ask for, or a newer one.
            self.endings.remove(key);
            self.sessions
                .insert(key.clone(), Session::new(Some(id), phase.clone()));
        }
        let Some(session) = self.sessions.get_mut(key) else {
            return Vec::new();
        };
        session.phase = phase;
        let named_now = session.id.is_none();
        session.id = Some(id);
        if named_now && session.cancel_when_named {
            session.cancel_when_named = false;
            return vec![Command::CloseChat {
                account: key.account.clone(),
                session: id,
            }];
        }
        Vec::new()
    }

    /// The session is over: back to page mode, with its reason shown once.
    fn finish(&mut self, key: &ConversationKey, ending: Ending) -> Vec<Command> {
        self.sessions.remove(key);
        self.endings.insert(key.clone(), ending);
        Vec::new()
    }

    /// The peer of session `id` started or stopped typing.
    pub fn peer_composing(&mut self, account: &AccountId, id: SessionId, active: bool) {
        if let Some(session) = self
            .sessions
            .iter_mut()
            .find(|(k, s)| &k.account == account && s.id == Some(id))
            .map(|(_, s)| s)
        {
            session.peer_typing = active && session.active_id().is_some();
        }
    }

    /// A message came from the peer of `key`: it stopped typing.
    pub fn message_from(&mut self, key: &ConversationKey) {
        if let Some(session) = self.sessions.get_mut(key) {
            session.peer_typing = false;
        }
    }

    /// The draft of `key` changed: tell the peer of an active session
    /// whether we are typing (each edit while it is not empty, once when
    /// it is emptied).
    pub fn draft_changed(&mut self, key: &ConversationKey, empty: bool) -> Option<Command> {
        let session = self.sessions.get_mut(key)?;
        let id = session.active_id()?;
        if empty && !session.composing {
            return None;
        }
        session.composing = !empty;
        Some(Command::SetComposing {
            account: key.account.clone(),
            session: id,
            active: !empty,
        })
    }

    /// The draft of `key` was sent: we are no longer typing.
    pub fn draft_sent(&mut self, key: &ConversationKey) -> Option<Command> {
        self.draft_changed(key, true)
    }

    /// The runtime stopped: every session is gone.
    pub fn clear(&mut self) {
        self.sessions.clear();
    }
}

/// What the pane draws for the open conversation's session.
#[derive(Debug, Clone, Copy, Default)]
pub struct ChatView<'a> {
    pub session: Option<&'a Session>,
    pub ending: Option<&'a Ending>,
    /// The runtime runs: a session can be started.
    pub can_start: bool,
}

/// The session's state in words, for the header.
pub fn state_words(phase: &Phase, name: &str) -> String {
    match phase {
        Phase::Offered => t!("chat-offer", name = name),
        Phase::Requested => t!("chat-requested"),
        Phase::Inviting => t!("chat-inviting", name = name),
        Phase::Ringing => t!("chat-ringing", name = name),
        Phase::Connecting => t!("chat-connecting"),
        Phase::Active { secure, relay } => {
            let mut words = vec![t!("chat-active")];
            if *secure {
                words.push(t!("chat-active-secure"));
            } else {
                words.push(t!("chat-active-plain"));
            }
            match relay {
                Some(relay) => words.push(t!("chat-active-relay", relay = relay.as_str())),
                None => words.push(t!("chat-active-direct")),
            }
            words.join(" · ")
        }
    }
}

/// How the last session ended, in a sentence.
pub fn ending_words(ending: &Ending) -> String {
    match ending {
        Ending::Failed(reason) if reason.trim().is_empty() => t!("chat-failed-plain"),
        Ending::Failed(reason) => t!("chat-failed", reason = reason.as_str()),
        Ending::Ended(reason) if reason.trim().is_empty() => t!("chat-ended-plain"),
        Ending::Ended(reason) => t!("chat-ended", reason = reason.as_str()),
    }
}

fn small_button<'a>(
    label: String,
    style: fn(&Theme, button::Status) -> button::Style,
) -> button::Button<'a, Request> {
    button(text(label).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(style)
}

/// The header's session controls: Start, the state with Cancel, or the
/// active state with End. An offer is drawn by [`offer_strip`] instead.
pub fn header_controls<'a>(chat: ChatView<'a>, name: &str) -> Option<Element<'a, Request>> {
    let Some(session) = chat.session else {
        return chat.can_start.then(|| {
            small_button(t!("chat-start"), theme::secondary_button)
                .on_press(Request::Start)
                .into()
        });
    };
    let (label, request) = match session.phase {
        Phase::Offered => return None,
        Phase::Active { .. } => (t!("chat-end"), Request::End),
        _ => (t!("chat-cancel"), Request::Cancel),
    };
    let press = (chat.can_start && !session.is_closing()).then_some(request);
    let words = widget::muted(state_words(&session.phase, name)).wrapping(text::Wrapping::WordOrGlyph);
    Some(
        row![
            words,
            small_button(label, theme::secondary_button).on_press_maybe(press)
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center)
        .into(),
    )
}

/// "Bob invites you to a chat session" with Accept and Decline.
pub fn offer_strip<'a>(name: &str, can_answer: bool) -> Element<'a, Request> {
    let accept = small_button(t!("chat-accept"), button::primary)
        .on_press_maybe(can_answer.then_some(Request::Accept));
    let decline = small_button(t!("chat-decline"), theme::secondary_button)
        .on_press_maybe(can_answer.then_some(Request::Decline));
    container(
        row![
            text(t!("chat-offer", name = name))
                .size(theme::TEXT_BODY)
                .width(Fill),
            accept,
            decline
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center),
    )
    .padding([theme::SPACE_S, theme::SPACE_L])
    .width(Fill)
    .style(theme::invitation)
    .into()
}

/// The line saying how the last session ended, with Dismiss.
pub fn ending_line<'a>(ending: &Ending) -> Element<'a, Request> {
    let dismiss = small_button(t!("notice-dismiss"), button::text).on_press(Request::DismissEnding);
    container(
        row![widget::muted(ending_words(ending)).width(Fill), dismiss]
            .spacing(theme::SPACE_S)
            .align_y(Center),
    )
    .padding([theme::SPACE_XS, theme::SPACE_L])
    .width(Fill)
    .into()
}

/// "Bob is typing…" above the composer.
pub fn typing_line<'a, M: 'a>(name: &str) -> Element<'a, M> {
    container(widget::muted(t!("chat-typing", name = name)).size(theme::TEXT_SMALL))
        .padding([2.0, theme::SPACE_L])
        .into()
}

/// Space for the typing line when nobody types, so the list does not jump.
pub fn no_typing_line<'a, M: 'a>() -> Element<'a, M> {
    container(space::horizontal().height(theme::TEXT_SMALL + 4.0))
        .padding([2.0, theme::SPACE_L])
        .into()
}

#[cfg(test)]
#[path = "session_tests.rs"]
mod tests;
