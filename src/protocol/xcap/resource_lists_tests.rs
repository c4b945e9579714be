//! Resource-lists documents: read as RFC 4826 writes them, written so they
//! read back, and malformed ones refused in words.

use super::*;

/// The example of RFC 4826 section 3.3, typed by hand.
const RFC_EXAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<resource-lists xmlns="urn:ietf:params:xml:ns:resource-lists"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <list name="friends">
    <entry uri="sip:bill@example.com">
      <display-name>Bill Doe</display-name>
    </entry>
    <entry-ref ref="resource-lists/users/sip:bill@example.com/index/~~/resource-lists/list%5b@name=%22list1%22%5d/entry%5b@uri=%22sip:petri@example.com%22%5d"/>
    <list name="close-friends">
      <display-name>Close Friends</display-name>
      <entry uri="sip:joe@example.com">
        <display-name>Joe Smith</display-name>
      </entry>
      <entry uri="sip:nancy@example.com">
        <display-name>Nancy Gross</display-name>
      </entry>
      <external anchor="http://xcap.example.org/resource-lists/users/sip:a@example.org/index/~~/resource-lists/list%5b@name=%22mkting%22%5d">
        <display-name>Marketing</display-name>
      </external>
    </list>
  </list>
</resource-lists>
"#;

fn uris(lists: &ResourceLists) -> Vec<&str> {
    lists.all_entries().iter().map(|e| e.uri.as_str()).collect()
}

#[test]
fn the_rfc_example_reads_with_nested_lists_and_names() {
    let lists = ResourceLists::parse(RFC_EXAMPLE.as_bytes()).unwrap();
    assert_eq!(lists.lists.len(), 1);
    let friends = lists.list("friends").unwrap();
    assert_eq!(friends.entries.len(), 1);
    assert_eq!(friends.entries[0].display_name.as_deref(), Some("Bill Doe"));
    let close = &friends.lists[0];
    assert_eq!(close.name, "close-friends");
    assert_eq!(close.display_name.as_deref(), Some("Close Friends"));
    assert_eq!(
        uris(&lists),
        [
            "sip:bill@example.com",
            "sip:joe@example.com",
            "sip:nancy@example.com"
        ]
    );
    // The references are not followed.
    assert!(!uris(&lists).iter().any(|u| u.contains("petri")));
}

#[test]
fn a_written_document_reads_back_and_keeps_other_lists() {
    let mut lists = ResourceLists::parse(RFC_EXAMPLE.as_bytes()).unwrap();
    lists.set_list(
        SIPCHAT_LIST,
        vec![
            Entry {
                uri: "sip:bob@example.org".into(),
                display_name: Some("Bob & \"Bobby\" <B>".into()),
            },
            Entry {
                uri: "sip:carol@example.org".into(),
                display_name: None,
            },
        ],
    );
    let text = String::from_utf8(lists.to_document()).unwrap();
    assert!(text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<resource-lists xmlns=\"urn:ietf:params:xml:ns:resource-lists\">\n"));
    assert!(text.contains("<list name=\"sipchat\">\n<entry uri=\"sip:bob@example.org\"><display-name>Bob &amp; &quot;Bobby&quot; &lt;B&gt;</display-name></entry>\n<entry uri=\"sip:carol@example.org\"></entry>\n</list>\n"), "{text}");
    let again = ResourceLists::parse(text.as_bytes()).unwrap();
    assert_eq!(again, lists);
    // Replacing our list again changes only ours.
    let mut changed = again.clone();
    changed.set_list(SIPCHAT_LIST, Vec::new());
    assert_eq!(changed.list("friends"), again.list("friends"));
    assert!(changed.list(SIPCHAT_LIST).unwrap().entries.is_empty());
    // An empty document is a valid one.
    let empty = ResourceLists::default().to_document();
    assert_eq!(ResourceLists::parse(&empty).unwrap(), ResourceLists::default());
}

#[test]
fn a_prefixed_document_and_long_names_read() {
    let long = "x".repeat(MAX_DISPLAY_NAME_CHARS + 10);
    let doc = format!(
        "<rl:resource-lists xmlns:rl=\"{NAMESPACE}\"><rl:list name=\"oma_buddylist\"><rl:entry uri=\" sip:dave@example.org \"><rl:display-name>{long}</rl:display-name></rl:entry></rl:list></rl:resource-lists>"
    );
    let lists = ResourceLists::parse(doc.as_bytes()).unwrap();
    let entry = &lists.list("oma_buddylist").unwrap().entries[0];
    assert_eq!(entry.uri, "sip:dave@example.org");
    assert_eq!(
        entry.display_name.as_ref().map(|n| n.chars().count()),
        Some(MAX_DISPLAY_NAME_CHARS)
    );
}

#[test]
fn malformed_documents_are_refused_in_words() {
    let cases: Vec<(Vec<u8>, ResourceListsError)> = vec![
        (
            b"<list name=\"x\"/>".to_vec(),
            ResourceListsError::NotResourceLists("list".into()),
        ),
        (
            b"<resource-lists><list><entry/></list></resource-lists>".to_vec(),
            ResourceListsError::Entry("an entry has no uri"),
        ),
        (
            format!(
                "<resource-lists><list><entry uri=\"sip:{}@x\"/></list></resource-lists>",
                "a".repeat(MAX_FIELD_BYTES)
            )
            .into_bytes(),
            ResourceListsError::Entry("an entry's uri is too long"),
        ),
        (
            format!(
                "<resource-lists>{}</resource-lists>",
                "<list/>".repeat(MAX_LISTS + 1)
            )
            .into_bytes(),
            ResourceListsError::TooMany,
        ),
        (
            format!(
                "<resource-lists><list>{}</list></resource-lists>",
                "<entry uri=\"sip:a@b\"/>".repeat(MAX_ENTRIES + 1)
            )
            .into_bytes(),
            ResourceListsError::TooMany,
        ),
        (
            vec![b' '; MAX_DOCUMENT_BYTES + 1],
            ResourceListsError::TooLong(MAX_DOCUMENT_BYTES + 1),
        ),
    ];
    for (bytes, want) in cases {
        assert_eq!(ResourceLists::parse(&bytes), Err(want));
    }
    for bad in [
        &b"<resource-lists><list>"[..],
        b"",
        b"\xff\xfe",
        b"<resource-lists",
    ] {
        let err = ResourceLists::parse(bad).unwrap_err();
        assert!(matches!(err, ResourceListsError::Xml(_)), "{err:?}");
        assert!(err
            .to_string()
            .starts_with("the contact list document cannot be read"));
    }
}

#[test]
fn whitespace_in_attributes_survives_a_round_trip() {
    let doc = b"<resource-lists><list name=\"a&#9;b&#10;c\"><entry uri=\"sip:x&#9;y@example.org\"/></list></resource-lists>";
    let lists = ResourceLists::parse(doc).unwrap();
    assert_eq!(lists.lists[0].name, "a\tb\nc");
    assert_eq!(ResourceLists::parse(&lists.to_document()).unwrap(), lists);
}
