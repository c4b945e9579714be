//! Tests of SIP URI and proxy parsing and of password handling.

use super::*;

#[test]
fn sip_uris_are_split() {
    let p = parse_sip_uri("sip:alice@example.org").unwrap();
    assert_eq!(
        p,
        SipUriParts {
            secure: false,
            user: Some("alice"),
            host: "example.org",
            port: None,
            params: ""
        }
    );
    let p = parse_sip_uri("SIPS:bob@[2001:db8::1]:5061;transport=tcp?subject=x").unwrap();
    assert!(p.secure);
    assert_eq!(p.user, Some("bob"));
    assert_eq!(p.host, "2001:db8::1");
    assert_eq!(p.port, Some(5061));
    assert_eq!(p.params, "transport=tcp");
    let p = parse_sip_uri("sip:10.0.0.1:5070").unwrap();
    assert_eq!((p.user, p.host, p.port), (None, "10.0.0.1", Some(5070)));
}

#[test]
fn bad_sip_uris_are_rejected() {
    for (uri, problem) in [
        ("alice@example.org", "must start with sip: or sips:"),
        ("tel:+123", "must start with sip: or sips:"),
        ("", "must start with sip: or sips:"),
        ("sip:", "must have a host"),
        ("sip:alice@", "must have a host"),
        ("sip:@example.org", "has an empty user part before @"),
        ("sip:alice@exa mple.org", "must not contain spaces"),
        ("sip:alice@example.org:0", "has an invalid port"),
        ("sip:alice@example.org:http", "has an invalid port"),
        ("sip:alice@ex/ample.org", "has an invalid host"),
        ("sip:alice@[::1", "has an unclosed [ in its host"),
        ("sip:alice@[::1]x", "has junk after its host"),
        ("sip:alice@[zz]", "has an invalid IPv6 host"),
    ] {
        assert_eq!(parse_sip_uri(uri), Err(problem), "{uri}");
    }
}

#[test]
fn proxies_are_parsed() {
    let cases = [
        ("sip:proxy.example.org", Transport::Udp, None),
        (
            "sip:proxy.example.org:5060;transport=tcp",
            Transport::Tcp,
            Some(5060),
        ),
        ("sip:proxy.example.org;lr;transport=TLS", Transport::Tls, None),
        ("sips:proxy.example.org", Transport::Tls, None),
        (
            "sips:proxy.example.org:5061;transport=tcp",
            Transport::Tls,
            Some(5061),
        ),
    ];
    for (proxy, transport, port) in cases {
        let addr = parse_proxy(proxy).unwrap();
        assert_eq!(addr.transport, transport, "{proxy}");
        assert_eq!(addr.port, port, "{proxy}");
        assert_eq!(addr.host, "proxy.example.org");
    }
    let mut account = AccountConfig::new("w", "sip:a@b");
    assert_eq!(account.proxy_addr(), Ok(None));
    account.proxy = Some("sip:p;transport=ws".into());
    let e = account.proxy_addr().unwrap_err();
    assert_eq!(
        e.to_string(),
        "account \"w\": proxy \"sip:p;transport=ws\" has unsupported transport \"ws\" (expected udp, tcp or tls)"
    );
}

#[test]
fn auth_user_defaults_to_uri_user() {
    let mut account = AccountConfig::new("w", "sips:carol@example.org;foo=bar");
    assert_eq!(account.auth_user(), "carol");
    account.auth_user = Some("carol-auth".into());
    assert_eq!(account.auth_user(), "carol-auth");
    let broken = AccountConfig::new("w", "carol");
    assert_eq!(broken.auth_user(), "");
}

#[test]
fn password_file_is_read_and_trimmed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pw");
    std::fs::write(&file, "s3cret pass \r\n\n").unwrap();
    let mut account = AccountConfig::new("w", "sip:a@b");
    account.password_file = Some(file.clone());
    assert!(account.has_password());
    assert_eq!(account.password().unwrap().expose(), "s3cret pass ");

    std::fs::write(&file, "no-newline").unwrap();
    assert_eq!(account.password().unwrap().expose(), "no-newline");

    std::fs::write(&file, "\n").unwrap();
    let msg = account.password().unwrap_err().to_string();
    assert_eq!(
        msg,
        format!(
            "account \"w\": cannot read password_file {}: the file is empty",
            file.display()
        )
    );
}

#[test]
fn unreadable_password_file_names_path_not_content() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing-pw");
    let mut account = AccountConfig::new("work", "sip:a@b");
    account.password_file = Some(missing.clone());
    let e = account.password().unwrap_err();
    assert!(matches!(e, ConfigError::PasswordFile { .. }), "{e:?}");
    let msg = e.to_string();
    assert!(
        msg.starts_with(&format!(
            "account \"work\": cannot read password_file {}: ",
            missing.display()
        )),
        "{msg}"
    );

    // Not UTF-8: the error still names only the file.
    let binary = dir.path().join("binary-pw");
    std::fs::write(&binary, [0xff, 0xfe, b's', b'e', b'c']).unwrap();
    account.password_file = Some(binary.clone());
    let msg = account.password().unwrap_err().to_string();
    assert!(msg.contains(&binary.display().to_string()), "{msg}");
    assert!(!msg.contains("sec"), "{msg}");
}

#[test]
fn missing_or_double_password() {
    let mut account = AccountConfig::new("w", "sip:a@b");
    assert!(!account.has_password());
    let e = account.password().unwrap_err();
    assert_eq!(e.to_string(), "account \"w\" has no password or password_file");
    account.password = Some(Secret::new("x"));
    account.password_file = Some("/pw".into());
    let e = account.password().unwrap_err();
    assert_eq!(
        e.to_string(),
        "account \"w\": set only one of password, password_file and password_in_keyring"
    );
    account.password_file = None;
    account.password_in_keyring = true;
    assert!(account.password().is_err());
    assert!(account.validate(0).is_err());
    account.password = None;
    assert!(account.has_password());
    assert_eq!(account.validate(0), Ok(()));
}

#[test]
fn tilde_and_relative_paths_are_resolved() {
    let home = Path::new("/home/u");
    let base = Path::new("/cfg");
    let mut account = AccountConfig::new("w", "sip:a@b");
    account.password_file = Some("~/pw".into());
    account.tls.ca_file = Some("ca.pem".into());
    account.download_dir = Some("/abs/dl".into());
    account.resolve_paths(base, Some(home));
    assert_eq!(account.password_file, Some(PathBuf::from("/home/u/pw")));
    assert_eq!(account.tls.ca_file, Some(PathBuf::from("/cfg/ca.pem")));
    assert_eq!(account.download_dir, Some(PathBuf::from("/abs/dl")));
}
