//! Offers judged once: whose they are, or how they are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::sdp::{FileSelector, OfferKind};

fn policy() -> OfferPolicy {
    OfferPolicy {
        role: MsrpRole::Auto,
        relayed: false,
        relay_secure: false,
        max_file_size: 1000,
        refuse_sessions: false,
        msrp_available: true,
    }
}

fn path() -> Vec<MsrpUri> {
    vec![MsrpUri::endpoint(false, "127.0.0.1", 2855, "abc")]
}

fn chat_offer() -> Vec<u8> {
    session_offer(&path(), MsrpRole::Auto, false, None, None)
        .unwrap()
        .to_bytes()
}

fn file_offer(size: u64) -> Vec<u8> {
    let attrs = FileAttributes {
        selector: Some(FileSelector {
            name: Some("a.txt".into()),
            file_type: Some("text/plain".into()),
            size: Some(size),
            hashes: Vec::new(),
        }),
        transfer_id: Some("t1".into()),
        disposition: Some("attachment".into()),
        date: None,
        icon: None,
        range: None,
    };
    session_offer(&path(), MsrpRole::Auto, false, None, Some(attrs))
        .unwrap()
        .to_bytes()
}

#[test]
fn chat_and_file_offers_go_to_their_features() {
    assert!(matches!(
        judge_offer(&chat_offer(), &policy()),
        Verdict::Chat { .. }
    ));
    match judge_offer(&file_offer(10), &policy()) {
        Verdict::File { decision, .. } => assert!(matches!(decision.kind, OfferKind::FilePush(_))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn unusable_offers_are_refused_with_a_warning() {
    match judge_offer(b"garbage", &policy()) {
        Verdict::Refuse {
            code: 488,
            warning: Some((399, _)),
            ..
        } => {}
        other => panic!("{other:?}"),
    }
    // Larger than the account takes.
    assert!(matches!(
        judge_offer(&file_offer(5000), &policy()),
        Verdict::Refuse {
            code: 488,
            warning: Some(_),
            ..
        }
    ));
}

#[test]
fn no_sessions_here_means_488() {
    let refusing = OfferPolicy {
        refuse_sessions: true,
        ..policy()
    };
    assert!(matches!(
        judge_offer(&chat_offer(), &refusing),
        Verdict::Refuse {
            code: 488,
            warning: None,
            ..
        }
    ));
    let no_listeners = OfferPolicy {
        msrp_available: false,
        ..policy()
    };
    match judge_offer(&file_offer(10), &no_listeners) {
        Verdict::Refuse {
            code: 488,
            warning: Some((399, words)),
            ..
        } => assert_eq!(words, "sessions over MSRP are not available here"),
        other => panic!("{other:?}"),
    }
}

const FINGERPRINT: &str =
    "SHA-256 00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

fn tls_path(id: &str) -> Vec<MsrpUri> {
    vec![MsrpUri::endpoint(true, "127.0.0.1", 2856, id)]
}

/// An msrps chat offer with `role`'s setup, with or without a fingerprint.
fn tls_offer(role: MsrpRole, fingerprint: Option<&str>) -> Vec<u8> {
    session_offer(&tls_path("peer"), role, false, fingerprint, None)
        .unwrap()
        .to_bytes()
}

fn judged_chat(sdp: &[u8], policy: &OfferPolicy) -> (SessionDescription, OfferDecision) {
    match judge_offer(sdp, policy) {
        Verdict::Chat { offer, decision } => (offer, decision),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_msrps_offer_is_answered_over_tls_with_our_fingerprint() {
    let sdp = tls_offer(MsrpRole::Auto, Some(FINGERPRINT));
    assert!(String::from_utf8_lossy(&sdp).contains("a=fingerprint:SHA-256 00:11"));
    let (offer, decision) = judged_chat(&sdp, &policy());
    assert_eq!(decision.transport, MsrpTransport::Tls);
    assert_eq!(fingerprint_in(&offer).as_deref(), Some(FINGERPRINT));
    let ours = "SHA-256 FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00:FF:EE:DD:CC:BB:AA:99:88:77:66:55:44:33:22:11:00";
    let (answer, _) = chat_answer(&offer, &decision, &tls_path("ours"), false, Some(ours)).unwrap();
    let text = String::from_utf8(answer.to_bytes()).unwrap();
    assert!(text.contains("TCP/TLS/MSRP"), "{text}");
    assert!(text.contains("a=path:msrps://127.0.0.1:2856/ours;tcp"), "{text}");
    assert!(text.contains(&format!("a=fingerprint:{ours}")), "{text}");
}

#[test]
fn an_msrps_offer_is_never_answered_with_a_plaintext_path() {
    let (offer, decision) = judged_chat(&tls_offer(MsrpRole::Auto, Some(FINGERPRINT)), &policy());
    match chat_answer(&offer, &decision, &path(), false, None) {
        Err(SessionSdpError::NotTls { path }) => assert_eq!(path, "msrp://127.0.0.1:2855/abc;tcp"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_msrps_offer_we_cannot_serve_over_tls_is_refused_in_words() {
    let no_listeners = OfferPolicy {
        msrp_available: false,
        ..policy()
    };
    let plain_relay = OfferPolicy {
        relayed: true,
        relay_secure: false,
        ..policy()
    };
    for policy in [no_listeners, plain_relay] {
        match judge_offer(&tls_offer(MsrpRole::Auto, Some(FINGERPRINT)), &policy) {
            Verdict::Refuse {
                code: 488,
                warning: Some((_, words)),
                ..
            } => assert!(words.contains("TCP/TLS/MSRP"), "{words}"),
            other => panic!("{other:?}"),
        }
    }
    let tls_relay = OfferPolicy {
        relayed: true,
        relay_secure: true,
        ..policy()
    };
    judged_chat(&tls_offer(MsrpRole::Auto, Some(FINGERPRINT)), &tls_relay);
}

#[test]
fn without_a_fingerprint_we_take_the_passive_role_when_actpass_allows() {
    // With a fingerprint to pin, an account that prefers to connect does.
    let (_, decision) = judged_chat(&tls_offer(MsrpRole::Auto, Some(FINGERPRINT)), &policy());
    assert_eq!(decision.answer_setup, Setup::Active);
    // Without one (Blink), the peer connects to us.
    let (_, decision) = judged_chat(&tls_offer(MsrpRole::Auto, None), &policy());
    assert_eq!(decision.answer_setup, Setup::Passive);
    assert_eq!(decision.connect, sdp::Connect::WeListen);
    // A peer that insists on listening is connected to (and checked like
    // a server by the task).
    let (_, decision) = judged_chat(&tls_offer(MsrpRole::Passive, None), &policy());
    assert_eq!(decision.connect, sdp::Connect::WeConnect);
    // Plain TCP keeps the account's preference.
    let (_, decision) = judged_chat(&chat_offer(), &policy());
    assert_eq!(decision.answer_setup, Setup::Active);
}

/// The steps of offer/answer both features take: what they ask of the
/// driver, in order, and how they end.
mod steps {
    use super::*;
    use offer_answer::{OurSide, Outcome};

    const SESSION: SessionId = SessionId(7);

    fn ours(local_path: &[MsrpUri]) -> OurSide<'_> {
        OurSide {
            local_path,
            relayed: false,
            fingerprint: None,
        }
    }

    fn hop() -> Hop {
        Hop {
            transport: crate::protocol::sip::uri::Transport::Udp,
            remote: "127.0.0.1:5070".parse().unwrap(),
            local: "127.0.0.1:5062".parse().unwrap(),
            conn: None,
        }
    }

    #[test]
    fn an_offer_is_an_invite_and_kept() {
        let local = path();
        let step = offer_answer::offer(
            SESSION,
            "sip:bob@x".into(),
            hop(),
            ours(&local),
            MsrpRole::Auto,
            None,
        );
        let [SessionAction::Invite { session, sdp, .. }] = step.actions.as_slice() else {
            panic!("{step:?}");
        };
        assert_eq!(*session, SESSION);
        match step.outcome {
            Outcome::Offered(offer) => assert_eq!(&offer.to_bytes(), sdp),
            other => panic!("{other:?}"),
        }
        // No path: nothing is sent, and the session fails in words.
        let step = offer_answer::offer(
            SESSION,
            "sip:bob@x".into(),
            hop(),
            ours(&[]),
            MsrpRole::Auto,
            None,
        );
        assert!(step.actions.is_empty(), "{step:?}");
        assert!(matches!(step.outcome, Outcome::Failed(ref reason) if reason.contains("path")));
    }

    #[test]
    fn an_answer_accepts_and_connects_or_refuses_with_488() {
        let (offer, decision) = judged_chat(&chat_offer(), &policy());
        let local = vec![MsrpUri::endpoint(false, "127.0.0.1", 2857, "ours")];
        let step = offer_answer::answer(SESSION, &offer, &decision, ours(&local));
        assert!(
            matches!(step.actions.as_slice(), [SessionAction::Accept { .. }]),
            "{step:?}"
        );
        assert!(matches!(step.outcome, Outcome::Connect { .. }), "{step:?}");
        // An msrps offer answered without a TLS path: refused in words.
        let (offer, decision) = judged_chat(&tls_offer(MsrpRole::Auto, Some(FINGERPRINT)), &policy());
        let step = offer_answer::answer(SESSION, &offer, &decision, ours(&local));
        match (step.actions.as_slice(), &step.outcome) {
            (
                [SessionAction::Reject {
                    code: 488,
                    warning: Some((WARNING_MISCELLANEOUS, words)),
                    ..
                }],
                Outcome::Failed(reason),
            ) => assert_eq!(words, reason),
            _ => panic!("{step:?}"),
        }
    }

    #[test]
    fn an_unusable_answer_ends_the_session() {
        let offer = SessionDescription::parse(&chat_offer()).unwrap();
        let step = offer_answer::answered(SESSION, &offer, b"not sdp", false);
        assert!(
            matches!(step.actions.as_slice(), [SessionAction::End { session: SESSION }]),
            "{step:?}"
        );
        assert!(matches!(step.outcome, Outcome::Failed(_)), "{step:?}");
    }
}
