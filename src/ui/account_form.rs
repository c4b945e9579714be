//! The dialog that adds or edits a SIP account: display name, SIP address,
//! password, optional outbound proxy and transport, optional MSRP relay, the
//! senders whose alerts are trusted, and the account's name in sipchat.
//!
//! Saving checks every field and says in words what is wrong; a valid form
//! becomes an [`AccountConfig`] for the accounts file. Editing keeps the
//! fields the form does not show (expiry, TLS, ...) as they were, and an
//! empty password field keeps the password.

use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::theme;
use iced::widget::{button, column, radio, row, space, text, text_input, Id};
use iced::{Center, Element, Fill, Theme};
use sipchat::config::{check_trusted_sender, parse_proxy, parse_sip_uri, AccountConfig, Secret};

/// The first field, for focusing it when the dialog opens.
pub const FIRST_FIELD: &str = "account-form-address";
/// The other fields' widget ids, in Tab order.
pub const PASSWORD_FIELD: &str = "account-form-password";
pub const DISPLAY_NAME_FIELD: &str = "account-form-display-name";
pub const PROXY_FIELD: &str = "account-form-proxy";
pub const RELAY_FIELD: &str = "account-form-relay";
pub const TRUSTED_FIELD: &str = "account-form-trusted";
pub const DOWNLOAD_DIR_FIELD: &str = "account-form-download-dir";
pub const MAX_FILE_SIZE_FIELD: &str = "account-form-max-file-size";
pub const NAME_FIELD: &str = "account-form-name";
/// The dialog's name on the focus chain.
pub const DIALOG: &str = "account-form";
const TRANSPORT: &str = "transport";
const CHOOSE_FOLDER: Key = Key::new("choose-folder");
const CANCEL: Key = Key::new("cancel");
const SAVE: Key = Key::new("save");

/// The transport to the server, as the form offers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TransportChoice {
    /// As the address or proxy says (UDP when nothing does; DNS SRV finds it).
    #[default]
    Auto,
    Udp,
    Tcp,
    Tls,
}

impl TransportChoice {
    const ALL: [TransportChoice; 4] = [
        TransportChoice::Auto,
        TransportChoice::Udp,
        TransportChoice::Tcp,
        TransportChoice::Tls,
    ];

    fn param(self) -> Option<&'static str> {
        match self {
            TransportChoice::Auto => None,
            TransportChoice::Udp => Some("udp"),
            TransportChoice::Tcp => Some("tcp"),
            TransportChoice::Tls => Some("tls"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Name(String),
    DisplayName(String),
    Address(String),
    Password(String),
    Proxy(String),
    Transport(TransportChoice),
    Relay(String),
    Trusted(String),
    DownloadDir(String),
    /// "Choose…" beside the download folder: the app opens a folder dialog.
    ChooseFolder,
    /// Largest accepted file, in megabytes as typed.
    MaxFileSize(String),
    Save,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// The account as it should be saved; `replaces` is the name it had
    /// when it was edited (`None` for a new account).
    Save {
        account: Box<AccountConfig>,
        replaces: Option<String>,
    },
    Cancel,
    /// Open a folder dialog; its answer comes back as `DownloadDir`.
    ChooseFolder,
}

/// Bytes in the form's megabyte (MiB, as `max_file_size` is counted).
pub const MEGABYTE: u64 = 1024 * 1024;

/// The maximum file size in megabytes, as the form shows it.
fn megabytes(bytes: u64) -> String {
    if bytes.is_multiple_of(MEGABYTE) {
        (bytes / MEGABYTE).to_string()
    } else {
        format!("{:.2}", bytes as f64 / MEGABYTE as f64)
    }
}

/// The form's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct AccountForm {
    pub name: String,
    pub display_name: String,
    pub address: String,
    pub password: String,
    pub proxy: String,
    pub transport: TransportChoice,
    pub relay: String,
    pub trusted: String,
    /// Where received files go; empty: the desktop's download folder.
    pub download_dir: String,
    /// Largest accepted file in megabytes; empty: the default.
    pub max_file_size: String,
    /// The account being edited (its hidden fields are kept).
    base: Option<AccountConfig>,
    /// Names of the other accounts (a new name must differ).
    taken: Vec<String>,
    error: Option<String>,
}

impl AccountForm {
    /// An empty form for a new account; `taken` are the names in use.
    pub fn new(taken: Vec<String>) -> AccountForm {
        AccountForm {
            max_file_size: megabytes(sipchat::config::DEFAULT_MAX_FILE_SIZE),
            taken,
            ..AccountForm::default()
        }
    }

    /// A form showing `account`; `taken` are the other accounts' names.
    pub fn edit(account: &AccountConfig, taken: Vec<String>) -> AccountForm {
        let (proxy, transport) = match &account.proxy {
            Some(proxy) => split_transport(proxy),
            None => (String::new(), TransportChoice::Auto),
        };
        AccountForm {
            name: account.name.clone(),
            display_name: account.display_name.clone().unwrap_or_default(),
            address: account.uri.clone(),
            password: String::new(),
            proxy,
            transport,
            relay: account.msrp_relay.clone().unwrap_or_default(),
            trusted: account.trusted_alert_senders.join(", "),
            download_dir: account
                .download_dir
                .as_ref()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            max_file_size: megabytes(account.max_file_size),
            base: Some(account.clone()),
            taken,
            error: None,
        }
    }

    /// Whether this edits an existing account.
    pub fn is_edit(&self) -> bool {
        self.base.is_some()
    }

    /// What is wrong, after a failed save.
    #[cfg(test)]
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Name(v) => self.name = v,
            Message::DisplayName(v) => self.display_name = v,
            Message::Address(v) => self.address = v,
            Message::Password(v) => self.password = v,
            Message::Proxy(v) => self.proxy = v,
            Message::Transport(v) => self.transport = v,
            Message::Relay(v) => self.relay = v,
            Message::Trusted(v) => self.trusted = v,
            Message::DownloadDir(v) => self.download_dir = v,
            Message::MaxFileSize(v) => self.max_file_size = v,
            Message::ChooseFolder => return Action::ChooseFolder,
            Message::Cancel => return Action::Cancel,
            Message::Save => {
                return match self.account() {
                    Ok(account) => {
                        self.error = None;
                        Action::Save {
                            account: Box::new(account),
                            replaces: self.base.as_ref().map(|b| b.name.clone()),
                        }
                    }
                    Err(error) => {
                        self.error = Some(error);
                        Action::None
                    }
                };
            }
        }
        self.error = None;
        Action::None
    }

    /// The account the fields describe, or what is wrong in words.
    pub fn account(&self) -> Result<AccountConfig, String> {
        let uri = sip_address(&self.address).map_err(|()| {
            if self.address.trim().is_empty() {
                t!("account-error-address-missing")
            } else {
                t!("account-error-address", address = self.address.trim())
            }
        })?;
        let parts = parse_sip_uri(&uri).map_err(|_| t!("account-error-address", address = uri.clone()))?;
        let (user, host) = (parts.user.unwrap_or_default(), parts.host.to_string());
        let name = match self.name.trim() {
            "" => format!("{user}@{host}"),
            name => name.to_string(),
        };
        if self.taken.contains(&name) {
            return Err(t!("account-error-name-taken", name = name));
        }
        let password = match (self.password.is_empty(), &self.base) {
            (false, _) => Some(Secret::new(self.password.clone())),
            (true, Some(base)) if base.has_password() => base.password.clone(),
            (true, _) => return Err(t!("account-error-password", address = uri.clone())),
        };
        let proxy = self.proxy_uri(&host)?;
        let relay = match self.relay.trim() {
            "" => None,
            relay => Some(relay_address(relay).ok_or_else(|| t!("account-error-relay", relay = relay))?),
        };
        let mut trusted = Vec::new();
        for sender in self.trusted.split([',', ' ', '\n']).filter(|s| !s.is_empty()) {
            let refused = || t!("account-error-trusted", sender = sender);
            // A SIP address (`alerts@host` too), else an IP address, network or host name.
            let entry = if has_scheme(sender) || sender.contains('@') {
                sip_address(sender).map_err(|()| refused())?
            } else {
                check_trusted_sender(sender).map_err(|_| refused())?;
                sender.to_string()
            };
            trusted.push(entry);
        }
        let mut account = match &self.base {
            Some(base) => base.clone(),
            None => AccountConfig::new(name.clone(), uri.clone()),
        };
        account.name = name;
        account.uri = uri;
        account.display_name = Some(self.display_name.trim().to_string()).filter(|s| !s.is_empty());
        if password.is_some() && !self.password.is_empty() {
            // A typed password replaces the file or keyring one; saving puts it
            // into the keyring again when one runs.
            account.password_file = None;
            account.password_in_keyring = false;
        }
        if account.password_file.is_none() {
            account.password = password;
        }
        account.proxy = proxy;
        account.msrp_relay = relay;
        account.trusted_alert_senders = trusted;
        account.download_dir = match self.download_dir.trim() {
            "" => None,
            dir => Some(std::path::PathBuf::from(dir)),
        };
        account.max_file_size = match self.max_file_size.trim() {
            "" => sipchat::config::DEFAULT_MAX_FILE_SIZE,
            typed => {
                parse_megabytes(typed).ok_or_else(|| t!("account-error-max-file-size", value = typed))?
            }
        };
        // Anything the form missed is still caught, in the config's words.
        account.validate(0).map_err(|e| e.to_string())?;
        Ok(account)
    }

    /// The outbound proxy: the field (a `sip:` URI or a bare host[:port])
    /// with the chosen transport, or the address's host when only a
    /// transport is chosen.
    fn proxy_uri(&self, host: &str) -> Result<Option<String>, String> {
        let typed = self.proxy.trim();
        let bad = || t!("account-error-proxy", proxy = typed);
        let base = match (typed, self.transport.param()) {
            ("", None) => return Ok(None),
            ("", Some(_)) => format!("sip:{host}"),
            (typed, _) if typed.contains(char::is_whitespace) => return Err(bad()),
            (typed, _) if has_scheme(typed) => typed.to_string(),
            (typed, _) => format!("sip:{typed}"),
        };
        let (without, written) = split_transport(&base);
        let transport = self.transport.param().or(written.param());
        let uri = match transport {
            Some(t) => format!("{without};transport={t}"),
            None => without,
        };
        let secure_udp = uri.to_ascii_lowercase().starts_with("sips:") && transport == Some("udp");
        if secure_udp {
            return Err(bad());
        }
        match parse_proxy(&uri) {
            Ok(_) => Ok(Some(uri)),
            Err(_) => Err(bad()),
        }
    }

    /// Tab order: every field top to bottom, the transport choices, the
    /// folder button beside its field, then Cancel and Save.
    pub fn focus_chain(&self) -> Chain<Message> {
        let mut chain = Chain::new(DIALOG)
            .field(FIRST_FIELD)
            .field(PASSWORD_FIELD)
            .field(DISPLAY_NAME_FIELD)
            .field(PROXY_FIELD);
        for (i, choice) in TransportChoice::ALL.into_iter().enumerate() {
            chain = chain.control(Key::nth(TRANSPORT, i), Message::Transport(choice));
        }
        chain
            .field(RELAY_FIELD)
            .field(TRUSTED_FIELD)
            .field(DOWNLOAD_DIR_FIELD)
            .control(CHOOSE_FOLDER, Message::ChooseFolder)
            .field(MAX_FILE_SIZE_FIELD)
            .field(NAME_FIELD)
            .control(CANCEL, Message::Cancel)
            .control(SAVE, Message::Save)
    }

    /// The form, with the focus ring on the control `ring` names.
    pub fn view(&self, ring: Ring) -> Element<'_, Message> {
        let title = if self.is_edit() {
            t!("account-edit-title")
        } else {
            t!("account-add-title")
        };
        let password_hint = if self.is_edit() {
            t!("account-password-keep")
        } else {
            String::new()
        };
        let transports = TransportChoice::ALL.into_iter().enumerate().map(|(i, choice)| {
            let label = match choice {
                TransportChoice::Auto => t!("account-transport-auto"),
                TransportChoice::Udp => "UDP".to_string(),
                TransportChoice::Tcp => "TCP".to_string(),
                TransportChoice::Tls => "TLS".to_string(),
            };
            let choice = radio(label, choice, Some(self.transport), Message::Transport)
                .size(14)
                .text_size(theme::TEXT_SMALL);
            focus::ring(choice, Key::nth(TRANSPORT, i), ring)
        });
        let mut content = column![
            text(title).size(theme::TEXT_TITLE).font(theme::BOLD),
            field(
                t!("account-address"),
                "sip:alice@example.org",
                &self.address,
                Message::Address
            )
            .id(Id::new(FIRST_FIELD)),
        ]
        .spacing(theme::SPACE_S);
        content = content
            .push(
                field(
                    t!("account-password"),
                    &password_hint,
                    &self.password,
                    Message::Password,
                )
                .id(Id::new(PASSWORD_FIELD))
                .secure(true),
            )
            .push(
                field(
                    t!("account-display-name"),
                    &t!("account-display-name-hint"),
                    &self.display_name,
                    Message::DisplayName,
                )
                .id(Id::new(DISPLAY_NAME_FIELD)),
            )
            .push(
                field(
                    t!("account-proxy"),
                    "sip:proxy.example.org:5061",
                    &self.proxy,
                    Message::Proxy,
                )
                .id(Id::new(PROXY_FIELD)),
            )
            .push(row(transports).spacing(theme::SPACE_M).align_y(Center))
            .push(
                field(
                    t!("account-relay"),
                    "msrps://relay.example.org:2855;tcp",
                    &self.relay,
                    Message::Relay,
                )
                .id(Id::new(RELAY_FIELD)),
            )
            .push(
                field(
                    t!("account-trusted"),
                    "sip:alerts@example.org, 192.0.2.0/24",
                    &self.trusted,
                    Message::Trusted,
                )
                .id(Id::new(TRUSTED_FIELD)),
            )
            .push(
                row![
                    field(
                        t!("account-download-dir"),
                        &t!("account-download-dir-hint"),
                        &self.download_dir,
                        Message::DownloadDir,
                    )
                    .id(Id::new(DOWNLOAD_DIR_FIELD)),
                    focus::ring(
                        button(text(t!("account-choose-folder")).size(theme::TEXT_BODY))
                            .padding([4.0, theme::SPACE_M])
                            .style(theme::secondary_button)
                            .on_press(Message::ChooseFolder),
                        CHOOSE_FOLDER,
                        ring
                    ),
                ]
                .spacing(theme::SPACE_S)
                .align_y(iced::Bottom),
            )
            .push(
                field(
                    t!("account-max-file-size"),
                    "100",
                    &self.max_file_size,
                    Message::MaxFileSize,
                )
                .id(Id::new(MAX_FILE_SIZE_FIELD)),
            )
            .push(
                field(
                    t!("account-name"),
                    &t!("account-name-hint"),
                    &self.name,
                    Message::Name,
                )
                .id(Id::new(NAME_FIELD)),
            );
        if let Some(error) = &self.error {
            content =
                content.push(
                    text(error.as_str())
                        .size(theme::TEXT_SMALL)
                        .style(|t: &Theme| text::Style {
                            color: Some(theme::danger_text(t)),
                        }),
                );
        }
        let cancel = button(text(t!("account-cancel")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S, theme::SPACE_L])
            .style(theme::secondary_button)
            .on_press(Message::Cancel);
        let save = button(text(t!("account-save")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S, theme::SPACE_L])
            .style(button::primary)
            .on_press(Message::Save);
        content
            .push(
                row![
                    space::horizontal(),
                    focus::ring(cancel, CANCEL, ring),
                    focus::ring(save, SAVE, ring)
                ]
                .spacing(theme::SPACE_S),
            )
            .into()
    }
}

/// Megabytes as typed ("100", "2.5", "0,5") in bytes; `None` unless a
/// positive number.
fn parse_megabytes(typed: &str) -> Option<u64> {
    let value: f64 = typed.replace(',', ".").parse().ok()?;
    if !value.is_finite() || value <= 0.0 || value > 1.0e9 {
        return None;
    }
    Some((value * MEGABYTE as f64).round() as u64)
}

/// A labelled one-line field that saves on Enter.
fn field<'a>(
    label: String,
    placeholder: &str,
    value: &str,
    on_input: fn(String) -> Message,
) -> LabelledInput<'a> {
    LabelledInput {
        label,
        input: text_input(placeholder, value)
            .on_input(on_input)
            .on_submit(Message::Save)
            .padding([theme::SPACE_XS, theme::SPACE_S])
            .size(theme::TEXT_BODY)
            .width(Fill),
    }
}

struct LabelledInput<'a> {
    label: String,
    input: iced::widget::TextInput<'a, Message>,
}

impl<'a> LabelledInput<'a> {
    fn id(mut self, id: Id) -> Self {
        self.input = self.input.id(id);
        self
    }

    fn secure(mut self, secure: bool) -> Self {
        self.input = self.input.secure(secure);
        self
    }
}

impl<'a> From<LabelledInput<'a>> for Element<'a, Message> {
    fn from(field: LabelledInput<'a>) -> Self {
        column![
            text(field.label).size(theme::TEXT_SMALL).font(theme::BOLD),
            field.input
        ]
        .spacing(2)
        .into()
    }
}

fn has_scheme(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    lower.starts_with("sip:") || lower.starts_with("sips:")
}

/// A SIP address with a user part, `alice@host` read as `sip:alice@host`.
fn sip_address(input: &str) -> Result<String, ()> {
    let input = input.trim();
    let uri = if has_scheme(input) {
        input.to_string()
    } else {
        format!("sip:{input}")
    };
    match parse_sip_uri(&uri) {
        Ok(parts) if parts.user.is_some() => Ok(uri),
        _ => Err(()),
    }
}

/// An MSRP relay (`msrp://` or `msrps://` with a host), as typed.
fn relay_address(input: &str) -> Option<String> {
    let lower = input.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("msrps://")
        .or_else(|| lower.strip_prefix("msrp://"))?;
    let host = rest.split([':', ';', '/']).next().unwrap_or_default();
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._[]".contains(c));
    (host_ok && !input.contains(char::is_whitespace)).then(|| input.to_string())
}

/// A proxy URI without its `transport=` parameter, and that transport.
fn split_transport(proxy: &str) -> (String, TransportChoice) {
    let mut parts = proxy.split(';');
    let mut out = parts.next().unwrap_or_default().to_string();
    let mut transport = TransportChoice::Auto;
    for param in parts {
        let (name, value) = param.split_once('=').unwrap_or((param, ""));
        if name.eq_ignore_ascii_case("transport") {
            transport = match value.to_ascii_lowercase().as_str() {
                "udp" => TransportChoice::Udp,
                "tcp" => TransportChoice::Tcp,
                "tls" => TransportChoice::Tls,
                _ => {
                    out.push(';');
                    out.push_str(param);
                    continue;
                }
            };
        } else {
            out.push(';');
            out.push_str(param);
        }
    }
    (out, transport)
}

#[cfg(test)]
#[path = "account_form_tests.rs"]
mod tests;
