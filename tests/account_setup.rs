//! An account that cannot be set up (its password cannot be read: a
//! missing password file, or a keyring that is not running yet) does not
//! stop the others: the runtime starts, that account says why, and work
//! for it fails at once in words. Asked for by name (a one-shot command),
//! the same account is still a start-up error.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, DeliveryState, RegistrationState};
use sipchat::runtime::{Event, Runtime, RuntimeOptions};
use support::{config, free_port, Running};

fn two_accounts(port: u16) -> sipchat::config::Config {
    config(&format!(
        r#"(
            accounts: [
                (name: "alice", uri: "sip:alice@127.0.0.1", password_file: "/nonexistent/sipchat-test/alice.pw"),
            ],
            local: (user: "bob", bind: "127.0.0.1", port: {port}),
        )"#
    ))
}

#[test]
fn a_broken_account_says_why_and_the_others_run() {
    let port = free_port();
    let mut run = Running::start(
        two_accounts(port),
        RuntimeOptions {
            auto_register: false,
            ..RuntimeOptions::default()
        },
    );
    let reason = run.wait_for("alice's state", |e| match e {
        Event::AccountState {
            account,
            state:
                RegistrationState::Failed {
                    reason,
                    retry_in_secs,
                },
        } if account.0 == "alice" => Some((reason.clone(), *retry_in_secs)),
        _ => None,
    });
    assert!(
        reason.0.contains("alice.pw"),
        "the words name the file: {reason:?}"
    );
    assert_eq!(reason.1, 0, "nothing retries by itself");
    run.wait_for("the local account listening", |e| match e {
        Event::AccountState {
            account,
            state: RegistrationState::Listening { .. },
        } if account.0 == AccountId::LOCAL => Some(()),
        _ => None,
    });
    // A message for the broken account fails at once, saying why.
    let id = run.send("alice", "sip:carol@127.0.0.1", "hello");
    match run.wait_delivery(id) {
        DeliveryState::Failed { reason, .. } => {
            assert!(
                reason.contains("could not start") && reason.contains("alice.pw"),
                "{reason}"
            )
        }
        other => panic!("expected a failure in words, got {other:?}"),
    }
    run.handle.shutdown();
}

#[test]
fn asked_for_by_name_the_broken_account_is_a_start_error() {
    let options = RuntimeOptions {
        auto_register: false,
        only_account: Some("alice".into()),
        local_account: false,
        ..RuntimeOptions::default()
    };
    let Err(e) = Runtime::start(two_accounts(free_port()), options) else {
        panic!("the runtime started although its only account cannot");
    };
    let words = e.to_string();
    assert!(words.contains("alice") && words.contains("alice.pw"), "{words}");
}
