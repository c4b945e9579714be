//! What the runtime tells the UI and the CLI.

use super::contact_book::ContactChanged;
use crate::model::{
    AccountId, Alert, CertificateInfo, ChatState, Contact, ConversationSummary, DeliveryState,
    IncomingMessage, MessageId, OwnStatus, Presence, RegistrationState, SearchHit, SessionId, StoredMessage,
    StoredTransfer, TransferId, WatchState,
};
use std::path::PathBuf;

/// How a file travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransferVia {
    /// A file session (RFC 5547 over MSRP).
    #[default]
    Session,
    /// The body of a page-mode MESSAGE (RFC 3428), for small files.
    PageMode,
}

impl TransferVia {
    /// `session` or `page-mode` (the CLI's JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            TransferVia::Session => "session",
            TransferVia::PageMode => "page-mode",
        }
    }
}

/// Something that happened. The UI renders these; the CLI prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// An account's registration changed.
    AccountState {
        /// Which account.
        account: AccountId,
        /// Its new state.
        state: RegistrationState,
    },
    /// An account's server presented a certificate the account does not
    /// trust (self-signed, or from an authority it does not know). The
    /// account stops trying until the user answers with
    /// [`crate::runtime::Command::TrustCertificate`] (or registers again,
    /// which asks again). Sent once per certificate.
    CertificateUntrusted {
        /// Which account.
        account: AccountId,
        /// The certificate, as the user should see it before trusting it.
        certificate: CertificateInfo,
    },
    /// An account pins a certificate and its server presented another:
    /// the certificate was replaced, or someone is in between. Refused, and
    /// the account stops trying. Never offered for trusting with one click:
    /// the user must pin the new fingerprint in the account's configuration.
    CertificateChanged {
        /// Which account.
        account: AccountId,
        /// The pinned fingerprint, `AB:CD:...`.
        pinned: String,
        /// The certificate the server presented instead.
        certificate: CertificateInfo,
    },
    /// A page-mode message arrived (already answered 200).
    MessageReceived(IncomingMessage),
    /// An outgoing message changed state.
    DeliveryUpdate {
        /// The id given in [`crate::runtime::Command::SendMessage`].
        id: MessageId,
        /// Sending account.
        account: AccountId,
        /// Recipient.
        to: String,
        /// New state.
        state: DeliveryState,
    },
    /// An outgoing message waits in the outbox because its account cannot
    /// reach its server now; it goes out once it can. Not a delivery state
    /// (the message stays `queued`): a hint for whoever waits for it.
    MessageWaiting {
        /// The message.
        id: MessageId,
        /// Sending account.
        account: AccountId,
        /// Recipient.
        to: String,
        /// Why the account cannot send, in words.
        reason: String,
    },
    /// An emergency alert from a trusted sender arrived (stored and logged;
    /// its message is in its conversation too, as a
    /// [`Event::MessageReceived`] with `alert: AlertMark::Raised`). Show it
    /// at once, critical, until acknowledged ([`crate::runtime::Command::AckAlert`]).
    AlertRaised(Box<Alert>),
    /// An alert was acknowledged (answer to
    /// [`crate::runtime::Command::AckAlert`]).
    AlertAcknowledged {
        /// The alert's id.
        id: i64,
        /// When, Unix milliseconds (the first acknowledgement's time if it
        /// was acknowledged before).
        at_ms: i64,
    },
    /// Answer to [`crate::runtime::Command::LoadAlerts`]: the alert log,
    /// newest first, with acknowledgement times.
    Alerts(Vec<Alert>),
    /// Answer to [`crate::runtime::Command::LoadTransfers`]: the recorded
    /// transfers, newest first, each with its [`crate::model::TransferState`].
    Transfers(Vec<StoredTransfer>),
    /// A watched contact's presence changed (or how watching it stands).
    Presence {
        /// Which account watches.
        account: AccountId,
        /// The contact's address, as watched.
        contact: String,
        /// Its status, note and last-seen time.
        presence: Presence,
        /// Whether it is watched now, waits for permission, refused, ...
        watch: WatchState,
    },
    /// Our own status took effect: published to the server (`published`),
    /// or, on an account without a server, set.
    OwnPresence {
        /// Which account.
        account: AccountId,
        /// Our status.
        status: OwnStatus,
        /// Our note.
        note: Option<String>,
        /// Whether the server took it.
        published: bool,
    },
    /// Someone asks to see when we are online and waits for our decision.
    PresenceRequest {
        /// Which account they watch.
        account: AccountId,
        /// Their address.
        watcher: String,
    },
    /// Something went wrong that is not tied to one message.
    Error {
        /// The account concerned, if any.
        account: Option<AccountId>,
        /// What happened, in words.
        message: String,
    },
    /// The address book, favourites first, then by name: the answer to
    /// [`crate::runtime::Command::LoadContacts`], and sent again after every
    /// change. (Presence will join each contact here.)
    Contacts(Vec<Contact>),
    /// What a [`crate::runtime::Command::ChangeContacts`] did, named by its
    /// request number; sent before the new [`Event::Contacts`] and
    /// [`Event::Conversations`].
    ContactChanged(ContactChanged),
    /// Answer to [`crate::runtime::Command::LoadConversations`]: every
    /// conversation, most recently active first.
    Conversations(Vec<ConversationSummary>),
    /// Answer to [`crate::runtime::Command::LoadMessages`].
    Messages {
        /// Which account.
        account: AccountId,
        /// The conversation's normalised peer address, as asked.
        peer_key: String,
        /// The page, oldest first.
        messages: Vec<StoredMessage>,
        /// No older messages exist than the first of this page.
        complete: bool,
    },
    /// Answer to [`crate::runtime::Command::Search`].
    SearchResults {
        /// The text searched for, as asked.
        text: String,
        /// Hits, newest first; matches in the snippets are in `[` `]`.
        hits: Vec<SearchHit>,
    },
    /// Someone invites us to a chat session; answer with
    /// [`crate::runtime::Command::AcceptChat`] or
    /// [`crate::runtime::Command::DeclineChat`].
    ChatOffered {
        /// Which account.
        account: AccountId,
        /// The offered session.
        session: SessionId,
        /// Caller's address.
        from: String,
        /// Caller's display name.
        from_name: Option<String>,
    },
    /// A chat session changed state.
    ChatUpdate {
        /// Which account.
        account: AccountId,
        /// The session.
        session: SessionId,
        /// The peer's address as given or as it invited us.
        peer: String,
        /// Where it stands.
        state: ChatState,
    },
    /// The peer of a chat session started or stopped typing.
    PeerComposing {
        /// Which account.
        account: AccountId,
        /// The session.
        session: SessionId,
        /// True while the peer types.
        active: bool,
    },
    /// Someone offers us a file; answer with
    /// [`crate::runtime::Command::AcceptTransfer`] or
    /// [`crate::runtime::Command::DeclineTransfer`]. Nothing is written
    /// before it is accepted.
    TransferOffered {
        /// Which account.
        account: AccountId,
        /// The transfer.
        transfer: TransferId,
        /// Sender's address.
        from: String,
        /// The offered name, already made safe (no directories, no control
        /// or reserved characters).
        name: String,
        /// Size in bytes, when offered.
        size: Option<u64>,
        /// Media type, when offered.
        mime: Option<String>,
        /// SHA-1 in lower-case hex, when offered.
        sha1: Option<String>,
        /// How the file came: a file session, or inside a page-mode MESSAGE
        /// (then it is already here, stored, and the sender was told 200).
        via: TransferVia,
    },
    /// Bytes moved (at most a few of these per second per transfer).
    TransferProgress {
        /// The transfer.
        transfer: TransferId,
        /// Bytes sent and acknowledged, or received and written.
        bytes: u64,
        /// The file's size.
        total: u64,
        /// Average rate so far in bytes per second.
        rate: u64,
    },
    /// A transfer finished: the file is complete on both sides and its
    /// SHA-1 checked.
    TransferDone {
        /// The transfer.
        transfer: TransferId,
        /// True for a file we received, false for one we sent.
        incoming: bool,
        /// Where the file is (saved, or sent from).
        path: PathBuf,
        /// Its size.
        size: u64,
        /// Its SHA-1 in lower-case hex.
        sha1: String,
        /// How it went: a file session, or a page-mode MESSAGE.
        via: TransferVia,
        /// Anything the user should know about how it went, in words
        /// ("bob does not take file sessions (answer 488); sent as a message instead";
        /// "stored by the server for later delivery (202)").
        note: Option<String>,
    },
    /// A transfer picks up where an interrupted one stopped (RFC 5547
    /// `a=file-range`): only the bytes after `offset` move. Sent by the
    /// sender when it offers the rest, and by the receiver when it takes
    /// the rest into its kept partial file. If the receiver has no partial
    /// file any more, the sender offers the whole file again on its own
    /// (same transfer id; progress starts from 0).
    TransferResuming {
        /// Which account.
        account: AccountId,
        /// The transfer.
        transfer: TransferId,
        /// The other side's address (the sender of an incoming file).
        peer: String,
        /// True for a file we receive, false for one we send.
        incoming: bool,
        /// The file's name.
        name: String,
        /// Bytes the receiver already has.
        offset: u64,
        /// The whole file's size.
        total: u64,
    },
    /// A transfer failed or was declined or cancelled. No partial file is
    /// left behind, except when the connection was lost mid-way: then the
    /// received part is kept to resume (the reason says so) and sending the
    /// same file again continues it.
    TransferFailed {
        /// The transfer.
        transfer: TransferId,
        /// Why, in words ("declined by bob", "the file is too large ...",
        /// "hash mismatch ...", "the connection was lost ...").
        reason: String,
    },
    /// The runtime has stopped; no more events follow.
    Stopped,
}
