//! The outbox's store work, as data: the driver runs each op on the store
//! thread, in order, and feeds the input it returns back to the outbox.

use super::{OutboxError, OutboxInput, PUMP_BATCH};
use crate::model::{DeliveryState, MessageId};
use crate::protocol::sip::agent::MessageIdentity;
use crate::store::{NewOutgoing, OutboxEntry, Store};

/// One piece of store work for the outbox.
#[derive(Debug)]
pub(crate) enum OutboxStoreOp {
    /// Store a new outgoing message (queued).
    Queue {
        id: MessageId,
        to: String,
        new: NewOutgoing,
    },
    /// Read the due entries; on the first pump also the `sending` ones an
    /// earlier run left (a crash or a kill cut their attempt short).
    FetchDue { account: String, recover: bool },
    /// Record an attempt (state `sending`, with its identity).
    RecordAttempt {
        entry: Box<OutboxEntry>,
        identity: MessageIdentity,
    },
    /// Record a delivery state of the message to `to`.
    SetState {
        id: MessageId,
        to: String,
        state: DeliveryState,
    },
    /// Put a message of `account` back in the outbox (`Command::RetryMessage`).
    Requeue { id: MessageId, account: String },
}

impl OutboxStoreOp {
    /// Runs the op; `unix_ms` is the time to record.
    pub(crate) fn execute(self, store: &mut Store, unix_ms: i64) -> OutboxInput {
        match self {
            OutboxStoreOp::Queue { id, to, new } => OutboxInput::Queued {
                id,
                to,
                result: store.insert_outgoing(&new).map_err(OutboxError::from),
            },
            OutboxStoreOp::FetchDue { account, recover } => {
                let result = (|| -> Result<Vec<OutboxEntry>, OutboxError> {
                    let mut due = store.outbox_due(&account, unix_ms, PUMP_BATCH)?;
                    if recover {
                        // Attempts cut short by a crash or a kill: resend them as they were.
                        let interrupted = store
                            .outbox_all(&account)?
                            .into_iter()
                            .filter(|e| e.state == DeliveryState::Sending);
                        due.extend(interrupted);
                    }
                    Ok(due)
                })();
                OutboxInput::Due {
                    result,
                    fresh: Vec::new(),
                }
            }
            OutboxStoreOp::RecordAttempt { entry, identity } => {
                let result = store
                    .record_attempt(
                        entry.id,
                        &identity.call_id,
                        &identity.from_tag,
                        identity.cseq,
                        unix_ms,
                    )
                    .map_err(OutboxError::from);
                OutboxInput::AttemptRecorded {
                    entry,
                    identity,
                    result,
                }
            }
            OutboxStoreOp::SetState { id, to, state } => {
                let result = store
                    .set_delivery_state(id, &state, unix_ms)
                    .map_err(OutboxError::from);
                OutboxInput::Persisted {
                    id,
                    to,
                    state,
                    result,
                }
            }
            OutboxStoreOp::Requeue { id, account } => {
                let result = (|| -> Result<(), OutboxError> {
                    match store.message(id)? {
                        Some(m) if m.account == account => {
                            store.set_delivery_state(id, &DeliveryState::Queued, unix_ms)?;
                        }
                        _ => {}
                    }
                    Ok(())
                })();
                OutboxInput::Requeued { id, result }
            }
        }
    }

    /// The input that tells the outbox the op could not run (the store
    /// thread is gone).
    pub(crate) fn not_run(self) -> OutboxInput {
        let gone = || Err(OutboxError::StoreGone);
        match self {
            OutboxStoreOp::Queue { id, to, .. } => OutboxInput::Queued {
                id,
                to,
                result: Err(OutboxError::StoreGone),
            },
            OutboxStoreOp::FetchDue { .. } => OutboxInput::Due {
                result: Err(OutboxError::StoreGone),
                fresh: Vec::new(),
            },
            OutboxStoreOp::RecordAttempt { entry, identity } => OutboxInput::AttemptRecorded {
                entry,
                identity,
                result: gone(),
            },
            OutboxStoreOp::SetState { id, to, state } => OutboxInput::Persisted {
                id,
                to,
                state,
                result: Err(OutboxError::StoreGone),
            },
            OutboxStoreOp::Requeue { id, .. } => OutboxInput::Requeued { id, result: gone() },
        }
    }
}
