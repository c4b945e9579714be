//! Helpers for tests that run the `sipchat` binary and read its `--json`
//! lines.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::Child;
use std::sync::mpsc;
use std::time::Duration;

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
