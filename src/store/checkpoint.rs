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
//! grow while checkpoints keep up. Under steady load a checkpoint never sees
//! the log without a commit it has not copied; the runtime's store thread
//! then copies the rest itself between two commits ([`Store::checkpoint`]).
//!
//! A commit that appends to the log changes the file's size, so its sync
//! also has to commit the file system's journal (traced on ext4: 2-9 ms
//! instead of ~0.3 ms under load). [`Checkpointer::prepare_log`] therefore
//! writes the log file out with zeros to [`PREPARED_LOG_BYTES`] first: commits
//! then overwrite blocks that exist (SQLite reads the log only up to its
//! last valid frame, so the zeros are never taken for frames).

use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use super::error::Ctx;
use super::{open_error, Store, StoreError, BUSY_TIMEOUT};

/// Size the write-ahead log file is written out to before commits use it:
/// 4,096 frames of a 4 KiB page with its 24-byte header, after the 32-byte
/// log header (about 16 MiB; the log restarts from its beginning after each
/// checkpoint that copied it whole, so it rarely needs more).
pub const PREPARED_LOG_BYTES: u64 = 32 + 4_096 * (4_096 + 24);

/// Zeros written while the write lock is held once: a commit waits at most
/// for this much.
const PREPARE_STEP_BYTES: u64 = 1024 * 1024;

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

impl Checkpointer {
    /// Writes the write-ahead log file out with zeros to
    /// [`PREPARED_LOG_BYTES`] (never shortens it) and syncs it; returns the
    /// bytes added. Each step holds the database's write lock, so no commit
    /// appends to the log meanwhile; commits wait at most one step.
    pub fn prepare_log(&mut self) -> Result<u64, StoreError> {
        let log = log_path(&self.path);
        let fail = |what: &'static str, path: PathBuf, log: PathBuf| {
            move |source: io::Error| StoreError::Log {
                path,
                log,
                what,
                source,
            }
        };
        let zeros = vec![0u8; usize::try_from(PREPARE_STEP_BYTES).unwrap_or(4096)];
        let mut added = 0u64;
        // Bounded: a file that does not grow as written ends the work too.
        for _ in 0..=PREPARED_LOG_BYTES / PREPARE_STEP_BYTES {
            let lock = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(Ctx { path: &self.path }.sql("lock the write-ahead log"))?;
            let step = extend_with_zeros(&log, &zeros);
            // Nothing was written through SQLite: dropping the transaction
            // rolls back and releases the lock.
            drop(lock);
            match step.map_err(fail("extend the write-ahead log", self.path.clone(), log.clone()))? {
                0 => break,
                written => added += written,
            }
        }
        if added > 0 {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&log)
                .and_then(|file| file.sync_data())
                .map_err(fail("sync the write-ahead log", self.path.clone(), log.clone()))?;
        }
        Ok(added)
    }
}

/// The write-ahead log of the database at `path` (SQLite's `-wal` name).
fn log_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push("-wal");
    PathBuf::from(name)
}

/// Appends up to `zeros.len()` zero bytes to `log` while it is shorter than
/// [`PREPARED_LOG_BYTES`]; returns how many (0: long enough, or no log yet).
fn extend_with_zeros(log: &Path, zeros: &[u8]) -> io::Result<u64> {
    let file = match std::fs::OpenOptions::new().write(true).open(log) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let length = file.metadata()?.len();
    let missing = PREPARED_LOG_BYTES.saturating_sub(length);
    let step = missing.min(zeros.len() as u64);
    if step == 0 {
        return Ok(0);
    }
    let bytes = zeros
        .get(..usize::try_from(step).unwrap_or(0))
        .unwrap_or_default();
    file.write_all_at(bytes, length)?;
    Ok(bytes.len() as u64)
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
