//! FEATURE: file transfers of one account, as a state machine: RFC 5547
//! file sessions over MSRP (their own kind of session, not chats),
//! resuming them (`a=file-range`, [`resume`]), and small files sent as a
//! page-mode MESSAGE, also as the fallback when a peer takes no sessions
//! ([`page_mode`]). It never touches sockets, files, SQLite, tokio or the
//! clock: the driver (`endpoint/sessions.rs`) feeds it [`TransferInput`]s
//! and carries out the [`TransferEffect`]s.
//!
//! Sending: [`TransferEffect::Hash`] (size and SHA-1) -> interrupted
//! transfers from the store (a resume?) -> route -> the MSRP task prepares
//! our path -> INVITE with name, type, size, hash and a file-transfer-id
//! -> answer -> the task streams the file with `Success-Report: yes` ->
//! done only on the peer's success REPORT -> BYE. Receiving: offer (judged
//! by the driver; 488 when too large) -> `TransferOffered` (or accepted
//! into `accept_files`) -> the task writes a temporary file in the target
//! directory -> size and SHA-1 checked -> [`TransferEffect::Publish`] to a
//! safe name that overwrites nothing -> success REPORT. On failure the
//! temporary file is removed, unless the connection was lost: then it is
//! kept to resume. Each transfer is recorded in the `transfers` table.

mod file_side;
mod outcome;
pub mod page_mode;
pub mod resume;
mod signalling;
mod store_ops;
#[cfg(test)]
mod tests;

pub(crate) use file_side::{transfer_token, FileSide};
pub use page_mode::{
    check_outgoing_size, refuses_sessions, PAGE_MODE_FILE_MAX_BYTES, SESSION_REFUSAL_CODES, UDP_FILE_BYTES,
};
pub(crate) use store_ops::{Candidate, TransferStoreOp};

use super::blocking::BlockList;
use super::clock::Now;
use super::command::FileSendMode;
use super::event::{Event, TransferVia};
use super::files::{self, hex, PublishError};
use super::msrp_session::{self, ActionKind, SessionAction, SessionSdpError};
use super::msrp_task::FileJob;
use super::msrp_task::{TaskCommand, TaskEvent};
use crate::config::MsrpRole;
use crate::model::{AccountId, ChatState, DeliveryState, MessageId, SessionId, TransferId};
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{OfferDecision, OfferKind, SessionDescription};
use crate::protocol::sip::agent::{Hop, PageFileBody};
use crate::store::StoreError;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::time::Instant;

pub use super::msrp_session::CONNECTION_LOST_GRACE;

/// Why a transfer failed; the words users see.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The path to send is not a regular file.
    #[error("{path} is not a file")]
    NotAFile { path: String },
    /// The file to send cannot be looked at.
    #[error("cannot read {path}: {source}")]
    Unreadable { path: String, source: std::io::Error },
    /// Reading (or hashing) the file failed.
    #[error("cannot read {path}: {source}")]
    ReadFailed { path: String, source: std::io::Error },
    /// Too big for a page-mode MESSAGE.
    #[error(
        "the file is {len} bytes; a file sent as a page-mode message may be at most \
         {PAGE_MODE_FILE_MAX_BYTES} bytes (send it as a file session instead)"
    )]
    TooLargeForPage { len: u64 },
    /// No path to the peer (the routing's words).
    #[error("{0}")]
    Unreachable(String),
    /// The history store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The received file could not be given its name.
    #[error(transparent)]
    Publish(#[from] PublishError),
    /// A session description could not be made or read.
    #[error(transparent)]
    Sdp(#[from] SessionSdpError),
}

impl TransferError {
    /// Whether the file was refused before anything started (no row is
    /// recorded for it).
    fn before_start(&self) -> bool {
        matches!(
            self,
            TransferError::NotAFile { .. } | TransferError::Unreadable { .. }
        )
    }
}

/// What the transfers feature needs to know about its account.
#[derive(Debug, Clone)]
pub(crate) struct TransfersConfig {
    pub account: AccountId,
    pub role: MsrpRole,
    pub relayed: bool,
    pub msrp_available: bool,
    pub fingerprint: Option<String>,
    /// Outgoing direct file sessions use TLS (`msrps`).
    pub tls: bool,
    /// Largest file we accept, in bytes.
    pub max_file_size: u64,
    /// The account has a server (page-mode files go through its flow).
    pub server_account: bool,
}

/// Everything that can happen to the transfers.
#[derive(Debug)]
pub(crate) enum TransferInput {
    /// The block list changed: file offers from these addresses get 603.
    BlockList(BlockList),
    /// `Command::SendFile`; `session` is a fresh id from the agent.
    SendFile {
        id: TransferId,
        to: String,
        path: PathBuf,
        mode: FileSendMode,
        session: SessionId,
    },
    /// `Command::AcceptTransfer`; `dir_usable` says `dir` is a directory.
    Accept {
        transfer: TransferId,
        dir: PathBuf,
        dir_usable: bool,
    },
    Decline {
        transfer: TransferId,
    },
    Cancel {
        transfer: TransferId,
    },
    /// The file to send is hashed: its size and SHA-1.
    Hashed {
        session: SessionId,
        result: Result<(u64, [u8; 20]), TransferError>,
    },
    /// Interrupted transfers from the store, to resume one.
    Candidates {
        session: SessionId,
        result: Result<Vec<Candidate>, TransferError>,
    },
    /// The path for an outgoing file session is known (or not).
    Routed {
        session: SessionId,
        result: Result<Hop, TransferError>,
    },
    /// A usable file offer came in (judged by the driver). `accept_into`:
    /// the directory to accept into at once, and whether it is one.
    Offered {
        session: SessionId,
        from: String,
        hop: Hop,
        offer: Box<SessionDescription>,
        decision: Box<OfferDecision>,
        accept_into: Option<(PathBuf, bool)>,
    },
    Answered {
        session: SessionId,
        sdp: Vec<u8>,
    },
    /// The INVITE failed; `fresh` is a spare session id in case the file
    /// is offered again (a refused resume).
    Failed {
        session: SessionId,
        code: Option<u16>,
        reason: String,
        explained: bool,
        fresh: SessionId,
    },
    Ended {
        session: SessionId,
        reason: String,
    },
    ActionFailed {
        session: SessionId,
        action: ActionKind,
        reason: String,
    },
    Task {
        session: SessionId,
        event: TaskEvent,
    },
    /// A received file got its name (or not).
    Published {
        session: SessionId,
        msrp_id: String,
        sha1: [u8; 20],
        result: Result<PathBuf, TransferError>,
    },
    /// A file to send as a MESSAGE was read (or not).
    PageFileRead {
        transfer: TransferId,
        to: String,
        path: PathBuf,
        note: Option<String>,
        result: Result<Vec<u8>, TransferError>,
    },
    /// The path for a page-mode file is known (or not).
    PageFileRouted {
        id: MessageId,
        result: Result<Hop, TransferError>,
    },
    /// The MESSAGE carrying a file moved on.
    PageFileDelivery {
        id: MessageId,
        state: DeliveryState,
    },
    /// The account stops: interrupt what runs.
    Shutdown,
}

/// What the transfers ask of the driver.
#[derive(Debug)]
pub(crate) enum TransferEffect {
    Session(SessionAction),
    /// Find the path to `peer`.
    Route {
        session: SessionId,
        peer: String,
    },
    /// Start the session's MSRP task over `hop` with the file job;
    /// `secure` for an `msrps` path of ours (direct sessions).
    StartTask {
        session: SessionId,
        hop: Hop,
        job: Option<FileJob>,
        secure: bool,
    },
    Task {
        session: SessionId,
        command: TaskCommand,
    },
    /// Size and SHA-1 of the file (off the async threads).
    Hash {
        session: SessionId,
        path: PathBuf,
    },
    /// Move a received temporary file to a free safe name in `dir`.
    Publish {
        session: SessionId,
        msrp_id: String,
        sha1: [u8; 20],
        temp: PathBuf,
        dir: PathBuf,
        name: String,
    },
    /// Remove a temporary file nobody keeps.
    RemoveFile(PathBuf),
    /// Read a file to send as a MESSAGE.
    ReadPageFile {
        transfer: TransferId,
        to: String,
        path: PathBuf,
        note: Option<String>,
    },
    /// Find the path for a page-mode file to `target` (the server flow on
    /// server accounts).
    RoutePageFile {
        id: MessageId,
        target: String,
    },
    /// Send the MESSAGE carrying a file.
    SendPageFile {
        id: MessageId,
        to: String,
        body: PageFileBody,
        hop: Hop,
    },
    Store(TransferStoreOp),
    Emit(Event),
    /// The session is over for the transfers: forget who owns it.
    Release {
        session: SessionId,
    },
}

/// One file session.
#[derive(Debug)]
struct Transfer {
    peer: String,
    incoming: bool,
    state: ChatState,
    hop: Option<Hop>,
    /// The MSRP task was started (and not reported closed).
    task: bool,
    /// The agent knows the session (incoming, or our INVITE went out).
    signalled: bool,
    offer: Option<SessionDescription>,
    decision: Option<OfferDecision>,
    file: FileSide,
    /// End the transfer at this moment (a lost connection, or a BYE before
    /// the last REPORT), unless something else ends it first.
    lost: Option<(Instant, String)>,
}

impl Transfer {
    fn new(peer: String, file: FileSide) -> Transfer {
        Transfer {
            peer,
            incoming: file.incoming,
            state: if file.incoming {
                ChatState::Ringing
            } else {
                ChatState::Inviting
            },
            hop: None,
            task: false,
            signalled: file.incoming,
            offer: None,
            decision: None,
            file,
            lost: None,
        }
    }
}

/// The transfers of one account.
#[derive(Debug)]
pub(crate) struct Transfers {
    config: TransfersConfig,
    map: HashMap<SessionId, Transfer>,
    /// File sessions by transfer id.
    by_id: HashMap<TransferId, SessionId>,
    /// Page-mode files (and `Auto` fallbacks), [`page_mode`].
    page: page_mode::PageFiles,
    /// The time of the input being handled.
    now: Now,
    /// Whose file offers are declined at once.
    blocked: BlockList,
    effects: VecDeque<TransferEffect>,
}

impl Transfers {
    pub(crate) fn new(config: TransfersConfig, now: Now) -> Transfers {
        Transfers {
            config,
            map: HashMap::new(),
            by_id: HashMap::new(),
            page: page_mode::PageFiles::default(),
            now,
            blocked: BlockList::default(),
            effects: VecDeque::new(),
        }
    }

    /// Whether `session` is one of ours.
    pub(crate) fn owns(&self, session: SessionId) -> bool {
        self.map.contains_key(&session)
    }

    /// Whether any file session is open or being set up.
    pub(crate) fn any(&self) -> bool {
        !self.map.is_empty()
    }

    pub(crate) fn poll_effect(&mut self) -> Option<TransferEffect> {
        self.effects.pop_front()
    }

    /// The next lost connection's (or early BYE's) grace to end.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.map
            .values()
            .filter_map(|t| t.lost.as_ref().map(|(at, _)| *at))
            .min()
    }

    pub(crate) fn handle_timeout(&mut self, now: Now) {
        self.now = now;
        let due: Vec<(SessionId, String)> = self
            .map
            .iter()
            .filter_map(|(s, t)| match &t.lost {
                Some((at, reason)) if *at <= now.at => Some((*s, reason.clone())),
                _ => None,
            })
            .collect();
        for (session, reason) in due {
            self.lost(session, reason);
        }
    }

    pub(crate) fn handle(&mut self, input: TransferInput, now: Now) {
        self.now = now;
        match input {
            TransferInput::SendFile {
                id,
                to,
                path,
                mode,
                session,
            } => match mode {
                FileSendMode::Session => self.send_file(id, to, path, session),
                FileSendMode::PageMode => self.send_page_file(id, to, path, None),
                FileSendMode::Auto => {
                    // Forget Auto transfers whose session is over.
                    let live = &self.by_id;
                    self.page.auto.retain(|t, _| live.contains_key(t));
                    self.page.auto.insert(id, path.clone());
                    self.send_file(id, to, path, session);
                }
            },
            TransferInput::Accept {
                transfer,
                dir,
                dir_usable,
            } => self.accept(transfer, dir, dir_usable),
            TransferInput::Decline { transfer } => self.decline(transfer),
            TransferInput::Cancel { transfer } => self.cancel(transfer),
            TransferInput::Hashed { session, result } => self.hashed(session, result),
            TransferInput::Candidates { session, result } => self.candidates(session, result),
            TransferInput::Routed { session, result } => match result {
                Ok(hop) => self.routed(session, hop),
                Err(e) => self.finish(
                    session,
                    ChatState::Failed {
                        reason: e.to_string(),
                    },
                ),
            },
            TransferInput::BlockList(list) => self.blocked = list,
            TransferInput::Offered {
                session,
                from,
                hop,
                offer,
                decision,
                accept_into,
            } => self.offered(session, from, hop, *offer, *decision, accept_into),
            TransferInput::Answered { session, sdp } => self.answered(session, &sdp),
            TransferInput::Failed {
                session,
                code,
                reason,
                explained,
                fresh,
            } => {
                if code == Some(488) && self.resume_refused(session, fresh) {
                    return;
                }
                // A small file whose peer takes no sessions goes as a MESSAGE
                // (not when it takes them and said why it refused this one).
                if explained || !self.page_fallback(session, code) {
                    self.finish(session, ChatState::Failed { reason })
                }
            }
            TransferInput::Ended { session, reason } => {
                self.peer_ended(session);
                if self.report_may_follow(session, &reason) {
                    // The success REPORT may still be on its way over the
                    // MSRP connection, which the BYE can overtake.
                    if let Some(t) = self.map.get_mut(&session) {
                        t.lost = Some((now.at + CONNECTION_LOST_GRACE, reason));
                    }
                    return;
                }
                self.finish(session, ChatState::Ended { reason })
            }
            TransferInput::ActionFailed {
                session,
                action,
                reason,
            } => match action {
                ActionKind::Accept => self.finish(session, ChatState::Failed { reason }),
                ActionKind::End => self.finish(
                    session,
                    ChatState::Failed {
                        reason: "you cancelled the invitation".into(),
                    },
                ),
                _ => tracing::debug!(%session, "session action refused: {reason}"),
            },
            TransferInput::Task { session, event } => self.task_event(session, event),
            TransferInput::Published {
                session,
                msrp_id,
                sha1,
                result,
            } => self.published(session, msrp_id, sha1, result),
            TransferInput::PageFileRead {
                transfer,
                to,
                path,
                note,
                result,
            } => match result {
                Ok(data) => self.page_file_read(transfer, to, path, note, data),
                Err(e) => self.failed_event(transfer, e.to_string()),
            },
            TransferInput::PageFileRouted { id, result } => self.page_file_routed(id, result),
            TransferInput::PageFileDelivery { id, state } => self.page_file_delivery(id, state),
            TransferInput::Shutdown => self.shutdown(),
        }
    }

    fn emit(&mut self, event: Event) {
        self.effects.push_back(TransferEffect::Emit(event));
    }

    fn session(&mut self, action: SessionAction) {
        self.effects.push_back(TransferEffect::Session(action));
    }

    fn store(&mut self, op: TransferStoreOp) {
        self.effects.push_back(TransferEffect::Store(op));
    }

    fn failed_event(&mut self, transfer: TransferId, reason: String) {
        self.emit(Event::TransferFailed { transfer, reason });
    }

    fn file_mut(&mut self, session: SessionId) -> Option<&mut FileSide> {
        self.map.get_mut(&session).map(|t| &mut t.file)
    }
}

impl Transfers {
    /// The bytes the writer made durable for `file` (shared with it).
    #[cfg(test)]
    pub(crate) fn durable_of(
        &self,
        transfer: TransferId,
    ) -> Option<std::sync::Arc<std::sync::atomic::AtomicU64>> {
        let session = self.by_id.get(&transfer)?;
        self.map.get(session).map(|t| t.file.durable.clone())
    }
}
