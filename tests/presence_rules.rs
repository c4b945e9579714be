//! Permission against a real Kamailio that asks it (`presence` +
//! `presence_xml` with `force_active=0`, `xcap_server` on `xhttp`, all on a
//! db_text database made at start from Kamailio's schema files:
//! `tests/kamailio/presence_rules.cfg`).
//!
//! A watcher alice has not allowed waits (pending) and sees nothing of her;
//! alice hears of the watcher through her own watcher-information
//! subscription (`presence.winfo`) and is asked once.
//!
//! Skips when Kamailio is missing (unless required: `SIPCHAT_REQUIRE_KAMAILIO=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::{PresenceStatus, WatchState};
use sipchat::runtime::{Event, RuntimeOptions};
use std::path::Path;
use std::time::Duration;
use support::Running;

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(30);

const ALICE: &str = "sip:alice@sipchat.test";
const CAROL: &str = "sip:carol@sipchat.test";

/// `user`'s runtime on the server account; `extra` are more account
/// fields (ending in a comma).
fn start(kam: &Kamailio, user: &str, extra: &str, watch: &[&str], data_dir: &Path) -> Running {
    let config = support::config(&format!(
        r#"(
    accounts: [(name: "{user}", uri: "sip:{user}@{domain}", password: "{user}-secret",
                proxy: "{proxy}", expires: 300, {extra})],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        proxy = kam.proxy_uri("udp"),
    ));
    let options = RuntimeOptions {
        data_dir: Some(data_dir.to_path_buf()),
        watch: watch.iter().map(|w| w.to_string()).collect(),
        ..RuntimeOptions::default()
    };
    let mut running = Running::start(config, options);
    running.timeout = WAIT;
    running
}

/// Whether `event` shows alice to her watcher with a status other than
/// "unknown" or "offline" (what a watcher not allowed must never see).
fn shows_alice_online(event: &Event) -> bool {
    matches!(event, Event::Presence { contact, presence, .. }
        if contact == ALICE
            && presence.status != PresenceStatus::Offline
            && presence.status != PresenceStatus::Unknown)
}

#[test]
fn a_watcher_not_allowed_waits_and_alice_is_asked_once() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut alice = start(&kam, "alice", "", &[], dirs.0.path());
    alice.wait_registered("alice");
    let mut carol = start(&kam, "carol", "", &[ALICE], dirs.1.path());
    carol.wait_registered("carol");

    carol.wait_for("carol waiting for alice's permission", |e| match e {
        Event::Presence { contact, watch: WatchState::Pending, .. } if contact == ALICE => Some(()),
        _ => None,
    });
    let watcher = alice.wait_for("alice asked about carol", |e| match e {
        Event::PresenceRequest { watcher, .. } => Some(watcher.clone()),
        _ => None,
    });
    assert_eq!(watcher, CAROL, "{}", kam.log());

    // Nothing of alice reaches carol; alice is not asked again.
    carol.settle(Duration::from_secs(3));
    alice.settle(Duration::from_millis(100));
    let seen = carol.seen.iter().find(|e| shows_alice_online(e));
    assert!(seen.is_none(), "carol saw alice: {seen:#?}\n{}", kam.log());
    let asked = alice.count(|e| matches!(e, Event::PresenceRequest { .. }));
    assert_eq!(asked, 1, "{:#?}", alice.seen);
    alice.handle.shutdown();
    carol.handle.shutdown();
}
