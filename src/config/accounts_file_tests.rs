//! Tests of the window's accounts file beside the configuration.

use super::*;

fn config_in(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("config.ron");
    fs::write(&path, text).unwrap();
    path
}

fn account(name: &str, uri: &str) -> AccountConfig {
    let mut a = AccountConfig::new(name, uri);
    a.password = Some(Secret::new("pw \"quoted\" \\ ünï"));
    a
}

#[test]
fn the_accounts_file_sits_beside_the_config_and_is_named_after_it() {
    assert_eq!(
        accounts_path(Path::new("/c/sipchat/config.ron")),
        Path::new("/c/sipchat/accounts.ron")
    );
    assert_eq!(
        accounts_path(Path::new("/t/alice.ron")),
        Path::new("/t/alice.accounts.ron")
    );
}

#[test]
fn saved_accounts_load_again_with_every_field_and_mode_0600() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(ACCOUNTS_FILE);
    let mut work = account("work", "sip:alice@example.org");
    work.display_name = Some("Alice A.".into());
    work.proxy = Some("sip:proxy.example.org:5061;transport=tls".into());
    work.msrp_relay = Some("msrps://relay.example.org:2855;tcp".into());
    work.trusted_alert_senders = vec!["sip:alerts@example.org".into(), "sip:ops@example.org".into()];
    work.expires = 120;
    work.tls.verify = false;
    work.tls.fingerprint = Some(format!("AB:CD:EF{}", ":00".repeat(29)));
    work.msrp.role = MsrpRole::Passive;
    work.msrp.relay_queue = Some(4 * 1024 * 1024);
    let mut home = account("home", "sips:alice@home.example");
    home.enabled = false;
    save_accounts(&path, &[work.clone(), home.clone()]).unwrap();

    assert_eq!(load_accounts(&path).unwrap(), vec![work, home]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // Saving again replaces the file (no temporary left behind).
    save_accounts(&path, &[]).unwrap();
    assert!(load_accounts(&path).unwrap().is_empty());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_missing_accounts_file_is_no_accounts() {
    let dir = tempfile::tempdir().unwrap();
    assert!(load_accounts(&dir.path().join(ACCOUNTS_FILE)).unwrap().is_empty());
}

#[test]
fn config_load_appends_the_window_accounts_after_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(
        dir.path(),
        r#"(accounts: [(name: "office", uri: "sip:a@office.example", password: "x")])"#,
    );
    save_accounts(&accounts_path(&config), &[account("home", "sip:a@home.example")]).unwrap();
    let loaded = Config::load(&config).unwrap();
    let names: Vec<&str> = loaded.accounts.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["office", "home"]);
    // The hand-written file is left exactly as it was.
    assert_eq!(
        fs::read_to_string(&config).unwrap(),
        r#"(accounts: [(name: "office", uri: "sip:a@office.example", password: "x")])"#
    );
}

#[test]
fn a_name_in_both_files_is_an_error_naming_the_accounts_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(
        dir.path(),
        r#"(accounts: [(name: "work", uri: "sip:a@office.example", password: "x")])"#,
    );
    let accounts = accounts_path(&config);
    save_accounts(&accounts, &[account("work", "sip:a@home.example")]).unwrap();
    let e = Config::load(&config).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: account name \"work\" is used by more than one account",
            accounts.display()
        )
    );
}

#[test]
fn syntax_errors_name_the_accounts_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "()");
    let accounts = accounts_path(&config);
    fs::write(
        &accounts,
        "[\n    (\n        name: \"w\",\n        uri: \"sip:a@b.example\",\n        pasword: \"x\",\n    ),\n]\n",
    )
    .unwrap();
    let e = Config::load(&config).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}:5:9: unexpected field \"pasword\"",
            accounts.display()
        )),
        "{e}"
    );
    assert!(e.contains("did you mean \"password\"?"), "{e}");
}

#[test]
fn a_bad_account_in_the_accounts_file_says_which_and_why() {
    let dir = tempfile::tempdir().unwrap();
    let config = config_in(dir.path(), "()");
    let accounts = accounts_path(&config);
    fs::write(&accounts, r#"[(name: "w", uri: "alice@example.org")]"#).unwrap();
    let e = Config::load(&config).unwrap_err().to_string();
    assert_eq!(
        e,
        format!(
            "{}: account \"w\": uri \"alice@example.org\" must start with sip: or sips:",
            accounts.display()
        )
    );
}

#[test]
fn an_oversized_accounts_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(ACCOUNTS_FILE);
    let file = fs::File::create(&path).unwrap();
    file.set_len(MAX_ACCOUNTS_FILE_BYTES + 1).unwrap();
    let e = load_accounts(&path).unwrap_err().to_string();
    assert!(e.contains("more than the"), "{e}");
}

#[test]
fn first_start_loads_window_accounts_that_are_already_there() {
    let dir = tempfile::tempdir().unwrap();
    let config_file = dir.path().join("config.ron");
    save_accounts(
        &accounts_path(&config_file),
        &[account("home", "sip:a@home.example")],
    )
    .unwrap();
    let paths = crate::paths::Paths {
        config_file: config_file.clone(),
        config_explicit: false,
        data_dir: dir.path().join("data"),
    };
    let (config, written) = Config::load_or_init(&paths).unwrap();
    assert_eq!(written.as_deref(), Some(config_file.as_path()));
    assert_eq!(config.accounts.len(), 1);
}

#[test]
fn a_keyring_account_is_saved_without_a_secret_and_loads_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(ACCOUNTS_FILE);
    let mut alice = AccountConfig::new("alice", "sip:alice@example.org");
    alice.password_in_keyring = true;
    save_accounts(&path, std::slice::from_ref(&alice)).unwrap();
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("password_in_keyring: true"), "{text}");
    assert!(!text.contains("password:"), "{text}");
    assert_eq!(load_accounts(&path).unwrap(), vec![alice]);
}

#[test]
fn saving_with_the_file_store_keeps_typed_passwords_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(ACCOUNTS_FILE);
    let mut accounts = vec![account("work", "sip:alice@example.org")];
    save_window_accounts(&path, &[], &mut accounts, PasswordStore::File).unwrap();
    assert!(!accounts[0].password_in_keyring);
    assert_eq!(load_accounts(&path).unwrap(), accounts);
}

#[test]
fn a_renamed_keyring_account_finds_its_old_item() {
    let vanished = vec![
        ("old".to_string(), "sip:a@x".to_string()),
        ("other".to_string(), "sip:b@x".to_string()),
    ];
    assert_eq!(
        accounts_file::predecessor(&vanished, "old", "sip:c@x"),
        Some(("old", "sip:a@x"))
    );
    assert_eq!(
        accounts_file::predecessor(&vanished, "new", "sip:b@x"),
        Some(("other", "sip:b@x"))
    );
    assert_eq!(accounts_file::predecessor(&vanished, "new", "sip:c@x"), None);
    assert_eq!(
        accounts_file::predecessor(&vanished[..1], "new", "sip:c@x"),
        Some(("old", "sip:a@x"))
    );
}
