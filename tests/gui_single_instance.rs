//! One window per data directory, for real under Xvfb: with the window
//! open, `sipchat sip:bob@…` (what a clicked link runs) hands the address
//! to it and exits at once; no second window appears, and the running
//! window now has bob's conversation open (it saves it as the last one).
//! The window is the data directory's instance: `sipchat send` hands its
//! message to the window's runtime, and `sipchat listen` there refuses to
//! start.
//!
//! Skips when Xvfb, xdotool or ImageMagick are missing, unless
//! `SIPCHAT_REQUIRE_XVFB=1` (as `.ci/run` sets).

#![cfg(feature = "gui")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/xvfb.rs"]
mod xvfb;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use xvfb::Xvfb;

const BOB: &str = "sip:bob@example.org";

/// The window process; killed on drop if the test fails early.
struct Window(Child);

impl Drop for Window {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sipchat(x: &Xvfb, config: &Path, data: &Path) -> Command {
    let mut command = x.command(env!("CARGO_BIN_EXE_sipchat"));
    command
        .env("SIPCHAT_CONFIG", config)
        .env("SIPCHAT_DATA_DIR", data)
        .env("LANG", "en_US.UTF-8")
        .env_remove("WAYLAND_DISPLAY");
    command
}

fn count_windows(x: &Xvfb) -> usize {
    let out = x
        .command("xdotool")
        .args(["search", "--onlyvisible", "--name", "^sipchat"])
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).lines().count()
}

#[test]
fn a_link_opened_while_the_window_runs_goes_to_that_window() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.ron");
    // The local account alone, on a port of its own choosing.
    std::fs::write(
        &config,
        r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: 0))"#,
    )
    .unwrap();
    let data = dir.path().join("data");

    let mut window = Window(
        sipchat(&x, &config, &data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    x.wait_for_window("^sipchat", Duration::from_secs(30))
        .expect("the sipchat window appears");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(count_windows(&x), 1);

    // The link: a second sipchat on the same data, which must not stay.
    let mut second = Window(
        sipchat(&x, &config, &data)
            .arg(BOB)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = second.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the second start is still running: it opened a window of its own"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut second.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "the second start failed: {stderr}");
    assert!(stderr.contains("already open"), "{stderr}");
    assert!(stderr.contains(BOB), "{stderr}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(count_windows(&x), 1, "a second window appeared");

    // SIGTERM saves the state: the handed-over conversation is the open one.
    let term = Command::new("kill")
        .args(["-TERM", &window.0.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = window.0.try_wait().unwrap() {
            assert!(status.success(), "sipchat exited with {status}");
            break;
        }
        assert!(Instant::now() < deadline, "sipchat did not exit on SIGTERM");
        std::thread::sleep(Duration::from_millis(100));
    }
    let saved = std::fs::read_to_string(data.join("window.ron")).expect("the window saved its state");
    assert!(saved.contains("bob@example.org"), "{saved}");
    assert!(
        !data.join("control.sock").exists(),
        "the window left its socket behind"
    );

    // With the window gone, a link starts a window of its own again.
    let mut again = Window(
        sipchat(&x, &config, &data)
            .arg(BOB)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    x.wait_for_window("^sipchat", Duration::from_secs(30))
        .expect("a new window appears once the old one is gone");
    assert!(again.0.try_wait().unwrap().is_none(), "the new window exited");
}

/// Waits (bounded) for a child to exit; its status and stderr.
fn finished(child: &mut Window, within: Duration) -> (std::process::ExitStatus, String) {
    let deadline = Instant::now() + within;
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.0.stderr.take() {
        std::io::Read::read_to_string(&mut pipe, &mut stderr).unwrap();
    }
    (status, stderr)
}

#[test]
fn the_window_is_the_instance_send_hands_over_to_it_and_listen_refuses() {
    let Some(x) = Xvfb::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = cli::write_local_config(dir.path(), "alice", 0);
    let data = dir.path().join("data");
    // Bob: a `listen` on a data directory of its own, peer to peer.
    let bob_port = cli::free_port();
    let bob_config = cli::write_local_config(dir.path(), "bob", bob_port);
    let mut bob = cli::sipchat()
        .arg("--config")
        .arg(&bob_config)
        .arg("--data-dir")
        .arg(dir.path().join("bob-data"))
        .args(["listen", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let bob_lines = cli::lines_of(&mut bob);
    let _bob = cli::Killed(bob);
    cli::next_event(&bob_lines, "listening");

    let _window = Window(
        sipchat(&x, &config, &data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    x.wait_for_window("^sipchat", Duration::from_secs(30))
        .expect("the sipchat window appears");

    // `send` on the window's data directory: the window's runtime sends it.
    let text = "handed to the window";
    let started = Instant::now();
    let out = sipchat(&x, &config, &data)
        .args([
            "send",
            "--account",
            "local",
            &format!("sip:bob@127.0.0.1:{bob_port}"),
            text,
        ])
        .output()
        .unwrap();
    let took = started.elapsed();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "stdout {stdout} stderr {stderr}");
    assert!(stdout.contains("accepted by the recipient"), "{stdout}");
    assert!(
        !stderr.contains("waiting"),
        "the send waited for the lock: {stderr}"
    );
    // The text arrives once.
    let mut copies = 0;
    let watch = Instant::now() + Duration::from_secs(5);
    while let Ok(line) = bob_lines.recv_timeout(watch.saturating_duration_since(Instant::now())) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["event"] == "message" && v["body"] == text {
            copies += 1;
        }
    }
    assert_eq!(copies, 1, "the text arrived {copies} times");

    // `listen` on the window's data directory: refused in words, exit 2.
    let mut listen = Window(
        sipchat(&x, &config, &data)
            .args(["listen"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let (status, stderr) = finished(&mut listen, Duration::from_secs(20));
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("already runs"), "{stderr}");
    eprintln!("figures: a send handed to the window was accepted after {took:?} and arrived once");
}
