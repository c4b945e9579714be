//! Virtual-time tests for [`ClientInvite`] and [`ServerInvite`].

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use super::{
    ClientEvent, ClientInvite, ClientInviteState, ServerInvite, ServerInviteEvent, ServerInviteState,
    TimerConfig, TransactionError,
};

const INVITE: &[u8] = b"INVITE sip:bob@example.com SIP/2.0\r\n\r\n";
const ACK: &[u8] = b"ACK sip:bob@example.com SIP/2.0\r\n\r\n";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn ack() -> Vec<u8> {
    ACK.to_vec()
}

fn drain(c: &mut ClientInvite) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| c.poll_transmit()).collect()
}

/// Follows the client's own deadlines until `end`; returns when it sent.
fn client_sends_until(c: &mut ClientInvite, t0: Instant, end: Instant) -> Vec<u64> {
    let mut at = Vec::new();
    drain(c).iter().for_each(|_| at.push(0));
    while let Some(next) = c.poll_timeout().filter(|t| *t <= end) {
        c.handle_timeout(next);
        for _ in drain(c) {
            at.push((next - t0).as_millis() as u64);
        }
    }
    at
}

#[test]
fn client_over_udp_retransmits_with_doubling_timer_a_then_times_out_at_b() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), false, t0, TimerConfig::default());
    let sent = client_sends_until(&mut c, t0, t0 + ms(40_000));
    // Timer A doubles without the T2 cap: 0.5, 1, 2, 4, 8, 16 s after the last.
    assert_eq!(sent, vec![0, 500, 1500, 3500, 7500, 15500, 31500]);
    assert_eq!(c.poll_event(), Some(ClientEvent::TimedOut));
    assert!(c.is_terminated());
}

#[test]
fn client_over_tcp_sends_once_and_times_out() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), true, t0, TimerConfig::default());
    let sent = client_sends_until(&mut c, t0, t0 + ms(40_000));
    assert_eq!(sent, vec![0]);
    assert_eq!(c.poll_event(), Some(ClientEvent::TimedOut));
}

#[test]
fn provisional_stops_timer_a_but_not_timer_b() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), false, t0, TimerConfig::default());
    drain(&mut c);
    assert!(c.on_response(180, ack, t0 + ms(100)));
    assert!(c.has_provisional());
    assert_eq!(c.poll_timeout(), Some(t0 + ms(32_000)));
    c.handle_timeout(t0 + ms(32_000));
    assert_eq!(c.poll_event(), Some(ClientEvent::TimedOut));
}

#[test]
fn non_2xx_final_is_acked_once_and_again_for_each_retransmission() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), false, t0, TimerConfig::default());
    drain(&mut c);
    assert!(c.on_response(486, ack, t0 + ms(10)));
    assert_eq!(c.state(), ClientInviteState::Completed);
    assert_eq!(drain(&mut c), vec![ACK.to_vec()]);
    // The retransmitted 486 is not shown again but ACKed again.
    assert!(!c.on_response(486, || panic!("ACK is built once"), t0 + ms(600)));
    assert_eq!(drain(&mut c), vec![ACK.to_vec()]);
    // Timer D: 32 s over UDP.
    assert_eq!(c.poll_timeout(), Some(t0 + ms(32_010)));
    c.handle_timeout(t0 + ms(32_010));
    assert!(c.is_terminated());
    assert_eq!(c.poll_event(), None);
}

#[test]
fn non_2xx_final_over_tcp_terminates_at_once_after_the_ack() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), true, t0, TimerConfig::default());
    drain(&mut c);
    assert!(c.on_response(603, ack, t0));
    assert_eq!(drain(&mut c), vec![ACK.to_vec()]);
    assert!(c.is_terminated());
}

#[test]
fn every_2xx_reaches_the_tu_until_timer_m() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), false, t0, TimerConfig::default());
    drain(&mut c);
    assert!(c.on_response(200, || panic!("no ACK from the transaction for 2xx"), t0 + ms(5)));
    assert_eq!(c.state(), ClientInviteState::Accepted);
    assert!(drain(&mut c).is_empty(), "the dialog sends the 2xx ACK");
    assert!(
        c.on_response(200, ack, t0 + ms(505)),
        "retransmitted 2xx must be re-ACKed"
    );
    assert!(!c.on_response(180, ack, t0 + ms(506)));
    c.handle_timeout(t0 + ms(32_005));
    assert!(c.is_terminated());
    assert_eq!(c.poll_event(), None);
}

#[test]
fn transport_error_before_final_is_reported() {
    let t0 = Instant::now();
    let mut c = ClientInvite::new(INVITE.to_vec(), true, t0, TimerConfig::default());
    c.on_transport_error();
    assert_eq!(c.poll_event(), Some(ClientEvent::TransportError));
    assert!(c.is_terminated());
}

fn srv_drain(s: &mut ServerInvite) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| s.poll_transmit()).collect()
}

#[test]
fn server_resends_the_last_provisional_on_a_retransmitted_invite() {
    let t0 = Instant::now();
    let mut s = ServerInvite::new(false, TimerConfig::default());
    assert_eq!(s.on_request_retransmission(), None);
    s.send_response(100, b"100".to_vec(), t0).unwrap();
    s.send_response(180, b"180".to_vec(), t0).unwrap();
    assert_eq!(srv_drain(&mut s).len(), 2);
    assert_eq!(s.on_request_retransmission(), Some(b"180".to_vec()));
    assert_eq!(s.poll_timeout(), None, "no timer before the final answer");
}

#[test]
fn server_error_final_is_resent_by_timer_g_until_the_ack() {
    let t0 = Instant::now();
    let mut s = ServerInvite::new(false, TimerConfig::default());
    s.send_response(486, b"486".to_vec(), t0).unwrap();
    assert_eq!(s.state(), ServerInviteState::Completed);
    srv_drain(&mut s);
    let mut resent = Vec::new();
    while let Some(at) = s.poll_timeout().filter(|t| *t <= t0 + ms(5_000)) {
        s.handle_timeout(at);
        if !srv_drain(&mut s).is_empty() {
            resent.push((at - t0).as_millis());
        }
    }
    assert_eq!(resent, vec![500, 1500, 3500]);
    assert!(s.on_ack(t0 + ms(5_000)));
    assert_eq!(s.state(), ServerInviteState::Confirmed);
    assert!(!s.on_ack(t0 + ms(5_001)), "a second ACK is absorbed");
    s.handle_timeout(t0 + ms(10_000));
    assert!(s.is_terminated());
    assert_eq!(s.poll_event(), None);
}

#[test]
fn server_error_final_without_ack_reports_no_ack_at_timer_h() {
    let t0 = Instant::now();
    let mut s = ServerInvite::new(true, TimerConfig::default());
    s.send_response(488, b"488".to_vec(), t0).unwrap();
    srv_drain(&mut s);
    assert_eq!(s.poll_timeout(), Some(t0 + ms(32_000)), "TCP: only Timer H");
    s.handle_timeout(t0 + ms(32_000));
    assert_eq!(s.poll_event(), Some(ServerInviteEvent::NoAck));
    assert!(s.is_terminated());
}

#[test]
fn server_2xx_is_resent_over_udp_until_acked_and_absorbs_retransmissions() {
    let t0 = Instant::now();
    let mut s = ServerInvite::new(false, TimerConfig::default());
    s.send_response(200, b"200".to_vec(), t0).unwrap();
    assert_eq!(s.state(), ServerInviteState::Accepted);
    srv_drain(&mut s);
    s.handle_timeout(t0 + ms(500));
    assert_eq!(srv_drain(&mut s), vec![b"200".to_vec()]);
    assert_eq!(s.on_request_retransmission(), None);
    assert!(s.on_ack(t0 + ms(700)));
    s.handle_timeout(t0 + ms(1_500));
    assert!(srv_drain(&mut s).is_empty(), "no resend after the ACK");
    s.handle_timeout(t0 + ms(32_000));
    assert!(s.is_terminated());
    assert_eq!(s.poll_event(), None, "it was ACKed");
}

#[test]
fn server_2xx_never_acked_reports_no_ack_at_timer_l() {
    let t0 = Instant::now();
    let mut s = ServerInvite::new(true, TimerConfig::default());
    s.send_response(200, b"200".to_vec(), t0).unwrap();
    srv_drain(&mut s);
    s.handle_timeout(t0 + ms(32_000));
    assert_eq!(s.poll_event(), Some(ServerInviteEvent::NoAck));
}

#[test]
fn server_refuses_a_second_final_and_bad_codes() {
    let t0 = Instant::now();
    let mut s = ServerInvite::new(true, TimerConfig::default());
    assert_eq!(
        s.send_response(99, vec![], t0),
        Err(TransactionError::InvalidStatus(99))
    );
    s.send_response(200, b"200".to_vec(), t0).unwrap();
    assert_eq!(
        s.send_response(500, vec![], t0),
        Err(TransactionError::FinalAlreadySent)
    );
}
