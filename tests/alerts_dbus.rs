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

#[path = "support/cli.rs"]
mod cli;
#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/kamailio.rs"]
mod kamailio;

use std::time::{Duration, Instant};

use dbus::{NotificationServer, PrivateBus};
use kamailio::Kamailio;
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(20);

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
    let config = cli::write_config(
        dir.path(),
        "bob.ron",
        &kam.account_config(
            "bob",
            &kam.proxy_uri("tls"),
            &format!(
                r#"{}
        trusted_alert_senders: ["sip:alert@{}"],"#,
                kam.trust_field(),
                kam.domain
            ),
        ),
    );
    let data = dir.path().join("bob-data");
    let bob = cli::AlertListener::start(&config, &data, &bus.address, WAIT);
    assert_eq!(bob.next("registered")["account"], "bob");

    // 1. Someone dials 112: the server's alert reaches bob.
    let answer = kam.call("112", "emergency1");
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
    let answer = kam.call("114", "emergency2");
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
    let answer = kam.call("113", "emergency3");
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
    let out = cli::sipchat_isolated()
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
        let out = cli::sipchat_isolated()
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
    let missing = cli::sipchat_isolated()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["ack-alert", "999999"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no alert #999999"));

    let spoofed = cli::sipchat_isolated()
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
