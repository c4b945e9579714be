use super::*;
use crate::model::{AccountId, IncomingMessage, MessageId};

#[test]
fn message_event_has_the_contract_fields() {
    let e = Event::MessageReceived(IncomingMessage {
        id: MessageId(3),
        account: AccountId("work".into()),
        from: "sip:alice@example.org".into(),
        from_name: Some("Alice".into()),
        to: "sip:bob@example.org".into(),
        content_type: "text/plain".into(),
        body: "hi".into(),
        subject: None,
        received_at: 1,
        alert: Default::default(),
    });
    let v = event_json(&e).unwrap();
    for field in ["event", "id", "from", "to", "content_type", "body"] {
        assert!(v.get(field).is_some(), "{field} missing in {v}");
    }
    assert_eq!(v["event"], "message");
    assert_eq!(
        event_text(&e).unwrap(),
        "[work] Alice <sip:alice@example.org>: hi"
    );
}

#[test]
fn delivery_words() {
    let e = Event::DeliveryUpdate {
        id: MessageId(1),
        account: AccountId("w".into()),
        to: "sip:bob@x".into(),
        state: DeliveryState::StoredForLater,
    };
    assert_eq!(event_json(&e).unwrap()["state"], "stored");
    assert_eq!(
        event_text(&e).unwrap(),
        "[w] to sip:bob@x: stored by the server for later delivery (202)"
    );
}

#[test]
fn query_answers_are_not_printed() {
    let e = Event::SearchResults {
        text: "hi".into(),
        hits: Vec::new(),
    };
    assert_eq!(event_json(&e), None);
    assert_eq!(event_text(&e), None);
    assert_eq!(event_json(&Event::Conversations(Vec::new())), None);
}
