#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

fn first(dir: &Path) -> Listener {
    match claim(dir, &InstanceRequest::Show).unwrap() {
        Claim::First(lock) => Listener::start(dir, lock).unwrap(),
        other => panic!("expected to be the first window, got {other:?}"),
    }
}

fn next_request(
    listener: &Listener,
    receiver: &mut Option<UnboundedReceiver<InstanceRequest>>,
) -> InstanceRequest {
    let receiver = receiver.get_or_insert_with(|| listener.requests.take().unwrap());
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(request) = receiver.try_recv() {
            return request;
        }
        assert!(std::time::Instant::now() < deadline, "no request arrived");
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn a_second_start_hands_its_address_to_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let listener = first(dir.path());
    let mut receiver = None;

    let open = InstanceRequest::Open("sip:bob@example.org".into());
    assert!(matches!(claim(dir.path(), &open).unwrap(), Claim::Forwarded));
    assert_eq!(next_request(&listener, &mut receiver), open);

    assert!(matches!(
        claim(dir.path(), &InstanceRequest::Show).unwrap(),
        Claim::Forwarded
    ));
    assert_eq!(next_request(&listener, &mut receiver), InstanceRequest::Show);
}

#[test]
fn a_socket_left_behind_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    // A socket file with nobody listening, as a crashed window leaves it.
    drop(std::os::unix::net::UnixListener::bind(control::socket_path(dir.path())).unwrap());
    assert!(control::socket_path(dir.path()).exists());
    let listener = first(dir.path());
    let mut receiver = None;
    let open = InstanceRequest::Open("sip:carol@example.org".into());
    assert!(matches!(claim(dir.path(), &open).unwrap(), Claim::Forwarded));
    assert_eq!(next_request(&listener, &mut receiver), open);
}

#[test]
fn the_socket_and_the_lock_go_with_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let listener = first(dir.path());
    assert!(control::socket_path(dir.path()).exists());
    assert!(
        control::try_lock(dir.path()).unwrap().is_none(),
        "the window holds the lock"
    );
    drop(listener);
    assert!(!control::socket_path(dir.path()).exists());
    assert!(control::try_lock(dir.path()).unwrap().is_some());
}

#[test]
fn a_window_does_not_start_beside_a_listen() {
    let dir = tempfile::tempdir().unwrap();
    // `listen`: an instance without a window.
    let lock = control::try_lock(dir.path()).unwrap().unwrap();
    let _listen = Server::start(dir.path(), lock, None).unwrap();
    let error = claim(dir.path(), &InstanceRequest::Show).unwrap_err();
    let words = error.to_string();
    assert!(matches!(error, InstanceError::NoWindow { .. }), "{words}");
    assert!(words.contains("sipchat listen"), "{words}");
}
