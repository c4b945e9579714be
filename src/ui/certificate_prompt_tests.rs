use super::*;

fn certificate(fingerprint: &str) -> CertificateInfo {
    CertificateInfo {
        server_name: "sip.example.org".into(),
        subject: "CN=sip.example.org".into(),
        issuer: "CN=sip.example.org".into(),
        names: vec!["sip.example.org".into()],
        not_before: Some(1_700_000_000),
        not_after: Some(1_800_000_000),
        fingerprint: fingerprint.into(),
        self_signed: true,
    }
}

fn asking(fingerprint: &str) -> CertificatePrompts {
    let mut prompts = CertificatePrompts::default();
    prompts.untrusted(AccountId("work".into()), certificate(fingerprint));
    prompts
}

fn trust(fingerprint: &str, always: bool) -> Action {
    Action::Send(Command::TrustCertificate {
        account: AccountId("work".into()),
        fingerprint: fingerprint.into(),
        always,
    })
}

#[test]
fn trust_once_trusts_for_this_run_and_closes() {
    let mut prompts = asking("AB:CD");
    assert!(prompts.is_open());
    assert_eq!(prompts.update(Message::TrustOnce), trust("AB:CD", false));
    assert!(!prompts.is_open());
}

#[test]
fn always_trust_asks_to_keep_the_pin() {
    let mut prompts = asking("AB:CD");
    assert_eq!(prompts.update(Message::AlwaysTrust), trust("AB:CD", true));
    assert!(!prompts.is_open());
}

#[test]
fn cancel_trusts_nothing_and_closes() {
    let mut prompts = asking("AB:CD");
    assert_eq!(prompts.update(Message::Cancel), Action::None);
    assert!(!prompts.is_open());
    // A stray click after closing sends nothing either.
    assert_eq!(prompts.update(Message::AlwaysTrust), Action::None);
}

#[test]
fn a_new_question_about_the_same_account_replaces_the_old_one() {
    let mut prompts = asking("AB:CD");
    prompts.untrusted(AccountId("work".into()), certificate("EF:01"));
    assert_eq!(prompts.update(Message::TrustOnce), trust("EF:01", false));
    assert!(!prompts.is_open());
}

#[test]
fn a_changed_certificate_is_a_warning_that_only_dismisses() {
    let mut prompts = asking("AB:CD");
    prompts.changed(AccountId("work".into()), "AB:CD".into(), certificate("EF:01"));
    // The warning offers nothing to accept: the prompt about that account is gone.
    assert!(!prompts.is_open());
    assert_eq!(prompts.update(Message::AlwaysTrust), Action::None);
    assert_eq!(prompts.warnings().len(), 1);
    assert_eq!(
        prompts.update(Message::DismissWarning(AccountId("work".into()))),
        Action::None
    );
    assert!(prompts.warnings().is_empty());
}

#[test]
fn registering_clears_the_warning() {
    let mut prompts = CertificatePrompts::default();
    prompts.changed(AccountId("work".into()), "AB:CD".into(), certificate("EF:01"));
    prompts.registered(&AccountId("work".into()));
    assert!(prompts.warnings().is_empty());
}

#[test]
fn fingerprints_are_cut_into_two_lines_of_sixteen_pairs() {
    let pairs: Vec<String> = (0..32).map(|i| format!("{i:02X}")).collect();
    let lines = fingerprint_lines(&pairs.join(":"));
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 2);
    assert!(
        lines[0].starts_with("00:01:") && lines[0].ends_with("0F:"),
        "{lines:?}"
    );
    assert!(
        lines[1].starts_with("10:") && lines[1].ends_with(":1F"),
        "{lines:?}"
    );
}

#[test]
fn a_cancelled_prompt_leaves_a_banner_that_asks_again() {
    let mut prompts = asking("AB:CD");
    assert_eq!(prompts.update(Message::Cancel), Action::None);
    assert_eq!(prompts.warnings().len(), 1, "the banner");
    assert_eq!(
        prompts.update(Message::Review(AccountId("work".into()))),
        Action::None
    );
    assert!(prompts.is_open());
    assert!(prompts.warnings().is_empty());
    assert_eq!(prompts.update(Message::AlwaysTrust), trust("AB:CD", true));
}
