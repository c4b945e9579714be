#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn the_lock_is_exclusive_and_goes_with_its_holder() {
    let dir = tempfile::tempdir().unwrap();
    let held = try_lock(dir.path()).unwrap().expect("nobody holds it yet");
    assert!(try_lock(dir.path()).unwrap().is_none(), "a second holder");
    drop(held);
    assert!(try_lock(dir.path()).unwrap().is_some(), "released on drop");
}

#[test]
fn a_command_waits_for_the_lock_and_gives_up_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let _held = try_lock(dir.path()).unwrap().unwrap();
    let mut told = 0;
    let started = Instant::now();
    let claimed = claim(dir.path(), Duration::from_millis(600), || told += 1);
    assert!(matches!(claimed, Err(ControlError::Busy(_))), "{claimed:?}");
    assert_eq!(told, 1);
    assert!(started.elapsed() >= Duration::from_millis(600));
}

#[test]
fn without_an_instance_a_command_owns_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let claimed = claim(dir.path(), Duration::from_secs(1), || {}).unwrap();
    assert!(matches!(claimed, Claim::Owner(_)));
    assert!(try_lock(dir.path()).unwrap().is_none());
}

#[test]
fn a_window_request_reaches_the_window_and_listen_refuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let (tx, mut rx) = mpsc::unbounded_channel();
    let server = Server::start(dir.path(), try_lock(dir.path()).unwrap().unwrap(), Some(tx)).unwrap();
    let Claim::Instance(mut connection) = claim(dir.path(), Duration::from_secs(1), || {}).unwrap() else {
        panic!("the instance did not answer");
    };
    connection
        .request(&Request::Open {
            address: "sip:bob@example.org".into(),
        })
        .unwrap();
    assert_eq!(
        connection.next_reply(Duration::from_secs(5)).unwrap(),
        Some(Reply::Ok)
    );
    assert_eq!(
        rx.try_recv().unwrap(),
        WindowRequest::Open("sip:bob@example.org".into())
    );
    assert!(matches!(
        lock_for_instance(dir.path(), || {}),
        Err(ControlError::Running(_))
    ));
    drop(server);
    assert!(!socket_path(dir.path()).exists());

    let listen = Server::start(dir.path(), try_lock(dir.path()).unwrap().unwrap(), None).unwrap();
    let mut connection = Connection::open(dir.path()).unwrap();
    connection.request(&Request::Show).unwrap();
    assert!(matches!(
        connection.next_reply(Duration::from_secs(5)).unwrap(),
        Some(Reply::Error { .. })
    ));
    drop(listen);
}

#[test]
fn malformed_and_overlong_requests_get_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let _server = Server::start(dir.path(), try_lock(dir.path()).unwrap().unwrap(), None).unwrap();
    let long = format!(
        "{{\"op\":\"send\",\"text\":\"{}\"}}\n",
        "x".repeat(MAX_LINE_BYTES as usize)
    );
    for bad in ["delete everything\n", "{\"op\":\"send\"}\n", long.as_str()] {
        let mut connection = Connection::open(dir.path()).unwrap();
        connection.reader.get_mut().write_all(bad.as_bytes()).unwrap();
        match connection.next_reply(Duration::from_secs(5)).unwrap() {
            Some(Reply::Error { .. }) => {}
            other => panic!("{bad:?} answered {other:?}"),
        }
    }
}

#[test]
fn a_stale_socket_file_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    drop(UnixListener::bind(socket_path(dir.path())).unwrap());
    assert!(Connection::open(dir.path()).is_none());
    let _server = Server::start(dir.path(), try_lock(dir.path()).unwrap().unwrap(), None).unwrap();
    assert!(Connection::open(dir.path()).is_some());
}

#[test]
fn steps_and_modes_cross_the_socket_unchanged() {
    for mode in [FileSendMode::Auto, FileSendMode::Session, FileSendMode::PageMode] {
        assert_eq!(mode_named(mode_name(mode)), Some(mode));
    }
    assert_eq!(mode_named("carrier pigeon"), None);
    let account = AccountId("local".into());
    let transfer = crate::model::TransferId(7);
    let events = [
        Event::TransferProgress {
            transfer,
            bytes: 10,
            total: 20,
            rate: 5,
        },
        Event::TransferDone {
            transfer,
            incoming: false,
            path: PathBuf::from("/tmp/a.txt"),
            size: 20,
            sha1: "ab".into(),
            via: crate::runtime::TransferVia::PageMode,
            note: Some("sent as a message".into()),
        },
        Event::TransferFailed {
            transfer,
            reason: "declined by bob".into(),
        },
    ];
    for event in events {
        let step = TransferStep::of(&event, transfer).unwrap();
        let line = serde_json::to_string(&Reply::Transfer { step }).unwrap();
        let Reply::Transfer { step } = serde_json::from_str(&line).unwrap() else {
            panic!("{line}");
        };
        assert_eq!(step.into_event(&account, transfer), event);
    }
    // Another transfer's events are not this one's.
    let other = Event::TransferFailed {
        transfer: crate::model::TransferId(8),
        reason: "x".into(),
    };
    assert_eq!(TransferStep::of(&other, transfer), None);
}

#[test]
fn requests_wait_for_a_runtime_while_the_window_restarts_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let config = crate::config::Config::from_ron(
        r#"(accounts: [], local: (user: "alice", bind: "127.0.0.1", port: 0))"#,
        Path::new("test.ron"),
    )
    .unwrap();
    let options = crate::runtime::RuntimeOptions {
        data_dir: Some(dir.path().to_path_buf()),
        local_port: Some(0),
        ..crate::runtime::RuntimeOptions::default()
    };
    let (tx, _rx) = mpsc::unbounded_channel();
    let server = Server::start(dir.path(), try_lock(dir.path()).unwrap().unwrap(), Some(tx)).unwrap();
    let (old, events) = crate::runtime::Runtime::start(config.clone(), options.clone()).unwrap();
    let _old_events = server.attach(old.clone(), events).unwrap();
    // The restart: detached, the old runtime stops, a new one comes later.
    server.detach();
    old.shutdown();
    let mut connection = Connection::open(dir.path()).unwrap();
    connection.request(&Request::AckAlert { id: 424_242 }).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let (new, events) = crate::runtime::Runtime::start(config, options).unwrap();
    let _new_events = server.attach(new.clone(), events).unwrap();
    // The new runtime answered it (there is no such alert).
    match connection.next_reply(Duration::from_secs(20)).unwrap() {
        Some(Reply::Error { message }) => assert!(message.contains("alert #424242"), "{message}"),
        other => panic!("{other:?}"),
    }
    new.shutdown();
}
