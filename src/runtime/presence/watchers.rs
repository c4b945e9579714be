//! Those who watch us (the local account is its own notifier): who is
//! allowed, and what each is told.

use super::*;

impl Presence {
    pub(super) fn notify(&mut self, id: WatcherId, state: NotifyState, document: Option<Vec<u8>>) {
        self.effects
            .push_back(PresenceEffect::NotifyWatcher { id, state, document });
    }

    /// Allowed: decided so, in the list we watch, or a contact; never
    /// when blocked.
    pub(super) fn is_allowed(&self, key: &str) -> bool {
        let listed = |list: &[String]| list.iter().any(|a| crate::model::conversation_key(a) == key);
        !self.is_blocked(key)
            && (listed(&self.own.allowed)
                || self.book.knows(key)
                || self
                    .watches
                    .keys()
                    .any(|w| crate::model::conversation_key(w) == key))
    }

    /// Blocked: decided so, or a blocked contact.
    pub(super) fn is_blocked(&self, key: &str) -> bool {
        self.book.blocks(key)
            || self
                .own
                .blocked
                .iter()
                .any(|a| crate::model::conversation_key(a) == key)
    }

    /// What a watcher with `key` is told now.
    pub(super) fn tell(&mut self, id: WatcherId, key: &str, expires: u32, now: Now) {
        if self.is_blocked(key) {
            self.watchers.remove(&id);
            return self.notify(
                id,
                NotifyState::Terminated {
                    reason: "rejected",
                    retry_after: None,
                },
                None,
            );
        }
        if self.is_allowed(key) {
            let document = self.document(now);
            return self.notify(id, NotifyState::Active { expires }, Some(document));
        }
        self.notify(id, NotifyState::Pending { expires }, None);
    }

    pub(super) fn seconds_left(&self, id: WatcherId, now: Now) -> u32 {
        self.watchers
            .get(&id)
            .map(|(_, until)| {
                u32::try_from(until.saturating_duration_since(now.at).as_secs()).unwrap_or(u32::MAX)
            })
            .unwrap_or_default()
    }

    pub(super) fn on_watcher(&mut self, event: WatcherEvent, now: Now) {
        match event {
            WatcherEvent::Subscribed { id, watcher, expires } => {
                let key = crate::model::conversation_key(&watcher);
                if self.stopping {
                    return self.notify(
                        id,
                        NotifyState::Terminated {
                            reason: "noresource",
                            retry_after: None,
                        },
                        None,
                    );
                }
                self.watchers.insert(
                    id,
                    (key.clone(), now.at + Duration::from_secs(u64::from(expires))),
                );
                if !self.is_allowed(&key) && !self.is_blocked(&key) && self.asked.insert(key) {
                    self.emit(Event::PresenceRequest {
                        account: self.settings.account.clone(),
                        watcher: watcher.clone(),
                    });
                }
                let key = crate::model::conversation_key(&watcher);
                self.tell(id, &key, expires, now);
            }
            WatcherEvent::Refreshed { id, expires: 0 } => {
                self.watchers.remove(&id);
                self.notify(
                    id,
                    NotifyState::Terminated {
                        reason: "timeout",
                        retry_after: None,
                    },
                    None,
                );
            }
            WatcherEvent::Refreshed { id, expires } => {
                let Some((key, until)) = self.watchers.get_mut(&id) else {
                    return;
                };
                *until = now.at + Duration::from_secs(u64::from(expires));
                let key = key.clone();
                self.tell(id, &key, expires, now);
            }
            WatcherEvent::Gone { id } => {
                self.watchers.remove(&id);
            }
        }
    }

    pub(super) fn notify_allowed(&mut self, now: Now) {
        let ids: Vec<(WatcherId, String)> = self
            .watchers
            .iter()
            .map(|(id, (key, _))| (*id, key.clone()))
            .collect();
        for (id, key) in ids {
            if self.is_allowed(&key) {
                let left = self.seconds_left(id, now);
                self.tell(id, &key, left, now);
            }
        }
    }
}
