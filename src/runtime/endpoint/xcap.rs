//! The driver's side of XCAP: carries out the presence feature's
//! [`PresenceEffect::WriteRules`] as an HTTP PUT of the pres-rules document
//! to `xcap_root/pres-rules/users/<our address>/index`, and its
//! `ReadContactList` / `WriteContactList` as a GET / PUT of the
//! resource-lists document (`xcap_root/resource-lists/users/<our
//! address>/index`, as Kamailio's `xcap_server` names it), each on a connection of
//! its own (TCP, or TLS with the system's roots for `https://`), with the
//! digest of the SIP credentials, and feeds the outcome back as
//! [`PresenceInput::RulesWritten`] (`ContactListRead`, `ContactListWritten`). The bytes are built and read by
//! `protocol::xcap`; this file only moves them, each round bounded by
//! [`XCAP_TIMEOUT`].
//!
//! [`PresenceEffect::WriteRules`]: crate::runtime::presence::PresenceEffect::WriteRules

use super::{Endpoint, Internal};
use crate::protocol::sip::digest;
use crate::protocol::xcap::http::{Response, Scheme, Url};
use crate::protocol::xcap::{self, pres_rules, resource_lists, Exchange, Fetched, GetNext, Next, XcapError};
use crate::runtime::presence::PresenceInput;
use crate::transport::tls;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tracing::Instrument;

/// Longest wait for one request's connection and answer.
pub const XCAP_TIMEOUT: Duration = Duration::from_secs(20);
/// Most requests of one exchange (the first, and the one answering the
/// digest challenge).
const MAX_ROUNDS: usize = 2;
/// Bytes read from the connection at a time.
const READ_CHUNK: usize = 8192;

/// The account's XCAP root, `None` (logged) when it cannot be read; the
/// configuration check refuses such roots before.
pub(super) fn root(text: &str) -> Option<Url> {
    match Url::parse(text) {
        Ok(url) => Some(url),
        Err(e) => {
            tracing::warn!("presence.xcap_root: {e}");
            None
        }
    }
}

impl Endpoint {
    /// PUTs our pres-rules `document`.
    pub(super) fn write_rules(&mut self, document: Vec<u8>, if_match: Option<String>) {
        self.put(
            pres_rules::AUID,
            pres_rules::DOCUMENT,
            pres_rules::CONTENT_TYPE,
            (document, if_match),
            PresenceInput::RulesWritten,
        );
    }

    /// PUTs our resource-lists `document`.
    pub(super) fn write_contact_list(&mut self, document: Vec<u8>, if_match: Option<String>) {
        self.put(
            resource_lists::AUID,
            resource_lists::DOCUMENT,
            resource_lists::CONTENT_TYPE,
            (document, if_match),
            PresenceInput::ContactListWritten,
        );
    }

    /// GETs our resource-lists document.
    pub(super) fn read_contact_list(&mut self) {
        let Some((exchange, username, password)) =
            self.exchange(resource_lists::AUID, resource_lists::DOCUMENT, None)
        else {
            return;
        };
        let tx = self.internal_tx.clone();
        let span = tracing::info_span!("xcap", account = %self.id, url = %exchange.url());
        tokio::spawn(
            async move {
                let result = run_get(exchange, &username, password.as_deref()).await;
                if let Err(e) = &result {
                    tracing::info!("{e}");
                }
                let _ = tx.send(Internal::Presence(PresenceInput::ContactListRead(result)));
            }
            .instrument(span),
        );
    }

    /// The exchange for our document `auid`/`document` (a PUT of `put`'s
    /// body and ETag, else a GET), with the credentials to answer it.
    fn exchange(
        &self,
        auid: &str,
        document: &str,
        put: Option<(&'static str, Vec<u8>, Option<String>)>,
    ) -> Option<(Exchange, String, Option<String>)> {
        let root = self.xcap_root.clone()?;
        let config = self.agent.config();
        let xui = config.aor.to_string();
        let url = xcap::document_url(&root, auid, &xui, document);
        let exchange = match put {
            Some((content_type, body, if_match)) => Exchange::put(url, content_type, body, if_match),
            None => Exchange::get(url),
        };
        Some((exchange, config.auth_user.clone(), config.password.clone()))
    }

    /// PUTs `document` (with its `If-Match`) and feeds the outcome back
    /// through `done`.
    fn put(
        &mut self,
        auid: &str,
        name: &str,
        content_type: &'static str,
        (document, if_match): (Vec<u8>, Option<String>),
        done: fn(Result<Option<String>, XcapError>) -> PresenceInput,
    ) {
        let Some((exchange, username, password)) =
            self.exchange(auid, name, Some((content_type, document, if_match)))
        else {
            return;
        };
        let tx = self.internal_tx.clone();
        let span = tracing::info_span!("xcap", account = %self.id, url = %exchange.url());
        tokio::spawn(
            async move {
                let result = run(exchange, &username, password.as_deref()).await;
                if let Err(e) = &result {
                    tracing::info!("{e}");
                }
                let _ = tx.send(Internal::Presence(done(result)));
            }
            .instrument(span),
        );
    }
}

/// One exchange, to its end.
async fn run(
    mut exchange: Exchange,
    username: &str,
    password: Option<&str>,
) -> Result<Option<String>, XcapError> {
    let mut request = exchange.request();
    for _ in 0..MAX_ROUNDS {
        let response = round(&exchange, &request).await?;
        let cnonce = digest::cnonce_from_seed(rand::random());
        match exchange.on_response(&response, username, password, &cnonce) {
            Next::Send(again) => request = again,
            Next::Done(result) => return result,
        }
    }
    Err(XcapError::Unauthorized)
}

/// One GET, to its end: the document, or `None` when there is none.
async fn run_get(
    mut exchange: Exchange,
    username: &str,
    password: Option<&str>,
) -> Result<Option<Fetched>, XcapError> {
    let mut request = exchange.request();
    for _ in 0..MAX_ROUNDS {
        let response = round(&exchange, &request).await?;
        let cnonce = digest::cnonce_from_seed(rand::random());
        match exchange.on_get_response(&response, username, password, &cnonce) {
            GetNext::Send(again) => request = again,
            GetNext::Done(result) => return result,
        }
    }
    Err(XcapError::Unauthorized)
}

/// Sends `request` and reads the answer, within [`XCAP_TIMEOUT`].
async fn round(exchange: &Exchange, request: &[u8]) -> Result<Response, XcapError> {
    let url = exchange.url().clone();
    tokio::time::timeout(XCAP_TIMEOUT, send(&url, request))
        .await
        .map_err(|_| XcapError::Unreachable(format!("{url}: no answer in {} s", XCAP_TIMEOUT.as_secs())))?
}

/// Sends `request` on a new connection and reads the response.
async fn send(url: &Url, request: &[u8]) -> Result<Response, XcapError> {
    let unreachable = |e: &dyn std::fmt::Display| XcapError::Unreachable(format!("{url}: {e}"));
    let tcp = TcpStream::connect((url.host.as_str(), url.port))
        .await
        .map_err(|e| unreachable(&e))?;
    match url.scheme {
        Scheme::Http => exchange_on(tcp, request).await.map_err(|e| e.within(url)),
        Scheme::Https => {
            let config = tls::client_config(None, true).map_err(|e| unreachable(&e))?;
            let name = tls::server_name(&url.host).map_err(|e| unreachable(&e))?;
            let stream = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(|e| unreachable(&e))?;
            exchange_on(stream, request).await.map_err(|e| e.within(url))
        }
    }
}

/// A failure on an open connection.
enum ConnectionError {
    Io(std::io::Error),
    Xcap(XcapError),
}

impl ConnectionError {
    fn within(self, url: &Url) -> XcapError {
        match self {
            ConnectionError::Io(e) => XcapError::Unreachable(format!("{url}: {e}")),
            ConnectionError::Xcap(e) => e,
        }
    }
}

async fn exchange_on<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &[u8],
) -> Result<Response, ConnectionError> {
    stream.write_all(request).await.map_err(ConnectionError::Io)?;
    stream.flush().await.map_err(ConnectionError::Io)?;
    let mut received = Vec::new();
    let mut chunk = vec![0u8; READ_CHUNK];
    loop {
        let n = match stream.read(&mut chunk).await {
            Ok(n) => n,
            // A TLS peer that closes without close_notify: the end.
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) => return Err(ConnectionError::Io(e)),
        };
        if n == 0 {
            return match Response::parse(&received, true) {
                Ok(Some(response)) => Ok(response),
                Ok(None) => Err(ConnectionError::Xcap(XcapError::Http(
                    xcap::http::HttpError::Truncated,
                ))),
                Err(e) => Err(ConnectionError::Xcap(e.into())),
            };
        }
        received.extend_from_slice(&chunk[..n]);
        match Response::parse(&received, false) {
            Ok(Some(response)) => return Ok(response),
            Ok(None) => {}
            Err(e) => return Err(ConnectionError::Xcap(e.into())),
        }
    }
}
