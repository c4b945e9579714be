//! `sipchat send-file --page-mode` to `sipchat listen --accept-files DIR
//! --json`, and a listener killed with SIGKILL right after answering keeps
//! the file it answered 200 for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
use cli::{free_port, lines_of, next_event, sipchat, write_local_config, Killed};

use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn listen(dir: &Path, port: u16, accept: Option<&Path>) -> (Killed, std::sync::mpsc::Receiver<String>) {
    let mut cmd = sipchat();
    cmd.arg("--config")
        .arg(write_local_config(dir, "bob", port))
        .arg("--data-dir")
        .arg(dir.join("bob-data"))
        .args(["listen", "--json"]);
    if let Some(inbox) = accept {
        cmd.arg("--accept-files").arg(inbox);
    }
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let rx = lines_of(&mut child);
    next_event(&rx, "listening");
    (Killed(child), rx)
}

fn send_page_mode(dir: &Path, port: u16, file: &Path) -> Output {
    sipchat()
        .arg("--config")
        .arg(write_local_config(dir, "alice", 0))
        .arg("--data-dir")
        .arg(dir.join("alice-data"))
        .args(["send-file", "--page-mode"])
        .arg(format!("sip:bob@127.0.0.1:{port};transport=tcp"))
        .arg(file)
        .output()
        .unwrap()
}

fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn send_file_page_mode_reaches_a_listener_as_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let port = free_port();
    let (_listener, rx) = listen(dir.path(), port, Some(&inbox));
    let data: Vec<u8> = (0..3000u32).map(|i| (i * 13 % 256) as u8).collect();
    let file = dir.path().join("key.asc");
    std::fs::write(&file, &data).unwrap();
    let out = send_page_mode(dir.path(), port, &file);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}: {stdout} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&sha1_hex(&data)), "{stdout}");
    assert!(stdout.contains("accepted by bob's client (200)"), "{stdout}");

    let offered = next_event(&rx, "transfer_offered");
    assert_eq!(offered["via"], "page-mode");
    assert_eq!(offered["name"], "key.asc");
    assert_eq!(offered["size"], 3000);
    let received = next_event(&rx, "file_received");
    assert_eq!(received["via"], "page-mode");
    assert_eq!(received["size"], 3000);
    assert_eq!(received["sha1"], sha1_hex(&data).as_str());
    let path = PathBuf::from(received["path"].as_str().unwrap());
    assert_eq!(path, inbox.join("key.asc"));
    assert!(std::fs::read(&path).unwrap() == data);
}

#[test]
fn a_file_answered_200_survives_a_sigkill_of_the_listener() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let (mut listener, _rx) = listen(dir.path(), port, None);
    let data: Vec<u8> = (0..2048u32).map(|i| (i * 31 % 256) as u8).collect();
    let file = dir.path().join("photo.jpg");
    std::fs::write(&file, &data).unwrap();
    let out = send_page_mode(dir.path(), port, &file);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The 200 has arrived: kill at once, no chance to flush anything more.
    let pid = listener.0.id().to_string();
    Command::new("kill").args(["-KILL", &pid]).status().unwrap();
    let _ = listener.0.wait();
    let store = sipchat::store::Store::open(&dir.path().join("bob-data").join("history.sqlite3")).unwrap();
    let rows = store.transfers(None).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].transfer.file_name, "photo.jpg");
    assert_eq!(rows[0].transfer.sha1.as_deref(), Some(sha1_hex(&data).as_str()));
    assert_eq!(store.page_file_data(rows[0].id).unwrap(), Some(data));
}
