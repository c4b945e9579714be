//! The connection to our MSRP relay (RFC 4976): connect, AUTH until the
//! relay grants a path, and hand the authorised connection to the session.
//!
//! The AUTH exchange itself (digest, frames, retries, expiry) is the
//! sans-IO [`RelayClient`]; this module only moves its bytes. The client
//! comes back with the connection because it keeps the AUTH fresh on the
//! same connection while the session runs.

use super::connect::CONNECT_TIMEOUT;
use super::MsrpStream;
use crate::protocol::msrp::{
    FrameDecoder, FrameError, MsrpUri, RelayClient, RelayConfig, RelayEvent, RelayOutput,
};
use crate::transport::tls::{server_name, TlsConfigError};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::TlsConnector;

/// How long the relay may take to authorise us.
pub const RELAY_AUTH_TIMEOUT: Duration = Duration::from_secs(30);
/// Read buffer size while authorising.
const READ_CHUNK: usize = 64 * 1024;

/// Why the relay did not give us a path.
#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    /// An `msrps` relay without a TLS configuration.
    #[error("no TLS settings for the msrps relay")]
    NoTlsSettings,
    /// The TCP connection did not open in time.
    #[error("the MSRP relay {relay} did not answer")]
    NoAnswer {
        /// The relay, as configured.
        relay: String,
    },
    /// The TCP connection failed.
    #[error("cannot reach the MSRP relay {relay}: {source}")]
    Unreachable {
        /// The relay, as configured.
        relay: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// Our address on the connection is unknown.
    #[error(transparent)]
    LocalAddress(std::io::Error),
    /// The relay's host cannot be checked against a certificate.
    #[error(transparent)]
    ServerName(TlsConfigError),
    /// The TLS handshake failed.
    #[error("TLS with the MSRP relay {relay} failed: {source}")]
    Tls {
        /// The relay, as configured.
        relay: String,
        /// What the handshake said.
        source: std::io::Error,
    },
    /// Writing an AUTH request failed.
    #[error(transparent)]
    Write(std::io::Error),
    /// Reading from the relay failed.
    #[error("the MSRP relay connection failed: {0}")]
    Read(std::io::Error),
    /// The relay closed the connection before authorising us.
    #[error("the MSRP relay {relay} closed the connection")]
    Closed {
        /// The relay, as configured.
        relay: String,
    },
    /// The relay sent bytes that are not MSRP.
    #[error("the MSRP relay sent garbage: {0}")]
    Garbage(FrameError),
    /// The relay answered AUTH with a refusal.
    #[error("the MSRP relay {relay} refused us: {reason}")]
    Refused {
        /// The relay, as configured.
        relay: String,
        /// Its answer, in words.
        reason: String,
    },
    /// No path within [`RELAY_AUTH_TIMEOUT`].
    #[error("the MSRP relay {relay} did not authorise us in time")]
    TimedOut {
        /// The relay, as configured.
        relay: String,
    },
}

/// An authorised connection to the relay.
pub struct RelayConnection {
    /// The connection; the session's frames go over it.
    pub stream: MsrpStream,
    /// The decoder that read the relay's answers (it may hold more bytes).
    pub decoder: FrameDecoder,
    /// The AUTH client, which refreshes the authorisation on this connection.
    pub client: RelayClient,
    /// Our MSRP URI (the last entry of our `a=path`).
    pub local_uri: MsrpUri,
    /// The relay's path for us (Use-Path), to put before our URI.
    pub use_path: Vec<MsrpUri>,
}

/// Connects to `relay` and runs AUTH with the account's credentials until
/// it grants a path; `session_id` goes into our MSRP URI. `tls` is needed
/// for `msrps` relays (checked with the account's CA settings).
pub async fn authenticate(
    relay: &MsrpUri,
    username: &str,
    password: &str,
    tls: Option<Arc<ClientConfig>>,
    session_id: &str,
) -> Result<RelayConnection, RelayError> {
    let named = || relay.to_string();
    let tls = match (relay.secure, tls) {
        (true, Some(t)) => Some(t),
        (true, None) => return Err(RelayError::NoTlsSettings),
        (false, _) => None,
    };
    let host = relay.host_for_lookup().to_string();
    let port = relay.port_or_default();
    let tcp = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port))).await {
        Err(_) => return Err(RelayError::NoAnswer { relay: named() }),
        Ok(Err(source)) => {
            return Err(RelayError::Unreachable {
                relay: named(),
                source,
            })
        }
        Ok(Ok(tcp)) => tcp,
    };
    let _ = tcp.set_nodelay(true);
    let local = tcp.local_addr().map_err(RelayError::LocalAddress)?;
    let local_host = match local.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        ip => ip.to_string(),
    };
    let mut stream: MsrpStream = match tls {
        Some(config) => {
            let name = server_name(&host).map_err(RelayError::ServerName)?;
            match TlsConnector::from(config).connect(name, tcp).await {
                Ok(tls) => Box::new(tls),
                Err(source) => {
                    return Err(RelayError::Tls {
                        relay: named(),
                        source,
                    })
                }
            }
        }
        None => Box::new(tcp),
    };
    let local_uri = MsrpUri::endpoint(relay.secure, &local_host, local.port(), session_id);
    let mut client = RelayClient::new(
        RelayConfig {
            relay: relay.clone(),
            local_uri: local_uri.clone(),
            username: username.to_string(),
            password: password.to_string(),
            expires: None,
        },
        rand::random(),
    );
    client.start(Instant::now());
    let mut decoder = FrameDecoder::new();
    let mut buf = vec![0u8; READ_CHUNK];
    let deadline = tokio::time::Instant::now() + RELAY_AUTH_TIMEOUT;
    loop {
        while let Some(out) = client.poll_output() {
            match out {
                RelayOutput::Transmit(bytes) => stream.write_all(&bytes).await.map_err(RelayError::Write)?,
                RelayOutput::Event(RelayEvent::Authorized { use_path, .. }) => {
                    return Ok(RelayConnection {
                        stream,
                        decoder,
                        client,
                        local_uri,
                        use_path,
                    });
                }
                RelayOutput::Event(RelayEvent::Failed { reason, .. }) => {
                    return Err(RelayError::Refused {
                        relay: named(),
                        reason,
                    });
                }
            }
        }
        let wake = client
            .poll_timeout()
            .map(tokio::time::Instant::from_std)
            .unwrap_or(deadline)
            .min(deadline);
        tokio::select! {
            read = stream.read(&mut buf) => {
                let n = read.map_err(RelayError::Read)?;
                if n == 0 {
                    return Err(RelayError::Closed { relay: named() });
                }
                decoder.push(&buf[..n]);
                while let Some(frame) = decoder.next_frame().map_err(RelayError::Garbage)? {
                    if client.owns(&frame) {
                        client.handle_frame(&frame, Instant::now());
                    }
                }
            }
            _ = tokio::time::sleep_until(wake) => {
                if tokio::time::Instant::now() >= deadline {
                    return Err(RelayError::TimedOut { relay: named() });
                }
                client.handle_timeout(Instant::now());
            }
        }
    }
}

#[cfg(test)]
mod tests;
