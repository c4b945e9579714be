//! Turning an account's configuration into what its endpoint needs: the
//! agent's identity and where its server is.

use crate::config::{self, AccountConfig, LocalAccountConfig};
use crate::protocol::alert::TrustedSender;
use crate::protocol::msrp::pacing::RELAY_QUEUE_BYTES;
use crate::protocol::msrp::MsrpUri;
use crate::protocol::sip::agent::AgentConfig;
use crate::protocol::sip::transaction::TimerConfig;
use crate::protocol::sip::uri::{Scheme, SipUri, Transport};
use crate::transport::tls;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;
use tokio_rustls::rustls::ClientConfig;

/// Why an account cannot start.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The configuration is unusable.
    #[error("account \"{account}\": {message}")]
    Config {
        /// Account name.
        account: String,
        /// What is wrong.
        message: String,
    },
    /// TLS could not be set up.
    #[error("account \"{account}\": {source}")]
    Tls {
        /// Account name.
        account: String,
        /// The TLS error.
        source: tls::TlsConfigError,
    },
}

impl AccountError {
    /// What is wrong, without the account's name (shown beside it).
    pub fn reason(&self) -> String {
        match self {
            AccountError::Config { message, .. } => message.clone(),
            AccountError::Tls { source, .. } => source.to_string(),
        }
    }
}

/// Where a server account sends everything: its outbound proxy, or the
/// domain of its address.
#[derive(Debug, Clone)]
pub struct ServerTarget {
    /// Host name or IP literal (no brackets).
    pub host: String,
    /// Port, when given; without one, DNS SRV decides (RFC 3263).
    pub port: Option<u16>,
    /// Transport.
    pub transport: Transport,
    /// Client TLS configuration, for TLS.
    pub tls: Option<Arc<ClientConfig>>,
    /// The CA file the configuration was built with, to build it again
    /// with a certificate the user trusted.
    pub ca_file: Option<std::path::PathBuf>,
    /// Keep-alive interval: CRLFCRLF on streams, a double CRLF on a UDP
    /// registration.
    pub keepalive: Option<Duration>,
}

/// How an account's chats (MSRP sessions) connect.
#[derive(Clone, Default)]
pub struct ChatSettings {
    /// Our MSRP relay, with the credentials for its AUTH.
    pub relay: Option<RelaySettings>,
    /// Direct chats over TLS (`msrps`).
    pub tls: bool,
    /// Who connects in direct chats.
    pub role: config::MsrpRole,
    /// Accept every offered chat at once (`listen --accept-chats`).
    pub auto_accept: bool,
    /// Accept every offered file into this directory (`listen --accept-files`).
    pub accept_files: Option<std::path::PathBuf>,
    /// Largest file we accept, in bytes (the account's `max_file_size`).
    pub max_file_size: u64,
    /// Refuse every offered session with 488 (`RuntimeOptions::refuse_sessions`).
    pub refuse_sessions: bool,
    /// How a direct `msrps` peer that announces no fingerprint is checked
    /// when we connect to it: like a server, with the account's trust
    /// store, CA file and pinned fingerprint (`tls`). Built at the first
    /// such peer: an idle account never loads the system's roots for it.
    pub peer_tls: Option<tls::LazyClientConfig>,
    /// Leave `a=fingerprint` out of our SDP, as Blink's MSRP stack does
    /// (`RuntimeOptions::omit_msrp_fingerprint`, for interop tests).
    pub omit_fingerprint: bool,
}

impl std::fmt::Debug for ChatSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatSettings")
            .field("relay", &self.relay.as_ref().map(|r| r.uri.to_string()))
            .field("tls", &self.tls)
            .field("role", &self.role)
            .field("auto_accept", &self.auto_accept)
            .field("accept_files", &self.accept_files)
            .field("max_file_size", &self.max_file_size)
            .field("refuse_sessions", &self.refuse_sessions)
            .field("peer_tls", &self.peer_tls.is_some())
            .field("omit_fingerprint", &self.omit_fingerprint)
            .finish()
    }
}

/// An account's MSRP relay (RFC 4976).
#[derive(Clone)]
pub struct RelaySettings {
    /// The relay, `msrps://relay.example.org:2855;tcp`.
    pub uri: MsrpUri,
    /// User name for its digest.
    pub username: String,
    /// Password for its digest.
    pub password: String,
    /// TLS client settings for `msrps` relays (the account's CA settings).
    pub tls: Option<Arc<ClientConfig>>,
    /// Bytes the relays on the path queue per connection (`msrp.relay_queue`).
    pub queue: usize,
}

/// Everything an endpoint needs to know about its account.
#[derive(Debug, Clone)]
pub enum AccountSetup {
    /// An account with a SIP server.
    Server {
        /// The agent's configuration.
        agent: AgentConfig,
        /// Where to send.
        target: ServerTarget,
        /// Whether to REGISTER.
        register: bool,
        /// How chats connect.
        chat: ChatSettings,
        /// Senders whose emergency alerts are trusted ([`trusted_senders`]).
        trusted_alert_senders: Vec<TrustedSender>,
        /// Whether our status is published (`presence.publish`).
        publish: bool,
        /// Where who may watch us is kept (`presence.xcap_root`).
        xcap_root: Option<String>,
        /// A resource list watched instead of each contact (`presence.list`).
        list: Option<String>,
    },
    /// The built-in peer-to-peer account.
    Local {
        /// The agent's configuration.
        agent: AgentConfig,
        /// Where to listen.
        bind: SocketAddr,
        /// How chats connect.
        chat: ChatSettings,
        /// Senders whose emergency alerts are trusted ([`trusted_senders`]).
        trusted_alert_senders: Vec<TrustedSender>,
    },
}

fn map_transport(t: config::Transport) -> Transport {
    match t {
        config::Transport::Udp => Transport::Udp,
        config::Transport::Tcp => Transport::Tcp,
        config::Transport::Tls => Transport::Tls,
    }
}

/// Builds the setup of a configured server account.
pub fn server_setup(account: &AccountConfig) -> Result<AccountSetup, AccountError> {
    let err = |message: String| AccountError::Config {
        account: account.name.clone(),
        message,
    };
    let aor = SipUri::parse(&account.uri).map_err(|e| err(e.to_string()))?;
    let password = if account.has_password() {
        Some(
            account
                .password()
                .map_err(|e| err(e.to_string()))?
                .expose()
                .to_string(),
        )
    } else {
        None
    };
    let proxy = account.proxy_addr().map_err(|e| err(e.to_string()))?;
    let (host, port, transport, route) = match proxy {
        Some(p) => {
            let transport = map_transport(p.transport);
            let host_in_uri = if p.host.contains(':') {
                format!("[{}]", p.host)
            } else {
                p.host.clone()
            };
            let port_part = p.port.map(|n| format!(":{n}")).unwrap_or_default();
            let route = format!(
                "<sip:{host_in_uri}{port_part};transport={};lr>",
                transport.param_token()
            );
            (p.host, p.port, transport, Some(route))
        }
        None => (aor.host_for_lookup().to_string(), aor.port, aor.transport(), None),
    };
    let tls = match transport {
        Transport::Tls => Some(
            tls::server_client_config(
                account.tls.ca_file.as_deref(),
                account.tls.fingerprint.as_deref(),
                account.tls.verify,
            )
            .map_err(|source| AccountError::Tls {
                account: account.name.clone(),
                source,
            })?,
        ),
        _ => None,
    };
    let registrar = SipUri {
        scheme: aor.scheme,
        user: None,
        password: None,
        host: aor.host.clone(),
        // `sip:bob@example.org:5070` registers at port 5070, not 5060.
        port: aor.port,
        params: Vec::new(),
        headers: None,
    };
    let agent = AgentConfig {
        account: account.name.clone(),
        aor: aor.aor(),
        display_name: account.display_name.clone(),
        auth_user: account.auth_user().to_string(),
        password,
        registrar: Some(registrar),
        route,
        expires: account.expires,
        timers: TimerConfig::default(),
        listen_port: None,
    };
    let keepalive_secs = account.keepalive_secs_for(match transport {
        Transport::Udp => config::Transport::Udp,
        Transport::Tcp => config::Transport::Tcp,
        Transport::Tls => config::Transport::Tls,
    });
    let keepalive = (keepalive_secs > 0).then(|| Duration::from_secs(u64::from(keepalive_secs)));
    let relay = match &account.msrp_relay {
        None => None,
        Some(text) => {
            let uri = MsrpUri::parse(text).map_err(|e| err(format!("msrp_relay {text:?}: {e}")))?;
            let tls = if uri.secure {
                Some(
                    tls::server_client_config(
                        account.tls.ca_file.as_deref(),
                        account.tls.fingerprint.as_deref(),
                        account.tls.verify,
                    )
                    .map_err(|source| AccountError::Tls {
                        account: account.name.clone(),
                        source,
                    })?,
                )
            } else {
                None
            };
            Some(RelaySettings {
                uri,
                username: agent.auth_user.clone(),
                password: agent.password.clone().unwrap_or_default(),
                tls,
                queue: account
                    .msrp
                    .relay_queue
                    .map_or(RELAY_QUEUE_BYTES, |q| usize::try_from(q).unwrap_or(usize::MAX)),
            })
        }
    };
    let chat = ChatSettings {
        relay,
        tls: account.msrp.tls.unwrap_or(transport == Transport::Tls),
        role: account.msrp.role,
        auto_accept: false,
        accept_files: None,
        refuse_sessions: false,
        max_file_size: account.max_file_size,
        peer_tls: Some(peer_tls(&account.name, &account.tls)?),
        omit_fingerprint: false,
    };
    Ok(AccountSetup::Server {
        agent,
        target: ServerTarget {
            host,
            port,
            transport,
            tls,
            ca_file: account.tls.ca_file.clone(),
            keepalive,
        },
        register: account.register,
        chat,
        trusted_alert_senders: trusted_senders(&account.name, &account.trusted_alert_senders)?,
        publish: account.presence.publish,
        xcap_root: account.presence.xcap_root.clone(),
        list: account.presence.list.clone(),
    })
}

/// How an account checks the certificate of a direct `msrps` peer that
/// announced no fingerprint: like its server's.
fn peer_tls(account: &str, settings: &config::TlsConfig) -> Result<tls::LazyClientConfig, AccountError> {
    tls::LazyClientConfig::new(
        settings.ca_file.as_deref(),
        settings.fingerprint.as_deref(),
        settings.verify,
    )
    .map_err(|source| AccountError::Tls {
        account: account.to_string(),
        source,
    })
}

/// Builds the setup of the built-in local account. `port` overrides the
/// configured port (0 picks any free port).
pub fn local_setup(local: &LocalAccountConfig, port: Option<u16>) -> Result<AccountSetup, AccountError> {
    let err = |message: String| AccountError::Config {
        account: crate::model::AccountId::LOCAL.into(),
        message,
    };
    let ip: IpAddr = local
        .bind_addr()
        .ok_or_else(|| err(format!("bind address {:?} is not an IP address", local.bind)))?;
    let bind = SocketAddr::new(ip, port.unwrap_or(local.port));
    // The host part is filled in per destination (see endpoint); until then
    // we name ourselves by the bind address.
    let host = if ip.is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        ip.to_string()
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    let aor = SipUri {
        scheme: Scheme::Sip,
        user: Some(local.user.clone()),
        password: None,
        host,
        port: None,
        params: Vec::new(),
        headers: None,
    };
    let agent = AgentConfig {
        account: crate::model::AccountId::LOCAL.into(),
        aor,
        display_name: local.display_name.clone(),
        auth_user: local.user.clone(),
        password: None,
        registrar: None,
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    };
    let chat = ChatSettings {
        relay: None,
        tls: local.msrp.tls.unwrap_or(false),
        role: local.msrp.role,
        auto_accept: false,
        accept_files: None,
        refuse_sessions: false,
        max_file_size: local.max_file_size,
        peer_tls: Some(peer_tls(crate::model::AccountId::LOCAL, &local.tls)?),
        omit_fingerprint: false,
    };
    Ok(AccountSetup::Local {
        agent,
        bind,
        chat,
        trusted_alert_senders: trusted_senders(crate::model::AccountId::LOCAL, &local.trusted_alert_senders)?,
    })
}

/// The `trusted_alert_senders` entries, read: URIs normalised
/// ([`crate::store::conversation_key`]) so that they compare with From;
/// addresses, networks and host names as they are (the inbox resolves the
/// names). The error names the bad entry.
pub fn trusted_senders(account: &str, entries: &[String]) -> Result<Vec<TrustedSender>, AccountError> {
    entries
        .iter()
        .map(|entry| match TrustedSender::parse(entry) {
            Ok(TrustedSender::Uri(uri)) => Ok(TrustedSender::Uri(crate::store::conversation_key(&uri))),
            Ok(other) => Ok(other),
            Err(problem) => Err(AccountError::Config {
                account: account.to_string(),
                message: format!("trusted_alert_senders entry {entry:?} {problem}"),
            }),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_of_record_with_a_port_registers_at_that_port() {
        let config = crate::config::Config::from_ron(
            r#"(accounts: [(name: "work", uri: "sip:bob@example.org:5070", password: "x")])"#,
            std::path::Path::new("test.ron"),
        )
        .unwrap();
        let Ok(AccountSetup::Server { agent, .. }) = server_setup(&config.accounts[0]) else {
            panic!("a server account")
        };
        let registrar = agent.registrar.unwrap();
        assert_eq!(registrar.to_string(), "sip:example.org:5070");
    }

    #[test]
    fn an_account_that_should_not_publish_says_so() {
        let config = crate::config::Config::from_ron(
            r#"(accounts: [
                (name: "quiet", uri: "sip:bob@example.org", password: "x", presence: (publish: false)),
                (name: "loud", uri: "sip:carol@example.org", password: "x"),
            ])"#,
            std::path::Path::new("test.ron"),
        )
        .unwrap();
        let publishes = |account| {
            matches!(
                server_setup(account),
                Ok(AccountSetup::Server { publish: true, .. })
            )
        };
        assert!(!publishes(&config.accounts[0]));
        assert!(publishes(&config.accounts[1]));
    }
}
