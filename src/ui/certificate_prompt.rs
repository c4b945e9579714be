//! The trust prompt for a server certificate an account does not trust
//! (self-signed, or from an unknown authority), and the warning when a
//! pinned server presents another certificate.
//!
//! The prompt shows the server, subject, issuer, validity and SHA-256
//! fingerprint and offers Cancel, Trust once and Always trust; it is shown
//! as a dialog over the window (like Settings). Its [`update`] returns the
//! [`Command`] to send. A cancelled prompt leaves a banner that opens it
//! again (the account waits for an answer, and a click beside the dialog
//! cancels too). The warning is a banner in error style naming both
//! fingerprints, with only Dismiss: a changed certificate is never one
//! click away from being accepted.
//!
//! [`update`]: CertificatePrompts::update

use crate::ui::clock::Zone;
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::theme;
use crate::ui::widget;
use iced::widget::{button, column, container, row, space, text};
use iced::{Center, Element, Fill, Font};
use sipchat::model::{AccountId, CertificateInfo};
use sipchat::runtime::Command;

/// How many fingerprint byte pairs go on one line (two lines of 16).
const PAIRS_PER_LINE: usize = 16;
/// Width of the labels before each field.
const LABEL_WIDTH: f32 = 150.0;
/// The prompt's name on the focus chain.
pub const DIALOG: &str = "certificate-prompt";
const CANCEL: Key = Key::new("cancel");
const TRUST_ONCE: Key = Key::new("trust-once");
const ALWAYS_TRUST: Key = Key::new("always-trust");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// Trust the certificate for this run.
    TrustOnce,
    /// Trust it now and in later runs.
    AlwaysTrust,
    /// Do not trust it (the account stays refused).
    Cancel,
    /// Dismiss the warning about `account`'s changed certificate.
    DismissWarning(AccountId),
    /// Open the cancelled prompt of `account` again.
    Review(AccountId),
}

/// What the app does after an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Send this command (a [`Command::TrustCertificate`]).
    Send(Command),
}

/// An account's untrusted certificate, waiting for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Prompt {
    account: AccountId,
    certificate: CertificateInfo,
}

/// A pinned account whose server presented another certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Warning {
    account: AccountId,
    pinned: String,
    certificate: CertificateInfo,
}

/// The open prompts (the first is shown) and the warnings.
#[derive(Debug, Default)]
pub struct CertificatePrompts {
    prompts: Vec<Prompt>,
    /// Cancelled prompts, each a banner that opens it again.
    cancelled: Vec<Prompt>,
    warnings: Vec<Warning>,
}

impl CertificatePrompts {
    /// The runtime asks about `account`'s certificate (a later question
    /// about the same account replaces the earlier one).
    pub fn untrusted(&mut self, account: AccountId, certificate: CertificateInfo) {
        self.prompts.retain(|p| p.account != account);
        self.cancelled.retain(|p| p.account != account);
        self.prompts.push(Prompt { account, certificate });
    }

    /// `account`'s server presented another certificate than the pinned one.
    pub fn changed(&mut self, account: AccountId, pinned: String, certificate: CertificateInfo) {
        self.prompts.retain(|p| p.account != account);
        self.cancelled.retain(|p| p.account != account);
        self.warnings.retain(|w| w.account != account);
        self.warnings.push(Warning {
            account,
            pinned,
            certificate,
        });
    }

    /// `account` registered: nothing is left to ask or warn about it.
    pub fn registered(&mut self, account: &AccountId) {
        self.prompts.retain(|p| &p.account != account);
        self.cancelled.retain(|p| &p.account != account);
        self.warnings.retain(|w| &w.account != account);
    }

    /// Whether the prompt is showing.
    pub fn is_open(&self) -> bool {
        !self.prompts.is_empty()
    }

    /// Forgets everything (the runtime was restarted).
    pub fn clear(&mut self) {
        self.prompts.clear();
        self.cancelled.clear();
        self.warnings.clear();
    }

    pub fn update(&mut self, message: Message) -> Action {
        let trust = |prompt: Prompt, always: bool| {
            Action::Send(Command::TrustCertificate {
                account: prompt.account,
                fingerprint: prompt.certificate.fingerprint,
                always,
            })
        };
        match message {
            Message::DismissWarning(account) => {
                self.warnings.retain(|w| w.account != account);
                Action::None
            }
            Message::Cancel | Message::TrustOnce | Message::AlwaysTrust if self.prompts.is_empty() => {
                Action::None
            }
            Message::Review(account) => {
                if let Some(at) = self.cancelled.iter().position(|p| p.account == account) {
                    let prompt = self.cancelled.remove(at);
                    self.prompts.insert(0, prompt);
                }
                Action::None
            }
            Message::Cancel => {
                let prompt = self.prompts.remove(0);
                self.cancelled.push(prompt);
                Action::None
            }
            Message::TrustOnce => trust(self.prompts.remove(0), false),
            Message::AlwaysTrust => trust(self.prompts.remove(0), true),
        }
    }

    /// Tab order: Cancel, Trust once, Always trust.
    pub fn focus_chain(&self) -> Chain<Message> {
        Chain::new(DIALOG)
            .control(CANCEL, Message::Cancel)
            .control(TRUST_ONCE, Message::TrustOnce)
            .control(ALWAYS_TRUST, Message::AlwaysTrust)
    }

    /// The prompt's content (for a dialog), while one is open, with the
    /// focus ring on the button `ring` names.
    pub fn view<'a>(&'a self, zone: &Zone, ring: Ring) -> Option<Element<'a, Message>> {
        let prompt = self.prompts.first()?;
        let certificate = &prompt.certificate;
        let intro = if certificate.self_signed {
            t!(
                "certificate-self-signed",
                server = certificate.server_name.clone(),
                account = prompt.account.0.clone()
            )
        } else {
            t!(
                "certificate-unknown-issuer",
                server = certificate.server_name.clone(),
                account = prompt.account.0.clone()
            )
        };
        let validity = t!(
            "certificate-valid-range",
            from = date(zone, certificate.not_before),
            until = date(zone, certificate.not_after)
        );
        let fields = column![
            field(
                t!("certificate-server"),
                text(certificate.server_name.clone())
                    .size(theme::TEXT_BODY)
                    .into()
            ),
            field(
                t!("certificate-subject"),
                text(or_unreadable(&certificate.subject))
                    .size(theme::TEXT_BODY)
                    .into()
            ),
            field(
                t!("certificate-issuer"),
                text(or_unreadable(&certificate.issuer))
                    .size(theme::TEXT_BODY)
                    .into()
            ),
            field(
                t!("certificate-validity"),
                text(validity).size(theme::TEXT_BODY).into()
            ),
            stacked(t!("certificate-fingerprint"), &certificate.fingerprint),
        ]
        .spacing(theme::SPACE_S);
        let small = |label: String| {
            button(text(label).size(theme::TEXT_BODY)).padding([theme::SPACE_S, theme::SPACE_M])
        };
        let buttons = row![
            focus::ring(
                small(t!("certificate-cancel"))
                    .style(theme::secondary_button)
                    .on_press(Message::Cancel),
                CANCEL,
                ring
            ),
            space::horizontal(),
            focus::ring(
                small(t!("certificate-trust-once"))
                    .style(theme::secondary_button)
                    .on_press(Message::TrustOnce),
                TRUST_ONCE,
                ring
            ),
            focus::ring(
                small(t!("certificate-trust-always"))
                    .style(button::primary)
                    .on_press(Message::AlwaysTrust),
                ALWAYS_TRUST,
                ring
            ),
        ]
        .spacing(theme::SPACE_S)
        .align_y(Center);
        Some(
            column![
                text(t!("certificate-title"))
                    .size(theme::TEXT_TITLE)
                    .font(theme::BOLD),
                text(intro).size(theme::TEXT_BODY),
                fields,
                widget::muted(t!("certificate-advice")),
                buttons,
            ]
            .spacing(theme::SPACE_M)
            .into(),
        )
    }

    /// One banner in error style per changed certificate, and one per
    /// cancelled prompt.
    pub fn warnings(&self) -> Vec<Element<'_, Message>> {
        let cancelled = self.cancelled.iter().map(cancelled);
        self.warnings.iter().map(warning).chain(cancelled).collect()
    }
}

/// The banner of a cancelled prompt: the account waits; "Review…" asks again.
fn cancelled(prompt: &Prompt) -> Element<'_, Message> {
    let review = button(text(t!("certificate-review")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::Review(prompt.account.clone()));
    let words = text(t!(
        "certificate-not-trusted",
        server = prompt.certificate.server_name.clone(),
        account = prompt.account.0.clone()
    ))
    .size(theme::TEXT_BODY);
    container(
        container(
            row![words.width(Fill), review]
                .spacing(theme::SPACE_M)
                .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .style(theme::banner),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}

/// The banner of one changed certificate: both fingerprints, and Dismiss.
fn warning(warning: &Warning) -> Element<'_, Message> {
    let dismiss = button(text(t!("notice-dismiss")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_S])
        .style(button::text)
        .on_press(Message::DismissWarning(warning.account.clone()));
    let words = text(t!(
        "certificate-changed",
        server = warning.certificate.server_name.clone(),
        account = warning.account.0.clone()
    ))
    .size(theme::TEXT_BODY)
    .font(theme::BOLD);
    let fingerprints = column![
        stacked(t!("certificate-pinned"), &warning.pinned),
        stacked(t!("certificate-presented"), &warning.certificate.fingerprint),
    ]
    .spacing(theme::SPACE_XS);
    let body = column![
        row![words.width(Fill), dismiss]
            .spacing(theme::SPACE_M)
            .align_y(Center),
        fingerprints,
        text(t!("certificate-changed-advice")).size(theme::TEXT_SMALL),
    ]
    .spacing(theme::SPACE_S);
    container(
        container(body)
            .padding([theme::SPACE_S, theme::SPACE_M])
            .style(theme::banner),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}

/// A label and its value on one row.
fn field<'a>(label: String, value: Element<'a, Message>) -> Element<'a, Message> {
    row![
        text(label)
            .size(theme::TEXT_BODY)
            .font(theme::BOLD)
            .width(LABEL_WIDTH),
        container(value).width(Fill),
    ]
    .spacing(theme::SPACE_S)
    .into()
}

/// A label above a fingerprint (too wide to share a row with it).
fn stacked<'a>(label: String, hex: &str) -> Element<'a, Message> {
    column![
        text(label).size(theme::TEXT_BODY).font(theme::BOLD),
        fingerprint(hex),
    ]
    .spacing(theme::SPACE_XS)
    .into()
}

/// A fingerprint in monospace, 16 pairs a line.
fn fingerprint<'a>(hex: &str) -> Element<'a, Message> {
    text(fingerprint_lines(hex))
        .size(theme::TEXT_SMALL + 1.0)
        .font(Font::MONOSPACE)
        .into()
}

/// `AB:CD:...` cut into lines of [`PAIRS_PER_LINE`] pairs.
pub fn fingerprint_lines(hex: &str) -> String {
    let pairs: Vec<&str> = hex.split(':').collect();
    pairs
        .chunks(PAIRS_PER_LINE)
        .map(|line| line.join(":"))
        .collect::<Vec<_>>()
        .join(":\n")
}

fn or_unreadable(value: &str) -> String {
    if value.is_empty() {
        t!("certificate-unreadable")
    } else {
        value.to_string()
    }
}

/// `2026-12-07` in the window's time zone, or "unreadable".
fn date(zone: &Zone, unix: Option<i64>) -> String {
    match unix.and_then(|u| u64::try_from(u).ok()) {
        Some(unix) => {
            let c = zone.civil(unix);
            format!("{:04}-{:02}-{:02}", c.year, c.month, c.day)
        }
        None => t!("certificate-unreadable"),
    }
}

#[cfg(test)]
#[path = "certificate_prompt_tests.rs"]
mod tests;
