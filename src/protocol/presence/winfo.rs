//! Watcher information (RFC 3858, `application/watcherinfo+xml`): who asks
//! to see our presence, and a [`WatcherList`] that applies full and partial
//! documents in version order, so a watcher is reported once (the first
//! document lists every watcher, later ones only changes).

use crate::protocol::xml::{self, Element, XmlError};
use std::collections::BTreeMap;

/// Content type of a watcher-info document.
pub const CONTENT_TYPE: &str = "application/watcherinfo+xml";
/// Most watchers read from one document.
pub const MAX_WATCHERS: usize = 128;
/// Most watchers remembered by a [`WatcherList`].
pub const MAX_KNOWN_WATCHERS: usize = 1024;
/// Longest watcher URI or id, in bytes.
pub const MAX_WATCHER_BYTES: usize = 1024;

/// Why a watcher-info document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WinfoError {
    /// Not well-formed or too large.
    #[error("the watcher-info document cannot be read: {0}")]
    Xml(#[from] XmlError),
    /// The root is not `<watcherinfo>`.
    #[error("the document is not watcher information (its root is <{0}>)")]
    NotWatcherInfo(String),
    /// `version` missing or not a number.
    #[error("the watcher-info document has no valid version")]
    Version,
    /// `state` neither `full` nor `partial`.
    #[error("the watcher-info state is neither full nor partial")]
    State,
    /// A watcher without a known status, or an empty or too long URI.
    #[error("a watcher entry is malformed: {0}")]
    Watcher(&'static str),
    /// More than [`MAX_WATCHERS`] watchers.
    #[error("the watcher-info document lists more than {MAX_WATCHERS} watchers")]
    TooMany,
}

/// A watcher's subscription status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WatcherStatus {
    /// Waits for the user's permission.
    Pending,
    /// Allowed and subscribed.
    Active,
    /// Asked, was refused or timed out, and waits.
    Waiting,
    /// Gone.
    Terminated,
}

/// One `<watcher>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    /// Its `id`.
    pub id: String,
    /// Its URI (the element text).
    pub uri: String,
    /// Its `display-name`.
    pub display_name: Option<String>,
    /// Its `status`.
    pub status: WatcherStatus,
    /// Its `event` (`subscribe`, `approved`, `rejected`, ...).
    pub event: Option<String>,
}

/// A watcher-info document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatcherInfo {
    /// `version`, counting up per subscription.
    pub version: u32,
    /// `state="full"` (else partial).
    pub full: bool,
    /// The watchers of every list, with the resource watched.
    pub watchers: Vec<(String, Watcher)>,
}

fn attribute<'a>(element: &'a Element, name: &str) -> Option<&'a str> {
    element
        .attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn read_watcher(element: &Element) -> Result<Watcher, WinfoError> {
    let status = match attribute(element, "status") {
        Some("pending") => WatcherStatus::Pending,
        Some("active") => WatcherStatus::Active,
        Some("waiting") => WatcherStatus::Waiting,
        Some("terminated") => WatcherStatus::Terminated,
        _ => return Err(WinfoError::Watcher("no known status")),
    };
    let uri = element.text.trim();
    if uri.is_empty() {
        return Err(WinfoError::Watcher("no URI"));
    }
    let id = attribute(element, "id").unwrap_or(uri);
    if uri.len() > MAX_WATCHER_BYTES || id.len() > MAX_WATCHER_BYTES {
        return Err(WinfoError::Watcher("too long"));
    }
    Ok(Watcher {
        id: id.to_string(),
        uri: uri.to_string(),
        display_name: attribute(element, "display-name").map(|d| {
            d.chars()
                .filter(|c| !c.is_control())
                .take(MAX_WATCHER_BYTES)
                .collect()
        }),
        status,
        event: attribute(element, "event").map(str::to_string),
    })
}

impl WatcherInfo {
    /// Reads a watcher-info document.
    pub fn parse(bytes: &[u8]) -> Result<WatcherInfo, WinfoError> {
        let root = xml::parse(bytes)?;
        if root.name != "watcherinfo" {
            return Err(WinfoError::NotWatcherInfo(root.name.chars().take(64).collect()));
        }
        let version = attribute(&root, "version")
            .and_then(|v| v.trim().parse::<u32>().ok())
            .ok_or(WinfoError::Version)?;
        let full = match attribute(&root, "state") {
            Some("full") => true,
            Some("partial") => false,
            _ => return Err(WinfoError::State),
        };
        let mut watchers = Vec::new();
        for list in root.children.iter().filter(|c| c.name == "watcher-list") {
            let resource = attribute(list, "resource").unwrap_or_default().to_string();
            for w in list.children.iter().filter(|c| c.name == "watcher") {
                if watchers.len() == MAX_WATCHERS {
                    return Err(WinfoError::TooMany);
                }
                watchers.push((resource.clone(), read_watcher(w)?));
            }
        }
        Ok(WatcherInfo {
            version,
            full,
            watchers,
        })
    }
}

/// The watchers known from one winfo subscription.
#[derive(Debug, Default)]
pub struct WatcherList {
    version: Option<u32>,
    known: BTreeMap<String, Watcher>,
}

/// What applying a document changed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WatcherChanges {
    /// Watchers newly pending (ask the user once each).
    pub newly_pending: Vec<Watcher>,
    /// The document was out of order (an old version) and ignored, or a
    /// partial one after a gap: resubscribe for a full one.
    pub needs_full: bool,
}

impl WatcherList {
    /// Applies a document; a watcher already pending is not reported again.
    pub fn apply(&mut self, info: WatcherInfo) -> WatcherChanges {
        let mut changes = WatcherChanges::default();
        if !info.full {
            match self.version {
                Some(v) if info.version <= v => return changes,
                Some(v) if info.version == v.saturating_add(1) => {}
                _ => {
                    changes.needs_full = true;
                    return changes;
                }
            }
        }
        let before = if info.full {
            std::mem::take(&mut self.known)
        } else {
            self.known.clone()
        };
        self.version = Some(info.version);
        for watcher in last_entry_per_id(info.watchers) {
            let was_pending = before
                .get(&watcher.id)
                .is_some_and(|w| w.status == WatcherStatus::Pending);
            if watcher.status == WatcherStatus::Pending && !was_pending {
                changes.newly_pending.push(watcher.clone());
            }
            if watcher.status == WatcherStatus::Terminated {
                self.known.remove(&watcher.id);
            } else if self.known.len() < MAX_KNOWN_WATCHERS || self.known.contains_key(&watcher.id) {
                self.known.insert(watcher.id.clone(), watcher);
            }
        }
        changes
    }

    /// The watchers waiting for permission now.
    pub fn pending(&self) -> impl Iterator<Item = &Watcher> {
        self.known.values().filter(|w| w.status == WatcherStatus::Pending)
    }
}

/// The document's watchers, each id once, in the order ids first appear,
/// with the state of that id's last entry. RFC 3858 makes ids unique within
/// a document; one that repeats an id (in two watcher lists, or by
/// mistake) is read as its last word on that watcher, so applying the
/// same document twice changes nothing the second time.
fn last_entry_per_id(watchers: Vec<(String, Watcher)>) -> Vec<Watcher> {
    let mut position: BTreeMap<String, usize> = BTreeMap::new();
    let mut latest: Vec<Watcher> = Vec::with_capacity(watchers.len());
    for (_, watcher) in watchers {
        match position.get(&watcher.id) {
            Some(&at) => latest[at] = watcher,
            None => {
                position.insert(watcher.id.clone(), latest.len());
                latest.push(watcher);
            }
        }
    }
    latest
}

#[cfg(test)]
#[path = "winfo_tests.rs"]
mod tests;
