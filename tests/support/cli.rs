//! Helpers for tests that run the `sipchat` binary and read its `--json`
//! lines.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// The `sipchat` binary under test.
pub fn sipchat() -> Command {
    Command::new(env!("CARGO_BIN_EXE_sipchat"))
}

/// [`sipchat`] blind to `SIPCHAT_CONFIG` and `SIPCHAT_DATA_DIR` in the
/// test's own environment.
pub fn sipchat_isolated() -> Command {
    let mut command = sipchat();
    command
        .env_remove("SIPCHAT_CONFIG")
        .env_remove("SIPCHAT_DATA_DIR");
    command
}

include!("ports.rs");

/// Writes `text` to `DIR/NAME`; its path.
pub fn write_config(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

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

/// `sipchat --config CONFIG --data-dir DATA chat PEER` started, its stdin,
/// stdout and stderr piped.
pub fn spawn_chat(config: &Path, data: &Path, peer: &str) -> Child {
    sipchat()
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(["chat", peer])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// `sipchat listen --json EXTRA...` with `config` and `data` (its stderr on
/// the test's), once it listens; its lines.
pub fn listen_json(config: &Path, data: &Path, extra: &[&str]) -> (Killed, mpsc::Receiver<String>) {
    let (child, lines) = spawn_listen(config, data, extra, Stdio::inherit());
    next_event(&lines, "listening");
    (child, lines)
}

/// `sipchat listen --json` with `config` and `data` (its stderr on the
/// test's), once `user` is registered; its lines.
pub fn listen_registered(config: &Path, data: &Path, user: &str) -> (Killed, mpsc::Receiver<String>) {
    let (child, lines) = spawn_listen::<&str>(config, data, &[], Stdio::inherit());
    let registered = next_event(&lines, "registered");
    assert_eq!(registered["account"], user, "{registered}");
    (child, lines)
}

/// `sipchat listen --json EXTRA...` with `config` and `data`, its stderr
/// to `stderr`, just started; its lines.
pub fn spawn_listen<S: AsRef<OsStr>>(
    config: &Path,
    data: &Path,
    extra: &[S],
    stderr: Stdio,
) -> (Killed, mpsc::Receiver<String>) {
    let mut child = sipchat()
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data)
        .args(["listen", "--json"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    (Killed(child), lines)
}

/// Everything a child writes on stderr (taken from it), gathered on a
/// thread as it comes.
pub fn gather_stderr(child: &mut Child) -> Arc<Mutex<String>> {
    let gathered = Arc::new(Mutex::new(String::new()));
    let sink = gathered.clone();
    let pipe = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            sink.lock().unwrap().push_str(&(line + "\n"));
        }
    });
    gathered
}

/// SIGTERM to `pid` through the `kill` command (no unsafe code in tests);
/// panics when it cannot be sent.
pub fn terminate(pid: u32) {
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success(), "kill -TERM {pid}: {sent}");
}

/// How long [`stop`] gives a process to end after SIGTERM.
pub const STOP_GRACE: Duration = Duration::from_secs(8);

/// Stops `child` unless it has ended: SIGTERM, up to [`STOP_GRACE`] to end,
/// then SIGKILL; reaped. Never panics (for `Drop`).
pub fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + STOP_GRACE;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// `sipchat listen --notify --json` (debug log) as the alert tests run it:
/// its events as JSON, its stderr gathered; stopped with [`stop`] on drop.
pub struct AlertListener {
    child: Child,
    /// Every event it printed, in order.
    pub lines: mpsc::Receiver<serde_json::Value>,
    stderr: Arc<Mutex<String>>,
    /// How long [`AlertListener::next`] waits for an event.
    wait: Duration,
}

impl AlertListener {
    /// Starts it with `config` and `data`, its notifications on the session
    /// bus at `bus_address`; [`AlertListener::next`] waits up to `wait`.
    pub fn start(config: &Path, data: &Path, bus_address: &str, wait: Duration) -> AlertListener {
        let mut child = sipchat_isolated()
            .arg("--config")
            .arg(config)
            .arg("--data-dir")
            .arg(data)
            .args(["listen", "--notify", "--json"])
            .env("DBUS_SESSION_BUS_ADDRESS", bus_address)
            .env("SIPCHAT_LOG", "debug")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let v: serde_json::Value =
                    serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        let stderr = gather_stderr(&mut child);
        AlertListener {
            child,
            lines,
            stderr,
            wait,
        }
    }

    /// The next event named `want` (others are skipped, but an `alert`
    /// skipped on the way fails the test: no alert may go unnoticed).
    pub fn next(&self, want: &str) -> serde_json::Value {
        let deadline = Instant::now() + self.wait;
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

    /// No `alert` event arrives within `quiet`.
    pub fn no_alert_for(&self, quiet: Duration) {
        let deadline = Instant::now() + quiet;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok(v) => assert_ne!(v["event"], "alert", "an untrusted source raised an alert: {v}"),
                Err(_) => return,
            }
        }
    }
}

impl Drop for AlertListener {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}
