//! Virtual-time tests for [`ClientNonInvite`].

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic on broken invariants

use std::time::{Duration, Instant};

use super::{ClientEvent, ClientNonInvite, ClientState, TimerConfig};

const REQUEST: &[u8] = b"MESSAGE sip:bob@example.com SIP/2.0\r\n\r\n";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Drives `client` through its own deadlines up to and including `end`,
/// returning the offsets from `t0` at which it transmitted. Each deadline
/// is honoured exactly (a perfectly punctual runtime).
fn run_until(client: &mut ClientNonInvite, t0: Instant, end: Instant) -> Vec<Duration> {
    let mut sent = Vec::new();
    while let Some(bytes) = client.poll_transmit() {
        assert_eq!(bytes, REQUEST);
        sent.push(Duration::ZERO);
    }
    while let Some(at) = client.poll_timeout().filter(|at| *at <= end) {
        client.handle_timeout(at);
        while let Some(bytes) = client.poll_transmit() {
            assert_eq!(bytes, REQUEST);
            sent.push(at - t0);
        }
    }
    sent
}

fn drain_events(client: &mut ClientNonInvite) -> Vec<ClientEvent> {
    std::iter::from_fn(|| client.poll_event()).collect()
}

#[test]
fn udp_retransmits_with_doubling_capped_at_t2_then_times_out() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    assert_eq!(c.state(), ClientState::Trying);
    assert_eq!(c.poll_timeout(), Some(t0 + ms(500)));

    let sent = run_until(&mut c, t0, t0 + Duration::from_secs(60));
    let expected: Vec<Duration> = [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
        .into_iter()
        .map(ms)
        .collect();
    assert_eq!(sent, expected);

    assert!(c.is_terminated());
    assert_eq!(drain_events(&mut c), vec![ClientEvent::TimedOut]);
    assert_eq!(c.poll_timeout(), None);
    // Nothing more ever happens.
    c.handle_timeout(t0 + Duration::from_secs(100));
    assert_eq!(c.poll_transmit(), None);
    assert_eq!(c.poll_event(), None);
}

#[test]
fn timer_f_fires_at_exactly_64_t1() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    run_until(&mut c, t0, t0 + ms(31_999));
    assert_eq!(c.state(), ClientState::Trying);
    assert_eq!(c.poll_event(), None);
    assert_eq!(c.poll_timeout(), Some(t0 + ms(32_000)));
    c.handle_timeout(t0 + ms(32_000));
    assert!(c.is_terminated());
    assert_eq!(drain_events(&mut c), vec![ClientEvent::TimedOut]);
}

#[test]
fn provisional_moves_to_proceeding_with_t2_retransmits_then_final_once() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    // Initial send, retransmit at 0.5 s.
    assert_eq!(run_until(&mut c, t0, t0 + ms(600)), vec![ms(0), ms(500)]);

    assert!(c.on_response(100, t0 + ms(600)));
    assert_eq!(c.state(), ClientState::Proceeding);
    // Further provisionals are delivered too and keep the state.
    assert!(c.on_response(180, t0 + ms(700)));
    assert_eq!(c.state(), ClientState::Proceeding);

    // Timer E armed in Trying (1 s interval) still fires at 1.5 s, then
    // every T2 = 4 s.
    let sent = run_until(&mut c, t0, t0 + ms(14_000));
    assert_eq!(sent, vec![ms(1500), ms(5500), ms(9500), ms(13_500)]);

    let t_final = t0 + ms(14_000);
    assert!(c.on_response(200, t_final), "first final is delivered");
    assert_eq!(c.state(), ClientState::Completed);
    assert!(
        !c.on_response(200, t_final + ms(100)),
        "retransmitted final is absorbed"
    );
    assert!(
        !c.on_response(180, t_final + ms(200)),
        "late provisional is absorbed"
    );
    assert_eq!(c.poll_timeout(), Some(t_final + Duration::from_secs(5)));

    // No retransmissions in Completed; Timer K terminates at +T4.
    assert_eq!(run_until(&mut c, t0, t_final + ms(4_999)), Vec::<Duration>::new());
    assert_eq!(c.state(), ClientState::Completed);
    c.handle_timeout(t_final + Duration::from_secs(5));
    assert!(c.is_terminated());
    assert!(!c.on_response(200, t_final + Duration::from_secs(6)));
    assert_eq!(c.poll_event(), None, "no TimedOut after a final response");
    assert_eq!(c.poll_timeout(), None);
}

#[test]
fn final_directly_from_trying_is_delivered_once() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    assert_eq!(c.poll_transmit().as_deref(), Some(REQUEST));
    assert!(c.on_response(404, t0 + ms(100)));
    assert!(!c.on_response(404, t0 + ms(150)));
    assert_eq!(c.state(), ClientState::Completed);
    assert_eq!(
        run_until(&mut c, t0, t0 + Duration::from_secs(60)),
        Vec::<Duration>::new()
    );
    assert!(c.is_terminated());
    assert_eq!(c.poll_event(), None);
}

#[test]
fn tcp_sends_once_and_still_times_out() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), true, t0, TimerConfig::default());
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(32)));
    let sent = run_until(&mut c, t0, t0 + Duration::from_secs(60));
    assert_eq!(sent, vec![Duration::ZERO]);
    assert!(c.is_terminated());
    assert_eq!(drain_events(&mut c), vec![ClientEvent::TimedOut]);
}

#[test]
fn tcp_final_terminates_immediately() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), true, t0, TimerConfig::default());
    assert_eq!(c.poll_transmit().as_deref(), Some(REQUEST));
    assert_eq!(c.poll_transmit(), None);
    assert!(c.on_response(100, t0 + ms(50)));
    assert_eq!(c.state(), ClientState::Proceeding);
    assert!(c.on_response(202, t0 + ms(80)));
    assert!(c.is_terminated());
    assert_eq!(c.poll_timeout(), None);
    assert_eq!(c.poll_event(), None);
    assert!(!c.on_response(202, t0 + ms(90)));
}

#[test]
fn lost_request_then_response_after_third_retransmission() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    // The initial send and the first three retransmissions (0.5, 1.5, 3.5 s)
    // are "lost": we send nothing back for them.
    let sent = run_until(&mut c, t0, t0 + ms(3_500));
    assert_eq!(sent, vec![ms(0), ms(500), ms(1500), ms(3500)]);
    assert_eq!(c.state(), ClientState::Trying);

    // The third retransmission got through; its 200 arrives 40 ms later,
    // followed by a duplicate answering an earlier copy that was merely
    // delayed.
    let t_resp = t0 + ms(3_540);
    assert!(c.on_response(200, t_resp));
    assert!(!c.on_response(200, t_resp + ms(30)));
    // The retransmission that would have fired at 7.5 s never happens.
    assert_eq!(
        run_until(&mut c, t0, t0 + Duration::from_secs(60)),
        Vec::<Duration>::new()
    );
    assert!(c.is_terminated());
    assert_eq!(c.poll_event(), None);
}

#[test]
fn transport_error_reports_once_and_terminates() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    let _ = c.poll_transmit();
    c.on_transport_error();
    c.on_transport_error();
    assert!(c.is_terminated());
    assert_eq!(drain_events(&mut c), vec![ClientEvent::TransportError]);
    assert_eq!(c.poll_timeout(), None);
    c.handle_timeout(t0 + Duration::from_secs(40));
    assert_eq!(c.poll_event(), None);
    assert_eq!(c.poll_transmit(), None);
}

#[test]
fn transport_error_after_final_is_ignored() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    assert!(c.on_response(200, t0 + ms(10)));
    c.on_transport_error();
    assert_eq!(c.state(), ClientState::Completed);
    assert_eq!(c.poll_event(), None);
}

#[test]
fn invalid_status_is_ignored() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    assert!(!c.on_response(99, t0));
    assert!(!c.on_response(700, t0));
    assert_eq!(c.state(), ClientState::Trying);
}

#[test]
fn late_timeout_call_sends_one_copy_and_rearms_from_now() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    let _ = c.poll_transmit();
    // The runtime wakes up 3 s late for the 0.5 s deadline.
    c.handle_timeout(t0 + ms(3_500));
    assert_eq!(c.poll_transmit().as_deref(), Some(REQUEST));
    assert_eq!(c.poll_transmit(), None, "no burst of copies");
    assert_eq!(c.poll_timeout(), Some(t0 + ms(4_500)));
}

#[test]
fn pending_retransmission_is_dropped_by_final() {
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, TimerConfig::default());
    let _ = c.poll_transmit();
    c.handle_timeout(t0 + ms(500));
    // A final arrives before the caller polled the retransmission.
    assert!(c.on_response(200, t0 + ms(501)));
    assert_eq!(c.poll_transmit(), None);
}

#[test]
fn custom_timers_are_honoured() {
    let timers = TimerConfig {
        t1: ms(100),
        t2: ms(250),
        t4: ms(1_000),
    };
    let t0 = Instant::now();
    let mut c = ClientNonInvite::new(REQUEST.to_vec(), false, t0, timers);
    let sent = run_until(&mut c, t0, t0 + ms(1_000));
    // 100, then 200, then capped at 250.
    assert_eq!(sent, vec![ms(0), ms(100), ms(300), ms(550), ms(800)]);
    run_until(&mut c, t0, t0 + ms(6_400));
    assert_eq!(drain_events(&mut c), vec![ClientEvent::TimedOut]);
}
