//! The address book: contacts with their addresses and groups, blocking,
//! and the conversation changes the contact list offers (rename, delete).
//!
//! A contact is checked before it is stored ([`ContactProblem`] names each
//! mistake); an address belongs to one contact at most, compared by its key
//! ([`contact_address_key`]).

use std::collections::HashMap;

use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};

use super::error::{ContactProblem, Ctx};
use super::{Store, StoreError};
use crate::model::{contact_address_key, Contact, ContactDraft, ContactId};

/// Longest contact name, in characters.
pub const MAX_CONTACT_NAME_CHARS: usize = 256;
/// Most addresses one contact may have.
pub const MAX_CONTACT_ADDRESSES: usize = 32;
/// Longest note, in characters.
pub const MAX_CONTACT_NOTE_CHARS: usize = 16 * 1024;
/// Longest photo URI (a `data:` URI holds the image), in bytes.
pub const MAX_CONTACT_PHOTO_BYTES: usize = 1024 * 1024;
/// Most groups one contact may be in.
pub const MAX_CONTACT_GROUPS: usize = 64;
/// Longest group name, in characters.
pub const MAX_CONTACT_GROUP_CHARS: usize = 128;

/// Columns read by [`contact_row`], in order.
const CONTACT_SELECT: &str = "SELECT id, name, account, photo, note, favourite, blocked, \
     extra_vcard_lines, updated_at FROM contacts";

/// A contact row without its addresses and groups.
fn contact_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    let extra: Option<String> = row.get(7)?;
    Ok(Contact {
        id: ContactId(row.get(0)?),
        details: ContactDraft {
            name: row.get(1)?,
            addresses: Vec::new(),
            account: row.get(2)?,
            photo: row.get(3)?,
            groups: Vec::new(),
            note: row.get(4)?,
            favourite: row.get(5)?,
            blocked: row.get(6)?,
            extra_vcard_lines: extra
                .map(|text| text.lines().map(str::to_string).collect())
                .unwrap_or_default(),
        },
        updated_at: row.get(8)?,
    })
}

/// Checks a draft; returns it tidied (trimmed, empty fields as `None`) with
/// the key of each address.
fn checked(draft: &ContactDraft) -> Result<(ContactDraft, Vec<String>), ContactProblem> {
    let name = draft.name.trim();
    if name.is_empty() {
        return Err(ContactProblem::NoName);
    }
    let too_long = |field, limit| ContactProblem::TooLong { field, limit };
    if name.chars().count() > MAX_CONTACT_NAME_CHARS {
        return Err(too_long("name", MAX_CONTACT_NAME_CHARS));
    }
    let addresses: Vec<String> = draft
        .addresses
        .iter()
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .collect();
    if addresses.is_empty() {
        return Err(ContactProblem::NoAddress);
    }
    if addresses.len() > MAX_CONTACT_ADDRESSES {
        return Err(too_long("list of addresses", MAX_CONTACT_ADDRESSES));
    }
    let mut keys: Vec<String> = Vec::with_capacity(addresses.len());
    let mut unique = Vec::with_capacity(addresses.len());
    for address in addresses {
        let key = contact_address_key(&address).map_err(|problem| ContactProblem::BadAddress {
            address: address.clone(),
            problem,
        })?;
        if !keys.contains(&key) {
            keys.push(key);
            unique.push(address);
        }
    }
    let note = draft.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    if note.is_some_and(|n| n.chars().count() > MAX_CONTACT_NOTE_CHARS) {
        return Err(too_long("note", MAX_CONTACT_NOTE_CHARS));
    }
    let photo = draft.photo.as_deref().map(str::trim).filter(|p| !p.is_empty());
    if photo.is_some_and(|p| p.len() > MAX_CONTACT_PHOTO_BYTES) {
        return Err(too_long("photo", MAX_CONTACT_PHOTO_BYTES));
    }
    let mut groups: Vec<String> = Vec::new();
    for group in draft.groups.iter().map(|g| g.trim()).filter(|g| !g.is_empty()) {
        if group.chars().count() > MAX_CONTACT_GROUP_CHARS {
            return Err(too_long("group name", MAX_CONTACT_GROUP_CHARS));
        }
        if !groups.iter().any(|g| g == group) {
            groups.push(group.to_string());
        }
    }
    if groups.len() > MAX_CONTACT_GROUPS {
        return Err(too_long("list of groups", MAX_CONTACT_GROUPS));
    }
    let tidy = ContactDraft {
        name: name.to_string(),
        addresses: unique,
        account: draft
            .account
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string),
        photo: photo.map(str::to_string),
        groups,
        note: note.map(str::to_string),
        favourite: draft.favourite,
        blocked: draft.blocked,
        extra_vcard_lines: draft.extra_vcard_lines.clone(),
    };
    Ok((tidy, keys))
}

/// Writes a contact's addresses and groups (replacing any), refusing an
/// address another contact holds.
fn write_parts(
    tx: &Transaction<'_>,
    id: i64,
    draft: &ContactDraft,
    keys: &[String],
) -> Result<Result<(), ContactProblem>, rusqlite::Error> {
    for (address, key) in draft.addresses.iter().zip(keys) {
        let owner: Option<String> = tx
            .prepare_cached(
                "SELECT c.name FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id \
                 WHERE a.address_key = ?1 AND a.contact_id != ?2",
            )?
            .query_row(params![key, id], |row| row.get(0))
            .optional()?;
        if let Some(owner) = owner {
            return Ok(Err(ContactProblem::AddressTaken {
                address: address.clone(),
                owner,
            }));
        }
    }
    tx.prepare_cached("DELETE FROM contact_addresses WHERE contact_id = ?1")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM contact_groups WHERE contact_id = ?1")?
        .execute([id])?;
    for (position, (address, key)) in draft.addresses.iter().zip(keys).enumerate() {
        tx.prepare_cached(
            "INSERT INTO contact_addresses (contact_id, position, address, address_key) \
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, position as i64, address, key])?;
    }
    for group in &draft.groups {
        tx.prepare_cached("INSERT INTO contact_groups (contact_id, name) VALUES (?1, ?2)")?
            .execute(params![id, group])?;
    }
    Ok(Ok(()))
}

/// The extra vCard lines as one column (`NULL` when there are none).
fn extra_column(draft: &ContactDraft) -> Option<String> {
    (!draft.extra_vcard_lines.is_empty()).then(|| draft.extra_vcard_lines.join("\n"))
}

impl Store {
    /// Every contact, favourites first, then by name (without case).
    pub fn contacts(&self) -> Result<Vec<Contact>, StoreError> {
        const WHAT: &str = "list contacts";
        let ctx = self.ctx();
        let mut contacts: Vec<Contact> = {
            let mut stmt = self
                .conn
                .prepare_cached(&format!(
                    "{CONTACT_SELECT} ORDER BY favourite DESC, name COLLATE NOCASE, id"
                ))
                .map_err(ctx.sql(WHAT))?;
            let rows = stmt.query_map([], contact_row).map_err(ctx.sql(WHAT))?;
            rows.collect::<rusqlite::Result<_>>().map_err(ctx.sql(WHAT))?
        };
        let mut index: HashMap<i64, usize> = HashMap::new();
        for (i, contact) in contacts.iter().enumerate() {
            index.insert(contact.id.0, i);
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT contact_id, address FROM contact_addresses ORDER BY contact_id, position")
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(ctx.sql(WHAT))?;
        for row in rows {
            let (id, address) = row.map_err(ctx.sql(WHAT))?;
            if let Some(&i) = index.get(&id) {
                contacts[i].details.addresses.push(address);
            }
        }
        let mut stmt = self
            .conn
            .prepare_cached("SELECT contact_id, name FROM contact_groups ORDER BY contact_id, name")
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt
            .query_map([], |row| Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?)))
            .map_err(ctx.sql(WHAT))?;
        for row in rows {
            let (id, group) = row.map_err(ctx.sql(WHAT))?;
            if let Some(&i) = index.get(&id) {
                contacts[i].details.groups.push(group);
            }
        }
        Ok(contacts)
    }

    /// The contact with this id.
    pub fn contact(&self, id: ContactId) -> Result<Option<Contact>, StoreError> {
        Ok(self.contacts()?.into_iter().find(|c| c.id == id))
    }

    /// The contact holding `address` (compared by key), if any.
    pub fn contact_by_address(&self, address: &str) -> Result<Option<Contact>, StoreError> {
        const WHAT: &str = "find a contact by address";
        let Ok(key) = contact_address_key(address) else {
            return Ok(None);
        };
        let id: Option<i64> = self
            .conn
            .prepare_cached("SELECT contact_id FROM contact_addresses WHERE address_key = ?1")
            .and_then(|mut stmt| stmt.query_row([key], |row| row.get(0)).optional())
            .map_err(self.ctx().sql(WHAT))?;
        match id {
            Some(id) => self.contact(ContactId(id)),
            None => Ok(None),
        }
    }

    /// Adds a contact; `at` is now (ms).
    pub fn add_contact(&mut self, draft: &ContactDraft, at: i64) -> Result<ContactId, StoreError> {
        const WHAT: &str = "add a contact";
        self.check_writable(WHAT)?;
        let (draft, keys) = checked(draft).map_err(|problem| StoreError::Contact { problem })?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let id: i64 = tx
            .prepare_cached(
                "INSERT INTO contacts (name, account, photo, note, favourite, blocked, \
                 extra_vcard_lines, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id",
            )
            .and_then(|mut stmt| {
                stmt.query_row(
                    params![
                        draft.name,
                        draft.account,
                        draft.photo,
                        draft.note,
                        draft.favourite,
                        draft.blocked,
                        extra_column(&draft),
                        at
                    ],
                    |row| row.get(0),
                )
            })
            .map_err(ctx.sql(WHAT))?;
        write_parts(&tx, id, &draft, &keys)
            .map_err(ctx.sql(WHAT))?
            .map_err(|problem| StoreError::Contact { problem })?;
        tx.commit().map_err(ctx.sql(WHAT))?;
        Ok(ContactId(id))
    }

    /// Replaces what is known about contact `id`.
    pub fn update_contact(&mut self, id: ContactId, draft: &ContactDraft, at: i64) -> Result<(), StoreError> {
        const WHAT: &str = "change a contact";
        self.check_writable(WHAT)?;
        let (draft, keys) = checked(draft).map_err(|problem| StoreError::Contact { problem })?;
        let ctx = Ctx { path: &self.path };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(ctx.sql(WHAT))?;
        let changed = tx
            .prepare_cached(
                "UPDATE contacts SET name = ?2, account = ?3, photo = ?4, note = ?5, favourite = ?6, \
                 blocked = ?7, extra_vcard_lines = ?8, updated_at = ?9 WHERE id = ?1",
            )
            .and_then(|mut stmt| {
                stmt.execute(params![
                    id.0,
                    draft.name,
                    draft.account,
                    draft.photo,
                    draft.note,
                    draft.favourite,
                    draft.blocked,
                    extra_column(&draft),
                    at
                ])
            })
            .map_err(ctx.sql(WHAT))?;
        if changed == 0 {
            return Err(StoreError::NoContact { what: id.to_string() });
        }
        write_parts(&tx, id.0, &draft, &keys)
            .map_err(ctx.sql(WHAT))?
            .map_err(|problem| StoreError::Contact { problem })?;
        tx.commit().map_err(ctx.sql(WHAT))
    }

    /// Removes a contact (its conversations stay, without a contact).
    pub fn remove_contact(&mut self, id: ContactId) -> Result<(), StoreError> {
        const WHAT: &str = "remove a contact";
        self.check_writable(WHAT)?;
        let removed = self
            .conn
            .execute("DELETE FROM contacts WHERE id = ?1", [id.0])
            .map_err(self.ctx().sql(WHAT))?;
        match removed {
            0 => Err(StoreError::NoContact { what: id.to_string() }),
            _ => Ok(()),
        }
    }

    /// Blocks or unblocks a contact.
    pub fn set_contact_blocked(&mut self, id: ContactId, blocked: bool, at: i64) -> Result<(), StoreError> {
        const WHAT: &str = "block or unblock a contact";
        self.check_writable(WHAT)?;
        let changed = self
            .conn
            .execute(
                "UPDATE contacts SET blocked = ?2, updated_at = ?3 WHERE id = ?1",
                params![id.0, blocked, at],
            )
            .map_err(self.ctx().sql(WHAT))?;
        match changed {
            0 => Err(StoreError::NoContact { what: id.to_string() }),
            _ => Ok(()),
        }
    }

    /// The address keys of every blocked contact (the block list the
    /// runtime's features are given).
    pub fn blocked_address_keys(&self) -> Result<Vec<String>, StoreError> {
        const WHAT: &str = "read the block list";
        let ctx = self.ctx();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.address_key FROM contact_addresses a JOIN contacts c ON c.id = a.contact_id \
                 WHERE c.blocked = 1 ORDER BY a.address_key",
            )
            .map_err(ctx.sql(WHAT))?;
        let rows = stmt.query_map([], |row| row.get(0)).map_err(ctx.sql(WHAT))?;
        rows.collect::<rusqlite::Result<_>>().map_err(ctx.sql(WHAT))
    }

    /// Gives a conversation a name of the user's (`None` or empty: none).
    pub fn rename_conversation(
        &mut self,
        account: &str,
        peer_key: &str,
        title: Option<&str>,
    ) -> Result<(), StoreError> {
        const WHAT: &str = "rename a conversation";
        self.check_writable(WHAT)?;
        let title = title.map(str::trim).filter(|t| !t.is_empty());
        if title.is_some_and(|t| t.chars().count() > MAX_CONTACT_NAME_CHARS) {
            return Err(StoreError::Contact {
                problem: ContactProblem::TooLong {
                    field: "conversation name",
                    limit: MAX_CONTACT_NAME_CHARS,
                },
            });
        }
        let changed = self
            .conn
            .execute(
                "UPDATE conversations SET title = ?3 WHERE account = ?1 AND peer_key = ?2",
                params![account, peer_key, title],
            )
            .map_err(self.ctx().sql(WHAT))?;
        self.one_conversation(changed, account, peer_key)
    }

    /// Deletes a conversation with its messages and their delivery history
    /// (recorded transfers stay, without a conversation).
    pub fn delete_conversation(&mut self, account: &str, peer_key: &str) -> Result<(), StoreError> {
        const WHAT: &str = "delete a conversation";
        self.check_writable(WHAT)?;
        let changed = self
            .conn
            .execute(
                "DELETE FROM conversations WHERE account = ?1 AND peer_key = ?2",
                params![account, peer_key],
            )
            .map_err(self.ctx().sql(WHAT))?;
        self.one_conversation(changed, account, peer_key)
    }

    /// `NoConversation` unless one row changed.
    fn one_conversation(&self, changed: usize, account: &str, peer_key: &str) -> Result<(), StoreError> {
        match changed {
            0 => Err(StoreError::NoConversation {
                path: self.path.clone(),
                account: account.to_string(),
                peer_key: peer_key.to_string(),
            }),
            _ => Ok(()),
        }
    }
}
