//! Files that arrived inside a page-mode MESSAGE (schema step
//! [`super::schema::V4`]): the transfer row and the file's bytes
//! are committed together, before the MESSAGE is answered 200, so an
//! answered file is never lost. The bytes stay until the file is saved
//! (accepted) or declined; then only the transfer row remains.

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::error::Ctx;
use super::{NewTransfer, Store, StoreError, TransferState};

/// A file that arrived in a MESSAGE, to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPageFile {
    /// Its transfer row (direction in, state e.g. `offered`).
    pub transfer: NewTransfer,
    /// The MESSAGE's Call-ID (with `cseq`, finds resends).
    pub call_id: String,
    /// The MESSAGE's CSeq number.
    pub cseq: u32,
    /// The body's media type.
    pub content_type: String,
    /// The bytes.
    pub data: Vec<u8>,
}

/// What storing a page-mode file did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageFileOutcome {
    /// Stored; the transfer row id.
    Inserted(i64),
    /// The same MESSAGE (account, Call-ID, CSeq) was stored before: its
    /// transfer row id. Nothing new was written.
    Duplicate(i64),
}

impl PageFileOutcome {
    /// The transfer row id.
    pub fn id(self) -> i64 {
        match self {
            PageFileOutcome::Inserted(id) | PageFileOutcome::Duplicate(id) => id,
        }
    }
}

/// A file that came in a MESSAGE and still waits for the user's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPageFile {
    /// Its transfer row id.
    pub row: i64,
    /// Who sent it (the conversation's peer key).
    pub peer: String,
    /// The safe name it was offered under.
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-1 in lower-case hex, as stored.
    pub sha1: String,
    /// The body's media type.
    pub content_type: String,
}

impl Store {
    /// The account's page-mode files that were neither saved nor declined
    /// (their bytes are still here), oldest first: offered again after a
    /// restart, since each was answered 200 and must not be lost.
    pub fn pending_page_files(&self, account: &str) -> Result<Vec<PendingPageFile>, StoreError> {
        const WHAT: &str = "list the files that wait for an answer";
        let mut stmt = self
            .conn
            .prepare(
                "SELECT t.id, coalesce(t.peer, c.peer_key, ''), t.file_name, length(p.data),
                        coalesce(t.sha1, ''), p.content_type
                 FROM page_files p
                 JOIN transfers t ON t.id = p.transfer_id
                 LEFT JOIN conversations c ON c.id = t.conversation_id
                 WHERE p.account = ?1 AND p.data IS NOT NULL
                 ORDER BY t.id",
            )
            .map_err(self.ctx().sql(WHAT))?;
        let rows = stmt
            .query_map([account], |row| {
                Ok(PendingPageFile {
                    row: row.get(0)?,
                    peer: row.get(1)?,
                    name: row.get(2)?,
                    size: u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0),
                    sha1: row.get(4)?,
                    content_type: row.get(5)?,
                })
            })
            .map_err(self.ctx().sql(WHAT))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.ctx().sql(WHAT))
    }

    /// Stores an incoming page-mode file: its transfer row and its bytes in
    /// one transaction. A resend of a stored MESSAGE is found, not stored again.
    pub fn insert_page_file(&mut self, file: &NewPageFile) -> Result<PageFileOutcome, StoreError> {
        const WHAT: &str = "store a file that came in a message";
        self.check_writable(WHAT)?;
        let t = &file.transfer;
        let conversation = match &t.peer_key {
            Some(peer_key) => self.conversation_id(&t.account, peer_key)?,
            None => None,
        };
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let before: Option<i64> = tx
            .query_row(
                "SELECT transfer_id FROM page_files WHERE account = ?1 AND call_id = ?2 AND cseq = ?3",
                params![t.account, file.call_id, file.cseq],
                |row| row.get(0),
            )
            .optional()
            .map_err(ctx.sql(WHAT))?;
        if let Some(id) = before {
            return Ok(PageFileOutcome::Duplicate(id));
        }
        tx.execute(
            "INSERT INTO transfers (account, conversation_id, direction, file_name, size, sha1, path, \
             state, started_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                t.account,
                conversation,
                t.direction.as_str(),
                t.file_name,
                t.size,
                t.sha1,
                t.path,
                t.state.as_text(),
                t.started_at
            ],
        )
        .map_err(ctx.sql(WHAT))?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT INTO page_files (transfer_id, account, call_id, cseq, content_type, data) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id,
                t.account,
                file.call_id,
                file.cseq,
                file.content_type,
                file.data
            ],
        )
        .map_err(ctx.sql(WHAT))?;
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok(PageFileOutcome::Inserted(id))
    }

    /// The stored bytes of a page-mode file; `None` once saved or declined
    /// (or for a transfer that never had any).
    pub fn page_file_data(&self, transfer: i64) -> Result<Option<Vec<u8>>, StoreError> {
        const WHAT: &str = "read a file that came in a message";
        self.conn
            .query_row(
                "SELECT data FROM page_files WHERE transfer_id = ?1",
                [transfer],
                |row| row.get::<_, Option<Vec<u8>>>(0),
            )
            .optional()
            .map(Option::flatten)
            .map_err(self.ctx().sql(WHAT))
    }

    /// Ends a page-mode file: sets the transfer's state (and where it was
    /// saved) and drops the stored bytes, in one transaction.
    pub fn finish_page_file(
        &mut self,
        transfer: i64,
        state: &TransferState,
        path: Option<&str>,
        finished_at: i64,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "finish a file that came in a message";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        tx.execute(
            "UPDATE transfers SET state = ?2, finished_at = ?3, path = coalesce(?4, path) WHERE id = ?1",
            params![transfer, state.as_text(), finished_at, path],
        )
        .map_err(ctx.sql(WHAT))?;
        tx.execute(
            "UPDATE page_files SET data = NULL WHERE transfer_id = ?1",
            [transfer],
        )
        .map_err(ctx.sql(WHAT))?;
        tx.commit().map_err(ctx.sql(WHAT))
    }
}

#[cfg(test)]
#[path = "page_files_tests.rs"]
mod tests;
