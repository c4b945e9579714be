//! The SIP TCP listener, built so that it cannot be starved.
//!
//! - An accepted connection that carries no complete SIP message for
//!   [`INBOUND_IDLE_LIMIT`] is closed, unless a request that came on it is
//!   still waiting for its final answer (an INVITE the user has not
//!   answered yet is not idle). Partial bytes and CRLF keep-alives do not
//!   count: a peer trickling half a request is closed like a silent one.
//!   A request in progress (either way) keeps the connection open for at
//!   most [`MAX_ANSWER_WAIT`] without a message.
//! - At most [`MAX_CONNECTIONS_PER_ADDRESS`] accepted connections per
//!   remote IP address. A new one over the cap closes the oldest idle
//!   connection of that address (peers behind one NAT share an address,
//!   and a fresh connection is more likely to carry a request than an
//!   idle one); when none of them is idle, the new one is refused.
//! - Running out of file descriptors (EMFILE, ENFILE) never stops the
//!   listener: it closes up to [`SHED_ON_EXHAUSTION`] of the oldest idle
//!   connections, waits [`ACCEPT_BACKOFF`] and accepts again. It says so
//!   once per episode (an episode ends after [`EXHAUSTION_QUIET`] without
//!   running out), not at every try.

use super::stream::{self, StreamOptions};
use super::{Transport, TransportError, TransportEvent};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use tokio::time::Instant;

/// How long an accepted connection may go without a complete SIP message
/// (and without a request waiting for its answer) before it is closed.
pub const INBOUND_IDLE_LIMIT: Duration = Duration::from_secs(30);
/// How long a request in progress keeps a connection open without any
/// message: an INVITE may ring this long before the user answers.
pub const MAX_ANSWER_WAIT: Duration = Duration::from_secs(300);
/// Accepted connections kept open per remote IP address.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 32;
/// Idle connections closed at once when the process runs out of file
/// descriptors.
pub const SHED_ON_EXHAUSTION: usize = 64;
/// Pause before accepting again after running out of file descriptors.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(25);
/// Pause after any other failed accept.
pub const ACCEPT_ERROR_PAUSE: Duration = Duration::from_millis(100);
/// Time without running out of descriptors that ends an episode (the next
/// one is logged again).
pub const EXHAUSTION_QUIET: Duration = Duration::from_secs(10);

/// `errno` values that mean the process or system ran out of descriptors
/// or buffers (Linux: ENOMEM, ENFILE, EMFILE, ENOBUFS): the listening
/// socket is fine, accepting works again once something is closed.
const OUT_OF_RESOURCES: [i32; 4] = [12, 23, 24, 105];

/// What the listener knows about one accepted connection; shared with the
/// connection's reader and writer tasks.
#[derive(Debug)]
pub(crate) struct Liveness {
    /// Requests received that have not had their final answer yet.
    in_progress: AtomicUsize,
    /// When the last complete message went either way.
    last_message: Mutex<Instant>,
    /// Set by the reader when the connection is over.
    ended: AtomicBool,
    /// Asks the connection's tasks to close it.
    pub(crate) close: Notify,
    /// Asks the writer to stop at once (the reader has ended).
    pub(crate) stop_writer: Notify,
}

impl Liveness {
    fn new(now: Instant) -> Self {
        Liveness {
            in_progress: AtomicUsize::new(0),
            last_message: Mutex::new(now),
            ended: AtomicBool::new(false),
            close: Notify::new(),
            stop_writer: Notify::new(),
        }
    }

    fn touch(&self) {
        if let Ok(mut at) = self.last_message.lock() {
            *at = Instant::now();
        }
    }

    fn last_message(&self) -> Instant {
        self.last_message
            .lock()
            .map(|at| *at)
            .unwrap_or_else(|_| Instant::now())
    }

    /// A complete message arrived.
    pub(crate) fn received(&self, bytes: &[u8]) {
        self.touch();
        self.count(bytes);
    }

    /// We wrote `bytes`.
    pub(crate) fn sent(&self, bytes: &[u8]) {
        if bytes.starts_with(b"\r\n") {
            return; // keep-alive
        }
        self.touch();
        self.count(bytes);
    }

    /// A request other than ACK (either way) waits for its answer; a final
    /// answer settles one.
    fn count(&self, bytes: &[u8]) {
        if !bytes.starts_with(b"SIP/") {
            if !bytes.starts_with(b"ACK ") {
                self.in_progress.fetch_add(1, Ordering::Relaxed);
            }
            return;
        }
        let status = bytes.get(8..12).filter(|_| bytes.starts_with(b"SIP/2.0 "));
        let is_final = status.is_some_and(|s| s[0].is_ascii_digit() && s[0] >= b'2' && s[3] == b' ');
        if is_final {
            let _ = self
                .in_progress
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        }
    }

    /// Whether the connection may be closed to make room: no request
    /// waits for its answer, or nothing moved for [`INBOUND_IDLE_LIMIT`].
    fn is_idle(&self) -> bool {
        self.in_progress.load(Ordering::Relaxed) == 0 || self.last_message().elapsed() >= INBOUND_IDLE_LIMIT
    }

    /// When the connection is due to close for idleness, as of now: after
    /// [`INBOUND_IDLE_LIMIT`] without a message, or [`MAX_ANSWER_WAIT`]
    /// while a request waits for its answer (a request that is never
    /// answered, such as garbage the agent drops, does not keep it open).
    pub(crate) fn idle_deadline(&self) -> Instant {
        let wait = if self.in_progress.load(Ordering::Relaxed) == 0 {
            INBOUND_IDLE_LIMIT
        } else {
            MAX_ANSWER_WAIT
        };
        self.last_message() + wait
    }

    /// The reader is done with the connection.
    pub(crate) fn end(&self) {
        self.ended.store(true, Ordering::Relaxed);
        self.stop_writer.notify_one();
    }
}

/// The accepted connections, for the cap and for shedding.
#[derive(Debug, Default)]
struct Registry {
    open: HashMap<super::ConnId, (IpAddr, Arc<Liveness>)>,
}

impl Registry {
    fn forget_ended(&mut self) {
        self.open.retain(|_, (_, l)| !l.ended.load(Ordering::Relaxed));
    }

    /// Closes up to `count` idle connections (of `ip` only, when given),
    /// the longest idle first; how many it asked to close.
    fn shed(&mut self, ip: Option<IpAddr>, count: usize) -> usize {
        let mut idle: Vec<_> = self
            .open
            .iter()
            .filter(|(_, (addr, l))| ip.is_none_or(|ip| *addr == ip) && l.is_idle())
            .map(|(id, (_, l))| (l.last_message(), *id))
            .collect();
        idle.sort();
        let mut closed = 0;
        for (_, id) in idle.into_iter().take(count) {
            if let Some((_, l)) = self.open.remove(&id) {
                l.close.notify_one();
                closed += 1;
            }
        }
        closed
    }

    fn count_from(&self, ip: IpAddr) -> usize {
        self.open.values().filter(|(addr, _)| *addr == ip).count()
    }
}

/// Accepts TCP connections and reports each as [`TransportEvent::Accepted`].
pub async fn listen_tcp(
    addr: SocketAddr,
    events: mpsc::Sender<TransportEvent>,
) -> Result<(SocketAddr, tokio::task::JoinHandle<()>), TransportError> {
    let bind_error = |source| TransportError::Bind {
        addr,
        transport: Transport::Tcp,
        source,
    };
    let listener = super::family::bind_tcp(addr).map_err(bind_error)?;
    let bound = listener.local_addr().map_err(bind_error)?;
    let task = tokio::spawn(accept_loop(listener, bound, events));
    Ok((bound, task))
}

async fn accept_loop(listener: TcpListener, bound: SocketAddr, events: mpsc::Sender<TransportEvent>) {
    let mut registry = Registry::default();
    let mut exhaustion = Exhaustion::new(format!("SIP over TCP on {bound}"));
    loop {
        match listener.accept().await {
            Ok((socket, remote)) => {
                registry.forget_ended();
                exhaustion.accepted();
                let ip = remote.ip();
                if registry.count_from(ip) >= MAX_CONNECTIONS_PER_ADDRESS && registry.shed(Some(ip), 1) == 0 {
                    tracing::debug!(%remote, "refused: {MAX_CONNECTIONS_PER_ADDRESS} busy connections from this address");
                    drop(socket);
                    continue;
                }
                let _ = socket.set_nodelay(true);
                let local = socket.local_addr().unwrap_or(bound);
                let liveness = Arc::new(Liveness::new(Instant::now()));
                let handle = stream::spawn_inbound(
                    socket,
                    Transport::Tcp,
                    remote,
                    local,
                    StreamOptions::default(),
                    events.clone(),
                    liveness.clone(),
                );
                registry.open.insert(handle.id, (ip, liveness));
                if events.send(TransportEvent::Accepted(handle)).await.is_err() {
                    return;
                }
            }
            Err(e) => {
                registry.forget_ended();
                let shed = || registry.shed(None, SHED_ON_EXHAUSTION);
                let pause = exhaustion.failed(&e, shed);
                tokio::time::sleep(pause).await;
            }
        }
    }
}

/// Failed accepts of one listener: running out of descriptors is said once
/// per episode, with what was done about it; other failures each time.
#[derive(Debug)]
pub struct Exhaustion {
    what: String,
    since: Option<Instant>,
    last: Option<Instant>,
    failures: usize,
}

impl Exhaustion {
    /// For the listener named `what` in the log ("MSRP over TCP").
    pub fn new(what: String) -> Self {
        Exhaustion {
            what,
            since: None,
            last: None,
            failures: 0,
        }
    }

    /// An accept succeeded: an episode that has been quiet long enough ends.
    pub fn accepted(&mut self) {
        if self.last.is_some_and(|at| at.elapsed() >= EXHAUSTION_QUIET) {
            let lasted = self.since.map(|s| s.elapsed().as_secs()).unwrap_or_default();
            tracing::info!(
                "{}: accepting normally again after running out of file descriptors for about {lasted} s ({} failed accepts)",
                self.what,
                self.failures
            );
            self.since = None;
            self.last = None;
            self.failures = 0;
        }
    }

    /// An accept failed with `e`; `make_room` closes what can be closed and
    /// says how many. How long to wait before accepting again.
    pub fn failed(&mut self, e: &std::io::Error, make_room: impl FnOnce() -> usize) -> Duration {
        if !e.raw_os_error().is_some_and(|n| OUT_OF_RESOURCES.contains(&n)) {
            tracing::warn!("{}: accept failed: {e}", self.what);
            return ACCEPT_ERROR_PAUSE;
        }
        let closed = make_room();
        let now = Instant::now();
        if self.last.is_none_or(|at| now - at >= EXHAUSTION_QUIET) {
            self.since = Some(now);
            self.failures = 0;
            tracing::warn!(
                "{}: out of file descriptors ({e}); closed {closed} idle connections, accepting again in {} ms",
                self.what,
                ACCEPT_BACKOFF.as_millis()
            );
        } else {
            tracing::debug!(
                "{}: still out of file descriptors; closed {closed} idle connections",
                self.what
            );
        }
        self.failures += 1;
        self.last = Some(now);
        ACCEPT_BACKOFF
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_wait_for_their_final_answer() {
        let l = Liveness::new(Instant::now());
        let quiet = |l: &Liveness| l.idle_deadline() - l.last_message();
        assert!(l.is_idle());
        assert_eq!(quiet(&l), INBOUND_IDLE_LIMIT);
        l.received(b"INVITE sip:bob@example.org SIP/2.0\r\n\r\n");
        assert!(!l.is_idle());
        assert_eq!(quiet(&l), MAX_ANSWER_WAIT);
        l.sent(b"SIP/2.0 180 Ringing\r\n\r\n");
        assert!(!l.is_idle(), "a provisional answer is not the end");
        l.sent(b"SIP/2.0 200 OK\r\n\r\n");
        assert!(l.is_idle());
        l.received(b"ACK sip:bob@example.org SIP/2.0\r\n\r\n");
        assert!(l.is_idle(), "ACK is never answered");
        l.sent(b"SIP/2.0 200 OK\r\n\r\n");
        assert!(l.is_idle(), "a retransmitted 200 does not go below zero");
        // Our own request over the peer's connection waits the same way.
        l.sent(b"MESSAGE sip:alice@example.org SIP/2.0\r\n\r\n");
        assert_eq!(quiet(&l), MAX_ANSWER_WAIT);
        l.received(b"SIP/2.0 486 Busy Here\r\n\r\n");
        assert_eq!(quiet(&l), INBOUND_IDLE_LIMIT);
        // Unanswered for long: may go to make room.
        l.received(b"GARBAGE sip:x SIP/2.0\r\n\r\n");
        assert!(!l.is_idle());
        *l.last_message.lock().unwrap() = Instant::now() - INBOUND_IDLE_LIMIT;
        assert!(l.is_idle());
    }

    #[test]
    fn running_out_is_said_once_per_episode() {
        let mut x = Exhaustion::new("test".into());
        let emfile = std::io::Error::from_raw_os_error(24);
        let mut asked = 0;
        assert_eq!(
            x.failed(&emfile, || {
                asked += 1;
                3
            }),
            ACCEPT_BACKOFF
        );
        let first = x.since;
        assert!(first.is_some());
        x.accepted(); // too soon: the same episode
        assert_eq!(
            x.failed(&emfile, || {
                asked += 1;
                0
            }),
            ACCEPT_BACKOFF
        );
        assert_eq!((x.since, x.failures, asked), (first, 2, 2));
        let other = std::io::Error::from_raw_os_error(103); // ECONNABORTED
        assert_eq!(x.failed(&other, || unreachable!()), ACCEPT_ERROR_PAUSE);
        assert_eq!(x.failures, 2);
    }

    #[test]
    fn shedding_takes_the_longest_idle_of_an_address_first() {
        let start = Instant::now();
        let mut r = Registry::default();
        let a: IpAddr = [127, 0, 0, 2].into();
        let b: IpAddr = [127, 0, 0, 3].into();
        for (id, ip, age) in [(1, a, 5), (2, a, 9), (3, b, 20), (4, a, 1)] {
            let l = Arc::new(Liveness::new(start));
            *l.last_message.lock().unwrap() = start - Duration::from_secs(age);
            r.open.insert(id, (ip, l));
        }
        // 2 is busy: skipped.
        r.open[&2].1.received(b"MESSAGE sip:x SIP/2.0\r\n\r\n");
        assert_eq!(r.shed(Some(a), 1), 1);
        assert!(!r.open.contains_key(&1) && r.open.contains_key(&2));
        assert_eq!(r.count_from(a), 2);
        assert_eq!(r.shed(None, 10), 2, "3 and 4; 2 is busy");
        assert_eq!(r.open.keys().copied().collect::<Vec<_>>(), vec![2]);
        assert_eq!(r.shed(Some(a), 1), 0);
    }
}
