//! Virtual-time tests for [`TransactionTable`] and the module helpers.

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic on broken invariants

use std::time::{Duration, Instant};

use super::{
    new_branch, ClientNonInvite, ClientResponse, Retransmission, Role, ServerNonInvite, TableOutput,
    TimerConfig, TransactionError, TransactionKey, TransactionTable, MAX_TRANSACTIONS,
};

const OK: &[u8] = b"SIP/2.0 200 OK\r\n\r\n";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn udp_client(t: Instant, body: &str) -> ClientNonInvite {
    ClientNonInvite::new(body.as_bytes().to_vec(), false, t, TimerConfig::default())
}

fn tcp_client(t: Instant, body: &str) -> ClientNonInvite {
    ClientNonInvite::new(body.as_bytes().to_vec(), true, t, TimerConfig::default())
}

fn ckey(n: u64) -> TransactionKey {
    TransactionKey::client(new_branch(n), "MESSAGE")
}

fn skey(n: u64) -> TransactionKey {
    TransactionKey::server(new_branch(n), "MESSAGE", "192.0.2.1:5060")
}

fn drain<C>(table: &mut TransactionTable<C>) -> Vec<TableOutput<C>> {
    std::iter::from_fn(|| table.poll_output()).collect()
}

/// Drives the table through its own deadlines up to `end`, returning every
/// output with its offset from `t0`.
fn run_until<C>(
    table: &mut TransactionTable<C>,
    t0: Instant,
    end: Instant,
) -> Vec<(Duration, TableOutput<C>)> {
    let mut out: Vec<_> = drain(table).into_iter().map(|o| (Duration::ZERO, o)).collect();
    while let Some(at) = table.poll_timeout().filter(|at| *at <= end) {
        table.handle_timeout(at);
        out.extend(drain(table).into_iter().map(|o| (at - t0, o)));
    }
    out
}

#[test]
fn client_udp_times_out_once_with_context_and_is_removed() {
    let t0 = Instant::now();
    let mut table: TransactionTable<&'static str> = TransactionTable::new();
    table
        .start_client(ckey(1), udp_client(t0, "req"), "cmd-1")
        .expect("start");
    assert_eq!(table.client_count(), 1);

    let out = run_until(&mut table, t0, t0 + Duration::from_secs(120));
    let transmits: Vec<Duration> = out
        .iter()
        .filter_map(|(at, o)| match o {
            TableOutput::Transmit {
                role: Role::Client,
                key,
                bytes,
            } => {
                assert_eq!(key, &ckey(1));
                assert_eq!(bytes, b"req");
                Some(*at)
            }
            _ => None,
        })
        .collect();
    assert_eq!(transmits.len(), 11);
    assert_eq!(transmits.last(), Some(&ms(31_500)));

    let timeouts: Vec<_> = out
        .iter()
        .filter(|(_, o)| matches!(o, TableOutput::ClientTimedOut { .. }))
        .collect();
    assert_eq!(timeouts.len(), 1);
    assert_eq!(
        timeouts[0],
        &(
            Duration::from_secs(32),
            TableOutput::ClientTimedOut {
                key: ckey(1),
                ctx: "cmd-1"
            }
        )
    );
    assert!(table.is_empty());
    assert_eq!(table.poll_timeout(), None);
}

#[test]
fn client_response_dispositions() {
    let t0 = Instant::now();
    let mut table: TransactionTable<u32> = TransactionTable::new();
    table
        .start_client(ckey(7), udp_client(t0, "req"), 7)
        .expect("start");
    let _ = drain(&mut table);

    assert_eq!(table.client_response(&ckey(8), 200, t0), None, "stray response");
    assert_eq!(
        table.client_response(&ckey(7), 100, t0 + ms(10)),
        Some(ClientResponse::Provisional(&7))
    );
    assert_eq!(table.client_context(&ckey(7)), Some(&7));
    assert_eq!(
        table.client_response(&ckey(7), 200, t0 + ms(20)),
        Some(ClientResponse::Final(7))
    );
    assert_eq!(
        table.client_context(&ckey(7)),
        None,
        "context moved out with the final"
    );
    assert_eq!(
        table.client_response(&ckey(7), 200, t0 + ms(30)),
        Some(ClientResponse::Absorbed)
    );
    assert_eq!(table.client_count(), 1, "lingers in Completed for Timer K");

    let out = run_until(&mut table, t0, t0 + Duration::from_secs(60));
    assert!(
        out.is_empty(),
        "no retransmission or timeout after the final: {out:?}"
    );
    assert!(table.is_empty(), "removed after Timer K");
    assert_eq!(
        table.client_response(&ckey(7), 200, t0 + Duration::from_secs(61)),
        None
    );
}

#[test]
fn tcp_client_final_removes_immediately() {
    let t0 = Instant::now();
    let mut table: TransactionTable<String> = TransactionTable::new();
    table
        .start_client(ckey(1), tcp_client(t0, "req"), "ctx".into())
        .expect("start");
    let out = drain(&mut table);
    assert_eq!(out.len(), 1, "exactly one transmission over TCP");
    assert_eq!(table.poll_timeout(), Some(t0 + Duration::from_secs(32)));
    assert_eq!(
        table.client_response(&ckey(1), 200, t0 + ms(40)),
        Some(ClientResponse::Final("ctx".to_string()))
    );
    assert!(table.is_empty());
    assert_eq!(table.poll_timeout(), None);
}

#[test]
fn client_transport_error_hands_back_context() {
    let t0 = Instant::now();
    let mut table: TransactionTable<u8> = TransactionTable::new();
    table
        .start_client(ckey(1), tcp_client(t0, "req"), 42)
        .expect("start");
    let _ = drain(&mut table);
    assert!(table.client_transport_error(&ckey(1)));
    assert!(!table.client_transport_error(&ckey(1)), "already removed");
    assert_eq!(
        drain(&mut table),
        vec![TableOutput::ClientTransportError {
            key: ckey(1),
            ctx: 42
        }]
    );
    assert!(table.is_empty());
}

#[test]
fn server_udp_through_table_until_timer_j_removal() {
    let t0 = Instant::now();
    let mut table: TransactionTable<()> = TransactionTable::new();
    let key = skey(3);
    table
        .insert_server(
            key.clone(),
            ServerNonInvite::new(false, t0, TimerConfig::default()),
        )
        .expect("insert");
    assert_eq!(
        table.insert_server(
            key.clone(),
            ServerNonInvite::new(false, t0, TimerConfig::default())
        ),
        Err(TransactionError::DuplicateKey(key.clone()))
    );

    let server = table.server_for(&key).expect("live");
    assert_eq!(server.on_request_retransmission(), None, "absorbed in Trying");
    server
        .send_response(200, OK.to_vec(), t0 + ms(100))
        .expect("final");
    assert_eq!(
        drain(&mut table),
        vec![TableOutput::Transmit {
            role: Role::Server,
            key: key.clone(),
            bytes: OK.to_vec()
        }]
    );
    // Completed: only the answer is kept, and it costs no slot.
    assert!(table.server(&key).is_none());
    assert_eq!((table.len(), table.completed_count()), (0, 1));
    for _ in 0..2 {
        assert_eq!(
            table.server_retransmission(&key),
            Retransmission::Answer(OK.to_vec()),
            "answered again in Completed"
        );
    }
    assert_eq!(
        table.insert_server(
            key.clone(),
            ServerNonInvite::new(false, t0, TimerConfig::default())
        ),
        Err(TransactionError::DuplicateKey(key.clone()))
    );
    assert_eq!(table.poll_timeout(), Some(t0 + ms(32_100)));

    table.handle_timeout(t0 + ms(32_099));
    assert_eq!(table.completed_count(), 1);
    table.handle_timeout(t0 + ms(32_100));
    assert_eq!(
        table.server_retransmission(&key),
        Retransmission::New,
        "removed after Timer J"
    );
    assert_eq!(table.completed_bytes(), 0);
    assert!(table.is_empty());
    assert!(drain(&mut table).is_empty());
}

#[test]
fn server_tcp_final_is_sent_then_removed() {
    let t0 = Instant::now();
    let mut table: TransactionTable<()> = TransactionTable::new();
    let key = skey(4);
    table
        .insert_server(
            key.clone(),
            ServerNonInvite::new(true, t0, TimerConfig::default()),
        )
        .expect("insert");
    table
        .server_for(&key)
        .expect("live")
        .send_response(404, b"404".to_vec(), t0)
        .expect("final");
    assert_eq!(
        table.poll_output(),
        Some(TableOutput::Transmit {
            role: Role::Server,
            key: key.clone(),
            bytes: b"404".to_vec()
        })
    );
    assert!(table.is_empty());
    assert_eq!(table.poll_output(), None);
}

#[test]
fn server_transport_error_is_reported() {
    let t0 = Instant::now();
    let mut table: TransactionTable<()> = TransactionTable::new();
    let key = skey(5);
    table
        .insert_server(
            key.clone(),
            ServerNonInvite::new(false, t0, TimerConfig::default()),
        )
        .expect("insert");
    table.server_for(&key).expect("live").on_transport_error();
    assert_eq!(drain(&mut table), vec![TableOutput::ServerTransportError { key }]);
    assert!(table.is_empty());
}

#[test]
fn earliest_deadline_across_transactions() {
    let t0 = Instant::now();
    let mut table: TransactionTable<u8> = TransactionTable::new();
    // TCP client: only Timer F at 32 s.
    table
        .start_client(ckey(1), tcp_client(t0, "a"), 1)
        .expect("start");
    assert_eq!(table.poll_timeout(), Some(t0 + ms(32_000)));
    // Server completed at 0.2 s: Timer J at 32.2 s.
    table
        .insert_server(skey(2), ServerNonInvite::new(false, t0, TimerConfig::default()))
        .expect("insert");
    table
        .server_for(&skey(2))
        .expect("live")
        .send_response(200, OK.to_vec(), t0 + ms(200))
        .expect("final");
    assert_eq!(table.poll_timeout(), Some(t0 + ms(32_000)));
    // UDP client started at 1 s: Timer E at 1.5 s.
    table
        .start_client(ckey(3), udp_client(t0 + ms(1_000), "c"), 3)
        .expect("start");
    assert_eq!(table.poll_timeout(), Some(t0 + ms(1_500)));
    let _ = drain(&mut table);

    // Final for the UDP client at 1.2 s: its Timer K (6.2 s) replaces E.
    assert_eq!(
        table.client_response(&ckey(3), 200, t0 + ms(1_200)),
        Some(ClientResponse::Final(3))
    );
    assert_eq!(table.poll_timeout(), Some(t0 + ms(6_200)));

    table.handle_timeout(t0 + ms(6_200));
    assert_eq!(
        (table.len(), table.completed_count()),
        (1, 1),
        "UDP client removed after Timer K; the server keeps its answer"
    );
    assert_eq!(table.poll_timeout(), Some(t0 + ms(32_000)));

    table.handle_timeout(t0 + ms(32_000));
    assert_eq!(
        drain(&mut table),
        vec![TableOutput::ClientTimedOut { key: ckey(1), ctx: 1 }]
    );
    assert_eq!(table.poll_timeout(), Some(t0 + ms(32_200)));
    table.handle_timeout(t0 + ms(32_200));
    assert!(table.is_empty());
    assert_eq!(table.poll_timeout(), None);
}

#[test]
fn max_transactions_bounds_the_table() {
    let t0 = Instant::now();
    let mut table: TransactionTable<u64> = TransactionTable::new();
    assert_eq!(table.limit(), MAX_TRANSACTIONS);
    for n in 0..MAX_TRANSACTIONS as u64 {
        table
            .start_client(ckey(n), tcp_client(t0, "r"), n)
            .expect("below limit");
    }
    assert_eq!(table.len(), MAX_TRANSACTIONS);
    let full = Err(TransactionError::TableFull {
        max: MAX_TRANSACTIONS,
    });
    assert_eq!(table.start_client(ckey(99_999), tcp_client(t0, "r"), 0), full);
    assert_eq!(
        table.insert_server(skey(1), ServerNonInvite::new(false, t0, TimerConfig::default())),
        full
    );
    assert_eq!(
        drain(&mut table).len(),
        MAX_TRANSACTIONS,
        "rejected client queued nothing"
    );

    // Completing one frees a slot.
    assert_eq!(
        table.client_response(&ckey(0), 200, t0),
        Some(ClientResponse::Final(0))
    );
    table
        .insert_server(skey(1), ServerNonInvite::new(false, t0, TimerConfig::default()))
        .expect("slot freed");
    assert_eq!(table.len(), MAX_TRANSACTIONS);
}

#[test]
fn terminated_touched_server_frees_its_slot_on_insert() {
    let t0 = Instant::now();
    let mut table: TransactionTable<()> = TransactionTable::with_limit(1);
    table
        .insert_server(skey(1), ServerNonInvite::new(true, t0, TimerConfig::default()))
        .expect("insert");
    table
        .server_for(&skey(1))
        .expect("live")
        .send_response(200, OK.to_vec(), t0)
        .expect("final");
    // The terminated server is collected (its output queued) to make room.
    table
        .insert_server(skey(2), ServerNonInvite::new(true, t0, TimerConfig::default()))
        .expect("slot reclaimed");
    assert_eq!(drain(&mut table).len(), 1);
    assert_eq!(table.server_count(), 1);
}

#[test]
fn duplicate_client_key_is_rejected() {
    let t0 = Instant::now();
    let mut table: TransactionTable<u8> = TransactionTable::new();
    table
        .start_client(ckey(1), udp_client(t0, "a"), 1)
        .expect("start");
    assert_eq!(
        table.start_client(ckey(1), udp_client(t0, "b"), 2),
        Err(TransactionError::DuplicateKey(ckey(1)))
    );
    assert_eq!(table.client_context(&ckey(1)), Some(&1));
    assert_eq!(drain(&mut table).len(), 1);
    assert_eq!(table.remove_client(&ckey(1)), Some(1));
    assert!(table.is_empty());
}

#[test]
fn client_and_server_may_share_a_branch() {
    let t0 = Instant::now();
    let mut table: TransactionTable<u8> = TransactionTable::new();
    let branch = new_branch(9);
    table
        .start_client(TransactionKey::client(&branch, "MESSAGE"), udp_client(t0, "a"), 1)
        .expect("client");
    table
        .insert_server(
            TransactionKey::server(&branch, "MESSAGE", "127.0.0.1:5060"),
            ServerNonInvite::new(false, t0, TimerConfig::default()),
        )
        .expect("server");
    assert_eq!(table.len(), 2);
}

#[test]
fn branch_and_key_helpers() {
    assert_eq!(new_branch(0xdead_beef), "z9hG4bK00000000deadbeef");
    assert_eq!(new_branch(u64::MAX), "z9hG4bKffffffffffffffff");
    let k = TransactionKey::server("z9hG4bKx", "MESSAGE", "PC33.Example.COM:5060");
    assert_eq!(k.sent_by.as_deref(), Some("pc33.example.com:5060"));
    assert_eq!(k.to_string(), "MESSAGE z9hG4bKx via pc33.example.com:5060");
    assert_eq!(TransactionKey::client("b", "OPTIONS").to_string(), "OPTIONS b");
    assert_ne!(
        TransactionKey::client("b", "MESSAGE"),
        TransactionKey::client("b", "CANCEL")
    );
}
