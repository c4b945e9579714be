//! What the running instance last heard of every watched address
//! ([`super::Request::Presence`], for `sipchat contacts list --json`): the
//! server remembers each [`Event::Presence`] that passes through it for
//! the runtime attached now.

use super::Reply;
use crate::model::{Presence, WatchState};
use crate::runtime::Event;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// One watched address as last heard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceEntry {
    /// The account that watches it.
    pub account: String,
    /// The address, as watched.
    pub contact: String,
    /// Its status, note and last-seen time.
    pub presence: Presence,
    /// How watching it stands.
    pub watch: WatchState,
}

/// The entries, one per account and address.
#[derive(Debug, Default)]
pub(super) struct PresenceCache {
    entries: Mutex<Vec<PresenceEntry>>,
}

impl PresenceCache {
    /// Keeps what `event` says, if it is a contact's presence.
    pub(super) fn remember(&self, event: &Event) {
        let Event::Presence {
            account,
            contact,
            presence,
            watch,
        } = event
        else {
            return;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let entry = PresenceEntry {
            account: account.0.clone(),
            contact: contact.clone(),
            presence: presence.clone(),
            watch: watch.clone(),
        };
        match entries
            .iter_mut()
            .find(|e| e.account == entry.account && e.contact == entry.contact)
        {
            Some(known) => *known = entry,
            None => entries.push(entry),
        }
    }

    /// Forgets everything (another runtime is attached).
    pub(super) fn clear(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    /// The answer to [`super::Request::Presence`].
    pub(super) fn reply(&self) -> Reply {
        let entries = self.entries.lock().map(|e| e.clone()).unwrap_or_default();
        Reply::Presence { entries }
    }
}
