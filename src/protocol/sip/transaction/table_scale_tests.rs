//! Virtual-time tests of how the [`TransactionTable`] scales: the work of
//! a timer event does not grow with the table, and completed server
//! transactions are bounded by bytes, not slots.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic on broken invariants

use std::time::{Duration, Instant};

use super::{
    new_branch, ClientNonInvite, Retransmission, ServerNonInvite, TimerConfig, TransactionKey,
    TransactionTable,
};

const OK: &[u8] = b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n";

fn server_key(n: u64) -> TransactionKey {
    TransactionKey::server(new_branch(n), "MESSAGE", "192.0.2.1:5060")
}

/// A table holding `servers` answered UDP server transactions (one answer
/// per millisecond) and `clients` UDP client transactions started every
/// 100.037 ms, so that no two timers are due at the same instant (except
/// one client's Timer F with the first Timer J).
fn loaded_table(t0: Instant, servers: u64, clients: u64) -> TransactionTable<u64> {
    let mut table = TransactionTable::with_limits(usize::MAX, usize::MAX);
    for n in 0..servers {
        let at = t0 + Duration::from_millis(n);
        let key = server_key(n);
        table
            .insert_server(
                key.clone(),
                ServerNonInvite::new(false, at, TimerConfig::default()),
            )
            .expect("insert");
        table
            .server_for(&key)
            .expect("live")
            .send_response(200, OK.to_vec(), at)
            .expect("final");
        while table.poll_output().is_some() {}
    }
    for n in 0..clients {
        let at = t0 + Duration::from_micros(n * 100_037);
        let client = ClientNonInvite::new(b"MESSAGE".to_vec(), false, at, TimerConfig::default());
        table
            .start_client(
                TransactionKey::client(new_branch(1 << 40 | n), "MESSAGE"),
                client,
                n,
            )
            .expect("start");
    }
    while table.poll_output().is_some() {}
    table
}

/// Fires every timer, one event at a time, until none is left: the most
/// timer entries one event looked at, and how many events there were.
fn work_per_event(table: &mut TransactionTable<u64>) -> (u64, u64) {
    let (mut most, mut events) = (0, 0);
    while let Some(at) = table.poll_timeout() {
        let before = table.timer_work();
        table.handle_timeout(at);
        most = most.max(table.timer_work() - before);
        while table.poll_output().is_some() {}
        events += 1;
        assert!(events < 10_000_000, "timers never end");
    }
    (most, events)
}

#[test]
fn work_per_timer_event_does_not_grow_with_the_table() {
    let t0 = Instant::now();
    let mut small = loaded_table(t0, 1_000, 10);
    let mut large = loaded_table(t0, 100_000, 1_000);
    assert_eq!(large.completed_count(), 100_000);
    assert_eq!(large.client_count(), 1_000);
    let (small_work, small_events) = work_per_event(&mut small);
    let (large_work, large_events) = work_per_event(&mut large);
    assert!(small_events >= 1_000 && large_events >= 100_000);
    // An event looks at what is due (one timer, two at the one shared
    // instant) plus the next entry of each ordered set: a handful, whatever
    // the table holds. A scan would look at up to 101,000 here.
    assert!(small_work <= 4, "small table: {small_work} entries in one event");
    assert!(large_work <= 4, "large table: {large_work} entries in one event");
    assert!(small.is_empty() && large.is_empty());
    assert_eq!(large.completed_bytes(), 0);
}

#[test]
fn completed_answers_cost_bytes_not_slots() {
    let t0 = Instant::now();
    // Two live slots, room for about ten completed answers.
    let one = OK.len() + 2 * (new_branch(0).len() + "MESSAGE".len() + "192.0.2.1:5060".len()) + 128;
    let mut table: TransactionTable<()> = TransactionTable::with_limits(2, 10 * one);
    for n in 0..100 {
        let key = server_key(n);
        table
            .insert_server(
                key.clone(),
                ServerNonInvite::new(false, t0, TimerConfig::default()),
            )
            .expect("a slot: answered ones hold none");
        table
            .server_for(&key)
            .expect("live")
            .send_response(200, OK.to_vec(), t0)
            .expect("final");
        while table.poll_output().is_some() {}
        assert!(table.completed_bytes() <= 10 * one);
    }
    assert_eq!(table.len(), 0);
    assert_eq!(table.completed_count(), 10);
    // The newest still answer a retransmission; the oldest were forgotten
    // (a retransmission of one is a new request again).
    assert_eq!(
        table.server_retransmission(&server_key(99)),
        Retransmission::Answer(OK.to_vec())
    );
    assert_eq!(
        table.server_retransmission(&server_key(90)),
        Retransmission::Answer(OK.to_vec())
    );
    assert_eq!(table.server_retransmission(&server_key(89)), Retransmission::New);
}
