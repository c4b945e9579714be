//! Our pres-rules on the XCAP server, on virtual time.

use super::*;
use crate::model::{ContactDraft, ContactId};

fn settings() -> PresenceSettings {
    PresenceSettings {
        account: AccountId("work".into()),
        aor: "sip:alice@example.org".into(),
        publishes: true,
        saved: SavedPresence::default(),
        seed: 42,
        default_account: true,
        watcher_info: true,
        xcap: true,
        list: None,
    }
}

fn t0() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_796_641_500_000,
    }
}

fn contact(id: i64, address: &str, blocked: bool) -> Contact {
    Contact {
        id: ContactId(id),
        details: ContactDraft {
            name: format!("contact {id}"),
            addresses: vec![address.into()],
            blocked,
            ..ContactDraft::default()
        },
        updated_at: 0,
    }
}

/// The writes among the effects: (document text, If-Match).
fn writes(p: &mut Presence) -> Vec<(String, Option<String>)> {
    std::iter::from_fn(|| p.poll_effect())
        .filter_map(|e| match e {
            PresenceEffect::WriteRules { document, if_match } => {
                Some((String::from_utf8(document).unwrap_or_default(), if_match))
            }
            _ => None,
        })
        .collect()
}

fn errors(p: &mut Presence) -> Vec<String> {
    std::iter::from_fn(|| p.poll_effect())
        .filter_map(|e| match e {
            PresenceEffect::Emit(Event::Error { message, .. }) => Some(message),
            _ => None,
        })
        .collect()
}

#[test]
fn the_whole_document_is_written_when_who_may_watch_changes_and_only_then() {
    let now = t0();
    let mut p = Presence::new(settings());
    let book = vec![
        contact(1, "sip:bob@example.org", false),
        contact(2, "sip:mallory@example.org", true),
    ];
    p.handle(PresenceInput::AddressBook(book.clone()), now);
    let first = writes(&mut p);
    assert_eq!(first.len(), 1);
    let (doc, if_match) = &first[0];
    assert!(doc.contains("<cr:one id=\"sip:bob@example.org\"/>"), "{doc}");
    assert!(doc.contains("<cr:one id=\"sip:mallory@example.org\"/>"), "{doc}");
    assert_eq!(*if_match, None, "nothing written before");

    // Carol allowed while the first write is under way: written after it,
    // over the ETag of the first.
    let mut with_carol = book.clone();
    with_carol.push(contact(3, "sip:carol@example.org", false));
    p.handle(PresenceInput::AddressBook(with_carol.clone()), now);
    assert!(writes(&mut p).is_empty(), "one write at a time");
    p.handle(PresenceInput::RulesWritten(Ok(Some("\"e1\"".into()))), now);
    let second = writes(&mut p);
    assert_eq!(second.len(), 1);
    assert!(second[0].0.contains("sip:carol@example.org"));
    assert_eq!(second[0].1.as_deref(), Some("\"e1\""));
    p.handle(PresenceInput::RulesWritten(Ok(Some("\"e2\"".into()))), now);

    // The same book again (or a change of our status): nothing to write.
    p.handle(PresenceInput::AddressBook(with_carol.clone()), now);
    p.handle(
        PresenceInput::SetStatus(SavedPresence {
            status: OwnStatus::Away,
            ..SavedPresence::default()
        }),
        now,
    );
    assert!(writes(&mut p).is_empty());

    // Carol blocked: she moves from the allow rule to the block rule.
    let mut blocked = book;
    blocked.push(contact(3, "sip:carol@example.org", true));
    p.handle(PresenceInput::AddressBook(blocked), now);
    let third = writes(&mut p);
    let doc = &third[0].0;
    let block_rule = &doc[..doc
        .find(crate::protocol::xcap::pres_rules::ALLOW_RULE_ID)
        .unwrap_or(doc.len())];
    assert!(block_rule.contains("sip:carol@example.org"), "{doc}");
    assert_eq!(third[0].1.as_deref(), Some("\"e2\""));
}

#[test]
fn a_refusal_is_said_and_tried_again_later_and_a_conflict_is_written_over() {
    let now = t0();
    let mut p = Presence::new(settings());
    p.handle(
        PresenceInput::AddressBook(vec![contact(1, "sip:bob@example.org", false)]),
        now,
    );
    assert_eq!(writes(&mut p).len(), 1);
    p.handle(
        PresenceInput::RulesWritten(Err(XcapError::Refused {
            status: 403,
            reason: "Forbidden".into(),
        })),
        now,
    );
    let said = errors(&mut p);
    assert_eq!(said.len(), 1);
    assert!(
        said[0].starts_with("could not keep who may see your status on the server: the XCAP server refused: 403 Forbidden; trying again in "),
        "{said:?}"
    );
    // Not before the backoff.
    let retry = p.poll_timeout().expect("a retry");
    assert!(retry >= now.at + RETRY_BASE.mul_f64(0.8), "{:?}", retry - now.at);
    p.handle_timeout(now.after(retry - now.at));
    let again = writes(&mut p);
    assert_eq!(again.len(), 1);
    let later = now.after(retry - now.at);
    p.handle(PresenceInput::RulesWritten(Ok(Some("\"e1\"".into()))), later);
    assert!(writes(&mut p).is_empty());

    // Changed elsewhere (412): ours again at once, over whatever is there.
    p.handle(
        PresenceInput::AddressBook(vec![contact(1, "sip:bob@example.org", true)]),
        later,
    );
    assert_eq!(writes(&mut p)[0].1.as_deref(), Some("\"e1\""));
    p.handle(PresenceInput::RulesWritten(Err(XcapError::Changed)), later);
    let over = std::iter::from_fn(|| p.poll_effect()).collect::<Vec<_>>();
    assert!(
        !over
            .iter()
            .any(|e| matches!(e, PresenceEffect::Emit(Event::Error { .. }))),
        "{over:?}"
    );
    assert!(matches!(
        over[..],
        [PresenceEffect::WriteRules { if_match: None, .. }]
    ));
}

#[test]
fn no_rules_are_written_without_an_xcap_root() {
    let now = t0();
    let mut p = Presence::new(PresenceSettings {
        xcap: false,
        list: None,
        ..settings()
    });
    p.handle(
        PresenceInput::AddressBook(vec![contact(1, "sip:bob@example.org", false)]),
        now,
    );
    assert!(writes(&mut p).is_empty());
}
