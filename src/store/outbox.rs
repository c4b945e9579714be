//! Delivery states of outgoing messages, their history, and the outbox the
//! runtime retries from.
//!
//! Life of an outgoing message:
//! 1. [`Store::insert_outgoing`]: `queued`, in the outbox, due now.
//! 2. [`Store::record_attempt`] just before a request goes out: `sending`,
//!    with the Call-ID / From tag / CSeq saved (a resend after a crash reuses
//!    them, so the peer can recognise the duplicate).
//! 3. Either a final answer: [`Store::set_delivery_state`] with `accepted`,
//!    `stored_for_later` or `failed` removes it from the outbox; or a
//!    retryable one (408/480/503, no registration):
//!    `set_delivery_state(Retrying { .. })` (or [`Store::reschedule`]) keeps
//!    it in the outbox, due at the retry time, one attempt more.
//! 4. A failed message is retried by hand with `set_delivery_state(Queued)`,
//!    which puts it back in the outbox, due at once.

use rusqlite::{params, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::columns::{id_at, is_success, state_at, state_columns};
use super::error::Ctx;
use super::types::{OutboxEntry, StateChange};
use super::{sql_id, Store, StoreError};
use crate::model::{DeliveryState, MessageId};

/// Largest `limit` [`Store::outbox_due`] honours.
pub const MAX_OUTBOX_BATCH: usize = 1000;

/// `SELECT` list read by [`entry_from_row`].
const OUTBOX_SELECT: &str = "SELECT m.id, m.account, c.peer_key, c.peer_address, m.local_id, \
     m.content_type, m.body, m.file_ref, m.sent_at, m.state, m.state_code, m.state_reason, \
     o.next_attempt_at, o.attempts, o.next_attempt_at, o.last_error, o.call_id, o.from_tag, o.cseq \
     FROM outbox o JOIN messages m ON m.id = o.message_id \
     JOIN conversations c ON c.id = m.conversation_id";

/// Reads a row of [`OUTBOX_SELECT`].
fn entry_from_row(row: &Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: id_at(row, 0)?,
        account: row.get(1)?,
        peer_key: row.get(2)?,
        peer_address: row.get(3)?,
        local_id: row.get(4)?,
        content_type: row.get(5)?,
        body: row.get(6)?,
        file_ref: row.get(7)?,
        sent_at: row.get(8)?,
        state: state_at(row, 9)?.unwrap_or(DeliveryState::Queued),
        attempts: row.get(13)?,
        next_attempt_at: row.get(14)?,
        last_error: row.get(15)?,
        call_id: row.get(16)?,
        from_tag: row.get(17)?,
        cseq: row.get(18)?,
    })
}

/// The current state of an outgoing message; `None` if there is no such
/// message, `Some(None)` if it is an incoming one.
fn current_state(tx: &Transaction<'_>, id: i64) -> rusqlite::Result<Option<Option<DeliveryState>>> {
    tx.prepare_cached(
        "SELECT m.state, m.state_code, m.state_reason, o.next_attempt_at \
         FROM messages m LEFT JOIN outbox o ON o.message_id = m.id WHERE m.id = ?1",
    )?
    .query_row([id], |row| state_at(row, 0))
    .optional()
}

/// Sets the message's state columns, appends a history row and keeps the
/// outbox in step: a final state removes the entry; `retrying` puts it
/// (back) with one attempt more, due at the retry time; `queued` puts it
/// (back) due at `at`; `sending` puts it back if it was gone.
fn write_state(tx: &Transaction<'_>, id: i64, state: &DeliveryState, at: i64) -> rusqlite::Result<()> {
    let cols = state_columns(state);
    tx.prepare_cached("UPDATE messages SET state = ?2, state_code = ?3, state_reason = ?4 WHERE id = ?1")?
        .execute(params![id, cols.name, cols.code, cols.reason])?;
    tx.prepare_cached(
        "INSERT INTO delivery_history (message_id, state, code, reason, retry_at, at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![id, cols.name, cols.code, cols.reason, cols.retry_at, at])?;
    match state {
        DeliveryState::Accepted | DeliveryState::StoredForLater | DeliveryState::Failed { .. } => {
            tx.prepare_cached("DELETE FROM outbox WHERE message_id = ?1")?
                .execute([id])?;
        }
        DeliveryState::Retrying { .. } => {
            tx.prepare_cached(
                "INSERT INTO outbox (message_id, attempts, next_attempt_at, last_error) \
                 VALUES (?1, 1, ?2, ?3) ON CONFLICT (message_id) DO UPDATE SET \
                 attempts = attempts + 1, next_attempt_at = excluded.next_attempt_at, \
                 last_error = excluded.last_error",
            )?
            .execute(params![id, cols.retry_at.unwrap_or(at), cols.reason])?;
        }
        DeliveryState::Queued => {
            tx.prepare_cached(
                "INSERT INTO outbox (message_id, attempts, next_attempt_at) VALUES (?1, 0, ?2) \
                 ON CONFLICT (message_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at",
            )?
            .execute([id, at])?;
        }
        DeliveryState::Sending => {
            tx.prepare_cached(
                "INSERT INTO outbox (message_id, attempts, next_attempt_at) VALUES (?1, 0, ?2) \
                 ON CONFLICT (message_id) DO NOTHING",
            )?
            .execute([id, at])?;
        }
    }
    Ok(())
}

impl Store {
    /// Records a delivery state of an outgoing message at `at_ms` and appends
    /// it to the history. A final state (accepted, stored for later, failed)
    /// removes the message from the outbox. `Retrying` keeps it there (or
    /// puts it back) with one attempt more, due at its `retry_at_ms`, with
    /// its reason as `last_error`. `Queued` puts it (back) due at `at_ms`:
    /// a retry by hand.
    ///
    /// Returns `Ok(false)` and changes nothing when the message was already
    /// accepted or stored for later and `state` is not: a stale outcome of a
    /// racing attempt must not undo a success. Otherwise `Ok(true)`.
    pub fn set_delivery_state(
        &mut self,
        id: MessageId,
        state: &DeliveryState,
        at_ms: i64,
    ) -> Result<bool, StoreError> {
        const WHAT: &str = "record a delivery state";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let key = sql_id(id).ok_or_else(|| ctx.not_found("message", id))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let current = match current_state(&tx, key).map_err(ctx.sql(WHAT))? {
            None => return Err(ctx.not_found("message", id)),
            Some(None) => return Err(ctx.invalid(id, "an incoming message has no delivery state")),
            Some(Some(current)) => current,
        };
        if is_success(&current) && !is_success(state) {
            tracing::debug!(%id, ?current, ?state, "ignoring a stale delivery state");
            return Ok(false);
        }
        write_state(&tx, key, state, at_ms).map_err(ctx.sql(WHAT))?;
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok(true)
    }

    /// Records that an attempt is about to go out: the state becomes
    /// `sending` and the request's Call-ID, From tag and CSeq are saved on
    /// the outbox entry and the message. Call it before sending.
    /// [`StoreError::NotFound`] if the message is not in the outbox (it
    /// reached a final state meanwhile: do not send).
    pub fn record_attempt(
        &mut self,
        id: MessageId,
        call_id: &str,
        from_tag: &str,
        cseq: u32,
        at_ms: i64,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "record a send attempt";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let key = sql_id(id).ok_or_else(|| ctx.not_found("outbox entry for message", id))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let run = || -> rusqlite::Result<usize> {
            let changed = tx
                .prepare_cached(
                    "UPDATE outbox SET call_id = ?2, from_tag = ?3, cseq = ?4 WHERE message_id = ?1",
                )?
                .execute(params![key, call_id, from_tag, cseq])?;
            if changed == 0 {
                return Ok(0);
            }
            tx.prepare_cached("UPDATE messages SET call_id = ?2, cseq = ?3 WHERE id = ?1")?
                .execute(params![key, call_id, cseq])?;
            write_state(&tx, key, &DeliveryState::Sending, at_ms)?;
            Ok(changed)
        };
        if run().map_err(ctx.sql(WHAT))? == 0 {
            return Err(ctx.not_found("outbox entry for message", id));
        }
        tx.commit().map_err(ctx.sql(WHAT))
    }

    /// An attempt failed in a way worth retrying: records
    /// `Retrying { code: None, reason: last_error, retry_at_ms:
    /// next_attempt_at_ms }` at `now_ms` (one attempt more, due then). Use
    /// [`Store::set_delivery_state`] with `Retrying` to keep the status code.
    /// [`StoreError::NotFound`] if the message is not in the outbox (already
    /// final: nothing to retry).
    pub fn reschedule(
        &mut self,
        id: MessageId,
        now_ms: i64,
        next_attempt_at_ms: i64,
        last_error: &str,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "reschedule a message";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let key = sql_id(id).ok_or_else(|| ctx.not_found("outbox entry for message", id))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let state = DeliveryState::Retrying {
            code: None,
            reason: last_error.to_string(),
            retry_at_ms: next_attempt_at_ms,
        };
        let run = || -> rusqlite::Result<bool> {
            let queued = tx
                .prepare_cached("SELECT 1 FROM outbox WHERE message_id = ?1")?
                .query_row([key], |_| Ok(()))
                .optional()?
                .is_some();
            if queued {
                write_state(&tx, key, &state, now_ms)?;
            }
            Ok(queued)
        };
        if !run().map_err(ctx.sql(WHAT))? {
            return Err(ctx.not_found("outbox entry for message", id));
        }
        tx.commit().map_err(ctx.sql(WHAT))
    }

    /// Outbox entries of `account` (`queued` or `retrying`) due at `now_ms`,
    /// oldest due first, at most `limit` (capped at [`MAX_OUTBOX_BATCH`]).
    /// Entries in state `sending` are in flight and not listed (see
    /// [`Store::outbox_all`]).
    pub fn outbox_due(
        &self,
        account: &str,
        now_ms: i64,
        limit: usize,
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        let limit = i64::try_from(limit.min(MAX_OUTBOX_BATCH)).unwrap_or(0);
        self.outbox_query(
            &format!(
                "{OUTBOX_SELECT} WHERE m.account = ?1 AND o.next_attempt_at <= ?2 AND m.state IN ('queued', 'retrying') \
                 ORDER BY o.next_attempt_at, o.message_id LIMIT ?3"
            ),
            params![account, now_ms, limit],
        )
    }

    /// Fails every outgoing message left `queued` or `sending` without an
    /// outbox entry: chat messages whose session ended with the program
    /// (the outbox keeps page-mode ones, which are retried instead).
    /// Returns their ids. Call once at start-up, before any session opens.
    pub fn fail_orphaned_outgoing(&mut self, reason: &str, at_ms: i64) -> Result<Vec<MessageId>, StoreError> {
        const WHAT: &str = "close messages of ended chats";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let ids: Vec<i64> = {
            let mut stmt = tx
                .prepare_cached(
                    "SELECT id FROM messages WHERE direction = 'out' AND state IN ('queued', 'sending') \
                     AND id NOT IN (SELECT message_id FROM outbox)",
                )
                .map_err(ctx.sql(WHAT))?;
            let rows = stmt
                .query_map([], |r| r.get::<_, i64>(0))
                .map_err(ctx.sql(WHAT))?;
            rows.collect::<rusqlite::Result<_>>().map_err(ctx.sql(WHAT))?
        };
        let failed = DeliveryState::Failed {
            code: None,
            reason: reason.to_string(),
        };
        for id in &ids {
            write_state(&tx, *id, &failed, at_ms).map_err(ctx.sql(WHAT))?;
        }
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok(ids
            .into_iter()
            .filter_map(|id| u64::try_from(id).ok())
            .map(MessageId)
            .collect())
    }

    /// Every outbox entry of `account`, by id. At start-up, entries still
    /// `sending` were interrupted: resend them with their saved Call-ID,
    /// From tag and CSeq, or reschedule them.
    pub fn outbox_all(&self, account: &str) -> Result<Vec<OutboxEntry>, StoreError> {
        self.outbox_query(
            &format!("{OUTBOX_SELECT} WHERE m.account = ?1 ORDER BY o.message_id"),
            params![account],
        )
    }

    /// Runs an outbox query.
    fn outbox_query(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<OutboxEntry>, StoreError> {
        const WHAT: &str = "read the outbox";
        let ctx = self.ctx();
        let mut stmt = self.conn.prepare_cached(sql).map_err(ctx.sql(WHAT))?;
        let rows = stmt.query_map(params, entry_from_row).map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx.sql(WHAT))
    }

    /// Every recorded state change of a message, oldest first (empty for an
    /// incoming message). [`StoreError::NotFound`] if there is no such message.
    pub fn delivery_history(&self, id: MessageId) -> Result<Vec<StateChange>, StoreError> {
        const WHAT: &str = "read a delivery history";
        let ctx = self.ctx();
        let key = sql_id(id).ok_or_else(|| ctx.not_found("message", id))?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT state, code, reason, retry_at, at FROM delivery_history WHERE message_id = ?1 \
                 ORDER BY id",
            )
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map([key], state_change_from_row)
            .map_err(ctx.sql(WHAT))?;
        let changes = rows
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(ctx.sql(WHAT))?;
        if changes.is_empty() && self.message(id)?.is_none() {
            return Err(ctx.not_found("message", id));
        }
        Ok(changes)
    }
}

/// Reads `state, code, reason, retry_at, at` of a `delivery_history` row.
pub(crate) fn state_change_from_row(row: &Row<'_>) -> rusqlite::Result<StateChange> {
    Ok(StateChange {
        state: state_at(row, 0)?.unwrap_or(DeliveryState::Queued),
        at: row.get(4)?,
    })
}
