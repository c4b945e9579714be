//! Ctrl+V in the real window's composer under Xvfb (#17): a picture on the
//! X clipboard (put there by this test with arboard, as a screenshot tool
//! would) is offered in a dialog with its preview and saved as a PNG in the
//! data directory's `pasted/` folder; Esc cancels and removes that file.
//! Files on the clipboard (`text/uri-list`, as a file manager puts them)
//! open the dialog too, and its Send sends them to bob (a `sipchat listen
//! --accept-files` on the local account), who saves them. Screenshots in
//! `target/gui-artifacts/paste-*.png`.
//!
//! Skips as `gui_window.rs` does (Xvfb tools). Alone in its binary: it
//! points this process's `DISPLAY` at the test's Xvfb.

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/xvfb.rs"]
mod xvfb;

include!("support/ports.rs");

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};
use xvfb::{Window, Xvfb};

/// The pasted picture's colour, looked for in the dialog's preview.
const ORANGE: [u8; 3] = [255, 120, 0];

fn wait_until(what: &str, timeout: Duration, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !ok() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn pixels_like(path: &Path, colour: [u8; 3]) -> usize {
    let shot = image::open(path).unwrap().into_rgb8();
    shot.pixels()
        .filter(|p| p.0.iter().zip(colour).all(|(a, b)| a.abs_diff(b) <= 40))
        .count()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default()
}

#[test]
fn a_pasted_picture_is_offered_and_cancelled_and_a_pasted_file_is_sent() {
    let Some(x) = Xvfb::start_sized_or_skip((1200, 800)) else {
        return;
    };
    // SAFETY of the test, not of memory: this binary has this one test, so
    // no other thread reads the environment meanwhile.
    std::env::set_var("DISPLAY", &x.display);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("local.ron");
    std::fs::write(
        &config,
        r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: 0))"#,
    )
    .unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("window.ron"),
        "(width: 1000.0, height: 640.0, theme: light, language: Some(en))",
    )
    .unwrap();
    // Bob, on a port of his own, takes every file.
    let port = free_port();
    let bob_config = dir.path().join("bob.ron");
    std::fs::write(
        &bob_config,
        format!(r#"(accounts: [], local: (user: "bob", bind: "127.0.0.1", port: {port}))"#),
    )
    .unwrap();
    let bob_files = dir.path().join("bob-files");
    std::fs::create_dir_all(&bob_files).unwrap();
    let _bob = Window(
        std::process::Command::new(env!("CARGO_BIN_EXE_sipchat"))
            .arg("--config")
            .arg(&bob_config)
            .arg("--data-dir")
            .arg(dir.path().join("bob-data"))
            .arg("listen")
            .arg("--accept-files")
            .arg(&bob_files)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let _window = Window(
        x.command(env!("CARGO_BIN_EXE_sipchat"))
            .env("SIPCHAT_CONFIG", &config)
            .env("SIPCHAT_DATA_DIR", &data)
            .env("LANG", "en_US.UTF-8")
            .env_remove("WAYLAND_DISPLAY")
            .arg(format!("sip:bob@127.0.0.1:{port}"))
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
    // Into the composer at the bottom.
    assert!(x.xdotool(&["mousemove", "--window", &id, "600", "610", "click", "1"]));
    std::thread::sleep(Duration::from_millis(500));

    // A picture, as a screenshot tool copies one.
    let (width, height) = (200usize, 120usize);
    let mut rgba = Vec::with_capacity(width * height * 4);
    for y in 0..height {
        let pixel = if y % 20 < 3 {
            [255, 255, 255, 255]
        } else {
            [ORANGE[0], ORANGE[1], ORANGE[2], 255]
        };
        for _ in 0..width {
            rgba.extend_from_slice(&pixel);
        }
    }
    let mut clipboard = arboard::Clipboard::new().expect("the X clipboard");
    clipboard
        .set_image(arboard::ImageData {
            width,
            height,
            bytes: rgba.into(),
        })
        .unwrap();
    assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+v"]));
    let pasted = data.join("pasted");
    wait_until("the pasted picture saved", Duration::from_secs(20), || {
        files_in(&pasted)
            .iter()
            .any(|p| p.extension().is_some_and(|e| e == "png"))
    });
    let out = xvfb::artifacts();
    let path = out.join("paste-picture-1000x640.png");
    wait_until("the dialog's preview", Duration::from_secs(20), || {
        x.screenshot_window(&id, &path) && pixels_like(&path, ORANGE) > 10_000
    });
    assert!(x.xdotool(&["key", "Escape"]));
    wait_until("the cancelled picture removed", Duration::from_secs(20), || {
        files_in(&pasted).is_empty()
    });

    // Files, as a file manager copies them.
    let report = dir.path().join("report.pdf");
    std::fs::write(&report, b"%PDF-1.7\n").unwrap();
    // Esc left the composer too: back into it, once the dialog is gone.
    std::thread::sleep(Duration::from_secs(1));
    assert!(x.xdotool(&["mousemove", "--window", &id, "600", "610", "click", "1"]));
    std::thread::sleep(Duration::from_millis(500));
    let before = x.capture_window(&id).expect("a capture");
    clipboard.set().file_list(&[&report]).unwrap();
    assert!(x.xdotool(&["key", "--clearmodifiers", "ctrl+v"]));
    wait_until("the dialog offering the file", Duration::from_secs(20), || {
        x.capture_window(&id)
            .is_some_and(|now| now.differing_pixels(&before) > 20_000)
    });
    std::thread::sleep(Duration::from_millis(500));
    assert!(x.screenshot_window(&id, &out.join("paste-file-1000x640.png")));
    assert!(files_in(&pasted).is_empty(), "nothing written for files");
    // Send (the dialog's right button) goes the send-file way: bob's
    // `listen --accept-files` saves it.
    assert!(x.xdotool(&["mousemove", "--window", &id, "694", "352", "click", "1"]));
    wait_until("bob saved the pasted file", Duration::from_secs(60), || {
        std::fs::read(bob_files.join("report.pdf")).is_ok_and(|b| b == b"%PDF-1.7\n")
    });
}
