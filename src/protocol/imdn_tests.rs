#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;

const RFC5438_DELIVERED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<imdn xmlns="urn:ietf:params:xml:ns:imdn">
  <message-id>34jk324j</message-id>
  <datetime>2008-04-04T12:16:49-05:00</datetime>
  <recipient-uri>im:bob@example.com</recipient-uri>
  <original-recipient-uri>im:bob@example.com</original-recipient-uri>
  <delivery-notification>
    <status>
      <delivered/>
    </status>
  </delivery-notification>
</imdn>"#;

#[test]
fn parses_the_rfc_example_and_round_trips() {
    let n = Notification::parse(RFC5438_DELIVERED.as_bytes()).unwrap();
    assert_eq!(n.message_id, "34jk324j");
    assert_eq!(n.datetime, "2008-04-04T12:16:49-05:00");
    assert_eq!(n.recipient_uri.as_deref(), Some("im:bob@example.com"));
    assert_eq!(n.disposition, Disposition::Delivered);
    assert_eq!(Notification::parse(n.to_xml().as_bytes()).unwrap(), n);
    for d in [
        Disposition::Failed,
        Disposition::Displayed,
        Disposition::Forbidden { display: true },
        Disposition::Error { display: false },
    ] {
        let m = Notification {
            disposition: d,
            message_id: "a<&>b".into(),
            ..n.clone()
        };
        assert_eq!(Notification::parse(m.to_xml().as_bytes()).unwrap(), m);
    }
}

#[test]
fn malformed_notifications_are_refused() {
    let no_status = RFC5438_DELIVERED.replace("<delivered/>", "<lost/>");
    let displayed_in_delivery = RFC5438_DELIVERED.replace("<delivered/>", "<displayed/>");
    let no_id = RFC5438_DELIVERED.replace("<message-id>34jk324j</message-id>", "");
    let other_ns = RFC5438_DELIVERED.replace("urn:ietf:params:xml:ns:imdn", "urn:example");
    for (bad, want) in [
        (no_status, ImdnError::BadStatus),
        (displayed_in_delivery, ImdnError::BadStatus),
        (no_id, ImdnError::Missing("message-id")),
        (other_ns, ImdnError::NotImdn),
    ] {
        assert_eq!(Notification::parse(bad.as_bytes()), Err(want));
    }
    assert!(matches!(Notification::parse(b"<imdn"), Err(ImdnError::Xml(_))));
    assert!(matches!(
        Notification::parse(&vec![b' '; 20_000]),
        Err(ImdnError::Xml(_))
    ));
}

#[test]
fn disposition_requests() {
    let r = Requested::parse("positive-delivery, Display, unknown");
    assert!(r.positive_delivery && r.display && !r.negative_delivery);
    assert_eq!(r.to_value(), "positive-delivery, display");
    assert_eq!(Requested::parse(&r.to_value()), r);
}
