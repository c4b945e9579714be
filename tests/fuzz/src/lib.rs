//! Bodies of the sipchat fuzz targets.
//!
//! Each `pub fn` takes arbitrary bytes, drives one parser or state machine
//! with them, and panics only when it finds a defect: a panic inside sipchat,
//! or a broken property (a message that does not survive its own
//! serialisation, an answer with a line break in it, a 2xx to a malformed
//! request, ...).
//!
//! The fuzz targets in `../fuzz_targets/` are one-line wrappers around these
//! functions. `tests/wire_vectors.rs` includes this file as a module and
//! runs every function over the wire vectors and the fuzz regressions, so the
//! properties are checked on stable Rust by plain `cargo test` too.

/// MSRP, CPIM and IM XML harnesses (also run by `tests/msrp_vectors.rs`).
#[path = "msrp.rs"]
pub mod msrp;
/// PIDF and watcher-info harnesses (also run by `tests/presence_vectors.rs`).
pub mod presence;
/// The SDP harness (also run by `tests/sdp_vectors.rs`).
pub mod sdp;
pub mod vcard;

use sipchat::model::MessageId;
use sipchat::protocol::alert::{self, AlertInput};
use sipchat::protocol::sip::agent::{
    Agent, AgentConfig, AgentEvent, ArrivedFile, Hop, Output, KEEPALIVE_PING,
};
use sipchat::protocol::sip::digest::{self, Credentials, RequestParts};
use sipchat::protocol::sip::disposition;
use sipchat::protocol::sip::message::{MessageError, Method, SipMessage};
use sipchat::protocol::sip::name_addr::{NameAddr, Via};
use sipchat::protocol::sip::transaction::TimerConfig;
use sipchat::protocol::sip::uri::{SipUri, Transport};
use sipchat::transport::framing::{Frame, StreamFramer};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Open bugs the harnesses can step around, so that a fuzzing session can look
/// for further defects. Only active when the environment variable
/// `SIPCHAT_FUZZ_SKIP_KNOWN` is set (`tests/fuzz/run.sh --skip-known`); by
/// default every known bug still crashes, so CI stays red until it is fixed.
/// Each entry names its regression input in `tests/vectors/fuzz-regressions/`.
/// Remove an entry when the bug is fixed.
pub mod known {
    use std::sync::OnceLock;

    fn enabled() -> bool {
        static ON: OnceLock<bool> = OnceLock::new();
        *ON.get_or_init(|| std::env::var_os("SIPCHAT_FUZZ_SKIP_KNOWN").is_some())
    }

    /// `startline-char-boundary*.sip`: `parse_start_line` slices `first[..4]`
    /// and panics when byte 4 of the first token is inside a multi-byte
    /// character.
    pub fn start_line_panics(data: &[u8]) -> bool {
        if !enabled() {
            return false;
        }
        let Some(start) = data.iter().position(|b| *b != b'\r' && *b != b'\n') else {
            return false;
        };
        let line = data[start..].split(|b| *b == b'\n').next().unwrap_or_default();
        let line = String::from_utf8_lossy(line);
        line.split_whitespace()
            .next()
            .is_some_and(|first| first.len() >= 4 && !first.is_char_boundary(4))
    }

    /// `framer-folded-content-length.sip`: the stream framer takes a folded
    /// continuation line ` l: 5` (or ` Content-Length: 5`) for the
    /// Content-Length header, the parser folds it into the previous header.
    pub fn folded_content_length(frame: &[u8]) -> bool {
        enabled()
            && String::from_utf8_lossy(frame).split('\n').any(|line| {
                line.starts_with([' ', '\t'])
                    && line.split_once(':').is_some_and(|(name, _)| {
                        let name = name.trim();
                        name.eq_ignore_ascii_case("content-length") || name.eq_ignore_ascii_case("l")
                    })
            })
    }

    /// `agent-400-warning-*.sip`: the agent's 400 carries
    /// `Warning: 399 sipchat "<error>"` with the offending header value
    /// copied in whole and unescaped.
    pub fn agent_warning(bytes: &[u8]) -> bool {
        enabled() && bytes.windows(22).any(|w| w == b"\r\nWarning: 399 sipchat")
    }

    /// `uri-empty-user-with-password.sip`: `sip::pw@host` parses with
    /// `user: None, password: Some("pw")`, and Display drops the password.
    pub fn uri_password_without_user(uri: &sipchat::protocol::sip::uri::SipUri) -> bool {
        enabled() && uri.user.is_none() && uri.password.is_some()
    }
}

/// `SipMessage::parse`, every accessor, and the serialisation round trip:
/// a message that parses, is written with `to_bytes` and parses again must
/// come back equal. Re-parsing may only fail on a size limit (writing adds
/// `": "` to each header and a Content-Length line).
pub fn sip_message(data: &[u8]) {
    if known::start_line_panics(data) {
        return;
    }
    let Ok(msg) = SipMessage::parse(data) else {
        return;
    };
    exercise_message(&msg);
    let wire = msg.to_bytes();
    match SipMessage::parse(&wire) {
        Ok(again) => assert_eq!(
            again,
            msg,
            "parse(to_bytes(m)) != m; written as {:?}",
            String::from_utf8_lossy(&wire)
        ),
        Err(MessageError::TooLarge(_) | MessageError::HeaderLimits) => {}
        Err(e) => panic!(
            "a parsed message, written back, does not parse: {e}; written as {:?}",
            String::from_utf8_lossy(&wire)
        ),
    }
}

/// Calls every read accessor of a parsed message (they must not panic).
pub fn exercise_message(msg: &SipMessage) {
    let _ = (msg.method(), msg.status(), msg.reason(), msg.request_uri());
    let _ = (msg.is_request(), msg.call_id(), msg.cseq(), msg.content_type());
    let _ = msg.validate_request();
    if let Ok(via) = msg.top_via() {
        let _ = (via.branch(), via.received(), via.rport(), via.known_transport());
        let _ = (via.sent_by(), via.to_string());
    }
    for element in msg.header_list("Via") {
        let _ = Via::parse(element).map(|v| v.to_string());
    }
    for name_addr in [msg.from_header(), msg.to_header()].into_iter().flatten() {
        exercise_name_addr(&name_addr);
    }
    if let Ok(contacts) = msg.contacts() {
        contacts.iter().for_each(exercise_name_addr);
    }
    for name in ["Route", "Record-Route"] {
        for element in msg.header_list(name) {
            if let Ok(n) = NameAddr::parse(element) {
                exercise_name_addr(&n);
            }
        }
    }
    for name in ["WWW-Authenticate", "Proxy-Authenticate"] {
        for value in msg.header_lines(name) {
            digest_value(value);
        }
    }
    let content_type = msg.content_type().unwrap_or_default();
    for value in msg.header_lines("Content-Disposition") {
        disposition_value(value);
        let _ = disposition::page_file(&content_type, Some(value));
    }
}

/// `disposition::parse` on arbitrary text: never panics, and what it reads,
/// printed again, reads back to the same type and file name (when the name
/// has no control characters, which printing drops).
pub fn content_disposition(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    disposition_value(&text);
    let _ = disposition::page_file("application/octet-stream", Some(&text));
}

fn disposition_value(value: &str) {
    let Ok(d) = disposition::parse(value) else {
        return;
    };
    let printed = d.to_header_value();
    assert!(
        !printed.contains(['\r', '\n', '\0']),
        "a printed Content-Disposition holds a line break or NUL: {printed:?}"
    );
    if printed.len() > disposition::MAX_DISPOSITION_BYTES
        || d.filename
            .as_deref()
            .is_some_and(|n| n.chars().any(char::is_control))
    {
        return;
    }
    let again = disposition::parse(&printed)
        .unwrap_or_else(|e| panic!("printed {printed:?} from {value:?} does not read back: {e}"));
    assert_eq!(again.kind, d.kind, "{value:?} -> {printed:?}");
    assert_eq!(again.filename, d.filename, "{value:?} -> {printed:?}");
}

fn exercise_name_addr(n: &NameAddr) {
    let _ = (n.tag(), n.param("expires"), n.to_string());
    if let Ok(uri) = n.sip_uri() {
        exercise_uri(&uri);
    }
}

fn exercise_uri(uri: &SipUri) {
    let _ = (uri.transport(), uri.port_or_default(), uri.host_for_lookup());
    let _ = (uri.aor().to_string(), uri.transport_param());
}

const CREDS: Credentials<'static> = Credentials {
    username: "alice",
    password: "correct horse",
};

/// `digest::parse_challenges` on arbitrary text, then `choose_strongest` and
/// `authorization_value` for every usable challenge. The answer must never
/// hold CR, LF or NUL (it becomes a header line), and read back with the
/// same lexer it must give the realm, nonce and opaque it answers.
pub fn digest_challenge(data: &[u8]) {
    digest_value(&String::from_utf8_lossy(data));
}

fn digest_value(value: &str) {
    let Ok(challenges) = digest::parse_challenges(value) else {
        return;
    };
    assert!(!challenges.is_empty(), "Ok with no challenge for {value:?}");
    assert!(digest::choose_strongest(&challenges).is_some());
    let req = RequestParts {
        method: "REGISTER",
        uri: "sip:sipchat.test",
        body: b"",
    };
    for c in &challenges {
        assert!(!c.nonce.is_empty(), "empty nonce accepted from {value:?}");
        let answer = digest::authorization_value(c, &CREDS, &req, "0a4f113b", 1);
        assert!(
            !answer.contains(['\r', '\n', '\0']),
            "line break or NUL in the answer {answer:?} to {value:?}"
        );
        let plain = |s: &str| !s.contains(['\r', '\n', '\0']);
        if answer.len() <= digest::MAX_CHALLENGE_LEN
            && plain(&c.realm)
            && plain(&c.nonce)
            && c.opaque.as_deref().is_none_or(plain)
        {
            let back = match digest::parse_challenges(&answer) {
                Ok(back) => back,
                Err(e) => panic!("our answer {answer:?} does not read back: {e}"),
            };
            assert_eq!(back.len(), 1, "answer {answer:?} reads as several challenges");
            assert_eq!(
                (&back[0].realm, &back[0].nonce, &back[0].opaque),
                (&c.realm, &c.nonce, &c.opaque),
                "quoting changed a value in {answer:?}"
            );
        }
    }
}

/// Pushes the input into a `StreamFramer` in chunks (sizes taken from the
/// first byte) and drains frames. Every byte pushed is either in a frame or
/// still buffered, and each message frame holds exactly one message: the
/// parser's body for it is everything after the parser's end of headers (a
/// framer that disagrees with the parser about where a message ends makes a
/// TCP connection lose sync).
pub fn stream_framer(data: &[u8]) {
    let Some((&seed, rest)) = data.split_first() else {
        return;
    };
    let mut framer = StreamFramer::new();
    let (mut fed, mut out) = (0usize, 0usize);
    let mut size = 1usize;
    let mut offset = 0;
    while offset < rest.len() {
        // Chunk sizes cycle through 1..=seed+1, so one input covers both
        // byte-by-byte delivery and large reads.
        let end = (offset + size).min(rest.len());
        framer.push(&rest[offset..end]);
        fed += end - offset;
        offset = end;
        size = size % (usize::from(seed) + 1) + 1;
        loop {
            match framer.next_frame() {
                Ok(Some(Frame::Message(m))) => {
                    out += m.len();
                    check_frame(&m);
                }
                Ok(Some(Frame::Ping)) => out += 4,
                Ok(Some(Frame::Pong)) => out += 2,
                Ok(None) => break,
                Err(_) => return, // the connection would be closed
            }
            assert_eq!(out + framer.buffered(), fed, "framer lost or invented bytes");
        }
    }
}

/// Where `SipMessage::parse` sees the body start: after leading CR/LF, at
/// the first empty line (CRLF or bare LF). Mirrors message.rs.
fn parser_body_start(frame: &[u8]) -> Option<usize> {
    let start = frame.iter().position(|b| *b != b'\r' && *b != b'\n')?;
    let bytes = &frame[start..];
    (0..bytes.len()).find_map(|i| {
        if bytes[i] != b'\n' {
            None
        } else if bytes[i + 1..].starts_with(b"\r\n") {
            Some(start + i + 3)
        } else if bytes[i + 1..].starts_with(b"\n") {
            Some(start + i + 2)
        } else {
            None
        }
    })
}

fn check_frame(frame: &[u8]) {
    assert!(!frame.is_empty(), "empty message frame");
    if known::start_line_panics(frame) || known::folded_content_length(frame) {
        return;
    }
    let Ok(msg) = SipMessage::parse(frame) else {
        return; // garbage is the endpoint's to drop
    };
    exercise_message(&msg);
    if let Some(body_start) = parser_body_start(frame) {
        assert_eq!(
            msg.body.len(),
            frame.len() - body_start,
            "framer and parser disagree on the message length of {:?}",
            String::from_utf8_lossy(frame)
        );
    }
}

/// `SipUri::parse` and the Display round trip: a URI that parses must be
/// written so that it parses back equal.
pub fn sip_uri(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = SipUri::parse(text) else {
        return;
    };
    exercise_uri(&uri);
    if known::uri_password_without_user(&uri) {
        return;
    }
    let shown = uri.to_string();
    match SipUri::parse(&shown) {
        Ok(again) => assert_eq!(again, uri, "{text:?} is written as {shown:?}"),
        Err(e) => panic!("{text:?} parses, but is written as {shown:?}, which does not: {e}"),
    }
}

const LOCAL: &str = "192.0.2.10:5060";
const REMOTE: &str = "192.0.2.20:5060";

fn addr(s: &str) -> SocketAddr {
    match s.parse() {
        Ok(a) => a,
        Err(e) => panic!("{s}: {e}"),
    }
}

fn agent_config() -> AgentConfig {
    let parse = |s: &str| match SipUri::parse(s) {
        Ok(u) => u,
        Err(e) => panic!("{s}: {e}"),
    };
    AgentConfig {
        account: "fuzz".into(),
        aor: parse("sip:alice@sipchat.test"),
        display_name: Some("Alice".into()),
        auth_user: "alice".into(),
        password: Some("correct horse".into()),
        registrar: Some(parse("sip:sipchat.test")),
        route: None,
        expires: 600,
        timers: TimerConfig::default(),
        listen_port: None,
    }
}

/// What the agent did with one input: everything it transmitted, parsed.
#[derive(Debug, Default)]
pub struct AgentRun {
    /// Responses the agent sent to the input packet itself (first delivery).
    pub answers: Vec<SipMessage>,
    /// Every packet the agent transmitted during the run.
    pub sent: Vec<SipMessage>,
    /// Files that arrived in MESSAGEs (page-mode files).
    pub arrived_files: Vec<ArrivedFile>,
}

/// Feeds arbitrary bytes to an `Agent` as a received packet, on virtual time,
/// over UDP and over TCP. The agent first registers and sends a MESSAGE, so
/// client transactions are open; when the input parses as a response it is
/// also delivered with the Via, Call-ID, CSeq and From of each of those
/// requests grafted on, which drives the 401/407, 2xx and failure paths with
/// fuzzed status codes and headers. A request is delivered twice (the second
/// time as a retransmission). Then timers run for five virtual minutes.
///
/// STUN (RFC 5389) Binding messages: arbitrary bytes through the parser,
/// and a request we build from them (transaction id and SOFTWARE) back
/// through it. Checked: nothing panics; whatever parses looks like STUN;
/// our own request parses as itself with its FINGERPRINT.
pub fn stun_message(data: &[u8]) {
    use sipchat::protocol::stun;
    if let Ok(message) = stun::parse(data) {
        assert!(
            stun::looks_like_stun(data),
            "parsed without looking like STUN: {data:?}"
        );
        assert!(data.len() <= stun::MAX_STUN_MESSAGE_BYTES);
        let _ = (message.mapped, message.error_code, message.software);
    }
    let mut transaction = [0u8; 12];
    for (slot, byte) in transaction.iter_mut().zip(data) {
        *slot = *byte;
    }
    let software = String::from_utf8_lossy(data.get(12..).unwrap_or_default());
    let request = stun::binding_request(transaction, &software);
    let parsed =
        stun::parse(&request).unwrap_or_else(|e| panic!("our own request does not parse ({e}): {request:?}"));
    assert_eq!(parsed.kind, stun::StunKind::Request);
    assert_eq!(parsed.transaction, transaction);
    assert!(parsed.fingerprinted);
}

/// Checked: nothing panics; everything the agent transmits parses; a request
/// that fails `validate_request` never gets a 2xx; every Warning header the
/// agent sends is well formed.
pub fn agent_packet(data: &[u8]) {
    if known::start_line_panics(data) {
        return;
    }
    for transport in [Transport::Udp, Transport::Tcp] {
        let run = run_agent(data, transport);
        for m in &run.sent {
            for warning in m.header_lines("Warning") {
                if !known::agent_warning(format!("\r\nWarning: {warning}").as_bytes()) {
                    check_warning(warning);
                }
            }
        }
    }
}

/// One agent run over `transport`; see [`agent_packet`].
pub fn run_agent(data: &[u8], transport: Transport) -> AgentRun {
    let hop = Hop {
        transport,
        remote: addr(REMOTE),
        local: addr(LOCAL),
        conn: transport.is_reliable().then_some(1),
    };
    let t0 = Instant::now();
    let mut config = agent_config();
    // The agent is the addressee: a MESSAGE to anyone else is answered 404
    // ([`run_agent_as_harness`] keeps the harness's own address).
    let target = SipMessage::parse(data)
        .ok()
        .filter(|m| m.method() == Some(Method::Message))
        .and_then(|m| m.request_uri().and_then(|u| SipUri::parse(u).ok()));
    if let Some(target) = target.filter(|t| t.user.is_some()) {
        config.aor = target.aor();
    }
    run_agent_with(data, config, hop, t0)
}

/// Like [`run_agent`], with the agent's own address kept whatever the
/// packet's Request-URI says.
pub fn run_agent_as_harness(data: &[u8], transport: Transport) -> AgentRun {
    let hop = Hop {
        transport,
        remote: addr(REMOTE),
        local: addr(LOCAL),
        conn: transport.is_reliable().then_some(1),
    };
    run_agent_with(data, agent_config(), hop, Instant::now())
}

fn run_agent_with(data: &[u8], config: AgentConfig, hop: Hop, t0: Instant) -> AgentRun {
    let mut agent = Agent::new(config, 7);
    let mut run = AgentRun::default();
    agent.register(hop, t0);
    agent.send_message(MessageId(1), "sip:bob@sipchat.test", "hello", hop, t0);
    let ours: Vec<SipMessage> = drain(&mut agent, &mut run, t0)
        .into_iter()
        .filter(SipMessage::is_request)
        .collect();

    agent.handle_packet(data, hop, t0);
    run.answers = drain(&mut agent, &mut run, t0);
    if let Ok(incoming) = SipMessage::parse(data) {
        if incoming.is_request() {
            if incoming.validate_request().is_err() {
                for answer in &run.answers {
                    let code = answer.status().unwrap_or(0);
                    assert!(
                        !(200..300).contains(&code),
                        "{code} for a request that fails validation: {:?}",
                        String::from_utf8_lossy(data)
                    );
                }
            }
            let t1 = t0 + Duration::from_millis(100);
            agent.handle_packet(data, hop, t1);
            drain(&mut agent, &mut run, t1);
        } else {
            for request in &ours {
                let mut graft = incoming.clone();
                graft.remove_header("Via");
                for via in request.header_lines("Via") {
                    graft.push_header("Via", via);
                }
                for name in ["Call-ID", "CSeq", "From"] {
                    if let Some(v) = request.header(name) {
                        graft.set_header(name, v);
                    }
                }
                agent.handle_packet(&graft.to_bytes(), hop, t0);
                drain(&mut agent, &mut run, t0);
            }
        }
    }

    let end = t0 + Duration::from_secs(300);
    let mut now = t0;
    for _ in 0..200 {
        match agent.poll_timeout() {
            Some(at) if at <= end => {
                now = now.max(at);
                agent.handle_timeout(now);
                drain(&mut agent, &mut run, now);
            }
            _ => break,
        }
    }
    run
}

/// Takes every output of the agent; answers arrived MESSAGEs as stored.
/// Returns the packets transmitted by this call, parsed.
fn drain(agent: &mut Agent, run: &mut AgentRun, now: Instant) -> Vec<SipMessage> {
    let mut sent = Vec::new();
    while let Some(output) = agent.poll_output() {
        match output {
            // A keep-alive (RFC 5626 double CRLF) is not a SIP message.
            Output::Transmit { bytes, .. } if bytes == KEEPALIVE_PING => {}
            Output::Transmit { bytes, .. } => match SipMessage::parse(&bytes) {
                Ok(m) => sent.push(m),
                Err(_) if known::agent_warning(&bytes) => {}
                Err(e) => panic!(
                    "the agent transmitted a packet it cannot parse itself ({e}): {:?}",
                    String::from_utf8_lossy(&bytes)
                ),
            },
            Output::Event(AgentEvent::MessageArrived { token, message }) => {
                if let Some(file) = message.file {
                    assert!(message.body.is_empty(), "a file MESSAGE also handed over as text");
                    run.arrived_files.push(*file);
                }
                agent.answer_incoming(token, true, now);
            }
            Output::Event(_) => {}
        }
    }
    run.sent.extend(sent.iter().cloned());
    sent
}

/// A Warning value we send must follow RFC 3261 20.43:
/// `warn-code SP warn-agent SP warn-text`, warn-text a quoted-string (inner
/// `"` and `\` escaped).
fn check_warning(value: &str) {
    let mut parts = value.splitn(3, ' ');
    let (code, agent, text) = (parts.next(), parts.next(), parts.next());
    let well_formed = code.is_some_and(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
        && agent.is_some_and(|a| !a.is_empty())
        && text.is_some_and(is_quoted_string);
    assert!(
        well_formed,
        "malformed Warning header in our own message: {value:?}"
    );
}

fn is_quoted_string(text: &str) -> bool {
    let Some(inner) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
        return false;
    };
    let mut escaped = false;
    for c in inner.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            return false;
        }
    }
    !escaped
}

/// Emergency alert classification, the multipart reader and the CAP 1.2
/// reader on arbitrary bytes. The first byte picks how the rest is offered
/// (CAP body, multipart with a boundary found in the input, or plain text
/// with an alert Subject). Properties: a claim always names what made it
/// one; a parsed CAP document has every required field; the
/// `AlertMsg-Error` value is one header line starting with a 3-digit code.
pub fn alert_body(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let body = String::from_utf8_lossy(rest);
    let boundary: String = body
        .lines()
        .find_map(|l| l.strip_prefix("--"))
        .map(|b| b.trim_end_matches('-').chars().take(80).collect())
        .unwrap_or_else(|| "b".into());
    let content_type = match mode % 3 {
        0 => alert::CAP_MEDIA_TYPE.to_string(),
        1 => format!("multipart/mixed; boundary=\"{boundary}\""),
        _ => "text/plain".to_string(),
    };
    let subject = (mode & 0x80 != 0).then_some("emergency ALERT");
    let claim = alert::classify(&AlertInput {
        content_type: &content_type,
        subject,
        priority: None,
        body: &body,
    });
    if let Some(claim) = &claim {
        assert!(!claim.triggers.is_empty(), "a claim without a trigger");
        if let Some(cap) = &claim.cap {
            check_cap(cap);
        }
        if let Some(e) = &claim.error {
            check_alert_msg_error(&e.alert_msg_error());
        }
    } else {
        assert!(subject.is_none(), "the Subject alone makes an alert");
    }
    match alert::parse_cap(&body) {
        Ok(cap) => check_cap(&cap),
        Err(e) => check_alert_msg_error(&e.alert_msg_error()),
    }
    if let Ok(parts) = alert::parse_multipart(&body, &boundary) {
        assert!(parts.len() <= alert::MAX_PARTS);
    }
}

fn check_cap(cap: &sipchat::model::CapAlert) {
    for field in [
        &cap.identifier,
        &cap.sender,
        &cap.sent,
        &cap.status,
        &cap.msg_type,
        &cap.scope,
    ] {
        assert!(
            !field.is_empty(),
            "a parsed CAP alert misses a required field: {cap:?}"
        );
    }
    assert!(cap.infos.len() <= alert::MAX_INFOS);
    for info in &cap.infos {
        assert!(!info.event.is_empty() && !info.severity.is_empty(), "{info:?}");
        assert!(info.areas.len() <= alert::MAX_AREAS);
    }
}

fn check_alert_msg_error(value: &str) {
    assert!(
        !value.contains(['\r', '\n', '\0']),
        "AlertMsg-Error is not one line: {value:?}"
    );
    let code = value.get(..3).unwrap_or_default();
    assert!(
        code.bytes().all(|b| b.is_ascii_digit()) && code.len() == 3,
        "{value:?}"
    );
}
