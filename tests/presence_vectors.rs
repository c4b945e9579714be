//! Presence wire vectors (`tests/vectors/presence/`, written by hand after
//! RFC 3863, RFC 4480 and RFC 3858, and after what Kamailio sends), and the
//! presence fuzz harnesses (`tests/fuzz/src/presence.rs`) over every vector,
//! so their properties hold on stable too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "fuzz/src/presence.rs"]
mod fuzz_presence;

use sipchat::model::PresenceStatus;
use sipchat::protocol::presence::pidf::PresenceDocument;
use sipchat::protocol::presence::winfo::{WatcherInfo, WatcherList, WatcherStatus};
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
    }
}
