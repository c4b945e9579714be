//! Each [`ServerCheck`] against real handshakes over loopback sockets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::{TlsAcceptor, TlsConnector};

/// A server certificate for `localhost` and, when it is CA-signed, the CA's PEM.
struct TestServer {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    ca_pem: Option<String>,
}

fn self_signed() -> TestServer {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    TestServer {
        cert: CertificateDer::from(cert.der().to_vec()),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        ca_pem: None,
    }
}

fn signed_by_a_ca() -> TestServer {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    TestServer {
        cert: CertificateDer::from(cert.der().to_vec()),
        key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        ca_pem: Some(ca.pem()),
    }
}

/// Connects to a server presenting `server` with a client checking as
/// `check`; the bytes the server sent, or the error in words.
async fn handshake(server: &TestServer, check: ServerCheck) -> Result<String, String> {
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![server.cert.clone()],
            PrivateKeyDer::Pkcs8(server.key.clone_key()),
        )
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
    let result = match connector.connect(name, tcp).await {
        Ok(mut tls) => {
            let mut got = String::new();
            tls.read_to_string(&mut got).await.map_err(|e| e.to_string())?;
            Ok(got)
        }
        Err(e) => Err(e.to_string()),
    };
    let _ = server_task.await;
    result
}

#[test]
fn fingerprints_are_sha256_pairs_and_normalise() {
    let server = self_signed();
    let fp = fingerprint_of(&server.cert);
    assert!(fp.starts_with("SHA-256 "));
    assert_eq!(fp.len(), "SHA-256 ".len() + 32 * 3 - 1);
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
async fn a_configured_ca_is_trusted_and_an_unknown_one_is_not() {
    let server = signed_by_a_ca();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, server.ca_pem.as_deref().unwrap()).unwrap();
    let with_ca = ServerCheck::roots(Some(&ca_file)).unwrap();
    assert_eq!(handshake(&server, with_ca).await.unwrap(), "hello");
    let without = ServerCheck::roots(None).unwrap();
    let refused = handshake(&server, without).await.unwrap_err();
    assert!(refused.contains("UnknownIssuer"), "{refused}");
}

#[tokio::test]
async fn only_the_pinned_certificate_is_accepted() {
    let server = self_signed();
    let other = self_signed();
    let pin = fingerprint_of(&server.cert);
    let lower = ServerCheck::pinned(&pin.to_lowercase()).unwrap();
    assert_eq!(handshake(&server, lower).await.unwrap(), "hello");
    let wrong = ServerCheck::pinned(&fingerprint_of(&other.cert)).unwrap();
    let refused = handshake(&server, wrong).await.unwrap_err();
    assert!(refused.contains("fingerprint"), "{refused}");
}

#[tokio::test]
async fn without_verification_any_certificate_is_accepted() {
    let server = self_signed();
    assert_eq!(
        handshake(&server, ServerCheck::AnyCertificate).await.unwrap(),
        "hello"
    );
}
