//! The real window's layout under Xvfb at 640x480, 800x500 and 1440x900,
//! light and dark, English and German: bob sends alice (the window) a long
//! message with a link through the tests' Kamailio; each start reopens that
//! conversation with a two-line draft in the composer (typed with
//! Shift+Enter), a message's menu and the emoji picker open once. Screenshots of the window are kept in
//! `target/gui-artifacts/layout-*.png` to be looked at; the test checks the
//! window takes each size and asks for no less than 640x480 (xprop).
//!
//! Bob also sends a picture (page mode): its preview, not its file card,
//! must be drawn (its colour is looked for in the 1440x900 screenshots).
//!
//! Also the contact list beside a contact page, light and dark
//! (`contacts-*.png`), with photos imported from a vCard (PNG and JPEG
//! `data:` URIs) drawn as avatars.
//!
//! Skips as `gui_window.rs` does (Xvfb tools, Kamailio).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/xvfb.rs"]
mod xvfb;

use kamailio::Kamailio;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xvfb::Xvfb;

const TEXT: &str = "Hi alice! The notes from Tuesday's meeting are at \
https://example.org/meetings/2026/tuesday-notes.html — call me at sip:bob@sipchat.test \
or write to mailto:bob@example.org when you have read them.\nSecond line of the message 👍😀";

/// The sizes looked at, smallest (the window's minimum) first.
const SIZES: [(u32, u32); 3] = [(640, 480), (800, 500), (1440, 900)];

/// `user`'s account config (registering at `kam` over TCP) in `dir`.
fn write_config(dir: &Path, kam: &Kamailio, user: &str) -> PathBuf {
    let text = kam.account_config(user, &kam.proxy_uri("tcp"), "");
    let path = dir.join(format!("{user}.ron"));
    std::fs::write(&path, text).unwrap();
    path
}

/// The window's size as X reports it.
fn geometry(x: &Xvfb, id: &str) -> (u32, u32) {
    let out = x
        .command("xdotool")
        .args(["getwindowgeometry", id])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let size = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Geometry: "))
        .and_then(|g| g.split_once('x'))
        .and_then(|(w, h)| Some((w.trim().parse().ok()?, h.trim().parse().ok()?)));
    size.unwrap_or_else(|| panic!("no geometry in {text:?}"))
}

/// A picture in one loud colour, with a white band so it is a picture
/// and not a colour: small enough for a page-mode MESSAGE.
fn loud_picture(width: u32, height: u32, colour: [u8; 3], format: image::ImageFormat) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |_, y| {
        if y % 20 < 3 {
            image::Rgb([255, 255, 255])
        } else {
            image::Rgb(colour)
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    picture.write_to(&mut out, format).unwrap();
    out.into_inner()
}

/// How many pixels of the screenshot at `path` are within 40 of `colour`
/// in each channel.
fn pixels_like(path: &Path, colour: [u8; 3]) -> usize {
    let shot = image::open(path).unwrap().into_rgb8();
    shot.pixels()
        .filter(|p| p.0.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 40))
        .count()
}

/// The received picture's colour.
const ORANGE: [u8; 3] = [255, 120, 0];
/// Photo colours: Erin's PNG, Frank's JPEG.
const MAGENTA: [u8; 3] = [255, 0, 255];
const GREEN: [u8; 3] = [0, 220, 0];

/// Moves the mouse to `at` in the window, lets the window see it there
/// (a click in the same instant can land before iced knows where the
/// cursor is), then presses `button`.
fn click(x: &Xvfb, id: &str, at: (u32, u32), button: &str) {
    assert!(x.xdotool(&["mousemove", "--window", id, &at.0.to_string(), &at.1.to_string()]));
    std::thread::sleep(Duration::from_millis(300));
    assert!(x.xdotool(&["click", button]));
}

fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_window_lays_out_at_every_size_theme_and_language() {
    let Some(x) = Xvfb::start_sized_or_skip((1600, 1000)) else {
        return;
    };
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let alice_cfg = write_config(dir.path(), &kam, "alice");
    let bob_cfg = write_config(dir.path(), &kam, "bob");
    let alice_data = dir.path().join("alice-data");
    let out = xvfb::artifacts();
    eprintln!("screenshots in {}", out.display());

    // The message arrives while the window runs (and stores it).
    let (window, id) = x.open_window(&alice_cfg, &alice_data);
    kam.send_until_accepted(&bob_cfg, &dir.path().join("bob-data"), "alice", TEXT);
    wait_until("the unread count in the title", Duration::from_secs(20), || {
        x.window_name(&id) == "sipchat (1)"
    });
    // A picture, in page mode (stored before it is answered).
    let picture = dir.path().join("sunset.png");
    std::fs::write(&picture, loud_picture(200, 120, ORANGE, image::ImageFormat::Png)).unwrap();
    let sent = Command::new(env!("CARGO_BIN_EXE_sipchat"))
        .arg("--config")
        .arg(&bob_cfg)
        .arg("--data-dir")
        .arg(dir.path().join("bob-data"))
        .args(["send-file", "--page-mode", &kam.aor("alice")])
        .arg(&picture)
        .output()
        .unwrap();
    assert!(
        sent.status.success(),
        "bob could not send the picture: {}",
        String::from_utf8_lossy(&sent.stderr)
    );
    drop(window);

    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    for (theme, language) in [("light", "en"), ("dark", "en"), ("light", "de"), ("dark", "de")] {
        let state = format!(
            r#"(width: 800.0, height: 500.0, theme: {theme}, language: Some({language}),
               last_conversation: Some((account: "alice", peer: "{peer}")),
               download_dir: Some("{downloads}"))"#,
            peer = kam.aor("bob"),
            downloads = downloads.display(),
        );
        std::fs::write(alice_data.join("window.ron"), state).unwrap();
        let (_window, id) = x.open_window(&alice_cfg, &alice_data);
        std::thread::sleep(Duration::from_secs(2));
        assert!(x.xdotool(&["windowfocus", "--sync", &id]));
        // Into the composer at the bottom right, whatever had the focus.
        click(&x, &id, (560, 468), "1");
        assert!(x.xdotool(&["type", "--delay", "20", "a draft"]));
        assert!(x.xdotool(&["key", "--clearmodifiers", "shift+Return"]));
        assert!(x.xdotool(&["type", "--delay", "20", "of two lines"]));
        for (width, height) in SIZES {
            assert!(x.xdotool(&[
                "windowsize",
                "--sync",
                &id,
                &width.to_string(),
                &height.to_string()
            ]));
            std::thread::sleep(Duration::from_millis(1200));
            let (w, h) = geometry(&x, &id);
            assert!(
                w >= 640 && h >= 480 && w.abs_diff(width) <= 1 && h.abs_diff(height) <= 1,
                "asked for {width}x{height}, the window is {w}x{h}"
            );
            let path = out.join(format!("layout-{width}x{height}-{theme}-{language}.png"));
            assert!(
                x.screenshot_window(&id, &path),
                "no screenshot {}",
                path.display()
            );
            if width == 1440 && theme == "light" && language == "en" {
                // The first time: Accept on the picture's card (under
                // the message, at 1440x900).
                click(&x, &id, (680, 362), "1");
                wait_until("the picture saved", Duration::from_secs(20), || {
                    downloads.join("sunset.png").exists()
                });
            }
            if width == 1440 {
                // The preview is drawn (decoding runs off the UI thread:
                // a late one is waited for).
                wait_until("the picture's preview", Duration::from_secs(20), || {
                    x.screenshot_window(&id, &path) && pixels_like(&path, ORANGE) > 10_000
                });
            }
        }
        // At 640x480 the sidebar unfolds over the pane with "»" and its
        // context menu opens on a message with a right click.
        assert!(x.xdotool(&["windowsize", "--sync", &id, "640", "480"]));
        std::thread::sleep(Duration::from_millis(800));
        let folded = x.capture_window(&id).expect("a capture");
        click(&x, &id, (32, 69), "1");
        wait_until("the sidebar unfolded", Duration::from_secs(20), || {
            x.capture_window(&id)
                .is_some_and(|now| now.differing_pixels(&folded) > 20_000)
        });
        std::thread::sleep(Duration::from_millis(300));
        let path = out.join(format!("layout-640x480-{theme}-{language}-unfolded.png"));
        assert!(x.screenshot_window(&id, &path));
        click(&x, &id, (30, 22), "1");
        std::thread::sleep(Duration::from_millis(500));
        click(&x, &id, (300, 170), "3");
        std::thread::sleep(Duration::from_millis(800));
        let path = out.join(format!("layout-640x480-{theme}-{language}-menu.png"));
        assert!(x.screenshot_window(&id, &path));
        // The composer's emoji picker (the button right of "+").
        assert!(x.xdotool(&["key", "Escape"]));
        click(&x, &id, (142, 438), "1");
        std::thread::sleep(Duration::from_millis(800));
        let path = out.join(format!("layout-640x480-{theme}-{language}-emoji.png"));
        assert!(x.screenshot_window(&id, &path));
        assert!(x.xdotool(&["key", "Escape"]));
        // The window asks the window manager for 640x480 at least.
        let hints = x
            .command("xprop")
            .args(["-id", &id, "WM_NORMAL_HINTS"])
            .output()
            .unwrap();
        let hints = String::from_utf8_lossy(&hints.stdout);
        assert!(
            hints.contains("minimum size: 640 by 480"),
            "the window's size hints: {hints}"
        );
    }
}

/// Adds a contact with the command line (no instance runs on `data`).
fn add_contact(config: &Path, data: &Path, args: &[&str]) {
    let added = Command::new(env!("CARGO_BIN_EXE_sipchat"))
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(["contacts", "add"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "contacts add {args:?}: {}",
        String::from_utf8_lossy(&added.stderr)
    );
}

/// The contact list beside a contact's page, light and dark: contacts
/// added with the command line, the page opened with Ctrl+K. Screenshots
/// in `target/gui-artifacts/contacts-*.png`.
#[test]
fn the_contact_list_and_a_contact_page_in_both_themes() {
    let Some(x) = Xvfb::start_sized_or_skip((1600, 1000)) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("local.ron");
    std::fs::write(
        &config,
        r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: 0))"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    add_contact(
        &config,
        &data,
        &[
            "sip:bob@example.org",
            "--name",
            "Bob Builder",
            "--address",
            "tel:+4930123456",
            "--group",
            "Work",
            "--note",
            "Site office, mornings only",
            "--favourite",
        ],
    );
    add_contact(
        &config,
        &data,
        &["sip:carol@example.net", "--name", "Carol Jones"],
    );
    add_contact(&config, &data, &["sips:dave@example.com", "--name", "Dave"]);
    // Photos as another client writes them: vCard 3 with a base64 PNG,
    // vCard 4 with a JPEG data: URI.
    use base64::Engine;
    let base64 = |bytes: Vec<u8>| base64::engine::general_purpose::STANDARD.encode(bytes);
    let png = base64(loud_picture(120, 120, MAGENTA, image::ImageFormat::Png));
    let jpeg = base64(loud_picture(160, 120, GREEN, image::ImageFormat::Jpeg));
    let cards = format!(
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Erin Photo\r\nIMPP:sip:erin@example.org\r\n\
         PHOTO;ENCODING=b;TYPE=PNG:{png}\r\nEND:VCARD\r\n\
         BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Frank Photo\r\nIMPP:sip:frank@example.org\r\n\
         PHOTO:data:image/jpeg;base64,{jpeg}\r\nEND:VCARD\r\n"
    );
    let vcf = dir.path().join("photos.vcf");
    std::fs::write(&vcf, cards).unwrap();
    let imported = Command::new(env!("CARGO_BIN_EXE_sipchat"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(&data)
        .args(["contacts", "import"])
        .arg(&vcf)
        .output()
        .unwrap();
    assert!(
        imported.status.success(),
        "contacts import: {}",
        String::from_utf8_lossy(&imported.stderr)
    );
    let out = xvfb::artifacts();
    for theme in ["light", "dark"] {
        let state = format!("(width: 1000.0, height: 640.0, theme: {theme}, language: Some(en))");
        std::fs::write(data.join("window.ron"), state).unwrap();
        let (_window, id) = x.open_window(&config, &data);
        std::thread::sleep(Duration::from_secs(2));
        assert!(x.xdotool(&["windowfocus", "--sync", &id]));
        assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+k"]));
        std::thread::sleep(Duration::from_millis(500));
        assert!(x.xdotool(&["type", "--delay", "20", "builder"]));
        assert!(x.xdotool(&["key", "Return"]));
        std::thread::sleep(Duration::from_millis(1200));
        let path = out.join(format!("contacts-1000x640-{theme}.png"));
        assert!(
            x.screenshot_window(&id, &path),
            "no screenshot {}",
            path.display()
        );
        // Frank's page: his photo at the top, larger.
        assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+k"]));
        std::thread::sleep(Duration::from_millis(500));
        assert!(x.xdotool(&["type", "--delay", "20", "frank"]));
        assert!(x.xdotool(&["key", "Return"]));
        std::thread::sleep(Duration::from_millis(1200));
        let path = out.join(format!("contacts-photo-1000x640-{theme}.png"));
        assert!(x.screenshot_window(&id, &path));
        // Decoding runs off the UI thread: a late photo is waited for.
        wait_until("Frank's photo on his page", Duration::from_secs(20), || {
            x.screenshot_window(&id, &path) && pixels_like(&path, GREEN) > 1_500
        });
        // Ctrl+K (nothing typed yet) lists every contact, Erin and Frank
        // with their photos, over the page: Erin's magenta appears once more.
        let magenta_before = pixels_like(&path, MAGENTA);
        assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+k"]));
        let path = out.join(format!("contacts-switcher-1000x640-{theme}.png"));
        wait_until("the photos in Ctrl+K's list", Duration::from_secs(20), || {
            x.screenshot_window(&id, &path) && pixels_like(&path, MAGENTA) >= magenta_before + 600
        });
        assert!(x.xdotool(&["key", "Escape"]));
        std::thread::sleep(Duration::from_millis(500));
        // The folded sidebar's Contacts tab at 640x480.
        assert!(x.xdotool(&["windowsize", "--sync", &id, "640", "480"]));
        std::thread::sleep(Duration::from_millis(1200));
        let path = out.join(format!("contacts-folded-640x480-{theme}.png"));
        // Erin's PNG and Frank's JPEG (an avatar is 36x36), in the folded
        // sidebar and Frank's on his page.
        wait_until(
            "the photos in the folded sidebar",
            Duration::from_secs(20),
            || {
                x.screenshot_window(&id, &path)
                    && pixels_like(&path, MAGENTA) > 400
                    && pixels_like(&path, GREEN) > 1_900
            },
        );
    }
}
