//! Schema versions and migrations.
//!
//! The version lives in `PRAGMA user_version` (0 = empty file). Each entry of
//! [`MIGRATIONS`] takes the database from `version - 1` to `version` and runs
//! in its own transaction together with the `user_version` update, so a
//! failed step leaves the previous version intact.
//!
//! To add version N: write `schema::VN` (the step from N-1 to N), append
//! `Migration { version: N, sql: schema::VN, rewrite: None }` here (a
//! `rewrite` function runs after the SQL, in its transaction, for work SQL
//! cannot say), and add the fixture
//! `tests/fixtures/store/vN.sql` (a dump that builds a version-N database with
//! some rows). The fixture test opens every `v*.sql` found there, so each
//! earlier version keeps being migrated in tests.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::error::{Ctx, StoreError};
use super::{merge, schema};

/// One step of the schema history.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Migration {
    /// The version the database is at after this step.
    pub(crate) version: i64,
    /// The SQL of the step (several statements).
    pub(crate) sql: &'static str,
    /// Work SQL cannot say (it needs the crate's address rules), run after
    /// `sql` in the same transaction.
    pub(crate) rewrite: Option<fn(&Transaction<'_>) -> rusqlite::Result<()>>,
}

/// Every migration step, in order; versions are 1, 2, 3, ...
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        sql: schema::V1,
        rewrite: None,
    },
    Migration {
        version: 2,
        sql: schema::V2,
        rewrite: None,
    },
    Migration {
        version: 3,
        sql: schema::V3,
        rewrite: None,
    },
    Migration {
        version: 4,
        sql: schema::V4,
        rewrite: None,
    },
    Migration {
        version: 5,
        sql: schema::V5,
        rewrite: None,
    },
    Migration {
        version: 6,
        sql: schema::V6,
        rewrite: Some(merge::merge_conversations),
    },
    Migration {
        version: 7,
        sql: schema::V7,
        rewrite: None,
    },
    Migration {
        version: 8,
        sql: schema::V8,
        rewrite: None,
    },
    Migration {
        version: 9,
        sql: schema::V9,
        rewrite: None,
    },
];

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Reads `PRAGMA user_version`.
pub(crate) fn user_version(conn: &Connection, ctx: Ctx<'_>) -> Result<i64, StoreError> {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|source| StoreError::Open {
            path: ctx.path.to_path_buf(),
            source,
        })
}

/// Refuses a database newer than `known`.
pub(crate) fn check_not_newer(found: i64, known: i64, ctx: Ctx<'_>) -> Result<(), StoreError> {
    if found > known {
        return Err(StoreError::TooNew {
            path: ctx.path.to_path_buf(),
            found,
            known,
        });
    }
    Ok(())
}

/// Brings the database up to [`SCHEMA_VERSION`], one transaction per step.
/// Returns the version found before migrating.
pub(crate) fn migrate(conn: &mut Connection, ctx: Ctx<'_>) -> Result<i64, StoreError> {
    migrate_with(conn, ctx, MIGRATIONS)
}

/// Applies the `steps` (versions 1, 2, ...) the database has not seen yet.
pub(crate) fn migrate_with(
    conn: &mut Connection,
    ctx: Ctx<'_>,
    steps: &[Migration],
) -> Result<i64, StoreError> {
    let known = steps.last().map_or(0, |m| m.version);
    let found = user_version(conn, ctx)?;
    check_not_newer(found, known, ctx)?;
    for step in steps.iter().filter(|m| m.version > found) {
        let fail = |source| StoreError::Migrate {
            path: ctx.path.to_path_buf(),
            version: step.version,
            source,
        };
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(fail)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(fail)?;
        check_not_newer(now, known, ctx)?;
        if now >= step.version {
            continue;
        }
        tx.execute_batch(step.sql).map_err(fail)?;
        if let Some(rewrite) = step.rewrite {
            rewrite(&tx).map_err(fail)?;
        }
        tx.pragma_update(None, "user_version", step.version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::info!(path = %ctx.path.display(), version = step.version, "history database upgraded");
    }
    Ok(found)
}
