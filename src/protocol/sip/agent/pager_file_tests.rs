//! Files inside page-mode MESSAGEs, agent to agent on virtual time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::super::{Agent, AgentConfig, AgentEvent, Hop, Output};
use super::PageFileBody;
use crate::model::{DeliveryState, MessageId};
use crate::protocol::sip::message::SipMessage;
use crate::protocol::sip::transaction::TimerConfig;
use crate::protocol::sip::uri::{SipUri, Transport};
use std::time::Instant;

fn config(user: &str) -> AgentConfig {
    AgentConfig {
        account: user.into(),
        aor: SipUri::parse(&format!("sip:{user}@sipchat.test")).unwrap(),
        display_name: None,
        auth_user: user.into(),
        password: None,
        registrar: None,
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    }
}

fn hop(transport: Transport, local: &str, remote: &str) -> Hop {
    Hop {
        transport,
        remote: remote.parse().unwrap(),
        local: local.parse().unwrap(),
        conn: None,
    }
}

fn drain(agent: &mut Agent) -> (Vec<(Hop, Vec<u8>)>, Vec<AgentEvent>) {
    let (mut tx, mut ev) = (Vec::new(), Vec::new());
    while let Some(out) = agent.poll_output() {
        match out {
            Output::Transmit { hop, bytes } => tx.push((hop, bytes)),
            Output::Event(e) => ev.push(e),
        }
    }
    (tx, ev)
}

fn deliver(to: &mut Agent, packets: &[(Hop, Vec<u8>)], now: Instant) {
    for (h, bytes) in packets {
        let seen = Hop {
            transport: h.transport,
            remote: h.local,
            local: h.remote,
            conn: None,
        };
        to.handle_packet(bytes, seen, now);
    }
}

const A: &str = "127.0.0.1:5070";
const B: &str = "127.0.0.1:5080";

#[test]
fn a_file_goes_with_its_type_and_name_and_arrives_byte_exact() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice"), 1);
    let mut bob = Agent::new(config("bob"), 2);
    let data: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    let file = PageFileBody {
        content_type: "image/png".into(),
        name: r#"my "best" shot.png"#.into(),
        data: data.clone(),
    };
    alice.send_file_message(
        MessageId(9),
        "sip:bob@127.0.0.1:5080",
        &file,
        hop(Transport::Tcp, A, B),
        t0,
    );
    let (tx, ev) = drain(&mut alice);
    assert!(
        matches!(
            &ev[..],
            [AgentEvent::Delivery {
                state: DeliveryState::Sending,
                ..
            }]
        ),
        "{ev:?}"
    );
    let sent = SipMessage::parse(&tx[0].1).unwrap();
    assert_eq!(sent.header("Content-Type"), Some("image/png"));
    assert_eq!(
        sent.header("Content-Disposition"),
        Some(r#"attachment; filename="my \"best\" shot.png""#)
    );
    assert_eq!(sent.body, data);
    deliver(&mut bob, &tx, t0);
    let (answers, ev) = drain(&mut bob);
    assert!(
        answers.is_empty(),
        "nothing is answered before the runtime stored it"
    );
    let [AgentEvent::MessageArrived { token, message }] = &ev[..] else {
        panic!("{ev:?}")
    };
    let arrived = message.file.as_ref().unwrap();
    assert_eq!(arrived.data, data);
    assert_eq!(arrived.name.as_deref(), Some(r#"my "best" shot.png"#));
    assert_eq!(arrived.content_type, "image/png");
    assert!(message.body.is_empty());
    bob.answer_incoming(*token, true, t0);
    let (answers, _) = drain(&mut bob);
    assert_eq!(SipMessage::parse(&answers[0].1).unwrap().status(), Some(200));
    deliver(&mut alice, &answers, t0);
    let (_, ev) = drain(&mut alice);
    assert!(
        matches!(
            &ev[..],
            [AgentEvent::Delivery {
                id: MessageId(9),
                state: DeliveryState::Accepted,
                ..
            }]
        ),
        "{ev:?}"
    );
}

#[test]
fn a_file_too_big_for_udp_is_refused_in_words() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice"), 1);
    let file = PageFileBody {
        content_type: "application/octet-stream".into(),
        name: "x.bin".into(),
        data: vec![0; 2000],
    };
    alice.send_file_message(
        MessageId(3),
        "sip:bob@127.0.0.1:5080",
        &file,
        hop(Transport::Udp, A, B),
        t0,
    );
    let (tx, ev) = drain(&mut alice);
    assert!(tx.is_empty());
    let [AgentEvent::Delivery {
        state: DeliveryState::Failed { reason, .. },
        ..
    }] = &ev[..]
    else {
        panic!("{ev:?}")
    };
    assert!(
        reason.contains("file is too long") && reason.contains("UDP"),
        "{reason}"
    );
}

#[test]
fn text_stays_text_and_unknown_text_types_get_415() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice"), 1);
    let mut bob = Agent::new(config("bob"), 2);
    alice.send_message(
        MessageId(1),
        "sip:bob@127.0.0.1:5080",
        "hi",
        hop(Transport::Udp, A, B),
        t0,
    );
    let (tx, _) = drain(&mut alice);
    deliver(&mut bob, &tx, t0);
    let (_, ev) = drain(&mut bob);
    let [AgentEvent::MessageArrived { message, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    assert_eq!((message.body.as_str(), message.file.is_none()), ("hi", true));
    // A text/html MESSAGE without a file disposition is still 415 with Accept.
    let html =
        b"MESSAGE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKh1\r\n\
From: <sip:carol@sipchat.test>;tag=c1\r\nTo: <sip:bob@sipchat.test>\r\nCall-ID: html-1\r\nCSeq: 1 MESSAGE\r\n\
Content-Type: text/html\r\nContent-Length: 8\r\n\r\n<b>x</b>";
    bob.handle_packet(html, hop(Transport::Udp, B, A), t0);
    let (answers, ev) = drain(&mut bob);
    assert!(ev.is_empty());
    let answer = SipMessage::parse(&answers[0].1).unwrap();
    assert_eq!(answer.status(), Some(415));
    assert!(answer.header("Accept").is_some());
}
