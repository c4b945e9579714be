//! Schema 6's merge: one conversation per person.
//!
//! Version 5 kept a non-default port in a conversation's key, so a peer who
//! wrote from several ports had several conversations. This step re-keys
//! every conversation with today's [`conversation_key`] and merges those of
//! one account that now share a key into the most recently active one: its
//! messages, transfers and unread counts move over, nothing is deleted but
//! the emptied conversation rows. The newest peer address is kept, for
//! replies. A chat message stored under two of the merged conversations
//! (same CPIM Message-ID) stays twice, its second copy without the
//! Message-ID (the duplicate index allows one per conversation): a
//! migration never drops a message.

use std::collections::HashMap;

use rusqlite::{params, Transaction};

use crate::model::conversation_key;

/// One conversation as version 5 stored it.
struct OldConversation {
    id: i64,
    account: String,
    peer_key: String,
    unread: i64,
    display_name: Option<String>,
}

/// Re-keys and merges the conversations, and re-keys recorded transfer
/// peers, inside the migration's transaction.
pub(crate) fn merge_conversations(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut stmt = tx.prepare(
        "SELECT id, account, peer_key, unread, display_name FROM conversations \
         ORDER BY last_activity DESC, id DESC",
    )?;
    let rows = stmt.query_map([], |row| {
        Ok(OldConversation {
            id: row.get(0)?,
            account: row.get(1)?,
            peer_key: row.get(2)?,
            unread: row.get(3)?,
            display_name: row.get(4)?,
        })
    })?;
    // (account, new key) -> the conversation that stays (the newest).
    let mut kept: HashMap<(String, String), i64> = HashMap::new();
    let mut rekey: Vec<(i64, String)> = Vec::new();
    for row in rows {
        let old = row?;
        let key = conversation_key(&old.peer_key);
        match kept.get(&(old.account.clone(), key.clone())) {
            Some(&into) => merge_into(tx, &old, into)?,
            None => {
                if key != old.peer_key {
                    rekey.push((old.id, key.clone()));
                }
                kept.insert((old.account, key), old.id);
            }
        }
    }
    drop(stmt);
    for (id, key) in rekey {
        tx.execute(
            "UPDATE conversations SET peer_key = ?2 WHERE id = ?1",
            params![id, key],
        )?;
    }
    rekey_transfer_peers(tx)
}

/// Moves everything of `old` into conversation `into` and deletes `old`.
fn merge_into(tx: &Transaction<'_>, old: &OldConversation, into: i64) -> rusqlite::Result<()> {
    tracing::info!(
        account = %old.account,
        from = %old.peer_key,
        into,
        "merging a conversation with the same peer"
    );
    tx.execute(
        "UPDATE messages SET remote_message_id = NULL \
         WHERE conversation_id = ?1 AND direction = 'in' AND remote_message_id IN \
           (SELECT remote_message_id FROM messages WHERE conversation_id = ?2 \
            AND direction = 'in' AND remote_message_id IS NOT NULL)",
        params![old.id, into],
    )?;
    tx.execute(
        "UPDATE messages SET conversation_id = ?2 WHERE conversation_id = ?1",
        params![old.id, into],
    )?;
    tx.execute(
        "UPDATE transfers SET conversation_id = ?2 WHERE conversation_id = ?1",
        params![old.id, into],
    )?;
    tx.execute(
        "UPDATE conversations SET unread = unread + ?2, \
         display_name = COALESCE(display_name, ?3) WHERE id = ?1",
        params![into, old.unread, old.display_name],
    )?;
    tx.execute("DELETE FROM conversations WHERE id = ?1", [old.id])?;
    Ok(())
}

/// `transfers.peer` holds a key too (for resuming with the same peer).
fn rekey_transfer_peers(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let peers: Vec<(i64, String)> = {
        let mut stmt = tx.prepare("SELECT id, peer FROM transfers WHERE peer IS NOT NULL")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, peer) in peers {
        let key = conversation_key(&peer);
        if key != peer {
            tx.execute("UPDATE transfers SET peer = ?2 WHERE id = ?1", params![id, key])?;
        }
    }
    Ok(())
}
