//! TLS client configuration for SIP over TLS and `msrps` relays
//! (tokio-rustls with the ring provider only).
//!
//! Which certificates are accepted is decided in [`super::certificates`];
//! this module turns an account's `tls` settings into a configuration, at
//! once or ([`LazyClientConfig`]) when a connection first needs it.

use super::certificates::{self, CertificateError, ServerCheck};
use rustls_pki_types::ServerName;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
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

/// An account's client configuration for servers and peers, built the first
/// time a connection needs it. Its system root certificates cost a read of
/// every file in the trust store and memory for as long as the account
/// lives, while most accounts never meet a peer that needs them (an idle
/// `sipchat listen`, issue 20). The settings are checked when it is made
/// (the pin's form, the CA file), so a wrong setting is still an error at
/// start. Clones share one configuration.
#[derive(Clone)]
pub struct LazyClientConfig {
    shared: Arc<LazyShared>,
}

struct LazyShared {
    ca_file: Option<PathBuf>,
    fingerprint: Option<String>,
    verify: bool,
    built: OnceLock<Arc<ClientConfig>>,
}

impl LazyClientConfig {
    /// Checks the settings of [`server_client_config`] and keeps them for
    /// [`LazyClientConfig::get`].
    pub fn new(
        ca_file: Option<&Path>,
        fingerprint: Option<&str>,
        verify: bool,
    ) -> Result<Self, TlsConfigError> {
        if verify {
            ServerCheck::check_settings(ca_file, fingerprint)?;
        }
        Ok(LazyClientConfig {
            shared: Arc::new(LazyShared {
                ca_file: ca_file.map(Path::to_path_buf),
                fingerprint: fingerprint.map(str::to_string),
                verify,
                built: OnceLock::new(),
            }),
        })
    }

    /// The configuration, built now if this is the first call.
    pub fn get(&self) -> Result<Arc<ClientConfig>, TlsConfigError> {
        if let Some(config) = self.shared.built.get() {
            return Ok(config.clone());
        }
        let shared = &self.shared;
        let config = server_client_config(
            shared.ca_file.as_deref(),
            shared.fingerprint.as_deref(),
            shared.verify,
        )?;
        Ok(shared.built.get_or_init(|| config).clone())
    }

    /// True once [`LazyClientConfig::get`] has built the configuration.
    pub fn is_built(&self) -> bool {
        self.shared.built.get().is_some()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn a_lazy_configuration_is_built_at_its_first_use_and_shared_by_its_clones() {
        let lazy = LazyClientConfig::new(None, None, true).unwrap();
        let clone = lazy.clone();
        assert!(!lazy.is_built(), "nothing is loaded before a connection needs it");
        let first = clone.get().unwrap();
        assert!(lazy.is_built());
        assert!(
            Arc::ptr_eq(&first, &lazy.get().unwrap()),
            "one configuration for all clones"
        );
    }

    #[test]
    fn wrong_settings_are_refused_when_it_is_made_not_at_first_use() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let error = LazyClientConfig::new(Some(&missing), None, true)
            .err()
            .expect("a missing CA file is refused");
        assert!(error.to_string().contains("missing.pem"), "{error}");
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        assert!(
            LazyClientConfig::new(Some(&empty), None, true).is_err(),
            "a CA file without a certificate"
        );
        assert!(
            LazyClientConfig::new(None, Some("not a fingerprint"), true).is_err(),
            "a pin that is no fingerprint"
        );
        // As server_client_config: without verification the CA file is not read.
        assert!(LazyClientConfig::new(Some(&missing), None, false)
            .unwrap()
            .get()
            .is_ok());
    }
}
