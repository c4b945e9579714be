//! The presence feature on virtual time.

use super::*;
use crate::protocol::sip::agent::SubscriptionState as State;

fn settings(publishes: bool) -> PresenceSettings {
    PresenceSettings {
        account: AccountId("work".into()),
        aor: "sip:alice@example.org".into(),
        publishes,
        saved: SavedPresence::default(),
        seed: 42,
        default_account: true,
        watcher_info: false,
        xcap: false,
        list: None,
    }
}

fn t0() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_796_641_500_000,
    }
}

fn effects(p: &mut Presence) -> Vec<PresenceEffect> {
    std::iter::from_fn(|| p.poll_effect()).collect()
}

/// Runs the timers up to `until`, in steps, collecting effects with when.
fn run_until(p: &mut Presence, start: Now, until: Duration) -> Vec<(Duration, PresenceEffect)> {
    let mut out = Vec::new();
    while let Some(at) = p.poll_timeout() {
        if at > start.at + until {
            break;
        }
        let now = start.after(at.saturating_duration_since(start.at));
        p.handle_timeout(now);
        for e in effects(p) {
            out.push((at - start.at, e));
        }
    }
    out
}

fn subscribed_ids(list: &[(Duration, PresenceEffect)]) -> Vec<(Duration, SubscriptionId, String)> {
    list.iter()
        .filter_map(|(at, e)| match e {
            PresenceEffect::Subscribe { id, request } => Some((*at, *id, request.target.clone())),
            _ => None,
        })
        .collect()
}

fn presence_events(list: &[PresenceEffect]) -> Vec<(String, Status, WatchState)> {
    list.iter()
        .filter_map(|e| match e {
            PresenceEffect::Emit(Event::Presence {
                contact,
                presence,
                watch,
                ..
            }) => Some((contact.clone(), presence.clone(), watch.clone())),
            _ => None,
        })
        .collect()
}

const AWAY: &str = r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.org"><tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><rpid:activities><rpid:away/></rpid:activities><dm:note>lunch</dm:note></dm:person></presence>"#;

fn notify(id: SubscriptionId, state: State, body: Option<&str>) -> PresenceInput {
    PresenceInput::Subscription(SubscriptionEvent::Notified {
        id,
        state,
        content_type: body.map(|_| pidf::CONTENT_TYPE.to_string()),
        body: body.unwrap_or_default().as_bytes().to_vec(),
    })
}

/// Watches bob and returns the id of the first SUBSCRIBE.
fn watching_bob(p: &mut Presence, now: Now) -> SubscriptionId {
    p.handle(PresenceInput::CanSend(true), now);
    p.handle(PresenceInput::Watch("sip:bob@example.org".into()), now);
    let ran = run_until(p, now, Duration::from_secs(1));
    subscribed_ids(&ran)[0].1
}

#[test]
fn two_hundred_watches_are_spread_over_time() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    for i in 0..200 {
        p.handle(PresenceInput::Watch(format!("sip:c{i}@example.org")), now);
    }
    assert!(effects(&mut p).is_empty(), "nothing before the account can send");
    p.handle(PresenceInput::CanSend(true), now);
    let ran = run_until(&mut p, now, Duration::from_secs(120));
    let subs = subscribed_ids(&ran);
    assert_eq!(subs.len(), 200);
    let in_first_second = subs
        .iter()
        .filter(|(at, _, _)| *at < Duration::from_secs(1))
        .count();
    assert!(
        in_first_second <= 10,
        "{in_first_second} SUBSCRIBEs in the first second"
    );
    for pair in subs.windows(2) {
        assert!(pair[1].0 - pair[0].0 >= SUBSCRIBE_SPACING, "{pair:?}");
    }
}

#[test]
fn refresh_comes_with_jitter_before_expiry() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    let id = watching_bob(&mut p, now);
    let mut refreshes = Vec::new();
    let mut start = now;
    for _ in 0..5 {
        p.handle(
            PresenceInput::Subscription(SubscriptionEvent::Accepted { id, expires: 3600 }),
            start,
        );
        let ran = run_until(&mut p, start, Duration::from_secs(3600));
        let (at, effect) = ran.into_iter().next().expect("a refresh");
        assert_eq!(
            effect,
            PresenceEffect::Refresh {
                id,
                expires: SUBSCRIBE_EXPIRES
            }
        );
        assert!(
            at >= Duration::from_secs(2700) && at <= Duration::from_secs(3240),
            "refresh at {at:?}"
        );
        refreshes.push(at);
        start = start.after(at);
    }
    refreshes.dedup();
    assert!(refreshes.len() > 1, "the refresh time varies: {refreshes:?}");
}

#[test]
fn notify_states_and_terminated_reasons() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    let id = watching_bob(&mut p, now);
    p.handle(notify(id, State::Pending { expires: Some(3600) }, None), now);
    let shown = presence_events(&effects(&mut p));
    assert_eq!(shown[0].2, WatchState::Pending, "waiting for permission");

    p.handle(notify(id, State::Active { expires: Some(3600) }, Some(AWAY)), now);
    let shown = presence_events(&effects(&mut p));
    assert_eq!(shown[0].1.status, PresenceStatus::Away);
    assert_eq!(shown[0].1.note.as_deref(), Some("lunch"));

    // A malformed body keeps the state and shows nothing.
    p.handle(
        notify(id, State::Active { expires: None }, Some("<presence")),
        now,
    );
    assert!(presence_events(&effects(&mut p)).is_empty());

    // An expired publication: a NOTIFY without a body means offline.
    p.handle(notify(id, State::Active { expires: None }, None), now);
    assert_eq!(
        presence_events(&effects(&mut p))[0].1.status,
        PresenceStatus::Offline
    );

    // Timeout: subscribe again at once.
    p.handle(
        notify(
            id,
            State::Terminated {
                reason: Some(TerminationReason::Timeout),
                retry_after: None,
            },
            None,
        ),
        now,
    );
    let again = subscribed_ids(&run_until(&mut p, now, Duration::from_secs(1)));
    assert_eq!(again.len(), 1);
    let id2 = again[0].1;
    assert_ne!(id2, id);

    // Rejected: "does not share", and no more tries.
    p.handle(
        notify(
            id2,
            State::Terminated {
                reason: Some(TerminationReason::Rejected),
                retry_after: None,
            },
            None,
        ),
        now,
    );
    let shown = presence_events(&effects(&mut p));
    assert_eq!(shown.last().unwrap().2, WatchState::Refused);
    assert!(subscribed_ids(&run_until(&mut p, now, Duration::from_secs(7200))).is_empty());
}

#[test]
fn giveup_backs_off_and_noresource_stops() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    let id = watching_bob(&mut p, now);
    p.handle(
        notify(
            id,
            State::Terminated {
                reason: Some(TerminationReason::Giveup),
                retry_after: Some(120),
            },
            None,
        ),
        now,
    );
    effects(&mut p);
    let ran = run_until(&mut p, now, Duration::from_secs(600));
    let subs = subscribed_ids(&ran);
    assert_eq!(subs[0].0, Duration::from_secs(120), "Retry-After is honoured");
    p.handle(
        notify(
            subs[0].1,
            State::Terminated {
                reason: Some(TerminationReason::Noresource),
                retry_after: None,
            },
            None,
        ),
        now,
    );
    assert_eq!(
        presence_events(&effects(&mut p)).last().unwrap().2,
        WatchState::NoSuchUser
    );
}

#[test]
fn a_notify_flood_is_rate_limited_and_the_last_state_still_shown() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    let id = watching_bob(&mut p, now);
    let mut shown = 0;
    for i in 0..100 {
        let body = if i % 2 == 0 { Some(AWAY) } else { None };
        p.handle(notify(id, State::Active { expires: None }, body), now);
        shown += presence_events(&effects(&mut p)).len();
    }
    assert_eq!(shown, MAX_UPDATES_PER_WINDOW as usize);
    let later = run_until(&mut p, now, UPDATE_WINDOW + Duration::from_secs(1));
    let held: Vec<PresenceEffect> = later.into_iter().map(|(_, e)| e).collect();
    let last = presence_events(&held);
    assert_eq!(last.len(), 1, "the held change is shown when the window ends");
    assert_eq!(last[0].1.status, PresenceStatus::Offline, "the last NOTIFY wins");
}

#[test]
fn our_status_is_published_refreshed_kept_and_removed_on_quit() {
    let now = t0();
    let mut p = Presence::new(settings(true));
    p.handle(PresenceInput::CanSend(true), now);
    let ran = run_until(&mut p, now, Duration::from_secs(1));
    let [(
        _,
        PresenceEffect::Publish {
            document: Some(doc),
            expires: PUBLISH_EXPIRES,
        },
    )] = &ran[..]
    else {
        panic!("one publish at start: {ran:?}");
    };
    assert!(String::from_utf8_lossy(doc).contains("<basic>open</basic>"));
    p.handle(
        PresenceInput::Publication(PublicationEvent::Published { expires: 600 }),
        now,
    );
    assert!(matches!(
        &effects(&mut p)[..],
        [PresenceEffect::Emit(Event::OwnPresence { published: true, .. })]
    ));
    let ran = run_until(&mut p, now, Duration::from_secs(600));
    let [(
        at,
        PresenceEffect::Publish {
            document: None,
            expires: PUBLISH_EXPIRES,
        },
    )] = &ran[..]
    else {
        panic!("one refresh: {ran:?}");
    };
    assert!(
        *at >= Duration::from_secs(450) && *at <= Duration::from_secs(540),
        "{at:?}"
    );

    p.handle(
        PresenceInput::SetStatus(SavedPresence {
            status: OwnStatus::Away,
            note: Some(" at lunch\n".into()),
            ..Default::default()
        }),
        now,
    );
    let set = effects(&mut p);
    assert_eq!(
        set[0],
        PresenceEffect::Persist(SavedPresence {
            status: OwnStatus::Away,
            note: Some("at lunch".into()),
            ..Default::default()
        })
    );
    let PresenceEffect::Publish {
        document: Some(doc), ..
    } = &set[1]
    else {
        panic!("{set:?}")
    };
    let doc = String::from_utf8_lossy(doc);
    assert!(
        doc.contains("<rpid:away/>") && doc.contains("<dm:note>at lunch</dm:note>"),
        "{doc}"
    );

    p.handle(PresenceInput::Stop, now);
    assert_eq!(
        effects(&mut p),
        vec![PresenceEffect::Publish {
            document: None,
            expires: 0
        }]
    );
    assert!(!p.stopping_done());
    p.handle(PresenceInput::Publication(PublicationEvent::Removed), now);
    assert!(p.stopping_done());
}

#[test]
fn a_failed_publication_is_retried_with_backoff_and_said() {
    let now = t0();
    let mut p = Presence::new(settings(true));
    p.handle(PresenceInput::CanSend(true), now);
    run_until(&mut p, now, Duration::from_secs(1));
    p.handle(
        PresenceInput::Publication(PublicationEvent::Failed {
            code: Some(503),
            reason: "busy".into(),
            retry_after: None,
        }),
        now,
    );
    assert!(matches!(
        &effects(&mut p)[..],
        [PresenceEffect::Emit(Event::Error { .. })]
    ));
    let ran = run_until(&mut p, now, RETRY_MAX);
    let (
        at,
        PresenceEffect::Publish {
            document: Some(_), ..
        },
    ) = &ran[0]
    else {
        panic!("{ran:?}")
    };
    assert!(
        *at >= RETRY_BASE.mul_f64(0.8) && *at <= RETRY_BASE.mul_f64(1.2),
        "{at:?}"
    );
}

#[test]
fn a_server_without_presence_is_not_asked_again_and_no_error_is_shown() {
    for code in SERVER_WITHOUT_PUBLISH {
        let now = t0();
        let mut p = Presence::new(settings(true));
        p.handle(PresenceInput::CanSend(true), now);
        run_until(&mut p, now, Duration::from_secs(1));
        p.handle(
            PresenceInput::Publication(PublicationEvent::Failed {
                code: Some(code),
                reason: "the server does not take PUBLISH".into(),
                retry_after: None,
            }),
            now,
        );
        let said = effects(&mut p);
        assert!(
            !said
                .iter()
                .any(|e| matches!(e, PresenceEffect::Emit(Event::Error { .. }))),
            "{code}: {said:?}"
        );
        let later = run_until(&mut p, now, RETRY_MAX * 4);
        assert!(
            !later
                .iter()
                .any(|(_, e)| matches!(e, PresenceEffect::Publish { .. })),
            "{code}: published again: {later:?}"
        );
    }
}

#[test]
fn losing_the_server_interrupts_watches_and_regaining_it_subscribes_again() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    let id = watching_bob(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Accepted { id, expires: 3600 }),
        now,
    );
    p.handle(PresenceInput::CanSend(false), now);
    let lost = effects(&mut p);
    assert!(lost.contains(&PresenceEffect::Forget { id }));
    assert!(matches!(presence_events(&lost)[0].2, WatchState::Interrupted(_)));
    p.handle(PresenceInput::CanSend(true), now);
    assert_eq!(
        subscribed_ids(&run_until(&mut p, now, Duration::from_secs(1))).len(),
        1
    );
    p.handle(PresenceInput::Unwatch("sip:bob@example.org".into()), now);
    assert!(matches!(
        &effects(&mut p)[..],
        [PresenceEffect::Unsubscribe { .. }]
    ));
}

fn notified(list: &[PresenceEffect]) -> Vec<(WatcherId, NotifyState, bool)> {
    list.iter()
        .filter_map(|e| match e {
            PresenceEffect::NotifyWatcher { id, state, document } => {
                Some((*id, state.clone(), document.is_some()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn strangers_wait_for_permission_and_see_nothing_until_allowed() {
    let carol_contact = |blocked: bool| crate::model::Contact {
        id: crate::model::ContactId(3),
        details: crate::model::ContactDraft {
            name: "Carol".into(),
            addresses: vec!["sip:carol@127.0.0.1".into()],
            account: Some("elsewhere".into()),
            blocked,
            ..Default::default()
        },
        updated_at: 0,
    };
    let now = t0();
    let mut p = Presence::new(settings(false));
    p.handle(PresenceInput::CanSend(true), now);
    p.handle(PresenceInput::Watch("sip:bob@127.0.0.1:5080".into()), now);
    effects(&mut p);
    let carol = WatcherId(1);
    p.handle(
        PresenceInput::Watcher(WatcherEvent::Subscribed {
            id: carol,
            watcher: "sip:carol@127.0.0.1:5090".into(),
            expires: 600,
        }),
        now,
    );
    let asked = effects(&mut p);
    assert!(asked.iter().any(|e| matches!(e, PresenceEffect::Emit(Event::PresenceRequest { watcher, .. }) if watcher == "sip:carol@127.0.0.1:5090")));
    assert_eq!(
        notified(&asked),
        vec![(carol, NotifyState::Pending { expires: 600 }, false)]
    );
    // Someone we watch (the address book) is allowed at once, no question.
    let bob = WatcherId(2);
    p.handle(
        PresenceInput::Watcher(WatcherEvent::Subscribed {
            id: bob,
            watcher: "sip:bob@127.0.0.1:5080".into(),
            expires: 600,
        }),
        now,
    );
    let told = effects(&mut p);
    assert_eq!(
        notified(&told),
        vec![(bob, NotifyState::Active { expires: 600 }, true)]
    );
    assert!(!told
        .iter()
        .any(|e| matches!(e, PresenceEffect::Emit(Event::PresenceRequest { .. }))));
    // A status change reaches bob only.
    p.handle(
        PresenceInput::SetStatus(SavedPresence {
            status: OwnStatus::Busy,
            ..Default::default()
        }),
        now,
    );
    let changed = notified(&effects(&mut p));
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].0, bob);
    // Allowed (she became a contact): carol gets the document.
    p.handle(PresenceInput::AddressBook(vec![carol_contact(false)]), now);
    let allowed = effects(&mut p);
    assert_eq!(
        notified(&allowed),
        vec![(carol, NotifyState::Active { expires: 600 }, true)]
    );
    // Blocked later: terminated, rejected.
    p.handle(PresenceInput::AddressBook(vec![carol_contact(true)]), now);
    assert_eq!(
        notified(&effects(&mut p)),
        vec![(
            carol,
            NotifyState::Terminated {
                reason: "rejected",
                retry_after: None
            },
            false
        )]
    );
    // Quitting: bob sees us closed and waits.
    p.handle(PresenceInput::Stop, now);
    let quit = notified(&effects(&mut p));
    assert_eq!(
        quit,
        vec![(
            bob,
            NotifyState::Terminated {
                reason: "probation",
                retry_after: Some(QUIT_RETRY_AFTER)
            },
            true
        )]
    );
}

#[test]
fn a_watcher_that_does_not_refresh_is_ended() {
    let now = t0();
    let mut p = Presence::new(settings(false));
    p.handle(
        PresenceInput::Watcher(WatcherEvent::Subscribed {
            id: WatcherId(5),
            watcher: "sip:dave@h".into(),
            expires: 60,
        }),
        now,
    );
    effects(&mut p);
    let ran = run_until(&mut p, now, Duration::from_secs(120));
    let ended: Vec<PresenceEffect> = ran.into_iter().map(|(_, e)| e).collect();
    assert_eq!(
        notified(&ended),
        vec![(
            WatcherId(5),
            NotifyState::Terminated {
                reason: "timeout",
                retry_after: None
            },
            false
        )]
    );
}
