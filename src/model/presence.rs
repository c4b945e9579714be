//! Presence as the runtime reports it: a contact's (or our own) status, its
//! note and, when offline, when it was last seen.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How reachable someone is, most available first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStatus {
    /// Online and free.
    Available,
    /// Online but busy.
    Busy,
    /// Online but away.
    Away,
    /// Not online.
    Offline,
    /// Nothing known (yet).
    #[default]
    Unknown,
}

impl PresenceStatus {
    /// `available`, `away`, `busy`, `offline`, `unknown` (CLI and JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            PresenceStatus::Available => "available",
            PresenceStatus::Busy => "busy",
            PresenceStatus::Away => "away",
            PresenceStatus::Offline => "offline",
            PresenceStatus::Unknown => "unknown",
        }
    }

    /// Lower is more available (for merging several devices).
    pub fn rank(self) -> u8 {
        match self {
            PresenceStatus::Available => 0,
            PresenceStatus::Busy => 1,
            PresenceStatus::Away => 2,
            PresenceStatus::Offline => 3,
            PresenceStatus::Unknown => 4,
        }
    }
}

impl fmt::Display for PresenceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What we publish about ourselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum OwnStatus {
    /// Open, no activity.
    #[default]
    Available,
    /// Open, activity away.
    Away,
    /// Open, activity busy.
    Busy,
    /// Published closed: watchers see offline.
    Invisible,
}

impl OwnStatus {
    /// `available`, `away`, `busy`, `invisible`.
    pub fn as_str(self) -> &'static str {
        match self {
            OwnStatus::Available => "available",
            OwnStatus::Away => "away",
            OwnStatus::Busy => "busy",
            OwnStatus::Invisible => "invisible",
        }
    }

    /// Reads the words the CLI takes.
    pub fn from_word(word: &str) -> Option<OwnStatus> {
        Some(match word.trim().to_ascii_lowercase().as_str() {
            "available" | "online" => OwnStatus::Available,
            "away" => OwnStatus::Away,
            "busy" => OwnStatus::Busy,
            "invisible" => OwnStatus::Invisible,
            _ => return None,
        })
    }

    /// What a watcher sees.
    pub fn seen_as(self) -> PresenceStatus {
        match self {
            OwnStatus::Available => PresenceStatus::Available,
            OwnStatus::Away => PresenceStatus::Away,
            OwnStatus::Busy => PresenceStatus::Busy,
            OwnStatus::Invisible => PresenceStatus::Offline,
        }
    }
}

impl fmt::Display for OwnStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Someone's presence as last reported.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Presence {
    /// The merged status.
    pub status: PresenceStatus,
    /// Their free note, if any.
    pub note: Option<String>,
    /// When they were last seen (Unix seconds), from the document's
    /// timestamp; shown when offline.
    pub last_seen: Option<i64>,
}

/// How watching one contact stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchState {
    /// Subscribed; the presence is current.
    Active,
    /// Waiting for the contact's permission.
    Pending,
    /// The contact does not share their status.
    Refused,
    /// There is no such user.
    NoSuchUser,
    /// Not subscribed now (no server connection, or a failure being
    /// retried); the words say why.
    Interrupted(String),
}
