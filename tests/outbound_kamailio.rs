//! RFC 5626 outbound against a real registrar, on loopback: Kamailio with
//! its outbound module (tests/kamailio/nat.cfg, `WITH_OUTBOUND`, and its
//! stun module with `WITH_STUN`), `sipchat listen` processes as alice.
//!
//! - Two installs (two data directories) registering one address of record
//!   on one machine are two devices: two instance ids, two bindings, and a
//!   MESSAGE reaches both; a restarted install keeps its instance id.
//! - The registrar's `Require: outbound` is seen and outbound is used.
//! - STUN keep-alives on the outbound UDP flow are answered; when the
//!   registrar stops answering, alice registers again at once; a registrar
//!   without STUN gets CRLF keep-alives; behind a home router
//!   (tests/support/netns.rs, root), a new mapping named by a STUN answer
//!   moves alice's Contact at once.
//! - A plain registrar (SIPp, tests/sipp/uas_plain_registrar.xml: no
//!   `Require: outbound`, no pongs) keeps alice's TCP connection: no flow
//!   is assumed.
//!
//! Skipped without Kamailio (SIPp) unless `SIPCHAT_REQUIRE_KAMAILIO` or `CI`
//! (`SIPCHAT_REQUIRE_SIPP`) is set.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/netns.rs"]
mod netns;

use kamailio::Kamailio;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How long a `send` may take before the test gives up on it.
const SEND_DEADLINE: Duration = Duration::from_secs(90);
/// How long the test waits for a message, a log line or a REGISTER.
const DEADLINE: Duration = Duration::from_secs(60);

/// The provider of tests/kamailio/nat.cfg on loopback with `defines`.
fn provider(defines: &[&str]) -> Option<Kamailio> {
    Kamailio::start_nat_provider_or_skip(defines, Ipv4Addr::LOCALHOST)
}

/// `DIR/USER.ron`: one UDP account of `user` through `kam`, with `extra`.
fn write_config(dir: &Path, kam: &Kamailio, user: &str, extra: &str) -> PathBuf {
    write_config_at(dir, kam, Ipv4Addr::LOCALHOST, user, extra)
}

/// [`write_config`] for a `kam` listening at `server`.
fn write_config_at(dir: &Path, kam: &Kamailio, server: Ipv4Addr, user: &str, extra: &str) -> PathBuf {
    let proxy = format!("sip:{server}:{};transport=udp", kam.udp_port);
    let text = kam.account_config(user, &proxy, extra);
    let path = dir.join(format!("{user}.ron"));
    std::fs::write(&path, text).unwrap();
    path
}

/// A `sipchat listen` with `config` and `data`, registered; its stderr
/// (the log, at debug) goes to `data.log`.
struct Listener {
    _child: cli::Killed,
    lines: Receiver<String>,
    log: PathBuf,
}

impl Listener {
    fn start(config: &Path, data: &Path) -> Listener {
        Listener::start_as(cli::sipchat(), config, data)
    }

    /// [`Listener::start`] with `program` (the binary, e.g. inside a network
    /// namespace) to run.
    fn start_as(mut program: Command, config: &Path, data: &Path) -> Listener {
        let log = data.with_extension("log");
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let mut child = program
            .env_remove("SIPCHAT_CONFIG")
            .env("SIPCHAT_LOG", "sipchat=debug")
            .arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .args(["listen", "--json"])
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let lines = cli::lines_of(&mut child);
        let listener = Listener {
            _child: cli::Killed(child),
            lines,
            log,
        };
        let registered = cli::next_event(&listener.lines, "registered");
        assert!(registered["account"].is_string(), "{registered}");
        listener
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits until the log says `words`.
    fn wait_for_log(&self, words: &str, kam: &Kamailio) {
        let deadline = Instant::now() + DEADLINE;
        while !self.log().contains(words) {
            assert!(
                Instant::now() < deadline,
                "the log never said {words:?}\n{}\n{}",
                self.log(),
                kam.log()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Whether a message with `text` shows up within [`DEADLINE`].
    fn receives(&self, text: &str) -> bool {
        let deadline = Instant::now() + DEADLINE;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            let Ok(line) = self.lines.recv_timeout(left) else {
                return false;
            };
            let v: serde_json::Value = serde_json::from_str(&line).unwrap();
            if v["event"] == "message" && v["body"] == text {
                return true;
            }
        }
        false
    }
}

/// Bob sends `text` to `to` through `kam`; whether it succeeded in time.
fn bob_sends(dir: &Path, kam: &Kamailio, to: &str, text: &str) -> bool {
    bob_sends_at(dir, kam, Ipv4Addr::LOCALHOST, to, text)
}

/// [`bob_sends`] through a `kam` listening at `server`.
fn bob_sends_at(dir: &Path, kam: &Kamailio, server: Ipv4Addr, to: &str, text: &str) -> bool {
    let config = write_config_at(dir, kam, server, "bob", "");
    let child = cli::sipchat()
        .env_remove("SIPCHAT_CONFIG")
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.join("bob-data"))
        .args(["send", to, text])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut bob = cli::Killed(child);
    let deadline = Instant::now() + SEND_DEADLINE;
    while Instant::now() < deadline {
        if let Some(status) = bob.0.try_wait().unwrap() {
            return status.success();
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// The `+sip.instance` of every REGISTER of `user` in Kamailio's log, in order.
fn registered_instances(kam: &Kamailio, user: &str) -> Vec<String> {
    kam.log()
        .lines()
        .filter(|l| l.contains(&format!("REGISTER Contact: <sip:{user}@")))
        .filter_map(|l| {
            let rest = l.split("+sip.instance=\"<").nth(1)?;
            Some(rest.split('>').next()?.to_string())
        })
        .collect()
}

#[test]
fn two_installs_with_one_address_keep_two_flows_and_both_receive() {
    let Some(kam) = provider(&["WITH_OUTBOUND"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &kam, "alice", "");
    let first_data = dir.path().join("alice-first");
    let first = Listener::start(&config, &first_data);
    let second = Listener::start(&config, &dir.path().join("alice-second"));
    let instances = registered_instances(&kam, "alice");
    assert_eq!(instances.len(), 2, "{}", kam.log());
    assert_ne!(
        instances[0],
        instances[1],
        "two installs, one instance id\n{}",
        kam.log()
    );
    for alice in [&first, &second] {
        alice.wait_for_log("the registrar uses outbound (Require: outbound", &kam);
    }
    // The registrar keeps both bindings and forks to both.
    let to = format!("sip:alice@{}", kamailio::DOMAIN);
    assert!(bob_sends(dir.path(), &kam, &to, "to both"), "{}", kam.log());
    assert!(
        first.receives("to both"),
        "the first install missed it\n{}",
        kam.log()
    );
    assert!(
        second.receives("to both"),
        "the second install missed it\n{}",
        kam.log()
    );
    // A restart keeps the install's instance id.
    let seed = std::fs::read_to_string(first_data.join("instance-seed")).unwrap();
    drop(first);
    let _again = Listener::start(&config, &first_data);
    let instances = registered_instances(&kam, "alice");
    assert_eq!(instances.last(), Some(&instances[0]), "{instances:?}");
    assert_eq!(
        std::fs::read_to_string(first_data.join("instance-seed")).unwrap(),
        seed
    );
}

/// Sends `signal` to Kamailio's process group (its main process leads it).
fn signal_kamailio(kam: &Kamailio, signal: &str) {
    let status = Command::new("kill")
        .args([signal, "--", &format!("-{}", kam.pid())])
        .status()
        .unwrap();
    assert!(status.success(), "kill {signal} failed");
}

#[test]
fn stun_keepalives_on_an_outbound_udp_flow_and_a_missing_answer_registers_again() {
    let Some(kam) = provider(&["WITH_OUTBOUND", "WITH_STUN"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &kam, "alice", "keepalive_secs: 2,");
    let alice = Listener::start(&config, &dir.path().join("alice-data"));
    alice.wait_for_log("the registrar uses outbound (Require: outbound", &kam);
    alice.wait_for_log("the server answers STUN", &kam);
    let before = registered_instances(&kam, "alice").len();
    // The registrar stops answering anything: the next STUN keep-alive goes
    // unanswered, and alice registers again at once.
    signal_kamailio(&kam, "-STOP");
    let stopped = Instant::now();
    let waited = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        alice.wait_for_log("no answer to the STUN keep-alive", &kam)
    }));
    signal_kamailio(&kam, "-CONT");
    if let Err(panic) = waited {
        std::panic::resume_unwind(panic);
    }
    eprintln!(
        "alice gave the flow up {:.1} s after the registrar stopped (2 s keep-alives, 10 s answer wait)",
        stopped.elapsed().as_secs_f64()
    );
    let deadline = Instant::now() + DEADLINE;
    while registered_instances(&kam, "alice").len() == before {
        assert!(
            Instant::now() < deadline,
            "alice did not register again\n{}",
            kam.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let to = format!("sip:alice@{}", kamailio::DOMAIN);
    assert!(
        bob_sends(dir.path(), &kam, &to, "after the flow came back"),
        "{}",
        kam.log()
    );
    assert!(alice.receives("after the flow came back"), "{}", kam.log());
}

#[test]
fn behind_a_router_a_new_mapping_seen_by_stun_moves_the_contact() {
    // Alice behind tests/support/netns.rs's home router (masquerade with
    // random ports). The router forgets her mapping; her next STUN
    // keep-alive leaves through a new one, the answer names it, and she
    // registers the new address at once (not at the refresh, 150 s away),
    // so a MESSAGE from the public side reaches her. Needs root.
    let Some(router) = netns::HomeRouter::build_or_skip() else {
        return;
    };
    let Some(kam) = Kamailio::start_nat_provider_or_skip(&["WITH_OUTBOUND", "WITH_STUN"], router.server_ip)
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config_at(dir.path(), &kam, router.server_ip, "alice", "keepalive_secs: 2,");
    let alice = Listener::start_as(
        router.in_home(env!("CARGO_BIN_EXE_sipchat")),
        &config,
        &dir.path().join("alice-data"),
    );
    alice.wait_for_log("the server answers STUN", &kam);
    let before = registered_instances(&kam, "alice").len();
    let flushed = router.in_router("conntrack").arg("-F").output().unwrap();
    assert!(flushed.status.success(), "{flushed:?}");
    alice.wait_for_log("STUN says our public address changed", &kam);
    let deadline = Instant::now() + DEADLINE;
    while registered_instances(&kam, "alice").len() == before {
        assert!(
            Instant::now() < deadline,
            "alice did not register again\n{}",
            kam.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let to = format!("sip:alice@{}", kamailio::DOMAIN);
    assert!(
        bob_sends_at(dir.path(), &kam, router.server_ip, &to, "at the new mapping"),
        "{}\n{}",
        router.conntrack(),
        kam.log()
    );
    assert!(alice.receives("at the new mapping"), "{}", kam.log());
}

#[test]
fn a_registrar_without_stun_gets_crlf_keepalives_on_the_outbound_flow() {
    let Some(kam) = provider(&["WITH_OUTBOUND"]) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &kam, "alice", "keepalive_secs: 2,");
    let alice = Listener::start(&config, &dir.path().join("alice-data"));
    alice.wait_for_log("the server does not answer STUN: CRLF keep-alives", &kam);
    assert_eq!(registered_instances(&kam, "alice").len(), 1, "{}", kam.log());
    let to = format!("sip:alice@{}", kamailio::DOMAIN);
    assert!(bob_sends(dir.path(), &kam, &to, "over crlf"), "{}", kam.log());
    assert!(alice.receives("over crlf"), "{}", kam.log());
}

/// SIPp (Debian's sip-tester), or `None` when it is missing and not required.
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

/// How long SIPp's registrar keeps the connection (and the test watches it).
const PLAIN_WATCH: Duration = Duration::from_secs(30);

#[test]
fn a_plain_registrar_over_tcp_that_never_answers_pings_keeps_its_connection() {
    // SIPp answers the REGISTER with "Supported: outbound" but no
    // "Require: outbound" and never answers a ping: sipchat must not treat
    // the connection as an outbound flow (whose missing pongs would close
    // it and register again every 2 + 10 s).
    let Some(sipp) = sipp() else { return };
    let dir = tempfile::tempdir().unwrap();
    let port = cli::free_port();
    let scenario = std::fs::read_to_string(format!(
        "{}/tests/sipp/uas_plain_registrar.xml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace("@PAUSE_MS@", &PLAIN_WATCH.as_millis().to_string());
    let scenario_path = dir.path().join("registrar.xml");
    std::fs::write(&scenario_path, scenario).unwrap();
    let registrar = Command::new(sipp)
        .arg("-sf")
        .arg(&scenario_path)
        .args(["-t", "t1", "-i", "127.0.0.1", "-p", &port.to_string(), "-m", "1"])
        .args([
            "-nostdin",
            "-timeout",
            "120s",
            "-trace_err",
            "-error_file",
            "/dev/stderr",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let _registrar = cli::Killed(registrar);
    let config = dir.path().join("alice.ron");
    std::fs::write(
        &config,
        format!(
            r#"(
    accounts: [(
        name: "alice",
        uri: "sip:alice@{domain}",
        proxy: "sip:127.0.0.1:{port};transport=tcp",
        expires: 300,
        keepalive_secs: 2,
    )],
    local: (enabled: false),
)"#,
            domain = kamailio::DOMAIN
        ),
    )
    .unwrap();
    // SIPp may take a moment to listen: the flow is retried until it does.
    let alice = Listener::start(&config, &dir.path().join("alice-data"));
    let words = "the registrar does not use outbound (no Require: outbound)";
    let deadline = Instant::now() + DEADLINE;
    while !alice.log().contains(words) {
        assert!(Instant::now() < deadline, "{}", alice.log());
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(PLAIN_WATCH - Duration::from_secs(5));
    let log = alice.log();
    assert!(
        log.contains("the peer has never answered one, so the connection stays"),
        "no unanswered ping seen\n{log}"
    );
    assert!(!log.contains("keep-alive timed out"), "{log}");
    assert_eq!(
        log.matches("connected over").count(),
        1,
        "the flow was opened again\n{log}"
    );
}
