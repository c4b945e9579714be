//! Account passwords in a real desktop keyring: GNOME Keyring's Secret
//! Service on a private D-Bus session bus (tests/support/keyring.rs).
//!
//! The window's save (`config::save_window_accounts`, as Settings > Accounts
//! calls it) puts a typed password into the keyring, and accounts.ron says
//! `password_in_keyring: true` with no secret in it; the runtime's account
//! setup (`runtime::account::server_setup`, through `AccountConfig::password`)
//! reads it back. A new password replaces the item, a renamed account keeps
//! it, a removed account's item is removed. With no Secret Service on the bus
//! (or no bus at all), saving keeps the password in the 0600 file and an
//! account whose password is in the keyring fails in words.
//!
//! One test function: the keyring's address is process-wide
//! (`DBUS_SESSION_BUS_ADDRESS`), so the phases run in order. Skips when
//! dbus-daemon or gnome-keyring-daemon is missing, unless
//! `SIPCHAT_REQUIRE_DBUS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/keyring.rs"]
mod keyring;

use std::collections::HashMap;
use std::path::Path;

use keyring::KeyringBus;
use secret_service::blocking::SecretService;
use secret_service::EncryptionType;
use sipchat::config::secrets::{APPLICATION, ATTRIBUTE_ACCOUNT, ATTRIBUTE_APPLICATION, ATTRIBUTE_URI};
use sipchat::config::{accounts_path, save_window_accounts, AccountConfig, Config, PasswordStore, Secret};
use sipchat::runtime::account::{server_setup, AccountSetup};

const URI: &str = "sip:alice@example.org";
const NOT_RUNNING: &str = "the password is in the desktop keyring, which is not running";

/// What the keyring holds for sipchat: (label, attributes, secret) per item,
/// read with the Secret Service API directly, not through sipchat's code.
fn items() -> Vec<(String, HashMap<String, String>, String)> {
    let service = SecretService::connect(EncryptionType::Dh).unwrap();
    let found = service
        .search_items(HashMap::from([(ATTRIBUTE_APPLICATION, APPLICATION)]))
        .unwrap();
    let mut items: Vec<_> = found
        .unlocked
        .iter()
        .chain(found.locked.iter())
        .map(|item| {
            item.unlock().unwrap();
            (
                item.get_label().unwrap(),
                item.get_attributes().unwrap(),
                String::from_utf8(item.get_secret().unwrap()).unwrap(),
            )
        })
        .collect();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    items
}

/// The account as the runtime gets it: the config file loaded (with the
/// window's accounts.ron beside it), the account found by name.
fn loaded(config: &Path, name: &str) -> AccountConfig {
    let config = Config::load(config).unwrap();
    config
        .accounts
        .into_iter()
        .find(|a| a.name == name)
        .unwrap_or_else(|| panic!("no account {name:?} loaded"))
}

/// The password the runtime's account setup hands its SIP agent.
fn runtime_password(account: &AccountConfig) -> Result<Option<String>, String> {
    match server_setup(account) {
        Ok(AccountSetup::Server { agent, .. }) => Ok(agent.password),
        Ok(_) => panic!("a server account gave another setup"),
        Err(error) => Err(error.to_string()),
    }
}

/// The accounts file's text, after checking it is private (0600).
fn accounts_text(file: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "accounts.ron must be private");
    }
    std::fs::read_to_string(file).unwrap()
}

/// The window's save of one change: `after` as the form left it.
fn save(file: &Path, before: &[AccountConfig], mut after: Vec<AccountConfig>) -> Vec<AccountConfig> {
    save_window_accounts(file, before, &mut after, PasswordStore::Keyring).unwrap();
    after
}

/// The window's form after the user typed `password`.
fn typed(mut account: AccountConfig, password: &str) -> AccountConfig {
    account.password = Some(Secret::new(password));
    account.password_in_keyring = false;
    account
}

#[test]
fn window_passwords_live_in_the_secret_service_and_the_runtime_reads_them() {
    let Some(mut bus) = KeyringBus::start_or_skip() else {
        return;
    };
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.ron");
    std::fs::write(
        &config,
        r#"(
    accounts: [
        (name: "inline", uri: "sip:carol@example.org", password: "carol-inline"),
        (name: "from-file", uri: "sip:dave@example.org", password_file: "dave.pw"),
    ],
    local: (enabled: false),
)"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("dave.pw"), "dave-file\n").unwrap();
    let file = accounts_path(&config);

    // Added in the window: the password goes to the keyring, not the file.
    let alice = typed(
        AccountConfig::new("alice@example.org", URI),
        "first pass \"quoted\"",
    );
    let saved = save(&file, &[], vec![alice]);
    assert!(saved[0].password_in_keyring && saved[0].password.is_none());
    let text = accounts_text(&file);
    assert!(text.contains("password_in_keyring: true"), "{text}");
    assert!(
        !text.contains("first pass") && !text.contains("password:"),
        "{text}"
    );
    let stored = items();
    assert_eq!(stored.len(), 1, "{stored:?}");
    let (label, attributes, secret) = &stored[0];
    assert_eq!(label, "sipchat: alice@example.org");
    assert_eq!(
        attributes.get(ATTRIBUTE_APPLICATION).map(String::as_str),
        Some(APPLICATION)
    );
    assert_eq!(
        attributes.get(ATTRIBUTE_ACCOUNT).map(String::as_str),
        Some("alice@example.org")
    );
    assert_eq!(attributes.get(ATTRIBUTE_URI).map(String::as_str), Some(URI));
    assert_eq!(secret, "first pass \"quoted\"");

    // The runtime's account setup gets it from the keyring; config.ron's
    // `password` and `password_file` work as before beside it.
    let account = loaded(&config, "alice@example.org");
    assert_eq!(account.password().unwrap().expose(), "first pass \"quoted\"");
    assert_eq!(
        runtime_password(&account).unwrap().as_deref(),
        Some("first pass \"quoted\"")
    );
    let inline = loaded(&config, "inline");
    assert_eq!(
        runtime_password(&inline).unwrap().as_deref(),
        Some("carol-inline")
    );
    let from_file = loaded(&config, "from-file");
    assert_eq!(
        runtime_password(&from_file).unwrap().as_deref(),
        Some("dave-file")
    );
    assert_eq!(items().len(), 1, "config.ron's passwords never go to the keyring");

    // A new password replaces the item.
    let changed = save(&file, &saved, vec![typed(saved[0].clone(), "second-pass")]);
    let stored = items();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].2, "second-pass");
    assert!(!accounts_text(&file).contains("second-pass"));
    assert_eq!(
        loaded(&config, "alice@example.org").password().unwrap().expose(),
        "second-pass"
    );

    // Renamed, password field left empty: the password moves with it.
    let mut renamed = changed[0].clone();
    renamed.name = "work".into();
    let renamed = save(&file, &changed, vec![renamed]);
    let stored = items();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].0, "sipchat: alice@example.org (work)");
    assert_eq!(
        stored[0].1.get(ATTRIBUTE_ACCOUNT).map(String::as_str),
        Some("work")
    );
    assert_eq!(
        runtime_password(&loaded(&config, "work")).unwrap().as_deref(),
        Some("second-pass")
    );

    // Removed in the window: its item goes too.
    save(&file, &renamed, Vec::new());
    assert_eq!(items(), Vec::new());
    assert!(!accounts_text(&file).contains("work"));

    // No Secret Service on the bus: saving falls back to the 0600 file, and an
    // account whose password is in the keyring fails in words.
    let in_keyring = save(
        &file,
        &[],
        vec![typed(AccountConfig::new("alice", URI), "kept-in-keyring")],
    );
    assert!(in_keyring[0].password_in_keyring);
    bus.stop_keyring();
    let error = loaded(&config, "alice").password().unwrap_err().to_string();
    assert!(error.starts_with(NOT_RUNNING), "{error}");
    assert!(!error.contains("kept-in-keyring"), "{error}");
    let error = runtime_password(&loaded(&config, "alice")).unwrap_err();
    let said = format!("account \"alice\": {NOT_RUNNING} (");
    assert!(error.starts_with(&said), "{error}");

    let mut bob = AccountConfig::new("bob", "sip:bob@example.org");
    bob.password = Some(Secret::new("bob-fallback"));
    let saved = save(&file, &in_keyring, vec![in_keyring[0].clone(), bob]);
    assert!(!saved[1].password_in_keyring);
    let text = accounts_text(&file);
    assert!(text.contains("password: \"bob-fallback\""), "{text}");
    assert_eq!(
        runtime_password(&loaded(&config, "bob")).unwrap().as_deref(),
        Some("bob-fallback")
    );
    // Removing an account while the keyring is away still saves the file.
    let saved = save(&file, &saved, vec![saved[1].clone()]);
    assert_eq!(saved.len(), 1);

    // No session bus at all: the same words.
    std::env::set_var(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", dir.path().join("no-bus").display()),
    );
    let mut carol = AccountConfig::new("carol", "sip:carol@example.org");
    carol.password_in_keyring = true;
    let error = carol.password().unwrap_err().to_string();
    assert!(error.contains(NOT_RUNNING), "{error}");
    let saved = save(
        &file,
        &saved,
        vec![
            saved[0].clone(),
            typed(AccountConfig::new("erin", "sip:erin@example.org"), "erin-pass"),
        ],
    );
    assert!(accounts_text(&file).contains("erin-pass"));
    assert!(!saved[1].password_in_keyring);
}
