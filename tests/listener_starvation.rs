//! A `sipchat listen` whose process may hold only 1,024 file descriptors
//! keeps answering MESSAGEs over TCP while 1,500 idle connections are
//! opened to it (issue #13): the listener sheds idle connections when
//! descriptors run out, accepts again, and says so once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;

use cli::{lines_of, next_event, write_local_config, Killed};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

/// The listener's descriptor limit, as on a usual desktop.
const LISTENER_FD_LIMIT: u32 = 1024;
/// Idle connections the test opens.
const IDLE_CONNECTIONS: usize = 1500;
/// Connections from each source address (127.0.0.2, .3, ...): below the
/// listener's cap per address, so it is the descriptor limit that bites.
const PER_SOURCE: usize = 25;
/// How long the fresh MESSAGE may take to be answered (issue #13).
const ANSWER_WITHIN: Duration = Duration::from_secs(2);
/// How long one idle connection may take to connect.
const CONNECT_DEADLINE: Duration = Duration::from_secs(20);

fn message(port: u16, n: usize) -> Vec<u8> {
    let body = "still reachable";
    format!(
        "MESSAGE sip:bob@127.0.0.1:{port} SIP/2.0\r\n\
         Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK-starve-{n}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:mallory@127.0.0.1>;tag=starve{n}\r\n\
         To: <sip:bob@127.0.0.1:{port}>\r\n\
         Call-ID: starve-{n}@127.0.0.1\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[test]
fn a_fresh_message_is_answered_while_idle_connections_exhaust_descriptors() {
    // The test itself holds 1,500 sockets: raise its own limit (root).
    let me = std::process::id().to_string();
    let raised = Command::new("prlimit")
        .args(["--pid", &me, "--nofile=8192:8192"])
        .status()
        .expect("prlimit (util-linux) runs");
    assert!(raised.success(), "cannot raise the test's descriptor limit");

    let dir = tempfile::tempdir().unwrap();
    let port = cli::free_port();
    let config = write_local_config(dir.path(), "bob", port);
    let mut child = Command::new("prlimit")
        .arg(format!("--nofile={LISTENER_FD_LIMIT}:{LISTENER_FD_LIMIT}"))
        .arg(env!("CARGO_BIN_EXE_sipchat"))
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["listen", "--json"])
        .env("SIPCHAT_LOG", "sipchat=info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut { stderr }, &mut text);
        text
    });
    let listener = Killed(child);
    next_event(&lines, "listening");

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let (idle, failed, elapsed, answer) = rt.block_on(async {
        let mut idle = Vec::with_capacity(IDLE_CONNECTIONS);
        let mut failed = 0usize;
        for i in 0..IDLE_CONNECTIONS {
            let source = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2 + (i / PER_SOURCE) as u8));
            let socket = TcpSocket::new_v4().unwrap();
            socket.bind(SocketAddr::new(source, 0)).unwrap();
            match tokio::time::timeout(CONNECT_DEADLINE, socket.connect(server)).await {
                Ok(Ok(stream)) => idle.push(stream),
                _ => failed += 1,
            }
        }
        // A fresh MESSAGE over TCP, from an address of its own.
        let started = Instant::now();
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::from(([127, 0, 0, 1], 0))).unwrap();
        let answer = tokio::time::timeout(ANSWER_WITHIN, async {
            let mut stream = socket.connect(server).await.unwrap();
            stream.write_all(&message(port, 1)).await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 2048];
            while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = stream.read(&mut buf).await.unwrap();
                assert!(n > 0, "the listener closed the fresh connection");
                got.extend_from_slice(&buf[..n]);
            }
            String::from_utf8_lossy(&got).into_owned()
        })
        .await;
        (idle.len(), failed, started.elapsed(), answer)
    });
    // Had the listener stopped accepting, connects would have waited in
    // the kernel's SYN retries until connections timed out as idle.
    assert_eq!(failed, 0, "the listener stopped accepting for a while");
    let answer = answer.unwrap_or_else(|_| {
        panic!("no answer to the fresh MESSAGE within {ANSWER_WITHIN:?} ({idle} idle connections open, {failed} failed)")
    });
    eprintln!(
        "fresh MESSAGE answered in {} ms with {idle} idle connections opened ({failed} failed to connect)",
        elapsed.as_millis()
    );
    assert!(answer.starts_with("SIP/2.0 200"), "{answer}");
    let received = next_event(&lines, "message");
    assert_eq!(received["body"], "still reachable");

    drop(listener);
    drop(rt);
    let log = log.join().unwrap();
    for line in log.lines().filter(|l| l.contains("file descriptors")) {
        eprintln!("listener said: {line}");
    }
    let episodes = log.matches(": out of file descriptors (").count();
    assert_eq!(
        episodes, 1,
        "running out of descriptors is said once per episode, and it did run out:\n{log}"
    );
}

/// Connections over the cap from one address close the oldest idle ones.
const OVER_THE_CAP: usize = 40;
/// How long the test waits for the listener to close a connection.
const CLOSE_DEADLINE: Duration = Duration::from_secs(10);
/// How long a connection that should stay open is watched.
const PROBE: Duration = Duration::from_millis(200);

#[test]
fn connections_over_the_cap_per_address_close_the_oldest_idle_ones() {
    let dir = tempfile::tempdir().unwrap();
    let port = cli::free_port();
    let config = write_local_config(dir.path(), "bob", port);
    let mut child = cli::sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["listen", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let _listener = Killed(child);
    next_event(&lines, "listening");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    let open = rt.block_on(async {
        let mut streams = Vec::new();
        for _ in 0..OVER_THE_CAP {
            let socket = TcpSocket::new_v4().unwrap();
            socket.bind(SocketAddr::from(([127, 0, 0, 9], 0))).unwrap();
            streams.push(socket.connect(server).await.unwrap());
        }
        let cap = sipchat::transport::listener::MAX_CONNECTIONS_PER_ADDRESS;
        let mut open = Vec::new();
        for (i, mut stream) in streams.into_iter().enumerate() {
            let mut buf = [0u8; 64];
            // The oldest must close (end of stream or a reset); the others
            // are probed briefly once those have closed.
            let wait = if i < OVER_THE_CAP - cap {
                CLOSE_DEADLINE
            } else {
                PROBE
            };
            let closed = matches!(
                tokio::time::timeout(wait, stream.read(&mut buf)).await,
                Ok(Ok(0) | Err(_))
            );
            open.push(!closed);
        }
        open
    });
    let kept = open.iter().filter(|o| **o).count();
    assert_eq!(
        kept,
        sipchat::transport::listener::MAX_CONNECTIONS_PER_ADDRESS,
        "{open:?}"
    );
    // The oldest went.
    assert!(open[..OVER_THE_CAP - kept].iter().all(|o| !o), "{open:?}");
}

/// Slack over the idle limit before the test gives up on a close.
const IDLE_SLACK: Duration = Duration::from_secs(30);

#[test]
fn silent_and_trickling_connections_close_after_the_idle_limit() {
    let dir = tempfile::tempdir().unwrap();
    let port = cli::free_port();
    let config = write_local_config(dir.path(), "bob", port);
    let mut child = cli::sipchat()
        .arg("--config")
        .arg(&config)
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .args(["listen", "--json"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let _listener = Killed(child);
    next_event(&lines, "listening");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let limit = sipchat::transport::listener::INBOUND_IDLE_LIMIT;
    let server = SocketAddr::from(([127, 0, 0, 1], port));
    rt.block_on(async {
        let started = tokio::time::Instant::now();
        let mut silent = tokio::net::TcpStream::connect(server).await.unwrap();
        let mut trickling = tokio::net::TcpStream::connect(server).await.unwrap();
        // Half a request, a byte now and then: not a complete request.
        let half = message(port, 2);
        let half = &half[..half.len() / 2];
        let trickle = async {
            let mut buf = [0u8; 64];
            for byte in half.iter().cycle().take(half.len()) {
                tokio::select! {
                    read = trickling.read(&mut buf) => return read.map(|n| n == 0).unwrap_or(true),
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
                if trickling.write_all(&[*byte]).await.is_err() {
                    return true;
                }
            }
            false
        };
        let deadline = limit + IDLE_SLACK;
        let closed = tokio::time::timeout(deadline, trickle).await;
        assert_eq!(closed, Ok(true), "the trickling connection stayed open");
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(deadline, silent.read(&mut buf)).await;
        assert!(
            matches!(read, Ok(Ok(0) | Err(_))),
            "the silent connection stayed open: {read:?}"
        );
        assert!(started.elapsed() >= limit, "closed before the idle limit");
    });
}
