//! What can go wrong in the history store. Every message names the database
//! file and what was being done.

use std::io;
use std::path::{Path, PathBuf};

use crate::model::{AddressProblem, MessageId};

/// Everything that can go wrong with the history store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The directory that should hold the database could not be created.
    #[error("cannot create the directory {} for the history database: {source}", .path.display())]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// `open_read_only` was asked for a database that does not exist.
    #[error("history database {} does not exist (nothing has been stored yet)", .path.display())]
    Missing {
        /// The database file.
        path: PathBuf,
    },
    /// SQLite could not open the file, or it is not a database.
    #[error("cannot open history database {}: {source}", .path.display())]
    Open {
        /// The database file.
        path: PathBuf,
        /// Why.
        source: rusqlite::Error,
    },
    /// The file was written by a newer sipchat.
    #[error(
        "history database {} has schema version {found}, but this sipchat knows only up to \
         version {known}; use a newer sipchat or another data directory",
        .path.display()
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: i64,
        /// The newest version this build knows.
        known: i64,
    },
    /// A read-only open found a database that needs migrating first.
    #[error(
        "history database {} has schema version {found} and needs upgrading to version \
         {known}; start sipchat once (not read-only) to upgrade it",
        .path.display()
    )]
    NeedsUpgrade {
        /// The database file.
        path: PathBuf,
        /// The version found in the file.
        found: i64,
        /// The version this build needs.
        known: i64,
    },
    /// A migration step failed; the database stays at the previous version.
    #[error("cannot upgrade history database {} to schema version {version}: {source}", .path.display())]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The version being migrated to.
        version: i64,
        /// Why.
        source: rusqlite::Error,
    },
    /// A query or statement failed.
    #[error("history database {}: cannot {what}: {source}", .path.display())]
    Sql {
        /// The database file.
        path: PathBuf,
        /// What was being done, e.g. "store an incoming message".
        what: &'static str,
        /// Why.
        source: rusqlite::Error,
    },
    /// A write was attempted on a store opened with `open_read_only`.
    #[error("history database {} is open read-only: cannot {what}", .path.display())]
    ReadOnly {
        /// The database file.
        path: PathBuf,
        /// What was attempted.
        what: &'static str,
    },
    /// No message with that id (or no outbox entry for it).
    #[error("history database {}: {what} {id} not found", .path.display())]
    NotFound {
        /// The database file.
        path: PathBuf,
        /// What was looked for, e.g. "message" or "outbox entry for message".
        what: &'static str,
        /// The id.
        id: MessageId,
    },
    /// No conversation of that account with that peer.
    #[error("history database {}: no conversation of account {account} with {peer_key}", .path.display())]
    NoConversation {
        /// The database file.
        path: PathBuf,
        /// The account.
        account: String,
        /// The normalised peer address.
        peer_key: String,
    },
    /// The contact the user wrote cannot be stored as it is.
    #[error("{problem}")]
    Contact {
        /// The mistake, in words.
        problem: ContactProblem,
    },
    /// No contact with that id or address.
    #[error("no contact {what}")]
    NoContact {
        /// The id or address looked for.
        what: String,
    },
    /// The write-ahead log file could not be prepared.
    #[error("history database {}: cannot {what} {}: {source}", .path.display(), .log.display())]
    Log {
        /// The database file.
        path: PathBuf,
        /// The log file.
        log: PathBuf,
        /// What was being done, e.g. "extend the write-ahead log".
        what: &'static str,
        /// Why.
        source: io::Error,
    },
    /// The call does not apply to that message (e.g. a delivery state for an
    /// incoming message).
    #[error("history database {}: message {id}: {reason}", .path.display())]
    Invalid {
        /// The database file.
        path: PathBuf,
        /// The message.
        id: MessageId,
        /// What is wrong, in words.
        reason: &'static str,
    },
}

/// What is wrong with a contact the user wrote; each names the mistake.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactProblem {
    /// No name.
    #[error("the contact has no name")]
    NoName,
    /// No address.
    #[error("the contact has no address")]
    NoAddress,
    /// An address that cannot be a contact's.
    #[error("{address:?}: {problem}")]
    BadAddress {
        /// The address as written.
        address: String,
        /// What is wrong.
        problem: AddressProblem,
    },
    /// The address is another contact's already.
    #[error("{address} belongs to the contact {owner:?} already")]
    AddressTaken {
        /// The address as written.
        address: String,
        /// The other contact's name.
        owner: String,
    },
    /// A field longer than the store keeps.
    #[error("the {field} is longer than {limit} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// The limit.
        limit: usize,
    },
}

/// Error context: the database path, so every error can name the file.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) path: &'a Path,
}

impl<'a> Ctx<'a> {
    /// Maps a rusqlite error to [`StoreError::Sql`] saying what was being done.
    pub(crate) fn sql(self, what: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
        move |source| StoreError::Sql {
            path: self.path.to_path_buf(),
            what,
            source,
        }
    }

    /// [`StoreError::NotFound`] for this file.
    pub(crate) fn not_found(self, what: &'static str, id: MessageId) -> StoreError {
        StoreError::NotFound {
            path: self.path.to_path_buf(),
            what,
            id,
        }
    }

    /// [`StoreError::Invalid`] for this file.
    pub(crate) fn invalid(self, id: MessageId, reason: &'static str) -> StoreError {
        StoreError::Invalid {
            path: self.path.to_path_buf(),
            id,
            reason,
        }
    }
}
