//! One resource list subscription for every contact, on virtual time.

use super::*;
use crate::protocol::presence::{multipart, rlmi};

const LIST: &str = "sip:alice-list@example.org";

fn settings(list: Option<&str>) -> PresenceSettings {
    PresenceSettings {
        account: AccountId("work".into()),
        aor: "sip:alice@example.org".into(),
        publishes: false,
        saved: SavedPresence::default(),
        seed: 42,
        default_account: true,
        watcher_info: false,
        xcap: false,
        list: list.map(str::to_string),
    }
}

fn t0() -> Now {
    Now {
        at: Instant::now(),
        unix_ms: 1_796_641_500_000,
    }
}

fn run_until(p: &mut Presence, start: Now, until: Duration) -> Vec<PresenceEffect> {
    let mut out = Vec::new();
    while let Some(at) = p.poll_timeout() {
        if at > start.at + until {
            break;
        }
        p.handle_timeout(start.after(at.saturating_duration_since(start.at)));
        out.extend(std::iter::from_fn(|| p.poll_effect()));
    }
    out
}

fn subscribes(effects: &[PresenceEffect]) -> Vec<(SubscriptionId, SubscribeRequest)> {
    effects
        .iter()
        .filter_map(|e| match e {
            PresenceEffect::Subscribe { id, request } => Some((*id, request.clone())),
            _ => None,
        })
        .collect()
}

fn shown(p: &mut Presence) -> Vec<(String, PresenceStatus, Option<String>, WatchState)> {
    std::iter::from_fn(|| p.poll_effect())
        .filter_map(|e| match e {
            PresenceEffect::Emit(Event::Presence {
                contact,
                presence,
                watch,
                ..
            }) => Some((contact, presence.status, presence.note, watch)),
            _ => None,
        })
        .collect()
}

const PIDF_AWAY: &str = r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:bob@example.org"><tuple id="t"><status><basic>open</basic></status></tuple><dm:person id="p"><rpid:activities><rpid:away/></rpid:activities><dm:note>lunch</dm:note></dm:person></presence>"#;
const PIDF_OPEN: &str = r#"<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:bob@example.org"><tuple id="t"><status><basic>open</basic></status></tuple></presence>"#;

/// A multipart/related NOTIFY body: the RLMI document, then the parts.
fn body(version: u32, full: bool, resources: &str, parts: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!(
        "--zz\r\nContent-Type: application/rlmi+xml\r\nContent-ID: <root@h>\r\n\r\n\
         <list xmlns=\"urn:ietf:params:xml:ns:rlmi\" uri=\"{LIST}\" version=\"{version}\" fullState=\"{full}\">{resources}</list>\r\n"
    );
    for (cid, doc) in parts {
        out.push_str(&format!(
            "--zz\r\nContent-Type: application/pidf+xml\r\nContent-ID: <{cid}>\r\n\r\n{doc}\r\n"
        ));
    }
    out.push_str("--zz--\r\n");
    out.into_bytes()
}

fn list_notify(id: SubscriptionId, body: Vec<u8>) -> PresenceInput {
    PresenceInput::Subscription(SubscriptionEvent::Notified {
        id,
        state: SubscriptionState::Active { expires: Some(3600) },
        content_type: Some(multipart::CONTENT_TYPE.to_string()),
        body,
    })
}

/// Watching bob, carol, dave and erin through the list; its id.
fn watching(p: &mut Presence, now: Now) -> SubscriptionId {
    for who in ["bob", "carol", "dave", "erin"] {
        p.handle(PresenceInput::Watch(format!("sip:{who}@example.org")), now);
    }
    p.handle(PresenceInput::CanSend(true), now);
    let subs = subscribes(&run_until(p, now, Duration::from_secs(120)));
    assert_eq!(subs.len(), 1, "one SUBSCRIBE for every contact: {subs:?}");
    let (id, request) = subs[0].clone();
    assert_eq!(request.target, LIST);
    assert_eq!(request.event, "presence");
    for kind in [pidf::CONTENT_TYPE, rlmi::CONTENT_TYPE, multipart::CONTENT_TYPE] {
        assert!(request.accept.iter().any(|a| a == kind), "{request:?}");
    }
    id
}

#[test]
fn one_subscription_shows_every_resource_as_its_own_would() {
    let now = t0();
    let mut p = Presence::new(settings(Some(LIST)));
    let id = watching(&mut p, now);
    let resources = r#"<resource uri="sip:bob@example.org"><instance id="1" state="active" cid="b@h"/></resource>
<resource uri="sip:carol@example.org"><instance id="2" state="pending"/></resource>
<resource uri="sip:dave@example.org"><instance id="3" state="terminated" reason="rejected"/></resource>
<resource uri="sip:zed@example.org"><instance id="4" state="active" cid="z@h"/></resource>"#;
    p.handle(
        list_notify(
            id,
            body(0, true, resources, &[("b@h", PIDF_AWAY), ("z@h", PIDF_OPEN)]),
        ),
        now,
    );
    let mut seen = shown(&mut p);
    seen.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        seen,
        [
            (
                "sip:bob@example.org".into(),
                PresenceStatus::Away,
                Some("lunch".into()),
                WatchState::Active
            ),
            (
                "sip:carol@example.org".into(),
                PresenceStatus::Unknown,
                None,
                WatchState::Pending
            ),
            (
                "sip:dave@example.org".into(),
                PresenceStatus::Unknown,
                None,
                WatchState::Refused
            ),
        ],
        "erin is not in the list; zed is not watched"
    );

    // A partial document, the next version: bob only.
    let bob_only =
        r#"<resource uri="sip:bob@example.org"><instance id="1" state="active" cid="b2@h"/></resource>"#;
    p.handle(
        list_notify(id, body(1, false, bob_only, &[("b2@h", PIDF_OPEN)])),
        now,
    );
    assert_eq!(
        shown(&mut p),
        [(
            "sip:bob@example.org".into(),
            PresenceStatus::Available,
            None,
            WatchState::Active
        )]
    );
    // An old version is ignored; a gap asks for the full state.
    p.handle(
        list_notify(id, body(1, false, bob_only, &[("b2@h", PIDF_AWAY)])),
        now,
    );
    assert!(shown(&mut p).is_empty());
    p.handle(
        list_notify(id, body(5, false, bob_only, &[("b2@h", PIDF_AWAY)])),
        now,
    );
    let effects: Vec<PresenceEffect> = std::iter::from_fn(|| p.poll_effect()).collect();
    assert_eq!(
        effects,
        [PresenceEffect::Refresh {
            id,
            expires: SUBSCRIBE_EXPIRES
        }]
    );
    // A malformed body is logged and changes nothing.
    p.handle(
        list_notify(
            id,
            b"--zz\r\nContent-Type: application/rlmi+xml\r\n\r\n<list\r\n--zz--".to_vec(),
        ),
        now,
    );
    assert!(shown(&mut p).is_empty());
}

#[test]
fn a_server_without_the_list_has_each_contact_subscribed_on_its_own() {
    let now = t0();
    let mut p = Presence::new(settings(Some(LIST)));
    let id = watching(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Failed {
            id,
            code: Some(404),
            reason: "404 Not Found".into(),
            retry_after: None,
        }),
        now,
    );
    let subs = subscribes(&run_until(&mut p, now, Duration::from_secs(120)));
    let mut targets: Vec<String> = subs.into_iter().map(|(_, r)| r.target).collect();
    targets.sort();
    assert_eq!(
        targets,
        [
            "sip:bob@example.org",
            "sip:carol@example.org",
            "sip:dave@example.org",
            "sip:erin@example.org"
        ]
    );
}

#[test]
fn the_list_is_refreshed_and_ended_at_quit() {
    let now = t0();
    let mut p = Presence::new(settings(Some(LIST)));
    let id = watching(&mut p, now);
    p.handle(
        PresenceInput::Subscription(SubscriptionEvent::Accepted { id, expires: 600 }),
        now,
    );
    let later = run_until(&mut p, now, Duration::from_secs(600));
    assert!(later.contains(&PresenceEffect::Refresh {
        id,
        expires: SUBSCRIBE_EXPIRES
    }));
    p.handle(PresenceInput::Stop, now.after(Duration::from_secs(600)));
    let at_quit: Vec<PresenceEffect> = std::iter::from_fn(|| p.poll_effect()).collect();
    assert!(
        at_quit.contains(&PresenceEffect::Unsubscribe { id }),
        "{at_quit:?}"
    );
}
