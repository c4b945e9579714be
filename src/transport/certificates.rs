//! Which server certificates a TLS client accepts: one place for SIP over
//! TLS, `msrps` relays and direct MSRP over TLS.
//!
//! A client configuration is built from a [`ServerCheck`]:
//!
//! - [`ServerCheck::Roots`]: the system's root certificates plus an
//!   optional CA file (PEM), with the usual chain and name checks. SIP
//!   servers and MSRP relays are checked this way (`tls.ca_file`).
//! - [`ServerCheck::Pinned`]: exactly the certificate whose SHA-256
//!   fingerprint was announced (`a=fingerprint`, RFC 8122). Two desktop
//!   clients talking MSRP directly have only self-signed certificates.
//! - [`ServerCheck::AnyCertificate`]: anything, when the user turned
//!   verification off (`tls.verify: false`).
//!
//! Whatever the check, the handshake signatures are verified with the ring
//! provider, the only crypto provider in the build.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::crypto::{ring, verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use tokio_rustls::rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

/// The hash named in our fingerprints.
pub const FINGERPRINT_HASH: &str = "SHA-256";
/// How many byte pairs a SHA-256 fingerprint has.
const FINGERPRINT_PAIRS: usize = 32;

/// Why a certificate setting cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The CA file could not be read or holds no certificate.
    #[error("cannot use CA file {path}: {reason}")]
    CaFile {
        /// The configured path.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// A fingerprint to pin is not one we can check.
    #[error("unusable certificate fingerprint \"{0}\" (expected SHA-256 and 32 hex pairs)")]
    Fingerprint(String),
}

/// How a client checks the server's certificate.
#[derive(Debug)]
pub enum ServerCheck {
    /// Chain to one of these roots, for the name we connect to.
    Roots(RootCertStore),
    /// Exactly the certificate with this fingerprint (`SHA-256 AB:CD:...`,
    /// upper case; build it with [`ServerCheck::pinned`]).
    Pinned(String),
    /// Any certificate (verification turned off by the user).
    AnyCertificate,
}

impl ServerCheck {
    /// The system's root certificates plus those in `ca_file` (PEM).
    pub fn roots(ca_file: Option<&Path>) -> Result<ServerCheck, CertificateError> {
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for cert in native.certs {
            // A single unparsable system certificate must not break TLS.
            let _ = roots.add(cert);
        }
        if let Some(path) = ca_file {
            for cert in read_ca_file(path)? {
                roots.add(cert).map_err(|e| ca_file_error(path, e.to_string()))?;
            }
        }
        Ok(ServerCheck::Roots(roots))
    }

    /// Only the certificate whose fingerprint is `expected`
    /// (`SHA-256 AB:CD:...`, case-insensitive).
    pub fn pinned(expected: &str) -> Result<ServerCheck, CertificateError> {
        normalise(expected)
            .map(ServerCheck::Pinned)
            .ok_or_else(|| CertificateError::Fingerprint(expected.to_string()))
    }
}

/// A client configuration (no client certificate) that checks servers as
/// `check` says.
pub fn client_config(check: ServerCheck) -> Result<Arc<ClientConfig>, tokio_rustls::rustls::Error> {
    let builder = ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let config = match check {
        ServerCheck::Roots(roots) => builder.with_root_certificates(roots).with_no_client_auth(),
        ServerCheck::Pinned(pin) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(CustomVerifier {
                pin: Some(pin),
                provider: provider(),
            }))
            .with_no_client_auth(),
        ServerCheck::AnyCertificate => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(CustomVerifier {
                pin: None,
                provider: provider(),
            }))
            .with_no_client_auth(),
    };
    Ok(Arc::new(config))
}

/// The crypto provider of every TLS configuration (ring).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// `SHA-256 AB:CD:...` of a DER certificate.
pub fn fingerprint_of(cert: &CertificateDer<'_>) -> String {
    let digest = Sha256::digest(cert.as_ref());
    let pairs: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    format!("{FINGERPRINT_HASH} {}", pairs.join(":"))
}

/// The certificates of a PEM file; at least one.
fn read_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, CertificateError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
        .map_err(|e| ca_file_error(path, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| ca_file_error(path, e.to_string()))?;
    if certs.is_empty() {
        return Err(ca_file_error(path, "no certificate in it".into()));
    }
    Ok(certs)
}

fn ca_file_error(path: &Path, reason: String) -> CertificateError {
    CertificateError::CaFile {
        path: path.display().to_string(),
        reason,
    }
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
    let valid = pairs.len() == FINGERPRINT_PAIRS
        && pairs
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()));
    valid.then(|| format!("{FINGERPRINT_HASH} {}", hex.to_ascii_uppercase()))
}

/// The verifier of pinned and unchecked certificates: the end-entity
/// certificate must have the pinned fingerprint (any, without a pin); the
/// handshake signatures are always checked.
#[derive(Debug)]
struct CustomVerifier {
    pin: Option<String>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for CustomVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, tokio_rustls::rustls::Error> {
        match &self.pin {
            Some(pin) if fingerprint_of(end_entity) != *pin => Err(tokio_rustls::rustls::Error::General(
                "the peer's certificate does not match the fingerprint it announced".into(),
            )),
            _ => Ok(ServerCertVerified::assertion()),
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
mod tests;
