#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn vector(name: &str) -> String {
    let path = format!("{}/tests/vectors/cap/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap()
}

fn input<'a>(
    content_type: &'a str,
    subject: Option<&'a str>,
    priority: Option<&'a str>,
    body: &'a str,
) -> AlertInput<'a> {
    AlertInput {
        content_type,
        subject,
        priority,
        body,
    }
}

#[test]
fn cap_with_two_infos_and_areas() {
    let cap = parse_cap(&vector("two_infos.xml")).unwrap();
    assert_eq!(cap.identifier, "ORG-EXAMPLE-2026-0417");
    assert_eq!(cap.sender, "duty-office@example.org");
    assert_eq!(cap.sent, "2026-11-22T21:04:00+01:00");
    assert_eq!(
        (cap.status.as_str(), cap.msg_type.as_str(), cap.scope.as_str()),
        ("Actual", "Alert", "Restricted")
    );
    assert_eq!(cap.infos.len(), 2);
    let en = &cap.infos[0];
    assert_eq!(en.language.as_deref(), Some("en-GB"));
    assert_eq!(en.event, "Fire alarm");
    assert_eq!(
        (en.urgency.as_str(), en.severity.as_str(), en.certainty.as_str()),
        ("Immediate", "Severe", "Observed")
    );
    // The entity is resolved, not dropped.
    assert_eq!(
        en.headline.as_deref(),
        Some("Fire alarm in building B & car park")
    );
    assert_eq!(
        en.instruction.as_deref(),
        Some("Leave by the east stairs. Do not use the lifts.")
    );
    assert_eq!(en.expires.as_deref(), Some("2026-11-22T23:00:00+01:00"));
    assert_eq!(en.areas, vec!["Building B, level 2", "Car park north"]);
    let de = &cap.infos[1];
    assert_eq!(de.headline.as_deref(), Some("Feueralarm in Gebäude B"));
    assert_eq!(de.description, None);
    assert_eq!(de.expires, None);
    assert_eq!(de.areas, vec!["Gebäude B, Ebene 2"]);
}

#[test]
fn cap_with_prefix_and_only_required_fields() {
    let cap = parse_cap(&vector("minimal_prefixed.xml")).unwrap();
    assert_eq!(cap.identifier, "KSTN-112-1001");
    assert_eq!(cap.msg_type, "Update");
    assert_eq!(cap.infos.len(), 1);
    assert_eq!(cap.infos[0].event, "Emergency call");
    assert_eq!(cap.infos[0].headline, None);
    assert_eq!(cap.infos[0].areas, vec![""]);
}

#[test]
fn malformed_cap_is_refused_in_words() {
    let missing = parse_cap(&vector("missing_sender.xml")).unwrap_err();
    assert_eq!(missing, AlertError::Missing("sender".into()));
    assert_eq!(missing.alert_msg_code(), 102);
    let bad = parse_cap(&vector("bad_severity.xml")).unwrap_err();
    assert!(bad.to_string().contains("Apocalyptic"), "{bad}");
    assert_eq!(bad.alert_msg_code(), 100);
    let open = parse_cap(&vector("not_closed.xml")).unwrap_err();
    assert!(
        matches!(open, AlertError::Xml { .. } | AlertError::Cap(_)),
        "{open:?}"
    );
    let ns = parse_cap(&vector("wrong_namespace.xml")).unwrap_err();
    assert!(ns.to_string().contains("urn:example:not-cap"), "{ns}");
    assert!(parse_cap("").is_err());
    assert!(parse_cap("<html><body/></html>")
        .unwrap_err()
        .to_string()
        .contains("<html>"));
    let doctype = "<!DOCTYPE alert [<!ENTITY x \"boom\">]><alert>&x;</alert>";
    assert!(parse_cap(doctype).unwrap_err().to_string().contains("DOCTYPE"));
    let long = format!("<alert>{}</alert>", "a".repeat(MAX_CAP_BYTES));
    let too_long = parse_cap(&long).unwrap_err();
    assert_eq!(too_long.alert_msg_code(), 103);
}

#[test]
fn limits_are_enforced() {
    let infos = "<info><event>e</event><urgency>Past</urgency><severity>Minor</severity><certainty>Unlikely</certainty></info>"
        .repeat(MAX_INFOS + 1);
    let doc = format!(
        "<alert><identifier>i</identifier><sender>s</sender><sent>t</sent><status>Test</status>\
         <msgType>Alert</msgType><scope>Public</scope>{infos}</alert>"
    );
    assert!(parse_cap(&doc).unwrap_err().to_string().contains("<info>"));
    let deep = format!(
        "<alert>{}{}</alert>",
        "<a>".repeat(MAX_DEPTH + 1),
        "</a>".repeat(MAX_DEPTH + 1)
    );
    assert!(parse_cap(&deep).unwrap_err().to_string().contains("nested"));
}

#[test]
fn alert_msg_error_value_has_code_and_quoted_message() {
    let e = AlertError::Missing("sender".into());
    assert_eq!(
        e.alert_msg_error(),
        "102;message=\"Not enough information to determine the purpose of the alert\""
    );
    assert!(AlertError::NoPayload
        .alert_msg_error()
        .starts_with("101;message=\""));
}

#[test]
fn subject_and_priority_mark_alerts_in_any_case() {
    let text = "Emergency call from 1001 on IP Address 10.0.0.5 to 112 (Emergency Number)";
    for subject in ["Emergency Alert", "emergency alert", "  EMERGENCY ALERT "] {
        let claim = classify(&input("text/plain", Some(subject), None, text)).unwrap();
        assert_eq!(claim.triggers, vec![Trigger::Subject]);
        assert_eq!(claim.text, text);
        assert!(claim.cap.is_none() && claim.error.is_none());
    }
    for priority in ["emergency", "Emergency", "EMERGENCY"] {
        let claim = classify(&input("text/plain", None, Some(priority), "x")).unwrap();
        assert_eq!(claim.triggers, vec![Trigger::Priority]);
    }
    assert!(classify(&input(
        "text/plain",
        Some("Emergency Alerts"),
        Some("urgent"),
        "x"
    ))
    .is_none());
    assert!(classify(&input("text/plain", Some("lunch?"), None, "x")).is_none());
    assert!(classify(&input("text/plain", None, None, "Emergency Alert")).is_none());
}

#[test]
fn cap_body_is_an_alert_and_its_headline_is_the_text() {
    let xml = vector("two_infos.xml");
    let claim = classify(&input("Application/CAP+XML; charset=UTF-8", None, None, &xml)).unwrap();
    assert_eq!(claim.triggers, vec![Trigger::Cap]);
    assert!(claim.error.is_none());
    assert!(
        claim
            .text
            .starts_with("Fire alarm in building B & car park\nSmoke detectors"),
        "{}",
        claim.text
    );
    let bad = classify(&input("application/cap+xml", None, None, "<alert>")).unwrap();
    assert!(bad.cap.is_none());
    assert!(bad.error.is_some());
    // Raw text is what is shown when the CAP cannot be read.
    assert_eq!(bad.text, "<alert>");
}

fn multipart(boundary: &str, cap: &str, newline: &str) -> String {
    let n = newline;
    format!(
        "preamble{n}--{boundary}{n}Content-Type: text/plain{n}{n}Emergency call from 1001 to 112{n}\
         --{boundary}{n}Content-Type: application/cap+xml{n}Content-ID: <cap1@example.org>{n}{n}{cap}{n}\
         --{boundary}--{n}epilogue"
    )
}

#[test]
fn multipart_with_cap_part_crlf_and_lf() {
    let xml = vector("minimal_prefixed.xml");
    for nl in ["\r\n", "\n"] {
        let body = multipart("b0undary'()+_,-./:=?", xml.trim(), nl);
        let claim = classify(&input(
            "multipart/mixed; boundary=\"b0undary'()+_,-./:=?\"",
            None,
            None,
            &body,
        ))
        .unwrap();
        assert_eq!(claim.triggers, vec![Trigger::Cap]);
        let cap = claim.cap.expect("the CAP part is parsed");
        assert_eq!(cap.identifier, "KSTN-112-1001");
        // No headline: the event is the text.
        assert_eq!(claim.text, "Emergency call");
        let parts = parse_multipart(&body, "b0undary'()+_,-./:=?").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].body, "Emergency call from 1001 to 112");
        assert_eq!(parts[1].body, xml.trim());
    }
}

#[test]
fn multipart_with_text_only_and_subject() {
    let body = "--xyz\r\nContent-Type: text/plain\r\n\r\nFire in B\r\n--xyz--\r\n";
    let claim = classify(&input(
        "multipart/mixed;boundary=xyz",
        Some("Emergency Alert"),
        None,
        body,
    ))
    .unwrap();
    assert_eq!(claim.triggers, vec![Trigger::Subject]);
    assert_eq!(claim.text, "Fire in B");
    // Without a subject it is not an alert at all.
    assert!(classify(&input("multipart/mixed;boundary=xyz", None, None, body)).is_none());
}

#[test]
fn broken_multipart_is_reported() {
    assert!(parse_multipart("no delimiter here", "abc")
        .unwrap_err()
        .to_string()
        .contains("--abc"));
    assert!(parse_multipart("--a\r\n\r\nx", &"a".repeat(MAX_BOUNDARY_LEN + 1)).is_err());
    let many = "--m\r\n\r\nx\r\n".repeat(MAX_PARTS + 2);
    assert!(parse_multipart(&many, "m")
        .unwrap_err()
        .to_string()
        .contains("parts"));
    // No boundary parameter: a subject alert keeps its raw text.
    let claim = classify(&input("multipart/mixed", Some("Emergency Alert"), None, "raw")).unwrap();
    assert_eq!(claim.text, "raw");
    assert!(matches!(claim.error, Some(AlertError::Multipart(_))));
    // A part without headers is text/plain; a delimiter inside a line is not one.
    let parts = parse_multipart("--q\r\n\r\nhello --q inside\r\n--q--", "q").unwrap();
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0].content_type, "text/plain");
    assert_eq!(parts[0].body, "hello --q inside");
}

#[test]
fn trust_decides_between_raise_and_untrusted() {
    let good = classify(&input("text/plain", Some("Emergency Alert"), None, "x")).unwrap();
    let bad_cap = classify(&input("application/cap+xml", None, None, "<alert/>")).unwrap();
    let all_good = Provenance {
        sender_listed: true,
        source_listed: false,
        server_account: true,
        over_own_flow: true,
    };
    assert_eq!(trust_verdict(&good, &all_good), Verdict::Raise);
    assert!(
        matches!(trust_verdict(&bad_cap, &all_good), Verdict::RaiseBadPayload(v) if v.starts_with("102;"))
    );
    let stranger = Provenance {
        sender_listed: false,
        ..all_good
    };
    assert_eq!(trust_verdict(&good, &stranger), Verdict::Untrusted);
    assert_eq!(trust_verdict(&bad_cap, &stranger), Verdict::Untrusted);
    // A listed From over another connection of a server account is a claim only.
    let other_flow = Provenance {
        over_own_flow: false,
        ..all_good
    };
    assert_eq!(trust_verdict(&good, &other_flow), Verdict::Untrusted);
    // The local account has no server flow: a listed From is enough.
    let local = Provenance {
        server_account: false,
        over_own_flow: false,
        ..all_good
    };
    assert_eq!(trust_verdict(&good, &local), Verdict::Raise);
}

#[test]
fn a_listed_source_address_is_trusted_whatever_the_from() {
    let good = classify(&input("text/plain", Some("Emergency Alert"), None, "x")).unwrap();
    for server_account in [false, true] {
        let by_address = Provenance {
            sender_listed: false,
            source_listed: true,
            server_account,
            over_own_flow: false,
        };
        assert_eq!(trust_verdict(&good, &by_address), Verdict::Raise);
        let neither = Provenance {
            source_listed: false,
            ..by_address
        };
        assert_eq!(trust_verdict(&good, &neither), Verdict::Untrusted);
    }
}
