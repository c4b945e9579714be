//! The address book as the window and the command line change it:
//! [`ContactChange`]s carried out on the store, each answered with a
//! [`ContactOutcome`] in words the user can read.
//!
//! The runtime runs these on its store thread (`queries.rs`) and then tells
//! everyone the new list ([`crate::runtime::Event::Contacts`]) and every
//! endpoint the new block list; the command line without a running instance
//! calls [`apply`] on its own store. vCard text is read and written by
//! [`crate::protocol::vcard`]; this module does the files.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::model::{AccountId, Contact, ContactDraft, ContactId, ContactPatch, ContactSelector};
use crate::protocol::vcard::{self, VcardError};
use crate::store::{Store, StoreError};

/// A change to the address book (or to a conversation, from the contact
/// list's menu). Serialisable: the command line hands it to a running
/// instance over the control channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum ContactChange {
    /// Add a contact.
    Add {
        /// The contact.
        draft: ContactDraft,
    },
    /// Change some fields of a contact.
    Edit {
        /// Which contact.
        contact: ContactSelector,
        /// What changes.
        patch: ContactPatch,
    },
    /// Remove a contact (its conversations stay).
    Remove {
        /// Which contact.
        contact: ContactSelector,
    },
    /// Block or unblock a contact.
    SetBlocked {
        /// Which contact.
        contact: ContactSelector,
        /// Blocked or not.
        blocked: bool,
    },
    /// The answer to someone who asked to see our status, kept with the
    /// contact: allowed, the address becomes a contact (or its contact is
    /// unblocked); blocked, its contact is blocked (a blocked contact is
    /// added when there is none). Presence follows the address book.
    DecideWatcher {
        /// The account they watch; the new contact's account.
        account: Option<AccountId>,
        /// Their address.
        address: String,
        /// Allow (else block).
        allow: bool,
    },
    /// "Add to contacts" on a conversation: a contact with the
    /// conversation's peer address and account.
    AddPeer {
        /// The conversation's account.
        account: AccountId,
        /// Its peer key.
        peer_key: String,
        /// The name (the conversation's shown name when `None`).
        name: Option<String>,
    },
    /// Give a conversation a name (`None`: no name of its own).
    RenameConversation {
        /// Its account.
        account: AccountId,
        /// Its peer key.
        peer_key: String,
        /// The name.
        title: Option<String>,
    },
    /// Delete a conversation and its messages.
    DeleteConversation {
        /// Its account.
        account: AccountId,
        /// Its peer key.
        peer_key: String,
    },
    /// Import a vCard file: new addresses become contacts; a card whose
    /// address is a contact's already changes nothing.
    Import {
        /// The file.
        path: PathBuf,
    },
    /// Export every contact as vCard 4.
    Export {
        /// The file; `None`: the text comes back in the outcome.
        path: Option<PathBuf>,
    },
}

/// What a [`ContactChange`] did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ContactOutcome {
    /// A contact was added.
    Added {
        /// Its id.
        id: ContactId,
    },
    /// A contact was changed, blocked or unblocked.
    Changed {
        /// Its id.
        id: ContactId,
    },
    /// A contact was removed.
    Removed {
        /// Its id.
        id: ContactId,
    },
    /// A conversation was renamed or deleted.
    ConversationChanged,
    /// A vCard file was read.
    Imported {
        /// The contacts added.
        added: Vec<ContactId>,
        /// Cards left out (already known, or unusable), in words.
        skipped: Vec<String>,
    },
    /// The contacts were exported.
    Exported {
        /// How many.
        count: usize,
        /// The vCard text, when no file was asked for.
        vcard: Option<String>,
    },
    /// Nothing changed; why, in words.
    Refused {
        /// The reason.
        reason: String,
    },
}

/// A [`ContactChange`]'s answer, named by the caller's request number
/// ([`crate::runtime::Handle::next_request_id`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactChanged {
    /// The number the caller gave the change.
    pub request: u64,
    /// What happened.
    pub outcome: ContactOutcome,
}

/// Why a change could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum ContactBookError {
    /// The store refused (a mistake in the contact, no such contact) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No contact is named so.
    #[error("no contact has the address {0}")]
    NoContact(ContactSelector),
    /// The vCard file cannot be read.
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The vCard file cannot be written.
    #[error("cannot write {}: {source}", .path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not usable vCard.
    #[error("{}: {source}", .path.display())]
    Vcard {
        /// The file.
        path: PathBuf,
        /// Why.
        source: VcardError,
    },
}

/// The contact `selector` names.
fn find(store: &Store, selector: &ContactSelector) -> Result<Contact, ContactBookError> {
    let found = match selector {
        ContactSelector::Id(id) => store.contact(*id)?,
        ContactSelector::Address(address) => store.contact_by_address(address)?,
    };
    found.ok_or_else(|| ContactBookError::NoContact(selector.clone()))
}

/// Carries out `change` on `store`; `now_ms` stamps changed contacts.
pub fn apply(
    store: &mut Store,
    change: &ContactChange,
    now_ms: i64,
) -> Result<ContactOutcome, ContactBookError> {
    Ok(match change {
        ContactChange::Add { draft } => ContactOutcome::Added {
            id: store.add_contact(draft, now_ms)?,
        },
        ContactChange::Edit { contact, patch } => {
            let found = find(store, contact)?;
            store.update_contact(found.id, &patch.apply_to(&found.details), now_ms)?;
            ContactOutcome::Changed { id: found.id }
        }
        ContactChange::Remove { contact } => {
            let found = find(store, contact)?;
            store.remove_contact(found.id)?;
            ContactOutcome::Removed { id: found.id }
        }
        ContactChange::SetBlocked { contact, blocked } => {
            let found = find(store, contact)?;
            store.set_contact_blocked(found.id, *blocked, now_ms)?;
            ContactOutcome::Changed { id: found.id }
        }
        ContactChange::DecideWatcher {
            account,
            address,
            allow,
        } => decide_watcher(store, account.as_ref(), address, *allow, now_ms)?,
        ContactChange::AddPeer {
            account,
            peer_key,
            name,
        } => {
            let conversation = store
                .conversations(Some(&account.0))?
                .into_iter()
                .find(|c| &c.peer_key == peer_key);
            let (address, shown) = match &conversation {
                Some(c) => (c.peer_key.clone(), c.shown_name().to_string()),
                None => (peer_key.clone(), peer_key.clone()),
            };
            let draft = ContactDraft {
                name: name.clone().unwrap_or(shown),
                addresses: vec![address],
                account: Some(account.0.clone()),
                ..ContactDraft::default()
            };
            ContactOutcome::Added {
                id: store.add_contact(&draft, now_ms)?,
            }
        }
        ContactChange::RenameConversation {
            account,
            peer_key,
            title,
        } => {
            store.rename_conversation(&account.0, peer_key, title.as_deref())?;
            ContactOutcome::ConversationChanged
        }
        ContactChange::DeleteConversation { account, peer_key } => {
            store.delete_conversation(&account.0, peer_key)?;
            ContactOutcome::ConversationChanged
        }
        ContactChange::Import { path } => import(store, path, now_ms)?,
        ContactChange::Export { path } => {
            let drafts: Vec<ContactDraft> = store.contacts()?.into_iter().map(|c| c.details).collect();
            let text = vcard::write(&drafts);
            match path {
                Some(path) => {
                    std::fs::write(path, &text).map_err(|source| ContactBookError::Write {
                        path: path.clone(),
                        source,
                    })?;
                    ContactOutcome::Exported {
                        count: drafts.len(),
                        vcard: None,
                    }
                }
                None => ContactOutcome::Exported {
                    count: drafts.len(),
                    vcard: Some(text),
                },
            }
        }
    })
}

/// Keeps a watcher decision with the contact (see
/// [`ContactChange::DecideWatcher`]).
fn decide_watcher(
    store: &mut Store,
    account: Option<&AccountId>,
    address: &str,
    allow: bool,
    now_ms: i64,
) -> Result<ContactOutcome, ContactBookError> {
    if let Some(found) = store.contact_by_address(address)? {
        if found.details.blocked == allow {
            store.set_contact_blocked(found.id, !allow, now_ms)?;
        }
        return Ok(ContactOutcome::Changed { id: found.id });
    }
    let draft = ContactDraft {
        name: address.trim().to_string(),
        addresses: vec![address.trim().to_string()],
        account: account.map(|a| a.0.clone()),
        blocked: !allow,
        ..ContactDraft::default()
    };
    Ok(ContactOutcome::Added {
        id: store.add_contact(&draft, now_ms)?,
    })
}

/// Reads a vCard file into the address book.
fn import(store: &mut Store, path: &PathBuf, now_ms: i64) -> Result<ContactOutcome, ContactBookError> {
    let size = std::fs::metadata(path)
        .map_err(|source| ContactBookError::Read {
            path: path.clone(),
            source,
        })?
        .len();
    if size > vcard::MAX_VCARD_FILE_BYTES as u64 {
        return Err(ContactBookError::Vcard {
            path: path.clone(),
            source: VcardError::TooLarge {
                size: usize::try_from(size).unwrap_or(usize::MAX),
                limit: vcard::MAX_VCARD_FILE_BYTES,
            },
        });
    }
    let bytes = std::fs::read(path).map_err(|source| ContactBookError::Read {
        path: path.clone(),
        source,
    })?;
    // vCard files are UTF-8 (RFC 6350); an odd byte must not lose the file.
    let text = String::from_utf8_lossy(&bytes);
    let imported = vcard::parse(&text).map_err(|source| ContactBookError::Vcard {
        path: path.clone(),
        source,
    })?;
    let mut skipped = imported.problems.clone();
    let mut added = Vec::new();
    for draft in &imported.contacts {
        match store.add_contact(draft, now_ms) {
            Ok(id) => added.push(id),
            Err(StoreError::Contact { problem }) => skipped.push(format!("{:?}: {problem}", draft.name)),
            Err(other) => return Err(other.into()),
        }
    }
    Ok(ContactOutcome::Imported { added, skipped })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "contact_book_tests.rs"]
mod tests;
