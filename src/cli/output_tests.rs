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
        session: None,
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

fn cap_alert() -> crate::model::Alert {
    crate::model::Alert {
        id: 7,
        account: AccountId("work".into()),
        message_id: Some(MessageId(70)),
        from: "sip:alert@example.org".into(),
        from_name: None,
        subject: None,
        priority: Some("emergency".into()),
        body: "<alert>...</alert>".into(),
        text: "Flood warning\nMove to higher ground".into(),
        cap: Some(crate::model::CapAlert {
            identifier: "F-1".into(),
            infos: vec![crate::model::CapInfo {
                event: "Flood".into(),
                severity: "Severe".into(),
                urgency: "Expected".into(),
                certainty: "Likely".into(),
                headline: Some("Flood warning".into()),
                areas: vec!["River side".into()],
                ..Default::default()
            }],
            ..Default::default()
        }),
        cap_error: None,
        received_at: 1_700_000_000_000,
        acknowledged_at: None,
    }
}

#[test]
fn alert_event_has_the_contract_fields() {
    let e = Event::AlertRaised(Box::new(cap_alert()));
    let v = event_json(&e).unwrap();
    assert_eq!(v["event"], "alert");
    assert_eq!(v["from"], "sip:alert@example.org");
    assert!(v["subject"].is_null());
    assert_eq!(v["priority"], "emergency");
    assert_eq!(v["body"], "<alert>...</alert>");
    assert_eq!(v["severity"], "Severe");
    assert_eq!(v["urgency"], "Expected");
    assert_eq!(v["headline"], "Flood warning");
    assert_eq!(v["id"], 7);
    let text = event_text(&e).unwrap();
    assert!(
        text.contains("EMERGENCY ALERT [work] #7 from sip:alert@example.org"),
        "{text}"
    );
    assert!(
        text.contains("severity Severe, urgency Expected") && text.contains("River side"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.starts_with("!!!")), "{text}");
}

#[test]
fn alert_messages_print_once_and_claims_say_so() {
    let message = |alert| {
        Event::MessageReceived(IncomingMessage {
            id: MessageId(3),
            account: AccountId("work".into()),
            from: "sip:mallory@example.org".into(),
            from_name: None,
            to: "sip:bob@example.org".into(),
            content_type: "text/plain".into(),
            body: "evacuate".into(),
            subject: Some("Emergency Alert".into()),
            received_at: 1,
            alert,
            session: None,
        })
    };
    // The trusted alert's message is printed by its alert event, not twice.
    assert_eq!(event_text(&message(crate::model::AlertMark::Raised)), None);
    assert_eq!(
        event_json(&message(crate::model::AlertMark::Raised)).unwrap()["alert"],
        "raised"
    );
    let claim = message(crate::model::AlertMark::Untrusted);
    assert_eq!(event_json(&claim).unwrap()["alert"], "untrusted");
    assert!(event_text(&claim)
        .unwrap()
        .contains("(claims to be an alert from an untrusted sender): evacuate"));
}

fn certificate() -> CertificateInfo {
    CertificateInfo {
        server_name: "sip.example.org".into(),
        subject: "CN=sip.example.org".into(),
        issuer: "CN=sip.example.org".into(),
        names: vec!["sip.example.org".into()],
        not_before: Some(1_700_000_000),
        not_after: Some(1_800_000_000),
        fingerprint: "AB:CD".into(),
        self_signed: true,
    }
}

#[test]
fn an_untrusted_certificate_prints_its_fingerprint_and_the_line_to_add() {
    let e = Event::CertificateUntrusted {
        account: AccountId("work".into()),
        certificate: certificate(),
    };
    let v = event_json(&e).unwrap();
    assert_eq!(v["event"], "certificate_untrusted");
    assert_eq!(v["certificate"]["fingerprint"], "AB:CD");
    assert_eq!(v["config_line"], "tls: (fingerprint: \"AB:CD\")");
    let text = event_text(&e).unwrap();
    assert!(text.contains("SHA-256 fingerprint AB:CD\n"), "{text}");
    assert!(
        text.ends_with("add to the account \"work\" in the config: tls: (fingerprint: \"AB:CD\")"),
        "{text}"
    );
    assert!(
        text.contains("valid 2023-11-14 22:13:20 UTC to 2027-01-15 08:00:00 UTC"),
        "{text}"
    );
}

#[test]
fn a_changed_certificate_is_a_warning_naming_both_fingerprints() {
    let e = Event::CertificateChanged {
        account: AccountId("work".into()),
        pinned: "01:02".into(),
        certificate: certificate(),
    };
    assert_eq!(event_json(&e).unwrap()["event"], "certificate_changed");
    let text = event_text(&e).unwrap();
    assert!(
        text.starts_with("[work] WARNING: the certificate of sip.example.org has changed"),
        "{text}"
    );
    assert!(
        text.contains("pinned SHA-256 fingerprint 01:02, presented AB:CD; refused"),
        "{text}"
    );
}

#[test]
fn listening_names_every_family() {
    let both = Event::AccountState {
        account: AccountId("local".into()),
        state: RegistrationState::Listening {
            address: "192.0.2.2:5062".into(),
            addresses: vec!["192.0.2.2:5062".into(), "[2001:db8::2]:5062".into()],
        },
    };
    assert_eq!(
        event_text(&both).unwrap(),
        "[local] listening on 192.0.2.2:5062 and [2001:db8::2]:5062"
    );
    let v = event_json(&both).unwrap();
    assert_eq!(v["address"], "192.0.2.2:5062");
    assert_eq!(v["addresses"][1], "[2001:db8::2]:5062");
    let one = Event::AccountState {
        account: AccountId("local".into()),
        state: RegistrationState::Listening {
            address: "[::1]:5062".into(),
            addresses: vec!["[::1]:5062".into()],
        },
    };
    assert_eq!(event_text(&one).unwrap(), "[local] listening on [::1]:5062");
}
