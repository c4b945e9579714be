//! When the desktop has no file chooser (no `xdg-desktop-portal` on the
//! session bus), the attach button says so and offers a field for the
//! path of the file to send instead of doing nothing.

use super::files::FileMessage;
use super::{App, Message};
use crate::ui::conversation::ConversationKey;
use crate::ui::i18n::t;
use crate::ui::theme;
use iced::widget::{button, column, container, row, text, text_input, Id};
use iced::{Center, Element, Fill, Task};
use std::path::PathBuf;

/// The path field's widget id, for focusing it.
pub const FIELD: &str = "file-path";
/// The bus name of the desktop portal that provides the file chooser.
const PORTAL: &str = "org.freedesktop.portal.Desktop";

/// The path typed for a conversation, while the field is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPrompt {
    pub key: ConversationKey,
    pub path: String,
}

/// Whether a file chooser portal runs or can be started on the session bus.
pub fn chooser_available() -> bool {
    let Ok(bus) = zbus::blocking::Connection::session() else {
        return false;
    };
    let Ok(proxy) = zbus::blocking::fdo::DBusProxy::new(&bus) else {
        return false;
    };
    let Ok(name) = zbus::names::BusName::try_from(PORTAL) else {
        return false;
    };
    let running = proxy.name_has_owner(name).unwrap_or(false);
    running
        || proxy
            .list_activatable_names()
            .is_ok_and(|names| names.iter().any(|n| n.as_str() == PORTAL))
}

impl App {
    /// The path field, while it is open.
    pub(super) fn path_field(&self) -> Option<Element<'_, Message>> {
        let prompt = self.path_prompt.as_ref()?;
        let field = text_input(&t!("files-path-placeholder"), &prompt.path)
            .id(Id::new(FIELD))
            .on_input(|p| Message::Files(FileMessage::PathTyped(p)))
            .on_submit(Message::Files(FileMessage::PathSubmitted))
            .padding(theme::SPACE_S)
            .size(theme::TEXT_BODY);
        let send = button(text(t!("composer-send")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S, theme::SPACE_M])
            .style(button::primary)
            .on_press_maybe(
                (!prompt.path.trim().is_empty()).then_some(Message::Files(FileMessage::PathSubmitted)),
            );
        let cancel = button(text(t!("files-path-cancel")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_S, theme::SPACE_M])
            .style(theme::secondary_button)
            .on_press(Message::Files(FileMessage::PathCancelled));
        let content = column![
            text(t!("files-no-chooser")).size(theme::TEXT_BODY),
            row![field, send, cancel].spacing(theme::SPACE_S).align_y(Center),
        ]
        .spacing(theme::SPACE_S);
        Some(
            container(
                container(content)
                    .padding(theme::SPACE_M)
                    .style(theme::info_banner),
            )
            .padding([theme::SPACE_S, theme::SPACE_M])
            .width(Fill)
            .into(),
        )
    }

    /// The path field's messages.
    pub(super) fn on_path(&mut self, message: FileMessage) -> Task<Message> {
        match message {
            FileMessage::NoChooser(key) => {
                self.path_prompt = Some(PathPrompt {
                    key,
                    path: String::new(),
                });
                iced::widget::operation::focus(Id::new(FIELD))
            }
            FileMessage::PathTyped(path) => {
                if let Some(prompt) = &mut self.path_prompt {
                    prompt.path = path;
                }
                Task::none()
            }
            FileMessage::PathSubmitted => {
                let Some(prompt) = self.path_prompt.take() else {
                    return Task::none();
                };
                let path = prompt.path.trim();
                if path.is_empty() {
                    self.path_prompt = Some(prompt);
                    return Task::none();
                }
                let paths = vec![PathBuf::from(path)];
                self.on_files(FileMessage::Chosen {
                    key: prompt.key,
                    paths,
                })
            }
            FileMessage::PathCancelled => {
                self.path_prompt = None;
                Task::none()
            }
            other => self.on_files(other),
        }
    }
}
