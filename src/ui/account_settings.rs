//! Settings > Accounts: the accounts of `config.ron` (shown, edited only in
//! the file) and those added in the window (add, edit, disable, remove),
//! which live in the accounts file beside it (`config::accounts_path`).
//! Every change is written at once; the parent then applies it (restarts
//! the runtime).

use crate::ui::account_form::{self, AccountForm};
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::theme;
use crate::ui::widget;
use iced::widget::{button, column, row, space, text};
use iced::{Center, Element, Fill};
use sipchat::config::{save_window_accounts, AccountConfig, Config, PasswordStore};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Add,
    Edit(String),
    /// Enable or disable.
    Toggle(String),
    /// Asks to remove; `ConfirmRemove` does it.
    Remove(String),
    ConfirmRemove,
    CancelRemove,
    Form(account_form::Message),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// The accounts file changed: apply it.
    Changed,
    /// The form wants a folder dialog for the download folder.
    ChooseFolder,
}

/// An account of the hand-written configuration (read-only here).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Fixed {
    name: String,
    uri: String,
    enabled: bool,
    download_dir: Option<PathBuf>,
}

/// The accounts as Settings shows them, and the open form.
#[derive(Debug, Default)]
pub struct AccountSettings {
    /// Where window accounts are saved; `None` keeps them in memory (tests).
    file: Option<PathBuf>,
    /// Where typed passwords go: the desktop keyring when one runs (the
    /// window), or only the file (unit tests, which must never touch the
    /// keyring of the desktop they run on).
    passwords: PasswordStore,
    fixed: Vec<Fixed>,
    window: Vec<AccountConfig>,
    /// Whether the local (peer-to-peer) account runs.
    local: bool,
    /// The add/edit dialog, while open.
    pub form: Option<AccountForm>,
    confirm_remove: Option<String>,
}

impl AccountSettings {
    /// Splits `config`'s accounts into those of the config file and those
    /// of the accounts file (`window`, which `Config::load` appended).
    pub fn new(config: &Config, window: Vec<AccountConfig>, file: Option<PathBuf>) -> AccountSettings {
        let fixed = config
            .accounts
            .iter()
            .filter(|a| !window.iter().any(|w| w.name == a.name))
            .map(|a| Fixed {
                name: a.name.clone(),
                uri: a.uri.clone(),
                enabled: a.enabled,
                download_dir: a.download_dir.clone(),
            })
            .collect();
        AccountSettings {
            file,
            passwords: if cfg!(test) {
                PasswordStore::File
            } else {
                PasswordStore::Keyring
            },
            fixed,
            window,
            local: config.local.enabled,
            form: None,
            confirm_remove: None,
        }
    }

    /// Where the account's received files go, when its configuration says.
    pub fn download_dir(&self, account: &str) -> Option<PathBuf> {
        let window = self.window.iter().find(|a| a.name == account);
        match window {
            Some(a) => a.download_dir.clone(),
            None => self
                .fixed
                .iter()
                .find(|f| f.name == account)
                .and_then(|f| f.download_dir.clone()),
        }
    }

    /// No SIP account at a server is configured at all.
    pub fn has_no_server_account(&self) -> bool {
        self.fixed.is_empty() && self.window.is_empty()
    }

    /// The accounts the window manages, as saved.
    #[cfg(test)]
    pub fn window_accounts(&self) -> &[AccountConfig] {
        &self.window
    }

    /// Opens the form for a new account.
    pub fn open_add(&mut self) {
        self.form = Some(AccountForm::new(self.names_except(None)));
    }

    /// Closes the form or the removal question; `false` if neither was open.
    pub fn escape(&mut self) -> bool {
        self.confirm_remove.take().is_some() | self.form.take().is_some()
    }

    fn names_except(&self, name: Option<&str>) -> Vec<String> {
        let mut names: Vec<String> = self.fixed.iter().map(|f| f.name.clone()).collect();
        names.extend(self.window.iter().map(|a| a.name.clone()));
        names.push(sipchat::model::AccountId::LOCAL.to_string());
        names.retain(|n| Some(n.as_str()) != name);
        names
    }

    /// Handles a message; an `Err` is a save that failed, in words.
    pub fn update(&mut self, message: Message) -> Result<Action, String> {
        match message {
            Message::Add => self.open_add(),
            Message::Edit(name) => {
                if let Some(account) = self.window.iter().find(|a| a.name == name) {
                    self.form = Some(AccountForm::edit(account, self.names_except(Some(&name))));
                }
            }
            Message::Toggle(name) => {
                let before = self.window.clone();
                if let Some(account) = self.window.iter_mut().find(|a| a.name == name) {
                    account.enabled = !account.enabled;
                    return self.save(before);
                }
            }
            Message::Remove(name) => self.confirm_remove = Some(name),
            Message::CancelRemove => self.confirm_remove = None,
            Message::ConfirmRemove => {
                if let Some(name) = self.confirm_remove.take() {
                    let before = self.window.clone();
                    self.window.retain(|a| a.name != name);
                    return self.save(before);
                }
            }
            Message::Form(message) => {
                let Some(form) = self.form.as_mut() else {
                    return Ok(Action::None);
                };
                match form.update(message) {
                    account_form::Action::None => {}
                    account_form::Action::Cancel => self.form = None,
                    account_form::Action::ChooseFolder => return Ok(Action::ChooseFolder),
                    account_form::Action::Save { account, replaces } => {
                        let before = self.window.clone();
                        match replaces.and_then(|old| self.window.iter().position(|a| a.name == old)) {
                            Some(at) => self.window[at] = *account,
                            None => self.window.push(*account),
                        }
                        let saved = self.save(before);
                        if saved.is_ok() {
                            self.form = None;
                        }
                        return saved;
                    }
                }
            }
        }
        Ok(Action::None)
    }

    /// "Always trust" for `name`'s server certificate: a window account
    /// gets it as its `tls.fingerprint` (saved; no restart: the runtime
    /// already trusts it). `Ok(false)` for accounts of the config file,
    /// which the window never rewrites (the runtime records their pin in
    /// the data directory).
    pub fn pin_certificate(&mut self, name: &str, fingerprint: &str) -> Result<bool, String> {
        let before = self.window.clone();
        let Some(account) = self.window.iter_mut().find(|a| a.name == name) else {
            return Ok(false);
        };
        account.tls.fingerprint = Some(fingerprint.to_string());
        self.save(before).map(|_| true)
    }

    /// Writes the window accounts (typed passwords into the desktop keyring
    /// when one runs, removed accounts' keyring items removed); on failure
    /// puts `before` back.
    fn save(&mut self, before: Vec<AccountConfig>) -> Result<Action, String> {
        if let Some(file) = &self.file {
            if let Err(e) = save_window_accounts(file, &before, &mut self.window, self.passwords) {
                self.window = before;
                return Err(t!("accounts-not-saved", error = e.to_string()));
            }
        }
        Ok(Action::Changed)
    }

    /// Tab order of the Accounts section: each window account's buttons
    /// (or the removal question's), then Add (a part of the settings' chain).
    pub fn focus_chain(&self) -> Chain<Message> {
        let mut chain = Chain::new(crate::ui::settings::DIALOG);
        for (i, account) in self.window.iter().enumerate() {
            chain = if self.confirm_remove.as_deref() == Some(&account.name) {
                chain
                    .control(Key::nth(CONFIRM_REMOVE, i), Message::ConfirmRemove)
                    .control(Key::nth(KEEP, i), Message::CancelRemove)
            } else {
                chain
                    .control(Key::nth(EDIT, i), Message::Edit(account.name.clone()))
                    .control(Key::nth(TOGGLE, i), Message::Toggle(account.name.clone()))
                    .control(Key::nth(REMOVE, i), Message::Remove(account.name.clone()))
            };
        }
        chain.control(ADD, Message::Add)
    }

    /// The Accounts section of the settings dialog, with the focus ring on
    /// the button `ring` names.
    pub fn view(&self, ring: Ring) -> Element<'_, Message> {
        let mut list = column![text(t!("accounts-title"))
            .size(theme::TEXT_BODY)
            .font(theme::BOLD)]
        .spacing(theme::SPACE_S);
        for fixed in &self.fixed {
            let mut note = t!("accounts-in-config");
            if !fixed.enabled {
                note = format!("{note} · {}", t!("accounts-disabled"));
            }
            list = list.push(entry(&fixed.name, &fixed.uri, note, None));
        }
        let small = |label: String, message: Message, key: Key| focus::ring(small(label, message), key, ring);
        for (i, account) in self.window.iter().enumerate() {
            let note = if account.enabled {
                String::new()
            } else {
                t!("accounts-disabled")
            };
            let buttons = if self.confirm_remove.as_deref() == Some(&account.name) {
                row![
                    widget::muted(t!("accounts-remove-question")),
                    focus::ring(
                        self::small(t!("accounts-remove"), Message::ConfirmRemove).style(button::danger),
                        Key::nth(CONFIRM_REMOVE, i),
                        ring
                    ),
                    small(t!("accounts-keep"), Message::CancelRemove, Key::nth(KEEP, i)),
                ]
            } else {
                let toggle = if account.enabled {
                    t!("accounts-disable")
                } else {
                    t!("accounts-enable")
                };
                row![
                    small(
                        t!("accounts-edit"),
                        Message::Edit(account.name.clone()),
                        Key::nth(EDIT, i)
                    ),
                    small(toggle, Message::Toggle(account.name.clone()), Key::nth(TOGGLE, i)),
                    small(
                        t!("accounts-remove"),
                        Message::Remove(account.name.clone()),
                        Key::nth(REMOVE, i)
                    ),
                ]
            };
            let buttons = buttons.spacing(theme::SPACE_XS).align_y(Center);
            list = list.push(entry(&account.name, &account.uri, note, Some(buttons.into())));
        }
        if self.local {
            list = list.push(entry(
                sipchat::model::AccountId::LOCAL,
                "",
                t!("accounts-local"),
                None,
            ));
        }
        let add = button(text(t!("accounts-add")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_XS, theme::SPACE_M])
            .style(theme::secondary_button)
            .on_press(Message::Add);
        list.push(focus::ring(add, ADD, ring)).into()
    }
}

const EDIT: &str = "account-edit";
const TOGGLE: &str = "account-toggle";
const REMOVE: &str = "account-remove";
const CONFIRM_REMOVE: &str = "account-confirm-remove";
const KEEP: &str = "account-keep";
const ADD: Key = Key::new("account-add");

fn small<'a>(label: String, message: Message) -> button::Button<'a, Message> {
    button(text(label).size(theme::TEXT_SMALL))
        .padding([2.0, theme::SPACE_S])
        .style(theme::secondary_button)
        .on_press(message)
}

fn entry<'a>(
    name: &str,
    uri: &str,
    note: String,
    buttons: Option<Element<'a, Message>>,
) -> Element<'a, Message> {
    let mut details = column![text(name.to_string()).size(theme::TEXT_BODY)].width(Fill);
    let line = match (uri.is_empty(), note.is_empty()) {
        (false, false) => format!("{uri} · {note}"),
        (false, true) => uri.to_string(),
        (true, _) => note,
    };
    if !line.is_empty() {
        details = details.push(widget::muted(line));
    }
    let mut line = row![details].spacing(theme::SPACE_S).align_y(Center);
    if let Some(buttons) = buttons {
        line = line.push(space::horizontal().width(theme::SPACE_S)).push(buttons);
    }
    line.into()
}

#[cfg(test)]
#[path = "account_settings_tests.rs"]
mod tests;
