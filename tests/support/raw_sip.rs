//! A hand-written SIP peer for tests: sends one MESSAGE (or INVITE) from a
//! port of its choice over UDP or TCP and reads the final answer, so a test
//! controls exactly which address and port a request comes from.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// How long to wait for a final answer.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(20);

/// One MESSAGE from `from_user@127.0.0.1:local_port` to our `to_port`.
pub fn message(
    transport: &str,
    from_user: &str,
    local_port: u16,
    to_port: u16,
    call_id: &str,
    body: &str,
) -> String {
    format!(
        "MESSAGE sip:alice@127.0.0.1:{to_port} SIP/2.0\r\n\
         Via: SIP/2.0/{transport} 127.0.0.1:{local_port};branch=z9hG4bK{call_id};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:{from_user}@127.0.0.1:{local_port}>;tag=t{call_id}\r\n\
         To: <sip:alice@127.0.0.1:{to_port}>\r\n\
         Call-ID: {call_id}\r\n\
         CSeq: 1 MESSAGE\r\n\
         Content-Type: text/plain\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// The status code of the first final answer in `text`, if any.
fn final_code(text: &str) -> Option<u16> {
    text.split("SIP/2.0 ")
        .skip(1)
        .filter_map(|rest| rest.get(..3)?.parse::<u16>().ok())
        .find(|code| *code >= 200)
}

/// Sends `request` over UDP from `socket` and returns the final answer's code.
pub fn send_udp(socket: &UdpSocket, to_port: u16, request: &str) -> u16 {
    socket
        .send_to(request.as_bytes(), ("127.0.0.1", to_port))
        .unwrap();
    socket.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let deadline = Instant::now() + ANSWER_TIMEOUT;
    let mut buf = [0u8; 65536];
    while Instant::now() < deadline {
        if let Ok(n) = socket.recv(&mut buf) {
            if let Some(code) = final_code(&String::from_utf8_lossy(&buf[..n])) {
                return code;
            }
        }
    }
    panic!("no final answer over UDP to {request}");
}

/// Sends `request` over a TCP connection and returns the final answer's code.
pub fn send_tcp(stream: &mut TcpStream, request: &str) -> u16 {
    stream.write_all(request.as_bytes()).unwrap();
    stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
    let deadline = Instant::now() + ANSWER_TIMEOUT;
    let mut seen = String::new();
    let mut buf = [0u8; 65536];
    while Instant::now() < deadline {
        if let Ok(n) = stream.read(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
            if let Some(code) = final_code(&seen) {
                return code;
            }
        }
    }
    panic!("no final answer over TCP to {request}; got {seen}");
}

/// A TCP connection to `port` from a port the system picks; with the port.
pub fn connect_tcp(port: u16) -> (TcpStream, u16) {
    let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let local = stream.local_addr().unwrap().port();
    (stream, local)
}
