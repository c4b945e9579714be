//! The inbox's store work, as data: the driver runs each op on the store
//! thread, in order, and feeds the input it returns back to the inbox.

use super::{InboxError, InboxInput, Offer, StoredAlert};
use crate::model::{Alert, TransferId, TransferState};
use crate::protocol::alert::Verdict;
use crate::protocol::sip::agent::{ArrivedMessage, IncomingToken};
use crate::runtime::event::Event;
use crate::store::{AlertRecord, InsertOutcome, NewAlert, NewIncoming, NewPageFile, Store, StoreError};
use std::path::PathBuf;

/// One piece of store work for the inbox.
#[derive(Debug)]
pub(crate) enum InboxStoreOp {
    /// Store a plain arrived message.
    Message {
        token: IncomingToken,
        message: Box<ArrivedMessage>,
        new: Box<NewIncoming>,
    },
    /// Store an alert-looking message (and, when raised, its alert log
    /// entry) in one transaction.
    Alert {
        token: IncomingToken,
        message: Box<ArrivedMessage>,
        verdict: Verdict,
        alert: Option<Box<Alert>>,
        new: Box<NewIncoming>,
    },
    /// Store a file that came in a MESSAGE (transfer row and bytes).
    File {
        token: IncomingToken,
        transfer: TransferId,
        from: String,
        offer: Offer,
        mime: String,
        new: Box<NewPageFile>,
    },
    /// Read the files of earlier runs that still wait for an answer.
    LoadPending { account: String },
    /// Read the stored bytes of an accepted file.
    LoadFile {
        transfer: TransferId,
        dir: PathBuf,
        row: i64,
    },
    /// Record how an arrived file ended (and drop its bytes); `event` is
    /// emitted once that is done.
    FinishFile {
        row: i64,
        state: TransferState,
        path: Option<String>,
        event: Box<Event>,
    },
}

/// A plain message whose row went to the store thread's group commit:
/// what the inbox needs back with the outcome.
#[derive(Debug)]
pub(crate) struct WaitingInsert {
    token: IncomingToken,
    message: Box<ArrivedMessage>,
}

impl WaitingInsert {
    /// The inbox's input for the outcome of the commit that held the row;
    /// `None` when it never ran (the store thread is gone).
    pub(crate) fn stored(self, result: Option<Result<InsertOutcome, StoreError>>) -> InboxInput {
        InboxInput::Stored {
            token: self.token,
            message: self.message,
            result: match result {
                Some(result) => result.map_err(InboxError::from),
                None => Err(InboxError::StoreGone),
            },
        }
    }
}

impl InboxStoreOp {
    /// A plain message can be committed together with others that wait
    /// (group commit): its row, and what waits for the outcome. Any other
    /// op comes back unchanged (boxed: the op is large).
    pub(crate) fn into_grouped(self) -> Result<(Box<NewIncoming>, WaitingInsert), Box<InboxStoreOp>> {
        match self {
            InboxStoreOp::Message { token, message, new } => Ok((new, WaitingInsert { token, message })),
            other => Err(Box::new(other)),
        }
    }

    /// Runs the op; `unix_ms` is the time to record.
    pub(crate) fn execute(self, store: &mut Store, unix_ms: i64) -> InboxInput {
        match self {
            InboxStoreOp::Message { token, message, new } => InboxInput::Stored {
                token,
                message,
                result: store.insert_incoming(&new).map_err(InboxError::from),
            },
            InboxStoreOp::Alert {
                token,
                message,
                verdict,
                alert,
                new,
            } => {
                let log = alert.as_deref().map(NewAlert::from_alert);
                let record = match &log {
                    Some(entry) => AlertRecord::Raised(entry),
                    None => AlertRecord::Untrusted,
                };
                let result = store
                    .insert_incoming_alert(&new, record)
                    .map_err(InboxError::from);
                InboxInput::AlertStored(Box::new(StoredAlert {
                    token,
                    message: *message,
                    verdict,
                    alert,
                    result,
                }))
            }
            InboxStoreOp::File {
                token,
                transfer,
                from,
                offer,
                mime,
                new,
            } => InboxInput::FileStored {
                token,
                transfer,
                from,
                offer,
                mime,
                result: store.insert_page_file(&new).map_err(InboxError::from),
            },
            InboxStoreOp::LoadPending { account } => {
                InboxInput::Pending(store.pending_page_files(&account).map_err(InboxError::from))
            }
            InboxStoreOp::LoadFile { transfer, dir, row } => InboxInput::Loaded {
                transfer,
                dir,
                result: store.page_file_data(row).map_err(InboxError::from),
            },
            InboxStoreOp::FinishFile {
                row,
                state,
                path,
                event,
            } => InboxInput::Finished {
                event,
                result: store
                    .finish_page_file(row, &state, path.as_deref(), unix_ms)
                    .map_err(InboxError::from),
            },
        }
    }

    /// The input that tells the inbox the op could not run (the store
    /// thread is gone).
    pub(crate) fn not_run(self) -> InboxInput {
        let gone = InboxError::StoreGone;
        match self {
            InboxStoreOp::Message { token, message, .. } => InboxInput::Stored {
                token,
                message,
                result: Err(gone),
            },
            InboxStoreOp::Alert {
                token,
                message,
                verdict,
                alert,
                ..
            } => InboxInput::AlertStored(Box::new(StoredAlert {
                token,
                message: *message,
                verdict,
                alert,
                result: Err(gone),
            })),
            InboxStoreOp::File {
                token,
                transfer,
                from,
                offer,
                mime,
                ..
            } => InboxInput::FileStored {
                token,
                transfer,
                from,
                offer,
                mime,
                result: Err(gone),
            },
            InboxStoreOp::LoadPending { .. } => InboxInput::Pending(Err(gone)),
            InboxStoreOp::LoadFile { transfer, dir, .. } => InboxInput::Loaded {
                transfer,
                dir,
                result: Err(gone),
            },
            InboxStoreOp::FinishFile { event, .. } => InboxInput::Finished {
                event,
                result: Err(gone),
            },
        }
    }
}
