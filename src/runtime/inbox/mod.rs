//! FEATURE: page-mode MESSAGEs in. Plain messages, emergency alerts (the
//! agent classifies once, [`ArrivedMessage::alert`]; here the sender is
//! judged by its From and its source address: `alerts.rs`, with the
//! trusted host names looked up on a schedule: `host_names.rs`), and files inside a MESSAGE (offered, accepted,
//! declined: `page_files.rs`).
//!
//! Blocked contacts ([`InboxInput::BlockList`], handed over by the driver
//! when the address book changes): their messages and files are answered
//! 603 Decline, never stored or told; an alert still gets its trust verdict.
//!
//! Store first, then answer: an [`InboxEffect::Answer`] is queued only
//! once the store op's result came back. A resend of a stored MESSAGE
//! (the store says [`InsertOutcome::Duplicate`]) is answered again and
//! shown once.
//!
//! A state machine: [`Inbox::handle`] takes an [`InboxInput`] and queues
//! [`InboxEffect`]s that the driver (`endpoint/messages.rs`) carries out.
//! Its only timer is the next lookup of a trusted host name
//! ([`Inbox::poll_timeout`]).

mod alerts;
mod host_names;
mod page_files;
mod store_ops;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod trust_tests;

pub use alerts::is_trusted_sender;
pub(crate) use alerts::StoredAlert;
pub use host_names::{HOST_REFRESH, HOST_RETRY};
pub(crate) use page_files::Offer;
pub use page_files::{incoming_limit, saved_name};
pub(crate) use store_ops::InboxStoreOp;

use super::blocking::BlockList;
use super::clock::Now;
use super::event::Event;
use crate::model::{AccountId, AlertMark, IncomingMessage, MessageId, TransferId};
use crate::protocol::alert::{Network, TrustedSender};
use crate::protocol::sip::agent::{ArrivedMessage, Hop, IncomingAnswer, IncomingToken};
use crate::store::{
    conversation_key, InsertOutcome, NewIncoming, PageFileOutcome, PendingPageFile, StoreError,
};
use host_names::HostNames;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Instant;

/// Why inbox work did not happen.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The history store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store thread is gone (shutting down).
    #[error("the history store has stopped")]
    StoreGone,
    /// An accepted file's bytes are gone from the store.
    #[error("the file is no longer stored")]
    NoLongerStored,
    /// An accepted file's bytes could not be read from the store.
    #[error("the stored file cannot be read: {0}")]
    Unreadable(Box<InboxError>),
    /// An accepted file's bytes are not what arrived.
    #[error("the stored file does not match the SHA-1 it arrived with")]
    HashMismatch,
    /// The directory to save into is not one.
    #[error("cannot save into {}: not a directory", .0.display())]
    NotADirectory(PathBuf),
    /// The temporary file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The temporary file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The written file could not be moved to its name.
    #[error(transparent)]
    Publish(#[from] crate::runtime::files::PublishError),
    /// A trusted host name could not be looked up.
    #[error(transparent)]
    Lookup(#[from] crate::transport::dns::DnsError),
}

/// How the inbox of an account behaves.
#[derive(Debug, Clone)]
pub(crate) struct InboxSettings {
    pub account: AccountId,
    /// Senders whose alerts are trusted: URIs (normalised), addresses,
    /// networks and host names.
    pub trusted_alert_senders: Vec<TrustedSender>,
    /// The account has a server: then a trusted URI counts only over the
    /// account's own server flow.
    pub server_account: bool,
    /// Largest file we take (the account's `max_file_size`).
    pub max_file_size: u64,
    /// Save every offered file into this directory at once.
    pub accept_files: Option<PathBuf>,
}

/// Everything that can happen to the inbox.
#[derive(Debug)]
pub(crate) enum InboxInput {
    /// The block list changed: messages and files from these addresses get
    /// 603 Decline and are neither stored nor told.
    BlockList(BlockList),
    /// A MESSAGE arrived. `server_flow` is the account's server flow when
    /// it is up (for the alert trust verdict).
    Arrived {
        token: IncomingToken,
        message: Box<ArrivedMessage>,
        server_flow: Option<Hop>,
    },
    /// The account started: look up the trusted host names.
    Started,
    /// A trusted host name was looked up (or not).
    Resolved {
        host: String,
        result: Result<Vec<IpAddr>, InboxError>,
    },
    /// A plain message is stored (or not).
    Stored {
        token: IncomingToken,
        message: Box<ArrivedMessage>,
        result: Result<InsertOutcome, InboxError>,
    },
    /// An alert-looking message is stored (or not).
    AlertStored(Box<StoredAlert>),
    /// A file that came in a MESSAGE is stored (or not).
    FileStored {
        token: IncomingToken,
        transfer: TransferId,
        from: String,
        offer: Offer,
        mime: String,
        result: Result<PageFileOutcome, InboxError>,
    },
    /// At start: read the files of earlier runs that still wait.
    LoadPending,
    /// The files of earlier runs that still wait were read (or not).
    Pending(Result<Vec<PendingPageFile>, InboxError>),
    /// `AcceptTransfer` of a file that came in a MESSAGE.
    Accept { transfer: TransferId, dir: PathBuf },
    /// `DeclineTransfer` (or `CancelTransfer`) of one.
    Decline { transfer: TransferId },
    /// The stored bytes of an accepted file were read (or not).
    Loaded {
        transfer: TransferId,
        dir: PathBuf,
        result: Result<Option<Vec<u8>>, InboxError>,
    },
    /// An accepted file was written (or not).
    Written {
        transfer: TransferId,
        result: Result<PathBuf, InboxError>,
    },
    /// The end of an arrived file is in the history (or not): now tell the UI.
    Finished {
        event: Box<Event>,
        result: Result<(), InboxError>,
    },
}

/// Everything the inbox asks of the driver.
#[derive(Debug)]
pub(crate) enum InboxEffect {
    /// Store work, run in order on the store thread; its result comes back
    /// as an input ([`InboxStoreOp::execute`]).
    Store(InboxStoreOp),
    /// Answer an arrived MESSAGE.
    Answer {
        token: IncomingToken,
        answer: IncomingAnswer,
    },
    /// Write `data` to a new file named (about) `name` in `dir`, without
    /// replacing any; the result comes back as [`InboxInput::Written`].
    WriteFile {
        transfer: TransferId,
        dir: PathBuf,
        name: String,
        data: Vec<u8>,
    },
    /// Look up the addresses of a trusted host name; the answer comes back
    /// as [`InboxInput::Resolved`].
    Resolve { host: String },
    /// Tell the UI / CLI.
    Emit(Event),
}

/// The trusted alert senders of an account, sorted by how they match.
#[derive(Debug, Default)]
pub(crate) struct TrustedSenders {
    /// URIs, normalised, matched against From.
    uris: Vec<String>,
    /// Addresses and networks, matched against the source address.
    networks: Vec<Network>,
    /// Host names and their current addresses.
    hosts: HostNames,
}

impl TrustedSenders {
    fn new(entries: &[TrustedSender]) -> TrustedSenders {
        let mut uris = Vec::new();
        let mut networks = Vec::new();
        let mut hosts = Vec::new();
        for entry in entries {
            match entry {
                TrustedSender::Uri(uri) => uris.push(uri.clone()),
                TrustedSender::Network(network) => networks.push(*network),
                TrustedSender::Host(host) => hosts.push(host.clone()),
            }
        }
        TrustedSenders {
            uris,
            networks,
            hosts: HostNames::new(hosts),
        }
    }
}

/// The inbox of one account.
#[derive(Debug)]
pub(crate) struct Inbox {
    settings: InboxSettings,
    trusted: TrustedSenders,
    /// Files that came in MESSAGEs and wait for a decision.
    offers: HashMap<TransferId, Offer>,
    /// Whose messages are declined.
    blocked: BlockList,
    effects: VecDeque<InboxEffect>,
}

impl Inbox {
    pub(crate) fn new(settings: InboxSettings) -> Inbox {
        Inbox {
            trusted: TrustedSenders::new(&settings.trusted_alert_senders),
            settings,
            offers: HashMap::new(),
            blocked: BlockList::default(),
            effects: VecDeque::new(),
        }
    }

    pub(crate) fn handle(&mut self, input: InboxInput, now: Now) {
        match input {
            InboxInput::BlockList(list) => self.blocked = list,
            InboxInput::Arrived {
                token,
                message,
                server_flow,
            } => self.arrived(token, message, server_flow, now),
            InboxInput::Started => self.handle_timeout(now),
            InboxInput::Resolved { host, result } => self.trusted.hosts.resolved(&host, result, now.at),
            InboxInput::Stored {
                token,
                message,
                result,
            } => self.stored(token, *message, result, now),
            InboxInput::AlertStored(stored) => self.alert_stored(*stored, now),
            InboxInput::FileStored {
                token,
                transfer,
                from,
                offer,
                mime,
                result,
            } => self.file_stored(token, transfer, from, offer, mime, result),
            InboxInput::LoadPending => self.store(InboxStoreOp::LoadPending {
                account: self.settings.account.0.clone(),
            }),
            InboxInput::Pending(result) => self.offer_pending(result),
            InboxInput::Accept { transfer, dir } => self.accept(transfer, dir),
            InboxInput::Decline { transfer } => self.decline(transfer),
            InboxInput::Loaded {
                transfer,
                dir,
                result,
            } => self.loaded(transfer, dir, result),
            InboxInput::Written { transfer, result } => self.written(transfer, result),
            InboxInput::Finished { event, result } => {
                if let Err(e) = result {
                    tracing::warn!("the transfer could not be recorded: {e}");
                }
                self.emit(*event);
            }
        }
    }

    pub(crate) fn poll_effect(&mut self) -> Option<InboxEffect> {
        self.effects.pop_front()
    }

    /// When the next trusted host name is due for a lookup.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.trusted.hosts.poll_timeout()
    }

    /// Asks for the lookups that are due.
    pub(crate) fn handle_timeout(&mut self, now: Now) {
        for host in self.trusted.hosts.due(now.at) {
            self.effects.push_back(InboxEffect::Resolve { host });
        }
    }

    /// Whether `transfer` is a file that came in a MESSAGE and waits here.
    pub(crate) fn is_offer(&self, transfer: TransferId) -> bool {
        self.offers.contains_key(&transfer)
    }

    fn store(&mut self, op: InboxStoreOp) {
        self.effects.push_back(InboxEffect::Store(op));
    }

    fn emit(&mut self, event: Event) {
        self.effects.push_back(InboxEffect::Emit(event));
    }

    fn answer(&mut self, token: IncomingToken, answer: IncomingAnswer) {
        self.effects.push_back(InboxEffect::Answer { token, answer });
    }

    /// A MESSAGE arrived: an alert, a file, or a plain message; each is
    /// stored first and answered when the store op's result is back.
    fn arrived(
        &mut self,
        token: IncomingToken,
        mut message: Box<ArrivedMessage>,
        server_flow: Option<Hop>,
        now: Now,
    ) {
        // An alert goes on to its trust verdict even from a blocked
        // address: a trusted sender's warning is never lost.
        if message.alert.is_none() && self.blocked.blocks(&message.from) {
            tracing::info!(from = %message.from, "declining a message from a blocked contact");
            return self.answer(
                token,
                IncomingAnswer {
                    code: 603,
                    headers: Vec::new(),
                },
            );
        }
        if let Some(claim) = message.alert.take() {
            return self.alert_arrived(token, message, *claim, server_flow, now);
        }
        if message.file.is_some() {
            return self.file_arrived(token, *message, now);
        }
        let new = Box::new(self.new_incoming(&message, super::next_message_id(), now.unix_ms));
        self.store(InboxStoreOp::Message { token, message, new });
    }

    /// The history row of an arrived MESSAGE.
    fn new_incoming(&self, message: &ArrivedMessage, id: MessageId, received_at: i64) -> NewIncoming {
        NewIncoming {
            id: Some(id),
            account: self.settings.account.0.clone(),
            peer_key: conversation_key(&message.from),
            peer_address: message.from.clone(),
            display_name: message.from_name.clone(),
            call_id: Some(message.call_id.clone()),
            from_tag: Some(message.from_tag.clone()),
            cseq: Some(message.cseq),
            remote_message_id: None,
            content_type: message.content_type.clone(),
            body: message.body.clone(),
            file_ref: None,
            sent_at: None,
            received_at,
        }
    }

    /// The event for a stored arrived message.
    fn received(&self, id: MessageId, message: ArrivedMessage, alert: AlertMark, now: Now) -> Event {
        Event::MessageReceived(IncomingMessage {
            id,
            account: self.settings.account.clone(),
            from: message.from,
            from_name: message.from_name,
            to: message.to,
            content_type: message.content_type,
            body: message.body,
            subject: message.subject,
            received_at: u64::try_from(now.unix_ms / 1000).unwrap_or_default(),
            session: None,
            alert,
        })
    }

    fn stored(
        &mut self,
        token: IncomingToken,
        message: ArrivedMessage,
        result: Result<InsertOutcome, InboxError>,
        now: Now,
    ) {
        match result {
            Ok(InsertOutcome::Inserted(id)) => {
                self.answer(token, IncomingAnswer::stored(true));
                let event = self.received(id, message, AlertMark::None, now);
                self.emit(event);
            }
            // Stored before (a resend after our 200 was lost): answer again, show once.
            Ok(InsertOutcome::Duplicate(_)) => self.answer(token, IncomingAnswer::stored(true)),
            Err(e) => {
                tracing::error!("cannot store a message from {}: {e}", message.from);
                self.answer(token, IncomingAnswer::stored(false));
                self.emit(Event::Error {
                    account: Some(self.settings.account.clone()),
                    message: format!(
                        "a message from {} could not be saved ({e}); the sender was told it failed",
                        message.from
                    ),
                });
            }
        }
    }
}
