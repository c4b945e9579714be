//! The menu of a conversation (right click on its row, or Shift+F10 / the
//! Menu key for the open one): Add to contacts, Rename, Delete
//! conversation (which asks first).

use crate::ui::conversation::ConversationKey;
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, row, space, text, text_input, Id};
use iced::{Element, Fill};

/// The rename field's widget id.
pub const RENAME_FIELD: &str = "conversation-rename";
/// Longest conversation name, in characters.
pub const MAX_TITLE_CHARS: usize = 200;
/// The menu's name on the focus chain (one per stage, so each starts at
/// its first stop).
pub const DIALOG: &str = "conversation-menu";
const RENAMING: &str = "conversation-menu-rename";
const DELETING: &str = "conversation-menu-delete";
const ADD: Key = Key::new("add-to-contacts");
const RENAME: Key = Key::new("rename");
const DELETE: Key = Key::new("delete");
const CANCEL: Key = Key::new("cancel");
const SAVE: Key = Key::new("save");
const CONFIRM: Key = Key::new("confirm-delete");

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    AddToContacts,
    /// Show the rename field.
    Rename,
    RenameEdited(String),
    /// Enter in the rename field, or its Save button.
    RenameSubmit,
    /// Ask whether to delete.
    Delete,
    /// "Delete" in the question.
    ConfirmDelete,
    Cancel,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Open the add-contact dialog prefilled from this conversation.
    AddToContacts(ConversationKey),
    /// Give the conversation this name (`None`: no name of its own).
    Rename(ConversationKey, Option<String>),
    /// Delete the conversation and its messages (asked already).
    Delete(ConversationKey),
    /// Close the menu.
    Close,
}

/// What the menu shows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    Choose,
    Rename(String),
    ConfirmDelete,
}

/// The open menu of one conversation.
#[derive(Debug, Clone)]
pub struct ConversationMenu {
    key: ConversationKey,
    /// The conversation's shown name.
    title: String,
    /// Its peer is a contact already.
    is_contact: bool,
    stage: Stage,
    error: Option<String>,
}

impl ConversationMenu {
    pub fn new(key: ConversationKey, title: String, is_contact: bool) -> ConversationMenu {
        ConversationMenu {
            key,
            title,
            is_contact,
            stage: Stage::Choose,
            error: None,
        }
    }

    #[cfg(test)]
    pub fn key(&self) -> &ConversationKey {
        &self.key
    }

    /// The question before deleting is shown.
    #[cfg(test)]
    pub fn asks_to_delete(&self) -> bool {
        self.stage == Stage::ConfirmDelete
    }

    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::AddToContacts => return Action::AddToContacts(self.key.clone()),
            Message::Rename => self.stage = Stage::Rename(self.title.clone()),
            Message::RenameEdited(new) => self.stage = Stage::Rename(new),
            Message::RenameSubmit => {
                if let Stage::Rename(new) = &self.stage {
                    let new = new.trim();
                    if new.chars().count() > MAX_TITLE_CHARS {
                        self.error = Some(t!("menu-rename-too-long", max = MAX_TITLE_CHARS));
                        return Action::None;
                    }
                    let title = Some(new.to_string()).filter(|n| !n.is_empty());
                    return Action::Rename(self.key.clone(), title);
                }
            }
            Message::Delete => self.stage = Stage::ConfirmDelete,
            Message::ConfirmDelete => {
                if self.stage == Stage::ConfirmDelete {
                    return Action::Delete(self.key.clone());
                }
            }
            Message::Cancel => return Action::Close,
        }
        Action::None
    }

    /// Tab order of the stage shown: the items then Cancel; the name field,
    /// Cancel, Save; or Cancel and Delete.
    pub fn focus_chain(&self) -> Chain<Message> {
        match &self.stage {
            Stage::Choose => {
                let mut chain = Chain::new(DIALOG);
                if !self.is_contact {
                    chain = chain.control(ADD, Message::AddToContacts);
                }
                chain
                    .control(RENAME, Message::Rename)
                    .control(DELETE, Message::Delete)
                    .control(CANCEL, Message::Cancel)
            }
            Stage::Rename(_) => Chain::new(RENAMING)
                .field(RENAME_FIELD)
                .control(CANCEL, Message::Cancel)
                .control(SAVE, Message::RenameSubmit),
            Stage::ConfirmDelete => Chain::new(DELETING)
                .control(CANCEL, Message::Cancel)
                .control(CONFIRM, Message::ConfirmDelete),
        }
    }

    /// The menu, with the focus ring on the button `ring` names.
    pub fn view(&self, ring: Ring) -> Element<'_, Message> {
        let heading = text(self.title.as_str())
            .size(theme::TEXT_TITLE)
            .font(theme::BOLD);
        let item = |label: String, message: Message, key: Key| {
            let item = button(text(label))
                .width(Fill)
                .padding([theme::SPACE_S, theme::SPACE_M])
                .style(theme::secondary_button)
                .on_press(message);
            focus::ring(item, key, ring)
        };
        let cancel = focus::ring(
            button(text(t!("menu-cancel")))
                .style(theme::secondary_button)
                .on_press(Message::Cancel),
            CANCEL,
            ring,
        );
        let body: Element<'_, Message> = match &self.stage {
            Stage::Choose => {
                let mut items = column![].spacing(theme::SPACE_XS);
                if !self.is_contact {
                    items = items.push(item(t!("menu-add-to-contacts"), Message::AddToContacts, ADD));
                }
                items
                    .push(item(t!("menu-rename"), Message::Rename, RENAME))
                    .push(item(t!("menu-delete"), Message::Delete, DELETE))
                    .push(row![space::horizontal(), cancel])
                    .into()
            }
            Stage::Rename(new) => column![
                widget::muted(t!("menu-rename-hint")),
                text_input(&self.title, new)
                    .id(Id::new(RENAME_FIELD))
                    .on_input(Message::RenameEdited)
                    .on_submit(Message::RenameSubmit)
                    .padding(theme::SPACE_S),
                row![
                    space::horizontal(),
                    cancel,
                    focus::ring(
                        button(text(t!("menu-rename-save"))).on_press(Message::RenameSubmit),
                        SAVE,
                        ring
                    )
                ]
                .spacing(theme::SPACE_S),
            ]
            .spacing(theme::SPACE_S)
            .into(),
            Stage::ConfirmDelete => column![
                text(t!("menu-delete-question", name = self.title.as_str())),
                row![
                    space::horizontal(),
                    cancel,
                    focus::ring(
                        button(text(t!("menu-delete-confirm")))
                            .style(button::danger)
                            .on_press(Message::ConfirmDelete),
                        CONFIRM,
                        ring
                    )
                ]
                .spacing(theme::SPACE_S),
            ]
            .spacing(theme::SPACE_M)
            .into(),
        };
        let mut all = column![heading, body].spacing(theme::SPACE_M);
        if let Some(error) = &self.error {
            all = all.push(text(error.as_str()).style(|t: &iced::Theme| text::Style {
                color: Some(theme::danger_text(t)),
            }));
        }
        all.into()
    }
}
