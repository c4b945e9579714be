//! Server certificates the account does not trust yet: the driver's side
//! of the trust prompt.
//!
//! When the server flow is refused because the server's certificate is
//! self-signed or from an unknown authority, the user is asked once per
//! certificate ([`Event::CertificateUntrusted`]) and the flow stops
//! retrying until they answer; when an account pins one certificate and
//! the server presents another, the user is warned
//! ([`Event::CertificateChanged`]) and nothing offers to accept it. A
//! [`crate::runtime::Command::TrustCertificate`] pins the fingerprint in
//! memory and connects again; with `always` it is also recorded in the
//! data directory ([`crate::config::certificate_pins`]).

use super::Endpoint;
use crate::config::certificate_pins;
use crate::model::{CertificateInfo, RegistrationState};
use crate::protocol::sip::uri::Transport;
use crate::runtime::event::Event;
use crate::transport::certificates::{pin_from_text, CertificateDetails, CertificateRefusal};
use crate::transport::tls;
use std::path::PathBuf;

/// What the endpoint remembers about the user's trust decisions.
#[derive(Debug, Default)]
pub(crate) struct CertificateTrust {
    /// The fingerprint the user was last asked about or warned of: not
    /// again until they answer or register again.
    asked: Option<String>,
    /// Where "always trust" is recorded; `None` keeps it in memory.
    data_dir: Option<PathBuf>,
}

impl CertificateTrust {
    pub(crate) fn new(data_dir: Option<PathBuf>) -> CertificateTrust {
        CertificateTrust {
            asked: None,
            data_dir,
        }
    }

    /// The user asked to register again: a refused certificate is asked
    /// about again.
    pub(crate) fn forget_asked(&mut self) {
        self.asked = None;
    }
}

/// The model's view of a refused certificate.
fn info(details: &CertificateDetails) -> CertificateInfo {
    CertificateInfo {
        server_name: details.server_name.clone(),
        subject: details.subject.clone(),
        issuer: details.issuer.clone(),
        names: details.names.clone(),
        not_before: details.not_before,
        not_after: details.not_after,
        fingerprint: details.fingerprint.clone(),
        self_signed: details.self_signed,
    }
}

impl Endpoint {
    /// The flow was refused for `refusal` (in words: `reason`). True when
    /// the user decides about it: then the account says why, asks or warns
    /// once per certificate, and stops retrying; false for refusals that a
    /// later attempt may overcome (expired, wrong name...).
    pub(super) fn certificate_refused(&mut self, refusal: &CertificateRefusal, reason: String) -> bool {
        let account = self.account_id();
        let (fingerprint, event) = match refusal {
            CertificateRefusal::SelfSigned { details } | CertificateRefusal::UnknownIssuer { details } => (
                details.fingerprint.clone(),
                Event::CertificateUntrusted {
                    account: account.clone(),
                    certificate: info(details),
                },
            ),
            CertificateRefusal::PinMismatch { details, pinned } => (
                details.fingerprint.clone(),
                Event::CertificateChanged {
                    account: account.clone(),
                    pinned: pinned.clone(),
                    certificate: info(details),
                },
            ),
            _ => return false,
        };
        self.reconnect_at = None;
        tracing::info!(%fingerprint, "not trying again until the user decides about the certificate");
        self.emit(Event::AccountState {
            account,
            state: RegistrationState::Failed {
                reason,
                retry_in_secs: 0,
            },
        });
        if self.trust.asked.as_deref() != Some(fingerprint.as_str()) {
            self.trust.asked = Some(fingerprint);
            self.emit(event);
        }
        true
    }

    /// The user trusts the certificate with `fingerprint`: pin it for this
    /// run (and, `always`, record it), then connect again.
    pub(super) fn trust_certificate(&mut self, fingerprint: &str, always: bool) {
        let account = self.account_id();
        let error = |message: String| Event::Error {
            account: Some(account.clone()),
            message,
        };
        let pin = match pin_from_text(fingerprint) {
            Ok(pin) => pin,
            Err(e) => return self.emit(error(e.to_string())),
        };
        let Some(target) = self.target.as_mut().filter(|t| t.transport == Transport::Tls) else {
            return self.emit(error(
                "this account does not connect over TLS: there is no certificate to trust".into(),
            ));
        };
        match tls::server_client_config(target.ca_file.as_deref(), Some(&pin), true) {
            Ok(config) => target.tls = Some(config),
            Err(e) => return self.emit(error(e.to_string())),
        }
        tracing::info!(%pin, always, "the user trusts the server's certificate");
        if always {
            self.record_pin(pin);
        }
        self.trust.asked = None;
        self.reconnect_failures = 0;
        if self.flow.is_none() && !self.flow_connecting {
            self.start_flow();
        }
    }

    /// Records `pin` in the data directory, off the loop; a failure is
    /// reported (the pin still holds for this run).
    fn record_pin(&self, pin: String) {
        let Some(dir) = self.trust.data_dir.clone() else {
            tracing::debug!("no data directory: the trusted certificate is kept for this run only");
            return;
        };
        let account = self.account_id();
        let events = self.events.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = certificate_pins::record_pin(&dir, &account.0, &pin) {
                tracing::warn!("{e}");
                let _ = events.send(Event::Error {
                    account: Some(account),
                    message: e.to_string(),
                });
            }
        });
    }
}
