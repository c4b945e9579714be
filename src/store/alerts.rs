//! Alerts and file transfers: the alert log (with the message that carried
//! each alert, stored in the same transaction), acknowledgement, and the
//! minimal transfer records (rows of [`crate::model::NewTransfer`]; a
//! state is kept as the text of [`TransferState::as_text`], so databases
//! of every version read the same).

use rusqlite::{params, OptionalExtension, Row, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::columns::{direction_at, id_at};
use super::error::Ctx;
use super::messages::insert_incoming_tx;
use super::types::{InsertOutcome, NewIncoming};
use super::{sql_id, Store, StoreError};
use crate::model::{AccountId, Alert, CapAlert, MessageId, NewTransfer, StoredTransfer, TransferState};

/// What an incoming message that looks like an alert is stored as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AlertRecord<'a> {
    /// From an untrusted sender: the message is marked, no alert is logged.
    Untrusted,
    /// A trusted alert: logged with the message as its `message_id`.
    Raised(&'a NewAlert),
}

/// The JSON kept in the `cap` column: the parsed CAP document and what the
/// alert shows. Older rows may hold other shapes; they read as empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AlertDetails {
    #[serde(default)]
    cap: Option<CapAlert>,
    #[serde(default)]
    cap_error: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    from_name: Option<String>,
}

impl NewAlert {
    /// The log entry of a raised alert (its `id`, `message_id` and
    /// acknowledgement are not taken from `alert`).
    pub fn from_alert(alert: &Alert) -> NewAlert {
        let details = AlertDetails {
            cap: alert.cap.clone(),
            cap_error: alert.cap_error.clone(),
            text: Some(alert.text.clone()),
            from_name: alert.from_name.clone(),
        };
        NewAlert {
            account: alert.account.0.clone(),
            message_id: alert.message_id,
            from: alert.from.clone(),
            subject: alert.subject.clone(),
            priority: alert.priority.clone(),
            body: alert.body.clone(),
            cap: serde_json::to_value(details).ok(),
            received_at: alert.received_at,
        }
    }
}

impl StoredAlert {
    /// The alert as the runtime and the UI see it.
    pub fn to_alert(&self) -> Alert {
        let details: AlertDetails = self
            .alert
            .cap
            .clone()
            .and_then(|v| serde_json::from_value(v).ok())
            .unwrap_or_default();
        Alert {
            id: self.id,
            account: AccountId(self.alert.account.clone()),
            message_id: self.alert.message_id,
            from: self.alert.from.clone(),
            from_name: details.from_name,
            subject: self.alert.subject.clone(),
            priority: self.alert.priority.clone(),
            body: self.alert.body.clone(),
            text: details.text.unwrap_or_else(|| self.alert.body.clone()),
            cap: details.cap,
            cap_error: details.cap_error,
            received_at: self.alert.received_at,
            acknowledged_at: self.acknowledged_at,
        }
    }
}

/// An alert to log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAlert {
    /// Receiving account.
    pub account: String,
    /// The stored message that carried it, if it was stored as one.
    pub message_id: Option<MessageId>,
    /// Sender's address.
    pub from: String,
    /// Subject header, if any.
    pub subject: Option<String>,
    /// Priority header, if any.
    pub priority: Option<String>,
    /// Body as text.
    pub body: String,
    /// CAP fields (severity, urgency, headline, ...), if the body was CAP.
    pub cap: Option<Value>,
    /// When it arrived.
    pub received_at: i64,
}

/// An alert as logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAlert {
    /// Row id.
    pub id: i64,
    /// The alert.
    #[serde(flatten)]
    pub alert: NewAlert,
    /// When the user acknowledged it; `None` while it is still up.
    pub acknowledged_at: Option<i64>,
}

/// How a recorded transfer changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferUpdate {
    /// New state.
    pub state: TransferState,
    /// Where the file is, if known now.
    pub path: Option<String>,
    /// SHA-1 in hex, if known now.
    pub sha1: Option<String>,
    /// Bytes confirmed (sent) or kept (received) for a resume.
    pub resume_bytes: Option<i64>,
    /// The kept temporary file of an incoming transfer.
    pub part_path: Option<String>,
    /// When it ended, if it has.
    pub finished_at: Option<i64>,
}

/// Why a transfer a run left `sending` / `receiving` with nothing kept
/// failed (see [`Store::interrupt_unfinished_transfers`]).
const STOPPED_DURING_TRANSFER: &str = "sipchat stopped during the transfer";

/// Reads an alert row.
fn alert_from_row(row: &Row<'_>) -> rusqlite::Result<StoredAlert> {
    let message_id = match row.get::<_, Option<i64>>(2)? {
        Some(_) => Some(id_at(row, 2)?),
        None => None,
    };
    let cap = row
        .get::<_, Option<String>>(7)?
        .and_then(|text| serde_json::from_str(&text).ok());
    Ok(StoredAlert {
        id: row.get(0)?,
        alert: NewAlert {
            account: row.get(1)?,
            message_id,
            from: row.get(3)?,
            subject: row.get(4)?,
            priority: row.get(5)?,
            body: row.get(6)?,
            cap,
            received_at: row.get(8)?,
        },
        acknowledged_at: row.get(9)?,
    })
}

/// Reads a transfer row.
fn transfer_from_row(row: &Row<'_>) -> rusqlite::Result<StoredTransfer> {
    Ok(StoredTransfer {
        id: row.get(0)?,
        transfer: NewTransfer {
            account: row.get(1)?,
            peer_key: row.get(2)?,
            direction: direction_at(row, 3)?,
            file_name: row.get(4)?,
            size: row.get(5)?,
            sha1: row.get(6)?,
            path: row.get(7)?,
            state: TransferState::from_text(&row.get::<_, String>(8)?),
            started_at: row.get(9)?,
            peer: row.get(11)?,
            resume_bytes: row.get(12)?,
            part_path: row.get(13)?,
        },
        finished_at: row.get(10)?,
    })
}

impl Store {
    /// Logs an alert; returns its row id.
    pub fn insert_alert(&mut self, alert: &NewAlert) -> Result<i64, StoreError> {
        const WHAT: &str = "log an alert";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let cap = alert.cap.as_ref().map(Value::to_string);
        self.conn
            .prepare_cached(
                "INSERT INTO alerts (account, message_id, sender, subject, priority, body, cap, received_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    alert.account,
                    alert.message_id.and_then(sql_id),
                    alert.from,
                    alert.subject,
                    alert.priority,
                    alert.body,
                    cap,
                    alert.received_at
                ])
            })
            .map_err(ctx.sql(WHAT))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Stores an incoming message that looks like an alert, and in the same
    /// transaction marks it untrusted or logs the alert (with `message_id`
    /// set to the stored message). A duplicate (resend) is not stored or
    /// logged again: the outcome says `Duplicate` and the alert id is that
    /// of the alert logged the first time, if any.
    pub fn insert_incoming_alert(
        &mut self,
        m: &NewIncoming,
        record: AlertRecord<'_>,
    ) -> Result<(InsertOutcome, Option<i64>), StoreError> {
        const WHAT: &str = "store an incoming alert";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let outcome = insert_incoming_tx(&tx, ctx, m)?;
        let id = sql_id(outcome.id())
            .ok_or_else(|| ctx.invalid(outcome.id(), "the id is too large for SQLite"))?;
        let alert_id = match (outcome, record) {
            (InsertOutcome::Duplicate(_), _) => tx
                .prepare_cached("SELECT id FROM alerts WHERE message_id = ?1 ORDER BY id LIMIT 1")
                .and_then(|mut stmt| stmt.query_row([id], |row| row.get(0)).optional())
                .map_err(ctx.sql(WHAT))?,
            (InsertOutcome::Inserted(_), AlertRecord::Untrusted) => {
                tx.execute("UPDATE messages SET untrusted_alert = 1 WHERE id = ?1", [id])
                    .map_err(ctx.sql(WHAT))?;
                None
            }
            (InsertOutcome::Inserted(_), AlertRecord::Raised(alert)) => {
                let cap = alert.cap.as_ref().map(Value::to_string);
                tx.prepare_cached(
                    "INSERT INTO alerts (account, message_id, sender, subject, priority, body, cap, received_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .and_then(|mut stmt| {
                    stmt.execute(params![
                        alert.account,
                        id,
                        alert.from,
                        alert.subject,
                        alert.priority,
                        alert.body,
                        cap,
                        alert.received_at
                    ])
                })
                .map_err(ctx.sql(WHAT))?;
                Some(tx.last_insert_rowid())
            }
        };
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok((outcome, alert_id))
    }

    /// One logged alert, if it exists.
    pub fn alert(&self, id: i64) -> Result<Option<StoredAlert>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT id, account, message_id, sender, subject, priority, body, cap, received_at, \
                 acknowledged_at FROM alerts WHERE id = ?1",
            )
            .and_then(|mut stmt| stmt.query_row([id], alert_from_row).optional())
            .map_err(self.ctx().sql("read an alert"))
    }

    /// Alerts of `account` (or all), newest first; only those not yet
    /// acknowledged when `unacknowledged_only`.
    pub fn alerts(
        &self,
        account: Option<&str>,
        unacknowledged_only: bool,
    ) -> Result<Vec<StoredAlert>, StoreError> {
        const WHAT: &str = "list alerts";
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, account, message_id, sender, subject, priority, body, cap, received_at, \
                 acknowledged_at FROM alerts \
                 WHERE (?1 IS NULL OR account = ?1) AND (?2 = 0 OR acknowledged_at IS NULL) \
                 ORDER BY received_at DESC, id DESC",
            )
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map(params![account, unacknowledged_only], alert_from_row)
            .map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx.sql(WHAT))
    }

    /// Marks an alert acknowledged at `at_ms`. `Ok(false)` if there is no
    /// such alert or it was already acknowledged.
    pub fn acknowledge_alert(&mut self, id: i64, at_ms: i64) -> Result<bool, StoreError> {
        const WHAT: &str = "acknowledge an alert";
        self.check_writable(WHAT)?;
        let changed = self
            .conn
            .execute(
                "UPDATE alerts SET acknowledged_at = ?2 WHERE id = ?1 AND acknowledged_at IS NULL",
                [id, at_ms],
            )
            .map_err(self.ctx().sql(WHAT))?;
        Ok(changed > 0)
    }

    /// Records a file transfer; returns its row id.
    pub fn insert_transfer(&mut self, transfer: &NewTransfer) -> Result<i64, StoreError> {
        const WHAT: &str = "record a file transfer";
        self.check_writable(WHAT)?;
        let conversation = match &transfer.peer_key {
            Some(peer_key) => self.conversation_id(&transfer.account, peer_key)?,
            None => None,
        };
        let ctx = Ctx { path: &self.path };
        self.conn
            .prepare_cached(
                "INSERT INTO transfers (account, conversation_id, direction, file_name, size, sha1, path, \
                 state, started_at, peer, resume_bytes, part_path) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    transfer.account,
                    conversation,
                    transfer.direction.as_str(),
                    transfer.file_name,
                    transfer.size,
                    transfer.sha1,
                    transfer.path,
                    transfer.state.as_text(),
                    transfer.started_at,
                    transfer.peer,
                    transfer.resume_bytes,
                    transfer.part_path
                ])
            })
            .map_err(ctx.sql(WHAT))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Sets a transfer's final state and when it ended.
    pub fn finish_transfer(
        &mut self,
        id: i64,
        state: &TransferState,
        finished_at: i64,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "finish a file transfer";
        self.check_writable(WHAT)?;
        self.conn
            .execute(
                "UPDATE transfers SET state = ?2, finished_at = ?3 WHERE id = ?1",
                params![id, state.as_text(), finished_at],
            )
            .map_err(self.ctx().sql(WHAT))?;
        Ok(())
    }

    /// Sets a transfer's state and details (NULL fields become NULL).
    pub fn update_transfer(&mut self, id: i64, update: &TransferUpdate) -> Result<(), StoreError> {
        const WHAT: &str = "update a file transfer";
        self.check_writable(WHAT)?;
        self.conn
            .execute(
                "UPDATE transfers SET state = ?2, path = COALESCE(?3, path), sha1 = COALESCE(?4, sha1), \
                 resume_bytes = ?5, part_path = ?6, finished_at = ?7 WHERE id = ?1",
                params![
                    id,
                    update.state.as_text(),
                    update.path,
                    update.sha1,
                    update.resume_bytes,
                    update.part_path,
                    update.finished_at
                ],
            )
            .map_err(self.ctx().sql(WHAT))?;
        Ok(())
    }

    /// Records how many bytes of a running transfer are confirmed (sent)
    /// or durable (received).
    pub fn set_transfer_progress(&mut self, id: i64, resume_bytes: i64) -> Result<(), StoreError> {
        const WHAT: &str = "record a file transfer's progress";
        self.check_writable(WHAT)?;
        self.conn
            .execute(
                "UPDATE transfers SET resume_bytes = ?2 WHERE id = ?1",
                params![id, resume_bytes],
            )
            .map_err(self.ctx().sql(WHAT))?;
        Ok(())
    }

    /// Transfers still `sending` / `receiving` (the last run stopped
    /// without ending them, e.g. a crash) become `interrupted` when some
    /// bytes were confirmed or kept, else failed. Returns how many changed.
    pub fn interrupt_unfinished_transfers(&mut self, now_ms: i64) -> Result<usize, StoreError> {
        const WHAT: &str = "close unfinished file transfers";
        self.check_writable(WHAT)?;
        self.conn
            .execute(
                "UPDATE transfers SET finished_at = ?1, state = CASE WHEN resume_bytes > 0 \
                 THEN ?2 ELSE ?3 END WHERE state IN (?4, ?5)",
                params![
                    now_ms,
                    TransferState::Interrupted.as_text(),
                    TransferState::failed(STOPPED_DURING_TRANSFER).as_text(),
                    TransferState::Sending.as_text(),
                    TransferState::Receiving.as_text()
                ],
            )
            .map_err(self.ctx().sql(WHAT))
    }

    /// Transfers of `account` (or all), newest first.
    pub fn transfers(&self, account: Option<&str>) -> Result<Vec<StoredTransfer>, StoreError> {
        const WHAT: &str = "list file transfers";
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.id, t.account, c.peer_key, t.direction, t.file_name, t.size, t.sha1, t.path, \
                 t.state, t.started_at, t.finished_at, t.peer, t.resume_bytes, t.part_path \
                 FROM transfers t LEFT JOIN conversations c ON c.id = t.conversation_id \
                 WHERE ?1 IS NULL OR t.account = ?1 ORDER BY t.started_at DESC, t.id DESC",
            )
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map([account], transfer_from_row)
            .map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx.sql(WHAT))
    }

    /// Interrupted transfers ([`TransferState::Interrupted`]) of `account`
    /// (or all), newest first: what may be resumed, and which kept partial
    /// files are ours.
    pub fn interrupted_transfers(&self, account: Option<&str>) -> Result<Vec<StoredTransfer>, StoreError> {
        const WHAT: &str = "list interrupted file transfers";
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.id, t.account, c.peer_key, t.direction, t.file_name, t.size, t.sha1, t.path, \
                 t.state, t.started_at, t.finished_at, t.peer, t.resume_bytes, t.part_path \
                 FROM transfers t LEFT JOIN conversations c ON c.id = t.conversation_id \
                 WHERE t.state = 'interrupted' AND (?1 IS NULL OR t.account = ?1) \
                 ORDER BY t.started_at DESC, t.id DESC",
            )
            .map_err(ctx.sql(WHAT))?;
        // The text of `TransferState::Interrupted`, written out so the
        // partial index `transfers_interrupted` serves the query.
        let rows = stmt
            .query_map([account], transfer_from_row)
            .map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx.sql(WHAT))
    }
}
