//! The window's update loop against a recorder instead of the runtime.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::ui::state::{SavedConversation, WindowState};
use sipchat::model::{
    ConversationSummary, Direction as StoreDirection, MessagePreview, SearchHit, StoredMessage,
};
use sipchat::model::{DeliveryState, IncomingMessage};
use std::sync::{Arc, Mutex};

/// Records every command the window sends.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<Command>>>);

impl Recorder {
    /// The commands sent since the last call.
    fn take(&self) -> Vec<Command> {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

impl Commands for Recorder {
    fn send(&self, command: Command) -> Result<(), RuntimeError> {
        if let Ok(mut c) = self.0.lock() {
            c.push(command);
        }
        Ok(())
    }

    fn next_message_id(&self) -> MessageId {
        MessageId(10_000)
    }

    fn next_transfer_id(&self) -> sipchat::model::TransferId {
        // Each transfer a distinct id, as the runtime hands them out.
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(20_000);
        sipchat::model::TransferId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// Bob's address of record: the port is routing, not identity (#15), so
/// the stored key has none.
const BOB: &str = "sip:bob@127.0.0.1";

fn local() -> AccountId {
    AccountId(AccountId::LOCAL.into())
}

fn bob() -> ConversationKey {
    ConversationKey::stored("local", BOB)
}

fn app() -> (App, Recorder) {
    let recorder = Recorder::default();
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (app, _) = App::new(
        recorder.clone(),
        EventSource::runtime(rx),
        vec![local()],
        Some(local()),
        Startup::default(),
    );
    (app, recorder)
}

fn summary(peer: &str, unread: u32, at_ms: i64, last: &str) -> ConversationSummary {
    ConversationSummary {
        id: 1,
        account: "local".into(),
        peer_key: peer.into(),
        peer_address: format!("{peer};transport=udp"),
        display_name: None,
        title: None,
        contact: None,
        last_activity: at_ms,
        unread,
        last_message: Some(MessagePreview {
            id: MessageId(1),
            direction: StoreDirection::In,
            content_type: "text/plain".into(),
            text: last.into(),
            truncated: false,
            state: None,
        }),
    }
}

fn stored(id: u64, direction: StoreDirection, state: Option<DeliveryState>) -> StoredMessage {
    StoredMessage {
        id: MessageId(id),
        account: "local".into(),
        peer_key: BOB.into(),
        direction,
        local_id: None,
        call_id: None,
        cseq: None,
        remote_message_id: None,
        content_type: "text/plain".into(),
        body: format!("message {id}"),
        file_ref: None,
        sent_at: Some(i64::try_from(id).unwrap_or(0) * 1000),
        received_at: None,
        state,
        read: true,
        untrusted_alert: false,
    }
}

fn incoming_page(ids: std::ops::RangeInclusive<u64>, complete: bool) -> Message {
    Message::Runtime(Event::Messages {
        account: local(),
        peer_key: BOB.into(),
        messages: ids.map(|id| stored(id, StoreDirection::In, None)).collect(),
        complete,
    })
}

fn ids(app: &App) -> Vec<u64> {
    app.conversations
        .get(&bob())
        .map(|c| c.entries.iter().map(|e| e.id.0).collect())
        .unwrap_or_default()
}

fn open_bob(app: &mut App) {
    let _ = app.update(Message::Sidebar(sidebar::Message::Open(bob())));
}

fn with_bob(app: &mut App) {
    let list = vec![summary(BOB, 3, 5_000, "latest")];
    let _ = app.update(Message::Runtime(Event::Conversations(list)));
}

#[test]
fn the_stored_conversations_fill_the_list_at_start() {
    let (mut app, recorder) = app();
    assert_eq!(
        recorder.take(),
        [
            Command::LoadConversations,
            Command::LoadContacts,
            Command::LoadTransfers { account: None },
            Command::LoadAlerts {
                account: None,
                unacknowledged_only: false
            }
        ]
    );
    let list = vec![
        summary("sip:carol@example.org", 0, 9_000, "newer"),
        summary(BOB, 3, 5_000, "older"),
    ];
    let _ = app.update(Message::Runtime(Event::Conversations(list)));
    let rows: Vec<_> = app
        .conversations
        .by_recent()
        .iter()
        .map(|c| (c.key.peer.clone(), c.unread, c.last_activity))
        .collect();
    assert_eq!(
        rows,
        [
            ("sip:carol@example.org".to_string(), 0, 9),
            (BOB.to_string(), 3, 5)
        ]
    );
    assert_eq!(app.title(), "sipchat (3)");
    let bob = app.conversations.get(&bob());
    assert_eq!(
        bob.and_then(|c| c.last_entry()).map(|e| e.text.as_str()),
        Some("older")
    );
    // Replies go to the last full address.
    assert_eq!(
        bob.map(|c| c.address.as_str()),
        Some("sip:bob@127.0.0.1;transport=udp")
    );
}

#[test]
fn opening_loads_the_newest_page_marks_read_and_earlier_pages_prepend() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    recorder.take();
    open_bob(&mut app);
    assert_eq!(
        recorder.take(),
        [
            Command::LoadMessages {
                account: local(),
                peer_key: BOB.into(),
                before: None,
                limit: PAGE_SIZE
            },
            Command::MarkRead {
                account: local(),
                peer_key: BOB.into()
            }
        ]
    );
    assert_eq!(app.title(), "sipchat");
    let _ = app.update(incoming_page(51..=100, false));
    assert_eq!(ids(&app).len(), 50);

    let _ = app.update(Message::Pane(pane::Message::LoadEarlier));
    let earlier = Command::LoadMessages {
        account: local(),
        peer_key: BOB.into(),
        before: Some(MessageId(51)),
        limit: PAGE_SIZE,
    };
    assert_eq!(recorder.take(), [earlier]);
    // Scrolling to the top while that page is on its way asks nothing more.
    let _ = app.update(Message::Pane(pane::Message::Scrolled { at_top: true }));
    assert_eq!(recorder.take(), []);
    let _ = app.update(incoming_page(1..=50, true));
    assert_eq!(ids(&app), (1..=100).collect::<Vec<_>>());
    // Everything is here: nothing more to ask, and reopening asks no page.
    let _ = app.update(Message::Pane(pane::Message::LoadEarlier));
    open_bob(&mut app);
    assert!(recorder
        .take()
        .iter()
        .all(|c| matches!(c, Command::MarkRead { .. })));
}

#[test]
fn live_events_and_history_meet_without_doubles() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    // A live message before the history page, with the address's parameters.
    let live = IncomingMessage {
        id: MessageId(3),
        account: local(),
        from: "sip:bob@127.0.0.1:5063;transport=udp".into(),
        from_name: None,
        to: "sip:me@127.0.0.1".into(),
        content_type: "text/plain".into(),
        body: "message 3".into(),
        subject: None,
        received_at: 3,
        session: None,
        alert: Default::default(),
    };
    let _ = app.update(Message::Runtime(Event::MessageReceived(live.clone())));
    assert_eq!(
        app.conversations.by_recent().len(),
        1,
        "same thread as the stored one"
    );
    open_bob(&mut app);
    let page = Message::Runtime(Event::Messages {
        account: local(),
        peer_key: BOB.into(),
        messages: vec![
            stored(2, StoreDirection::In, None),
            stored(3, StoreDirection::In, None),
            stored(4, StoreDirection::Out, Some(DeliveryState::Sending)),
        ],
        complete: true,
    });
    let _ = app.update(page.clone());
    assert_eq!(ids(&app), [2, 3, 4]);
    let _ = app.update(Message::Runtime(Event::DeliveryUpdate {
        id: MessageId(4),
        account: local(),
        to: "sip:bob@127.0.0.1:5063;transport=udp".into(),
        state: DeliveryState::Accepted,
    }));
    // A stale copy of the page (read before the answer) changes nothing.
    let _ = app.update(page);
    assert_eq!(ids(&app), [2, 3, 4]);
    // The same live message again (a raced retry) is still one.
    recorder.take();
    let _ = app.update(Message::Runtime(Event::MessageReceived(live)));
    assert_eq!(ids(&app), [2, 3, 4]);
    // Into the open conversation: the history hears it was read.
    assert!(matches!(recorder.take().as_slice(), [Command::MarkRead { .. }]));
    let last = app
        .conversations
        .get(&bob())
        .and_then(|c| c.entries.last().cloned());
    assert_eq!(
        last.map(|e| e.direction),
        Some(crate::ui::conversation::Direction::Outgoing(
            DeliveryState::Accepted
        ))
    );
}

#[test]
fn retry_on_a_failed_message_sends_it_again() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let failed = DeliveryState::Failed {
        code: Some(404),
        reason: "bob is unknown (404 Not Found)".into(),
    };
    let _ = app.update(Message::Runtime(Event::Messages {
        account: local(),
        peer_key: BOB.into(),
        messages: vec![stored(7, StoreDirection::Out, Some(failed))],
        complete: true,
    }));
    recorder.take();
    let _ = app.update(Message::Pane(pane::Message::Retry(MessageId(7))));
    assert_eq!(
        recorder.take(),
        [Command::RetryMessage {
            id: MessageId(7),
            account: local()
        }]
    );
    let state = app
        .conversations
        .get(&bob())
        .and_then(|c| c.entries.first().cloned());
    assert_eq!(
        state.map(|e| e.direction),
        Some(crate::ui::conversation::Direction::Outgoing(
            DeliveryState::Queued
        ))
    );
    // The runtime's next states apply again.
    let _ = app.update(Message::Runtime(Event::DeliveryUpdate {
        id: MessageId(7),
        account: local(),
        to: BOB.into(),
        state: DeliveryState::Sending,
    }));
    let state = app
        .conversations
        .get(&bob())
        .and_then(|c| c.entries.first().cloned());
    assert_eq!(
        state.map(|e| e.direction),
        Some(crate::ui::conversation::Direction::Outgoing(
            DeliveryState::Sending
        ))
    );
}

#[test]
fn search_hits_replace_the_list_open_conversations_and_esc_goes_back() {
    let (mut app, recorder) = app();
    recorder.take();
    let search = |m| Message::Sidebar(sidebar::Message::Search(m));
    let _ = app.update(search(search::Message::Edited("pineapple".into())));
    let _ = app.update(search(search::Message::Submit));
    assert_eq!(
        recorder.take(),
        [Command::Search {
            text: "pineapple".into(),
            limit: search::LIMIT
        }]
    );
    let hit = SearchHit {
        id: MessageId(9),
        account: "local".into(),
        peer_key: BOB.into(),
        display_name: None,
        direction: StoreDirection::In,
        at: 9_000,
        snippet: "a [pineapple]".into(),
    };
    let _ = app.update(Message::Runtime(Event::SearchResults {
        text: "pineapple".into(),
        hits: vec![hit],
    }));
    assert_eq!(app.sidebar.search.hits().map(<[SearchHit]>::len), Some(1));
    // The hit's conversation was not listed (yet): it opens anyway.
    let _ = app.update(search(search::Message::Open(bob())));
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    assert!(matches!(
        recorder.take().first(),
        Some(Command::LoadMessages { .. })
    ));
    let _ = app.update(Message::Escape);
    assert!(!app.sidebar.search.is_active());
}

fn app_with(startup: Startup) -> (App, Recorder) {
    let recorder = Recorder::default();
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (app, _) = App::new(
        recorder.clone(),
        EventSource::runtime(rx),
        vec![local()],
        Some(local()),
        startup,
    );
    (app, recorder)
}

fn load_messages(peer: &str) -> Command {
    Command::LoadMessages {
        account: local(),
        peer_key: peer.into(),
        before: None,
        limit: PAGE_SIZE,
    }
}

#[test]
fn an_address_from_the_command_line_opens_its_conversation_at_once() {
    let (mut app, recorder) = app_with(Startup {
        open: Some(BOB.into()),
        ..Startup::default()
    });
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    let sent = recorder.take();
    assert_eq!(sent.first(), Some(&Command::LoadConversations));
    assert!(sent.contains(&load_messages(BOB)), "{sent:?}");
    // The stored list arrives later and the same conversation stays open,
    // now with its stored unread count cleared.
    with_bob(&mut app);
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    assert_eq!(app.conversations.get(&bob()).map(|c| c.unread), Some(0));
    assert_eq!(app.conversations.by_recent().len(), 1);
}

#[test]
fn an_address_from_the_command_line_without_an_account_says_so() {
    let recorder = Recorder::default();
    let (_tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let startup = Startup {
        open: Some(BOB.into()),
        ..Startup::default()
    };
    let (app, _) = App::new(recorder, EventSource::runtime(rx), Vec::new(), None, startup);
    assert_eq!(app.conversations.open_key(), None);
    assert_eq!(
        app.notice_text().as_deref(),
        Some("No account is running to send from.")
    );
}

#[test]
fn a_link_handed_over_by_a_later_start_opens_its_conversation() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    recorder.take();
    assert_eq!(app.conversations.open_key(), None);
    let _ = app.update(Message::Instance(InstanceRequest::Open(BOB.into())));
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    assert!(recorder.take().contains(&load_messages(BOB)));
    // "Come forward" alone changes nothing in the window.
    let _ = app.update(Message::Instance(InstanceRequest::Show));
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    assert_eq!(app.conversations.by_recent().len(), 1);
}

fn remembering_bob() -> Startup {
    let state = WindowState {
        last_conversation: Some(SavedConversation {
            account: "local".into(),
            peer: BOB.into(),
        }),
        ..WindowState::default()
    };
    Startup {
        state,
        ..Startup::default()
    }
}

#[test]
fn the_last_conversation_reopens_once_the_list_has_come() {
    let (mut app, recorder) = app_with(remembering_bob());
    assert_eq!(app.conversations.open_key(), None, "nothing to open yet");
    recorder.take();
    with_bob(&mut app);
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    assert_eq!(recorder.take().first(), Some(&load_messages(BOB)));
}

#[test]
fn the_last_conversation_is_not_forced_over_a_choice_or_when_gone() {
    // Gone from the history: nothing opens.
    let (mut app, _) = app_with(remembering_bob());
    let list = vec![summary("sip:carol@example.org", 0, 9_000, "hi")];
    let _ = app.update(Message::Runtime(Event::Conversations(list)));
    assert_eq!(app.conversations.open_key(), None);
    // A later list that has it does not open it either: the moment passed.
    with_bob(&mut app);
    assert_eq!(app.conversations.open_key(), None);

    // The user opened another one before the list came.
    let (mut app, _) = app_with(remembering_bob());
    let carol = ConversationKey::stored("local", "sip:carol@example.org");
    let _ = app.update(Message::Sidebar(sidebar::Message::Open(carol.clone())));
    with_bob(&mut app);
    assert_eq!(app.conversations.open_key(), Some(&carol));
}

#[test]
fn the_window_state_is_saved_on_open_on_resize_and_on_close() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::ui::state::STATE_FILE);
    let (mut app, _) = app_with(Startup {
        state_file: Some(path.clone()),
        ..Startup::default()
    });
    with_bob(&mut app);
    assert!(!path.exists(), "nothing changed yet");
    open_bob(&mut app);
    let saved = WindowState::read(&path).unwrap().unwrap();
    assert_eq!(
        saved.last_conversation,
        Some(SavedConversation {
            account: "local".into(),
            peer: BOB.into()
        })
    );

    let _ = app.update(Message::Resized(Size::new(1300.0, 900.0)));
    let _ = app.update(Message::Moved(Point::new(10.0, 20.0)));
    assert!(app.state_dirty);
    assert_eq!(
        WindowState::read(&path).unwrap().unwrap().width,
        saved.width,
        "not yet"
    );
    let _ = app.update(Message::SaveState);
    assert!(!app.state_dirty);
    let saved = WindowState::read(&path).unwrap().unwrap();
    assert_eq!((saved.width, saved.height), (1300.0, 900.0));
    assert_eq!(saved.position, Some((10.0, 20.0)));

    let _ = app.update(Message::Resized(Size::new(800.0, 600.0)));
    let _ = app.update(Message::Quit);
    assert_eq!(WindowState::read(&path).unwrap().unwrap().width, 800.0);
}

#[test]
fn a_state_that_cannot_be_saved_is_a_notice_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, "x").unwrap();
    let (mut app, _) = app_with(Startup {
        state_file: Some(blocker.join("window.ron")),
        ..Startup::default()
    });
    let _ = app.update(Message::SaveState);
    assert!(app
        .notice_text()
        .as_deref()
        .is_some_and(|n| n.starts_with("The window state could not be saved")));
}

#[test]
fn keys_map_to_messages() {
    use crate::ui::keys::key_message;
    use iced::event::Status;
    use iced::keyboard::{key::Named, Key, Modifiers};
    let k = Key::Character("k".into());
    assert!(matches!(
        key_message(&k, Modifiers::CTRL, Status::Ignored),
        Some(Message::JumpTo)
    ));
    assert!(matches!(
        key_message(&k, Modifiers::CTRL, Status::Captured),
        Some(Message::JumpTo)
    ));
    assert!(key_message(&k, Modifiers::empty(), Status::Ignored).is_none());
    let esc = Key::Named(Named::Escape);
    assert!(matches!(
        key_message(&esc, Modifiers::empty(), Status::Captured),
        Some(Message::Escape)
    ));
    let tab = Key::Named(Named::Tab);
    assert!(matches!(
        key_message(&tab, Modifiers::empty(), Status::Ignored),
        Some(Message::FocusNext)
    ));
    assert!(matches!(
        key_message(&tab, Modifiers::SHIFT, Status::Ignored),
        Some(Message::FocusPrevious)
    ));
    assert!(key_message(&tab, Modifiers::empty(), Status::Captured).is_none());
}

#[test]
fn ctrl_k_jumps_to_a_conversation_and_esc_closes_only_the_dialog() {
    let (mut app, recorder) = app();
    let list = vec![
        summary("sip:carol@example.org", 0, 9_000, "newer"),
        summary(BOB, 3, 5_000, "older"),
    ];
    let _ = app.update(Message::Runtime(Event::Conversations(list)));
    // A search is showing; the switcher opens over it.
    let _ = app.update(Message::Sidebar(sidebar::Message::Search(
        search::Message::Edited("x".into()),
    )));
    let _ = app.update(Message::Sidebar(sidebar::Message::Search(
        search::Message::Submit,
    )));
    assert!(app.sidebar.search.is_active());
    let _ = app.update(Message::JumpTo);
    assert!(app.switcher.is_some());
    let _ = app.update(Message::Escape);
    assert!(app.switcher.is_none());
    assert!(app.sidebar.search.is_active(), "Esc closed the dialog only");

    let _ = app.update(Message::JumpTo);
    let _ = app.update(Message::Switcher(switcher::Message::Edited("BOB".into())));
    recorder.take();
    let _ = app.update(Message::Switcher(switcher::Message::Submit));
    assert!(app.switcher.is_none());
    assert_eq!(app.conversations.open_key(), Some(&bob()));
    assert_eq!(recorder.take().first(), Some(&load_messages(BOB)));
    // Without the switcher its messages do nothing.
    let _ = app.update(Message::Switcher(switcher::Message::Submit));
    assert_eq!(recorder.take(), []);
    // The second Esc leaves the search.
    let _ = app.update(Message::Escape);
    assert!(!app.sidebar.search.is_active());
}

#[test]
fn the_theme_setting_follows_the_system_or_is_fixed_and_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::ui::state::STATE_FILE);
    let (mut app, _) = app_with(Startup {
        state_file: Some(path.clone()),
        ..Startup::default()
    });
    assert_eq!(
        theme_name(&app),
        "sipchat light",
        "the system's, light without one"
    );
    let _ = app.update(Message::SystemTheme(iced::theme::Mode::Dark));
    assert_eq!(theme_name(&app), "sipchat dark", "follows the system");
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    assert!(app.settings_open);
    let _ = app.update(Message::Settings(settings::Message::Theme(
        theme::ThemeChoice::Dark,
    )));
    assert_eq!(theme_name(&app), "sipchat dark");
    assert_eq!(
        WindowState::read(&path).unwrap().unwrap().theme,
        theme::ThemeChoice::Dark
    );
    let _ = app.update(Message::Settings(settings::Message::Theme(
        theme::ThemeChoice::Light,
    )));
    assert_eq!(theme_name(&app), "sipchat light");
    let _ = app.update(Message::Settings(settings::Message::Theme(
        theme::ThemeChoice::System,
    )));
    assert_eq!(theme_name(&app), "sipchat dark", "the system's again");
    let _ = app.update(Message::Escape);
    assert!(!app.settings_open);

    // A remembered theme is used from the start.
    let state = WindowState {
        theme: theme::ThemeChoice::Dark,
        ..WindowState::default()
    };
    let (app, _) = app_with(Startup {
        state,
        ..Startup::default()
    });
    assert_eq!(theme_name(&app), "sipchat dark");
}

fn theme_name(app: &App) -> String {
    app.theme().map(|t| t.to_string()).unwrap_or_default()
}

#[test]
fn the_language_setting_changes_the_words_and_is_saved() {
    use crate::ui::i18n::{language, set_language, Language};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(crate::ui::state::STATE_FILE);
    let (mut app, _) = app_with(Startup {
        state_file: Some(path.clone()),
        ..Startup::default()
    });
    let _ = app.update(Message::Settings(settings::Message::Language(Some(
        Language::Spanish,
    ))));
    let spanish = (language(), app.sidebar.accounts.describe(&local(), 0));
    let _ = app.update(Message::Settings(settings::Message::Close));
    let saved = WindowState::read(&path).unwrap().unwrap().language;
    set_language(Language::English);
    assert_eq!(spanish, (Language::Spanish, Some("Desconectada".to_string())));
    assert_eq!(saved, Some(Language::Spanish));
    assert!(!app.settings_open);
    assert_eq!(app.state().language, Some(Language::Spanish));
}

#[test]
fn tab_visits_the_fields_that_are_there() {
    let (mut app, _) = app();
    assert_eq!(
        app.focus_order(),
        [search::FIELD, sidebar::new_conversation::FIELD]
    );
    with_bob(&mut app);
    open_bob(&mut app);
    assert_eq!(
        app.focus_order(),
        [search::FIELD, sidebar::new_conversation::FIELD, pane::COMPOSER]
    );
    let _ = app.update(Message::JumpTo);
    assert_eq!(app.focus_order(), [switcher::FIELD]);
    let _ = app.update(Message::Escape);
    let _ = app.update(Message::Sidebar(sidebar::Message::OpenSettings));
    assert!(app.focus_order().is_empty());
    let _ = app.update(Message::Escape);
    let _ = app.update(Message::Runtime(Event::Stopped));
    assert_eq!(
        app.focus_order().len(),
        2,
        "no composer once sending is impossible"
    );
}

mod chat;

mod alert;

mod transfer;

mod keyboard;

mod layout;

mod duty;

mod contacts;
mod media;

mod presence;

mod focus;

mod port_notice;
