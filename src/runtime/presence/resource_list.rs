//! One subscription for every contact (RFC 4662): with
//! `presence: (list: "sip:alice-list@...")` the account subscribes to that
//! resource list once (`Supported: eventlist`, accepting
//! multipart/related, RLMI and PIDF) instead of once per contact.
//!
//! Each NOTIFY is a multipart/related body: an RLMI document (`rlmi.rs`)
//! naming the list's version, whether it is the full state, and each
//! resource's instances, and a PIDF part per active instance (found by its
//! cid). Every resource we watch is shown as the same
//! [`Event::Presence`] a subscription of its own would give: active with
//! its document, pending, refused, no such user. Versions are applied in
//! order; a partial document after a gap refreshes the subscription for a
//! full one, and an old one is ignored. Addresses the list does not name
//! show nothing.
//!
//! The list subscription is refreshed and retried like a watch. A server
//! that has no such list or no list service (403, 404, 405, 489, 501,
//! `rejected`, `noresource`) is not asked again this run: every contact is
//! then subscribed on its own, as without a list.

use super::*;
use crate::protocol::presence::multipart::{self, Part};
use crate::protocol::presence::rlmi::{self, InstanceState, ResourceList};

/// Answers to the list SUBSCRIBE that mean there is no such list or no
/// list service: each contact is subscribed on its own instead.
pub const SERVER_WITHOUT_LIST: [u16; 5] = [403, 404, 405, 489, 501];

/// The list subscription of one account.
#[derive(Debug)]
pub(super) struct ListSubscription {
    /// The list's URI (none: no list configured, or given up).
    uri: Option<String>,
    id: Option<SubscriptionId>,
    phase: Phase,
    due: Option<Instant>,
    failures: u32,
    /// The version of the last RLMI document applied.
    version: Option<u32>,
}

impl ListSubscription {
    pub(super) fn new(uri: Option<String>) -> ListSubscription {
        ListSubscription {
            uri,
            id: None,
            phase: Phase::Waiting,
            due: None,
            failures: 0,
            version: None,
        }
    }

    /// Whether contacts are watched through the list (no SUBSCRIBE each).
    pub(super) fn in_use(&self) -> bool {
        self.uri.is_some()
    }

    pub(super) fn due(&self) -> Option<Instant> {
        self.due
    }

    pub(super) fn owns(&self, id: SubscriptionId) -> bool {
        self.id == Some(id)
    }

    pub(super) fn subscribing(&self) -> bool {
        self.phase == Phase::Subscribing
    }
}

impl Presence {
    /// The account can send (or not) now.
    pub(super) fn list_can_send(&mut self, can: bool, now: Now) {
        if !self.list.in_use() {
            return;
        }
        self.list.phase = Phase::Waiting;
        if can {
            let slot = self.slot(now.at);
            self.list.due = Some(slot);
        } else {
            self.list.due = None;
            self.list.version = None;
            if let Some(id) = self.list.id.take() {
                self.effects.push_back(PresenceEffect::Forget { id });
            }
        }
    }

    pub(super) fn list_timeout(&mut self, now: Now) {
        if self.list.due.is_none_or(|d| d > now.at) {
            return;
        }
        self.list.due = None;
        match (self.list.phase, self.list.id, self.list.uri.clone()) {
            (Phase::Waiting, _, Some(uri)) if self.can_send && !self.stopping => {
                let id = SubscriptionId(self.next_id);
                self.next_id += 1;
                self.list.id = Some(id);
                self.list.phase = Phase::Subscribing;
                self.list.version = None;
                self.effects.push_back(PresenceEffect::Subscribe {
                    id,
                    request: SubscribeRequest {
                        target: uri,
                        event: EVENT_PRESENCE.to_string(),
                        accept: vec![
                            pidf::CONTENT_TYPE.to_string(),
                            rlmi::CONTENT_TYPE.to_string(),
                            multipart::CONTENT_TYPE.to_string(),
                        ],
                        expires: SUBSCRIBE_EXPIRES,
                    },
                });
            }
            (Phase::Subscribed, Some(id), _) => self.effects.push_back(PresenceEffect::Refresh {
                id,
                expires: SUBSCRIBE_EXPIRES,
            }),
            _ => {}
        }
    }

    pub(super) fn list_stop(&mut self) {
        self.list.due = None;
        if let Some(id) = self.list.id.take() {
            self.effects.push_back(PresenceEffect::Unsubscribe { id });
        }
    }

    /// No list after all: every contact on its own.
    fn give_up_list(&mut self, why: &str, now: Now) {
        let uri = self.list.uri.take().unwrap_or_default();
        tracing::info!(account = %self.settings.account, list = %uri, "{why}: watching each contact on its own");
        self.list.due = None;
        self.list.id = None;
        if !self.can_send || self.stopping {
            return;
        }
        let uris: Vec<String> = self
            .watches
            .iter()
            .filter(|(_, w)| w.phase == Phase::Waiting)
            .map(|(u, _)| u.clone())
            .collect();
        for uri in uris {
            let slot = self.slot(now.at);
            if let Some(w) = self.watches.get_mut(&uri) {
                w.due = Some(slot);
            }
        }
    }

    pub(super) fn on_list(&mut self, event: SubscriptionEvent, now: Now) {
        match event {
            SubscriptionEvent::Accepted { expires, .. } => {
                let delay = self.refresh_delay(expires);
                self.list.phase = Phase::Subscribed;
                self.list.failures = 0;
                self.list.due = Some(now.at + delay);
            }
            SubscriptionEvent::Ended { .. } => self.list.id = None,
            SubscriptionEvent::Failed {
                code,
                reason,
                retry_after,
                ..
            } => {
                self.list.id = None;
                if code.is_some_and(|c| SERVER_WITHOUT_LIST.contains(&c)) {
                    return self.give_up_list(&reason, now);
                }
                self.list_retry(retry_after, now);
            }
            SubscriptionEvent::Notified {
                state,
                content_type,
                body,
                ..
            } => {
                match content_type.as_deref() {
                    Some(multipart::CONTENT_TYPE) => self.list_document(&body, now),
                    Some(other) => {
                        tracing::info!(account = %self.settings.account, "ignoring a resource list NOTIFY body of type {other}")
                    }
                    None => {}
                }
                self.list_state(state, now);
            }
        }
    }

    fn list_retry(&mut self, retry_after: Option<u32>, now: Now) {
        self.list.failures += 1;
        let delay = self.backoff(self.list.failures, retry_after);
        self.list.phase = Phase::Waiting;
        self.list.due = (self.can_send && !self.stopping).then_some(now.at + delay);
    }

    fn list_state(&mut self, state: SubscriptionState, now: Now) {
        match state {
            SubscriptionState::Active { expires } | SubscriptionState::Pending { expires } => {
                if self.list.phase == Phase::Subscribing {
                    self.list.phase = Phase::Subscribed;
                    self.list.failures = 0;
                }
                if let (Some(expires), true) = (expires, self.list.due.is_none()) {
                    let delay = self.refresh_delay(expires);
                    self.list.due = Some(now.at + delay);
                }
            }
            SubscriptionState::Terminated { reason, retry_after } => {
                self.list.id = None;
                self.list.version = None;
                match reason {
                    Some(TerminationReason::Rejected | TerminationReason::Noresource) => {
                        self.give_up_list("the server refused the resource list", now)
                    }
                    Some(TerminationReason::Probation | TerminationReason::Giveup) => {
                        self.list_retry(retry_after, now)
                    }
                    _ => {
                        let slot = self.slot(now.at);
                        self.list.phase = Phase::Waiting;
                        self.list.due = (self.can_send && !self.stopping).then_some(slot);
                    }
                }
            }
        }
    }

    /// A multipart/related body: the RLMI document and its parts.
    fn list_document(&mut self, body: &[u8], now: Now) {
        let parts = match multipart::parse(body, None) {
            Ok(parts) => parts,
            Err(e) => {
                return tracing::info!(account = %self.settings.account, "ignoring a resource list NOTIFY: {e}");
            }
        };
        let Some(root) = parts
            .iter()
            .find(|p| p.content_type.as_deref() == Some(rlmi::CONTENT_TYPE))
        else {
            return tracing::info!(account = %self.settings.account, "ignoring a resource list NOTIFY without RLMI");
        };
        let list = match ResourceList::parse(&root.body) {
            Ok(list) => list,
            Err(e) => {
                return tracing::info!(account = %self.settings.account, "ignoring a resource list NOTIFY: {e}")
            }
        };
        if !list.full_state {
            match self.list.version {
                Some(v) if list.version <= v => return,
                Some(v) if list.version == v.saturating_add(1) => {}
                _ => {
                    // A gap: ask for the full state again.
                    if let (Phase::Subscribed, Some(id)) = (self.list.phase, self.list.id) {
                        self.effects.push_back(PresenceEffect::Refresh {
                            id,
                            expires: SUBSCRIBE_EXPIRES,
                        });
                    }
                    return;
                }
            }
        }
        self.list.version = Some(list.version);
        let at = now.at;
        for resource in &list.resources {
            let key = crate::model::conversation_key(&resource.uri);
            let watched: Vec<String> = self
                .watches
                .keys()
                .filter(|w| crate::model::conversation_key(w) == key)
                .cloned()
                .collect();
            if watched.is_empty() {
                continue;
            }
            let Some(shown) = self.resource_state(resource, &parts) else {
                continue;
            };
            for uri in watched {
                self.show(&uri, shown.0.clone(), shown.1.clone(), at);
            }
        }
    }

    /// What one resource shows: the best of its instances.
    fn resource_state(&self, resource: &rlmi::Resource, parts: &[Part]) -> Option<(Status, WatchState)> {
        let active = resource
            .instances
            .iter()
            .find(|i| i.state == InstanceState::Active);
        if let Some(instance) = active {
            let part = instance
                .cid
                .as_deref()
                .and_then(|cid| parts.iter().find(|p| p.content_id.as_deref() == Some(cid)));
            let Some(part) = part else {
                // Active, no document yet: offline as far as we know.
                let offline = Status {
                    status: PresenceStatus::Offline,
                    ..Status::default()
                };
                return Some((offline, WatchState::Active));
            };
            return match PresenceDocument::parse(&part.body) {
                Ok(doc) => Some((doc.summary(), WatchState::Active)),
                Err(e) => {
                    tracing::info!(account = %self.settings.account, contact = %resource.uri, "ignoring a presence document in the list: {e}");
                    None
                }
            };
        }
        if resource
            .instances
            .iter()
            .any(|i| i.state == InstanceState::Pending)
        {
            return Some((Status::default(), WatchState::Pending));
        }
        let reason = resource.instances.iter().find_map(|i| match &i.state {
            InstanceState::Terminated(reason) => Some(reason.clone().unwrap_or_default()),
            _ => None,
        })?;
        let state = match reason.as_str() {
            "rejected" => WatchState::Refused,
            "noresource" => WatchState::NoSuchUser,
            _ => WatchState::Interrupted("the list server stopped reporting this contact".into()),
        };
        Some((Status::default(), state))
    }
}
