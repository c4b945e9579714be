//! Each [`ServerCheck`] against real handshakes over loopback sockets, and
//! the words of every refusal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// What a test server presents: its chain (own certificate first) and key,
/// and the PEM of the certificate a client would put in its CA file.
struct TestServer {
    chain: Vec<CertificateDer<'static>>,
    key: PrivatePkcs8KeyDer<'static>,
    ca_pem: String,
}

impl TestServer {
    fn cert(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }
}

fn named(common_name: &str, names: &[&str]) -> CertificateParams {
    let mut params = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    params.distinguished_name = dn;
    params
}

/// Self-signed, CA:TRUE, used as the server's own: what `openssl req -x509` makes.
fn admin_self_signed(names: &[&str]) -> TestServer {
    admin_self_signed_with(named("sip.example.test", names))
}

fn admin_self_signed_with(mut params: CertificateParams) -> TestServer {
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    TestServer {
        chain: vec![CertificateDer::from(cert.der().to_vec())],
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        ca_pem: cert.pem(),
    }
}

/// A leaf for `localhost` signed by a CA; the CA file holds the CA.
fn signed_by_a_ca(mut params: CertificateParams) -> TestServer {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = named("Test Root CA", &[]);
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    params.is_ca = IsCa::NoCa;
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    TestServer {
        chain: vec![CertificateDer::from(cert.der().to_vec())],
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        ca_pem: ca.pem(),
    }
}

fn ca_file_of(server: &TestServer, dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &server.ca_pem).unwrap();
    path
}

/// How a handshake ended: the bytes the server sent, or the error.
enum Outcome {
    Accepted(String),
    Refused(std::io::Error),
}

impl Outcome {
    fn accepted(self) -> String {
        match self {
            Outcome::Accepted(text) => text,
            Outcome::Refused(e) => panic!("refused: {e}"),
        }
    }

    fn refusal(self) -> CertificateRefusal {
        match self {
            Outcome::Accepted(text) => panic!("accepted ({text})"),
            Outcome::Refused(e) => refusal_of(&e).unwrap_or_else(|| panic!("no refusal in {e}")),
        }
    }
}

/// Connects to a server presenting `server` with a client checking as
/// `check`, for the name `localhost`.
async fn handshake(server: &TestServer, check: ServerCheck) -> Outcome {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(server.chain.clone(), PrivateKeyDer::Pkcs8(server.key.clone_key()))
        .unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let server_task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        if let Ok(mut tls) = acceptor.accept(tcp).await {
            let _ = tls.write_all(b"hello").await;
            let _ = tls.shutdown().await;
        }
    });
    let connector = TlsConnector::from(client_config(check).unwrap());
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("localhost").unwrap();
    let outcome = match connector.connect(name, tcp).await {
        Ok(mut tls) => {
            let mut got = String::new();
            match tls.read_to_string(&mut got).await {
                Ok(_) => Outcome::Accepted(got),
                Err(e) => Outcome::Refused(e),
            }
        }
        Err(e) => Outcome::Refused(e),
    };
    let _ = server_task.await;
    outcome
}

#[test]
fn fingerprints_are_sha256_pairs_and_normalise() {
    let server = admin_self_signed(&["localhost"]);
    let fp = fingerprint_of(server.cert());
    assert!(fp.starts_with("SHA-256 "));
    assert_eq!(fp.len(), "SHA-256 ".len() + 32 * 3 - 1);
    assert_eq!(fp, format!("SHA-256 {}", hex_pairs(server.cert())));
    assert_eq!(normalise(&fp.to_lowercase()), Some(fp.clone()));
    assert_eq!(normalise("SHA-1 AB:CD"), None);
    assert_eq!(normalise("SHA-256 AB:CD"), None);
    assert_eq!(normalise(""), None);
    let refused = ServerCheck::pinned("MD5 00").unwrap_err();
    assert_eq!(
        refused.to_string(),
        "unusable certificate fingerprint \"MD5 00\" (expected SHA-256 and 32 hex pairs)"
    );
}

#[test]
fn pins_are_tolerant_of_case_separators_and_openssl_output() {
    let pairs = (0..32).map(|i| format!("{:02X}", i * 7)).collect::<Vec<_>>();
    let canonical = pairs.join(":");
    let plain = pairs.concat();
    for written in [
        canonical.clone(),
        canonical.to_lowercase(),
        plain.clone(),
        plain.to_lowercase(),
        pairs.join("-"),
        pairs.join(" "),
        format!("SHA-256 {canonical}"),
        format!("sha256 Fingerprint={canonical}"),
        format!("  {canonical}  "),
    ] {
        assert_eq!(pin_from_text(&written).unwrap(), canonical, "{written}");
    }
    for bad in [
        "",
        "AB:CD",
        &canonical[..canonical.len() - 1],
        &format!("{canonical}:00"),
        &canonical.replace("0E", "0G"),
        &format!("md5 Fingerprint={canonical}"),
    ] {
        let error = pin_from_text(bad).unwrap_err().to_string();
        assert!(
            error.starts_with(&format!("tls.fingerprint {bad:?} is not a SHA-256 fingerprint")),
            "{error}"
        );
    }
}

#[test]
fn a_ca_file_must_exist_and_hold_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let error = ServerCheck::roots(Some(&missing)).unwrap_err().to_string();
    assert!(
        error.starts_with(&format!("cannot use CA file {}: ", missing.display())),
        "{error}"
    );
    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "").unwrap();
    let error = ServerCheck::roots(Some(&empty)).unwrap_err().to_string();
    assert_eq!(
        error,
        format!("cannot use CA file {}: no certificate in it", empty.display())
    );
}

#[tokio::test]
async fn a_configured_ca_is_trusted_and_an_unknown_one_is_named() {
    let server = signed_by_a_ca(named("localhost", &["localhost"]));
    let dir = tempfile::tempdir().unwrap();
    let with_ca = ServerCheck::roots(Some(&ca_file_of(&server, &dir))).unwrap();
    assert_eq!(handshake(&server, with_ca).await.accepted(), "hello");
    let without = ServerCheck::roots(None).unwrap();
    let refusal = handshake(&server, without).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::UnknownIssuer { .. }),
        "{refusal:?}"
    );
    let words = refusal.to_string();
    assert!(
        words.starts_with(
            "the certificate of localhost was issued by CN=Test Root CA, which this account does not trust"
        ),
        "{words}"
    );
    assert!(words.contains("tls.ca_file"), "{words}");
}

#[tokio::test]
async fn an_admins_self_signed_certificate_in_the_ca_file_is_accepted_as_it_is() {
    let server = admin_self_signed(&["localhost"]);
    let dir = tempfile::tempdir().unwrap();
    let check = ServerCheck::roots(Some(&ca_file_of(&server, &dir))).unwrap();
    assert_eq!(handshake(&server, check).await.accepted(), "hello");
}

#[tokio::test]
async fn another_certificate_with_the_same_name_is_refused() {
    let trusted = admin_self_signed(&["localhost"]);
    let impostor = admin_self_signed(&["localhost"]);
    let dir = tempfile::tempdir().unwrap();
    let check = ServerCheck::roots(Some(&ca_file_of(&trusted, &dir))).unwrap();
    let refusal = handshake(&impostor, check).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::SelfSigned { .. }),
        "{refusal:?}"
    );
    let pinned = ServerCheck::server(None, Some(&hex_pairs(trusted.cert()))).unwrap();
    let refusal = handshake(&impostor, pinned).await.refusal();
    let CertificateRefusal::PinMismatch { details, pinned } = &refusal else {
        panic!("{refusal:?}")
    };
    assert_eq!(*pinned, hex_pairs(trusted.cert()));
    assert_eq!(details.fingerprint, hex_pairs(impostor.cert()));
    let words = refusal.to_string();
    assert!(words.contains(&format!("not the pinned {}", pinned)), "{words}");
}

#[tokio::test]
async fn a_self_signed_certificate_is_refused_with_its_fingerprint_and_the_line_to_add() {
    let server = admin_self_signed(&["localhost"]);
    let refusal = handshake(&server, ServerCheck::roots(None).unwrap())
        .await
        .refusal();
    let fingerprint = hex_pairs(server.cert());
    let details = refusal.details().clone();
    assert_eq!(details.server_name, "localhost");
    assert_eq!(details.subject, "CN=sip.example.test");
    assert_eq!(details.issuer, "CN=sip.example.test");
    assert_eq!(details.names, vec!["localhost".to_string()]);
    assert_eq!(details.fingerprint, fingerprint);
    assert!(details.self_signed && details.authority);
    assert!(details.not_before.unwrap() < details.not_after.unwrap());
    let words = refusal.to_string();
    assert!(
        words.starts_with("localhost presented a self-signed certificate (CN=sip.example.test, valid until "),
        "{words}"
    );
    assert!(
        words.ends_with(&format!(
            "with SHA-256 fingerprint {fingerprint}; if this is your server's certificate, add to the account: tls: (fingerprint: \"{fingerprint}\")"
        )),
        "{words}"
    );
    // The line it prints is one the config takes, and then the server is accepted.
    let pinned = ServerCheck::server(None, Some(&fingerprint.to_lowercase())).unwrap();
    assert_eq!(handshake(&server, pinned).await.accepted(), "hello");
}

#[tokio::test]
async fn an_expired_certificate_says_since_when() {
    let mut params = named("sip.example.test", &["localhost"]);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 6, 30);
    let server = admin_self_signed_with(params);
    let dir = tempfile::tempdir().unwrap();
    let check = ServerCheck::roots(Some(&ca_file_of(&server, &dir))).unwrap();
    let refusal = handshake(&server, check).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::Expired { .. }),
        "{refusal:?}"
    );
    let words = refusal.to_string();
    assert!(
        words.starts_with(
            "the certificate of localhost expired on 2021-06-30 00:00:00 UTC (subject CN=sip.example.test"
        ),
        "{words}"
    );
    // Pinned, it is still expired.
    let pinned = ServerCheck::server(None, Some(&hex_pairs(server.cert()))).unwrap();
    let refusal = handshake(&server, pinned).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::Expired { .. }),
        "{refusal:?}"
    );
    // Signed by a trusted CA, webpki finds it expired: the same words.
    let mut params = named("localhost", &["localhost"]);
    params.not_before = rcgen::date_time_ymd(2020, 1, 1);
    params.not_after = rcgen::date_time_ymd(2021, 6, 30);
    let leaf = signed_by_a_ca(params);
    let check = ServerCheck::roots(Some(&ca_file_of(&leaf, &dir))).unwrap();
    let refusal = handshake(&leaf, check).await.refusal();
    assert!(
        refusal
            .to_string()
            .starts_with("the certificate of localhost expired on 2021-06-30 00:00:00 UTC"),
        "{refusal}"
    );
}

#[tokio::test]
async fn a_certificate_not_valid_yet_says_from_when() {
    let mut params = named("sip.example.test", &["localhost"]);
    params.not_before = rcgen::date_time_ymd(2999, 1, 1);
    params.not_after = rcgen::date_time_ymd(3000, 1, 1);
    let server = admin_self_signed_with(params);
    let dir = tempfile::tempdir().unwrap();
    let check = ServerCheck::roots(Some(&ca_file_of(&server, &dir))).unwrap();
    let words = handshake(&server, check).await.refusal().to_string();
    assert!(
        words.starts_with("the certificate of localhost is not valid before 2999-01-01 00:00:00 UTC"),
        "{words}"
    );
}

#[tokio::test]
async fn a_wrong_name_lists_the_names_the_certificate_has() {
    let server = admin_self_signed(&["sip.example.org", "192.0.2.7"]);
    let dir = tempfile::tempdir().unwrap();
    let check = ServerCheck::roots(Some(&ca_file_of(&server, &dir))).unwrap();
    let refusal = handshake(&server, check).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::WrongName { .. }),
        "{refusal:?}"
    );
    assert_eq!(
        refusal.to_string(),
        "the certificate presented by localhost is not for localhost: it is for sip.example.org, 192.0.2.7 (subject CN=sip.example.test)"
    );
    // Through webpki (a leaf of a trusted CA), the same words.
    let leaf = signed_by_a_ca(named("other", &["other.example.org"]));
    let check = ServerCheck::roots(Some(&ca_file_of(&leaf, &dir))).unwrap();
    let refusal = handshake(&leaf, check).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::WrongName { .. }),
        "{refusal:?}"
    );
    assert!(
        refusal.to_string().contains("it is for other.example.org"),
        "{refusal}"
    );
}

#[tokio::test]
async fn a_pin_names_the_server_whatever_names_its_certificate_has() {
    let server = admin_self_signed(&["sip.example.org"]);
    let pinned = ServerCheck::server(None, Some(&hex_pairs(server.cert()))).unwrap();
    assert_eq!(handshake(&server, pinned).await.accepted(), "hello");
}

#[tokio::test]
async fn only_the_announced_certificate_is_accepted() {
    let server = admin_self_signed(&["localhost"]);
    let other = admin_self_signed(&["localhost"]);
    let pin = fingerprint_of(server.cert());
    let lower = ServerCheck::pinned(&pin.to_lowercase()).unwrap();
    assert_eq!(handshake(&server, lower).await.accepted(), "hello");
    let wrong = ServerCheck::pinned(&fingerprint_of(other.cert())).unwrap();
    let refusal = handshake(&server, wrong).await.refusal();
    assert!(
        matches!(refusal, CertificateRefusal::NotAnnounced { .. }),
        "{refusal:?}"
    );
    assert!(
        refusal.to_string().contains("fingerprint it announced"),
        "{refusal}"
    );
}

#[tokio::test]
async fn without_verification_any_certificate_is_accepted() {
    let server = admin_self_signed(&["sip.example.org"]);
    assert_eq!(
        handshake(&server, ServerCheck::AnyCertificate).await.accepted(),
        "hello"
    );
}

#[test]
fn many_names_are_cut_short() {
    let names: Vec<String> = (0..12).map(|i| format!("n{i}.example.org")).collect();
    let details = CertificateDetails {
        server_name: "x".into(),
        subject: String::new(),
        issuer: String::new(),
        names,
        not_before: None,
        not_after: None,
        fingerprint: String::new(),
        self_signed: false,
        authority: false,
    };
    let words = details.names_in_words();
    assert!(words.starts_with("n0.example.org, n1.example.org"), "{words}");
    assert!(words.ends_with("n7.example.org and 4 more"), "{words}");
    assert_eq!(time_in_words(0), "1970-01-01 00:00:00 UTC");
}
