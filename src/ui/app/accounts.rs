//! The app's part in accounts: Settings > Accounts and the account dialog,
//! applying a change by restarting the runtime, and the first-start offer.

use super::{App, Message};
use crate::ui::account_settings;
use crate::ui::conversation::pane::Pane;
use crate::ui::conversation::Conversations;
use crate::ui::i18n::t;
use crate::ui::restart;
use crate::ui::sidebar::{accounts::Accounts, Sidebar};
use crate::ui::theme;
use crate::ui::transfers::Transfers;
use crate::ui::words::{w, Words};
use iced::widget::{button, container, operation, row, text, Id};
use iced::{Center, Element, Fill, Task};
use sipchat::runtime::Command;

impl App {
    /// No SIP account is configured and the offer to add one was not
    /// turned down: the window shows it.
    pub(super) fn offers_account(&self) -> bool {
        self.accounts.has_no_server_account() && !self.state.account_offer_dismissed
    }

    pub(super) fn account_settings(&mut self, message: account_settings::Message) -> Task<Message> {
        let opens_form = matches!(
            message,
            account_settings::Message::Add | account_settings::Message::Edit(_)
        );
        match self.accounts.update(message) {
            Ok(account_settings::Action::None) if opens_form => {
                self.switcher = None;
                return operation::focus(Id::new(crate::ui::account_form::FIRST_FIELD));
            }
            Ok(account_settings::Action::None) => {}
            Ok(account_settings::Action::Changed) => return self.apply_accounts(),
            Ok(account_settings::Action::ChooseFolder) => return choose_download_dir(),
            Err(error) => self.notice = Some(Words::plain(error)),
        }
        Task::none()
    }

    /// Starts the runtime again with the saved accounts, or (without a
    /// restarter) says that a restart of sipchat is needed.
    fn apply_accounts(&mut self) -> Task<Message> {
        let Some(restarter) = &self.restarter else {
            self.notice = Some(w!("accounts-restart-needed"));
            return Task::none();
        };
        self.restarting = true;
        self.notice = None;
        self.info = Some(w!("accounts-applying"));
        restarter.task().map(Message::Restarted)
    }

    /// Swaps in the restarted runtime: a fresh list from its history, the
    /// open conversation reopened.
    pub(super) fn restarted(&mut self, outcome: restart::Outcome) -> Task<Message> {
        self.restarting = false;
        let Some(result) = outcome.take() else {
            return Task::none();
        };
        let new = match result {
            Ok(new) => new,
            Err(error) => {
                self.notice = Some(w!("accounts-restart-failed", error = error));
                return Task::none();
            }
        };
        let form = self.accounts.form.take();
        self.runtime = new.runtime;
        self.events = new.events;
        self.accounts = new.settings;
        self.accounts.form = form;
        self.stopped = false;
        self.sessions.clear();
        self.certificates.clear();
        self.restore = self.conversations.open_key().cloned().or(self.restore.take());
        self.conversations = Conversations::default();
        self.pane = Pane::default();
        self.sidebar = Sidebar::new(Accounts::new(new.accounts, new.sending));
        self.sidebar.accounts.set_identities(new.identities);
        self.info = None;
        match new.notice {
            Some(notice) => self.notice = Some(notice),
            None => self.info = Some(w!("accounts-applied")),
        }
        self.transfers = Transfers::default();
        self.command(Command::LoadConversations);
        self.command(Command::LoadTransfers { account: None });
        Task::none()
    }
}

/// No SIP account yet: offer to add one (the local account works meanwhile).
pub(super) fn offer<'a>() -> Element<'a, Message> {
    let add = button(text(t!("account-offer-add")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(button::primary)
        .on_press(Message::Accounts(account_settings::Message::Add));
    let later = button(text(t!("account-offer-later")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(button::text)
        .on_press(Message::DismissAccountOffer);
    container(
        container(
            row![
                text(t!("account-offer")).size(theme::TEXT_BODY).width(Fill),
                add,
                later
            ]
            .spacing(theme::SPACE_M)
            .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .style(theme::invitation),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}

#[cfg(test)]
#[path = "accounts_tests.rs"]
mod tests;

/// The folder dialog of the account form's "Choose…" (the desktop
/// portal's, not blocking the window); a cancelled dialog changes nothing.
fn choose_download_dir() -> Task<Message> {
    let dialog = rfd::AsyncFileDialog::new().set_title(t!("account-choose-folder-title"));
    Task::perform(async move { dialog.pick_folder().await }, |folder| match folder {
        Some(folder) => Message::Accounts(account_settings::Message::Form(
            crate::ui::account_form::Message::DownloadDir(folder.path().display().to_string()),
        )),
        None => Message::Tick,
    })
}
