//! Sounds and do not disturb, as a real notification server on a private
//! D-Bus session bus receives them from `sipchat::notify::Notifier`:
//!
//! - a message carries `sound-name` `message-new-instant`, normal urgency;
//! - with message sounds off it carries `suppress-sound` and no sound name;
//! - muted for an hour, messages raise nothing, while an alert still comes
//!   with `alarm-clock-elapsed`, critical urgency, resident and no expiry;
//! - muting off, messages notify again.
//!
//! Skips when dbus-daemon is missing (unless `SIPCHAT_REQUIRE_DBUS=1`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/dbus.rs"]
mod dbus;

use std::time::Duration;

use dbus::{NotificationServer, PrivateBus, Recorded};
use sipchat::model::{AccountId, Alert, AlertMark, IncomingMessage, MessageId};
use sipchat::notify::{DoNotDisturb, Notifier, ALERT_SOUND, MESSAGE_SOUND};
use sipchat::runtime::Event;

const WAIT: Duration = Duration::from_secs(20);

fn message(id: u64, body: &str) -> Event {
    Event::MessageReceived(IncomingMessage {
        id: MessageId(id),
        account: AccountId("work".into()),
        from: "sip:bob@example.org".into(),
        from_name: Some("Bob".into()),
        to: "sip:alice@example.org".into(),
        content_type: "text/plain".into(),
        body: body.into(),
        subject: None,
        received_at: 1,
        alert: AlertMark::None,
        session: None,
    })
}

fn alert(id: i64, text: &str) -> Event {
    Event::AlertRaised(Box::new(Alert {
        id,
        account: AccountId("work".into()),
        message_id: Some(MessageId(100 + id as u64)),
        from: "sip:alert@example.org".into(),
        from_name: None,
        subject: Some("Emergency Alert".into()),
        priority: Some("emergency".into()),
        body: text.into(),
        text: text.into(),
        cap: None,
        cap_error: None,
        received_at: 1,
        acknowledged_at: None,
    }))
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn with_body<'a>(recorded: &'a [Recorded], body: &str) -> Vec<&'a Recorded> {
    recorded.iter().filter(|r| r.body == body).collect()
}

#[test]
fn message_sounds_and_do_not_disturb_reach_the_notification_server_and_alerts_always_do() {
    let Some(bus) = PrivateBus::start_or_skip() else {
        return;
    };
    let server = NotificationServer::start(&bus);
    // The only test in this file, so the process environment is ours.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);
    let (mut notifier, _clicks) = Notifier::start();
    assert!(notifier.available());

    notifier.handle(&message(1, "first"));
    let first = server.wait_for("for the first message", WAIT, |r| r.body == "first");
    assert_eq!(
        first.text_hints.get("sound-name").map(String::as_str),
        Some(MESSAGE_SOUND)
    );
    assert_eq!(first.urgency, Some(1));
    assert_ne!(first.bool_hints.get("suppress-sound"), Some(&true));

    notifier.planner().set_message_sounds(false);
    notifier.handle(&message(2, "quiet"));
    let quiet = server.wait_for("for the message without sound", WAIT, |r| r.body == "quiet");
    assert_eq!(quiet.text_hints.get("sound-name"), None, "{quiet:#?}");
    assert_eq!(quiet.bool_hints.get("suppress-sound"), Some(&true), "{quiet:#?}");
    notifier.planner().set_message_sounds(true);

    notifier
        .planner()
        .set_do_not_disturb(DoNotDisturb::for_an_hour(now()));
    notifier.handle(&message(3, "muted"));
    notifier.handle(&alert(1, "Fire on floor 3"));
    // Notices are shown in order: once the alert is there, the muted
    // message would have been too.
    let raised = server.wait_for("for the alert while muted", WAIT, |r| {
        r.body.contains("Fire on floor 3")
    });
    assert_eq!(
        raised.text_hints.get("sound-name").map(String::as_str),
        Some(ALERT_SOUND)
    );
    assert_eq!(raised.urgency, Some(2), "critical");
    assert_eq!(raised.expire_timeout, 0, "never expires");
    assert_eq!(raised.bool_hints.get("resident"), Some(&true));
    assert!(
        with_body(&server.recorded(), "muted").is_empty(),
        "{:#?}",
        server.recorded()
    );

    notifier.planner().set_do_not_disturb(DoNotDisturb::off());
    notifier.handle(&message(4, "unmuted"));
    let unmuted = server.wait_for("for the message after the mute", WAIT, |r| r.body == "unmuted");
    assert_eq!(
        unmuted.text_hints.get("sound-name").map(String::as_str),
        Some(MESSAGE_SOUND)
    );
    // The message that came while muted was dropped, not held back.
    assert!(with_body(&server.recorded(), "muted").is_empty());
}
