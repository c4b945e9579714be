#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::super::decoder::FrameDecoder;
use super::*;
use crate::protocol::sip::digest::Qop;

const RELAY: &str = "msrps://alice@intra.example.com;tcp";
const LOCAL: &str = "msrps://alice.example.com:9892/98cjs;tcp";

fn config(expires: Option<u32>) -> RelayConfig {
    RelayConfig {
        relay: MsrpUri::parse(RELAY).unwrap(),
        local_uri: MsrpUri::parse(LOCAL).unwrap(),
        username: "alice".into(),
        password: "secret".into(),
        expires,
    }
}

fn out(c: &mut RelayClient) -> (Vec<Frame>, Vec<RelayEvent>) {
    let (mut frames, mut events) = (Vec::new(), Vec::new());
    while let Some(o) = c.poll_output() {
        match o {
            RelayOutput::Transmit(b) => {
                let mut d = FrameDecoder::new();
                d.push(&b);
                frames.push(d.next_frame().unwrap().unwrap());
            }
            RelayOutput::Event(e) => events.push(e),
        }
    }
    (frames, events)
}

fn response(to: &Frame, code: u16, headers: &[(&str, &str)]) -> Frame {
    let mut f = Frame::response_to(to, code, &MsrpUri::parse(RELAY).unwrap());
    for (n, v) in headers {
        f.push_header(n, *v);
    }
    f
}

fn param<'a>(value: &'a str, name: &str) -> Option<&'a str> {
    value.split(", ").find_map(|p| {
        let p = p.strip_prefix("Digest ").unwrap_or(p);
        let (n, v) = p.split_once('=')?;
        (n == name).then(|| v.trim_matches('"'))
    })
}

/// RFC 4976 section 7.1 style challenge, without opaque.
const CHALLENGE: &str =
    r#"Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#;

#[test]
fn auth_401_then_200_with_use_path_and_refresh_before_expiry() {
    let t0 = Instant::now();
    let mut c = RelayClient::new(config(None), 9);
    c.start(t0);
    let (frames, events) = out(&mut c);
    assert!(events.is_empty());
    let first = &frames[0];
    assert_eq!(first.method(), Some(&Method::Auth));
    assert_eq!(first.header("To-Path"), Some(RELAY));
    assert_eq!(first.header("From-Path"), Some(LOCAL));
    assert_eq!(first.header("Authorization"), None);
    assert!(c.owns(&response(first, 401, &[])));

    c.handle_frame(&response(first, 401, &[("WWW-Authenticate", CHALLENGE)]), t0);
    let (frames, _) = out(&mut c);
    let second = &frames[0];
    assert_ne!(second.transaction_id, first.transaction_id);
    let auth = second.header("Authorization").unwrap();
    assert_eq!(param(auth, "uri"), Some(RELAY));
    assert_eq!(param(auth, "username"), Some("alice"));
    assert_eq!(
        param(auth, "opaque"),
        None,
        "no opaque when the challenge had none"
    );
    let challenge = digest::parse_challenges(CHALLENGE).unwrap().remove(0);
    let expected = digest::response_hash(
        &challenge,
        &Credentials {
            username: "alice",
            password: "secret",
        },
        &RequestParts {
            method: "AUTH",
            uri: RELAY,
            body: b"",
        },
        Some(Qop::Auth),
        param(auth, "cnonce").unwrap(),
        1,
    );
    assert_eq!(param(auth, "response"), Some(expected.as_str()));

    let use_path = "msrps://relay.example.com:2855;tcp";
    c.handle_frame(
        &response(second, 200, &[("Use-Path", use_path), ("Expires", "900")]),
        t0,
    );
    let (_, events) = out(&mut c);
    assert_eq!(
        events,
        vec![RelayEvent::Authorized {
            use_path: MsrpUri::parse_path(use_path).unwrap(),
            expires: Duration::from_secs(900)
        }]
    );
    assert_eq!(
        MsrpUri::format_path(&c.local_path().unwrap()),
        format!("{use_path} {LOCAL}")
    );
    // Refresh at 80 % of 900 s, with the cached challenge (nc 2).
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(720)));
    c.handle_timeout(t0 + Duration::from_secs(719));
    assert!(c.poll_output().is_none());
    c.handle_timeout(t0 + Duration::from_secs(720));
    let (frames, _) = out(&mut c);
    let refresh = frames[0].header("Authorization").unwrap();
    assert_eq!(param(refresh, "nc"), Some("00000002"));
    // A stale-free 401 with the same nonce after a pre-emptive answer is
    // answered once more.
    c.handle_frame(
        &response(&frames[0], 401, &[("WWW-Authenticate", CHALLENGE)]),
        t0 + Duration::from_secs(720),
    );
    let (frames, events) = out(&mut c);
    assert!(events.is_empty());
    assert_eq!(
        param(frames[0].header("Authorization").unwrap(), "nc"),
        Some("00000001")
    );
}

#[test]
fn wrong_password_fails_in_words() {
    let t0 = Instant::now();
    let mut c = RelayClient::new(config(None), 9);
    c.start(t0);
    let (f, _) = out(&mut c);
    c.handle_frame(&response(&f[0], 401, &[("WWW-Authenticate", CHALLENGE)]), t0);
    let (f, _) = out(&mut c);
    c.handle_frame(&response(&f[0], 401, &[("WWW-Authenticate", CHALLENGE)]), t0);
    let (f, events) = out(&mut c);
    assert!(f.is_empty());
    assert_eq!(
        events,
        vec![RelayEvent::Failed {
            code: Some(401),
            reason: "the MSRP relay refused the user name or password".into()
        }]
    );
}

#[test]
fn interval_too_brief_retries_with_min_expires() {
    let t0 = Instant::now();
    let mut c = RelayClient::new(config(Some(60)), 9);
    c.start(t0);
    let (f, _) = out(&mut c);
    assert_eq!(f[0].header("Expires"), Some("60"));
    c.handle_frame(&response(&f[0], 423, &[("Min-Expires", "300")]), t0);
    let (f, _) = out(&mut c);
    assert_eq!(f[0].header("Expires"), Some("300"));
    c.handle_frame(&response(&f[0], 423, &[("Min-Expires", "300")]), t0);
    let (_, events) = out(&mut c);
    assert!(matches!(
        &events[..],
        [RelayEvent::Failed { code: Some(423), .. }]
    ));
}

#[test]
fn no_answer_and_refusals_fail() {
    let t0 = Instant::now();
    let mut c = RelayClient::new(config(None), 9);
    c.start(t0);
    let (f, _) = out(&mut c);
    assert_eq!(c.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    c.handle_timeout(t0 + Duration::from_secs(30));
    let (_, events) = out(&mut c);
    assert_eq!(
        events,
        vec![RelayEvent::Failed {
            code: None,
            reason: "the MSRP relay did not answer within 30 s".into()
        }]
    );
    // A late answer to the old AUTH is not ours any more.
    assert!(!c.owns(&response(&f[0], 200, &[])));
    c.start(t0);
    let (f, _) = out(&mut c);
    c.handle_frame(&response(&f[0], 403, &[]), t0);
    let (_, events) = out(&mut c);
    assert!(
        matches!(&events[..], [RelayEvent::Failed { code: Some(403), reason }] if reason.contains("refused"))
    );
    c.start(t0);
    let (f, _) = out(&mut c);
    c.handle_frame(&response(&f[0], 200, &[("Expires", "60")]), t0);
    let (_, events) = out(&mut c);
    assert!(
        matches!(&events[..], [RelayEvent::Failed { code: Some(200), reason }] if reason.contains("Use-Path"))
    );
}
