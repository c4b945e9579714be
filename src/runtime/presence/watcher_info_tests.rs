//! Our watcher-information subscription on virtual time.

use super::*;
use crate::model::{ContactDraft, ContactId};
use crate::protocol::presence::winfo;
use crate::protocol::presence::EVENT_PRESENCE_WINFO;

fn settings() -> PresenceSettings {
    PresenceSettings {
        account: AccountId("work".into()),
        aor: "sip:alice@example.org".into(),
        publishes: true,
        saved: SavedPresence::default(),
        seed: 42,
        default_account: true,
        watcher_info: true,
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

/// Runs the timers up to `until`, collecting effects with when.
fn run_until(p: &mut Presence, start: Now, until: Duration) -> Vec<(Duration, PresenceEffect)> {
    let mut out = Vec::new();
    while let Some(at) = p.poll_timeout() {
        if at > start.at + until {
            break;
        }
        p.handle_timeout(start.after(at.saturating_duration_since(start.at)));
        for e in effects(p) {
            out.push((at - start.at, e));
        }
    }
    out
}

/// The winfo SUBSCRIBEs among `ran`.
fn winfo_subscribes(ran: &[(Duration, PresenceEffect)]) -> Vec<(Duration, SubscriptionId)> {
    ran.iter()
        .filter_map(|(at, e)| match e {
            PresenceEffect::Subscribe { id, request } if request.event == EVENT_PRESENCE_WINFO => {
                assert_eq!(request.target, "sip:alice@example.org", "our own address");
                assert_eq!(request.accept, [winfo::CONTENT_TYPE]);
                Some((*at, *id))
            }
            _ => None,
        })
        .collect()
}

fn document(version: u32, state: &str, watchers: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0"?>
<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="{version}" state="{state}">
<watcher-list resource="sip:alice@example.org" package="presence">{watchers}</watcher-list>
</watcherinfo>"#
    )
    .into_bytes()
}

const CAROL_PENDING: &str =
    r#"<watcher id="c1" event="subscribe" status="pending">sip:carol@example.org</watcher>"#;
const BOB_PENDING: &str =
    r#"<watcher id="b1" event="subscribe" status="pending">sip:bob@example.org</watcher>"#;
const DAVE_ACTIVE: &str =
    r#"<watcher id="d1" event="approved" status="active">sip:dave@example.org</watcher>"#;

fn winfo_notify(id: SubscriptionId, state: SubscriptionState, body: Option<Vec<u8>>) -> PresenceInput {
    PresenceInput::Subscription(SubscriptionEvent::Notified {
        id,
        state,
        content_type: body.as_ref().map(|_| winfo::CONTENT_TYPE.to_string()),
        body: body.unwrap_or_default(),
    })
}

fn requests(list: &[PresenceEffect]) -> Vec<String> {
    list.iter()
        .filter_map(|e| match e {
            PresenceEffect::Emit(Event::PresenceRequest { watcher, .. }) => Some(watcher.clone()),
            _ => None,
        })
        .collect()
}

fn active() -> SubscriptionState {
    SubscriptionState::Active { expires: Some(3600) }
}

/// Subscribed to our watcher info; returns its id.
fn subscribed(p: &mut Presence, now: Now) -> SubscriptionId {
    p.handle(PresenceInput::CanSend(true), now);
    let ran = run_until(p, now, Duration::from_secs(1));
    let subs = winfo_subscribes(&ran);
    assert_eq!(subs.len(), 1, "{ran:?}");
    subs[0].1
}

#[test]
fn a_pending_stranger_is_asked_about_once_and_contacts_and_blocked_ones_never() {
    let now = t0();
    let mut p = Presence::new(settings());
    let book = vec![
        Contact {
            id: ContactId(1),
            details: ContactDraft {
                name: "Bob".into(),
                addresses: vec!["sip:bob@example.org".into()],
                ..ContactDraft::default()
            },
            updated_at: 0,
        },
        Contact {
            id: ContactId(2),
            details: ContactDraft {
                name: "Mallory".into(),
                addresses: vec!["sip:mallory@example.org".into()],
                blocked: true,
                ..ContactDraft::default()
            },
            updated_at: 0,
        },
    ];
    p.handle(PresenceInput::AddressBook(book), now);
    let id = subscribed(&mut p, now);
    let mallory = r#"<watcher id="m1" event="subscribe" status="pending">sip:mallory@example.org</watcher>"#;
    let body = document(
        0,
        "full",
        &format!("{CAROL_PENDING}{BOB_PENDING}{DAVE_ACTIVE}{mallory}"),
    );
    p.handle(winfo_notify(id, active(), Some(body)), now);
    let asked = requests(&effects(&mut p));
    assert_eq!(asked, ["sip:carol@example.org"]);
    // Listed again (a partial document, then a full one after a refresh):
    // not asked again.
    p.handle(
        winfo_notify(id, active(), Some(document(1, "partial", CAROL_PENDING))),
        now,
    );
    p.handle(
        winfo_notify(id, active(), Some(document(0, "full", CAROL_PENDING))),
        now,
    );
    assert!(requests(&effects(&mut p)).is_empty());
    // A malformed document is logged; the subscription goes on.
    p.handle(winfo_notify(id, active(), Some(b"<watcherinfo".to_vec())), now);
    assert!(effects(&mut p).is_empty());
    // A new stranger in a later partial document is asked about.
    let erin = r#"<watcher id="e1" event="subscribe" status="pending">sip:erin@example.org</watcher>"#;
    p.handle(
        winfo_notify(id, active(), Some(document(1, "partial", erin))),
        now,
    );
    assert_eq!(requests(&effects(&mut p)), ["sip:erin@example.org"]);
}

#[test]
fn a_partial_document_after_a_gap_refreshes_for_a_full_one() {
    let now = t0();
    let mut p = Presence::new(settings());
    let id = subscribed(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Accepted { id, expires: 3600 }),
        now,
    );
    p.handle(
        winfo_notify(id, active(), Some(document(0, "full", DAVE_ACTIVE))),
        now,
    );
    p.handle(
        winfo_notify(id, active(), Some(document(5, "partial", CAROL_PENDING))),
        now,
    );
    let out = effects(&mut p);
    assert!(out.contains(&PresenceEffect::Refresh {
        id,
        expires: SUBSCRIBE_EXPIRES
    }));
    assert!(requests(&out).is_empty(), "not read out of order");
}

#[test]
fn it_is_refreshed_before_expiry_and_ended_at_quit() {
    let now = t0();
    let mut p = Presence::new(settings());
    let id = subscribed(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Accepted { id, expires: 3600 }),
        now,
    );
    let ran = run_until(&mut p, now, Duration::from_secs(3600));
    let refresh = ran
        .iter()
        .find(|(_, e)| {
            *e == PresenceEffect::Refresh {
                id,
                expires: SUBSCRIBE_EXPIRES,
            }
        })
        .map(|(at, _)| *at)
        .expect("a refresh");
    assert!(
        refresh >= Duration::from_secs(2700) && refresh <= Duration::from_secs(3240),
        "refresh at {refresh:?}"
    );
    p.handle(PresenceInput::Stop, now.after(refresh));
    assert!(effects(&mut p).contains(&PresenceEffect::Unsubscribe { id }));
}

#[test]
fn terminated_reasons_resubscribe_wait_or_stop() {
    let now = t0();
    let mut p = Presence::new(settings());
    let id = subscribed(&mut p, now);
    let terminated = |reason, retry_after| SubscriptionState::Terminated {
        reason: Some(reason),
        retry_after,
    };
    // Timeout: at once.
    p.handle(
        winfo_notify(id, terminated(TerminationReason::Timeout, None), None),
        now,
    );
    let again = winfo_subscribes(&run_until(&mut p, now, Duration::from_secs(1)));
    assert_eq!(again.len(), 1);
    let id = again[0].1;
    // Probation with Retry-After: not before it.
    p.handle(
        winfo_notify(id, terminated(TerminationReason::Probation, Some(120)), None),
        now,
    );
    let later = winfo_subscribes(&run_until(&mut p, now, Duration::from_secs(600)));
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].0, Duration::from_secs(120));
    let id = later[0].1;
    // Rejected: not asked again this run.
    let at = now.after(Duration::from_secs(120));
    p.handle(
        winfo_notify(id, terminated(TerminationReason::Rejected, None), None),
        at,
    );
    assert!(winfo_subscribes(&run_until(&mut p, at, Duration::from_secs(7200))).is_empty());
}

#[test]
fn a_server_without_watcher_info_is_not_asked_again_and_says_nothing() {
    let now = t0();
    let mut p = Presence::new(settings());
    let id = subscribed(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Failed {
            id,
            code: Some(489),
            reason: "489 Bad Event".into(),
            retry_after: None,
        }),
        now,
    );
    let ran = run_until(&mut p, now, Duration::from_secs(7200));
    assert!(winfo_subscribes(&ran).is_empty());
    assert!(!ran
        .iter()
        .any(|(_, e)| matches!(e, PresenceEffect::Emit(Event::Error { .. }))));
    // A timeout (no answer) is tried again after a backoff.
    let mut p = Presence::new(settings());
    let id = subscribed(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Failed {
            id,
            code: None,
            reason: "no answer".into(),
            retry_after: None,
        }),
        now,
    );
    let again = winfo_subscribes(&run_until(&mut p, now, Duration::from_secs(7200)));
    assert!(!again.is_empty());
    assert!(again[0].0 >= RETRY_BASE.mul_f64(0.8), "{again:?}");
}

#[test]
fn losing_the_server_forgets_it_and_regaining_it_subscribes_again() {
    let now = t0();
    let mut p = Presence::new(settings());
    let id = subscribed(&mut p, now);
    p.handle(PresenceInput::CanSend(false), now);
    assert!(effects(&mut p).contains(&PresenceEffect::Forget { id }));
    let later = now.after(Duration::from_secs(30));
    p.handle(PresenceInput::CanSend(true), later);
    assert_eq!(
        winfo_subscribes(&run_until(&mut p, later, Duration::from_secs(1))).len(),
        1
    );
}

#[test]
fn no_watcher_info_without_publishing() {
    let now = t0();
    let mut p = Presence::new(PresenceSettings {
        publishes: false,
        ..settings()
    });
    p.handle(PresenceInput::CanSend(true), now);
    assert!(winfo_subscribes(&run_until(&mut p, now, Duration::from_secs(60))).is_empty());
}
