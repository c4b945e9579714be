//! Pinned-fingerprint TLS over a real loopback socket.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::{TlsAcceptor, TlsConnector};

#[test]
fn our_fingerprint_is_sha256_pairs_and_only_sha256_pins_are_taken() {
    let id = LocalIdentity::generate().unwrap();
    let fp = id.fingerprint();
    assert!(fp.starts_with("SHA-256 "));
    assert_eq!(fp.len(), "SHA-256 ".len() + 32 * 3 - 1);
    assert!(pinned_client_config(&fp.to_lowercase()).is_ok());
    assert!(pinned_client_config("MD5 00").is_err());
}

async fn handshake(server: &LocalIdentity, pin: &str) -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let acceptor = TlsAcceptor::from(server.server_config().unwrap());
    let server_task = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        if let Ok(mut tls) = acceptor.accept(tcp).await {
            let _ = tls.write_all(b"MSRP hello").await;
            let _ = tls.shutdown().await;
        }
    });
    let connector = TlsConnector::from(pinned_client_config(pin).map_err(|e| e.to_string())?);
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("sipchat.invalid").unwrap();
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

#[tokio::test]
async fn the_announced_certificate_is_accepted_and_any_other_refused() {
    let server = LocalIdentity::generate().unwrap();
    let other = LocalIdentity::generate().unwrap();
    assert_eq!(
        handshake(&server, server.fingerprint()).await.unwrap(),
        "MSRP hello"
    );
    let lower = server.fingerprint().to_lowercase();
    assert_eq!(handshake(&server, &lower).await.unwrap(), "MSRP hello");
    let refused = handshake(&server, other.fingerprint()).await.unwrap_err();
    assert!(refused.contains("fingerprint"), "{refused}");
}

#[test]
fn the_identity_is_made_once_kept_0600_and_reused() {
    let dir = std::env::temp_dir().join(format!("sipchat-identity-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = dir.join("msrp-certificate.pem");
    let first = LocalIdentity::load_or_create(&file).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let again = LocalIdentity::load_or_create(&file).unwrap();
    assert_eq!(first.fingerprint(), again.fingerprint());
    assert_eq!(first.certificate_pem(), again.certificate_pem());
    assert!(again.server_config().is_ok());
    // A damaged file is an error, never silently replaced.
    std::fs::write(&file, "not a certificate").unwrap();
    let damaged = LocalIdentity::load_or_create(&file).unwrap_err().to_string();
    assert!(damaged.contains("msrp-certificate.pem"), "{damaged}");
    let _ = std::fs::remove_dir_all(&dir);
}
