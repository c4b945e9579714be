//! Account passwords in the desktop keyring: the freedesktop Secret Service,
//! spoken over the session D-Bus (GNOME Keyring, KWallet, KeePassXC, ...).
//!
//! Each password is one item labelled for people ("sipchat: alice@example.org")
//! and found by its attributes: `application` = [`APPLICATION`], `account` =
//! the account's name and `uri` = its address of record, so a keyring
//! browser (Seahorse, `secret-tool search application org.sipchat.Sipchat`)
//! shows and removes them. Unlock prompts belong to the desktop: a locked
//! keyring asks the user, and a dismissed prompt is an error here.
//!
//! Every call opens its own connection and blocks until the service answers.
//! Nothing here logs or prints a password.

use std::collections::HashMap;

use secret_service::blocking::{Item, SecretService};
use secret_service::EncryptionType;
use tracing::{debug, info_span};

use super::Secret;

/// The `application` attribute of every item sipchat stores.
pub const APPLICATION: &str = crate::paths::APP_ID;
/// Attribute naming the application that owns an item.
pub const ATTRIBUTE_APPLICATION: &str = "application";
/// Attribute naming the account (its `name` in the configuration).
pub const ATTRIBUTE_ACCOUNT: &str = "account";
/// Attribute holding the account's address of record.
pub const ATTRIBUTE_URI: &str = "uri";
/// Content type of a stored password.
const CONTENT_TYPE: &str = "text/plain; charset=utf8";
/// Prefix of an item's label, before the account's address.
const LABEL_PREFIX: &str = "sipchat: ";

/// What went wrong with the desktop keyring. The words never include a password.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// No Secret Service answers on the session bus (or there is no session bus).
    #[error("the password is in the desktop keyring, which is not running ({reason})")]
    NotRunning {
        /// Why no connection could be made, in the D-Bus library's words.
        reason: String,
    },
    /// The keyring answers but holds no password for the account.
    #[error(
        "the password should be in the desktop keyring, but it holds none for this account; \
         enter it again in Settings > Accounts"
    )]
    NoItem,
    /// The user dismissed the keyring's unlock prompt.
    #[error("the desktop keyring stayed locked: its unlock prompt was dismissed")]
    Dismissed,
    /// The stored password is not text.
    #[error("the password in the desktop keyring is not UTF-8 text")]
    NotText,
    /// Any other failure of the keyring.
    #[error("the desktop keyring failed: {reason}")]
    Failed {
        /// The service's or the D-Bus library's words.
        reason: String,
    },
}

impl SecretsError {
    /// True when no keyring answers at all (saving then falls back to the file).
    pub fn is_not_running(&self) -> bool {
        matches!(self, SecretsError::NotRunning { .. })
    }
}

/// Errors of calls made once a session with the service is open.
fn failed(error: secret_service::Error) -> SecretsError {
    match error {
        secret_service::Error::Prompt | secret_service::Error::PromptDisconnected => SecretsError::Dismissed,
        other => SecretsError::Failed {
            reason: other.to_string(),
        },
    }
}

/// The label people see in their keyring browser: "sipchat: alice@example.org",
/// with the account's name added when it differs from the address.
pub fn label(account: &str, uri: &str) -> String {
    let address = uri
        .split_once(':')
        .map_or(uri, |(_, rest)| rest)
        .split(';')
        .next()
        .unwrap_or_default();
    if account == address {
        format!("{LABEL_PREFIX}{address}")
    } else {
        format!("{LABEL_PREFIX}{address} ({account})")
    }
}

fn attributes<'a>(account: &'a str, uri: &'a str) -> HashMap<&'a str, &'a str> {
    HashMap::from([
        (ATTRIBUTE_APPLICATION, APPLICATION),
        (ATTRIBUTE_ACCOUNT, account),
        (ATTRIBUTE_URI, uri),
    ])
}

/// Opens an encrypted session with the Secret Service on the session bus.
/// Any failure here means, for the user, that no keyring is running.
fn connect<'a>() -> Result<SecretService<'a>, SecretsError> {
    SecretService::connect(EncryptionType::Dh).map_err(|error| SecretsError::NotRunning {
        reason: match error {
            secret_service::Error::Unavailable => "no Secret Service or D-Bus session bus found".to_owned(),
            other => other.to_string(),
        },
    })
}

/// The items of `account` in every collection, unlocked ones first.
fn find<'a>(service: &'a SecretService<'a>, account: &str, uri: &str) -> Result<Vec<Item<'a>>, SecretsError> {
    let found = service.search_items(attributes(account, uri)).map_err(failed)?;
    Ok(found.unlocked.into_iter().chain(found.locked).collect())
}

/// Stores `password` for the account, replacing any item it had.
pub fn store_password(account: &str, uri: &str, password: &Secret) -> Result<(), SecretsError> {
    let _span = info_span!("keyring_store", account).entered();
    let service = connect()?;
    let collection = service
        .get_default_collection()
        .or_else(|_| service.get_any_collection())
        .map_err(failed)?;
    if collection.is_locked().map_err(failed)? {
        collection.unlock().map_err(failed)?;
    }
    collection
        .create_item(
            &label(account, uri),
            attributes(account, uri),
            password.expose().as_bytes(),
            true,
            CONTENT_TYPE,
        )
        .map_err(failed)?;
    debug!("password stored in the desktop keyring");
    Ok(())
}

/// The account's password from the keyring (unlocking its item if needed).
pub fn read_password(account: &str, uri: &str) -> Result<Secret, SecretsError> {
    let _span = info_span!("keyring_read", account).entered();
    let service = connect()?;
    let item = find(&service, account, uri)?
        .into_iter()
        .next()
        .ok_or(SecretsError::NoItem)?;
    if item.is_locked().map_err(failed)? {
        item.unlock().map_err(failed)?;
    }
    let bytes = item.get_secret().map_err(failed)?;
    let text = String::from_utf8(bytes).map_err(|_| SecretsError::NotText)?;
    debug!("password read from the desktop keyring");
    Ok(Secret::new(text))
}

/// Removes the account's items; returns how many there were.
pub fn remove_password(account: &str, uri: &str) -> Result<usize, SecretsError> {
    let _span = info_span!("keyring_remove", account).entered();
    let service = connect()?;
    let items = find(&service, account, uri)?;
    for item in &items {
        item.delete().map_err(failed)?;
    }
    debug!(removed = items.len(), "password removed from the desktop keyring");
    Ok(items.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_address_and_a_different_account_name() {
        assert_eq!(
            label("alice@example.org", "sip:alice@example.org"),
            "sipchat: alice@example.org"
        );
        assert_eq!(
            label("work", "sips:alice@example.org;transport=tls"),
            "sipchat: alice@example.org (work)"
        );
    }

    #[test]
    fn not_running_says_so_in_words() {
        let error = SecretsError::NotRunning {
            reason: "no Secret Service or D-Bus session bus found".into(),
        };
        assert!(error.is_not_running());
        assert!(error
            .to_string()
            .starts_with("the password is in the desktop keyring, which is not running"));
        assert!(!SecretsError::NoItem.is_not_running());
    }
}
