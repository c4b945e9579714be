//! The hub and [`super::super::connect`] over loopback: connections reach
//! the session they name, over TCP and over TLS pinned to our fingerprint.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::msrp::{Frame, Method};
use crate::transport::msrp::connect::{connect, ConnectError};
use crate::transport::msrp::tls::pinned_client_config;

/// A first SEND for session `session` at `port`.
fn first_send(secure: bool, port: u16, session: &str) -> Vec<u8> {
    let mut send = Frame::request("first1", Method::Send);
    send.push_header(
        "To-Path",
        MsrpUri::endpoint(secure, "127.0.0.1", port, session).to_string(),
    );
    send.push_header(
        "From-Path",
        MsrpUri::endpoint(secure, "127.0.0.1", 9, "peer").to_string(),
    );
    send.push_header("Message-ID", "m1");
    send.push_header("Byte-Range", "1-5/5");
    send.push_header("Content-Type", "text/plain");
    send.body = b"hello".to_vec();
    send.to_bytes()
}

async fn hand_over(secure: bool) {
    let hub = MsrpHub::start().await.unwrap();
    let port = hub.port(secure);
    let waiting = hub.expect("ours");
    let uri = MsrpUri::endpoint(secure, "127.0.0.1", port, "ours");
    let tls = secure.then(|| pinned_client_config(hub.fingerprint()).unwrap());
    let mut stream = connect(&uri, tls).await.unwrap();
    let send = first_send(secure, port, "ours");
    stream.write_all(&send).await.unwrap();
    let mut accepted = tokio::time::timeout(Duration::from_secs(5), waiting)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(accepted.received, send);
    assert!(accepted.peer.ip().is_loopback());
    accepted.stream.write_all(b"back").await.unwrap();
    let mut back = [0u8; 4];
    stream.read_exact(&mut back).await.unwrap();
    assert_eq!(&back, b"back");
}

#[tokio::test]
async fn a_tcp_connection_goes_to_the_session_it_names() {
    hand_over(false).await;
}

#[tokio::test]
async fn a_tls_connection_pinned_to_our_fingerprint_goes_to_its_session() {
    hand_over(true).await;
}

#[tokio::test]
async fn a_connection_for_no_waiting_session_is_answered_481_and_closed() {
    let hub = MsrpHub::start().await.unwrap();
    let port = hub.port(false);
    let _other = hub.expect("someone-else");
    let uri = MsrpUri::endpoint(false, "127.0.0.1", port, "gone");
    let mut stream = connect(&uri, None).await.unwrap();
    stream.write_all(&first_send(false, port, "gone")).await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(5), stream.read_to_string(&mut answer))
        .await
        .unwrap()
        .unwrap();
    assert!(answer.starts_with("MSRP first1 481"), "{answer}");
}

#[tokio::test]
async fn a_forgotten_session_gets_no_connection() {
    let hub = MsrpHub::start().await.unwrap();
    let waiting = hub.expect("ours");
    hub.forget("ours");
    assert!(waiting.await.is_err());
}

#[tokio::test]
async fn connecting_where_nobody_listens_says_where() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let uri = MsrpUri::endpoint(false, "127.0.0.1", port, "x");
    let Err(error) = connect(&uri, None).await else {
        panic!("connected to a closed port");
    };
    assert!(matches!(error, ConnectError::Tcp { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with(&format!("cannot connect to 127.0.0.1:{port}: ")),
        "{error}"
    );
}
