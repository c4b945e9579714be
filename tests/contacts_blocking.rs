//! Blocking through the runtime API: a blocked contact's MESSAGE is
//! answered 603 Decline, neither stored nor told (no event, so no
//! notification); unblocked, the next one is stored and shown.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/raw_sip.rs"]
mod raw_sip;
#[path = "support/runtime.rs"]
mod runtime_support;

use std::net::UdpSocket;
use std::time::Duration;

use raw_sip::{message, send_udp};
use runtime_support::{local_config, Running};
use sipchat::model::{ContactDraft, ContactSelector};
use sipchat::runtime::{Command, ContactChange, ContactOutcome, Event, RuntimeOptions};

fn change(running: &mut Running, change: ContactChange) -> ContactOutcome {
    let request = running.handle.next_request_id();
    running
        .handle
        .send(Command::ChangeContacts {
            request,
            change: Box::new(change),
        })
        .unwrap();
    running.wait_for("the change's outcome", |e| match e {
        Event::ContactChanged(done) if done.request == request => Some(done.outcome.clone()),
        _ => None,
    })
}

#[test]
fn a_blocked_contact_gets_603_and_no_event_until_unblocked() {
    let dir = tempfile::tempdir().unwrap();
    let options = RuntimeOptions {
        data_dir: Some(dir.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let (mut running, port) = Running::start_local(local_config("alice", 0), options);
    let draft = ContactDraft {
        name: "Mallory".into(),
        addresses: vec!["sip:mallory@127.0.0.1".into()],
        blocked: true,
        ..ContactDraft::default()
    };
    let outcome = change(&mut running, ContactChange::Add { draft });
    assert!(matches!(outcome, ContactOutcome::Added { .. }), "{outcome:?}");
    running.wait_for("the new contact list", |e| match e {
        Event::Contacts(list) if list.len() == 1 => Some(()),
        _ => None,
    });

    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let from = socket.local_addr().unwrap().port();
    let spam = message("UDP", "mallory", from, port, "spam-1", "buy now");
    assert_eq!(send_udp(&socket, port, &spam), 603);
    running.settle(Duration::from_secs(1));
    assert_eq!(
        running.count(|e| matches!(e, Event::MessageReceived(_))),
        0,
        "nothing told, so nothing notified: {:#?}",
        running.seen
    );

    let outcome = change(
        &mut running,
        ContactChange::SetBlocked {
            contact: ContactSelector::Address("sip:mallory@127.0.0.1:7000".into()),
            blocked: false,
        },
    );
    assert!(matches!(outcome, ContactOutcome::Changed { .. }), "{outcome:?}");
    let hello = message("UDP", "mallory", from, port, "hello-1", "sorry about that");
    assert_eq!(send_udp(&socket, port, &hello), 200);
    running.wait_message("sorry about that");

    running.seen.clear();
    running.handle.send(Command::LoadConversations).unwrap();
    let list = running.wait_for("conversations", |e| match e {
        Event::Conversations(list) => Some(list.clone()),
        _ => None,
    });
    assert_eq!(list.len(), 1, "the blocked message was never stored: {list:#?}");
    assert_eq!(list[0].contact.as_ref().map(|c| c.name.as_str()), Some("Mallory"));
    assert_eq!(list[0].shown_name(), "Mallory");
}

#[test]
fn a_contact_blocked_before_the_start_is_refused_from_the_first_message() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut store = sipchat::store::Store::open(&sipchat::store::Store::path_in(dir.path())).unwrap();
        let draft = ContactDraft {
            name: "Mallory".into(),
            addresses: vec!["sip:mallory@127.0.0.1".into()],
            blocked: true,
            ..ContactDraft::default()
        };
        store.add_contact(&draft, 1).unwrap();
    }
    let options = RuntimeOptions {
        data_dir: Some(dir.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let (mut running, port) = Running::start_local(local_config("alice", 0), options);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let from = socket.local_addr().unwrap().port();
    let spam = message("UDP", "mallory", from, port, "early-1", "first thing");
    assert_eq!(send_udp(&socket, port, &spam), 603);
    running.settle(Duration::from_millis(500));
    assert_eq!(running.count(|e| matches!(e, Event::MessageReceived(_))), 0);
}
