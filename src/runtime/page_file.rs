//! Small files inside a page-mode MESSAGE (RFC 3428), outgoing (issue #5).
//!
//! Some clients (Twinkle, behind servers such as Yate that carry no MSRP)
//! take a tiny file as the body of a MESSAGE with the file's own
//! Content-Type and `Content-Disposition: attachment; filename="..."`.
//! Receiving such files is the inbox's (`inbox/page_files.rs`).
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
use super::transfer_io::hex;
use crate::model::{DeliveryState, MessageId, TransferId};
use crate::protocol::sip::agent::{Hop, PageFileBody};
use crate::protocol::sip::uri::SipUri;
use crate::store::{conversation_key, Direction, NewTransfer, TransferState};
use crate::transport::stream::StreamHandle;
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::path::PathBuf;

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

/// Page-mode file state of one account.
#[derive(Debug, Default)]
pub(crate) struct PageFiles {
    /// `Auto` transfers offered as sessions, which may still fall back.
    auto: HashMap<TransferId, PathBuf>,
    /// Files in MESSAGEs on their way out, by the MESSAGE's id.
    sending: HashMap<MessageId, Sending>,
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
}

fn internal(work: PageFileInternal) -> Internal {
    Internal::PageFile(Box::new(work))
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
            internal(PageFileInternal::Routed {
                id,
                route: route.map_err(|e| e.to_string()),
            })
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
}

#[cfg(test)]
#[path = "page_file_tests.rs"]
mod tests;
