//! Who is trusted to raise an alert, on virtual time: URIs over the
//! account's own flow, source addresses and networks on any account, and
//! host names looked up at start and on a schedule.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::protocol::alert::{classify, AlertInput, Verdict};
use crate::protocol::sip::uri::Transport;
use crate::transport::dns::DnsError;
use std::net::SocketAddr;
use std::time::Duration;

fn at(start: Instant, after: Duration) -> Now {
    Now {
        at: start + after,
        unix_ms: 1_700_000_000_000,
    }
}

fn entry(text: &str) -> TrustedSender {
    match TrustedSender::parse(text).unwrap() {
        TrustedSender::Uri(uri) => TrustedSender::Uri(conversation_key(&uri)),
        other => other,
    }
}

fn inbox(server_account: bool, entries: &[&str]) -> Inbox {
    Inbox::new(InboxSettings {
        account: AccountId(if server_account { "work" } else { "local" }.into()),
        trusted_alert_senders: entries.iter().map(|e| entry(e)).collect(),
        server_account,
        max_file_size: 1024,
        accept_files: None,
    })
}

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

/// The seed alert: `From: <sip:Emergency Alert>`, `Subject: Emergency Alert`.
fn seed_alert(from: &str, source: SocketAddr) -> ArrivedMessage {
    let body = "Evacuate the building";
    ArrivedMessage {
        from: from.into(),
        from_name: None,
        to: "sip:me@127.0.0.1".into(),
        content_type: "text/plain".into(),
        content_type_header: "text/plain".into(),
        body: body.into(),
        subject: Some("Emergency Alert".into()),
        priority: None,
        call_id: "seed-1".into(),
        from_tag: "seed-tag".into(),
        cseq: 1,
        transport: Transport::Udp,
        conn: None,
        source: Some(source),
        file: None,
        alert: classify(&AlertInput {
            content_type: "text/plain",
            subject: Some("Emergency Alert"),
            priority: None,
            body,
        })
        .map(Box::new),
    }
}

/// The verdict the inbox reaches for `message` (it asks to store it first).
fn verdict(inbox: &mut Inbox, message: ArrivedMessage, server_flow: Option<Hop>) -> Verdict {
    inbox.handle(
        InboxInput::Arrived {
            token: IncomingToken(1),
            message: Box::new(message),
            server_flow,
        },
        at(Instant::now(), Duration::ZERO),
    );
    let effects: Vec<InboxEffect> = std::iter::from_fn(|| inbox.poll_effect()).collect();
    match effects.as_slice() {
        [InboxEffect::Store(InboxStoreOp::Alert { verdict, .. })] => verdict.clone(),
        other => panic!("one store op, no answer yet: {other:?}"),
    }
}

const SEED_FROM: &str = "sip:Emergency Alert";

#[test]
fn the_local_account_trusts_the_seed_alert_by_its_source_address_only() {
    let mut local = inbox(false, &["127.0.0.1"]);
    assert_eq!(
        verdict(&mut local, seed_alert(SEED_FROM, addr("127.0.0.1:5070")), None),
        Verdict::Raise
    );
    // The same MESSAGE from a second loopback address is a claim.
    assert_eq!(
        verdict(&mut local, seed_alert(SEED_FROM, addr("127.0.0.2:5070")), None),
        Verdict::Untrusted
    );
    // Over a dual-stack socket the source is v4-mapped.
    assert_eq!(
        verdict(
            &mut local,
            seed_alert(SEED_FROM, addr("[::ffff:127.0.0.1]:5070")),
            None
        ),
        Verdict::Raise
    );
    // Nothing listed: nothing trusted.
    let mut nobody = inbox(false, &[]);
    assert_eq!(
        verdict(&mut nobody, seed_alert(SEED_FROM, addr("127.0.0.1:5070")), None),
        Verdict::Untrusted
    );
}

#[test]
fn networks_trust_every_address_inside_and_none_beyond() {
    let mut local = inbox(false, &["10.1.0.0/16", "2001:db8::/32"]);
    for (source, expected) in [
        ("10.1.0.0:5060", Verdict::Raise),
        ("10.1.255.255:5060", Verdict::Raise),
        ("10.2.0.0:5060", Verdict::Untrusted),
        ("10.0.255.255:5060", Verdict::Untrusted),
        ("[2001:db8:1::9]:5060", Verdict::Raise),
        ("[2001:db9::9]:5060", Verdict::Untrusted),
    ] {
        assert_eq!(
            verdict(&mut local, seed_alert(SEED_FROM, addr(source)), None),
            expected,
            "{source}"
        );
    }
}

#[test]
fn a_uri_entry_matches_from_and_never_the_source_address() {
    // A URI naming the sender's address does not trust that address.
    let mut local = inbox(false, &["sip:127.0.0.1"]);
    assert_eq!(
        verdict(&mut local, seed_alert(SEED_FROM, addr("127.0.0.1:5070")), None),
        Verdict::Untrusted
    );
    // On the local account a listed From is enough (it has no server flow).
    let mut local = inbox(false, &["sip:alerts@example.org"]);
    assert_eq!(
        verdict(
            &mut local,
            seed_alert("sip:alerts@EXAMPLE.org", addr("192.0.2.9:5060")),
            None
        ),
        Verdict::Raise
    );
}

#[test]
fn on_a_server_account_a_listed_from_counts_only_over_its_own_flow() {
    let flow = Hop {
        transport: Transport::Udp,
        remote: addr("192.0.2.1:5060"),
        local: addr("192.0.2.100:5060"),
        conn: None,
    };
    let mut work = inbox(true, &["sip:alerts@example.org"]);
    let from = "sip:alerts@example.org";
    assert_eq!(
        verdict(&mut work, seed_alert(from, addr("192.0.2.1:5060")), Some(flow)),
        Verdict::Raise
    );
    // Straight from elsewhere, or with the flow down: a claim.
    assert_eq!(
        verdict(&mut work, seed_alert(from, addr("192.0.2.66:5060")), Some(flow)),
        Verdict::Untrusted
    );
    assert_eq!(
        verdict(&mut work, seed_alert(from, addr("192.0.2.1:5060")), None),
        Verdict::Untrusted
    );
    // Over a stream flow, only its connection counts.
    let stream = Hop {
        transport: Transport::Tls,
        conn: Some(7),
        ..flow
    };
    let mut over = seed_alert(from, addr("192.0.2.1:5061"));
    over.conn = Some(7);
    assert_eq!(verdict(&mut work, over.clone(), Some(stream)), Verdict::Raise);
    over.conn = Some(8);
    assert_eq!(verdict(&mut work, over, Some(stream)), Verdict::Untrusted);
    // A listed address is trusted on a server account too, whatever the flow.
    let mut direct = inbox(true, &["198.51.100.7"]);
    assert_eq!(
        verdict(
            &mut direct,
            seed_alert(SEED_FROM, addr("198.51.100.7:5060")),
            Some(flow)
        ),
        Verdict::Raise
    );
}

#[test]
fn host_names_are_looked_up_at_start_then_every_few_minutes() {
    let start = Instant::now();
    let mut local = inbox(false, &["alerts.example.org", "ALERTS.example.org.", "127.0.0.9"]);
    assert_eq!(local.poll_timeout(), None, "nothing is due before the start");
    local.handle(InboxInput::Started, at(start, Duration::ZERO));
    let effects: Vec<InboxEffect> = std::iter::from_fn(|| local.poll_effect()).collect();
    let [InboxEffect::Resolve { host }] = effects.as_slice() else {
        panic!("one lookup per name: {effects:?}")
    };
    assert_eq!(host, "alerts.example.org");
    assert_eq!(
        local.poll_timeout(),
        None,
        "no second lookup while one is under way"
    );
    // Before the answer, the name's address is not trusted.
    let source = addr("198.51.100.20:5060");
    assert_eq!(
        verdict(&mut local, seed_alert(SEED_FROM, source), None),
        Verdict::Untrusted
    );
    local.handle(
        InboxInput::Resolved {
            host: host.clone(),
            result: Ok(vec![source.ip()]),
        },
        at(start, Duration::from_secs(1)),
    );
    assert_eq!(
        verdict(&mut local, seed_alert(SEED_FROM, source), None),
        Verdict::Raise
    );
    let refresh = start + Duration::from_secs(1) + HOST_REFRESH;
    assert_eq!(local.poll_timeout(), Some(refresh));
    // Due exactly at the refresh, not before.
    let mut early = inbox(false, &["alerts.example.org"]);
    early.handle(InboxInput::Started, at(start, Duration::ZERO));
    let _ = std::iter::from_fn(|| early.poll_effect()).count();
    early.handle(
        InboxInput::Resolved {
            host: "alerts.example.org".into(),
            result: Ok(vec![source.ip()]),
        },
        at(start, Duration::ZERO),
    );
    early.handle_timeout(at(start, HOST_REFRESH - Duration::from_millis(1)));
    assert!(
        early.poll_effect().is_none(),
        "not looked up again before the refresh"
    );
    early.handle_timeout(at(start, HOST_REFRESH));
    assert!(matches!(early.poll_effect(), Some(InboxEffect::Resolve { .. })));
    // A failed lookup keeps the last addresses and tries again sooner.
    early.handle(
        InboxInput::Resolved {
            host: "alerts.example.org".into(),
            result: Err(InboxError::Lookup(DnsError::Timeout {
                name: "alerts.example.org".into(),
            })),
        },
        at(start, HOST_REFRESH),
    );
    assert_eq!(early.poll_timeout(), Some(start + HOST_REFRESH + HOST_RETRY));
    assert_eq!(
        verdict(&mut early, seed_alert(SEED_FROM, source), None),
        Verdict::Raise
    );
    // A new answer replaces the addresses: the old one is no longer trusted.
    early.handle_timeout(at(start, HOST_REFRESH + HOST_RETRY));
    assert!(matches!(early.poll_effect(), Some(InboxEffect::Resolve { .. })));
    early.handle(
        InboxInput::Resolved {
            host: "alerts.example.org".into(),
            result: Ok(vec!["198.51.100.21".parse().unwrap()]),
        },
        at(start, HOST_REFRESH + HOST_RETRY),
    );
    assert_eq!(
        verdict(&mut early, seed_alert(SEED_FROM, source), None),
        Verdict::Untrusted
    );
}
