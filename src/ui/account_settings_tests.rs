//! Settings > Accounts driven through update(): the accounts file it writes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::ui::account_form::Message as Form;
use sipchat::config::{load_accounts, Secret, ACCOUNTS_FILE};

fn config_with(accounts: &[&str]) -> Config {
    let mut config = Config::default();
    for name in accounts {
        let mut account = AccountConfig::new(*name, format!("sip:{name}@example.org"));
        account.password = Some(Secret::new("pw"));
        config.accounts.push(account);
    }
    config
}

fn add(settings: &mut AccountSettings, address: &str) -> Result<Action, String> {
    settings.update(Message::Add).unwrap();
    settings
        .update(Message::Form(Form::Address(address.into())))
        .unwrap();
    settings
        .update(Message::Form(Form::Password("pw".into())))
        .unwrap();
    settings.update(Message::Form(Form::Save))
}

#[test]
fn adding_editing_disabling_and_removing_write_the_accounts_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(ACCOUNTS_FILE);
    let config = config_with(&["office"]);
    let mut settings = AccountSettings::new(&config, Vec::new(), Some(file.clone()));
    assert!(!settings.has_no_server_account());

    assert_eq!(add(&mut settings, "alice@home.example"), Ok(Action::Changed));
    assert!(settings.form.is_none(), "the dialog closes once saved");
    let saved = load_accounts(&file).unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].uri, "sip:alice@home.example");

    // Edit: the name changes, the entry is replaced.
    settings
        .update(Message::Edit("alice@home.example".into()))
        .unwrap();
    settings.update(Message::Form(Form::Name("home".into()))).unwrap();
    assert_eq!(settings.update(Message::Form(Form::Save)), Ok(Action::Changed));
    let names: Vec<String> = load_accounts(&file)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["home"]);

    assert_eq!(
        settings.update(Message::Toggle("home".into())),
        Ok(Action::Changed)
    );
    assert!(!load_accounts(&file).unwrap()[0].enabled);
    assert_eq!(
        settings.update(Message::Toggle("home".into())),
        Ok(Action::Changed)
    );
    assert!(load_accounts(&file).unwrap()[0].enabled);

    // Removing asks first; Keep leaves it.
    assert_eq!(settings.update(Message::Remove("home".into())), Ok(Action::None));
    assert_eq!(settings.update(Message::CancelRemove), Ok(Action::None));
    assert_eq!(settings.update(Message::ConfirmRemove), Ok(Action::None));
    assert_eq!(load_accounts(&file).unwrap().len(), 1);
    settings.update(Message::Remove("home".into())).unwrap();
    assert_eq!(settings.update(Message::ConfirmRemove), Ok(Action::Changed));
    assert!(load_accounts(&file).unwrap().is_empty());
}

#[test]
fn accounts_of_the_config_file_are_not_editable_here_and_names_stay_unique() {
    let config = config_with(&["office"]);
    let mut settings = AccountSettings::new(&config, Vec::new(), None);
    assert_eq!(settings.update(Message::Edit("office".into())), Ok(Action::None));
    assert!(settings.form.is_none());
    assert_eq!(
        settings.update(Message::Toggle("office".into())),
        Ok(Action::None)
    );
    settings.update(Message::Add).unwrap();
    settings
        .update(Message::Form(Form::Address("office@example.org".into())))
        .unwrap();
    settings
        .update(Message::Form(Form::Password("pw".into())))
        .unwrap();
    settings
        .update(Message::Form(Form::Name("office".into())))
        .unwrap();
    assert_eq!(settings.update(Message::Form(Form::Save)), Ok(Action::None));
    let error = settings.form.as_ref().and_then(|f| f.error()).unwrap();
    assert!(error.contains("“office”"), "{error}");
}

#[test]
fn a_file_that_cannot_be_written_is_an_error_and_nothing_changes() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: the rename fails.
    let file = dir.path().join(ACCOUNTS_FILE);
    std::fs::create_dir(&file).unwrap();
    std::fs::write(file.join("x"), "keep the directory non-empty").unwrap();
    let mut settings = AccountSettings::new(&Config::default(), Vec::new(), Some(file));
    assert!(settings.has_no_server_account());
    let error = add(&mut settings, "alice@example.org").unwrap_err();
    assert!(error.starts_with("The accounts could not be saved: "), "{error}");
    assert!(settings.window_accounts().is_empty());
    assert!(settings.form.is_some(), "the dialog stays open to try again");
}

#[test]
fn escape_closes_the_question_or_the_dialog() {
    let mut settings = AccountSettings::new(&Config::default(), Vec::new(), None);
    assert!(!settings.escape());
    settings.open_add();
    assert!(settings.escape());
    assert!(settings.form.is_none());
}
