//! The conversation list (each with its contact, if the peer is one), read
//! marks and export.

use std::collections::HashMap;

use rusqlite::{params, Row, TransactionBehavior};
use serde_json::{json, Value};

use super::columns::{direction_at, id_at, state_at};
use super::error::Ctx;
use super::messages::{message_from_row, MESSAGE_SELECT};
use super::outbox::state_change_from_row;
use super::types::{ConversationSummary, MessagePreview, StateChange, PREVIEW_CHARS};
use super::{Store, StoreError};
use crate::model::{ContactId, ContactRef, MessageId};

/// Name of the export format, in every export.
pub const EXPORT_FORMAT: &str = "sipchat-conversation";

/// Version of the export format.
pub const EXPORT_VERSION: u32 = 1;

/// Reads a conversation row with its newest message (see [`Store::conversations`]).
fn summary_from_row(row: &Row<'_>) -> rusqlite::Result<ConversationSummary> {
    let last_message = match row.get::<_, Option<i64>>(7)? {
        None => None,
        Some(_) => Some(MessagePreview {
            id: id_at(row, 7)?,
            direction: direction_at(row, 8)?,
            content_type: row.get(9)?,
            text: row.get(10)?,
            truncated: row.get(11)?,
            state: state_at(row, 12)?,
        }),
    };
    let contact = match row.get::<_, Option<i64>>(17)? {
        None => None,
        Some(id) => Some(ContactRef {
            id: ContactId(id),
            name: row.get(18)?,
            blocked: row.get(19)?,
        }),
    };
    Ok(ConversationSummary {
        id: row.get(0)?,
        account: row.get(1)?,
        peer_key: row.get(2)?,
        peer_address: row.get(3)?,
        display_name: row.get(4)?,
        title: row.get(16)?,
        contact,
        last_activity: row.get(5)?,
        unread: row.get(6)?,
        last_message,
    })
}

impl Store {
    /// Conversations of `account` (or of every account), most recently
    /// active first, with unread counts and a preview of the newest message.
    pub fn conversations(&self, account: Option<&str>) -> Result<Vec<ConversationSummary>, StoreError> {
        const WHAT: &str = "list conversations";
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.id, c.account, c.peer_key, c.peer_address, c.display_name, c.last_activity, \
                 c.unread, m.id, m.direction, m.content_type, substr(m.body, 1, ?2), \
                 length(m.body) > ?2, m.state, m.state_code, m.state_reason, o.next_attempt_at, \
                 c.title, k.id, k.name, k.blocked \
                 FROM conversations c \
                 LEFT JOIN contact_addresses ka ON ka.address_key = c.peer_key \
                 LEFT JOIN contacts k ON k.id = ka.contact_id \
                 LEFT JOIN messages m ON m.id = \
                   (SELECT max(id) FROM messages WHERE conversation_id = c.id) \
                 LEFT JOIN outbox o ON o.message_id = m.id \
                 WHERE ?1 IS NULL OR c.account = ?1 \
                 ORDER BY c.last_activity DESC, c.id DESC",
            )
            .map_err(ctx.sql(WHAT))?;
        let preview = i64::try_from(PREVIEW_CHARS).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![account, preview], summary_from_row)
            .map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<Vec<_>>>().map_err(ctx.sql(WHAT))
    }

    /// Marks every message of the conversation read and its unread count 0.
    /// Nothing happens for an unknown conversation.
    pub fn mark_read(&mut self, account: &str, peer_key: &str) -> Result<(), StoreError> {
        const WHAT: &str = "mark a conversation read";
        self.check_writable(WHAT)?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let run = || -> rusqlite::Result<()> {
            tx.prepare_cached(
                "UPDATE messages SET read = 1 WHERE read = 0 AND conversation_id = \
                 (SELECT id FROM conversations WHERE account = ?1 AND peer_key = ?2)",
            )?
            .execute([account, peer_key])?;
            tx.prepare_cached("UPDATE conversations SET unread = 0 WHERE account = ?1 AND peer_key = ?2")?
                .execute([account, peer_key])?;
            Ok(())
        };
        run().map_err(ctx.sql(WHAT))?;
        tx.commit().map_err(ctx.sql(WHAT))
    }

    /// The whole conversation as JSON, oldest message first, each outgoing
    /// message with its delivery history:
    ///
    /// ```json
    /// {"format": "sipchat-conversation", "version": 1, "account": "..",
    ///  "peer_key": "..", "peer_address": "..", "display_name": null,
    ///  "messages": [{"id": 1, "direction": "out", "body": "..",
    ///                "delivery": {"state": "accepted"}, "history": [..], ..}]}
    /// ```
    ///
    /// [`StoreError::NoConversation`] if there is no such conversation.
    pub fn export_conversation(&self, account: &str, peer_key: &str) -> Result<Value, StoreError> {
        const WHAT: &str = "export a conversation";
        let ctx = self.ctx();
        let no_conversation = || StoreError::NoConversation {
            path: self.path.clone(),
            account: account.to_string(),
            peer_key: peer_key.to_string(),
        };
        let summary = self
            .conversations(Some(account))?
            .into_iter()
            .find(|c| c.peer_key == peer_key)
            .ok_or_else(no_conversation)?;
        let mut history = self.conversation_history(summary.id)?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{MESSAGE_SELECT} WHERE m.conversation_id = ?1 ORDER BY m.id"
            ))
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map([summary.id], message_from_row)
            .map_err(ctx.sql(WHAT))?;
        let mut messages = Vec::new();
        for row in rows {
            let message = row.map_err(ctx.sql(WHAT))?;
            let changes = history.remove(&message.id).unwrap_or_default();
            let mut value = serde_json::to_value(&message).unwrap_or(Value::Null);
            if let Value::Object(map) = &mut value {
                map.insert(
                    "history".into(),
                    serde_json::to_value(changes).unwrap_or(Value::Null),
                );
            }
            messages.push(value);
        }
        Ok(json!({
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "account": summary.account,
            "peer_key": summary.peer_key,
            "peer_address": summary.peer_address,
            "display_name": summary.display_name,
            "last_activity": summary.last_activity,
            "messages": messages,
        }))
    }

    /// Delivery histories of every message of a conversation.
    fn conversation_history(
        &self,
        conversation: i64,
    ) -> Result<HashMap<MessageId, Vec<StateChange>>, StoreError> {
        const WHAT: &str = "export a conversation";
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT h.state, h.code, h.reason, h.retry_at, h.at, h.message_id FROM delivery_history h \
                 JOIN messages m ON m.id = h.message_id WHERE m.conversation_id = ?1 \
                 ORDER BY h.message_id, h.id",
            )
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map([conversation], |row| {
                Ok((id_at(row, 5)?, state_change_from_row(row)?))
            })
            .map_err(ctx.sql(WHAT))?;
        let mut map: HashMap<MessageId, Vec<StateChange>> = HashMap::new();
        for row in rows {
            let (id, change) = row.map_err(ctx.sql(WHAT))?;
            map.entry(id).or_default().push(change);
        }
        Ok(map)
    }
}
