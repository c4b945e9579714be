//! "Never loses or lies about a message", against a real Kamailio:
//! a burst stored once on both sides with the right final states, and a
//! receiver killed with SIGKILL mid-burst keeps every message it answered 200.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::{DeliveryState, MessageId};
use sipchat::runtime::{Event, RuntimeOptions};
use sipchat::store::{conversation_key, Direction, Store};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::Running;

const BURST: usize = 1000;

fn account_ron(kam: &Kamailio, user: &str, transport: &str) -> String {
    format!(
        r#"(accounts: [(name: "{user}", uri: "sip:{user}@{domain}", password: "{pw}", proxy: "{proxy}")],
            local: (enabled: false))"#,
        domain = kamailio::DOMAIN,
        pw = kamailio::password(user).unwrap(),
        proxy = kam.proxy_uri(transport),
    )
}

fn start(kam: &Kamailio, user: &str, data: &Path) -> Running {
    let options = RuntimeOptions {
        data_dir: Some(data.to_path_buf()),
        ..RuntimeOptions::default()
    };
    let mut r = Running::start(support::config(&account_ron(kam, user, "tcp")), options);
    r.wait_registered(user);
    r
}

/// Waits until every id has a final state (or `Retrying`), returning them.
fn outcomes(alice: &mut Running, ids: &[MessageId], limit: Duration) -> HashMap<MessageId, DeliveryState> {
    let wanted: HashSet<MessageId> = ids.iter().copied().collect();
    let mut done = HashMap::new();
    let deadline = Instant::now() + limit;
    while done.len() < wanted.len() && Instant::now() < deadline {
        let (id, state) = alice.wait_for("an outcome", |e| match e {
            Event::DeliveryUpdate { id, state, .. }
                if wanted.contains(id)
                    && !done.contains_key(id)
                    && (state.is_final() || matches!(state, DeliveryState::Retrying { .. })) =>
            {
                Some((*id, state.clone()))
            }
            _ => None,
        });
        done.insert(id, state);
    }
    done
}

#[test]
fn a_burst_is_stored_once_on_both_sides_with_true_states() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (alice_data, bob_data) = (dir.path().join("alice"), dir.path().join("bob"));
    let mut bob = start(&kam, "bob", &bob_data);
    let mut alice = start(&kam, "alice", &alice_data);
    let to = kam.aor("bob");
    let ids: Vec<MessageId> = (0..BURST)
        .map(|i| alice.send("alice", &to, &format!("burst {i}")))
        .collect();
    let done = outcomes(&mut alice, &ids, Duration::from_secs(120));
    let accepted = done.values().filter(|s| **s == DeliveryState::Accepted).count();
    assert_eq!(
        accepted,
        BURST,
        "every message accepted; others: {:?}",
        done.values().find(|s| **s != DeliveryState::Accepted)
    );
    for i in 0..BURST {
        bob.wait_message(&format!("burst {i}"));
    }
    bob.settle(Duration::from_millis(500));
    assert_eq!(
        bob.count(|e| matches!(e, Event::MessageReceived(_))),
        BURST,
        "shown once each"
    );
    drop(alice);
    drop(bob);

    let alice_store = Store::open_read_only(&Store::path_in(&alice_data)).unwrap();
    let sent = alice_store
        .messages("alice", &conversation_key(&to), None, 500)
        .unwrap();
    assert_eq!(sent.len(), 500, "a full page");
    assert!(sent
        .iter()
        .all(|m| m.direction == Direction::Out && m.state == Some(DeliveryState::Accepted)));
    let bob_store = Store::open_read_only(&Store::path_in(&bob_data)).unwrap();
    let convs = bob_store.conversations(Some("bob")).unwrap();
    assert_eq!(convs.len(), 1);
    assert_eq!(convs[0].unread as usize, BURST, "each stored exactly once");
    let hits = bob_store.search("burst 999", None, 10).unwrap();
    assert_eq!(hits.len(), 1);
}

#[test]
fn kill_9_mid_burst_loses_nothing_that_was_answered_200() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bob_cfg = dir.path().join("bob.ron");
    std::fs::write(&bob_cfg, account_ron(&kam, "bob", "tcp")).unwrap();
    let bob_data = dir.path().join("bob");
    let mut bob = Command::new(env!("CARGO_BIN_EXE_sipchat"))
        .env_remove("SIPCHAT_CONFIG")
        .arg("--config")
        .arg(&bob_cfg)
        .arg("--data-dir")
        .arg(&bob_data)
        .args(["listen", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(bob.stdout.take().unwrap()).lines();
    loop {
        let line = lines.next().expect("bob's listen ended").unwrap();
        if line.contains("\"registered\"") {
            break;
        }
    }
    // Read bob's output in the background; kill him after some messages arrived.
    let (seen_tx, seen_rx) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if line.contains("\"message\"") && seen_tx.send(()).is_err() {
                return;
            }
        }
    });

    let alice_data = dir.path().join("alice");
    let mut alice = start(&kam, "alice", &alice_data);
    let to = kam.aor("bob");
    let ids: Vec<MessageId> = (0..400)
        .map(|i| alice.send("alice", &to, &format!("crash {i}")))
        .collect();
    for _ in 0..100 {
        seen_rx
            .recv_timeout(Duration::from_secs(20))
            .expect("bob receives");
    }
    bob.kill().unwrap(); // SIGKILL: no unregistration, no clean close
    bob.wait().unwrap();

    let done = outcomes(&mut alice, &ids, Duration::from_secs(90));
    let accepted: Vec<MessageId> = ids
        .iter()
        .copied()
        .filter(|id| done.get(id) == Some(&DeliveryState::Accepted))
        .collect();
    // Bob prints a message once it is committed, a moment before its 200
    // leaves; so alice has seen about as many answers as bob printed, not
    // necessarily all of them.
    assert!(
        accepted.len() >= 50,
        "most of what bob printed was answered: {}",
        accepted.len()
    );
    assert!(accepted.len() < ids.len(), "the kill happened mid-burst");
    // Nothing is claimed that did not happen: every message not accepted is
    // waiting for a retry or failed with a reason, never silently gone.
    assert_eq!(done.len(), ids.len(), "every message has an outcome");

    // Every message alice saw accepted is in bob's database after the crash.
    let bob_store = Store::open_read_only(&Store::path_in(&bob_data)).unwrap();
    let stored = bob_store
        .messages("bob", &conversation_key(&kam.aor("alice")), None, 500)
        .unwrap();
    let bodies: HashSet<&str> = stored.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies.len(), stored.len(), "no duplicates");
    for (n, id) in ids.iter().enumerate() {
        if accepted.contains(id) {
            assert!(
                bodies.contains(format!("crash {n}").as_str()),
                "crash {n} was answered 200 but is lost"
            );
        }
    }
}
