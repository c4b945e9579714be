//! One owner per outbox, with real sipchat processes on one data directory
//! and a real Kamailio: `send`s hand their message to the running `listen`
//! (or, with none, take turns under the outbox lock); each text arrives
//! exactly once, every exit code tells what happened, and no row is left
//! `sending` or `queued`. `send-file` hands its file to a running `listen`
//! too (peer to peer, local accounts), printing progress and outcome, and
//! so does `chat`: its lines go out through the instance's session, the
//! peer's lines come back to its stdout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod runtime;

use cli::{
    free_port, lines_of, listen_registered, next_event, spawn_chat, spawn_listen, write_local_config, Killed,
};
use kamailio::Kamailio;
use sipchat::config::DEFAULT_EXPIRES;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

/// How long the receiver is watched after the last send for late copies.
const LATE_WATCH: Duration = Duration::from_secs(70);
/// Longest a test waits for a process or a line.
const DEADLINE: Duration = Duration::from_secs(120);

fn write_config(dir: &Path, kam: &Kamailio, user: &str) -> PathBuf {
    let password = kamailio::password(user).unwrap();
    let text = kam.account_config_with(user, password, &kam.proxy_uri("tcp"), DEFAULT_EXPIRES, "");
    cli::write_config(dir, &format!("{user}.ron"), &text)
}

fn send(config: &Path, data: &Path, to: &str, text: &str) -> Output {
    cli::run_in(config, data, "send", &[to, text])
}

/// alice's and bob's configs at `kam` and their data directories, in `dir`.
fn alice_and_bob(dir: &Path, kam: &Kamailio) -> (PathBuf, PathBuf, PathBuf, PathBuf) {
    let (alice_data, bob_data) = (dir.join("alice"), dir.join("bob"));
    let alice_config = write_config(dir, kam, "alice");
    let bob_config = write_config(dir, kam, "bob");
    (alice_config, alice_data, bob_config, bob_data)
}

/// Every message body the receiver printed so far, counted.
fn count_bodies(lines: &Receiver<String>, counts: &mut HashMap<String, usize>, wait: Duration) {
    let end = Instant::now() + wait;
    while let Ok(line) = lines.recv_timeout(end.saturating_duration_since(Instant::now())) {
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["event"] == "message" {
            *counts.entry(v["body"].as_str().unwrap().to_string()).or_default() += 1;
        }
    }
}

/// Outgoing rows still `sending` or `queued` in the history of `data`.
fn unfinished_rows(data: &Path) -> i64 {
    let db = rusqlite::Connection::open(sipchat::store::Store::path_in(data)).unwrap();
    db.query_row(
        "SELECT count(*) FROM messages WHERE direction = 'out' AND state IN ('sending', 'queued')",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

fn check_delivered(out: &Output, text: &str) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{text}: stdout {stdout} stderr {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("accepted by the recipient"), "{text}: {stdout}");
}

#[test]
fn sends_beside_a_listen_are_delivered_once_each_and_say_so() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (alice_config, alice_data, bob_config, bob_data) = alice_and_bob(dir.path(), &kam);
    let (_bob, bob_lines) = listen_registered(&bob_config, &bob_data, "bob");
    let (_alice, _alice_lines) = listen_registered(&alice_config, &alice_data, "alice");
    let to = kam.aor("bob");

    let started = Instant::now();
    let mut texts = Vec::new();
    for i in 0..12 {
        let text = format!("sequential {i}");
        let out = send(&alice_config, &alice_data, &to, &text);
        check_delivered(&out, &text);
        texts.push(text);
    }
    let sequential = started.elapsed();

    let started = Instant::now();
    let overlapping: Vec<(String, std::thread::JoinHandle<Output>)> = (0..10)
        .map(|i| {
            let text = format!("overlapping {i}");
            let (config, data, to, t) = (alice_config.clone(), alice_data.clone(), to.clone(), text.clone());
            (text, std::thread::spawn(move || send(&config, &data, &to, &t)))
        })
        .collect();
    for (text, thread) in overlapping {
        check_delivered(&thread.join().unwrap(), &text);
        texts.push(text);
    }
    let overlapped = started.elapsed();

    let mut counts = HashMap::new();
    count_bodies(&bob_lines, &mut counts, Duration::from_secs(5));
    for text in &texts {
        assert_eq!(counts.get(text), Some(&1), "{text}: {counts:?}");
    }
    // Nothing reported delivered arrives again later, nothing is re-sent.
    count_bodies(&bob_lines, &mut counts, LATE_WATCH);
    for text in &texts {
        assert_eq!(
            counts.get(text),
            Some(&1),
            "{text} after {LATE_WATCH:?}: {counts:?}"
        );
    }
    assert_eq!(counts.len(), texts.len(), "{counts:?}");
    assert_eq!(unfinished_rows(&alice_data), 0);
    eprintln!(
        "figures: 12 sequential sends in {sequential:?}, 10 overlapping in {overlapped:?}; \
         {} texts each received once, still once after {LATE_WATCH:?}; 0 rows sending or queued",
        texts.len()
    );
}

#[test]
fn without_an_instance_overlapping_sends_take_turns_under_the_lock() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (alice_config, alice_data, bob_config, bob_data) = alice_and_bob(dir.path(), &kam);
    let (_bob, bob_lines) = listen_registered(&bob_config, &bob_data, "bob");
    let to = kam.aor("bob");
    let threads: Vec<(String, std::thread::JoinHandle<Output>)> = (0..4)
        .map(|i| {
            let text = format!("alone {i}");
            let (config, data, to, t) = (alice_config.clone(), alice_data.clone(), to.clone(), text.clone());
            (text, std::thread::spawn(move || send(&config, &data, &to, &t)))
        })
        .collect();
    let mut waited = 0;
    let mut texts = Vec::new();
    for (text, thread) in threads {
        let out = thread.join().unwrap();
        check_delivered(&out, &text);
        if String::from_utf8_lossy(&out.stderr).contains("waiting for it to finish") {
            waited += 1;
        }
        texts.push(text);
    }
    let mut counts = HashMap::new();
    count_bodies(&bob_lines, &mut counts, Duration::from_secs(5));
    for text in &texts {
        assert_eq!(counts.get(text), Some(&1), "{text}: {counts:?}");
    }
    assert_eq!(unfinished_rows(&alice_data), 0);
    eprintln!(
        "figures: 4 overlapping sends without an instance, {waited} waited for the lock, each received once"
    );
    let _ = DEADLINE;
}

/// Waits for the next `event` line on `lines` (within [`DEADLINE`]),
/// counting the message bodies that pass meanwhile.
fn wait_counting(
    lines: &Receiver<String>,
    want: &str,
    counts: &mut HashMap<String, usize>,
) -> serde_json::Value {
    let end = Instant::now() + DEADLINE;
    loop {
        let line = lines
            .recv_timeout(end.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|_| panic!("no {want} event within {DEADLINE:?}; bodies so far {counts:?}"));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        if v["event"] == "message" {
            *counts.entry(v["body"].as_str().unwrap().to_string()).or_default() += 1;
        }
        if v["event"] == want {
            return v;
        }
    }
}

#[test]
fn registrar_down_keeps_the_message_and_the_listen_delivers_it_once_after_the_peer_is_back() {
    let Some(mut kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (alice_config, alice_data, bob_config, bob_data) = alice_and_bob(dir.path(), &kam);
    let (_bob, bob_lines) = listen_registered(&bob_config, &bob_data, "bob");
    let (_alice, alice_lines) = listen_registered(&alice_config, &alice_data, "alice");
    let to = kam.aor("bob");
    let mut counts = HashMap::new();

    kam.stop();
    // Alice's listen finds the server gone before the send comes.
    wait_counting(&alice_lines, "registration_failed", &mut HashMap::new());
    let text = "sent while the registrar is down";
    let started = Instant::now();
    let out = send(&alice_config, &alice_data, &to, text);
    let send_took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "stdout {} stderr {stderr}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("kept in the outbox: will be sent when the account can reach its server (now: "),
        "{stderr}"
    );
    // Told at once from the outbox's signal, not after the 45 s of waiting for an answer.
    assert!(stderr.contains("Connection refused"), "{stderr}");

    kam.restart();
    let restarted = Instant::now();
    wait_counting(&bob_lines, "registered", &mut counts);
    let bob_back = restarted.elapsed();
    let bob_registered = Instant::now();
    let mut delivered_after = None;
    while counts.get(text).copied().unwrap_or(0) == 0 && bob_registered.elapsed() < DEADLINE {
        count_bodies(&bob_lines, &mut counts, Duration::from_secs(1));
        if counts.contains_key(text) {
            delivered_after = Some(bob_registered.elapsed());
        }
    }
    let delivered_after =
        delivered_after.unwrap_or_else(|| panic!("not delivered within {DEADLINE:?}: {counts:?}"));
    // Nothing arrives twice.
    count_bodies(&bob_lines, &mut counts, LATE_WATCH);
    assert_eq!(counts.get(text), Some(&1), "{counts:?}");
    assert_eq!(counts.len(), 1, "{counts:?}");
    assert_eq!(unfinished_rows(&alice_data), 0);
    eprintln!(
        "figures: send with the registrar down exited 3 after {send_took:?}; bob re-registered \
         {bob_back:?} after the restart; the queued message arrived {delivered_after:?} after that, \
         once (still once after {LATE_WATCH:?})"
    );
}

/// `sipchat listen --json` with the local account only; its lines.
fn listen_local(config: &Path, data: &Path, extra: &[&std::ffi::OsStr]) -> (Killed, Receiver<String>) {
    let (child, lines) = spawn_listen(config, data, extra, Stdio::null());
    next_event(&lines, "listening");
    (child, lines)
}

fn send_file(config: &Path, data: &Path, to: &str, file: &Path) -> Output {
    let file = file.to_str().unwrap();
    cli::run_in(config, data, "send-file", &["--json", to, file])
}

/// The JSON lines of `out`'s stdout.
fn json_lines(out: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn send_file_beside_a_listen_is_sent_by_the_listen_with_progress_and_true_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let (alice_data, bob_data) = (dir.path().join("alice"), dir.path().join("bob"));
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let bob_port = free_port();
    let bob_config = cli::write_config(
        dir.path(),
        "bob.ron",
        &format!(
            r#"(accounts: [], local: (user: "bob", bind: "127.0.0.1", port: {bob_port}, max_file_size: 1000000))"#
        ),
    );
    let alice_config = write_local_config(dir.path(), "alice", 0);
    let (_bob, bob_lines) = listen_local(
        &bob_config,
        &bob_data,
        &["--accept-files".as_ref(), inbox.as_os_str()],
    );
    let (_alice, alice_lines) = listen_local(&alice_config, &alice_data, &[]);
    let to = format!("sip:bob@127.0.0.1:{bob_port}");

    // Delivered: exit 0, progress then the verified hash, printed as it happens.
    let data: Vec<u8> = (0..600_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
        .collect();
    let file = dir.path().join("notes.bin");
    std::fs::write(&file, &data).unwrap();
    let started = Instant::now();
    let out = send_file(&alice_config, &alice_data, &to, &file);
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("waiting"),
        "the send-file waited for the lock: {stderr}"
    );
    let lines = json_lines(&out);
    let progress = lines.iter().filter(|v| v["event"] == "transfer_progress").count();
    assert!(progress >= 1, "{lines:?}");
    let sent = lines.last().unwrap();
    assert_eq!(sent["event"], "file_sent", "{lines:?}");
    assert_eq!(sent["size"], 600_000);
    // The listen's runtime did it: its own output shows the file going.
    let by_listen = next_event(&alice_lines, "file_sent");
    assert_eq!(by_listen["sha1"], sent["sha1"]);
    let received = next_event(&bob_lines, "file_received");
    assert_eq!(received["sha1"], sent["sha1"]);
    assert!(std::fs::read(inbox.join("notes.bin")).unwrap() == data);

    // Refused: exit 1 with the receiver's reason.
    let big = dir.path().join("big.bin");
    std::fs::write(&big, vec![1u8; 1_500_000]).unwrap();
    let out = send_file(&alice_config, &alice_data, &to, &big);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("larger than"), "{stderr}");
    assert_eq!(json_lines(&out).last().unwrap()["event"], "transfer_failed");

    // A missing file is a usage error before anything is handed over.
    let out = send_file(&alice_config, &alice_data, &to, &dir.path().join("missing"));
    assert_eq!(out.status.code(), Some(2));
    eprintln!("figures: 600 kB handed to the listen and confirmed in {took:?} ({progress} progress lines); a refused file exited 1");
}

#[test]
fn chat_beside_a_listen_goes_through_the_listen_both_ways() {
    use sipchat::model::{AccountId, ChatState};
    use sipchat::runtime::{Command, Event, RuntimeOptions};
    use std::io::Write;

    let dir = tempfile::tempdir().unwrap();
    let alice_data = dir.path().join("alice");
    // Bob: the runtime itself, taking chats, so the test can answer.
    let (mut bob, bob_port) = runtime::Running::start_local(
        runtime::local_config("bob", 0),
        RuntimeOptions {
            accept_chats: true,
            ..RuntimeOptions::default()
        },
    );
    let alice_config = write_local_config(dir.path(), "alice", 0);
    let (_alice, alice_lines) = listen_local(&alice_config, &alice_data, &[]);

    let mut chat = Killed(spawn_chat(
        &alice_config,
        &alice_data,
        &format!("sip:bob@127.0.0.1:{bob_port}"),
    ));
    let mut stdin = chat.0.stdin.take().unwrap();
    let session = bob.wait_for("the chat active at bob", |e| match e {
        Event::ChatUpdate {
            session,
            state: ChatState::Active { .. },
            ..
        } => Some(*session),
        _ => None,
    });
    writeln!(stdin, "typed into the chat").unwrap();
    bob.wait_message("typed into the chat");
    // The listen's runtime carries the session: its output shows it.
    next_event(&alice_lines, "chat_started");

    // Bob answers; the line comes out of the chat's stdout.
    let from_chat = lines_of(&mut chat.0);
    bob.handle
        .send(Command::SendChat {
            id: bob.handle.next_message_id(),
            account: AccountId(AccountId::LOCAL.into()),
            session,
            text: "bob answers".into(),
        })
        .unwrap();
    let line = from_chat
        .recv_timeout(DEADLINE)
        .expect("the peer's line on stdout");
    assert_eq!(line, "bob answers");

    // EOF: the chat closes once its line was confirmed, and exits 0.
    drop(stdin);
    let deadline = Instant::now() + DEADLINE;
    let status = loop {
        if let Some(status) = chat.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the chat did not end after EOF");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut chat.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("started"), "{stderr}");
    bob.wait_for("the chat ended at bob", |e| match e {
        Event::ChatUpdate {
            session: s, state, ..
        } if *s == session && state.is_final() => Some(()),
        _ => None,
    });
}
