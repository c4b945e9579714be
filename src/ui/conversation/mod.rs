//! The conversations the window shows: one per account and peer, with
//! unread counts and delivery states. Filled from the history (history.rs)
//! and kept current by live events; entries are ordered and deduplicated by
//! [`MessageId`] (the store's id), so both meet without doubles.

pub mod bubble;
pub mod composer;
pub mod history;
pub mod pane;
pub mod paste;
pub mod preview;
pub mod session;

use crate::ui::i18n::t;
use sipchat::model::{
    conversation_key, AccountId, AlertMark, ContactRef, DeliveryState, IncomingMessage, MessageId,
};
use sipchat::runtime::Address;
use std::collections::BTreeMap;

pub use history::History;

/// Identifies a conversation: our account and the peer's address of record.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationKey {
    pub account: AccountId,
    /// The store's normalised peer address ([`conversation_key`]): no
    /// parameters, no default port, lower-case host.
    pub peer: String,
}

impl ConversationKey {
    /// The key for a peer address as typed or as received.
    pub fn new(account: &AccountId, address: &str) -> ConversationKey {
        ConversationKey {
            account: account.clone(),
            peer: conversation_key(address),
        }
    }

    /// The key for a peer key the store already normalised.
    pub fn stored(account: &str, peer_key: &str) -> ConversationKey {
        ConversationKey {
            account: AccountId(account.to_string()),
            peer: peer_key.to_string(),
        }
    }
}

/// Which way a message went, and for outgoing ones how far it got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Direction {
    Incoming,
    Outgoing(DeliveryState),
}

/// One message in a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: MessageId,
    pub direction: Direction,
    pub text: String,
    pub subject: Option<String>,
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// A trusted alert, or a message that claims to be one from an
    /// untrusted sender (from the live event or the stored flag).
    pub alert: AlertMark,
}

/// A conversation with one peer from one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    pub key: ConversationKey,
    /// Where replies go: the most specific address we know (typed, with port).
    pub address: String,
    /// The peer's display name, if one came with a message.
    pub name: Option<String>,
    pub entries: Vec<Entry>,
    pub unread: usize,
    /// Seconds since the Unix epoch of the last message (or of opening).
    pub last_activity: u64,
    /// How much of the stored history is in `entries`.
    pub history: History,
    /// The newest message as the stored list gave it, until loaded.
    pub preview: Option<Entry>,
    /// The name the user gave the conversation, else its contact's name
    /// (the store's `shown_name`, when it is more than the peer's own).
    pub given_name: Option<String>,
    /// The contact holding the peer's address; `None` for a stranger.
    pub contact: Option<ContactRef>,
}

impl Conversation {
    /// The name to show: the name the user gave (the conversation's or its
    /// contact's), else the display name, else the user part, else the
    /// address.
    pub fn title(&self) -> String {
        if let Some(name) = self.given_name.as_deref().filter(|n| !n.trim().is_empty()) {
            return name.trim().to_string();
        }
        if let Some(name) = self.name.as_deref().filter(|n| !n.trim().is_empty()) {
            return name.trim().to_string();
        }
        match Address::parse(&self.key.peer) {
            Ok(address) => address
                .user()
                .map_or_else(|| self.key.peer.clone(), str::to_string),
            Err(_) => self.key.peer.clone(),
        }
    }

    /// The last message, for the list preview.
    pub fn last_entry(&self) -> Option<&Entry> {
        match (self.entries.last(), self.preview.as_ref()) {
            (Some(entry), Some(preview)) if preview.id > entry.id => Some(preview),
            (Some(entry), _) => Some(entry),
            (None, preview) => preview,
        }
    }

    /// Adds an entry in id order; one already there is left alone (`false`).
    fn insert(&mut self, entry: Entry) -> bool {
        match self.entries.binary_search_by_key(&entry.id, |e| e.id) {
            Ok(_) => false,
            Err(at) => {
                self.last_activity = self.last_activity.max(entry.at);
                self.entries.insert(at, entry);
                true
            }
        }
    }
}

/// All conversations, and which one is open.
#[derive(Debug, Default)]
pub struct Conversations {
    all: BTreeMap<ConversationKey, Conversation>,
    open: Option<ConversationKey>,
}

impl Conversations {
    /// Finds or creates the conversation the user asked for by typing
    /// `address`; the typed address becomes where replies go.
    pub fn start(&mut self, account: &AccountId, address: &str, now: u64) -> ConversationKey {
        let key = ConversationKey::new(account, address);
        self.get_or_create(&key, address, now).address = address.trim().to_string();
        key
    }

    fn get_or_create(&mut self, key: &ConversationKey, address: &str, now: u64) -> &mut Conversation {
        self.all.entry(key.clone()).or_insert_with(|| Conversation {
            key: key.clone(),
            address: address.trim().to_string(),
            name: None,
            given_name: None,
            contact: None,
            entries: Vec::new(),
            unread: 0,
            last_activity: now,
            history: History::NotLoaded,
            preview: None,
        })
    }

    /// Finds or creates the conversation with a peer who contacted us
    /// (a chat offer, a session update), bringing it to the top.
    pub fn meet(
        &mut self,
        account: &AccountId,
        address: &str,
        name: Option<&str>,
        now: u64,
    ) -> ConversationKey {
        let key = ConversationKey::new(account, address);
        let conversation = self.get_or_create(&key, address, now);
        if let Some(name) = name.filter(|n| !n.trim().is_empty()) {
            conversation.name = Some(name.to_string());
        }
        conversation.last_activity = conversation.last_activity.max(now);
        key
    }

    /// Something happened in a known conversation at `at` (a file from the
    /// history): it sorts at least that recent.
    pub fn touch(&mut self, key: &ConversationKey, at: u64) {
        if let Some(conversation) = self.all.get_mut(key) {
            conversation.last_activity = conversation.last_activity.max(at);
        }
    }

    /// Opens a conversation (it must exist) and marks it read.
    pub fn open(&mut self, key: &ConversationKey) -> bool {
        match self.all.get_mut(key) {
            Some(conversation) => {
                conversation.unread = 0;
                self.open = Some(key.clone());
                true
            }
            None => false,
        }
    }

    /// The open conversation's key.
    pub fn open_key(&self) -> Option<&ConversationKey> {
        self.open.as_ref()
    }

    /// The open conversation.
    pub fn current(&self) -> Option<&Conversation> {
        self.open.as_ref().and_then(|key| self.all.get(key))
    }

    /// One conversation.
    pub fn get(&self, key: &ConversationKey) -> Option<&Conversation> {
        self.all.get(key)
    }

    /// Files an incoming message; unread unless its conversation is open.
    pub fn receive(&mut self, message: &IncomingMessage) -> ConversationKey {
        let key = ConversationKey::new(&message.account, &message.from);
        let is_open = self.open.as_ref() == Some(&key);
        let conversation = self.get_or_create(&key, &message.from, message.received_at);
        if message.from_name.is_some() {
            conversation.name.clone_from(&message.from_name);
        }
        let fresh = conversation.insert(Entry {
            id: message.id,
            direction: Direction::Incoming,
            text: message.body.clone(),
            subject: message.subject.clone(),
            at: message.received_at,
            alert: message.alert,
        });
        if fresh && !is_open {
            conversation.unread += 1;
        }
        key
    }

    /// Records a message we just handed to the runtime.
    pub fn push_outgoing(
        &mut self,
        key: &ConversationKey,
        id: MessageId,
        text: &str,
        state: DeliveryState,
        now: u64,
    ) {
        if let Some(conversation) = self.all.get_mut(key) {
            conversation.insert(Entry {
                id,
                direction: Direction::Outgoing(state),
                text: text.to_string(),
                subject: None,
                at: now,
                alert: AlertMark::None,
            });
        }
    }

    /// Applies a delivery update to the outgoing message with this id.
    /// Looks in the conversation named by `account`/`to` first, then
    /// everywhere. Returns whether a message was updated.
    pub fn apply_delivery(
        &mut self,
        id: MessageId,
        account: &AccountId,
        to: &str,
        state: DeliveryState,
    ) -> bool {
        let key = ConversationKey::new(account, to);
        let hinted = self.all.get_mut(&key).and_then(|c| find_outgoing(c, id));
        let entry = match hinted {
            Some(entry) => Some(entry),
            None => self.all.values_mut().find_map(|c| find_outgoing(c, id)),
        };
        match entry {
            Some(Entry {
                direction: Direction::Outgoing(current),
                ..
            }) => {
                // A late provisional state never overwrites a final one.
                if !current.is_final() || state.is_final() {
                    *current = state;
                }
                true
            }
            _ => false,
        }
    }

    /// Whether the open conversation shows a "trying again in N s" countdown.
    pub fn open_has_countdown(&self) -> bool {
        self.current().is_some_and(|c| {
            c.entries
                .iter()
                .any(|e| matches!(e.direction, Direction::Outgoing(DeliveryState::Retrying { .. })))
        })
    }

    /// Conversations, most recent activity first.
    /// The conversation after (or before) the open one in the sidebar's
    /// order, wrapping around; the first (or last) when none is open.
    pub fn neighbour(&self, forward: bool) -> Option<ConversationKey> {
        let list = self.by_recent();
        let count = list.len();
        if count == 0 {
            return None;
        }
        let at = self
            .open
            .as_ref()
            .and_then(|open| list.iter().position(|c| &c.key == open));
        let index = match (at, forward) {
            (Some(at), true) => (at + 1) % count,
            (Some(at), false) => (at + count - 1) % count,
            (None, true) => 0,
            (None, false) => count - 1,
        };
        list.get(index).map(|c| c.key.clone())
    }

    /// Gives a conversation a name of its own (`None`: its contact's name
    /// again, if any), until the stored list says otherwise.
    pub fn rename(&mut self, key: &ConversationKey, title: Option<String>) {
        if let Some(conversation) = self.all.get_mut(key) {
            conversation.given_name = title.or_else(|| conversation.contact.as_ref().map(|c| c.name.clone()));
        }
    }

    /// Forgets a conversation (deleted); closes it if it was open.
    pub fn remove(&mut self, key: &ConversationKey) {
        self.all.remove(key);
        if self.open.as_ref() == Some(key) {
            self.open = None;
        }
    }

    pub fn by_recent(&self) -> Vec<&Conversation> {
        let mut list: Vec<&Conversation> = self.all.values().collect();
        list.sort_by(|a, b| {
            b.last_activity
                .cmp(&a.last_activity)
                .then_with(|| a.key.cmp(&b.key))
        });
        list
    }

    /// Unread messages across all conversations.
    pub fn total_unread(&self) -> usize {
        self.all.values().map(|c| c.unread).sum()
    }

    /// Whether there is no conversation at all.
    pub fn is_empty(&self) -> bool {
        self.all.is_empty()
    }
}

/// How an outgoing message's state reads under it, as of `now` (seconds
/// since the Unix epoch). The reason comes from the runtime as it is.
pub fn delivery_words(state: &DeliveryState, now: u64) -> String {
    match state {
        DeliveryState::Queued => t!("delivery-queued"),
        DeliveryState::Sending => t!("delivery-sending"),
        DeliveryState::Accepted => t!("delivery-accepted"),
        DeliveryState::StoredForLater => t!("delivery-stored"),
        DeliveryState::Retrying {
            reason, retry_at_ms, ..
        } => {
            let at = u64::try_from(retry_at_ms.div_euclid(1000)).unwrap_or(0);
            match at.saturating_sub(now) {
                0 => t!("delivery-retrying-now", reason = reason.as_str()),
                wait => t!(
                    "delivery-retrying",
                    reason = reason.as_str(),
                    wait = duration_words(wait)
                ),
            }
        }
        DeliveryState::Failed { reason, .. } => t!("delivery-failed", reason = reason.as_str()),
    }
}

/// A short wait in words: "30 s", "2 min", "1 h".
pub fn duration_words(secs: u64) -> String {
    if secs < 90 {
        t!("duration-seconds", count = secs)
    } else if secs < 5400 {
        t!("duration-minutes", count = (secs + 30) / 60)
    } else {
        t!("duration-hours", count = (secs + 1800) / 3600)
    }
}

fn find_outgoing(conversation: &mut Conversation, id: MessageId) -> Option<&mut Entry> {
    conversation
        .entries
        .iter_mut()
        .rev()
        .find(|e| e.id == id && matches!(e.direction, Direction::Outgoing(_)))
}

#[cfg(test)]
mod tests;
