//! Permission against a real Kamailio that asks it (`presence` +
//! `presence_xml` with `force_active=0`, `xcap_server` on `xhttp`, all on a
//! db_text database made at start from Kamailio's schema files:
//! `tests/kamailio/presence_rules.cfg`).
//!
//! A watcher alice has not allowed waits (pending) and sees nothing of her;
//! alice hears of the watcher through her own watcher-information
//! subscription (`presence.winfo`) and is asked once. With an XCAP root,
//! alice's decision is written as her pres-rules document (HTTP PUT with
//! the digest of her SIP credentials): allowed, carol sees her status;
//! blocked, carol's subscription ends (rejected) and she sees nothing;
//! the same through the command line (`contacts allow|block` handed to a
//! running `sipchat listen`). With a resource list, one SUBSCRIBE (to
//! Kamailio's rls, its list read from the xcap table) shows every contact.
//!
//! Skips when Kamailio is missing (unless required: `SIPCHAT_REQUIRE_KAMAILIO=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::{Kamailio, LogOnPanic};
use sipchat::model::{AccountId, PresenceStatus, WatchState};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::path::Path;
use std::time::{Duration, Instant};
use support::Running;

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(30);

const ALICE: &str = "sip:alice@sipchat.test";
const CAROL: &str = "sip:carol@sipchat.test";

/// `user`'s runtime on the server account; `extra` are more account
/// fields (ending in a comma).
fn start(kam: &Kamailio, user: &str, extra: &str, watch: &[&str], data_dir: &Path) -> Running {
    let config = support::config(&kam.account_config(user, &kam.proxy_uri("udp"), extra));
    Running::start_watching(config, data_dir, watch, WAIT)
}

/// Whether `event` shows alice to her watcher with a status other than
/// "unknown" or "offline" (what a watcher not allowed must never see).
fn shows_alice_online(event: &Event) -> bool {
    matches!(event, Event::Presence { contact, presence, .. }
        if contact == ALICE
            && presence.status != PresenceStatus::Offline
            && presence.status != PresenceStatus::Unknown)
}

#[test]
fn a_watcher_not_allowed_waits_and_alice_is_asked_once() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut alice = start(&kam, "alice", "", &[], dirs.0.path());
    alice.wait_registered("alice");
    let mut carol = start(&kam, "carol", "", &[ALICE], dirs.1.path());
    carol.wait_registered("carol");

    carol.wait_for("carol waiting for alice's permission", |e| match e {
        Event::Presence {
            contact,
            watch: WatchState::Pending,
            ..
        } if contact == ALICE => Some(()),
        _ => None,
    });
    let watcher = alice.wait_for("alice asked about carol", |e| match e {
        Event::PresenceRequest { watcher, .. } => Some(watcher.clone()),
        _ => None,
    });
    assert_eq!(watcher, CAROL, "{}", kam.log());

    // Nothing of alice reaches carol; alice is not asked again.
    carol.settle(Duration::from_secs(3));
    alice.settle(Duration::from_millis(100));
    let seen = carol.seen.iter().find(|e| shows_alice_online(e));
    assert!(seen.is_none(), "carol saw alice: {seen:#?}\n{}", kam.log());
    let asked = alice.count(|e| matches!(e, Event::PresenceRequest { .. }));
    assert_eq!(asked, 1, "{:#?}", alice.seen);
    alice.handle.shutdown();
    carol.handle.shutdown();
}

#[test]
fn a_watcher_not_allowed_sees_nothing_until_allowed_and_nothing_once_blocked() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let xcap = format!("presence: (xcap_root: \"{}\"),", kam.xcap_root());
    let mut alice = start(&kam, "alice", &xcap, &[], dirs.0.path());
    alice.wait_registered("alice");
    let mut carol = start(&kam, "carol", "", &[ALICE], dirs.1.path());
    carol.wait_registered("carol");
    carol.wait_for("carol waiting for alice's permission", |e| match e {
        Event::Presence {
            contact,
            watch: WatchState::Pending,
            ..
        } if contact == ALICE => Some(()),
        _ => None,
    });
    let watcher = alice.wait_for("alice asked about carol", |e| match e {
        Event::PresenceRequest { watcher, .. } => Some(watcher.clone()),
        _ => None,
    });
    assert!(!carol.seen.iter().any(shows_alice_online), "{:#?}", carol.seen);

    // Allowed: her rules reach the server, and carol sees her status.
    let allowed = Instant::now();
    alice
        .handle
        .send(Command::DecideWatcher {
            account: AccountId("alice".into()),
            watcher: watcher.clone(),
            allow: true,
        })
        .unwrap();
    carol.wait_for("carol seeing alice available", |e| match e {
        Event::Presence {
            contact,
            presence,
            watch: WatchState::Active,
            ..
        } if contact == ALICE && presence.status == PresenceStatus::Available => Some(()),
        _ => None,
    });
    let took = allowed.elapsed();
    eprintln!("FIGURE carol saw alice {took:?} after alice allowed her");
    assert!(
        took < Duration::from_secs(5),
        "the issue asks for 5 s; took {took:?}\n{}",
        kam.log()
    );

    // Blocked: carol's subscription ends, rejected, and shows nothing.
    let blocked = Instant::now();
    alice
        .handle
        .send(Command::DecideWatcher {
            account: AccountId("alice".into()),
            watcher,
            allow: false,
        })
        .unwrap();
    let already = carol.seen.len();
    carol.wait_for("carol refused", |e| match e {
        Event::Presence {
            contact,
            watch: WatchState::Refused,
            presence,
            ..
        } if contact == ALICE => Some(presence.status),
        _ => None,
    });
    eprintln!(
        "FIGURE carol's subscription ended {:?} after alice blocked her",
        blocked.elapsed()
    );
    carol.settle(Duration::from_secs(2));
    let after: Vec<&Event> = carol.seen[already..]
        .iter()
        .filter(|e| shows_alice_online(e))
        .collect();
    assert!(after.iter().all(|e| !matches!(
        e,
        Event::Presence {
            watch: WatchState::Refused,
            ..
        }
    )));
    let last = carol.seen.iter().rev().find_map(|e| match e {
        Event::Presence {
            contact,
            presence,
            watch,
            ..
        } if contact == ALICE => Some((presence.status, watch.clone())),
        _ => None,
    });
    assert!(
        matches!(
            last,
            Some((
                PresenceStatus::Unknown | PresenceStatus::Offline,
                WatchState::Refused
            ))
        ),
        "{last:?}"
    );
    let errors: Vec<&Event> = alice
        .seen
        .iter()
        .filter(|e| matches!(e, Event::Error { .. }))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    alice.handle.shutdown();
    carol.handle.shutdown();
}

#[test]
fn a_refused_xcap_write_is_said_in_words() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // (SIP is not challenged by this server; its XCAP side is)
    let config = support::config(&format!(
        r#"(
    accounts: [(name: "alice", uri: "sip:alice@{domain}", password: "not-alices",
                proxy: "{proxy}", expires: 300, presence: (xcap_root: "{root}"))],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        proxy = kam.proxy_uri("udp"),
        root = kam.xcap_root(),
    ));
    let options = RuntimeOptions {
        data_dir: Some(dir.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let mut alice = Running::start(config, options);
    alice.timeout = WAIT;
    let refused = "the XCAP server did not accept the account's user name and password; trying again in ";
    let rules = format!("could not keep who may see your status on the server: {refused}");
    alice.wait_for("alice told her rules were refused", |e| match e {
        Event::Error { message, .. } if message.starts_with(&rules) => Some(()),
        _ => None,
    });
    // Her contact list (resource lists) is refused the same way, in words.
    let contacts = format!("could not keep your contacts on the server: {refused}");
    alice.wait_for("alice told her contact list was refused", |e| match e {
        Event::Error { message, .. } if message.starts_with(&contacts) => Some(()),
        _ => None,
    });
    let others: Vec<&Event> = alice
        .seen
        .iter()
        .filter(|e| matches!(e, Event::Error { message, .. } if !message.starts_with(&rules) && !message.starts_with(&contacts)))
        .collect();
    assert!(others.is_empty(), "{others:#?}");
    alice.handle.shutdown();
}

/// PUTs `document` as `user`'s XCAP document of application `auid`, with
/// the digest of their password; panics unless the server took it.
fn xcap_put(kam: &Kamailio, user: &str, auid: &str, content_type: &'static str, document: &str) {
    use sipchat::protocol::xcap::{document_url, http, Exchange, Next};
    use std::io::{Read, Write};
    let root = http::Url::parse(&kam.xcap_root()).unwrap();
    let xui = format!("sip:{user}@{}", kamailio::DOMAIN);
    let url = document_url(&root, auid, &xui, "index");
    let mut exchange = Exchange::put(url.clone(), content_type, document.as_bytes().to_vec(), None);
    let mut request = exchange.request();
    for _ in 0..2 {
        let mut stream = std::net::TcpStream::connect((url.host.as_str(), url.port)).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.write_all(&request).unwrap();
        let mut received = Vec::new();
        stream.read_to_end(&mut received).unwrap();
        let response = http::Response::parse(&received, true).unwrap().unwrap();
        match exchange.on_response(&response, user, kamailio::password(user), "test-cnonce") {
            Next::Send(again) => request = again,
            Next::Done(result) => {
                result.unwrap_or_else(|e| panic!("XCAP PUT of {auid}: {e}\n{}", kam.log()));
                return;
            }
        }
    }
    panic!("XCAP PUT of {auid} was challenged twice");
}

#[test]
fn one_resource_list_subscription_shows_every_contact() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let list = format!("sip:alice-list@{}", kamailio::DOMAIN);
    let services = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rls-services xmlns="urn:ietf:params:xml:ns:rls-services" xmlns:rl="urn:ietf:params:xml:ns:resource-lists">
<service uri="{list}">
<list><rl:entry uri="sip:bob@sipchat.test"/><rl:entry uri="sip:carol@sipchat.test"/></list>
<packages><package>presence</package></packages>
</service>
</rls-services>"#
    );
    let _log = LogOnPanic(&kam);
    xcap_put(
        &kam,
        "alice",
        "rls-services",
        "application/rls-services+xml",
        &services,
    );

    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // Bob lets alice see him (his rules, written because she is his contact).
    let bob_xcap = format!("presence: (xcap_root: \"{}\"),", kam.xcap_root());
    let mut bob = start(&kam, "bob", &bob_xcap, &[ALICE], dirs.0.path());
    bob.wait_registered("bob");
    let alice_list = format!("presence: (list: \"{list}\"),");
    let started = Instant::now();
    let mut alice = start(
        &kam,
        "alice",
        &alice_list,
        &["sip:bob@sipchat.test", CAROL],
        dirs.1.path(),
    );
    alice.wait_registered("alice");
    alice.wait_for("alice seeing bob available through her list", |e| match e {
        Event::Presence {
            contact,
            presence,
            watch: WatchState::Active,
            ..
        } if contact == "sip:bob@sipchat.test" && presence.status == PresenceStatus::Available => Some(()),
        _ => None,
    });
    eprintln!(
        "FIGURE alice saw bob through her list {:?} after her start",
        started.elapsed()
    );
    // (Carol is on the list and has allowed no one. Kamailio 5.6's rls was
    // not seen to report her pending instance to alice, so that is not
    // checked here; the feature's tests show a pending instance.)
    // Alice's own SUBSCRIBEs: one, to the list; rls subscribed to bob.
    let log = kam.log();
    let alice_subscribes: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.contains("subscribe-log") && l.contains("from sip:alice@sipchat.test contact <sip:alice@")
        })
        .collect();
    assert!(
        !alice_subscribes.is_empty()
            && alice_subscribes
                .iter()
                .all(|l| l.contains("subscribe-log sip:alice")),
        "alice subscribed to something other than her list or her watcher info: {alice_subscribes:#?}"
    );
    assert!(
        alice_subscribes
            .iter()
            .any(|l| l.contains("subscribe-log sip:alice-list@sipchat.test")),
        "{alice_subscribes:#?}"
    );
    assert!(
        log.lines().any(|l| l
            .contains("subscribe-log sip:bob@sipchat.test from sip:alice@sipchat.test contact <sip:rls@")),
        "rls did not subscribe to bob for alice\n{log}"
    );
    alice.handle.shutdown();
    bob.handle.shutdown();
}

#[test]
fn contacts_allow_and_block_on_the_command_line_reach_the_server() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let _log = LogOnPanic(&kam);
    let dir = tempfile::tempdir().unwrap();
    let alice_config = dir.path().join("alice.ron");
    std::fs::write(
        &alice_config,
        format!(
            r#"(
    accounts: [(name: "alice", uri: "{ALICE}", password: "alice-secret",
                proxy: "{proxy}", expires: 300, presence: (xcap_root: "{root}"))],
    local: (enabled: false),
)"#,
            proxy = kam.proxy_uri("udp"),
            root = kam.xcap_root(),
        ),
    )
    .unwrap();
    let alice_data = dir.path().join("alice");
    let mut child = cli::sipchat()
        .arg("--config")
        .arg(&alice_config)
        .arg("--data-dir")
        .arg(&alice_data)
        .args(["listen", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let alice_lines = cli::lines_of(&mut child);
    let _alice = cli::Killed(child);
    cli::next_event(&alice_lines, "registered");

    let carol_dir = tempfile::tempdir().unwrap();
    let mut carol = start(&kam, "carol", "", &[ALICE], carol_dir.path());
    carol.wait_registered("carol");
    let request = cli::next_event(&alice_lines, "presence_request");
    assert_eq!(request["watcher"], CAROL, "{request}");

    let contacts = |args: &[&str]| {
        cli::sipchat()
            .arg("--config")
            .arg(&alice_config)
            .arg("--data-dir")
            .arg(&alice_data)
            .arg("contacts")
            .args(args)
            .output()
            .unwrap()
    };
    let asked = Instant::now();
    let allowed = contacts(&["allow", CAROL]);
    assert!(allowed.status.success(), "{allowed:?}");
    carol.wait_for("carol seeing alice available", |e| match e {
        Event::Presence {
            contact,
            presence,
            watch: WatchState::Active,
            ..
        } if contact == ALICE && presence.status == PresenceStatus::Available => Some(()),
        _ => None,
    });
    let took = asked.elapsed();
    eprintln!("FIGURE `contacts allow` to carol seeing alice: {took:?}");
    assert!(
        took < Duration::from_secs(5),
        "the issue asks for 5 s; took {took:?}"
    );

    let blocked = contacts(&["block", CAROL]);
    assert!(blocked.status.success(), "{blocked:?}");
    carol.wait_for("carol refused", |e| match e {
        Event::Presence {
            contact,
            watch: WatchState::Refused,
            ..
        } if contact == ALICE => Some(()),
        _ => None,
    });
    carol.handle.shutdown();
}
