//! `sipchat send-file` and `sipchat chat` on a server account, through the
//! tests' real Kamailio (issue #13):
//! - an INVITE refused with 403/405/501 (a server routing only MESSAGEs,
//!   the `bob-NNN` knob of `tests/kamailio/kamailio.cfg`) makes a small
//!   file go as a page-mode MESSAGE, and the command says so; a 486 does
//!   not;
//! - `send-file --page-mode` over TCP right after the command starts waits
//!   for the account's flow: 20 runs out of 20 arrive;
//! - an account with `register: false` can `chat` and `send-file`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::runtime::{Event, RuntimeOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::Duration;
use support::Running;

/// Runs of `send-file --page-mode` right after start, all of which must arrive.
const PAGE_MODE_RUNS: usize = 20;

fn account(kam: &Kamailio, user: &str, register: bool) -> String {
    account_via(user, register, &kam.proxy_uri("tcp"))
}

fn account_via(user: &str, register: bool, proxy: &str) -> String {
    format!(
        r#"(accounts: [(name: "{user}", uri: "sip:{user}@{domain}", password: "{password}", proxy: "{proxy}", expires: 300, register: {register})],
            local: (enabled: false))"#,
        domain = kamailio::DOMAIN,
        password = kamailio::password(user).unwrap(),
    )
}

/// bob, registered over TCP, taking files into `inbox` and chats.
fn bob(kam: &Kamailio, inbox: &Path) -> Running {
    let mut bob = Running::start(
        support::config(&account(kam, "bob", true)),
        RuntimeOptions {
            accept_files: Some(inbox.to_path_buf()),
            accept_chats: true,
            ..RuntimeOptions::default()
        },
    );
    bob.wait_registered("bob");
    bob
}

/// alice's config file for the CLI.
fn alice_config(kam: &Kamailio, dir: &Path, register: bool) -> PathBuf {
    let path = dir.join("alice.ron");
    std::fs::write(&path, account(kam, "alice", register)).unwrap();
    path
}

fn send_file(config: &Path, data: &Path, to: &str, file: &Path, page_mode: bool) -> Output {
    let mut cmd = cli::sipchat();
    cmd.arg("--config").arg(config).arg("--data-dir").arg(data);
    cmd.arg("send-file");
    if page_mode {
        cmd.arg("--page-mode");
    }
    cmd.arg(to).arg(file).output().unwrap()
}

fn words(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Waits until bob has saved a file called `name`; its bytes.
fn received(bob: &mut Running, name: &str) -> Vec<u8> {
    let path = bob.wait_for(name, |e| match e {
        Event::TransferDone {
            path, incoming: true, ..
        } if path.file_name().is_some_and(|n| n == name) => Some(path.clone()),
        _ => None,
    });
    std::fs::read(path).unwrap()
}

#[test]
fn a_file_to_a_messaging_only_server_goes_as_a_message_and_says_so() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let mut bob = bob(&kam, inbox.path());
    let config = alice_config(&kam, dir.path(), true);
    for code in [403, 405, 501] {
        let name = format!("refused-{code}.bin");
        let data = support::content(2000, code);
        let file = dir.path().join(&name);
        std::fs::write(&file, &data).unwrap();
        let to = format!("sip:bob-{code}@{}", kamailio::DOMAIN);
        let out = send_file(&config, &dir.path().join("data"), &to, &file, false);
        let said = words(&out);
        assert!(out.status.success(), "{code}: {said}\nKamailio:\n{}", kam.log());
        assert!(
            said.contains(&format!(
                "bob-{code} does not take file sessions (answer {code}); sent as a message instead"
            )),
            "{said}"
        );
        assert!(received(&mut bob, &name) == data, "{code}: the bytes differ");
    }
    // Busy is a refusal of this session, not of sessions: no fallback.
    let file = dir.path().join("busy.bin");
    std::fs::write(&file, support::content(2000, 486)).unwrap();
    let to = format!("sip:bob-486@{}", kamailio::DOMAIN);
    let out = send_file(&config, &dir.path().join("data"), &to, &file, false);
    let said = words(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(!said.contains("sent as a message"), "{said}");
    bob.settle(Duration::from_secs(1));
    assert_eq!(
        bob.count(|e| matches!(e, Event::TransferDone { path, incoming: true, .. }
            if path.file_name().is_some_and(|n| n == "busy.bin"))),
        0
    );
    bob.handle.shutdown();
}

/// How long the door keeps a connection waiting before it lets it in; the
/// client's SYN, dropped meanwhile, is sent again after about 1 s.
const DOOR_HOLD: Duration = Duration::from_millis(500);
/// How long the door waits for the client to come in.
const DOOR_DEADLINE: Duration = Duration::from_secs(15);

/// A TCP door to Kamailio that holds each new connection for a while, as a
/// slow network does: its accept queue is kept full (a plug connection in
/// a backlog of 0) so the kernel drops the client's SYN; [`DOOR_HOLD`]
/// after each message on the returned channel it takes the plug out, and
/// the client's retried SYN gets in, about 1 s after it tried. What comes
/// in is forwarded to `target` both ways.
fn slow_door(target: std::net::SocketAddr) -> (u16, std::sync::mpsc::Sender<()>) {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let socket = tokio::net::TcpSocket::new_v4().unwrap();
            socket.bind(([127, 0, 0, 1], 0).into()).unwrap();
            let listener = socket.listen(0).unwrap();
            let door = listener.local_addr().unwrap();
            port_tx.send(door.port()).unwrap();
            loop {
                let plug = tokio::net::TcpStream::connect(door).await.unwrap();
                // std receiver, polled without blocking the runtime.
                loop {
                    match rx.try_recv() {
                        Ok(()) => break,
                        Err(std::sync::mpsc::TryRecvError::Empty) => {
                            tokio::time::sleep(Duration::from_millis(10)).await
                        }
                        Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
                    }
                }
                tokio::time::sleep(DOOR_HOLD).await;
                let (first, _) = listener.accept().await.unwrap();
                drop((first, plug));
                let Ok(Ok((mut client, _))) = tokio::time::timeout(DOOR_DEADLINE, listener.accept()).await
                else {
                    continue;
                };
                let mut server = tokio::net::TcpStream::connect(target).await.unwrap();
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                });
            }
        });
    });
    (port_rx.recv().unwrap(), tx)
}

#[test]
fn page_mode_send_file_right_after_start_waits_for_the_flow() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let mut bob = bob(&kam, inbox.path());
    // alice's flow comes up about 1 s after the command starts.
    let (door, open) = slow_door(kam.addr("tcp"));
    let config = dir.path().join("alice.ron");
    let proxy = format!("sip:127.0.0.1:{door};transport=tcp");
    std::fs::write(&config, account_via("alice", true, &proxy)).unwrap();
    for run in 0..PAGE_MODE_RUNS {
        let name = format!("page-{run}.txt");
        let data = support::content(1000, run as u64);
        let file = dir.path().join(&name);
        std::fs::write(&file, &data).unwrap();
        open.send(()).unwrap();
        let out = send_file(&config, &dir.path().join("data"), &kam.aor("bob"), &file, true);
        assert!(out.status.success(), "run {run}: {}", words(&out));
        assert!(received(&mut bob, &name) == data, "run {run}: the bytes differ");
    }
    bob.handle.shutdown();
}

#[test]
fn an_account_that_does_not_register_can_chat_and_send_files() {
    let Some(kam) = Kamailio::start_or_skip() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let mut bob = bob(&kam, inbox.path());
    let config = alice_config(&kam, dir.path(), false);

    let mut chat = cli::sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["chat", &kam.aor("bob")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = chat.stdin.take().unwrap();
    stdin.write_all(b"hello without registering\n").unwrap();
    let got = bob.wait_for("alice's chat line", |e| match e {
        Event::MessageReceived(m) if m.session.is_some() => Some(m.body.clone()),
        _ => None,
    });
    assert_eq!(got, "hello without registering");
    drop(stdin);
    let chat = cli::Killed(chat);
    let out = chat_output(chat);
    assert!(out.status.success(), "{}", words(&out));

    // A file session (bigger than a page-mode MESSAGE takes).
    let data = support::content(64 * 1024, 7);
    let file = dir.path().join("session.bin");
    std::fs::write(&file, &data).unwrap();
    let out = send_file(&config, &dir.path().join("data"), &kam.aor("bob"), &file, false);
    assert!(out.status.success(), "{}\nKamailio:\n{}", words(&out), kam.log());
    assert!(received(&mut bob, "session.bin") == data, "the bytes differ");
    bob.handle.shutdown();
}

/// Waits (bounded) for the chat command to end after EOF; its output.
fn chat_output(mut chat: cli::Killed) -> Output {
    let deadline = std::time::Instant::now() + support::EVENT_TIMEOUT;
    while std::time::Instant::now() < deadline {
        if chat.0.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut child = std::mem::replace(&mut chat.0, std::process::Command::new("true").spawn().unwrap());
    drop(chat);
    let _ = child.kill();
    child.wait_with_output().unwrap()
}
