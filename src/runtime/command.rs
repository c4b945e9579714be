//! What the UI and the CLI ask of the runtime.

use super::contact_book::ContactChange;
use crate::model::{AccountId, MessageId, OwnStatus, SessionId, TransferId};
use std::path::PathBuf;

/// How [`Command::SendFile`] sends a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FileSendMode {
    /// A file session (RFC 5547 over MSRP); when the peer cannot take
    /// sessions at all (it answers 405, 415, 488, 501 or 606) and the file
    /// is at most [`crate::runtime::transfers::PAGE_MODE_FILE_MAX_BYTES`],
    /// it goes as a page-mode MESSAGE instead, and the outcome says so.
    /// Never after a decline, busy, offline or no answer.
    #[default]
    Auto,
    /// A file session only.
    Session,
    /// A page-mode MESSAGE only (files up to
    /// [`crate::runtime::transfers::PAGE_MODE_FILE_MAX_BYTES`]).
    PageMode,
}

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
    /// Trust the server certificate with this SHA-256 fingerprint for an
    /// account (the answer to [`crate::runtime::Event::CertificateUntrusted`])
    /// and connect again. Trusted for this run; with `always`, also
    /// recorded in the data directory's
    /// [`crate::config::certificate_pins::PINS_FILE`], read at every start.
    TrustCertificate {
        /// Which account.
        account: AccountId,
        /// The fingerprint, `AB:CD:...`.
        fingerprint: String,
        /// Keep trusting it in later runs.
        always: bool,
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
    /// List every conversation of every account (answered with
    /// [`crate::runtime::Event::Conversations`]).
    LoadConversations,
    /// A page of one conversation (answered with
    /// [`crate::runtime::Event::Messages`]): up to `limit` messages older than
    /// `before` (the newest ones when `None`). Pass the oldest id of a page
    /// as `before` to get the page before it.
    LoadMessages {
        /// Which account.
        account: AccountId,
        /// The conversation's normalised peer address
        /// ([`crate::model::conversation_key`]).
        peer_key: String,
        /// Only messages older than this one.
        before: Option<MessageId>,
        /// At most this many (capped at [`crate::store::MAX_PAGE_SIZE`]).
        limit: usize,
    },
    /// Mark every message of a conversation read (no answer unless it fails).
    MarkRead {
        /// Which account.
        account: AccountId,
        /// The conversation's normalised peer address.
        peer_key: String,
    },
    /// Full-text search over every account's messages (answered with
    /// [`crate::runtime::Event::SearchResults`]).
    Search {
        /// The words to look for (never read as query syntax).
        text: String,
        /// At most this many hits (capped at [`crate::store::MAX_SEARCH_RESULTS`]).
        limit: usize,
    },
    /// Open an MSRP chat session with `peer` (INVITE with an SDP offer).
    /// Progress comes as [`crate::runtime::Event::ChatUpdate`] for that
    /// account and peer; a session already open with the peer is reused.
    OpenChat {
        /// Which account.
        account: AccountId,
        /// Who, `sip:bob@example.org`.
        peer: String,
    },
    /// Accept an offered chat ([`crate::runtime::Event::ChatOffered`]).
    AcceptChat {
        /// Which account.
        account: AccountId,
        /// The offered session.
        session: SessionId,
    },
    /// Decline an offered chat (603 Decline).
    DeclineChat {
        /// Which account.
        account: AccountId,
        /// The offered session.
        session: SessionId,
    },
    /// Send a text in an open chat session. It is stored in the
    /// conversation first and then reported with
    /// [`crate::runtime::Event::DeliveryUpdate`] like a page-mode message.
    SendChat {
        /// Id chosen by the caller (see [`crate::runtime::Handle::next_message_id`]).
        id: MessageId,
        /// Which account.
        account: AccountId,
        /// The session.
        session: SessionId,
        /// The text.
        text: String,
    },
    /// Tell the peer whether we are typing (RFC 3994 isComposing).
    SetComposing {
        /// Which account.
        account: AccountId,
        /// The session.
        session: SessionId,
        /// True while typing.
        active: bool,
    },
    /// End a chat session (BYE, or CANCEL while it is being set up).
    CloseChat {
        /// Which account.
        account: AccountId,
        /// The session.
        session: SessionId,
    },
    /// Acknowledge an emergency alert (answered with
    /// [`crate::runtime::Event::AlertAcknowledged`], or an error when there
    /// is no such alert).
    AckAlert {
        /// The alert's id ([`crate::model::Alert::id`]).
        id: i64,
    },
    /// Load the alert log (answered with [`crate::runtime::Event::Alerts`]).
    LoadAlerts {
        /// Only this account's alerts; all when `None`.
        account: Option<AccountId>,
        /// Only those not acknowledged yet.
        unacknowledged_only: bool,
    },
    /// Load the finished file transfers from the history (answered with
    /// [`crate::runtime::Event::Transfers`]).
    LoadTransfers {
        /// Only this account's transfers; all when `None`.
        account: Option<AccountId>,
    },
    /// Send a file (RFC 5547 push over MSRP). Its SHA-1 is computed first;
    /// then the peer is offered the file. Progress comes as
    /// [`crate::runtime::Event::TransferProgress`], the end as
    /// [`crate::runtime::Event::TransferDone`] (only once the peer's client
    /// confirmed every byte) or [`crate::runtime::Event::TransferFailed`].
    SendFile {
        /// Id chosen by the caller (see [`crate::runtime::Handle::next_transfer_id`]).
        id: TransferId,
        /// Sending account.
        account: AccountId,
        /// Recipient, `sip:bob@example.org`.
        to: String,
        /// The file to send.
        path: PathBuf,
        /// As a file session, as a page-mode MESSAGE, or (the default)
        /// a session that falls back to a MESSAGE for small files when
        /// the peer takes no sessions.
        mode: FileSendMode,
    },
    /// Accept a file offered with [`crate::runtime::Event::TransferOffered`]
    /// and save it in `dir` (under a safe name that overwrites nothing).
    AcceptTransfer {
        /// Which account.
        account: AccountId,
        /// The offered transfer.
        transfer: TransferId,
        /// Where to save the file.
        dir: PathBuf,
    },
    /// Decline an offered file (603 Decline).
    DeclineTransfer {
        /// Which account.
        account: AccountId,
        /// The offered transfer.
        transfer: TransferId,
    },
    /// Stop a transfer in either direction (BYE, or CANCEL while it is set
    /// up); a partial file is removed.
    CancelTransfer {
        /// Which account.
        account: AccountId,
        /// The transfer.
        transfer: TransferId,
    },
    /// List the address book (answered with
    /// [`crate::runtime::Event::Contacts`] without `changed`).
    LoadContacts,
    /// Change the address book, or rename or delete a conversation. Answered
    /// with [`crate::runtime::Event::Contacts`] whose `changed` carries
    /// `request` and the outcome (a refusal names the mistake); after a
    /// change, [`crate::runtime::Event::Conversations`] follows (summaries
    /// name their contacts) and blocking takes effect at once.
    ChangeContacts {
        /// A number of the caller's, given back with the outcome.
        request: u64,
        /// What to change (boxed: it is the largest command).
        change: Box<ContactChange>,
    },
    /// Watch an address's presence on an account: subscribe, and report
    /// it with [`crate::runtime::Event::Presence`].
    Watch {
        /// Which account.
        account: AccountId,
        /// The address, `sip:bob@example.org`.
        contact: String,
    },
    /// Stop watching an address.
    Unwatch {
        /// Which account.
        account: AccountId,
        /// The address, as watched.
        contact: String,
    },
    /// Allow (or block) someone who asked to see our status
    /// ([`crate::runtime::Event::PresenceRequest`]); kept with the contact
    /// ([`ContactChange::DecideWatcher`]: answered like
    /// [`Command::ChangeContacts`]). The local account enforces it itself.
    DecideWatcher {
        /// Which account.
        account: AccountId,
        /// The watcher's address.
        watcher: String,
        /// Allow (else block).
        allow: bool,
    },
    /// Set our status: published at once where the account has a server,
    /// and kept for the next start. Answered with
    /// [`crate::runtime::Event::OwnPresence`].
    SetStatus {
        /// Which account; `None` for every running account.
        account: Option<AccountId>,
        /// The status.
        status: OwnStatus,
        /// A free note.
        note: Option<String>,
    },
    /// Unregister every account and stop the runtime.
    Shutdown,
}
