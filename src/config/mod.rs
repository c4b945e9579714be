//! The configuration file: a RON document with the SIP accounts and the local account.
//!
//! [`Config::load`] reads, parses and validates a file; [`Config::load_or_init`] also
//! writes the commented [`EXAMPLE_CONFIG`] on first run. Optional values may be written
//! plainly (`display_name: "Alice"`) as well as `Some("Alice")`. Unknown fields are
//! errors, and every error names the file and, for syntax errors, `line:column`.
//! [`load`] (in `load.rs`) resolves the paths and loads, as the window and the commands
//! both do. Certificates trusted from the window's prompt are recorded in the data
//! directory by [`certificate_pins`].

mod account;
mod accounts_file;
pub mod certificate_pins;
mod example;
mod load;
mod msrp;
mod presence;
pub mod secrets;

use std::collections::HashSet;
use std::fs;
use std::io::{self, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::paths::Paths;

pub use account::{
    check_trusted_sender, parse_proxy, parse_sip_uri, AccountConfig, ProxyAddr, Secret, SipUriParts,
    TlsConfig, Transport, DEFAULT_EXPIRES, DEFAULT_KEEPALIVE_SECS, DEFAULT_MAX_FILE_SIZE,
    DEFAULT_UDP_KEEPALIVE_SECS, MAX_EXPIRES,
};
pub use accounts_file::{
    accounts_from_ron, accounts_path, accounts_to_ron, load_accounts, save_accounts, save_window_accounts,
    PasswordStore, ACCOUNTS_FILE, MAX_ACCOUNTS_FILE_BYTES,
};
pub use example::EXAMPLE_CONFIG;
pub use load::{load, LoadOptions, Loaded};
pub use msrp::{MsrpConfig, MsrpRole};
pub use presence::{PresenceConfig, MAX_XCAP_ROOT_BYTES};

/// Default user name of the local account.
pub const DEFAULT_LOCAL_USER: &str = "me";
/// Default listen address of the local account: every network, IPv4 and
/// IPv6 (one socket per family on the same port).
pub const DEFAULT_LOCAL_BIND: &str = "::";
/// Default listen port of the local account.
pub const DEFAULT_LOCAL_PORT: u16 = 5062;

/// The whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// SIP accounts at servers, in file order.
    pub accounts: Vec<AccountConfig>,
    /// The server-less account that listens on this machine.
    pub local: LocalAccountConfig,
}

/// The server-less local account: others reach it at `sip:USER@ADDRESS:PORT`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LocalAccountConfig {
    /// Whether to listen at all. Default `true`.
    pub enabled: bool,
    /// User part of the local address. Default `"me"`.
    pub user: String,
    /// Name shown to others.
    pub display_name: Option<String>,
    /// IP address to listen on. Default `"::"`: every network, IPv4 and
    /// IPv6 alike (IPv4 alone on a machine without IPv6). `"0.0.0.0"` is
    /// every IPv4 network only; a specific address (`"127.0.0.1"`,
    /// `"::1"`, also written `"[::1]"`) only that one.
    pub bind: String,
    /// Port to listen on (UDP and TCP); 0 lets the system pick. Default 5062.
    pub port: u16,
    /// How chat sessions connect.
    pub msrp: MsrpConfig,
    /// Which certificates of peers that announce no fingerprint in their
    /// `msrps` SDP are trusted (CA file, pinned fingerprint), as for a server.
    pub tls: TlsConfig,
    /// Largest accepted incoming file in bytes. Default 100 MiB.
    pub max_file_size: u64,
    /// Who may send emergency alerts straight to this machine: IP addresses,
    /// CIDR networks and host names matched against the request's source
    /// address, or SIP URIs matched against From (which anyone can write, so
    /// prefer addresses here); see [`check_trusted_sender`]. Default none.
    pub trusted_alert_senders: Vec<String>,
}

impl Default for LocalAccountConfig {
    fn default() -> Self {
        LocalAccountConfig {
            enabled: true,
            user: DEFAULT_LOCAL_USER.to_owned(),
            display_name: None,
            bind: DEFAULT_LOCAL_BIND.to_owned(),
            port: DEFAULT_LOCAL_PORT,
            msrp: MsrpConfig::default(),
            tls: TlsConfig::default(),
            max_file_size: account::DEFAULT_MAX_FILE_SIZE,
            trusted_alert_senders: Vec::new(),
        }
    }
}

impl LocalAccountConfig {
    /// The listen address; `None` only if `bind` is invalid (validation rejects that).
    /// An IPv6 address may be written in brackets, as in URIs.
    pub fn bind_addr(&self) -> Option<IpAddr> {
        let bind = self.bind.trim();
        let bare = bind.strip_prefix('[').and_then(|b| b.strip_suffix(']'));
        match bare {
            Some(v6) => v6.parse::<std::net::Ipv6Addr>().ok().map(IpAddr::V6),
            None => bind.parse().ok(),
        }
    }

    /// Checks the fields.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let invalid = |field, message| ValidationError::Local { field, message };
        let user = &self.user;
        if user.is_empty() {
            return Err(invalid("user", "user must not be empty".to_owned()));
        }
        if user.contains(|c: char| c.is_whitespace() || c.is_control() || "@:<>\"".contains(c)) {
            return Err(invalid(
                "user",
                format!("user {user:?} must not contain spaces or any of @ : < > \""),
            ));
        }
        if self.bind_addr().is_none() {
            return Err(invalid(
                "bind",
                format!("bind {:?} is not an IP address", self.bind),
            ));
        }
        account::check_trusted_senders(&self.trusted_alert_senders)
            .map_err(|(field, message)| invalid(field, message))?;
        Ok(())
    }
}

/// A semantic problem in an otherwise well-formed configuration.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ValidationError {
    /// An account without a name (`index` counts from 0).
    #[error("account #{}: name must not be empty", .index + 1)]
    EmptyName {
        /// Position of the account in `accounts`, from 0.
        index: usize,
    },
    /// Two accounts share a name.
    #[error("account name {name:?} is used by more than one account")]
    DuplicateName {
        /// The shared name.
        name: String,
    },
    /// A bad field in a named account.
    #[error("account {account:?}: {message}")]
    Account {
        /// The account's name.
        account: String,
        /// The offending field.
        field: &'static str,
        /// What is wrong, naming the field and its value (never a password).
        message: String,
    },
    /// A bad field in the local account.
    #[error("local account: {message}")]
    Local {
        /// The offending field.
        field: &'static str,
        /// What is wrong, naming the field and its value.
        message: String,
    },
}

/// Everything that can go wrong with the configuration.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The configuration file exists but could not be read.
    #[error("cannot read config file {}: {source}", .path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file is not valid RON for a [`Config`].
    #[error("{}:{line}:{col}: {message}", .path.display())]
    Parse {
        /// The file.
        path: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column in characters, from 1.
        col: usize,
        /// What is wrong.
        message: String,
    },
    /// The file parsed but a value is not acceptable.
    #[error("{}{source}", path_prefix(.path.as_deref()))]
    Invalid {
        /// The file, when the config came from one.
        path: Option<PathBuf>,
        /// What is wrong.
        source: ValidationError,
    },
    /// An explicitly named configuration file does not exist.
    #[error("config file {} does not exist", .path.display())]
    Missing {
        /// The file.
        path: PathBuf,
    },
    /// Where the configuration and data live could not be worked out.
    #[error(transparent)]
    Paths(#[from] crate::paths::PathsError),
    /// The example configuration could not be written on first run.
    #[error("cannot write an example config to {}: {source}", .path.display())]
    Write {
        /// The file (or the directory that could not be created).
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The window's accounts file could not be written.
    #[error("cannot save the accounts to {}: {source}", .path.display())]
    SaveAccounts {
        /// The accounts file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// No account was named and no enabled account is configured.
    #[error("no enabled SIP account is configured")]
    NoAccounts,
    /// `--account NAME` names no configured account.
    #[error("no account named {name:?} ({})", known_accounts(.known))]
    UnknownAccount {
        /// The requested name.
        name: String,
        /// The configured names, in file order.
        known: Vec<String>,
    },
    /// The account has no `password`, `password_file` or `password_in_keyring`.
    #[error("account {account:?} has no password or password_file")]
    NoPassword {
        /// The account's name.
        account: String,
    },
    /// The password file could not be read (the message never includes its content).
    #[error("account {account:?}: cannot read password_file {}: {source}", .path.display())]
    PasswordFile {
        /// The account's name.
        account: String,
        /// The password file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The account's password is in the desktop keyring, and the keyring did not
    /// give it (or, on saving, did not take it). The words leave the account's
    /// name to the caller: the runtime's account errors already start with it.
    #[error("{source}")]
    Keyring {
        /// The account's name.
        account: String,
        /// What the keyring said (never the password).
        source: secrets::SecretsError,
    },
}

fn path_prefix(path: Option<&Path>) -> String {
    path.map(|p| format!("{}: ", p.display())).unwrap_or_default()
}

fn known_accounts(known: &[String]) -> String {
    if known.is_empty() {
        return "no accounts are configured".to_owned();
    }
    let names: Vec<String> = known.iter().map(|n| format!("{n:?}")).collect();
    format!("known accounts: {}", names.join(", "))
}

impl Config {
    /// Reads, parses and validates the file at `path`, then appends the
    /// accounts the window keeps beside it ([`accounts_path`]). Relative
    /// `password_file`, `tls.ca_file` and `download_dir` paths are made
    /// relative to the file's directory, and a leading `~` is expanded to the
    /// home directory.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let mut config = Config::load_file(path)?;
        config.add_window_accounts(path)?;
        Ok(config)
    }

    /// Appends the accounts of the window's accounts file for the config file
    /// `config_file`; a name used twice is an error naming the accounts file.
    pub fn add_window_accounts(&mut self, config_file: &Path) -> Result<(), ConfigError> {
        let path = accounts_path(config_file);
        let accounts = load_accounts(&path)?;
        if accounts.is_empty() {
            return Ok(());
        }
        tracing::debug!(path = %path.display(), accounts = accounts.len(), "loaded window accounts");
        self.accounts.extend(accounts);
        self.validate().map_err(|source| ConfigError::Invalid {
            path: Some(path),
            source,
        })
    }

    /// `config.ron` alone, without the window's accounts.
    fn load_file(path: &Path) -> Result<Config, ConfigError> {
        let text = fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Config::from_ron(&text, path)?;
        let base_dir = path.parent().unwrap_or(Path::new(""));
        let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
        for account in &mut config.accounts {
            account.resolve_paths(base_dir, home.as_deref());
        }
        tracing::debug!(
            path = %path.display(),
            accounts = config.accounts.len(),
            "loaded configuration"
        );
        Ok(config)
    }

    /// Parses and validates RON `text`; `path` is only used in error messages, and
    /// relative paths in the result are left as written.
    pub fn from_ron(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let options =
            ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        let config: Config = options
            .from_str(text)
            .map_err(|err| parse_error(path, text, err))?;
        config.validate().map_err(|source| ConfigError::Invalid {
            path: Some(path.to_path_buf()),
            source,
        })?;
        Ok(config)
    }

    /// Checks every account, that account names are unique, and the local account.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut seen = HashSet::new();
        for (index, account) in self.accounts.iter().enumerate() {
            account.validate(index)?;
            if !seen.insert(account.name.as_str()) {
                return Err(ValidationError::DuplicateName {
                    name: account.name.clone(),
                });
            }
        }
        self.local.validate()
    }

    /// Loads `paths.config_file`. If it does not exist: an explicitly named file is an
    /// error, while at the default location the commented example is written (creating
    /// directories) and the defaults are returned with `Some(path written)`.
    pub fn load_or_init(paths: &Paths) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let path = &paths.config_file;
        match path.try_exists() {
            Ok(true) => Ok((Config::load(path)?, None)),
            Ok(false) if paths.config_explicit => Err(ConfigError::Missing { path: path.clone() }),
            Ok(false) => match write_example(path) {
                Ok(true) => {
                    tracing::info!(path = %path.display(), "wrote an example configuration");
                    let mut config = Config::default();
                    config.add_window_accounts(path)?;
                    Ok((config, Some(path.clone())))
                }
                // Someone else created it meanwhile: use theirs.
                Ok(false) => Ok((Config::load(path)?, None)),
                Err(source) => Err(ConfigError::Write {
                    path: path.clone(),
                    source,
                }),
            },
            Err(source) => Err(ConfigError::Read {
                path: path.clone(),
                source,
            }),
        }
    }

    /// The account named `name`, or with `None` the first enabled account. A named
    /// account is returned even when disabled (`enabled` only governs the default).
    pub fn account(&self, name: Option<&str>) -> Result<&AccountConfig, ConfigError> {
        match name {
            Some(name) => {
                self.accounts
                    .iter()
                    .find(|a| a.name == name)
                    .ok_or_else(|| ConfigError::UnknownAccount {
                        name: name.to_owned(),
                        known: self.accounts.iter().map(|a| a.name.clone()).collect(),
                    })
            }
            None => self.enabled_accounts().next().ok_or(ConfigError::NoAccounts),
        }
    }

    /// The enabled accounts, in file order.
    pub fn enabled_accounts(&self) -> impl Iterator<Item = &AccountConfig> {
        self.accounts.iter().filter(|a| a.enabled)
    }
}

/// Creates `path` (and its directories) holding the example. Returns `false`, writing
/// nothing, if the file already exists.
fn write_example(path: &Path) -> io::Result<bool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        // The user is invited to put a password in it.
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(false),
        Err(e) => return Err(e),
    };
    file.write_all(EXAMPLE_CONFIG.as_bytes())?;
    file.sync_all()?;
    Ok(true)
}

/// Turns ron's error into a [`ConfigError::Parse`] with a friendlier message.
fn parse_error(path: &Path, text: &str, err: ron::error::SpannedError) -> ConfigError {
    let ron::error::Position { mut line, mut col } = err.position;
    use ron::Error as E;
    let message = match &err.code {
        E::NoSuchStructField {
            expected,
            found,
            outer,
        } => {
            // ron reports the position after the field name: point at its start.
            if let Some(start) = ident_start(text, line, col, found) {
                col = start;
            }
            let mut msg = format!("unexpected field {found:?}{}", in_struct(outer.as_deref()));
            if expected.is_empty() {
                msg.push_str(", no fields are allowed here");
            } else {
                let list: Vec<String> = expected.iter().map(|f| format!("{f:?}")).collect();
                msg.push_str(&format!(", expected one of {}", list.join(", ")));
            }
            if let Some(best) = closest(found, expected) {
                msg.push_str(&format!(" (did you mean {best:?}?)"));
            }
            msg
        }
        E::MissingStructField { field, outer } => {
            format!("missing field {field:?}{}", in_struct(outer.as_deref()))
        }
        E::DuplicateStructField { field, outer } => {
            format!("field {field:?} is given twice{}", in_struct(outer.as_deref()))
        }
        E::ExpectedNamedStructLike(name) => format!("expected `(` to start {}", describe(name)),
        E::ExpectedDifferentStructName { expected, found } => {
            format!(
                "unexpected name {found:?} before the `(` of {}; write just `(...)`",
                describe(expected)
            )
        }
        E::Eof => "unexpected end of file (is a closing bracket missing?)".to_owned(),
        // ron says "expected comma" and the like when the text simply stops.
        _ if is_at_end(text, line, col) => {
            "unexpected end of file (is a closing bracket missing?)".to_owned()
        }
        other => lower_first(&other.to_string()),
    };
    if line == 0 {
        (line, col) = (1, 1);
    }
    ConfigError::Parse {
        path: path.to_path_buf(),
        line,
        col,
        message,
    }
}

/// " in an account" etc. for ron's outer struct name.
fn in_struct(outer: Option<&str>) -> String {
    match outer {
        Some("Config") => " at the top level".to_owned(),
        Some(name) => format!(" in {}", describe(name)),
        None => String::new(),
    }
}

/// How a user would call the settings group that the Rust struct `name` holds.
fn describe(name: &str) -> String {
    match name {
        "AccountConfig" => "an account".to_owned(),
        "LocalAccountConfig" => "local".to_owned(),
        "TlsConfig" => "tls".to_owned(),
        "Config" => "the configuration".to_owned(),
        other => format!("{other:?}"),
    }
}

/// Whether (`line`, `col`) is at or past the last non-blank character of `text`.
fn is_at_end(text: &str, line: usize, col: usize) -> bool {
    let content = text.trim_end();
    let end_line = 1 + content.matches('\n').count();
    let end_col = 1 + content.rsplit('\n').next().map_or(0, |l| l.chars().count());
    (line, col) >= (end_line, end_col)
}

/// The column where `ident` starts if it ends just before (`line`, `col`).
fn ident_start(text: &str, line: usize, col: usize, ident: &str) -> Option<usize> {
    let line_text = text.lines().nth(line.checked_sub(1)?)?;
    let before: String = line_text.chars().take(col.checked_sub(1)?).collect();
    let trimmed = before.trim_end();
    trimmed
        .ends_with(ident)
        .then(|| trimmed.chars().count() - ident.chars().count() + 1)
}

/// The expected name closest to `found`, if it is close enough to be a likely typo.
fn closest<'a>(found: &str, expected: &[&'a str]) -> Option<&'a str> {
    expected
        .iter()
        .map(|e| (edit_distance(found, e), *e))
        .filter(|(d, e)| *d <= 2.max(e.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, e)| e)
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = prev[j] + usize::from(ca != *cb);
            cur.push(substitution.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "config_tests.rs"]
mod tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "accounts_file_tests.rs"]
mod accounts_file_tests;

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
#[path = "account_tests.rs"]
mod account_tests;
