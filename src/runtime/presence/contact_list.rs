//! The address book kept on the XCAP server too (accounts with an XCAP
//! root): the user's resource-lists document (RFC 4826), so a second
//! device of the same account sees the same contacts.
//!
//! At start the document is read ([`PresenceEffect::ReadContactList`]; none
//! on the server counts as an empty one) and merged by address with the
//! address book: an entry whose address no contact has is added to the
//! book for this account with its display name
//! ([`PresenceEffect::AddContacts`]); this account's contacts the server
//! lacks are written to it. Then the whole document is written
//! ([`PresenceEffect::WriteContactList`], `If-Match` our last ETag)
//! whenever this account's contacts change: sipchat's list
//! ([`SIPCHAT_LIST`]) holds the `sip:`/`sips:` addresses of this account's
//! contacts that are not blocked, with their names (the book's name wins
//! over the server's); other lists in the document are kept as read.
//!
//! The book is the source of truth: nothing is ever removed from it here,
//! so an unreachable or failing server never loses a contact. A document
//! changed elsewhere (412) is read again, merged and written again (at most
//! [`MAX_CONFLICTS_IN_A_ROW`] times before backing off); other failures are
//! said in words and the read is tried again with a backoff. A document
//! that cannot be read is said in words and written anew from the book.
//! Merging is a union: a contact removed on one device comes back from the
//! other's list at that device's next merge.

use super::*;
use crate::model::{conversation_key, ContactDraft};
use crate::protocol::xcap::resource_lists::{Entry, ResourceLists, SIPCHAT_LIST};
use crate::protocol::xcap::{Fetched, XcapError};

/// Reads and writes in a row after 412s before a failure's backoff.
pub const MAX_CONFLICTS_IN_A_ROW: u32 = 3;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Not read yet (or to be read again when `due`).
    #[default]
    Unread,
    /// A read is under way.
    Reading,
    /// Read; written when the book changes.
    Ready,
    /// A write is under way.
    Writing,
}

/// The contact list of one account on the XCAP server.
#[derive(Debug, Default)]
pub(super) struct ContactList {
    stage: Stage,
    /// The document on the server as last read or written.
    server: Option<ResourceLists>,
    /// Its ETag.
    etag: Option<String>,
    /// What is being written.
    writing: Option<ResourceLists>,
    /// This account's contacts as entries.
    local: Vec<Entry>,
    /// The address keys of every contact in the book.
    known: HashSet<String>,
    /// Entries from the server being added to the book.
    adding: Vec<Entry>,
    /// Whether the book has been seen.
    book_seen: bool,
    /// When to read again after a failure.
    due: Option<Instant>,
    failures: u32,
    conflicts: u32,
}

impl ContactList {
    /// When its retry is due.
    pub(super) fn due(&self) -> Option<Instant> {
        self.due
    }
}

/// Whether the address is kept in the list (a SIP address).
fn listed(address: &str) -> bool {
    let lower = address.trim().to_ascii_lowercase();
    lower.starts_with("sip:") || lower.starts_with("sips:")
}

impl Presence {
    /// The address book changed (or is seen the first time).
    pub(super) fn contact_list_book(&mut self, contacts: &[Contact]) {
        if !self.settings.xcap {
            return;
        }
        let account = &self.settings.account.0;
        let default_account = self.settings.default_account;
        let mine = |c: &&Contact| match &c.details.account {
            Some(a) => a == account,
            None => default_account,
        };
        let mut seen = HashSet::new();
        let mut local = Vec::new();
        for contact in contacts.iter().filter(|c| !c.details.blocked).filter(mine) {
            for address in contact.details.addresses.iter().filter(|a| listed(a)) {
                if seen.insert(conversation_key(address)) {
                    // A name that is only the address says nothing.
                    let name = contact.details.name.trim();
                    let uri = address.trim();
                    local.push(Entry {
                        uri: uri.to_string(),
                        display_name: (!name.is_empty() && name != uri).then(|| name.to_string()),
                    });
                }
            }
        }
        let list = &mut self.contact_list;
        list.local = local;
        list.known = contacts
            .iter()
            .flat_map(|c| c.details.addresses.iter())
            .map(|a| conversation_key(a))
            .collect();
        let known = &list.known;
        list.adding.retain(|e| !known.contains(&conversation_key(&e.uri)));
        list.book_seen = true;
        match list.stage {
            Stage::Unread if list.due.is_none() => self.read_contact_list(),
            Stage::Ready => self.write_contact_list(),
            _ => {}
        }
    }

    fn read_contact_list(&mut self) {
        self.contact_list.stage = Stage::Reading;
        self.effects.push_back(PresenceEffect::ReadContactList);
    }

    /// The document we want on the server.
    fn wanted_contact_list(&self) -> ResourceLists {
        let list = &self.contact_list;
        let mut document = list.server.clone().unwrap_or_default();
        let mut seen = HashSet::new();
        let entries: Vec<Entry> = list
            .local
            .iter()
            .chain(list.adding.iter())
            .filter(|e| seen.insert(conversation_key(&e.uri)))
            .cloned()
            .collect();
        if !entries.is_empty() || document.list(SIPCHAT_LIST).is_some() {
            document.set_list(SIPCHAT_LIST, entries);
        }
        document
    }

    /// Writes the document when it differs from the server's.
    fn write_contact_list(&mut self) {
        if self.contact_list.stage != Stage::Ready {
            return;
        }
        let wanted = self.wanted_contact_list();
        if self.contact_list.server.as_ref() == Some(&wanted) {
            return;
        }
        let document = wanted.to_document();
        let if_match = self.contact_list.etag.clone();
        self.contact_list.writing = Some(wanted);
        self.contact_list.stage = Stage::Writing;
        self.effects
            .push_back(PresenceEffect::WriteContactList { document, if_match });
    }

    /// A read ended: merge, and write what the server lacks.
    pub(super) fn contact_list_read(&mut self, result: Result<Option<Fetched>, XcapError>, now: Now) {
        if self.contact_list.stage != Stage::Reading {
            return;
        }
        let (document, etag) = match result {
            Ok(None) => (ResourceLists::default(), None),
            Ok(Some(Fetched { body, etag })) => match ResourceLists::parse(&body) {
                Ok(document) => (document, etag),
                Err(e) => {
                    self.emit(Event::Error {
                        account: Some(self.settings.account.clone()),
                        message: format!(
                            "the contact list on the XCAP server cannot be read ({e}); \
                             it is written anew from this device's contacts"
                        ),
                    });
                    (ResourceLists::default(), etag)
                }
            },
            Err(e) => return self.contact_list_failed(e, now),
        };
        let account = self.settings.account.0.clone();
        let list = &mut self.contact_list;
        let mut drafts = Vec::new();
        for entry in document.all_entries() {
            let key = conversation_key(&entry.uri);
            let adding = list.adding.iter().any(|e| conversation_key(&e.uri) == key);
            if list.known.contains(&key) || adding {
                continue;
            }
            list.adding.push(entry.clone());
            drafts.push(ContactDraft {
                name: entry.display_name.clone().unwrap_or_else(|| entry.uri.clone()),
                addresses: vec![entry.uri.clone()],
                account: Some(account.clone()),
                ..ContactDraft::default()
            });
        }
        tracing::info!(
            account = %account,
            "contact list read from the XCAP server: {} entries, {} new here",
            document.all_entries().len(),
            drafts.len()
        );
        list.server = Some(document);
        list.etag = etag;
        list.stage = Stage::Ready;
        if !drafts.is_empty() {
            self.effects.push_back(PresenceEffect::AddContacts(drafts));
        }
        if self.contact_list.book_seen {
            self.write_contact_list();
        }
    }

    /// A write ended.
    pub(super) fn contact_list_written(&mut self, result: Result<Option<String>, XcapError>, now: Now) {
        if self.contact_list.stage != Stage::Writing {
            return;
        }
        let writing = self.contact_list.writing.take();
        match result {
            Ok(etag) => {
                tracing::info!(account = %self.settings.account, "contact list written to the XCAP server");
                let list = &mut self.contact_list;
                list.failures = 0;
                list.conflicts = 0;
                list.etag = etag;
                list.server = writing;
                list.stage = Stage::Ready;
                self.write_contact_list();
            }
            Err(XcapError::Changed) if self.contact_list.conflicts < MAX_CONFLICTS_IN_A_ROW => {
                tracing::info!(account = %self.settings.account, "contact list changed on the server elsewhere; reading it again");
                self.contact_list.conflicts += 1;
                self.read_contact_list();
            }
            Err(e) => self.contact_list_failed(e, now),
        }
    }

    fn contact_list_failed(&mut self, e: XcapError, now: Now) {
        self.contact_list.failures += 1;
        self.contact_list.conflicts = 0;
        self.contact_list.stage = Stage::Unread;
        let delay = self.backoff(self.contact_list.failures, None);
        self.contact_list.due = Some(now.at + delay);
        let message = format!(
            "could not keep your contacts on the server: {e}; trying again in {} s",
            delay.as_secs().max(1)
        );
        self.emit(Event::Error {
            account: Some(self.settings.account.clone()),
            message,
        });
    }

    /// Its retry timer.
    pub(super) fn contact_list_timeout(&mut self, now: Now) {
        if self.contact_list.due.is_some_and(|d| d <= now.at) {
            self.contact_list.due = None;
            if self.contact_list.stage == Stage::Unread {
                self.read_contact_list();
            }
        }
    }
}
