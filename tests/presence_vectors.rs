//! Presence wire vectors (`tests/vectors/presence/`, written by hand after
//! RFC 3863, RFC 4480, RFC 3858, RFC 4662 and RFC 4826, and after what Kamailio
//! sends), and the
//! presence fuzz harnesses (`tests/fuzz/src/presence.rs`) over every vector,
//! so their properties hold on stable too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fuzz/src/presence.rs"]
mod fuzz_presence;

use sipchat::model::PresenceStatus;
use sipchat::protocol::presence::multipart;
use sipchat::protocol::presence::pidf::PresenceDocument;
use sipchat::protocol::presence::rlmi::{self, InstanceState, ResourceList};
use sipchat::protocol::presence::winfo::{WatcherInfo, WatcherList, WatcherStatus};
use sipchat::protocol::xcap::resource_lists::ResourceLists;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/presence")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

#[test]
fn pidf_vectors_read_as_meant() {
    let basic = PresenceDocument::parse(&read("rfc3863-basic.pidf.xml")).unwrap();
    assert_eq!(basic.summary().status, PresenceStatus::Available);
    let merged = PresenceDocument::parse(&read("kamailio-merged.pidf.xml"))
        .unwrap()
        .summary();
    assert_eq!(
        merged.status,
        PresenceStatus::Busy,
        "a stale closed device does not hide an open one"
    );
    assert_eq!(merged.note.as_deref(), Some("in a call"));
    let closed = PresenceDocument::parse(&read("closed.pidf.xml"))
        .unwrap()
        .summary();
    assert_eq!(closed.status, PresenceStatus::Offline);
    assert!(closed.last_seen.is_some());
}

#[test]
fn winfo_vectors_read_as_meant() {
    let mut list = WatcherList::default();
    let full = list.apply(WatcherInfo::parse(&read("rfc3858-full.winfo.xml")).unwrap());
    assert_eq!(full.newly_pending.len(), 1);
    assert_eq!(full.newly_pending[0].uri, "sip:carol@example.net");
    let partial = WatcherInfo::parse(&read("rfc3858-partial.winfo.xml")).unwrap();
    assert_eq!(partial.watchers[0].1.status, WatcherStatus::Terminated);
    list.apply(partial);
    assert_eq!(list.pending().count(), 0);
}

#[test]
fn resource_list_vectors_read_as_meant() {
    let body = read("full.rls.multipart");
    let parts = multipart::parse(&body, Some("rls-b7c")).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].content_type.as_deref(), Some(rlmi::CONTENT_TYPE));
    let list = ResourceList::parse(&parts[0].body).unwrap();
    assert_eq!(
        (list.uri.as_str(), list.version, list.full_state),
        ("sip:alice-list@sipchat.test", 0, true)
    );
    let states: Vec<(&str, Option<&InstanceState>)> = list
        .resources
        .iter()
        .map(|r| (r.uri.as_str(), r.instances.first().map(|i| &i.state)))
        .collect();
    assert_eq!(
        states,
        [
            ("sip:bob@sipchat.test", Some(&InstanceState::Active)),
            ("sip:carol@sipchat.test", Some(&InstanceState::Pending)),
            (
                "sip:dave@sipchat.test",
                Some(&InstanceState::Terminated(Some("rejected".into())))
            ),
            ("sip:erin@sipchat.test", None),
        ]
    );
    let cid = list.resources[0].instances[0].cid.as_deref();
    let bob = parts.iter().find(|p| p.content_id.as_deref() == cid).unwrap();
    let summary = PresenceDocument::parse(&bob.body).unwrap().summary();
    assert_eq!(summary.status, PresenceStatus::Away);
    assert_eq!(summary.note.as_deref(), Some("back soon"));
}

#[test]
fn the_rfc4826_resource_lists_vector_reads_as_meant() {
    let lists = ResourceLists::parse(&read("rfc4826.resource-lists.xml")).unwrap();
    let names: Vec<(&str, Option<&str>)> = lists
        .all_entries()
        .iter()
        .map(|e| (e.uri.as_str(), e.display_name.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("sip:bill@example.com", Some("Bill Doe")),
            ("sip:joe@example.com", Some("Joe Smith")),
            ("sip:nancy@example.com", Some("Nancy Gross")),
        ]
    );
    assert_eq!(
        lists.list("friends").unwrap().lists[0].display_name.as_deref(),
        Some("Close Friends")
    );
}

#[test]
fn fuzz_bodies_hold_over_every_vector() {
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(dir())
        .unwrap()
        .flatten()
        .map(|e| std::fs::read(e.path()).unwrap())
        .collect();
    // Cut and bent versions of every vector, so the error paths run too.
    for original in inputs.clone() {
        for cut in (0..original.len()).step_by(7) {
            inputs.push(original[..cut].to_vec());
        }
        inputs.push(
            original
                .iter()
                .map(|b| if *b == b'o' { b'0' } else { *b })
                .collect(),
        );
    }
    for input in &inputs {
        fuzz_presence::pidf(input);
        fuzz_presence::winfo(input);
        fuzz_presence::rlmi(input);
        fuzz_presence::resource_lists(input);
    }
}
