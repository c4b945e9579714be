//! `sipchat send-file` and `sipchat listen --accept-files` as a user runs
//! them: two processes with their local accounts on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
use cli::{free_port, lines_of, next_event, sipchat, write_local_config, Killed};

use sha1::{Digest, Sha1};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

#[test]
fn send_file_reaches_a_listener_that_accepts_files() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let bob_port = free_port();
    let bob_cfg = write_local_config(dir.path(), "bob", bob_port);
    let alice_cfg = write_local_config(dir.path(), "alice", 0);
    let mut child = sipchat()
        .arg("--config")
        .arg(&bob_cfg)
        .arg("--data-dir")
        .arg(dir.path().join("bob-data"))
        .args(["listen", "--json", "--accept-files"])
        .arg(&inbox)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let mut listener = Killed(child);
    next_event(&rx, "listening");

    let data: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let sha1: String = Sha1::digest(&data).iter().map(|b| format!("{b:02x}")).collect();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &data).unwrap();
    let out = sipchat()
        .arg("--config")
        .arg(&alice_cfg)
        .arg("--data-dir")
        .arg(dir.path().join("alice-data"))
        .arg("send-file")
        .arg(format!("sip:bob@127.0.0.1:{bob_port}"))
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}: {stdout} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&sha1), "{stdout}");

    let progress = next_event(&rx, "transfer_progress");
    assert_eq!(progress["total"], 3_000_000);
    let received = next_event(&rx, "file_received");
    assert_eq!(received["size"], 3_000_000);
    assert_eq!(received["sha1"], sha1.as_str());
    let path = PathBuf::from(received["path"].as_str().unwrap());
    assert_eq!(path, inbox.join("report.pdf"));
    assert!(std::fs::read(&path).unwrap() == data);

    // Stop the listener the way a user does, then look at its history.
    let pid = listener.0.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let _ = listener.0.wait();
    let store = sipchat::store::Store::open(&dir.path().join("bob-data").join("history.sqlite3")).unwrap();
    let rows = store.transfers(None).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].transfer.state, "done");
    assert_eq!(rows[0].transfer.sha1.as_deref(), Some(sha1.as_str()));
    assert!(rows[0].finished_at.is_some());
}

#[test]
fn send_file_of_a_missing_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_local_config(dir.path(), "alice", 0);
    let out = sipchat()
        .arg("--config")
        .arg(&cfg)
        .arg("--data-dir")
        .arg(dir.path())
        .args(["send-file", "sip:bob@127.0.0.1:9", "/nonexistent/file"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a file"));
}

#[test]
fn a_refused_file_gives_exit_1_with_the_reason() {
    // Bob takes files of at most 10 bytes.
    let dir = tempfile::tempdir().unwrap();
    let bob_port = free_port();
    let bob_cfg = dir.path().join("bob.ron");
    std::fs::write(
        &bob_cfg,
        format!(
            r#"(accounts: [], local: (user: "bob", bind: "127.0.0.1", port: {bob_port}, max_file_size: 10))"#
        ),
    )
    .unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let mut child = sipchat()
        .arg("--config")
        .arg(&bob_cfg)
        .arg("--data-dir")
        .arg(dir.path().join("bob-data"))
        .args(["listen", "--json", "--accept-files"])
        .arg(&inbox)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let _listener = Killed(child);
    next_event(&rx, "listening");
    let file = dir.path().join("big.bin");
    std::fs::write(&file, [7u8; 100]).unwrap();
    let out = sipchat()
        .arg("--config")
        .arg(write_local_config(dir.path(), "alice", 0))
        .arg("--data-dir")
        .arg(dir.path().join("alice-data"))
        .arg("send-file")
        .arg(format!("sip:bob@127.0.0.1:{bob_port}"))
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The receiver's own words, from the Warning on its 488.
    assert!(
        stderr.contains("bob's client refused: the file is larger than the 10 bytes limit"),
        "{stderr}"
    );
    assert!(std::fs::read_dir(&inbox).unwrap().next().is_none());
}

/// Our temporary files in `dir` and their sizes.
fn parts_in(dir: &Path) -> Vec<(PathBuf, u64)> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(sipchat::runtime::transfers::resume::is_part_file_name)
        })
        .map(|p| {
            let len = std::fs::metadata(&p).map(|m| m.len()).unwrap_or(0);
            (p, len)
        })
        .collect()
}

#[test]
fn a_crashed_send_file_resumes_when_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let inbox = dir.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let bob_port = free_port();
    let bob_cfg = write_local_config(dir.path(), "bob", bob_port);
    // A fixed port: bob knows alice by her address.
    let alice_cfg = write_local_config(dir.path(), "alice", free_port());
    let mut child = sipchat()
        .arg("--config")
        .arg(&bob_cfg)
        .arg("--data-dir")
        .arg(dir.path().join("bob-data"))
        .args(["listen", "--json", "--accept-files"])
        .arg(&inbox)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let rx = lines_of(&mut child);
    let _listener = Killed(child);
    next_event(&rx, "listening");

    let size = 10 * 1024 * 1024;
    let data: Vec<u8> = (0..size as u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let sha1: String = Sha1::digest(&data).iter().map(|b| format!("{b:02x}")).collect();
    let file = dir.path().join("report.pdf");
    std::fs::write(&file, &data).unwrap();
    let send = || {
        let mut c = sipchat();
        c.arg("--config")
            .arg(&alice_cfg)
            .arg("--data-dir")
            .arg(dir.path().join("alice-data"))
            .arg("send-file")
            .arg(format!("sip:bob@127.0.0.1:{bob_port}"))
            .arg(&file);
        c
    };
    // The first run crashes (SIGKILL) once its history says bob confirmed
    // some bytes (his partial success REPORT).
    let mut first = Killed(
        send()
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let alice_db = dir.path().join("alice-data").join("history.sqlite3");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut store = None;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the transfer never got going"
        );
        if store.is_none() && alice_db.exists() {
            store = sipchat::store::Store::open_read_only(&alice_db).ok();
        }
        let confirmed = store.as_ref().is_some_and(|s| {
            s.transfers(None)
                .unwrap_or_default()
                .iter()
                .any(|t| t.transfer.resume_bytes.is_some_and(|b| b > 0))
        });
        if confirmed {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    drop(store);
    first.0.kill().unwrap();
    let _ = first.0.wait();
    let failed = next_event(&rx, "transfer_failed");
    let reason = failed["reason"].as_str().unwrap();
    assert!(reason.contains("are kept"), "{reason}");
    assert_eq!(parts_in(&inbox).len(), 1);

    // The second run resumes and says so.
    let out = send().output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}: {stdout} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("resuming report.pdf at ") && stdout.contains(" MiB of 10 MiB"),
        "{stdout}"
    );
    assert!(stdout.contains(&sha1), "{stdout}");
    let resuming = next_event(&rx, "transfer_resuming");
    assert_eq!(resuming["incoming"], true);
    assert_eq!(resuming["total"], size);
    assert!(resuming["offset"].as_u64().unwrap() >= 4 * 1024 * 1024);
    let received = next_event(&rx, "file_received");
    assert_eq!(received["sha1"], sha1.as_str());
    let path = PathBuf::from(received["path"].as_str().unwrap());
    assert!(std::fs::read(&path).unwrap() == data);
    assert!(parts_in(&inbox).is_empty());
}
