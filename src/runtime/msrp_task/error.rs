//! Why an MSRP task ended before its session closed normally, in the words
//! users see, and how a failed connection to the peer becomes those words.

use super::{reach, FileIoError, PeerSdp, CONNECT_TIMEOUT};
use crate::transport::msrp::{connect, relay};
use crate::transport::tls::TlsConfigError;

/// Why a task ended before its session closed normally (the words users
/// see).
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    /// Reaching the relay, or its AUTH, failed.
    #[error(transparent)]
    Relay(#[from] relay::RelayError),
    /// Connecting to the peer (or its relay) failed.
    #[error(transparent)]
    Connect(#[from] connect::ConnectError),
    /// The peer's answer had an empty path.
    #[error("the peer gave no MSRP path")]
    NoPath,
    /// Direct `msrps` to a peer without a fingerprint, and no way to check
    /// its certificate.
    #[error("the peer's {0} asks for MSRP over TLS without a certificate fingerprint, and this account cannot check certificates")]
    NoFingerprint(PeerSdp),
    /// The account's certificate checks could not be built for the peer.
    #[error("cannot check the peer's certificate: {0}")]
    PeerTls(TlsConfigError),
    /// The peer's certificate was refused.
    #[error("MSRP over TLS with the peer at {host}:{port} refused: {why}")]
    PeerCertificate {
        /// The host we connected to.
        host: String,
        /// Its port.
        port: u16,
        /// Which certificate check, and the refusal in words.
        why: String,
    },
    /// The peer connected to our TLS path without TLS.
    #[error("the peer connected over plain TCP to a session that is over TLS; refused")]
    NotTls,
    /// The peer's fingerprint could not be turned into a TLS configuration.
    #[error("the peer's {peer_sdp} has an a=fingerprint we cannot use: {source}")]
    Pinning {
        /// Whose SDP it was in.
        peer_sdp: PeerSdp,
        /// Why.
        source: crate::transport::msrp::tls::MsrpTlsError,
    },
    /// The peer could not be reached (words from [`reach`]: where, why,
    /// and the NAT hint for private addresses).
    #[error("{0}")]
    Unreachable(String),
    /// The peer did not connect to us in time; `behind_nat` when the
    /// address we gave it is a private one.
    #[error("the peer did not open the chat connection within {} seconds{}", CONNECT_TIMEOUT.as_secs(), if *behind_nat { format!(" (we gave it a private address; {})", reach::BEHIND_NAT_HINT) } else { String::new() })]
    NoConnection { behind_nat: bool },
    /// Neither a relay, a connection to make, nor one to wait for.
    #[error("no way to reach the peer")]
    NoRoute,
    /// The relay would not renew our path.
    #[error("the MSRP relay refused to renew our path: {0}")]
    RelayRenewal(String),
    /// The MSRP session failed.
    #[error("{0}")]
    Session(String),
    /// The file side failed.
    #[error(transparent)]
    File(#[from] FileIoError),
}

/// A failed connection to the peer in words: a refused certificate says
/// which check refused it (the fingerprint of the peer's offer or answer,
/// or, without one, the account's server checks).
pub(super) fn peer_refused(error: connect::ConnectError, announced: bool, peer_sdp: PeerSdp) -> TaskError {
    if let Some(words) = reach::unreachable_words(&error) {
        return TaskError::Unreachable(words);
    }
    let connect::ConnectError::Tls { host, port, source } = &error else {
        return TaskError::Connect(error);
    };
    let Some(refusal) = crate::transport::certificates::refusal_of(source) else {
        return TaskError::Connect(error);
    };
    let why = if announced {
        format!("its certificate is not the one whose fingerprint its {peer_sdp} announced ({refusal})")
    } else {
        format!(
            "its {peer_sdp} announced no certificate fingerprint, so its certificate was checked like a \
             server's (the account's trusted certificates, tls.ca_file, tls.fingerprint) and is not trusted: {refusal}"
        )
    };
    TaskError::PeerCertificate {
        host: host.clone(),
        port: *port,
        why,
    }
}
