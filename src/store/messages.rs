//! Storing messages and reading them back; the text form of delivery states.
//!
//! An incoming message's commit is kept small, since its 200 waits for the
//! sync: one duplicate lookup, one conversation upsert (a group's later
//! messages to the same peer add one update at the end), the row with its
//! indexes, and its id queued for search; `BEGIN` and `COMMIT` are prepared
//! once. A lone message writes about 8 pages to the log.

use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row, Transaction, TransactionBehavior};

use super::columns::{direction_at, id_at, state_at, state_columns};
use super::error::Ctx;
use super::indexing::queue_for_index;
use super::types::{InsertOutcome, NewIncoming, NewOutgoing, StoredMessage, MAX_PAGE_SIZE};
use super::{sql_id, Store, StoreError};
use crate::model::{DeliveryState, MessageId};

/// `SELECT` list and joins read by [`message_from_row`]. The outbox gives
/// the due time of a `retrying` state.
pub(crate) const MESSAGE_SELECT: &str = "SELECT m.id, m.account, c.peer_key, m.direction, m.local_id, \
     m.call_id, m.cseq, m.remote_message_id, m.content_type, m.body, m.file_ref, m.sent_at, \
     m.received_at, m.state, m.state_code, m.state_reason, o.next_attempt_at, m.read, m.untrusted_alert \
     FROM messages m JOIN conversations c ON c.id = m.conversation_id \
     LEFT JOIN outbox o ON o.message_id = m.id";

/// Reads a row of [`MESSAGE_SELECT`].
pub(crate) fn message_from_row(row: &Row<'_>) -> rusqlite::Result<StoredMessage> {
    Ok(StoredMessage {
        id: id_at(row, 0)?,
        account: row.get(1)?,
        peer_key: row.get(2)?,
        direction: direction_at(row, 3)?,
        local_id: row.get(4)?,
        call_id: row.get(5)?,
        cseq: row.get(6)?,
        remote_message_id: row.get(7)?,
        content_type: row.get(8)?,
        body: row.get(9)?,
        file_ref: row.get(10)?,
        sent_at: row.get(11)?,
        received_at: row.get(12)?,
        state: state_at(row, 13)?,
        read: row.get(17)?,
        untrusted_alert: row.get(18)?,
    })
}

/// Creates or updates the conversation and returns its row id.
/// `unread` is added to its unread count; `at` may advance its activity.
fn upsert_conversation(
    tx: &Connection,
    account: &str,
    peer_key: &str,
    peer_address: &str,
    display_name: Option<&str>,
    at: i64,
    unread: u32,
) -> rusqlite::Result<i64> {
    tx.prepare_cached(
        "INSERT INTO conversations (account, peer_key, peer_address, display_name, last_activity, unread) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (account, peer_key) DO UPDATE SET \
           peer_address = excluded.peer_address, \
           display_name = COALESCE(excluded.display_name, conversations.display_name), \
           last_activity = MAX(conversations.last_activity, excluded.last_activity), \
           unread = conversations.unread + excluded.unread \
         RETURNING id",
    )?
    .query_row(
        params![account, peer_key, peer_address, display_name, at, unread],
        |row| row.get(0),
    )
}

/// The id of an already stored copy of `m`, if any.
fn find_duplicate(tx: &Connection, m: &NewIncoming) -> rusqlite::Result<Option<MessageId>> {
    if let (Some(call_id), Some(cseq)) = (&m.call_id, m.cseq) {
        // A row without a From tag (stored before version 5, or sent
        // without one) matches any tag: better shown once than twice.
        let found = tx
            .prepare_cached(
                "SELECT id FROM messages \
                 WHERE account = ?1 AND direction = 'in' AND call_id = ?2 AND cseq = ?3 \
                 AND (from_tag IS NULL OR ?4 IS NULL OR from_tag = ?4) LIMIT 1",
            )?
            .query_row(params![m.account, call_id, cseq, m.from_tag], |row| id_at(row, 0))
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    if let Some(remote_id) = &m.remote_message_id {
        return tx
            .prepare_cached(
                "SELECT m.id FROM messages m JOIN conversations c ON c.id = m.conversation_id \
                 WHERE c.account = ?1 AND c.peer_key = ?2 AND m.direction = 'in' \
                 AND m.remote_message_id = ?3",
            )?
            .query_row(params![m.account, m.peer_key, remote_id], |row| id_at(row, 0))
            .optional();
    }
    Ok(None)
}

/// The row id to insert under: the caller's id (checked to be free) or
/// `None` for SQLite to allocate.
fn new_row_id(
    tx: &Transaction<'_>,
    ctx: Ctx<'_>,
    id: Option<MessageId>,
    what: &'static str,
) -> Result<Option<i64>, StoreError> {
    let Some(id) = id else {
        return Ok(None);
    };
    let key = sql_id(id).ok_or_else(|| ctx.invalid(id, "the id is too large for SQLite"))?;
    let taken = tx
        .prepare_cached("SELECT 1 FROM messages WHERE id = ?1")
        .and_then(|mut stmt| stmt.query_row([key], |_| Ok(())).optional())
        .map_err(ctx.sql(what))?;
    match taken {
        Some(()) => Err(ctx.invalid(id, "the id is already used by another message")),
        None => Ok(Some(key)),
    }
}

/// The id SQLite gave the row just inserted.
fn inserted_id(tx: &Connection) -> rusqlite::Result<MessageId> {
    let id = tx.last_insert_rowid();
    u64::try_from(id)
        .map(MessageId)
        .map_err(|_| rusqlite::Error::IntegralValueOutOfRange(0, id))
}

/// Inserts the row of an incoming message into `conversation` (no
/// duplicate check, not queued for the index).
fn insert_incoming_row(
    tx: &Connection,
    m: &NewIncoming,
    row_id: Option<i64>,
    conversation: i64,
) -> rusqlite::Result<MessageId> {
    tx.prepare_cached(
        "INSERT INTO messages (id, conversation_id, account, direction, call_id, cseq, \
         remote_message_id, content_type, body, file_ref, sent_at, received_at, read, from_tag) \
         VALUES (?1, ?2, ?3, 'in', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?12)",
    )?
    .execute(params![
        row_id,
        conversation,
        m.account,
        m.call_id,
        m.cseq,
        m.remote_message_id,
        m.content_type,
        m.body,
        m.file_ref,
        m.sent_at,
        m.received_at,
        m.from_tag,
    ])?;
    inserted_id(tx)
}

/// Stores one incoming message inside `tx`, unless it is a duplicate, and
/// queues it for the full-text index.
pub(crate) fn insert_incoming_tx(
    tx: &Transaction<'_>,
    ctx: Ctx<'_>,
    m: &NewIncoming,
) -> Result<InsertOutcome, StoreError> {
    const WHAT: &str = "store an incoming message";
    if let Some(existing) = find_duplicate(tx, m).map_err(ctx.sql(WHAT))? {
        return Ok(InsertOutcome::Duplicate(existing));
    }
    let row_id = new_row_id(tx, ctx, m.id, WHAT)?;
    let run = || -> rusqlite::Result<MessageId> {
        let conversation = upsert_conversation(
            tx,
            &m.account,
            &m.peer_key,
            &m.peer_address,
            m.display_name.as_deref(),
            m.received_at,
            1,
        )?;
        let id = insert_incoming_row(tx, m, row_id, conversation)?;
        queue_for_index(tx, [id])?;
        Ok(id)
    };
    run().map(InsertOutcome::Inserted).map_err(ctx.sql(WHAT))
}

/// A conversation that messages of one batch went into: created (or
/// found) and counted with its first message, then updated once at the
/// end for the messages after it (a lone message needs no second write).
struct BatchConversation<'m> {
    id: i64,
    account: &'m str,
    peer_key: &'m str,
    peer_address: &'m str,
    display_name: Option<&'m str>,
    latest: i64,
    /// Messages after the first.
    more: u32,
}

/// The row id a caller-chosen `id` is inserted under, or `None` for
/// SQLite to allocate one.
fn chosen_row_id(ctx: Ctx<'_>, id: Option<MessageId>) -> Result<Option<i64>, StoreError> {
    id.map(|id| sql_id(id).ok_or_else(|| ctx.invalid(id, "the id is too large for SQLite")))
        .transpose()
}

/// Stores a batch of incoming messages on `conn`, inside a transaction:
/// per message a duplicate lookup, the row and its index queue entry; per
/// peer one conversation upsert with the first message, and one update at
/// the end when more messages came.
///
/// A caller-chosen id already taken is found by the insert itself (the
/// row id's uniqueness), not by a lookup before it.
fn insert_incoming_batch_on(
    conn: &Connection,
    ctx: Ctx<'_>,
    batch: &[NewIncoming],
) -> Result<Vec<InsertOutcome>, StoreError> {
    const WHAT: &str = "store an incoming message";
    let mut conversations: Vec<BatchConversation<'_>> = Vec::new();
    let mut outcomes = Vec::with_capacity(batch.len());
    for m in batch {
        // Rows inserted earlier in this batch are seen: a second copy is a duplicate.
        if let Some(existing) = find_duplicate(conn, m).map_err(ctx.sql(WHAT))? {
            outcomes.push(InsertOutcome::Duplicate(existing));
            continue;
        }
        let row_id = chosen_row_id(ctx, m.id)?;
        let known = conversations
            .iter()
            .position(|c| c.account == m.account && c.peer_key == m.peer_key);
        let conversation = match known {
            Some(at) => {
                let c = &mut conversations[at];
                c.more += 1;
                c.latest = c.latest.max(m.received_at);
                c.peer_address = &m.peer_address;
                c.display_name = m.display_name.as_deref().or(c.display_name);
                c.id
            }
            None => {
                let id = upsert_conversation(
                    conn,
                    &m.account,
                    &m.peer_key,
                    &m.peer_address,
                    m.display_name.as_deref(),
                    m.received_at,
                    1,
                )
                .map_err(ctx.sql(WHAT))?;
                conversations.push(BatchConversation {
                    id,
                    account: &m.account,
                    peer_key: &m.peer_key,
                    peer_address: &m.peer_address,
                    display_name: None,
                    latest: m.received_at,
                    more: 0,
                });
                id
            }
        };
        let id = match insert_incoming_row(conn, m, row_id, conversation) {
            Ok(id) => id,
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) && row_id.is_some() => {
                let taken = row_id.and_then(|key| id_taken(conn, key).ok()).unwrap_or(false);
                return Err(match (taken, m.id) {
                    (true, Some(id)) => ctx.invalid(id, "the id is already used by another message"),
                    _ => ctx.sql(WHAT)(e),
                });
            }
            Err(e) => return Err(ctx.sql(WHAT)(e)),
        };
        queue_for_index(conn, [id]).map_err(ctx.sql(WHAT))?;
        outcomes.push(InsertOutcome::Inserted(id));
    }
    let finish = || -> rusqlite::Result<()> {
        for c in conversations.iter().filter(|c| c.more > 0) {
            conn.prepare_cached(
                "UPDATE conversations SET peer_address = ?2, \
                   display_name = COALESCE(?3, display_name), \
                   last_activity = MAX(last_activity, ?4), unread = unread + ?5 \
                 WHERE id = ?1",
            )?
            .execute(params![c.id, c.peer_address, c.display_name, c.latest, c.more])?;
        }
        Ok(())
    };
    finish().map_err(ctx.sql(WHAT))?;
    Ok(outcomes)
}

/// Whether a message row has the id `key`.
fn id_taken(conn: &Connection, key: i64) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT 1 FROM messages WHERE id = ?1")?
        .query_row([key], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// Runs `work` in a write transaction on `conn` whose `BEGIN IMMEDIATE`
/// and `COMMIT` are prepared once (a [`Transaction`] parses them at every
/// commit); rolls back when `work` or the commit fails.
fn in_cached_transaction<T>(
    conn: &Connection,
    ctx: Ctx<'_>,
    what: &'static str,
    work: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.prepare_cached("BEGIN IMMEDIATE")
        .and_then(|mut begin| begin.execute([]))
        .map_err(ctx.sql(what))?;
    let done = work(conn).and_then(|value| {
        conn.prepare_cached("COMMIT")
            .and_then(|mut commit| commit.execute([]))
            .map(|_| value)
            .map_err(ctx.sql(what))
    });
    if done.is_err() && !conn.is_autocommit() {
        if let Err(e) = conn.execute_batch("ROLLBACK") {
            tracing::warn!("{}", ctx.sql(what)(e));
        }
    }
    done
}

/// Stores one outgoing message inside `tx`, queued, with its first history
/// row and its outbox entry.
fn insert_outgoing_tx(
    tx: &Transaction<'_>,
    ctx: Ctx<'_>,
    m: &NewOutgoing,
    with_outbox: bool,
) -> Result<MessageId, StoreError> {
    const WHAT: &str = "store an outgoing message";
    let row_id = new_row_id(tx, ctx, m.id, WHAT)?;
    let run = || -> rusqlite::Result<MessageId> {
        let conversation = upsert_conversation(
            tx,
            &m.account,
            &m.peer_key,
            &m.peer_address,
            m.display_name.as_deref(),
            m.sent_at,
            0,
        )?;
        let state = state_columns(&DeliveryState::Queued).name;
        tx.prepare_cached(
            "INSERT INTO messages (id, conversation_id, account, direction, local_id, content_type, body, \
             file_ref, sent_at, state, read) VALUES (?1, ?2, ?3, 'out', ?4, ?5, ?6, ?7, ?8, ?9, 1)",
        )?
        .execute(params![
            row_id,
            conversation,
            m.account,
            m.local_id,
            m.content_type,
            m.body,
            m.file_ref,
            m.sent_at,
            state
        ])?;
        // The message's id, read before the inserts below move last_insert_rowid.
        let message = inserted_id(tx)?;
        let id = tx.last_insert_rowid();
        tx.prepare_cached("INSERT INTO delivery_history (message_id, state, at) VALUES (?1, ?2, ?3)")?
            .execute(params![id, state, m.sent_at])?;
        if with_outbox {
            tx.prepare_cached(
                "INSERT INTO outbox (message_id, attempts, next_attempt_at) VALUES (?1, 0, ?2)",
            )?
            .execute(params![id, m.sent_at])?;
        }
        queue_for_index(tx, [message])?;
        Ok(message)
    };
    run().map_err(ctx.sql(WHAT))
}

impl Store {
    /// Stores an incoming message, or finds the copy already stored (same
    /// account + Call-ID + From tag + CSeq, whatever the Via branch, or same
    /// Message-ID in the conversation).
    /// Creates the conversation if needed and counts the message unread.
    ///
    /// The transaction is committed (in the log; see the module docs on
    /// durability) before this returns `Ok`:
    /// only then answer the request with 200. Answer a duplicate again, too.
    pub fn insert_incoming(&mut self, m: &NewIncoming) -> Result<InsertOutcome, StoreError> {
        let mut outcomes = self.insert_incoming_batch(std::slice::from_ref(m))?;
        outcomes
            .pop()
            .ok_or_else(|| self.ctx().sql("store an incoming message")(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Stores several incoming messages in one transaction (one disk sync):
    /// group commit for bursts. Outcomes are in the order of `batch`; a later
    /// copy of an earlier message in the same batch is a duplicate of it.
    /// If one message fails, none is stored.
    pub fn insert_incoming_batch(&mut self, batch: &[NewIncoming]) -> Result<Vec<InsertOutcome>, StoreError> {
        const WHAT: &str = "store an incoming message";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        in_cached_transaction(&self.conn, ctx, WHAT, |conn| {
            insert_incoming_batch_on(conn, ctx, batch)
        })
    }

    /// Stores an outgoing message: creates the conversation if needed, the
    /// message in state [`DeliveryState::Queued`] (with its first history
    /// row) and its outbox entry, due at `sent_at`. Returns its id (the
    /// caller's, or one the store allocated).
    pub fn insert_outgoing(&mut self, m: &NewOutgoing) -> Result<MessageId, StoreError> {
        self.insert_outgoing_with(m, true)
    }

    /// Stores an outgoing message of a chat session: like
    /// [`Store::insert_outgoing`] but without an outbox entry, since the
    /// session (not the outbox) sends it. A manual retry later puts it in
    /// the outbox ([`Store::retry_now`]).
    pub fn insert_outgoing_in_session(&mut self, m: &NewOutgoing) -> Result<MessageId, StoreError> {
        self.insert_outgoing_with(m, false)
    }

    fn insert_outgoing_with(&mut self, m: &NewOutgoing, with_outbox: bool) -> Result<MessageId, StoreError> {
        const WHAT: &str = "store an outgoing message";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let id = insert_outgoing_tx(&tx, ctx, m, with_outbox)?;
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok(id)
    }

    /// The highest message id ever stored, deleted ones included (0 when
    /// none): a caller that allocates ids starts above it, so no id is reused.
    pub fn max_message_id(&self) -> Result<MessageId, StoreError> {
        let max: i64 = self
            .conn
            .query_row(
                "SELECT max(COALESCE((SELECT max(id) FROM messages), 0), \
                 COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'messages'), 0))",
                [],
                |row| row.get(0),
            )
            .map_err(self.ctx().sql("find the highest message id"))?;
        Ok(MessageId(u64::try_from(max).unwrap_or(0)))
    }

    /// One message, or `None` if there is no such id.
    pub fn message(&self, id: MessageId) -> Result<Option<StoredMessage>, StoreError> {
        let Some(key) = sql_id(id) else {
            return Ok(None);
        };
        self.conn
            .prepare_cached(&format!("{MESSAGE_SELECT} WHERE m.id = ?1"))
            .and_then(|mut stmt| stmt.query_row([key], message_from_row).optional())
            .map_err(self.ctx().sql("read a message"))
    }

    /// A page of a conversation, newest first: up to `limit` (at most
    /// [`MAX_PAGE_SIZE`]) messages older than `before` (or the newest ones
    /// when `before` is `None`). Pass the last id of a page as `before` to
    /// get the next. An unknown conversation has no messages.
    pub fn messages(
        &self,
        account: &str,
        peer_key: &str,
        before: Option<MessageId>,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        const WHAT: &str = "read a conversation";
        let ctx = self.ctx();
        let Some(conversation) = self.conversation_id(account, peer_key)? else {
            return Ok(Vec::new());
        };
        let before = before.map_or(i64::MAX, |id| sql_id(id).unwrap_or(i64::MAX));
        let limit = i64::try_from(limit.min(MAX_PAGE_SIZE)).unwrap_or(0);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{MESSAGE_SELECT} WHERE m.conversation_id = ?1 AND m.id < ?2 ORDER BY m.id DESC LIMIT ?3"
            ))
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map(params![conversation, before, limit], message_from_row)
            .map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx.sql(WHAT))
    }

    /// The row id of a conversation, if it exists.
    pub(crate) fn conversation_id(&self, account: &str, peer_key: &str) -> Result<Option<i64>, StoreError> {
        self.conn
            .prepare_cached("SELECT id FROM conversations WHERE account = ?1 AND peer_key = ?2")
            .and_then(|mut stmt| stmt.query_row([account, peer_key], |row| row.get(0)).optional())
            .map_err(self.ctx().sql("find a conversation"))
    }
}
