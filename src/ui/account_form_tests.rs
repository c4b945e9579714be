//! The account dialog driven through update(): what it saves, and what it
//! says when a field is wrong.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn filled(address: &str, password: &str) -> AccountForm {
    let mut form = AccountForm::new(vec!["local".into(), "work".into()]);
    form.update(Message::Address(address.into()));
    form.update(Message::Password(password.into()));
    form
}

fn saved(form: &mut AccountForm) -> (AccountConfig, Option<String>) {
    match form.update(Message::Save) {
        Action::Save { account, replaces } => (*account, replaces),
        other => panic!("not saved: {other:?}, error {:?}", form.error()),
    }
}

fn refused(form: &mut AccountForm) -> String {
    assert_eq!(form.update(Message::Save), Action::None);
    form.error().expect("an error in words").to_string()
}

#[test]
fn a_minimal_account_is_an_address_and_a_password() {
    let mut form = filled(" alice@example.org ", "s3cret");
    let (account, replaces) = saved(&mut form);
    assert_eq!(replaces, None);
    assert_eq!(account.name, "alice@example.org");
    assert_eq!(account.uri, "sip:alice@example.org");
    assert_eq!(account.password.as_ref().map(|p| p.expose()), Some("s3cret"));
    assert_eq!(account.proxy, None);
    assert_eq!(account.msrp_relay, None);
    assert!(account.enabled);
    assert_eq!(form.error(), None);
}

#[test]
fn every_optional_field_goes_into_the_account() {
    let mut form = filled("sips:alice@example.org", "pw");
    form.update(Message::DisplayName(" Alice Liddell ".into()));
    form.update(Message::Proxy("proxy.example.org:5061".into()));
    form.update(Message::Transport(TransportChoice::Tls));
    form.update(Message::Relay("msrps://relay.example.org:2855;tcp".into()));
    form.update(Message::Trusted("sip:alerts@example.org, ops@example.org".into()));
    form.update(Message::Name("Office".into()));
    let (account, _) = saved(&mut form);
    assert_eq!(account.name, "Office");
    assert_eq!(account.display_name.as_deref(), Some("Alice Liddell"));
    assert_eq!(
        account.proxy.as_deref(),
        Some("sip:proxy.example.org:5061;transport=tls")
    );
    assert_eq!(
        account.msrp_relay.as_deref(),
        Some("msrps://relay.example.org:2855;tcp")
    );
    assert_eq!(
        account.trusted_alert_senders,
        ["sip:alerts@example.org", "sip:ops@example.org"]
    );
}

#[test]
fn a_transport_alone_goes_to_the_address_host() {
    let mut form = filled("alice@example.org", "pw");
    form.update(Message::Transport(TransportChoice::Tcp));
    let (account, _) = saved(&mut form);
    assert_eq!(account.proxy.as_deref(), Some("sip:example.org;transport=tcp"));
    // A transport written in the proxy is kept when the choice is automatic.
    let mut form = filled("alice@example.org", "pw");
    form.update(Message::Proxy("sip:10.0.0.1:5080;transport=TCP".into()));
    let (account, _) = saved(&mut form);
    assert_eq!(account.proxy.as_deref(), Some("sip:10.0.0.1:5080;transport=tcp"));
}

#[test]
fn a_bad_sip_address_is_refused_in_words() {
    let mut form = filled("alice", "pw");
    assert_eq!(
        refused(&mut form),
        "“alice” is not a SIP address like sip:alice@example.org."
    );
    form.update(Message::Address("mailto:alice@example.org".into()));
    assert_eq!(form.error(), None, "editing clears the error");
    assert_eq!(
        refused(&mut form),
        "“mailto:alice@example.org” is not a SIP address like sip:alice@example.org."
    );
    form.update(Message::Address("sip:alice@exa mple.org".into()));
    assert!(refused(&mut form).contains("is not a SIP address"));
    form.update(Message::Address("   ".into()));
    assert_eq!(
        refused(&mut form),
        "Enter your SIP address, like sip:alice@example.org."
    );
}

#[test]
fn a_missing_password_is_refused_in_words() {
    let mut form = filled("alice@example.org", "");
    assert_eq!(refused(&mut form), "Enter the password of sip:alice@example.org.");
}

#[test]
fn a_bad_proxy_is_refused_in_words() {
    for proxy in ["proxy example.org", "sip:proxy.example.org:99999", "http://x"] {
        let mut form = filled("alice@example.org", "pw");
        form.update(Message::Proxy(proxy.into()));
        let error = refused(&mut form);
        assert!(
            error.starts_with(&format!("“{proxy}” is not a proxy address")),
            "{proxy}: {error}"
        );
    }
    // TLS cannot go over UDP.
    let mut form = filled("alice@example.org", "pw");
    form.update(Message::Proxy("sips:proxy.example.org".into()));
    form.update(Message::Transport(TransportChoice::Udp));
    assert!(refused(&mut form).contains("is not a proxy address"));
}

#[test]
fn a_bad_relay_or_alert_sender_is_refused_in_words() {
    let mut form = filled("alice@example.org", "pw");
    form.update(Message::Relay("relay.example.org:2855".into()));
    assert_eq!(
        refused(&mut form),
        "“relay.example.org:2855” is not an MSRP relay like msrps://relay.example.org:2855;tcp."
    );
    form.update(Message::Relay(String::new()));
    form.update(Message::Trusted("sip:alerts@example.org, 10.0.0.1/8".into()));
    assert_eq!(
        refused(&mut form),
        "“10.0.0.1/8” is not a SIP address, an IP address, a network like 192.0.2.0/24 or a host name, \
         so it cannot be a trusted alert sender."
    );
    form.update(Message::Trusted("alerts.example.org:5060".into()));
    assert!(refused(&mut form).starts_with("“alerts.example.org:5060” is not"));
}

#[test]
fn alert_senders_may_be_addresses_networks_and_host_names() {
    let mut form = filled("alice@example.org", "pw");
    form.update(Message::Trusted(
        "ops@example.org, 192.0.2.7, 10.0.0.0/8 2001:db8::/32, alerts.example.org".into(),
    ));
    let (account, _) = saved(&mut form);
    assert_eq!(
        account.trusted_alert_senders,
        [
            "sip:ops@example.org",
            "192.0.2.7",
            "10.0.0.0/8",
            "2001:db8::/32",
            "alerts.example.org"
        ]
    );
}

#[test]
fn a_name_in_use_is_refused() {
    let mut form = filled("alice@example.org", "pw");
    form.update(Message::Name("work".into()));
    assert_eq!(
        refused(&mut form),
        "There is already an account named “work”; choose another account name."
    );
    form.update(Message::Name("local".into()));
    assert!(refused(&mut form).contains("“local”"));
}

#[test]
fn editing_keeps_the_password_and_hidden_fields_unless_changed() {
    let mut existing = AccountConfig::new("home", "sip:alice@home.example");
    existing.password = Some(Secret::new("old"));
    existing.expires = 120;
    existing.proxy = Some("sip:proxy.home.example;lr;transport=tcp".into());
    let mut form = AccountForm::edit(&existing, vec!["local".into()]);
    assert!(form.is_edit());
    assert_eq!(form.proxy, "sip:proxy.home.example;lr");
    assert_eq!(form.transport, TransportChoice::Tcp);
    assert_eq!(form.password, "", "the password is never shown");
    form.update(Message::Name("house".into()));
    let (account, replaces) = saved(&mut form);
    assert_eq!(replaces.as_deref(), Some("home"));
    assert_eq!(account.name, "house");
    assert_eq!(account.password.as_ref().map(|p| p.expose()), Some("old"));
    assert_eq!(account.expires, 120);
    assert_eq!(
        account.proxy.as_deref(),
        Some("sip:proxy.home.example;lr;transport=tcp")
    );

    let mut form = AccountForm::edit(&existing, vec![]);
    form.update(Message::Password("new".into()));
    let (account, _) = saved(&mut form);
    assert_eq!(account.password.as_ref().map(|p| p.expose()), Some("new"));
}

#[test]
fn a_keyring_password_stays_there_until_a_new_one_is_typed() {
    let mut existing = AccountConfig::new("home", "sip:alice@home.example");
    existing.password_in_keyring = true;
    let mut form = AccountForm::edit(&existing, vec![]);
    form.update(Message::DisplayName("Alice".into()));
    let (account, _) = saved(&mut form);
    assert!(account.password_in_keyring);
    assert_eq!(account.password, None);

    let mut form = AccountForm::edit(&existing, vec![]);
    form.update(Message::Password("new".into()));
    let (account, _) = saved(&mut form);
    assert!(
        !account.password_in_keyring,
        "saving puts the new one into the keyring"
    );
    assert_eq!(account.password.as_ref().map(|p| p.expose()), Some("new"));
}

#[test]
fn cancel_is_an_action() {
    let mut form = AccountForm::new(vec![]);
    assert_eq!(form.update(Message::Cancel), Action::Cancel);
}

#[test]
fn the_download_folder_and_largest_file_go_into_the_account() {
    let mut form = filled("alice@example.org", "pw");
    assert_eq!(form.max_file_size, "100", "the default, in megabytes");
    assert_eq!(form.update(Message::ChooseFolder), Action::ChooseFolder);
    form.update(Message::DownloadDir("/srv/incoming".into()));
    form.update(Message::MaxFileSize("2,5".into()));
    let (account, _) = saved(&mut form);
    assert_eq!(
        account.download_dir,
        Some(std::path::PathBuf::from("/srv/incoming"))
    );
    assert_eq!(account.max_file_size, 5 * MEGABYTE / 2);
    // Editing shows them again; emptied, they fall back to the defaults.
    let mut again = AccountForm::edit(&account, vec![]);
    assert_eq!(
        (again.download_dir.as_str(), again.max_file_size.as_str()),
        ("/srv/incoming", "2.50")
    );
    again.update(Message::DownloadDir(" ".into()));
    again.update(Message::MaxFileSize(String::new()));
    let (account, _) = saved(&mut again);
    assert_eq!(account.download_dir, None);
    assert_eq!(account.max_file_size, sipchat::config::DEFAULT_MAX_FILE_SIZE);
}

#[test]
fn a_largest_file_that_is_no_size_is_refused_in_words() {
    for typed in ["lots", "-3", "0"] {
        let mut form = filled("alice@example.org", "pw");
        form.update(Message::MaxFileSize(typed.into()));
        assert_eq!(
            refused(&mut form),
            format!("“{typed}” is not a size in megabytes.")
        );
    }
}
