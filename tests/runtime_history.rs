//! The history through the runtime API: a receiver keeps its conversations
//! on disk, and after a restart answers LoadConversations, LoadMessages
//! (paged with `before`), MarkRead and Search from them.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, DeliveryState};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use sipchat::store::{conversation_key, ConversationSummary, Direction, SearchHit, StoredMessage};
use std::path::Path;
use support::{free_port, local_config, Running};

fn local() -> AccountId {
    AccountId(AccountId::LOCAL.into())
}

fn start_bob(dir: &Path) -> Running {
    let options = RuntimeOptions {
        data_dir: Some(dir.to_path_buf()),
        ..RuntimeOptions::default()
    };
    Running::start(local_config("bob", free_port()), options)
}

/// Sends `command` and waits for the first event after it that `pred` takes.
fn ask<T>(run: &mut Running, command: Command, pred: impl FnMut(&Event) -> Option<T>) -> T {
    run.seen.clear();
    run.handle.send(command).unwrap();
    run.wait_for("an answer", pred)
}

fn conversations(run: &mut Running) -> Vec<ConversationSummary> {
    ask(run, Command::LoadConversations, |e| match e {
        Event::Conversations(list) => Some(list.clone()),
        _ => None,
    })
}

fn page(
    run: &mut Running,
    peer_key: &str,
    before: Option<sipchat::model::MessageId>,
) -> (Vec<StoredMessage>, bool) {
    let command = Command::LoadMessages {
        account: local(),
        peer_key: peer_key.into(),
        before,
        limit: 5,
    };
    ask(run, command, |e| match e {
        Event::Messages {
            account,
            peer_key: key,
            messages,
            complete,
        } if *account == local() && key == peer_key => Some((messages.clone(), *complete)),
        _ => None,
    })
}

fn search(run: &mut Running, text: &str) -> Vec<SearchHit> {
    let command = Command::Search {
        text: text.into(),
        limit: 20,
    };
    ask(run, command, |e| match e {
        Event::SearchResults { text: t, hits } if t == text => Some(hits.clone()),
        _ => None,
    })
}

#[test]
fn conversations_survive_a_restart_with_paging_read_state_and_search() {
    let dir = tempfile::tempdir().unwrap();
    let pa = free_port();
    let mut alice = Running::start(local_config("alice", pa), RuntimeOptions::default());
    let mut bob = start_bob(dir.path());
    let bob_address = bob.wait_for("bob listening", |e| match e {
        Event::AccountState {
            state: sipchat::model::RegistrationState::Listening { address, .. },
            ..
        } => Some(address.clone()),
        _ => None,
    });
    let to_bob = format!("sip:bob@{bob_address}");

    let texts: Vec<String> = (0..7)
        .map(|i| format!("note {i}"))
        .chain(["a pineapple for you".to_string()])
        .collect();
    for text in &texts {
        let id = alice.send("local", &to_bob, text);
        assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    }
    let from = bob.wait_message("a pineapple for you").from;
    let reply = bob.send("local", &from, "hi alice");
    assert_eq!(bob.wait_delivery(reply), DeliveryState::Accepted);
    drop(bob);

    // A new runtime on the same history.
    let mut bob = start_bob(dir.path());
    let key = conversation_key(&from);
    let list = conversations(&mut bob);
    assert_eq!(list.len(), 1, "{list:#?}");
    assert_eq!(
        (list[0].account.as_str(), list[0].peer_key.as_str()),
        ("local", key.as_str())
    );
    assert_eq!(list[0].peer_address, from);
    assert_eq!(list[0].unread, 8, "every incoming message is unread");
    let last = list[0].last_message.clone().unwrap();
    assert_eq!((last.direction, last.text.as_str()), (Direction::Out, "hi alice"));
    assert_eq!(last.state, Some(DeliveryState::Accepted));

    // Newest page first, oldest first within it; then the page before it.
    let (newest, complete) = page(&mut bob, &key, None);
    assert!(!complete);
    let bodies: Vec<_> = newest.iter().map(|m| m.body.trim_end()).collect();
    assert_eq!(
        bodies,
        ["note 4", "note 5", "note 6", "a pineapple for you", "hi alice"]
    );
    assert_eq!(newest[4].state, Some(DeliveryState::Accepted));
    assert_eq!(newest[0].direction, Direction::In);
    let (older, complete) = page(&mut bob, &key, Some(newest[0].id));
    assert!(complete, "nothing before note 0");
    let bodies: Vec<_> = older.iter().map(|m| m.body.trim_end()).collect();
    assert_eq!(bodies, ["note 0", "note 1", "note 2", "note 3"]);
    assert!(older.iter().all(|m| m.id < newest[0].id));

    // Reading the conversation clears its unread count for good.
    bob.handle
        .send(Command::MarkRead {
            account: local(),
            peer_key: key.clone(),
        })
        .unwrap();
    assert_eq!(conversations(&mut bob)[0].unread, 0);

    let hits = search(&mut bob, "PINEAPPLE");
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(hits[0].peer_key, key);
    assert!(hits[0].snippet.contains("[pineapple]"), "{}", hits[0].snippet);
    assert!(search(&mut bob, "mango").is_empty());

    // An unknown conversation is an empty, complete page.
    assert_eq!(page(&mut bob, "sip:nobody@example.org", None), (Vec::new(), true));
}
