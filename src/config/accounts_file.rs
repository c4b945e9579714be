//! Accounts added in the window, kept apart from the hand-written `config.ron`.
//!
//! The window never rewrites `config.ron` (it is commented and the user's).
//! Accounts added, edited, disabled or removed in the window live in a second
//! RON file beside it: `accounts.ron` next to `config.ron`, or
//! `NAME.accounts.ron` next to a config file called `NAME.ron`, so two
//! configurations in one directory never share it. It is a list of accounts
//! in the same form as `config.ron`'s `accounts: [...]`; it holds passwords,
//! so it is written with mode 0600 (through a temporary file and a rename).
//! [`super::Config::load`] appends its accounts to the configuration's; names
//! must be unique across both files.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
        if account.keepalive_secs != defaults.keepalive_secs {
            field(&mut out, "keepalive_secs", &account.keepalive_secs.to_string());
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
            field(&mut out, "msrp", &format!("({tls}role: {role})"));
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
