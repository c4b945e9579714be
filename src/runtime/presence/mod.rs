//! FEATURE: presence (RFC 3856 over RFC 6665 and RFC 3903): our own status,
//! published and kept fresh, and the status of every address we watch.
//!
//! A state machine: [`Presence::handle`] takes a [`PresenceInput`] (the
//! addresses to watch, our status, whether the account can send, and the
//! agent's subscription and publication news) and queues
//! [`PresenceEffect`]s (subscribe, refresh, unsubscribe, publish, persist
//! our status, events) that the driver (`endpoint/presence.rs`) carries
//! out. Its timers (subscriptions due, refreshes, the publication's
//! refresh, held updates) are [`Presence::poll_timeout`].
//!
//! Load: new subscriptions are spread, at most one per
//! [`SUBSCRIBE_SPACING`], so 200 contacts never start 200 SUBSCRIBEs in the
//! same second; refreshes come at a jittered 75–90 % of the granted time. A
//! peer flooding NOTIFYs is shown at most [`MAX_UPDATES_PER_WINDOW`] changes
//! per [`UPDATE_WINDOW`]; the last one held is shown when the window ends.
//! A malformed body is logged and the state kept (the agent has answered
//! 200 already).
//!
//! Terminated subscriptions: `deactivated`, `timeout` or no reason
//! subscribe again at once (spread); `probation` and `giveup` after
//! Retry-After or a backoff; `rejected` shows "does not share", and
//! `noresource` "no such user", and neither is tried again this run.
//!
//! On accounts that publish to a server, who asks to watch us comes from
//! our own watcher-information subscription (`watcher_info.rs`); the local
//! account is its own notifier and hears them directly (`watchers.rs`).
//! Where the account has an XCAP root, who may watch us is written to the
//! server as the pres-rules document (`rules.rs`), so it enforces it.
//! With a resource list URI, one subscription serves every contact
//! (`resource_list.rs`). With an XCAP root, the account's contacts are
//! kept on the server as a resource-lists document and merged with the
//! address book at start (`contact_list.rs`).

mod address_book;
mod contact_list;
#[cfg(test)]
mod contact_list_tests;
mod resource_list;
#[cfg(test)]
mod resource_list_tests;
mod rules;
#[cfg(test)]
mod rules_tests;
#[cfg(test)]
mod tests;
mod watcher_info;
#[cfg(test)]
mod watcher_info_tests;
mod watchers;
mod watching;

use super::clock::Now;
use super::event::Event;
use crate::model::{
    AccountId, Contact, ContactDraft, OwnStatus, Presence as Status, PresenceStatus, WatchState,
};
use crate::protocol::presence::pidf::{self, OwnPresence, PresenceDocument};
use crate::protocol::presence::EVENT_PRESENCE;
use crate::protocol::sip::agent::{
    NotifyState, PublicationEvent, SubscribeRequest, SubscriptionEvent, SubscriptionId, SubscriptionState,
    TerminationReason, WatcherEvent, WatcherId,
};
use crate::protocol::xcap::{Fetched, XcapError};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

/// Answers to PUBLISH that mean the server has no presence service (405
/// Method Not Allowed, 501 Not Implemented, 489 Bad Event): not retried.
pub const SERVER_WITHOUT_PUBLISH: [u16; 3] = [405, 489, 501];

/// Seconds asked for a subscription (Kamailio cuts above 3600).
pub const SUBSCRIBE_EXPIRES: u32 = 3600;
/// Seconds asked for our publication.
pub const PUBLISH_EXPIRES: u32 = 3600;
/// Least time between two new SUBSCRIBEs of one account.
pub const SUBSCRIBE_SPACING: Duration = Duration::from_millis(150);
/// Earliest point of a refresh, in per mille of the granted time.
pub const REFRESH_FROM_PERMILLE: u64 = 750;
/// Latest point of a refresh, in per mille of the granted time.
pub const REFRESH_TO_PERMILLE: u64 = 900;
/// Shortest wait before a refresh.
pub const MIN_REFRESH: Duration = Duration::from_secs(5);
/// First wait after a failure; it doubles per failure.
pub const RETRY_BASE: Duration = Duration::from_secs(30);
/// Longest wait after failures.
pub const RETRY_MAX: Duration = Duration::from_secs(1800);
/// Longest Retry-After honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// The window of the NOTIFY flood limit.
pub const UPDATE_WINDOW: Duration = Duration::from_secs(10);
/// Changes of one contact shown per [`UPDATE_WINDOW`].
pub const MAX_UPDATES_PER_WINDOW: u32 = 5;
/// Most addresses watched per account.
pub const MAX_WATCHES: usize = 1000;
/// Longest note we publish, in characters.
pub const MAX_OWN_NOTE_CHARS: usize = pidf::MAX_NOTE_CHARS;

/// Why presence work did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PresenceError {
    /// More than [`MAX_WATCHES`] addresses.
    #[error("at most {MAX_WATCHES} addresses can be watched on one account")]
    TooManyWatches,
    /// The address is not a SIP address.
    #[error("{0:?} is not a SIP address to watch")]
    BadAddress(String),
}

/// Seconds a watcher who quit is asked to wait before watching again.
pub const QUIT_RETRY_AFTER: u32 = 60;

/// Our status as kept between runs, and (for the local account, which is
/// its own notifier) the watchers the user allowed or blocked in earlier
/// versions; decisions are kept with the contacts now (`address_book.rs`),
/// these are still honoured.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct SavedPresence {
    /// Our status.
    pub status: OwnStatus,
    /// Our note.
    #[serde(default)]
    pub note: Option<String>,
    /// Watchers allowed to see our status (addresses).
    #[serde(default)]
    pub allowed: Vec<String>,
    /// Watchers refused.
    #[serde(default)]
    pub blocked: Vec<String>,
}

/// How the feature behaves for one account.
#[derive(Debug, Clone)]
pub(crate) struct PresenceSettings {
    pub account: AccountId,
    /// Our address of record (the PIDF entity).
    pub aor: String,
    /// Whether we publish (accounts with a server).
    pub publishes: bool,
    /// Our status at start.
    pub saved: SavedPresence,
    /// Seeds the refresh jitter.
    pub seed: u64,
    /// Whether contacts that name no account are this account's.
    pub default_account: bool,
    /// Whether we subscribe to our own watcher information (accounts
    /// that publish to a server).
    pub watcher_info: bool,
    /// Whether who may watch us is kept on an XCAP server (pres-rules).
    pub xcap: bool,
    /// A resource list URI: one subscription for every contact.
    pub list: Option<String>,
}

/// Everything that can happen to presence.
#[derive(Debug)]
pub(crate) enum PresenceInput {
    /// Whether the account can send now (registered / peer to peer).
    CanSend(bool),
    /// Watch this address.
    Watch(String),
    /// Stop watching it.
    Unwatch(String),
    /// The whole address book, at start and after every change
    /// (`address_book.rs`).
    AddressBook(Vec<Contact>),
    /// Our new status.
    SetStatus(SavedPresence),
    /// News from the agent about a subscription.
    Subscription(SubscriptionEvent),
    /// News from the agent about our publication.
    Publication(PublicationEvent),
    /// Someone watching us (local account).
    Watcher(WatcherEvent),
    /// A [`PresenceEffect::WriteRules`] ended: the document's new ETag,
    /// or why not.
    RulesWritten(Result<Option<String>, XcapError>),
    /// A [`PresenceEffect::ReadContactList`] ended: the document (`None`:
    /// the server has none), or why not.
    ContactListRead(Result<Option<Fetched>, XcapError>),
    /// A [`PresenceEffect::WriteContactList`] ended: the new ETag, or why not.
    ContactListWritten(Result<Option<String>, XcapError>),
    /// Quit: remove our publication and end every subscription.
    Stop,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PresenceEffect {
    /// A new subscription.
    Subscribe {
        id: SubscriptionId,
        request: SubscribeRequest,
    },
    /// Refresh a subscription in its dialog.
    Refresh { id: SubscriptionId, expires: u32 },
    /// End a subscription (Expires: 0).
    Unsubscribe { id: SubscriptionId },
    /// Forget a subscription without a word (the server flow is gone).
    Forget { id: SubscriptionId },
    /// PUBLISH `document` (PIDF), or refresh what is published (`None`);
    /// `expires` 0 removes it.
    Publish { document: Option<Vec<u8>>, expires: u32 },
    /// NOTIFY a watcher (local account); `document` is PIDF.
    NotifyWatcher {
        id: WatcherId,
        state: NotifyState,
        document: Option<Vec<u8>>,
    },
    /// PUT our whole pres-rules `document` to the XCAP server, over the
    /// version `if_match` when given; answered with
    /// [`PresenceInput::RulesWritten`].
    WriteRules {
        document: Vec<u8>,
        if_match: Option<String>,
    },
    /// GET our resource-lists document from the XCAP server; answered
    /// with [`PresenceInput::ContactListRead`].
    ReadContactList,
    /// PUT our whole resource-lists `document`, over the version
    /// `if_match` when given; answered with
    /// [`PresenceInput::ContactListWritten`].
    WriteContactList {
        document: Vec<u8>,
        if_match: Option<String>,
    },
    /// Add these contacts to the address book (found on the server).
    AddContacts(Vec<ContactDraft>),
    /// Keep our status for the next start.
    Persist(SavedPresence),
    /// Tell the UI and the CLI.
    Emit(Event),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for `due` (or for the account to be able to send).
    Waiting,
    /// SUBSCRIBE sent, no answer or NOTIFY yet.
    Subscribing,
    /// Subscribed (active or pending); `due` is the refresh.
    Subscribed,
    /// Refused or no such user: not tried again this run.
    Stopped,
}

#[derive(Debug)]
struct Watch {
    id: Option<SubscriptionId>,
    phase: Phase,
    due: Option<Instant>,
    failures: u32,
    /// What was last shown.
    shown: Option<(Status, WatchState)>,
    window_start: Option<Instant>,
    updates_in_window: u32,
    /// A change held back by the flood limit, shown at the window's end.
    held: Option<(Status, WatchState)>,
}

impl Watch {
    fn new() -> Watch {
        Watch {
            id: None,
            phase: Phase::Waiting,
            due: None,
            failures: 0,
            shown: None,
            window_start: None,
            updates_in_window: 0,
            held: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publishing {
    /// Nothing published (or not publishing).
    Idle,
    /// A PUBLISH is in flight.
    Sending,
    /// Published; `publish_due` is the refresh.
    Published,
    /// Removing at quit.
    Removing,
}

/// The presence feature of one account.
pub(crate) struct Presence {
    settings: PresenceSettings,
    own: SavedPresence,
    can_send: bool,
    stopping: bool,
    watches: BTreeMap<String, Watch>,
    by_id: HashMap<SubscriptionId, String>,
    next_id: u64,
    next_slot: Option<Instant>,
    publishing: Publishing,
    publish_due: Option<Instant>,
    publish_failures: u32,
    jitter: u64,
    effects: VecDeque<PresenceEffect>,
    /// Who watches us (local account): their address key and when their
    /// subscription ends.
    watchers: HashMap<WatcherId, (String, Instant)>,
    /// Watchers the user was asked about this run.
    asked: HashSet<String>,
    /// What the address book says (`address_book.rs`).
    book: address_book::Book,
    /// Our watcher-information subscription (`watcher_info.rs`).
    own_watchers: watcher_info::OwnWatchers,
    /// Our pres-rules on the XCAP server (`rules.rs`).
    rules: rules::RulesWriter,
    /// The resource list subscription (`resource_list.rs`).
    list: resource_list::ListSubscription,
    /// Our contacts on the XCAP server (`contact_list.rs`).
    contact_list: contact_list::ContactList,
}

impl Presence {
    pub(crate) fn new(settings: PresenceSettings) -> Presence {
        let list = resource_list::ListSubscription::new(settings.list.clone());
        Presence {
            own: settings.saved.clone(),
            jitter: settings.seed | 1,
            settings,
            can_send: false,
            stopping: false,
            watches: BTreeMap::new(),
            by_id: HashMap::new(),
            next_id: 1,
            next_slot: None,
            publishing: Publishing::Idle,
            publish_due: None,
            publish_failures: 0,
            effects: VecDeque::new(),
            watchers: HashMap::new(),
            asked: HashSet::new(),
            book: address_book::Book::default(),
            own_watchers: watcher_info::OwnWatchers::new(),
            rules: rules::RulesWriter::default(),
            list,
            contact_list: contact_list::ContactList::default(),
        }
    }

    /// Next effect for the driver.
    pub(crate) fn poll_effect(&mut self) -> Option<PresenceEffect> {
        self.effects.pop_front()
    }

    /// Whether quitting still waits for our removal or unsubscriptions.
    pub(crate) fn stopping_done(&self) -> bool {
        self.publishing != Publishing::Removing
            && !self.watches.values().any(|w| w.phase == Phase::Subscribing)
            && !self.own_watchers.subscribing()
            && !self.list.subscribing()
    }

    /// When [`Presence::handle_timeout`] is due.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let held = self
            .watches
            .values()
            .filter(|w| w.held.is_some())
            .filter_map(|w| w.window_start.map(|s| s + UPDATE_WINDOW));
        let due = self.watches.values().filter_map(|w| w.due);
        let watchers = self.watchers.values().map(|(_, until)| *until);
        held.chain(due)
            .chain(self.publish_due)
            .chain(watchers)
            .chain(self.own_watchers.due())
            .chain(self.rules.due())
            .chain(self.list.due())
            .chain(self.contact_list.due())
            .min()
    }

    pub(crate) fn handle(&mut self, input: PresenceInput, now: Now) {
        match input {
            PresenceInput::CanSend(can) => self.can_send_changed(can, now),
            PresenceInput::Watch(uri) => {
                self.book.asked.insert(uri.trim().to_string());
                self.watch(uri, now);
            }
            PresenceInput::Unwatch(uri) => {
                self.book.asked.remove(uri.trim());
                self.unwatch(&uri);
            }
            PresenceInput::AddressBook(contacts) => self.address_book(&contacts, now),
            PresenceInput::SetStatus(saved) => self.set_status(saved, now),
            PresenceInput::Subscription(event) => self.on_subscription(event, now),
            PresenceInput::Publication(event) => self.on_publication(event, now),
            PresenceInput::Watcher(event) => self.on_watcher(event, now),
            PresenceInput::RulesWritten(result) => self.rules_written(result, now),
            PresenceInput::ContactListRead(result) => self.contact_list_read(result, now),
            PresenceInput::ContactListWritten(result) => self.contact_list_written(result, now),
            PresenceInput::Stop => self.stop(now),
        }
    }

    pub(crate) fn handle_timeout(&mut self, now: Now) {
        let expired: Vec<WatcherId> = self
            .watchers
            .iter()
            .filter(|(_, (_, until))| *until <= now.at)
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
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
        let uris: Vec<String> = self.watches.keys().cloned().collect();
        for uri in uris {
            self.flush_held(&uri, now.at);
            let Some(w) = self.watches.get_mut(&uri) else {
                continue;
            };
            if w.due.is_none_or(|d| d > now.at) {
                continue;
            }
            w.due = None;
            match (w.phase, w.id) {
                (Phase::Waiting, _) if self.can_send && !self.stopping => self.start_subscription(&uri),
                (Phase::Subscribed, Some(id)) => {
                    self.effects.push_back(PresenceEffect::Refresh {
                        id,
                        expires: SUBSCRIBE_EXPIRES,
                    });
                }
                _ => {}
            }
        }
        self.winfo_timeout(now);
        self.rules_timeout(now);
        self.list_timeout(now);
        self.contact_list_timeout(now);
        if self.publish_due.is_some_and(|d| d <= now.at) {
            self.publish_due = None;
            if self.can_send && !self.stopping && self.settings.publishes {
                let document = (self.publishing != Publishing::Published).then(|| self.document(now));
                self.publishing = Publishing::Sending;
                self.effects.push_back(PresenceEffect::Publish {
                    document,
                    expires: PUBLISH_EXPIRES,
                });
            }
        }
    }

    fn emit(&mut self, event: Event) {
        self.effects.push_back(PresenceEffect::Emit(event));
    }

    /// A pseudo-random number in `0..bound` (refresh jitter).
    fn random(&mut self, bound: u64) -> u64 {
        self.jitter ^= self.jitter << 13;
        self.jitter ^= self.jitter >> 7;
        self.jitter ^= self.jitter << 17;
        self.jitter % bound.max(1)
    }

    /// When to refresh something granted for `expires` seconds.
    fn refresh_delay(&mut self, expires: u32) -> Duration {
        let span = REFRESH_TO_PERMILLE - REFRESH_FROM_PERMILLE;
        let permille = REFRESH_FROM_PERMILLE + self.random(span + 1);
        Duration::from_millis(u64::from(expires) * permille).max(MIN_REFRESH)
    }

    fn backoff(&mut self, failures: u32, retry_after: Option<u32>) -> Duration {
        if let Some(secs) = retry_after {
            return Duration::from_secs(u64::from(secs)).min(MAX_RETRY_AFTER);
        }
        let base = RETRY_BASE
            .saturating_mul(1 << failures.saturating_sub(1).min(8))
            .min(RETRY_MAX);
        // +-20 % so accounts that failed together do not retry together.
        let permille = 800 + self.random(401);
        base.mul_f64(permille as f64 / 1000.0)
    }

    /// The next free SUBSCRIBE slot at or after `at`.
    fn slot(&mut self, at: Instant) -> Instant {
        let slot = match self.next_slot {
            Some(next) if next > at => next,
            _ => at,
        };
        self.next_slot = Some(slot + SUBSCRIBE_SPACING);
        slot
    }

    fn watch(&mut self, uri: String, now: Now) {
        let uri = uri.trim().to_string();
        if self.watches.contains_key(&uri) {
            return;
        }
        if self.watches.len() >= MAX_WATCHES {
            let message = PresenceError::TooManyWatches.to_string();
            return self.emit(Event::Error {
                account: Some(self.settings.account.clone()),
                message,
            });
        }
        if crate::protocol::sip::uri::SipUri::parse(&uri).is_err() {
            let message = PresenceError::BadAddress(uri).to_string();
            return self.emit(Event::Error {
                account: Some(self.settings.account.clone()),
                message,
            });
        }
        let mut w = Watch::new();
        if self.can_send && !self.stopping {
            w.due = Some(self.slot(now.at));
        }
        self.watches.insert(uri, w);
    }

    fn unwatch(&mut self, uri: &str) {
        let Some(w) = self.watches.remove(uri.trim()) else {
            return;
        };
        if let Some(id) = w.id {
            self.by_id.remove(&id);
            self.effects.push_back(PresenceEffect::Unsubscribe { id });
        }
    }

    fn start_subscription(&mut self, uri: &str) {
        if self.list.in_use() {
            // Watched through the resource list (`resource_list.rs`).
            return;
        }
        let id = SubscriptionId(self.next_id);
        self.next_id += 1;
        let Some(w) = self.watches.get_mut(uri) else {
            return;
        };
        if let Some(old) = w.id.replace(id) {
            self.by_id.remove(&old);
        }
        w.phase = Phase::Subscribing;
        self.by_id.insert(id, uri.to_string());
        self.effects.push_back(PresenceEffect::Subscribe {
            id,
            request: SubscribeRequest {
                target: uri.to_string(),
                event: EVENT_PRESENCE.to_string(),
                accept: vec![pidf::CONTENT_TYPE.to_string()],
                expires: SUBSCRIBE_EXPIRES,
            },
        });
    }

    fn can_send_changed(&mut self, can: bool, now: Now) {
        if can == self.can_send {
            return;
        }
        self.can_send = can;
        if self.stopping {
            return;
        }
        let uris: Vec<String> = self.watches.keys().cloned().collect();
        for uri in uris {
            if can {
                let stopped = self.watches.get(&uri).is_some_and(|w| w.phase == Phase::Stopped);
                if !stopped {
                    let slot = self.slot(now.at);
                    if let Some(w) = self.watches.get_mut(&uri) {
                        w.phase = Phase::Waiting;
                        w.due = Some(slot);
                    }
                }
            } else if let Some(w) = self.watches.get_mut(&uri) {
                if w.phase != Phase::Stopped {
                    w.phase = Phase::Waiting;
                    w.due = None;
                    if let Some(id) = w.id.take() {
                        self.by_id.remove(&id);
                        self.effects.push_back(PresenceEffect::Forget { id });
                    }
                    let state = WatchState::Interrupted("not connected to the server".into());
                    self.show(&uri, Status::default(), state, now.at);
                }
            }
        }
        self.winfo_can_send(can, now);
        self.list_can_send(can, now);
        if self.settings.publishes {
            if can {
                self.publish_due = Some(now.at);
            } else {
                self.publish_due = None;
                self.publishing = Publishing::Idle;
            }
        }
    }

    fn set_status(&mut self, saved: SavedPresence, now: Now) {
        let mut saved = SavedPresence {
            allowed: self.own.allowed.clone(),
            blocked: self.own.blocked.clone(),
            ..saved
        };
        saved.note = saved
            .note
            .map(|n| {
                n.chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_OWN_NOTE_CHARS)
                    .collect::<String>()
            })
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        self.own = saved.clone();
        self.effects.push_back(PresenceEffect::Persist(saved));
        if self.settings.publishes && self.can_send && !self.stopping {
            // A modify with the new document (or a fresh publication).
            self.publish_due = None;
            self.publishing = Publishing::Sending;
            let document = self.document(now);
            self.effects.push_back(PresenceEffect::Publish {
                document: Some(document),
                expires: PUBLISH_EXPIRES,
            });
        } else if !self.settings.publishes {
            // Our own notifier: tell every allowed watcher.
            self.notify_allowed(now);
            // Nothing to publish to: it counts as done at once.
            self.emit(Event::OwnPresence {
                account: self.settings.account.clone(),
                status: self.own.status,
                note: self.own.note.clone(),
                published: false,
            });
        }
    }

    fn document(&self, now: Now) -> Vec<u8> {
        self.document_as(self.own.status, now)
    }

    fn document_as(&self, status: OwnStatus, now: Now) -> Vec<u8> {
        let tuple_id = format!("{:x}", fnv(self.settings.aor.as_bytes()));
        pidf::build(&OwnPresence {
            entity: &self.settings.aor,
            status,
            note: self.own.note.as_deref(),
            tuple_id: &tuple_id,
            contact: None,
            now_unix: now.unix_ms / 1000,
        })
        .into_bytes()
    }

    fn stop(&mut self, now: Now) {
        if self.stopping {
            return;
        }
        self.stopping = true;
        // Watchers of the local account see us closed, and wait a while.
        let closed = self.document_as(OwnStatus::Invisible, now);
        let ids: Vec<(WatcherId, bool)> = self
            .watchers
            .iter()
            .map(|(id, (key, _))| (*id, self.is_allowed(key)))
            .collect();
        self.watchers.clear();
        for (id, allowed) in ids {
            let state = NotifyState::Terminated {
                reason: "probation",
                retry_after: Some(QUIT_RETRY_AFTER),
            };
            self.notify(id, state, allowed.then(|| closed.clone()));
        }
        self.publish_due = None;
        self.winfo_stop();
        self.list_stop();
        if self.settings.publishes && matches!(self.publishing, Publishing::Published | Publishing::Sending) {
            self.publishing = Publishing::Removing;
            self.effects.push_back(PresenceEffect::Publish {
                document: None,
                expires: 0,
            });
        }
        let ids: Vec<SubscriptionId> = self.watches.values().filter_map(|w| w.id).collect();
        for w in self.watches.values_mut() {
            w.due = None;
            w.held = None;
        }
        for id in ids {
            self.effects.push_back(PresenceEffect::Unsubscribe { id });
        }
        self.watches.clear();
        self.by_id.clear();
    }

    fn on_publication(&mut self, event: PublicationEvent, now: Now) {
        match event {
            PublicationEvent::Published { expires } => {
                self.publish_failures = 0;
                if self.publishing == Publishing::Removing {
                    return;
                }
                self.publishing = Publishing::Published;
                if !self.stopping {
                    let delay = self.refresh_delay(expires);
                    self.publish_due = Some(now.at + delay);
                }
                self.emit(Event::OwnPresence {
                    account: self.settings.account.clone(),
                    status: self.own.status,
                    note: self.own.note.clone(),
                    published: true,
                });
            }
            PublicationEvent::Removed => {
                self.publishing = Publishing::Idle;
            }
            PublicationEvent::Failed {
                code,
                reason,
                retry_after,
            } => {
                self.publishing = Publishing::Idle;
                if self.stopping {
                    return;
                }
                if code.is_some_and(|c| SERVER_WITHOUT_PUBLISH.contains(&c)) {
                    // Not an error the user can fix: the server has no presence
                    // service. Stop asking it, and answer watchers ourselves
                    // (SUBSCRIBEs it forwards to us), as the local account does.
                    tracing::info!(account = %self.settings.account, "{reason}: not publishing our status on this server");
                    self.settings.publishes = false;
                    self.publish_due = None;
                    self.notify_allowed(now);
                    self.emit(Event::OwnPresence {
                        account: self.settings.account.clone(),
                        status: self.own.status,
                        note: self.own.note.clone(),
                        published: false,
                    });
                    return;
                }
                self.publish_failures += 1;
                let delay = self.backoff(self.publish_failures, retry_after);
                self.publish_due = Some(now.at + delay);
                self.emit(Event::Error {
                    account: Some(self.settings.account.clone()),
                    message: format!(
                        "could not publish your status: {reason}; trying again in {} s",
                        delay.as_secs().max(1)
                    ),
                });
            }
        }
    }
}

/// FNV-1a, for a stable tuple id per address.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
