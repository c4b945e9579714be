//! INVITE sessions between two agents on virtual time, packets handed over
//! by hand (with loss and duplicates where it matters).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::super::{Agent, AgentConfig, AgentEvent, Hop, Output};
use super::{SessionEvent, MAX_SESSIONS};
use crate::model::SessionId;
use crate::protocol::sip::message::{Method, SipMessage};
use crate::protocol::sip::transaction::TimerConfig;
use crate::protocol::sip::uri::{SipUri, Transport};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const ALICE: &str = "127.0.0.1:5070";
const BOB: &str = "127.0.0.1:5080";
const OFFER: &[u8] = b"v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 7654 TCP/MSRP *\r\na=path:msrp://127.0.0.1:7654/abc;tcp\r\n";
const ANSWER: &[u8] = b"v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=message 7655 TCP/MSRP *\r\na=path:msrp://127.0.0.1:7655/xyz;tcp\r\n";

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn agent(user: &str, port: u16, seed: u64) -> Agent {
    Agent::new(
        AgentConfig {
            account: user.into(),
            aor: SipUri::parse(&format!("sip:{user}@sipchat.test")).unwrap(),
            display_name: None,
            auth_user: user.into(),
            password: Some(format!("{user}-secret")),
            registrar: None,
            route: None,
            expires: 600,
            timers: TimerConfig::default(),
            listen_port: Some(port),
        },
        seed,
    )
}

fn hop(transport: Transport) -> Hop {
    Hop {
        transport,
        remote: BOB.parse().unwrap(),
        local: ALICE.parse().unwrap(),
        conn: None,
    }
}

struct Pair {
    alice: Agent,
    bob: Agent,
    now: Instant,
}

#[derive(Default, Debug)]
struct Drained {
    packets: Vec<(Hop, Vec<u8>)>,
    events: Vec<SessionEvent>,
}

impl Drained {
    fn methods(&self) -> Vec<String> {
        self.packets
            .iter()
            .map(|(_, b)| {
                let m = SipMessage::parse(b).unwrap();
                match m.status() {
                    Some(code) => code.to_string(),
                    None => m.method().unwrap().as_str().to_string(),
                }
            })
            .collect()
    }

    fn find(&self, what: &str) -> SipMessage {
        self.packets
            .iter()
            .map(|(_, b)| SipMessage::parse(b).unwrap())
            .find(|m| {
                m.status().map(|c| c.to_string()).as_deref() == Some(what)
                    || m.method().is_some_and(|x| x.as_str() == what)
            })
            .unwrap_or_else(|| panic!("no {what} in {:?}", self.methods()))
    }
}

fn drain(agent: &mut Agent) -> Drained {
    let mut d = Drained::default();
    while let Some(out) = agent.poll_output() {
        match out {
            Output::Transmit { hop, bytes } => d.packets.push((hop, bytes)),
            Output::Event(AgentEvent::Session(e)) => d.events.push(e),
            Output::Event(_) => {}
        }
    }
    d
}

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

impl Pair {
    fn new() -> Pair {
        Pair {
            alice: agent("alice", 5070, 1),
            bob: agent("bob", 5080, 2),
            now: Instant::now(),
        }
    }

    /// Alice invites bob; returns (alice's session, bob's session).
    fn invite(&mut self, transport: Transport) -> (SessionId, SessionId) {
        let id = self.alice.new_session_id();
        self.alice.invite(
            id,
            "sip:bob@127.0.0.1:5080",
            OFFER.to_vec(),
            hop(transport),
            self.now,
        );
        let out = drain(&mut self.alice);
        assert_eq!(out.methods(), vec!["INVITE"]);
        deliver(&mut self.bob, &out.packets, self.now);
        let at_bob = drain(&mut self.bob);
        assert_eq!(at_bob.methods(), vec!["100"]);
        let [SessionEvent::Offered {
            session, from, sdp, ..
        }] = &at_bob.events[..]
        else {
            panic!("expected an offer, got {:?}", at_bob.events);
        };
        assert_eq!(from, "sip:alice@127.0.0.1:5070");
        assert_eq!(sdp, OFFER);
        deliver(&mut self.alice, &at_bob.packets, self.now);
        assert!(drain(&mut self.alice).events.is_empty(), "100 is not shown");
        (id, *session)
    }

    /// Bob accepts; the 200 and the ACK cross. Returns what alice saw.
    fn accept(&mut self, bob_session: SessionId) -> Vec<SessionEvent> {
        self.bob
            .accept_session(bob_session, ANSWER.to_vec(), self.now)
            .unwrap();
        let ok = drain(&mut self.bob);
        assert_eq!(ok.methods(), vec!["200"]);
        let resp = ok.find("200");
        assert_eq!(resp.header("Content-Type"), Some("application/sdp"));
        assert!(resp.header("Contact").unwrap().contains("127.0.0.1:5080"));
        deliver(&mut self.alice, &ok.packets, self.now);
        let ack = drain(&mut self.alice);
        assert_eq!(ack.methods(), vec!["ACK"]);
        deliver(&mut self.bob, &ack.packets, self.now);
        let confirmed = drain(&mut self.bob);
        assert_eq!(
            confirmed.events,
            vec![SessionEvent::Confirmed { session: bob_session }]
        );
        ack.events
    }
}

#[test]
fn a_bye_with_a_reason_names_the_true_cause_at_the_peer() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Tcp);
    p.accept(b);
    let cause = "could not open the chat connection to 192.168.77.10:38065 (refused)";
    p.bob.end_session_because(b, cause, p.now).unwrap();
    let bye = drain(&mut p.bob);
    assert_eq!(bye.methods(), vec!["BYE"]);
    assert_eq!(
        bye.find("BYE").header("Reason"),
        Some(format!("SIP ;cause=503 ;text=\"{cause}\"").as_str())
    );
    deliver(&mut p.alice, &bye.packets, p.now);
    let ended = drain(&mut p.alice);
    assert_eq!(
        ended.events,
        vec![SessionEvent::Ended {
            session: a,
            by_peer: true,
            reason: format!("bob: {cause}")
        }]
    );
}

#[test]
fn invite_accept_ack_bye_over_tcp() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Tcp);
    let seen = p.accept(b);
    assert_eq!(
        seen,
        vec![SessionEvent::Answered {
            session: a,
            sdp: ANSWER.to_vec()
        }]
    );
    // Alice hangs up: BYE in the dialog, bob learns who ended it.
    p.alice.end_session(a, p.now).unwrap();
    let bye = drain(&mut p.alice);
    assert_eq!(bye.methods(), vec!["BYE"]);
    assert!(matches!(
        &bye.events[..],
        [SessionEvent::Ended { by_peer: false, .. }]
    ));
    let bye_msg = bye.find("BYE");
    assert_eq!(
        bye_msg.request_uri(),
        Some("sip:bob@127.0.0.1:5080;transport=tcp")
    );
    assert_eq!(bye_msg.cseq().unwrap().1, Method::Bye);
    deliver(&mut p.bob, &bye.packets, p.now);
    let ended = drain(&mut p.bob);
    assert_eq!(ended.methods(), vec!["200"]);
    assert_eq!(
        ended.events,
        vec![SessionEvent::Ended {
            session: b,
            by_peer: true,
            reason: "alice ended the chat".into()
        }]
    );
    assert!(!p.bob.has_session(b));
    // A second BYE (say, a retransmission after the transaction ended) is 481.
    let mut again = bye_msg.clone();
    again.set_header("Via", "SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKother");
    p.bob.handle_packet(&again.to_bytes(), hop(Transport::Tcp), p.now);
    assert_eq!(drain(&mut p.bob).methods(), vec!["481"]);
}

#[test]
fn bob_hangs_up_with_bye_that_follows_alices_contact() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Udp);
    p.accept(b);
    p.bob.end_session(b, p.now).unwrap();
    let bye = drain(&mut p.bob);
    let msg = bye.find("BYE");
    assert_eq!(msg.request_uri(), Some("sip:alice@127.0.0.1:5070"));
    let (inv_from, bye_to) = (msg.to_header().unwrap(), msg.from_header().unwrap());
    assert!(inv_from.tag().is_some() && bye_to.tag().is_some());
    deliver(&mut p.alice, &bye.packets, p.now);
    let at_alice = drain(&mut p.alice);
    assert_eq!(at_alice.methods(), vec!["200"]);
    assert!(
        matches!(&at_alice.events[..], [SessionEvent::Ended { session, by_peer: true, .. }] if *session == a)
    );
}

#[test]
fn lost_200_over_udp_is_resent_and_each_copy_is_acked() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Udp);
    p.bob.accept_session(b, ANSWER.to_vec(), p.now).unwrap();
    drain(&mut p.bob); // the first 200 is lost
    let t = p.now + ms(500);
    p.bob.handle_timeout(t);
    let resent = drain(&mut p.bob);
    assert_eq!(resent.methods(), vec!["200"]);
    deliver(&mut p.alice, &resent.packets, t);
    deliver(&mut p.alice, &resent.packets, t); // and a duplicate
    let acks = drain(&mut p.alice);
    assert_eq!(acks.methods(), vec!["ACK", "ACK"]);
    assert_eq!(acks.events.len(), 1, "answered once: {:?}", acks.events);
    assert!(matches!(acks.events[0], SessionEvent::Answered { session, .. } if session == a));
    deliver(&mut p.bob, &acks.packets[..1], t);
    assert_eq!(
        drain(&mut p.bob).events,
        vec![SessionEvent::Confirmed { session: b }]
    );
    p.bob.handle_timeout(t + ms(2_000));
    assert!(drain(&mut p.bob).packets.is_empty(), "no resend after the ACK");
}

#[test]
fn rejection_is_acked_and_told_in_words() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Tcp);
    p.bob.reject_session(b, 486, p.now).unwrap();
    let busy = drain(&mut p.bob);
    assert_eq!(busy.methods(), vec!["486"]);
    assert!(matches!(
        &busy.events[..],
        [SessionEvent::Failed { code: Some(486), .. }]
    ));
    deliver(&mut p.alice, &busy.packets, p.now);
    let out = drain(&mut p.alice);
    assert_eq!(out.methods(), vec!["ACK"]);
    let ack = out.find("ACK");
    let invite_branch = busy.find("486").top_via().unwrap().branch().unwrap().to_string();
    assert_eq!(
        ack.top_via().unwrap().branch(),
        Some(invite_branch.as_str()),
        "same branch as the INVITE"
    );
    assert_eq!(
        out.events,
        vec![SessionEvent::Failed {
            session: a,
            code: Some(486),
            reason: "bob is busy (486 Busy Here)".into(),
            explained: false,
        }]
    );
    deliver(&mut p.bob, &out.packets, p.now);
    assert!(drain(&mut p.bob).packets.is_empty(), "the ACK is absorbed");
}

#[test]
fn a_refusal_with_a_warning_reaches_the_caller_in_its_words() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Tcp);
    p.bob
        .reject_session_with(
            b,
            488,
            Some((399, "the file is larger than the 100 MiB limit")),
            p.now,
        )
        .unwrap();
    let refused = drain(&mut p.bob);
    assert_eq!(refused.methods(), vec!["488"]);
    let warning = refused.find("488").header("Warning").unwrap().to_string();
    assert!(
        warning.starts_with("399 ") && warning.ends_with("\"the file is larger than the 100 MiB limit\""),
        "{warning}"
    );
    deliver(&mut p.alice, &refused.packets, p.now);
    let out = drain(&mut p.alice);
    assert_eq!(
        out.events,
        vec![SessionEvent::Failed {
            session: a,
            code: Some(488),
            reason:
                "bob's client refused: the file is larger than the 100 MiB limit (488 Not Acceptable Here)"
                    .into(),
            explained: true,
        }]
    );
}

#[test]
fn cancel_before_any_answer_waits_for_the_provisional() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Udp);
    // Bob's 100 was delivered in invite(); cancel now sends CANCEL at once.
    p.alice.end_session(a, p.now).unwrap();
    let cancel = drain(&mut p.alice);
    assert_eq!(cancel.methods(), vec!["CANCEL"]);
    assert!(matches!(
        &cancel.events[..],
        [SessionEvent::Failed { code: None, .. }]
    ));
    deliver(&mut p.bob, &cancel.packets, p.now);
    let at_bob = drain(&mut p.bob);
    let mut answers = at_bob.methods();
    answers.sort();
    assert_eq!(
        answers,
        vec!["200", "487"],
        "200 to the CANCEL, 487 to the INVITE"
    );
    assert_eq!(
        at_bob.events,
        vec![SessionEvent::Failed {
            session: b,
            code: Some(487),
            reason: "alice withdrew the invitation".into(),
            explained: false,
        }]
    );
    deliver(&mut p.alice, &at_bob.packets, p.now);
    let after = drain(&mut p.alice);
    assert_eq!(after.methods(), vec!["ACK"]);
    assert!(after.events.is_empty(), "the end was already told");
    assert!(!p.alice.has_session(a));
}

#[test]
fn cancel_without_provisional_goes_out_when_one_arrives() {
    let mut alice = agent("alice", 5070, 1);
    let mut bob = agent("bob", 5080, 2);
    let now = Instant::now();
    let a = alice.new_session_id();
    alice.invite(
        a,
        "sip:bob@127.0.0.1:5080",
        OFFER.to_vec(),
        hop(Transport::Tcp),
        now,
    );
    let invite = drain(&mut alice);
    alice.end_session(a, now).unwrap();
    assert!(drain(&mut alice).packets.is_empty(), "no CANCEL before a 1xx");
    deliver(&mut bob, &invite.packets, now);
    let trying = drain(&mut bob);
    deliver(&mut alice, &trying.packets, now);
    assert_eq!(drain(&mut alice).methods(), vec!["CANCEL"]);
}

#[test]
fn accepted_after_cancel_is_acked_and_hung_up() {
    let mut p = Pair::new();
    let (a, b) = p.invite(Transport::Tcp);
    p.alice.end_session(a, p.now).unwrap();
    drain(&mut p.alice); // the CANCEL is lost; bob accepts meanwhile
    p.bob.accept_session(b, ANSWER.to_vec(), p.now).unwrap();
    let ok = drain(&mut p.bob);
    deliver(&mut p.alice, &ok.packets, p.now);
    let out = drain(&mut p.alice);
    assert_eq!(out.methods(), vec!["ACK", "BYE"]);
    assert!(out.events.is_empty());
    deliver(&mut p.bob, &out.packets, p.now);
    let at_bob = drain(&mut p.bob);
    assert!(at_bob
        .events
        .iter()
        .any(|e| matches!(e, SessionEvent::Ended { by_peer: true, .. })));
}

#[test]
fn invite_to_nobody_times_out_with_words() {
    let mut alice = agent("alice", 5070, 1);
    let now = Instant::now();
    let a = alice.new_session_id();
    alice.invite(
        a,
        "sip:bob@127.0.0.1:5080",
        OFFER.to_vec(),
        hop(Transport::Udp),
        now,
    );
    let mut sent = drain(&mut alice).packets.len();
    while let Some(t) = alice.poll_timeout().filter(|t| *t <= now + ms(40_000)) {
        alice.handle_timeout(t);
        let d = drain(&mut alice);
        sent += d.packets.len();
        if let [SessionEvent::Failed {
            code: None, reason, ..
        }] = &d.events[..]
        {
            assert_eq!(reason, "no answer from bob at 127.0.0.1:5080 within 32 seconds");
            assert_eq!(sent, 7, "INVITE and six retransmissions");
            assert!(!alice.has_session(a));
            return;
        }
    }
    panic!("no timeout");
}

#[test]
fn the_callee_hanging_up_before_the_ack_sends_its_bye_after_the_ack() {
    let mut p = Pair::new();
    let (_, b) = p.invite(Transport::Udp);
    p.bob.accept_session(b, ANSWER.to_vec(), p.now).unwrap();
    let ok = drain(&mut p.bob);
    // Bob hangs up at once; the caller's ACK is still on its way.
    p.bob.end_session(b, p.now).unwrap();
    let early = drain(&mut p.bob);
    assert!(
        !early.methods().contains(&"BYE".to_string()),
        "{:?}",
        early.methods()
    );
    assert!(matches!(
        &early.events[..],
        [SessionEvent::Ended { by_peer: false, .. }]
    ));
    deliver(&mut p.alice, &ok.packets, p.now);
    let ack = drain(&mut p.alice);
    assert_eq!(ack.methods(), vec!["ACK"]);
    deliver(&mut p.bob, &ack.packets, p.now + ms(10));
    let after = drain(&mut p.bob);
    assert_eq!(after.methods(), vec!["BYE"], "the BYE follows the ACK");
    assert!(after.events.is_empty(), "ended once: {:?}", after.events);
}

#[test]
fn the_callees_queued_bye_goes_at_timer_h_when_no_ack_comes() {
    let mut p = Pair::new();
    let (_, b) = p.invite(Transport::Tcp);
    p.bob.accept_session(b, ANSWER.to_vec(), p.now).unwrap();
    drain(&mut p.bob);
    p.bob.end_session(b, p.now).unwrap();
    assert!(!drain(&mut p.bob).methods().contains(&"BYE".to_string()));
    p.bob.handle_timeout(p.now + ms(31_000));
    assert!(drain(&mut p.bob).methods().is_empty(), "not before 64*T1");
    p.bob.handle_timeout(p.now + ms(32_000));
    let out = drain(&mut p.bob);
    assert_eq!(out.methods(), vec!["BYE"]);
    assert!(out.events.is_empty(), "ended once: {:?}", out.events);
}

#[test]
fn unconfirmed_acceptance_ends_with_bye_after_timer_l() {
    let mut p = Pair::new();
    let (_, b) = p.invite(Transport::Tcp);
    p.bob.accept_session(b, ANSWER.to_vec(), p.now).unwrap();
    drain(&mut p.bob);
    p.bob.handle_timeout(p.now + ms(32_000));
    let out = drain(&mut p.bob);
    assert_eq!(out.methods(), vec!["BYE"]);
    assert!(matches!(
        &out.events[..],
        [SessionEvent::Ended { by_peer: false, .. }]
    ));
}

#[test]
fn reinvite_gets_our_description_again_and_stray_dialog_requests_481() {
    let mut p = Pair::new();
    let (_, b) = p.invite(Transport::Tcp);
    p.accept(b);
    // Bob (any side) refreshes with a re-INVITE: alice answers 200 with her offer.
    let mut reinvite = {
        let s = p.bob.sessions.map.get_mut(&b).unwrap();
        s.dialog.as_mut().unwrap().request(Method::Invite)
    };
    reinvite.push_header("Content-Type", "application/sdp");
    reinvite.body = ANSWER.to_vec();
    let tcp_from_bob = Hop {
        transport: Transport::Tcp,
        remote: BOB.parse().unwrap(),
        local: ALICE.parse().unwrap(),
        conn: None,
    };
    p.bob.prepare_request(&mut reinvite, &tcp_from_bob);
    p.alice.handle_packet(&reinvite.to_bytes(), tcp_from_bob, p.now);
    let out = drain(&mut p.alice);
    assert_eq!(out.methods(), vec!["200"]);
    assert_eq!(out.find("200").body, OFFER);
    assert!(out.events.is_empty());
    // A MESSAGE inside an unknown dialog is 481; inside ours it is a message.
    let mut stray = reinvite.clone();
    stray.start = SipMessage::request(Method::Message, "sip:alice@127.0.0.1:5070").start;
    stray.set_header("CSeq", "99 MESSAGE");
    stray.set_header("Call-ID", "not-a-dialog");
    stray.set_header("Via", "SIP/2.0/TCP 127.0.0.1:5080;branch=z9hG4bKstray");
    stray.set_header("Content-Type", "text/plain");
    p.alice.handle_packet(&stray.to_bytes(), tcp_from_bob, p.now);
    assert_eq!(drain(&mut p.alice).methods(), vec!["481"]);
}

#[test]
fn invite_without_offer_is_refused_488_and_other_bodies_415() {
    let mut alice = agent("alice", 5070, 1);
    let mut bob = agent("bob", 5080, 2);
    let now = Instant::now();
    let a = alice.new_session_id();
    alice.invite(
        a,
        "sip:bob@127.0.0.1:5080",
        OFFER.to_vec(),
        hop(Transport::Tcp),
        now,
    );
    let invite = drain(&mut alice).find("INVITE");
    let mut no_body = invite.clone();
    no_body.body.clear();
    no_body.remove_header("Content-Type");
    bob.handle_packet(&no_body.to_bytes(), hop(Transport::Tcp), now);
    let out = drain(&mut bob);
    assert_eq!(out.methods(), vec!["488"]);
    assert!(out.events.is_empty());
    let mut other = invite.clone();
    other.set_header("Content-Type", "text/plain");
    other.set_header("Via", "SIP/2.0/TCP 127.0.0.1:5070;branch=z9hG4bKtextplain");
    bob.handle_packet(&other.to_bytes(), hop(Transport::Tcp), now);
    let resp = drain(&mut bob).find("415");
    assert_eq!(resp.header("Accept"), Some("application/sdp"));
}

#[test]
fn too_many_sessions_get_busy() {
    let mut bob = agent("bob", 5080, 2);
    let mut alice = agent("alice", 5070, 1);
    let mut carol = agent("carol", 5071, 3);
    let now = Instant::now();
    for n in 0..=MAX_SESSIONS {
        // Alice has her own limit; carol makes the one call too many.
        let alice = if n < MAX_SESSIONS { &mut alice } else { &mut carol };
        let a = alice.new_session_id();
        alice.invite(
            a,
            "sip:bob@127.0.0.1:5080",
            OFFER.to_vec(),
            hop(Transport::Tcp),
            now,
        );
        let out = drain(alice);
        deliver(&mut bob, &out.packets, now);
        let answered = drain(&mut bob);
        if n < MAX_SESSIONS {
            assert_eq!(answered.methods(), vec!["100"]);
        } else {
            assert_eq!(answered.methods(), vec!["486"]);
        }
    }
}

#[test]
fn proxy_challenge_is_answered_with_a_new_cseq() {
    let mut alice = agent("alice", 5070, 1);
    let now = Instant::now();
    let a = alice.new_session_id();
    alice.invite(
        a,
        "sip:bob@sipchat.test",
        OFFER.to_vec(),
        hop(Transport::Tcp),
        now,
    );
    let invite = drain(&mut alice).find("INVITE");
    let mut challenge = crate::protocol::sip::builder::response_to(&invite, 407, Some("proxytag"));
    challenge.push_header(
        "Proxy-Authenticate",
        "Digest realm=\"sipchat.test\", nonce=\"abc123\", qop=\"auth\"",
    );
    alice.handle_packet(&challenge.to_bytes(), hop(Transport::Tcp), now);
    let out = drain(&mut alice);
    assert_eq!(out.methods(), vec!["ACK", "INVITE"]);
    let second = out.find("INVITE");
    assert_eq!(second.cseq().unwrap().0, 2);
    assert!(second
        .header("Proxy-Authorization")
        .unwrap()
        .contains("nonce=\"abc123\""));
    assert_eq!(second.call_id().unwrap(), invite.call_id().unwrap());
    // The same nonce again means the password is wrong: failure in words.
    let mut again = crate::protocol::sip::builder::response_to(&second, 407, Some("proxytag"));
    again.push_header(
        "Proxy-Authenticate",
        "Digest realm=\"sipchat.test\", nonce=\"abc123\"",
    );
    alice.handle_packet(&again.to_bytes(), hop(Transport::Tcp), now);
    let out = drain(&mut alice);
    assert!(
        matches!(&out.events[..], [SessionEvent::Failed { code: Some(407), .. }]),
        "{out:?}"
    );
}

#[test]
fn garbage_addresses_fail_without_sending() {
    let mut alice = agent("alice", 5070, 1);
    let a = alice.new_session_id();
    alice.invite(
        a,
        "not a uri",
        OFFER.to_vec(),
        hop(Transport::Tcp),
        Instant::now(),
    );
    let out = drain(&mut alice);
    assert!(out.packets.is_empty());
    assert!(matches!(
        &out.events[..],
        [SessionEvent::Failed { code: None, .. }]
    ));
    let _: SocketAddr = ALICE.parse().unwrap();
}
