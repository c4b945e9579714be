//! TLS client configuration for SIP over TLS and `msrps` relays
//! (tokio-rustls with the ring provider only).
//!
//! Which certificates are accepted is decided in [`super::certificates`];
//! this module turns an account's `tls` settings into a configuration.

use super::certificates::{self, CertificateError, ServerCheck};
use rustls_pki_types::ServerName;
use std::path::Path;
use std::sync::Arc;
use tokio_rustls::rustls::ClientConfig;

/// Why a TLS configuration could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TlsConfigError {
    /// The CA file could not be read or holds no certificate, the pin is
    /// not a fingerprint, or rustls refused the configuration.
    #[error(transparent)]
    Certificate(#[from] CertificateError),
    /// The host name cannot be used for certificate checks.
    #[error("\"{0}\" is not a valid TLS server name")]
    ServerName(String),
}

/// Builds a client configuration: system roots plus an optional CA file,
/// certificate verification on unless `verify` is false.
pub fn client_config(ca_file: Option<&Path>, verify: bool) -> Result<Arc<ClientConfig>, TlsConfigError> {
    server_client_config(ca_file, None, verify)
}

/// Builds a client configuration for an account's server: system roots
/// plus an optional CA file (whose certificates are also accepted as they
/// are), an optional pinned SHA-256 fingerprint (`tls.fingerprint`), and
/// verification on unless `verify` is false.
pub fn server_client_config(
    ca_file: Option<&Path>,
    fingerprint: Option<&str>,
    verify: bool,
) -> Result<Arc<ClientConfig>, TlsConfigError> {
    let check = if verify {
        ServerCheck::server(ca_file, fingerprint)?
    } else {
        tracing::warn!("TLS certificate verification is disabled for this account");
        ServerCheck::AnyCertificate
    };
    Ok(certificates::client_config(check)?)
}

/// Turns a host (name or IP literal, IPv6 without brackets) into a server name.
pub fn server_name(host: &str) -> Result<ServerName<'static>, TlsConfigError> {
    ServerName::try_from(host.to_string()).map_err(|_| TlsConfigError::ServerName(host.to_string()))
}
