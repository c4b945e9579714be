//! One person, one conversation: a peer writing to the local account from
//! three ports over UDP and TCP lands in one conversation, whose reply
//! address is the newest one it wrote from.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/raw_sip.rs"]
mod raw_sip;
#[path = "support/runtime.rs"]
mod runtime_support;

use std::net::UdpSocket;

use raw_sip::{connect_tcp, message, send_tcp, send_udp};
use runtime_support::{local_config, Running};
use sipchat::model::ConversationSummary;
use sipchat::runtime::{Command, Event, RuntimeOptions};

fn conversations(running: &mut Running) -> Vec<ConversationSummary> {
    running.seen.clear();
    running.handle.send(Command::LoadConversations).unwrap();
    running.wait_for("the conversation list", |e| match e {
        Event::Conversations(list) => Some(list.clone()),
        _ => None,
    })
}

#[test]
fn one_peer_over_three_ports_and_two_transports_is_one_conversation() {
    let dir = tempfile::tempdir().unwrap();
    let options = RuntimeOptions {
        data_dir: Some(dir.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let (mut running, port) = Running::start_local(local_config("alice", 0), options);

    let first = UdpSocket::bind("127.0.0.1:0").unwrap();
    let second = UdpSocket::bind("127.0.0.1:0").unwrap();
    let (mut tcp, tcp_port) = connect_tcp(port);
    let ports = [
        first.local_addr().unwrap().port(),
        second.local_addr().unwrap().port(),
        tcp_port,
    ];
    assert_eq!(
        send_udp(
            &first,
            port,
            &message("UDP", "carol", ports[0], port, "id-one", "one over udp")
        ),
        200
    );
    running.wait_message("one over udp");
    assert_eq!(
        send_udp(
            &second,
            port,
            &message("UDP", "carol", ports[1], port, "id-two", "two over udp")
        ),
        200
    );
    running.wait_message("two over udp");
    assert_eq!(
        send_tcp(
            &mut tcp,
            &message("TCP", "carol", ports[2], port, "id-three", "three over tcp")
        ),
        200
    );
    running.wait_message("three over tcp");

    let list = conversations(&mut running);
    let carol: Vec<_> = list.iter().filter(|c| c.peer_key.contains("carol")).collect();
    assert_eq!(carol.len(), 1, "one conversation for carol: {list:#?}");
    let carol = carol[0];
    assert_eq!(carol.peer_key, "sip:carol@127.0.0.1");
    assert_eq!(carol.unread, 3);
    assert!(
        carol.peer_address.contains(&format!(":{}", ports[2])),
        "replies go to the newest address: {}",
        carol.peer_address
    );
    assert_eq!(carol.contact, None, "a stranger's conversation has no contact");

    running.seen.clear();
    running
        .handle
        .send(Command::LoadMessages {
            account: sipchat::model::AccountId("local".into()),
            peer_key: carol.peer_key.clone(),
            before: None,
            limit: 10,
        })
        .unwrap();
    let bodies = running.wait_for("carol's messages", |e| match e {
        Event::Messages { messages, .. } => Some(messages.iter().map(|m| m.body.clone()).collect::<Vec<_>>()),
        _ => None,
    });
    assert_eq!(bodies, ["one over udp", "two over udp", "three over tcp"]);
}
