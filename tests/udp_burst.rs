//! A burst of 20,000 page-mode MESSAGEs over UDP through the runtime (the
//! local account, history on disk): every one is answered 200 and stored
//! once, none fails (no 503 from a full transaction table), and a
//! retransmission inside Timer J gets the very answer the first copy got.
//!
//! Not timed: the sender keeps a window of messages in flight and
//! retransmits like a SIP client (RFC 3261 Timer E), so a slow machine only
//! makes the test slower.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::runtime::{Event, RuntimeOptions};
use std::collections::HashMap;
use std::net::UdpSocket;
use std::time::{Duration, Instant};
use support::{free_port, local_config, Running};

/// Messages in the burst.
const BURST: usize = 20_000;
/// Messages in flight at once (unanswered).
const WINDOW: usize = 256;
/// A message unanswered this long is sent again.
const RETRANSMIT_AFTER: Duration = Duration::from_millis(500);
/// The whole burst must be answered within this (generous) bound.
const BURST_DEADLINE: Duration = Duration::from_secs(600);

fn message(n: usize, to_port: u16, from_port: u16) -> Vec<u8> {
    let body = format!("burst message {n}");
    format!(
        "MESSAGE sip:bob@127.0.0.1:{to_port} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{from_port};branch=z9hG4bKburst{n}\r\n\
         From: <sip:alice@127.0.0.1:{from_port}>;tag=burst\r\n\
         To: <sip:bob@127.0.0.1:{to_port}>\r\n\
         Call-ID: burst-{n}@127.0.0.1\r\n\
         CSeq: 1 MESSAGE\r\n\
         Max-Forwards: 70\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Status code and message number of an answer.
fn read_answer(bytes: &[u8]) -> Option<(u16, usize)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let status = text.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()?;
    let call_id = text.lines().find_map(|l| l.strip_prefix("Call-ID: "))?;
    let n = call_id.strip_prefix("burst-")?.split('@').next()?.parse().ok()?;
    Some((status, n))
}

#[test]
fn a_udp_burst_is_answered_and_stored_in_full() {
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let options = RuntimeOptions {
        data_dir: Some(dir.path().join("bob")),
        ..RuntimeOptions::default()
    };
    let mut bob = Running::start(local_config("bob", port), options);
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let from_port = socket.local_addr().unwrap().port();
    socket.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    let to = ("127.0.0.1", port);

    let started = Instant::now();
    let mut next = 0;
    let mut in_flight: HashMap<usize, Instant> = HashMap::new();
    let mut answers: HashMap<usize, Vec<u8>> = HashMap::new();
    let mut refused: Vec<(usize, u16)> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    while answers.len() + refused.len() < BURST {
        assert!(
            started.elapsed() < BURST_DEADLINE,
            "{} of {BURST} answered in {BURST_DEADLINE:?}",
            answers.len()
        );
        while next < BURST && in_flight.len() < WINDOW {
            socket.send_to(&message(next, port, from_port), to).unwrap();
            in_flight.insert(next, Instant::now());
            next += 1;
        }
        match socket.recv_from(&mut buf) {
            Ok((len, _)) => {
                let Some((status, n)) = read_answer(&buf[..len]) else {
                    panic!("unreadable answer: {}", String::from_utf8_lossy(&buf[..len]));
                };
                if status < 200 || in_flight.remove(&n).is_none() {
                    continue; // provisional, or a second answer to a retransmission
                }
                if status == 200 {
                    answers.insert(n, buf[..len].to_vec());
                } else {
                    refused.push((n, status));
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("receive: {e}"),
        }
        let now = Instant::now();
        for (n, sent) in &mut in_flight {
            if now.duration_since(*sent) >= RETRANSMIT_AFTER {
                socket.send_to(&message(*n, port, from_port), to).unwrap();
                *sent = now;
            }
        }
    }
    assert!(
        refused.is_empty(),
        "refused: {:?}",
        &refused[..refused.len().min(10)]
    );
    assert_eq!(answers.len(), BURST);

    // A retransmission inside Timer J (32 s) gets the same answer, byte for
    // byte (the same To tag): the last message was answered just now.
    let last = BURST - 1;
    socket.send_to(&message(last, port, from_port), to).unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let again = loop {
        assert!(Instant::now() < deadline, "no answer to the retransmission");
        if let Ok((len, _)) = socket.recv_from(&mut buf) {
            if read_answer(&buf[..len]).map(|(_, n)| n) == Some(last) {
                break buf[..len].to_vec();
            }
        }
    };
    assert_eq!(
        String::from_utf8_lossy(&again),
        String::from_utf8_lossy(&answers[&last]),
        "the retransmission got another answer"
    );

    // Every message was reported once (stored before its 200).
    let deadline = Instant::now() + Duration::from_secs(120);
    let received = |bob: &Running| bob.count(|e| matches!(e, Event::MessageReceived(_)));
    while received(&bob) < BURST && Instant::now() < deadline {
        bob.settle(Duration::from_millis(200));
    }
    bob.settle(Duration::from_millis(500));
    assert_eq!(received(&bob), BURST);
    let mut bodies: Vec<String> = bob
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::MessageReceived(m) => Some(m.body.clone()),
            _ => None,
        })
        .collect();
    bodies.sort();
    bodies.dedup();
    assert_eq!(bodies.len(), BURST, "a message was reported twice or lost");
}
