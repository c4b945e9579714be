//! The address book in the window (#15): the contact list, the contact
//! page, the add and edit dialogs, the conversation menu and Ctrl+K.

use super::*;
use crate::ui::contacts::{self, form, menu, page};
use crate::ui::sidebar::Tab;
use iced::widget::text_editor;
use sipchat::model::{Contact, ContactDraft, ContactId, ContactPatch, ContactRef, ContactSelector};
use sipchat::runtime::{ContactChange, ContactChanged, ContactOutcome};

fn contact(id: i64, name: &str, address: &str, favourite: bool) -> Contact {
    Contact {
        id: ContactId(id),
        details: ContactDraft {
            name: name.into(),
            addresses: vec![address.into()],
            favourite,
            note: Some("met at FOSDEM".into()),
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

fn with_contacts(app: &mut App) {
    let list = vec![
        contact(1, "Zoe", "sip:zoe@example.org", false),
        contact(2, "Bob Builder", BOB, true),
        contact(3, "alice", "sip:alice@example.org", false),
    ];
    let _ = app.update(Message::Runtime(Event::Contacts(list)));
}

fn shown_names(app: &App) -> Vec<String> {
    app.sidebar
        .contacts
        .shown()
        .iter()
        .map(|c| c.details.name.clone())
        .collect()
}

/// The only ChangeContacts among the commands sent: its number and change.
fn change(recorder: &Recorder) -> (u64, ContactChange) {
    let changes: Vec<(u64, ContactChange)> = recorder
        .take()
        .into_iter()
        .filter_map(|c| match c {
            Command::ChangeContacts { request, change } => Some((request, *change)),
            _ => None,
        })
        .collect();
    assert_eq!(changes.len(), 1, "{changes:?}");
    changes.into_iter().next().unwrap()
}

fn answer(app: &mut App, request: u64, outcome: ContactOutcome) {
    let changed = ContactChanged { request, outcome };
    let _ = app.update(Message::Runtime(Event::ContactChanged(changed)));
}

fn form(message: form::Message) -> Message {
    Message::ContactForm(message)
}

fn type_addresses(app: &mut App, text: &str) {
    let all = text_editor::Action::SelectAll;
    let _ = app.update(form(form::Message::Addresses(all)));
    let paste = text_editor::Edit::Paste(std::sync::Arc::new(text.to_string()));
    let _ = app.update(form(form::Message::Addresses(text_editor::Action::Edit(paste))));
}

fn form_error(app: &App) -> Option<String> {
    app.contact_form
        .as_ref()
        .and_then(|f| f.error().map(str::to_string))
}

#[test]
fn the_contacts_tab_lists_favourites_first_and_filters() {
    let (mut app, recorder) = app();
    assert!(recorder.take().contains(&Command::LoadContacts));
    with_contacts(&mut app);
    let _ = app.update(Message::Sidebar(sidebar::Message::Tab(Tab::Contacts)));
    assert_eq!(app.sidebar.tab, Tab::Contacts);
    assert!(app.focus_order().contains(&contacts::FILTER_FIELD));
    assert_eq!(shown_names(&app), ["Bob Builder", "alice", "Zoe"]);
    let filter = contacts::Message::Filter("example.org".into());
    let _ = app.update(Message::Sidebar(sidebar::Message::Contacts(filter)));
    assert_eq!(shown_names(&app), ["alice", "Zoe"]);
    let filter = contacts::Message::Filter("BUILDER".into());
    let _ = app.update(Message::Sidebar(sidebar::Message::Contacts(filter)));
    assert_eq!(shown_names(&app), ["Bob Builder"]);
}

#[test]
fn conversations_show_their_contacts_name_or_their_own() {
    let (mut app, _recorder) = app();
    let mut row = summary(BOB, 0, 5_000, "hi");
    row.display_name = Some("bob".into());
    row.contact = Some(ContactRef {
        id: ContactId(2),
        name: "Bob Builder".into(),
        blocked: false,
    });
    let _ = app.update(Message::Runtime(Event::Conversations(vec![row.clone()])));
    assert_eq!(app.conversations.get(&bob()).unwrap().title(), row.shown_name());
    assert_eq!(app.conversations.get(&bob()).unwrap().title(), "Bob Builder");
    row.title = Some("Site office".into());
    let _ = app.update(Message::Runtime(Event::Conversations(vec![row])));
    assert_eq!(app.conversations.get(&bob()).unwrap().title(), "Site office");
}

#[test]
fn the_contact_page_writes_blocks_and_closes() {
    let (mut app, recorder) = app();
    with_contacts(&mut app);
    recorder.take();
    let _ = app.update(Message::Sidebar(sidebar::Message::Contacts(
        contacts::Message::Open(ContactId(2)),
    )));
    assert_eq!(app.sidebar.open_contact, Some(ContactId(2)));
    let _ = app.update(Message::ContactPage(page::Message::Block(ContactId(2), true)));
    let (_, sent) = change(&recorder);
    assert_eq!(
        sent,
        ContactChange::SetBlocked {
            contact: ContactSelector::Id(ContactId(2)),
            blocked: true
        }
    );
    let _ = app.update(Message::ContactPage(page::Message::Write(ContactId(2))));
    assert_eq!(
        app.sidebar.open_contact, None,
        "the conversation replaces the page"
    );
    assert_eq!(
        app.conversations.open_key(),
        Some(&ConversationKey::new(&local(), BOB))
    );
    // A contact removed elsewhere closes its page.
    let _ = app.update(Message::ContactPage(page::Message::Close));
    let _ = app.update(Message::Sidebar(sidebar::Message::Contacts(
        contacts::Message::Open(ContactId(3)),
    )));
    let _ = app.update(Message::Runtime(Event::Contacts(vec![contact(
        2, "Bob", BOB, false,
    )])));
    assert_eq!(app.sidebar.open_contact, None);
}

#[test]
fn the_add_dialog_names_simple_mistakes_before_sending() {
    let (mut app, recorder) = app();
    recorder.take();
    let _ = app.update(Message::Sidebar(sidebar::Message::Contacts(
        contacts::Message::Add,
    )));
    assert!(app.contact_form.is_some());
    let _ = app.update(form(form::Message::Save));
    assert_eq!(form_error(&app).as_deref(), Some("Please enter a name."));
    let _ = app.update(form(form::Message::Name("Carol".into())));
    let _ = app.update(form(form::Message::Save));
    assert_eq!(
        form_error(&app).as_deref(),
        Some("Please enter at least one address, like sip:bob@example.org.")
    );
    type_addresses(&mut app, "sip:carol@example.org\nmailto:carol@example.org");
    let _ = app.update(form(form::Message::Save));
    assert_eq!(
        form_error(&app).as_deref(),
        Some("“mailto:carol@example.org” must start with sip:, sips: or tel:.")
    );
    type_addresses(&mut app, "sip:carol@example.org\nSIP:carol@EXAMPLE.org");
    let _ = app.update(form(form::Message::Save));
    assert_eq!(
        form_error(&app).as_deref(),
        Some("“SIP:carol@EXAMPLE.org” is listed twice.")
    );
    type_addresses(&mut app, "sip:carol@example.org\n\ntel:+4930123");
    let _ = app.update(form(form::Message::Account("work".into())));
    let _ = app.update(form(form::Message::Save));
    assert_eq!(
        form_error(&app).as_deref(),
        Some("There is no account called “work”.")
    );
    assert!(recorder.take().is_empty(), "nothing was sent while wrong");
    let _ = app.update(form(form::Message::Account(String::new())));
    let _ = app.update(form(form::Message::Favourite(true)));
    let _ = app.update(form(form::Message::Save));
    let (request, sent) = change(&recorder);
    let ContactChange::Add { draft } = sent else {
        panic!("not an add: {sent:?}");
    };
    assert_eq!(draft.name, "Carol");
    assert_eq!(draft.addresses, ["sip:carol@example.org", "tel:+4930123"]);
    assert!(draft.favourite && draft.account.is_none());
    // The runtime's refusal is shown in the dialog, which stays open.
    let reason = "the address sip:carol@example.org belongs to Bob already".to_string();
    answer(&mut app, request, ContactOutcome::Refused { reason });
    assert_eq!(
        form_error(&app).as_deref(),
        Some("Not saved: the address sip:carol@example.org belongs to Bob already")
    );
    let _ = app.update(form(form::Message::Save));
    let (request, _) = change(&recorder);
    answer(&mut app, request, ContactOutcome::Added { id: ContactId(9) });
    assert!(app.contact_form.is_none(), "saved: the dialog closes");
    assert_eq!(app.sidebar.open_contact, Some(ContactId(9)));
}

#[test]
fn the_edit_dialog_sends_the_changed_fields() {
    let (mut app, recorder) = app();
    with_contacts(&mut app);
    recorder.take();
    let _ = app.update(Message::ContactPage(page::Message::Edit(ContactId(3))));
    let _ = app.update(form(form::Message::Name("Alice Liddell".into())));
    let _ = app.update(form(form::Message::Note(String::new())));
    let _ = app.update(form(form::Message::Save));
    let (request, sent) = change(&recorder);
    assert_eq!(
        sent,
        ContactChange::Edit {
            contact: ContactSelector::Id(ContactId(3)),
            patch: ContactPatch {
                name: Some("Alice Liddell".into()),
                addresses: Some(vec!["sip:alice@example.org".into()]),
                account: Some(None),
                note: Some(None),
                favourite: Some(false),
                ..ContactPatch::default()
            }
        }
    );
    answer(&mut app, request, ContactOutcome::Changed { id: ContactId(3) });
    assert!(app.contact_form.is_none());
    let _ = app.update(Message::ContactPage(page::Message::Edit(ContactId(3))));
    let _ = app.update(Message::Escape);
    assert!(app.contact_form.is_none(), "Esc closes the dialog");
}

#[test]
fn a_refusal_outside_a_dialog_becomes_the_notice() {
    let (mut app, recorder) = app();
    with_contacts(&mut app);
    recorder.take();
    let _ = app.update(Message::ContactPage(page::Message::Block(ContactId(1), true)));
    let (request, _) = change(&recorder);
    let reason = "the store is read-only".to_string();
    answer(&mut app, request, ContactOutcome::Refused { reason });
    assert_eq!(
        app.notice_text().as_deref(),
        Some("The address book was not changed: the store is read-only")
    );
}

#[test]
fn the_conversation_menu_adds_renames_and_deletes_after_asking() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    recorder.take();
    // Right click on the row.
    let _ = app.update(Message::Sidebar(sidebar::Message::Menu(bob())));
    assert_eq!(app.conversation_menu.as_ref().map(|m| m.key()), Some(&bob()));
    let _ = app.update(Message::Menu(menu::Message::AddToContacts));
    assert!(app.conversation_menu.is_none());
    // The peer's own flow: the runtime makes the contact from the stored
    // conversation and links it; its page opens when it is added.
    assert!(app.contact_form.is_none(), "no dialog to retype the address in");
    let (request, sent) = change(&recorder);
    assert_eq!(
        sent,
        ContactChange::AddPeer {
            account: local(),
            peer_key: BOB.into(),
            name: Some("bob".into()),
        }
    );
    answer(&mut app, request, ContactOutcome::Added { id: ContactId(9) });
    assert_eq!(app.sidebar.open_contact, Some(ContactId(9)));
    app.sidebar.open_contact = None;

    // The keyboard's way: Shift+F10 on the open conversation.
    open_bob(&mut app);
    recorder.take();
    let key = iced::keyboard::Key::Named(iced::keyboard::key::Named::F10);
    let pressed = keys::key_message(
        &key,
        iced::keyboard::Modifiers::SHIFT,
        iced::event::Status::Ignored,
    );
    let _ = app.update(pressed.unwrap());
    let _ = app.update(Message::Menu(menu::Message::Rename));
    let _ = app.update(Message::Menu(menu::Message::RenameEdited(
        "  Bob at work ".into(),
    )));
    let _ = app.update(Message::Menu(menu::Message::RenameSubmit));
    assert_eq!(app.conversations.get(&bob()).unwrap().title(), "Bob at work");
    let (_, sent) = change(&recorder);
    assert_eq!(
        sent,
        ContactChange::RenameConversation {
            account: local(),
            peer_key: BOB.into(),
            title: Some("Bob at work".into())
        }
    );

    let _ = app.update(Message::OpenMenu(None));
    let _ = app.update(Message::Menu(menu::Message::Delete));
    assert!(app.conversation_menu.as_ref().unwrap().asks_to_delete());
    assert!(recorder.take().is_empty(), "nothing deleted before the answer");
    let _ = app.update(Message::Menu(menu::Message::ConfirmDelete));
    let (_, sent) = change(&recorder);
    assert_eq!(
        sent,
        ContactChange::DeleteConversation {
            account: local(),
            peer_key: BOB.into()
        }
    );
    assert!(app.conversations.get(&bob()).is_none());
    assert_eq!(app.conversations.open_key(), None);
}

#[test]
fn a_refused_delete_brings_the_conversation_back() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    let _ = app.update(Message::OpenMenu(None));
    let _ = app.update(Message::Menu(menu::Message::Delete));
    let _ = app.update(Message::Menu(menu::Message::ConfirmDelete));
    assert!(app.conversations.get(&bob()).is_none(), "hidden at once");
    let (request, _) = change(&recorder);
    let reason = "the store is read-only".to_string();
    answer(&mut app, request, ContactOutcome::Refused { reason });
    assert!(
        recorder.take().contains(&Command::LoadConversations),
        "the stored list is asked for again"
    );
    with_bob(&mut app);
    assert!(app.conversations.get(&bob()).is_some(), "back in the list");
    assert!(app.notice_text().is_some_and(|n| n.contains("read-only")));
}

#[test]
fn ctrl_k_finds_contacts_by_name_and_address() {
    let (mut app, _recorder) = app();
    with_contacts(&mut app);
    let _ = app.update(Message::JumpTo);
    let _ = app.update(Message::Switcher(switcher::Message::Edited("zoe@".into())));
    let _ = app.update(Message::Switcher(switcher::Message::Submit));
    assert!(app.switcher.is_none());
    assert_eq!(app.sidebar.open_contact, Some(ContactId(1)));
    let _ = app.update(Message::JumpTo);
    let _ = app.update(Message::Switcher(switcher::Message::Edited("alice".into())));
    let _ = app.update(Message::Switcher(switcher::Message::Submit));
    assert_eq!(app.sidebar.open_contact, Some(ContactId(3)));
}
