//! Presence in the window: the contacts' status as the runtime reports it
//! (`Event::Presence`), our own status and what became of it
//! (`Event::OwnPresence`, or an `Event::Error` while it was being set),
//! the queue of people asking to see our status (`Event::PresenceRequest`),
//! and going away by itself after a while without input (`auto_away.rs`).
//!
//! Our status is one for all accounts: a person is available or away, not
//! an account; the choice goes to the runtime as `Command::SetStatus` with
//! no account, and each account's answer is kept to show what happened
//! (`sipchat status --account` still sets one account alone).
//!
//! Views: the dot (`dot.rs`), the selector at the top of the window
//! (`selector.rs`) and the permission banner (`prompt.rs`). The window
//! glue is `ui/app/presence_glue.rs`.

pub mod auto_away;
pub mod dot;
pub mod prompt;
pub mod selector;

use crate::ui::clock::Zone;
use crate::ui::conversation::ConversationKey;
use crate::ui::i18n::t;
use auto_away::AutoAway;
pub use dot::Shown;
use sipchat::model::{AccountId, OwnStatus, Presence, PresenceStatus, WatchState};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// Longest note we publish, in characters (the field stops there).
pub const NOTE_CHARS: usize = 200;
/// Most requests kept waiting for a decision (more are dropped and logged:
/// the runtime asks again on the next SUBSCRIBE).
pub const MAX_REQUESTS: usize = 100;

/// One contact's presence as last reported, and how watching it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub presence: Presence,
    pub watch: WatchState,
}

impl Seen {
    /// The dot for it.
    pub fn shown(&self) -> Shown {
        match &self.watch {
            WatchState::Pending => Shown::Pending,
            WatchState::Refused => Shown::Refused,
            WatchState::NoSuchUser => Shown::NoSuchUser,
            WatchState::Interrupted(_) => Shown::Unknown,
            WatchState::Active => match self.presence.status {
                PresenceStatus::Available => Shown::Available,
                PresenceStatus::Away => Shown::Away,
                PresenceStatus::Busy => Shown::Busy,
                PresenceStatus::Offline => Shown::Offline,
                PresenceStatus::Unknown => Shown::Unknown,
            },
        }
    }

    /// In words: the state, the note, and when offline the time last
    /// seen ("Away · out for lunch", "Offline · last seen 12:30").
    pub fn describe(&self, zone: &Zone, now: u64) -> String {
        let shown = self.shown();
        let mut parts = vec![shown.words()];
        if shown == Shown::Offline {
            if let Some(seen) = self.presence.last_seen.and_then(|s| u64::try_from(s).ok()) {
                parts.push(t!("presence-last-seen", time = zone.short_stamp(seen, now)));
            }
        }
        if let WatchState::Interrupted(why) = &self.watch {
            parts.push(why.clone());
        }
        if let Some(note) = self
            .presence
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            parts.push(note.to_string());
        }
        parts.join(" · ")
    }

    /// Lower is more reachable (several accounts watching one person: the
    /// most reachable wins).
    fn rank(&self) -> u8 {
        match self.shown() {
            Shown::Available => 0,
            Shown::Busy => 1,
            Shown::Away => 2,
            Shown::Offline => 3,
            Shown::Pending => 4,
            Shown::Refused => 5,
            Shown::NoSuchUser => 6,
            Shown::Unknown => 7,
        }
    }
}

/// What the runtime last reported of our status on one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnReport {
    pub status: OwnStatus,
    pub note: Option<String>,
    /// A server took it (else the account answers watchers itself).
    pub published: bool,
}

/// Someone asking to see our status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub account: AccountId,
    pub watcher: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A status chosen in the selector (or the tray).
    Choose(OwnStatus),
    /// The note field was edited.
    Note(String),
    /// Enter in the note field: publish the note.
    SubmitNote,
    /// Allow (`true`) or block the first waiting request.
    Decide(bool),
    /// The user touched the keyboard or the mouse.
    Input,
    /// Time passed (checks for going away).
    Tick,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Set our status on every account.
    SetStatus {
        status: OwnStatus,
        note: Option<String>,
    },
    /// Allow or block a watcher.
    Decide {
        account: AccountId,
        watcher: String,
        allow: bool,
    },
}

/// Everything the window knows about presence.
#[derive(Debug, Default)]
pub struct Presences {
    contacts: BTreeMap<ConversationKey, Seen>,
    own: BTreeMap<AccountId, OwnReport>,
    /// The status the selector shows.
    chosen: OwnStatus,
    /// The note field.
    note: String,
    /// The note as last set (an edited field differs until Enter).
    note_set: String,
    /// Accounts asked to set our status that have not answered.
    waiting: BTreeSet<AccountId>,
    /// Accounts where setting it failed, with the runtime's words.
    failed: BTreeMap<AccountId, String>,
    requests: VecDeque<Request>,
    pub auto_away: AutoAway,
}

impl Presences {
    /// Handles a message; `accounts` are the running accounts (asked to
    /// answer a new status), `now` Unix seconds.
    pub fn update(&mut self, message: Message, accounts: &[AccountId], now: u64) -> Action {
        match message {
            Message::Choose(status) => {
                self.auto_away.chosen_by_hand(now);
                self.set(status, accounts)
            }
            Message::Note(text) => {
                self.note = text.chars().take(NOTE_CHARS).collect();
                Action::None
            }
            Message::SubmitNote => self.set(self.chosen, accounts),
            Message::Decide(allow) => match self.requests.pop_front() {
                Some(Request { account, watcher }) => Action::Decide {
                    account,
                    watcher,
                    allow,
                },
                None => Action::None,
            },
            Message::Input => match self.auto_away.input(now) {
                Some(back) => self.set(back, accounts),
                None => Action::None,
            },
            Message::Tick => {
                if self.auto_away.tick(now, self.chosen) {
                    self.set(OwnStatus::Away, accounts)
                } else {
                    Action::None
                }
            }
        }
    }

    fn set(&mut self, status: OwnStatus, accounts: &[AccountId]) -> Action {
        self.chosen = status;
        self.note_set.clone_from(&self.note);
        self.waiting = accounts.iter().cloned().collect();
        self.failed.clear();
        let note = Some(self.note.trim().to_string()).filter(|n| !n.is_empty());
        Action::SetStatus { status, note }
    }

    /// A contact's presence was reported. True when the contact has just
    /// become available (it was known to be something else before).
    pub fn contact(
        &mut self,
        account: &AccountId,
        contact: &str,
        presence: Presence,
        watch: WatchState,
    ) -> bool {
        let key = ConversationKey::new(account, contact);
        let seen = Seen { presence, watch };
        let now_available = seen.shown() == Shown::Available;
        let before = self.contacts.insert(key, seen).map(|s| s.shown());
        now_available && before.is_some_and(|b| b != Shown::Available)
    }

    /// Our status took effect on `account`.
    pub fn own_reported(&mut self, account: &AccountId, report: OwnReport) {
        self.waiting.remove(account);
        self.failed.remove(account);
        self.chosen = report.status;
        if self.note == self.note_set {
            self.note = report.note.clone().unwrap_or_default();
            self.note_set.clone_from(&self.note);
        }
        self.own.insert(account.clone(), report);
    }

    /// An error on `account`: while our status is being set there, it is
    /// why it was not (the runtime answers a failed PUBLISH so). True when
    /// it was taken as such.
    pub fn error(&mut self, account: &AccountId, message: &str) -> bool {
        if self.waiting.remove(account) {
            self.failed.insert(account.clone(), message.to_string());
            true
        } else {
            false
        }
    }

    /// Someone asks to see our status (queued once).
    pub fn requested(&mut self, account: &AccountId, watcher: &str) {
        let request = Request {
            account: account.clone(),
            watcher: watcher.to_string(),
        };
        if self.requests.contains(&request) {
            return;
        }
        if self.requests.len() >= MAX_REQUESTS {
            tracing::warn!(%account, watcher, "too many presence requests waiting; this one is not shown");
            return;
        }
        self.requests.push_back(request);
    }

    /// The request shown now, and how many wait behind it.
    pub fn request(&self) -> Option<(&Request, usize)> {
        self.requests.front().map(|r| (r, self.requests.len() - 1))
    }

    /// The presence of a conversation's peer: as watched from its account,
    /// else the most reachable from any account.
    pub fn of_key(&self, key: &ConversationKey) -> Option<&Seen> {
        self.contacts
            .get(key)
            .or_else(|| self.of_peers(std::iter::once(key.peer.clone())))
    }

    /// The most reachable presence of any of these normalised addresses.
    pub fn of_peers(&self, peers: impl IntoIterator<Item = String>) -> Option<&Seen> {
        let peers: BTreeSet<String> = peers.into_iter().collect();
        self.contacts
            .iter()
            .filter(|(key, _)| peers.contains(&key.peer))
            .map(|(_, seen)| seen)
            .min_by_key(|seen| seen.rank())
    }

    /// Fills the selector with the status kept from last time (before
    /// any account has answered).
    pub fn start_with(&mut self, status: OwnStatus, note: Option<String>) {
        self.chosen = status;
        self.note = note.unwrap_or_default();
        self.note_set.clone_from(&self.note);
    }

    /// The status the selector shows.
    pub fn chosen(&self) -> OwnStatus {
        self.chosen
    }

    /// The note field.
    pub fn note(&self) -> &str {
        &self.note
    }

    /// Our status is being set (some account has not answered).
    pub fn is_setting(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// What became of our status, in words, and whether it failed.
    pub fn outcome(&self) -> (String, bool) {
        if let Some((account, error)) = self.failed.iter().next() {
            return (
                t!(
                    "own-status-failed",
                    account = account.0.as_str(),
                    error = error.as_str()
                ),
                true,
            );
        }
        if !self.waiting.is_empty() {
            return (t!("own-status-setting"), false);
        }
        if self.own.is_empty() {
            return (t!("own-status-not-yet"), false);
        }
        if self.chosen == OwnStatus::Invisible {
            (t!("own-status-invisible"), false)
        } else {
            (t!("own-status-shown"), false)
        }
    }

    /// The dot of our own status (what watchers see).
    pub fn own_shown(&self) -> Shown {
        match self.chosen {
            OwnStatus::Available => Shown::Available,
            OwnStatus::Away => Shown::Away,
            OwnStatus::Busy => Shown::Busy,
            OwnStatus::Invisible => Shown::Offline,
        }
    }

    /// What the runtime reported per account.
    #[cfg(test)]
    pub fn reports(&self) -> &BTreeMap<AccountId, OwnReport> {
        &self.own
    }
}

/// Our status as kept in the data directory's `presence.ron` for the
/// first of `accounts` that has one (what the runtime starts with), if any.
pub fn saved(data_dir: &std::path::Path, accounts: &[AccountId]) -> Option<(OwnStatus, Option<String>)> {
    let all = match sipchat::runtime::presence_file::load(data_dir) {
        Ok(all) => all,
        Err(e) => {
            tracing::warn!("{e}");
            return None;
        }
    };
    accounts
        .iter()
        .find_map(|a| all.get(&a.0))
        .map(|saved| (saved.status, saved.note.clone()))
}

/// Our status in words ("Available", "Invisible").
pub fn own_words(status: OwnStatus) -> String {
    match status {
        OwnStatus::Available => t!("presence-available"),
        OwnStatus::Away => t!("presence-away"),
        OwnStatus::Busy => t!("presence-busy"),
        OwnStatus::Invisible => t!("presence-invisible"),
    }
}

/// The four statuses in the selector's and the tray's order.
pub const OWN_STATUSES: [OwnStatus; 4] = [
    OwnStatus::Available,
    OwnStatus::Away,
    OwnStatus::Busy,
    OwnStatus::Invisible,
];

#[cfg(test)]
mod tests;
