//! Accounts added in the window, kept apart from the hand-written `config.ron`.
//!
//! The window never rewrites `config.ron` (it is commented and the user's).
//! Accounts added, edited, disabled or removed in the window live in a second
//! RON file beside it: `accounts.ron` next to `config.ron`, or
//! `NAME.accounts.ron` next to a config file called `NAME.ron`, so two
//! configurations in one directory never share it. It is a list of accounts
//! in the same form as `config.ron`'s `accounts: [...]`. [`save_window_accounts`]
//! puts the passwords typed in the window into the desktop keyring when one
//! is running (the file then says `password_in_keyring: true`), else into the
//! file, so it is written with mode 0600 (through a temporary file and a rename).
//! [`super::Config::load`] appends its accounts to the configuration's; names
//! must be unique across both files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::secrets::{self, SecretsError};
use super::{parse_error, AccountConfig, ConfigError};

/// Name of the window's accounts file beside a config file called `config.ron`.
pub const ACCOUNTS_FILE: &str = "accounts.ron";
/// Largest accounts file read; a bigger one is refused as not ours.
pub const MAX_ACCOUNTS_FILE_BYTES: u64 = 1024 * 1024;

/// Where the window keeps its accounts for the config file `config_file`.
pub fn accounts_path(config_file: &Path) -> PathBuf {
    let dir = config_file.parent().unwrap_or(Path::new(""));
    let stem = config_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if stem.is_empty() || stem == "config" {
        dir.join(ACCOUNTS_FILE)
    } else {
        dir.join(format!("{stem}.{ACCOUNTS_FILE}"))
    }
}

/// Reads the accounts file at `path`: `Ok(empty)` when it does not exist.
/// Each account is validated; errors name the file (and line:column for
/// syntax). Relative paths are resolved against the file's directory.
pub fn load_accounts(path: &Path) -> Result<Vec<AccountConfig>, ConfigError> {
    let read_error = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    match fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_ACCOUNTS_FILE_BYTES => {
            return Err(read_error(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "the file is {} bytes, more than the {MAX_ACCOUNTS_FILE_BYTES} an accounts file may be",
                    meta.len()
                ),
            )))
        }
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_error(e)),
    }
    let text = fs::read_to_string(path).map_err(read_error)?;
    let mut accounts = accounts_from_ron(&text, path)?;
    let base_dir = path.parent().unwrap_or(Path::new(""));
    let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
    for account in &mut accounts {
        account.resolve_paths(base_dir, home.as_deref());
    }
    Ok(accounts)
}

/// Parses and validates the text of an accounts file; `path` is for messages.
pub fn accounts_from_ron(text: &str, path: &Path) -> Result<Vec<AccountConfig>, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let options = ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
    let accounts: Vec<AccountConfig> = options
        .from_str(text)
        .map_err(|err| parse_error(path, text, err))?;
    for (index, account) in accounts.iter().enumerate() {
        account.validate(index).map_err(|source| ConfigError::Invalid {
            path: Some(path.to_path_buf()),
            source,
        })?;
    }
    Ok(accounts)
}

/// The accounts as the window writes them: a commented RON list with the
/// fields the window edits, plus any other field that differs from its
/// default, so a hand edit of those survives the next save.
pub fn accounts_to_ron(accounts: &[AccountConfig]) -> String {
    let mut out = String::from(
        "// Accounts added in sipchat's window (Settings > Accounts). The window\n\
         // rewrites this file; put hand-written accounts in the config file instead.\n[\n",
    );
    for account in accounts {
        let defaults = AccountConfig::new(account.name.clone(), account.uri.clone());
        out.push_str("    (\n");
        field(&mut out, "name", &quote(&account.name));
        field(&mut out, "uri", &quote(&account.uri));
        if let Some(name) = &account.display_name {
            field(&mut out, "display_name", &quote(name));
        }
        if let Some(user) = &account.auth_user {
            field(&mut out, "auth_user", &quote(user));
        }
        if let Some(password) = &account.password {
            field(&mut out, "password", &quote(password.expose()));
        }
        if let Some(file) = &account.password_file {
            field(&mut out, "password_file", &quote(&file.to_string_lossy()));
        }
        if account.password_in_keyring {
            field(&mut out, "password_in_keyring", "true");
        }
        if let Some(proxy) = &account.proxy {
            field(&mut out, "proxy", &quote(proxy));
        }
        if let Some(relay) = &account.msrp_relay {
            field(&mut out, "msrp_relay", &quote(relay));
        }
        if !account.trusted_alert_senders.is_empty() {
            let list: Vec<String> = account.trusted_alert_senders.iter().map(|s| quote(s)).collect();
            field(
                &mut out,
                "trusted_alert_senders",
                &format!("[{}]", list.join(", ")),
            );
        }
        if !account.enabled {
            field(&mut out, "enabled", "false");
        }
        if account.register != defaults.register {
            field(&mut out, "register", &account.register.to_string());
        }
        if account.expires != defaults.expires {
            field(&mut out, "expires", &account.expires.to_string());
        }
        if let Some(secs) = account.keepalive_secs {
            field(&mut out, "keepalive_secs", &secs.to_string());
        }
        if account.max_file_size != defaults.max_file_size {
            field(&mut out, "max_file_size", &account.max_file_size.to_string());
        }
        if let Some(dir) = &account.download_dir {
            field(&mut out, "download_dir", &quote(&dir.to_string_lossy()));
        }
        if account.tls != defaults.tls {
            let ca = account
                .tls
                .ca_file
                .as_ref()
                .map(|f| format!("ca_file: {}, ", quote(&f.to_string_lossy())))
                .unwrap_or_default();
            let pin = account
                .tls
                .fingerprint
                .as_ref()
                .map(|p| format!("fingerprint: {}, ", quote(p)))
                .unwrap_or_default();
            field(
                &mut out,
                "tls",
                &format!("({ca}{pin}verify: {})", account.tls.verify),
            );
        }
        if account.msrp != defaults.msrp {
            let tls = account
                .msrp
                .tls
                .map(|t| format!("tls: {t}, "))
                .unwrap_or_default();
            let role = format!("{:?}", account.msrp.role).to_lowercase();
            let queue = account
                .msrp
                .relay_queue
                .map(|q| format!(", relay_queue: {q}"))
                .unwrap_or_default();
            field(&mut out, "msrp", &format!("({tls}role: {role}{queue})"));
        }
        out.push_str("    ),\n");
    }
    out.push_str("]\n");
    out
}

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!("        {name}: {value},\n"));
}

/// A RON string literal.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes `accounts` to `path` (mode 0600, through a temporary file and a
/// rename, creating the directory).
pub fn save_accounts(path: &Path, accounts: &[AccountConfig]) -> Result<(), ConfigError> {
    let write_error = |source| ConfigError::SaveAccounts {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(write_error)?;
    }
    let mut temp_name = path.as_os_str().to_owned();
    temp_name.push(".tmp");
    let temp = PathBuf::from(temp_name);
    let _ = fs::remove_file(&temp);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = options.open(&temp).and_then(|mut file| {
        file.write_all(accounts_to_ron(accounts).as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = result.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(write_error(e));
    }
    Ok(())
}

/// Where [`save_window_accounts`] puts the passwords typed in the window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PasswordStore {
    /// The desktop keyring when one answers, else the accounts file.
    #[default]
    Keyring,
    /// Always the accounts file (and the keyring is never asked).
    File,
}

/// The keyring item of an account: its name and address.
fn keyring_key(account: &AccountConfig) -> Option<(&str, &str)> {
    account
        .password_in_keyring
        .then_some((account.name.as_str(), account.uri.as_str()))
}

/// Saves the window's accounts as they are after one change in the window
/// (`before` is the list as last saved). With [`PasswordStore::Keyring`]:
///
/// - a password typed in the window (`password` set) goes into the keyring,
///   replacing the account's item, and `accounts` then says
///   `password_in_keyring` instead; when no keyring is running, or it refuses,
///   the password stays in the file as before;
/// - an account renamed or readdressed keeps its keyring password (moved to
///   an item under its new name and address);
/// - after the file is written, the items of accounts removed, or whose
///   password no longer lives in the keyring, are removed.
///
/// If the file cannot be written, the items this call created are removed
/// again and the error is returned.
pub fn save_window_accounts(
    path: &Path,
    before: &[AccountConfig],
    accounts: &mut [AccountConfig],
    store: PasswordStore,
) -> Result<(), ConfigError> {
    let _span = tracing::info_span!("save_window_accounts", path = %path.display()).entered();
    if store == PasswordStore::File {
        return save_accounts(path, accounts);
    }
    let old_keys: Vec<(&str, &str)> = before.iter().filter_map(keyring_key).collect();
    let kept: Vec<(&str, &str)> = accounts.iter().filter_map(keyring_key).collect();
    let vanished: Vec<(String, String)> = old_keys
        .iter()
        .filter(|key| !kept.contains(key))
        .map(|(name, uri)| (name.to_string(), uri.to_string()))
        .collect();
    let mut created: Vec<(String, String)> = Vec::new();
    let mut keyring_running = true;
    for account in accounts.iter_mut() {
        let key = (account.name.as_str(), account.uri.as_str());
        if account.password_in_keyring && !old_keys.contains(&key) {
            // Renamed or readdressed: its item is still under the old key.
            let moved = predecessor(&vanished, &account.name, &account.uri)
                .ok_or(SecretsError::NoItem)
                .and_then(|(name, uri)| secrets::read_password(name, uri))
                .and_then(|secret| secrets::store_password(&account.name, &account.uri, &secret));
            if let Err(source) = moved {
                undo(&created);
                return Err(ConfigError::Keyring {
                    account: account.name.clone(),
                    source,
                });
            }
            created.push((account.name.clone(), account.uri.clone()));
            continue;
        }
        let Some(password) = account.password.clone() else {
            continue;
        };
        if !keyring_running || account.password_file.is_some() {
            continue;
        }
        match secrets::store_password(&account.name, &account.uri, &password) {
            Ok(()) => {
                if !old_keys.contains(&key) {
                    created.push((account.name.clone(), account.uri.clone()));
                }
                account.password = None;
                account.password_in_keyring = true;
            }
            Err(error) => {
                keyring_running = !error.is_not_running();
                tracing::warn!(account = %account.name, %error, "keeping the password in the accounts file");
            }
        }
    }
    if let Err(error) = save_accounts(path, accounts) {
        undo(&created);
        return Err(error);
    }
    let new_keys: Vec<(&str, &str)> = accounts.iter().filter_map(keyring_key).collect();
    for (name, uri) in old_keys.into_iter().filter(|key| !new_keys.contains(key)) {
        if let Err(error) = secrets::remove_password(name, uri) {
            tracing::warn!(account = name, %error, "the old keyring item could not be removed");
        }
    }
    Ok(())
}

/// The vanished keyring item an account renamed or readdressed had: the one
/// with its name, else the one with its address, else the only one.
pub(super) fn predecessor<'a>(
    vanished: &'a [(String, String)],
    name: &str,
    uri: &str,
) -> Option<(&'a str, &'a str)> {
    let found = vanished
        .iter()
        .find(|(old_name, _)| old_name == name)
        .or_else(|| vanished.iter().find(|(_, old_uri)| old_uri == uri))
        .or(match vanished {
            [only] => Some(only),
            _ => None,
        })?;
    Some((found.0.as_str(), found.1.as_str()))
}

/// Removes the keyring items a failed save created.
fn undo(created: &[(String, String)]) {
    for (name, uri) in created {
        if let Err(error) = secrets::remove_password(name, uri) {
            tracing::warn!(account = %name, %error, "a keyring item of a failed save could not be removed");
        }
    }
}
