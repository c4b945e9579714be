//! Registration on virtual time: refused credentials stop the tries, an
//! unreachable server keeps saying so between tries, an AoR's port stays;
//! keep-alives on UDP, and a Contact that moves to the address a NAT shows.

use super::super::*;
use crate::protocol::sip::builder::response_to;
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

fn config(registrar: &str) -> AgentConfig {
    AgentConfig {
        account: "alice".into(),
        aor: SipUri::parse("sip:alice@sipchat.test").unwrap(),
        display_name: None,
        auth_user: "alice".into(),
        password: Some("wrong".into()),
        registrar: Some(SipUri::parse(registrar).unwrap()),
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    }
}

/// (REGISTERs sent, events).
fn drain(agent: &mut Agent) -> (Vec<SipMessage>, Vec<AgentEvent>) {
    let mut sent = Vec::new();
    let mut events = Vec::new();
    while let Some(out) = agent.poll_output() {
        match out {
            Output::Transmit { bytes, .. } => sent.push(SipMessage::parse(&bytes).unwrap()),
            Output::Event(e) => events.push(e),
        }
    }
    (sent, events)
}

/// A 401 with a fresh nonce each time (a server that checks the password).
fn challenge(req: &SipMessage, nonce: u32, stale: bool) -> Vec<u8> {
    let mut r = response_to(req, 401, Some("srv"));
    let stale = if stale { ", stale=true" } else { "" };
    r.push_header(
        "WWW-Authenticate",
        format!("Digest realm=\"sipchat.test\", nonce=\"n{nonce}\", qop=\"auth\"{stale}"),
    );
    r.to_bytes()
}

/// Runs the agent's timers for up to `span`, answering every REGISTER with
/// `answer`; returns how many carried credentials and the events.
fn run(
    agent: &mut Agent,
    from: Instant,
    span: Duration,
    mut answer: impl FnMut(&SipMessage) -> Option<Vec<u8>>,
) -> (u32, Vec<AgentEvent>) {
    let mut with_credentials = 0;
    let mut events = Vec::new();
    let mut now = from;
    loop {
        let (sent, mut ev) = drain(agent);
        events.append(&mut ev);
        let mut answered = false;
        for req in sent.iter().filter(|m| m.method() == Some(Method::Register)) {
            if req.header("Authorization").is_some() {
                with_credentials += 1;
            }
            if let Some(bytes) = answer(req) {
                agent.handle_packet(&bytes, hop(), now);
                answered = true;
            }
        }
        if answered {
            continue;
        }
        match agent.poll_timeout() {
            Some(at) if at <= from + span => {
                now = at;
                agent.handle_timeout(at);
            }
            _ => return (with_credentials, events),
        }
    }
}

#[test]
fn two_rejections_of_our_credentials_stop_the_tries_until_retry() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("sip:sipchat.test"), 1);
    alice.register(hop(), t0);
    let mut nonce = 0;
    let (answered, events) = run(&mut alice, t0, Duration::from_secs(3600), |req| {
        nonce += 1;
        Some(challenge(req, nonce, false))
    });
    assert_eq!(
        answered, 2,
        "exactly two REGISTERs with our credentials, in an hour"
    );
    let last = events.last().unwrap();
    let AgentEvent::Registration(RegistrationState::Refused { reason }) = last else {
        panic!("{events:?}")
    };
    assert!(
        reason.starts_with("the server refused the password (401"),
        "{reason}"
    );
    assert!(alice.registration_refused());
    assert_eq!(alice.poll_timeout(), None, "nothing scheduled");
    // A new flow does not unlock it; the user's Retry does.
    alice.register(hop(), t0 + Duration::from_secs(3600));
    assert!(drain(&mut alice).0.is_empty());
    alice.register_again(hop(), t0 + Duration::from_secs(3601));
    let (sent, events) = drain(&mut alice);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        events,
        vec![AgentEvent::Registration(RegistrationState::Registering)]
    );
}

#[test]
fn a_stale_nonce_is_not_a_rejection_and_403_after_credentials_is() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("sip:sipchat.test"), 2);
    alice.register(hop(), t0);
    let mut nonce = 0;
    let (answered, events) = run(&mut alice, t0, Duration::from_secs(3600), |req| {
        nonce += 1;
        match (req.header("Authorization").is_some(), nonce) {
            (false, _) => Some(challenge(req, nonce, false)),
            // Stale twice, then 403 twice.
            (true, 2 | 3) => Some(challenge(req, nonce, true)),
            (true, _) => Some(response_to(req, 403, Some("srv")).to_bytes()),
        }
    });
    assert_eq!(answered, 4, "two stale answers do not count, two 403s do");
    assert!(matches!(
        events.last(),
        Some(AgentEvent::Registration(RegistrationState::Refused { reason })) if reason.contains("403")
    ));
}

#[test]
fn an_unreachable_server_says_so_between_tries() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("sip:sipchat.test:5070"), 3);
    alice.register(hop(), t0);
    let (sent, mut events) = drain(&mut alice);
    assert_eq!(
        sent[0].request_uri(),
        Some("sip:sipchat.test:5070"),
        "the AoR's port stays"
    );
    events.extend(run(&mut alice, t0, Duration::from_secs(600), |_| None).1);
    let states: Vec<&RegistrationState> = events
        .iter()
        .filter_map(|e| match e {
            AgentEvent::Registration(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(states.len() >= 3, "{states:?}");
    assert_eq!(states[0], &RegistrationState::Registering, "the first try");
    for state in &states[1..] {
        let RegistrationState::Failed {
            reason,
            retry_in_secs,
        } = state
        else {
            panic!("only failures after the first try, never Registering: {states:?}")
        };
        assert!(reason.starts_with("cannot reach sipchat.test:5070"), "{reason}");
        assert!(*retry_in_secs > 0);
    }
}

#[test]
fn an_unreachable_outbound_proxy_is_named() {
    let t0 = Instant::now();
    let mut config = config("sip:sipchat.test");
    config.route = Some("<sip:proxy.sipchat.test:5999;lr>".into());
    let mut alice = Agent::new(config, 4);
    alice.register(hop(), t0);
    let (_, events) = run(&mut alice, t0, Duration::from_secs(40), |_| None);
    assert!(
        events.iter().any(|e| matches!(
            e,
            AgentEvent::Registration(RegistrationState::Failed { reason, .. })
                if reason.starts_with("cannot reach proxy.sipchat.test:5999")
        )),
        "{events:?}"
    );
}

/// The REGISTERs and keep-alives (as their hops) the agent sends.
fn sent_and_pings(agent: &mut Agent) -> (Vec<SipMessage>, Vec<Hop>) {
    let mut sent = Vec::new();
    let mut pings = Vec::new();
    while let Some(out) = agent.poll_output() {
        if let Output::Transmit { hop, bytes } = out {
            if bytes == KEEPALIVE_PING {
                pings.push(hop);
            } else {
                sent.push(SipMessage::parse(&bytes).unwrap());
            }
        }
    }
    (sent, pings)
}

/// A 200 for `req` whose Via says the server saw it from `seen` (as a
/// server behind which a NAT sits writes received and rport).
fn ok_seen_from(req: &SipMessage, seen: &str) -> Vec<u8> {
    let mut r = response_to(req, 200, Some("srv"));
    let (ip, port) = seen.split_once(':').unwrap();
    let via = req
        .header("Via")
        .unwrap()
        .replace(";rport", &format!(";rport={port};received={ip}"));
    r.set_header("Via", via);
    for contact in req.header_lines("Contact") {
        if !contact.contains("expires=0") {
            r.push_header("Contact", format!("{contact};expires=600"));
        }
    }
    r.to_bytes()
}

fn without_password() -> AgentConfig {
    let mut config = config("sip:sipchat.test");
    config.password = None;
    config
}

#[test]
fn a_udp_registration_sends_a_keepalive_every_interval_and_a_stream_none() {
    let t0 = Instant::now();
    let mut alice = Agent::new(without_password(), 5);
    alice.register(hop(), t0);
    let (sent, _) = sent_and_pings(&mut alice);
    alice.handle_packet(&ok_seen_from(&sent[0], ALICE_ADDR), hop(), t0);
    assert!(alice.is_registered());
    let mut pings = Vec::new();
    let mut registers = 0;
    let mut now = t0;
    while let Some(at) = alice
        .poll_timeout()
        .filter(|at| *at <= t0 + Duration::from_secs(60))
    {
        now = at;
        alice.handle_timeout(now);
        let (sent, hops) = sent_and_pings(&mut alice);
        registers += sent.len();
        pings.extend(hops.into_iter().map(|h| (now - t0, h)));
    }
    assert_eq!(registers, 0, "no refresh within a minute of a 600 s grant");
    let times: Vec<u64> = pings.iter().map(|(at, _)| at.as_secs()).collect();
    assert_eq!(times, vec![15, 30, 45, 60], "a keep-alive every 15 s");
    assert!(
        pings.iter().all(|(_, h)| *h == hop()),
        "to the server, on the flow"
    );

    // The account's own interval; off when None.
    alice.set_udp_keepalive(Some(Duration::from_secs(25)));
    alice.handle_timeout(now + Duration::from_secs(15));
    assert_eq!(sent_and_pings(&mut alice).1.len(), 1);
    assert_eq!(alice.poll_timeout(), Some(now + Duration::from_secs(40)));
    alice.set_udp_keepalive(None);
    alice.handle_timeout(now + Duration::from_secs(40));
    assert!(sent_and_pings(&mut alice).1.is_empty(), "keep-alives off");

    // Over TCP the stream pings itself: the agent sends none.
    let tcp = Hop {
        transport: Transport::Tcp,
        conn: Some(7),
        ..hop()
    };
    let mut bob = Agent::new(without_password(), 6);
    bob.register(tcp, t0);
    let (sent, _) = sent_and_pings(&mut bob);
    bob.handle_packet(&ok_seen_from(&sent[0], ALICE_ADDR), tcp, t0);
    bob.handle_timeout(t0 + Duration::from_secs(60));
    assert!(sent_and_pings(&mut bob).1.is_empty());
    assert_eq!(
        bob.poll_timeout(),
        Some(t0 + Duration::from_secs(300)),
        "only the refresh"
    );
}

#[test]
fn a_nat_seen_in_via_moves_the_contact_to_the_public_address_and_removes_the_old() {
    let t0 = Instant::now();
    let mut alice = Agent::new(without_password(), 7);
    alice.register(hop(), t0);
    let (sent, _) = sent_and_pings(&mut alice);
    assert_eq!(
        sent[0].header_lines("Contact").collect::<Vec<_>>(),
        vec!["<sip:alice@127.0.0.1:5070>"]
    );
    alice.handle_packet(&ok_seen_from(&sent[0], "198.51.100.2:16034"), hop(), t0);
    assert!(
        !alice.is_registered(),
        "not yet: the binding the server has cannot reach us"
    );
    let (sent, _) = sent_and_pings(&mut alice);
    assert_eq!(sent.len(), 1, "registers again at once");
    assert_eq!(
        sent[0].header_lines("Contact").collect::<Vec<_>>(),
        vec![
            "<sip:alice@198.51.100.2:16034>",
            "<sip:alice@127.0.0.1:5070>;expires=0"
        ],
        "the public address, and the private binding removed"
    );
    alice.handle_packet(&ok_seen_from(&sent[0], "198.51.100.2:16034"), hop(), t0);
    assert!(alice.is_registered());
    assert_eq!(
        alice.public_address(),
        Some("198.51.100.2:16034".parse().unwrap())
    );
    assert!(sent_and_pings(&mut alice).0.is_empty(), "settled");

    // An INVITE through the server flow names the public address too.
    let session = alice.new_session_id();
    alice.invite(session, "sip:bob@sipchat.test", b"v=0\r\n".to_vec(), hop(), t0);
    let (sent, _) = sent_and_pings(&mut alice);
    let invite = sent.iter().find(|m| m.method() == Some(Method::Invite)).unwrap();
    assert_eq!(invite.header("Contact"), Some("<sip:alice@198.51.100.2:16034>"));

    // A MESSAGE the server sends to the public Contact is ours.
    let message = format!(
        "MESSAGE sip:alice@198.51.100.2:16034 SIP/2.0\r\nVia: SIP/2.0/UDP {SERVER_ADDR};branch=z9hG4bKm1\r\n\
         From: <sip:bob@sipchat.test>;tag=b1\r\nTo: <sip:alice@sipchat.test>\r\nCall-ID: m1\r\n\
         CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi"
    );
    alice.handle_packet(message.as_bytes(), hop(), t0);
    let mut arrived = false;
    while let Some(out) = alice.poll_output() {
        match out {
            Output::Event(AgentEvent::MessageArrived { .. }) => arrived = true,
            Output::Transmit { bytes, .. } => {
                panic!("answered at once: {}", String::from_utf8_lossy(&bytes))
            }
            Output::Event(_) => {}
        }
    }
    assert!(arrived, "a MESSAGE to the public Contact arrives");

    // The router's mapping changes: the refresh learns it and moves again.
    let refresh = t0 + Duration::from_secs(300);
    alice.handle_timeout(refresh);
    let (sent, _) = sent_and_pings(&mut alice);
    let register = sent
        .iter()
        .find(|m| m.method() == Some(Method::Register))
        .unwrap();
    alice.handle_packet(&ok_seen_from(register, "198.51.100.2:17001"), hop(), refresh);
    let (sent, _) = sent_and_pings(&mut alice);
    assert_eq!(
        sent[0].header_lines("Contact").collect::<Vec<_>>(),
        vec![
            "<sip:alice@198.51.100.2:17001>",
            "<sip:alice@198.51.100.2:16034>;expires=0"
        ]
    );
}

#[test]
fn with_an_instance_the_register_offers_outbound_and_dialogs_use_the_gruu() {
    let t0 = Instant::now();
    let instance = instance_from(b"machine|sip:alice@sipchat.test");
    assert_eq!(
        instance,
        instance_from(b"machine|sip:alice@sipchat.test"),
        "stable"
    );
    assert_ne!(instance, instance_from(b"other|sip:alice@sipchat.test"));
    assert_eq!(&instance[..9], "urn:uuid:");
    assert_eq!(&instance[23..24], "5", "version 5 layout: {instance}");
    let mut alice = Agent::new(without_password(), 5);
    alice.set_instance(Some(instance.clone()));
    alice.register(hop(), t0);
    let (sent, _) = sent_and_pings(&mut alice);
    let register = &sent[0];
    assert_eq!(register.header("Supported"), Some("outbound, gruu"));
    let contact = register.header("Contact").unwrap();
    assert!(
        contact.ends_with(&format!(";+sip.instance=\"<{instance}>\";reg-id=1")),
        "{contact}"
    );
    // A registrar with outbound and GRUU (as Kamailio answers).
    let gruu = format!("sip:alice@sipchat.test;gr={instance}");
    let mut ok = response_to(register, 200, Some("srv"));
    ok.push_header("Require", "outbound");
    ok.push_header(
        "Contact",
        format!("{contact};expires=600;pub-gruu=\"{gruu}\";temp-gruu=\"sip:tgruu.1@sipchat.test;gr\""),
    );
    alice.handle_packet(&ok.to_bytes(), hop(), t0);
    assert!(alice.is_registered());
    assert!(alice.uses_outbound());
    assert_eq!(alice.gruu(), Some(gruu.as_str()));
    assert_eq!(alice.session_contact(&hop()), format!("<{gruu}>"));
    // Without an instance: none of it.
    let mut bob = Agent::new(without_password(), 6);
    bob.register(hop(), t0);
    let (sent, _) = sent_and_pings(&mut bob);
    assert_eq!(sent[0].header("Supported"), None);
    assert!(!sent[0].header("Contact").unwrap().contains("+sip.instance"));
    // A bad instance id is not taken.
    bob.set_instance(Some("urn:uuid:\"><sip:evil".into()));
    assert!(bob.registration.instance.is_none());
}
