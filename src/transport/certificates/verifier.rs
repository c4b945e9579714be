//! The one certificate verifier behind every client configuration.
//!
//! For servers it accepts, in this order:
//! 1. a certificate that is byte for byte one of the account's CA file
//!    (admins' `openssl req -x509` certificates are CA:TRUE and used as the
//!    server's own, which webpki alone refuses), when it is valid now and
//!    for the name we connected to;
//! 2. a certificate whose SHA-256 fingerprint the account pins, when it is
//!    valid now (the pin names the server: its names are not checked);
//! 3. whatever webpki accepts: a chain to the system roots or the CA file,
//!    valid now and for the name.
//!
//! Everything else is refused with a [`CertificateRefusal`] in words,
//! carried to the caller inside the rustls error (see
//! [`super::refusal_of`]). The handshake signatures are checked with the
//! ring provider whatever the rule.

use super::refusal::{CertificateDetails, CertificateRefusal};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::Arc;
use tokio_rustls::rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use tokio_rustls::rustls::client::{verify_server_name, WebPkiServerVerifier};
use tokio_rustls::rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use tokio_rustls::rustls::server::ParsedCertificate;
use tokio_rustls::rustls::{self, CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};

/// What a verifier accepts.
#[derive(Debug)]
pub(super) enum Rule {
    /// A server.
    Server(ServerRule),
    /// Exactly the certificate with this fingerprint (`SHA-256 AB:...`),
    /// announced by a peer in its SDP.
    Announced(String),
    /// Anything (verification turned off by the user).
    Any,
}

/// A server's certificate: one of the CA file's own certificates, a pinned
/// fingerprint, or a webpki chain.
#[derive(Debug)]
pub(super) struct ServerRule {
    /// webpki over the system roots and the CA file (`None` when there is
    /// no root at all).
    pub(super) webpki: Option<Arc<WebPkiServerVerifier>>,
    /// The CA file's certificates, accepted as they are.
    pub(super) exact: Vec<CertificateDer<'static>>,
    /// The pinned fingerprint, `AB:CD:...`.
    pub(super) pin: Option<String>,
}

/// The verifier of every client configuration.
#[derive(Debug)]
pub(super) struct Verifier {
    pub(super) rule: Rule,
    pub(super) provider: Arc<CryptoProvider>,
}

/// A refusal as rustls carries it: the alert sent is `bad_certificate`,
/// and [`super::refusal_of`] finds the words again.
fn refused(refusal: CertificateRefusal) -> rustls::Error {
    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(refusal))))
}

impl ServerRule {
    fn verify(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        now: UnixTime,
    ) -> Result<(), CertificateRefusal> {
        let details = CertificateDetails::read(end_entity, server_name);
        let pin = self.pin.as_deref();
        let in_ca_file = self.exact.iter().any(|c| c.as_ref() == end_entity.as_ref());
        let pinned = pin == Some(details.fingerprint.as_str());
        if in_ca_file || pinned {
            check_validity(&details, now)?;
            if !pinned {
                check_name(end_entity, server_name, &details)?;
            }
            return Ok(());
        }
        let error = match &self.webpki {
            Some(webpki) => {
                match webpki.verify_server_cert(end_entity, intermediates, server_name, &[], now) {
                    Ok(_) => return Ok(()),
                    Err(error) => error,
                }
            }
            None => rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
        };
        Err(classify(&error, details, pin, intermediates.is_empty()))
    }
}

/// Refuses a certificate outside its validity period.
fn check_validity(details: &CertificateDetails, now: UnixTime) -> Result<(), CertificateRefusal> {
    let now = i64::try_from(now.as_secs()).unwrap_or(i64::MAX);
    match (details.not_before, details.not_after) {
        (Some(from), _) if now < from => Err(CertificateRefusal::NotYetValid {
            details: Box::new(details.clone()),
            valid_from: from,
        }),
        (_, Some(until)) if now > until => Err(CertificateRefusal::Expired {
            details: Box::new(details.clone()),
            expired_at: until,
        }),
        (Some(_), Some(_)) => Ok(()),
        _ => Err(CertificateRefusal::Other {
            details: Box::new(details.clone()),
            reason: "its validity period cannot be read".into(),
        }),
    }
}

/// Refuses a certificate that is not for `server_name` (webpki's rules).
fn check_name(
    end_entity: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    details: &CertificateDetails,
) -> Result<(), CertificateRefusal> {
    let wrong_name = || CertificateRefusal::WrongName {
        details: Box::new(details.clone()),
    };
    let parsed = ParsedCertificate::try_from(end_entity).map_err(|_| wrong_name())?;
    verify_server_name(&parsed, server_name).map_err(|_| wrong_name())
}

/// Turns webpki's refusal into words about this certificate.
fn classify(
    error: &rustls::Error,
    details: CertificateDetails,
    pin: Option<&str>,
    alone: bool,
) -> CertificateRefusal {
    let details = Box::new(details);
    if let Some(pinned) = pin {
        return CertificateRefusal::PinMismatch {
            details,
            pinned: pinned.to_string(),
        };
    }
    // A self-signed certificate served alone: the user's choice is to
    // trust it or not, whatever else is wrong with it.
    if details.self_signed && alone {
        return CertificateRefusal::SelfSigned { details };
    }
    let rustls::Error::InvalidCertificate(kind) = error else {
        return CertificateRefusal::Other {
            details,
            reason: error.to_string(),
        };
    };
    match kind {
        CertificateError::Expired => {
            let expired_at = details.not_after.unwrap_or_default();
            CertificateRefusal::Expired { details, expired_at }
        }
        CertificateError::ExpiredContext { not_after, .. } => CertificateRefusal::Expired {
            details,
            expired_at: i64::try_from(not_after.as_secs()).unwrap_or(i64::MAX),
        },
        CertificateError::NotValidYet => {
            let valid_from = details.not_before.unwrap_or_default();
            CertificateRefusal::NotYetValid { details, valid_from }
        }
        CertificateError::NotValidYetContext { not_before, .. } => CertificateRefusal::NotYetValid {
            details,
            valid_from: i64::try_from(not_before.as_secs()).unwrap_or(i64::MAX),
        },
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            CertificateRefusal::WrongName { details }
        }
        CertificateError::UnknownIssuer => CertificateRefusal::UnknownIssuer { details },
        CertificateError::BadSignature => CertificateRefusal::Other {
            details,
            reason: "its signature does not match its issuer's key".into(),
        },
        CertificateError::Revoked => CertificateRefusal::Other {
            details,
            reason: "it has been revoked".into(),
        },
        CertificateError::InvalidPurpose | CertificateError::InvalidPurposeContext { .. } => {
            CertificateRefusal::Other {
                details,
                reason: "it is not meant for TLS servers (extended key usage)".into(),
            }
        }
        CertificateError::Other(_) if details.authority => CertificateRefusal::Other {
            details,
            reason: "it is a certificate authority's certificate used as the server's own; \
                     put it in the account's tls.ca_file to trust it"
                .into(),
        },
        other => CertificateRefusal::Other {
            details,
            reason: format!("{}", rustls::Error::InvalidCertificate(other.clone())),
        },
    }
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match &self.rule {
            Rule::Any => Ok(ServerCertVerified::assertion()),
            Rule::Announced(announced) => {
                if super::fingerprint_of(end_entity) == *announced {
                    Ok(ServerCertVerified::assertion())
                } else {
                    let details = CertificateDetails::read(end_entity, server_name);
                    Err(refused(CertificateRefusal::NotAnnounced {
                        details: Box::new(details),
                    }))
                }
            }
            Rule::Server(server) => server
                .verify(end_entity, intermediates, server_name, now)
                .map(|()| ServerCertVerified::assertion())
                .map_err(|refusal| {
                    tracing::warn!(server = %server_name.to_str(), "TLS certificate refused: {refusal}");
                    refused(refusal)
                }),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
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
