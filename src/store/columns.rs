//! How values are written to and read from columns: delivery states as
//! text, ids, directions.

use rusqlite::types::Type;
use rusqlite::Row;

use super::types::Direction;
use crate::model::{DeliveryState, MessageId};

/// A value in the database that this build does not know.
#[derive(Debug, thiserror::Error)]
#[error("unknown value {0:?} (written by a newer sipchat?)")]
pub(crate) struct UnknownValue(pub(crate) String);

/// A delivery state as columns: name (as in the state's serde form), status
/// code, reason, and the due time of the next attempt (`retrying`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StateColumns<'a> {
    /// `queued`, `sending`, `accepted`, `stored_for_later`, `retrying`, `failed`.
    pub(crate) name: &'static str,
    /// SIP status code, if any.
    pub(crate) code: Option<u16>,
    /// Reason in words, if any.
    pub(crate) reason: Option<&'a str>,
    /// When the next attempt is due, for `retrying`.
    pub(crate) retry_at: Option<i64>,
}

/// The columns of a delivery state.
pub(crate) fn state_columns(state: &DeliveryState) -> StateColumns<'_> {
    let plain = |name| StateColumns {
        name,
        code: None,
        reason: None,
        retry_at: None,
    };
    match state {
        DeliveryState::Queued => plain("queued"),
        DeliveryState::Sending => plain("sending"),
        DeliveryState::Accepted => plain("accepted"),
        DeliveryState::StoredForLater => plain("stored_for_later"),
        DeliveryState::Retrying {
            code,
            reason,
            retry_at_ms,
        } => StateColumns {
            name: "retrying",
            code: *code,
            reason: Some(reason),
            retry_at: Some(*retry_at_ms),
        },
        DeliveryState::Failed { code, reason } => StateColumns {
            name: "failed",
            code: *code,
            reason: Some(reason),
            retry_at: None,
        },
    }
}

/// Whether the peer or its server has taken the message: a later failure or
/// retry of another attempt must not undo that.
pub(crate) fn is_success(state: &DeliveryState) -> bool {
    match state {
        DeliveryState::Accepted | DeliveryState::StoredForLater => true,
        DeliveryState::Queued
        | DeliveryState::Sending
        | DeliveryState::Retrying { .. }
        | DeliveryState::Failed { .. } => false,
    }
}

/// Reads a delivery state from four columns starting at `idx` (name, code,
/// reason, retry time); `None` when the name is NULL (incoming messages).
pub(crate) fn state_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DeliveryState>> {
    let Some(name) = row.get::<_, Option<String>>(idx)? else {
        return Ok(None);
    };
    let code: Option<u16> = row.get(idx + 1)?;
    let reason = || {
        row.get::<_, Option<String>>(idx + 2)
            .map(Option::unwrap_or_default)
    };
    let state = match name.as_str() {
        "queued" => DeliveryState::Queued,
        "sending" => DeliveryState::Sending,
        "accepted" => DeliveryState::Accepted,
        "stored_for_later" => DeliveryState::StoredForLater,
        "retrying" => DeliveryState::Retrying {
            code,
            reason: reason()?,
            retry_at_ms: row.get::<_, Option<i64>>(idx + 3)?.unwrap_or(0),
        },
        "failed" => DeliveryState::Failed {
            code,
            reason: reason()?,
        },
        _ => return Err(conversion(idx, UnknownValue(name))),
    };
    Ok(Some(state))
}

/// A column-conversion error carrying `err`.
fn conversion(idx: usize, err: UnknownValue) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(err))
}

/// Reads a message id column.
pub(crate) fn id_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<MessageId> {
    let id: i64 = row.get(idx)?;
    u64::try_from(id)
        .map(MessageId)
        .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(idx, id))
}

/// Reads a direction column.
pub(crate) fn direction_at(row: &Row<'_>, idx: usize) -> rusqlite::Result<Direction> {
    let text: String = row.get(idx)?;
    Direction::parse(&text).ok_or_else(|| conversion(idx, UnknownValue(text)))
}
