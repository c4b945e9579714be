//! The address book as presence sees it ([`PresenceInput::AddressBook`]):
//! which addresses this account watches, and (when it is its own notifier)
//! which watchers it lets see our status without asking.
//!
//! Watched: the `sip:`/`sips:` addresses of every contact that is not
//! blocked and names this account, or no account when this is the default
//! one. A contact removed (or blocked, or moved to another account) is
//! unwatched; addresses watched by [`PresenceInput::Watch`] stay until
//! [`PresenceInput::Unwatch`]. Allowed watchers: any contact that is not
//! blocked, whichever its account; blocked contacts are refused. A watcher
//! whose verdict changes with the book is told at once.
//!
//! [`PresenceInput::AddressBook`]: super::PresenceInput::AddressBook
//! [`PresenceInput::Watch`]: super::PresenceInput::Watch
//! [`PresenceInput::Unwatch`]: super::PresenceInput::Unwatch

use super::Presence;
use crate::model::{conversation_key, Contact};
use crate::protocol::sip::agent::WatcherId;
use crate::runtime::clock::Now;
use std::collections::{BTreeSet, HashSet};

/// What the address book says to one account's presence.
#[derive(Debug, Default)]
pub(super) struct Book {
    /// Addresses watched because of the book.
    watched: BTreeSet<String>,
    /// Address keys of contacts that are not blocked.
    known: HashSet<String>,
    /// Address keys of blocked contacts.
    blocked: HashSet<String>,
    /// Addresses the user asked to watch directly.
    pub(super) asked: BTreeSet<String>,
}

impl Book {
    /// Whether a contact that is not blocked has this address key.
    pub(super) fn knows(&self, key: &str) -> bool {
        self.known.contains(key)
    }

    /// Whether a blocked contact has this address key.
    pub(super) fn blocks(&self, key: &str) -> bool {
        self.blocked.contains(key)
    }

    /// The address keys of contacts that are not blocked.
    pub(super) fn known_keys(&self) -> impl Iterator<Item = &str> {
        self.known.iter().map(String::as_str)
    }

    /// The address keys of blocked contacts.
    pub(super) fn blocked_keys(&self) -> impl Iterator<Item = &str> {
        self.blocked.iter().map(String::as_str)
    }
}

/// Whether presence can be watched at `address` (a SIP address).
fn watchable(address: &str) -> bool {
    let lower = address.trim().to_ascii_lowercase();
    lower.starts_with("sip:") || lower.starts_with("sips:")
}

/// How a watcher stands, to tell it again only when that changes.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Allowed,
    Blocked,
    Waiting,
}

impl Presence {
    fn verdict(&self, key: &str) -> Verdict {
        if self.is_blocked(key) {
            Verdict::Blocked
        } else if self.is_allowed(key) {
            Verdict::Allowed
        } else {
            Verdict::Waiting
        }
    }

    /// Takes the whole address book, as it is now.
    pub(super) fn address_book(&mut self, contacts: &[Contact], now: Now) {
        let mine = |c: &&Contact| match &c.details.account {
            Some(account) => *account == self.settings.account.0,
            None => self.settings.default_account,
        };
        let wanted: BTreeSet<String> = contacts
            .iter()
            .filter(|c| !c.details.blocked)
            .filter(mine)
            .flat_map(|c| c.details.addresses.iter())
            .filter(|a| watchable(a))
            .map(|a| a.trim().to_string())
            .collect();
        let watchers: Vec<(WatcherId, String)> = self
            .watchers
            .iter()
            .map(|(id, (key, _))| (*id, key.clone()))
            .collect();
        let before: Vec<Verdict> = watchers.iter().map(|(_, key)| self.verdict(key)).collect();

        let gone: Vec<String> = self.book.watched.difference(&wanted).cloned().collect();
        for address in gone {
            if !self.book.asked.contains(&address) {
                self.unwatch(&address);
            }
        }
        let new: Vec<String> = wanted.difference(&self.book.watched).cloned().collect();
        for address in new {
            self.watch(address, now);
        }
        self.book.watched = wanted;
        let keys = |blocked: bool| -> HashSet<String> {
            contacts
                .iter()
                .filter(|c| c.details.blocked == blocked)
                .flat_map(|c| c.details.addresses.iter())
                .map(|a| conversation_key(a))
                .collect()
        };
        self.book.known = keys(false);
        self.book.blocked = keys(true);

        self.rules_changed(now);
        self.contact_list_book(contacts);
        for ((id, key), was) in watchers.into_iter().zip(before) {
            if self.verdict(&key) != was && self.watchers.contains_key(&id) {
                let left = self.seconds_left(id, now);
                self.tell(id, &key, left, now);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::{PresenceEffect, PresenceInput, PresenceSettings, SavedPresence};
    use super::*;
    use crate::model::{AccountId, ContactDraft, ContactId};
    use crate::protocol::sip::agent::{NotifyState, WatcherEvent};
    use std::time::{Duration, Instant};

    fn presence(account: &str, default_account: bool) -> Presence {
        Presence::new(PresenceSettings {
            account: AccountId(account.into()),
            aor: "sip:alice@127.0.0.1".into(),
            publishes: false,
            saved: SavedPresence::default(),
            seed: 7,
            default_account,
            watcher_info: false,
            xcap: false,
            list: None,
        })
    }

    fn contact(id: i64, address: &str, account: Option<&str>, blocked: bool) -> Contact {
        Contact {
            id: ContactId(id),
            details: ContactDraft {
                name: format!("contact {id}"),
                addresses: vec![address.into(), "tel:+4930123".into()],
                account: account.map(str::to_string),
                blocked,
                ..ContactDraft::default()
            },
            updated_at: 0,
        }
    }

    fn now() -> Now {
        Now {
            at: Instant::now(),
            unix_ms: 1_796_641_500_000,
        }
    }

    /// The addresses subscribed to within a minute.
    fn subscribed(p: &mut Presence, start: Now) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(at) = p.poll_timeout() {
            if at > start.at + Duration::from_secs(60) {
                break;
            }
            p.handle_timeout(start.after(at.saturating_duration_since(start.at)));
            while let Some(effect) = p.poll_effect() {
                if let PresenceEffect::Subscribe { request, .. } = effect {
                    out.push(request.target);
                }
            }
        }
        out
    }

    fn unsubscribed(p: &mut Presence) -> usize {
        std::iter::from_fn(|| p.poll_effect())
            .filter(|e| matches!(e, PresenceEffect::Unsubscribe { .. }))
            .count()
    }

    #[test]
    fn contacts_of_this_account_are_watched_and_removed_ones_unwatched() {
        let t = now();
        let mut p = presence("local", true);
        p.handle(PresenceInput::CanSend(true), t);
        let book = vec![
            contact(1, "sip:bob@127.0.0.1:5062", None, false),
            contact(2, "sip:carol@127.0.0.1:5063", Some("local"), false),
            contact(3, "sip:dave@example.org", Some("work"), false),
            contact(4, "sip:eve@127.0.0.1:5064", None, true),
        ];
        p.handle(PresenceInput::AddressBook(book.clone()), t);
        let mut watched = subscribed(&mut p, t);
        watched.sort();
        assert_eq!(watched, ["sip:bob@127.0.0.1:5062", "sip:carol@127.0.0.1:5063"]);

        // Bob removed, a direct watch of carol kept when her contact goes.
        p.handle(PresenceInput::Watch("sip:carol@127.0.0.1:5063".into()), t);
        p.handle(PresenceInput::AddressBook(book[2..].to_vec()), t);
        assert_eq!(unsubscribed(&mut p), 1);
        // Another account's presence never takes contacts without one.
        let mut work = presence("work", false);
        work.handle(PresenceInput::CanSend(true), t);
        work.handle(PresenceInput::AddressBook(book), t);
        assert_eq!(subscribed(&mut work, t), ["sip:dave@example.org"]);
    }

    #[test]
    fn contacts_may_watch_us_strangers_wait_and_blocked_ones_are_refused() {
        let t = now();
        let mut p = presence("local", true);
        p.handle(PresenceInput::CanSend(true), t);
        let subscribe = |p: &mut Presence, id: u64, watcher: &str| {
            p.handle(
                PresenceInput::Watcher(WatcherEvent::Subscribed {
                    id: WatcherId(id),
                    watcher: watcher.into(),
                    expires: 600,
                }),
                t,
            );
            std::iter::from_fn(|| p.poll_effect()).collect::<Vec<_>>()
        };
        let states = |effects: &[PresenceEffect]| -> Vec<NotifyState> {
            effects
                .iter()
                .filter_map(|e| match e {
                    PresenceEffect::NotifyWatcher { state, .. } => Some(state.clone()),
                    _ => None,
                })
                .collect()
        };
        p.handle(
            PresenceInput::AddressBook(vec![
                contact(1, "sip:bob@127.0.0.1:5062", Some("work"), false),
                contact(2, "sip:mallory@127.0.0.1", None, true),
            ]),
            t,
        );
        let _ = std::iter::from_fn(|| p.poll_effect()).count();
        // A contact (of any account, from any port) sees us at once.
        let bob = subscribe(&mut p, 1, "sip:bob@127.0.0.1:6000");
        assert!(
            matches!(states(&bob)[..], [NotifyState::Active { .. }]),
            "{bob:?}"
        );
        assert!(!bob.iter().any(|e| matches!(e, PresenceEffect::Emit(_))));
        // A blocked contact is refused without asking.
        let mallory = subscribe(&mut p, 2, "sip:mallory@127.0.0.1:6001");
        assert!(matches!(
            states(&mallory)[..],
            [NotifyState::Terminated {
                reason: "rejected",
                ..
            }]
        ));
        // A stranger waits and the user is asked ...
        let carol = subscribe(&mut p, 3, "sip:carol@127.0.0.1:6002");
        assert!(matches!(states(&carol)[..], [NotifyState::Pending { .. }]));
        assert!(carol.iter().any(|e| matches!(e, PresenceEffect::Emit(_))));
        // ... until she is added to the contacts: then she is told at once.
        p.handle(
            PresenceInput::AddressBook(vec![
                contact(1, "sip:bob@127.0.0.1:5062", Some("work"), false),
                contact(3, "sip:carol@127.0.0.1", Some("work"), false),
            ]),
            t,
        );
        let told: Vec<PresenceEffect> = std::iter::from_fn(|| p.poll_effect()).collect();
        assert!(
            matches!(states(&told)[..], [NotifyState::Active { .. }]),
            "{told:?}"
        );
    }
}
