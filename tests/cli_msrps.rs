//! What `sipchat listen --json` and `sipchat chat` say about an msrps chat
//! between two real sipchat processes on their local accounts: the offer
//! decides that the session is TLS, and both say "encrypted" because TLS
//! is negotiated on the MSRP connection; the certificate is kept, private,
//! in the data directory.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
use cli::{free_port, lines_of, next_event, sipchat, Killed};

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

fn write_config(dir: &Path, user: &str, port: u16, tls: bool) -> PathBuf {
    let path = dir.join(format!("{user}.ron"));
    std::fs::write(
        &path,
        format!(
            r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, msrp: (tls: {tls})))"#
        ),
    )
    .unwrap();
    path
}

#[test]
fn an_msrps_chat_is_reported_encrypted_by_both_commands() {
    let dir = tempfile::tempdir().unwrap();
    let bob_port = free_port();
    // Bob opens his own chats over TCP; alice's msrps offer decides.
    let bob_cfg = write_config(dir.path(), "bob", bob_port, false);
    let alice_cfg = write_config(dir.path(), "alice", 0, true);
    let bob_data = dir.path().join("bob-data");
    let mut listen = Killed(
        sipchat()
            .arg("--config")
            .arg(&bob_cfg)
            .arg("--data-dir")
            .arg(&bob_data)
            .args(["listen", "--json", "--accept-chats"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let bob = lines_of(&mut listen.0);
    next_event(&bob, "listening");

    let alice_words = dir.path().join("alice-stderr.txt");
    let mut chat = Killed(
        sipchat()
            .arg("--config")
            .arg(&alice_cfg)
            .arg("--data-dir")
            .arg(dir.path().join("alice-data"))
            .args(["chat", &format!("sip:bob@127.0.0.1:{bob_port}")])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&alice_words).unwrap())
            .spawn()
            .unwrap(),
    );
    let started = next_event(&bob, "chat_started");
    assert_eq!(started["secure"], true, "{started}");
    {
        let mut stdin = chat.0.stdin.take().unwrap();
        writeln!(stdin, "over TLS from the terminal").unwrap();
    }
    let got = next_event(&bob, "chat_message");
    assert_eq!(got["body"], "over TLS from the terminal");
    let status = chat.0.wait().unwrap();
    let stderr = std::fs::read_to_string(&alice_words).unwrap();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert!(stderr.contains("started (encrypted)"), "{stderr}");

    let kept = bob_data.join(sipchat::paths::MSRP_CERTIFICATE_FILE_NAME);
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&kept).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600, "{}", kept.display());
}
