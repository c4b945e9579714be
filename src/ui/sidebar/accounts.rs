//! The accounts at the top of the sidebar: each with its registration state
//! in words; the selected one sends new conversations. An account whose
//! password the server refused (it stopped trying) or that waits for its next
//! try has a Retry button.

use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, row, text};
use iced::{Center, Element, Fill, Theme};
use sipchat::model::{AccountId, RegistrationState};

/// Clicks on the account list.
#[derive(Debug, Clone)]
pub enum Message {
    /// Use this account for new conversations.
    Select(AccountId),
    /// Try to register this account again now.
    Retry(AccountId),
    /// Put this address on the clipboard (the account's Copy button).
    Copy(String),
}

/// How an account is reached: what to tell a friend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// A server account: its address of record.
    Registered(String),
    /// The local account: this user at whatever address it listens on.
    Local { user: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Account {
    id: AccountId,
    state: RegistrationState,
    /// When `state` was reported (seconds since the Unix epoch).
    since: u64,
    identity: Option<Identity>,
}

/// The account list.
#[derive(Debug, Default)]
pub struct Accounts {
    accounts: Vec<Account>,
    selected: Option<AccountId>,
}

impl Accounts {
    /// The accounts in the order given (config order), all offline, with
    /// `selected` as the sending account.
    pub fn new(ids: Vec<AccountId>, selected: Option<AccountId>) -> Accounts {
        let accounts = ids
            .into_iter()
            .map(|id| Account {
                id,
                state: RegistrationState::Offline,
                since: 0,
                identity: None,
            })
            .collect::<Vec<_>>();
        let selected = selected.or_else(|| accounts.first().map(|a| a.id.clone()));
        Accounts { accounts, selected }
    }

    /// Handles a click; returns the account to register again, if any.
    pub fn update(&mut self, message: Message) -> Option<AccountId> {
        match message {
            Message::Select(id) => {
                if self.accounts.iter().any(|a| a.id == id) {
                    self.selected = Some(id);
                }
                None
            }
            Message::Retry(id) => {
                let account = self.accounts.iter_mut().find(|a| a.id == id)?;
                account.state = RegistrationState::Registering;
                Some(id)
            }
            // The sidebar hands copying to the app.
            Message::Copy(_) => None,
        }
    }

    /// Tells how each account is reached (from the configuration).
    pub fn set_identities(&mut self, identities: Vec<(AccountId, Identity)>) {
        for (id, identity) in identities {
            if let Some(account) = self.accounts.iter_mut().find(|a| a.id == id) {
                account.identity = Some(identity);
            }
        }
    }

    /// The address others reach `id` at, once it is known: a server
    /// account's own address; the local account's once it listens.
    #[cfg(test)]
    pub fn own_address(&self, id: &AccountId) -> Option<String> {
        self.accounts.iter().find(|a| &a.id == id).and_then(own_address)
    }

    /// Records a state from the runtime; unknown accounts are added.
    pub fn set_state(&mut self, id: &AccountId, state: RegistrationState, now: u64) {
        match self.accounts.iter_mut().find(|a| &a.id == id) {
            Some(account) => {
                account.state = state;
                account.since = now;
            }
            None => self.accounts.push(Account {
                id: id.clone(),
                state,
                since: now,
                identity: None,
            }),
        }
        if self.selected.is_none() {
            self.selected = Some(id.clone());
        }
    }

    /// How many accounts are listed.
    pub fn count(&self) -> usize {
        self.accounts.len()
    }

    /// The accounts' ids, in config order.
    pub fn ids(&self) -> Vec<AccountId> {
        self.accounts.iter().map(|a| a.id.clone()).collect()
    }

    /// The account new conversations are sent from.
    pub fn selected(&self) -> Option<&AccountId> {
        self.selected.as_ref()
    }

    /// Whether some account waits to retry (the view then needs a clock tick).
    pub fn is_counting_down(&self) -> bool {
        self.accounts
            .iter()
            .any(|a| matches!(a.state, RegistrationState::Failed { retry_in_secs, .. } if retry_in_secs > 0))
    }

    /// The state of one account in words, as of `now`.
    #[cfg(test)]
    pub fn describe(&self, id: &AccountId, now: u64) -> Option<String> {
        self.accounts
            .iter()
            .find(|a| &a.id == id)
            .map(|a| describe(a, now))
    }

    pub fn view(&self, now: u64) -> Element<'_, Message> {
        let rows = self.accounts.iter().map(|account| {
            let selected = self.selected.as_ref() == Some(&account.id);
            let healthy = matches!(
                account.state,
                RegistrationState::Registered { .. } | RegistrationState::Listening { .. }
            );
            let failed = matches!(
                account.state,
                RegistrationState::Failed { .. } | RegistrationState::Refused { .. }
            );
            let dot = text("●")
                .size(theme::TEXT_SMALL)
                .style(move |t: &Theme| text::Style {
                    color: Some(if healthy {
                        theme::success_text(t)
                    } else if failed {
                        theme::danger_text(t)
                    } else {
                        theme::muted(t)
                    }),
                });
            // Glyph wrapping too: a fingerprint in a reason has no spaces.
            let state = widget::muted(describe(account, now))
                .wrapping(text::Wrapping::WordOrGlyph)
                .style(move |t: &Theme| text::Style {
                    color: Some(if failed {
                        theme::danger_text(t)
                    } else {
                        theme::muted(t)
                    }),
                });
            let mut label = column![
                row![
                    text(account.id.0.as_str())
                        .size(theme::TEXT_BODY)
                        .font(theme::BOLD),
                    dot
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center),
                state,
            ]
            .spacing(2);
            if let Some(address) = own_address(account) {
                let copy = button(text(t!("account-copy-address")).size(theme::TEXT_SMALL))
                    .padding([1.0, theme::SPACE_S])
                    .style(theme::secondary_button)
                    .on_press(Message::Copy(address.clone()));
                label = label.push(
                    row![
                        widget::muted(t!("account-own-address", address = address.as_str()))
                            .wrapping(text::Wrapping::WordOrGlyph)
                            .width(Fill),
                        copy
                    ]
                    .spacing(theme::SPACE_S)
                    .align_y(Center),
                );
            }
            if failed {
                label = label.push(
                    button(text(t!("account-retry")).size(theme::TEXT_SMALL))
                        .padding([2.0, theme::SPACE_S])
                        .on_press(Message::Retry(account.id.clone())),
                );
            }
            button(label)
                .width(Fill)
                .padding([theme::SPACE_S, theme::SPACE_M])
                .style(theme::account_item(selected && self.accounts.len() > 1))
                .on_press(Message::Select(account.id.clone()))
                .into()
        });
        let list = column(rows).spacing(2);
        if self.accounts.is_empty() {
            container(widget::muted(t!("accounts-none")))
                .padding([0.0, theme::SPACE_M])
                .into()
        } else {
            list.into()
        }
    }
}

fn own_address(account: &Account) -> Option<String> {
    match (&account.identity, &account.state) {
        (Some(Identity::Registered(uri)), _) => Some(uri.clone()),
        (Some(Identity::Local { user }), RegistrationState::Listening { address, .. }) => {
            Some(format!("sip:{user}@{address}"))
        }
        _ => None,
    }
}

fn describe(account: &Account, now: u64) -> String {
    match &account.state {
        RegistrationState::Registered { .. } => t!("account-registered"),
        RegistrationState::Registering => t!("account-registering"),
        RegistrationState::Failed {
            reason,
            retry_in_secs,
        } => {
            let left = (account.since + retry_in_secs).saturating_sub(now);
            if *retry_in_secs == 0 {
                // Not retrying: it waits for the user (an untrusted certificate).
                t!("account-failed-stopped", reason = reason.as_str())
            } else if left == 0 {
                t!("account-failed-retrying", reason = reason.as_str())
            } else {
                t!(
                    "account-failed-retry-in",
                    reason = reason.as_str(),
                    seconds = left
                )
            }
        }
        RegistrationState::Refused { .. } => t!("account-refused"),
        RegistrationState::Listening { address, addresses } => match addresses.as_slice() {
            [first, second, ..] => t!(
                "account-listening-both",
                first = first.as_str(),
                second = second.as_str()
            ),
            _ => t!("account-listening", address = address.as_str()),
        },
        RegistrationState::Offline => t!("account-offline"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> AccountId {
        AccountId(name.into())
    }

    #[test]
    fn states_read_as_words() {
        let mut accounts = Accounts::new(vec![id("work"), id("local")], None);
        assert_eq!(accounts.describe(&id("work"), 0).as_deref(), Some("Offline"));
        accounts.set_state(&id("work"), RegistrationState::Registering, 10);
        assert_eq!(
            accounts.describe(&id("work"), 10).as_deref(),
            Some("Registering…")
        );
        accounts.set_state(&id("work"), RegistrationState::Registered { expires: 600 }, 11);
        assert_eq!(accounts.describe(&id("work"), 11).as_deref(), Some("Registered"));
        let listening = RegistrationState::Listening {
            address: "127.0.0.1:5062".into(),
            addresses: vec!["127.0.0.1:5062".into()],
        };
        accounts.set_state(&id("local"), listening, 11);
        assert_eq!(
            accounts.describe(&id("local"), 11).as_deref(),
            Some("Listening on 127.0.0.1:5062")
        );
        let both = RegistrationState::Listening {
            address: "192.0.2.2:5062".into(),
            addresses: vec!["192.0.2.2:5062".into(), "[2001:db8::2]:5062".into()],
        };
        accounts.set_state(&id("local"), both, 12);
        assert_eq!(
            accounts.describe(&id("local"), 12).as_deref(),
            Some("Listening on 192.0.2.2:5062 and [2001:db8::2]:5062")
        );
    }

    #[test]
    fn a_failure_counts_down_to_the_retry() {
        let mut accounts = Accounts::new(vec![id("work")], None);
        let failed = RegistrationState::Failed {
            reason: "wrong password (403 Forbidden)".into(),
            retry_in_secs: 30,
        };
        accounts.set_state(&id("work"), failed, 100);
        assert!(accounts.is_counting_down());
        assert_eq!(
            accounts.describe(&id("work"), 100).as_deref(),
            Some("wrong password (403 Forbidden); next try in 30 s")
        );
        assert_eq!(
            accounts.describe(&id("work"), 125).as_deref(),
            Some("wrong password (403 Forbidden); next try in 5 s")
        );
        assert_eq!(
            accounts.describe(&id("work"), 200).as_deref(),
            Some("wrong password (403 Forbidden); trying again now…")
        );
        accounts.set_state(&id("work"), RegistrationState::Registering, 201);
        assert!(!accounts.is_counting_down());
    }

    #[test]
    fn a_refused_password_waits_for_retry() {
        let mut accounts = Accounts::new(vec![id("work")], None);
        let refused = RegistrationState::Refused {
            reason: "the server refused the password (401 Unauthorized)".into(),
        };
        accounts.set_state(&id("work"), refused, 100);
        assert!(!accounts.is_counting_down(), "no next try to count down to");
        assert_eq!(
            accounts.describe(&id("work"), 5_000).as_deref(),
            Some("The server refused the password: change it in the account settings, or retry")
        );
        assert_eq!(accounts.update(Message::Retry(id("work"))), Some(id("work")));
        assert_eq!(
            accounts.describe(&id("work"), 5_001).as_deref(),
            Some("Registering…")
        );
        assert_eq!(accounts.update(Message::Retry(id("nope"))), None);
    }

    #[test]
    fn selection_defaults_to_the_first_and_ignores_unknown_accounts() {
        let mut accounts = Accounts::new(vec![id("work"), id("local")], None);
        assert_eq!(accounts.selected(), Some(&id("work")));
        accounts.update(Message::Select(id("local")));
        assert_eq!(accounts.selected(), Some(&id("local")));
        accounts.update(Message::Select(id("nope")));
        assert_eq!(accounts.selected(), Some(&id("local")));

        let mut empty = Accounts::new(Vec::new(), None);
        assert_eq!(empty.selected(), None);
        empty.set_state(&id("late"), RegistrationState::Offline, 1);
        assert_eq!(empty.selected(), Some(&id("late")));
    }

    #[test]
    fn each_account_tells_the_address_to_give_a_friend() {
        let mut accounts = Accounts::new(vec![id("work"), id("local")], None);
        accounts.set_identities(vec![
            (id("work"), Identity::Registered("sip:alice@example.org".into())),
            (id("local"), Identity::Local { user: "me".into() }),
        ]);
        assert_eq!(
            accounts.own_address(&id("work")).as_deref(),
            Some("sip:alice@example.org")
        );
        assert_eq!(accounts.own_address(&id("local")), None, "not listening yet");
        let listening = RegistrationState::Listening {
            address: "192.0.2.2:5066".into(),
            addresses: vec!["192.0.2.2:5066".into(), "[2001:db8::2]:5066".into()],
        };
        accounts.set_state(&id("local"), listening, 1);
        assert_eq!(
            accounts.own_address(&id("local")).as_deref(),
            Some("sip:me@192.0.2.2:5066")
        );
        // On a LAN with only IPv6 the runtime reports a bracketed address,
        // and the address to tell a friend keeps the brackets.
        let listening_v6 = RegistrationState::Listening {
            address: "[2001:db8::2]:5066".into(),
            addresses: vec!["[2001:db8::2]:5066".into()],
        };
        accounts.set_state(&id("local"), listening_v6, 2);
        assert_eq!(
            accounts.own_address(&id("local")).as_deref(),
            Some("sip:me@[2001:db8::2]:5066")
        );
        assert_eq!(accounts.update(Message::Copy("x".into())), None);
    }
}
