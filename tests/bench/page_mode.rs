//! Benchmark (not a test): page-mode MESSAGE between two runtimes over
//! loopback, through the public runtime API.
//!
//! `cargo bench --no-default-features --bench page_mode [-- COUNT]`
//!
//! Measures, over TCP and over UDP:
//! - latency of one message at a time (send -> 200 seen by the sender), p50/p95/p99;
//! - throughput with up to WINDOW messages in flight;
//! - the same over TCP with the history on disk (an fsync per message per side).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

#[path = "../support/runtime.rs"]
mod support;

use sipchat::model::{DeliveryState, MessageId};
use sipchat::runtime::{Event, RuntimeOptions};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use support::{free_port, local_config, Running};

const WINDOW: usize = 64;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn run(transport: &str, count: usize, on_disk: bool) {
    let (pa, pb) = (free_port(), free_port());
    let dir = tempfile::tempdir().unwrap();
    let options = |who: &str| RuntimeOptions {
        data_dir: on_disk.then(|| dir.path().join(who)),
        ..RuntimeOptions::default()
    };
    let mut alice = Running::start(local_config("alice", pa), options("alice"));
    let mut bob = Running::start(local_config("bob", pb), options("bob"));
    let to = match transport {
        "tcp" => format!("sip:bob@127.0.0.1:{pb};transport=tcp"),
        _ => format!("sip:bob@127.0.0.1:{pb}"),
    };
    // Warm up (connection set-up is not what we measure).
    let id = alice.send("local", &to, "warm-up");
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);

    // Latency: one at a time.
    let mut latencies = Vec::with_capacity(count / 4);
    for i in 0..count / 4 {
        let start = Instant::now();
        let id = alice.send("local", &to, &format!("latency {i}"));
        assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
        latencies.push(start.elapsed());
    }
    latencies.sort();

    // Throughput: a window of messages in flight.
    alice.seen.clear();
    let start = Instant::now();
    let mut in_flight: HashMap<MessageId, Instant> = HashMap::new();
    let mut sent = 0;
    let mut done = 0;
    while done < count {
        while sent < count && in_flight.len() < WINDOW {
            let id = alice.send(
                "local",
                &to,
                &format!("burst {sent}: the quick brown fox jumps over the lazy dog"),
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
    let history = if on_disk {
        "history on disk"
    } else {
        "history in memory"
    };
    println!(
        "{transport}, {history}: latency p50 {:?} p95 {:?} p99 {:?} ({} sequential); throughput {:.0} msg/s ({count} messages, window {WINDOW}, {:?}); bob received {received}",
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        latencies.len(),
        count as f64 / elapsed.as_secs_f64(),
        elapsed,
    );
}

fn main() {
    let count = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(4000);
    run("tcp", count, false);
    run("udp", count, false);
    // With the history on disk every message costs an fsync on each side
    // (stored before it is answered): this is what a user's client does.
    run("tcp", count / 4, true);
}
