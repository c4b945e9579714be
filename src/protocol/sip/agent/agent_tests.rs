//! The agent on virtual time: no sockets, packets handed over by hand.

use super::*;
use crate::protocol::sip::builder::response_to;
use std::time::Duration;

const ALICE_ADDR: &str = "127.0.0.1:5070";
const BOB_ADDR: &str = "127.0.0.1:5080";
const SERVER_ADDR: &str = "127.0.0.1:5060";

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn hop(transport: Transport, local: &str, remote: &str) -> Hop {
    Hop {
        transport,
        remote: addr(remote),
        local: addr(local),
        conn: None,
    }
}

fn config(user: &str, registrar: bool) -> AgentConfig {
    AgentConfig {
        account: user.into(),
        aor: SipUri::parse(&format!("sip:{user}@sipchat.test")).unwrap(),
        display_name: None,
        auth_user: user.into(),
        password: Some(format!("{user}-secret")),
        registrar: registrar.then(|| SipUri::parse("sip:sipchat.test").unwrap()),
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    }
}

/// Drains an agent: (transmissions, events).
fn drain(agent: &mut Agent) -> (Vec<(Hop, Vec<u8>)>, Vec<AgentEvent>) {
    let mut tx = Vec::new();
    let mut ev = Vec::new();
    while let Some(out) = agent.poll_output() {
        match out {
            Output::Transmit { hop, bytes } => tx.push((hop, bytes)),
            Output::Event(e) => ev.push(e),
        }
    }
    (tx, ev)
}

fn parse(bytes: &[u8]) -> SipMessage {
    SipMessage::parse(bytes).unwrap()
}

/// Delivers every transmission from `from` to `to` as if over the network.
fn deliver(to: &mut Agent, packets: &[(Hop, Vec<u8>)], now: Instant) {
    for (h, bytes) in packets {
        let seen_from = Hop {
            transport: h.transport,
            remote: h.local,
            local: h.remote,
            conn: None,
        };
        to.handle_packet(bytes, seen_from, now);
    }
}

#[test]
fn p2p_message_accepted_once_despite_loss() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", false), 1);
    let mut bob = Agent::new(config("bob", false), 2);
    alice.send_message(
        MessageId(7),
        "sip:bob@127.0.0.1:5080",
        "hello bob",
        hop(Transport::Udp, ALICE_ADDR, BOB_ADDR),
        t0,
    );
    let (first, events) = drain(&mut alice);
    assert_eq!(first.len(), 1, "one transmission");
    assert!(matches!(
        &events[..],
        [AgentEvent::Delivery {
            state: DeliveryState::Sending,
            ..
        }]
    ));
    // The first copy is lost; Timer E retransmits at 500 ms.
    assert_eq!(alice.poll_timeout(), Some(t0 + Duration::from_millis(500)));
    let t1 = t0 + Duration::from_millis(500);
    alice.handle_timeout(t1);
    let (retrans, _) = drain(&mut alice);
    assert_eq!(retrans.len(), 1);
    deliver(&mut bob, &retrans, t1);
    // And a duplicate of it arrives too.
    deliver(&mut bob, &retrans, t1);
    let (bob_tx, bob_events) = drain(&mut bob);
    assert!(bob_tx.is_empty(), "nothing answered before the runtime stores it");
    let [AgentEvent::MessageArrived { token, message }] = &bob_events[..] else {
        panic!("expected one arrival, got {bob_events:?}");
    };
    assert_eq!(message.body, "hello bob");
    assert_eq!(message.from, "sip:alice@sipchat.test");
    bob.answer_incoming(*token, true, t1);
    let (answer, _) = drain(&mut bob);
    assert_eq!(parse(&answer[0].1).status(), Some(200));
    deliver(&mut alice, &answer, t1);
    // A late retransmission of the request gets the same 200 again, no new event.
    deliver(&mut bob, &retrans, t1 + Duration::from_millis(100));
    let (again, no_events) = drain(&mut bob);
    assert_eq!(again.len(), 1);
    assert!(no_events.is_empty());
    let (_, events) = drain(&mut alice);
    assert_eq!(
        events,
        vec![AgentEvent::Delivery {
            id: MessageId(7),
            to: "sip:bob@127.0.0.1:5080".into(),
            state: DeliveryState::Accepted,
            sent_as: Some(MessageIdentity {
                call_id: parse(&retrans[0].1).call_id().unwrap().into(),
                from_tag: parse(&retrans[0].1).from_header().unwrap().tag().unwrap().into(),
                cseq: 1
            }),
            retry_after: None
        }]
    );
}

#[test]
fn message_failures_in_words() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 3);
    let h = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.send_message(MessageId(1), "sip:bob@sipchat.test", "hi", h, t0);
    let (tx, _) = drain(&mut alice);
    let req = parse(&tx[0].1);
    let resp = response_to(&req, 480, Some("x"));
    alice.handle_packet(&resp.to_bytes(), h, t0);
    let (_, events) = drain(&mut alice);
    assert_eq!(
        events,
        vec![AgentEvent::Delivery {
            id: MessageId(1),
            to: "sip:bob@sipchat.test".into(),
            state: DeliveryState::Failed {
                code: Some(480),
                reason: "bob is not online (480 Temporarily Unavailable)".into()
            },
            sent_as: Some(MessageIdentity {
                call_id: req.call_id().unwrap().into(),
                from_tag: req.from_header().unwrap().tag().unwrap().into(),
                cseq: 1
            }),
            retry_after: None
        }]
    );

    alice.send_message(MessageId(2), "bob@sipchat.test", "hi", h, t0);
    let (tx, events) = drain(&mut alice);
    assert!(tx.is_empty());
    assert!(
        matches!(&events[0], AgentEvent::Delivery { state: DeliveryState::Failed { reason, .. }, .. }
        if reason.contains("not a SIP address"))
    );

    let long = "x".repeat(2000);
    alice.send_message(MessageId(3), "sip:bob@sipchat.test", &long, h, t0);
    let (tx, events) = drain(&mut alice);
    assert!(tx.is_empty());
    assert!(
        matches!(&events[0], AgentEvent::Delivery { state: DeliveryState::Failed { reason, .. }, .. }
        if reason.contains("too long") && reason.contains("1300"))
    );
}

/// Sends one MESSAGE to bob and answers it with `answer`; the failure words.
fn refusal_words(registrar: bool, answer: impl Fn(&SipMessage) -> SipMessage) -> String {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", registrar), 14);
    let h = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.send_message(MessageId(1), "sip:bob@sipchat.test", "hi", h, t0);
    let (tx, _) = drain(&mut alice);
    alice.handle_packet(&answer(&parse(&tx[0].1)).to_bytes(), h, t0);
    match &drain(&mut alice).1[..] {
        [AgentEvent::Delivery {
            state: DeliveryState::Failed { reason, .. },
            ..
        }] => reason.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals_say_who_refused() {
    // Yate answers 405 for a user who is not registered, allowing MESSAGE.
    let offline = refusal_words(true, |req| {
        let mut r = response_to(req, 405, Some("y"));
        r.push_header("Allow", "INVITE, ACK, BYE, CANCEL, MESSAGE, OPTIONS");
        r
    });
    assert!(offline.starts_with("bob is probably not online"), "{offline}");
    let no_messages = refusal_words(true, |req| {
        let mut r = response_to(req, 405, Some("y"));
        r.push_header("Allow", "INVITE, ACK, BYE");
        r
    });
    assert!(
        no_messages.starts_with("bob's service does not accept"),
        "{no_messages}"
    );
    // 501 straight from our own server: our service, not bob's.
    let ours = refusal_words(true, |req| response_to(req, 501, Some("k")));
    assert!(ours.starts_with("your service does not carry"), "{ours}");
    // Peer to peer there is no server of ours: bob's side said it.
    let theirs = refusal_words(false, |req| response_to(req, 501, Some("k")));
    assert!(theirs.starts_with("bob's service"), "{theirs}");
}

#[test]
fn message_times_out_after_64_t1() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 4);
    alice.send_message(
        MessageId(9),
        "sip:bob@sipchat.test",
        "anyone?",
        hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR),
        t0,
    );
    let mut sent = drain(&mut alice).0.len();
    let mut final_events = Vec::new();
    while let Some(at) = alice.poll_timeout() {
        alice.handle_timeout(at);
        let (tx, ev) = drain(&mut alice);
        sent += tx.len();
        final_events.extend(ev);
        if at > t0 + Duration::from_secs(40) {
            break;
        }
    }
    assert_eq!(sent, 11, "1 + 10 retransmissions before Timer F");
    assert!(
        matches!(&final_events[..], [AgentEvent::Delivery { state: DeliveryState::Failed { code: None, reason }, .. }]
        if reason == "no response from the server within 32 seconds")
    );
}

/// A scripted registrar: challenges once, then grants `grant` seconds.
fn registrar_answer(req: &SipMessage, grant: u32) -> SipMessage {
    if req.header("Authorization").is_none() {
        let mut r = response_to(req, 401, Some("srv"));
        r.push_header(
            "WWW-Authenticate",
            "Digest realm=\"sipchat.test\", nonce=\"n1\", qop=\"auth\", algorithm=MD5",
        );
        return r;
    }
    let mut r = response_to(req, 200, Some("srv"));
    let contact = req.header("Contact").unwrap();
    r.push_header(
        "Contact",
        format!("{contact};expires={grant};received=\"sip:1.2.3.4\""),
    );
    r
}

#[test]
fn registers_with_digest_and_refreshes_at_half_expiry() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 5);
    let h = hop(Transport::Tcp, ALICE_ADDR, SERVER_ADDR);
    alice.register(h, t0);
    let (tx, ev) = drain(&mut alice);
    assert_eq!(ev, vec![AgentEvent::Registration(RegistrationState::Registering)]);
    let first = parse(&tx[0].1);
    assert_eq!(first.header("Expires"), Some("600"));
    assert_eq!(
        first.header("Contact"),
        Some("<sip:alice@127.0.0.1:5070;transport=tcp>")
    );
    alice.handle_packet(&registrar_answer(&first, 120).to_bytes(), h, t0);
    let (tx, _) = drain(&mut alice);
    let second = parse(&tx[0].1);
    assert_eq!(
        second.cseq().unwrap().0,
        first.cseq().unwrap().0 + 1,
        "new CSeq on the retry"
    );
    assert_eq!(second.call_id().unwrap(), first.call_id().unwrap());
    let auth = second.header("Authorization").unwrap();
    assert!(
        auth.contains("username=\"alice\"") && auth.contains("nc=00000001"),
        "{auth}"
    );
    alice.handle_packet(&registrar_answer(&second, 120).to_bytes(), h, t0);
    let (_, ev) = drain(&mut alice);
    assert_eq!(
        ev,
        vec![AgentEvent::Registration(RegistrationState::Registered {
            expires: 120
        })]
    );
    assert!(alice.is_registered());

    // Refresh at half the granted time, pre-authorised (nonce count 2).
    assert_eq!(alice.poll_timeout(), Some(t0 + Duration::from_secs(60)));
    let t1 = t0 + Duration::from_secs(60);
    alice.handle_timeout(t1);
    let (tx, ev) = drain(&mut alice);
    assert!(ev.is_empty(), "no flicker to Registering on refresh");
    let refresh = parse(&tx[0].1);
    assert!(refresh.header("Authorization").unwrap().contains("nc=00000002"));
    alice.handle_packet(&registrar_answer(&refresh, 120).to_bytes(), h, t1);
    assert!(drain(&mut alice).1.is_empty(), "same grant: no event");

    // Unregister: Expires 0, then Offline.
    alice.unregister(t1);
    let (tx, _) = drain(&mut alice);
    let unreg = parse(&tx[0].1);
    assert_eq!(unreg.header("Expires"), Some("0"));
    alice.handle_packet(&response_to(&unreg, 200, Some("srv")).to_bytes(), h, t1);
    let (_, ev) = drain(&mut alice);
    assert_eq!(ev, vec![AgentEvent::Registration(RegistrationState::Offline)]);
}

#[test]
fn wrong_password_fails_with_backoff_and_423_raises_expiry() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 6);
    let h = hop(Transport::Udp, ALICE_ADDR, SERVER_ADDR);
    alice.register(h, t0);
    let first = parse(&drain(&mut alice).0[0].1);
    let mut too_brief = response_to(&first, 423, Some("s"));
    too_brief.push_header("Min-Expires", "3600");
    alice.handle_packet(&too_brief.to_bytes(), h, t0);
    let second = parse(&drain(&mut alice).0[0].1);
    assert_eq!(second.header("Expires"), Some("3600"));

    // The server keeps challenging with the same nonce: wrong password.
    let challenge = registrar_answer(&second, 0);
    alice.handle_packet(&challenge.to_bytes(), h, t0);
    let third = parse(&drain(&mut alice).0[0].1);
    let mut again = response_to(&third, 401, Some("s"));
    again.push_header(
        "WWW-Authenticate",
        "Digest realm=\"sipchat.test\", nonce=\"n1\", qop=\"auth\"",
    );
    alice.handle_packet(&again.to_bytes(), h, t0);
    let (tx, ev) = drain(&mut alice);
    assert!(tx.is_empty(), "at most one retry per challenge");
    let [AgentEvent::Registration(RegistrationState::Failed {
        reason,
        retry_in_secs,
    })] = &ev[..]
    else {
        panic!("{ev:?}");
    };
    assert!(reason.contains("check the user name and password"), "{reason}");
    assert!((4..=6).contains(retry_in_secs), "5 s +-20%: {retry_in_secs}");
    // The retry happens on its own, within the backoff.
    let mut retried_at = None;
    while let Some(at) = alice.poll_timeout() {
        alice.handle_timeout(at);
        if !drain(&mut alice).0.is_empty() {
            retried_at = Some(at);
            break;
        }
    }
    let waited = retried_at.unwrap() - t0;
    assert!(
        waited >= Duration::from_secs(4) && waited <= Duration::from_secs(6),
        "{waited:?}"
    );
}

#[test]
fn incoming_requests_we_cannot_take() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", false), 7);
    let from = hop(Transport::Udp, BOB_ADDR, ALICE_ADDR);
    let base = "MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKaa1\r\n\
From: <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: c1\r\nCSeq: 1 MESSAGE\r\n";

    let html = format!("{base}Content-Type: text/html\r\n\r\n<b>hi</b>");
    bob.handle_packet(html.as_bytes(), from, t0);
    let (tx, ev) = drain(&mut bob);
    assert!(ev.is_empty());
    let r = parse(&tx[0].1);
    assert_eq!(r.status(), Some(415));
    assert!(r.header("Accept").unwrap().contains("text/plain"));

    let no_call_id = base.replace("Call-ID: c1\r\n", "").replace("aa1", "aa2");
    bob.handle_packet(format!("{no_call_id}\r\n").as_bytes(), from, t0);
    let r = parse(&drain(&mut bob).0[0].1);
    assert_eq!(
        r.status(),
        Some(400),
        "the Via says where to answer (RFC 4475 insuf)"
    );
    assert!(r.header("Warning").unwrap().contains("Call-ID"));

    let no_from = base
        .replace("From: <sip:alice@h>;tag=1\r\n", "")
        .replace("aa1", "aa3");
    bob.handle_packet(format!("{no_from}\r\n").as_bytes(), from, t0);
    let r = parse(&drain(&mut bob).0[0].1);
    assert_eq!(r.status(), Some(400));
    assert!(r.header("Warning").unwrap().contains("missing From"));

    let weird = base.replace("MESSAGE", "FROBNICATE").replace("aa1", "aa4");
    bob.handle_packet(format!("{weird}\r\n").as_bytes(), from, t0);
    assert_eq!(parse(&drain(&mut bob).0[0].1).status(), Some(501));

    let options = base.replace("MESSAGE", "OPTIONS").replace("aa1", "aa5");
    bob.handle_packet(format!("{options}\r\n").as_bytes(), from, t0);
    let r = parse(&drain(&mut bob).0[0].1);
    assert_eq!(r.status(), Some(200));
    assert!(r.header("Allow").unwrap().contains("MESSAGE"));

    bob.handle_packet(b"\x00\xffgarbage", from, t0);
    assert!(drain(&mut bob).0.is_empty());
}

#[test]
fn a_resend_on_a_new_transaction_goes_to_the_store_with_its_identity() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", false), 8);
    let from = hop(Transport::Udp, BOB_ADDR, ALICE_ADDR);
    for branch in ["z9hG4bKd1", "z9hG4bKd2"] {
        let raw = format!(
            "MESSAGE sip:bob@127.0.0.1:5080 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
From: <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: same\r\nCSeq: 5 MESSAGE\r\n\
Content-Type: text/plain\r\n\r\nonce"
        );
        bob.handle_packet(raw.as_bytes(), from, t0);
    }
    let (tx, ev) = drain(&mut bob);
    assert!(tx.is_empty(), "nothing is answered before the store has decided");
    let identities: Vec<(String, String, u32)> = ev
        .iter()
        .map(|e| match e {
            AgentEvent::MessageArrived { message, .. } => {
                (message.call_id.clone(), message.from_tag.clone(), message.cseq)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    // The store (which knows what it kept, also across restarts) finds the
    // second to be the first; both are answered once it has.
    assert_eq!(identities, vec![("same".to_string(), "1".to_string(), 5); 2]);
    for e in ev {
        if let AgentEvent::MessageArrived { token, .. } = e {
            bob.answer_incoming(token, true, t0);
        }
    }
    let (tx, _) = drain(&mut bob);
    assert_eq!(tx.len(), 2);
    assert!(tx.iter().all(|(_, b)| parse(b).status() == Some(200)));
}

#[test]
fn a_message_for_someone_else_is_answered_404_and_not_handed_over() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", true), 12);
    let server = hop(Transport::Udp, BOB_ADDR, SERVER_ADDR);
    bob.register(server, t0);
    drain(&mut bob);
    let message = |n: u32, uri: &str| {
        format!(
            "MESSAGE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKo{n}\r\n\
From: <sip:alice@sipchat.test>;tag=a{n}\r\nTo: <sip:bob@sipchat.test>\r\nCall-ID: o{n}\r\n\
CSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n\r\nhi"
        )
    };
    let ours = [
        "sip:bob@sipchat.test",
        "sip:bob@SIPCHAT.test;user=phone",
        // Our registered Contact, as a proxy rewrites it, with parameters.
        "sip:bob@127.0.0.1:5080;transport=udp;ob",
        "sip:bob@127.0.0.1",
    ];
    let theirs = [
        "sip:carol@sipchat.test",
        "sip:bob@elsewhere.example",
        "sip:bob@127.0.0.1:5999",
        "sip:bob@192.0.2.99:5080",
    ];
    for (n, uri) in ours.iter().enumerate() {
        bob.handle_packet(message(n as u32, uri).as_bytes(), server, t0);
        let (tx, ev) = drain(&mut bob);
        assert!(tx.is_empty(), "{uri}: answered only after storing");
        assert!(
            matches!(&ev[..], [AgentEvent::MessageArrived { .. }]),
            "{uri}: {ev:?}"
        );
    }
    for (n, uri) in theirs.iter().enumerate() {
        bob.handle_packet(message(100 + n as u32, uri).as_bytes(), server, t0);
        let (tx, ev) = drain(&mut bob);
        assert!(ev.is_empty(), "{uri}: not handed over: {ev:?}");
        assert_eq!(parse(&tx[0].1).status(), Some(404), "{uri}");
    }
}

#[test]
fn the_local_account_takes_its_addresses_and_host_names_for_its_port() {
    let t0 = Instant::now();
    let mut config = config("bob", false);
    config.listen_port = Some(5080);
    let mut bob = Agent::new(config, 15);
    let from = hop(Transport::Udp, BOB_ADDR, ALICE_ADDR);
    let verdicts: Vec<u16> = [
        "sip:bob@127.0.0.1:5080",
        "sip:bob@laptop.lan:5080",
        "sip:bob@laptop.lan",
        "sip:127.0.0.1:5080",
        "sip:carol@127.0.0.1:5080",
        "sip:bob@laptop.lan:5999",
        "sip:bob@192.0.2.99:5080",
    ]
    .iter()
    .enumerate()
    .map(|(n, uri)| {
        let raw = format!(
            "MESSAGE {uri} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKl{n}\r\n\
From: <sip:alice@h>;tag=l{n}\r\nTo: <sip:bob@h>\r\nCall-ID: l{n}\r\nCSeq: 1 MESSAGE\r\n\
Content-Type: text/plain\r\n\r\nhi"
        );
        bob.handle_packet(raw.as_bytes(), from, t0);
        let (tx, ev) = drain(&mut bob);
        match (&tx[..], &ev[..]) {
            ([], [AgentEvent::MessageArrived { .. }]) => 0,
            ([(_, bytes)], []) => parse(bytes).status().unwrap(),
            other => panic!("{uri}: {other:?}"),
        }
    })
    .collect();
    assert_eq!(verdicts, vec![0, 0, 0, 0, 404, 404, 404]);
}

#[test]
fn another_sip_version_gets_505_and_a_request_without_call_id_400() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", false), 13);
    let from = hop(Transport::Udp, BOB_ADDR, ALICE_ADDR);
    let v7 = "OPTIONS sip:bob@127.0.0.1 SIP/7.0\r\nVia: SIP/7.0/UDP 127.0.0.1:5070;branch=z9hG4bKv7\r\n\
From: <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: v7\r\nCSeq: 1 OPTIONS\r\n\r\n";
    bob.handle_packet(v7.as_bytes(), from, t0);
    let (tx, _) = drain(&mut bob);
    let answer = parse(&tx[0].1);
    assert_eq!(answer.status(), Some(505));
    assert_eq!(answer.call_id().unwrap(), "v7");
    // Without a Via we cannot know where to answer.
    let no_via = v7.replace("Via: SIP/7.0/UDP 127.0.0.1:5070;branch=z9hG4bKv7\r\n", "");
    bob.handle_packet(no_via.as_bytes(), from, t0);
    assert!(drain(&mut bob).0.is_empty());
}

#[test]
fn transport_failure_fails_the_message_in_words() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", true), 9);
    let mut h = hop(Transport::Tcp, ALICE_ADDR, SERVER_ADDR);
    h.conn = Some(4);
    alice.send_message(MessageId(5), "sip:bob@sipchat.test", "hi", h, t0);
    drain(&mut alice);
    alice.transport_failed(h.remote, Some(4), t0);
    let (_, ev) = drain(&mut alice);
    assert!(
        matches!(&ev[..], [AgentEvent::Delivery { state: DeliveryState::Failed { reason, .. }, .. }]
        if reason.contains("could not send")),
        "{ev:?}"
    );
}

#[test]
fn a_retry_reuses_the_identity_and_the_receiver_shows_it_once() {
    let t0 = Instant::now();
    let mut alice = Agent::new(config("alice", false), 10);
    let mut bob = Agent::new(config("bob", false), 11);
    let h = hop(Transport::Udp, ALICE_ADDR, BOB_ADDR);
    alice.send_message(MessageId(1), "sip:bob@127.0.0.1:5080", "once", h, t0);
    let (first, _) = drain(&mut alice);
    // Bob gets it and answers, but the 200 is lost; alice eventually gives up.
    deliver(&mut bob, &first, t0);
    let (_, ev) = drain(&mut bob);
    let [AgentEvent::MessageArrived { token, .. }] = &ev[..] else {
        panic!("{ev:?}")
    };
    bob.answer_incoming(*token, true, t0);
    drain(&mut bob);
    let mut identity = None;
    while let Some(at) = alice.poll_timeout() {
        alice.handle_timeout(at);
        for e in drain(&mut alice).1 {
            if let AgentEvent::Delivery {
                state: DeliveryState::Failed { .. },
                sent_as,
                ..
            } = e
            {
                identity = sent_as;
            }
        }
    }
    let identity = identity.expect("failure reports the identity");
    // The outbox retries as the same message after Bob's server transaction is gone.
    let t1 = t0 + Duration::from_secs(40);
    bob.handle_timeout(t1);
    alice.send_message_as(
        MessageId(1),
        "sip:bob@127.0.0.1:5080",
        "once",
        h,
        Some(identity.clone()),
        t1,
    );
    let (retry, _) = drain(&mut alice);
    let req = parse(&retry[0].1);
    assert_eq!(req.call_id().unwrap(), identity.call_id);
    assert_eq!(req.cseq().unwrap().0, identity.cseq);
    assert_ne!(
        req.top_via().unwrap().branch(),
        parse(&first[0].1).top_via().unwrap().branch()
    );
    deliver(&mut bob, &retry, t1);
    let (_, events) = drain(&mut bob);
    // Handed over with the same identity: the store finds it and the
    // runtime answers 200 again without showing it (runtime/inbox tests).
    let [AgentEvent::MessageArrived { token, message }] = &events[..] else {
        panic!("{events:?}")
    };
    assert_eq!(
        (message.call_id.as_str(), message.cseq),
        (identity.call_id.as_str(), identity.cseq)
    );
    assert_eq!(message.from_tag, identity.from_tag);
    bob.answer_incoming(*token, true, t1);
    let (answer, _) = drain(&mut bob);
    deliver(&mut alice, &answer, t1);
    let (_, ev) = drain(&mut alice);
    assert!(ev.iter().any(|e| matches!(
        e,
        AgentEvent::Delivery {
            state: DeliveryState::Accepted,
            ..
        }
    )));
}

#[test]
fn an_alert_is_held_then_answered_425_with_alert_msg_error() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", false), 11);
    let mut from = hop(Transport::Tcp, BOB_ADDR, ALICE_ADDR);
    from.conn = Some(42);
    let body = "--zz\r\nContent-Type: application/cap+xml\r\n\r\n<alert/>\r\n--zz--\r\n";
    let raw = format!(
        "MESSAGE sip:bob@sipchat.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKcap1\r\n\
From: <sip:alert@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: cap1\r\nCSeq: 1 MESSAGE\r\n\
Content-Type: multipart/mixed;boundary=zz\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    bob.handle_packet(raw.as_bytes(), from, t0);
    let (tx, ev) = drain(&mut bob);
    assert!(tx.is_empty(), "nothing is answered before the runtime stored it");
    let [AgentEvent::MessageArrived { token, message }] = &ev[..] else {
        panic!("{ev:?}");
    };
    assert_eq!(message.content_type, "multipart/mixed");
    assert_eq!(message.content_type_header, "multipart/mixed;boundary=zz");
    assert_eq!(message.conn, Some(42));
    let value = "102;message=\"Not enough information to determine the purpose of the alert\"";
    bob.answer_incoming_with(*token, IncomingAnswer::bad_alert(value.into()), t0);
    let (tx, _) = drain(&mut bob);
    let r = parse(&tx[0].1);
    assert_eq!(r.status(), Some(425));
    assert_eq!(r.reason(), Some("Bad Alert Message"));
    assert_eq!(r.header("AlertMsg-Error"), Some(value));
}

#[test]
fn multipart_is_taken_only_as_an_alert() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", false), 12);
    let from = hop(Transport::Udp, BOB_ADDR, ALICE_ADDR);
    let body = "--zz\r\nContent-Type: text/plain\r\n\r\nhello\r\n--zz--\r\n";
    let request = |branch: &str, extra: &str| {
        format!(
            "MESSAGE sip:bob@sipchat.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
From: <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: {branch}\r\nCSeq: 1 MESSAGE\r\n{extra}\
Content-Type: multipart/mixed;boundary=zz\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    bob.handle_packet(request("z9hG4bKmp1", "").as_bytes(), from, t0);
    let (tx, ev) = drain(&mut bob);
    assert!(ev.is_empty());
    let r = parse(&tx[0].1);
    assert_eq!(r.status(), Some(415));
    assert!(!r.header("Accept").unwrap().contains("multipart"));
    bob.handle_packet(
        request("z9hG4bKmp2", "Subject: Emergency Alert\r\n").as_bytes(),
        from,
        t0,
    );
    let (tx, ev) = drain(&mut bob);
    assert!(tx.is_empty(), "held until stored");
    assert!(matches!(&ev[..], [AgentEvent::MessageArrived { .. }]), "{ev:?}");
}

#[test]
fn an_arrived_message_carries_its_alert_claim() {
    let t0 = Instant::now();
    let mut bob = Agent::new(config("bob", false), 13);
    let from = hop(Transport::Udp, BOB_ADDR, ALICE_ADDR);
    let request = |branch: &str, extra: &str, content_type: &str, body: &str| {
        format!(
            "MESSAGE sip:bob@sipchat.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch={branch}\r\n\
From: <sip:alice@h>;tag=1\r\nTo: <sip:bob@h>\r\nCall-ID: {branch}\r\nCSeq: 1 MESSAGE\r\n{extra}\
Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
    };
    let mut arrive = |raw: String| {
        bob.handle_packet(raw.as_bytes(), from, t0);
        let (_, ev) = drain(&mut bob);
        match <[AgentEvent; 1]>::try_from(ev) {
            Ok([AgentEvent::MessageArrived { message, .. }]) => message,
            other => panic!("{other:?}"),
        }
    };
    let plain = arrive(request("z9hG4bKcl1", "", "text/plain", "hello"));
    assert_eq!(plain.alert, None);
    let alert = arrive(request(
        "z9hG4bKcl2",
        "Subject: Emergency Alert\r\n",
        "text/plain",
        "Flood warning",
    ));
    let claim = alert.alert.expect("an alert claim");
    assert_eq!(claim.text, "Flood warning");
    // A file that also claims to be an alert: its bytes are not the text.
    let file = arrive(request(
        "z9hG4bKcl3",
        "Subject: Emergency Alert\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\n",
        "application/octet-stream",
        "bytes",
    ));
    assert!(file.file.is_some());
    assert_eq!(file.alert.expect("an alert claim").text, "");
}
