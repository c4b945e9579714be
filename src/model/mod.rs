//! Shared vocabulary of the runtime, the CLI and the UI. std + serde only.
//!
//! The runtime's API speaks these types: ids and states here in `mod.rs`,
//! alerts (`alert.rs`), a server certificate to trust or not
//! (`certificate.rs`), the history's rows (`history.rs`: messages,
//! conversations, search hits), recorded file transfers and their
//! [`TransferState`] (`transfer.rs`), presence (`presence.rs`), the conversation key of an
//! address (`address.rs`), and the address book's contacts (`contact.rs`). The store reads and writes the same types.

mod address;
mod alert;
mod certificate;
mod contact;
mod history;
mod presence;
mod transfer;

pub use address::conversation_key;
pub use alert::{Alert, AlertMark, CapAlert, CapInfo};
pub use certificate::CertificateInfo;
pub use contact::{
    contact_address_key, AddressProblem, Contact, ContactDraft, ContactId, ContactPatch, ContactRef,
    ContactSelector, CONTACT_SCHEMES,
};
pub use history::{ConversationSummary, Direction, MessagePreview, SearchHit, StoredMessage};
pub use presence::{OwnStatus, Presence, PresenceStatus, WatchState};
pub use transfer::{NewTransfer, StoredTransfer, TransferState};

use serde::{Deserialize, Serialize};
use std::fmt;

/// Names an account: the `name` from the config, or `local` for the built-in
/// peer-to-peer account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(pub String);

impl AccountId {
    /// The name of the built-in peer-to-peer account.
    pub const LOCAL: &'static str = "local";

    /// Whether this is the built-in local account.
    pub fn is_local(&self) -> bool {
        self.0 == Self::LOCAL
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Identifies one message for its whole life (chosen by whoever creates it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct MessageId(pub u64);

impl fmt::Display for MessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Identifies one chat session (an INVITE dialog with its MSRP stream)
/// within its account, chosen by the account's agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SessionId(pub u64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Identifies one file transfer for its whole life: chosen by the caller
/// for files we send ([`crate::runtime::Handle::next_transfer_id`]), by the
/// runtime for files offered to us. Unique within the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TransferId(pub u64);

impl fmt::Display for TransferId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a chat session stands, as the user should see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ChatState {
    /// Our invitation is on its way.
    Inviting,
    /// The peer's client is alerting them.
    Ringing,
    /// Agreed in SIP; the MSRP connection is being set up.
    Connecting,
    /// Messages flow.
    Active {
        /// Over TLS (`msrps`).
        secure: bool,
        /// Through this relay, if any.
        relay: Option<String>,
    },
    /// It never started (declined, busy, unreachable, cancelled).
    Failed {
        /// Why, in words.
        reason: String,
    },
    /// It ended.
    Ended {
        /// How, in words.
        reason: String,
    },
}

impl ChatState {
    /// Whether the session is over.
    pub fn is_final(&self) -> bool {
        matches!(self, ChatState::Failed { .. } | ChatState::Ended { .. })
    }
}

/// Registration state of an account, as the user should see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegistrationState {
    /// Not registered and not trying (registration disabled, or after unregistering).
    Offline,
    /// A REGISTER is under way.
    Registering,
    /// Registered; the server granted this many seconds.
    Registered {
        /// Granted expiry in seconds.
        expires: u32,
    },
    /// The last attempt failed; another follows after `retry_in_secs`.
    Failed {
        /// What went wrong, in words.
        reason: String,
        /// Seconds until the next attempt.
        retry_in_secs: u64,
    },
    /// The server refused our credentials twice: no more tries until the
    /// user gives a new password or asks to retry (`Command::Register`).
    Refused {
        /// What the server said, in words.
        reason: String,
    },
    /// The local account: no registrar, listening for peers.
    Listening {
        /// Where peers can reach us (`ip:port`, IPv6 in brackets): the
        /// first of `addresses`, IPv4's when we listen on both families.
        address: String,
        /// Every address peers can reach us on, one a family we listen on
        /// (IPv4 first): with the default bind (`::`), both families.
        #[serde(default)]
        addresses: Vec<String>,
    },
}

/// Where an outgoing message stands. Honest: never claims more than the
/// network told us.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting to be sent.
    Queued,
    /// Sent; no final answer yet.
    Sending,
    /// 200: the recipient's client took it.
    Accepted,
    /// 202: a server stored it for later delivery.
    StoredForLater,
    /// Not delivered yet for a reason that may pass (offline, timeout, busy
    /// server); the message waits in the outbox for another attempt.
    Retrying {
        /// SIP status code of the last attempt, if a response came.
        code: Option<u16>,
        /// Why the last attempt failed, in words.
        reason: String,
        /// When the next attempt is due (Unix time, milliseconds).
        retry_at_ms: i64,
    },
    /// Failed, with the status code when there was one and the reason in words.
    Failed {
        /// SIP status code, if a response came.
        code: Option<u16>,
        /// Plain words, e.g. "bob is not online (480 Temporarily Unavailable)".
        reason: String,
    },
}

impl DeliveryState {
    /// Plain words for the state.
    pub fn describe(&self) -> String {
        match self {
            DeliveryState::Queued => "queued".into(),
            DeliveryState::Sending => "sending".into(),
            DeliveryState::Accepted => "accepted by the recipient".into(),
            DeliveryState::StoredForLater => "stored by the server for later delivery (202)".into(),
            DeliveryState::Retrying {
                reason, retry_at_ms, ..
            } => {
                let now_ms = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                    .unwrap_or_default();
                let secs = u64::try_from((retry_at_ms - now_ms).max(0) / 1000).unwrap_or_default();
                format!(
                    "not delivered yet: {reason}; trying again in {}",
                    human_duration(std::time::Duration::from_secs(secs))
                )
            }
            DeliveryState::Failed { reason, .. } => reason.clone(),
        }
    }

    /// Whether no further change is expected from the network.
    pub fn is_final(&self) -> bool {
        !matches!(
            self,
            DeliveryState::Queued | DeliveryState::Sending | DeliveryState::Retrying { .. }
        )
    }
}

/// A short duration in words: "30 s", "2 min", "1 h".
pub fn human_duration(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s < 90 {
        format!("{s} s")
    } else if s < 5400 {
        format!("{} min", (s + 30) / 60)
    } else {
        format!("{} h", (s + 1800) / 3600)
    }
}

/// A size in words: "512 bytes", "4.0 MiB", "100 MiB" (binary units, one
/// decimal below ten).
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if value < 9.95 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

/// A page-mode message that arrived.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncomingMessage {
    /// Local id.
    pub id: MessageId,
    /// Which account received it.
    pub account: AccountId,
    /// Sender's address (`sip:alice@example.org`).
    pub from: String,
    /// Sender's display name, if given.
    pub from_name: Option<String>,
    /// Recipient address as the sender wrote it.
    pub to: String,
    /// Media type of the body.
    pub content_type: String,
    /// Body as text.
    pub body: String,
    /// Subject header, if any.
    pub subject: Option<String>,
    /// Seconds since the Unix epoch when it arrived.
    pub received_at: u64,
    /// The chat session it came in, `None` for page-mode messages.
    #[serde(default)]
    pub session: Option<SessionId>,
    /// Whether it is (or claims to be) an emergency alert.
    #[serde(default)]
    pub alert: AlertMark,
}

#[cfg(test)]
mod size_tests {
    use super::human_size;

    #[test]
    fn sizes_in_words() {
        assert_eq!(human_size(0), "0 bytes");
        assert_eq!(human_size(1023), "1023 bytes");
        assert_eq!(human_size(1024), "1.0 KiB");
        assert_eq!(human_size(4 * 1024 * 1024), "4.0 MiB");
        assert_eq!(human_size(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_size(100 * 1024 * 1024), "100 MiB");
        assert_eq!(human_size(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
