//! The keyboard in the real window's dialogs under Xvfb, light and dark:
//! Tab draws the focus ring in Settings, Shift+Tab and Enter open the
//! account dialog from its "Add account" button, Tab reaches the
//! transport choices there, and Enter on Close closes Settings. The local
//! account's port is held by the test, so the window also shows the
//! port-clash banner naming the port it took instead. Screenshots in
//! `target/gui-artifacts/focus-*.png`, to be looked at. Also emoji of
//! Unicode 13 to 15 in a received message (`emoji-unicode-15-*.png`).
//!
//! Skips as `gui_window.rs` does (Xvfb tools).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/xvfb.rs"]
mod xvfb;

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;
use xvfb::{Image, Xvfb};

/// More changed pixels than a blinking caret makes (a ring is hundreds).
const RING_PIXELS: usize = 200;
/// More changed pixels than a ring: a dialog opened or closed.
const DIALOG_PIXELS: usize = 5_000;
/// Time for the window to draw after a key.
const SETTLE: Duration = Duration::from_millis(900);

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("gui-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The window process; killed on drop.
struct Window(Child);

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn keys(x: &Xvfb, keys: &[&str]) {
    for key in keys {
        assert!(x.xdotool(&["key", "--clearmodifiers", key]), "xdotool key {key}");
        std::thread::sleep(Duration::from_millis(120));
    }
    std::thread::sleep(SETTLE);
}

/// Saves the window as `name` and returns what it showed.
fn shot(x: &Xvfb, id: &str, out: &Path, name: &str) -> Image {
    let path = out.join(name);
    assert!(x.screenshot_window(id, &path), "no screenshot {}", path.display());
    x.capture_window(id).expect("a capture of the window")
}

fn differ(before: &Image, after: &Image, least: usize, what: &str) {
    let changed = before.differing_pixels(after);
    assert!(changed > least, "{what}: only {changed} pixels changed");
}

#[test]
fn tab_enter_and_space_work_in_the_dialogs_of_the_real_window() {
    let Some(x) = Xvfb::start_sized_or_skip((1200, 800)) else {
        return;
    };
    // The local account's usual port is taken by another program.
    let holder = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("local.ron");
    std::fs::write(
        &config,
        format!(r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: {port}))"#),
    )
    .unwrap();
    let out = artifacts();
    eprintln!("screenshots in {}; port {port} held", out.display());
    for theme in ["light", "dark"] {
        let data = dir.path().join(format!("data-{theme}"));
        std::fs::create_dir_all(&data).unwrap();
        let state = format!("(width: 1000.0, height: 640.0, theme: {theme}, language: Some(en))");
        std::fs::write(data.join("window.ron"), state).unwrap();
        let _window = Window(
            x.command(env!("CARGO_BIN_EXE_sipchat"))
                .env("SIPCHAT_CONFIG", &config)
                .env("SIPCHAT_DATA_DIR", &data)
                .env("LANG", "en_US.UTF-8")
                .env_remove("WAYLAND_DISPLAY")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let id = x
            .wait_for_window("^sipchat", Duration::from_secs(30))
            .expect("the sipchat window appears");
        std::thread::sleep(Duration::from_secs(2));
        assert!(x.xdotool(&["windowfocus", "--sync", &id]));
        shot(&x, &id, &out, &format!("focus-port-clash-{theme}.png"));

        // Settings (top of the sidebar): Tab three times is the "Dark" choice.
        assert!(x.xdotool(&["mousemove", "--window", &id, "250", "74", "click", "1"]));
        std::thread::sleep(SETTLE);
        let open = shot(&x, &id, &out, &format!("focus-settings-open-{theme}.png"));
        keys(&x, &["Tab", "Tab", "Tab"]);
        let ringed = shot(&x, &id, &out, &format!("focus-settings-{theme}.png"));
        differ(&open, &ringed, RING_PIXELS, "Tab drew no ring in Settings");

        // Back past the start: Close, then "Add account"; Enter opens the dialog.
        keys(&x, &["shift+Tab", "shift+Tab", "shift+Tab", "shift+Tab"]);
        let on_add = shot(&x, &id, &out, &format!("focus-settings-add-{theme}.png"));
        keys(&x, &["Return"]);
        let form = shot(&x, &id, &out, &format!("focus-account-form-open-{theme}.png"));
        differ(
            &on_add,
            &form,
            DIALOG_PIXELS,
            "Enter on Add opened no account dialog",
        );

        // From the address field: password, display name, proxy, then the
        // first transport; three more and Space chooses TLS.
        keys(&x, &["Tab", "Tab", "Tab", "Tab"]);
        let transport = shot(&x, &id, &out, &format!("focus-account-form-{theme}.png"));
        differ(
            &form,
            &transport,
            RING_PIXELS,
            "Tab drew no ring in the account dialog",
        );
        keys(&x, &["Tab", "Tab", "Tab", "space"]);
        shot(&x, &id, &out, &format!("focus-account-form-tls-{theme}.png"));

        // Esc closes the dialog; in Settings Shift+Tab is Close, and Enter closes.
        keys(&x, &["Escape", "shift+Tab"]);
        let on_close = shot(&x, &id, &out, &format!("focus-settings-close-{theme}.png"));
        keys(&x, &["Return"]);
        let closed = shot(&x, &id, &out, &format!("focus-settings-closed-{theme}.png"));
        differ(
            &on_close,
            &closed,
            DIALOG_PIXELS,
            "Enter on Close left Settings open",
        );
    }
    drop(holder);
}

/// Emoji of Unicode 13 to 15 draw in the shipped font: bob (another
/// sipchat, peer to peer) sends them to the window's local account, and the
/// open conversation is kept as `target/gui-artifacts/emoji-unicode-15-*.png`
/// to be looked at (boxes would mean the font lacks them).
#[test]
fn emoji_of_unicode_13_to_15_draw_in_the_window() {
    let Some(x) = Xvfb::start_sized_or_skip((1200, 800)) else {
        return;
    };
    let port = {
        let probe = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        probe.local_addr().unwrap().port()
    };
    let dir = tempfile::tempdir().unwrap();
    let alice = dir.path().join("alice.ron");
    std::fs::write(
        &alice,
        format!(r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: {port}))"#),
    )
    .unwrap();
    let bob = dir.path().join("bob.ron");
    std::fs::write(
        &bob,
        r#"(accounts: [], local: (user: "bob", bind: "127.0.0.1", port: 0))"#,
    )
    .unwrap();
    let out = artifacts();
    for theme in ["light", "dark"] {
        let data = dir.path().join(format!("alice-{theme}"));
        std::fs::create_dir_all(&data).unwrap();
        let state = format!("(width: 1000.0, height: 640.0, theme: {theme}, language: Some(en))");
        std::fs::write(data.join("window.ron"), state).unwrap();
        let _window = Window(
            x.command(env!("CARGO_BIN_EXE_sipchat"))
                .env("SIPCHAT_CONFIG", &alice)
                .env("SIPCHAT_DATA_DIR", &data)
                .env("LANG", "en_US.UTF-8")
                .env_remove("WAYLAND_DISPLAY")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let id = x
            .wait_for_window("^sipchat", Duration::from_secs(30))
            .expect("the sipchat window appears");
        std::thread::sleep(Duration::from_secs(2));
        let text = "Unicode 13 to 15: 🥲 🫀 🫠 🫶 🫨 🩷 🫎 (and 9: 🤣)";
        let sent = std::process::Command::new(env!("CARGO_BIN_EXE_sipchat"))
            .arg("--config")
            .arg(&bob)
            .arg("--data-dir")
            .arg(dir.path().join(format!("bob-{theme}")))
            .args(["send", &format!("sip:alice@127.0.0.1:{port}"), text])
            .output()
            .unwrap();
        assert!(
            sent.status.success(),
            "bob could not send: {}",
            String::from_utf8_lossy(&sent.stderr)
        );
        assert!(x.xdotool(&["windowfocus", "--sync", &id]));
        keys(&x, &["ctrl+k"]);
        assert!(x.xdotool(&["type", "--delay", "20", "bob"]));
        keys(&x, &["Return"]);
        shot(&x, &id, &out, &format!("emoji-unicode-15-{theme}.png"));
    }
}
