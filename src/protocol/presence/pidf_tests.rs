//! Wire vectors written by hand after RFC 3863 section 6, RFC 4480 and
//! what Kamailio's presence_xml sends for several devices.

use super::*;

const RFC3863_STYLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<impp:presence xmlns:impp="urn:ietf:params:xml:ns:pidf"
    entity="pres:someone@example.com">
  <impp:tuple id="sg89ae">
    <impp:status>
      <impp:basic>open</impp:basic>
    </impp:status>
    <impp:contact priority="0.8">tel:+09012345678</impp:contact>
  </impp:tuple>
</impp:presence>"#;

/// Two devices merged by the server: a stale closed one and an open one,
/// the person away with a note.
const MERGED: &str = r#"<?xml version='1.0' encoding='UTF-8'?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"
 xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:alice@example.org">
 <tuple id="laptop"><status><basic>closed</basic></status><timestamp>2026-12-01T08:00:00Z</timestamp></tuple>
 <tuple id="desk"><status><basic>open</basic></status><contact>sip:alice@192.0.2.4</contact>
  <note xml:lang="en">tuple note</note><timestamp>2026-12-07T10:00:00+01:00</timestamp></tuple>
 <dm:person id="p1"><rpid:activities><rpid:away/></rpid:activities>
  <dm:note>back at &lt;3&gt; pm</dm:note></dm:person>
</presence>"#;

const CLOSED: &str = r#"<?xml version="1.0"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bob@example.org">
<tuple id="a"><status><basic>closed</basic></status>
<timestamp>2026-12-07T09:30:00Z</timestamp></tuple></presence>"#;

#[test]
fn reads_the_rfc_3863_example_with_any_prefix() {
    let doc = PresenceDocument::parse(RFC3863_STYLE.as_bytes()).unwrap();
    assert_eq!(doc.entity, "pres:someone@example.com");
    assert_eq!(doc.tuples.len(), 1);
    assert_eq!(doc.tuples[0].id, "sg89ae");
    assert_eq!(doc.tuples[0].basic, Some(Basic::Open));
    assert_eq!(doc.tuples[0].contact.as_deref(), Some("tel:+09012345678"));
    assert_eq!(doc.summary().status, PresenceStatus::Available);
}

#[test]
fn several_devices_are_open_when_any_is_and_the_person_says_the_rest() {
    let doc = PresenceDocument::parse(MERGED.as_bytes()).unwrap();
    assert_eq!(doc.tuples.len(), 2);
    assert_eq!(doc.persons[0].activities, vec![Activity::Away]);
    let summary = doc.summary();
    assert_eq!(summary.status, PresenceStatus::Away);
    assert_eq!(summary.note.as_deref(), Some("back at <3> pm"));
    // 10:00 at +01:00 is 09:00 UTC, later than the stale tuple.
    assert_eq!(
        summary.last_seen,
        Some(timestamp::parse("2026-12-07T09:00:00Z").unwrap())
    );
}

#[test]
fn all_closed_is_offline_with_last_seen_and_no_tuples_is_unknown() {
    let summary = PresenceDocument::parse(CLOSED.as_bytes()).unwrap().summary();
    assert_eq!(summary.status, PresenceStatus::Offline);
    assert_eq!(
        summary.last_seen,
        Some(timestamp::parse("2026-12-07T09:30:00Z").unwrap())
    );
    let empty = r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:c@d"/>"#;
    assert_eq!(
        PresenceDocument::parse(empty.as_bytes())
            .unwrap()
            .summary()
            .status,
        PresenceStatus::Unknown
    );
}

#[test]
fn busy_activities_and_unknown_activities() {
    let doc = |activity: &str| {
        format!(
            r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" entity="sip:c@d"><tuple id="x"><status><basic>open</basic></status></tuple><dm:person id="p"><rpid:activities>{activity}</rpid:activities></dm:person></presence>"#
        )
    };
    let status = |a: &str| {
        PresenceDocument::parse(doc(a).as_bytes())
            .unwrap()
            .summary()
            .status
    };
    assert_eq!(status("<rpid:on-the-phone/>"), PresenceStatus::Busy);
    assert_eq!(status("<rpid:meeting/>"), PresenceStatus::Busy);
    assert_eq!(status("<rpid:unknown/>"), PresenceStatus::Available);
    assert_eq!(
        status("<rpid:away/><rpid:busy/>"),
        PresenceStatus::Busy,
        "the most available wins"
    );
}

#[test]
fn malformed_documents_are_typed_errors() {
    type Check = fn(&PidfError) -> bool;
    let cases: Vec<(String, Check)> = vec![
        ("<presence entity='sip:a@b'><tuple id='x'>".into(), |e| matches!(e, PidfError::Xml(_))),
        ("<pidf entity='sip:a@b'/>".into(), |e| matches!(e, PidfError::NotPresence(_))),
        ("<presence/>".into(), |e| matches!(e, PidfError::NoEntity)),
        (
            "<presence entity='sip:a@b'><tuple id='x'><status><basic>maybe</basic></status></tuple></presence>".into(),
            |e| matches!(e, PidfError::Basic(_)),
        ),
        (
            "<!DOCTYPE presence [<!ENTITY a 'b'>]><presence entity='sip:a@b'/>".into(),
            |e| matches!(e, PidfError::Xml(XmlError::DocType)),
        ),
        (
            format!("<presence entity='sip:a@b'>{}</presence>", "<tuple id='x'/>".repeat(MAX_TUPLES + 1)),
            |e| matches!(e, PidfError::TooMany),
        ),
        (
            format!("<presence entity='sip:{}@b'/>", "a".repeat(MAX_URI_BYTES)),
            |e| matches!(e, PidfError::TooLong),
        ),
        ("\u{ff}".into(), |e| matches!(e, PidfError::Xml(_))),
    ];
    for (input, expected) in cases {
        match PresenceDocument::parse(input.as_bytes()) {
            Err(e) => assert!(expected(&e), "{input:?} gave {e:?}"),
            Ok(doc) => panic!("{input:?} was read as {doc:?}"),
        }
    }
}

#[test]
fn a_bad_timestamp_loses_only_the_timestamp_and_long_notes_are_cut() {
    let long = "n".repeat(MAX_NOTE_CHARS * 2);
    let doc = format!(
        "<presence entity='sip:a@b'><tuple id='x'><status><basic>open</basic></status><note>{long}</note><timestamp>soon</timestamp></tuple></presence>"
    );
    let doc = PresenceDocument::parse(doc.as_bytes()).unwrap();
    assert_eq!(doc.tuples[0].timestamp, None);
    assert_eq!(
        doc.summary().note.map(|n| n.chars().count()),
        Some(MAX_NOTE_CHARS)
    );
}

fn own(status: OwnStatus, note: Option<&str>) -> String {
    build(&OwnPresence {
        entity: "sip:alice@example.org",
        status,
        note,
        tuple_id: "dev&1",
        contact: Some("sip:alice@192.0.2.4:5060"),
        now_unix: 1_796_641_500,
    })
}

#[test]
fn our_documents_use_the_prefixes_baresip_looks_for() {
    let away = own(OwnStatus::Away, Some("lunch <soon> & back"));
    assert!(away.contains("<status><basic>open</basic></status>"), "{away}");
    assert!(
        away.contains("<rpid:activities><rpid:away/></rpid:activities>"),
        "{away}"
    );
    assert!(
        away.contains("<dm:note>lunch &lt;soon&gt; &amp; back</dm:note>"),
        "{away}"
    );
    assert!(away.contains(r#"<tuple id="tdev1">"#), "{away}");
    assert!(own(OwnStatus::Busy, None).contains("<rpid:busy/>"));
    let available = own(OwnStatus::Available, None);
    assert!(
        !available.contains("rpid:activities") && !available.contains("dm:note"),
        "{available}"
    );
}

#[test]
fn our_documents_read_back_as_what_we_meant() {
    for (status, seen) in [
        (OwnStatus::Available, PresenceStatus::Available),
        (OwnStatus::Away, PresenceStatus::Away),
        (OwnStatus::Busy, PresenceStatus::Busy),
        (OwnStatus::Invisible, PresenceStatus::Offline),
    ] {
        let text = own(status, Some("a note"));
        let summary = PresenceDocument::parse(text.as_bytes()).unwrap().summary();
        assert_eq!(summary.status, seen, "{text}");
        assert_eq!(summary.last_seen, Some(1_796_641_500));
        let note = (status != OwnStatus::Invisible).then(|| "a note".to_string());
        assert_eq!(summary.note, note, "invisible tells nothing: {text}");
    }
}
