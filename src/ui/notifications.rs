//! Desktop notifications from the window: every runtime event goes to a
//! [`sipchat::notify::Notifier`], which is told which conversation the user
//! is looking at (open, and the window focused), and the clicks on
//! notifications ("Open", "Acknowledge") come back as a Subscription.

use crate::ui::bridge::Feed;
use crate::ui::conversation::ConversationKey;
use crate::ui::i18n::t;
use iced::Subscription;
use sipchat::model::AccountId;
use sipchat::notify::{
    DoNotDisturb, Notice, NoticeKey, Notifier, NotifyAction, OpenTarget, Urgency, Words, ONLINE_CATEGORY,
};
use sipchat::runtime::Event;
use tokio::sync::mpsc::UnboundedReceiver;

/// Where the window's events go to become notifications: the desktop, or a
/// recorder in tests.
pub trait Notify: std::fmt::Debug {
    /// Shows what the event deserves, if anything.
    fn handle(&mut self, event: &Event);
    /// The conversation the user looks at, or `None`.
    fn set_focused(&mut self, conversation: Option<(AccountId, String)>);
    /// Whether messages, invitations and file offers notify (alerts always do).
    fn set_messages(&mut self, on: bool);
    /// Whether message notifications play a sound (alerts always do).
    fn set_message_sounds(&mut self, _on: bool) {}
    /// Mutes messages for a while, or ends the mute (alerts come through).
    fn set_do_not_disturb(&mut self, _dnd: DoNotDisturb) {}
    /// Shows a notice the window planned itself (a contact is online).
    fn show(&mut self, _notice: Notice) {}
}

impl Notify for Notifier {
    fn handle(&mut self, event: &Event) {
        Notifier::handle(self, event);
    }

    fn show(&mut self, notice: Notice) {
        Notifier::show(self, notice);
    }

    fn set_messages(&mut self, on: bool) {
        self.planner().set_messages(on);
    }

    fn set_message_sounds(&mut self, on: bool) {
        self.planner().set_message_sounds(on);
    }

    fn set_do_not_disturb(&mut self, dnd: DoNotDisturb) {
        self.planner().set_do_not_disturb(dnd);
    }

    fn set_focused(&mut self, conversation: Option<(AccountId, String)>) {
        self.planner().set_focused(conversation);
    }
}

/// Notifications off (tests, or no notifier).
#[derive(Debug, Default)]
pub struct Silent;

impl Notify for Silent {
    fn handle(&mut self, _event: &Event) {}
    fn set_focused(&mut self, _conversation: Option<(AccountId, String)>) {}
    fn set_messages(&mut self, _on: bool) {}
}

/// The words of desktop notifications in the window's language. The
/// planner runs on the thread that runs `update`, whose language it is.
#[derive(Debug, Clone, Copy)]
pub struct Translated;

impl Words for Translated {
    fn alert_summary(&self, title: &str, from: &str) -> String {
        t!("notify-alert-summary", title = title, name = from)
    }
    fn messages_summary(&self, from: &str, count: u32) -> String {
        if count == 1 {
            t!("notify-message", name = from)
        } else {
            t!("notify-messages", count = count, name = from)
        }
    }
    fn untrusted(&self) -> String {
        t!("notify-untrusted")
    }
    fn chat_offer_summary(&self, from: &str) -> String {
        t!("notify-chat-offer", name = from)
    }
    fn chat_offer_body(&self) -> String {
        t!("notify-chat-offer-body")
    }
    fn file_offer_summary(&self, from: &str) -> String {
        t!("notify-file-offer", name = from)
    }
    fn file_offer_body(&self, file: &str, size: Option<u64>) -> String {
        let size = size
            .map(crate::ui::transfers::size_words)
            .unwrap_or_else(|| "?".to_string());
        t!("notify-file-offer-body", file = file, size = size)
    }
    fn open(&self) -> String {
        t!("notify-open")
    }
    fn acknowledge(&self) -> String {
        t!("notify-acknowledge")
    }
}

/// The notifier and what it was last told, so the planner hears only changes.
#[derive(Debug)]
pub struct Notifications {
    notify: Box<dyn Notify>,
    window_focused: bool,
    reported: Option<ConversationKey>,
}

impl Default for Notifications {
    fn default() -> Notifications {
        Notifications::new(Box::new(Silent))
    }
}

impl Notifications {
    /// The window starts unfocused until iced says otherwise.
    pub fn new(notify: Box<dyn Notify>) -> Notifications {
        Notifications {
            notify,
            window_focused: false,
            reported: None,
        }
    }

    /// Messages, invitations and file offers notify or not (alerts always).
    pub fn set_messages(&mut self, on: bool) {
        self.notify.set_messages(on);
    }

    /// Message notifications play a sound or not (alerts always do).
    pub fn set_message_sounds(&mut self, on: bool) {
        self.notify.set_message_sounds(on);
    }

    /// Mutes messages for a while, or ends the mute.
    pub fn set_do_not_disturb(&mut self, dnd: DoNotDisturb) {
        self.notify.set_do_not_disturb(dnd);
    }

    /// "bob is online" (asked for on the contact's page): opens the
    /// conversation with `key` when clicked.
    pub fn online(&mut self, key: &ConversationKey, name: &str, words: &str) {
        self.notify.show(Notice {
            key: NoticeKey::Online(key.account.clone(), key.peer.clone()),
            summary: t!("notify-online", name = name),
            body: words.to_string(),
            urgency: Urgency::Normal,
            category: ONLINE_CATEGORY,
            persistent: false,
            sound: None,
            open: OpenTarget {
                account: key.account.clone(),
                peer_key: key.peer.clone(),
                alert: None,
            },
            acknowledge: None,
            open_label: t!("notify-open"),
            acknowledge_label: t!("notify-acknowledge"),
        });
    }

    /// Passes a runtime event on.
    pub fn handle(&mut self, event: &Event) {
        self.notify.handle(event);
    }

    /// The window gained or lost the keyboard focus.
    pub fn window_focus(&mut self, focused: bool, open: Option<ConversationKey>) {
        self.window_focused = focused;
        self.refresh(open);
    }

    /// Tells the planner what is in view now (`open` is the conversation
    /// shown, `None` when none or the alert log covers it).
    pub fn refresh(&mut self, open: Option<ConversationKey>) {
        let seen = open.filter(|_| self.window_focused);
        if seen != self.reported {
            self.notify
                .set_focused(seen.as_ref().map(|k| (k.account.clone(), k.peer.clone())));
            self.reported = seen;
        }
    }
}

/// Clicks on the notifications, for a Subscription.
pub type ActionSource = Feed<NotifyAction>;

/// The feed of clicks from [`Notifier::start`].
pub fn action_source(actions: UnboundedReceiver<NotifyAction>) -> ActionSource {
    Feed::new("sipchat-notification-actions", actions)
}

/// Every click on a notification, in order.
pub fn actions(source: &ActionSource) -> Subscription<NotifyAction> {
    source.subscription()
}

/// Window focus changes from iced's events.
pub fn focus_events(
    event: iced::Event,
    _status: iced::event::Status,
    _window: iced::window::Id,
) -> Option<bool> {
    match event {
        iced::Event::Window(iced::window::Event::Focused) => Some(true),
        iced::Event::Window(iced::window::Event::Unfocused) => Some(false),
        _ => None,
    }
}
