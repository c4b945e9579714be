//! The real window under Xvfb: `sipchat` (no command) registered at the
//! tests' Kamailio as alice; `sipchat send` as bob sends her a message; the
//! window's title shows the unread count and the screen changes; Ctrl+K
//! opens the conversation with the message in it. Screenshots are kept in
//! `target/gui-artifacts/` (the path is printed).
//!
//! Skips when Xvfb, xdotool or ImageMagick are missing, unless
//! `SIPCHAT_REQUIRE_XVFB=1` (as `.ci/run` sets); skips without Kamailio
//! unless `SIPCHAT_REQUIRE_KAMAILIO=1`.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/xvfb.rs"]
mod xvfb;

use kamailio::Kamailio;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xvfb::{Image, Xvfb};

const TEXT: &str = "Hello from bob through Kamailio";

/// `user`'s account config (registering at `kam` over TCP) in `dir`.
fn write_config(dir: &Path, kam: &Kamailio, user: &str) -> PathBuf {
    let text = kam.account_config(user, &kam.proxy_uri("tcp"), "");
    let path = dir.join(format!("{user}.ron"));
    std::fs::write(&path, text).unwrap();
    path
}

fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn assert_not_blank(image: &Image, name: &str) {
    let colours = image.distinct_colours();
    assert!(
        colours >= 16,
        "{name} looks blank: only {colours} distinct colours"
    );
}

#[test]
fn the_window_shows_a_message_received_through_kamailio() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let alice_cfg = write_config(dir.path(), &kam, "alice");
    let bob_cfg = write_config(dir.path(), &kam, "bob");
    let out = xvfb::artifacts();
    eprintln!("screenshots in {}", out.display());

    let (mut window, id) = x.open_window(&alice_cfg, &dir.path().join("alice-data"));
    assert_eq!(x.window_name(&id), "sipchat", "no unread messages yet");
    // Let the first frames and the registration settle.
    std::thread::sleep(Duration::from_secs(2));
    let before = x.screenshot(&out.join("1-started.png"));
    assert_not_blank(&before, "the started window");

    kam.send_until_accepted(&bob_cfg, &dir.path().join("bob-data"), "alice", TEXT);

    wait_until("the unread count in the title", Duration::from_secs(10), || {
        x.window_name(&id) == "sipchat (1)"
    });
    std::thread::sleep(Duration::from_millis(500));
    let received = x.screenshot(&out.join("2-received.png"));
    assert_not_blank(&received, "the window with a new message");
    assert!(
        received.differing_pixels(&before) > 500,
        "the list shows nothing new after the message came"
    );

    // Ctrl+K, "bob", Enter: the conversation opens and is read.
    assert!(x.xdotool(&["windowfocus", "--sync", &id]));
    assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+k"]));
    std::thread::sleep(Duration::from_millis(300));
    assert!(x.xdotool(&["type", "--delay", "20", "bob"]));
    assert!(x.xdotool(&["key", "Return"]));
    wait_until("the conversation to be read", Duration::from_secs(10), || {
        x.window_name(&id) == "sipchat"
    });
    std::thread::sleep(Duration::from_millis(500));
    let open = x.screenshot(&out.join("3-conversation.png"));
    assert_not_blank(&open, "the open conversation");
    assert!(
        open.differing_pixels(&received) > 2000,
        "opening the conversation changed nothing on screen"
    );

    // SIGTERM (as a desktop session sends at logout) saves and exits cleanly.
    let term = Command::new("kill")
        .args(["-TERM", &window.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let started = Instant::now();
    loop {
        if let Some(status) = window.0.try_wait().unwrap() {
            assert!(status.success(), "sipchat exited with {status}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "sipchat did not exit on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let saved = std::fs::read_to_string(dir.path().join("alice-data").join("window.ron"))
        .expect("the window saved its state");
    assert!(
        saved.contains("sip:bob@sipchat.test") || saved.contains("bob@sipchat.test"),
        "{saved}"
    );
}

/// bob's `send-file`, killed on drop (it waits for alice's answer).
struct Sender(Child);

impl Drop for Sender {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn a_file_sent_to_the_window_shows_as_an_offer_and_arrives_when_accepted() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let alice_cfg = write_config(dir.path(), &kam, "alice");
    let downloads = dir.path().join("alice-downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let config = std::fs::read_to_string(&alice_cfg).unwrap().replace(
        "expires: 300,",
        &format!(
            "expires: 300,\n        download_dir: {:?},",
            downloads.display().to_string()
        ),
    );
    std::fs::write(&alice_cfg, config).unwrap();
    let bob_cfg = write_config(dir.path(), &kam, "bob");
    let out = xvfb::artifacts();
    eprintln!("screenshots in {}", out.display());
    let (_window, id) = x.open_window(&alice_cfg, &dir.path().join("alice-data"));
    std::thread::sleep(Duration::from_secs(2));
    kam.send_until_accepted(&bob_cfg, &dir.path().join("bob-data"), "alice", "A file for you");
    wait_until("the message", Duration::from_secs(10), || {
        x.window_name(&id) == "sipchat (1)"
    });
    std::thread::sleep(Duration::from_millis(500));
    let before = x.screenshot(&out.join("file-1-message.png"));

    let file = dir.path().join("quarterly-report.pdf");
    std::fs::write(&file, vec![7u8; 3 * 1024 * 1024 / 2]).unwrap();
    let _sender = Sender(
        Command::new(env!("CARGO_BIN_EXE_sipchat"))
            .arg("--config")
            .arg(&bob_cfg)
            .arg("--data-dir")
            .arg(dir.path().join("bob-data"))
            .args(["send-file", &kam.aor("alice")])
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The offer shows as a banner over the pane (no conversation is open).
    let mut offered = None;
    wait_until("the offer banner", Duration::from_secs(20), || {
        let shot = x.screenshot(&out.join("file-2-offer-banner.png"));
        let changed = shot.differing_pixels(&before) > 2000;
        offered = Some(shot);
        changed
    });
    let offered = offered.unwrap();
    assert_not_blank(&offered, "the window with a file offer");

    // Ctrl+K, "bob", Enter: the offer is a card in the conversation.
    assert!(x.xdotool(&["windowfocus", "--sync", &id]));
    assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+k"]));
    std::thread::sleep(Duration::from_millis(300));
    assert!(x.xdotool(&["type", "--delay", "20", "bob"]));
    assert!(x.xdotool(&["key", "Return"]));
    wait_until("the conversation to be read", Duration::from_secs(10), || {
        x.window_name(&id) == "sipchat"
    });
    std::thread::sleep(Duration::from_millis(500));
    let open = x.screenshot(&out.join("file-3-offer-card.png"));
    assert_not_blank(&open, "the conversation with the offer");
    assert!(
        open.differing_pixels(&offered) > 2000,
        "opening the conversation changed nothing"
    );

    // Accept on the card (where the default 1040x700 layout puts it): the
    // file lands in alice's download folder and bob's send-file succeeds.
    assert!(x.xdotool(&["mousemove", "--window", &id, "680", "285", "click", "1"]));
    let saved = downloads.join("quarterly-report.pdf");
    wait_until(
        "the file in alice's download folder",
        Duration::from_secs(20),
        || std::fs::metadata(&saved).is_ok_and(|m| m.len() == 3 * 1024 * 1024 / 2),
    );
    let mut sender = _sender;
    wait_until("bob's send-file to finish", Duration::from_secs(10), || {
        sender.0.try_wait().unwrap().is_some()
    });
    assert!(sender.0.wait().unwrap().success(), "bob's send-file failed");
    std::thread::sleep(Duration::from_millis(500));
    let done = x.screenshot(&out.join("file-4-received.png"));
    assert!(
        done.differing_pixels(&open) > 500,
        "the card did not change when the file came"
    );
}
