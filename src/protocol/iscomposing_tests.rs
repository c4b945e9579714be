#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

const RFC3994_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="urn:ietf:params:xml:ns:im-composing iscomposing.xsd">
  <state>active</state>
  <contenttype>text/plain</contenttype>
  <refresh>90</refresh>
</isComposing>"#;

#[test]
fn parses_and_round_trips() {
    let doc = IsComposing::parse(RFC3994_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(doc.state, ComposeState::Active);
    assert_eq!(doc.refresh, Some(90));
    assert_eq!(doc.content_type.as_deref(), Some("text/plain"));
    assert_eq!(IsComposing::parse(doc.to_xml().as_bytes()).unwrap(), doc);
    let idle = IsComposing {
        last_active: Some("2003-01-27T10:43:00Z".into()),
        ..IsComposing::idle()
    };
    assert_eq!(IsComposing::parse(idle.to_xml().as_bytes()).unwrap(), idle);
}

#[test]
fn malformed_documents_are_refused() {
    for bad in [
        "",
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>typing</state></isComposing>",
        "<isComposing><state>active</state></isComposing>",
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state><refresh>x</refresh></isComposing>",
        "<isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>active</state>",
        "<!DOCTYPE x [<!ENTITY a \"b\">]><isComposing xmlns=\"urn:ietf:params:xml:ns:im-iscomposing\"><state>&a;</state></isComposing>",
    ] {
        let e = IsComposing::parse(bad.as_bytes());
        assert!(e.is_err(), "{bad}");
        assert!(!e.unwrap_err().to_string().is_empty());
    }
}

#[test]
fn sender_goes_active_refreshes_and_idles_after_15_s() {
    let t0 = Instant::now();
    let mut s = ComposeSender::default();
    assert_eq!(s.typed(t0).map(|d| d.state), Some(ComposeState::Active));
    assert_eq!(s.typed(t0 + Duration::from_secs(1)), None);
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(16)));
    // Typing continues: refresh at 90 s.
    for sec in (5..=85).step_by(5) {
        assert_eq!(s.handle_timeout(t0 + Duration::from_secs(sec)), None);
        s.typed(t0 + Duration::from_secs(sec));
    }
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(90)));
    let refresh = s.handle_timeout(t0 + Duration::from_secs(90)).unwrap();
    assert_eq!((refresh.state, refresh.refresh), (ComposeState::Active, Some(90)));
    assert_eq!(
        s.handle_timeout(t0 + Duration::from_secs(100)).map(|d| d.state),
        Some(ComposeState::Idle)
    );
    assert!(!s.is_active());
    assert_eq!(s.poll_timeout(), None);
    s.typed(t0 + Duration::from_secs(200));
    s.message_sent();
    assert_eq!(s.handle_timeout(t0 + Duration::from_secs(300)), None);
}

#[test]
fn receiver_times_out_after_refresh_or_120_s() {
    let t0 = Instant::now();
    let mut r = ComposeReceiver::new();
    let mut doc = IsComposing::active(Duration::from_secs(90));
    assert_eq!(r.received(&doc, t0), Some(ComposeState::Active));
    assert_eq!(r.received(&doc, t0), None);
    assert_eq!(r.poll_timeout(), Some(t0 + Duration::from_secs(90)));
    assert_eq!(r.handle_timeout(t0 + Duration::from_secs(89)), None);
    assert_eq!(
        r.handle_timeout(t0 + Duration::from_secs(90)),
        Some(ComposeState::Idle)
    );
    doc.refresh = None;
    r.received(&doc, t0);
    assert_eq!(r.poll_timeout(), Some(t0 + DEFAULT_ACTIVE_TIMEOUT));
    assert_eq!(r.message_received(), Some(ComposeState::Idle));
    r.received(&doc, t0);
    assert_eq!(r.received(&IsComposing::idle(), t0), Some(ComposeState::Idle));
    assert!(!r.is_active());
}
