//! Which server certificates a TLS client accepts: one place for SIP over
//! TLS, `msrps` relays and direct MSRP over TLS.
//!
//! A client configuration is built from a [`ServerCheck`]:
//!
//! - [`ServerCheck::server`]: the system's root certificates plus an
//!   optional CA file (PEM), with the usual chain and name checks; a
//!   certificate that is itself in the CA file (an admin's self-signed
//!   `openssl req -x509` certificate, CA:TRUE), or whose SHA-256
//!   fingerprint the account pins (`tls.fingerprint`), is accepted as it
//!   is. SIP servers and MSRP relays are checked this way.
//! - [`ServerCheck::pinned`]: exactly the certificate whose SHA-256
//!   fingerprint was announced (`a=fingerprint`, RFC 8122). Two desktop
//!   clients talking MSRP directly have only self-signed certificates.
//! - [`ServerCheck::AnyCertificate`]: anything, when the user turned
//!   verification off (`tls.verify: false`).
//!
//! A refused certificate is a [`CertificateRefusal`] in words (expired
//! since when, for which names, issued by whom, self-signed with which
//! fingerprint), with the certificate's [`CertificateDetails`]; find it in
//! a handshake's error with [`refusal_of`]. Whatever the check, the
//! handshake signatures are verified with the ring provider, the only
//! crypto provider in the build.

mod refusal;
mod verifier;

pub use refusal::{time_in_words, CertificateDetails, CertificateRefusal, NAMES_SHOWN};

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::client::WebPkiServerVerifier;
use tokio_rustls::rustls::crypto::{ring, CryptoProvider};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use verifier::{Rule, ServerRule, Verifier};

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
    /// A configured pin is not a SHA-256 fingerprint.
    #[error(
        "tls.fingerprint \"{0}\" is not a SHA-256 fingerprint: expected 32 hex pairs such as \"AB:CD:...\" \
         (as sipchat prints it, or as `openssl x509 -noout -fingerprint -sha256` does)"
    )]
    Pin(String),
    /// webpki could not be set up over the roots.
    #[error("cannot check certificates: {0}")]
    Roots(String),
    /// rustls refused the configuration.
    #[error("TLS setup failed: {0}")]
    Rustls(#[from] rustls::Error),
}

/// How a client checks the server's certificate.
#[derive(Debug)]
pub enum ServerCheck {
    /// A server: chain to one of these roots for the name we connect to, or
    /// be one of `exact` (the CA file's certificates), or have the pinned
    /// fingerprint.
    Server {
        /// The system's roots and the CA file's certificates.
        roots: RootCertStore,
        /// The CA file's certificates, accepted as they are.
        exact: Vec<CertificateDer<'static>>,
        /// A pinned fingerprint, `AB:CD:...` (build it with [`pin_from_text`]).
        pin: Option<String>,
    },
    /// Exactly the certificate with this fingerprint (`SHA-256 AB:CD:...`,
    /// upper case; build it with [`ServerCheck::pinned`]).
    Pinned(String),
    /// Any certificate (verification turned off by the user).
    AnyCertificate,
}

impl ServerCheck {
    /// The system's root certificates plus those in `ca_file` (PEM).
    pub fn roots(ca_file: Option<&Path>) -> Result<ServerCheck, CertificateError> {
        ServerCheck::server(ca_file, None)
    }

    /// Checks a server's settings as [`ServerCheck::server`] would, without
    /// loading the system's roots: the pin's form and the CA file's
    /// certificates.
    pub fn check_settings(ca_file: Option<&Path>, pin: Option<&str>) -> Result<(), CertificateError> {
        if let Some(pin) = pin {
            pin_from_text(pin)?;
        }
        if let Some(path) = ca_file {
            let mut roots = RootCertStore::empty();
            for cert in read_ca_file(path)? {
                roots.add(cert).map_err(|e| ca_file_error(path, e.to_string()))?;
            }
        }
        Ok(())
    }

    /// A server's check: the system's roots plus `ca_file` (PEM), whose
    /// certificates are also accepted as they are, and the certificate
    /// whose SHA-256 fingerprint is `pin` (`AB:CD:...`, any case, with or
    /// without separators).
    pub fn server(ca_file: Option<&Path>, pin: Option<&str>) -> Result<ServerCheck, CertificateError> {
        let pin = pin.map(pin_from_text).transpose()?;
        let mut roots = RootCertStore::empty();
        let native = rustls_native_certs::load_native_certs();
        for cert in native.certs {
            // A single unparsable system certificate must not break TLS.
            let _ = roots.add(cert);
        }
        let mut exact = Vec::new();
        if let Some(path) = ca_file {
            for cert in read_ca_file(path)? {
                roots
                    .add(cert.clone())
                    .map_err(|e| ca_file_error(path, e.to_string()))?;
                exact.push(cert);
            }
        }
        Ok(ServerCheck::Server { roots, exact, pin })
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
pub fn client_config(check: ServerCheck) -> Result<Arc<ClientConfig>, CertificateError> {
    let builder = ClientConfig::builder_with_provider(provider()).with_safe_default_protocol_versions()?;
    let rule = match check {
        ServerCheck::Server { roots, exact, pin } => {
            let webpki = if roots.is_empty() {
                None
            } else {
                let built = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider())
                    .build()
                    .map_err(|e| CertificateError::Roots(e.to_string()))?;
                Some(built)
            };
            Rule::Server(ServerRule { webpki, exact, pin })
        }
        ServerCheck::Pinned(announced) => Rule::Announced(announced),
        ServerCheck::AnyCertificate => Rule::Any,
    };
    let verifier = Verifier {
        rule,
        provider: provider(),
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The words of a refused certificate in a handshake's error, when that
/// was why it failed (tokio-rustls wraps the rustls error in an I/O error).
pub fn refusal_of(error: &std::io::Error) -> Option<CertificateRefusal> {
    let rustls_error = error.get_ref()?.downcast_ref::<rustls::Error>()?;
    let rustls::Error::InvalidCertificate(rustls::CertificateError::Other(other)) = rustls_error else {
        return None;
    };
    other.0.downcast_ref::<CertificateRefusal>().cloned()
}

/// The crypto provider of every TLS configuration (ring).
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(ring::default_provider())
}

/// `SHA-256 AB:CD:...` of a DER certificate (as in `a=fingerprint`).
pub fn fingerprint_of(cert: &CertificateDer<'_>) -> String {
    format!("{FINGERPRINT_HASH} {}", hex_pairs(cert))
}

/// The SHA-256 fingerprint of a DER certificate as `AB:CD:...` (as in
/// `tls.fingerprint`).
pub fn hex_pairs(cert: &CertificateDer<'_>) -> String {
    let digest = Sha256::digest(cert.as_ref());
    let pairs: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    pairs.join(":")
}

/// A pinned fingerprint as the user wrote it, in canonical form
/// (`AB:CD:...`, upper case). Tolerated: any case; `:`, `-`, spaces or no
/// separators; a leading `SHA-256`, `SHA256` or `sha256 Fingerprint=`
/// (openssl's output).
pub fn pin_from_text(text: &str) -> Result<String, CertificateError> {
    let refused = || CertificateError::Pin(text.to_string());
    let mut rest = text.trim();
    if let Some(at) = rest.find('=') {
        let label = rest[..at].to_ascii_lowercase();
        let sha256 = label.contains("sha256") || label.contains("sha-256");
        if !sha256 || !label.contains("fingerprint") {
            return Err(refused());
        }
        rest = &rest[at + 1..];
    }
    for label in ["sha-256", "sha256"] {
        if rest.len() >= label.len() && rest[..label.len()].eq_ignore_ascii_case(label) {
            rest = &rest[label.len()..];
            break;
        }
    }
    let mut digits = String::with_capacity(FINGERPRINT_PAIRS * 2);
    for c in rest.chars() {
        match c {
            ':' | '-' | ' ' | '\t' => {}
            c if c.is_ascii_hexdigit() => digits.push(c.to_ascii_uppercase()),
            _ => return Err(refused()),
        }
    }
    if digits.len() != FINGERPRINT_PAIRS * 2 {
        return Err(refused());
    }
    let pairs: Vec<&str> = (0..FINGERPRINT_PAIRS)
        .filter_map(|i| digits.get(i * 2..i * 2 + 2))
        .collect();
    Ok(pairs.join(":"))
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

#[cfg(test)]
mod tests;
