//! The history store: conversations, messages with their delivery history,
//! the outbox, alerts, transfers and contacts, in one SQLite file (rusqlite, bundled
//! SQLite with FTS5).
//!
//! Synchronous by design: the runtime owns one writable [`Store`] on a
//! dedicated blocking thread; the CLI opens its own with
//! [`Store::open_read_only`]. A [`Store`] is `Send` but not `Sync`.
//!
//! Durability: the writer runs in WAL mode with `synchronous=FULL`. When a
//! write method returns `Ok`, its transaction is in the write-ahead log and
//! the log is synced to the disk: it survives a crash of sipchat, of the
//! machine and a power cut, and the database is never left half-written.
//! A 200 tells the sender the message arrived, so it waits for that sync
//! (`NORMAL` would answer up to a checkpoint earlier and could lose the last
//! second of answered messages in a power cut). The full-text index is not
//! part of that commit: it follows in a later transaction (`indexing.rs`),
//! and search finds the messages still waiting for it. Group commit shares one sync
//! among the messages that arrive while one is in flight; checkpoints run on
//! their own connection ([`Checkpointer`]), which also writes the log file
//! out ahead so commits do not grow it. SQLite is built to sync with
//! `fdatasync` (`LIBSQLITE3_FLAGS` in `.cargo/config.toml`): data and size,
//! not timestamps, so a commit does not wait for a file system journal
//! commit of the log's modification time. "Store first, then answer": answer an
//! incoming MESSAGE with 200 only after [`Store::insert_incoming`] returned
//! `Ok` (inserted or duplicate).
//!
//! Ids: a message's [`MessageId`] is its SQLite rowid (`AUTOINCREMENT`:
//! increasing, never reused). The caller may choose it
//! ([`NewIncoming::id`], [`NewOutgoing::id`]; the runtime does, so it can
//! name a message before it is stored, starting above
//! [`Store::max_message_id`]) or leave it `None` for the store to allocate.
//! Use one way per database: the store allocates `max + 1`, which a
//! caller's own counter could also produce. An id already in use is refused
//! ([`StoreError::Invalid`]), never overwritten.
//!
//! Files: `mod.rs` (opening), `schema.rs` + `migrations.rs` (versions),
//! `columns.rs` (states as text),
//! `messages.rs` (insert and read), `outbox.rs` (delivery states and
//! retries), `conversations.rs` (list, mark read, export), `contacts.rs`
//! (the address book, blocking, renaming and deleting conversations),
//! `merge.rs` (schema 6's merge of one peer's conversations), `search.rs`
//! (FTS5), `indexing.rs` (the index follows the commits: pending rows),
//! `alerts.rs` (alerts, transfers), `page_files.rs` (files that
//! came inside a MESSAGE), `checkpoint.rs` (copying the write-ahead log
//! into the database on a connection of its own).

mod alerts;
mod checkpoint;
mod columns;
mod contacts;
mod conversations;
mod error;
mod indexing;
mod merge;
mod messages;
mod migrations;
mod outbox;
mod page_files;
mod schema;
mod search;
mod types;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::model::MessageId;

pub use crate::model::{conversation_key, NewTransfer, StoredTransfer, TransferState};
pub use alerts::{AlertRecord, NewAlert, StoredAlert, TransferUpdate};
pub use checkpoint::{Checkpointed, Checkpointer, PREPARED_LOG_BYTES};
pub use contacts::{
    MAX_CONTACT_ADDRESSES, MAX_CONTACT_GROUPS, MAX_CONTACT_GROUP_CHARS, MAX_CONTACT_NAME_CHARS,
    MAX_CONTACT_NOTE_CHARS, MAX_CONTACT_PHOTO_BYTES,
};
pub use conversations::{EXPORT_FORMAT, EXPORT_VERSION};
pub use error::{ContactProblem, StoreError};
pub use indexing::MAX_INDEX_BATCH;
pub use migrations::SCHEMA_VERSION;
pub use outbox::MAX_OUTBOX_BATCH;
pub use page_files::{NewPageFile, PageFileOutcome, PendingPageFile};
pub use search::{SearchHit, MAX_SEARCH_RESULTS, MAX_SEARCH_TERMS};
pub use types::{
    ConversationSummary, Direction, InsertOutcome, MessagePreview, NewIncoming, NewOutgoing, OutboxEntry,
    StateChange, StoredMessage, MAX_PAGE_SIZE, PREVIEW_CHARS,
};

use error::Ctx;

/// File name of the history database inside the data directory.
pub const FILE_NAME: &str = "history.sqlite3";

/// How long a statement waits for another connection's lock.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite page cache per connection, in KiB (SQLite's default is 2 MiB,
/// too small for a large history's indexes: inserts then re-read pages).
pub const CACHE_KIB: i64 = 32 * 1024;

/// Prepared statements a connection keeps compiled (rusqlite's default of
/// 16 is fewer than the writer's distinct statements: an evicted one is
/// parsed and planned again on its next use).
pub const STATEMENT_CACHE: usize = 64;

/// Path shown in errors for an in-memory store.
const IN_MEMORY: &str = ":memory:";

/// The history database. See the module docs for threading and durability.
#[derive(Debug)]
pub struct Store {
    /// The SQLite connection.
    conn: Connection,
    /// The file, for error messages (`:memory:` for tests).
    path: PathBuf,
    /// Opened with [`Store::open_read_only`]: every write is refused.
    read_only: bool,
}

impl Store {
    /// `history.sqlite3` in `data_dir`.
    pub fn path_in(data_dir: &Path) -> PathBuf {
        data_dir.join(FILE_NAME)
    }

    /// Opens (creating the directories and the file if needed) the database
    /// for reading and writing, and migrates it to [`SCHEMA_VERSION`].
    /// Refuses a database written by a newer sipchat ([`StoreError::TooNew`]).
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let conn = Connection::open(path).map_err(|source| open_error(path, source))?;
        Self::init_writer(conn, path.to_path_buf())
    }

    /// Opens an existing database read-only (for `sipchat history` while the
    /// runtime may be writing). Fails with [`StoreError::Missing`] if there is
    /// no file, [`StoreError::NeedsUpgrade`] if it is at an older version and
    /// [`StoreError::TooNew`] if it is at a newer one.
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        if !path.exists() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|source| open_error(path, source))?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            read_only: true,
        };
        let ctx = store.ctx();
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .and_then(|()| store.conn.pragma_update(None, "query_only", true))
            .and_then(|()| store.conn.pragma_update(None, "cache_size", -CACHE_KIB))
            .map_err(|source| open_error(path, source))?;
        let found = migrations::user_version(&store.conn, ctx)?;
        migrations::check_not_newer(found, SCHEMA_VERSION, ctx)?;
        if found < SCHEMA_VERSION {
            return Err(StoreError::NeedsUpgrade {
                path: path.to_path_buf(),
                found,
                known: SCHEMA_VERSION,
            });
        }
        Ok(store)
    }

    /// A private in-memory database at the current version (tests).
    pub fn open_in_memory() -> Result<Store, StoreError> {
        let path = PathBuf::from(IN_MEMORY);
        let conn = Connection::open_in_memory().map_err(|source| open_error(&path, source))?;
        Self::init_writer(conn, path)
    }

    /// Checks the version, sets the writer's pragmas and migrates.
    ///
    /// A newer database is refused before anything is changed. Migrations
    /// run with foreign keys off (as SQLite advises for schema changes that
    /// rebuild tables); they are switched on afterwards.
    fn init_writer(conn: Connection, path: PathBuf) -> Result<Store, StoreError> {
        let mut store = Store {
            conn,
            path,
            read_only: false,
        };
        let ctx = Ctx { path: &store.path };
        let conn = &mut store.conn;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|source| open_error(ctx.path, source))?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        migrations::check_not_newer(migrations::user_version(conn, ctx)?, SCHEMA_VERSION, ctx)?;
        let setup = |conn: &Connection| -> rusqlite::Result<()> {
            // journal_mode answers with the mode in force ("memory" for :memory:).
            let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
            conn.pragma_update(None, "synchronous", "FULL")?;
            conn.pragma_update(None, "cache_size", -CACHE_KIB)
        };
        setup(conn).map_err(|source| open_error(ctx.path, source))?;
        migrations::migrate(conn, ctx)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(|source| open_error(ctx.path, source))?;
        // Messages a crash left waiting for the full-text index.
        loop {
            match store.index_pending() {
                Ok(indexed) if indexed >= MAX_INDEX_BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!("{e}");
                    break;
                }
            }
        }
        Ok(store)
    }

    /// The database file (`:memory:` for an in-memory store).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this store was opened with [`Store::open_read_only`].
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The SQLite journal mode in force (`wal` for a file database).
    pub fn journal_mode(&self) -> Result<String, StoreError> {
        self.conn
            .query_row("PRAGMA journal_mode", [], |row| row.get(0))
            .map_err(self.ctx().sql("read the journal mode"))
    }

    /// Error context naming this store's file.
    fn ctx(&self) -> Ctx<'_> {
        Ctx { path: &self.path }
    }

    /// Refuses writes on a read-only store.
    fn check_writable(&self, what: &'static str) -> Result<(), StoreError> {
        if self.read_only {
            return Err(StoreError::ReadOnly {
                path: self.path.clone(),
                what,
            });
        }
        Ok(())
    }
}

/// [`StoreError::Open`] for `path`.
fn open_error(path: &Path, source: rusqlite::Error) -> StoreError {
    StoreError::Open {
        path: path.to_path_buf(),
        source,
    }
}

/// A [`MessageId`] as SQLite's `INTEGER` (ids above `i64::MAX` cannot exist).
fn sql_id(id: MessageId) -> Option<i64> {
    i64::try_from(id.0).ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod test_support;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod store_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod outbox_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod conversations_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod search_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod indexing_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod migrations_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod alerts_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod contacts_tests;
