//! Presence state in the window: contacts' dots and words, our status and
//! what became of it, the request queue and auto-away, on virtual time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::ui::palette::{contrast, dark, light};

fn local() -> AccountId {
    AccountId("local".into())
}

fn work() -> AccountId {
    AccountId("work".into())
}

fn presence(status: PresenceStatus, note: Option<&str>, last_seen: Option<i64>) -> Presence {
    Presence {
        status,
        note: note.map(str::to_string),
        last_seen,
    }
}

#[test]
fn each_watch_state_and_status_has_its_own_dot_and_words() {
    crate::ui::i18n::set_language(crate::ui::i18n::Language::English);
    let cases = [
        (
            WatchState::Active,
            PresenceStatus::Available,
            Shown::Available,
            "Available",
        ),
        (WatchState::Active, PresenceStatus::Away, Shown::Away, "Away"),
        (WatchState::Active, PresenceStatus::Busy, Shown::Busy, "Busy"),
        (
            WatchState::Active,
            PresenceStatus::Offline,
            Shown::Offline,
            "Offline",
        ),
        (
            WatchState::Active,
            PresenceStatus::Unknown,
            Shown::Unknown,
            "Status unknown",
        ),
        (
            WatchState::Pending,
            PresenceStatus::Unknown,
            Shown::Pending,
            "Waiting for permission",
        ),
        (
            WatchState::Refused,
            PresenceStatus::Unknown,
            Shown::Refused,
            "Does not share their status",
        ),
        (
            WatchState::NoSuchUser,
            PresenceStatus::Unknown,
            Shown::NoSuchUser,
            "No such user",
        ),
    ];
    let zone = Zone::utc();
    for (watch, status, shown, words) in cases {
        let seen = Seen {
            presence: presence(status, None, None),
            watch,
        };
        assert_eq!(seen.shown(), shown);
        assert_eq!(seen.describe(&zone, 0), words);
    }
    // Not colour alone: every state but offline (an empty ring) has a
    // glyph, and no two share one.
    let glyphs: BTreeSet<&str> = Shown::ALL.iter().map(|s| s.glyph()).collect();
    assert_eq!(glyphs.len(), Shown::ALL.len());
}

#[test]
fn the_note_and_last_seen_go_with_the_words() {
    crate::ui::i18n::set_language(crate::ui::i18n::Language::English);
    let zone = Zone::utc();
    let now = 1_800_000_000;
    let away = Seen {
        presence: presence(PresenceStatus::Away, Some(" out for lunch "), None),
        watch: WatchState::Active,
    };
    assert_eq!(away.describe(&zone, now), "Away · out for lunch");
    let gone = Seen {
        presence: presence(PresenceStatus::Offline, None, Some(1_800_000_000 - 3600)),
        watch: WatchState::Active,
    };
    let words = gone.describe(&zone, now);
    assert!(words.starts_with("Offline · last seen "), "{words}");
    assert!(words.contains(&zone.short_stamp(now - 3600, now)), "{words}");
    let interrupted = Seen {
        presence: Presence::default(),
        watch: WatchState::Interrupted("no server connection".into()),
    };
    assert_eq!(
        interrupted.describe(&zone, now),
        "Status unknown · no server connection"
    );
}

#[test]
fn a_contact_watched_from_two_accounts_shows_the_most_reachable() {
    let mut p = Presences::default();
    p.contact(
        &local(),
        "sip:bob@example.org",
        presence(PresenceStatus::Offline, None, None),
        WatchState::Active,
    );
    p.contact(
        &work(),
        "sip:bob@example.org;transport=tcp",
        presence(PresenceStatus::Busy, None, None),
        WatchState::Active,
    );
    let key = ConversationKey::new(&local(), "sip:bob@example.org");
    assert_eq!(
        p.of_key(&key).map(Seen::shown),
        Some(Shown::Offline),
        "its own account first"
    );
    let other = ConversationKey::new(&AccountId("third".into()), "sip:bob@example.org");
    assert_eq!(p.of_key(&other).map(Seen::shown), Some(Shown::Busy));
    assert_eq!(
        p.of_peers([
            "sip:bob@example.org".to_string(),
            "sip:nobody@example.org".to_string()
        ])
        .map(Seen::shown),
        Some(Shown::Busy)
    );
    assert!(p.of_peers(["sip:nobody@example.org".to_string()]).is_none());
}

#[test]
fn becoming_available_is_told_once_and_not_at_the_first_report() {
    let mut p = Presences::default();
    let bob = "sip:bob@example.org";
    let available = || presence(PresenceStatus::Available, None, None);
    assert!(
        !p.contact(&local(), bob, available(), WatchState::Active),
        "already online at start"
    );
    assert!(!p.contact(
        &local(),
        bob,
        presence(PresenceStatus::Away, None, None),
        WatchState::Active
    ));
    assert!(
        p.contact(&local(), bob, available(), WatchState::Active),
        "away -> available"
    );
    assert!(
        !p.contact(&local(), bob, available(), WatchState::Active),
        "no change"
    );
    assert!(!p.contact(
        &local(),
        bob,
        presence(PresenceStatus::Offline, None, None),
        WatchState::Active
    ));
    assert!(
        p.contact(&local(), bob, available(), WatchState::Active),
        "offline -> available"
    );
}

#[test]
fn choosing_a_status_asks_every_account_and_shows_what_each_answered() {
    crate::ui::i18n::set_language(crate::ui::i18n::Language::English);
    let mut p = Presences::default();
    let accounts = [local(), work()];
    assert_eq!(p.outcome().0, "Kept from last time.");
    let _ = p.update(Message::Note("in a meeting".into()), &accounts, 0);
    let action = p.update(Message::Choose(OwnStatus::Busy), &accounts, 0);
    assert_eq!(
        action,
        Action::SetStatus {
            status: OwnStatus::Busy,
            note: Some("in a meeting".into())
        }
    );
    assert_eq!(p.outcome(), ("Setting your status…".into(), false));
    p.own_reported(
        &local(),
        OwnReport {
            status: OwnStatus::Busy,
            note: Some("in a meeting".into()),
            published: false,
        },
    );
    assert_eq!(p.outcome().0, "Setting your status…", "work has not answered");
    // The runtime answers a failed PUBLISH with an error for the account.
    assert!(p.error(&work(), "could not publish your status: 503 Service Unavailable"));
    let (words, failed) = p.outcome();
    assert!(failed);
    assert_eq!(
        words,
        "Your status was not published on work: could not publish your status: 503 Service Unavailable"
    );
    // A later error on the account is not about the status.
    assert!(!p.error(&work(), "registration failed"));
    // The retry got through.
    p.own_reported(
        &work(),
        OwnReport {
            status: OwnStatus::Busy,
            note: Some("in a meeting".into()),
            published: true,
        },
    );
    assert_eq!(p.outcome(), ("Your contacts see this.".into(), false));
    assert_eq!(p.own_shown(), Shown::Busy);
    assert!(p.reports()[&work()].published);
    let _ = p.update(Message::Choose(OwnStatus::Invisible), &accounts, 0);
    p.own_reported(
        &local(),
        OwnReport {
            status: OwnStatus::Invisible,
            note: None,
            published: false,
        },
    );
    assert_eq!(p.own_shown(), Shown::Offline);
}

#[test]
fn the_status_reported_at_start_fills_the_selector_but_not_over_an_edit() {
    let mut p = Presences::default();
    let report = |note: &str| OwnReport {
        status: OwnStatus::Away,
        note: Some(note.into()),
        published: true,
    };
    p.own_reported(&local(), report("set from the command line"));
    assert_eq!(p.chosen(), OwnStatus::Away);
    assert_eq!(p.note(), "set from the command line");
    let _ = p.update(Message::Note("half typed".into()), &[local()], 0);
    p.own_reported(&local(), report("refresh"));
    assert_eq!(p.note(), "half typed", "an edit in progress is kept");
    let long: String = "x".repeat(NOTE_CHARS + 50);
    let _ = p.update(Message::Note(long), &[local()], 0);
    assert_eq!(p.note().chars().count(), NOTE_CHARS);
}

#[test]
fn requests_queue_once_each_and_the_decision_names_the_first() {
    let mut p = Presences::default();
    assert_eq!(p.update(Message::Decide(true), &[local()], 0), Action::None);
    p.requested(&local(), "sip:carol@example.org");
    p.requested(&local(), "sip:dave@example.org");
    p.requested(&local(), "sip:carol@example.org");
    let (first, more) = p.request().unwrap();
    assert_eq!((first.watcher.as_str(), more), ("sip:carol@example.org", 1));
    assert_eq!(
        p.update(Message::Decide(true), &[local()], 0),
        Action::Decide {
            account: local(),
            watcher: "sip:carol@example.org".into(),
            allow: true
        }
    );
    assert_eq!(
        p.update(Message::Decide(false), &[local()], 0),
        Action::Decide {
            account: local(),
            watcher: "sip:dave@example.org".into(),
            allow: false
        }
    );
    assert!(p.request().is_none());
    for n in 0..MAX_REQUESTS + 5 {
        p.requested(&local(), &format!("sip:w{n}@example.org"));
    }
    assert_eq!(p.request().unwrap().1, MAX_REQUESTS - 1);
}

#[test]
fn auto_away_after_the_minutes_and_back_on_input() {
    let mut p = Presences::default();
    let accounts = [local()];
    let t0 = 1_000_000;
    p.auto_away.set_minutes(Some(5), t0);
    assert_eq!(p.update(Message::Tick, &accounts, t0 + 299), Action::None);
    assert_eq!(
        p.update(Message::Tick, &accounts, t0 + 300),
        Action::SetStatus {
            status: OwnStatus::Away,
            note: None
        }
    );
    assert!(p.auto_away.is_away());
    assert_eq!(p.update(Message::Tick, &accounts, t0 + 900), Action::None, "once");
    assert_eq!(
        p.update(Message::Input, &accounts, t0 + 901),
        Action::SetStatus {
            status: OwnStatus::Available,
            note: None
        }
    );
    assert_eq!(p.update(Message::Input, &accounts, t0 + 902), Action::None);
    // Input keeps it from going away.
    assert_eq!(p.update(Message::Tick, &accounts, t0 + 1100), Action::None);
}

#[test]
fn auto_away_never_overrides_a_status_chosen_by_hand() {
    let accounts = [local()];
    let t0 = 1_000_000;
    for manual in [OwnStatus::Busy, OwnStatus::Invisible, OwnStatus::Away] {
        let mut p = Presences::default();
        p.auto_away.set_minutes(Some(5), t0);
        let _ = p.update(Message::Choose(manual), &accounts, t0);
        assert_eq!(
            p.update(Message::Tick, &accounts, t0 + 3600),
            Action::None,
            "{manual:?}"
        );
        assert_eq!(
            p.update(Message::Input, &accounts, t0 + 3601),
            Action::None,
            "{manual:?}"
        );
        assert_eq!(p.chosen(), manual);
    }
    // Away by itself, then busy by hand: input does not bring back
    // "available".
    let mut p = Presences::default();
    p.auto_away.set_minutes(Some(5), t0);
    let _ = p.update(Message::Tick, &accounts, t0 + 300);
    let _ = p.update(Message::Choose(OwnStatus::Busy), &accounts, t0 + 400);
    assert_eq!(p.update(Message::Input, &accounts, t0 + 401), Action::None);
    assert_eq!(p.chosen(), OwnStatus::Busy);
    // Off: never.
    let mut p = Presences::default();
    p.auto_away.set_minutes(None, t0);
    assert_eq!(p.update(Message::Tick, &accounts, t0 + 100_000), Action::None);
}

#[test]
fn every_dot_stands_out_and_its_glyph_is_readable_in_both_palettes() {
    for (name, theme) in [("light", light()), ("dark", dark())] {
        for shown in Shown::ALL {
            // The offline dot is an empty ring: the ring is what shows.
            let mark = if shown == Shown::Offline {
                dot::ring(shown, &theme)
            } else {
                dot::fill(shown, &theme)
            };
            for background in dot::backgrounds(&theme) {
                let ratio = contrast(mark, background);
                assert!(
                    ratio >= crate::ui::palette::LARGE_CONTRAST,
                    "{name} {shown:?}: {ratio:.2}:1"
                );
            }
            if !shown.glyph().is_empty() {
                let ratio = contrast(dot::glyph_colour(shown, &theme), dot::fill(shown, &theme));
                assert!(
                    ratio >= crate::ui::palette::TEXT_CONTRAST,
                    "{name} {shown:?} glyph: {ratio:.2}:1"
                );
            }
        }
        // The three online states differ from each other, not only from grey.
        let fills: BTreeSet<String> = [Shown::Available, Shown::Away, Shown::Busy]
            .into_iter()
            .map(|s| format!("{:?}", dot::fill(s, &theme)))
            .collect();
        assert_eq!(fills.len(), 3, "{name}");
    }
}
