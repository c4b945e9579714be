//! The full-text index follows the commits that store messages (schema 8).
//!
//! Storing a message adds its id to `messages_fts_pending` in the same
//! transaction ([`queue_for_index`]), so the commit that must be durable
//! before the 200 writes one small page instead of a new index segment.
//! [`Store::index_pending`] later indexes the pending rows together, in one
//! transaction and one segment (the runtime's store thread calls it a short
//! while after work, at its start and when it stops). Until then
//! [`search_pending`] searches the pending rows with a scratch index in
//! memory, the same tokenizer and the same query, so a search finds every
//! stored message, on a read-only store too. Rows a crash left pending stay
//! in the file and are indexed by the next writer.

use std::collections::HashMap;

use rusqlite::{params, Connection, TransactionBehavior};

use super::columns::{direction_at, id_at};
use super::error::Ctx;
use super::{sql_id, SearchHit, Store, StoreError};
use crate::model::{Direction, MessageId};

/// Most pending rows one [`Store::index_pending`] transaction indexes, so
/// one call never holds the store thread for long.
pub const MAX_INDEX_BATCH: usize = 2_048;

/// Marks messages stored inside `tx` for the index.
pub(crate) fn queue_for_index(
    tx: &Connection,
    ids: impl IntoIterator<Item = MessageId>,
) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare_cached("INSERT OR IGNORE INTO messages_fts_pending (id) VALUES (?1)")?;
    for id in ids {
        let key = sql_id(id).ok_or(rusqlite::Error::IntegralValueOutOfRange(0, i64::MAX))?;
        stmt.execute([key])?;
    }
    Ok(())
}

/// A pending message that matched, before its snippet is known.
struct PendingRow {
    account: String,
    peer_key: String,
    display_name: Option<String>,
    direction: Direction,
    at: i64,
}

/// The pending messages (in `account`, or all) that match the FTS5
/// `query`, newest first, at most `limit`: indexed in a private in-memory
/// database with the history's tokenizer, so they match as they will once
/// indexed.
pub(crate) fn search_pending(
    conn: &Connection,
    query: &str,
    account: Option<&str>,
    limit: i64,
    snippet_tokens: i64,
) -> rusqlite::Result<Vec<SearchHit>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.id, m.account, c.peer_key, c.display_name, m.direction, \
         COALESCE(m.received_at, m.sent_at, 0), m.body \
         FROM messages_fts_pending p JOIN messages m ON m.id = p.id \
         JOIN conversations c ON c.id = m.conversation_id \
         WHERE ?1 IS NULL OR m.account = ?1",
    )?;
    let mut rows = stmt.query(params![account])?;
    let mut pending: HashMap<i64, PendingRow> = HashMap::new();
    let mut scratch: Option<Connection> = None;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let body: String = row.get(6)?;
        if scratch.is_none() {
            scratch = Some(scratch_index()?);
        }
        if let Some(index) = &scratch {
            index
                .prepare_cached("INSERT INTO pending (rowid, body) VALUES (?1, ?2)")?
                .execute(params![id, body])?;
        }
        pending.insert(
            id,
            PendingRow {
                account: row.get(1)?,
                peer_key: row.get(2)?,
                display_name: row.get(3)?,
                direction: direction_at(row, 4)?,
                at: row.get(5)?,
            },
        );
    }
    let Some(index) = scratch else {
        return Ok(Vec::new());
    };
    let mut matches = index.prepare(
        "SELECT rowid, snippet(pending, 0, '[', ']', '…', ?2) FROM pending \
         WHERE pending MATCH ?1 ORDER BY rowid DESC LIMIT ?3",
    )?;
    let found = matches.query_map(params![query, snippet_tokens, limit], |row| {
        Ok((row.get::<_, i64>(0)?, id_at(row, 0)?, row.get::<_, String>(1)?))
    })?;
    let mut hits = Vec::new();
    for result in found {
        let (key, id, snippet) = result?;
        if let Some(row) = pending.remove(&key) {
            hits.push(SearchHit {
                id,
                account: row.account,
                peer_key: row.peer_key,
                display_name: row.display_name,
                direction: row.direction,
                at: row.at,
                snippet,
            });
        }
    }
    Ok(hits)
}

/// An empty in-memory FTS5 table `pending` tokenizing like `messages_fts`
/// (schema 1).
fn scratch_index() -> rusqlite::Result<Connection> {
    let index = Connection::open_in_memory()?;
    index.execute_batch(
        "CREATE VIRTUAL TABLE pending USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2')",
    )?;
    Ok(index)
}

impl Store {
    /// Indexes up to [`MAX_INDEX_BATCH`] pending messages (the oldest) in
    /// one transaction and returns how many were pending in that range; 0
    /// when none was (then nothing is written).
    pub fn index_pending(&mut self) -> Result<usize, StoreError> {
        const WHAT: &str = "index stored messages for search";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let limit = i64::try_from(MAX_INDEX_BATCH).unwrap_or(i64::MAX);
        let (count, last): (i64, Option<i64>) = self
            .conn
            .query_row(
                "SELECT count(*), max(id) FROM \
                 (SELECT id FROM messages_fts_pending ORDER BY id LIMIT ?1)",
                [limit],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .map_err(ctx.sql(WHAT))?;
        let Some(last) = last else {
            return Ok(0);
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        // One statement: FTS5 keeps the terms in memory and writes one
        // segment at the commit.
        tx.prepare_cached(
            "INSERT INTO messages_fts (rowid, body) SELECT m.id, m.body \
             FROM messages_fts_pending p JOIN messages m ON m.id = p.id WHERE p.id <= ?1",
        )
        .and_then(|mut stmt| stmt.execute([last]))
        .and_then(|_| {
            tx.prepare_cached("DELETE FROM messages_fts_pending WHERE id <= ?1")
                .and_then(|mut stmt| stmt.execute([last]))
        })
        .map_err(ctx.sql(WHAT))?;
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// How many stored messages wait for the full-text index.
    pub fn pending_index_rows(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM messages_fts_pending", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| u64::try_from(n).unwrap_or(0))
            .map_err(self.ctx().sql("count messages waiting for the index"))
    }
}
