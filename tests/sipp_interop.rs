//! Interop with SIPp (Debian's sip-tester), an implementation nobody here
//! wrote: it sends MESSAGE to sipchat, and answers sipchat's MESSAGE with
//! chosen status codes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::DeliveryState;
use sipchat::runtime::{Event, RuntimeOptions};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{free_port, local_config, Running};

fn sipp() -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join("sipp"))
        .find(|p| p.exists());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none() && std::env::var_os("SIPCHAT_REQUIRE_SIPP").is_none(),
            "sipp (Debian package sip-tester) is required here"
        );
        eprintln!("skipping: sipp is not installed (apt-get install sip-tester)");
    }
    found
}

fn scenario(name: &str) -> String {
    format!("{}/tests/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn run_to_end(mut child: Child, limit: Duration) -> std::process::Output {
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("sipp did not finish in {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn sipp_sends_to_sipchat(transport: &str) {
    let Some(sipp) = sipp() else { return };
    let port = free_port();
    let mut bob = Running::start(local_config("bob", port), RuntimeOptions::default());
    let child = Command::new(sipp)
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "-sf",
            &scenario("uac_message.xml"),
            "-m",
            "3",
            "-s",
            "bob",
            "-t",
            transport,
        ])
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &free_port().to_string(),
            "-nostdin",
            "-timeout",
            "15s",
        ])
        .args(["-trace_err", "-error_file", "/dev/stderr"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = run_to_end(child, Duration::from_secs(30));
    assert!(
        out.status.success(),
        "sipp failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    for n in 1..=3 {
        let m = bob.wait_message(&format!("Hello from SIPp {n}"));
        assert_eq!(m.from_name.as_deref(), Some("SIPp Tester"));
        assert_eq!(m.subject.as_deref(), Some("from sipp"));
    }
    bob.settle(Duration::from_millis(100));
    assert_eq!(bob.count(|e| matches!(e, Event::MessageReceived(_))), 3);
}

#[test]
fn sipp_sends_over_udp() {
    sipp_sends_to_sipchat("u1");
}

#[test]
fn sipp_sends_over_tcp() {
    sipp_sends_to_sipchat("t1");
}

fn sipchat_sends_to_sipp(status: &str, reason: &str) -> DeliveryState {
    let Some(sipp) = sipp() else {
        return DeliveryState::Failed {
            code: None,
            reason: "skipped".into(),
        };
    };
    let sipp_port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let rendered = dir.path().join("uas.xml");
    let template = std::fs::read_to_string(scenario("uas_message.xml")).unwrap();
    std::fs::write(
        &rendered,
        template.replace("@STATUS@", status).replace("@REASON@", reason),
    )
    .unwrap();
    let child = Command::new(sipp)
        .args(["-sf", rendered.to_str().unwrap(), "-m", "1", "-t", "u1"])
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &sipp_port.to_string(),
            "-nostdin",
            "-timeout",
            "15s",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300)); // let sipp bind
    let (mut alice, _) = Running::start_local(local_config("alice", 0), RuntimeOptions::default());
    let id = alice.send(
        "local",
        &format!("sip:service@127.0.0.1:{sipp_port}"),
        "hello sipp",
    );
    let state = alice.wait_delivery(id);
    let out = run_to_end(child, Duration::from_secs(20));
    assert!(
        out.status.success(),
        "sipp: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    state
}

#[test]
fn sipp_answers_200_202_and_486() {
    if sipp().is_none() {
        return;
    }
    assert_eq!(sipchat_sends_to_sipp("200", "OK"), DeliveryState::Accepted);
    let stored = sipchat_sends_to_sipp("202", "Accepted");
    assert_eq!(stored, DeliveryState::StoredForLater);
    assert_eq!(stored.describe(), "stored by the server for later delivery (202)");
    assert_eq!(
        sipchat_sends_to_sipp("486", "Busy Here"),
        DeliveryState::Failed {
            code: Some(486),
            reason: "service is busy (486 Busy Here)".into()
        }
    );
}

/// Runs `uac_resend.xml` once against `port` with a fixed Call-ID and From
/// tag, so a second run resends the very same message.
fn run_resend_scenario(sipp: &std::path::Path, port: u16, transport: &str) {
    let child = Command::new(sipp)
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "-sf",
            &scenario("uac_resend.xml"),
            "-m",
            "1",
            "-s",
            "bob",
            "-t",
            transport,
        ])
        .args(["-cid_str", "resend-%u@sipp.test", "-key", "tag", "fixed-tag-1"])
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &free_port().to_string(),
            "-nostdin",
            "-timeout",
            "20s",
        ])
        .args(["-trace_err", "-error_file", "/dev/stderr"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = run_to_end(child, Duration::from_secs(40));
    assert!(
        out.status.success(),
        "sipp failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_resend_with_a_new_branch_is_stored_once_also_after_a_restart() {
    let Some(sipp) = sipp() else { return };
    let data = tempfile::tempdir().unwrap();
    let options = || RuntimeOptions {
        data_dir: Some(data.path().to_path_buf()),
        ..RuntimeOptions::default()
    };
    let received =
        |e: &Event| matches!(e, Event::MessageReceived(m) if m.body.trim() == "Resent but stored once");
    let port = free_port();
    let mut bob = Running::start(local_config("bob", port), options());
    // Both copies answered 200, the one for carol 404, SIP/7.0 505 (sipp
    // fails otherwise), over UDP and then again over TCP.
    run_resend_scenario(&sipp, port, "u1");
    run_resend_scenario(&sipp, port, "t1");
    bob.wait_message("Resent but stored once");
    bob.settle(Duration::from_millis(300));
    assert_eq!(bob.count(received), 1, "{:#?}", bob.seen);
    assert_eq!(
        bob.count(|e| matches!(e, Event::MessageReceived(_))),
        1,
        "nothing for carol"
    );
    bob.handle.shutdown();
    bob.settle(Duration::from_secs(5));
    drop(bob);

    // A new process on the same history: the store still knows it.
    let port = free_port();
    let mut bob = Running::start(local_config("bob", port), options());
    run_resend_scenario(&sipp, port, "u1");
    bob.settle(Duration::from_millis(500));
    assert_eq!(bob.count(received), 0, "{:#?}", bob.seen);
    bob.handle.shutdown();
    bob.settle(Duration::from_secs(5));
    drop(bob);
    let store = sipchat::store::Store::open(&sipchat::store::Store::path_in(data.path())).unwrap();
    let hits = store.search("stored once", None, 10).unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
}

#[test]
fn a_wildcard_bind_answers_with_an_address_peers_can_reach() {
    let Some(sipp) = sipp() else { return };
    let config = support::config(r#"(accounts: [], local: (user: "bob", bind: "0.0.0.0", port: 5060))"#);
    let options = RuntimeOptions {
        accept_chats: true,
        ..RuntimeOptions::default()
    };
    // Any free port, chosen by the runtime: a port picked in advance can be
    // taken by a parallel test before the runtime binds it.
    let (_bob, port) = Running::start_local(config, options);
    let child = Command::new(sipp)
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "-sf",
            &scenario("uac_invite_contact.xml"),
            "-m",
            "1",
            "-s",
            "bob",
            "-t",
            "u1",
        ])
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &free_port().to_string(),
            "-nostdin",
            "-timeout",
            "20s",
        ])
        .args(["-trace_err", "-error_file", "/dev/stderr"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = run_to_end(child, Duration::from_secs(40));
    assert!(
        out.status.success(),
        "sipp failed (a Contact with 0.0.0.0, or none with 127.0.0.1?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
