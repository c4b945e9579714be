//! Builders shared by the store's tests.

use std::path::PathBuf;

use super::{NewIncoming, NewOutgoing, Store};

/// An incoming page-mode message from `peer` (a normalised key) with the
/// given Call-ID / CSeq.
pub(super) fn incoming(
    account: &str,
    peer: &str,
    call_id: &str,
    cseq: u32,
    body: &str,
    at: i64,
) -> NewIncoming {
    NewIncoming {
        id: None,
        account: account.into(),
        peer_key: peer.into(),
        peer_address: peer.into(),
        display_name: None,
        call_id: Some(call_id.into()),
        from_tag: None,
        cseq: Some(cseq),
        remote_message_id: None,
        content_type: "text/plain".into(),
        body: body.into(),
        file_ref: None,
        sent_at: None,
        received_at: at,
    }
}

/// An outgoing text message to `peer`.
pub(super) fn outgoing(account: &str, peer: &str, body: &str, at: i64) -> NewOutgoing {
    NewOutgoing {
        id: None,
        account: account.into(),
        peer_key: peer.into(),
        peer_address: peer.into(),
        display_name: None,
        local_id: None,
        content_type: "text/plain".into(),
        body: body.into(),
        file_ref: None,
        sent_at: at,
    }
}

/// A store in a fresh temporary directory (kept alive by the returned guard).
pub(super) fn temp_store() -> (tempfile::TempDir, PathBuf, Store) {
    let dir = tempfile::tempdir().unwrap();
    let path = Store::path_in(dir.path());
    let store = Store::open(&path).unwrap();
    (dir, path, store)
}
