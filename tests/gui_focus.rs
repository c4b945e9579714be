//! The keyboard in the real window's dialogs under Xvfb, light and dark:
//! Tab draws the focus ring in Settings, Shift+Tab and Enter open the
//! account dialog from its "Add account" button, Tab reaches the
//! transport choices there, and Enter on Close closes Settings. The local
//! account's port is held by the test, so the window also shows the
//! port-clash banner naming the port it took instead. The permission
//! banner ("carol wants to see when you are online") is answered with Tab
//! and Enter. Screenshots in `target/gui-artifacts/focus-*.png`, to be
//! looked at. Also emoji of Unicode 13 to 15 in a received message
//! (`emoji-unicode-15-*.png`).
//!
//! In a 640x480 window Tab walks Settings to Close with the ring in view
//! at every step (the dialog scrolls to it), Settings opened again shows
//! no ring and its top, and the account form's fields still take the
//! caret with Tab (`focus-small-*.png`).
//!
//! Skips as `gui_window.rs` does (Xvfb tools).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/xvfb.rs"]
mod xvfb;

use std::path::Path;
use std::process::Stdio;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};
use xvfb::{Image, Window, Xvfb};

/// More changed pixels than a blinking caret makes (a ring is hundreds).
const RING_PIXELS: usize = 200;
/// Fewer changed pixels than two rings: button shadows redrawn in place.
const SHADOW_PIXELS: usize = 1_000;
/// More changed pixels than a ring: a dialog opened or closed.
const DIALOG_PIXELS: usize = 5_000;
/// Time for the window to draw after a key.
const SETTLE: Duration = Duration::from_millis(900);
/// How long a key's effect may take to show in a loaded machine's window.
const CHANGE_WAIT: Duration = Duration::from_secs(20);
/// The small window: the smallest the window allows.
const SMALL: (usize, usize) = (640, 480);
/// More changed pixels than a blinking caret: a few letters typed.
const TYPED_PIXELS: usize = 40;
/// Most Tabs from Settings' first control to its last (Close).
const MOST_STOPS: usize = 40;
/// Pixels of the ring's own colour a ring has at least (its antialiased
/// edges have others).
const RING_COLOURED: usize = 100;

fn keys(x: &Xvfb, keys: &[&str]) {
    for key in keys {
        assert!(x.xdotool(&["key", "--clearmodifiers", key]), "xdotool key {key}");
        std::thread::sleep(Duration::from_millis(120));
    }
    std::thread::sleep(SETTLE);
}

/// Starts the window with `config` on `data` (its `window.ron` written from
/// `state`), waits until it is there and settled, and focuses it.
fn start_window(x: &Xvfb, config: &Path, data: &Path, state: &str) -> (Window, String) {
    std::fs::create_dir_all(data).unwrap();
    std::fs::write(data.join("window.ron"), state).unwrap();
    let (window, id) = x.open_window(config, data);
    std::thread::sleep(Duration::from_secs(2));
    assert!(x.xdotool(&["windowfocus", "--sync", &id]));
    (window, id)
}

/// Saves the window as `name` and returns what it showed.
fn shot(x: &Xvfb, id: &str, out: &Path, name: &str) -> Image {
    let path = out.join(name);
    assert!(x.screenshot_window(id, &path), "no screenshot {}", path.display());
    x.capture_window(id).expect("a capture of the window")
}

/// Waits (under load the window may answer keys late) until the window
/// differs from `before` in more than `least` pixels, then saves it as
/// `name`; fails with `what` when it does not within [`CHANGE_WAIT`].
fn changed_shot(
    x: &Xvfb,
    id: &str,
    out: &Path,
    name: &str,
    (before, least, what): (&Image, usize, &str),
) -> Image {
    let deadline = std::time::Instant::now() + CHANGE_WAIT;
    loop {
        let now = x.capture_window(id).expect("a capture of the window");
        if now.differing_pixels(before) > least || std::time::Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let after = shot(x, id, out, name);
    differ(before, &after, least, what);
    after
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
    let out = xvfb::artifacts();
    eprintln!("screenshots in {}; port {port} held", out.display());
    for theme in ["light", "dark"] {
        let data = dir.path().join(format!("data-{theme}"));
        let state = format!("(width: 1000.0, height: 640.0, theme: {theme}, language: Some(en))");
        let (_window, id) = start_window(&x, &config, &data, &state);
        shot(&x, &id, &out, &format!("focus-port-clash-{theme}.png"));

        // Settings (under the status selector): Tab three times is the "Dark" choice.
        assert!(x.xdotool(&["mousemove", "--window", &id, "250", "117", "click", "1"]));
        std::thread::sleep(SETTLE);
        let open = shot(&x, &id, &out, &format!("focus-settings-open-{theme}.png"));
        keys(&x, &["Tab", "Tab", "Tab"]);
        changed_shot(
            &x,
            &id,
            &out,
            &format!("focus-settings-{theme}.png"),
            (&open, RING_PIXELS, "Tab drew no ring in Settings"),
        );

        // Back past the start: Close, then "Add account"; Enter opens the dialog.
        keys(&x, &["shift+Tab", "shift+Tab", "shift+Tab", "shift+Tab"]);
        let on_add = shot(&x, &id, &out, &format!("focus-settings-add-{theme}.png"));
        keys(&x, &["Return"]);
        let form = changed_shot(
            &x,
            &id,
            &out,
            &format!("focus-account-form-open-{theme}.png"),
            (&on_add, DIALOG_PIXELS, "Enter on Add opened no account dialog"),
        );

        // From the address field: password, display name, proxy, then the
        // first transport; three more and Space chooses TLS.
        keys(&x, &["Tab", "Tab", "Tab", "Tab"]);
        changed_shot(
            &x,
            &id,
            &out,
            &format!("focus-account-form-{theme}.png"),
            (&form, RING_PIXELS, "Tab drew no ring in the account dialog"),
        );
        keys(&x, &["Tab", "Tab", "Tab", "space"]);
        shot(&x, &id, &out, &format!("focus-account-form-tls-{theme}.png"));

        // Esc closes the dialog; in Settings Shift+Tab is Close, and Enter closes.
        keys(&x, &["Escape", "shift+Tab"]);
        let on_close = shot(&x, &id, &out, &format!("focus-settings-close-{theme}.png"));
        keys(&x, &["Return"]);
        changed_shot(
            &x,
            &id,
            &out,
            &format!("focus-settings-closed-{theme}.png"),
            (&on_close, DIALOG_PIXELS, "Enter on Close left Settings open"),
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
    let port = cli::free_port();
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
    let out = xvfb::artifacts();
    for theme in ["light", "dark"] {
        let data = dir.path().join(format!("alice-{theme}"));
        let state = format!("(width: 1000.0, height: 640.0, theme: {theme}, language: Some(en))");
        let (_window, id) = start_window(&x, &alice, &data, &state);
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

/// The next JSON line of `lines` satisfying `want`, within 40 s.
fn next_json(lines: &Receiver<String>, what: &str, want: impl Fn(&serde_json::Value) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = lines
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no {what} in time"));
        if serde_json::from_str::<serde_json::Value>(&line).is_ok_and(|v| want(&v)) {
            return;
        }
    }
}

/// Carol, a stranger (`sipchat listen --watch`), asks to see alice's
/// status: from the search field Tab passes the new-conversation field and
/// draws the ring on the banner's Allow; Enter allows, and carol's watch
/// turns active.
#[test]
fn the_permission_banner_is_answered_with_tab_and_enter() {
    let Some(x) = Xvfb::start_sized_or_skip((1200, 800)) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (alice_port, carol_port) = (cli::free_port(), cli::free_port());
    let alice = cli::write_local_config(dir.path(), "alice", alice_port);
    let carol = cli::write_local_config(dir.path(), "carol", carol_port);
    let data = dir.path().join("alice");
    let state = "(width: 1000.0, height: 640.0, theme: light, language: Some(en))";
    let out = xvfb::artifacts();
    let (_window, id) = start_window(&x, &alice, &data, state);
    let before = shot(&x, &id, &out, "focus-request-none-light.png");

    let mut watcher = cli::sipchat()
        .env_remove("SIPCHAT_CONFIG")
        .env_remove("SIPCHAT_DATA_DIR")
        .arg("--config")
        .arg(&carol)
        .arg("--data-dir")
        .arg(dir.path().join("carol"))
        .args(["listen", "--json", "--watch"])
        .arg(format!("sip:alice@127.0.0.1:{alice_port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = cli::lines_of(&mut watcher);
    let _watcher = cli::Killed(watcher);
    next_json(&lines, "carol waiting for permission", |v| {
        v["event"] == "presence" && v["watch"] == "pending"
    });
    std::thread::sleep(SETTLE);
    changed_shot(
        &x,
        &id,
        &out,
        "focus-request-light.png",
        (&before, DIALOG_PIXELS, "no permission banner"),
    );

    // The caret into the search field, then Tab, Tab: Allow.
    assert!(x.xdotool(&["mousemove", "--window", &id, "150", "163", "click", "1"]));
    std::thread::sleep(SETTLE);
    let searching = shot(&x, &id, &out, "focus-request-search-light.png");
    keys(&x, &["Tab", "Tab"]);
    let on_allow = changed_shot(
        &x,
        &id,
        &out,
        "focus-request-allow-light.png",
        (&searching, RING_PIXELS, "Tab drew no ring on Allow"),
    );
    keys(&x, &["Return"]);
    next_json(&lines, "carol allowed", |v| {
        v["event"] == "presence" && v["watch"] == "active"
    });
    changed_shot(
        &x,
        &id,
        &out,
        "focus-request-allowed-light.png",
        (&on_allow, DIALOG_PIXELS, "Enter left the banner up"),
    );
}

/// The colour most of `after`'s pixels that differ from `before` have: a
/// ring's, when the only change was a ring drawn.
fn changed_colour(before: &Image, after: &Image) -> [u8; 3] {
    let mut counts = std::collections::HashMap::new();
    for (old, new) in before.rgb.chunks_exact(3).zip(after.rgb.chunks_exact(3)) {
        if old != new {
            *counts.entry([new[0], new[1], new[2]]).or_insert(0usize) += 1;
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, count)| *count)
        .map(|(colour, _)| colour)
        .expect("something changed")
}

/// How many pixels of `image` are `colour`.
fn pixels_of(image: &Image, colour: [u8; 3]) -> usize {
    image.rgb.chunks_exact(3).filter(|px| **px == colour).count()
}

/// Settings and the account form in a 640x480 window, too short for
/// either: Tab from Settings' first control to Close scrolls so that the
/// ring shows at every step (its colour, learned from the first Tab, is
/// counted in each screenshot), Enter on Close closes, Settings opened
/// again shows no ring and its top, and the account form (opened with
/// Shift+Tab and Enter on "Add account") takes typing in its first fields
/// with Tab, and Shift+Tab round to Save shows the ring there.
#[test]
fn a_small_window_scrolls_dialogs_to_the_focused_control() {
    let Some(x) = Xvfb::start_sized_or_skip((1200, 800)) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = cli::write_local_config(dir.path(), "alice", cli::free_port());
    let data = dir.path().join("alice");
    let state = "(width: 1000.0, height: 640.0, theme: light, language: Some(en))";
    let out = xvfb::artifacts();
    let (_window, id) = start_window(&x, &config, &data, state);
    open_settings_small(&x, &id);
    let open = shot(&x, &id, &out, "focus-small-settings-open.png");
    assert_eq!((open.width, open.height), SMALL, "the window took the small size");

    keys(&x, &["Tab"]);
    let first = shot(&x, &id, &out, "focus-small-settings-first.png");
    differ(&open, &first, RING_PIXELS, "Tab drew no ring in Settings");
    let ring = changed_colour(&open, &first);
    let unringed = pixels_of(&open, ring);
    let shows_ring = |image: &Image| pixels_of(image, ring) > unringed + RING_COLOURED;
    assert!(shows_ring(&first), "the ring's colour {ring:?} is counted");

    // Shift+Tab from the first control goes round to Close, at the end.
    keys(&x, &["shift+Tab"]);
    let on_close = shot(&x, &id, &out, "focus-small-settings-close.png");
    differ(
        &first,
        &on_close,
        DIALOG_PIXELS,
        "Shift+Tab to Close did not scroll",
    );
    ring_in_view(&x, &id, ring, &on_close, "Close");

    // The click took the ring away: Tab starts again at the first control
    // and goes on to Close with the ring in view at every step.
    let mut tabs = 0;
    loop {
        tabs += 1;
        assert!(tabs <= MOST_STOPS, "Tab never came to Close");
        keys(&x, &["Tab"]);
        let step = shot(&x, &id, &out, &format!("focus-small-settings-tab-{tabs}.png"));
        assert!(shows_ring(&step), "no ring in view after {tabs} Tabs");
        // At Close: as on the way there by Shift+Tab, up to a few hundred
        // pixels of button shadows that the renderer's partial redraws
        // blend a little differently, with the same ring.
        let apart = step.differing_pixels(&on_close);
        let same_ring = pixels_of(&step, ring).abs_diff(pixels_of(&on_close, ring)) <= RING_COLOURED / 4;
        if apart < RING_PIXELS || (apart < SHADOW_PIXELS && same_ring) {
            break;
        }
    }
    eprintln!("Close after {tabs} Tabs");
    keys(&x, &["Return"]);
    let closed = shot(&x, &id, &out, "focus-small-settings-closed.png");
    differ(
        &on_close,
        &closed,
        DIALOG_PIXELS,
        "Enter on Close left Settings open",
    );

    // Opened again (wide, then small): no ring, and the top, as at first.
    open_settings_small(&x, &id);
    let again = shot(&x, &id, &out, "focus-small-settings-again.png");
    assert!(!shows_ring(&again), "the ring came back with Settings");
    assert!(
        again.differing_pixels(&open) < RING_PIXELS,
        "Settings opened again is not as at first"
    );

    // Shift+Tab twice is "Add account"; Enter opens the account form with
    // the caret in its address field, which takes typing, and Tab moves
    // the caret on to the password and the display name.
    keys(&x, &["shift+Tab", "shift+Tab"]);
    shot(&x, &id, &out, "focus-small-settings-add.png");
    keys(&x, &["Return"]);
    let mut form = shot(&x, &id, &out, "focus-small-form-open.png");
    differ(
        &again,
        &form,
        DIALOG_PIXELS,
        "Enter on Add opened no account form",
    );
    for (field, typed) in ["address", "password", "display-name"]
        .into_iter()
        .zip(["bob", "pw", "Bob"])
    {
        if field != "address" {
            keys(&x, &["Tab"]);
        }
        assert!(x.xdotool(&["type", "--delay", "20", typed]));
        std::thread::sleep(SETTLE);
        let filled = shot(&x, &id, &out, &format!("focus-small-form-{field}.png"));
        differ(
            &form,
            &filled,
            TYPED_PIXELS,
            &format!("typing showed nothing in the {field} field"),
        );
        form = filled;
    }
    // Shift+Tab back past the address goes round to Save, at the end of
    // the form: in view.
    keys(&x, &["shift+Tab", "shift+Tab", "shift+Tab"]);
    let on_save = shot(&x, &id, &out, "focus-small-form-save.png");
    ring_in_view(&x, &id, ring, &on_save, "Save");
    keys(&x, &["Escape"]);
}

/// Settings opened in the window made wide (under the status selector),
/// then the window made small again, the pointer parked on the dimmed
/// sidebar.
fn open_settings_small(x: &Xvfb, id: &str) {
    assert!(x.xdotool(&["windowsize", id, "1000", "640"]));
    std::thread::sleep(SETTLE);
    assert!(x.xdotool(&["mousemove", "--window", id, "250", "117", "click", "1"]));
    std::thread::sleep(SETTLE);
    let (width, height) = (SMALL.0.to_string(), SMALL.1.to_string());
    assert!(x.xdotool(&["windowsize", id, &width, &height]));
    assert!(x.xdotool(&["mousemove", "--window", id, "10", "400"]));
    std::thread::sleep(SETTLE * 2);
    settle(x, id);
}

/// Waits (within [`CHANGE_WAIT`]) until two captures of the window a
/// moment apart are the same: a loaded machine may still be laying the
/// window out for its new size.
fn settle(x: &Xvfb, id: &str) {
    let deadline = Instant::now() + CHANGE_WAIT;
    let mut before = x.capture_window(id).expect("a capture of the window");
    while Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(400));
        let now = x.capture_window(id).expect("a capture of the window");
        if now.differing_pixels(&before) == 0 {
            return;
        }
        before = now;
    }
}

/// `ringed` shows the ring (of colour `ring`) on `what`: a right click on
/// the dimmed sidebar (which only the scrim's left click answers, by
/// closing the dialog) takes the ring away and leaves all else as it was,
/// so the pixels of that colour that go are the ring's. The focus is then
/// nowhere: Tab starts at the first stop, Shift+Tab at the last.
fn ring_in_view(x: &Xvfb, id: &str, ring: [u8; 3], ringed: &Image, what: &str) {
    assert!(x.xdotool(&["mousemove", "--window", id, "10", "400", "click", "3"]));
    std::thread::sleep(SETTLE);
    let plain = x.capture_window(id).expect("a capture of the window");
    let (with, without) = (pixels_of(ringed, ring), pixels_of(&plain, ring));
    assert!(
        with > without + RING_COLOURED,
        "the ring on {what} is not in view ({with} pixels of its colour, {without} without it)"
    );
}
