//! Small files of ours sent inside a page-mode MESSAGE (RFC 3428; issue
//! #5), for peers such as Twinkle behind servers that carry no MSRP.
//!
//! `SendFile` with [`FileSendMode::PageMode`](crate::runtime::FileSendMode),
//! or [`FileSendMode::Auto`](crate::runtime::FileSendMode) when the peer
//! refused the file session with a status that means "no sessions here"
//! ([`SESSION_REFUSAL_CODES`]), for files of at most
//! [`PAGE_MODE_FILE_MAX_BYTES`]: the file is read
//! ([`TransferEffect::ReadPageFile`]), routed, and sent with its own
//! Content-Type and `Content-Disposition: attachment`. The outcome of the
//! MESSAGE is the outcome of the transfer.

use super::{TransferEffect, TransferError, TransferStoreOp, Transfers};
use crate::model::{DeliveryState, MessageId, SessionId, TransferId, TransferState};
use crate::protocol::sip::agent::{Hop, PageFileBody};
use crate::protocol::sip::uri::SipUri;
use crate::runtime::event::{Event, TransferVia};
use crate::runtime::files::{self, hex};
use crate::store::{conversation_key, Direction, NewTransfer};
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
/// Answers to a file session's INVITE that mean the peer, or a server on
/// the way to it, takes no MSRP sessions at all (Forbidden, as servers set
/// up for messaging only answer; Method Not Allowed; Unsupported Media
/// Type; Not Acceptable Here; Not Implemented; Not Acceptable): then, in
/// `Auto` mode, a small file goes as a MESSAGE. A decline, busy, offline
/// or silence never falls back, nor does a refusal that says why in a
/// `399` Warning (the peer takes sessions, just not this one).
pub const SESSION_REFUSAL_CODES: &[u16] = &[403, 405, 415, 488, 501, 606];
/// A page-mode file at most this big goes over UDP when the peer's address
/// names no transport (the rest of the 1300-byte MESSAGE is headers).
pub const UDP_FILE_BYTES: usize = 600;

/// Whether a failed INVITE's status says the peer takes no sessions.
pub fn refuses_sessions(code: Option<u16>) -> bool {
    code.is_some_and(|c| SESSION_REFUSAL_CODES.contains(&c))
}

/// Why a file of `len` bytes to send is refused as a page-mode MESSAGE.
pub fn check_outgoing_size(len: u64) -> Result<(), TransferError> {
    if len > PAGE_MODE_FILE_MAX_BYTES {
        return Err(TransferError::TooLargeForPage { len });
    }
    Ok(())
}

/// The user part of an address, for words ("bob").
pub(crate) fn who(peer: &str) -> String {
    SipUri::parse(peer)
        .ok()
        .and_then(|u| u.user.or(Some(u.host)))
        .unwrap_or_else(|| peer.to_string())
}

/// A file we send in a MESSAGE.
#[derive(Debug)]
pub(super) struct Sending {
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

/// Page-mode files out of one account.
#[derive(Debug, Default)]
pub(super) struct PageFiles {
    /// `Auto` transfers offered as sessions, which may still fall back.
    pub(super) auto: HashMap<TransferId, PathBuf>,
    /// Files in MESSAGEs on their way out, by the MESSAGE's id.
    sending: HashMap<MessageId, Sending>,
}

impl Transfers {
    /// Whether `id` is a MESSAGE carrying one of our files.
    pub(crate) fn is_page_file(&self, id: MessageId) -> bool {
        self.page.sending.contains_key(&id)
    }

    /// A file session's INVITE failed with `code`: when it was an `Auto`
    /// transfer of a small file and the peer takes no sessions, the
    /// session is dropped quietly and the file goes as a MESSAGE. True
    /// when it did.
    pub(super) fn page_fallback(&mut self, session: SessionId, code: Option<u16>) -> bool {
        if !refuses_sessions(code) {
            return false;
        }
        let Some(t) = self.map.get(&session) else {
            return false;
        };
        let transfer = t.file.id;
        let Some(path) = self.page.auto.get(&transfer).cloned() else {
            return false;
        };
        // The size the file was hashed with, moments ago.
        if t.file.size > PAGE_MODE_FILE_MAX_BYTES {
            return false;
        }
        let peer = t.peer.clone();
        let task = t.task;
        self.page.auto.remove(&transfer);
        self.map.remove(&session);
        self.by_id.remove(&transfer);
        if task {
            self.effects.push_back(TransferEffect::Task {
                session,
                command: crate::runtime::msrp_task::TaskCommand::Close,
            });
        }
        self.effects.push_back(TransferEffect::Release { session });
        let note = format!(
            "{} does not take file sessions (answer {}); sent as a message instead",
            who(&peer),
            code.unwrap_or_default()
        );
        tracing::info!(%transfer, "{note}");
        self.send_page_file(transfer, peer, path, Some(note));
        true
    }

    /// Reads the file (an effect), then sends it.
    pub(super) fn send_page_file(
        &mut self,
        transfer: TransferId,
        to: String,
        path: PathBuf,
        note: Option<String>,
    ) {
        if let Err(e) = SipUri::parse(&to) {
            return self.failed_event(transfer, e.to_string());
        }
        self.effects.push_back(TransferEffect::ReadPageFile {
            transfer,
            to,
            path,
            note,
        });
    }

    pub(super) fn page_file_read(
        &mut self,
        transfer: TransferId,
        to: String,
        path: PathBuf,
        note: Option<String>,
        data: Vec<u8>,
    ) {
        let (name, mime) = files::outgoing_name_and_type(&path);
        let id = MessageId(transfer.0);
        let len = data.len();
        self.page.sending.insert(
            id,
            Sending {
                transfer,
                to: to.clone(),
                path,
                name,
                mime,
                sha1: hex(&Sha1::digest(&data)),
                size: len as u64,
                data,
                note,
                started_ms: self.now.unix_ms,
            },
        );
        // Peer to peer: a MESSAGE too big for UDP goes over TCP (RFC 3261
        // 18.1.1), unless the address names its transport.
        let target = match SipUri::parse(&to) {
            Ok(mut uri)
                if !self.config.server_account && len > UDP_FILE_BYTES && uri.transport_param().is_none() =>
            {
                uri.params.push(crate::protocol::sip::header_value::Param::new(
                    "transport",
                    Some("tcp"),
                ));
                uri.to_string()
            }
            _ => to,
        };
        self.effects
            .push_back(TransferEffect::RoutePageFile { id, target });
    }

    pub(super) fn page_file_routed(&mut self, id: MessageId, result: Result<Hop, TransferError>) {
        match result {
            Ok(hop) => {
                let Some(out) = self.page.sending.get_mut(&id) else {
                    return;
                };
                let body = PageFileBody {
                    content_type: out.mime.clone(),
                    name: out.name.clone(),
                    data: std::mem::take(&mut out.data),
                };
                let to = out.to.clone();
                self.effects
                    .push_back(TransferEffect::SendPageFile { id, to, body, hop });
            }
            Err(e) => {
                if let Some(out) = self.page.sending.remove(&id) {
                    self.failed_event(out.transfer, e.to_string());
                }
            }
        }
    }

    /// The MESSAGE carrying one of our files moved on.
    pub(super) fn page_file_delivery(&mut self, id: MessageId, state: DeliveryState) {
        if !state.is_final() {
            return;
        }
        let Some(out) = self.page.sending.remove(&id) else {
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
            Err(reason) => TransferState::failed(reason.clone()),
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
                self.failed_event(out.transfer, reason);
            }
        }
        let row = NewTransfer {
            account: self.config.account.0.clone(),
            peer_key: Some(conversation_key(&out.to)),
            direction: Direction::Out,
            file_name: out.name.clone(),
            size: i64::try_from(out.size).ok(),
            sha1: Some(out.sha1.clone()),
            path: Some(out.path.display().to_string()),
            state: state_words,
            started_at: out.started_ms,
            peer: Some(conversation_key(&out.to)),
            resume_bytes: None,
            part_path: None,
        };
        self.store(TransferStoreOp::RecordPageFile {
            row: Box::new(row),
            finished: self.now.unix_ms,
        });
    }
}
