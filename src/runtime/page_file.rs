//! Small files coming in inside a page-mode MESSAGE (RFC 3428; issue #5).
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
//! moves it to a safe name that overwrites nothing (`files.rs` helpers),
//! then `TransferDone`.
//!
//! Sending is the transfers feature's
//! ([`crate::runtime::transfers::page_mode`]).

use super::endpoint::{Endpoint, Internal};
use super::event::{Event, TransferVia};
use super::files::{hex, publish, safe_file_name, FALLBACK_FILE_NAME};
use super::outbox::now_ms;
use crate::model::TransferId;
use crate::protocol::sip::agent::{ArrivedMessage, IncomingAnswer, IncomingToken};
use crate::protocol::sip::disposition::MAX_PAGE_FILE_BYTES;
use crate::store::{conversation_key, Direction, NewPageFile, NewTransfer, PageFileOutcome, PendingPageFile};
use sha1::{Digest, Sha1};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

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

fn sha1_hex(data: &[u8]) -> String {
    hex(&Sha1::digest(data))
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
    /// Files that came in MESSAGEs and wait for a decision.
    offers: HashMap<TransferId, Offer>,
}

/// Results of page-mode file work, back on the endpoint loop.
#[derive(Debug)]
pub(crate) enum PageFileInternal {
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
    publish(&temp, dir, name).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        e.to_string()
    })
}

impl Endpoint {
    /// Work for page-mode files came back.
    pub(crate) fn on_page_file_internal(&mut self, work: PageFileInternal) {
        match work {
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
                state: "offered".into(),
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
                "done".to_string(),
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
                format!("failed: {reason}"),
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
        let state = format!("failed: {reason}");
        self.finish_page_file_row(offer.row, state, None, Event::TransferFailed { transfer, reason });
    }

    /// Records how an arrived file ended (and drops its bytes), then emits
    /// `event`, so the history already agrees with what the UI is told.
    fn finish_page_file_row(&self, row: i64, state: String, path: Option<String>, event: Event) {
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
