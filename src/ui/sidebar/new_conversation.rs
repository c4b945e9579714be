//! The "New conversation" field: a SIP address, checked on Enter, with the
//! error shown under it.

use crate::ui::i18n::t;
use crate::ui::theme;
use iced::widget::{button, column, row, text, text_input, Id};
use iced::{Center, Element, Fill, Theme};
use sipchat::runtime::Address;

/// The field's widget id, for focusing it.
pub const FIELD: &str = "new-conversation";

#[derive(Debug, Clone)]
pub enum Message {
    Edited(String),
    Submit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Open a conversation with this (valid, normalised) address.
    Start(String),
}

#[derive(Debug, Default)]
pub struct NewConversation {
    input: String,
    error: Option<String>,
}

impl NewConversation {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Edited(input) => {
                self.input = input;
                self.error = None;
                Action::None
            }
            Message::Submit => {
                if self.input.trim().is_empty() {
                    return Action::None;
                }
                match validate(&self.input) {
                    Ok(address) => {
                        self.error = None;
                        Action::Start(address)
                    }
                    Err(error) => {
                        self.error = Some(error);
                        Action::None
                    }
                }
            }
        }
    }

    /// Empties the field once its address has been taken.
    pub fn clear(&mut self) {
        self.input.clear();
        self.error = None;
    }

    /// Shows an error that came from elsewhere (e.g. no account to send from).
    pub fn set_error(&mut self, error: String) {
        self.error = Some(error);
    }

    #[cfg(test)]
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn view(&self) -> Element<'_, Message> {
        let input = text_input("sip:bob@example.org", &self.input)
            .id(Id::new(FIELD))
            .on_input(Message::Edited)
            .on_submit(Message::Submit)
            .padding([theme::SPACE_S, theme::SPACE_M])
            .size(theme::TEXT_BODY)
            .width(Fill);
        let start = button(text(t!("new-conversation-start")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S, theme::SPACE_M])
            .on_press_maybe((!self.input.trim().is_empty()).then_some(Message::Submit))
            .style(theme::secondary_button);
        let mut content =
            column![row![input, start].spacing(theme::SPACE_S).align_y(Center)].spacing(theme::SPACE_XS);
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
        content.into()
    }
}

/// Checks a typed address and returns it in canonical form. `bob@host` is
/// read as `sip:bob@host`.
pub fn validate(input: &str) -> Result<String, String> {
    let input = input.trim();
    if input.chars().any(char::is_whitespace) {
        return Err(t!("new-conversation-has-space", input = input));
    }
    Address::parse_typed(input)
        .map(|address| address.to_string())
        .map_err(|e| capitalise(&e.to_string()))
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_addresses_start_a_conversation() {
        let mut field = NewConversation::default();
        field.update(Message::Edited("  sip:bob@127.0.0.1:5063 ".into()));
        assert_eq!(
            field.update(Message::Submit),
            Action::Start("sip:bob@127.0.0.1:5063".into())
        );
        assert_eq!(field.error(), None);
        field.clear();
        assert_eq!(field.input, "");
    }

    #[test]
    fn a_bare_user_at_host_gets_the_sip_scheme() {
        assert_eq!(validate("bob@example.org").as_deref(), Ok("sip:bob@example.org"));
        assert_eq!(
            validate("SIPS:bob@example.org").as_deref(),
            Ok("sips:bob@example.org")
        );
    }

    #[test]
    fn invalid_addresses_show_the_parser_error_until_edited() {
        let mut field = NewConversation::default();
        field.update(Message::Edited("mailto:bob@example.org".into()));
        assert_eq!(field.update(Message::Submit), Action::None);
        assert_eq!(
            field.error(),
            Some("\"mailto:bob@example.org\" is not a SIP address (it must start with sip: or sips:)")
        );
        field.update(Message::Edited("sip:bob@".into()));
        assert_eq!(field.error(), None);
        assert_eq!(field.update(Message::Submit), Action::None);
        assert_eq!(field.error(), Some("\"sip:bob@\" has no valid host"));
        field.update(Message::Edited("sip:bob@host:99999".into()));
        field.update(Message::Submit);
        assert_eq!(field.error(), Some("\"sip:bob@host:99999\" has an invalid port"));
        field.update(Message::Edited("sip:bob smith@host".into()));
        field.update(Message::Submit);
        assert!(field.error().is_some_and(|e| e.contains("space")));
    }

    #[test]
    fn an_empty_field_does_nothing() {
        let mut field = NewConversation::default();
        field.update(Message::Edited("   ".into()));
        assert_eq!(field.update(Message::Submit), Action::None);
        assert_eq!(field.error(), None);
    }
}
