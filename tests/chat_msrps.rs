//! `msrps` means TLS, always (issue #14): two runtimes on loopback, and a
//! hand-written peer that speaks SIP over UDP and MSRP over TLS the way
//! Blink's stack does (no `a=fingerprint`, `a=setup:actpass`), so that the
//! answer and the bytes on the wire can be read.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use sipchat::model::{AccountId, ChatState, DeliveryState, SessionId};
use sipchat::paths::MSRP_CERTIFICATE_FILE_NAME;
use sipchat::runtime::{Command, Event, RuntimeOptions};
use sipchat::transport::msrp::tls::{pinned_client_config, LocalIdentity};
use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{config, Running};

/// How long the hand-written peer waits for one answer or one read.
const PEER_TIMEOUT: Duration = Duration::from_secs(20);

fn local_id() -> AccountId {
    AccountId("local".into())
}

/// The local account on loopback; `tls` is the account's own choice for
/// chats it opens, `extra` more fields of `local` (such as `tls: (...)`).
fn local(user: &str, tls: bool, role: &str, extra: &str) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: 0, msrp: (tls: {tls}, role: {role}){extra}))"#
    ))
}

fn options(data_dir: &Path, accept_chats: bool, omit_fingerprint: bool) -> RuntimeOptions {
    RuntimeOptions {
        data_dir: Some(data_dir.to_path_buf()),
        accept_chats,
        omit_msrp_fingerprint: omit_fingerprint,
        ..RuntimeOptions::default()
    }
}

/// The fingerprint of the certificate kept in a data directory (made there
/// now if the runtime has not made it yet: the runtime reuses it).
fn kept_fingerprint(data_dir: &Path) -> String {
    let identity = LocalIdentity::load_or_create(&data_dir.join(MSRP_CERTIFICATE_FILE_NAME)).unwrap();
    identity.fingerprint().to_string()
}

fn wait_active(r: &mut Running, who: &str) -> (SessionId, bool) {
    r.wait_for(&format!("{who}'s chat active"), |e| match e {
        Event::ChatUpdate {
            session,
            state: ChatState::Active { secure, .. },
            ..
        } => Some((*session, *secure)),
        Event::ChatUpdate {
            state: ChatState::Failed { reason },
            ..
        } => panic!("{who}'s chat failed: {reason}"),
        _ => None,
    })
}

fn wait_failed(r: &mut Running, who: &str) -> String {
    r.wait_for(&format!("{who}'s chat failed"), |e| match e {
        Event::ChatUpdate {
            state: ChatState::Failed { reason },
            ..
        } => Some(reason.clone()),
        Event::ChatUpdate {
            state: ChatState::Active { .. },
            ..
        } => panic!("{who}'s chat opened although it must not"),
        _ => None,
    })
}

fn open_chat(r: &Running, peer_port: u16) {
    r.handle
        .send(Command::OpenChat {
            account: local_id(),
            peer: format!("sip:bob@127.0.0.1:{peer_port}"),
        })
        .unwrap();
}

fn say_and_hear(from: &mut Running, session: SessionId, to: &mut Running, text: &str) {
    let id = from.handle.next_message_id();
    from.handle
        .send(Command::SendChat {
            id,
            account: local_id(),
            session,
            text: text.into(),
        })
        .unwrap();
    assert_eq!(from.wait_delivery(id), DeliveryState::Accepted);
    to.wait_message(text);
}

/// A peer written by hand: SIP over UDP, its SDP as a Blink client writes it.
struct HandPeer {
    sip: UdpSocket,
    call_id: String,
    tag: String,
}

/// A SIP response read by the hand-written peer.
struct Response {
    code: u16,
    text: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.text.lines().find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn body(&self) -> &str {
        self.text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("")
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        let prefix = format!("a={name}:");
        self.body().lines().find_map(|l| l.strip_prefix(prefix.as_str()))
    }
}

impl HandPeer {
    fn new() -> HandPeer {
        let sip = UdpSocket::bind("127.0.0.1:0").unwrap();
        sip.set_read_timeout(Some(PEER_TIMEOUT)).unwrap();
        let n: u64 = rand_number();
        HandPeer {
            sip,
            call_id: format!("blink-{n}@127.0.0.1"),
            tag: format!("t{n}"),
        }
    }

    fn port(&self) -> u16 {
        self.sip.local_addr().unwrap().port()
    }

    /// Sends an INVITE with `sdp` to the local account at `port` and
    /// returns the final response (ACKed when 2xx).
    fn invite(&self, port: u16, sdp: &str) -> Response {
        let me = self.port();
        let invite = format!(
            "INVITE sip:bob@127.0.0.1:{port} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:blink@127.0.0.1:{me}>;tag={tag}\r\n\
             To: <sip:bob@127.0.0.1:{port}>\r\n\
             Call-ID: {call}\r\n\
             CSeq: 1 INVITE\r\n\
             Contact: <sip:blink@127.0.0.1:{me}>\r\n\
             Content-Type: application/sdp\r\n\
             Content-Length: {len}\r\n\r\n{sdp}",
            branch = rand_number(),
            tag = self.tag,
            call = self.call_id,
            len = sdp.len(),
        );
        self.sip.send_to(invite.as_bytes(), ("127.0.0.1", port)).unwrap();
        let deadline = Instant::now() + PEER_TIMEOUT;
        let response = loop {
            assert!(Instant::now() < deadline, "no final answer to the INVITE");
            let mut buf = vec![0u8; 65536];
            let (n, _) = self.sip.recv_from(&mut buf).expect("an answer to the INVITE");
            let text = String::from_utf8_lossy(&buf[..n]).to_string();
            let Some(status) = text.strip_prefix("SIP/2.0 ") else {
                continue; // a request (BYE) from an earlier test run's session
            };
            let code: u16 = status[..3].parse().unwrap();
            if code >= 200 && text.contains(&self.call_id) && text.contains("INVITE") {
                break Response { code, text };
            }
        };
        let to = response.header("To").unwrap().to_string();
        let ack_cseq = "1 ACK";
        let ack = format!(
            "ACK sip:bob@127.0.0.1:{port} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{me};branch=z9hG4bK{branch};rport\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:blink@127.0.0.1:{me}>;tag={tag}\r\n\
             To: {to}\r\n\
             Call-ID: {call}\r\n\
             CSeq: {ack_cseq}\r\n\
             Content-Length: 0\r\n\r\n",
            branch = rand_number(),
            tag = self.tag,
            call = self.call_id,
        );
        if response.code < 300 {
            self.sip.send_to(ack.as_bytes(), ("127.0.0.1", port)).unwrap();
        }
        response
    }
}

fn rand_number() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(Instant::now().elapsed().as_nanos());
    h.finish()
}

/// A Blink-like chat offer: msrps, `actpass`, no fingerprint.
fn blink_offer(msrp_port: u16, session_id: &str) -> String {
    offer("TCP/TLS/MSRP", "msrps", msrp_port, session_id, "actpass")
}

/// A chat offer as a hand-written peer writes it (no fingerprint).
fn offer(proto: &str, scheme: &str, msrp_port: u16, session_id: &str, setup: &str) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=message {msrp_port} {proto} *\r\n\
         a=accept-types:text/plain message/cpim\r\n\
         a=accept-wrapped-types:*\r\n\
         a=path:{scheme}://127.0.0.1:{msrp_port}/{session_id};tcp\r\n\
         a=setup:{setup}\r\n"
    )
}

/// `host`, `port` of an `msrp(s)://host:port/id;tcp` URI.
fn host_port(uri: &str) -> (String, u16) {
    let rest = uri.split_once("://").expect("an MSRP path").1;
    let authority = rest.split('/').next().unwrap();
    let (host, port) = authority.rsplit_once(':').unwrap();
    (host.to_string(), port.parse().unwrap())
}

fn send_frame(to_path: &str, from_path: &str, text: &str) -> Vec<u8> {
    format!(
        "MSRP tx1 SEND\r\nTo-Path: {to_path}\r\nFrom-Path: {from_path}\r\nMessage-ID: m1\r\n\
         Byte-Range: 1-{len}/{len}\r\nContent-Type: text/plain\r\n\r\n{text}\r\n-------tx1$\r\n",
        len = text.len()
    )
    .into_bytes()
}

/// Everything a connection sends until it closes or goes quiet.
fn read_all(stream: &mut impl Read) -> Vec<u8> {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return got,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
        if got.ends_with(b"$\r\n") {
            return got;
        }
    }
}

#[test]
fn a_blink_offer_gets_a_tls_answer_with_the_kept_fingerprint_and_sipchat_listens() {
    let dir = tempfile::tempdir().unwrap();
    // The account chats over TCP when it opens chats itself: the offer
    // alone decides that this session is TLS.
    let (mut bob, bob_port) =
        Running::start_local(local("bob", false, "auto", ""), options(dir.path(), true, false));
    let peer = HandPeer::new();
    let ours = format!("msrps://127.0.0.1:9/{};tcp", "blinksession");
    let answer = peer.invite(bob_port, &blink_offer(9, "blinksession"));
    assert_eq!(answer.code, 200, "{}", answer.text);
    let body = answer.body();
    assert!(body.contains(" TCP/TLS/MSRP "), "{body}");
    let path = answer.attribute("path").expect("a=path").to_string();
    assert!(path.starts_with("msrps://") && path.ends_with(";tcp"), "{path}");
    assert_eq!(answer.attribute("setup"), Some("passive"), "{body}");
    let fingerprint = answer
        .attribute("fingerprint")
        .expect("a=fingerprint")
        .to_string();
    assert_eq!(
        fingerprint,
        kept_fingerprint(dir.path()),
        "the certificate kept in the data directory"
    );

    // Plain MSRP to the msrps path gets nothing back in clear.
    let (host, port) = host_port(&path);
    let mut plain = TcpStream::connect((host.as_str(), port)).unwrap();
    plain.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    plain.write_all(&send_frame(&path, &ours, "in clear")).unwrap();
    let back = read_all(&mut plain);
    assert!(
        !back.starts_with(b"MSRP "),
        "an MSRP answer in clear: {:?}",
        String::from_utf8_lossy(&back)
    );

    // Over TLS, pinned to the answer's fingerprint, the message arrives.
    let config = pinned_client_config(&fingerprint).unwrap();
    let name = rustls_pki_types::ServerName::try_from("sipchat.invalid").unwrap();
    let mut connection = tokio_rustls::rustls::ClientConnection::new(config, name).unwrap();
    let mut tcp = TcpStream::connect((host.as_str(), port)).unwrap();
    tcp.set_read_timeout(Some(PEER_TIMEOUT)).unwrap();
    let mut tls = tokio_rustls::rustls::Stream::new(&mut connection, &mut tcp);
    tls.write_all(&send_frame(&path, &ours, "hello over TLS"))
        .unwrap();
    let reply = read_all(&mut tls);
    assert!(
        reply.starts_with(b"MSRP tx1 200"),
        "{:?}",
        String::from_utf8_lossy(&reply)
    );
    let (_, secure) = wait_active(&mut bob, "bob");
    assert!(secure, "TLS is negotiated on the MSRP connection");
    bob.wait_message("hello over TLS");
    drop(bob);

    // A restart keeps the certificate: the same fingerprint is announced.
    let (bob, bob_port) =
        Running::start_local(local("bob", false, "auto", ""), options(dir.path(), true, false));
    let peer = HandPeer::new();
    let answer = peer.invite(bob_port, &blink_offer(9, "second"));
    assert_eq!(answer.code, 200, "{}", answer.text);
    assert_eq!(answer.attribute("fingerprint"), Some(fingerprint.as_str()));
    drop(bob);
}

#[test]
fn a_peer_calling_with_actpass_and_no_fingerprint_runs_over_tls_with_sipchat_passive() {
    let (alice_dir, bob_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut alice, _) = Running::start_local(
        local("alice", true, "auto", ""),
        options(alice_dir.path(), false, true),
    );
    // Bob would rather connect (active), but has nothing to pin alice to.
    let (mut bob, bob_port) = Running::start_local(
        local("bob", false, "active", ""),
        options(bob_dir.path(), true, false),
    );
    open_chat(&alice, bob_port);
    let (a, alice_secure) = wait_active(&mut alice, "alice");
    let (b, bob_secure) = wait_active(&mut bob, "bob");
    assert!(
        alice_secure && bob_secure,
        "alice {alice_secure}, bob {bob_secure}"
    );
    say_and_hear(&mut alice, a, &mut bob, "hello bob, over TLS");
    say_and_hear(&mut bob, b, &mut alice, "hi alice, over TLS");
}

#[test]
fn sipchat_connects_to_a_peer_without_fingerprint_and_checks_it_like_a_server() {
    let bob_dir = tempfile::tempdir().unwrap();
    let bob_fingerprint = kept_fingerprint(bob_dir.path());
    // Pinned: the chat runs over TLS.
    let alice_dir = tempfile::tempdir().unwrap();
    let pin = format!(r#", tls: (fingerprint: "{bob_fingerprint}")"#);
    let (mut alice, _) = Running::start_local(
        local("alice", true, "active", &pin),
        options(alice_dir.path(), false, false),
    );
    let (mut bob, bob_port) = Running::start_local(
        local("bob", false, "auto", ""),
        options(bob_dir.path(), true, true),
    );
    open_chat(&alice, bob_port);
    let (a, alice_secure) = wait_active(&mut alice, "alice");
    let (_, bob_secure) = wait_active(&mut bob, "bob");
    assert!(
        alice_secure && bob_secure,
        "alice {alice_secure}, bob {bob_secure}"
    );
    say_and_hear(&mut alice, a, &mut bob, "checked like a server");
    drop(alice);
    drop(bob);

    // Untrusted: refused with words that say whose SDP and which check.
    let alice_dir = tempfile::tempdir().unwrap();
    let (mut alice, _) = Running::start_local(
        local("alice", true, "active", ""),
        options(alice_dir.path(), false, false),
    );
    let (_bob, bob_port) = Running::start_local(
        local("bob", false, "auto", ""),
        options(bob_dir.path(), true, true),
    );
    open_chat(&alice, bob_port);
    let reason = wait_failed(&mut alice, "alice");
    assert!(
        reason.contains("its answer announced no certificate fingerprint"),
        "{reason}"
    );
    assert!(reason.contains("not trusted"), "{reason}");
}

#[test]
fn a_plain_connection_to_a_tls_session_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut bob, bob_port) =
        Running::start_local(local("bob", false, "auto", ""), options(dir.path(), true, false));
    // A plain chat first, to learn where bob's plain TCP listener is.
    let plain = HandPeer::new().invite(bob_port, &offer("TCP/MSRP", "msrp", 9, "plainone", "active"));
    assert_eq!(plain.code, 200, "{}", plain.text);
    let plain_path = plain.attribute("path").unwrap().to_string();
    assert!(plain_path.starts_with("msrp://"), "{plain_path}");
    // Then an msrps chat; its session-id is sent to the plain listener.
    let tls = HandPeer::new().invite(bob_port, &blink_offer(9, "tlsone"));
    assert_eq!(tls.code, 200, "{}", tls.text);
    let tls_path = tls.attribute("path").unwrap().to_string();
    let (host, port) = host_port(&plain_path);
    let mut tcp = TcpStream::connect((host.as_str(), port)).unwrap();
    tcp.set_read_timeout(Some(PEER_TIMEOUT)).unwrap();
    let ours = "msrps://127.0.0.1:9/tlsone;tcp";
    tcp.write_all(&send_frame(&tls_path, ours, "in clear")).unwrap();
    let back = read_all(&mut tcp);
    assert!(
        !back.starts_with(b"MSRP tx1 200"),
        "accepted in clear: {:?}",
        String::from_utf8_lossy(&back)
    );
    let reason = bob.wait_for("the msrps chat refused", |e| match e {
        Event::ChatUpdate {
            state: ChatState::Failed { reason },
            ..
        } => Some(reason.clone()),
        Event::MessageReceived(m) if m.body.contains("in clear") => panic!("a message arrived in clear"),
        _ => None,
    });
    assert!(reason.contains("plain TCP"), "{reason}");
}

#[test]
fn a_file_offered_over_msrps_is_received_over_tls_by_an_account_that_chats_over_tcp() {
    let (alice_dir, bob_dir, inbox) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let (mut alice, _) = Running::start_local(
        local("alice", true, "auto", ""),
        options(alice_dir.path(), false, false),
    );
    let bob_options = RuntimeOptions {
        accept_files: Some(inbox.path().to_path_buf()),
        ..options(bob_dir.path(), false, false)
    };
    let (mut bob, bob_port) = Running::start_local(local("bob", false, "auto", ""), bob_options);
    let data = support::content(300 * 1024, 14);
    let path = alice_dir.path().join("report.bin");
    std::fs::write(&path, &data).unwrap();
    let id = alice.handle.next_transfer_id();
    alice
        .handle
        .send(Command::SendFile {
            id,
            account: local_id(),
            to: format!("sip:bob@127.0.0.1:{bob_port}"),
            path,
            mode: sipchat::runtime::FileSendMode::Session,
        })
        .unwrap();
    let received = bob.wait_for("bob's file", |e| match e {
        Event::TransferDone { path, .. } => Some(path.clone()),
        Event::TransferFailed { reason, .. } => panic!("the file failed: {reason}"),
        _ => None,
    });
    assert_eq!(std::fs::read(received).unwrap(), data);
    alice.wait_for("alice's transfer done", |e| match e {
        Event::TransferDone { transfer, .. } if *transfer == id => Some(()),
        Event::TransferFailed { reason, .. } => panic!("alice's side failed: {reason}"),
        _ => None,
    });
}
