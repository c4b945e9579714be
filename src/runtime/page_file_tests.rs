#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn only_no_session_answers_fall_back() {
    for code in [405, 415, 488, 501, 606] {
        assert!(refuses_sessions(Some(code)), "{code}");
    }
    // Declined, busy, offline, not found, timeout, no answer at all: no.
    for code in [603, 486, 600, 480, 404, 408, 500, 503] {
        assert!(!refuses_sessions(Some(code)), "{code}");
    }
    assert!(!refuses_sessions(None));
}

#[test]
fn size_limits() {
    assert!(check_outgoing_size(0).is_ok());
    assert!(check_outgoing_size(PAGE_MODE_FILE_MAX_BYTES).is_ok());
    let e = check_outgoing_size(PAGE_MODE_FILE_MAX_BYTES + 1).unwrap_err();
    assert!(e.contains("at most 4096 bytes"), "{e}");
}

#[test]
fn who_is_the_user_part() {
    assert_eq!(who("sip:bob@example.org"), "bob");
    assert_eq!(who("sip:example.org"), "example.org");
    assert_eq!(who("not an address"), "not an address");
}
