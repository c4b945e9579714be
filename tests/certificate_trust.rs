//! The trust prompt through the runtime API, against a real Kamailio whose
//! certificate an admin made with `openssl req -x509`: the account is
//! asked once about the untrusted certificate (with its details) and stops
//! trying; "trust once" registers for this run only, "always" also in
//! later runs; and a server that later presents another certificate is
//! refused with the warning, never offered for trusting.

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
use sipchat::config::certificate_pins::PINS_FILE;
use sipchat::model::{AccountId, CertificateInfo, RegistrationState};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::path::Path;
use std::time::Duration;
use support::Running;

/// The account's name.
const ACCOUNT: &str = "work";
/// How long the account is watched for more attempts after it asked.
const QUIET: Duration = Duration::from_secs(5);

/// An account registering as alice over TLS at `kam`, trusting nothing
/// but the system's roots (and what the data directory records).
fn config_ron(kam: &Kamailio) -> String {
    let password = kamailio::password("alice").unwrap();
    format!(
        r#"(accounts: [(name: "{ACCOUNT}", uri: "sip:alice@{domain}", password: "{password}",
            proxy: "sip:127.0.0.1:{port};transport=tls", expires: 300)],
           local: (enabled: false))"#,
        domain = kamailio::DOMAIN,
        port = kam.tls_port,
    )
}

fn start(kam: &Kamailio, data: &Path) -> Running {
    let ron = config_ron(kam);
    let options = RuntimeOptions {
        data_dir: Some(data.to_path_buf()),
        ..RuntimeOptions::default()
    };
    Running::start(support::config(&ron), options)
}

fn wait_untrusted(running: &mut Running) -> CertificateInfo {
    running.wait_for("the question about the certificate", |e| match e {
        Event::CertificateUntrusted { account, certificate } if account.0 == ACCOUNT => {
            Some(certificate.clone())
        }
        _ => None,
    })
}

fn untrusted_count(running: &Running) -> usize {
    running.count(|e| matches!(e, Event::CertificateUntrusted { .. }))
}

fn failures(running: &Running) -> Vec<(String, u64)> {
    running
        .seen
        .iter()
        .filter_map(|e| match e {
            Event::AccountState {
                state:
                    RegistrationState::Failed {
                        reason,
                        retry_in_secs,
                    },
                ..
            } => Some((reason.clone(), *retry_in_secs)),
            _ => None,
        })
        .collect()
}

fn trust(running: &Running, fingerprint: &str, always: bool) {
    running
        .handle
        .send(Command::TrustCertificate {
            account: AccountId(ACCOUNT.into()),
            fingerprint: fingerprint.into(),
            always,
        })
        .unwrap();
}

#[test]
fn an_untrusted_certificate_is_asked_about_and_trusted_once_or_always_and_a_changed_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    let server = openssl::self_signed(dir.path(), "server", "/CN=127.0.0.1", "IP:127.0.0.1");
    let fingerprint = openssl::fingerprint(dir.path(), &server.chain);
    let impostor = openssl::self_signed(dir.path(), "impostor", "/CN=127.0.0.1", "IP:127.0.0.1");
    let impostor_fingerprint = openssl::fingerprint(dir.path(), &impostor.chain);
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&server.chain, &server.key) else {
        return;
    };

    // First contact: asked once, with the certificate's details, and the
    // account stops trying until the user answers.
    let mut running = start(&kam, data.path());
    let certificate = wait_untrusted(&mut running);
    assert_eq!(certificate.fingerprint, fingerprint);
    assert_eq!(certificate.server_name, "127.0.0.1");
    assert_eq!(certificate.subject, "CN=127.0.0.1");
    assert_eq!(certificate.issuer, "CN=127.0.0.1");
    assert!(certificate.self_signed);
    assert_eq!(certificate.names, vec!["127.0.0.1".to_string()]);
    let now = i64::try_from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap();
    assert!(
        certificate.not_before.unwrap() <= now && now < certificate.not_after.unwrap(),
        "{certificate:?}"
    );
    running.settle(QUIET);
    assert_eq!(untrusted_count(&running), 1, "asked once: {:#?}", running.seen);
    let failed = failures(&running);
    assert_eq!(failed.len(), 1, "no retries while the user decides: {failed:?}");
    assert_eq!(failed[0].1, 0, "{failed:?}");
    assert!(failed[0].0.contains(&fingerprint), "{failed:?}");

    // Trust once: registered now...
    trust(&running, &fingerprint, false);
    assert!(running.wait_registered(ACCOUNT) > 0, "{}", kam.log());
    drop(running);
    assert!(
        !data.path().join(PINS_FILE).exists(),
        "trust once records nothing"
    );

    // ...and asked again after a restart. Always: registered, and recorded.
    let mut running = start(&kam, data.path());
    assert_eq!(wait_untrusted(&mut running).fingerprint, fingerprint);
    trust(&running, &fingerprint, true);
    assert!(running.wait_registered(ACCOUNT) > 0, "{}", kam.log());
    drop(running);
    let pins = std::fs::read_to_string(data.path().join(PINS_FILE)).unwrap();
    assert!(pins.contains(&fingerprint), "{pins}");

    // A new runtime registers without asking.
    let mut running = start(&kam, data.path());
    assert!(running.wait_registered(ACCOUNT) > 0, "{}", kam.log());
    assert_eq!(untrusted_count(&running), 0, "{:#?}", running.seen);
    drop(running);
    drop(kam);

    // Later the server presents another certificate: refused with the
    // warning naming both fingerprints, and nothing offers to accept it.
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&impostor.chain, &impostor.key) else {
        return;
    };
    let mut running = start(&kam, data.path());
    let (pinned, presented) = running.wait_for("the changed-certificate warning", |e| match e {
        Event::CertificateChanged {
            account,
            pinned,
            certificate,
        } if account.0 == ACCOUNT => Some((pinned.clone(), certificate.fingerprint.clone())),
        _ => None,
    });
    assert_eq!(pinned, fingerprint);
    assert_eq!(presented, impostor_fingerprint);
    running.settle(QUIET);
    assert_eq!(
        untrusted_count(&running),
        0,
        "never a prompt: {:#?}",
        running.seen
    );
    let failed = failures(&running);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].0.contains(&format!(
            "has SHA-256 fingerprint {impostor_fingerprint}, not the pinned {fingerprint}: either its \
             certificate was replaced or someone is in between"
        )),
        "{failed:?}"
    );
    assert_eq!(
        running.count(|e| matches!(
            e,
            Event::AccountState {
                state: RegistrationState::Registered { .. },
                ..
            }
        )),
        0
    );
}

#[test]
fn send_prints_the_fingerprint_and_the_config_line_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let server = openssl::self_signed(dir.path(), "server", "/CN=127.0.0.1", "IP:127.0.0.1");
    let fingerprint = openssl::fingerprint(dir.path(), &server.chain);
    let Some(kam) = Kamailio::start_with_certificate_or_skip(&server.chain, &server.key) else {
        return;
    };
    let config = dir.path().join("config.ron");
    std::fs::write(&config, config_ron(&kam)).unwrap();
    let out = cli::sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["send", &kam.aor("bob"), "hello"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("SHA-256 fingerprint {fingerprint}\n")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "add to the account \"{ACCOUNT}\" in the config: tls: (fingerprint: \"{fingerprint}\")"
        )),
        "{stderr}"
    );
}
