//! Presence between two local (peer-to-peer) accounts, each its own
//! notifier: bob watches alice; he is a stranger to her, so he sees only
//! "waiting for permission" and she is asked; once she allows him he sees
//! her available, then away with her note, then offline when she quits.
//! And the address book feeds it: a contact added while the runtimes run
//! is watched at once, and a contact watching us is allowed unasked.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, ContactDraft, OwnStatus, Presence, PresenceStatus, WatchState};
use sipchat::runtime::{Command, ContactChange, ContactOutcome, Event, RuntimeOptions};
use std::time::{Duration, Instant};
use support::Running;

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(30);

fn local(user: &str) -> sipchat::config::Config {
    support::config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: 0))"#
    ))
}

/// Waits for bob's next view of alice satisfying `want` (events after `from`).
fn wait_view(
    bob: &mut Running,
    from: usize,
    what: &str,
    want: impl Fn(&Presence, &WatchState) -> bool,
) -> usize {
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(at) = bob.seen[from..]
            .iter()
            .position(|e| matches!(e, Event::Presence { presence, watch, .. } if want(presence, watch)))
        {
            return from + at + 1;
        }
        assert!(
            Instant::now() < deadline,
            "bob never saw alice {what}; events: {:#?}",
            bob.seen
        );
        bob.settle(Duration::from_millis(50));
    }
}

#[test]
fn a_stranger_waits_for_permission_then_follows_alices_status() {
    let (mut alice, alice_port) = Running::start_local(local("alice"), RuntimeOptions::default());
    alice.timeout = WAIT;
    let alice_uri = format!("sip:alice@127.0.0.1:{alice_port}");
    let options = RuntimeOptions {
        watch: vec![alice_uri.clone()],
        ..RuntimeOptions::default()
    };
    let (mut bob, _) = Running::start_local(local("bob"), options);
    bob.timeout = WAIT;
    let me = AccountId(AccountId::LOCAL.into());

    let watcher = alice.wait_for("bob's request", |e| match e {
        Event::PresenceRequest { watcher, .. } => Some(watcher.clone()),
        _ => None,
    });
    assert!(watcher.starts_with("sip:bob@"), "{watcher}");
    let mut seen = wait_view(&mut bob, 0, "pending", |_, w| *w == WatchState::Pending);
    bob.settle(Duration::from_millis(500));
    assert!(
        !bob.seen.iter().any(|e| matches!(
            e,
            Event::Presence {
                watch: WatchState::Active,
                ..
            }
        )),
        "a stranger saw alice before she allowed him: {:#?}",
        bob.seen
    );

    alice
        .handle
        .send(Command::DecideWatcher {
            account: me.clone(),
            watcher,
            allow: true,
        })
        .unwrap();
    seen = wait_view(&mut bob, seen, "available once allowed", |p, w| {
        *w == WatchState::Active && p.status == PresenceStatus::Available
    });
    alice
        .handle
        .send(Command::SetStatus {
            account: Some(me),
            status: OwnStatus::Away,
            note: Some("back soon".into()),
        })
        .unwrap();
    seen = wait_view(&mut bob, seen, "away with her note", |p, _| {
        p.status == PresenceStatus::Away && p.note.as_deref() == Some("back soon")
    });
    let quit = Instant::now();
    alice.handle.shutdown();
    wait_view(&mut bob, seen, "offline after she quit", |p, _| {
        p.status == PresenceStatus::Offline
    });
    eprintln!(
        "FIGURE alice quitting showed offline at bob (peer to peer) in {:?}",
        quit.elapsed()
    );
    bob.handle.shutdown();
}

/// Adds a contact through the runtime, as `contacts add` does with an
/// instance running.
fn add_contact(running: &mut Running, name: &str, address: &str, account: Option<&str>) {
    let request = running.handle.next_request_id();
    let draft = ContactDraft {
        name: name.into(),
        addresses: vec![address.into()],
        account: account.map(str::to_string),
        ..ContactDraft::default()
    };
    running
        .handle
        .send(Command::ChangeContacts {
            request,
            change: Box::new(ContactChange::Add { draft }),
        })
        .unwrap();
    let outcome = running.wait_for("the contact added", |e| match e {
        Event::ContactChanged(done) if done.request == request => Some(done.outcome.clone()),
        _ => None,
    });
    assert!(matches!(outcome, ContactOutcome::Added { .. }), "{outcome:?}");
}

#[test]
fn contacts_added_while_running_are_watched_and_may_watch_us() {
    let (mut alice, alice_port) = Running::start_local(local("alice"), RuntimeOptions::default());
    alice.timeout = WAIT;
    let (mut bob, bob_port) = Running::start_local(local("bob"), RuntimeOptions::default());
    bob.timeout = WAIT;
    // Alice knows bob (from another port than his: the port is routing),
    // as a contact of another account, so she does not watch him herself.
    let bob_elsewhere = format!("sip:bob@127.0.0.1:{}", bob_port + 1);
    add_contact(&mut alice, "Bob", &bob_elsewhere, Some("work"));
    bob.settle(Duration::from_millis(500));
    assert!(
        !bob.seen.iter().any(|e| matches!(e, Event::Presence { .. })),
        "bob watched before alice was his contact: {:#?}",
        bob.seen
    );

    add_contact(
        &mut bob,
        "Alice",
        &format!("sip:alice@127.0.0.1:{alice_port}"),
        None,
    );
    wait_view(&mut bob, 0, "available, allowed as her contact", |p, w| {
        *w == WatchState::Active && p.status == PresenceStatus::Available
    });
    assert!(
        !alice
            .seen
            .iter()
            .any(|e| matches!(e, Event::PresenceRequest { .. })),
        "alice was asked about her own contact: {:#?}",
        alice.seen
    );
    bob.handle.shutdown();
    alice.handle.shutdown();
}
