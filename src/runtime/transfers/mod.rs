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

pub mod page_mode;
pub mod resume;
mod store_ops;
#[cfg(test)]
mod tests;

pub use page_mode::{
    check_outgoing_size, refuses_sessions, PAGE_MODE_FILE_MAX_BYTES, SESSION_REFUSAL_CODES, UDP_FILE_BYTES,
};
pub(crate) use store_ops::{Candidate, TransferStoreOp};

use super::clock::Now;
use super::command::FileSendMode;
use super::event::{Event, TransferVia};
use super::files::{self, hex, PublishError};
use super::msrp_session::{self, ActionKind, SessionAction, SessionSdpError};
use super::msrp_task::{TaskCommand, TaskEvent};
use super::transfer_io::FileJob;
use crate::config::MsrpRole;
use crate::model::{AccountId, ChatState, DeliveryState, MessageId, SessionId, TransferId};
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sdp::{
    self, Connect, FileAttributes, FileHash, FileRange, FileSelector, Negotiated, OfferDecision, OfferKind,
    SessionDescription,
};
use crate::protocol::sip::agent::{Hop, PageFileBody};
use crate::protocol::sip::uri::SipUri;
use crate::store::{conversation_key, Direction, NewTransfer, StoreError, TRANSFER_INTERRUPTED};
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
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
        matches!(self, TransferError::NotAFile { .. } | TransferError::Unreadable { .. })
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
    /// Largest file we accept, in bytes.
    pub max_file_size: u64,
    /// The account has a server (page-mode files go through its flow).
    pub server_account: bool,
}

/// Everything that can happen to the transfers.
#[derive(Debug)]
pub(crate) enum TransferInput {
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
    Decline { transfer: TransferId },
    Cancel { transfer: TransferId },
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
        offer: SessionDescription,
        decision: OfferDecision,
        accept_into: Option<(PathBuf, bool)>,
    },
    Answered { session: SessionId, sdp: Vec<u8> },
    /// The INVITE failed; `fresh` is a spare session id in case the file
    /// is offered again (a refused resume).
    Failed {
        session: SessionId,
        code: Option<u16>,
        reason: String,
        explained: bool,
        fresh: SessionId,
    },
    Ended { session: SessionId, reason: String },
    ActionFailed {
        session: SessionId,
        action: ActionKind,
        reason: String,
    },
    Task { session: SessionId, event: TaskEvent },
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
    PageFileDelivery { id: MessageId, state: DeliveryState },
    /// The account stops: interrupt what runs.
    Shutdown,
}

/// What the transfers ask of the driver.
#[derive(Debug)]
pub(crate) enum TransferEffect {
    Session(SessionAction),
    /// Find the path to `peer`.
    Route { session: SessionId, peer: String },
    /// Start the session's MSRP task over `hop` with the file job.
    StartTask {
        session: SessionId,
        hop: Hop,
        job: Option<FileJob>,
    },
    Task { session: SessionId, command: TaskCommand },
    /// Size and SHA-1 of the file (off the async threads).
    Hash { session: SessionId, path: PathBuf },
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
    RoutePageFile { id: MessageId, target: String },
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
    Release { session: SessionId },
}

/// The file of a transfer session.
#[derive(Debug, Clone)]
pub(crate) struct FileSide {
    pub(crate) id: TransferId,
    pub(crate) incoming: bool,
    /// Outgoing: the file's own name; incoming: the offered name made safe.
    pub(crate) name: String,
    /// Outgoing: the file sent; incoming: where it was saved (once done),
    /// before that the directory it goes to.
    pub(crate) path: PathBuf,
    pub(crate) temp: Option<PathBuf>,
    pub(crate) size: u64,
    pub(crate) mime: String,
    pub(crate) sha1: Option<[u8; 20]>,
    pub(crate) transfer_id: String,
    pub(crate) limit: u64,
    pub(crate) done: bool,
    pub(crate) failure: Option<String>,
    pub(crate) started_ms: i64,
    /// Bytes the receiver already holds (a resume): sent from `from + 1`.
    pub(crate) from: u64,
    /// Sending: bytes the receiver confirmed (partial success REPORTs);
    /// receiving: bytes durable on disk.
    pub(crate) confirmed: u64,
    /// Receiving: the connection was lost (or we shut down) without the
    /// sender ending the session: keep the partial file to resume.
    pub(crate) interrupted: bool,
    /// Never keep or resume this one (cancelled, declined, aborted by the
    /// sender, failed its checks).
    pub(crate) no_resume: bool,
    /// The `transfers` row of the interrupted transfer this one resumes.
    pub(crate) resumes: Option<i64>,
    /// Receiving: bytes from the start the writer made durable (it sets
    /// this itself, so it is right even before its event arrives).
    pub(crate) durable: Arc<AtomicU64>,
    /// The `transfers` row while it runs (0 until the store made it; store
    /// work runs in order, so later work finds it set).
    pub(crate) row: Arc<AtomicI64>,
}

impl FileSide {
    /// A side for a file we send or receive, with nothing moved yet.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        id: TransferId,
        incoming: bool,
        name: String,
        path: PathBuf,
        size: u64,
        mime: String,
        sha1: Option<[u8; 20]>,
        transfer_id: String,
        limit: u64,
        started_ms: i64,
    ) -> FileSide {
        FileSide {
            id,
            incoming,
            name,
            path,
            temp: None,
            size,
            mime,
            sha1,
            transfer_id,
            limit,
            done: false,
            failure: None,
            started_ms,
            from: 0,
            confirmed: 0,
            interrupted: false,
            no_resume: false,
            resumes: None,
            durable: Arc::new(AtomicU64::new(0)),
            row: Arc::new(AtomicI64::new(0)),
        }
    }

    /// What the MSRP task is to do: send once hashed, receive once accepted.
    pub(crate) fn job(&self) -> Option<FileJob> {
        if self.incoming {
            self.temp.as_ref().map(|temp| FileJob::Receive {
                temp: temp.clone(),
                size: self.size,
                limit: self.limit,
                from: self.from,
                durable: self.durable.clone(),
            })
        } else {
            self.sha1.map(|_| FileJob::Send {
                path: self.path.clone(),
                size: self.size,
                content_type: self.mime.clone(),
                from: self.from,
            })
        }
    }

    /// The RFC 5547 attributes of our offer.
    pub(crate) fn offer_attributes(&self) -> Option<FileAttributes> {
        if self.incoming {
            return None;
        }
        Some(FileAttributes {
            selector: Some(FileSelector {
                name: Some(self.name.clone()),
                file_type: Some(self.mime.clone()),
                size: Some(self.size),
                hashes: self.sha1.map(FileHash::sha1).into_iter().collect(),
            }),
            transfer_id: Some(self.transfer_id.clone()),
            disposition: Some("attachment".into()),
            date: None,
            icon: None,
            range: (self.from > 0).then_some(FileRange {
                start: self.from + 1,
                stop: Some(self.size),
            }),
        })
    }

    /// The `transfers` row of this file with `state`.
    pub(crate) fn row(&self, account: &AccountId, peer: &str, state: String, kept: Option<u64>) -> NewTransfer {
        NewTransfer {
            account: account.0.clone(),
            peer_key: Some(conversation_key(peer)),
            direction: if self.incoming {
                Direction::In
            } else {
                Direction::Out
            },
            file_name: self.name.clone(),
            size: i64::try_from(self.size).ok(),
            sha1: self.sha1.map(|d| hex(&d)),
            path: (self.done || !self.incoming).then(|| self.path.display().to_string()),
            state,
            started_at: self.started_ms,
            peer: Some(conversation_key(peer)),
            resume_bytes: kept.and_then(|k| i64::try_from(k).ok()),
            part_path: kept
                .and(self.incoming.then_some(self.temp.as_ref()).flatten())
                .map(|p| p.display().to_string()),
        }
    }
}

/// A random token (hex): file-transfer-ids and temporary file names.
pub(crate) fn transfer_token() -> String {
    format!("{:016x}{:016x}", rand::random::<u64>(), rand::random::<u64>())
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
        self.map.values().filter_map(|t| t.lost.as_ref().map(|(at, _)| *at)).min()
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
                Err(e) => self.finish(session, ChatState::Failed { reason: e.to_string() }),
            },
            TransferInput::Offered {
                session,
                from,
                hop,
                offer,
                decision,
                accept_into,
            } => self.offered(session, from, hop, offer, decision, accept_into),
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

    /// `SendFile` as a session: hash the file, then offer it.
    fn send_file(&mut self, id: TransferId, to: String, path: PathBuf, session: SessionId) {
        let (name, mime) = files::outgoing_name_and_type(&path);
        let file = FileSide::new(
            id,
            false,
            name,
            path.clone(),
            0,
            mime,
            None,
            transfer_token(),
            0,
            self.now.unix_ms,
        );
        self.map.insert(session, Transfer::new(to, file));
        self.by_id.insert(id, session);
        self.effects.push_back(TransferEffect::Hash { session, path });
    }

    fn hashed(&mut self, session: SessionId, result: Result<(u64, [u8; 20]), TransferError>) {
        match result {
            Ok((size, sha1)) => {
                let Some(file) = self.file_mut(session) else { return };
                file.size = size;
                file.sha1 = Some(sha1);
                // Was the same file to the same peer interrupted? Then the
                // offer resumes it.
                self.look_for_resume(session);
            }
            Err(e) if e.before_start() => {
                // Nothing started: no session, no row.
                if let Some(t) = self.map.remove(&session) {
                    self.by_id.remove(&t.file.id);
                    self.failed_event(t.file.id, e.to_string());
                    self.effects.push_back(TransferEffect::Release { session });
                }
            }
            Err(e) => self.finish(session, ChatState::Failed { reason: e.to_string() }),
        }
    }

    /// Finds the path for an outgoing file session.
    fn start_session(&mut self, session: SessionId, peer: String) {
        if let Err(e) = SipUri::parse(&peer) {
            return self.finish(session, ChatState::Failed { reason: e.to_string() });
        }
        if !self.config.msrp_available {
            return self.finish(
                session,
                ChatState::Failed {
                    reason: "chats are unavailable: sipchat could not listen for MSRP connections".into(),
                },
            );
        }
        self.effects.push_back(TransferEffect::Route { session, peer });
    }

    fn routed(&mut self, session: SessionId, hop: Hop) {
        if let Some(t) = self.map.get_mut(&session) {
            t.hop = Some(hop);
            self.start_task(session, hop);
        }
    }

    fn start_task(&mut self, session: SessionId, hop: Hop) {
        let Some(t) = self.map.get_mut(&session) else {
            return;
        };
        t.task = true;
        let job = t.file.job();
        self.effects.push_back(TransferEffect::StartTask { session, hop, job });
    }

    fn task(&mut self, session: SessionId, command: TaskCommand) {
        if self.map.get(&session).is_some_and(|t| t.task) {
            self.effects.push_back(TransferEffect::Task { session, command });
        }
    }

    /// Starts the task of an incoming transfer (the answer follows once it
    /// knows our path).
    fn accept_session(&mut self, session: SessionId) {
        let hop = match self.map.get(&session) {
            Some(t) if t.incoming && !t.task && !t.state.is_final() => t.hop,
            _ => {
                return self.emit(Event::Error {
                    account: Some(self.config.account.clone()),
                    message: format!("chat {session}: there is no invitation to accept"),
                })
            }
        };
        let Some(hop) = hop else { return };
        if let Some(t) = self.map.get_mut(&session) {
            t.state = ChatState::Connecting;
        }
        self.start_task(session, hop);
    }

    /// Ends the session: BYE when signalled, else here.
    fn close(&mut self, session: SessionId) {
        match self.map.get(&session) {
            Some(t) if t.signalled => self.session(SessionAction::End { session }),
            Some(_) => self.finish(
                session,
                ChatState::Failed {
                    reason: "you cancelled the invitation".into(),
                },
            ),
            None => {}
        }
    }

    fn offered(
        &mut self,
        session: SessionId,
        from: String,
        hop: Hop,
        offer: SessionDescription,
        decision: OfferDecision,
        accept_into: Option<(PathBuf, bool)>,
    ) {
        let OfferKind::FilePush(attrs) = &decision.kind else {
            return;
        };
        let selector = attrs.selector.clone().unwrap_or_default();
        let Some(size) = selector.size else {
            tracing::info!(%from, "refusing a file offer without a size");
            return self.session(SessionAction::Reject {
                session,
                code: 488,
                warning: Some((399, "the file offer does not say how large the file is".into())),
            });
        };
        let sha1 = selector.sha1().and_then(|d| <[u8; 20]>::try_from(d).ok());
        let name = files::safe_file_name(selector.name.as_deref().unwrap_or(""));
        let mime = selector
            .file_type
            .clone()
            .unwrap_or_else(|| "application/octet-stream".into());
        let id = TransferId(crate::runtime::next_message_id().0);
        let range = attrs.range;
        let file = FileSide::new(
            id,
            true,
            name.clone(),
            PathBuf::new(),
            size,
            mime.clone(),
            sha1,
            attrs.transfer_id.clone().unwrap_or_default(),
            self.config.max_file_size,
            self.now.unix_ms,
        );
        let mut transfer = Transfer::new(from.clone(), file);
        transfer.hop = Some(hop);
        transfer.offer = Some(offer);
        transfer.decision = Some(decision);
        self.map.insert(session, transfer);
        self.by_id.insert(id, session);
        if let Some(range) = range.filter(|r| r.start > 1) {
            return self.resume_offered(session, range);
        }
        if let Some((dir, usable)) = accept_into {
            return self.accept(id, dir, usable);
        }
        self.session(SessionAction::Ring { session });
        self.emit(Event::TransferOffered {
            account: self.config.account.clone(),
            transfer: id,
            from,
            name,
            size: Some(size),
            mime: Some(mime),
            sha1: sha1.map(|d| hex(&d)),
            via: TransferVia::Session,
        });
    }

    /// `AcceptTransfer`: pick the temporary file, then answer.
    fn accept(&mut self, transfer: TransferId, dir: PathBuf, dir_usable: bool) {
        let Some(session) = self.by_id.get(&transfer).copied() else {
            return self.emit(Event::Error {
                account: Some(self.config.account.clone()),
                message: format!("transfer {transfer}: there is no offer to accept"),
            });
        };
        let Some(file) = self.file_mut(session) else { return };
        if !file.incoming || file.temp.is_some() {
            return;
        }
        if !dir_usable {
            file.failure = Some(format!("cannot save into {}: not a directory", dir.display()));
            self.session(SessionAction::Reject {
                session,
                code: 500,
                warning: None,
            });
            return self.finish(
                session,
                ChatState::Failed {
                    reason: String::new(),
                },
            );
        }
        file.temp = Some(dir.join(resume::part_file_name(&transfer_token())));
        file.path = dir;
        self.open_row(session);
        self.accept_session(session);
    }

    /// `DeclineTransfer`.
    fn decline(&mut self, transfer: TransferId) {
        let Some(session) = self.by_id.get(&transfer).copied() else {
            return;
        };
        if let Some(file) = self.file_mut(session) {
            file.failure = Some("you declined the file".into());
            file.no_resume = true;
        }
        self.session(SessionAction::Reject {
            session,
            code: 603,
            warning: None,
        });
        self.finish(
            session,
            ChatState::Failed {
                reason: String::new(),
            },
        );
    }

    /// `CancelTransfer`.
    fn cancel(&mut self, transfer: TransferId) {
        let Some(session) = self.by_id.get(&transfer).copied() else {
            return;
        };
        if let Some(file) = self.file_mut(session) {
            if !file.done {
                file.failure
                    .get_or_insert_with(|| "you cancelled the transfer".into());
                file.no_resume = true;
            }
        }
        self.close(session);
    }

    /// The task knows our path: send the offer, or the answer.
    fn prepared(&mut self, session: SessionId, local_path: Vec<MsrpUri>, relay: Option<String>) {
        let relayed = relay.is_some();
        let role = self.config.role;
        let fingerprint = self.config.fingerprint.clone();
        let Some(t) = self.map.get_mut(&session) else {
            return;
        };
        let (Some(hop), false) = (t.hop, t.incoming) else {
            return self.answer(session, local_path);
        };
        let attributes = t.file.offer_attributes();
        match msrp_session::session_offer(&local_path, role, relayed, fingerprint.as_deref(), attributes) {
            Ok(offer) => {
                let sdp = offer.to_bytes();
                t.offer = Some(offer);
                t.signalled = true;
                let to = t.peer.clone();
                self.session(SessionAction::Invite { session, to, sdp, hop });
            }
            Err(e) => self.finish(session, ChatState::Failed { reason: e.to_string() }),
        }
    }

    fn answer(&mut self, session: SessionId, local_path: Vec<MsrpUri>) {
        let relayed = self.config.relayed;
        let fingerprint = self.config.fingerprint.clone();
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let (Some(offer), Some(decision)) = (t.offer.as_ref(), t.decision.as_ref()) else {
            return;
        };
        let answered = msrp_session::chat_answer(offer, decision, &local_path, relayed, fingerprint.as_deref());
        let peer_fingerprint = msrp_session::fingerprint_in(offer);
        match answered {
            Ok((answer, negotiated)) => {
                self.session(SessionAction::Accept {
                    session,
                    sdp: answer.to_bytes(),
                });
                self.go(session, &negotiated, peer_fingerprint);
            }
            Err(e) => {
                self.session(SessionAction::Reject {
                    session,
                    code: 488,
                    warning: None,
                });
                self.finish(session, ChatState::Failed { reason: e.to_string() });
            }
        }
    }

    fn answered(&mut self, session: SessionId, sdp: &[u8]) {
        let Some(offer) = self.map.get(&session).and_then(|t| t.offer.clone()) else {
            return;
        };
        let read = SessionDescription::parse(sdp)
            .map_err(|e| e.to_string())
            .and_then(|answer| {
                let fingerprint = msrp_session::fingerprint_in(&answer);
                sdp::read_answer(&offer, &answer)
                    .map(|n| (n, fingerprint))
                    .map_err(|e| e.to_string())
            });
        match read {
            Ok((negotiated, fingerprint)) => {
                if let Some(t) = self.map.get_mut(&session) {
                    t.state = ChatState::Connecting;
                }
                self.go(session, &negotiated, fingerprint);
            }
            Err(reason) => {
                self.session(SessionAction::End { session });
                self.finish(
                    session,
                    ChatState::Failed {
                        reason: format!("the peer's answer is unusable: {reason}"),
                    },
                );
            }
        }
    }

    /// Offer/answer done: tell the task how to connect.
    fn go(&mut self, session: SessionId, negotiated: &Negotiated, fingerprint: Option<String>) {
        let relayed = self.config.relayed;
        let path = match msrp_session::remote_path(negotiated) {
            Ok(p) => p,
            Err(e) => {
                self.session(SessionAction::End { session });
                return self.finish(session, ChatState::Failed { reason: e.to_string() });
            }
        };
        let we_connect = !relayed && (path.len() > 1 || negotiated.connect == Connect::WeConnect);
        self.task(
            session,
            TaskCommand::Go {
                remote_path: path,
                we_connect,
                fingerprint,
                accept_types: sdp::CHAT_ACCEPT_TYPES.iter().map(|s| s.to_string()).collect(),
            },
        );
    }

    fn task_event(&mut self, session: SessionId, event: TaskEvent) {
        let Some(t) = self.map.get_mut(&session) else {
            return;
        };
        let id = t.file.id;
        match event {
            TaskEvent::Prepared { local_path, relay } => self.prepared(session, local_path, relay),
            TaskEvent::Opened => {
                t.state = ChatState::Active {
                    secure: false,
                    relay: None,
                };
            }
            TaskEvent::FileProgress { bytes, total, rate } => self.emit(Event::TransferProgress {
                transfer: id,
                bytes,
                total,
                rate,
            }),
            TaskEvent::FileSent => {
                t.file.done = true;
                self.done(session);
                self.close(session);
            }
            TaskEvent::FileConfirmed { bytes } => {
                t.file.confirmed = t.file.confirmed.max(bytes);
                let (cell, bytes) = (t.file.row.clone(), t.file.confirmed);
                self.note_progress(cell, bytes);
            }
            TaskEvent::FileWritten { msrp_id, size, sha1 } => self.written(session, msrp_id, size, sha1),
            TaskEvent::FileFailed { reason } => {
                if t.file.incoming {
                    // Aborted by the sender, too much data, a write error.
                    t.file.no_resume = true;
                }
                t.file.failure.get_or_insert(reason);
                self.close(session);
            }
            TaskEvent::Closed { reason } => {
                t.task = false;
                let reason = reason.unwrap_or_else(|| "the chat connection closed".into());
                let file = &mut t.file;
                if !file.done {
                    if file.failure.is_none() {
                        // Lost before anything else ended it: resumable.
                        file.interrupted = true;
                    }
                    file.failure
                        .get_or_insert_with(|| format!("the connection was lost: {reason}"));
                }
                if matches!(t.state, ChatState::Active { .. }) {
                    // A peer that hangs up closes the connection and sends
                    // BYE; the BYE may come a moment later by another path.
                    t.lost = Some((self.now.at + CONNECTION_LOST_GRACE, reason));
                } else {
                    self.lost(session, reason);
                }
            }
            // Chat messages never come in a file session.
            TaskEvent::Received { .. } | TaskEvent::Delivered { .. } | TaskEvent::Failed { .. } => {}
        }
    }

    /// The connection is gone and no BYE came (or the REPORT never did):
    /// end the transfer.
    fn lost(&mut self, session: SessionId, reason: String) {
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let signalled = t.signalled;
        let state = if matches!(t.state, ChatState::Active { .. }) {
            ChatState::Ended { reason }
        } else {
            ChatState::Failed { reason }
        };
        self.finish(session, state);
        if signalled {
            self.session(SessionAction::End { session });
        }
    }

    fn written(&mut self, session: SessionId, msrp_id: String, size: u64, sha1: [u8; 20]) {
        let Some(file) = self.file_mut(session) else { return };
        let problem = if size != file.size {
            Some(format!(
                "the file arrived with {size} bytes instead of the {} offered",
                file.size
            ))
        } else {
            match file.sha1 {
                Some(want) if want != sha1 => Some(format!(
                    "hash mismatch: the file's SHA-1 is {} but {} was offered",
                    hex(&sha1),
                    hex(&want)
                )),
                _ => None,
            }
        };
        match (problem, file.temp.clone()) {
            (None, Some(temp)) => {
                let (dir, name) = (file.path.clone(), file.name.clone());
                self.effects.push_back(TransferEffect::Publish {
                    session,
                    msrp_id,
                    sha1,
                    temp,
                    dir,
                    name,
                });
            }
            (problem, _) => {
                file.failure = Some(problem.unwrap_or_else(|| "the file was not written".into()));
                file.no_resume = true;
                self.close(session);
            }
        }
    }

    fn published(
        &mut self,
        session: SessionId,
        msrp_id: String,
        sha1: [u8; 20],
        result: Result<PathBuf, TransferError>,
    ) {
        let Some(file) = self.file_mut(session) else { return };
        match result {
            Ok(path) => {
                file.done = true;
                file.path = path;
                file.temp = None;
                file.sha1 = Some(sha1);
                self.task(session, TaskCommand::Confirm { msrp_id });
                self.done(session);
            }
            Err(e) => {
                file.failure = Some(e.to_string());
                file.no_resume = true;
                self.close(session);
            }
        }
    }

    fn done(&mut self, session: SessionId) {
        let Some(t) = self.map.get(&session) else {
            return;
        };
        let file = t.file.clone();
        let peer = t.peer.clone();
        self.emit(Event::TransferDone {
            transfer: file.id,
            incoming: file.incoming,
            path: file.path.clone(),
            size: file.size,
            sha1: file.sha1.map(|d| hex(&d)).unwrap_or_default(),
            via: TransferVia::Session,
            note: None,
        });
        self.record(&file, &peer, "done".into(), None);
    }

    /// Ends a transfer session: stops its task, cleans up, says how it
    /// ended.
    fn finish(&mut self, session: SessionId, state: ChatState) {
        let Some(t) = self.map.remove(&session) else {
            return;
        };
        if t.task {
            self.effects.push_back(TransferEffect::Task {
                session,
                command: TaskCommand::Close,
            });
        }
        self.ended(t.file, &t.peer, &state);
        self.effects.push_back(TransferEffect::Release { session });
    }

    /// The session of a transfer is over: clean up and say how it ended.
    fn ended(&mut self, file: FileSide, peer: &str, state: &ChatState) {
        self.by_id.remove(&file.id);
        if file.done {
            return;
        }
        let kept = resume::keep_for_resume(&file);
        if kept.is_none() {
            if let Some(temp) = &file.temp {
                self.effects.push_back(TransferEffect::RemoveFile(temp.clone()));
            }
        }
        let why = match state {
            ChatState::Failed { reason } | ChatState::Ended { reason } => reason.as_str(),
            _ => "",
        };
        let reason = match (&file.failure, state) {
            (Some(f), _) => f.clone(),
            (None, ChatState::Ended { .. }) if file.incoming => {
                format!("the sender ended the transfer before the whole file arrived ({why})")
            }
            (None, ChatState::Ended { .. }) => {
                format!("the receiver ended the transfer before confirming the file ({why})")
            }
            (None, _) if why.contains("603") || why.to_ascii_lowercase().contains("decline") => {
                format!("declined by {peer} ({why})")
            }
            // The receiver said why in a Warning: its words already.
            (None, _) if why.contains("client refused:") => why.to_string(),
            (None, _) if why.contains("488") => {
                format!("refused by {peer}: the file is too large or cannot be received there ({why})")
            }
            (None, _) => why.to_string(),
        };
        let (reason, row_state) = match kept {
            Some(bytes) => (
                resume::kept_words(&file, &reason, bytes),
                TRANSFER_INTERRUPTED.to_string(),
            ),
            None => (reason.clone(), format!("failed: {reason}")),
        };
        self.failed_event(file.id, reason);
        self.record(&file, peer, row_state, kept);
    }

    /// Records how a transfer ended (`kept`: bytes kept or confirmed for a
    /// resume); a resumed transfer's interrupted row is closed as `resumed`.
    fn record(&mut self, file: &FileSide, peer: &str, state: String, kept: Option<u64>) {
        let row = file.row(&self.config.account, peer, state, kept);
        self.store(TransferStoreOp::Finish {
            row: Box::new(row),
            cell: file.row.clone(),
            resumed: file.resumes,
            finished: self.now.unix_ms,
        });
    }

    /// Records the bytes confirmed (sent) or durable (received) so far.
    fn note_progress(&mut self, cell: Arc<AtomicI64>, bytes: u64) {
        self.store(TransferStoreOp::Progress {
            cell,
            bytes: i64::try_from(bytes).unwrap_or(i64::MAX),
        });
    }

    /// The peer hung up a file we send before its success REPORT came:
    /// `true` when the task still runs, so the REPORT may yet arrive (the
    /// failure is remembered in case it does not).
    fn report_may_follow(&mut self, session: SessionId, reason: &str) -> bool {
        let Some(t) = self.map.get_mut(&session) else {
            return false;
        };
        let file = &mut t.file;
        if !file.incoming && !file.done && t.task {
            file.failure.get_or_insert_with(|| {
                format!("the receiver ended the transfer before confirming the file ({reason})")
            });
            return true;
        }
        false
    }

    /// The peer ended the session (BYE): an incoming transfer is then not
    /// kept, even if the connection went first (the sender ended it).
    fn peer_ended(&mut self, session: SessionId) {
        if let Some(file) = self.file_mut(session) {
            if file.incoming {
                file.interrupted = false;
            }
        }
    }

    /// We are shutting down: unfinished transfers end now, and received
    /// parts are kept to resume. Transfers under way get no BYE: the peer
    /// sees a lost connection and keeps its part too (it hangs up itself
    /// after its grace). Finished ones still open are closed as usual.
    fn shutdown(&mut self) {
        let mut sessions: Vec<SessionId> = self.map.keys().copied().collect();
        sessions.sort();
        for session in sessions {
            let Some(t) = self.map.get_mut(&session) else {
                continue;
            };
            if t.file.done {
                self.close(session);
                continue;
            }
            let flowing = matches!(t.state, ChatState::Active { .. });
            if t.file.failure.is_none() {
                t.file.interrupted = true;
                t.file.failure = Some("sipchat was closing".into());
            }
            if !flowing && t.signalled {
                self.session(SessionAction::End { session });
            }
            self.finish(
                session,
                ChatState::Ended {
                    reason: "sipchat was closing".into(),
                },
            );
        }
    }
}

impl Transfers {
    /// The bytes the writer made durable for `file` (shared with it).
    #[cfg(test)]
    pub(crate) fn durable_of(&self, transfer: TransferId) -> Option<Arc<AtomicU64>> {
        let session = self.by_id.get(&transfer)?;
        self.map.get(session).map(|t| t.file.durable.clone())
    }
}
