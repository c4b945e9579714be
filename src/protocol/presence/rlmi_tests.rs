//! RLMI documents written by hand after RFC 4662 section 5.

use super::*;

fn list(attrs: &str, resources: &str) -> Vec<u8> {
    format!(r#"<?xml version="1.0"?><list xmlns="urn:ietf:params:xml:ns:rlmi" {attrs}>{resources}</list>"#)
        .into_bytes()
}

#[test]
fn reads_the_list_its_resources_and_their_instances() {
    let doc = list(
        r#"uri="sip:adam-friends@example.org" version="7" fullState="true""#,
        r#"<name xml:lang="en">Buddies</name>
<resource uri="sip:bob@example.org"><name>Bob</name><instance id="a" state="active" cid="&lt;x1@example.org&gt;"/></resource>
<resource uri="sip:ed@example.net"><instance id="b" state="pending"/></resource>
<resource uri="sip:eve@example.net"><instance id="c" state="terminated" reason="rejected"/></resource>
<resource uri="sip:fay@example.net"/>"#,
    );
    let read = ResourceList::parse(&doc).unwrap();
    assert_eq!(read.uri, "sip:adam-friends@example.org");
    assert_eq!((read.version, read.full_state), (7, true));
    assert_eq!(read.resources.len(), 4);
    let bob = &read.resources[0];
    assert_eq!(bob.name.as_deref(), Some("Bob"));
    assert_eq!(bob.instances[0].state, InstanceState::Active);
    assert_eq!(bob.instances[0].cid.as_deref(), Some("x1@example.org"));
    assert_eq!(read.resources[1].instances[0].state, InstanceState::Pending);
    assert_eq!(
        read.resources[2].instances[0].state,
        InstanceState::Terminated(Some("rejected".into()))
    );
    assert!(read.resources[3].instances.is_empty());
    let partial = list(r#"uri="sip:l@example.org" version="8" fullState="false""#, "");
    assert!(!ResourceList::parse(&partial).unwrap().full_state);
}

#[test]
fn malformed_lists_are_typed_errors() {
    let ok_attrs = r#"uri="sip:l@example.org" version="1" fullState="true""#;
    let cases: Vec<(Vec<u8>, RlmiError)> = vec![
        (b"<presence/>".to_vec(), RlmiError::NotList("presence".into())),
        (
            list(r#"uri="sip:l@example.org" fullState="true""#, ""),
            RlmiError::Version,
        ),
        (
            list(r#"uri="sip:l@example.org" version="-1" fullState="true""#, ""),
            RlmiError::Version,
        ),
        (
            list(r#"uri="sip:l@example.org" version="1" fullState="maybe""#, ""),
            RlmiError::FullState,
        ),
        (
            list(r#"version="1" fullState="true""#, ""),
            RlmiError::Entry("a list without a uri"),
        ),
        (
            list(ok_attrs, "<resource/>"),
            RlmiError::Entry("a resource without a uri"),
        ),
        (
            list(
                ok_attrs,
                r#"<resource uri="sip:a@b"><instance state="active"/></resource>"#,
            ),
            RlmiError::Entry("an instance without an id"),
        ),
        (
            list(
                ok_attrs,
                r#"<resource uri="sip:a@b"><instance id="x" state="gone"/></resource>"#,
            ),
            RlmiError::Entry("an instance without a known state"),
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(
            ResourceList::parse(&doc),
            Err(want),
            "{}",
            String::from_utf8_lossy(&doc)
        );
    }
    let many: String = (0..=MAX_RESOURCES)
        .map(|i| format!(r#"<resource uri="sip:u{i}@h"/>"#))
        .collect();
    assert_eq!(
        ResourceList::parse(&list(ok_attrs, &many)),
        Err(RlmiError::TooMany)
    );
    let instances: String = (0..=MAX_INSTANCES)
        .map(|i| format!(r#"<instance id="{i}" state="pending"/>"#))
        .collect();
    let doc = list(
        ok_attrs,
        &format!(r#"<resource uri="sip:a@b">{instances}</resource>"#),
    );
    assert_eq!(ResourceList::parse(&doc), Err(RlmiError::TooMany));
    let long = vec![b' '; MAX_RLMI_BYTES + 1];
    assert_eq!(
        ResourceList::parse(&long),
        Err(RlmiError::TooLong(MAX_RLMI_BYTES + 1))
    );
    assert!(matches!(ResourceList::parse(b"<list"), Err(RlmiError::Xml(_))));
}
