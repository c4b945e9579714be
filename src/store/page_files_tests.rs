#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::store::test_support::temp_store;
use crate::store::Direction;

fn file(call_id: &str, data: &[u8]) -> NewPageFile {
    NewPageFile {
        transfer: NewTransfer {
            account: "work".into(),
            peer_key: Some("sip:bob@example.org".into()),
            direction: Direction::In,
            file_name: "dot.png".into(),
            size: Some(data.len() as i64),
            sha1: Some("00".into()),
            path: None,
            state: "offered".into(),
            started_at: 1_000,
            peer: None,
            resume_bytes: None,
            part_path: None,
        },
        call_id: call_id.into(),
        cseq: 1,
        content_type: "image/png".into(),
        data: data.to_vec(),
    }
}

#[test]
fn bytes_and_transfer_row_are_stored_together_and_resends_found() {
    let mut store = Store::open_in_memory().unwrap();
    let bytes: Vec<u8> = (0..=255u8).collect();
    let first = store.insert_page_file(&file("c1@bob", &bytes)).unwrap();
    let PageFileOutcome::Inserted(id) = first else {
        panic!("{first:?}")
    };
    assert_eq!(store.page_file_data(id).unwrap().as_deref(), Some(&bytes[..]));
    let again = store.insert_page_file(&file("c1@bob", b"other")).unwrap();
    assert_eq!(again, PageFileOutcome::Duplicate(id));
    assert_eq!(store.transfers(Some("work")).unwrap().len(), 1);
    let other = store.insert_page_file(&file("c2@bob", b"x")).unwrap();
    assert!(matches!(other, PageFileOutcome::Inserted(n) if n != id));
}

#[test]
fn finishing_drops_the_bytes_and_records_the_path() {
    let mut store = Store::open_in_memory().unwrap();
    let id = store.insert_page_file(&file("c1@bob", b"abc")).unwrap().id();
    store
        .finish_page_file(id, &TransferState::Done, Some("/tmp/dot.png"), 2_000)
        .unwrap();
    assert_eq!(store.page_file_data(id).unwrap(), None);
    let row = &store.transfers(None).unwrap()[0];
    assert_eq!(row.transfer.state, "done");
    assert_eq!(row.transfer.path.as_deref(), Some("/tmp/dot.png"));
    assert_eq!(row.finished_at, Some(2_000));
    // Declined: no path, bytes gone too.
    let id2 = store.insert_page_file(&file("c2@bob", b"abc")).unwrap().id();
    store
        .finish_page_file(id2, &TransferState::failed("you declined the file"), None, 3_000)
        .unwrap();
    assert_eq!(store.page_file_data(id2).unwrap(), None);
}

#[test]
fn a_file_store_survives_reopening() {
    let (dir, path, mut store) = temp_store();
    let id = store.insert_page_file(&file("c1@bob", b"kept")).unwrap().id();
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(store.page_file_data(id).unwrap().as_deref(), Some(&b"kept"[..]));
    drop(dir);
}
