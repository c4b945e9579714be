//! Conversations and their messages as the history shows them: the rows
//! the runtime's queries answer with (`Event::Conversations`,
//! `Event::Messages`, `Event::SearchResults`). Timestamps are Unix
//! milliseconds. The store reads and writes these; the UI and the CLI read
//! them.

use serde::{Deserialize, Serialize};

use super::{ContactRef, DeliveryState, MessageId};

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Received from the peer.
    In,
    /// Sent by us.
    Out,
}

impl Direction {
    /// The text stored in the `direction` column (`in` / `out`).
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::In => "in",
            Direction::Out => "out",
        }
    }

    /// Parses the column text.
    pub(crate) fn parse(text: &str) -> Option<Direction> {
        match text {
            "in" => Some(Direction::In),
            "out" => Some(Direction::Out),
            _ => None,
        }
    }
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredMessage {
    /// Store-allocated id.
    pub id: MessageId,
    /// Account name.
    pub account: String,
    /// The conversation's normalised peer address.
    pub peer_key: String,
    /// In or out.
    pub direction: Direction,
    /// Our own wire id (outgoing): the CPIM/IMDN Message-ID we put on it,
    /// or another token of the runtime's.
    pub local_id: Option<String>,
    /// SIP Call-ID: of the request received, or of the last attempt sent.
    pub call_id: Option<String>,
    /// CSeq number matching `call_id`.
    pub cseq: Option<u32>,
    /// The sender's CPIM/IMDN Message-ID (incoming).
    pub remote_message_id: Option<String>,
    /// Media type of the body.
    pub content_type: String,
    /// Body as text.
    pub body: String,
    /// A file's path, for file messages.
    pub file_ref: Option<String>,
    /// When sent: by the user (outgoing) or as the sender claims (incoming).
    pub sent_at: Option<i64>,
    /// When it arrived (incoming).
    pub received_at: Option<i64>,
    /// Delivery state of an outgoing message; `None` for incoming ones.
    #[serde(rename = "delivery")]
    pub state: Option<DeliveryState>,
    /// Whether the user has seen it (outgoing messages are always read).
    pub read: bool,
    /// It looks like an emergency alert but its sender is not trusted: show
    /// it as a message that "claims to be an alert from an untrusted sender".
    #[serde(default)]
    pub untrusted_alert: bool,
}

impl StoredMessage {
    /// The time to show: arrival for incoming, sending for outgoing.
    pub fn at(&self) -> i64 {
        self.received_at.or(self.sent_at).unwrap_or(0)
    }
}

/// A line of the conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversationSummary {
    /// Conversation row id (stable, internal).
    pub id: i64,
    /// Account name.
    pub account: String,
    /// Normalised peer address.
    pub peer_key: String,
    /// Address last used to reach the peer.
    pub peer_address: String,
    /// Peer's display name, if known.
    pub display_name: Option<String>,
    /// The name the user gave this conversation, if any.
    #[serde(default)]
    pub title: Option<String>,
    /// The contact holding the peer's address; `None` for a stranger (the
    /// window offers "Add to contacts").
    #[serde(default)]
    pub contact: Option<ContactRef>,
    /// Time of the newest message.
    pub last_activity: i64,
    /// Incoming messages not yet marked read.
    pub unread: u32,
    /// The newest message, shortened.
    pub last_message: Option<MessagePreview>,
}

impl ConversationSummary {
    /// The name to show: the user's title, else the contact's name, else
    /// the peer's display name, else its address.
    pub fn shown_name(&self) -> &str {
        self.title
            .as_deref()
            .or(self.contact.as_ref().map(|c| c.name.as_str()))
            .or(self.display_name.as_deref())
            .unwrap_or(&self.peer_address)
    }
}

/// The start of a message, for the conversation list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagePreview {
    /// The message.
    pub id: MessageId,
    /// In or out.
    pub direction: Direction,
    /// Media type.
    pub content_type: String,
    /// The start of the body (as many characters as the store keeps for
    /// previews).
    pub text: String,
    /// Whether `text` was cut short.
    pub truncated: bool,
    /// Delivery state, for outgoing messages.
    #[serde(rename = "delivery")]
    pub state: Option<DeliveryState>,
}
/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The message.
    pub id: MessageId,
    /// Its account.
    pub account: String,
    /// Its conversation's normalised peer address.
    pub peer_key: String,
    /// The peer's display name, if known.
    pub display_name: Option<String>,
    /// In or out.
    pub direction: Direction,
    /// When it was sent (outgoing) or received (incoming).
    pub at: i64,
    /// The matching part of the body, matches in `[` `]`, cuts marked `…`.
    pub snippet: String,
}
