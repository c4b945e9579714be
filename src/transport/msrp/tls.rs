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
//!
//! The certificate is made once, at the first start, and kept in the data
//! directory ([`LocalIdentity::load_or_create`], one PEM file with the
//! certificate and its key, mode 0600), so that its fingerprint stays the
//! same and peers can pin it. A peer that announces no fingerprint (Blink's
//! MSRP stack never does) is checked like a server instead, with the
//! account's trust store, CA file and pinned fingerprint.

use crate::transport::certificates::{self, fingerprint_of, provider, CertificateError, ServerCheck};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::Write;
use std::path::Path;
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
    /// The certificate file in the data directory could not be read or
    /// written.
    #[error("cannot use the MSRP certificate file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What went wrong.
        reason: String,
    },
}

/// Who our certificate names (peers check its fingerprint, not its name).
const CERTIFICATE_NAME: &str = "sipchat.invalid";
/// The mode of the certificate file: it holds the private key.
#[cfg(unix)]
const IDENTITY_FILE_MODE: u32 = 0o600;

/// Our self-signed certificate for listening to MSRP over TLS.
pub struct LocalIdentity {
    cert: CertificateDer<'static>,
    /// The certificate in PEM, as made or as read from the file.
    cert_pem: String,
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
        let params = rcgen::CertificateParams::new(vec![CERTIFICATE_NAME.to_string()]).map_err(err)?;
        let cert = params.self_signed(&key).map_err(err)?;
        Ok(LocalIdentity::from_parts(
            CertificateDer::from(cert.der().to_vec()),
            cert.pem(),
            PrivatePkcs8KeyDer::from(key.serialize_der()),
        ))
    }

    fn from_parts(
        cert: CertificateDer<'static>,
        cert_pem: String,
        key: PrivatePkcs8KeyDer<'static>,
    ) -> LocalIdentity {
        let fingerprint = fingerprint_of(&cert);
        LocalIdentity {
            cert,
            cert_pem,
            key,
            fingerprint,
        }
    }

    /// The identity kept in `path` (certificate and key in PEM); made and
    /// written there (mode 0600) when the file does not exist yet. An
    /// unreadable or damaged file is an error, never silently replaced:
    /// peers may have pinned the certificate in it.
    pub fn load_or_create(path: &Path) -> Result<LocalIdentity, MsrpTlsError> {
        let file_error = |reason: String| MsrpTlsError::File {
            path: path.display().to_string(),
            reason,
        };
        match std::fs::metadata(path) {
            Ok(_) => LocalIdentity::load(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let identity = LocalIdentity::generate()?;
                identity.save(path).map_err(|e| file_error(e.to_string()))?;
                tracing::info!(path = %path.display(), fingerprint = %identity.fingerprint, "made our MSRP TLS certificate");
                Ok(identity)
            }
            Err(e) => Err(file_error(e.to_string())),
        }
    }

    fn load(path: &Path) -> Result<LocalIdentity, MsrpTlsError> {
        let file_error = |reason: String| MsrpTlsError::File {
            path: path.display().to_string(),
            reason,
        };
        let cert = CertificateDer::from_pem_file(path)
            .map_err(|e| file_error(format!("no certificate in it ({e})")))?;
        let key = PrivatePkcs8KeyDer::from_pem_file(path)
            .map_err(|e| file_error(format!("no private key in it ({e})")))?;
        let text = std::fs::read_to_string(path).map_err(|e| file_error(e.to_string()))?;
        let cert_pem = certificate_block(&text).ok_or_else(|| file_error("no certificate in it".into()))?;
        Ok(LocalIdentity::from_parts(cert, cert_pem, key))
    }

    /// Writes the certificate and key to `path` (a new file, mode 0600),
    /// through a temporary file renamed into place.
    fn save(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let key = rcgen::KeyPair::try_from(self.key.secret_pkcs8_der())
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let text = format!("{}{}", self.certificate_pem(), key.serialize_pem());
        let temporary = path.with_extension("new");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(IDENTITY_FILE_MODE);
        }
        let mut file = options.open(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    }

    /// The certificate alone, in PEM (what a peer puts in its CA file).
    pub fn certificate_pem(&self) -> &str {
        &self.cert_pem
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

/// The first `CERTIFICATE` block of a PEM text, with its boundary lines.
fn certificate_block(text: &str) -> Option<String> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = text.find(BEGIN)?;
    let end = start + text[start..].find(END)? + END.len();
    Some(format!("{}\n", &text[start..end]))
}

/// A client configuration that accepts only the certificate whose
/// fingerprint is `expected` (`SHA-256 AB:CD:...`, case-insensitive).
pub fn pinned_client_config(expected: &str) -> Result<Arc<ClientConfig>, MsrpTlsError> {
    let check = ServerCheck::pinned(expected)?;
    Ok(certificates::client_config(check)?)
}

#[cfg(test)]
mod tests;
