//! Presence in the real window (under Xvfb, on a private session bus with
//! a notification server and a tray watcher from `tests/support/dbus.rs`),
//! against real `sipchat listen` processes on local (peer-to-peer)
//! accounts:
//!
//! - bob (a contact of alice's, with "tell me when Bob is online" on in
//!   her window state) is busy; when he sets himself available with a note,
//!   alice's window raises "Bob is online" with his note: the window's
//!   presence state changed;
//! - the tray's "My status" submenu lists the four statuses; choosing
//!   "Busy" there reaches bob's `listen` as alice's status;
//! - carol, a stranger, watches alice and waits for permission: the window
//!   asks (screenshots), and its "Allow" lets her see alice's status;
//! - screenshots of the dots (bob away, available, busy, invisible; dave
//!   unknown), the selector, the permission banner, the contact page and
//!   the auto-away setting at 1440x900 and 640x480, light and dark, English and
//!   German, in `target/gui-artifacts/presence-*.png`, to be looked at.
//!
//! Skips when Xvfb or dbus-daemon is missing (unless required with
//! `SIPCHAT_REQUIRE_XVFB=1` / `SIPCHAT_REQUIRE_DBUS=1`).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/dbus.rs"]
mod dbus;
#[path = "support/xvfb.rs"]
mod xvfb;

use cli::{run_in, spawn_listen, Killed};
use dbus::{NotificationServer, PrivateBus, TrayWatcher};
use std::path::Path;
use std::process::{Output, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use xvfb::Xvfb;

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(40);

/// Runs a one-shot `sipchat` command on `config` and `data`.
fn run(config: &Path, data: &Path, args: &[&str]) -> Output {
    let out = run_in(config, data, args[0], &args[1..]);
    assert!(
        out.status.success(),
        "sipchat {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `sipchat listen --json` with `extra`, once it listens.
fn listen(config: &Path, data: &Path, extra: &[&str]) -> (Killed, Receiver<String>) {
    let (child, lines) = spawn_listen(config, data, extra, Stdio::null());
    next_json(&lines, "listening", |v| v["event"] == "listening");
    (child, lines)
}

/// The next JSON line satisfying `want`, within [`WAIT`].
fn next_json(
    lines: &Receiver<String>,
    what: &str,
    want: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = Instant::now() + WAIT;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {what} within {WAIT:?}"));
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if want(&v) {
            return v;
        }
    }
}

/// The window on `bus`; killed when dropped.
fn start_window(x: &Xvfb, bus: &PrivateBus, home: &Path, config: &Path, data: &Path) -> (Killed, String) {
    let child = x
        .sipchat_window(&bus.address, &home.join("xdg-config"))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let window = Killed(child);
    let id = x
        .wait_for_window("^sipchat", WAIT)
        .expect("the sipchat window appears");
    (window, id)
}

/// Moves the mouse to (`x`, `y`) in the window, lets the window see it
/// there, and clicks.
fn click(x: &Xvfb, id: &str, at_x: u32, at_y: u32) {
    assert!(x.xdotool(&["mousemove", "--window", id, &at_x.to_string(), &at_y.to_string()]));
    std::thread::sleep(Duration::from_millis(300));
    assert!(x.xdotool(&["click", "1"]));
    std::thread::sleep(Duration::from_millis(800));
}

fn screenshot(x: &Xvfb, id: &str, width: u32, height: u32, name: &str) {
    assert!(x.xdotool(&[
        "windowsize",
        "--sync",
        id,
        &width.to_string(),
        &height.to_string()
    ]));
    std::thread::sleep(Duration::from_millis(1200));
    let path = xvfb::artifacts().join(format!("presence-{width}x{height}-{name}.png"));
    assert!(x.screenshot_window(id, &path), "no screenshot {}", path.display());
}

#[test]
fn the_window_shows_presence_asks_permission_notifies_and_sets_status_from_the_tray() {
    let Some(x) = Xvfb::start_sized_or_skip((1600, 1000)) else {
        return;
    };
    let Some(bus) = PrivateBus::start_or_skip() else {
        return;
    };
    let notifications = NotificationServer::start(&bus);
    let tray = TrayWatcher::start(&bus);
    let dir = tempfile::tempdir().unwrap();
    let (alice_port, bob_port, carol_port) = (cli::free_port(), cli::free_port(), cli::free_port());
    let alice_config = cli::write_local_config(dir.path(), "alice", alice_port);
    let bob_config = cli::write_local_config(dir.path(), "bob", bob_port);
    let carol_config = cli::write_local_config(dir.path(), "carol", carol_port);
    let (alice_data, bob_data, carol_data) = (
        dir.path().join("alice"),
        dir.path().join("bob"),
        dir.path().join("carol"),
    );
    let alice_uri = format!("sip:alice@127.0.0.1:{alice_port}");
    let bob_uri = format!("sip:bob@127.0.0.1:{bob_port}");

    // Each is the other's contact (so each may watch the other); bob starts busy.
    run(
        &alice_config,
        &alice_data,
        &["contacts", "add", &bob_uri, "--name", "Bob"],
    );
    run(
        &bob_config,
        &bob_data,
        &["contacts", "add", &alice_uri, "--name", "Alice"],
    );
    run(
        &bob_config,
        &bob_data,
        &["status", "busy", "--note", "in a meeting"],
    );
    let listed = run(&alice_config, &alice_data, &["contacts", "list", "--json"]);
    let bob_contact: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let bob_id = bob_contact["id"].as_i64().unwrap();
    // Dave's address answers nothing: his status stays unknown.
    let dave_uri = format!("sip:dave@127.0.0.1:{}", cli::free_port());
    run(
        &alice_config,
        &alice_data,
        &["contacts", "add", &dave_uri, "--name", "Dave"],
    );
    let (_bob, bob_lines) = listen(&bob_config, &bob_data, &[]);
    // Bob's status as each window starts after the first (which changes it
    // itself): every dot is looked at once.
    let bob_before = [
        None,
        Some(["available", "back at my desk"]),
        Some(["busy", "in a meeting"]),
        Some(["invisible", ""]),
    ];

    for (round, (theme, language)) in [("light", "en"), ("dark", "en"), ("light", "de"), ("dark", "de")]
        .into_iter()
        .enumerate()
    {
        if let Some([status, note]) = bob_before[round] {
            let mut args = vec!["status", status];
            if !note.is_empty() {
                args.extend(["--note", note]);
            }
            run(&bob_config, &bob_data, &args);
        }
        // From the second window on, the conversation with bob is open.
        let open = if round == 0 {
            String::new()
        } else {
            "last_conversation: Some((account: \"local\", peer: \"sip:bob@127.0.0.1\")),".to_string()
        };
        let state = format!(
            "(width: 1440.0, height: 900.0, theme: {theme}, language: Some({language}), {open} \
             notify_online: [{bob_id}], keep_running: Some(false))"
        );
        std::fs::write(alice_data.join("window.ron"), state).unwrap();
        let (window, id) = start_window(&x, &bus, dir.path(), &alice_config, &alice_data);
        // Carol, a stranger, watches alice: the window is asked.
        let (carol, carol_lines) = listen(&carol_config, &carol_data, &["--watch", &alice_uri]);
        next_json(&carol_lines, "carol waiting for permission", |v| {
            v["event"] == "presence" && v["watch"] == "pending"
        });

        if round == 0 {
            // Bob comes online: the window tells, in his words. Alice's
            // window may not have heard bob busy yet (its subscription is
            // on its way): busy, then available, until it tells.
            let deadline = Instant::now() + WAIT;
            let online = loop {
                run(
                    &bob_config,
                    &bob_data,
                    &["status", "busy", "--note", "in a meeting"],
                );
                std::thread::sleep(Duration::from_millis(500));
                run(
                    &bob_config,
                    &bob_data,
                    &["status", "available", "--note", "back at my desk"],
                );
                let told = Instant::now() + Duration::from_secs(3);
                let found = loop {
                    let found = notifications
                        .recorded()
                        .into_iter()
                        .find(|r| r.summary == "Bob is online");
                    if found.is_some() || Instant::now() > told {
                        break found;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                };
                if let Some(found) = found {
                    break found;
                }
                assert!(
                    Instant::now() < deadline,
                    "the window never told that Bob is online"
                );
            };
            assert_eq!(online.body, "Available · back at my desk", "{online:#?}");
            // The tray's "My status" sets alice's status: bob sees it.
            let item = tray.wait_for_item(WAIT);
            let labels: Vec<String> = tray.menu_labels(&item).into_iter().map(|(_, l)| l).collect();
            for want in ["My status", "Available", "Away", "Busy", "Invisible"] {
                assert!(labels.iter().any(|l| l == want), "no {want:?} in {labels:?}");
            }
            tray.click(&item, "Busy").unwrap();
            next_json(&bob_lines, "alice busy at bob's", |v| {
                v["event"] == "presence"
                    && v["contact"].as_str().is_some_and(|c| c.starts_with("sip:alice@"))
                    && v["status"] == "busy"
            });
            // Bob goes away with a note, and writes: his row has the dot.
            run(
                &bob_config,
                &bob_data,
                &["status", "away", "--note", "out for lunch"],
            );
            run(&bob_config, &bob_data, &["send", &alice_uri, "lunch at one?"]);
        }
        std::thread::sleep(Duration::from_secs(2));
        let name = format!("{theme}-{language}");
        screenshot(&x, &id, 1440, 900, &format!("{name}-prompt"));
        screenshot(&x, &id, 640, 480, &format!("{name}-prompt"));
        // Bob's page, with the switch: the Contacts tab, then his row (the
        // first: Bob before Dave).
        assert!(x.xdotool(&["windowsize", "--sync", &id, "1440", "900"]));
        std::thread::sleep(Duration::from_millis(800));
        assert!(x.xdotool(&["windowfocus", "--sync", &id]));
        click(&x, &id, 190, 427);
        click(&x, &id, 114, 520);
        screenshot(&x, &id, 1440, 900, &format!("{name}-contact"));
        // Settings, scrolled down to "Set me away after".
        click(&x, &id, 250, 116);
        assert!(x.xdotool(&["mousemove", "--window", &id, "720", "450"]));
        for _ in 0..15 {
            assert!(x.xdotool(&["click", "5"]));
        }
        screenshot(&x, &id, 1440, 900, &format!("{name}-settings"));
        // A click beside the dialog closes it.
        click(&x, &id, 1300, 600);
        screenshot(&x, &id, 640, 480, &format!("{name}-contact"));
        if round == 3 {
            // The last window: "Allow" on the banner lets carol in (before,
            // each window asked again: an answer is kept with the contact).
            assert!(x.xdotool(&["windowsize", "--sync", &id, "1440", "900"]));
            std::thread::sleep(Duration::from_millis(800));
            assert!(x.xdotool(&["windowfocus", "--sync", &id]));
            click(&x, &id, 1300, 33);
            let path = xvfb::artifacts().join("presence-1440x900-allowed.png");
            assert!(x.screenshot_window(&id, &path));
            next_json(&carol_lines, "carol allowed", |v| {
                v["event"] == "presence" && v["watch"] == "active"
            });
            let book = run(&alice_config, &alice_data, &["contacts", "list", "--json"]);
            let book = String::from_utf8_lossy(&book.stdout).to_string();
            assert!(book.contains("sip:carol@"), "carol is kept as a contact: {book}");
        }
        drop(carol);
        drop(window);
        // The next window takes the same data directory.
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(
        notifications
            .recorded()
            .iter()
            .filter(|r| r.summary.contains("online"))
            .count(),
        1,
        "only bob's coming online notified: {:#?}",
        notifications.recorded()
    );
}
