//! Helpers for tests that run the `sipchat` binary and read its `--json`
//! lines.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The `sipchat` binary under test.
pub fn sipchat() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sipchat"))
}

include!("ports.rs");

/// A config with only the local account, as `user` on `port`: `DIR/USER.ron`.
pub fn write_local_config(dir: &Path, user: &str, port: u16) -> PathBuf {
    let path = dir.join(format!("{user}.ron"));
    std::fs::write(
        &path,
        format!(r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}))"#),
    )
    .unwrap();
    path
}

/// A child process killed (and reaped) when the test ends, also on panic.
pub struct Killed(pub Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// How long [`next_event`] waits for the event it wants.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(30);

/// The lines a child prints on stdout, on a channel (read on a thread).
pub fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// The next JSON line whose `"event"` is `want`, skipping the others.
pub fn next_event(rx: &mpsc::Receiver<String>, want: &str) -> serde_json::Value {
    loop {
        let line = rx
            .recv_timeout(EVENT_TIMEOUT)
            .unwrap_or_else(|_| panic!("no {want} event in time"));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
        if v["event"] == want {
            return v;
        }
    }
}

/// `sipchat --config CONFIG --data-dir DATA COMMAND ARGS...`, run to its end.
pub fn run_in(config: &Path, data: &Path, command: &str, args: &[&str]) -> Output {
    sipchat()
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .arg(command)
        .args(args)
        .output()
        .unwrap()
}

/// `sipchat listen --json EXTRA...` with `config` and `data` (its stderr on
/// the test's), once it listens; its lines.
pub fn listen_json(config: &Path, data: &Path, extra: &[&str]) -> (Killed, mpsc::Receiver<String>) {
    let mut child = sipchat()
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(["listen", "--json"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    next_event(&lines, "listening");
    (Killed(child), lines)
}
