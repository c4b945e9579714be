//! The composer's drafts and keys: a multi-line draft per conversation.
//!
//! Enter sends, Shift+Enter breaks the line; the field grows to
//! [`MAX_LINES`] lines, then scrolls. Ctrl+V pastes the clipboard's text as
//! ever, then asks the app to look for a picture or files on it
//! (`paste.rs` offers to send them). Ctrl+Tab, Alt+Up/Down and Tab are left
//! to the window (they move between conversations and fields).

use super::ConversationKey;
use iced::keyboard::{key::Named, Key};
use iced::widget::text_editor::{self, Binding, Content, KeyPress};
use std::collections::HashMap;

/// Lines the composer grows to before it scrolls.
pub const MAX_LINES: f32 = 5.0;

/// The unsent drafts, one per conversation.
#[derive(Debug, Default)]
pub struct Drafts {
    drafts: HashMap<ConversationKey, Content>,
}

impl Drafts {
    /// The draft of `key` as text (empty when there is none).
    pub fn text(&self, key: &ConversationKey) -> String {
        self.drafts.get(key).map(Content::text).unwrap_or_default()
    }

    /// The editor content of `key`, created empty on first use.
    pub fn content(&mut self, key: &ConversationKey) -> &mut Content {
        self.drafts.entry(key.clone()).or_default()
    }

    /// The editor content of `key` for the view, if it has one.
    pub fn get(&self, key: &ConversationKey) -> Option<&Content> {
        self.drafts.get(key)
    }

    /// Replaces the whole draft of `key`.
    #[cfg(test)]
    pub fn set(&mut self, key: &ConversationKey, text: &str) {
        self.drafts.insert(key.clone(), Content::with_text(text));
    }

    /// Forgets the draft of `key` (after sending it).
    pub fn clear(&mut self, key: &ConversationKey) {
        self.drafts.remove(key);
    }

    /// Applies an editor action to the draft of `key`; `true` when it
    /// changed the text (not only the cursor or the selection).
    pub fn perform(&mut self, key: &ConversationKey, action: text_editor::Action) -> bool {
        let edit = action.is_edit();
        self.content(key).perform(action);
        edit
    }
}

/// What a key does in the composer: Enter (without Shift) is `send`,
/// Shift+Enter a new line, Ctrl+V pastes text and then reports `paste`;
/// keys the window handles are not taken.
pub fn binding<Message>(press: KeyPress, send: Message, paste: Message) -> Option<Binding<Message>> {
    if !matches!(press.status, text_editor::Status::Focused { .. }) {
        return None;
    }
    match press.key.as_ref() {
        Key::Named(Named::Enter) if press.modifiers.shift() => Some(Binding::Enter),
        Key::Named(Named::Enter) => Some(Binding::Custom(send)),
        Key::Character(c)
            if press.modifiers.command() && !press.modifiers.alt() && c.eq_ignore_ascii_case("v") =>
        {
            Some(Binding::Sequence(vec![Binding::Paste, Binding::Custom(paste)]))
        }
        // Ctrl+Tab and Alt+Up/Down switch conversations.
        Key::Named(Named::Tab) => None,
        Key::Named(Named::ArrowUp | Named::ArrowDown) if press.modifiers.alt() => None,
        _ => Binding::from_key_press(press),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::keyboard::key::{Code, Physical};
    use iced::keyboard::Modifiers;

    fn press(key: Key, code: Code, modifiers: Modifiers, text: Option<&str>) -> KeyPress {
        KeyPress {
            key: key.clone(),
            modified_key: key,
            physical_key: Physical::Code(code),
            modifiers,
            text: text.map(Into::into),
            status: text_editor::Status::Focused { is_hovered: false },
        }
    }

    fn enter(modifiers: Modifiers) -> KeyPress {
        press(Key::Named(Named::Enter), Code::Enter, modifiers, Some("\r"))
    }

    #[test]
    fn enter_sends_and_shift_enter_breaks_the_line() {
        assert_eq!(
            binding(enter(Modifiers::empty()), "send", "paste"),
            Some(Binding::Custom("send"))
        );
        assert_eq!(
            binding(enter(Modifiers::SHIFT), "send", "paste"),
            Some(Binding::Enter)
        );
        let a = press(
            Key::Character("a".into()),
            Code::KeyA,
            Modifiers::empty(),
            Some("a"),
        );
        assert_eq!(binding(a, "send", "paste"), Some(Binding::Insert('a')));
    }

    #[test]
    fn ctrl_v_pastes_the_text_then_asks_about_pictures_and_files() {
        let v = |modifiers| press(Key::Character("v".into()), Code::KeyV, modifiers, Some("v"));
        assert_eq!(
            binding(v(Modifiers::CTRL), "send", "paste"),
            Some(Binding::Sequence(vec![Binding::Paste, Binding::Custom("paste")]))
        );
        assert_eq!(
            binding(v(Modifiers::empty()), "send", "paste"),
            Some(Binding::Insert('v'))
        );
        let mut unfocused = v(Modifiers::CTRL);
        unfocused.status = text_editor::Status::Active;
        assert_eq!(binding(unfocused, "send", "paste"), None);
    }

    #[test]
    fn window_keys_pass_through_and_an_unfocused_composer_takes_nothing() {
        let tab = press(Key::Named(Named::Tab), Code::Tab, Modifiers::CTRL, Some("\t"));
        assert_eq!(binding(tab, "send", "paste"), None);
        let up = press(Key::Named(Named::ArrowUp), Code::ArrowUp, Modifiers::ALT, None);
        assert_eq!(binding(up, "send", "paste"), None);
        let mut unfocused = enter(Modifiers::empty());
        unfocused.status = text_editor::Status::Active;
        assert_eq!(binding(unfocused, "send", "paste"), None);
    }

    #[test]
    fn drafts_take_edits_and_report_only_text_changes() {
        let mut drafts = Drafts::default();
        let key = ConversationKey::stored("local", "sip:bob@example.org");
        for c in "hi".chars() {
            assert!(drafts.perform(&key, text_editor::Action::Edit(text_editor::Edit::Insert(c))));
        }
        assert!(drafts.perform(&key, text_editor::Action::Edit(text_editor::Edit::Enter)));
        assert!(drafts.perform(&key, text_editor::Action::Edit(text_editor::Edit::Insert('!'))));
        assert!(!drafts.perform(&key, text_editor::Action::SelectAll));
        assert_eq!(drafts.text(&key), "hi\n!");
        drafts.clear(&key);
        assert_eq!(drafts.text(&key), "");
    }
}
