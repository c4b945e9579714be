//! The presence words of the command line, with real `sipchat` processes
//! and two local accounts: `status` with no instance running stores the
//! status; `listen --watch` prints `presence` lines (a stranger waits for
//! permission) and the watched side prints a `presence_request`; `status`
//! with a `listen` running hands over to it and says what happened.
//! The address book drives it: `contacts add` while `listen` runs
//! subscribes, `contacts allow` lets a watcher in, and `contacts list
//! --json` shows what the running instance heard.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;

use cli::{next_event, Killed};
use std::path::Path;
use std::process::Output;
use std::sync::mpsc::Receiver;

fn status(config: &Path, data: &Path, args: &[&str]) -> Output {
    cli::run_in(config, data, "status", args)
}

fn contacts(config: &Path, data: &Path, args: &[&str]) -> Output {
    cli::run_in(config, data, "contacts", args)
}

fn listen(config: &Path, data: &Path, extra: &[&str]) -> (Killed, Receiver<String>) {
    cli::listen_json(config, data, extra)
}

#[test]
fn status_is_stored_handed_over_and_watchers_are_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (alice_port, bob_port) = (cli::free_port(), cli::free_port());
    let alice_config = cli::write_local_config(dir.path(), "alice", alice_port);
    let bob_config = cli::write_local_config(dir.path(), "bob", bob_port);
    let (alice_data, bob_data) = (dir.path().join("alice"), dir.path().join("bob"));

    let bad = status(&alice_config, &alice_data, &["sleepy"]);
    assert_eq!(bad.status.code(), Some(2), "an unknown status is a usage error");
    assert!(String::from_utf8_lossy(&bad.stderr).contains("available, away, busy or invisible"));

    let stored = status(
        &alice_config,
        &alice_data,
        &["away", "--note", "before start", "--json"],
    );
    assert!(stored.status.success(), "{stored:?}");
    let line: serde_json::Value = serde_json::from_slice(&stored.stdout).unwrap();
    assert_eq!(
        (line["status"].as_str(), line["published"].as_bool()),
        (Some("away"), Some(false))
    );
    let kept = std::fs::read_to_string(alice_data.join("presence.ron")).unwrap();
    assert!(kept.contains("away") && kept.contains("before start"), "{kept}");

    let (_alice, alice_lines) = listen(&alice_config, &alice_data, &[]);
    let alice_uri = format!("sip:alice@127.0.0.1:{alice_port}");
    let (_bob, bob_lines) = listen(&bob_config, &bob_data, &["--watch", &alice_uri]);
    let request = next_event(&alice_lines, "presence_request");
    assert!(
        request["watcher"].as_str().unwrap().starts_with("sip:bob@"),
        "{request}"
    );
    let seen = next_event(&bob_lines, "presence");
    assert_eq!(seen["contact"], alice_uri.as_str(), "{seen}");
    assert_eq!(seen["watch"], "pending", "a stranger sees nothing: {seen}");
    assert_eq!(seen["status"], "unknown", "{seen}");

    let handed = status(
        &alice_config,
        &alice_data,
        &["busy", "--note", "in a call", "--json"],
    );
    assert!(handed.status.success(), "{handed:?}");
    let line: serde_json::Value = serde_json::from_slice(&handed.stdout).unwrap();
    assert_eq!(line["status"], "busy", "{line}");
    let own = next_event(&alice_lines, "own_presence");
    assert_eq!(
        (own["status"].as_str(), own["note"].as_str()),
        (Some("busy"), Some("in a call"))
    );
}

/// Waits for a `presence` line satisfying `want`.
fn next_presence(lines: &Receiver<String>, want: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    loop {
        let seen = next_event(lines, "presence");
        if want(&seen) {
            return seen;
        }
    }
}

#[test]
fn contacts_added_allowed_and_listed_through_the_running_instances() {
    let dir = tempfile::tempdir().unwrap();
    let (alice_port, bob_port) = (cli::free_port(), cli::free_port());
    let alice_config = cli::write_local_config(dir.path(), "alice", alice_port);
    let bob_config = cli::write_local_config(dir.path(), "bob", bob_port);
    let (alice_data, bob_data) = (dir.path().join("alice"), dir.path().join("bob"));
    let alice_uri = format!("sip:alice@127.0.0.1:{alice_port}");

    // No instance: the contact is listed with an unknown presence.
    let added = contacts(&bob_config, &bob_data, &["add", &alice_uri, "--name", "Alice"]);
    assert!(added.status.success(), "{added:?}");
    let listed = contacts(&bob_config, &bob_data, &["list", "--json"]);
    let line: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(line["presence"]["status"], "unknown", "{line}");
    let removed = contacts(&bob_config, &bob_data, &["remove", &alice_uri]);
    assert!(removed.status.success(), "{removed:?}");

    let (_alice, alice_lines) = listen(&alice_config, &alice_data, &[]);
    let (_bob, bob_lines) = listen(&bob_config, &bob_data, &[]);
    // Added while bob's listen runs: subscribed at once; alice is asked.
    let added = contacts(&bob_config, &bob_data, &["add", &alice_uri, "--name", "Alice"]);
    assert!(added.status.success(), "{added:?}");
    let request = next_event(&alice_lines, "presence_request");
    let watcher = request["watcher"].as_str().unwrap().to_string();
    next_presence(&bob_lines, |p| p["watch"] == "pending");

    let allowed = contacts(&alice_config, &alice_data, &["allow", &watcher]);
    assert!(allowed.status.success(), "{allowed:?}");
    assert!(
        String::from_utf8_lossy(&allowed.stdout).contains("allowed"),
        "{allowed:?}"
    );
    next_presence(&bob_lines, |p| {
        p["watch"] == "active" && p["status"] == "available"
    });
    // The decision is kept with the contact: bob is alice's contact now.
    let alice_book = contacts(&alice_config, &alice_data, &["list", "--json"]);
    let bob_there: serde_json::Value = serde_json::from_slice(&alice_book.stdout).unwrap();
    assert_eq!(bob_there["blocked"], false, "{bob_there}");
    assert_eq!(bob_there["uri"], watcher.as_str(), "{bob_there}");

    let listed = contacts(&bob_config, &bob_data, &["list", "--json"]);
    let line: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(line["presence"]["status"], "available", "{line}");
    assert!(line["presence"].get("last_seen").is_some(), "{line}");

    // Blocked: bob is refused.
    let blocked = contacts(&alice_config, &alice_data, &["block", &watcher]);
    assert!(blocked.status.success(), "{blocked:?}");
    next_presence(&bob_lines, |p| p["watch"] != "active");
}
