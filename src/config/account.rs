//! One SIP account's settings, the password wrapper, and their validation.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{ConfigError, ValidationError};
use crate::protocol::alert::TrustedSender;
use crate::transport::certificates::pin_from_text;

/// Default registration lifetime in seconds.
pub const DEFAULT_EXPIRES: u32 = 600;
/// Largest registration lifetime accepted, in seconds (one day).
pub const MAX_EXPIRES: u32 = 86_400;
/// Default interval of CRLF keep-alives on TCP/TLS flows, in seconds.
pub const DEFAULT_KEEPALIVE_SECS: u32 = 30;
/// Default interval of keep-alives on UDP registrations, in seconds: home
/// routers forget idle UDP bindings after 20 to 30 s.
pub const DEFAULT_UDP_KEEPALIVE_SECS: u32 = 15;
/// Default largest accepted incoming file, in bytes (100 MiB).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 100 * 1024 * 1024;

/// A password. Its `Debug` and `Display` print `***`, so it never reaches logs by
/// accident; use [`Secret::expose`] where the clear text is really needed.
#[derive(Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a clear-text secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The clear text, for the authentication code only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// TLS settings of an account (used for `sips:` and `transport=tls`, and for `msrps:`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// PEM file of CA certificates to trust instead of the system's roots.
    pub ca_file: Option<PathBuf>,
    /// Whether to verify the server's certificate and name. Default `true`.
    pub verify: bool,
    /// SHA-256 fingerprint of the server's own certificate, accepted as it is
    /// (`"AB:CD:..."`: 32 hex pairs, any case, `:` or no separators).
    pub fingerprint: Option<String>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            ca_file: None,
            verify: true,
            fingerprint: None,
        }
    }
}

/// One SIP account. `name` and `uri` are required; every other field has a default.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountConfig {
    /// Unique, non-empty name, used by `--account NAME`.
    pub name: String,
    /// Address of record, e.g. `sip:alice@example.org` (`sip:` or `sips:`, user and host).
    pub uri: String,
    /// Name shown to others.
    #[serde(default)]
    pub display_name: Option<String>,
    /// Authentication user name; see [`AccountConfig::auth_user`].
    #[serde(default)]
    pub auth_user: Option<String>,
    /// Password given inline. At most one of `password`, `password_file` and
    /// `password_in_keyring` may be set.
    #[serde(default)]
    pub password: Option<Secret>,
    /// File holding the password, read on demand by [`AccountConfig::password`].
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    /// The password is in the desktop keyring (the freedesktop Secret Service),
    /// stored there by the window; see [`super::secrets`]. Default `false`.
    #[serde(default)]
    pub password_in_keyring: bool,
    /// Outbound proxy, e.g. `sip:proxy.example.org:5060;transport=tcp`.
    #[serde(default)]
    pub proxy: Option<String>,
    /// Whether to REGISTER. Default `true`.
    #[serde(default = "default_true")]
    pub register: bool,
    /// Requested registration lifetime in seconds, 1..=86400. Default 600.
    #[serde(default = "default_expires")]
    pub expires: u32,
    /// MSRP relay, e.g. `msrps://relay.example.org:2855;tcp`.
    #[serde(default)]
    pub msrp_relay: Option<String>,
    /// How chat sessions connect when there is no relay.
    #[serde(default)]
    pub msrp: super::MsrpConfig,
    /// TLS settings.
    #[serde(default)]
    pub tls: TlsConfig,
    /// Who may send emergency alerts: SIP URIs (matched against From, only
    /// over the account's own server flow), IP addresses, CIDR networks and
    /// host names (matched against the request's source address); see
    /// [`check_trusted_sender`].
    #[serde(default)]
    pub trusted_alert_senders: Vec<String>,
    /// Where received files go; the caller picks a default when `None`.
    #[serde(default)]
    pub download_dir: Option<PathBuf>,
    /// Whether the account is used when none is named. Default `true`.
    #[serde(default = "default_true")]
    pub enabled: bool,
    /// Seconds between keep-alives to the server, so that home routers
    /// keep the path open; 0 turns them off. Default (`None`): 15 on UDP
    /// ([`DEFAULT_UDP_KEEPALIVE_SECS`]), 30 on TCP and TLS
    /// ([`DEFAULT_KEEPALIVE_SECS`]).
    #[serde(default)]
    pub keepalive_secs: Option<u32>,
    /// Largest accepted incoming file in bytes. Default 100 MiB.
    #[serde(default = "default_max_file_size")]
    pub max_file_size: u64,
    /// Presence: `(xcap_root: ..., list: ..., publish: true|false)`
    /// ([`super::PresenceConfig`]).
    #[serde(default)]
    pub presence: super::PresenceConfig,
}

fn default_true() -> bool {
    true
}
fn default_expires() -> u32 {
    DEFAULT_EXPIRES
}
fn default_max_file_size() -> u64 {
    DEFAULT_MAX_FILE_SIZE
}

/// SIP transport of a proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Plain UDP.
    Udp,
    /// Plain TCP.
    Tcp,
    /// TLS over TCP.
    Tls,
}

/// A parsed outbound proxy address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProxyAddr {
    /// Host name or IP address (IPv6 without brackets).
    pub host: String,
    /// Port, when given; otherwise the caller uses the transport's default.
    pub port: Option<u16>,
    /// From `transport=`; `sips:` always means TLS; without either it is UDP.
    pub transport: Transport,
}

/// The pieces of a `sip:`/`sips:` URI that the configuration checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SipUriParts<'a> {
    /// True for `sips:`.
    pub secure: bool,
    /// The user part, if any.
    pub user: Option<&'a str>,
    /// The host (IPv6 without brackets).
    pub host: &'a str,
    /// The port, if given.
    pub port: Option<u16>,
    /// The URI parameters after the first `;`, without it (may be empty).
    pub params: &'a str,
}

/// Splits a `sip:`/`sips:` URI. The error completes a sentence about the URI,
/// e.g. "must start with sip: or sips:".
pub fn parse_sip_uri(uri: &str) -> Result<SipUriParts<'_>, &'static str> {
    let (secure, rest) = if let Some(rest) = strip_prefix_ci(uri, "sips:") {
        (true, rest)
    } else if let Some(rest) = strip_prefix_ci(uri, "sip:") {
        (false, rest)
    } else {
        return Err("must start with sip: or sips:");
    };
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces");
    }
    let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
    let (user, host_and_params) = match rest.split_once('@') {
        Some((userinfo, after)) => {
            if userinfo.contains(':') {
                return Err("must not contain a password (use password or password_file)");
            }
            if userinfo.is_empty() {
                return Err("has an empty user part before @");
            }
            (Some(userinfo), after)
        }
        None => (None, rest),
    };
    let (hostport, params) = host_and_params.split_once(';').unwrap_or((host_and_params, ""));
    let (host, port) = match hostport.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']').ok_or("has an unclosed [ in its host")?;
            let ipv6_char = |c: char| c.is_ascii_hexdigit() || ":.".contains(c);
            if host.is_empty() || !host.chars().all(ipv6_char) {
                return Err("has an invalid IPv6 host");
            }
            let port = after.strip_prefix(':');
            if port.is_none() && !after.is_empty() {
                return Err("has junk after its host");
            }
            (host, port)
        }
        None => {
            let (host, port) = match hostport.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (hostport, None),
            };
            if host.is_empty() {
                return Err("must have a host");
            }
            let host_char = |c: char| c.is_ascii_alphanumeric() || "-._".contains(c);
            if !host.chars().all(host_char) {
                return Err("has an invalid host");
            }
            (host, port)
        }
    };
    let port = port
        .map(|p| {
            p.parse::<u16>()
                .ok()
                .filter(|&n| n != 0)
                .ok_or("has an invalid port")
        })
        .transpose()?;
    Ok(SipUriParts {
        secure,
        user,
        host,
        port,
        params,
    })
}

/// Parses an outbound proxy URI. The error completes a sentence about the proxy.
pub fn parse_proxy(proxy: &str) -> Result<ProxyAddr, String> {
    let parts = parse_sip_uri(proxy).map_err(str::to_owned)?;
    let mut transport = None;
    for param in parts.params.split(';') {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if !name.eq_ignore_ascii_case("transport") {
            continue;
        }
        let t = match value.to_ascii_lowercase().as_str() {
            "udp" => Transport::Udp,
            "tcp" => Transport::Tcp,
            "tls" => Transport::Tls,
            _ => {
                return Err(format!(
                    "has unsupported transport {value:?} (expected udp, tcp or tls)"
                ))
            }
        };
        transport = Some(t);
    }
    let transport = match (parts.secure, transport) {
        (true, Some(Transport::Udp)) => {
            return Err("is sips: and cannot use transport=udp (sips: implies tls)".to_owned())
        }
        (true, _) => Transport::Tls,
        (false, t) => t.unwrap_or(Transport::Udp),
    };
    Ok(ProxyAddr {
        host: parts.host.to_owned(),
        port: parts.port,
        transport,
    })
}

/// `s` without `prefix`, compared ASCII-case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

impl AccountConfig {
    /// An account with the given name and URI and every other field at its default.
    pub fn new(name: impl Into<String>, uri: impl Into<String>) -> Self {
        AccountConfig {
            name: name.into(),
            uri: uri.into(),
            display_name: None,
            auth_user: None,
            password: None,
            password_file: None,
            password_in_keyring: false,
            proxy: None,
            register: true,
            expires: DEFAULT_EXPIRES,
            msrp_relay: None,
            msrp: super::MsrpConfig::default(),
            tls: TlsConfig::default(),
            trusted_alert_senders: Vec::new(),
            download_dir: None,
            enabled: true,
            keepalive_secs: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            presence: super::PresenceConfig::default(),
        }
    }

    /// Seconds between keep-alives on `transport`: the configured value, or
    /// the transport's default. 0: none.
    pub fn keepalive_secs_for(&self, transport: Transport) -> u32 {
        self.keepalive_secs.unwrap_or(match transport {
            Transport::Udp => DEFAULT_UDP_KEEPALIVE_SECS,
            Transport::Tcp | Transport::Tls => DEFAULT_KEEPALIVE_SECS,
        })
    }

    /// The parsed address of record, or `None` if `uri` is invalid (validation rejects that).
    pub fn uri_parts(&self) -> Option<SipUriParts<'_>> {
        parse_sip_uri(&self.uri).ok()
    }

    /// The user name for digest authentication: `auth_user`, else the user part of `uri`
    /// (empty only for an invalid URI).
    pub fn auth_user(&self) -> &str {
        match &self.auth_user {
            Some(user) => user,
            None => self.uri_parts().and_then(|p| p.user).unwrap_or(""),
        }
    }

    /// The parsed outbound proxy, if one is configured.
    pub fn proxy_addr(&self) -> Result<Option<ProxyAddr>, ValidationError> {
        self.proxy
            .as_deref()
            .map(|p| {
                parse_proxy(p).map_err(|problem| self.invalid("proxy", format!("proxy {p:?} {problem}")))
            })
            .transpose()
    }

    /// Whether a password, a password file or a keyring password is configured.
    pub fn has_password(&self) -> bool {
        self.password.is_some() || self.password_file.is_some() || self.password_in_keyring
    }

    /// The password: the inline one, the content of `password_file` read now with
    /// trailing line breaks removed, or the one in the desktop keyring asked for now.
    /// Errors name the file or the keyring, never the password.
    pub fn password(&self) -> Result<Secret, ConfigError> {
        match (&self.password, &self.password_file, self.password_in_keyring) {
            (Some(_), Some(_), _) | (Some(_), _, true) | (_, Some(_), true) => Err(ConfigError::Invalid {
                path: None,
                source: self.invalid("password", SEVERAL_PASSWORDS.into()),
            }),
            (Some(secret), None, false) => Ok(secret.clone()),
            (None, None, true) => {
                super::secrets::read_password(&self.name, &self.uri).map_err(|source| ConfigError::Keyring {
                    account: self.name.clone(),
                    source,
                })
            }
            (None, None, false) => Err(ConfigError::NoPassword {
                account: self.name.clone(),
            }),
            (None, Some(path), false) => {
                let read_error = |source| ConfigError::PasswordFile {
                    account: self.name.clone(),
                    path: path.clone(),
                    source,
                };
                let mut content = std::fs::read_to_string(path).map_err(read_error)?;
                warn_if_readable_by_others(&self.name, path);
                let len = content.trim_end_matches(['\r', '\n']).len();
                content.truncate(len);
                if content.is_empty() {
                    return Err(read_error(std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "the file is empty",
                    )));
                }
                Ok(Secret(content))
            }
        }
    }

    /// Checks every field of this account (not name uniqueness: that is the config's
    /// job); `index` is its position in the file, used when it has no name.
    pub fn validate(&self, index: usize) -> Result<(), ValidationError> {
        if self.name.trim().is_empty() {
            return Err(ValidationError::EmptyName { index });
        }
        self.check_fields()
            .map_err(|(field, message)| self.invalid(field, message))
    }

    /// The first bad field and what is wrong with it.
    fn check_fields(&self) -> Result<(), (&'static str, String)> {
        let name = &self.name;
        if name.trim() != name || name.contains(char::is_control) {
            let problem = "must not have leading or trailing spaces or control characters";
            return Err(("name", format!("name {name:?} {problem}")));
        }
        let uri = &self.uri;
        match parse_sip_uri(uri) {
            Err(problem) => return Err(("uri", format!("uri {uri:?} {problem}"))),
            Ok(parts) if parts.user.is_none() => {
                let problem = "must have a user part (sip:user@host)";
                return Err(("uri", format!("uri {uri:?} {problem}")));
            }
            Ok(_) => {}
        }
        if self.auth_user.as_deref().is_some_and(|u| u.trim().is_empty()) {
            return Err(("auth_user", "auth_user must not be empty when given".into()));
        }
        let sources = [
            self.password.is_some(),
            self.password_file.is_some(),
            self.password_in_keyring,
        ];
        if sources.into_iter().filter(|&set| set).count() > 1 {
            return Err(("password", SEVERAL_PASSWORDS.into()));
        }
        if self
            .password_file
            .as_ref()
            .is_some_and(|p| p.as_os_str().is_empty())
        {
            return Err(("password_file", "password_file must not be empty".into()));
        }
        if let Some(proxy) = &self.proxy {
            parse_proxy(proxy).map_err(|problem| ("proxy", format!("proxy {proxy:?} {problem}")))?;
        }
        if !(1..=MAX_EXPIRES).contains(&self.expires) {
            let expires = self.expires;
            let problem = format!("is out of range (1 to {MAX_EXPIRES} seconds)");
            return Err(("expires", format!("expires {expires} {problem}")));
        }
        if let Some(relay) = &self.msrp_relay {
            let rest = strip_prefix_ci(relay, "msrps://").or_else(|| strip_prefix_ci(relay, "msrp://"));
            let problem = match rest {
                None => "must start with msrp:// or msrps://",
                Some(r) if r.is_empty() || r.starts_with([':', ';', '/']) => "must have a host",
                Some(_) => "",
            };
            if !problem.is_empty() {
                return Err(("msrp_relay", format!("msrp_relay {relay:?} {problem}")));
            }
        }
        self.presence.check()?;
        self.msrp.check()?;
        if let Some(pin) = &self.tls.fingerprint {
            pin_from_text(pin).map_err(|e| ("tls.fingerprint", e.to_string()))?;
        }
        check_trusted_senders(&self.trusted_alert_senders)?;
        Ok(())
    }

    /// Makes relative paths relative to `base_dir` (the config file's directory) and
    /// replaces a leading `~` with `home`.
    pub(crate) fn resolve_paths(&mut self, base_dir: &Path, home: Option<&Path>) {
        let paths = [
            &mut self.password_file,
            &mut self.tls.ca_file,
            &mut self.download_dir,
        ];
        for path in paths.into_iter().flatten() {
            *path = resolve_path(path, base_dir, home);
        }
    }

    fn invalid(&self, field: &'static str, message: String) -> ValidationError {
        ValidationError::Account {
            account: self.name.clone(),
            field,
            message,
        }
    }
}

/// Checks one `trusted_alert_senders` entry: a `sip:`/`sips:` URI, an IP
/// address (`192.0.2.7`, `2001:db8::7`), a CIDR network (`192.0.2.0/24`,
/// `2001:db8::/32`) or a host name (resolved by the runtime when the account
/// starts and every few minutes after: a name is only as good as its DNS).
/// The error completes a sentence about the entry.
pub fn check_trusted_sender(entry: &str) -> Result<(), String> {
    match TrustedSender::parse(entry).map_err(|e| e.to_string())? {
        TrustedSender::Uri(uri) => parse_sip_uri(&uri).map(|_| ()).map_err(str::to_owned),
        TrustedSender::Network(_) | TrustedSender::Host(_) => Ok(()),
    }
}

/// Checks every entry of a `trusted_alert_senders` list, naming the first bad one.
pub(crate) fn check_trusted_senders(entries: &[String]) -> Result<(), (&'static str, String)> {
    for entry in entries {
        check_trusted_sender(entry).map_err(|problem| {
            let message = format!("trusted_alert_senders entry {entry:?} {problem}");
            ("trusted_alert_senders", message)
        })?;
    }
    Ok(())
}

/// What is wrong when more than one password source is set.
const SEVERAL_PASSWORDS: &str = "set only one of password, password_file and password_in_keyring";

/// `path` joined to `base_dir` if relative, or with a leading `~` replaced by `home`.
pub(crate) fn resolve_path(path: &Path, base_dir: &Path, home: Option<&Path>) -> PathBuf {
    if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), home) {
        return home.join(rest);
    }
    if path.is_relative() && !path.as_os_str().is_empty() {
        return base_dir.join(path);
    }
    path.to_path_buf()
}

#[cfg(unix)]
fn warn_if_readable_by_others(account: &str, path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            tracing::warn!(
                account,
                path = %path.display(),
                "password file is accessible by other users; consider chmod 600"
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_account: &str, _path: &Path) {}
