//! Filling conversations from the stored history: the conversation list at
//! start, pages of messages as they are opened and scrolled back, and the
//! manual retry of a failed message.

use super::{Conversation, ConversationKey, Conversations, Direction, Entry};
use sipchat::model::{
    self, AlertMark, ConversationSummary, DeliveryState, MessageId, MessagePreview, StoredMessage,
};

/// Messages asked for per page.
pub const PAGE_SIZE: usize = 50;

/// How much of a conversation's stored history the window holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// Nothing asked yet (only live messages, if any).
    NotLoaded,
    /// A page was asked for and has not come back.
    Loading,
    /// Some pages are here; older ones exist.
    Partial,
    /// Everything back to the first message is here.
    Complete,
}

/// What to ask the runtime for: a page of `key` older than `before`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub key: ConversationKey,
    pub before: Option<MessageId>,
}

/// Store milliseconds as the window's seconds.
fn seconds(ms: i64) -> u64 {
    u64::try_from(ms.max(0) / 1000).unwrap_or(0)
}

fn entry_from_stored(message: &StoredMessage) -> Entry {
    Entry {
        id: message.id,
        direction: direction(message.direction, message.state.clone()),
        text: message.body.clone(),
        subject: None,
        at: seconds(message.at()),
        alert: if message.untrusted_alert {
            AlertMark::Untrusted
        } else {
            AlertMark::None
        },
    }
}

fn entry_from_preview(preview: &MessagePreview, at: i64) -> Entry {
    let mut text = preview.text.clone();
    if preview.truncated {
        text.push('…');
    }
    Entry {
        id: preview.id,
        direction: direction(preview.direction, preview.state.clone()),
        text,
        subject: None,
        at: seconds(at),
        alert: AlertMark::None,
    }
}

fn direction(direction: model::Direction, state: Option<DeliveryState>) -> Direction {
    match direction {
        model::Direction::In => Direction::Incoming,
        model::Direction::Out => Direction::Outgoing(state.unwrap_or(DeliveryState::Queued)),
    }
}

impl Conversations {
    /// Merges the stored conversation list: new ones appear, known ones take
    /// the stored unread count (0 for the open one), name and preview.
    pub fn apply_summaries(&mut self, summaries: &[ConversationSummary]) {
        for summary in summaries {
            let key = ConversationKey::stored(&summary.account, &summary.peer_key);
            let is_open = self.open.as_ref() == Some(&key);
            let at = seconds(summary.last_activity);
            let conversation = self.get_or_create(&key, &summary.peer_address, at);
            conversation.address.clone_from(&summary.peer_address);
            if summary.display_name.is_some() {
                conversation.name.clone_from(&summary.display_name);
            }
            conversation.given_name = summary
                .title
                .clone()
                .or_else(|| summary.contact.as_ref().map(|c| c.name.clone()));
            conversation.contact.clone_from(&summary.contact);
            conversation.last_activity = conversation.last_activity.max(at);
            conversation.unread = if is_open {
                0
            } else {
                usize::try_from(summary.unread).unwrap_or(usize::MAX)
            };
            conversation.preview = summary
                .last_message
                .as_ref()
                .map(|p| entry_from_preview(p, summary.last_activity));
        }
    }

    /// Makes sure a conversation the store named exists (e.g. a search hit).
    pub fn ensure_stored(&mut self, key: &ConversationKey, now: u64) {
        let peer = key.peer.clone();
        self.get_or_create(key, &peer, now);
    }

    /// The page to ask for next, or `None` when there is none to ask (all
    /// loaded, or a page is on its way). With `older`, the page before the
    /// oldest message held; else the newest page, only if never loaded.
    pub fn request_page(&mut self, key: &ConversationKey, older: bool) -> Option<PageRequest> {
        let conversation = self.all.get_mut(key)?;
        let before = match (conversation.history, older) {
            (History::NotLoaded, _) => None,
            (History::Partial, true) => conversation.entries.first().map(|e| e.id),
            _ => return None,
        };
        conversation.history = History::Loading;
        Some(PageRequest {
            key: key.clone(),
            before,
        })
    }

    /// Merges a page of stored messages (any order); entries already held
    /// (e.g. from live events) stay, keeping the more final state.
    /// Returns whether the conversation is known.
    pub fn apply_page(&mut self, key: &ConversationKey, messages: &[StoredMessage], complete: bool) -> bool {
        let Some(conversation) = self.all.get_mut(key) else {
            return false;
        };
        for message in messages {
            let entry = entry_from_stored(message);
            if let Ok(at) = conversation.entries.binary_search_by_key(&entry.id, |e| e.id) {
                if let (Direction::Outgoing(held), Direction::Outgoing(stored)) =
                    (&mut conversation.entries[at].direction, entry.direction)
                {
                    if !held.is_final() && stored.is_final() {
                        *held = stored;
                    }
                }
            } else {
                conversation.insert(entry);
            }
        }
        conversation.history = if complete {
            History::Complete
        } else {
            History::Partial
        };
        true
    }

    /// Shows a failed message as queued again after "Retry" (a final state
    /// is otherwise never replaced by an earlier one). Returns whether found.
    pub fn requeue(&mut self, key: &ConversationKey, id: MessageId) -> bool {
        let entry = self
            .all
            .get_mut(key)
            .and_then(|c: &mut Conversation| c.entries.iter_mut().find(|e| e.id == id));
        match entry {
            Some(Entry {
                direction: Direction::Outgoing(state),
                ..
            }) => {
                *state = DeliveryState::Queued;
                true
            }
            _ => false,
        }
    }
}
