//! Virtual-time tests for [`ServerNonInvite`].

#![allow(clippy::expect_used, clippy::unwrap_used)] // tests may panic on broken invariants

use std::time::{Duration, Instant};

use super::{ServerEvent, ServerNonInvite, ServerState, TimerConfig, TransactionError};

const TRYING: &[u8] = b"SIP/2.0 100 Trying\r\n\r\n";
const OK: &[u8] = b"SIP/2.0 200 OK\r\n\r\n";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn drain(server: &mut ServerNonInvite) -> Vec<Vec<u8>> {
    std::iter::from_fn(|| server.poll_transmit()).collect()
}

#[test]
fn udp_absorbs_in_trying_replays_final_then_timer_j() {
    let t0 = Instant::now();
    let mut s = ServerNonInvite::new(false, t0, TimerConfig::default());
    assert_eq!(s.state(), ServerState::Trying);
    assert_eq!(s.poll_timeout(), None, "no timer before the final response");

    // Retransmitted request while the TU is still thinking: absorbed.
    assert_eq!(s.on_request_retransmission(), None);
    assert!(drain(&mut s).is_empty());

    let t_final = t0 + ms(300);
    s.send_response(200, OK.to_vec(), t_final).expect("first final");
    assert_eq!(s.state(), ServerState::Completed);
    assert_eq!(drain(&mut s), vec![OK.to_vec()]);
    assert_eq!(s.poll_timeout(), Some(t_final + Duration::from_secs(32)));

    // Every retransmitted request gets the same final again.
    for _ in 0..3 {
        assert_eq!(s.on_request_retransmission().as_deref(), Some(OK));
    }
    assert!(drain(&mut s).is_empty(), "replays are returned, not queued");

    s.handle_timeout(t_final + ms(31_999));
    assert_eq!(s.state(), ServerState::Completed);
    s.handle_timeout(t_final + Duration::from_secs(32));
    assert!(s.is_terminated());
    assert_eq!(s.poll_timeout(), None);
    assert_eq!(s.on_request_retransmission(), None);
    assert_eq!(s.poll_event(), None);
}

#[test]
fn provisional_is_replayed_in_proceeding() {
    let t0 = Instant::now();
    let mut s = ServerNonInvite::new(false, t0, TimerConfig::default());
    s.send_response(100, TRYING.to_vec(), t0 + ms(10))
        .expect("provisional");
    assert_eq!(s.state(), ServerState::Proceeding);
    assert_eq!(s.on_request_retransmission().as_deref(), Some(TRYING));
    let ringing = b"SIP/2.0 180 Ringing\r\n\r\n".to_vec();
    s.send_response(180, ringing.clone(), t0 + ms(20))
        .expect("second provisional");
    assert_eq!(s.on_request_retransmission(), Some(ringing.clone()));
    s.send_response(486, b"SIP/2.0 486 Busy\r\n\r\n".to_vec(), t0 + ms(30))
        .expect("final after provisionals");
    assert_eq!(drain(&mut s).len(), 3, "all responses are sent, in order");
    assert_eq!(
        s.on_request_retransmission().as_deref(),
        Some(&b"SIP/2.0 486 Busy\r\n\r\n"[..])
    );
}

#[test]
fn response_after_final_is_rejected_and_ignored() {
    let t0 = Instant::now();
    let mut s = ServerNonInvite::new(false, t0, TimerConfig::default());
    s.send_response(200, OK.to_vec(), t0).expect("final");
    let _ = drain(&mut s);
    assert_eq!(
        s.send_response(500, b"500".to_vec(), t0 + ms(1)),
        Err(TransactionError::FinalAlreadySent)
    );
    assert_eq!(
        s.send_response(180, b"180".to_vec(), t0 + ms(1)),
        Err(TransactionError::FinalAlreadySent)
    );
    assert!(drain(&mut s).is_empty());
    assert_eq!(s.on_request_retransmission().as_deref(), Some(OK));
    // Timer J is not re-armed by the rejected response.
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(32)));

    s.handle_timeout(t0 + Duration::from_secs(32));
    assert_eq!(
        s.send_response(200, OK.to_vec(), t0 + Duration::from_secs(33)),
        Err(TransactionError::Terminated)
    );
}

#[test]
fn invalid_status_is_rejected_without_state_change() {
    let t0 = Instant::now();
    let mut s = ServerNonInvite::new(false, t0, TimerConfig::default());
    assert_eq!(
        s.send_response(42, b"x".to_vec(), t0),
        Err(TransactionError::InvalidStatus(42))
    );
    assert_eq!(s.state(), ServerState::Trying);
    assert!(drain(&mut s).is_empty());
}

#[test]
fn tcp_final_terminates_immediately_but_is_still_sent() {
    let t0 = Instant::now();
    let mut s = ServerNonInvite::new(true, t0, TimerConfig::default());
    s.send_response(200, OK.to_vec(), t0 + ms(5)).expect("final");
    assert!(s.is_terminated());
    assert!(s.has_pending_output());
    assert_eq!(drain(&mut s), vec![OK.to_vec()]);
    assert!(!s.has_pending_output());
    assert_eq!(s.poll_timeout(), None);
}

#[test]
fn transport_error_terminates_and_reports_once() {
    let t0 = Instant::now();
    let mut s = ServerNonInvite::new(false, t0, TimerConfig::default());
    s.send_response(200, OK.to_vec(), t0).expect("final");
    s.on_transport_error();
    s.on_transport_error();
    assert!(s.is_terminated());
    assert_eq!(s.poll_event(), Some(ServerEvent::TransportError));
    assert_eq!(s.poll_event(), None);
    assert!(drain(&mut s).is_empty(), "unsent responses are discarded");
}
