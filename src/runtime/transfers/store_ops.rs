//! The transfers' store work as data: the driver runs it on the store
//! thread ([`TransferStoreOp::execute`]) and feeds any result back, in
//! order.

use super::{TransferError, TransferInput};
use crate::model::{SessionId, TransferState};
use crate::store::{NewTransfer, Store, StoredTransfer, TransferUpdate};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// An interrupted transfer, with the length of its partial file when one
/// is on disk (looked at on the store thread, not in the feature).
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub stored: StoredTransfer,
    pub part_len: Option<u64>,
}

/// A piece of store work for the transfers.
#[derive(Debug)]
pub(crate) enum TransferStoreOp {
    /// The account's interrupted transfers (for a resume).
    Interrupted { session: SessionId, account: String },
    /// A running transfer's row; its id goes into `cell`.
    OpenRow {
        row: Box<NewTransfer>,
        cell: Arc<AtomicI64>,
    },
    /// Bytes confirmed or durable so far.
    Progress { cell: Arc<AtomicI64>, bytes: i64 },
    /// How a transfer ended (its row, or a new one when it had none); a
    /// resumed transfer's old row is closed as `resumed`.
    Finish {
        row: Box<NewTransfer>,
        cell: Arc<AtomicI64>,
        resumed: Option<i64>,
        finished: i64,
    },
    /// A file sent in a MESSAGE, finished.
    RecordPageFile { row: Box<NewTransfer>, finished: i64 },
}

impl TransferStoreOp {
    /// Runs the work; the input to feed back to the transfers, if any.
    pub(crate) fn execute(self, store: &mut Store, _unix_ms: i64) -> Option<TransferInput> {
        match self {
            TransferStoreOp::Interrupted { session, account } => {
                let result = store
                    .interrupted_transfers(Some(&account))
                    .map(|rows| {
                        rows.into_iter()
                            .map(|stored| {
                                let part_len = stored
                                    .transfer
                                    .part_path
                                    .as_ref()
                                    .and_then(|p| std::fs::metadata(p).ok())
                                    .filter(std::fs::Metadata::is_file)
                                    .map(|m| m.len());
                                Candidate { stored, part_len }
                            })
                            .collect()
                    })
                    .map_err(TransferError::from);
                return Some(TransferInput::Candidates { session, result });
            }
            TransferStoreOp::OpenRow { row, cell } => match store.insert_transfer(&row) {
                Ok(id) => cell.store(id, Ordering::Relaxed),
                Err(e) => tracing::warn!("the transfer could not be recorded: {e}"),
            },
            TransferStoreOp::Progress { cell, bytes } => {
                let id = cell.load(Ordering::Relaxed);
                if id > 0 {
                    if let Err(e) = store.set_transfer_progress(id, bytes) {
                        tracing::warn!("the transfer's progress could not be recorded: {e}");
                    }
                }
            }
            TransferStoreOp::Finish {
                row,
                cell,
                resumed,
                finished,
            } => {
                // Work runs in order: the row opened when the transfer
                // started (if it was) has its id by now.
                let id = cell.load(Ordering::Relaxed);
                let update = TransferUpdate {
                    state: row.state.clone(),
                    path: row.path.clone(),
                    sha1: row.sha1.clone(),
                    resume_bytes: row.resume_bytes,
                    part_path: row.part_path.clone(),
                    finished_at: Some(finished),
                };
                let result = resumed
                    .map_or(Ok(()), |old| {
                        store.finish_transfer(old, &TransferState::Resumed, finished)
                    })
                    .and_then(|()| {
                        if id > 0 {
                            store.update_transfer(id, &update)
                        } else {
                            store
                                .insert_transfer(&row)
                                .and_then(|id| store.finish_transfer(id, &row.state, finished))
                        }
                    });
                if let Err(e) = result {
                    tracing::warn!("the transfer could not be recorded: {e}");
                }
            }
            TransferStoreOp::RecordPageFile { row, finished } => {
                let result = store
                    .insert_transfer(&row)
                    .and_then(|id| store.finish_transfer(id, &row.state, finished));
                if let Err(e) = result {
                    tracing::warn!("the transfer could not be recorded: {e}");
                }
            }
        }
        None
    }
}
