//! Accounts in the window through App::update: the first-start offer, the
//! dialog, and applying a change by restarting the runtime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::ui::account_form::Message as Form;
use crate::ui::account_settings::AccountSettings;
use crate::ui::app::{Commands, Startup};
use crate::ui::bridge::EventSource;
use crate::ui::certificate_prompt;
use crate::ui::restart::{Outcome, Restarted, Restarter};
use crate::ui::state::WindowState;
use sipchat::config::{load_accounts, AccountConfig, Config, Secret, ACCOUNTS_FILE};
use sipchat::model::{AccountId, MessageId};
use sipchat::runtime::{Event, RuntimeError};
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Command>>>);

impl Recorder {
    fn take(&self) -> Vec<Command> {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

impl Commands for Recorder {
    fn send(&self, command: Command) -> Result<(), RuntimeError> {
        if let Ok(mut c) = self.0.lock() {
            c.push(command);
        }
        Ok(())
    }

    fn next_message_id(&self) -> MessageId {
        MessageId(10_000)
    }
}

fn local() -> AccountId {
    AccountId(AccountId::LOCAL.into())
}

fn source() -> EventSource {
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    EventSource::runtime(rx)
}

fn app_with(accounts: AccountSettings, restart: Option<Restarter>, state: WindowState) -> (App, Recorder) {
    let recorder = Recorder::default();
    let (app, _) = App::new(
        recorder.clone(),
        source(),
        vec![local()],
        Some(local()),
        Startup {
            state,
            accounts,
            restart,
            ..Startup::default()
        },
    );
    recorder.take();
    (app, recorder)
}

fn accounts(dir: &std::path::Path) -> AccountSettings {
    AccountSettings::new(&Config::default(), Vec::new(), Some(dir.join(ACCOUNTS_FILE)))
}

fn add_alice(app: &mut App) -> Task<Message> {
    let _ = app.update(Message::Accounts(account_settings::Message::Add));
    for field in [
        Form::Address("alice@example.org".into()),
        Form::Password("pw".into()),
    ] {
        let _ = app.update(Message::Accounts(account_settings::Message::Form(field)));
    }
    app.update(Message::Accounts(account_settings::Message::Form(Form::Save)))
}

#[test]
fn without_a_sip_account_the_window_offers_one_until_turned_down() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = app_with(accounts(dir.path()), None, WindowState::default());
    assert!(app.offers_account());
    let _ = app.update(Message::DismissAccountOffer);
    assert!(!app.offers_account());
    assert!(app.state.account_offer_dismissed, "remembered in window.ron");

    // With an account in the configuration there is no offer.
    let mut config = Config::default();
    let mut work = AccountConfig::new("work", "sip:a@example.org");
    work.password = Some(Secret::new("pw"));
    config.accounts.push(work);
    let settings = AccountSettings::new(&config, Vec::new(), None);
    let (app, _) = app_with(settings, None, WindowState::default());
    assert!(!app.offers_account());
}

#[test]
fn the_offer_opens_the_dialog_and_esc_closes_only_the_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = app_with(accounts(dir.path()), None, WindowState::default());
    app.settings_open = true;
    let _ = app.update(Message::Accounts(account_settings::Message::Add));
    assert!(app.accounts.form.is_some());
    assert!(app.focus_order().is_empty(), "Tab stays out of the window behind");
    let _ = app.update(Message::Escape);
    assert!(app.accounts.form.is_none());
    assert!(app.settings_open);
    let _ = app.update(Message::Escape);
    assert!(!app.settings_open);
}

#[test]
fn without_a_restarter_a_saved_account_asks_for_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = app_with(accounts(dir.path()), None, WindowState::default());
    let _ = add_alice(&mut app);
    assert_eq!(load_accounts(&dir.path().join(ACCOUNTS_FILE)).unwrap().len(), 1);
    assert_eq!(
        app.notice_text().as_deref(),
        Some("The accounts were saved. Restart sipchat to use them.")
    );
    assert!(!app.offers_account());
}

#[test]
fn a_saved_account_restarts_the_runtime_and_the_window_uses_the_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let restarter = Restarter::new(|| Err("not used in this test".into()));
    let (mut app, old) = app_with(accounts(dir.path()), Some(restarter), WindowState::default());
    let _ = add_alice(&mut app);
    assert!(app.restarting);
    assert_eq!(app.info_text().as_deref(), Some("Applying the changed accounts…"));
    // The old runtime stops: expected, so no "stopped" notice.
    let _ = app.update(Message::Runtime(Event::Stopped));
    assert_eq!(app.info_text().as_deref(), Some("Applying the changed accounts…"));
    assert_eq!(app.notice, None);

    let new = Recorder::default();
    let alice = AccountId("alice@example.org".into());
    let restarted = Restarted {
        runtime: Box::new(new.clone()),
        events: source(),
        accounts: vec![alice.clone(), local()],
        sending: Some(alice.clone()),
        settings: AccountSettings::new(
            &Config::default(),
            load_accounts(&dir.path().join(ACCOUNTS_FILE)).unwrap(),
            None,
        ),
        notice: None,
        identities: Vec::new(),
    };
    let _ = app.update(Message::Restarted(Outcome::new(Ok(restarted))));
    assert!(!app.restarting);
    assert!(!app.stopped, "the window can send again");
    // News, not an error: shown in the info style.
    assert_eq!(
        app.info_text().as_deref(),
        Some("The accounts were changed and are in use now.")
    );
    assert_eq!(app.notice, None);
    assert_eq!(app.sidebar.accounts.selected(), Some(&alice));
    assert_eq!(
        new.take(),
        [
            Command::LoadConversations,
            Command::LoadTransfers { account: None }
        ],
        "the list comes from the new runtime"
    );
    assert!(old.take().is_empty());
}

#[test]
fn a_failed_restart_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let restarter = Restarter::new(|| Err("unused".into()));
    let (mut app, _) = app_with(accounts(dir.path()), Some(restarter), WindowState::default());
    let _ = add_alice(&mut app);
    let outcome = Outcome::new(Err("config.ron:3:1: unexpected end of file".into()));
    let _ = app.update(Message::Restarted(outcome.clone()));
    assert_eq!(
        app.notice_text().as_deref(),
        Some("The changed accounts could not be used: config.ron:3:1: unexpected end of file")
    );
    // An outcome is used once.
    app.notice = None;
    let _ = app.update(Message::Restarted(outcome));
    assert_eq!(app.notice, None);
}

/// A SHA-256 fingerprint as the runtime reports it.
const FINGERPRINT: &str =
    "AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:AB:CD";

fn untrusted(account: &str, fingerprint: &str) -> Message {
    Message::Runtime(Event::CertificateUntrusted {
        account: AccountId(account.into()),
        certificate: sipchat::model::CertificateInfo {
            server_name: "example.org".into(),
            subject: "CN=example.org".into(),
            issuer: "CN=example.org".into(),
            names: vec!["example.org".into()],
            not_before: Some(1_700_000_000),
            not_after: Some(1_800_000_000),
            fingerprint: fingerprint.into(),
            self_signed: true,
        },
    })
}

#[test]
fn always_trust_sends_the_command_and_pins_a_window_account_in_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(ACCOUNTS_FILE);
    let (mut app, recorder) = app_with(accounts(dir.path()), None, WindowState::default());
    let _ = add_alice(&mut app);
    let name = load_accounts(&file).unwrap()[0].name.clone();
    recorder.take();

    let _ = app.update(untrusted(&name, FINGERPRINT));
    assert!(app.focus_order().is_empty(), "the prompt is a dialog");
    let _ = app.update(Message::Certificates(certificate_prompt::Message::AlwaysTrust));
    assert_eq!(
        recorder.take(),
        vec![Command::TrustCertificate {
            account: AccountId(name.clone()),
            fingerprint: FINGERPRINT.into(),
            always: true,
        }]
    );
    let saved = load_accounts(&file).unwrap();
    assert_eq!(saved[0].tls.fingerprint.as_deref(), Some(FINGERPRINT));
    assert!(!app.certificates.is_open());
}

#[test]
fn trust_once_pins_nothing_and_esc_cancels() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(ACCOUNTS_FILE);
    let (mut app, recorder) = app_with(accounts(dir.path()), None, WindowState::default());
    let _ = add_alice(&mut app);
    let name = load_accounts(&file).unwrap()[0].name.clone();
    recorder.take();

    let _ = app.update(untrusted(&name, FINGERPRINT));
    let _ = app.update(Message::Escape);
    assert!(recorder.take().is_empty(), "Esc trusts nothing");
    assert!(!app.certificates.is_open());

    let _ = app.update(untrusted(&name, FINGERPRINT));
    let _ = app.update(Message::Certificates(certificate_prompt::Message::TrustOnce));
    assert_eq!(
        recorder.take(),
        vec![Command::TrustCertificate {
            account: AccountId(name),
            fingerprint: FINGERPRINT.into(),
            always: false,
        }]
    );
    assert_eq!(load_accounts(&file).unwrap()[0].tls.fingerprint, None);
}
