#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use sipchat::model::AccountId;

pub fn alert(id: i64, at_ms: i64) -> Alert {
    Alert {
        id,
        account: AccountId("work".into()),
        message_id: Some(MessageId(100 + u64::try_from(id).unwrap())),
        from: "sip:alert@example.org".into(),
        from_name: None,
        subject: Some("Emergency Alert".into()),
        priority: None,
        body: format!("alert {id}"),
        text: format!("alert {id}"),
        cap: None,
        cap_error: None,
        received_at: at_ms,
        acknowledged_at: None,
    }
}

#[test]
fn unacknowledged_alerts_are_newest_first_and_leave_once_acknowledged() {
    let mut alerts = Alerts::default();
    alerts.raised(alert(1, 1_000));
    alerts.raised(alert(2, 5_000));
    alerts.raised(alert(3, 3_000));
    let up: Vec<i64> = alerts.unacknowledged().iter().map(|a| a.id).collect();
    assert_eq!(up, [2, 3, 1]);
    assert_eq!(alerts.update(Message::Acknowledge(2)), Action::Acknowledge(2));
    alerts.acknowledged(2, 9_000);
    let up: Vec<i64> = alerts.unacknowledged().iter().map(|a| a.id).collect();
    assert_eq!(up, [3, 1]);
    // Acknowledged ones are not acknowledged again, unknown ones not at all.
    assert_eq!(alerts.update(Message::Acknowledge(2)), Action::None);
    assert_eq!(alerts.update(Message::Acknowledge(77)), Action::None);
    assert_eq!(alerts.count(), 3);
}

#[test]
fn an_older_list_never_undoes_an_acknowledgement() {
    let mut alerts = Alerts::default();
    alerts.raised(alert(1, 1_000));
    alerts.acknowledged(1, 2_000);
    // The answer to the start-up LoadAlerts may come after the ack.
    alerts.loaded(vec![alert(1, 1_000)]);
    assert!(alerts.unacknowledged().is_empty());
    assert_eq!(alerts.get(1).unwrap().acknowledged_at, Some(2_000));
    // A newer list with the time wins over nothing.
    let mut done = alert(4, 4_000);
    done.acknowledged_at = Some(4_500);
    alerts.loaded(vec![done]);
    assert_eq!(alerts.get(4).unwrap().acknowledged_at, Some(4_500));
}

#[test]
fn show_opens_the_log_at_the_alert_and_open_conversation_leaves_it() {
    let mut alerts = Alerts::default();
    alerts.raised(alert(1, 1_000));
    assert!(!alerts.log_open());
    assert_eq!(alerts.update(Message::Show(1)), Action::LoadLog);
    assert!(alerts.log_open());
    assert_eq!(alerts.selected(), Some(1));
    assert_eq!(
        alerts.update(Message::OpenConversation(1)),
        Action::OpenConversation(ConversationKey::stored("work", "sip:alert@example.org"))
    );
    assert!(!alerts.log_open());
    assert_eq!(alerts.update(Message::OpenLog), Action::LoadLog);
    assert_eq!(alerts.update(Message::CloseLog), Action::None);
    assert!(!alerts.log_open());
}

#[test]
fn messages_that_raised_alerts_are_known_by_id() {
    let mut alerts = Alerts::default();
    alerts.loaded(vec![alert(1, 1_000), alert(1, 1_000)]);
    assert!(alerts.is_alert_message(MessageId(101)));
    assert!(!alerts.is_alert_message(MessageId(102)));
    let shown: Vec<(MessageId, &str)> = alerts
        .messages()
        .iter()
        .map(|(id, t)| (*id, t.as_str()))
        .collect();
    assert_eq!(shown, [(MessageId(101), "alert 1")]);
}
