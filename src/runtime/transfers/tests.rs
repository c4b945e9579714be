//! The transfers on virtual time: no sockets, no tokio, no files, no store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::resume::NO_PARTIAL_WARNING;
use super::*;
use crate::protocol::sip::uri::Transport;
use crate::runtime::msrp_session::{judge_offer, OfferPolicy, Verdict};
use crate::store::{conversation_key, Direction, NewTransfer, StoredTransfer, TransferState};
use std::sync::atomic::Ordering;
use std::time::Duration;

const BOB: &str = "sip:bob@127.0.0.1:5070";
const S: SessionId = SessionId(1);
const T: TransferId = TransferId(500);
const SHA: [u8; 20] = [7; 20];
const FILE: &str = "/home/alice/report.pdf";

fn now0() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_700_000_000_000,
    }
}

fn hop() -> Hop {
    Hop {
        transport: Transport::Udp,
        remote: "127.0.0.1:5070".parse().unwrap(),
        local: "127.0.0.1:5060".parse().unwrap(),
        conn: None,
    }
}

fn transfers() -> Transfers {
    Transfers::new(
        TransfersConfig {
            account: AccountId("local".into()),
            role: MsrpRole::Auto,
            relayed: false,
            msrp_available: true,
            fingerprint: None,
            tls: false,
            max_file_size: 1 << 30,
            server_account: false,
        },
        now0(),
    )
}

fn drain(t: &mut Transfers) -> Vec<TransferEffect> {
    std::iter::from_fn(|| t.poll_effect()).collect()
}

fn path(id: &str) -> Vec<MsrpUri> {
    vec![MsrpUri::endpoint(false, "127.0.0.1", 2855, id)]
}

fn failures(effects: &[TransferEffect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            TransferEffect::Emit(Event::TransferFailed { reason, .. }) => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

fn finished_rows(effects: &[TransferEffect]) -> Vec<NewTransfer> {
    effects
        .iter()
        .filter_map(|e| match e {
            TransferEffect::Store(TransferStoreOp::Finish { row, .. }) => Some((**row).clone()),
            _ => None,
        })
        .collect()
}

fn interrupted_out(bytes: i64, size: i64) -> Candidate {
    Candidate {
        stored: StoredTransfer {
            id: 42,
            transfer: NewTransfer {
                account: "local".into(),
                peer_key: None,
                direction: Direction::Out,
                file_name: "report.pdf".into(),
                size: Some(size),
                sha1: Some(hex(&SHA)),
                path: Some(FILE.into()),
                state: TransferState::Interrupted,
                started_at: 1,
                peer: Some(conversation_key(BOB)),
                resume_bytes: Some(bytes),
                part_path: None,
            },
            finished_at: Some(2),
        },
        part_len: None,
    }
}

/// `SendFile` up to the route, with `candidates` from the store.
fn send(
    t: &mut Transfers,
    mode: FileSendMode,
    size: u64,
    candidates: Vec<Candidate>,
    now: Now,
) -> Vec<TransferEffect> {
    t.handle(
        TransferInput::SendFile {
            id: T,
            to: BOB.into(),
            path: FILE.into(),
            mode,
            session: S,
        },
        now,
    );
    assert!(matches!(
        drain(t).as_slice(),
        [TransferEffect::Hash { session: S, .. }]
    ));
    t.handle(
        TransferInput::Hashed {
            session: S,
            result: Ok((size, SHA)),
        },
        now,
    );
    assert!(matches!(
        drain(t).as_slice(),
        [TransferEffect::Store(TransferStoreOp::Interrupted {
            session: S,
            ..
        })]
    ));
    t.handle(
        TransferInput::Candidates {
            session: S,
            result: Ok(candidates),
        },
        now,
    );
    drain(t)
}

/// From the route to the INVITE; returns the job and the offer.
fn offer(t: &mut Transfers, session: SessionId, now: Now) -> (Option<FileJob>, Vec<u8>) {
    offer_from(t, session, false, now)
}

/// [`offer`], from behind NAT or not.
fn offer_from(
    t: &mut Transfers,
    session: SessionId,
    behind_nat: bool,
    now: Now,
) -> (Option<FileJob>, Vec<u8>) {
    t.handle(
        TransferInput::Routed {
            session,
            result: Ok(hop()),
        },
        now,
    );
    let job = match drain(t).as_slice() {
        [TransferEffect::StartTask { job, .. }] => job.clone(),
        other => panic!("{other:?}"),
    };
    t.handle(
        TransferInput::Task {
            session,
            event: TaskEvent::Prepared {
                local_path: path("ours"),
                relay: None,
                behind_nat,
            },
        },
        now,
    );
    match drain(t).as_slice() {
        [TransferEffect::Session(SessionAction::Invite { sdp, .. })] => (job, sdp.clone()),
        other => panic!("{other:?}"),
    }
}

fn from_of(job: &Option<FileJob>) -> u64 {
    match job {
        Some(FileJob::Send { from, .. }) => *from,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_send_resumes_from_the_bytes_the_receiver_confirmed() {
    let mut t = transfers();
    let now = now0();
    let fx = send(
        &mut t,
        FileSendMode::Session,
        1000,
        vec![interrupted_out(400, 1000)],
        now,
    );
    assert!(fx.iter().any(|e| matches!(
        e,
        TransferEffect::Emit(Event::TransferResuming {
            offset: 400,
            total: 1000,
            ..
        })
    )));
    let opened = fx
        .iter()
        .find_map(|e| match e {
            TransferEffect::Store(TransferStoreOp::OpenRow { row, .. }) => Some(row.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(opened.resume_bytes, Some(400));
    assert!(matches!(
        fx.last(),
        Some(TransferEffect::Route { session: S, .. })
    ));
    let (job, sdp) = offer(&mut t, S, now);
    assert_eq!(from_of(&job), 400);
    assert!(String::from_utf8_lossy(&sdp).contains("a=file-range:401-1000"));
}

#[test]
fn no_usable_row_means_the_whole_file() {
    for rows in [
        vec![],
        vec![interrupted_out(400, 999)],
        vec![interrupted_out(0, 1000)],
        vec![interrupted_out(1000, 1000)],
    ] {
        let mut t = transfers();
        let now = now0();
        let fx = send(&mut t, FileSendMode::Session, 1000, rows, now);
        assert!(!fx
            .iter()
            .any(|e| matches!(e, TransferEffect::Emit(Event::TransferResuming { .. }))));
        let (job, _) = offer(&mut t, S, now);
        assert_eq!(from_of(&job), 0);
    }
}

/// A file offer from bob, resuming after `start - 1` bytes when `start > 1`.
fn incoming_offer(start: u64) -> (SessionDescription, OfferDecision) {
    let mut file = FileSide::new(
        T,
        false,
        "report.pdf".into(),
        FILE.into(),
        1000,
        "application/pdf".into(),
        Some(SHA),
        "x".into(),
        0,
        0,
    );
    file.from = start.saturating_sub(1);
    let sdp = msrp_session::session_offer(&path("bob"), MsrpRole::Auto, false, None, file.offer_attributes())
        .unwrap()
        .to_bytes();
    let policy = OfferPolicy {
        role: MsrpRole::Auto,
        relayed: false,
        relay_secure: false,
        max_file_size: 1 << 20,
        refuse_sessions: false,
        msrp_available: true,
    };
    match judge_offer(&sdp, &policy) {
        Verdict::File { offer, decision } => (offer, decision),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_resume_offer_without_a_partial_file_is_refused_with_the_warning() {
    let mut t = transfers();
    let now = now0();
    let (offer, decision) = incoming_offer(401);
    t.handle(
        TransferInput::Offered {
            session: S,
            from: BOB.into(),
            hop: hop(),
            offer: Box::new(offer),
            decision: Box::new(decision),
            accept_into: None,
        },
        now,
    );
    assert!(matches!(
        drain(&mut t).as_slice(),
        [TransferEffect::Store(TransferStoreOp::Interrupted { .. })]
    ));
    t.handle(
        TransferInput::Candidates {
            session: S,
            result: Ok(Vec::new()),
        },
        now,
    );
    let fx = drain(&mut t);
    assert!(
        matches!(
            fx.as_slice(),
            [
                TransferEffect::Session(SessionAction::Reject {
                    session: S,
                    code: 488,
                    warning: Some((399, words)),
                }),
                TransferEffect::Release { session: S },
            ] if words == NO_PARTIAL_WARNING
        ),
        "{fx:?}"
    );
    // Quietly: the user never saw this offer.
    assert!(failures(&fx).is_empty());
    assert!(!t.any());
}

#[test]
fn a_refused_resume_sends_the_whole_file_in_a_new_session() {
    let mut t = transfers();
    let now = now0();
    send(
        &mut t,
        FileSendMode::Session,
        1000,
        vec![interrupted_out(400, 1000)],
        now,
    );
    let (job, _) = offer(&mut t, S, now);
    assert_eq!(from_of(&job), 400);
    let fresh = SessionId(2);
    t.handle(
        TransferInput::Failed {
            session: S,
            code: Some(488),
            reason: "client refused: no partial file to resume".into(),
            explained: true,
            fresh,
        },
        now,
    );
    let fx = drain(&mut t);
    assert!(failures(&fx).is_empty(), "no failure shown: {fx:?}");
    assert!(fx
        .iter()
        .any(|e| matches!(e, TransferEffect::Release { session: S })));
    assert!(fx.iter().any(|e| matches!(
        e,
        TransferEffect::Store(TransferStoreOp::Progress { bytes: 0, .. })
    )));
    assert!(matches!(fx.last(), Some(TransferEffect::Route { session, .. }) if *session == fresh));
    let (job, sdp) = offer(&mut t, fresh, now);
    assert_eq!(from_of(&job), 0);
    assert!(!String::from_utf8_lossy(&sdp).contains("a=file-range"));
}

#[test]
fn cancel_before_the_invite_fails_with_words_and_a_row() {
    let mut t = transfers();
    let now = now0();
    send(&mut t, FileSendMode::Session, 1000, Vec::new(), now);
    t.handle(TransferInput::Cancel { transfer: T }, now);
    let fx = drain(&mut t);
    assert_eq!(failures(&fx), vec!["you cancelled the transfer".to_string()]);
    let rows = finished_rows(&fx);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].state, "failed: you cancelled the transfer");
    assert!(!t.any());
}

#[test]
fn cancel_under_way_hangs_up_and_keeps_nothing() {
    let mut t = transfers();
    let now = now0();
    send(&mut t, FileSendMode::Session, 1000, Vec::new(), now);
    offer(&mut t, S, now);
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::FileConfirmed { bytes: 300 },
        },
        now,
    );
    drain(&mut t);
    t.handle(TransferInput::Cancel { transfer: T }, now);
    assert!(matches!(
        drain(&mut t).as_slice(),
        [TransferEffect::Session(SessionAction::End { session: S })]
    ));
    // The agent reports the session over.
    t.handle(
        TransferInput::Failed {
            session: S,
            code: None,
            reason: "you cancelled the invitation".into(),
            explained: false,
            fresh: SessionId(9),
        },
        now,
    );
    let fx = drain(&mut t);
    assert_eq!(failures(&fx), vec!["you cancelled the transfer".to_string()]);
    let rows = finished_rows(&fx);
    assert_eq!(
        rows[0].resume_bytes, None,
        "a cancelled transfer is not resumable"
    );
}

#[test]
fn behind_nat_without_a_relay_the_offer_says_we_connect() {
    let now = now0();
    for (behind_nat, setup) in [(false, "a=setup:actpass"), (true, "a=setup:active")] {
        let mut t = transfers();
        send(&mut t, FileSendMode::Session, 1000, Vec::new(), now);
        let (_, sdp) = offer_from(&mut t, S, behind_nat, now);
        let sdp = String::from_utf8(sdp).unwrap();
        assert!(sdp.contains(setup), "behind NAT {behind_nat}: {sdp}");
    }
}

#[test]
fn a_connection_that_never_opened_fails_with_its_cause_and_tells_the_peer() {
    let mut t = transfers();
    let now = now0();
    send(&mut t, FileSendMode::Session, 1000, Vec::new(), now);
    offer(&mut t, S, now);
    drain(&mut t);
    let cause = "could not open the chat connection to 192.168.77.10:38065 (refused); both behind NAT? \
                 Configure an MSRP relay";
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::Closed {
                reason: Some(cause.into()),
            },
        },
        now,
    );
    let fx = drain(&mut t);
    assert!(
        fx.iter().any(
            |e| matches!(e, TransferEffect::Session(SessionAction::EndBecause { session: S, reason })
            if reason == cause)
        ),
        "the BYE carries the cause: {fx:?}"
    );
    assert_eq!(failures(&fx), vec![cause.to_string()]);
}

#[test]
fn shutdown_interrupts_and_keeps_the_confirmed_bytes() {
    let mut t = transfers();
    let now = now0();
    send(&mut t, FileSendMode::Session, 1000, Vec::new(), now);
    offer(&mut t, S, now);
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: false },
        },
        now,
    );
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::FileConfirmed { bytes: 400 },
        },
        now,
    );
    drain(&mut t);
    t.handle(TransferInput::Shutdown, now);
    let fx = drain(&mut t);
    // Under way: no BYE, so the peer keeps its part too.
    assert!(!fx
        .iter()
        .any(|e| matches!(e, TransferEffect::Session(SessionAction::End { .. }))));
    let words = failures(&fx);
    assert_eq!(words.len(), 1);
    assert!(
        words[0].starts_with("sipchat was closing; the receiver has 400 bytes of 1000 bytes"),
        "{}",
        words[0]
    );
    let rows = finished_rows(&fx);
    assert_eq!(rows[0].state, TransferState::Interrupted);
    assert_eq!(rows[0].resume_bytes, Some(400));
}

#[test]
fn shutdown_keeps_a_received_part_with_its_durable_bytes() {
    let mut t = transfers();
    let now = now0();
    let (offer, decision) = incoming_offer(1);
    t.handle(
        TransferInput::Offered {
            session: S,
            from: BOB.into(),
            hop: hop(),
            offer: Box::new(offer),
            decision: Box::new(decision),
            accept_into: Some(("/downloads".into(), true)),
        },
        now,
    );
    let fx = drain(&mut t);
    let id = fx.iter().find_map(|e| match e {
        TransferEffect::StartTask {
            job: Some(FileJob::Receive { .. }),
            ..
        } => Some(()),
        _ => None,
    });
    assert!(id.is_some(), "accepted at once into the directory: {fx:?}");
    let transfer = t.by_id.keys().copied().next().unwrap();
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: false },
        },
        now,
    );
    t.durable_of(transfer).unwrap().store(600, Ordering::Relaxed);
    t.handle(TransferInput::Shutdown, now);
    let fx = drain(&mut t);
    assert!(
        !fx.iter().any(|e| matches!(e, TransferEffect::RemoveFile(_))),
        "the part is kept"
    );
    let rows = finished_rows(&fx);
    assert_eq!(rows[0].state, TransferState::Interrupted);
    assert_eq!(rows[0].resume_bytes, Some(600));
    assert!(rows[0]
        .part_path
        .as_deref()
        .is_some_and(|p| p.starts_with("/downloads/.sipchat-")));
}

/// An `Auto` transfer of `size` bytes refused with `code`.
fn refused(size: u64, code: u16) -> Vec<TransferEffect> {
    let mut t = transfers();
    let now = now0();
    send(&mut t, FileSendMode::Auto, size, Vec::new(), now);
    offer(&mut t, S, now);
    t.handle(
        TransferInput::Failed {
            session: S,
            code: Some(code),
            reason: format!("refused with {code}"),
            explained: false,
            fresh: SessionId(2),
        },
        now,
    );
    drain(&mut t)
}

fn fell_back(effects: &[TransferEffect]) -> bool {
    effects.iter().any(|e| {
        matches!(
            e,
            TransferEffect::ReadPageFile {
                transfer: T,
                note: Some(_),
                ..
            }
        )
    })
}

#[test]
fn a_small_file_falls_back_to_page_mode_only_on_no_session_answers() {
    for code in [403, 405, 488, 501, 606] {
        let fx = refused(PAGE_MODE_FILE_MAX_BYTES, code);
        assert!(fell_back(&fx), "{code}: {fx:?}");
        let note = fx.iter().find_map(|e| match e {
            TransferEffect::ReadPageFile { note: Some(n), .. } => Some(n.clone()),
            _ => None,
        });
        assert_eq!(
            note.as_deref(),
            Some(
                format!("bob does not take file sessions (answer {code}); sent as a message instead")
                    .as_str()
            )
        );
        assert!(failures(&fx).is_empty(), "{code}");
    }
    for code in [603, 486, 480, 404, 408, 500] {
        let fx = refused(100, code);
        assert!(!fell_back(&fx), "{code}");
        assert_eq!(failures(&fx).len(), 1, "{code}");
    }
    // Too big for a MESSAGE: the refusal stands.
    let fx = refused(PAGE_MODE_FILE_MAX_BYTES + 1, 405);
    assert!(!fell_back(&fx));
    assert_eq!(failures(&fx).len(), 1);
}

#[test]
fn a_page_mode_file_is_read_routed_sent_and_recorded() {
    let mut t = transfers();
    let now = now0();
    t.handle(
        TransferInput::SendFile {
            id: T,
            to: BOB.into(),
            path: "/home/alice/key.asc".into(),
            mode: FileSendMode::PageMode,
            session: S,
        },
        now,
    );
    assert!(matches!(
        drain(&mut t).as_slice(),
        [TransferEffect::ReadPageFile { .. }]
    ));
    t.handle(
        TransferInput::PageFileRead {
            transfer: T,
            to: BOB.into(),
            path: "/home/alice/key.asc".into(),
            note: None,
            result: Ok(vec![b'k'; 700]),
        },
        now,
    );
    let id = MessageId(T.0);
    match drain(&mut t).as_slice() {
        // Too big for UDP: TCP unless the address says otherwise.
        [TransferEffect::RoutePageFile { id: routed, target }] => {
            assert_eq!(*routed, id);
            assert!(target.ends_with(";transport=tcp"), "{target}");
        }
        other => panic!("{other:?}"),
    }
    t.handle(
        TransferInput::PageFileRouted {
            id,
            result: Ok(hop()),
        },
        now,
    );
    assert!(matches!(
        drain(&mut t).as_slice(),
        [TransferEffect::SendPageFile { body, .. }] if body.data.len() == 700
    ));
    assert!(t.is_page_file(id));
    t.handle(
        TransferInput::PageFileDelivery {
            id,
            state: DeliveryState::Accepted,
        },
        now.after(Duration::from_millis(50)),
    );
    let fx = drain(&mut t);
    assert!(fx.iter().any(|e| matches!(
        e,
        TransferEffect::Emit(Event::TransferDone {
            via: TransferVia::PageMode,
            note: Some(note),
            ..
        }) if note == "delivered as a message: accepted by bob's client (200)"
    )));
    assert!(fx.iter().any(|e| matches!(
        e,
        TransferEffect::Store(TransferStoreOp::RecordPageFile { row, .. }) if row.state == "done"
    )));
}

#[test]
fn an_early_bye_waits_for_the_last_report() {
    let mut t = transfers();
    let now = now0();
    send(&mut t, FileSendMode::Session, 1000, Vec::new(), now);
    offer(&mut t, S, now);
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::Opened { secure: false },
        },
        now,
    );
    t.handle(
        TransferInput::Ended {
            session: S,
            reason: "bob hung up".into(),
        },
        now,
    );
    assert!(failures(&drain(&mut t)).is_empty());
    assert_eq!(t.poll_timeout(), Some(now.at + CONNECTION_LOST_GRACE));
    // The success REPORT arrives within the grace: done.
    t.handle(
        TransferInput::Task {
            session: S,
            event: TaskEvent::FileSent,
        },
        now.after(Duration::from_millis(500)),
    );
    let fx = drain(&mut t);
    assert!(fx
        .iter()
        .any(|e| matches!(e, TransferEffect::Emit(Event::TransferDone { .. }))));
}

#[test]
fn page_mode_helpers() {
    for code in [403, 405, 415, 488, 501, 606] {
        assert!(refuses_sessions(Some(code)), "{code}");
    }
    for code in [603, 486, 600, 480, 404, 408, 500, 503] {
        assert!(!refuses_sessions(Some(code)), "{code}");
    }
    assert!(!refuses_sessions(None));
    assert!(check_outgoing_size(0).is_ok());
    assert!(check_outgoing_size(PAGE_MODE_FILE_MAX_BYTES).is_ok());
    let e = check_outgoing_size(PAGE_MODE_FILE_MAX_BYTES + 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 4096 bytes"), "{e}");
    assert_eq!(page_mode::who("sip:bob@example.org"), "bob");
    assert_eq!(page_mode::who("sip:example.org"), "example.org");
    assert_eq!(page_mode::who("not an address"), "not an address");
}

#[test]
fn a_file_offer_from_a_blocked_contact_is_declined_603_and_never_offered() {
    let mut t = transfers();
    let now = now0();
    t.handle(
        TransferInput::BlockList(crate::runtime::blocking::BlockList::new([
            crate::model::conversation_key(BOB),
        ])),
        now,
    );
    let (offer, decision) = incoming_offer(1);
    t.handle(
        TransferInput::Offered {
            session: S,
            from: BOB.into(),
            hop: hop(),
            offer: Box::new(offer),
            decision: Box::new(decision),
            accept_into: None,
        },
        now,
    );
    let fx = drain(&mut t);
    assert!(
        matches!(
            fx.as_slice(),
            [
                TransferEffect::Session(SessionAction::Reject { code: 603, .. }),
                TransferEffect::Release { .. }
            ]
        ),
        "{fx:?}"
    );
    assert!(!t.owns(S));
}
