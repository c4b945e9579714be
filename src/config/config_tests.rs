//! Tests of loading, parsing, validating and initialising the configuration.

use super::example::{SAMPLE_BEGIN, SAMPLE_END};
use super::*;

const PATH: &str = "/home/a/.config/sipchat/config.ron";

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::from_ron(text, Path::new(PATH))
}

fn err(text: &str) -> String {
    parse(text).unwrap_err().to_string()
}

/// The example with the sample account's lines uncommented, as a user would do.
fn uncomment_sample(example: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    let mut seen = 0;
    for line in example.lines() {
        let trimmed = line.trim_start();
        if trimmed == SAMPLE_BEGIN || trimmed == SAMPLE_END {
            inside = trimmed == SAMPLE_BEGIN;
            seen += 1;
        } else if inside {
            let indent = &line[..line.len() - trimmed.len()];
            let rest = trimmed.strip_prefix("//").unwrap();
            let rest = rest.strip_prefix(' ').unwrap_or(rest);
            out.push_str(indent);
            out.push_str(rest);
            out.push('\n');
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    assert_eq!(seen, 2, "both sample markers must be in the example");
    out
}

#[test]
fn example_parses_to_defaults() {
    let config = parse(EXAMPLE_CONFIG).unwrap();
    assert_eq!(config, Config::default());
    assert!(config.accounts.is_empty());
    assert!(config.local.enabled);
    assert_eq!(config.local.user, "me");
    assert_eq!(config.local.bind, "::");
    assert_eq!(config.local.port, 5062);
}

#[test]
fn example_with_sample_account_uncommented_parses() {
    let text = uncomment_sample(EXAMPLE_CONFIG);
    assert_ne!(text, EXAMPLE_CONFIG);
    let config = parse(&text).unwrap();
    assert_eq!(config.accounts.len(), 1);
    let a = &config.accounts[0];
    assert_eq!(a.name, "work");
    assert_eq!(a.uri, "sip:alice@example.org");
    assert_eq!(a.display_name.as_deref(), Some("Alice Example"));
    assert_eq!(a.auth_user(), "alice");
    assert_eq!(a.password_file, Some(PathBuf::from("work.password")));
    assert_eq!(
        a.trusted_alert_senders,
        ["sip:alerts@example.org", "192.0.2.0/24"]
    );
    // The values written in the sample are the defaults.
    let mut defaults = AccountConfig::new("work", "sip:alice@example.org");
    defaults.display_name = a.display_name.clone();
    defaults.password_file = a.password_file.clone();
    defaults.trusted_alert_senders = a.trusted_alert_senders.clone();
    assert_eq!(*a, defaults);
}

#[test]
fn minimal_account_gets_defaults() {
    let config = parse(r#"(accounts: [(name: "work", uri: "sip:alice@example.org")])"#).unwrap();
    let a = config.account(None).unwrap();
    assert_eq!(*a, AccountConfig::new("work", "sip:alice@example.org"));
    assert!(a.register && a.enabled && a.tls.verify);
    assert_eq!(a.expires, 600);
    assert_eq!(a.keepalive_secs, None);
    assert_eq!(a.keepalive_secs_for(Transport::Udp), 15);
    assert_eq!(a.keepalive_secs_for(Transport::Tcp), 30);
    assert_eq!(a.max_file_size, 100 * 1024 * 1024);
    assert_eq!(a.auth_user(), "alice");
    assert_eq!(config.local, LocalAccountConfig::default());
}

#[test]
fn full_account_parses() {
    let text = r#"
// comment
(
    accounts: [
        (
            name: "work",
            uri: "sips:alice@example.org",
            display_name: Some("Alice"),
            auth_user: "alice-auth",
            password: "hunter2",
            proxy: "sips:proxy.example.org:5061;lr",
            register: false,
            expires: 3600,
            msrp_relay: "msrps://relay.example.org:2855;tcp",
            tls: (ca_file: "/etc/ca.pem", verify: false),
            trusted_alert_senders: ["sip:alerts@example.org", "sips:cap.example.org"],
            download_dir: "/tmp/dl",
            enabled: false,
            keepalive_secs: 0,
            max_file_size: 1024,
        ),
        (name: "home", uri: "sip:bob@home.example", password_file: "/run/pw"),
    ],
    local: (enabled: false, user: "alice", display_name: "Al", bind: "::", port: 0),
)"#;
    let config = parse(text).unwrap();
    let work = &config.accounts[0];
    assert_eq!(work.display_name.as_deref(), Some("Alice"));
    assert_eq!(work.auth_user(), "alice-auth");
    assert_eq!(work.password.as_ref().unwrap().expose(), "hunter2");
    assert_eq!(work.password().unwrap().expose(), "hunter2");
    let proxy = work.proxy_addr().unwrap().unwrap();
    assert_eq!(
        proxy,
        ProxyAddr {
            host: "proxy.example.org".into(),
            port: Some(5061),
            transport: Transport::Tls
        }
    );
    assert!(!work.register && !work.enabled && !work.tls.verify);
    assert_eq!(work.expires, 3600);
    assert_eq!(work.tls.ca_file, Some(PathBuf::from("/etc/ca.pem")));
    assert_eq!(work.keepalive_secs, Some(0));
    assert_eq!(work.keepalive_secs_for(Transport::Udp), 0);
    assert_eq!(work.max_file_size, 1024);
    assert_eq!(work.download_dir, Some(PathBuf::from("/tmp/dl")));
    // The disabled first account is skipped by default but can be named.
    assert_eq!(config.account(None).unwrap().name, "home");
    assert_eq!(config.account(Some("work")).unwrap().name, "work");
    assert_eq!(config.enabled_accounts().count(), 1);
    assert!(!config.local.enabled);
    assert_eq!(config.local.bind_addr(), Some("::".parse().unwrap()));
    let bracketed = parse(r#"(local: (bind: "[::1]"))"#).unwrap();
    assert_eq!(bracketed.local.bind_addr(), Some("::1".parse().unwrap()));
    assert!(
        parse(r#"(local: (bind: "[127.0.0.1]"))"#).is_err(),
        "brackets are for IPv6 only"
    );
}

#[test]
fn unknown_field_names_file_line_column_and_suggests() {
    let text = "(\n    accounts: [\n        (\n            name: \"work\",\n            uri: \"sip:a@b.org\",\n            passwrod: \"x\",\n        ),\n    ],\n)\n";
    match parse(text).unwrap_err() {
        ConfigError::Parse {
            line, col, message, ..
        } => {
            assert_eq!((line, col), (6, 13));
            assert!(
                message.starts_with(
                    "unexpected field \"passwrod\" in an account, expected one of \"name\", \"uri\""
                ),
                "{message}"
            );
            assert!(message.ends_with("(did you mean \"password\"?)"), "{message}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let msg = err(text);
    assert!(
        msg.starts_with(&format!("{PATH}:6:13: unexpected field \"passwrod\"")),
        "{msg}"
    );
}

#[test]
fn unknown_top_level_and_local_fields() {
    let msg = err("(\n  acounts: [],\n)");
    assert!(
        msg.starts_with(&format!(
            "{PATH}:2:3: unexpected field \"acounts\" at the top level"
        )),
        "{msg}"
    );
    assert!(msg.contains("did you mean \"accounts\"?"), "{msg}");
    let msg = err("(local: (prot: 1))");
    assert!(
        msg.starts_with(&format!("{PATH}:1:10: unexpected field \"prot\" in local")),
        "{msg}"
    );
    let msg = err("(accounts: [(name: \"w\", uri: \"sip:a@b\", tls: (verfy: true))])");
    assert!(
        msg.starts_with(&format!("{PATH}:1:47: unexpected field \"verfy\" in tls")),
        "{msg}"
    );
}

#[test]
fn syntax_and_type_errors_have_positions() {
    let msg = err("(\n  local: (port: 70000),\n)");
    assert!(msg.starts_with(&format!("{PATH}:2:")), "{msg}");
    let msg = err("(\n  local: (enabled: \"yes\"),\n)");
    assert!(msg.starts_with(&format!("{PATH}:2:")), "{msg}");
    assert!(msg.contains("boolean"), "{msg}");
    let msg = err("(\n  accounts: [\n");
    assert_eq!(msg, format!("{PATH}:3:1: expected `(` to start an account"));
    let msg = err("(\n  local: (port: 1");
    assert!(msg.contains("unexpected end of file"), "{msg}");
    let msg = err("(accounts: [(name: \"w\")])");
    assert!(msg.starts_with(&format!("{PATH}:1:")), "{msg}");
    assert!(msg.contains("missing field \"uri\" in an account"), "{msg}");
    let msg = err("(local: Local(port: 1))");
    assert_eq!(
        msg,
        format!("{PATH}:1:14: unexpected name \"Local\" before the `(` of local; write just `(...)`")
    );
    let msg = err("(accounts: [(name: \"w\", uri: 5)])");
    assert_eq!(msg, format!("{PATH}:1:30: expected string"));
    let msg = err("(local: (), local: ())");
    assert!(msg.contains("field \"local\" is given twice"), "{msg}");
}

#[test]
fn empty_account_name_is_invalid() {
    let msg = err(r#"(accounts: [(name: "a", uri: "sip:a@b"), (name: " ", uri: "sip:a@b")])"#);
    assert_eq!(msg, format!("{PATH}: account #2: name must not be empty"));
}

#[test]
fn duplicate_names_are_invalid() {
    let text = r#"(accounts: [(name: "work", uri: "sip:a@b"), (name: "work", uri: "sip:c@d")])"#;
    match parse(text).unwrap_err() {
        ConfigError::Invalid { path, source } => {
            assert_eq!(path.as_deref(), Some(Path::new(PATH)));
            assert_eq!(source, ValidationError::DuplicateName { name: "work".into() });
        }
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(
        err(text),
        format!("{PATH}: account name \"work\" is used by more than one account")
    );
}

/// The validation message for one account with `fields` added.
fn account_err(fields: &str) -> String {
    let text = format!(r#"(accounts: [(name: "work", uri: "sip:alice@example.org", {fields})])"#);
    let msg = err(&text);
    let prefix = format!("{PATH}: account \"work\": ");
    msg.strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{msg:?} lacks {prefix:?}"))
        .to_owned()
}

#[test]
fn a_pinned_fingerprint_is_taken_as_written_and_a_bad_one_is_named() {
    let pin =
        "ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    let text = format!(r#"(accounts: [(name: "work", uri: "sip:a@b", tls: (fingerprint: "{pin}"))])"#);
    let config = parse(&text).unwrap();
    assert_eq!(config.accounts[0].tls.fingerprint.as_deref(), Some(pin));
    assert!(config.accounts[0].tls.verify);
    let msg = err(r#"(accounts: [(name: "work", uri: "sip:a@b", tls: (fingerprint: "AB:CD"))])"#);
    assert_eq!(
        msg,
        format!(
            "{PATH}: account \"work\": tls.fingerprint \"AB:CD\" is not a SHA-256 fingerprint: expected 32 hex \
             pairs such as \"AB:CD:...\" (as sipchat prints it, or as `openssl x509 -noout -fingerprint -sha256` does)"
        )
    );
}

#[test]
fn bad_uris_are_invalid() {
    let msg = err(r#"(accounts: [(name: "work", uri: "alice@example.org")])"#);
    assert_eq!(
        msg,
        format!("{PATH}: account \"work\": uri \"alice@example.org\" must start with sip: or sips:")
    );
    let msg = err(r#"(accounts: [(name: "work", uri: "sip:example.org")])"#);
    assert!(
        msg.ends_with("uri \"sip:example.org\" must have a user part (sip:user@host)"),
        "{msg}"
    );
    let msg = err(r#"(accounts: [(name: "work", uri: "sip:alice@")])"#);
    assert!(msg.ends_with("uri \"sip:alice@\" must have a host"), "{msg}");
    let msg = err(r#"(accounts: [(name: "work", uri: "sip:alice:pw@example.org")])"#);
    assert!(msg.contains("must not contain a password"), "{msg}");
    assert_eq!(
        account_err(r#"trusted_alert_senders: ["alerts@example.org"]"#),
        "trusted_alert_senders entry \"alerts@example.org\" is not a SIP URI (sip:user@host), \
         an IP address, a CIDR network (192.0.2.0/24) or a host name"
    );
}

#[test]
fn trusted_senders_are_uris_addresses_networks_or_hosts_on_every_account() {
    let text = r#"(
    accounts: [(name: "work", uri: "sip:alice@example.org",
        trusted_alert_senders: ["sip:alerts@example.org", "192.0.2.7", "10.0.0.0/8", "2001:db8::/32",
                                "[::1]", "alerts.example.org"])],
    local: (trusted_alert_senders: ["127.0.0.1", "fd00::/8", "pager.lan"]),
)"#;
    let config = parse(text).unwrap();
    assert_eq!(config.accounts[0].trusted_alert_senders.len(), 6);
    assert_eq!(
        config.local.trusted_alert_senders,
        ["127.0.0.1", "fd00::/8", "pager.lan"]
    );
    assert_eq!(
        account_err(r#"trusted_alert_senders: ["10.0.0.1/8"]"#),
        "trusted_alert_senders entry \"10.0.0.1/8\" has host bits set after the prefix: did you mean 10.0.0.0/8?"
    );
    assert_eq!(
        account_err(r#"trusted_alert_senders: ["sip:alerts@"]"#),
        "trusted_alert_senders entry \"sip:alerts@\" must have a host"
    );
    let msg = err(r#"(local: (trusted_alert_senders: ["127.0.0.1:5060"]))"#);
    assert_eq!(
        msg,
        format!(
            "{PATH}: local account: trusted_alert_senders entry \"127.0.0.1:5060\" must not have a port: \
             the source address is matched, not its port"
        )
    );
    let msg = err(r#"(local: (trusted_alert_senders: ["10.0.0.0/33"]))"#);
    assert!(msg.contains("invalid prefix length \"33\" (0 to 32"), "{msg}");
}

#[test]
fn password_and_password_file_together_are_invalid() {
    assert_eq!(
        account_err(r#"password: "hunter2", password_file: "/pw""#),
        "set only one of password, password_file and password_in_keyring"
    );
    assert_eq!(
        account_err(r#"password: "hunter2", password_in_keyring: true"#),
        "set only one of password, password_file and password_in_keyring"
    );
    let msg = err(r#"(accounts: [(name: "w", uri: "sip:a@b", password: "hunter2", password_file: "/pw")])"#);
    assert!(!msg.contains("hunter2"));
}

#[test]
fn bad_proxies_are_invalid() {
    assert_eq!(
        account_err(r#"proxy: "sip:proxy.example.org;transport=sctp""#),
        "proxy \"sip:proxy.example.org;transport=sctp\" has unsupported transport \"sctp\" (expected udp, tcp or tls)"
    );
    assert_eq!(
        account_err(r#"proxy: "sips:proxy.example.org;transport=udp""#),
        "proxy \"sips:proxy.example.org;transport=udp\" is sips: and cannot use transport=udp (sips: implies tls)"
    );
    assert_eq!(
        account_err(r#"proxy: "proxy.example.org""#),
        "proxy \"proxy.example.org\" must start with sip: or sips:"
    );
    assert_eq!(
        account_err(r#"proxy: "sip:proxy.example.org:99999""#),
        "proxy \"sip:proxy.example.org:99999\" has an invalid port"
    );
}

#[test]
fn other_bad_values_are_invalid() {
    assert_eq!(
        account_err("expires: 0"),
        "expires 0 is out of range (1 to 86400 seconds)"
    );
    assert_eq!(
        account_err("expires: 86401"),
        "expires 86401 is out of range (1 to 86400 seconds)"
    );
    assert!(parse(r#"(accounts: [(name: "w", uri: "sip:a@b", expires: 86400)])"#).is_ok());
    assert_eq!(
        account_err(r#"msrp_relay: "http://relay.example.org""#),
        "msrp_relay \"http://relay.example.org\" must start with msrp:// or msrps://"
    );
    assert_eq!(
        account_err("msrp: (relay_queue: 1000)"),
        "msrp.relay_queue 1000 is too small (at least 16384 bytes)"
    );
    assert_eq!(
        account_err(r#"auth_user: """#),
        "auth_user must not be empty when given"
    );
    assert_eq!(
        err(r#"(local: (bind: "localhost"))"#),
        format!("{PATH}: local account: bind \"localhost\" is not an IP address")
    );
    assert_eq!(
        err(r#"(local: (user: "a b"))"#),
        format!("{PATH}: local account: user \"a b\" must not contain spaces or any of @ : < > \"")
    );
}

#[test]
fn secrets_are_redacted() {
    let config =
        parse(r#"(accounts: [(name: "w", uri: "sip:a@b", password: "hunter2-very-secret")])"#).unwrap();
    let debug = format!("{config:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("***"), "{debug}");
    let pretty = format!("{config:#?}");
    assert!(!pretty.contains("hunter2"));
    let secret = config.accounts[0].password().unwrap();
    assert_eq!(format!("{secret}"), "***");
    assert_eq!(format!("{secret:?}"), "***");
    assert_eq!(secret.expose(), "hunter2-very-secret");
}

#[test]
fn account_selection() {
    let config =
        parse(r#"(accounts: [(name: "a", uri: "sip:a@b", enabled: false), (name: "b", uri: "sip:b@b")])"#)
            .unwrap();
    assert_eq!(config.account(None).unwrap().name, "b");
    assert_eq!(config.account(Some("a")).unwrap().name, "a");
    let e = config.account(Some("c")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "no account named \"c\" (known accounts: \"a\", \"b\")"
    );

    let empty = Config::default();
    assert!(matches!(empty.account(None), Err(ConfigError::NoAccounts)));
    assert_eq!(
        empty.account(Some("x")).unwrap_err().to_string(),
        "no account named \"x\" (no accounts are configured)"
    );
    let all_disabled = parse(r#"(accounts: [(name: "a", uri: "sip:a@b", enabled: false)])"#).unwrap();
    assert!(matches!(all_disabled.account(None), Err(ConfigError::NoAccounts)));
}

#[test]
fn load_reports_file_and_resolves_relative_paths() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.ron");
    std::fs::write(
        &path,
        r#"(accounts: [(name: "w", uri: "sip:a@b", password_file: "pw", download_dir: "/abs", tls: (ca_file: "certs/ca.pem"))])"#,
    )
    .unwrap();
    let config = Config::load(&path).unwrap();
    let a = &config.accounts[0];
    assert_eq!(a.password_file, Some(dir.path().join("pw")));
    assert_eq!(a.tls.ca_file, Some(dir.path().join("certs/ca.pem")));
    assert_eq!(a.download_dir, Some(PathBuf::from("/abs")));

    std::fs::write(&path, "(\n  local: (pport: 1),\n)").unwrap();
    let msg = Config::load(&path).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("{}:2:11: unexpected field \"pport\"", path.display())),
        "{msg}"
    );

    let missing = dir.path().join("nope.ron");
    let msg = Config::load(&missing).unwrap_err().to_string();
    assert!(
        msg.starts_with(&format!("cannot read config file {}:", missing.display())),
        "{msg}"
    );
}

#[test]
fn load_or_init_writes_example_on_first_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep/er/config.ron");
    let paths = Paths {
        config_file: path.clone(),
        data_dir: dir.path().join("data"),
        config_explicit: false,
    };
    let (config, written) = Config::load_or_init(&paths).unwrap();
    assert_eq!(written.as_deref(), Some(path.as_path()));
    assert_eq!(config, Config::default());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXAMPLE_CONFIG);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "example config must be private, mode {mode:o}");
    }
    // Second run: the file exists and is loaded, nothing is written.
    let (again, written) = Config::load_or_init(&paths).unwrap();
    assert_eq!(again, Config::default());
    assert_eq!(written, None);
}

#[test]
fn load_or_init_errors_for_missing_explicit_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.ron");
    let paths = Paths {
        config_file: path.clone(),
        data_dir: dir.path().to_path_buf(),
        config_explicit: true,
    };
    let e = Config::load_or_init(&paths).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!("config file {} does not exist", path.display())
    );
    assert!(!path.exists());
}

#[cfg(unix)]
#[test]
fn load_or_init_reports_unwritable_location() {
    let dir = tempfile::tempdir().unwrap();
    // A dangling symlink where the config directory should be cannot be created.
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(dir.path().join("nowhere/at/all"), &link).unwrap();
    let paths = Paths {
        config_file: link.join("config.ron"),
        data_dir: dir.path().to_path_buf(),
        config_explicit: false,
    };
    let e = Config::load_or_init(&paths).unwrap_err();
    assert!(matches!(e, ConfigError::Write { .. }), "{e:?}");
    assert!(e.to_string().starts_with("cannot write an example config to "));
}
