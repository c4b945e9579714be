//! Presence harnesses: PIDF, watcher-info and resource list (RLMI in
//! multipart/related) documents (also run by `tests/presence_vectors.rs`
//! over the presence vectors on stable).

use sipchat::model::{OwnStatus, PresenceStatus};
use sipchat::protocol::presence::multipart;
use sipchat::protocol::presence::pidf::{self, OwnPresence, PresenceDocument};
use sipchat::protocol::presence::rlmi::{self, ResourceList};
use sipchat::protocol::presence::winfo::{WatcherInfo, WatcherList};
use sipchat::protocol::xcap::resource_lists::{self, ResourceLists};

/// PIDF: parse and merge never panic; a parsed document's summary, written
/// back as our own document, reads back to the same status and note.
pub fn pidf(data: &[u8]) {
    let Ok(doc) = PresenceDocument::parse(data) else {
        return;
    };
    let summary = doc.summary();
    let status = match summary.status {
        PresenceStatus::Available => OwnStatus::Available,
        PresenceStatus::Away => OwnStatus::Away,
        PresenceStatus::Busy => OwnStatus::Busy,
        PresenceStatus::Offline | PresenceStatus::Unknown => OwnStatus::Invisible,
    };
    let written = pidf::build(&OwnPresence {
        entity: &doc.entity,
        status,
        note: summary.note.as_deref(),
        tuple_id: "fuzz",
        contact: None,
        now_unix: summary.last_seen.unwrap_or(0).clamp(0, 253_402_300_799),
    });
    let again = match PresenceDocument::parse(written.as_bytes()) {
        Ok(again) => again.summary(),
        Err(e) => panic!("our own document does not parse: {e}; {written:?}"),
    };
    assert_eq!(again.status, status.seen_as(), "written as {written:?}");
    if status != OwnStatus::Invisible {
        let trimmed = summary.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
        assert_eq!(again.note.as_deref(), trimmed, "written as {written:?}");
    }
}

/// Watcher info: parse and apply (twice, as full and as a repeat) never
/// panic, and a watcher is never reported pending twice.
pub fn winfo(data: &[u8]) {
    let Ok(info) = WatcherInfo::parse(data) else {
        return;
    };
    let mut list = WatcherList::default();
    let first = list.apply(info.clone());
    let second = list.apply(info);
    assert!(first.newly_pending.len() <= sipchat::protocol::presence::winfo::MAX_WATCHERS);
    assert!(
        second.newly_pending.is_empty(),
        "a repeated document asked again: {second:?}"
    );
}

/// Resource list notifications: the body as multipart/related (boundary
/// from the body) and as a bare RLMI document never panic; what is read
/// stays within the named limits, and every part is read as the RLMI or
/// PIDF document it says it is.
pub fn rlmi(data: &[u8]) {
    if let Ok(list) = ResourceList::parse(data) {
        assert!(list.resources.len() <= rlmi::MAX_RESOURCES);
        assert!(list
            .resources
            .iter()
            .all(|r| r.instances.len() <= rlmi::MAX_INSTANCES));
    }
    let Ok(parts) = multipart::parse(data, None) else {
        return;
    };
    assert!(parts.len() <= multipart::MAX_PARTS);
    for part in parts {
        match part.content_type.as_deref() {
            Some(rlmi::CONTENT_TYPE) => {
                let _ = ResourceList::parse(&part.body);
            }
            Some(pidf::CONTENT_TYPE) => {
                let _ = PresenceDocument::parse(&part.body).map(|d| d.summary());
            }
            _ => {}
        }
    }
}

/// XCAP resource lists (RFC 4826): parsing never panics; what is read
/// stays within the named limits, and, written back as a document, reads
/// back to the same lists.
pub fn resource_lists(data: &[u8]) {
    let Ok(lists) = ResourceLists::parse(data) else {
        return;
    };
    let entries = lists.all_entries();
    assert!(entries.len() <= resource_lists::MAX_ENTRIES);
    assert!(entries
        .iter()
        .all(|e| e.uri.len() <= resource_lists::MAX_FIELD_BYTES
            && e.display_name
                .as_ref()
                .is_none_or(|n| n.chars().count() <= resource_lists::MAX_DISPLAY_NAME_CHARS)));
    let again = ResourceLists::parse(&lists.to_document());
    assert_eq!(again.as_ref(), Ok(&lists), "a written document reads back");
}
