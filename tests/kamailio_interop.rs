//! Interop against a real Kamailio started by the test on loopback: digest
//! auth (401 for REGISTER, 407 for MESSAGE), registration and routing over
//! UDP, TCP and TLS, through the runtime API and through the CLI binary.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use cli::sipchat_isolated;
use kamailio::Kamailio;
use sipchat::model::{DeliveryState, RegistrationState};
use sipchat::runtime::{Event, RuntimeOptions};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::Running;

fn account_ron(kam: &Kamailio, user: &str, transport: &str, password: &str, expires: u32) -> String {
    kam.account_config_with(
        user,
        password,
        &kam.proxy_uri(transport),
        expires,
        &kam.trust_field(),
    )
}

fn start_user(kam: &Kamailio, user: &str, transport: &str) -> Running {
    start_user_in(kam, user, transport, None)
}

fn start_user_in(kam: &Kamailio, user: &str, transport: &str, data_dir: Option<&Path>) -> Running {
    let pw = kamailio::password(user).unwrap();
    let config = support::config(&account_ron(kam, user, transport, pw, 300));
    let options = RuntimeOptions {
        data_dir: data_dir.map(Path::to_path_buf),
        ..RuntimeOptions::default()
    };
    let mut running = Running::start(config, options);
    let expires = running.wait_registered(user);
    assert!(expires > 0 && expires <= 300, "granted {expires}");
    running
}

fn exchange(bob_transport: &str, alice_transport: &str) {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let mut bob = start_user(&kam, "bob", bob_transport);
    let mut alice = start_user(&kam, "alice", alice_transport);
    let text = format!("hi bob over {alice_transport}->{bob_transport}");
    // And back again, to the address bob saw.
    support::message_both_ways(
        (&mut alice, &kam.aor("alice")),
        (&mut bob, &kam.aor("bob")),
        (&text, "hi alice"),
        || kam.log(),
    );
}

#[test]
fn udp_to_udp() {
    exchange("udp", "udp");
}

#[test]
fn tcp_to_tcp() {
    exchange("tcp", "tcp");
}

#[test]
fn tls_to_tls() {
    exchange("tls", "tls");
}

#[test]
fn udp_to_tls_and_back() {
    exchange("tls", "udp");
}

#[test]
fn unknown_and_offline_users_get_words() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let mut alice = start_user(&kam, "alice", "tcp");
    let id = alice.send("alice", &kam.aor("carol"), "are you there?");
    // Offline is worth retrying: the message waits in the outbox, and says why.
    let waiting = alice.wait_for("the retry", |e| match e {
        Event::DeliveryUpdate {
            id: got,
            state: state @ DeliveryState::Retrying { .. },
            ..
        } if *got == id => Some(state.clone()),
        _ => None,
    });
    let DeliveryState::Retrying { code, reason, .. } = &waiting else {
        unreachable!()
    };
    assert_eq!(*code, Some(480));
    assert_eq!(reason, "carol is not online (480 Temporarily Unavailable)");
    assert!(
        waiting.describe().starts_with(
            "not delivered yet: carol is not online (480 Temporarily Unavailable); trying again in 30 s"
        ) || waiting.describe().contains("trying again in 29 s"),
        "{}",
        waiting.describe()
    );
    let id = alice.send("alice", &kam.aor("nobody"), "hello?");
    match alice.wait_delivery(id) {
        DeliveryState::Failed {
            code: Some(404),
            reason,
        } => {
            assert!(
                reason.starts_with("nobody does not exist on that server (404"),
                "{reason}"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn offline_message_goes_out_from_the_outbox_when_bob_registers() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut alice = start_user_in(&kam, "alice", "tcp", Some(dir.path()));
    let id = alice.send("alice", &kam.aor("bob"), "while you were out");
    alice.wait_for("retry scheduled", |e| match e {
        Event::DeliveryUpdate {
            id: got,
            state: DeliveryState::Retrying { .. },
            ..
        } if *got == id => Some(()),
        _ => None,
    });
    // Alice quits with the message still waiting; it is in her outbox on disk.
    drop(alice);
    let mut bob = start_user(&kam, "bob", "udp");
    // Alice comes back: the outbox resends at once (due time is the retry
    // time; a restart also resends what was due) once she is registered.
    let mut alice = start_user_in(&kam, "alice", "tcp", Some(dir.path()));
    alice
        .handle
        .send(sipchat::runtime::Command::RetryMessage {
            id,
            account: sipchat::model::AccountId("alice".into()),
        })
        .unwrap();
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    bob.wait_message("while you were out");
    bob.settle(Duration::from_millis(300));
    assert_eq!(
        bob.count(|e| matches!(e, Event::MessageReceived(_))),
        1,
        "delivered once"
    );
    // Its whole story is in alice's history.
    drop(alice);
    let store = sipchat::store::Store::open_read_only(&sipchat::store::Store::path_in(dir.path())).unwrap();
    let history: Vec<String> = store
        .delivery_history(id)
        .unwrap()
        .into_iter()
        .map(|c| c.state.describe())
        .collect();
    assert_eq!(history.first().map(String::as_str), Some("queued"), "{history:?}");
    assert_eq!(
        history.last().map(String::as_str),
        Some("accepted by the recipient"),
        "{history:?}"
    );
    assert!(history.iter().any(|h| h == "sending"), "{history:?}");
}

#[test]
fn the_outbox_retries_on_its_own_until_the_contact_is_online() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let mut alice = start_user(&kam, "alice", "udp");
    let id = alice.send("alice", &kam.aor("bob"), "are you back?");
    let retry_at = alice.wait_for("retry scheduled", |e| match e {
        Event::DeliveryUpdate {
            id: got,
            state:
                DeliveryState::Retrying {
                    retry_at_ms,
                    code: Some(480),
                    ..
                },
            ..
        } if *got == id => Some(*retry_at_ms),
        _ => None,
    });
    let mut bob = start_user(&kam, "bob", "tcp");
    // No nudge: the scheduled attempt (30 s after the failure) delivers it.
    alice.timeout = Duration::from_secs(45);
    assert_eq!(alice.wait_delivery(id), DeliveryState::Accepted);
    let now_ms = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap();
    assert!(now_ms >= retry_at - 1000, "not before the announced time");
    bob.wait_message("are you back?");
}

/// How often Kamailio rejected credentials for `user` (its config logs each).
fn rejections(kam: &Kamailio, user: &str) -> usize {
    kam.log()
        .matches(&format!("REGISTER auth failed for '{user}'"))
        .count()
}

fn refusals(running: &Running) -> usize {
    running.count(|e| {
        matches!(
            e,
            Event::AccountState {
                state: RegistrationState::Refused { .. },
                ..
            }
        )
    })
}

#[test]
fn a_wrong_password_is_tried_twice_then_not_until_retry() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let config = support::config(&account_ron(&kam, "alice", "udp", "not-the-password", 300));
    let mut alice = Running::start(config, RuntimeOptions::default());
    let reason = alice.wait_for("the password refused", |e| match e {
        Event::AccountState {
            state: RegistrationState::Refused { reason },
            ..
        } => Some(reason.clone()),
        _ => None,
    });
    assert!(
        reason.starts_with("the server refused the password (401"),
        "{reason}"
    );
    assert!(!reason.contains("not-the-password"));
    assert_eq!(rejections(&kam, "alice"), 2, "log:\n{}", kam.log());
    // The backoff would have tried again within 6 s; nothing is tried.
    alice.settle(Duration::from_secs(15));
    assert_eq!(
        rejections(&kam, "alice"),
        2,
        "no tries until Retry:\n{}",
        kam.log()
    );
    assert!(
        matches!(
            alice.seen.last(),
            Some(Event::AccountState {
                state: RegistrationState::Refused { .. },
                ..
            })
        ),
        "it still waits: {:#?}",
        alice.seen
    );
    // Retry: two more, then it waits again.
    alice
        .handle
        .send(sipchat::runtime::Command::Register {
            account: sipchat::model::AccountId("alice".into()),
        })
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while refusals(&alice) < 2 {
        assert!(Instant::now() < deadline, "no second refusal: {:#?}", alice.seen);
        alice.settle(Duration::from_millis(200));
    }
    assert_eq!(rejections(&kam, "alice"), 4, "log:\n{}", kam.log());
}

#[test]
fn interval_too_brief_raises_the_expiry() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let config = support::config(&account_ron(&kam, "alice", "tcp", "alice-secret", 10));
    let mut alice = Running::start(config, RuntimeOptions::default());
    assert_eq!(alice.wait_registered("alice"), kamailio::MIN_EXPIRES);
}

#[test]
fn cli_listen_send_and_sigterm_unregisters() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bob_cfg = cli::write_config(
        dir.path(),
        "bob.ron",
        &account_ron(&kam, "bob", "tcp", "bob-secret", 300),
    );
    let alice_cfg = cli::write_config(
        dir.path(),
        "alice.ron",
        &account_ron(&kam, "alice", "udp", "alice-secret", 300),
    );

    let mut listen = sipchat_isolated()
        .args(["--config"])
        .arg(&bob_cfg)
        .args(["--data-dir"])
        .arg(dir.path().join("bob-data"))
        .args(["listen", "--json"])
        .env("SIPCHAT_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(listen.stdout.take().unwrap()).lines();
    let stderr_log = cli::gather_stderr(&mut listen);
    let mut next_json = |want: &str| -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            let Some(Ok(line)) = lines.next() else {
                std::thread::sleep(Duration::from_millis(200));
                panic!(
                    "listen ended waiting for {want}; its stderr:\n{}",
                    stderr_log.lock().unwrap()
                );
            };
            let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
            if v["event"] == want {
                return v;
            }
        }
        panic!("no {want} event");
    };
    let registered = next_json("registered");
    assert_eq!(registered["account"], "bob");

    let send =
        |to: &str, text: &str| cli::run_in(&alice_cfg, &dir.path().join("alice-data"), "send", &[to, text]);
    let ok = send(&kam.aor("bob"), "hello from the CLI");
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&ok.stdout).trim(),
        "accepted by the recipient"
    );
    let msg = next_json("message");
    assert_eq!(msg["body"], "hello from the CLI");
    assert_eq!(msg["from"], kam.aor("alice"));
    assert_eq!(msg["content_type"], "text/plain");
    assert!(msg["id"].is_u64() && msg["to"].is_string());

    // SIGTERM: bob unregisters and exits 0.
    cli::terminate(listen.id());
    next_json("unregistered");
    let status = listen.wait().unwrap();
    assert_eq!(status.code(), Some(0));

    // Now bob is gone: the message is kept for a later try (exit 3), and
    // the words say so and why (issue #13: "not online" is not "refused").
    let offline = send(&kam.aor("bob"), "still there?");
    let words = String::from_utf8_lossy(&offline.stderr);
    assert_eq!(offline.status.code(), Some(3), "{words}");
    assert!(
        words.contains("kept in the outbox: will be sent when")
            && words.contains("480 Temporarily Unavailable"),
        "{words}"
    );
    let unknown = send(&kam.aor("nobody"), "hi");
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("nobody does not exist on that server (404"));
}

#[test]
fn cli_usage_and_config_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = sipchat_isolated()
        .args(["--config"])
        .arg(dir.path().join("nope.ron"))
        .args(["send", "sip:a@b", "x"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));

    let typo = cli::write_config(
        dir.path(),
        "typo.ron",
        "(accounts: [(name: \"a\", uri: \"sip:a@b\", passwrod: \"x\")])",
    );
    let bad = sipchat_isolated()
        .arg("--config")
        .arg(&typo)
        .args(["send", "sip:a@b", "x"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("typo.ron:1:") && err.contains("passwrod"), "{err}");

    let usage = sipchat_isolated().args(["send"]).output().unwrap();
    assert_eq!(usage.status.code(), Some(2));

    // First run with the default path writes a commented example.
    let home = dir.path().join("home");
    let first = sipchat_isolated()
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .args(["send", "--account", "nosuch", "sip:a@b", "x"])
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&first.stderr).contains("wrote an example configuration"));
    let example = std::fs::read_to_string(home.join("config/sipchat/config.ron")).unwrap();
    assert!(example.contains("//"));
}
