//! Keep-alives on virtual time: a plain registration pings with CRLF and
//! expects nothing; an outbound UDP flow uses STUN, registers again at once
//! when an answer goes missing, falls back to CRLF when the server never
//! answers STUN, and moves its Contact when STUN names a new address.

use super::super::*;
use crate::protocol::sip::builder::response_to;
use crate::protocol::stun;
use std::net::SocketAddr;
use std::time::Duration;

const ALICE_ADDR: &str = "127.0.0.1:5070";
const SERVER_ADDR: &str = "127.0.0.1:5060";

fn hop() -> Hop {
    Hop {
        transport: Transport::Udp,
        remote: SERVER_ADDR.parse().unwrap(),
        local: ALICE_ADDR.parse().unwrap(),
        conn: None,
    }
}

/// What the agent sent.
#[derive(Debug)]
enum Sent {
    Sip(Box<SipMessage>),
    Crlf,
    Stun([u8; 12]),
}

fn sent(agent: &mut Agent) -> Vec<Sent> {
    let mut out = Vec::new();
    while let Some(o) = agent.poll_output() {
        if let Output::Transmit { bytes, .. } = o {
            out.push(if bytes == KEEPALIVE_PING {
                Sent::Crlf
            } else if stun::looks_like_stun(&bytes) {
                Sent::Stun(stun::parse(&bytes).unwrap().transaction)
            } else {
                Sent::Sip(Box::new(SipMessage::parse(&bytes).unwrap()))
            });
        }
    }
    out
}

fn registers(sent: &[Sent]) -> Vec<&SipMessage> {
    sent.iter()
        .filter_map(|s| match s {
            Sent::Sip(m) if m.method() == Some(Method::Register) => Some(&**m),
            _ => None,
        })
        .collect()
}

/// Alice registered with an instance id; `require` is what the 200 says
/// in `Require` (and `Supported: outbound` always).
fn registered(require: Option<&str>, t0: Instant) -> Agent {
    let config = AgentConfig {
        account: "alice".into(),
        aor: SipUri::parse("sip:alice@sipchat.test").unwrap(),
        display_name: None,
        auth_user: "alice".into(),
        password: None,
        registrar: Some(SipUri::parse("sip:sipchat.test").unwrap()),
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    };
    let mut alice = Agent::new(config, 5);
    alice.set_instance(Some(instance_from(b"seed|sip:alice@sipchat.test")));
    alice.register(hop(), t0);
    let out = sent(&mut alice);
    let register = registers(&out)[0];
    let mut ok = response_to(register, 200, Some("srv"));
    ok.push_header("Supported", "outbound");
    if let Some(require) = require {
        ok.push_header("Require", require);
    }
    ok.push_header(
        "Contact",
        format!("{};expires=600", register.header("Contact").unwrap()),
    );
    alice.handle_packet(&ok.to_bytes(), hop(), t0);
    assert!(alice.is_registered());
    alice
}

/// Runs the timers from `from` to `until`: (when, what) of everything sent.
fn run(agent: &mut Agent, from: Instant, until: Instant) -> Vec<(Duration, Sent)> {
    let mut log = Vec::new();
    while let Some(at) = agent.poll_timeout().filter(|at| *at <= until) {
        agent.handle_timeout(at);
        log.extend(sent(agent).into_iter().map(|s| (at - from, s)));
    }
    log
}

/// A Binding success response to `transaction` naming `mapped`.
fn stun_answer(transaction: [u8; 12], mapped: SocketAddr) -> Vec<u8> {
    let SocketAddr::V4(mapped) = mapped else {
        panic!("IPv4 only here")
    };
    let cookie = stun::MAGIC_COOKIE.to_be_bytes();
    let mut out = vec![0x01, 0x01, 0x00, 0x0c];
    out.extend_from_slice(&cookie);
    out.extend_from_slice(&transaction);
    out.extend_from_slice(&[0x00, 0x20, 0x00, 0x08, 0x00, 0x01]);
    out.extend_from_slice(&(mapped.port() ^ 0x2112).to_be_bytes());
    out.extend(mapped.ip().octets().iter().zip(cookie).map(|(b, c)| b ^ c));
    out
}

#[test]
fn supported_outbound_alone_is_a_plain_registration_with_crlf_keepalives() {
    let t0 = Instant::now();
    let mut alice = registered(None, t0);
    assert!(
        !alice.uses_outbound(),
        "Supported: outbound without Require is not outbound"
    );
    let log = run(&mut alice, t0, t0 + Duration::from_secs(61));
    assert!(log.iter().all(|(_, s)| matches!(s, Sent::Crlf)), "{log:?}");
    assert_eq!(log.len(), 4, "a CRLF every 15 s: {log:?}");
}

#[test]
fn an_outbound_udp_flow_keeps_alive_with_stun_and_registers_again_when_an_answer_goes_missing() {
    let t0 = Instant::now();
    let mut alice = registered(Some("outbound"), t0);
    assert!(alice.uses_outbound());
    // The first keep-alive is STUN, and the server answers it.
    let log = run(&mut alice, t0, t0 + Duration::from_secs(15));
    let [(at, Sent::Stun(first))] = log.as_slice() else {
        panic!("{log:?}")
    };
    assert_eq!(*at, Duration::from_secs(15));
    alice.handle_packet(&stun_answer(*first, ALICE_ADDR.parse().unwrap()), hop(), t0 + *at);
    assert!(sent(&mut alice).is_empty(), "our own address: nothing to do");
    // The next goes unanswered: retransmitted, then a REGISTER at once.
    let log = run(&mut alice, t0 + *at, t0 + Duration::from_secs(60));
    let stuns: Vec<_> = log.iter().filter(|(_, s)| matches!(s, Sent::Stun(_))).collect();
    assert!(stuns.len() >= 4, "retransmitted: {log:?}");
    let register = log
        .iter()
        .find(|(_, s)| matches!(s, Sent::Sip(_)))
        .unwrap_or_else(|| panic!("no REGISTER after the missing answer: {log:?}"));
    // Times from the answered keep-alive: the next at 15 s, given up 10 s on.
    assert_eq!(register.0, Duration::from_secs(15) + STUN_ANSWER_WAIT, "{log:?}");
}

#[test]
fn a_server_that_never_answers_stun_gets_crlf_keepalives() {
    let t0 = Instant::now();
    let mut alice = registered(Some("outbound"), t0);
    let log = run(&mut alice, t0, t0 + Duration::from_secs(61));
    assert!(!log.iter().any(|(_, s)| matches!(s, Sent::Sip(_))), "{log:?}");
    let after: Vec<_> = log
        .iter()
        .filter(|(at, _)| *at > Duration::from_secs(25))
        .collect();
    assert!(
        !after.is_empty() && after.iter().all(|(_, s)| matches!(s, Sent::Crlf)),
        "{log:?}"
    );
}

#[test]
fn a_new_address_in_a_stun_answer_moves_the_contact() {
    let t0 = Instant::now();
    let mut alice = registered(Some("outbound"), t0);
    let log = run(&mut alice, t0, t0 + Duration::from_secs(15));
    let [(at, Sent::Stun(transaction))] = log.as_slice() else {
        panic!("{log:?}")
    };
    // A STUN answer to something else is dropped.
    alice.handle_packet(
        &stun_answer([9; 12], "198.51.100.2:17001".parse().unwrap()),
        hop(),
        t0 + *at,
    );
    assert!(sent(&mut alice).is_empty());
    alice.handle_packet(
        &stun_answer(*transaction, "198.51.100.2:17001".parse().unwrap()),
        hop(),
        t0 + *at,
    );
    let out = sent(&mut alice);
    let register = registers(&out);
    assert_eq!(register.len(), 1, "{out:?}");
    let contacts: Vec<_> = register[0].header_lines("Contact").collect();
    assert!(
        contacts[0].starts_with("<sip:alice@198.51.100.2:17001>"),
        "{contacts:?}"
    );
    assert_eq!(
        contacts[1], "<sip:alice@127.0.0.1:5070>;expires=0",
        "{contacts:?}"
    );
}
