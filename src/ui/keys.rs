//! Keys and window events the whole window reacts to, as app messages.
//!
//! - Ctrl+K: jump to a conversation
//! - Ctrl+Tab / Alt+Down: the next conversation in the list; Ctrl+Shift+Tab /
//!   Alt+Up: the previous one (also while typing)
//! - Ctrl+F: search the history
//! - Ctrl+Q: quit (closing the window may only hide it)
//! - Esc: close the open dialog, else the alert log, else leave the search
//!   results (even when a text field took the key: it only unfocuses the field)
//! - Shift+F10 / the Menu key: the open conversation's menu (Add to
//!   contacts, Rename, Delete)
//! - Tab / Shift+Tab: next / previous text field; in a dialog, every field
//!   and control in turn (`focus.rs`); the permission banner's Allow and
//!   Block join the window's fields while it shows
//! - Enter / Space: press the dialog's (or banner's) focused button,
//!   checkbox or radio (when no field took the key)
//! - Up / Down while "jump to a conversation" is open: choose a match

use crate::ui::app::Message;
use crate::ui::switcher;
use iced::event::Status;
use iced::keyboard::{self, key::Named, Key, Modifiers};
use iced::window;
use std::time::Duration;

/// How long after the last resize or move the window state is written.
pub const SAVE_DELAY: Duration = Duration::from_secs(2);

/// Keys and window events for the whole window.
pub fn window_keys(event: iced::Event, status: Status, _window: window::Id) -> Option<Message> {
    match event {
        iced::Event::Keyboard(keyboard::Event::KeyPressed { key, modifiers, .. }) => {
            key_message(&key, modifiers, status)
        }
        iced::Event::Mouse(iced::mouse::Event::ButtonPressed(_)) => Some(Message::Pointer),
        iced::Event::Window(window::Event::Resized(size)) => Some(Message::Resized(size)),
        iced::Event::Window(window::Event::Moved(point)) => Some(Message::Moved(point)),
        iced::Event::Window(window::Event::CloseRequested) => {
            Some(Message::Duty(crate::ui::app::duty::DutyMessage::CloseRequested))
        }
        _ => None,
    }
}

/// The message for a key press anywhere in the window.
pub fn key_message(key: &Key, modifiers: Modifiers, status: Status) -> Option<Message> {
    match key.as_ref() {
        Key::Named(Named::Escape) => Some(Message::Escape),
        Key::Named(Named::Tab) if modifiers.control() && !modifiers.alt() => {
            Some(Message::SwitchConversation {
                forward: !modifiers.shift(),
            })
        }
        Key::Named(named @ (Named::ArrowUp | Named::ArrowDown))
            if modifiers.alt() && !modifiers.control() && !modifiers.shift() =>
        {
            Some(Message::SwitchConversation {
                forward: named == Named::ArrowDown,
            })
        }
        Key::Named(Named::ContextMenu) => Some(Message::OpenMenu(None)),
        Key::Named(Named::F10) if modifiers.shift() => Some(Message::OpenMenu(None)),
        Key::Named(Named::Tab) if status == Status::Ignored && !modifiers.command() => {
            Some(if modifiers.shift() {
                Message::FocusPrevious
            } else {
                Message::FocusNext
            })
        }
        Key::Named(Named::Enter | Named::Space)
            if status == Status::Ignored
                && !modifiers.command()
                && !modifiers.alt()
                && !modifiers.shift() =>
        {
            Some(Message::FocusPress)
        }
        Key::Character(c) if modifiers.command() && !modifiers.alt() && c.eq_ignore_ascii_case("k") => {
            Some(Message::JumpTo)
        }
        Key::Character(c) if modifiers.command() && !modifiers.alt() && c.eq_ignore_ascii_case("f") => {
            Some(Message::Find)
        }
        // Quit (unregisters), also when closing only hides the window.
        Key::Character(c) if modifiers.command() && !modifiers.alt() && c.eq_ignore_ascii_case("q") => {
            Some(Message::Quit)
        }
        _ => None,
    }
}

/// Arrows for "jump to a conversation" (subscribed only while it is open).
pub fn switcher_keys(event: iced::Event, _status: Status, _window: window::Id) -> Option<Message> {
    match event {
        iced::Event::Keyboard(keyboard::Event::KeyPressed {
            key: Key::Named(named),
            ..
        }) => match named {
            Named::ArrowUp => Some(Message::Switcher(switcher::Message::Up)),
            Named::ArrowDown => Some(Message::Switcher(switcher::Message::Down)),
            _ => None,
        },
        _ => None,
    }
}
