//! TLS for direct MSRP connections (`TCP/TLS/MSRP` without a relay).
//!
//! Two desktop clients have no certificates from a public CA. The passive
//! side (the one that listens) presents a self-signed certificate made at
//! start-up and announces its SHA-256 fingerprint in the SDP
//! (`a=fingerprint`, RFC 8122), which travels in the SIP signalling; the
//! active side accepts exactly the certificate with that fingerprint. A
//! relay (`msrps://relay...`) is verified the usual way instead, with the
//! account's CA settings (see [`super::tls::client_config`]).

use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, ServerConfig, SignatureScheme};

/// The hash named in our fingerprints.
pub const FINGERPRINT_HASH: &str = "SHA-256";

/// Why the MSRP TLS setup failed.
#[derive(Debug, thiserror::Error)]
pub enum MsrpTlsError {
    /// The certificate could not be made.
    #[error("cannot create the MSRP TLS certificate: {0}")]
    Certificate(String),
    /// rustls refused the configuration.
    #[error("MSRP TLS setup failed: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
    /// The peer's fingerprint is not one we can check.
    #[error("unusable certificate fingerprint \"{0}\" (expected SHA-256 and 32 hex pairs)")]
    Fingerprint(String),
}

/// Our self-signed certificate for listening to MSRP over TLS.
pub struct LocalIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
    fingerprint: String,
}

impl std::fmt::Debug for LocalIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalIdentity")
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl LocalIdentity {
    /// A fresh key pair and self-signed certificate.
    pub fn generate() -> Result<LocalIdentity, MsrpTlsError> {
        let err = |e: rcgen::Error| MsrpTlsError::Certificate(e.to_string());
        let key = rcgen::KeyPair::generate().map_err(err)?;
        let params = rcgen::CertificateParams::new(vec!["sipchat.invalid".to_string()]).map_err(err)?;
        let cert = params.self_signed(&key).map_err(err)?;
        let cert = CertificateDer::from(cert.der().to_vec());
        let fingerprint = fingerprint_of(&cert);
        Ok(LocalIdentity {
            cert,
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
            fingerprint,
        })
    }

    /// `SHA-256 AB:CD:...` as it goes into `a=fingerprint`.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// A server configuration presenting this certificate.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, MsrpTlsError> {
        let config = ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()?
            .with_no_client_auth()
            .with_single_cert(
                vec![self.cert.clone()],
                PrivateKeyDer::Pkcs8(self.key.clone_key()),
            )?;
        Ok(Arc::new(config))
    }
}

/// `SHA-256 AB:CD:...` of a DER certificate.
pub fn fingerprint_of(cert: &CertificateDer<'_>) -> String {
    let digest = Sha256::digest(cert.as_ref());
    let pairs: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    format!("{FINGERPRINT_HASH} {}", pairs.join(":"))
}

/// A client configuration that accepts only the certificate whose
/// fingerprint is `expected` (`SHA-256 AB:CD:...`, case-insensitive).
pub fn pinned_client_config(expected: &str) -> Result<Arc<ClientConfig>, MsrpTlsError> {
    let pin = normalise(expected).ok_or_else(|| MsrpTlsError::Fingerprint(expected.to_string()))?;
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedCertificate {
            pin,
            provider: provider(),
        }))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// `SHA-256 ab:cd:..` in canonical upper case, or `None` when it is not a
/// SHA-256 fingerprint.
fn normalise(fingerprint: &str) -> Option<String> {
    let mut parts = fingerprint.split_whitespace();
    let hash = parts.next()?;
    let hex = parts.next()?;
    if parts.next().is_some() || !hash.eq_ignore_ascii_case(FINGERPRINT_HASH) {
        return None;
    }
    let pairs: Vec<&str> = hex.split(':').collect();
    let valid = pairs.len() == 32
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    valid.then(|| format!("{FINGERPRINT_HASH} {}", hex.to_ascii_uppercase()))
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

#[derive(Debug)]
struct PinnedCertificate {
    pin: String,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinnedCertificate {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        if fingerprint_of(end_entity) == self.pin {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(tokio_rustls::rustls::Error::General(
                "the peer's certificate does not match the fingerprint it announced".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, tokio_rustls::rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
#[path = "msrp_tls_tests.rs"]
mod tests;
