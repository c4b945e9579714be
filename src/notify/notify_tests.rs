#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::model::{Alert, CapAlert, CapInfo, IncomingMessage, MessageId};

fn message(id: u64, from: &str, body: &str, mark: AlertMark) -> Event {
    Event::MessageReceived(IncomingMessage {
        id: MessageId(id),
        account: AccountId("work".into()),
        from: from.into(),
        from_name: Some("Bob".into()),
        to: "sip:alice@example.org".into(),
        content_type: "text/plain".into(),
        body: body.into(),
        subject: None,
        received_at: 1,
        alert: mark,
        session: None,
    })
}

fn alert(id: i64) -> Event {
    Event::AlertRaised(Box::new(Alert {
        id,
        account: AccountId("work".into()),
        message_id: Some(MessageId(9)),
        from: "sip:alert@example.org".into(),
        from_name: None,
        subject: Some("Emergency Alert".into()),
        priority: None,
        body: "raw".into(),
        text: "Emergency call from 1001 to 112".into(),
        cap: Some(CapAlert {
            infos: vec![CapInfo {
                event: "Emergency call".into(),
                severity: "Extreme".into(),
                urgency: "Immediate".into(),
                areas: vec!["Floor 3".into()],
                ..CapInfo::default()
            }],
            ..CapAlert::default()
        }),
        cap_error: None,
        received_at: 1,
        acknowledged_at: None,
    }))
}

#[test]
fn alerts_are_critical_persistent_and_never_merged() {
    let mut p = Planner::new();
    let a = p.plan(&alert(1)).unwrap();
    let b = p.plan(&alert(2)).unwrap();
    assert_eq!(a.urgency, Urgency::Critical);
    assert!(a.persistent);
    assert_eq!(a.sound, Some(ALERT_SOUND));
    assert_eq!(a.acknowledge, Some(1));
    assert_ne!(a.key, b.key, "each alert has its own notification");
    assert!(a.summary.contains("EMERGENCY ALERT"), "{}", a.summary);
    assert!(a.body.contains("Emergency call from 1001 to 112"));
    assert!(
        a.body.contains("Extreme") && a.body.contains("Floor 3"),
        "{}",
        a.body
    );
    // Even with the alert sender's conversation focused, the alert shows.
    p.set_focused(Some((AccountId("work".into()), "sip:alert@example.org".into())));
    assert!(p.plan(&alert(3)).is_some());
    // Its message event does not add a second notification.
    assert!(p
        .plan(&message(9, "sip:alert@example.org", "raw", AlertMark::Raised))
        .is_none());
}

#[test]
fn messages_coalesce_per_conversation_and_skip_the_focused_one() {
    let mut p = Planner::new();
    let bob = "sip:bob@example.org";
    let first = p.plan(&message(1, bob, "hi", AlertMark::None)).unwrap();
    assert_eq!(first.summary, "Message from Bob");
    assert_eq!(first.category, MESSAGE_CATEGORY);
    assert_eq!(first.urgency, Urgency::Normal);
    assert!(!first.persistent);
    p.plan(&message(2, "sip:Bob@example.org", "other user", AlertMark::None));
    let third = p
        .plan(&message(
            3,
            "sip:bob@EXAMPLE.org:5060",
            "are you there?",
            AlertMark::None,
        ))
        .unwrap();
    assert_eq!(third.summary, "2 new messages from Bob");
    assert_eq!(third.key, first.key, "replaces the conversation's notification");
    assert_eq!(third.body, "are you there?");
    assert_eq!(third.open.peer_key, bob);

    p.set_focused(Some((AccountId("work".into()), bob.into())));
    assert!(p.plan(&message(4, bob, "seen live", AlertMark::None)).is_none());
    p.set_focused(None);
    let again = p.plan(&message(5, bob, "back", AlertMark::None)).unwrap();
    assert_eq!(
        again.summary, "Message from Bob",
        "the count starts again after focus"
    );
    p.conversation_seen(&AccountId("work".into()), bob);
    assert_eq!(
        p.plan(&message(6, bob, "x", AlertMark::None)).unwrap().summary,
        "Message from Bob"
    );
}

#[test]
fn an_untrusted_claim_is_an_ordinary_notification_that_says_so() {
    let mut p = Planner::new();
    let n = p
        .plan(&message(
            1,
            "sip:mallory@example.org",
            "Evacuate!",
            AlertMark::Untrusted,
        ))
        .unwrap();
    assert_eq!(n.urgency, Urgency::Normal);
    assert!(!n.persistent);
    assert!(n.body.contains(AlertMark::UNTRUSTED_WORDS), "{}", n.body);
    assert!(n.acknowledge.is_none());
}

#[test]
fn long_bodies_are_shortened_on_a_char_boundary() {
    let mut p = Planner::new();
    let long = "é".repeat(MAX_BODY_CHARS + 10);
    let n = p
        .plan(&message(1, "sip:bob@example.org", &long, AlertMark::None))
        .unwrap();
    assert_eq!(n.body.chars().count(), MAX_BODY_CHARS + 1);
    assert!(n.body.ends_with('…'));
}

#[test]
fn other_events_raise_nothing() {
    let mut p = Planner::new();
    assert!(p.plan(&Event::Stopped).is_none());
    assert!(p.plan(&Event::AlertAcknowledged { id: 1, at_ms: 2 }).is_none());
}

#[test]
fn a_chat_invitation_notifies_unless_its_conversation_is_in_view() {
    let offer = Event::ChatOffered {
        account: AccountId("work".into()),
        session: crate::model::SessionId(3),
        from: "sip:carol@example.org;transport=tcp".into(),
        from_name: Some("Carol".into()),
    };
    let mut planner = Planner::new();
    let notice = planner.plan(&offer).unwrap();
    assert_eq!(notice.summary, "Carol invites you to a chat session");
    assert_eq!(notice.category, CHAT_OFFER_CATEGORY);
    assert_eq!(notice.urgency, Urgency::Normal);
    let carol = (AccountId("work".into()), "sip:carol@example.org".to_string());
    assert_eq!(notice.key, NoticeKey::ChatOffer(carol.0.clone(), carol.1.clone()));
    assert_eq!(notice.open.peer_key, carol.1);
    assert_eq!(notice.open.alert, None);
    // It does not take the place of the conversation's message notice.
    let text = planner
        .plan(&message(1, "sip:carol@example.org", "hi", AlertMark::None))
        .unwrap();
    assert_ne!(text.key, notice.key);
    planner.set_focused(Some(carol));
    assert_eq!(planner.plan(&offer), None);
}

#[test]
fn markup_characters_in_a_body_are_escaped_for_markup_servers() {
    assert_eq!(
        escape_markup("<alert><identifier>x & y</identifier>"),
        "&lt;alert&gt;&lt;identifier&gt;x &amp; y&lt;/identifier&gt;"
    );
    assert_eq!(escape_markup("plain text, 112"), "plain text, 112");
}

fn file_offer(transfer: u64) -> Event {
    Event::TransferOffered {
        account: AccountId("work".into()),
        transfer: crate::model::TransferId(transfer),
        from: "sip:bob@example.org".into(),
        name: "plan.pdf".into(),
        size: Some(2048),
        mime: None,
        sha1: None,
        via: crate::runtime::TransferVia::Session,
    }
}

#[test]
fn a_file_offer_notifies_unless_its_conversation_is_in_view() {
    let mut planner = Planner::new();
    let notice = planner.plan(&file_offer(5)).expect("a file offer notifies");
    assert_eq!(notice.key, NoticeKey::FileOffer(5));
    assert_eq!(notice.category, FILE_OFFER_CATEGORY);
    assert_eq!(notice.summary, "sip:bob@example.org wants to send you a file");
    assert!(
        notice.body.starts_with("plan.pdf (2048 bytes)"),
        "{}",
        notice.body
    );
    assert_eq!(notice.open.peer_key, "sip:bob@example.org");
    planner.set_focused(Some((AccountId("work".into()), "sip:bob@example.org".into())));
    assert_eq!(planner.plan(&file_offer(6)), None);
}

#[test]
fn with_messages_off_only_alerts_notify() {
    let mut planner = Planner::new();
    planner.set_messages(false);
    assert_eq!(
        planner.plan(&message(1, "sip:bob@example.org", "hi", AlertMark::None)),
        None
    );
    assert_eq!(planner.plan(&file_offer(7)), None);
    let offer = Event::ChatOffered {
        account: AccountId("work".into()),
        session: crate::model::SessionId(1),
        from: "sip:bob@example.org".into(),
        from_name: None,
    };
    assert_eq!(planner.plan(&offer), None);
    assert!(planner.plan(&alert(3)).is_some(), "alerts always notify");
    planner.set_messages(true);
    assert!(planner
        .plan(&message(2, "sip:bob@example.org", "hi", AlertMark::None))
        .is_some());
}

/// Words that say which key was asked, to see each one is used.
struct Marked;

impl Words for Marked {
    fn alert_summary(&self, title: &str, from: &str) -> String {
        format!("[alert {title} / {from}]")
    }
    fn messages_summary(&self, from: &str, count: u32) -> String {
        format!("[{count} from {from}]")
    }
    fn untrusted(&self) -> String {
        "[untrusted]".into()
    }
    fn chat_offer_summary(&self, from: &str) -> String {
        format!("[chat {from}]")
    }
    fn chat_offer_body(&self) -> String {
        "[chat body]".into()
    }
    fn file_offer_summary(&self, from: &str) -> String {
        format!("[file {from}]")
    }
    fn file_offer_body(&self, file: &str, size: Option<u64>) -> String {
        format!("[{file} {size:?}]")
    }
    fn open(&self) -> String {
        "[open]".into()
    }
    fn acknowledge(&self) -> String {
        "[ack]".into()
    }
}

#[test]
fn the_words_come_from_the_words_given() {
    let mut planner = Planner::new();
    planner.set_words(Box::new(Marked));
    let n = planner
        .plan(&message(1, "sip:bob@example.org", "hi", AlertMark::Untrusted))
        .unwrap();
    assert_eq!(n.summary, "[1 from Bob]");
    assert!(n.body.starts_with("([untrusted]) hi"), "{}", n.body);
    assert_eq!(
        (n.open_label.as_str(), n.acknowledge_label.as_str()),
        ("[open]", "[ack]")
    );
    let n = planner.plan(&alert(4)).unwrap();
    assert!(n.summary.starts_with("[alert "), "{}", n.summary);
    let n = planner.plan(&file_offer(8)).unwrap();
    assert_eq!(
        (n.summary.as_str(), n.body.as_str()),
        // Named as bob's message named him.
        ("[file Bob]", "[plan.pdf Some(2048)]")
    );
}

#[test]
fn an_acknowledged_alert_closes_its_notification_and_nothing_else_does() {
    let mut planner = Planner::new();
    let acknowledged = Event::AlertAcknowledged { id: 4, at_ms: 1_000 };
    assert_eq!(planner.closes(&acknowledged), Some(NoticeKey::Alert(4)));
    assert!(planner.plan(&acknowledged).is_none(), "and shows nothing new");
    assert_eq!(planner.closes(&alert(4)), None);
    let received = message(1, "sip:bob@example.org", "hi", AlertMark::None);
    assert_eq!(planner.closes(&received), None);
}

#[test]
fn a_file_offer_names_the_peer_by_the_name_it_sent_before() {
    let mut planner = Planner::new();
    let offer = planner.plan(&file_offer(1)).map(|n| n.summary);
    assert!(
        offer.is_some_and(|s| s.contains("sip:bob@example.org")),
        "no name known yet"
    );
    let mut named = message(2, "sip:bob@example.org", "hi", AlertMark::None);
    if let Event::MessageReceived(m) = &mut named {
        m.from_name = Some("Bob Builder".into());
    }
    planner.plan(&named);
    let offer = planner
        .plan(&file_offer(3))
        .map(|n| n.summary)
        .unwrap_or_default();
    assert!(
        offer.contains("Bob Builder") && !offer.contains("sip:"),
        "{offer}"
    );
}

#[test]
fn messages_sound_unless_switched_off_and_alerts_always_sound() {
    let mut p = Planner::new();
    let bob = "sip:bob@example.org";
    let m = p.plan(&message(1, bob, "hi", AlertMark::None)).unwrap();
    assert_eq!(m.sound, Some(MESSAGE_SOUND));
    assert_eq!(m.urgency, Urgency::Normal);
    p.set_message_sounds(false);
    let m = p.plan(&message(2, bob, "again", AlertMark::None)).unwrap();
    assert_eq!(m.sound, None);
    let a = p.plan(&alert(1)).unwrap();
    assert_eq!(a.sound, Some(ALERT_SOUND));
    assert_eq!(a.urgency, Urgency::Critical);
    assert!(a.persistent);
}

#[test]
fn do_not_disturb_mutes_messages_until_it_ends_but_never_alerts() {
    const NOW: u64 = 1_796_644_800;
    let mut p = Planner::new();
    let bob = "sip:bob@example.org";
    p.set_do_not_disturb(DoNotDisturb::for_an_hour(NOW));
    assert!(p.plan_at(&message(1, bob, "hi", AlertMark::None), NOW).is_none());
    assert!(p
        .plan_at(
            &message(2, "sip:eve@example.org", "x", AlertMark::Untrusted),
            NOW + 60
        )
        .is_none());
    let a = p.plan_at(&alert(1), NOW + 60).expect("alerts come through");
    assert_eq!(a.sound, Some(ALERT_SOUND));
    assert_eq!(a.urgency, Urgency::Critical);
    // The hour is over: messages notify again, with their sound.
    let m = p
        .plan_at(&message(3, bob, "back", AlertMark::None), NOW + HOUR_SECS)
        .expect("the mute has ended");
    assert_eq!(m.sound, Some(MESSAGE_SOUND));
    // Off ends it at once.
    p.set_do_not_disturb(DoNotDisturb::until_tomorrow(NOW, 0));
    assert!(p.plan_at(&message(4, bob, "x", AlertMark::None), NOW).is_none());
    p.set_do_not_disturb(DoNotDisturb::off());
    assert!(p.plan_at(&message(5, bob, "y", AlertMark::None), NOW).is_some());
}

#[test]
fn notifications_name_people_as_the_address_book_does() {
    let mut planner = Planner::new();
    let contact = crate::model::Contact {
        id: crate::model::ContactId(1),
        details: crate::model::ContactDraft {
            name: "Robert Smith".into(),
            addresses: vec!["sip:bob@example.org".into()],
            ..Default::default()
        },
        updated_at: 0,
    };
    assert_eq!(planner.plan(&Event::Contacts(vec![contact])), None);
    // The peer sends "Bob" and writes from another port: still the contact.
    let m = message(1, "sip:bob@example.org:5070;transport=tcp", "hi", AlertMark::None);
    let summary = planner.plan(&m).map(|n| n.summary).unwrap_or_default();
    assert!(summary.contains("Robert Smith"), "{summary}");
    let offer = planner
        .plan(&file_offer(2))
        .map(|n| n.summary)
        .unwrap_or_default();
    assert!(offer.contains("Robert Smith"), "{offer}");
    // A stranger keeps the name it sent.
    let other = message(3, "sip:carol@example.org", "hi", AlertMark::None);
    let summary = planner.plan(&other).map(|n| n.summary).unwrap_or_default();
    assert!(
        summary.contains("Bob") && !summary.contains("Robert"),
        "{summary}"
    );
}
