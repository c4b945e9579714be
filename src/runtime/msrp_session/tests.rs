//! Offers judged once: whose they are, or how they are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::protocol::sdp::{FileSelector, OfferKind};

fn policy() -> OfferPolicy {
    OfferPolicy {
        role: MsrpRole::Auto,
        relayed: false,
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
