//! Stream transport against plain sockets: framing across reads, CRLF
//! keep-alive pings answered and missed, requests arriving on our own flow.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use sipchat::transport::stream::{connect_tcp, listen_tcp, StreamOptions};
use sipchat::transport::TransportEvent;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const MSG: &[u8] = b"MESSAGE sip:b@h SIP/2.0\r\nContent-Length: 5\r\n\r\nhello";

async fn next_event(rx: &mut mpsc::Receiver<TransportEvent>) -> TransportEvent {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("event in time")
        .expect("open")
}

#[tokio::test]
async fn pings_are_answered_and_keep_the_flow_up() {
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = server.accept().await.unwrap();
        let mut buf = [0u8; 64];
        // A well-behaved server: every ping gets a pong; then it sends a message in two pieces.
        for _ in 0..3 {
            let n = s.read(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"\r\n\r\n");
            s.write_all(b"\r\n").await.unwrap();
        }
        s.write_all(&MSG[..10]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        s.write_all(&MSG[10..]).await.unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
    });
    let (tx, mut rx) = mpsc::channel(16);
    let options = StreamOptions {
        keepalive: Some(Duration::from_millis(100)),
        pong_timeout: Duration::from_millis(300),
    };
    let handle = connect_tcp(addr, options, tx).await.unwrap();
    match next_event(&mut rx).await {
        TransportEvent::Received(inbound) => {
            assert_eq!(inbound.bytes, MSG);
            assert_eq!(inbound.conn, Some(handle.id));
        }
        other => panic!("expected the message, got {other:?}"),
    }
    assert!(!handle.is_closed());
}

#[tokio::test]
async fn a_missing_pong_closes_an_outbound_flow_with_a_reason() {
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut s, _) = server.accept().await.unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf).await; // swallow the ping, never answer
        tokio::time::sleep(Duration::from_secs(3)).await;
    });
    let (tx, mut rx) = mpsc::channel(16);
    let options = StreamOptions {
        keepalive: Some(Duration::from_millis(100)),
        pong_timeout: Duration::from_millis(300),
    };
    let handle = connect_tcp(addr, options, tx).await.unwrap();
    // An RFC 5626 outbound flow: the registrar must answer every ping.
    handle.require_pongs(true);
    match next_event(&mut rx).await {
        TransportEvent::Closed { conn, reason } => {
            assert_eq!(conn, handle.id);
            assert!(reason.contains("keep-alive timed out"), "{reason}");
        }
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[tokio::test]
async fn a_peer_that_never_answered_a_ping_keeps_its_connection_until_it_has() {
    // A plain registrar need not answer pings: the first unanswered one
    // keeps the connection; once the peer has answered one, a missing pong
    // closes it.
    let server = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = server.local_addr().unwrap();
    let answered = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let answered_by_server = answered.clone();
    tokio::spawn(async move {
        let (mut s, _) = server.accept().await.unwrap();
        let mut ping = [0u8; 4];
        s.read_exact(&mut ping).await.unwrap(); // the first: no answer
        s.read_exact(&mut ping).await.unwrap(); // the second: answered
        answered_by_server.store(true, std::sync::atomic::Ordering::SeqCst);
        s.write_all(b"\r\n").await.unwrap();
        let mut rest = [0u8; 64];
        while s.read(&mut rest).await.is_ok_and(|n| n > 0) {} // then silence
    });
    let (tx, mut rx) = mpsc::channel(16);
    let options = StreamOptions {
        keepalive: Some(Duration::from_millis(100)),
        pong_timeout: Duration::from_millis(300),
    };
    let handle = connect_tcp(addr, options, tx).await.unwrap();
    match next_event(&mut rx).await {
        TransportEvent::Closed { conn, reason } => {
            assert_eq!(conn, handle.id);
            assert!(reason.contains("keep-alive timed out"), "{reason}");
            assert!(
                answered.load(std::sync::atomic::Ordering::SeqCst),
                "closed before the peer had answered any ping"
            );
        }
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[tokio::test]
async fn listener_answers_pings_and_rejects_unframeable_streams() {
    let (tx, mut rx) = mpsc::channel(16);
    let (addr, _task) = listen_tcp("127.0.0.1:0".parse().unwrap(), tx).await.unwrap();
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(matches!(next_event(&mut rx).await, TransportEvent::Accepted(_)));
    client.write_all(b"\r\n\r\n").await.unwrap();
    let mut pong = [0u8; 2];
    tokio::time::timeout(Duration::from_secs(2), client.read_exact(&mut pong))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&pong, b"\r\n");
    // A message without Content-Length cannot be framed on a stream: the connection closes.
    client
        .write_all(b"MESSAGE sip:b@h SIP/2.0\r\nCSeq: 1 MESSAGE\r\n\r\n")
        .await
        .unwrap();
    match next_event(&mut rx).await {
        TransportEvent::Closed { reason, .. } => assert!(reason.contains("Content-Length"), "{reason}"),
        other => panic!("{other:?}"),
    }
}
