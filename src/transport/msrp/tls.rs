//! TLS for direct MSRP connections (`TCP/TLS/MSRP` without a relay).
//!
//! Two desktop clients have no certificates from a public CA. The passive
//! side (the one that listens) presents a self-signed certificate made at
//! start-up and announces its SHA-256 fingerprint in the SDP
//! (`a=fingerprint`, RFC 8122), which travels in the SIP signalling; the
//! active side accepts exactly the certificate with that fingerprint. A
//! relay (`msrps://relay...`) is verified the usual way instead, with the
//! account's CA settings (see [`crate::transport::tls::client_config`]).
//! The certificate checks themselves live in
//! [`crate::transport::certificates`].

use crate::transport::certificates::{self, fingerprint_of, provider, CertificateError, ServerCheck};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use tokio_rustls::rustls::{ClientConfig, ServerConfig};

/// Why the MSRP TLS setup failed.
#[derive(Debug, thiserror::Error)]
pub enum MsrpTlsError {
    /// The certificate could not be made.
    #[error("cannot create the MSRP TLS certificate: {0}")]
    Certificate(String),
    /// rustls refused the configuration.
    #[error("MSRP TLS setup failed: {0}")]
    Rustls(#[from] tokio_rustls::rustls::Error),
    /// The peer's fingerprint is not one we can check, or the client
    /// configuration could not be built.
    #[error(transparent)]
    Fingerprint(#[from] CertificateError),
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

/// A client configuration that accepts only the certificate whose
/// fingerprint is `expected` (`SHA-256 AB:CD:...`, case-insensitive).
pub fn pinned_client_config(expected: &str) -> Result<Arc<ClientConfig>, MsrpTlsError> {
    let check = ServerCheck::pinned(expected)?;
    Ok(certificates::client_config(check)?)
}

#[cfg(test)]
mod tests;
