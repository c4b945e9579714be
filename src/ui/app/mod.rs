//! The window's top level: owns the runtime handle and the components,
//! routes messages to them, and carries out the actions they return.
//!
//! Files: `mod.rs` (the App, update and view), `banners.rs` (dialogs and
//! banners over the window), `accounts.rs` (Settings > Accounts, restarts),
//! `alerts_glue.rs` (alerts and notification clicks), `certificates_glue.rs`
//! (the certificate trust prompt and warnings), `files.rs` (file
//! transfers, dialogs, dropped files), `layout.rs` (the sidebar folded
//! in narrow windows), `pane_glue.rs` (the open
//! conversation's actions: sending, links, copying, switching conversations),
//! `duty.rs` (closing to the background, the tray icon, do not disturb),
//! `contacts_glue.rs` (the contact list, page and dialogs),
//! `presence_glue.rs` (our status, the contacts', permission requests);
//! `focus_glue.rs` (Tab, Enter and Space in dialogs), `events.rs` (what
//! the runtime reports, handed to the components);
//! tests in `tests/`.

use crate::ui::account_settings::{self, AccountSettings};
use crate::ui::alerts::{self, Alerts};
use crate::ui::bridge::{self, EventSource};
use crate::ui::certificate_prompt::{self, CertificatePrompts};
use crate::ui::clock::{self, Zone};
use crate::ui::contacts;
use crate::ui::conversation::history::{PageRequest, PAGE_SIZE};
use crate::ui::conversation::pane::{self, Pane};
use crate::ui::conversation::session::{Request, Sessions};
use crate::ui::conversation::{ConversationKey, Conversations};
use crate::ui::focus;
use crate::ui::i18n::{self, t};
use crate::ui::keys;
use crate::ui::links::{self, Opener};
use crate::ui::notifications::{self, ActionSource, Notifications, Notify};
use crate::ui::presence::{self, Presences};
use crate::ui::restart::{self, Restarter};
use crate::ui::settings;
use crate::ui::sidebar::accounts::{Accounts, Identity};
use crate::ui::sidebar::{self, search, Sidebar};
use crate::ui::single_instance::{self, InstanceRequest, Listener};
use crate::ui::state::{SavedConversation, WindowState};
use crate::ui::switcher::{self, Switcher};
use crate::ui::theme;
use crate::ui::transfers::Transfers;
use crate::ui::words::{w, Words};
use iced::widget::{operation, Id};
use iced::{Point, Size, Subscription, Task, Theme};
use sipchat::model::{AccountId, MessageId, TransferId};
use sipchat::notify::NotifyAction;
use sipchat::runtime::{Command, Event, Handle, RuntimeError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Clone)]
pub enum Message {
    /// Something the runtime reported.
    Runtime(Event),
    Sidebar(sidebar::Message),
    Pane(pane::Message),
    /// A chat session button outside the pane (the banner of an offer).
    Chat {
        key: ConversationKey,
        request: Request,
    },
    /// A second passed while a countdown is shown (account or message retry).
    Tick,
    DismissNotice,
    /// Esc anywhere: close the open dialog, else the alert log, else leave
    /// the search results.
    Escape,
    /// Ctrl+K: open "jump to a conversation".
    JumpTo,
    /// Ctrl+Tab, Alt+Down (`forward`); Ctrl+Shift+Tab, Alt+Up: the next or
    /// previous conversation in the list.
    SwitchConversation {
        forward: bool,
    },
    /// Ctrl+F: the history search field.
    Find,
    /// The desktop's light or dark preference (at start and on changes).
    SystemTheme(iced::theme::Mode),
    /// Tab / Shift+Tab: the next or previous text field (in a dialog: the
    /// next or previous field or control, `focus_glue.rs`).
    FocusNext,
    FocusPrevious,
    /// A dialog's Tab step, once iced said which field has the caret.
    FocusMoved {
        forward: bool,
        caret: Option<&'static str>,
        /// The focus's step count when iced was asked (`Focus::steps`).
        asked: u64,
    },
    /// Enter or Space that no widget took: the focused control, if any.
    FocusPress,
    /// A mouse click: the focus ring gives way to the mouse.
    Pointer,
    Switcher(switcher::Message),
    Settings(settings::Message),
    /// Settings > Accounts and the account dialog.
    Accounts(account_settings::Message),
    /// "Not now" on the offer to add a SIP account.
    DismissAccountOffer,
    /// The runtime was restarted with the changed accounts (or not).
    Restarted(restart::Outcome),
    /// The window was resized or moved (logical pixels).
    Resized(Size),
    Moved(Point),
    /// Write the window state now (after resizing settles).
    SaveState,
    /// The window's close button, or SIGINT/SIGTERM: save, then close.
    Quit,
    /// The alert banner or the alert log.
    Alerts(alerts::Message),
    /// A click on a desktop notification.
    Notification(NotifyAction),
    /// The window gained (`true`) or lost the keyboard focus.
    WindowFocus(bool),
    /// Another `sipchat` started on our data handed over its request.
    Instance(InstanceRequest),
    /// File transfers: their buttons, chosen and dropped files.
    Files(files::FileMessage),
    /// The certificate trust prompt and the changed-certificate warnings.
    Certificates(certificate_prompt::Message),
    /// Closing the window, the tray icon, do not disturb (`duty.rs`).
    Duty(duty::DutyMessage),
    /// The contact page's buttons (`contacts_glue.rs`).
    ContactPage(contacts::page::Message),
    /// The dialog adding or editing a contact.
    ContactForm(contacts::form::Message),
    /// Right click on a conversation, or Shift+F10 / the Menu key (`None`:
    /// the open conversation): its menu.
    OpenMenu(Option<ConversationKey>),
    /// The conversation menu's buttons.
    Menu(contacts::menu::Message),
    /// Photos and previews decoded, pasting (`media_glue.rs`).
    Media(media_glue::MediaMessage),
    /// Our status, the permission banner, auto-away (`presence_glue.rs`).
    Presence(presence::Message),
}

/// What the window starts with besides the runtime.
#[derive(Debug, Default)]
pub struct Startup {
    /// The state remembered from the last run.
    pub state: WindowState,
    /// Where to save it; `None` never writes (tests).
    pub state_file: Option<PathBuf>,
    /// An address from the command line to open a conversation with.
    pub open: Option<String>,
    /// A notice to show at once.
    pub notice: Option<Words>,
    /// Where desktop notifications go; none when `None`.
    pub notify: Option<Box<dyn Notify>>,
    /// Clicks on those notifications.
    pub notify_actions: Option<ActionSource>,
    /// The accounts for Settings (and whether to offer adding one).
    pub accounts: AccountSettings,
    /// Applies changed accounts; `None` tells the user to restart.
    pub restart: Option<Restarter>,
    /// Requests from later `sipchat` starts (a clicked `sip:` link).
    pub instance: Option<Listener>,
    /// How each account is reached (shown with a Copy button).
    pub identities: Vec<(AccountId, Identity)>,
    /// Our status and note as kept from last time.
    pub own_status: Option<(sipchat::model::OwnStatus, Option<String>)>,
}

/// Where the window's commands go: the runtime, or a recorder in tests.
pub trait Commands {
    fn send(&self, command: Command) -> Result<(), RuntimeError>;
    fn next_message_id(&self) -> MessageId;
    fn next_transfer_id(&self) -> TransferId {
        TransferId(self.next_message_id().0)
    }
}

impl Commands for Handle {
    fn send(&self, command: Command) -> Result<(), RuntimeError> {
        Handle::send(self, command)
    }

    fn next_message_id(&self) -> MessageId {
        Handle::next_message_id(self)
    }

    fn next_transfer_id(&self) -> TransferId {
        Handle::next_transfer_id(self)
    }
}

/// Everything the window knows.
pub struct App {
    runtime: Box<dyn Commands>,
    events: EventSource,
    zone: Zone,
    now: u64,
    sidebar: Sidebar,
    conversations: Conversations,
    pane: Pane,
    /// The chat sessions, per conversation.
    sessions: Sessions,
    /// The latest error not tied to a message, until dismissed (drawn in
    /// the language of the moment).
    notice: Option<Words>,
    /// News that is no trouble (accounts applied, a hint), until dismissed.
    info: Option<Words>,
    /// File transfers, sent, offered and from the history.
    transfers: Transfers,
    /// Hands a finished file or its folder to the desktop.
    open_path: fn(&Path),
    /// Hands a clicked link to the desktop.
    opener: Box<dyn Opener>,
    /// Files are dragged over the window.
    dragging: bool,
    /// The runtime has stopped: nothing can be sent any more.
    stopped: bool,
    /// "Jump to a conversation", while open.
    switcher: Option<Switcher>,
    settings_open: bool,
    /// The sidebar is shown whole although the window is narrow.
    sidebar_unfolded: bool,
    /// The path field shown when the desktop has no file chooser.
    path_prompt: Option<file_path::PathPrompt>,
    /// The desktop's light or dark preference.
    system_theme: iced::theme::Mode,
    /// What is remembered between runs, and where.
    state: WindowState,
    state_file: Option<PathBuf>,
    /// Geometry changed since the state was last written.
    state_dirty: bool,
    /// The conversation to reopen once the stored list has come.
    restore: Option<ConversationKey>,
    /// Emergency alerts: the banner and the log.
    alerts: Alerts,
    /// Desktop notifications, told what the user is looking at.
    notifications: Notifications,
    notify_actions: Option<ActionSource>,
    accounts: AccountSettings,
    restarter: Option<Restarter>,
    /// A restart is under way (its `Stopped` is expected).
    restarting: bool,
    instance: Option<Listener>,
    /// Untrusted server certificates to ask about, changed ones to warn of.
    certificates: CertificatePrompts,
    /// The window, the tray icon, running in the background.
    duty: duty::Duty,
    /// The contact changes sent and not yet answered, by request number.
    contact_requests: BTreeSet<u64>,
    /// The dialog adding or editing a contact, while open.
    contact_form: Option<contacts::form::ContactForm>,
    /// A conversation's menu, while open.
    conversation_menu: Option<contacts::menu::ConversationMenu>,
    /// Picture previews and the paste dialog.
    media: media_glue::Media,
    /// Our status and the contacts'.
    presences: Presences,
    /// Where the keyboard is in the open dialog.
    focus: focus::Focus,
}

impl App {
    /// `accounts` in config order; `sending` is the default sending
    /// account. Asks the runtime for the stored conversations; opens the
    /// command line's address, else (once the list has come) the
    /// conversation that was open last time.
    pub fn new(
        runtime: impl Commands + 'static,
        events: EventSource,
        accounts: Vec<AccountId>,
        sending: Option<AccountId>,
        startup: Startup,
    ) -> (App, Task<Message>) {
        let mut app = App {
            runtime: Box::new(runtime),
            events,
            zone: Zone::load(),
            now: clock::unix_now(),
            sidebar: Sidebar::new(Accounts::new(accounts, sending)),
            conversations: Conversations::default(),
            pane: Pane::default(),
            sessions: Sessions::default(),
            notice: startup.notice,
            info: None,
            transfers: Transfers::default(),
            open_path: files::open_with_desktop,
            opener: Box::new(links::Desktop),
            dragging: false,
            stopped: false,
            switcher: None,
            settings_open: false,
            sidebar_unfolded: false,
            path_prompt: None,
            system_theme: iced::theme::Mode::None,
            restore: startup
                .state
                .last_conversation
                .as_ref()
                .map(|c| ConversationKey::stored(&c.account, &c.peer)),
            state: startup.state,
            state_file: startup.state_file,
            state_dirty: false,
            alerts: Alerts::default(),
            notifications: startup.notify.map(Notifications::new).unwrap_or_default(),
            notify_actions: startup.notify_actions,
            accounts: startup.accounts,
            restarter: startup.restart,
            restarting: false,
            instance: startup.instance,
            certificates: CertificatePrompts::default(),
            duty: duty::Duty::default(),
            contact_requests: BTreeSet::new(),
            contact_form: None,
            conversation_menu: None,
            media: media_glue::Media::default(),
            presences: Presences::default(),
            focus: focus::Focus::default(),
        };
        app.notifications.set_messages(app.state.notify_messages);
        if let Some((status, note)) = startup.own_status {
            app.presences.start_with(status, note);
        }
        app.presences
            .auto_away
            .set_minutes(app.state.away_after_minutes, app.now);
        app.sidebar.accounts.set_identities(startup.identities);
        app.command(Command::LoadConversations);
        app.command(Command::LoadContacts);
        app.command(Command::LoadTransfers { account: None });
        // Alerts stay up until acknowledged, also across a restart. The
        // whole log, not only the open ones: acknowledged alerts still badge
        // their messages in the history.
        app.command(Command::LoadAlerts {
            account: None,
            unacknowledged_only: false,
        });
        if let Some(address) = startup.open {
            app.restore = None;
            if let Some(task) = app.open_address(&address) {
                return (app, task);
            }
        }
        let focus = operation::focus(Id::new(sidebar::new_conversation::FIELD));
        let system = iced::system::theme().map(Message::SystemTheme);
        (app, Task::batch([focus, system]))
    }

    pub fn title(&self) -> String {
        t!("window-title", unread = self.conversations.total_unread())
    }

    /// The chosen theme (the system's light or dark, if so chosen).
    pub fn theme(&self) -> Option<Theme> {
        Some(theme::theme(self.state.theme, self.system_theme))
    }

    /// The notice as drawn now.
    #[cfg(test)]
    pub fn notice_text(&self) -> Option<String> {
        self.notice.as_ref().map(Words::render)
    }

    /// The news as drawn now.
    #[cfg(test)]
    pub fn info_text(&self) -> Option<String> {
        self.info.as_ref().map(Words::render)
    }

    /// What is remembered between runs, as it stands.
    #[cfg(test)]
    pub fn state(&self) -> &WindowState {
        &self.state
    }

    pub fn update(&mut self, message: Message) -> Task<Message> {
        self.now = clock::unix_now();
        let task = self.route(message);
        let task = Task::batch([task, self.media_tasks(), self.follow_focus()]);
        let viewed = self.viewed();
        self.notifications.refresh(viewed);
        self.refresh_tray();
        task
    }

    /// The conversation in view: open, and not covered by the alert log.
    fn viewed(&self) -> Option<ConversationKey> {
        self.conversations
            .open_key()
            .filter(|_| !self.alerts.log_open())
            .cloned()
    }

    fn route(&mut self, message: Message) -> Task<Message> {
        match message {
            Message::Runtime(event) => self.on_event(event),
            Message::Media(message) => self.on_media(message),
            Message::Sidebar(message) => match self.sidebar.update(message) {
                sidebar::Action::None => Task::none(),
                sidebar::Action::Open(key) => {
                    self.conversations.ensure_stored(&key, self.now);
                    self.open(&key)
                }
                sidebar::Action::Start { account, address } => {
                    let key = self.conversations.start(&account, &address, self.now);
                    self.open(&key)
                }
                sidebar::Action::Search(text) => {
                    self.command(Command::Search {
                        text,
                        limit: search::LIMIT,
                    });
                    Task::none()
                }
                sidebar::Action::Register(account) => {
                    self.command(Command::Register { account });
                    Task::none()
                }
                sidebar::Action::JumpTo => self.jump_to(),
                sidebar::Action::Copy(text) => iced::clipboard::write(text),
                sidebar::Action::Fold(fold) => {
                    self.sidebar_unfolded = !fold;
                    Task::none()
                }
                sidebar::Action::OpenContact(id) => {
                    self.show_contact(id);
                    Task::none()
                }
                sidebar::Action::Menu(key) => self.open_menu(Some(key)),
                sidebar::Action::AddContact => {
                    let account = self.sidebar.accounts.selected().cloned();
                    self.add_contact("", "", account.as_ref());
                    Task::none()
                }
                sidebar::Action::OpenSettings => {
                    self.switcher = None;
                    self.settings_open = true;
                    Task::none()
                }
            },
            Message::Pane(message) => self.on_pane(message),
            Message::SwitchConversation { forward } => self.switch_conversation(forward),
            Message::Find => self.find(),
            Message::SystemTheme(mode) => {
                self.system_theme = mode;
                Task::none()
            }
            Message::Chat { key, request } => self.chat_request(&key, request),
            Message::Tick => Task::none(),
            Message::DismissNotice => {
                self.notice = None;
                self.info = None;
                Task::none()
            }
            Message::Escape => {
                if self.pane.escape() || self.path_prompt.take().is_some() {
                    return Task::none();
                }
                if self.certificates.is_open() {
                    return self.on_certificates(certificate_prompt::Message::Cancel);
                }
                if self.accounts.escape()
                    || self.contact_form.take().is_some()
                    || self.conversation_menu.take().is_some()
                    || self.cancel_paste()
                {
                    return Task::none();
                }
                let closed = self.switcher.take().is_some() || std::mem::take(&mut self.settings_open);
                if !closed && !self.alerts.close_log() {
                    self.sidebar
                        .update(sidebar::Message::Search(search::Message::Cancel));
                }
                Task::none()
            }
            Message::JumpTo => self.jump_to(),
            Message::FocusNext => self.focus_step(true),
            Message::FocusPrevious => self.focus_step(false),
            Message::FocusMoved {
                forward,
                caret,
                asked,
            } => self.focus_moved(forward, caret, asked),
            Message::FocusPress => self.focus_press(),
            Message::Pointer => {
                self.focus.pointer();
                Task::none()
            }
            Message::Switcher(message) => {
                let Some(switcher) = self.switcher.as_mut() else {
                    return Task::none();
                };
                match switcher.update(message, &self.conversations, self.sidebar.contacts.all()) {
                    switcher::Action::None => Task::none(),
                    switcher::Action::OpenContact(id) => {
                        self.switcher = None;
                        self.show_contact(id);
                        Task::none()
                    }
                    switcher::Action::Open(key) => {
                        self.switcher = None;
                        self.open(&key)
                    }
                }
            }
            Message::Settings(message) => self.settings(message),
            Message::Accounts(message) => self.account_settings(message),
            Message::DismissAccountOffer => {
                self.state.account_offer_dismissed = true;
                self.save_state();
                Task::none()
            }
            Message::Restarted(outcome) => self.restarted(outcome),
            Message::Resized(size) => {
                self.state.width = size.width;
                self.state.height = size.height;
                self.state_dirty = true;
                Task::none()
            }
            Message::Moved(point) => {
                self.state.position = Some((point.x, point.y));
                self.state_dirty = true;
                Task::none()
            }
            Message::SaveState => {
                self.save_state();
                Task::none()
            }
            Message::Quit => self.quit(),
            Message::Alerts(message) => self.on_alerts(message),
            Message::Notification(action) => self.on_notification(action),
            Message::Instance(request) => self.on_instance_request(request),
            Message::WindowFocus(focused) => {
                let viewed = self.viewed();
                self.notifications.window_focus(focused, viewed);
                Task::none()
            }
            Message::Files(message) => self.on_files(message),
            Message::Certificates(message) => self.on_certificates(message),
            Message::Duty(message) => self.on_duty(message),
            Message::ContactPage(message) => self.on_contact_page(message),
            Message::ContactForm(message) => self.on_contact_form(message),
            Message::OpenMenu(key) => self.open_menu(key),
            Message::Menu(message) => self.on_menu(message),
            Message::Presence(message) => self.on_presence(message),
        }
    }

    /// The text fields Tab visits, in order: the dialog's field while a
    /// dialog is open, else search, new conversation, the contact filter
    /// (on the Contacts tab), composer.
    pub fn focus_order(&self) -> Vec<&'static str> {
        if self.switcher.is_some() {
            return vec![switcher::FIELD];
        }
        if self.settings_open
            || self.accounts.form.is_some()
            || self.certificates.is_open()
            || self.contact_form.is_some()
            || self.conversation_menu.is_some()
            || self.media.paste.is_some()
        {
            return Vec::new();
        }
        let mut order = vec![search::FIELD, sidebar::new_conversation::FIELD];
        if self.sidebar.tab == sidebar::Tab::Contacts {
            order.push(contacts::FILTER_FIELD);
        }
        if self.conversations.current().is_some() && !self.stopped {
            order.push(pane::COMPOSER);
        }
        order
    }

    /// Tab (`forward`) or Shift+Tab: iced's next/previous text field, but
    /// from the last field back to the first (and the other way round).
    fn focus_step(&mut self, forward: bool) -> Task<Message> {
        if let Some(chain) = self.focus_chain() {
            return self.dialog_focus_step(&chain, forward);
        }
        let order = self.focus_order();
        let (Some(&first), Some(&last)) = (order.first(), order.last()) else {
            return Task::none();
        };
        let (edge, wrap_to) = if forward { (last, first) } else { (first, last) };
        operation::is_focused(Id::new(edge)).then(move |at_edge| {
            if at_edge {
                operation::focus(Id::new(wrap_to))
            } else if forward {
                operation::focus_next()
            } else {
                operation::focus_previous()
            }
        })
    }

    /// Opens (or refocuses) "jump to a conversation".
    fn jump_to(&mut self) -> Task<Message> {
        self.settings_open = false;
        self.switcher.get_or_insert_with(Switcher::default);
        operation::focus(Id::new(switcher::FIELD))
    }

    fn settings(&mut self, message: settings::Message) -> Task<Message> {
        match message {
            settings::Message::Theme(choice) => self.state.theme = choice,
            settings::Message::Language(choice) => {
                self.state.language = choice;
                i18n::set_language(i18n::resolve(choice));
            }
            settings::Message::NotifyMessages(on) => {
                self.state.notify_messages = on;
                self.notifications.set_messages(on);
            }
            settings::Message::ChooseDownloadDir => return files::choose_fallback_download_dir(),
            settings::Message::DownloadDirChosen(dir) => self.state.download_dir = Some(dir),
            settings::Message::DefaultDownloadDir => self.state.download_dir = None,
            settings::Message::Duty(message) => return self.on_duty(duty::DutyMessage::Settings(message)),
            settings::Message::AwayAfter(minutes) => {
                self.set_away_after(minutes);
                return Task::none();
            }
            settings::Message::Close => {
                self.settings_open = false;
                return Task::none();
            }
        }
        self.save_state();
        Task::none()
    }

    /// Writes the window state (when there is a file to write).
    fn save_state(&mut self) {
        self.state_dirty = false;
        let Some(path) = &self.state_file else {
            return;
        };
        if let Err(e) = self.state.save(path) {
            tracing::warn!("{e}");
            self.notice = Some(w!("notice-state-not-saved", error = e.to_string()));
        }
    }

    /// A chat session button: start, cancel, end, accept, decline, dismiss.
    fn chat_request(&mut self, key: &ConversationKey, request: Request) -> Task<Message> {
        let Some(address) = self.conversations.get(key).map(|c| c.address.clone()) else {
            return Task::none();
        };
        if self.stopped && request != Request::DismissEnding {
            return Task::none();
        }
        for command in self.sessions.request(key, &address, request) {
            self.command(command);
        }
        Task::none()
    }

    /// Once the stored list is in: reopens last run's conversation, if it
    /// still exists and nothing else was opened meanwhile.
    fn restore_last(&mut self) -> Task<Message> {
        match self.restore.take() {
            Some(key)
                if self.conversations.open_key().is_none() && self.conversations.get(&key).is_some() =>
            {
                self.open(&key)
            }
            _ => Task::none(),
        }
    }

    /// Opens a conversation: loads its newest page the first time, and
    /// marks it read in the history. Remembered for the next run.
    fn open(&mut self, key: &ConversationKey) -> Task<Message> {
        if !self.conversations.open(key) {
            return Task::none();
        }
        self.alerts.close_log();
        self.sidebar_unfolded = false;
        self.restore = None;
        let saved = SavedConversation {
            account: key.account.0.clone(),
            peer: key.peer.clone(),
        };
        if self.state.last_conversation.as_ref() != Some(&saved) {
            self.state.last_conversation = Some(saved);
            self.save_state();
        }
        self.load_page(key, false);
        self.mark_read(key);
        Task::batch([operation::focus(Id::new(pane::COMPOSER)), pane::to_newest()])
    }

    /// Asks for the newest page (if never loaded) or, with `older`, the
    /// page before the oldest message shown.
    fn load_page(&mut self, key: &ConversationKey, older: bool) {
        if let Some(PageRequest { key, before }) = self.conversations.request_page(key, older) {
            self.command(Command::LoadMessages {
                account: key.account,
                peer_key: key.peer,
                before,
                limit: PAGE_SIZE,
            });
        }
    }

    fn mark_read(&mut self, key: &ConversationKey) {
        self.command(Command::MarkRead {
            account: key.account.clone(),
            peer_key: key.peer.clone(),
        });
    }

    /// Sends a command; if the runtime is gone, says so.
    fn command(&mut self, command: Command) {
        if let Err(e) = self.runtime.send(command) {
            self.notice = Some(Words::plain(e.to_string()));
        }
    }

    pub fn subscription(&self) -> Subscription<Message> {
        let mut subscriptions = vec![
            bridge::runtime_events(&self.events).map(Message::Runtime),
            bridge::termination().map(|()| Message::Quit),
            iced::event::listen_with(keys::window_keys),
            iced::event::listen_with(notifications::focus_events).map(Message::WindowFocus),
            iced::event::listen_with(files::drop_events),
            iced::system::theme_changes().map(Message::SystemTheme),
        ];
        if let Some(source) = &self.notify_actions {
            subscriptions.push(notifications::actions(source).map(Message::Notification));
        }
        subscriptions.extend(self.duty_subscription());
        subscriptions.extend(self.presence_subscription());
        if let Some(listener) = &self.instance {
            subscriptions.push(single_instance::requests(listener).map(Message::Instance));
        }
        if self.switcher.is_some() {
            subscriptions.push(iced::event::listen_with(keys::switcher_keys));
        }
        if self.state_dirty {
            subscriptions.push(iced::time::every(keys::SAVE_DELAY).map(|_| Message::SaveState));
        }
        if self.sidebar.accounts.is_counting_down() || self.conversations.open_has_countdown() {
            subscriptions.push(iced::time::every(Duration::from_secs(1)).map(|_| Message::Tick));
        }
        Subscription::batch(subscriptions)
    }
}

mod banners;

mod accounts;
mod alerts_glue;
mod certificates_glue;
mod contacts_glue;
pub mod duty;
mod events;
mod file_path;
pub mod files;
mod focus_glue;
mod layout;
mod media_glue;
mod pane_glue;
mod presence_glue;

#[cfg(test)]
mod tests;
