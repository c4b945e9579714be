//! Registration over TLS to a real Kamailio whose certificate was made with
//! `openssl` the way admins make it: self-signed `req -x509` (CA:TRUE, used
//! as the server's own), expired, for another name, and a leaf with an
//! intermediate under a root. Accepted as the account's `tls.ca_file` or
//! its pinned `tls.fingerprint`, or refused in words that say why, through
//! the runtime API and the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/openssl.rs"]
mod openssl;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::RegistrationState;
use sipchat::runtime::{Event, RuntimeOptions};
use std::process::Stdio;
use support::Running;

/// The user every account registers as.
const USER: &str = "alice";

/// One account's `tls` section, e.g. `(ca_file: "...")`.
struct Account<'a> {
    name: &'a str,
    tls: String,
}

/// Config RON with `accounts`, all registering as alice at Kamailio's TLS
/// port addressed as 127.0.0.1 (the name the certificates are for).
fn config_ron(kam: &Kamailio, accounts: &[Account<'_>]) -> String {
    let password = kamailio::password(USER).unwrap();
    let entries: Vec<String> = accounts
        .iter()
        .map(|a| {
            format!(
                r#"(name: "{name}", uri: "sip:{USER}@{domain}", password: "{password}",
                    proxy: "sip:127.0.0.1:{port};transport=tls", expires: 300, tls: {tls})"#,
                name = a.name,
                domain = kamailio::DOMAIN,
                port = kam.tls_port,
                tls = a.tls,
            )
        })
        .collect();
    format!("(accounts: [{}], local: (enabled: false))", entries.join(",\n"))
}

fn start(kam: &Kamailio, accounts: &[Account<'_>]) -> Running {
    let config = support::config(&config_ron(kam, accounts));
    Running::start(config, RuntimeOptions::default())
}

/// The first failure reason of `account`.
fn wait_failed(running: &mut Running, account: &str) -> String {
    running.wait_for(&format!("{account} failing"), |e| match e {
        Event::AccountState {
            account: a,
            state: RegistrationState::Failed { reason, .. },
        } if a.0 == account => Some(reason.clone()),
        _ => None,
    })
}

/// A `tls` section trusting `path` as the CA file.
fn ca_file(path: &std::path::Path) -> String {
    format!("(ca_file: \"{}\")", path.display())
}

#[test]
fn a_self_signed_certificate_is_accepted_in_the_ca_file_or_pinned_and_otherwise_named() {
    let dir = tempfile::tempdir().unwrap();
    let server = openssl::self_signed(dir.path(), "self-signed", "/CN=127.0.0.1", "IP:127.0.0.1");
    // What the issue is about: the admin's certificate is a CA certificate.
    assert!(openssl::is_ca(dir.path(), &server.chain));
    let fingerprint = openssl::fingerprint(dir.path(), &server.chain);
    let impostor = openssl::self_signed(dir.path(), "impostor", "/CN=127.0.0.1", "IP:127.0.0.1");
    let other_fingerprint = openssl::fingerprint(dir.path(), &impostor.chain);
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&server.chain, &server.key) else {
        return;
    };
    let pinned = format!(
        "(fingerprint: \"{}\")",
        fingerprint.to_lowercase().replace(':', "")
    );
    let mut running = start(
        &kam,
        &[
            Account {
                name: "by-ca-file",
                tls: ca_file(&server.trust),
            },
            Account {
                name: "pinned",
                tls: pinned,
            },
            Account {
                name: "untrusted",
                tls: "()".into(),
            },
            Account {
                name: "pinned-other",
                tls: format!("(fingerprint: \"{other_fingerprint}\")"),
            },
            Account {
                name: "trusts-the-impostor",
                tls: ca_file(&impostor.trust),
            },
        ],
    );
    let log = kam.log();
    assert!(running.wait_registered("by-ca-file") > 0, "{log}");
    assert!(running.wait_registered("pinned") > 0, "{log}");

    let reason = wait_failed(&mut running, "untrusted");
    assert!(
        reason.contains("127.0.0.1 presented a self-signed certificate (CN=127.0.0.1, valid until "),
        "{reason}"
    );
    assert!(
        reason.ends_with(&format!(
            "with SHA-256 fingerprint {fingerprint}; if this is your server's certificate, add to \
             the account: tls: (fingerprint: \"{fingerprint}\")"
        )),
        "{reason}"
    );
    assert!(!reason.contains("Other("), "a debug string: {reason}");

    let reason = wait_failed(&mut running, "pinned-other");
    assert!(
        reason.contains(&format!(
            "has SHA-256 fingerprint {fingerprint}, not the pinned {other_fingerprint}"
        )),
        "{reason}"
    );
    // Another certificate for the same name in the CA file proves nothing.
    let reason = wait_failed(&mut running, "trusts-the-impostor");
    assert!(reason.contains("presented a self-signed certificate"), "{reason}");
    drop(running);

    // The CLI prints the same words, with the line to add.
    let config_path = dir.path().join("untrusted.ron");
    std::fs::write(
        &config_path,
        config_ron(
            &kam,
            &[Account {
                name: "untrusted",
                tls: "()".into(),
            }],
        ),
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut listen = cli::Killed(
        cli::sipchat()
            .arg("--config")
            .arg(&config_path)
            .arg("--data-dir")
            .arg(data.path())
            .args(["listen", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let lines = cli::lines_of(&mut listen.0);
    let failed = cli::next_event(&lines, "registration_failed");
    let reason = failed["reason"].as_str().unwrap();
    assert!(
        reason.contains(&format!("tls: (fingerprint: \"{fingerprint}\")")),
        "{failed}"
    );
    assert!(reason.contains("self-signed"), "{failed}");
}

#[test]
fn an_expired_certificate_is_refused_saying_since_when() {
    let dir = tempfile::tempdir().unwrap();
    let server = openssl::expired(dir.path(), "expired");
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&server.chain, &server.key) else {
        return;
    };
    let mut running = start(
        &kam,
        &[Account {
            name: "expired",
            tls: ca_file(&server.trust),
        }],
    );
    let reason = wait_failed(&mut running, "expired");
    assert!(
        reason.contains(
            "over TLS: the certificate of 127.0.0.1 expired on 2021-03-01 12:00:00 UTC (subject CN=127.0.0.1"
        ),
        "{reason}"
    );
}

#[test]
fn a_certificate_for_another_name_is_refused_naming_the_names_it_has() {
    let dir = tempfile::tempdir().unwrap();
    let server = openssl::self_signed(
        dir.path(),
        "other-name",
        "/CN=sip.example.org",
        "DNS:sip.example.org,DNS:www.example.org",
    );
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&server.chain, &server.key) else {
        return;
    };
    let mut running = start(
        &kam,
        &[Account {
            name: "wrong-name",
            tls: ca_file(&server.trust),
        }],
    );
    let reason = wait_failed(&mut running, "wrong-name");
    assert!(
        reason.contains(
            "the certificate presented by 127.0.0.1 is not for 127.0.0.1: it is for sip.example.org, \
             www.example.org (subject CN=sip.example.org)"
        ),
        "{reason}"
    );
}

#[test]
fn a_leaf_and_intermediate_under_a_trusted_root_register_and_an_unknown_root_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let server = openssl::chain(dir.path(), "chain");
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&server.chain, &server.key) else {
        return;
    };
    let mut running = start(
        &kam,
        &[
            Account {
                name: "root-trusted",
                tls: ca_file(&server.trust),
            },
            Account {
                name: "root-unknown",
                tls: "()".into(),
            },
        ],
    );
    assert!(running.wait_registered("root-trusted") > 0, "{}", kam.log());
    let reason = wait_failed(&mut running, "root-unknown");
    assert!(
        reason.contains("the certificate of 127.0.0.1 was issued by O=sipchat tests, CN=Test Intermediate CA, which this account does not trust"),
        "{reason}"
    );
}
