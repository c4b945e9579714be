//! A server certificate as the user is shown it when deciding whether to
//! trust it: the runtime fills it from the certificate it refused.

use serde::{Deserialize, Serialize};

/// What a server's certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    /// The name we connected to (host name or IP address).
    pub server_name: String,
    /// The subject, e.g. `CN=sip.example.org` (empty when unreadable).
    pub subject: String,
    /// The issuer (empty when unreadable).
    pub issuer: String,
    /// The names it is valid for.
    pub names: Vec<String>,
    /// Valid from, Unix seconds (UTC), when readable.
    pub not_before: Option<i64>,
    /// Valid until, Unix seconds (UTC), when readable.
    pub not_after: Option<i64>,
    /// Its SHA-256 fingerprint as hex pairs, `AB:CD:...`.
    pub fingerprint: String,
    /// Whether it names itself as its issuer.
    pub self_signed: bool,
}

impl CertificateInfo {
    /// The line of an account's configuration that pins this certificate.
    pub fn pin_line(&self) -> String {
        format!("tls: (fingerprint: \"{}\")", self.fingerprint)
    }
}
