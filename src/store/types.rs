//! The values the store takes and returns. Timestamps are Unix milliseconds.

use serde::{Deserialize, Serialize};

pub use crate::model::{ConversationSummary, Direction, MessagePreview, StoredMessage};
use crate::model::{DeliveryState, MessageId};

/// Largest page [`super::Store::messages`] returns, whatever `limit` asks.
pub const MAX_PAGE_SIZE: usize = 500;

/// Characters of the last message shown in a conversation list entry.
pub const PREVIEW_CHARS: usize = 120;

/// An incoming message to store (page-mode MESSAGE, later MSRP/CPIM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewIncoming {
    /// The id to store it under (the runtime allocates ids so it can name a
    /// message before it is stored); `None` lets the store choose.
    pub id: Option<MessageId>,
    /// Receiving account name.
    pub account: String,
    /// Normalised peer address ([`super::conversation_key`] of the sender).
    pub peer_key: String,
    /// The sender's address as received, for replies.
    pub peer_address: String,
    /// The sender's display name, if given (keeps the old one when `None`).
    pub display_name: Option<String>,
    /// SIP Call-ID (duplicate detection with `from_tag` and `cseq`); `None`
    /// when there is no SIP transaction per message (MSRP).
    pub call_id: Option<String>,
    /// The sender's From tag; `None` when unknown (rows stored before schema
    /// version 5 have none and match any tag).
    pub from_tag: Option<String>,
    /// CSeq number of the request.
    pub cseq: Option<u32>,
    /// CPIM/IMDN `Message-ID` of the sender, if any (duplicate detection
    /// within the conversation).
    pub remote_message_id: Option<String>,
    /// Media type of the body.
    pub content_type: String,
    /// Body as text (empty for a file).
    pub body: String,
    /// Where a received file was saved, if the message is a file.
    pub file_ref: Option<String>,
    /// When the sender says it sent it (CPIM DateTime / Date header), if known.
    pub sent_at: Option<i64>,
    /// When it arrived.
    pub received_at: i64,
}

/// What [`super::Store::insert_incoming`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "id", rename_all = "snake_case")]
pub enum InsertOutcome {
    /// Stored under this new id.
    Inserted(MessageId),
    /// Already stored (same Call-ID, From tag and CSeq, or same Message-ID)
    /// under this id.
    Duplicate(MessageId),
}

impl InsertOutcome {
    /// The message's id, new or existing.
    pub fn id(self) -> MessageId {
        match self {
            InsertOutcome::Inserted(id) | InsertOutcome::Duplicate(id) => id,
        }
    }

    /// Whether the message was already stored.
    pub fn is_duplicate(self) -> bool {
        matches!(self, InsertOutcome::Duplicate(_))
    }
}

/// An outgoing message to store; it starts [`DeliveryState::Queued`] and in
/// the outbox, due at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOutgoing {
    /// The id to store it under (see [`NewIncoming::id`]); `None` lets the
    /// store choose.
    pub id: Option<MessageId>,
    /// Sending account name.
    pub account: String,
    /// Normalised recipient address ([`super::conversation_key`]).
    pub peer_key: String,
    /// The recipient's full address to send to (port, transport params).
    pub peer_address: String,
    /// The recipient's display name, if known (keeps the old one when `None`).
    pub display_name: Option<String>,
    /// Our own id for the message on the wire (the CPIM/IMDN Message-ID
    /// we put on it), or another token of the runtime's; indexed per account.
    pub local_id: Option<String>,
    /// Media type of the body.
    pub content_type: String,
    /// Body as text (empty for a file).
    pub body: String,
    /// The file being sent, if the message is a file.
    pub file_ref: Option<String>,
    /// When the user sent it.
    pub sent_at: i64,
}

/// One entry of a message's delivery history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateChange {
    /// The state entered.
    #[serde(rename = "delivery")]
    pub state: DeliveryState,
    /// When.
    pub at: i64,
}

/// An outgoing message that has not reached a final state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxEntry {
    /// The message.
    pub id: MessageId,
    /// Sending account.
    pub account: String,
    /// Normalised recipient.
    pub peer_key: String,
    /// Address to send to.
    pub peer_address: String,
    /// Our wire id, see [`NewOutgoing::local_id`].
    pub local_id: Option<String>,
    /// Media type of the body.
    pub content_type: String,
    /// Body.
    pub body: String,
    /// File, for file messages.
    pub file_ref: Option<String>,
    /// When the user sent it.
    pub sent_at: Option<i64>,
    /// `Queued` or `Retrying` (waiting), or `Sending` (an attempt was under
    /// way).
    pub state: DeliveryState,
    /// Failed attempts so far (each `Retrying` counts one).
    pub attempts: u32,
    /// When the next attempt is due.
    pub next_attempt_at: i64,
    /// Why the last attempt did not succeed, in words.
    pub last_error: Option<String>,
    /// Call-ID of the last attempt (reuse it on a resend after a crash so the
    /// peer can detect the duplicate).
    pub call_id: Option<String>,
    /// From tag of the last attempt.
    pub from_tag: Option<String>,
    /// CSeq of the last attempt.
    pub cseq: Option<u32>,
}
