//! Benchmark (not a test): messages in one MSRP chat session between two
//! runtimes over loopback, through the public runtime API.
//!
//! `cargo bench --no-default-features --bench msrp_chat [-- COUNT]`
//!
//! Measures, directly over TCP and over TLS:
//! - latency of one message at a time (send -> delivered, i.e. the peer's
//!   success REPORT or 200 came back), p50/p95/p99;
//! - throughput with up to WINDOW messages in flight;
//! - the same over TCP with the history on disk (an fsync per message per side).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

#[path = "../support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, ChatState, DeliveryState, MessageId, SessionId};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::{config, Running};

const WINDOW: usize = 64;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn local(user: &str, port: u16, tls: bool) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, msrp: (tls: {tls})))"#
    ))
}

fn say(r: &Running, session: SessionId, text: String) -> MessageId {
    let id = r.handle.next_message_id();
    r.handle
        .send(Command::SendChat {
            id,
            account: AccountId("local".into()),
            session,
            text,
        })
        .unwrap();
    id
}

fn run(tls: bool, count: usize, on_disk: bool) {
    let dir = tempfile::tempdir().unwrap();
    let options = |who: &str, accept: bool| RuntimeOptions {
        data_dir: on_disk.then(|| dir.path().join(who)),
        accept_chats: accept,
        ..RuntimeOptions::default()
    };
    let (mut alice, _) = Running::start_local(local("alice", 0, tls), options("alice", false));
    let (mut bob, pb) = Running::start_local(local("bob", 0, tls), options("bob", true));
    let setup = Instant::now();
    alice
        .handle
        .send(Command::OpenChat {
            account: AccountId("local".into()),
            peer: format!("sip:bob@127.0.0.1:{pb}"),
        })
        .unwrap();
    let session = alice.wait_for("chat active", |e| match e {
        Event::ChatUpdate {
            session,
            state: ChatState::Active { .. },
            ..
        } => Some(*session),
        _ => None,
    });
    let setup = setup.elapsed();
    let id = say(&alice, session, "warm-up".into());
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);

    let mut latencies = Vec::with_capacity(count / 4);
    for i in 0..count / 4 {
        let start = Instant::now();
        let id = say(&alice, session, format!("latency {i}"));
        assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
        latencies.push(start.elapsed());
    }
    latencies.sort();

    alice.seen.clear();
    let start = Instant::now();
    let mut in_flight: HashMap<MessageId, Instant> = HashMap::new();
    let (mut sent, mut done) = (0, 0);
    while done < count {
        while sent < count && in_flight.len() < WINDOW {
            let id = say(
                &alice,
                session,
                format!("burst {sent}: the quick brown fox jumps over the lazy dog"),
            );
            in_flight.insert(id, Instant::now());
            sent += 1;
        }
        let finished = alice.wait_for("a final delivery", |e| match e {
            Event::DeliveryUpdate { id, state, .. } if state.is_final() && in_flight.contains_key(id) => {
                Some((*id, state.clone()))
            }
            _ => None,
        });
        assert_eq!(finished.1, DeliveryState::Accepted);
        in_flight.remove(&finished.0);
        alice.seen.clear();
        done += 1;
    }
    let elapsed = start.elapsed();
    bob.settle(Duration::from_millis(300));
    let received = bob.count(|e| matches!(e, Event::MessageReceived(_)));
    println!(
        "{}, history {}: session set-up {setup:?}; latency p50 {:?} p95 {:?} p99 {:?} ({} sequential); \
         throughput {:.0} msg/s ({count} messages, window {WINDOW}, {elapsed:?}); bob received {received}",
        if tls { "msrps (TLS)" } else { "msrp (TCP)" },
        if on_disk { "on disk" } else { "in memory" },
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.len(),
        count as f64 / elapsed.as_secs_f64(),
    );
}

fn main() {
    let count = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(4000);
    run(false, count, false);
    run(true, count, false);
    run(false, count / 4, true);
}
