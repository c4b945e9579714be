//! The session bookkeeping on its own: requests, runtime news, typing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

const BOB: &str = "sip:bob@127.0.0.1:5072";

fn local() -> AccountId {
    AccountId(AccountId::LOCAL.into())
}

fn bob() -> ConversationKey {
    ConversationKey::new(&local(), BOB)
}

fn active() -> ChatState {
    ChatState::Active {
        secure: false,
        relay: None,
    }
}

#[test]
fn cancel_before_the_runtime_named_the_session_goes_out_when_it_does() {
    let mut sessions = Sessions::default();
    let open = sessions.request(&bob(), BOB, Request::Start);
    assert_eq!(
        open,
        [Command::OpenChat {
            account: local(),
            peer: BOB.into()
        }]
    );
    // A second press while it is being set up asks nothing more.
    assert_eq!(sessions.request(&bob(), BOB, Request::Start), []);
    assert_eq!(sessions.request(&bob(), BOB, Request::Cancel), []);
    assert!(sessions.get(&bob()).is_some_and(Session::is_closing));
    let later = sessions.update(&bob(), SessionId(4), ChatState::Inviting);
    assert_eq!(
        later,
        [Command::CloseChat {
            account: local(),
            session: SessionId(4)
        }]
    );
    // Only once.
    assert_eq!(sessions.update(&bob(), SessionId(4), ChatState::Ringing), []);
    let over = ChatState::Failed {
        reason: "you cancelled the invitation".into(),
    };
    assert_eq!(sessions.update(&bob(), SessionId(4), over), []);
    assert_eq!(sessions.get(&bob()), None);
    assert_eq!(
        sessions.ending(&bob()),
        Some(&Ending::Failed("you cancelled the invitation".into()))
    );
}

#[test]
fn news_of_an_older_session_does_not_end_the_current_one() {
    let mut sessions = Sessions::default();
    sessions.request(&bob(), BOB, Request::Start);
    sessions.update(&bob(), SessionId(2), active());
    let stale = ChatState::Ended { reason: "old".into() };
    assert_eq!(sessions.update(&bob(), SessionId(1), stale), []);
    assert_eq!(sessions.active_id(&bob()), Some(SessionId(2)));
    assert_eq!(sessions.ending(&bob()), None);
}

#[test]
fn typing_is_announced_only_in_an_active_session_and_idle_only_after_typing() {
    let mut sessions = Sessions::default();
    assert_eq!(sessions.draft_changed(&bob(), false), None, "page mode");
    sessions.request(&bob(), BOB, Request::Start);
    sessions.update(&bob(), SessionId(3), ChatState::Connecting);
    assert_eq!(sessions.draft_changed(&bob(), false), None, "not active yet");
    sessions.update(&bob(), SessionId(3), active());
    assert_eq!(sessions.draft_changed(&bob(), true), None, "never typed");
    let typing = |active| {
        Some(Command::SetComposing {
            account: local(),
            session: SessionId(3),
            active,
        })
    };
    assert_eq!(sessions.draft_changed(&bob(), false), typing(true));
    assert_eq!(sessions.draft_changed(&bob(), false), typing(true));
    assert_eq!(sessions.draft_sent(&bob()), typing(false));
    assert_eq!(sessions.draft_sent(&bob()), None);
}

#[test]
fn state_words_name_encryption_and_relay() {
    crate::ui::i18n::set_language(crate::ui::i18n::Language::English);
    let words = state_words(
        &Phase::Active {
            secure: true,
            relay: Some("msrps://relay.example.org:2855;tcp".into()),
        },
        "Bob",
    );
    assert_eq!(
        words,
        "Chat session · encrypted · through relay msrps://relay.example.org:2855;tcp"
    );
    assert_eq!(state_words(&Phase::Ringing, "Bob"), "Waiting for Bob to answer…");
    assert_eq!(
        ending_words(&Ending::Ended("bob hung up".into())),
        "The chat session ended: bob hung up"
    );
    assert_eq!(
        ending_words(&Ending::Failed(" ".into())),
        "The chat session did not start."
    );
}

#[test]
fn an_offer_stays_an_offer_until_answered_even_when_start_raced_it() {
    let mut sessions = Sessions::default();
    // Start pressed just as bob's invitation arrived: the runtime reuses
    // bob's session for our OpenChat and reports it ringing.
    sessions.request(&bob(), BOB, Request::Start);
    sessions.offered(&bob(), SessionId(9));
    assert_eq!(sessions.update(&bob(), SessionId(9), ChatState::Ringing), []);
    assert_eq!(sessions.get(&bob()).map(|s| &s.phase), Some(&Phase::Offered));
    assert_eq!(
        sessions.request(&bob(), BOB, Request::Accept),
        [Command::AcceptChat {
            account: local(),
            session: SessionId(9)
        }]
    );
    sessions.update(&bob(), SessionId(9), active());
    assert_eq!(sessions.active_id(&bob()), Some(SessionId(9)));
}
