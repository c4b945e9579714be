//! Emergency alerts end to end: a real Kamailio sends the alert MESSAGE
//! (its `uac` module, when someone calls 112) to bob, who runs
//! `sipchat listen --notify --json` over TLS; a notification server on a
//! private D-Bus session bus records what the desktop would show.
//!
//! - a trusted sender's alert: an `alert` event and a critical, resident,
//!   never-expiring notification with the text; "Acknowledge" on it is
//!   reported back, acknowledges the alert and closes its notification
//!   (as `ack-alert` on the command line does for another);
//! - the same text from an untrusted sender: an ordinary message marked as a
//!   claim, a normal notification, and no alert;
//! - a malformed CAP document from the trusted sender: answered 425 with
//!   AlertMsg-Error, and still raised as an alert with its raw text;
//! - `history --alerts` shows the log with the acknowledgement time.
//!
//! Skips when Kamailio or dbus-daemon is missing (unless required:
//! `SIPCHAT_REQUIRE_KAMAILIO=1`, `SIPCHAT_REQUIRE_DBUS=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/kamailio.rs"]
mod kamailio;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use dbus::{NotificationServer, PrivateBus};
use kamailio::Kamailio;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

fn sipchat() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sipchat"));
    c.env_remove("SIPCHAT_CONFIG").env_remove("SIPCHAT_DATA_DIR");
    c
}

fn bob_config(dir: &Path, kam: &Kamailio) -> PathBuf {
    let ron = format!(
        r#"(
    accounts: [(
        name: "bob",
        uri: "sip:bob@{domain}",
        password: "bob-secret",
        proxy: "{proxy}",
        expires: 300,
        tls: (ca_file: "{ca}"),
        trusted_alert_senders: ["sip:alert@{domain}"],
    )],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        proxy = kam.proxy_uri("tls"),
        ca = kam.ca_pem.display(),
    );
    let path = dir.join("bob.ron");
    std::fs::write(&path, ron).unwrap();
    path
}

/// Calls `number` at the Kamailio (no authentication for emergency
/// numbers) and returns its answer's status line.
fn call(kam: &Kamailio, number: &str, n: u32) -> String {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let port = sock.local_addr().unwrap().port();
    let invite = format!(
        "INVITE sip:{number}@{domain} SIP/2.0\r\n\
         Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bKem{n}x{number}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:carol@{domain}>;tag=em{n}\r\n\
         To: <sip:{number}@{domain}>\r\n\
         Call-ID: emergency-{n}-{number}@127.0.0.1\r\n\
         CSeq: 1 INVITE\r\n\
         Contact: <sip:carol@127.0.0.1:{port}>\r\n\
         Content-Length: 0\r\n\r\n",
        domain = kamailio::DOMAIN
    );
    sock.send_to(invite.as_bytes(), kam.addr("udp")).unwrap();
    let mut buf = [0u8; 4096];
    let (len, _) = sock
        .recv_from(&mut buf)
        .unwrap_or_else(|e| panic!("no answer to the call to {number}: {e}\n{}", kam.log()));
    String::from_utf8_lossy(&buf[..len])
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

struct Listener {
    child: Child,
    lines: mpsc::Receiver<Value>,
    stderr: std::sync::Arc<std::sync::Mutex<String>>,
}

impl Listener {
    fn start(config: &Path, data: &Path, bus: &PrivateBus) -> Listener {
        let mut child = sipchat()
            .arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .args(["listen", "--notify", "--json"])
            .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
            .env("SIPCHAT_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stderr = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = stderr.clone();
        let err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        Listener { child, lines, stderr }
    }

    /// The next event named `want` (others are skipped, but an `alert`
    /// skipped on the way fails the test: no alert may go unnoticed).
    fn next(&self, want: &str) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(v) if v["event"] == want => return v,
                Ok(v) if v["event"] == "alert" => panic!("an unexpected alert while waiting for {want}: {v}"),
                Ok(_) => {}
                Err(_) => panic!(
                    "no {want} event; listen's stderr:\n{}",
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(8);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn alerts_reach_the_desktop_through_kamailio_and_dbus() {
    let Some(bus) = PrivateBus::start_or_skip() else {
        return;
    };
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let server = NotificationServer::start(&bus);
    let dir = tempfile::tempdir().unwrap();
    let config = bob_config(dir.path(), &kam);
    let data = dir.path().join("bob-data");
    let bob = Listener::start(&config, &data, &bus);
    assert_eq!(bob.next("registered")["account"], "bob");

    // 1. Someone dials 112: the server's alert reaches bob.
    let answer = call(&kam, "112", 1);
    assert!(answer.contains("480"), "{answer}");
    let message = bob.next("message");
    assert_eq!(message["alert"], "raised", "{message}");
    let alert = bob.next("alert");
    let text = "Emergency call from carol on IP Address 127.0.0.1 to 112 (Emergency Number)";
    assert_eq!(alert["from"], "sip:alert@sipchat.test");
    assert_eq!(alert["subject"], "Emergency Alert");
    assert_eq!(alert["body"], text);
    assert!(alert["priority"].is_null() && alert["severity"].is_null());
    assert!(alert["acknowledged_at"].is_null());
    let critical = server.wait_for("for the 112 alert", WAIT, |r| r.body.contains(text));
    assert_eq!(critical.app_name, "sipchat");
    assert_eq!(critical.urgency, Some(2), "critical: {critical:#?}");
    assert_eq!(critical.expire_timeout, 0, "never expires");
    assert_eq!(critical.bool_hints.get("resident"), Some(&true));
    assert_eq!(
        critical.text_hints.get("desktop-entry").map(String::as_str),
        Some("org.sipchat.Sipchat")
    );
    assert_eq!(
        critical.text_hints.get("sound-name").map(String::as_str),
        Some("alarm-clock-elapsed")
    );
    assert_eq!(critical.app_icon, "org.sipchat.Sipchat");
    assert!(
        critical.summary.contains("EMERGENCY ALERT"),
        "{}",
        critical.summary
    );
    assert!(
        critical.actions.iter().any(|a| a == "acknowledge"),
        "{:?}",
        critical.actions
    );
    assert!(
        critical.actions.iter().any(|a| a == "open"),
        "{:?}",
        critical.actions
    );

    // 2. The same text from a sender bob does not trust: a message, no alert.
    let answer = call(&kam, "114", 2);
    assert!(answer.contains("480"), "{answer}");
    let spoof = bob.next("message");
    assert_eq!(spoof["from"], "sip:mallory@sipchat.test");
    assert_eq!(spoof["alert"], "untrusted", "{spoof}");
    let normal = server.wait_for("for the spoof", WAIT, |r| {
        r.body.contains("claims to be an alert")
    });
    assert_eq!(normal.urgency, Some(1), "{normal:#?}");
    assert_eq!(
        normal.text_hints.get("category").map(String::as_str),
        Some("im.received")
    );
    assert_ne!(normal.expire_timeout, 0);
    assert_eq!(normal.bool_hints.get("resident"), None);

    // 3. A malformed CAP alert from the trusted sender: 425 + AlertMsg-Error,
    // still raised with its raw text. (Had the spoof raised an alert, `next`
    // would have failed on it here.)
    let answer = call(&kam, "113", 3);
    assert!(answer.contains("480"), "{answer}");
    let bad = bob.next("alert");
    assert!(bad["body"].as_str().unwrap().contains("KAM-113"), "{bad}");
    assert!(bad["cap_error"].as_str().unwrap().contains("<sent>"), "{bad}");
    let raw = server.wait_for("for the bad CAP alert", WAIT, |r| r.body.contains("KAM-113"));
    assert_eq!(raw.urgency, Some(2));
    let deadline = Instant::now() + WAIT;
    while !kam.log().contains("alert MESSAGE answered 425") {
        assert!(
            Instant::now() < deadline,
            "no 425 in the Kamailio log:\n{}",
            kam.log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let log = kam.log();
    assert!(
        log.contains(
            "AlertMsg-Error: 102;message=\"Not enough information to determine the purpose of the alert\""
        ),
        "{log}"
    );
    assert!(
        log.contains("alert MESSAGE answered 200"),
        "the 112 alert was answered 200:\n{log}"
    );

    // Three notifications, one per message: the trusted alert's message
    // event did not add a fourth.
    assert_eq!(server.recorded().len(), 3, "{:#?}", server.recorded());

    // 4. "Acknowledge" on the first alert's notification acknowledges it.
    let alert_id = alert["id"].as_i64().unwrap();
    let acked = {
        let deadline = Instant::now() + WAIT;
        loop {
            server.invoke_action(critical.id, "acknowledge");
            if let Ok(v) = bob.lines.recv_timeout(Duration::from_millis(500)) {
                if v["event"] == "alert_acknowledged" {
                    break v;
                }
            }
            assert!(Instant::now() < deadline, "the click was not reported back");
        }
    };
    assert_eq!(acked["id"], alert_id);
    // Acknowledged, its critical notification leaves the screen.
    server.wait_closed("the alert acknowledged on it", critical.id, WAIT);

    // 5. The history shows both alerts, the first acknowledged, and the
    // spoof as a marked message.
    let out = sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["history", "--alerts", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows.iter().all(|r| r["from"] == "sip:alert@sipchat.test"));
    let first = rows.iter().find(|r| r["id"] == alert_id).unwrap();
    assert!(first["acknowledged_at"].is_i64(), "{first}");
    // The CLI acknowledges the other one; then none is left up.
    let bad_id = bad["id"].as_i64().unwrap();
    let run = |args: &[&str]| {
        let out = sipchat()
            .arg("--config")
            .arg(&config)
            .arg("--data-dir")
            .arg(&data)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let acked = run(&["ack-alert", &bad_id.to_string()]);
    assert!(
        acked.contains(&format!("alert #{bad_id} acknowledged")),
        "{acked}"
    );
    // The running `listen` closes that alert's notification too.
    server.wait_closed("the alert acknowledged with ack-alert", raw.id, WAIT);
    assert_eq!(run(&["history", "--alerts", "--unacknowledged"]).trim(), "");
    let words = run(&["history", "--alerts"]);
    assert_eq!(words.lines().count(), 2, "{words}");
    assert!(words.lines().all(|l| l.contains("[acknowledged ")), "{words}");
    assert!(
        words.contains(&format!("ALERT #{alert_id} [bob] from sip:alert@sipchat.test")),
        "{words}"
    );
    let missing = sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["ack-alert", "999999"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no alert #999999"));

    let spoofed = sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["history", "--with", "sip:mallory@sipchat.test"])
        .output()
        .unwrap();
    let words = String::from_utf8_lossy(&spoofed.stdout);
    assert!(
        words.contains("claims to be an alert from an untrusted sender"),
        "{words}"
    );
}
