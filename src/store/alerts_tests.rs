//! The alert log: stored with its message in one transaction, once per
//! message, acknowledged once; untrusted claims are marked on the message.

use super::test_support::incoming;
use super::*;
use crate::model::{AccountId, Alert, CapAlert, CapInfo};

fn alert(account: &str, from: &str, at: i64) -> Alert {
    Alert {
        id: 0,
        account: AccountId(account.into()),
        message_id: None,
        from: from.into(),
        from_name: Some("Duty desk".into()),
        subject: Some("Emergency Alert".into()),
        priority: None,
        body: "<alert>...</alert>".into(),
        text: "Fire alarm in building B".into(),
        cap: Some(CapAlert {
            identifier: "X-1".into(),
            infos: vec![CapInfo {
                severity: "Severe".into(),
                urgency: "Immediate".into(),
                areas: vec!["Building B".into()],
                ..CapInfo::default()
            }],
            ..CapAlert::default()
        }),
        cap_error: None,
        received_at: at,
        acknowledged_at: None,
    }
}

#[test]
fn a_trusted_alert_is_logged_with_its_message_once() {
    let mut store = Store::open_in_memory().unwrap();
    let from = "sip:alert@example.org";
    let message = incoming("work", from, "call-1", 1, "<alert>...</alert>", 1000);
    let entry = NewAlert::from_alert(&alert("work", from, 1000));
    let (outcome, alert_id) = store
        .insert_incoming_alert(&message, AlertRecord::Raised(&entry))
        .unwrap();
    let id = match outcome {
        InsertOutcome::Inserted(id) => id,
        other => panic!("not inserted: {other:?}"),
    };
    let alert_id = alert_id.expect("an alert is logged");
    // The resend finds the same message and the same alert.
    let (again, again_alert) = store
        .insert_incoming_alert(&message, AlertRecord::Raised(&entry))
        .unwrap();
    assert_eq!(again, InsertOutcome::Duplicate(id));
    assert_eq!(again_alert, Some(alert_id));
    let log = store.alerts(Some("work"), false).unwrap();
    assert_eq!(log.len(), 1);
    let back = log[0].to_alert();
    assert_eq!(back.id, alert_id);
    assert_eq!(back.message_id, Some(id));
    assert_eq!(back.text, "Fire alarm in building B");
    assert_eq!(back.from_name.as_deref(), Some("Duty desk"));
    assert_eq!(back.first_info().unwrap().severity, "Severe");
    assert_eq!(back.first_info().unwrap().areas, vec!["Building B"]);
    // The message is in its conversation, not marked untrusted.
    let stored = store.message(id).unwrap().unwrap();
    assert!(!stored.untrusted_alert);
    assert_eq!(store.messages("work", from, None, 10).unwrap().len(), 1);

    assert!(store.acknowledge_alert(alert_id, 5000).unwrap());
    assert!(
        !store.acknowledge_alert(alert_id, 6000).unwrap(),
        "acknowledged once"
    );
    assert_eq!(
        store.alert(alert_id).unwrap().unwrap().acknowledged_at,
        Some(5000)
    );
    assert!(store.alerts(None, true).unwrap().is_empty());
    assert!(store.alert(alert_id + 1).unwrap().is_none());
}

#[test]
fn an_untrusted_claim_is_a_marked_message_and_no_alert() {
    let mut store = Store::open_in_memory().unwrap();
    let message = incoming(
        "work",
        "sip:mallory@example.org",
        "call-2",
        1,
        "evacuate now",
        1000,
    );
    let (outcome, alert_id) = store
        .insert_incoming_alert(&message, AlertRecord::Untrusted)
        .unwrap();
    assert_eq!(alert_id, None);
    let stored = store.message(outcome.id()).unwrap().unwrap();
    assert!(stored.untrusted_alert);
    assert!(store.alerts(None, false).unwrap().is_empty());
    // An ordinary message is not marked.
    let plain = store
        .insert_incoming(&incoming("work", "sip:bob@example.org", "call-3", 1, "hi", 1001))
        .unwrap();
    assert!(!store.message(plain.id()).unwrap().unwrap().untrusted_alert);
}

#[test]
fn an_old_alert_row_reads_with_its_body_as_text() {
    let mut store = Store::open_in_memory().unwrap();
    let old = NewAlert {
        account: "work".into(),
        message_id: None,
        from: "sip:alerts@example.org".into(),
        subject: None,
        priority: Some("emergency".into()),
        body: "Flood warning".into(),
        cap: Some(serde_json::json!({"severity": "Severe"})),
        received_at: 1,
    };
    let id = store.insert_alert(&old).unwrap();
    let back = store.alert(id).unwrap().unwrap().to_alert();
    assert_eq!(back.text, "Flood warning");
    assert!(back.cap.is_none());
}
