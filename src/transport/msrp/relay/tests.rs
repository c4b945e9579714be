//! The relay AUTH connection against a scripted relay on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::msrp::{Frame, Method};
use tokio::net::TcpListener;

/// A relay that answers each AUTH with `code` (and a Use-Path on 200),
/// then reads what follows on the connection; returns those bytes.
async fn scripted_relay(code: u16) -> (MsrpUri, tokio::task::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let relay = MsrpUri::parse(&format!("msrp://127.0.0.1:{port};tcp")).unwrap();
    let me = relay.clone();
    let task = tokio::spawn(async move {
        let (mut tcp, _) = listener.accept().await.unwrap();
        let mut decoder = FrameDecoder::new();
        let mut buf = vec![0u8; 4096];
        let auth = loop {
            let n = tcp.read(&mut buf).await.unwrap();
            decoder.push(&buf[..n]);
            if let Some(frame) = decoder.next_frame().unwrap() {
                break frame;
            }
        };
        assert_eq!(auth.method(), Some(&Method::Auth));
        let mut answer = Frame::response_to(&auth, code, &me);
        if code == 200 {
            answer.push_header("Use-Path", format!("msrp://127.0.0.1:{port}/relayed;tcp"));
            answer.push_header("Expires", "600");
        }
        tcp.write_all(&answer.to_bytes()).await.unwrap();
        let mut rest = Vec::new();
        let _ = tcp.read_to_end(&mut rest).await;
        rest
    });
    (relay, task)
}

#[tokio::test]
async fn an_authorised_connection_comes_back_with_the_relay_path() {
    let (relay, server) = scripted_relay(200).await;
    let connection = authenticate(&relay, "alice", "secret", None, "s1d")
        .await
        .unwrap();
    let port = relay.port_or_default();
    assert_eq!(connection.use_path.len(), 1);
    assert_eq!(
        connection.use_path[0].to_string(),
        format!("msrp://127.0.0.1:{port}/relayed;tcp")
    );
    assert!(connection.local_uri.to_string().contains("/s1d;tcp"));
    let mut stream = connection.stream;
    stream.write_all(b"session bytes").await.unwrap();
    stream.shutdown().await.unwrap();
    drop(stream);
    assert_eq!(server.await.unwrap(), b"session bytes");
}

#[tokio::test]
async fn a_refusal_names_the_relay_and_its_reason() {
    let (relay, _server) = scripted_relay(403).await;
    let Err(error) = authenticate(&relay, "alice", "secret", None, "s1d").await else {
        panic!("a refused AUTH gave a connection");
    };
    assert!(matches!(error, RelayError::Refused { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("the MSRP relay {relay} refused us: ")),
        "{error}"
    );
}

#[tokio::test]
async fn a_relay_that_hangs_up_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let relay = MsrpUri::parse(&format!("msrp://127.0.0.1:{port};tcp")).unwrap();
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        drop(tcp);
    });
    let Err(error) = authenticate(&relay, "alice", "secret", None, "s1d").await else {
        panic!("no relay, yet a connection");
    };
    server.await.unwrap();
    assert!(
        matches!(
            error,
            RelayError::Closed { .. } | RelayError::Read(_) | RelayError::Write(_)
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_msrps_relay_needs_tls_settings() {
    let relay = MsrpUri::parse("msrps://127.0.0.1:9;tcp").unwrap();
    let Err(error) = authenticate(&relay, "alice", "secret", None, "s1d").await else {
        panic!("msrps without TLS settings connected");
    };
    assert_eq!(error.to_string(), "no TLS settings for the msrps relay");
}
