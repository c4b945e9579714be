//! The active side's MSRP connection: TCP to the first hop of the peer's
//! path, then TLS for `msrps`.

use super::MsrpStream;
use crate::protocol::msrp::MsrpUri;
use crate::transport::tls::{server_name, TlsConfigError};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::rustls::ClientConfig;
use tokio_rustls::TlsConnector;

/// How long a TCP connection to a peer or relay may take to open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the connection to the peer could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The peer did not answer in time.
    #[error("no answer from {host}:{port} within {} seconds", CONNECT_TIMEOUT.as_secs())]
    TimedOut {
        /// The host we tried.
        host: String,
        /// Its port.
        port: u16,
    },
    /// The TCP connection failed.
    #[error("cannot connect to {host}:{port}: {source}")]
    Tcp {
        /// The host we tried.
        host: String,
        /// Its port.
        port: u16,
        /// The OS error.
        source: std::io::Error,
    },
    /// The host cannot be checked against a certificate.
    #[error(transparent)]
    ServerName(TlsConfigError),
    /// The TLS handshake failed (a certificate that does not match, say).
    #[error("TLS with {host}:{port} failed: {source}")]
    Tls {
        /// The host we tried.
        host: String,
        /// Its port.
        port: u16,
        /// What the handshake said.
        source: std::io::Error,
    },
}

/// Connects to `uri` (TCP, or TLS with `tls`).
pub async fn connect(uri: &MsrpUri, tls: Option<Arc<ClientConfig>>) -> Result<MsrpStream, ConnectError> {
    let host = uri.host_for_lookup().to_string();
    let port = uri.port_or_default();
    let tcp = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), port))).await {
        Err(_) => return Err(ConnectError::TimedOut { host, port }),
        Ok(Err(source)) => return Err(ConnectError::Tcp { host, port, source }),
        Ok(Ok(tcp)) => tcp,
    };
    let _ = tcp.set_nodelay(true);
    match tls {
        None => Ok(Box::new(tcp)),
        Some(config) => {
            let name = server_name(&host).map_err(ConnectError::ServerName)?;
            match TlsConnector::from(config).connect(name, tcp).await {
                Ok(tls) => Ok(Box::new(tls)),
                Err(source) => Err(ConnectError::Tls { host, port, source }),
            }
        }
    }
}
