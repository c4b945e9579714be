//! Who asks to watch us on a server (RFC 3857 watcher information): a
//! subscription to our own `presence.winfo`, held on accounts that publish
//! to a server.
//!
//! It is subscribed when the account can send, refreshed like a watch
//! (jittered, before expiry) and ended at quit. Each NOTIFY's
//! `application/watcherinfo+xml` is applied to a [`WatcherList`], so a
//! watcher listed again (the first document lists every watcher, later ones
//! changes) is reported once; a partial document after a gap asks for a
//! full one by refreshing. A watcher newly pending who is neither allowed
//! (a contact) nor blocked raises [`Event::PresenceRequest`] once per run;
//! the user's decision is a contact change, and the server learns it from
//! the pres-rules document. Terminated: `rejected`, `noresource` and
//! `invariant` stop it for this run, `probation` and `giveup` wait (Retry-After
//! or a backoff), anything else subscribes again at once. A server without
//! watcher information (489, 403, 404, 405, 501) is not asked again, and no
//! error is shown; a malformed document is logged and the state kept.

use super::*;
use crate::protocol::presence::winfo::{self, WatcherInfo, WatcherList};
use crate::protocol::presence::EVENT_PRESENCE_WINFO;

/// Answers to the winfo SUBSCRIBE that mean the server offers no watcher
/// information to us: not asked again this run.
pub const SERVER_WITHOUT_WINFO: [u16; 5] = [403, 404, 405, 489, 501];

/// Our own watcher-info subscription.
#[derive(Debug)]
pub(super) struct OwnWatchers {
    id: Option<SubscriptionId>,
    phase: Phase,
    due: Option<Instant>,
    failures: u32,
    list: WatcherList,
}

impl OwnWatchers {
    pub(super) fn new() -> OwnWatchers {
        OwnWatchers {
            id: None,
            phase: Phase::Waiting,
            due: None,
            failures: 0,
            list: WatcherList::default(),
        }
    }

    /// When its timer is due.
    pub(super) fn due(&self) -> Option<Instant> {
        self.due
    }

    /// Whether `id` is this subscription.
    pub(super) fn owns(&self, id: SubscriptionId) -> bool {
        self.id == Some(id)
    }

    /// Whether its SUBSCRIBE waits for an answer.
    pub(super) fn subscribing(&self) -> bool {
        self.phase == Phase::Subscribing
    }
}

impl Presence {
    fn winfo_enabled(&self) -> bool {
        self.settings.watcher_info && self.settings.publishes
    }

    /// The account can send (or not) now.
    pub(super) fn winfo_can_send(&mut self, can: bool, now: Now) {
        if !self.winfo_enabled() || self.own_watchers.phase == Phase::Stopped {
            return;
        }
        if can {
            let slot = self.slot(now.at);
            self.own_watchers.phase = Phase::Waiting;
            self.own_watchers.due = Some(slot);
        } else {
            self.own_watchers.phase = Phase::Waiting;
            self.own_watchers.due = None;
            if let Some(id) = self.own_watchers.id.take() {
                self.effects.push_back(PresenceEffect::Forget { id });
            }
        }
    }

    /// Its timer: subscribe, or refresh.
    pub(super) fn winfo_timeout(&mut self, now: Now) {
        if self.own_watchers.due.is_none_or(|d| d > now.at) {
            return;
        }
        self.own_watchers.due = None;
        match (self.own_watchers.phase, self.own_watchers.id) {
            (Phase::Waiting, _) if self.can_send && !self.stopping && self.winfo_enabled() => {
                let id = SubscriptionId(self.next_id);
                self.next_id += 1;
                self.own_watchers.id = Some(id);
                self.own_watchers.phase = Phase::Subscribing;
                self.effects.push_back(PresenceEffect::Subscribe {
                    id,
                    request: SubscribeRequest {
                        target: self.settings.aor.clone(),
                        event: EVENT_PRESENCE_WINFO.to_string(),
                        accept: vec![winfo::CONTENT_TYPE.to_string()],
                        expires: SUBSCRIBE_EXPIRES,
                    },
                });
            }
            (Phase::Subscribed, Some(id)) => self.effects.push_back(PresenceEffect::Refresh {
                id,
                expires: SUBSCRIBE_EXPIRES,
            }),
            _ => {}
        }
    }

    /// Quit: end it.
    pub(super) fn winfo_stop(&mut self) {
        self.own_watchers.due = None;
        self.own_watchers.phase = Phase::Stopped;
        if let Some(id) = self.own_watchers.id.take() {
            self.effects.push_back(PresenceEffect::Unsubscribe { id });
        }
    }

    /// News about it from the agent.
    pub(super) fn on_winfo(&mut self, event: SubscriptionEvent, now: Now) {
        match event {
            SubscriptionEvent::Accepted { expires, .. } => {
                let delay = self.refresh_delay(expires);
                let w = &mut self.own_watchers;
                if w.phase != Phase::Stopped {
                    w.phase = Phase::Subscribed;
                    w.failures = 0;
                    w.due = Some(now.at + delay);
                }
            }
            SubscriptionEvent::Ended { .. } => self.own_watchers.id = None,
            SubscriptionEvent::Failed {
                code,
                reason,
                retry_after,
                ..
            } => {
                self.own_watchers.id = None;
                if code.is_some_and(|c| SERVER_WITHOUT_WINFO.contains(&c)) {
                    tracing::info!(account = %self.settings.account, "{reason}: the server tells us of no watchers");
                    self.own_watchers.phase = Phase::Stopped;
                    self.own_watchers.due = None;
                } else {
                    tracing::info!(account = %self.settings.account, "watcher information: {reason}");
                    self.winfo_retry(retry_after, now);
                }
            }
            SubscriptionEvent::Notified {
                state,
                content_type,
                body,
                ..
            } => {
                match content_type.as_deref() {
                    Some(winfo::CONTENT_TYPE) => match WatcherInfo::parse(&body) {
                        Ok(info) => self.watcher_info(info),
                        Err(e) => {
                            tracing::info!(account = %self.settings.account, "ignoring a watcher-info document: {e}")
                        }
                    },
                    Some(other) => {
                        tracing::info!(account = %self.settings.account, "ignoring a watcher-info NOTIFY body of type {other}")
                    }
                    None => {}
                }
                self.winfo_state(state, now);
            }
        }
    }

    fn winfo_state(&mut self, state: SubscriptionState, now: Now) {
        match state {
            SubscriptionState::Active { expires } | SubscriptionState::Pending { expires } => {
                let w = &mut self.own_watchers;
                if w.phase == Phase::Subscribing {
                    w.phase = Phase::Subscribed;
                    w.failures = 0;
                }
                if let (Some(expires), true) = (expires, self.own_watchers.due.is_none()) {
                    let delay = self.refresh_delay(expires);
                    self.own_watchers.due = Some(now.at + delay);
                }
            }
            SubscriptionState::Terminated { reason, retry_after } => {
                self.own_watchers.id = None;
                match reason {
                    Some(
                        TerminationReason::Rejected
                        | TerminationReason::Noresource
                        | TerminationReason::Invariant,
                    ) => {
                        tracing::info!(account = %self.settings.account, "the server ended our watcher information: {reason:?}");
                        self.own_watchers.phase = Phase::Stopped;
                        self.own_watchers.due = None;
                    }
                    Some(TerminationReason::Probation | TerminationReason::Giveup) => {
                        self.winfo_retry(retry_after, now)
                    }
                    _ => {
                        let slot = self.slot(now.at);
                        self.own_watchers.phase = Phase::Waiting;
                        self.own_watchers.due = (self.can_send && !self.stopping).then_some(slot);
                    }
                }
            }
        }
    }

    fn winfo_retry(&mut self, retry_after: Option<u32>, now: Now) {
        self.own_watchers.failures += 1;
        let delay = self.backoff(self.own_watchers.failures, retry_after);
        self.own_watchers.phase = Phase::Waiting;
        self.own_watchers.due = (self.can_send && !self.stopping).then_some(now.at + delay);
    }

    /// A document: ask about each new pending stranger once.
    fn watcher_info(&mut self, info: WatcherInfo) {
        let changes = self.own_watchers.list.apply(info);
        if changes.needs_full {
            if let (Phase::Subscribed, Some(id)) = (self.own_watchers.phase, self.own_watchers.id) {
                self.effects.push_back(PresenceEffect::Refresh {
                    id,
                    expires: SUBSCRIBE_EXPIRES,
                });
            }
        }
        for watcher in changes.newly_pending {
            let key = crate::model::conversation_key(&watcher.uri);
            if !self.is_allowed(&key) && !self.is_blocked(&key) && self.asked.insert(key) {
                self.emit(Event::PresenceRequest {
                    account: self.settings.account.clone(),
                    watcher: watcher.uri,
                });
            }
        }
    }
}
