//! The file of a transfer session: what the MSRP task does with it, the
//! RFC 5547 attributes we offer, and its `transfers` row.

use crate::model::{AccountId, TransferId, TransferState};
use crate::protocol::sdp::{FileAttributes, FileHash, FileRange, FileSelector};
use crate::runtime::files::hex;
use crate::runtime::msrp_task::FileJob;
use crate::store::{conversation_key, Direction, NewTransfer};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::Arc;

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
    pub(crate) fn row(
        &self,
        account: &AccountId,
        peer: &str,
        state: TransferState,
        kept: Option<u64>,
    ) -> NewTransfer {
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
