//! Files that arrive as the body of a page-mode MESSAGE (RFC 3428; issue
//! #5): Twinkle behind servers without MSRP sends a small file with its own
//! Content-Type and `Content-Disposition: attachment; filename="..."`.
//!
//! The agent marks such a body as a file; here it is checked against the
//! size limit (413 beyond), stored (transfer row and bytes in one
//! transaction) and only then answered 200. `TransferOffered` (with `via:
//! PageMode`) follows; with `accept_files` the file is saved at once, else
//! on `AcceptTransfer` (from the stored bytes; `DeclineTransfer` drops
//! them). Files stored by an earlier run and never answered by the user are
//! offered again at start ([`super::InboxInput::LoadPending`]).

use super::{Inbox, InboxEffect, InboxError, InboxStoreOp};
use crate::model::{TransferId, TransferState};
use crate::protocol::sip::agent::{ArrivedMessage, IncomingAnswer, IncomingToken};
use crate::protocol::sip::disposition::MAX_PAGE_FILE_BYTES;
use crate::runtime::clock::Now;
use crate::runtime::event::{Event, TransferVia};
// Shared file-name helpers (not a feature; they move to `runtime/files.rs`
// with the transfers feature).
use crate::runtime::files::{safe_file_name, FALLBACK_FILE_NAME};
use crate::store::{conversation_key, Direction, NewPageFile, NewTransfer, PageFileOutcome, PendingPageFile};
use sha1::{Digest, Sha1};
use std::fmt::Write as _;
use std::path::PathBuf;

/// A file that came in a MESSAGE, stored and waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Offer {
    pub(super) row: i64,
    pub(super) name: String,
    pub(super) size: u64,
    pub(super) sha1: String,
    /// Being saved (a second accept or a decline is ignored meanwhile).
    pub(super) saving: bool,
}

/// The name an arrived file is saved under: the offered one made safe
/// ([`safe_file_name`]), or, without one,
/// `received-file` with an extension that fits its media type.
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

/// SHA-1 in lower-case hex.
pub(super) fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data).iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}

impl Inbox {
    /// A MESSAGE whose body is a file arrived: check its size, store it,
    /// and only then answer.
    pub(super) fn file_arrived(&mut self, token: IncomingToken, message: ArrivedMessage, now: Now) {
        let Some(file) = message.file.map(|f| *f) else {
            return;
        };
        let limit = incoming_limit(self.settings.max_file_size);
        let size = file.data.len() as u64;
        if size > limit {
            tracing::info!(from = %message.from, size, limit, "refusing a file in a message: too large");
            self.answer(
                token,
                IncomingAnswer {
                    code: 413,
                    headers: Vec::new(),
                },
            );
            return self.emit(Event::Error {
                account: Some(self.settings.account.clone()),
                message: format!(
                    "{} sent a file in a message ({size} bytes), larger than the {limit} bytes taken here; \
                     it was refused (413)",
                    message.from
                ),
            });
        }
        let name = saved_name(file.name.as_deref(), &file.content_type);
        let sha1 = sha1_hex(&file.data);
        let transfer = TransferId(crate::runtime::next_message_id().0);
        let new = NewPageFile {
            transfer: NewTransfer {
                account: self.settings.account.0.clone(),
                peer_key: Some(conversation_key(&message.from)),
                direction: Direction::In,
                file_name: name.clone(),
                size: i64::try_from(size).ok(),
                sha1: Some(sha1.clone()),
                path: None,
                state: TransferState::Offered,
                started_at: now.unix_ms,
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
        self.store(InboxStoreOp::File {
            token,
            transfer,
            from: message.from,
            offer,
            mime: file.content_type,
            new: Box::new(new),
        });
    }

    pub(super) fn file_stored(
        &mut self,
        token: IncomingToken,
        transfer: TransferId,
        from: String,
        mut offer: Offer,
        mime: String,
        result: Result<PageFileOutcome, InboxError>,
    ) {
        match result {
            Ok(PageFileOutcome::Inserted(row)) => {
                self.answer(token, IncomingAnswer::stored(true));
                offer.row = row;
                self.emit(Event::TransferOffered {
                    account: self.settings.account.clone(),
                    transfer,
                    from,
                    name: offer.name.clone(),
                    size: Some(offer.size),
                    mime: Some(mime),
                    sha1: Some(offer.sha1.clone()),
                    via: TransferVia::PageMode,
                });
                self.offers.insert(transfer, offer);
                if let Some(dir) = self.settings.accept_files.clone() {
                    self.accept(transfer, dir);
                }
            }
            // A resend after our 200 was lost: answer again, offer once.
            Ok(PageFileOutcome::Duplicate(_)) => self.answer(token, IncomingAnswer::stored(true)),
            Err(e) => {
                tracing::error!("cannot store a file from {from}: {e}");
                self.answer(token, IncomingAnswer::stored(false));
                self.emit(Event::Error {
                    account: Some(self.settings.account.clone()),
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
    pub(super) fn offer_pending(&mut self, result: Result<Vec<PendingPageFile>, InboxError>) {
        let pending = match result {
            Ok(pending) => pending,
            Err(e) => return tracing::warn!("the files waiting for an answer could not be read: {e}"),
        };
        for file in pending {
            let transfer = TransferId(crate::runtime::next_message_id().0);
            self.emit(Event::TransferOffered {
                account: self.settings.account.clone(),
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
            self.offers.insert(transfer, offer);
            if let Some(dir) = self.settings.accept_files.clone() {
                self.accept(transfer, dir);
            }
        }
    }

    /// `AcceptTransfer`: read the stored bytes, then save them.
    pub(super) fn accept(&mut self, transfer: TransferId, dir: PathBuf) {
        let Some(offer) = self.offers.get_mut(&transfer) else {
            return;
        };
        if offer.saving {
            return;
        }
        offer.saving = true;
        let row = offer.row;
        self.store(InboxStoreOp::LoadFile { transfer, dir, row });
    }

    pub(super) fn loaded(
        &mut self,
        transfer: TransferId,
        dir: PathBuf,
        result: Result<Option<Vec<u8>>, InboxError>,
    ) {
        let Some(offer) = self.offers.get(&transfer).cloned() else {
            return;
        };
        let data = match result {
            Ok(Some(data)) => data,
            Ok(None) => return self.written(transfer, Err(InboxError::NoLongerStored)),
            Err(e) => return self.written(transfer, Err(InboxError::Unreadable(Box::new(e)))),
        };
        if sha1_hex(&data) != offer.sha1 {
            return self.written(transfer, Err(InboxError::HashMismatch));
        }
        self.effects.push_back(InboxEffect::WriteFile {
            transfer,
            dir,
            name: offer.name,
            data,
        });
    }

    pub(super) fn written(&mut self, transfer: TransferId, result: Result<PathBuf, InboxError>) {
        let Some(offer) = self.offers.remove(&transfer) else {
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
            Err(e) => {
                let reason = e.to_string();
                (
                    TransferState::failed(reason.clone()),
                    None,
                    Event::TransferFailed { transfer, reason },
                )
            }
        };
        self.finish(offer.row, state, path, event);
    }

    /// `DeclineTransfer` (or `CancelTransfer`): the stored bytes are
    /// dropped; nothing is written.
    pub(super) fn decline(&mut self, transfer: TransferId) {
        if self.offers.get(&transfer).is_none_or(|o| o.saving) {
            return;
        }
        let Some(offer) = self.offers.remove(&transfer) else {
            return;
        };
        let reason = "you declined the file".to_string();
        let state = TransferState::failed(reason.clone());
        self.finish(offer.row, state, None, Event::TransferFailed { transfer, reason });
    }

    /// Records how an arrived file ended (and drops its bytes), then emits
    /// `event` once that is back, so the history already agrees with what
    /// the UI is told.
    fn finish(&mut self, row: i64, state: TransferState, path: Option<String>, event: Event) {
        self.store(InboxStoreOp::FinishFile {
            row,
            state,
            path,
            event: Box::new(event),
        });
    }
}
