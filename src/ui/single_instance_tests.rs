#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use tokio::sync::mpsc::UnboundedReceiver;

fn first(claim: Claim) -> Listener {
    match claim {
        Claim::First(Some(listener)) => listener,
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
    let listener = first(claim(dir.path(), &InstanceRequest::Show).unwrap());
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
    drop(UnixListener::bind(socket_path(dir.path())).unwrap());
    assert!(socket_path(dir.path()).exists());
    let listener = first(claim(dir.path(), &InstanceRequest::Show).unwrap());
    let mut receiver = None;
    let open = InstanceRequest::Open("sip:carol@example.org".into());
    assert!(matches!(claim(dir.path(), &open).unwrap(), Claim::Forwarded));
    assert_eq!(next_request(&listener, &mut receiver), open);
}

#[test]
fn the_socket_goes_with_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let listener = first(claim(dir.path(), &InstanceRequest::Show).unwrap());
    assert!(socket_path(dir.path()).exists());
    drop(listener);
    assert!(!socket_path(dir.path()).exists());
}

#[test]
fn malformed_requests_are_refused_and_do_not_reach_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let listener = first(claim(dir.path(), &InstanceRequest::Show).unwrap());
    let mut receiver = None;
    for bad in ["open \n", "delete everything\n", "open sip:a@b\u{7}c\n"] {
        let mut stream = UnixStream::connect(socket_path(dir.path())).unwrap();
        stream.write_all(bad.as_bytes()).unwrap();
        let mut answer = String::new();
        BufReader::new(stream).read_line(&mut answer).unwrap();
        assert_eq!(answer, "error\n", "for {bad:?}");
    }
    // An endless line is cut at the limit and refused too.
    let mut stream = UnixStream::connect(socket_path(dir.path())).unwrap();
    let long = format!("open sip:{}@b\n", "a".repeat(MAX_REQUEST_BYTES as usize * 2));
    let _ = stream.write_all(long.as_bytes());
    let mut answer = String::new();
    let _ = BufReader::new(stream).read_line(&mut answer);
    assert_ne!(answer, "ok\n");
    // The window still takes good requests afterwards.
    let open = InstanceRequest::Open("sip:dave@example.org".into());
    assert!(matches!(claim(dir.path(), &open).unwrap(), Claim::Forwarded));
    assert_eq!(next_request(&listener, &mut receiver), open);
}

#[test]
fn request_lines_round_trip() {
    for request in [
        InstanceRequest::Show,
        InstanceRequest::Open("sips:bob@example.org".into()),
    ] {
        assert_eq!(InstanceRequest::parse(&request.to_line()), Some(request));
    }
}
