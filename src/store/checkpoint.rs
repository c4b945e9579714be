//! Checkpoints of the write-ahead log on a connection of their own, so the
//! writer never copies the log into the database inside a commit.
//!
//! SQLite's default lets the commit that grows the log past 1,000 pages
//! copy it back into the database file and sync that file: the message in
//! that commit waits for both. The writer switches this off
//! ([`Store::checkpointer`]) and a [`Checkpointer`] (another connection on
//! the same file, run on its own thread by the runtime) does the copy in
//! `PASSIVE` mode, which waits for no reader and no writer: commits go on
//! appending to the log meanwhile. A log that was copied whole is started
//! again from its beginning by the writer's next commit, so the file does not
//! grow while checkpoints keep up.

use std::path::PathBuf;

use rusqlite::{Connection, OpenFlags};

use super::error::Ctx;
use super::{open_error, Store, StoreError, BUSY_TIMEOUT};

/// What one checkpoint did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checkpointed {
    /// Pages in the log when it ran.
    pub log_pages: i64,
    /// Of those, pages now in the database file.
    pub copied_pages: i64,
}

/// A second connection to a file database that copies its write-ahead log
/// into the database file. `Send`, for a thread of its own.
#[derive(Debug)]
pub struct Checkpointer {
    conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Stops this writer from checkpointing inside its commits and returns
    /// the connection that does it instead, or `None` for an in-memory
    /// store (no log) or a read-only one. Call [`Checkpointer::run`] after
    /// commits, off the writer's thread. When the writer closes, SQLite
    /// checkpoints what is left.
    pub fn checkpointer(&mut self) -> Result<Option<Checkpointer>, StoreError> {
        if self.read_only || self.journal_mode()? != "wal" {
            return Ok(None);
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&self.path, flags)
            .map_err(|source| open_error(&self.path, source))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|source| open_error(&self.path, source))?;
        // The checkpointer's own automatic checkpoint is off too: it writes nothing.
        conn.pragma_update(None, "wal_autocheckpoint", 0)
            .and_then(|()| self.conn.pragma_update(None, "wal_autocheckpoint", 0))
            .map_err(self.ctx().sql("hand checkpoints to their own connection"))?;
        Ok(Some(Checkpointer {
            conn,
            path: self.path.clone(),
        }))
    }
}

impl Store {
    /// A checkpoint on the writer's own connection, between transactions:
    /// for when the [`Checkpointer`] cannot keep up (a log copied whole
    /// starts again at its beginning with the next commit).
    pub fn checkpoint(&self) -> Result<Checkpointed, StoreError> {
        passive_checkpoint(&self.conn, self.ctx())
    }
}

impl Checkpointer {
    /// Copies as much of the log into the database file as no reader still
    /// needs, without waiting for readers or the writer.
    pub fn run(&self) -> Result<Checkpointed, StoreError> {
        passive_checkpoint(&self.conn, Ctx { path: &self.path })
    }
}

/// `PRAGMA wal_checkpoint(PASSIVE)` on `conn`.
fn passive_checkpoint(conn: &Connection, ctx: Ctx<'_>) -> Result<Checkpointed, StoreError> {
    // Answers (busy, pages in the log, pages copied); busy is 0 in PASSIVE mode.
    let (log_pages, copied_pages) = conn
        .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
            Ok((row.get(1)?, row.get(2)?))
        })
        .map_err(ctx.sql("copy the write-ahead log into the database"))?;
    Ok(Checkpointed {
        log_pages,
        copied_pages,
    })
}
