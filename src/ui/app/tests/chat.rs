//! Chat sessions through the window's update loop: offers, the header's
//! buttons, states, sending in a session, typing both ways, endings.

use super::*;
use crate::ui::conversation::session::{state_words, Ending, Phase};
use sipchat::model::{ChatState, SessionId};

const CAROL: &str = "sip:carol@127.0.0.1";

fn carol() -> ConversationKey {
    ConversationKey::stored("local", CAROL)
}

fn update(app: &mut App, state: ChatState) {
    let _ = app.update(Message::Runtime(Event::ChatUpdate {
        account: local(),
        session: SessionId(5),
        peer: BOB.into(),
        state,
    }));
}

fn press(app: &mut App, request: Request) {
    let _ = app.update(Message::Pane(pane::Message::Chat(request)));
}

fn plain() -> ChatState {
    ChatState::Active {
        secure: false,
        relay: None,
    }
}

/// Bob's conversation open with an active session 5.
fn in_session() -> (App, Recorder) {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    press(&mut app, Request::Start);
    update(&mut app, plain());
    recorder.take();
    (app, recorder)
}

fn type_and_send(app: &mut App, text: &str) {
    let _ = app.update(Message::Pane(pane::Message::DraftChanged(text.into())));
    let _ = app.update(Message::Pane(pane::Message::Send));
}

fn offer_from_carol(app: &mut App) {
    let _ = app.update(Message::Runtime(Event::ChatOffered {
        account: local(),
        session: SessionId(9),
        from: format!("{CAROL};transport=tcp"),
        from_name: Some("Carol".into()),
    }));
}

#[test]
fn an_offer_from_someone_new_is_listed_and_accept_answers_it() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    recorder.take();
    offer_from_carol(&mut app);
    // Carol's conversation now exists, on top, named, and marked as inviting.
    let top = app
        .conversations
        .by_recent()
        .first()
        .map(|c| (c.key.clone(), c.title()));
    assert_eq!(top, Some((carol(), "Carol".to_string())));
    assert_eq!(app.sessions.offers().collect::<Vec<_>>(), [&carol()]);
    assert_eq!(app.conversations.open_key(), Some(&bob()), "not forced open");
    assert_eq!(recorder.take(), [], "nothing answered without the user");

    // Accept from the banner (Carol's conversation is not open).
    let _ = app.update(Message::Chat {
        key: carol(),
        request: Request::Accept,
    });
    assert_eq!(
        recorder.take(),
        [Command::AcceptChat {
            account: local(),
            session: SessionId(9)
        }]
    );
    assert_eq!(app.sessions.offers().count(), 0);
    assert_eq!(
        app.sessions.get(&carol()).map(|s| &s.phase),
        Some(&Phase::Connecting)
    );
    let _ = app.update(Message::Runtime(Event::ChatUpdate {
        account: local(),
        session: SessionId(9),
        peer: format!("{CAROL};transport=tcp"),
        state: ChatState::Active {
            secure: true,
            relay: None,
        },
    }));
    assert_eq!(app.sessions.active_id(&carol()), Some(SessionId(9)));
    // A second Accept sends nothing.
    let _ = app.update(Message::Chat {
        key: carol(),
        request: Request::Accept,
    });
    assert_eq!(recorder.take(), []);
}

#[test]
fn decline_in_the_open_conversation_sends_decline_and_leaves_page_mode() {
    let (mut app, recorder) = app();
    offer_from_carol(&mut app);
    let _ = app.update(Message::Sidebar(sidebar::Message::Open(carol())));
    recorder.take();
    press(&mut app, Request::Decline);
    assert_eq!(
        recorder.take(),
        [Command::DeclineChat {
            account: local(),
            session: SessionId(9)
        }]
    );
    assert_eq!(app.sessions.get(&carol()), None);
    // The runtime's report of the declined invitation is not news to show.
    let _ = app.update(Message::Runtime(Event::ChatUpdate {
        account: local(),
        session: SessionId(9),
        peer: CAROL.into(),
        state: ChatState::Failed {
            reason: "declined".into(),
        },
    }));
    assert_eq!(app.sessions.ending(&carol()), None);
}

#[test]
fn start_opens_a_chat_and_each_state_is_shown_until_active() {
    crate::ui::i18n::set_language(crate::ui::i18n::Language::English);
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    recorder.take();
    press(&mut app, Request::Start);
    let address = "sip:bob@127.0.0.1;transport=udp";
    assert_eq!(
        recorder.take(),
        [Command::OpenChat {
            account: local(),
            peer: address.into()
        }]
    );
    let words = |app: &App| {
        app.sessions
            .get(&bob())
            .map(|s| state_words(&s.phase, "bob"))
            .unwrap_or_default()
    };
    assert_eq!(words(&app), "Starting a chat session…");
    update(&mut app, ChatState::Inviting);
    assert_eq!(words(&app), "Inviting bob to a chat session…");
    update(&mut app, ChatState::Ringing);
    assert_eq!(words(&app), "Waiting for bob to answer…");
    update(&mut app, ChatState::Connecting);
    assert_eq!(words(&app), "Connecting the chat session…");
    update(
        &mut app,
        ChatState::Active {
            secure: true,
            relay: Some("msrps://relay.example.org:2855;tcp".into()),
        },
    );
    assert_eq!(
        words(&app),
        "Chat session · encrypted · through relay msrps://relay.example.org:2855;tcp"
    );
    // End asks the runtime; the session stays until the runtime says it ended.
    press(&mut app, Request::End);
    assert_eq!(
        recorder.take(),
        [Command::CloseChat {
            account: local(),
            session: SessionId(5)
        }]
    );
    assert!(app.sessions.get(&bob()).is_some_and(|s| s.is_closing()));
}

#[test]
fn send_goes_into_the_active_session_else_page_mode() {
    let (mut app, recorder) = app();
    with_bob(&mut app);
    open_bob(&mut app);
    recorder.take();
    type_and_send(&mut app, "by page");
    assert!(matches!(recorder.take().as_slice(), [Command::SendMessage { text, .. }] if text == "by page"));

    let (mut app, recorder) = in_session();
    type_and_send(&mut app, "in session");
    let sent = recorder.take();
    assert_eq!(
        sent.get(1),
        Some(&Command::SendChat {
            id: MessageId(10_000),
            account: local(),
            session: SessionId(5),
            text: "in session".into()
        })
    );
    // The entry is there and follows its delivery updates like any other.
    let state = |app: &App| {
        app.conversations
            .get(&bob())
            .and_then(|c| c.entries.iter().find(|e| e.id == MessageId(10_000)).cloned())
            .map(|e| e.direction)
    };
    use crate::ui::conversation::Direction as D;
    assert_eq!(state(&app), Some(D::Outgoing(DeliveryState::Sending)));
    let _ = app.update(Message::Runtime(Event::DeliveryUpdate {
        id: MessageId(10_000),
        account: local(),
        to: BOB.into(),
        state: DeliveryState::Accepted,
    }));
    assert_eq!(state(&app), Some(D::Outgoing(DeliveryState::Accepted)));
}

#[test]
fn edits_tell_the_peer_we_type_and_clearing_or_sending_stops_it() {
    let (mut app, recorder) = in_session();
    let composing = |active| Command::SetComposing {
        account: local(),
        session: SessionId(5),
        active,
    };
    let _ = app.update(Message::Pane(pane::Message::DraftChanged("h".into())));
    let _ = app.update(Message::Pane(pane::Message::DraftChanged("hi".into())));
    assert_eq!(recorder.take(), [composing(true), composing(true)]);
    let _ = app.update(Message::Pane(pane::Message::DraftChanged(String::new())));
    assert_eq!(recorder.take(), [composing(false)]);
    let _ = app.update(Message::Pane(pane::Message::DraftChanged(String::new())));
    assert_eq!(recorder.take(), [], "said once");
    type_and_send(&mut app, "hello");
    let sent = recorder.take();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(matches!(sent[1], Command::SendChat { .. }));
    assert_eq!(sent[2], composing(false));

    // In page mode edits say nothing.
    let (mut app, recorder) = super::app();
    with_bob(&mut app);
    open_bob(&mut app);
    recorder.take();
    let _ = app.update(Message::Pane(pane::Message::DraftChanged("h".into())));
    assert_eq!(recorder.take(), []);
}

#[test]
fn the_typing_indicator_follows_the_peer_and_its_messages() {
    let (mut app, _) = in_session();
    let typing = |app: &App| app.sessions.get(&bob()).is_some_and(|s| s.peer_typing);
    let composing = |active| {
        Message::Runtime(Event::PeerComposing {
            account: local(),
            session: SessionId(5),
            active,
        })
    };
    let _ = app.update(composing(true));
    assert!(typing(&app));
    let _ = app.update(composing(false));
    assert!(!typing(&app));
    let _ = app.update(composing(true));
    // A session of another account with the same id is someone else.
    let _ = app.update(Message::Runtime(Event::PeerComposing {
        account: AccountId("work".into()),
        session: SessionId(5),
        active: false,
    }));
    assert!(typing(&app));
    let message = IncomingMessage {
        id: MessageId(77),
        account: local(),
        from: BOB.into(),
        from_name: None,
        to: "sip:me@127.0.0.1".into(),
        content_type: "text/plain".into(),
        body: "there".into(),
        subject: None,
        received_at: 77,
        session: Some(SessionId(5)),
        alert: Default::default(),
    };
    let _ = app.update(Message::Runtime(Event::MessageReceived(message)));
    assert!(!typing(&app), "the message ends the typing");
    assert!(ids(&app).contains(&77), "session messages join the thread");
    let _ = app.update(composing(true));
    update(
        &mut app,
        ChatState::Ended {
            reason: "bob hung up".into(),
        },
    );
    assert!(!typing(&app));
}

#[test]
fn an_ended_session_falls_back_to_page_mode_and_says_why_once() {
    let (mut app, recorder) = in_session();
    update(
        &mut app,
        ChatState::Ended {
            reason: "bob hung up".into(),
        },
    );
    assert_eq!(app.sessions.get(&bob()), None);
    assert_eq!(
        app.sessions.ending(&bob()),
        Some(&Ending::Ended("bob hung up".into()))
    );
    type_and_send(&mut app, "after");
    assert!(matches!(
        recorder.take().as_slice(),
        [Command::SendMessage { .. }]
    ));
    press(&mut app, Request::DismissEnding);
    assert_eq!(app.sessions.ending(&bob()), None);

    // The next session clears a reason that was not dismissed.
    update(
        &mut app,
        ChatState::Failed {
            reason: "bob is busy (486 Busy Here)".into(),
        },
    );
    assert_eq!(app.sessions.ending(&bob()), None, "not a session we knew of");
    press(&mut app, Request::Start);
    update(
        &mut app,
        ChatState::Failed {
            reason: "bob is busy (486 Busy Here)".into(),
        },
    );
    assert!(app.sessions.ending(&bob()).is_some());
    recorder.take();
    press(&mut app, Request::Start);
    assert_eq!(app.sessions.ending(&bob()), None);
    assert!(matches!(recorder.take().as_slice(), [Command::OpenChat { .. }]));
}

#[test]
fn when_the_runtime_stops_sessions_are_gone_and_none_can_start() {
    let (mut app, recorder) = in_session();
    let _ = app.update(Message::Runtime(Event::Stopped));
    assert_eq!(app.sessions.get(&bob()), None);
    type_and_send(&mut app, "x");
    recorder.take();
    press(&mut app, Request::Start);
    assert_eq!(recorder.take(), []);
}

#[test]
fn an_offer_withdrawn_by_the_caller_leaves_the_list_and_says_so() {
    let (mut app, recorder) = app();
    offer_from_carol(&mut app);
    recorder.take();
    let _ = app.update(Message::Runtime(Event::ChatUpdate {
        account: local(),
        session: SessionId(9),
        peer: CAROL.into(),
        state: ChatState::Failed {
            reason: "carol cancelled the invitation".into(),
        },
    }));
    assert_eq!(app.sessions.offers().count(), 0, "no banner, no badge");
    assert_eq!(
        app.sessions.ending(&carol()),
        Some(&Ending::Failed("carol cancelled the invitation".into()))
    );
    // Accept now has nothing to answer.
    let _ = app.update(Message::Chat {
        key: carol(),
        request: Request::Accept,
    });
    assert_eq!(recorder.take(), []);
}
