//! What a refused server certificate is, in words and in fields.
//!
//! [`CertificateDetails`] is read from the certificate itself (x509-parser):
//! who it is for, who issued it, when it is valid and its SHA-256
//! fingerprint, so that the user, or a later trust prompt, can decide.
//! [`CertificateRefusal`] says why the handshake was refused; its `Display`
//! is the sentence the account state and the CLI show.

use rustls_pki_types::{CertificateDer, ServerName};
use std::net::IpAddr;
use x509_parser::extensions::GeneralName;

/// How many names of a certificate the words list before "and N more".
pub const NAMES_SHOWN: usize = 8;

/// What a server certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateDetails {
    /// The name we connected to (host name or IP address).
    pub server_name: String,
    /// The subject, e.g. `CN=sip.example.org` (empty when unreadable).
    pub subject: String,
    /// The issuer, e.g. `CN=Example CA, O=Example` (empty when unreadable).
    pub issuer: String,
    /// The names it is valid for: DNS names, IP addresses and URIs of its
    /// subject alternative names, or its common names when it has none.
    pub names: Vec<String>,
    /// Valid from, in seconds since the Unix epoch (UTC).
    pub not_before: Option<i64>,
    /// Valid until, in seconds since the Unix epoch (UTC).
    pub not_after: Option<i64>,
    /// Its SHA-256 fingerprint as hex pairs, `AB:CD:...`.
    pub fingerprint: String,
    /// Whether it names itself as its issuer.
    pub self_signed: bool,
    /// Whether it says it is a certificate authority (basicConstraints CA:TRUE).
    pub authority: bool,
}

impl CertificateDetails {
    /// Reads `certificate`, presented by the server we reached as `server_name`.
    /// A certificate x509-parser cannot read still gets its fingerprint.
    pub fn read(certificate: &CertificateDer<'_>, server_name: &ServerName<'_>) -> CertificateDetails {
        let mut details = CertificateDetails {
            server_name: server_name.to_str().into_owned(),
            subject: String::new(),
            issuer: String::new(),
            names: Vec::new(),
            not_before: None,
            not_after: None,
            fingerprint: super::hex_pairs(certificate),
            self_signed: false,
            authority: false,
        };
        let Ok((_, parsed)) = x509_parser::parse_x509_certificate(certificate.as_ref()) else {
            return details;
        };
        details.subject = parsed.subject().to_string();
        details.issuer = parsed.issuer().to_string();
        details.not_before = Some(parsed.validity().not_before.timestamp());
        details.not_after = Some(parsed.validity().not_after.timestamp());
        details.self_signed = parsed.subject().as_raw() == parsed.issuer().as_raw();
        details.authority = parsed.is_ca();
        if let Ok(Some(alternatives)) = parsed.subject_alternative_name() {
            for name in &alternatives.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => details.names.push((*dns).to_string()),
                    GeneralName::URI(uri) => details.names.push((*uri).to_string()),
                    GeneralName::IPAddress(bytes) => {
                        if let Some(ip) = ip_from_bytes(bytes) {
                            details.names.push(ip.to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        if details.names.is_empty() {
            for common in parsed.subject().iter_common_name() {
                if let Ok(text) = common.as_str() {
                    details.names.push(text.to_string());
                }
            }
        }
        details
    }

    /// The names, comma-separated, at most [`NAMES_SHOWN`] of them.
    pub fn names_in_words(&self) -> String {
        if self.names.is_empty() {
            return "no name at all".into();
        }
        let mut words = self
            .names
            .iter()
            .take(NAMES_SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if self.names.len() > NAMES_SHOWN {
            words.push_str(&format!(" and {} more", self.names.len() - NAMES_SHOWN));
        }
        words
    }

    /// The config line that pins this certificate.
    pub fn pin_line(&self) -> String {
        format!("tls: (fingerprint: \"{}\")", self.fingerprint)
    }

    /// The subject, or "an unreadable subject".
    fn subject_in_words(&self) -> &str {
        if self.subject.is_empty() {
            "an unreadable subject"
        } else {
            &self.subject
        }
    }

    /// The issuer, or "an unreadable issuer".
    fn issuer_in_words(&self) -> &str {
        if self.issuer.is_empty() {
            "an unreadable issuer"
        } else {
            &self.issuer
        }
    }
}

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address as found in a certificate.
fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// `2025-03-01 12:00:00 UTC`, or the raw number when out of range.
pub fn time_in_words(seconds: i64) -> String {
    match chrono::DateTime::from_timestamp(seconds, 0) {
        Some(time) => time.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        None => format!("{seconds} s after 1970"),
    }
}

fn optional_time(seconds: &Option<i64>) -> String {
    seconds.map_or_else(|| "an unreadable date".into(), time_in_words)
}

/// Why a server certificate was refused. Every variant carries the
/// certificate's [`CertificateDetails`].
#[derive(Debug, Clone, thiserror::Error)]
pub enum CertificateRefusal {
    /// A certificate of the chain is past its end of validity.
    #[error(
        "the certificate of {server} expired on {when} (subject {subject}, SHA-256 fingerprint {fingerprint})",
        server = .details.server_name,
        when = time_in_words(*.expired_at),
        subject = .details.subject_in_words(),
        fingerprint = .details.fingerprint,
    )]
    Expired {
        /// The server certificate.
        details: Box<CertificateDetails>,
        /// When the expired certificate stopped being valid (Unix seconds).
        expired_at: i64,
    },
    /// A certificate of the chain is not valid yet.
    #[error(
        "the certificate of {server} is not valid before {when} (is this computer's clock right?)",
        server = .details.server_name,
        when = time_in_words(*.valid_from),
    )]
    NotYetValid {
        /// The server certificate.
        details: Box<CertificateDetails>,
        /// When it starts being valid (Unix seconds).
        valid_from: i64,
    },
    /// The certificate is not for the name we connected to.
    #[error(
        "the certificate presented by {server} is not for {server}: it is for {names} (subject {subject})",
        server = .details.server_name,
        names = .details.names_in_words(),
        subject = .details.subject_in_words(),
    )]
    WrongName {
        /// The server certificate.
        details: Box<CertificateDetails>,
    },
    /// The chain leads to no authority we trust.
    #[error(
        "the certificate of {server} was issued by {issuer}, which this account does not trust; \
         put that authority's certificate in the account's tls.ca_file, or pin this certificate \
         with {line}",
        server = .details.server_name,
        issuer = .details.issuer_in_words(),
        line = .details.pin_line(),
    )]
    UnknownIssuer {
        /// The server certificate.
        details: Box<CertificateDetails>,
    },
    /// A self-signed certificate that is neither in the CA file nor pinned.
    #[error(
        "{server} presented a self-signed certificate ({subject}, valid until {until}) with \
         SHA-256 fingerprint {fingerprint}; if this is your server's certificate, add to the \
         account: {line}",
        server = .details.server_name,
        subject = .details.subject_in_words(),
        until = optional_time(&.details.not_after),
        fingerprint = .details.fingerprint,
        line = .details.pin_line(),
    )]
    SelfSigned {
        /// The server certificate.
        details: Box<CertificateDetails>,
    },
    /// The account pins a certificate and the server presented another.
    #[error(
        "the certificate of {server} has SHA-256 fingerprint {fingerprint}, not the pinned {pinned}: \
         either its certificate was replaced or someone is in between; ask the server's admin \
         before you pin the new one",
        server = .details.server_name,
        fingerprint = .details.fingerprint,
    )]
    PinMismatch {
        /// The server certificate.
        details: Box<CertificateDetails>,
        /// The pinned fingerprint (`AB:CD:...`).
        pinned: String,
    },
    /// A peer announced a fingerprint (`a=fingerprint`) and presented another certificate.
    #[error(
        "the peer's certificate (SHA-256 fingerprint {fingerprint}) does not match the fingerprint it announced",
        fingerprint = .details.fingerprint,
    )]
    NotAnnounced {
        /// The peer's certificate.
        details: Box<CertificateDetails>,
    },
    /// Any other reason (bad signature, revoked, wrong purpose...).
    #[error(
        "the certificate of {server} was refused: {reason}",
        server = .details.server_name,
    )]
    Other {
        /// The server certificate.
        details: Box<CertificateDetails>,
        /// Why, in words.
        reason: String,
    },
}

impl CertificateRefusal {
    /// The refused certificate's details (server name, subject, issuer,
    /// validity, fingerprint).
    pub fn details(&self) -> &CertificateDetails {
        match self {
            CertificateRefusal::Expired { details, .. }
            | CertificateRefusal::NotYetValid { details, .. }
            | CertificateRefusal::WrongName { details }
            | CertificateRefusal::UnknownIssuer { details }
            | CertificateRefusal::SelfSigned { details }
            | CertificateRefusal::PinMismatch { details, .. }
            | CertificateRefusal::NotAnnounced { details }
            | CertificateRefusal::Other { details, .. } => details,
        }
    }
}
