//! Small files inside a page-mode MESSAGE (RFC 3428), both ways (issue #5).
//!
//! Some clients (Twinkle, behind servers such as Yate that carry no MSRP)
//! send a tiny file as the body of a MESSAGE with the file's own
//! Content-Type and `Content-Disposition: attachment; filename="..."`.
//!
//! Receiving: the agent marks such a body as a file
//! ([`crate::protocol::sip::disposition::page_file`]); here it is checked
//! against the size limit (413 beyond), stored (transfer row and bytes in
//! one transaction, [`crate::store::Store::insert_page_file`]) and only
//! then answered 200. `TransferOffered` (with `via: PageMode`) follows;
//! with `RuntimeOptions::accept_files` the file is saved at once, else on
//! `AcceptTransfer` (from the stored bytes; `DeclineTransfer` drops them).
//! Saving writes a temporary file in the target directory, syncs it and
//! moves it to a safe name that overwrites nothing (`transfer.rs` helpers),
//! then `TransferDone`.
//!
//! Sending: `SendFile` with [`FileSendMode::PageMode`], or
//! [`FileSendMode::Auto`] when the peer refused the file session with a
//! status that means "no sessions here" ([`SESSION_REFUSAL_CODES`]), for
//! files of at most [`PAGE_MODE_FILE_MAX_BYTES`]. The outcome of the
//! MESSAGE is the outcome of the transfer.

use super::command::FileSendMode;
use super::endpoint::{Endpoint, Internal};
use super::event::{Event, TransferVia};
use super::outbox::now_ms;
use super::transfer::{publish, safe_file_name, FALLBACK_FILE_NAME};
use super::transfer_io::hex;
use crate::model::{DeliveryState, MessageId, TransferId};
use crate::protocol::sip::agent::{ArrivedMessage, Hop, IncomingAnswer, IncomingToken, PageFileBody};
use crate::protocol::sip::disposition::MAX_PAGE_FILE_BYTES;
use crate::protocol::sip::uri::SipUri;
use crate::store::{
    conversation_key, Direction, NewPageFile, NewTransfer, PageFileOutcome, PendingPageFile, TransferState,
};
use crate::transport::stream::StreamHandle;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Largest file we send as a page-mode MESSAGE: 4 KiB. A MESSAGE is
/// meant for short content (RFC 3428 asks that larger ones go in a
/// session); 4 KiB plus headers stays well under our own
/// [`crate::protocol::sip::agent::MAX_BODY_STREAM`] and the 8-16 KiB many
/// proxies forward, and covers icons, small images and key files. (Over
/// UDP a MESSAGE must stay under 1300 bytes, so the local account uses
/// TCP for anything bigger unless the address names a transport.)
pub const PAGE_MODE_FILE_MAX_BYTES: u64 = 4 * 1024;
/// Answers to a file session's INVITE that mean the peer takes no MSRP
/// sessions at all (Method Not Allowed, Unsupported Media Type, Not
/// Acceptable Here, Not Implemented, Not Acceptable): then, in
/// [`FileSendMode::Auto`], a small file goes as a MESSAGE. A decline,
/// busy, offline or silence never falls back.
pub const SESSION_REFUSAL_CODES: &[u16] = &[405, 415, 488, 501, 606];
/// A page-mode file at most this big goes over UDP when the peer's address
/// names no transport (the rest of the 1300-byte MESSAGE is headers).
pub const UDP_FILE_BYTES: usize = 600;

/// Whether a failed INVITE's status says the peer takes no sessions.
pub fn refuses_sessions(code: Option<u16>) -> bool {
    code.is_some_and(|c| SESSION_REFUSAL_CODES.contains(&c))
}

/// The name an arrived file is saved under: the offered one made safe
/// ([`safe_file_name`]), or, without one, `received-file` with an
/// extension that fits its media type.
pub fn saved_name(offered: Option<&str>, content_type: &str) -> String {
    if let Some(name) = offered {
        return safe_file_name(name);
    }
    match mime_guess::get_mime_extensions_str(content_type).and_then(|e| e.first()) {
        Some(ext) => format!("{FALLBACK_FILE_NAME}.{ext}"),
        None => FALLBACK_FILE_NAME.to_string(),
    }
}

/// The largest page-mode file we take: the account's `max_file_size`, but
/// never more than the SIP parser lets through ([`MAX_PAGE_FILE_BYTES`]).
pub fn incoming_limit(max_file_size: u64) -> u64 {
    max_file_size.min(MAX_PAGE_FILE_BYTES as u64)
}

/// Why a file of `len` bytes to send is refused as a page-mode MESSAGE.
pub fn check_outgoing_size(len: u64) -> Result<(), String> {
    if len > PAGE_MODE_FILE_MAX_BYTES {
        return Err(format!(
            "the file is {len} bytes; a file sent as a page-mode message may be at most \
             {PAGE_MODE_FILE_MAX_BYTES} bytes (send it as a file session instead)"
        ));
    }
    Ok(())
}

/// The user part of an address, for words ("bob").
fn who(peer: &str) -> String {
    SipUri::parse(peer)
        .ok()
        .and_then(|u| u.user.or(Some(u.host)))
        .unwrap_or_else(|| peer.to_string())
}

fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
}

/// A file we send in a MESSAGE.
#[derive(Debug)]
struct Sending {
    transfer: TransferId,
    to: String,
    path: PathBuf,
    name: String,
    mime: String,
    data: Vec<u8>,
    size: u64,
    sha1: String,
    note: Option<String>,
    started_ms: i64,
}

/// A file that came in a MESSAGE, stored and waiting for a decision.
#[derive(Debug, Clone)]
pub(crate) struct Offer {
    row: i64,
    name: String,
    size: u64,
    sha1: String,
    /// Being saved (a second accept or a decline is ignored meanwhile).
    saving: bool,
}

/// Page-mode file state of one account.
#[derive(Debug, Default)]
pub(crate) struct PageFiles {
    /// `Auto` transfers offered as sessions, which may still fall back.
    auto: HashMap<TransferId, PathBuf>,
    /// Files in MESSAGEs on their way out, by the MESSAGE's id.
    sending: HashMap<MessageId, Sending>,
    /// Files that came in MESSAGEs and wait for a decision.
    offers: HashMap<TransferId, Offer>,
}

impl PageFiles {
    /// Whether `id` is a MESSAGE carrying one of our files.
    pub(crate) fn is_sending(&self, id: MessageId) -> bool {
        self.sending.contains_key(&id)
    }
}

/// Results of page-mode file work, back on the endpoint loop.
#[derive(Debug)]
pub(crate) enum PageFileInternal {
    /// The file to send was read (or not).
    Read {
        transfer: TransferId,
        to: String,
        path: PathBuf,
        note: Option<String>,
        result: Result<Vec<u8>, String>,
    },
    /// The peer-to-peer path for a MESSAGE is open (or not).
    Routed {
        id: MessageId,
        route: Result<(Hop, Option<StreamHandle>), String>,
    },
    /// An arrived file is stored (or not): now it may be answered.
    Stored {
        token: IncomingToken,
        transfer: TransferId,
        from: String,
        offer: Offer,
        mime: String,
        result: Result<PageFileOutcome, String>,
    },
    /// The stored bytes of an accepted file were read.
    Loaded {
        transfer: TransferId,
        dir: PathBuf,
        result: Result<Option<Vec<u8>>, String>,
    },
    /// An accepted file was saved (or not).
    Written {
        transfer: TransferId,
        result: Result<PathBuf, String>,
    },
    /// Files from an earlier run that still wait for an answer.
    Pending(Result<Vec<PendingPageFile>, String>),
    /// The end of an arrived file is in the history: now tell the UI.
    Finished {
        event: Box<Event>,
        result: Result<(), String>,
    },
}

fn internal(work: PageFileInternal) -> Internal {
    Internal::PageFile(Box::new(work))
}

/// Writes `data` to a temporary file in `dir`, syncs it, and moves it to a
/// free safe name (never replacing a file). Blocking.
fn save(dir: &Path, name: &str, data: &[u8]) -> Result<PathBuf, String> {
    use std::io::Write;
    if !dir.is_dir() {
        return Err(format!("cannot save into {}: not a directory", dir.display()));
    }
    let token = format!("{:016x}", rand::random::<u64>());
    let temp = dir.join(format!(".{name}.{token}.part"));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut f| {
            f.write_all(data)?;
            f.sync_all()
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("cannot write {}: {e}", temp.display()));
    }
    publish(&temp, dir, name).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

impl Endpoint {
    /// `Command::SendFile` with its mode.
    pub(crate) fn send_file_as(&mut self, id: TransferId, to: String, path: PathBuf, mode: FileSendMode) {
        match mode {
            FileSendMode::Session => self.send_file(id, to, path),
            FileSendMode::PageMode => self.send_page_file(id, to, path, None),
            FileSendMode::Auto => {
                // Forget Auto transfers whose session is over.
                let live = &self.chats.transfers;
                self.page_files.auto.retain(|t, _| live.contains_key(t));
                self.page_files.auto.insert(id, path.clone());
                self.send_file(id, to, path);
            }
        }
    }

    /// A file session's INVITE failed with `code`: when it was an `Auto`
    /// transfer of a small file and the peer takes no sessions, the chat is
    /// dropped quietly and the file goes as a MESSAGE. True when it did.
    pub(crate) fn page_file_fallback(&mut self, session: crate::model::SessionId, code: Option<u16>) -> bool {
        if !refuses_sessions(code) {
            return false;
        }
        let Some(transfer) = self
            .chats
            .transfers
            .iter()
            .find_map(|(t, s)| (*s == session).then_some(*t))
        else {
            return false;
        };
        let Some(path) = self.page_files.auto.get(&transfer).cloned() else {
            return false;
        };
        let small = std::fs::metadata(&path).is_ok_and(|m| m.len() <= PAGE_MODE_FILE_MAX_BYTES);
        let Some(peer) = self.chats.map.get(&session).map(|c| c.peer.clone()) else {
            return false;
        };
        if !small {
            return false;
        }
        self.page_files.auto.remove(&transfer);
        self.chats.map.remove(&session);
        self.chats.transfers.remove(&transfer);
        let note = format!(
            "{}'s client does not take file sessions ({}); sent as a message",
            who(&peer),
            code.unwrap_or_default()
        );
        tracing::info!(%transfer, "{note}");
        self.send_page_file(transfer, peer, path, Some(note));
        true
    }

    fn page_file_failed(&self, transfer: TransferId, reason: String) {
        self.emit(Event::TransferFailed { transfer, reason });
    }

    /// Reads the file (off the async threads), then sends it.
    fn send_page_file(&mut self, transfer: TransferId, to: String, path: PathBuf, note: Option<String>) {
        if let Err(e) = SipUri::parse(&to) {
            return self.page_file_failed(transfer, e.to_string());
        }
        let tx = self.internal_tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = match std::fs::metadata(&path) {
                Ok(m) if !m.is_file() => Err(format!("{} is not a file", path.display())),
                Ok(m) => check_outgoing_size(m.len())
                    .and_then(|()| {
                        std::fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))
                    })
                    .and_then(|data| check_outgoing_size(data.len() as u64).map(|()| data)),
                Err(e) => Err(format!("cannot read {}: {e}", path.display())),
            };
            let _ = tx.send(internal(PageFileInternal::Read {
                transfer,
                to,
                path,
                note,
                result,
            }));
        });
    }

    /// Work for page-mode files came back.
    pub(crate) fn on_page_file_internal(&mut self, work: PageFileInternal) {
        match work {
            PageFileInternal::Read {
                transfer,
                to,
                path,
                note,
                result,
            } => match result {
                Ok(data) => self.page_file_read(transfer, to, path, note, data),
                Err(reason) => self.page_file_failed(transfer, reason),
            },
            PageFileInternal::Routed { id, route } => self.page_file_routed(id, route),
            PageFileInternal::Stored {
                token,
                transfer,
                from,
                offer,
                mime,
                result,
            } => self.page_file_stored(token, transfer, from, offer, mime, result),
            PageFileInternal::Loaded {
                transfer,
                dir,
                result,
            } => self.page_file_loaded(transfer, dir, result),
            PageFileInternal::Written { transfer, result } => self.page_file_written(transfer, result),
            PageFileInternal::Pending(result) => self.offer_pending_page_files(result),
            PageFileInternal::Finished { event, result } => {
                if let Err(e) = result {
                    tracing::warn!("the transfer could not be recorded: {e}");
                }
                self.emit(*event);
            }
        }
    }

    fn page_file_read(
        &mut self,
        transfer: TransferId,
        to: String,
        path: PathBuf,
        note: Option<String>,
        data: Vec<u8>,
    ) {
        let (name, mime) = super::transfer::outgoing_name_and_type(&path);
        let id = MessageId(transfer.0);
        let len = data.len();
        self.page_files.sending.insert(
            id,
            Sending {
                transfer,
                to: to.clone(),
                path,
                name,
                mime,
                sha1: sha1_hex(&data),
                size: len as u64,
                data,
                note,
                started_ms: now_ms(),
            },
        );
        if self.is_server_account() {
            let route = self
                .server_hop_for_chat()
                .map(|hop| (hop, None))
                .ok_or_else(|| "not sent: the account is not connected to its server".to_string());
            return self.page_file_routed(id, route);
        }
        // Peer to peer: a MESSAGE too big for UDP goes over TCP (RFC 3261
        // 18.1.1), unless the address names its transport.
        let target = match SipUri::parse(&to) {
            Ok(mut uri) if len > UDP_FILE_BYTES && uri.transport_param().is_none() => {
                uri.params.push(crate::protocol::sip::header_value::Param::new(
                    "transport",
                    Some("tcp"),
                ));
                uri.to_string()
            }
            _ => to,
        };
        self.route_to(target, move |route| {
            internal(PageFileInternal::Routed { id, route })
        });
    }

    fn page_file_routed(&mut self, id: MessageId, route: Result<(Hop, Option<StreamHandle>), String>) {
        match route {
            Ok((hop, handle)) => {
                if let Some(h) = handle {
                    self.adopt_stream(h);
                }
                let Some(out) = self.page_files.sending.get_mut(&id) else {
                    return;
                };
                let body = PageFileBody {
                    content_type: out.mime.clone(),
                    name: out.name.clone(),
                    data: std::mem::take(&mut out.data),
                };
                let to = out.to.clone();
                let now = self.now();
                self.agent.send_file_message(id, &to, &body, hop, now);
            }
            Err(reason) => {
                if let Some(out) = self.page_files.sending.remove(&id) {
                    self.page_file_failed(out.transfer, reason);
                }
            }
        }
    }

    /// The MESSAGE carrying one of our files moved on.
    pub(crate) fn on_page_file_delivery(&mut self, id: MessageId, state: DeliveryState) {
        if !state.is_final() {
            return;
        }
        let Some(out) = self.page_files.sending.remove(&id) else {
            return;
        };
        let outcome = match &state {
            DeliveryState::Accepted => Ok(format!(
                "delivered as a message: accepted by {}'s client (200)",
                who(&out.to)
            )),
            DeliveryState::StoredForLater => Ok(format!(
                "accepted by the server for later delivery (202); {} has not confirmed it yet",
                who(&out.to)
            )),
            other => Err(other.describe()),
        };
        let state_words = match &outcome {
            Ok(_) => TransferState::Done,
            Err(reason) => TransferState::failed(reason.as_str()),
        };
        match outcome {
            Ok(delivered) => {
                let note = match &out.note {
                    Some(n) => format!("{n}; {delivered}"),
                    None => delivered,
                };
                self.emit(Event::TransferDone {
                    transfer: out.transfer,
                    incoming: false,
                    path: out.path.clone(),
                    size: out.size,
                    sha1: out.sha1.clone(),
                    via: TransferVia::PageMode,
                    note: Some(note),
                });
            }
            Err(reason) => {
                let reason = match &out.note {
                    Some(n) => format!("{n}, but that failed too: {reason}"),
                    None => reason,
                };
                self.page_file_failed(out.transfer, reason);
            }
        }
        self.record_page_file_sent(&out, state_words);
    }

    fn record_page_file_sent(&self, out: &Sending, state: TransferState) {
        let row = NewTransfer {
            account: self.account_name().to_string(),
            peer_key: Some(conversation_key(&out.to)),
            direction: Direction::Out,
            file_name: out.name.clone(),
            size: i64::try_from(out.size).ok(),
            sha1: Some(out.sha1.clone()),
            path: Some(out.path.display().to_string()),
            state,
            started_at: out.started_ms,
            peer: Some(conversation_key(&out.to)),
            resume_bytes: None,
            part_path: None,
        };
        let finished = now_ms();
        let _ = self.store.submit(move |store| {
            let result = store
                .insert_transfer(&row)
                .and_then(|id| store.finish_transfer(id, &row.state, finished));
            if let Err(e) = result {
                tracing::warn!("the transfer could not be recorded: {e}");
            }
        });
    }

    /// A MESSAGE whose body is a file arrived: check its size, store it,
    /// and only then answer.
    pub(crate) fn store_page_file(&mut self, token: IncomingToken, message: ArrivedMessage) {
        let Some(file) = message.file.map(|f| *f) else {
            return;
        };
        let limit = incoming_limit(self.chat_settings.max_file_size);
        let size = file.data.len() as u64;
        if size > limit {
            tracing::info!(from = %message.from, size, limit, "refusing a file in a message: too large");
            let answer = IncomingAnswer {
                code: 413,
                headers: Vec::new(),
            };
            let now = self.now();
            self.agent.answer_incoming_with(token, answer, now);
            return self.emit(Event::Error {
                account: Some(self.account_id()),
                message: format!(
                    "{} sent a file in a message ({size} bytes), larger than the {limit} bytes taken here; \
                     it was refused (413)",
                    message.from
                ),
            });
        }
        let name = saved_name(file.name.as_deref(), &file.content_type);
        let sha1 = sha1_hex(&file.data);
        let transfer = TransferId(super::next_message_id().0);
        let new = NewPageFile {
            transfer: NewTransfer {
                account: self.account_name().to_string(),
                peer_key: Some(conversation_key(&message.from)),
                direction: Direction::In,
                file_name: name.clone(),
                size: i64::try_from(size).ok(),
                sha1: Some(sha1.clone()),
                path: None,
                state: TransferState::Offered,
                started_at: now_ms(),
                peer: Some(conversation_key(&message.from)),
                resume_bytes: None,
                part_path: None,
            },
            call_id: message.call_id,
            cseq: message.cseq,
            content_type: file.content_type.clone(),
            data: file.data,
        };
        let offer = Offer {
            row: 0,
            name,
            size,
            sha1,
            saving: false,
        };
        let from = message.from;
        let mime = file.content_type;
        self.store_then(
            move |s| s.insert_page_file(&new),
            move |result| {
                internal(PageFileInternal::Stored {
                    token,
                    transfer,
                    from,
                    offer,
                    mime,
                    result,
                })
            },
        );
    }

    fn page_file_stored(
        &mut self,
        token: IncomingToken,
        transfer: TransferId,
        from: String,
        mut offer: Offer,
        mime: String,
        result: Result<PageFileOutcome, String>,
    ) {
        let now = self.now();
        match result {
            Ok(PageFileOutcome::Inserted(row)) => {
                self.agent.answer_incoming(token, true, now);
                offer.row = row;
                self.emit(Event::TransferOffered {
                    account: self.account_id(),
                    transfer,
                    from,
                    name: offer.name.clone(),
                    size: Some(offer.size),
                    mime: Some(mime),
                    sha1: Some(offer.sha1.clone()),
                    via: TransferVia::PageMode,
                });
                self.page_files.offers.insert(transfer, offer);
                if let Some(dir) = self.chat_settings.accept_files.clone() {
                    self.accept_page_file(transfer, dir);
                }
            }
            // A resend after our 200 was lost: answer again, offer once.
            Ok(PageFileOutcome::Duplicate(_)) => self.agent.answer_incoming(token, true, now),
            Err(e) => {
                tracing::error!("cannot store a file from {from}: {e}");
                self.agent.answer_incoming(token, false, now);
                self.emit(Event::Error {
                    account: Some(self.account_id()),
                    message: format!(
                        "a file from {from} could not be saved ({e}); the sender was told it failed"
                    ),
                });
            }
        }
    }

    /// At start: files that came in MESSAGEs in an earlier run and were
    /// neither saved nor declined are offered again (they were answered
    /// 200, so they must not be lost), or saved into `accept_files`.
    pub(crate) fn load_pending_page_files(&self) {
        let account = self.account_name().to_string();
        self.store_then(
            move |s| s.pending_page_files(&account),
            |result| internal(PageFileInternal::Pending(result)),
        );
    }

    fn offer_pending_page_files(&mut self, result: Result<Vec<PendingPageFile>, String>) {
        let pending = match result {
            Ok(pending) => pending,
            Err(e) => return tracing::warn!("the files waiting for an answer could not be read: {e}"),
        };
        for file in pending {
            let transfer = TransferId(super::next_message_id().0);
            self.emit(Event::TransferOffered {
                account: self.account_id(),
                transfer,
                from: file.peer,
                name: file.name.clone(),
                size: Some(file.size),
                mime: Some(file.content_type),
                sha1: Some(file.sha1.clone()),
                via: TransferVia::PageMode,
            });
            let offer = Offer {
                row: file.row,
                name: file.name,
                size: file.size,
                sha1: file.sha1,
                saving: false,
            };
            self.page_files.offers.insert(transfer, offer);
            if let Some(dir) = self.chat_settings.accept_files.clone() {
                self.accept_page_file(transfer, dir);
            }
        }
    }

    /// Whether `transfer` is a file that came in a MESSAGE and waits here.
    pub(crate) fn is_page_file_offer(&self, transfer: TransferId) -> bool {
        self.page_files.offers.contains_key(&transfer)
    }

    /// `AcceptTransfer` of a file that came in a MESSAGE: read its stored
    /// bytes, then save them.
    pub(crate) fn accept_page_file(&mut self, transfer: TransferId, dir: PathBuf) {
        let Some(offer) = self.page_files.offers.get_mut(&transfer) else {
            return;
        };
        if offer.saving {
            return;
        }
        offer.saving = true;
        let row = offer.row;
        self.store_then(
            move |s| s.page_file_data(row),
            move |result| {
                internal(PageFileInternal::Loaded {
                    transfer,
                    dir,
                    result,
                })
            },
        );
    }

    fn page_file_loaded(
        &mut self,
        transfer: TransferId,
        dir: PathBuf,
        result: Result<Option<Vec<u8>>, String>,
    ) {
        let Some(offer) = self.page_files.offers.get(&transfer).cloned() else {
            return;
        };
        let data = match result {
            Ok(Some(data)) => data,
            Ok(None) => return self.page_file_written(transfer, Err("the file is no longer stored".into())),
            Err(e) => {
                return self.page_file_written(transfer, Err(format!("the stored file cannot be read: {e}")))
            }
        };
        if sha1_hex(&data) != offer.sha1 {
            return self.page_file_written(
                transfer,
                Err("the stored file does not match the SHA-1 it arrived with".into()),
            );
        }
        let tx = self.internal_tx.clone();
        tokio::task::spawn_blocking(move || {
            let result = save(&dir, &offer.name, &data);
            let _ = tx.send(internal(PageFileInternal::Written { transfer, result }));
        });
    }

    fn page_file_written(&mut self, transfer: TransferId, result: Result<PathBuf, String>) {
        let Some(offer) = self.page_files.offers.remove(&transfer) else {
            return;
        };
        let (state, path, event) = match result {
            Ok(path) => (
                TransferState::Done,
                Some(path.display().to_string()),
                Event::TransferDone {
                    transfer,
                    incoming: true,
                    path,
                    size: offer.size,
                    sha1: offer.sha1.clone(),
                    via: TransferVia::PageMode,
                    note: None,
                },
            ),
            Err(reason) => (
                TransferState::failed(reason.as_str()),
                None,
                Event::TransferFailed { transfer, reason },
            ),
        };
        self.finish_page_file_row(offer.row, state, path, event);
    }

    /// `DeclineTransfer` (or `CancelTransfer`) of a file that came in a
    /// MESSAGE: its stored bytes are dropped; nothing is written.
    pub(crate) fn decline_page_file(&mut self, transfer: TransferId) {
        if self.page_files.offers.get(&transfer).is_none_or(|o| o.saving) {
            return;
        }
        let Some(offer) = self.page_files.offers.remove(&transfer) else {
            return;
        };
        let reason = "you declined the file".to_string();
        let state = TransferState::failed(reason.as_str());
        self.finish_page_file_row(offer.row, state, None, Event::TransferFailed { transfer, reason });
    }

    /// Records how an arrived file ended (and drops its bytes), then emits
    /// `event`, so the history already agrees with what the UI is told.
    fn finish_page_file_row(&self, row: i64, state: TransferState, path: Option<String>, event: Event) {
        let finished = now_ms();
        self.store_then(
            move |store| store.finish_page_file(row, &state, path.as_deref(), finished),
            move |result| {
                internal(PageFileInternal::Finished {
                    event: Box::new(event),
                    result,
                })
            },
        );
    }
}

#[cfg(test)]
#[path = "page_file_tests.rs"]
mod tests;
