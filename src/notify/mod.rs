//! Desktop notifications from runtime events, for the window and for
//! `sipchat listen --notify` alike.
//!
//! [`Planner`] decides (pure, testable): an [`Event::AlertRaised`] becomes a
//! critical, resident, never-expiring notice with a sound, never throttled
//! or merged; an ordinary [`Event::MessageReceived`] becomes an
//! `im.received` notice that replaces the earlier one of its conversation
//! ("3 new messages from bob"), and none at all while the UI says that
//! conversation is open and focused; a chat session invitation
//! ([`Event::ChatOffered`]) becomes an `im` notice unless its conversation
//! is focused. Messages and invitations carry the `message-new-instant`
//! sound hint unless message sounds are off; while do not disturb
//! ([`DoNotDisturb`]) lasts they do not notify at all. Alerts always notify,
//! with the `alarm-clock-elapsed` sound, muted or not. [`Notifier`] hands the notices to the
//! freedesktop notification server over the session D-Bus (notify-rust, on
//! its own thread, behind the `notify` cargo feature) and reports "Open" and
//! "Acknowledge" clicks back as [`NotifyAction`]s. An acknowledged alert
//! ([`Event::AlertAcknowledged`], from the window, the CLI or the
//! notification's own button) closes its notification. Without a session bus or
//! a notification server it logs once and goes on; it never fails the
//! runtime. Built without the `notify` feature, it reports notifications as
//! unavailable.

#[cfg(feature = "notify")]
mod desktop;
mod do_not_disturb;

pub use do_not_disturb::{DoNotDisturb, HOUR_SECS, MORNING_HOUR};

use std::collections::HashMap;

use tokio::sync::mpsc;

use crate::model::{AccountId, AlertMark};
use crate::runtime::Event;
use crate::store::conversation_key;

/// The application name notifications carry.
pub const APP_NAME: &str = crate::paths::APP;
/// The icon name (installed with the desktop entry).
pub const APP_ICON: &str = crate::paths::APP_ID;
/// The `desktop-entry` hint: the desktop file's name without `.desktop`.
pub const DESKTOP_ENTRY: &str = crate::paths::APP_ID;
/// Action key of "Open" (open the conversation, or the alert).
pub const ACTION_OPEN: &str = "open";
/// Action key of "Acknowledge" on alerts.
pub const ACTION_ACKNOWLEDGE: &str = "acknowledge";
/// Sound theme name played with an alert (freedesktop sound naming spec).
pub const ALERT_SOUND: &str = "alarm-clock-elapsed";
/// Sound theme name played with a message or a chat invitation (unless
/// message sounds are off).
pub const MESSAGE_SOUND: &str = "message-new-instant";
/// Category of an alert notification (no standard category fits; `x-` is
/// the spec's vendor prefix).
pub const ALERT_CATEGORY: &str = "x-sipchat.emergency-alert";
/// Category of a message notification (freedesktop spec).
pub const MESSAGE_CATEGORY: &str = "im.received";
/// Category of a chat session invitation (freedesktop spec: generic `im`).
pub const CHAT_OFFER_CATEGORY: &str = "im";
/// Category of a file offer (freedesktop spec: `transfer`).
pub const FILE_OFFER_CATEGORY: &str = "transfer";
/// Category of "a contact is online now" (freedesktop spec: `presence.online`).
pub const ONLINE_CATEGORY: &str = "presence.online";
/// Longest body text shown in a notification, in characters.
pub const MAX_BODY_CHARS: usize = 400;

/// How urgent a notification is (freedesktop urgency levels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Normal.
    Normal,
    /// Critical: stays until dismissed.
    Critical,
}

/// Which earlier notification a notice replaces: one per conversation, and
/// one per alert (alerts never replace each other).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NoticeKey {
    /// An alert, by its id.
    Alert(i64),
    /// A conversation: account and normalised peer address.
    Conversation(AccountId, String),
    /// A chat session invitation in a conversation (kept apart from its
    /// message count).
    ChatOffer(AccountId, String),
    /// A file offered to us, by the runtime's transfer id.
    FileOffer(u64),
    /// A contact the user asked about is online now: account and
    /// normalised address.
    Online(AccountId, String),
}

/// What a click should open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTarget {
    /// The account.
    pub account: AccountId,
    /// The conversation's normalised peer address.
    pub peer_key: String,
    /// The alert, when the notification was for one.
    pub alert: Option<i64>,
}

/// What the user did with a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyAction {
    /// "Open" (or a click on the notification): open this conversation.
    Open(OpenTarget),
    /// "Acknowledge" on an alert: send `Command::AckAlert { id }`.
    Acknowledge(i64),
}

/// A notification to show, independent of how it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// What it replaces.
    pub key: NoticeKey,
    /// The title.
    pub summary: String,
    /// The text.
    pub body: String,
    /// Critical for alerts.
    pub urgency: Urgency,
    /// freedesktop category.
    pub category: &'static str,
    /// Stays (resident, no expiry) until the user dismisses it.
    pub persistent: bool,
    /// Sound theme name to play, if any.
    pub sound: Option<&'static str>,
    /// What "Open" opens.
    pub open: OpenTarget,
    /// Whether to offer "Acknowledge" (alerts).
    pub acknowledge: Option<i64>,
    /// The label of "Open".
    pub open_label: String,
    /// The label of "Acknowledge".
    pub acknowledge_label: String,
}

/// The words notifications use. [`English`] unless the window gives its
/// own (translated) ones with [`Planner::set_words`].
pub trait Words: Send {
    /// The title of an alert: its headline and who sent it.
    fn alert_summary(&self, title: &str, from: &str) -> String;
    /// "Message from bob", or with `count` > 1 "3 new messages from bob".
    fn messages_summary(&self, from: &str, count: u32) -> String;
    /// What a message that claims to be an alert from an untrusted sender
    /// is prefixed with.
    fn untrusted(&self) -> String;
    /// The title of a chat session invitation.
    fn chat_offer_summary(&self, from: &str) -> String;
    /// Its text.
    fn chat_offer_body(&self) -> String;
    /// The title of a file offer.
    fn file_offer_summary(&self, from: &str) -> String;
    /// Its text: the file's name and size.
    fn file_offer_body(&self, file: &str, size: Option<u64>) -> String;
    /// The label of "Open".
    fn open(&self) -> String;
    /// The label of "Acknowledge".
    fn acknowledge(&self) -> String;
}

/// The English words (the CLI's, and the default).
#[derive(Debug, Default, Clone, Copy)]
pub struct English;

impl Words for English {
    fn alert_summary(&self, title: &str, from: &str) -> String {
        format!("EMERGENCY ALERT: {title} (from {from})")
    }
    fn messages_summary(&self, from: &str, count: u32) -> String {
        if count == 1 {
            format!("Message from {from}")
        } else {
            format!("{count} new messages from {from}")
        }
    }
    fn untrusted(&self) -> String {
        AlertMark::UNTRUSTED_WORDS.to_string()
    }
    fn chat_offer_summary(&self, from: &str) -> String {
        format!("{from} invites you to a chat session")
    }
    fn chat_offer_body(&self) -> String {
        "Open the conversation to accept or decline.".to_string()
    }
    fn file_offer_summary(&self, from: &str) -> String {
        format!("{from} wants to send you a file")
    }
    fn file_offer_body(&self, file: &str, size: Option<u64>) -> String {
        match size {
            Some(size) => format!("{file} ({size} bytes). Open the conversation to accept or decline."),
            None => format!("{file}. Open the conversation to accept or decline."),
        }
    }
    fn open(&self) -> String {
        "Open".to_string()
    }
    fn acknowledge(&self) -> String {
        "Acknowledge".to_string()
    }
}

/// Decides which events become which notifications. Pure: no D-Bus.
pub struct Planner {
    unseen: HashMap<(AccountId, String), u32>,
    focused: Option<(AccountId, String)>,
    words: Box<dyn Words>,
    /// Whether messages, invitations and file offers notify (alerts always do).
    messages: bool,
    /// Display names peers sent, by account and peer, so a notice that
    /// carries none (a file offer) still names them.
    names: HashMap<(AccountId, String), String>,
    /// The address book's names by address key (the user's own words win
    /// over what peers send).
    contact_names: HashMap<String, String>,
    /// Whether message notifications carry a sound (alerts always do).
    message_sounds: bool,
    /// Messages muted for a while (alerts never are).
    do_not_disturb: DoNotDisturb,
}

/// Most peer names remembered; past it, new names are not kept.
pub const MAX_REMEMBERED_NAMES: usize = 4096;

impl Default for Planner {
    fn default() -> Planner {
        Planner {
            unseen: HashMap::new(),
            focused: None,
            words: Box::new(English),
            messages: true,
            names: HashMap::new(),
            contact_names: HashMap::new(),
            message_sounds: true,
            do_not_disturb: DoNotDisturb::off(),
        }
    }
}

impl std::fmt::Debug for Planner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Planner")
            .field("unseen", &self.unseen)
            .field("focused", &self.focused)
            .field("messages", &self.messages)
            .field("message_sounds", &self.message_sounds)
            .field("do_not_disturb", &self.do_not_disturb)
            .finish()
    }
}

/// `text` for a notification body that the server reads as markup: `&`,
/// `<` and `>` as entities, so they show as written.
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn shorten(text: &str) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(MAX_BODY_CHARS) {
        Some((at, _)) => format!("{}…", &trimmed[..at]),
        None => trimmed.to_string(),
    }
}

impl Planner {
    /// A planner with no conversation focused.
    pub fn new() -> Planner {
        Planner::default()
    }

    /// The conversation the user is looking at (open and the window
    /// focused), or `None`. Its count starts again from zero.
    pub fn set_focused(&mut self, conversation: Option<(AccountId, String)>) {
        if let Some(c) = &conversation {
            self.unseen.remove(c);
        }
        self.focused = conversation;
    }

    /// The words to use from now on (the window's language).
    pub fn set_words(&mut self, words: Box<dyn Words>) {
        self.words = words;
    }

    /// Turns notifications of messages, chat invitations and file offers
    /// on or off. Emergency alerts notify either way.
    pub fn set_messages(&mut self, on: bool) {
        self.messages = on;
    }

    /// Turns the sound of message and invitation notifications on or off.
    /// Alerts sound either way.
    pub fn set_message_sounds(&mut self, on: bool) {
        self.message_sounds = on;
    }

    /// Mutes messages, invitations and file offers (see [`DoNotDisturb`]),
    /// or ends the mute with [`DoNotDisturb::off`]. Alerts come through.
    pub fn set_do_not_disturb(&mut self, dnd: DoNotDisturb) {
        self.do_not_disturb = dnd;
    }

    /// The current mute.
    pub fn do_not_disturb(&self) -> DoNotDisturb {
        self.do_not_disturb
    }

    /// The user has seen a conversation: the next message starts a new count.
    pub fn conversation_seen(&mut self, account: &AccountId, peer_key: &str) {
        self.unseen.remove(&(account.clone(), peer_key.to_string()));
    }

    /// The notification `event` makes obsolete, if any: an acknowledged
    /// alert's.
    pub fn closes(&self, event: &Event) -> Option<NoticeKey> {
        match event {
            Event::AlertAcknowledged { id, .. } => Some(NoticeKey::Alert(*id)),
            _ => None,
        }
    }

    /// Remembers the display name a peer sent with `event`, if any.
    fn learn_name(&mut self, event: &Event) {
        if let Event::Contacts(contacts) = event {
            self.contact_names = contacts
                .iter()
                .filter(|c| !c.details.name.trim().is_empty())
                .flat_map(|c| {
                    c.details
                        .addresses
                        .iter()
                        .map(|a| (conversation_key(a), c.details.name.clone()))
                })
                .collect();
            return;
        }
        let (account, from, name) = match event {
            Event::MessageReceived(m) => (&m.account, &m.from, &m.from_name),
            Event::ChatOffered {
                account,
                from,
                from_name,
                ..
            } => (account, from, from_name),
            _ => return,
        };
        let Some(name) = name.as_ref().filter(|n| !n.trim().is_empty()) else {
            return;
        };
        let key = (account.clone(), conversation_key(from));
        if self.names.len() < MAX_REMEMBERED_NAMES || self.names.contains_key(&key) {
            self.names.insert(key, name.clone());
        }
    }

    /// The name to show for `from` on `account`: one it sent, else the address.
    fn who(&self, account: &AccountId, from: &str) -> String {
        self.contact_names
            .get(&conversation_key(from))
            .or_else(|| self.names.get(&(account.clone(), conversation_key(from))))
            .cloned()
            .unwrap_or_else(|| from.to_string())
    }

    /// The name to show for `from`: the contact's, else the one it sent
    /// now (`sent`), else one it sent before, else the address.
    fn who_sent(&self, account: &AccountId, from: &str, sent: &Option<String>) -> String {
        match (self.contact_names.get(&conversation_key(from)), sent) {
            (Some(name), _) => name.clone(),
            (None, Some(name)) if !name.trim().is_empty() => name.clone(),
            _ => self.who(account, from),
        }
    }

    /// The notification for `event` now, if it deserves one.
    pub fn plan(&mut self, event: &Event) -> Option<Notice> {
        self.plan_at(event, unix_now())
    }

    /// The notification for `event` at `now` (Unix seconds), if it
    /// deserves one.
    pub fn plan_at(&mut self, event: &Event, now: u64) -> Option<Notice> {
        self.learn_name(event);
        let alert = matches!(event, Event::AlertRaised(_));
        if !alert && (!self.messages || self.do_not_disturb.muted_at(now)) {
            return None;
        }
        let message_sound = self.message_sounds.then_some(MESSAGE_SOUND);
        let (open_label, acknowledge_label) = (self.words.open(), self.words.acknowledge());
        match event {
            Event::AlertRaised(alert) => {
                let who = self.who_sent(&alert.account, &alert.from, &alert.from_name);
                let mut body = shorten(&alert.text);
                if let Some(info) = alert.first_info() {
                    body = format!("{body}\n({} / {})", info.severity, info.urgency);
                    if !info.areas.is_empty() {
                        body = format!("{body}\n{}", info.areas.join("; "));
                    }
                }
                Some(Notice {
                    key: NoticeKey::Alert(alert.id),
                    summary: self.words.alert_summary(&alert.title(), &who),
                    body,
                    urgency: Urgency::Critical,
                    category: ALERT_CATEGORY,
                    persistent: true,
                    sound: Some(ALERT_SOUND),
                    open: OpenTarget {
                        account: alert.account.clone(),
                        peer_key: conversation_key(&alert.from),
                        alert: Some(alert.id),
                    },
                    acknowledge: Some(alert.id),
                    open_label,
                    acknowledge_label,
                })
            }
            Event::MessageReceived(m) if m.alert != AlertMark::Raised => {
                let peer_key = conversation_key(&m.from);
                let conversation = (m.account.clone(), peer_key.clone());
                if self.focused.as_ref() == Some(&conversation) {
                    return None;
                }
                let who = self.who_sent(&m.account, &m.from, &m.from_name);
                let count = self.unseen.entry(conversation).or_insert(0);
                *count += 1;
                let summary = self.words.messages_summary(&who, *count);
                let body = match m.alert {
                    AlertMark::Untrusted => {
                        format!("({}) {}", self.words.untrusted(), shorten(&m.body))
                    }
                    _ => shorten(&m.body),
                };
                Some(Notice {
                    key: NoticeKey::Conversation(m.account.clone(), peer_key.clone()),
                    summary,
                    body,
                    urgency: Urgency::Normal,
                    category: MESSAGE_CATEGORY,
                    persistent: false,
                    sound: message_sound,
                    open: OpenTarget {
                        account: m.account.clone(),
                        peer_key,
                        alert: None,
                    },
                    acknowledge: None,
                    open_label,
                    acknowledge_label,
                })
            }
            Event::ChatOffered {
                account,
                from,
                from_name,
                ..
            } => {
                let peer_key = conversation_key(from);
                if self.focused.as_ref() == Some(&(account.clone(), peer_key.clone())) {
                    return None;
                }
                let who = self.who_sent(account, from, from_name);
                Some(Notice {
                    key: NoticeKey::ChatOffer(account.clone(), peer_key.clone()),
                    summary: self.words.chat_offer_summary(&who),
                    body: self.words.chat_offer_body(),
                    urgency: Urgency::Normal,
                    category: CHAT_OFFER_CATEGORY,
                    persistent: false,
                    sound: message_sound,
                    open: OpenTarget {
                        account: account.clone(),
                        peer_key,
                        alert: None,
                    },
                    acknowledge: None,
                    open_label,
                    acknowledge_label,
                })
            }
            Event::TransferOffered {
                account,
                transfer,
                from,
                name,
                size,
                ..
            } => {
                let peer_key = conversation_key(from);
                if self.focused.as_ref() == Some(&(account.clone(), peer_key.clone())) {
                    return None;
                }
                Some(Notice {
                    key: NoticeKey::FileOffer(transfer.0),
                    summary: self.words.file_offer_summary(&self.who(account, from)),
                    body: self.words.file_offer_body(&shorten(name), *size),
                    urgency: Urgency::Normal,
                    category: FILE_OFFER_CATEGORY,
                    persistent: false,
                    sound: None,
                    open: OpenTarget {
                        account: account.clone(),
                        peer_key,
                        alert: None,
                    },
                    acknowledge: None,
                    open_label,
                    acknowledge_label,
                })
            }
            _ => None,
        }
    }
}

/// Seconds since the Unix epoch, now.
fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Shows notices on the desktop and reports clicks back.
pub struct Notifier {
    planner: Planner,
    #[cfg(feature = "notify")]
    desktop: Option<desktop::Desktop>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifier")
            .field("available", &self.available())
            .finish()
    }
}

impl Notifier {
    /// Starts the notification thread. Clicks ("Open", "Acknowledge") come
    /// back on the receiver. Never fails: without a session bus or a
    /// notification server, notices are dropped (logged once).
    pub fn start() -> (Notifier, mpsc::UnboundedReceiver<NotifyAction>) {
        let (actions_tx, actions_rx) = mpsc::unbounded_channel();
        #[cfg(feature = "notify")]
        let notifier = Notifier {
            planner: Planner::new(),
            desktop: desktop::Desktop::start(actions_tx),
        };
        #[cfg(not(feature = "notify"))]
        let notifier = {
            drop(actions_tx);
            tracing::warn!("desktop notifications are not built in (cargo feature `notify` is off)");
            Notifier {
                planner: Planner::new(),
            }
        };
        (notifier, actions_rx)
    }

    /// Whether notifications can be shown at all (built in, and the
    /// notification thread is running; a missing bus shows only later, in
    /// the log).
    pub fn available(&self) -> bool {
        #[cfg(feature = "notify")]
        {
            self.desktop.is_some()
        }
        #[cfg(not(feature = "notify"))]
        {
            false
        }
    }

    /// The planner, to tell it what the UI shows.
    pub fn planner(&mut self) -> &mut Planner {
        &mut self.planner
    }

    /// Shows a notice the caller planned itself (the window's "tell me
    /// when bob is online"); dropped while do not disturb is on. Never
    /// blocks on D-Bus.
    pub fn show(&mut self, notice: Notice) {
        if self.planner.do_not_disturb().muted_at(unix_now()) {
            return;
        }
        #[cfg(feature = "notify")]
        if let Some(desktop) = &self.desktop {
            desktop.show(notice);
        }
        #[cfg(not(feature = "notify"))]
        tracing::debug!(summary = %notice.summary, "not shown: notifications are not built in");
    }

    /// Shows the notification `event` deserves, if any, or closes the one
    /// it makes obsolete. Never blocks on D-Bus.
    pub fn handle(&mut self, event: &Event) {
        if let Some(key) = self.planner.closes(event) {
            #[cfg(feature = "notify")]
            if let Some(desktop) = &self.desktop {
                desktop.close(key);
            }
            #[cfg(not(feature = "notify"))]
            tracing::debug!(?key, "nothing to close: notifications are not built in");
            return;
        }
        let Some(notice) = self.planner.plan(event) else {
            return;
        };
        #[cfg(feature = "notify")]
        if let Some(desktop) = &self.desktop {
            desktop.show(notice);
        }
        #[cfg(not(feature = "notify"))]
        tracing::debug!(summary = %notice.summary, "not shown: notifications are not built in");
    }
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
