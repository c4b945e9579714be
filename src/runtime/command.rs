//! What the UI and the CLI ask of the runtime.

use crate::model::{AccountId, MessageId};

/// A request to the runtime. Results come back as [`crate::runtime::Event`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Start (or restart) registration of an account.
    Register {
        /// Which account.
        account: AccountId,
    },
    /// Remove the account's registration and stay offline.
    Unregister {
        /// Which account.
        account: AccountId,
    },
    /// Send a page-mode MESSAGE (RFC 3428) with a `text/plain` body.
    SendMessage {
        /// Id chosen by the caller (see [`crate::runtime::Handle::next_message_id`]).
        id: MessageId,
        /// Sending account.
        account: AccountId,
        /// Recipient, `sip:bob@example.org`.
        to: String,
        /// The text.
        text: String,
    },
    /// Send a failed message again (it goes back to the outbox).
    RetryMessage {
        /// The message.
        id: MessageId,
        /// Its account.
        account: AccountId,
    },
    /// Unregister every account and stop the runtime.
    Shutdown,
}
