//! The outbox on virtual time: inputs in, effects out; no store, no sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use super::*;
use crate::store::Store;
use std::time::Instant;

fn start() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_700_000_000_000,
    }
}

fn outbox(retries: bool) -> Outbox {
    Outbox::new(AccountId("work".into()), retries)
}

fn effects(outbox: &mut Outbox) -> Vec<OutboxEffect> {
    std::iter::from_fn(|| outbox.poll_effect()).collect()
}

fn identity(n: u32) -> MessageIdentity {
    MessageIdentity {
        call_id: format!("call-{n}"),
        from_tag: format!("tag-{n}"),
        cseq: n,
    }
}

fn entry(id: u64, state: DeliveryState, attempts: u32, sent_as: Option<MessageIdentity>) -> OutboxEntry {
    OutboxEntry {
        id: MessageId(id),
        account: "work".into(),
        peer_key: "sip:bob@example.org".into(),
        peer_address: "sip:bob@example.org".into(),
        local_id: None,
        content_type: "text/plain".into(),
        body: format!("message {id}"),
        file_ref: None,
        sent_at: Some(1),
        state,
        attempts,
        next_attempt_at: 0,
        last_error: None,
        call_id: sent_as.as_ref().map(|i| i.call_id.clone()),
        from_tag: sent_as.as_ref().map(|i| i.from_tag.clone()),
        cseq: sent_as.map(|i| i.cseq),
    }
}

fn failed(code: Option<u16>) -> DeliveryState {
    DeliveryState::Failed {
        code,
        reason: "bob is not online (480 Temporarily Unavailable)".into(),
    }
}

/// An outbox that can send, with its first (recovering) pump answered by `due`.
fn pumped(
    retries: bool,
    due: Vec<OutboxEntry>,
    fresh: Vec<MessageIdentity>,
    now: Now,
) -> (Outbox, Vec<OutboxEffect>) {
    let mut o = outbox(retries);
    o.handle(OutboxInput::CanSend(true), now);
    let first = effects(&mut o);
    assert!(
        matches!(
            first.as_slice(),
            [OutboxEffect::Store(OutboxStoreOp::FetchDue { recover: true, .. })]
        ),
        "{first:?}"
    );
    o.handle(
        OutboxInput::Due {
            result: Ok(due),
            fresh,
        },
        now,
    );
    let out = effects(&mut o);
    (o, out)
}

/// Records the attempt of `entry` and returns what went on the wire.
fn in_flight(o: &mut Outbox, entry: OutboxEntry, identity: MessageIdentity, now: Now) -> Vec<OutboxEffect> {
    o.handle(
        OutboxInput::AttemptRecorded {
            entry: Box::new(entry),
            identity,
            result: Ok(()),
        },
        now,
    );
    effects(o)
}

/// The effects so far, with every recorded state confirmed by the store
/// (the outbox tells a state once it is on record).
fn settled(o: &mut Outbox, now: Now) -> Vec<OutboxEffect> {
    let mut out = Vec::new();
    for effect in effects(o) {
        let persisted = match &effect {
            OutboxEffect::Store(OutboxStoreOp::SetState { id, to, state }) => Some(OutboxInput::Persisted {
                id: *id,
                to: to.clone(),
                state: state.clone(),
                result: Ok(true),
            }),
            _ => None,
        };
        out.push(effect);
        if let Some(input) = persisted {
            o.handle(input, now);
            out.extend(effects(o));
        }
    }
    out
}

fn retrying_at(effects: &[OutboxEffect]) -> i64 {
    match effects {
        [OutboxEffect::Store(OutboxStoreOp::SetState {
            state: DeliveryState::Retrying { retry_at_ms, .. },
            ..
        }), OutboxEffect::Emit(Event::DeliveryUpdate {
            state: DeliveryState::Retrying { .. },
            ..
        })] => *retry_at_ms,
        other => panic!("expected a retry: {other:?}"),
    }
}

#[test]
fn retry_policy() {
    assert!(is_retryable(None));
    assert!(is_retryable(Some(480)));
    assert!(is_retryable(Some(503)));
    assert!(!is_retryable(Some(404)));
    assert!(!is_retryable(Some(403)));
    assert!(!is_retryable(Some(415)));
    assert_eq!(retry_delay(1, None), Duration::from_secs(30));
    assert_eq!(retry_delay(2, None), Duration::from_secs(120));
    assert_eq!(retry_delay(9, None), Duration::from_secs(3600));
    assert_eq!(retry_delay(1, Some(5)), Duration::from_secs(5));
    assert_eq!(retry_delay(1, Some(999_999)), MAX_RETRY_AFTER);
    assert_eq!(human_duration(Duration::from_secs(120)), "2 min");
}

#[test]
fn a_message_is_stored_before_the_pump_reads_it() {
    let now = start();
    let mut o = outbox(true);
    o.handle(OutboxInput::CanSend(true), now);
    let _ = effects(&mut o);
    o.handle(
        OutboxInput::Due {
            result: Ok(Vec::new()),
            fresh: Vec::new(),
        },
        now,
    );
    let _ = effects(&mut o);
    o.handle(
        OutboxInput::Send {
            id: MessageId(7),
            to: "sip:bob@example.org".into(),
            text: "hi".into(),
        },
        now,
    );
    match effects(&mut o).as_slice() {
        [OutboxEffect::Store(OutboxStoreOp::Queue { id, new, .. })] => {
            assert_eq!(*id, MessageId(7));
            assert_eq!(new.sent_at, now.unix_ms);
            assert_eq!(new.body, "hi");
        }
        other => panic!("{other:?}"),
    }
    o.handle(
        OutboxInput::Queued {
            id: MessageId(7),
            to: "sip:bob@example.org".into(),
            result: Ok(MessageId(7)),
        },
        now,
    );
    match effects(&mut o).as_slice() {
        [OutboxEffect::Emit(Event::DeliveryUpdate {
            state: DeliveryState::Queued,
            ..
        }), OutboxEffect::Store(OutboxStoreOp::FetchDue { recover: false, .. })] => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_bad_address_fails_at_once_and_nothing_is_stored() {
    let mut o = outbox(true);
    o.handle(
        OutboxInput::Send {
            id: MessageId(1),
            to: "not an address".into(),
            text: "hi".into(),
        },
        start(),
    );
    match effects(&mut o).as_slice() {
        [OutboxEffect::Emit(Event::DeliveryUpdate {
            state: DeliveryState::Failed { code: None, .. },
            ..
        })] => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn nothing_is_read_while_the_account_cannot_send() {
    let now = start();
    let mut o = outbox(true);
    o.handle(
        OutboxInput::Queued {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            result: Ok(MessageId(1)),
        },
        now,
    );
    let out = effects(&mut o);
    assert!(matches!(out.as_slice(), [OutboxEffect::Emit(_)]), "{out:?}");
    o.handle(OutboxInput::CanSend(true), now);
    let out = effects(&mut o);
    assert!(
        matches!(
            out.as_slice(),
            [OutboxEffect::Store(OutboxStoreOp::FetchDue { .. })]
        ),
        "{out:?}"
    );
}

#[test]
fn the_attempt_is_recorded_before_it_goes_on_the_wire() {
    let now = start();
    let queued = entry(1, DeliveryState::Queued, 0, None);
    let (mut o, out) = pumped(true, vec![queued.clone()], vec![identity(9)], now);
    // Only the record, no transmit yet, with the identity the driver gave.
    match out.as_slice() {
        [OutboxEffect::Store(OutboxStoreOp::RecordAttempt {
            entry,
            identity: sent_as,
        })] => {
            assert_eq!(entry.id, MessageId(1));
            assert_eq!(*sent_as, identity(9));
        }
        other => panic!("{other:?}"),
    }
    match in_flight(&mut o, queued, identity(9), now).as_slice() {
        [OutboxEffect::Transmit {
            entry,
            identity: sent_as,
        }] => {
            assert_eq!(entry.id, MessageId(1));
            assert_eq!(*sent_as, identity(9));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_entry_in_flight_is_not_sent_twice() {
    let now = start();
    let queued = entry(1, DeliveryState::Queued, 0, None);
    let (mut o, _) = pumped(true, vec![queued.clone()], vec![identity(1)], now);
    o.handle(OutboxInput::CanSend(true), now);
    let _ = effects(&mut o);
    o.handle(
        OutboxInput::Due {
            result: Ok(vec![queued]),
            fresh: vec![identity(2)],
        },
        now,
    );
    let out = effects(&mut o);
    assert!(
        !out.iter()
            .any(|e| matches!(e, OutboxEffect::Store(OutboxStoreOp::RecordAttempt { .. }))),
        "{out:?}"
    );
}

#[test]
fn interrupted_attempts_are_resent_with_their_original_identity() {
    let now = start();
    let cut_short = entry(3, DeliveryState::Sending, 0, Some(identity(41)));
    let fresh = entry(4, DeliveryState::Queued, 0, None);
    let (mut o, out) = pumped(true, vec![fresh, cut_short], vec![identity(50)], now);
    let recorded: Vec<(MessageId, MessageIdentity)> = out
        .iter()
        .filter_map(|e| match e {
            OutboxEffect::Store(OutboxStoreOp::RecordAttempt { entry, identity }) => {
                Some((entry.id, identity.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        recorded,
        vec![(MessageId(4), identity(50)), (MessageId(3), identity(41))],
        "in the order read; the fresh identity only for the entry without one"
    );
    // Recovery happens on the first pump only.
    o.handle(OutboxInput::CanSend(true), now);
    let out = effects(&mut o);
    assert!(
        matches!(
            out.as_slice(),
            [OutboxEffect::Store(OutboxStoreOp::FetchDue {
                recover: false,
                ..
            })]
        ),
        "{out:?}"
    );
}

#[test]
fn a_late_success_is_not_resent() {
    let now = start();
    let waiting = entry(
        5,
        DeliveryState::Retrying {
            code: None,
            reason: "x".into(),
            retry_at_ms: 0,
        },
        1,
        Some(identity(5)),
    );
    let (mut o, _) = pumped(true, vec![waiting.clone()], Vec::new(), now);
    // The store refuses the attempt: a late 200 made the message final meanwhile.
    o.handle(
        OutboxInput::AttemptRecorded {
            entry: Box::new(waiting.clone()),
            identity: identity(5),
            result: Err(OutboxError::StoreGone),
        },
        now,
    );
    let out = effects(&mut o);
    assert!(out.is_empty(), "nothing goes on the wire: {out:?}");
    // It is no longer in flight: a later read may pick it up again.
    o.handle(OutboxInput::CanSend(true), now);
    let _ = effects(&mut o);
    o.handle(
        OutboxInput::Due {
            result: Ok(vec![waiting]),
            fresh: Vec::new(),
        },
        now,
    );
    let out = effects(&mut o);
    assert!(
        matches!(
            out.as_slice(),
            [OutboxEffect::Store(OutboxStoreOp::RecordAttempt { .. })]
        ),
        "{out:?}"
    );
}

#[test]
fn retryable_failures_wait_30_s_then_2_min_and_retry_after_is_capped() {
    let now = start();
    let first = entry(1, DeliveryState::Queued, 0, None);
    let (mut o, _) = pumped(true, vec![first.clone()], vec![identity(1)], now);
    let _ = in_flight(&mut o, first, identity(1), now);
    o.handle(
        OutboxInput::Delivery {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            state: failed(Some(480)),
            sent_as: Some(identity(1)),
            retry_after: None,
        },
        now,
    );
    assert_eq!(
        retrying_at(&settled(&mut o, now)),
        now.after(Duration::from_secs(30)).unix_ms
    );
    assert_eq!(o.poll_timeout(), Some(now.at + Duration::from_secs(30)));

    // The second attempt (one failure on record) waits 2 min.
    let later = now.after(Duration::from_secs(30));
    o.handle_timeout(later);
    let _ = effects(&mut o);
    let second = entry(1, DeliveryState::Sending, 1, Some(identity(1)));
    o.handle(
        OutboxInput::Due {
            result: Ok(vec![second.clone()]),
            fresh: Vec::new(),
        },
        later,
    );
    let _ = effects(&mut o);
    let _ = in_flight(&mut o, second, identity(1), later);
    o.handle(
        OutboxInput::Delivery {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            state: failed(None),
            sent_as: Some(identity(1)),
            retry_after: None,
        },
        later,
    );
    assert_eq!(
        retrying_at(&settled(&mut o, now)),
        later.after(Duration::from_secs(120)).unix_ms
    );

    // Retry-After wins, but never more than an hour.
    let third = entry(2, DeliveryState::Queued, 0, Some(identity(2)));
    o.handle(OutboxInput::CanSend(true), later);
    let _ = effects(&mut o);
    o.handle(
        OutboxInput::Due {
            result: Ok(vec![third.clone()]),
            fresh: Vec::new(),
        },
        later,
    );
    let _ = effects(&mut o);
    let _ = in_flight(&mut o, third, identity(2), later);
    o.handle(
        OutboxInput::Delivery {
            id: MessageId(2),
            to: "sip:bob@example.org".into(),
            state: failed(Some(503)),
            sent_as: Some(identity(2)),
            retry_after: Some(999_999),
        },
        later,
    );
    assert_eq!(
        retrying_at(&settled(&mut o, now)),
        later.after(MAX_RETRY_AFTER).unix_ms
    );
}

#[test]
fn final_failures_and_the_last_attempt_are_not_retried() {
    let now = start();
    let worn = entry(1, DeliveryState::Sending, MAX_ATTEMPTS - 1, Some(identity(1)));
    let refused = entry(2, DeliveryState::Queued, 0, Some(identity(2)));
    let (mut o, _) = pumped(true, vec![worn.clone(), refused.clone()], Vec::new(), now);
    let _ = in_flight(&mut o, worn, identity(1), now);
    let _ = in_flight(&mut o, refused, identity(2), now);
    for (id, code) in [(1, Some(480)), (2, Some(404))] {
        o.handle(
            OutboxInput::Delivery {
                id: MessageId(id),
                to: "sip:bob@example.org".into(),
                state: failed(code),
                sent_as: Some(identity(1)),
                retry_after: None,
            },
            now,
        );
        match settled(&mut o, now).as_slice() {
            [OutboxEffect::Store(OutboxStoreOp::SetState {
                state: DeliveryState::Failed { .. },
                ..
            }), OutboxEffect::Emit(Event::DeliveryUpdate {
                state: DeliveryState::Failed { .. },
                ..
            })] => {}
            other => panic!("{id}: {other:?}"),
        }
    }
}

#[test]
fn without_retries_the_first_outcome_is_final() {
    let now = start();
    let one = entry(1, DeliveryState::Queued, 0, Some(identity(1)));
    let (mut o, _) = pumped(false, vec![one.clone()], Vec::new(), now);
    let _ = in_flight(&mut o, one, identity(1), now);
    o.handle(
        OutboxInput::Delivery {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            state: failed(Some(480)),
            sent_as: Some(identity(1)),
            retry_after: None,
        },
        now,
    );
    let out = settled(&mut o, now);
    assert!(
        matches!(
            out.as_slice(),
            [
                OutboxEffect::Store(OutboxStoreOp::SetState {
                    state: DeliveryState::Failed { .. },
                    ..
                }),
                _
            ]
        ),
        "{out:?}"
    );
}

#[test]
fn the_outbox_is_swept_every_minute() {
    let now = start();
    let (mut o, _) = pumped(true, Vec::new(), Vec::new(), now);
    assert_eq!(o.poll_timeout(), Some(now.at + OUTBOX_SWEEP));
    // Not yet.
    o.handle_timeout(now.after(OUTBOX_SWEEP - Duration::from_millis(1)));
    assert!(effects(&mut o).is_empty());
    let due = now.after(OUTBOX_SWEEP);
    o.handle_timeout(due);
    let out = effects(&mut o);
    assert!(
        matches!(
            out.as_slice(),
            [OutboxEffect::Store(OutboxStoreOp::FetchDue {
                recover: false,
                ..
            })]
        ),
        "{out:?}"
    );
    // The read is under way: the next sweep is set when it is back.
    assert_eq!(o.poll_timeout(), None);
    o.handle(
        OutboxInput::Due {
            result: Ok(Vec::new()),
            fresh: Vec::new(),
        },
        due,
    );
    assert_eq!(o.poll_timeout(), Some(due.at + OUTBOX_SWEEP));
    // While the account cannot send, the sweep only waits for the next one.
    o.handle(OutboxInput::CanSend(false), due);
    let idle = due.after(OUTBOX_SWEEP);
    o.handle_timeout(idle);
    assert!(effects(&mut o).is_empty());
    assert_eq!(o.poll_timeout(), Some(idle.at + OUTBOX_SWEEP));
}

#[test]
fn store_ops_recover_sending_rows_once_and_record_attempts() {
    let mut store = Store::open_in_memory().unwrap();
    let now = start();
    let mut o = outbox(true);
    o.handle(
        OutboxInput::Send {
            id: MessageId(11),
            to: "sip:bob@example.org".into(),
            text: "hi".into(),
        },
        now,
    );
    let Some(OutboxEffect::Store(op)) = o.poll_effect() else {
        panic!("a store op first")
    };
    assert!(matches!(
        op.execute(&mut store, now.unix_ms),
        OutboxInput::Queued { result: Ok(_), .. }
    ));
    // An attempt recorded by an earlier run that never finished.
    let sending = entry(11, DeliveryState::Queued, 0, None);
    let recorded = OutboxStoreOp::RecordAttempt {
        entry: Box::new(sending),
        identity: identity(77),
    }
    .execute(&mut store, now.unix_ms);
    assert!(
        matches!(recorded, OutboxInput::AttemptRecorded { result: Ok(()), .. }),
        "{recorded:?}"
    );
    let OutboxInput::Due { result: Ok(due), .. } = (OutboxStoreOp::FetchDue {
        account: "work".into(),
        recover: true,
    })
    .execute(&mut store, now.unix_ms) else {
        panic!("due entries")
    };
    assert_eq!(due.len(), 1);
    assert_eq!(stored_identity(&due[0]), Some(identity(77)));
    let OutboxInput::Due { result: Ok(due), .. } = (OutboxStoreOp::FetchDue {
        account: "work".into(),
        recover: false,
    })
    .execute(&mut store, now.unix_ms) else {
        panic!("due entries")
    };
    assert!(due.is_empty(), "a row being sent is not due: {due:?}");
}

#[test]
fn a_one_shot_outbox_works_only_its_own_messages_and_recovers_nothing() {
    let now = start();
    let mut o = outbox(true).own_messages_only(true);
    o.handle(OutboxInput::CanSend(true), now);
    match effects(&mut o).as_slice() {
        [OutboxEffect::Store(OutboxStoreOp::FetchDue { recover: false, .. })] => {}
        other => panic!("{other:?}"),
    }
    o.handle(
        OutboxInput::Queued {
            id: MessageId(2),
            to: "sip:bob@example.org".into(),
            result: Ok(MessageId(2)),
        },
        now,
    );
    let _ = effects(&mut o);
    // Another process's queued row and a row left `sending`: not ours.
    let theirs = entry(1, DeliveryState::Queued, 0, Some(identity(1)));
    let stuck = entry(3, DeliveryState::Sending, 1, Some(identity(3)));
    let mine = entry(2, DeliveryState::Queued, 0, Some(identity(2)));
    o.handle(
        OutboxInput::Due {
            result: Ok(vec![theirs, mine, stuck]),
            fresh: Vec::new(),
        },
        now,
    );
    let recorded: Vec<MessageId> = effects(&mut o)
        .into_iter()
        .filter_map(|e| match e {
            OutboxEffect::Store(OutboxStoreOp::RecordAttempt { entry, .. }) => Some(entry.id),
            _ => None,
        })
        .collect();
    assert_eq!(recorded, vec![MessageId(2)]);
}

#[test]
fn a_state_is_told_once_it_is_on_record_and_a_stale_one_never() {
    let now = start();
    let one = entry(1, DeliveryState::Queued, 0, Some(identity(1)));
    let (mut o, _) = pumped(true, vec![one.clone()], Vec::new(), now);
    let _ = in_flight(&mut o, one, identity(1), now);
    o.handle(
        OutboxInput::Delivery {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            state: DeliveryState::Accepted,
            sent_as: Some(identity(1)),
            retry_after: None,
        },
        now,
    );
    let out = effects(&mut o);
    assert!(
        matches!(
            out.as_slice(),
            [OutboxEffect::Store(OutboxStoreOp::SetState { .. })]
        ),
        "told before it was stored: {out:?}"
    );
    o.handle(
        OutboxInput::Persisted {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            state: failed(Some(480)),
            result: Ok(false),
        },
        now,
    );
    assert!(effects(&mut o).is_empty(), "a stale state was told");
    o.handle(
        OutboxInput::Persisted {
            id: MessageId(1),
            to: "sip:bob@example.org".into(),
            state: DeliveryState::Accepted,
            result: Ok(true),
        },
        now,
    );
    assert!(matches!(
        effects(&mut o).as_slice(),
        [OutboxEffect::Emit(Event::DeliveryUpdate {
            state: DeliveryState::Accepted,
            ..
        })]
    ));
}

fn waiting_ids(effects: &[OutboxEffect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            OutboxEffect::Emit(Event::MessageWaiting { id, reason, .. }) => {
                assert_eq!(reason, "connection refused");
                Some(id.0)
            }
            _ => None,
        })
        .collect()
}

fn queued(o: &mut Outbox, id: u64, now: Now) -> Vec<OutboxEffect> {
    o.handle(
        OutboxInput::Queued {
            id: MessageId(id),
            to: "sip:bob@example.org".into(),
            result: Ok(MessageId(id)),
        },
        now,
    );
    effects(o)
}

#[test]
fn messages_waiting_for_an_unreachable_server_are_told_so_until_it_can_send() {
    let now = start();
    let mut o = outbox(true);
    // Queued before the connection failed: told when it fails.
    assert_eq!(waiting_ids(&queued(&mut o, 1, now)), Vec::<u64>::new());
    o.handle(
        OutboxInput::Unreachable {
            reason: "connection refused".into(),
        },
        now,
    );
    assert_eq!(waiting_ids(&effects(&mut o)), [1]);
    // Queued while it is unreachable: told at once, after "queued".
    let out = queued(&mut o, 2, now);
    assert!(
        matches!(
            out.first(),
            Some(OutboxEffect::Emit(Event::DeliveryUpdate {
                state: DeliveryState::Queued,
                ..
            }))
        ),
        "{out:?}"
    );
    assert_eq!(waiting_ids(&out), [2]);
    // Reachable again: no more hints; a message taken for sending is no longer waiting.
    o.handle(OutboxInput::CanSend(true), now);
    let _ = effects(&mut o);
    o.handle(
        OutboxInput::Due {
            result: Ok(vec![entry(1, DeliveryState::Queued, 0, None)]),
            fresh: vec![identity(1)],
        },
        now,
    );
    let _ = effects(&mut o);
    o.handle(OutboxInput::CanSend(false), now);
    assert_eq!(waiting_ids(&queued(&mut o, 3, now)), Vec::<u64>::new());
    o.handle(
        OutboxInput::Unreachable {
            reason: "connection refused".into(),
        },
        now,
    );
    assert_eq!(waiting_ids(&effects(&mut o)), [2, 3]);
}
