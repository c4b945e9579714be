//! The headless chat as a user runs it: `sipchat listen --accept-chats
//! --json` on one side, `sipchat chat sip:bob@...` reading stdin on the
//! other, both registered at the tests' real Kamailio.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
use cli::{next_event, sipchat, spawn_chat, spawn_listen};

#[path = "support/kamailio.rs"]
mod kamailio;

use kamailio::Kamailio;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn write_config(dir: &Path, kam: &Kamailio, user: &str) -> PathBuf {
    let relay = format!("msrp_relay: \"{}\",", kam.msrp_relay_uri(false));
    let text = kam.account_config(user, &kam.proxy_uri("tcp"), &relay);
    cli::write_config(dir, &format!("{user}.ron"), &text)
}

#[test]
fn chat_reads_stdin_and_the_listener_prints_json() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let bob_cfg = write_config(dir.path(), &kam, "bob");
    let alice_cfg = write_config(dir.path(), &kam, "alice");
    let (mut listen, bob) = spawn_listen(
        &bob_cfg,
        &dir.path().join("bob-data"),
        &["--accept-chats"],
        Stdio::null(),
    );
    next_event(&bob, "registered");

    let mut chat = spawn_chat(&alice_cfg, &dir.path().join("alice-data"), &kam.aor("bob"));
    let started = next_event(&bob, "chat_started");
    assert_eq!(started["peer"], kam.aor("alice"));
    assert!(started["relay"]
        .as_str()
        .unwrap()
        .starts_with("msrp://127.0.0.1:"));
    {
        let mut stdin = chat.stdin.take().unwrap();
        writeln!(stdin, "first line from the terminal").unwrap();
        writeln!(stdin, "second line, ünïcödé").unwrap();
        // EOF: the chat ends once both are delivered.
    }
    let first = next_event(&bob, "chat_message");
    assert_eq!(first["body"], "first line from the terminal");
    assert_eq!(first["from"], kam.aor("alice"));
    let second = next_event(&bob, "chat_message");
    assert_eq!(second["body"], "second line, ünïcödé");
    let ended = next_event(&bob, "chat_ended");
    assert_eq!(ended["reason"], "alice ended the chat");

    let out = chat.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr:\n{stderr}");
    assert!(
        stderr.contains("chat with sip:bob@sipchat.test started"),
        "{stderr}"
    );

    cli::terminate(listen.0.id());
    let status = listen.0.wait().unwrap();
    assert!(status.success());
}

#[test]
fn chat_with_nobody_says_why_and_exits_1() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let alice_cfg = write_config(dir.path(), &kam, "alice");
    let out = sipchat()
        .arg("--config")
        .arg(&alice_cfg)
        .arg("--data-dir")
        .arg(dir.path().join("alice-data"))
        .args(["chat", &kam.aor("carol")])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "stderr:\n{stderr}");
    assert!(stderr.contains("carol is not online (480"), "{stderr}");
}
