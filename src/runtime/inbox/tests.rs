//! The inbox on virtual time: inputs in, effects out; no store, no sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::page_files::sha1_hex;
use super::*;
use crate::model::{Alert, TransferState};
use crate::protocol::alert::{classify, AlertInput, TrustedSender, Verdict};
use crate::protocol::sip::agent::ArrivedFile;
use crate::protocol::sip::disposition::MAX_PAGE_FILE_BYTES;
use crate::protocol::sip::uri::Transport;
use crate::runtime::files::FALLBACK_FILE_NAME;
use std::time::Instant;

const ALERTER: &str = "sip:alert@example.org";
/// Where the account's server sends from.
const SERVER: std::net::SocketAddr =
    std::net::SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)), 5060);

fn now() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_700_000_000_000,
    }
}

fn settings() -> InboxSettings {
    InboxSettings {
        account: AccountId("work".into()),
        trusted_alert_senders: vec![TrustedSender::Uri(conversation_key(ALERTER))],
        server_account: true,
        max_file_size: 1024,
        accept_files: None,
    }
}

fn effects(inbox: &mut Inbox) -> Vec<InboxEffect> {
    std::iter::from_fn(|| inbox.poll_effect()).collect()
}

fn message(from: &str, body: &str) -> ArrivedMessage {
    ArrivedMessage {
        from: from.into(),
        from_name: None,
        to: "sip:alice@example.org".into(),
        content_type: "text/plain".into(),
        content_type_header: "text/plain".into(),
        body: body.into(),
        subject: None,
        priority: None,
        call_id: "call-1".into(),
        from_tag: "tag-1".into(),
        cseq: 1,
        transport: Transport::Udp,
        conn: None,
        source: Some(SERVER),
        file: None,
        alert: None,
    }
}

/// An alert-looking message as the agent hands it over (classified once).
fn alert_message(from: &str, content_type: &str, body: &str, subject: Option<&str>) -> ArrivedMessage {
    let mut m = message(from, body);
    m.content_type = content_type.into();
    m.content_type_header = content_type.into();
    m.subject = subject.map(str::to_string);
    m.alert = classify(&AlertInput {
        content_type,
        subject,
        priority: None,
        body,
    })
    .map(Box::new);
    assert!(m.alert.is_some(), "the test message must look like an alert");
    m
}

fn file_message(name: &str, data: &[u8]) -> ArrivedMessage {
    let mut m = message("sip:bob@example.org", "");
    m.content_type = "image/png".into();
    m.file = Some(Box::new(ArrivedFile {
        name: Some(name.into()),
        content_type: "image/png".into(),
        data: data.to_vec(),
    }));
    m
}

/// The account's server flow over UDP, from [`SERVER`].
fn udp_flow() -> Hop {
    Hop {
        transport: Transport::Udp,
        remote: SERVER,
        local: "127.0.0.1:5062".parse().unwrap(),
        conn: None,
    }
}

/// Arrives with the account's server flow over UDP up, or over a stream
/// connection `own_connection`.
fn arrive(inbox: &mut Inbox, token: u64, m: ArrivedMessage, own_connection: Option<u64>) -> Vec<InboxEffect> {
    let flow = Hop {
        transport: if own_connection.is_some() {
            Transport::Tls
        } else {
            Transport::Udp
        },
        conn: own_connection,
        ..udp_flow()
    };
    arrive_over(inbox, token, m, Some(flow))
}

fn arrive_over(
    inbox: &mut Inbox,
    token: u64,
    m: ArrivedMessage,
    server_flow: Option<Hop>,
) -> Vec<InboxEffect> {
    inbox.handle(
        InboxInput::Arrived {
            token: IncomingToken(token),
            message: Box::new(m),
            server_flow,
        },
        now(),
    );
    effects(inbox)
}

/// Runs the single store op in `effects` as if the store answered `outcome`.
fn stored_alert(
    inbox: &mut Inbox,
    effects: Vec<InboxEffect>,
    outcome: InsertOutcome,
) -> (Verdict, Vec<InboxEffect>) {
    let [InboxEffect::Store(InboxStoreOp::Alert {
        token,
        message,
        verdict,
        alert,
        ..
    })] = <[InboxEffect; 1]>::try_from(effects).unwrap()
    else {
        panic!("an alert to store, and no answer yet")
    };
    let alert_id = alert.is_some().then_some(5);
    inbox.handle(
        InboxInput::AlertStored(Box::new(StoredAlert {
            token,
            message: *message,
            verdict: verdict.clone(),
            alert,
            result: Ok((outcome, alert_id)),
        })),
        now(),
    );
    (verdict, self::effects(inbox))
}

fn answer_code(effect: &InboxEffect) -> u16 {
    match effect {
        InboxEffect::Answer { answer, .. } => answer.code,
        other => panic!("expected an answer: {other:?}"),
    }
}

#[test]
fn a_message_is_stored_then_answered_then_shown() {
    let mut inbox = Inbox::new(settings());
    let out = arrive(&mut inbox, 1, message("sip:bob@example.org", "hello"), None);
    let [InboxEffect::Store(InboxStoreOp::Message { token, message, new })] =
        <[InboxEffect; 1]>::try_from(out).unwrap()
    else {
        panic!("only the store op; the answer waits for it")
    };
    assert_eq!(new.body, "hello");
    assert_eq!(new.received_at, now().unix_ms);
    inbox.handle(
        InboxInput::Stored {
            token,
            message,
            result: Ok(InsertOutcome::Inserted(MessageId(3))),
        },
        now(),
    );
    let out = effects(&mut inbox);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(answer_code(&out[0]), 200);
    match &out[1] {
        InboxEffect::Emit(Event::MessageReceived(m)) => {
            assert_eq!(m.id, MessageId(3));
            assert_eq!(m.body, "hello");
            assert_eq!(m.alert, AlertMark::None);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_duplicate_is_answered_again_and_not_shown_twice() {
    let mut inbox = Inbox::new(settings());
    inbox.handle(
        InboxInput::Stored {
            token: IncomingToken(2),
            message: Box::new(message("sip:bob@example.org", "again")),
            result: Ok(InsertOutcome::Duplicate(MessageId(3))),
        },
        now(),
    );
    let out = effects(&mut inbox);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(answer_code(&out[0]), 200);
}

/// Runs the inbox's store ops on a real store until only answers and
/// events are left.
fn run_on_store(
    inbox: &mut Inbox,
    store: &mut crate::store::Store,
    mut out: Vec<InboxEffect>,
) -> Vec<InboxEffect> {
    let mut done = Vec::new();
    while !out.is_empty() {
        for effect in std::mem::take(&mut out) {
            match effect {
                InboxEffect::Store(op) => {
                    let input = op.execute(store, now().unix_ms);
                    inbox.handle(input, now());
                    out.extend(effects(inbox));
                }
                other => done.push(other),
            }
        }
    }
    done
}

#[test]
fn a_resend_with_a_new_branch_is_answered_200_and_stored_once_by_the_store() {
    let mut store = crate::store::Store::open_in_memory().unwrap();
    let mut inbox = Inbox::new(settings());
    let first = arrive(&mut inbox, 1, message("sip:bob@example.org", "once"), None);
    let first = run_on_store(&mut inbox, &mut store, first);
    assert_eq!(answer_code(&first[0]), 200);
    assert!(matches!(&first[1], InboxEffect::Emit(Event::MessageReceived(_))));
    // The same Call-ID, From tag and CSeq on a new transaction, and again
    // from a fresh inbox (a restart): the store knows it.
    for mut inbox in [inbox, Inbox::new(settings())] {
        let again = arrive(&mut inbox, 2, message("sip:bob@example.org", "once"), None);
        let again = run_on_store(&mut inbox, &mut store, again);
        assert_eq!(again.len(), 1, "answered, not shown: {again:?}");
        assert_eq!(answer_code(&again[0]), 200);
    }
    // Another From tag with the same Call-ID and CSeq is another message.
    let mut other = message("sip:carol@example.org", "mine");
    other.from_tag = "tag-2".into();
    let mut inbox = Inbox::new(settings());
    let out = arrive(&mut inbox, 3, other, None);
    let out = run_on_store(&mut inbox, &mut store, out);
    assert_eq!(out.len(), 2, "{out:?}");
    let stored = store.messages("work", "sip:bob@example.org", None, 10).unwrap();
    assert_eq!(stored.len(), 1, "{stored:?}");
}

#[test]
fn a_message_that_cannot_be_stored_is_refused_with_500() {
    let mut inbox = Inbox::new(settings());
    inbox.handle(
        InboxInput::Stored {
            token: IncomingToken(2),
            message: Box::new(message("sip:bob@example.org", "lost")),
            result: Err(InboxError::StoreGone),
        },
        now(),
    );
    let out = effects(&mut inbox);
    assert_eq!(answer_code(&out[0]), 500);
    match &out[1] {
        InboxEffect::Emit(Event::Error { message, .. }) => assert_eq!(
            message,
            "a message from sip:bob@example.org could not be saved (the history store has stopped); \
             the sender was told it failed"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_alert_from_a_trusted_sender_is_raised() {
    let mut inbox = Inbox::new(settings());
    let m = alert_message(ALERTER, "text/plain", "Flood warning", Some("Emergency Alert"));
    let out = arrive(&mut inbox, 1, m, None);
    let (verdict, out) = stored_alert(&mut inbox, out, InsertOutcome::Inserted(MessageId(8)));
    assert_eq!(verdict, Verdict::Raise);
    assert_eq!(answer_code(&out[0]), 200);
    assert!(
        matches!(&out[1], InboxEffect::Emit(Event::MessageReceived(m)) if m.alert == AlertMark::Raised),
        "{out:?}"
    );
    match &out[2] {
        InboxEffect::Emit(Event::AlertRaised(alert)) => {
            let alert: &Alert = alert;
            assert_eq!((alert.id, alert.message_id), (5, Some(MessageId(8))));
            assert_eq!(alert.text, "Flood warning");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_alert_from_anyone_else_is_an_ordinary_message_marked_as_such() {
    let mut inbox = Inbox::new(settings());
    let m = alert_message(
        "sip:mallory@example.org",
        "text/plain",
        "Evacuate",
        Some("Emergency Alert"),
    );
    let out = arrive(&mut inbox, 1, m, None);
    let (verdict, out) = stored_alert(&mut inbox, out, InsertOutcome::Inserted(MessageId(8)));
    assert_eq!(verdict, Verdict::Untrusted);
    assert_eq!(out.len(), 2, "no alert raised: {out:?}");
    assert_eq!(answer_code(&out[0]), 200);
    assert!(
        matches!(&out[1], InboxEffect::Emit(Event::MessageReceived(m)) if m.alert == AlertMark::Untrusted),
        "{out:?}"
    );
}

#[test]
fn a_trusted_alert_with_a_bad_cap_document_is_raised_and_answered_425() {
    let mut inbox = Inbox::new(settings());
    let m = alert_message(ALERTER, "application/cap+xml", "<alert><broken", None);
    let out = arrive(&mut inbox, 1, m, None);
    let (verdict, out) = stored_alert(&mut inbox, out, InsertOutcome::Inserted(MessageId(8)));
    assert!(matches!(verdict, Verdict::RaiseBadPayload(_)), "{verdict:?}");
    match &out[0] {
        InboxEffect::Answer { answer, .. } => {
            assert_eq!(answer.code, 425);
            assert!(
                answer.headers.iter().any(|(name, _)| name == "AlertMsg-Error"),
                "{answer:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(out
        .iter()
        .any(|e| matches!(e, InboxEffect::Emit(Event::AlertRaised(_)))));
}

#[test]
fn a_duplicate_alert_is_answered_the_same_and_raised_once() {
    let mut inbox = Inbox::new(settings());
    let m = alert_message(ALERTER, "application/cap+xml", "<alert><broken", None);
    let out = arrive(&mut inbox, 1, m, None);
    let (_, out) = stored_alert(&mut inbox, out, InsertOutcome::Duplicate(MessageId(8)));
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(answer_code(&out[0]), 425);
}

#[test]
fn over_tls_a_trusted_alert_counts_only_over_the_accounts_own_connection() {
    let mut inbox = Inbox::new(settings());
    let mut m = alert_message(ALERTER, "text/plain", "Storm", Some("Emergency Alert"));
    m.conn = Some(4);
    let out = arrive(&mut inbox, 1, m.clone(), Some(9));
    assert!(matches!(
        out.as_slice(),
        [InboxEffect::Store(InboxStoreOp::Alert {
            verdict: Verdict::Untrusted,
            ..
        })]
    ));
    let out = arrive(&mut inbox, 2, m, Some(4));
    assert!(matches!(
        out.as_slice(),
        [InboxEffect::Store(InboxStoreOp::Alert {
            verdict: Verdict::Raise,
            ..
        })]
    ));
}

/// Stores the file in `out` as the store would (row 12) and returns the
/// transfer and what followed.
fn file_stored(inbox: &mut Inbox, out: Vec<InboxEffect>) -> (TransferId, Vec<InboxEffect>) {
    let [InboxEffect::Store(InboxStoreOp::File {
        token,
        transfer,
        from,
        offer,
        mime,
        ..
    })] = <[InboxEffect; 1]>::try_from(out).unwrap()
    else {
        panic!("only the store op; the answer waits for it")
    };
    inbox.handle(
        InboxInput::FileStored {
            token,
            transfer,
            from,
            offer,
            mime,
            result: Ok(PageFileOutcome::Inserted(12)),
        },
        now(),
    );
    (transfer, effects(inbox))
}

#[test]
fn a_file_in_a_message_is_stored_answered_offered_and_saved_on_accept() {
    let mut inbox = Inbox::new(settings());
    let data = b"\x89PNG tiny".to_vec();
    let out = arrive(&mut inbox, 1, file_message("../x.png", &data), None);
    let (transfer, out) = file_stored(&mut inbox, out);
    assert_eq!(answer_code(&out[0]), 200);
    match &out[1] {
        InboxEffect::Emit(Event::TransferOffered { name, size, .. }) => {
            assert_eq!(name, "x.png");
            assert_eq!(*size, Some(data.len() as u64));
        }
        other => panic!("{other:?}"),
    }
    assert!(inbox.is_offer(transfer));
    let dir = PathBuf::from("/downloads");
    inbox.handle(
        InboxInput::Accept {
            transfer,
            dir: dir.clone(),
        },
        now(),
    );
    let out = effects(&mut inbox);
    assert!(
        matches!(
            out.as_slice(),
            [InboxEffect::Store(InboxStoreOp::LoadFile { row: 12, .. })]
        ),
        "{out:?}"
    );
    // A second accept while saving does nothing; neither does a decline.
    inbox.handle(
        InboxInput::Accept {
            transfer,
            dir: dir.clone(),
        },
        now(),
    );
    inbox.handle(InboxInput::Decline { transfer }, now());
    assert!(effects(&mut inbox).is_empty());
    inbox.handle(
        InboxInput::Loaded {
            transfer,
            dir: dir.clone(),
            result: Ok(Some(data.clone())),
        },
        now(),
    );
    match effects(&mut inbox).as_slice() {
        [InboxEffect::WriteFile {
            name, data: written, ..
        }] => {
            assert_eq!(name, "x.png");
            assert_eq!(written, &data);
        }
        other => panic!("{other:?}"),
    }
    let path = dir.join("x.png");
    inbox.handle(
        InboxInput::Written {
            transfer,
            result: Ok(path.clone()),
        },
        now(),
    );
    let out = effects(&mut inbox);
    let [InboxEffect::Store(InboxStoreOp::FinishFile {
        row, state, event, ..
    })] = <[InboxEffect; 1]>::try_from(out).unwrap()
    else {
        panic!("the history is updated before the UI hears of it")
    };
    assert_eq!((row, state), (12, TransferState::Done));
    inbox.handle(
        InboxInput::Finished {
            event,
            result: Ok(()),
        },
        now(),
    );
    match effects(&mut inbox).as_slice() {
        [InboxEffect::Emit(Event::TransferDone { path: done, sha1, .. })] => {
            assert_eq!(done, &path);
            assert_eq!(sha1, &sha1_hex(&data));
        }
        other => panic!("{other:?}"),
    }
    assert!(!inbox.is_offer(transfer));
}

#[test]
fn a_declined_file_is_dropped_and_never_written() {
    let mut inbox = Inbox::new(settings());
    let out = arrive(&mut inbox, 1, file_message("a.png", b"abc"), None);
    let (transfer, _) = file_stored(&mut inbox, out);
    inbox.handle(InboxInput::Decline { transfer }, now());
    let out = effects(&mut inbox);
    let [InboxEffect::Store(InboxStoreOp::FinishFile { state, event, .. })] =
        <[InboxEffect; 1]>::try_from(out).unwrap()
    else {
        panic!("a store op only")
    };
    assert_eq!(state, "failed: you declined the file");
    assert!(matches!(*event, Event::TransferFailed { ref reason, .. } if reason == "you declined the file"));
    assert!(!inbox.is_offer(transfer));
}

#[test]
fn a_stored_file_whose_bytes_changed_is_not_saved() {
    let mut inbox = Inbox::new(settings());
    let out = arrive(&mut inbox, 1, file_message("a.png", b"abc"), None);
    let (transfer, _) = file_stored(&mut inbox, out);
    inbox.handle(
        InboxInput::Accept {
            transfer,
            dir: "/d".into(),
        },
        now(),
    );
    let _ = effects(&mut inbox);
    inbox.handle(
        InboxInput::Loaded {
            transfer,
            dir: "/d".into(),
            result: Ok(Some(b"abd".to_vec())),
        },
        now(),
    );
    match effects(&mut inbox).as_slice() {
        [InboxEffect::Store(InboxStoreOp::FinishFile { state, .. })] => assert_eq!(
            state,
            "failed: the stored file does not match the SHA-1 it arrived with"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_duplicate_file_is_answered_again_and_offered_once() {
    let mut inbox = Inbox::new(settings());
    let out = arrive(&mut inbox, 1, file_message("a.png", b"abc"), None);
    let [InboxEffect::Store(InboxStoreOp::File {
        token,
        transfer,
        from,
        offer,
        mime,
        ..
    })] = <[InboxEffect; 1]>::try_from(out).unwrap()
    else {
        panic!()
    };
    inbox.handle(
        InboxInput::FileStored {
            token,
            transfer,
            from,
            offer,
            mime,
            result: Ok(PageFileOutcome::Duplicate(12)),
        },
        now(),
    );
    let out = effects(&mut inbox);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(answer_code(&out[0]), 200);
    assert!(!inbox.is_offer(transfer));
}

#[test]
fn a_file_over_the_limit_is_refused_with_413_and_not_stored() {
    let mut inbox = Inbox::new(settings());
    let out = arrive(&mut inbox, 1, file_message("big.png", &[0; 1025]), None);
    assert_eq!(out.len(), 2, "{out:?}");
    assert_eq!(answer_code(&out[0]), 413);
    assert!(matches!(&out[1], InboxEffect::Emit(Event::Error { .. })));
}

#[test]
fn with_accept_files_an_offer_is_saved_at_once() {
    let mut inbox = Inbox::new(InboxSettings {
        accept_files: Some("/auto".into()),
        ..settings()
    });
    let out = arrive(&mut inbox, 1, file_message("a.png", b"abc"), None);
    let (_, out) = file_stored(&mut inbox, out);
    assert!(
        matches!(
            out.last(),
            Some(InboxEffect::Store(InboxStoreOp::LoadFile { row: 12, .. }))
        ),
        "{out:?}"
    );
}

#[test]
fn files_of_an_earlier_run_are_offered_again() {
    let mut inbox = Inbox::new(settings());
    inbox.handle(InboxInput::LoadPending, now());
    assert!(matches!(
        effects(&mut inbox).as_slice(),
        [InboxEffect::Store(InboxStoreOp::LoadPending { account })] if account == "work"
    ));
    inbox.handle(
        InboxInput::Pending(Ok(vec![PendingPageFile {
            row: 4,
            peer: "sip:bob@example.org".into(),
            name: "old.txt".into(),
            size: 3,
            sha1: sha1_hex(b"abc"),
            content_type: "text/plain".into(),
        }])),
        now(),
    );
    let out = effects(&mut inbox);
    let [InboxEffect::Emit(Event::TransferOffered { transfer, name, .. })] = out.as_slice() else {
        panic!("{out:?}")
    };
    assert_eq!(name, "old.txt");
    assert!(inbox.is_offer(*transfer));
}

#[test]
fn trusted_senders_match_on_normalised_uris() {
    let trusted = vec![
        "sip:alert@Example.ORG".to_string(),
        "sips:duty@example.net:5061".to_string(),
    ];
    assert!(is_trusted_sender("sip:alert@example.org", &trusted));
    assert!(is_trusted_sender(
        "SIP:alert@example.org:5060;transport=tcp",
        &trusted
    ));
    assert!(is_trusted_sender("\"Alerts\" <sip:alert@example.org>", &trusted));
    assert!(is_trusted_sender("sips:duty@EXAMPLE.net", &trusted));
    // A port is routing, not identity (#15): From names the same sender.
    assert!(is_trusted_sender("sip:alert@example.org:5070", &trusted));
    // The user part is case-sensitive; other users, hosts and schemes are strangers.
    assert!(!is_trusted_sender("sip:Alert@example.org", &trusted));
    assert!(!is_trusted_sender("sip:alert@example.org.evil.test", &trusted));
    assert!(!is_trusted_sender("sips:alert@example.org", &trusted));
    assert!(!is_trusted_sender("sip:mallory@example.org", &trusted));
    assert!(!is_trusted_sender("", &trusted));
    assert!(!is_trusted_sender("sip:alert@example.org", &[]));
}

#[test]
fn offered_names_are_made_safe() {
    assert_eq!(saved_name(Some("../../etc/passwd"), "text/plain"), "passwd");
    assert_eq!(saved_name(Some("..\\..\\boot.ini"), "text/plain"), "boot.ini");
    assert_eq!(saved_name(Some("/abs/dir/x.png"), "image/png"), "x.png");
    assert_eq!(saved_name(Some(".."), "image/png"), FALLBACK_FILE_NAME);
    assert_eq!(saved_name(Some(".hidden"), "image/png"), "hidden");
    assert_eq!(saved_name(Some("a\u{7}b:c.txt"), "text/plain"), "abc.txt");
}

#[test]
fn a_missing_name_gets_one_that_fits_the_type() {
    let png = saved_name(None, "image/png");
    assert!(
        png.starts_with(FALLBACK_FILE_NAME) && png.ends_with(".png"),
        "{png}"
    );
    let pdf = saved_name(None, "application/pdf");
    assert!(pdf.ends_with(".pdf"), "{pdf}");
    assert_eq!(saved_name(None, "application/x-no-such-type"), FALLBACK_FILE_NAME);
}

#[test]
fn the_incoming_limit_never_exceeds_what_the_parser_takes() {
    // Incoming: the account's limit, but never above what the parser takes.
    assert_eq!(incoming_limit(1000), 1000);
    assert_eq!(incoming_limit(u64::MAX), MAX_PAGE_FILE_BYTES as u64);
}

#[test]
fn a_blocked_senders_messages_and_files_get_603_unstored_and_untold_until_unblocked() {
    let mut inbox = Inbox::new(settings());
    let blocked = crate::runtime::blocking::BlockList::new(["sip:bob@example.org".to_string()]);
    inbox.handle(InboxInput::BlockList(blocked), now());
    // Any port or form of the address is the same person.
    let out = arrive(
        &mut inbox,
        1,
        message("\"Bob\" <sip:bob@example.org:5099>", "hello"),
        None,
    );
    assert_eq!(out.len(), 1, "only the answer: nothing stored or told: {out:?}");
    assert_eq!(answer_code(&out[0]), 603);
    let out = arrive(&mut inbox, 2, file_message("a.png", b"png"), None);
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(answer_code(&out[0]), 603);
    // Others are unaffected.
    let out = arrive(&mut inbox, 3, message("sip:carol@example.org", "hi"), None);
    assert!(matches!(out[..], [InboxEffect::Store(_)]), "{out:?}");
    // Unblocked: stored again.
    inbox.handle(InboxInput::BlockList(Default::default()), now());
    let out = arrive(&mut inbox, 4, message("sip:bob@example.org", "back"), None);
    assert!(matches!(out[..], [InboxEffect::Store(_)]), "{out:?}");
}

#[test]
fn an_alert_from_a_blocked_address_still_goes_to_its_trust_verdict() {
    let mut inbox = Inbox::new(settings());
    inbox.handle(
        InboxInput::BlockList(crate::runtime::blocking::BlockList::new([conversation_key(
            ALERTER,
        )])),
        now(),
    );
    let m = alert_message(ALERTER, "text/plain", "Evacuate", Some("Emergency Alert"));
    let out = arrive(&mut inbox, 1, m, None);
    assert!(
        out.iter().all(|e| !matches!(e, InboxEffect::Answer { .. })),
        "{out:?}"
    );
}
