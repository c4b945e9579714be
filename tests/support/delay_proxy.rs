//! A network with a round trip, for relay measurements and tests (issue
//! 19): this program runs again in a network namespace of its own (its own
//! loopback, so nothing else on the machine is touched), and an nftables
//! rule sends every TCP connection to a loopback address through a proxy
//! that passes each byte on after a fixed delay, optionally at a limited
//! rate.
//!
//! ```text
//!   client --(delay)--> Kamailio's relay port       one way: round_trip / 4
//!   client --(delay)--> another client's listener   one way: round_trip / 2
//! ```
//!
//! So a chat through the relay (two connections, one each side) and a
//! direct one (one connection) see the same round trip. UDP (SIP) is not
//! delayed. The kernel here has no `netem`, hence the proxy.
//!
//! With a download rate ([`Paths::download`]) every byte that reaches a
//! client passes its download link at that rate: from the relay toward a
//! client, and both ways between two clients (each way is the download of
//! the client it goes to), so direct and relayed paths have the same
//! bottleneck.
//!
//! Include with `#[path = "support/delay_proxy.rs"] mod delay_proxy;`.
//! Call [`isolate_network`] first thing in `main`, then
//! [`DelayProxy::start`]. Needs root, `unshare`, `ip` and `nft`.
//!
//! Dependencies: tokio, socket2 (its `all` feature, which tokio turns on).

#![allow(dead_code)]

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Command;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

/// The mark on the proxy's own connections, which the redirect skips.
const PROXY_MARK: u32 = 0x5c19;
/// The nftables table the redirect lives in.
const TABLE: &str = "sipchat_delay";
/// Most bytes one read takes.
const READ_BYTES: usize = 64 * 1024;
/// Reads held between reading and writing on, per direction: what a
/// router on the path buffers (64 x 64 KiB = 4 MiB).
const HELD_READS: usize = 64;
/// Reads held when the direction is rate-limited: a slow link with a
/// small buffer, so the sender's socket fills.
const HELD_READS_LIMITED: usize = 2;
/// The receive buffer toward the relay on a rate-limited link.
const LIMITED_RECEIVE_BUFFER: u32 = 16 * 1024;

/// The variable that marks the process as running in its own namespace.
const ISOLATED: &str = "SIPCHAT_OWN_NETWORK";

/// Where this process stands after [`isolate_network`].
pub enum Isolation {
    /// In a network namespace of its own, loopback up: carry on.
    Inside,
    /// A copy of this process ran in one with the same arguments and
    /// exited with this code: exit with it.
    Ran(i32),
    /// Not possible here (not root, no `unshare` or `ip`), said why.
    Unavailable,
}

/// Runs this program again in a new network namespace (`unshare --net`)
/// with the same arguments, or, in that copy, brings loopback up.
pub fn isolate_network() -> Isolation {
    if std::env::var_os(ISOLATED).is_some() {
        let up = Command::new("ip").args(["link", "set", "lo", "up"]).status();
        if !up.as_ref().is_ok_and(|s| s.success()) {
            eprintln!("delay_proxy: cannot bring loopback up ({up:?})");
            return Isolation::Unavailable;
        }
        return Isolation::Inside;
    }
    let Ok(me) = std::env::current_exe() else {
        return Isolation::Unavailable;
    };
    let status = Command::new("unshare")
        .arg("--net")
        .arg("--")
        .arg(me)
        .args(std::env::args_os().skip(1))
        .env(ISOLATED, "1")
        .status();
    match status {
        Ok(s) => Isolation::Ran(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("delay_proxy: unshare: {e}");
            Isolation::Unavailable
        }
    }
}

/// For a test: runs this test binary again in a new network namespace with
/// only the test `name` (`--exact`), or, in that copy, brings loopback up.
pub fn isolate_test(name: &str) -> Isolation {
    if std::env::var_os(ISOLATED).is_some() {
        return isolate_network();
    }
    let Ok(me) = std::env::current_exe() else {
        return Isolation::Unavailable;
    };
    let status = Command::new("unshare")
        .arg("--net")
        .arg("--")
        .arg(me)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(ISOLATED, "1")
        .status();
    match status {
        Ok(s) => Isolation::Ran(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("delay_proxy: unshare: {e}");
            Isolation::Unavailable
        }
    }
}

/// How a proxied connection behaves.
#[derive(Clone, Debug)]
pub struct Paths {
    /// The round trip between two clients, either way.
    pub round_trip: Duration,
    /// The relays' ports (connections to them are one half of the path).
    pub relay_ports: Vec<u16>,
    /// Bytes per second toward each client (its download link), `None`
    /// for no limit.
    pub download: Option<f64>,
}

/// The running proxy; the redirect is removed on drop (the namespace goes
/// with the process).
pub struct DelayProxy {
    pub port: u16,
    _thread: std::thread::JoinHandle<()>,
}

impl DelayProxy {
    /// Starts the proxy and the redirect of every TCP connection to
    /// 127.0.0.0/8 through it.
    pub fn start(paths: Paths) -> DelayProxy {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("proxy listener");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("proxy address").port();
        let rules = format!(
            "table ip {TABLE} {{\n chain output {{\n  type nat hook output priority -100; policy accept;\n  \
             meta mark {PROXY_MARK} return\n  ip daddr 127.0.0.0/8 tcp dport {port} return\n  \
             ip daddr 127.0.0.0/8 meta l4proto tcp dnat to 127.0.0.1:{port}\n }}\n}}\n"
        );
        let mut nft = Command::new("nft")
            .args(["-f", "-"])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("nft");
        std::io::Write::write_all(nft.stdin.as_mut().expect("nft stdin"), rules.as_bytes())
            .expect("nft rules");
        drop(nft.stdin.take());
        assert!(nft.wait().expect("nft").success(), "nft refused:\n{rules}");
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("proxy runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(listener).expect("tokio listener");
                while let Ok((client, _)) = listener.accept().await {
                    let paths = paths.clone();
                    tokio::spawn(async move {
                        if let Err(e) = carry(client, paths).await {
                            eprintln!("delay_proxy: {e}");
                        }
                    });
                }
            });
        });
        DelayProxy {
            port,
            _thread: thread,
        }
    }
}

impl Drop for DelayProxy {
    fn drop(&mut self) {
        let _ = Command::new("nft")
            .args(["delete", "table", "ip", TABLE])
            .status();
    }
}

/// Where the client meant to connect before the redirect.
fn original_destination(stream: &TcpStream) -> std::io::Result<SocketAddr> {
    socket2::SockRef::from(stream)
        .original_dst_v4()?
        .as_socket()
        .ok_or_else(|| std::io::Error::other("no IPv4 original destination"))
}

async fn carry(client: TcpStream, paths: Paths) -> std::io::Result<()> {
    let target = original_destination(&client)?;
    let socket = TcpSocket::new_v4()?;
    socket2::SockRef::from(&socket).set_mark(PROXY_MARK)?;
    let to_relay = paths.relay_ports.contains(&target.port());
    // Toward the relay is the client's upload (not limited); between two
    // clients each way is a download.
    let upload = if to_relay { None } else { paths.download };
    let download = paths.download;
    if to_relay && download.is_some() {
        // A slow link buffers little: the relay's socket fills soon, and
        // then its own queue.
        socket.set_recv_buffer_size(LIMITED_RECEIVE_BUFFER)?;
    }
    let server = socket.connect(target).await?;
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let one_way = if to_relay {
        paths.round_trip / 4
    } else {
        paths.round_trip / 2
    };
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    let up = tokio::spawn(pipe(client_read, server_write, one_way, upload));
    let down = tokio::spawn(pipe(server_read, client_write, one_way, download));
    let _ = up.await;
    let _ = down.await;
    Ok(())
}

/// Passes what `from` says on to `to`, each read `delay` after it came,
/// at most `rate` bytes per second.
async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    rate: Option<f64>,
) {
    let held = if rate.is_some() {
        HELD_READS_LIMITED
    } else {
        HELD_READS
    };
    let (tx, mut rx) = mpsc::channel::<(Instant, Vec<u8>)>(held);
    let reader = tokio::spawn(async move {
        let mut buf = vec![0u8; READ_BYTES];
        loop {
            match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    // The proxy's own delayed ACKs would hold back senders
                    // that use Nagle's algorithm; the path's delay is the
                    // one below.
                    let _ = socket2::SockRef::from(from.as_ref()).set_tcp_quickack(true);
                    if tx
                        .send((Instant::now() + delay, buf[..n].to_vec()))
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
    });
    let mut free_at = Instant::now();
    while let Some((due, bytes)) = rx.recv().await {
        tokio::time::sleep_until(due).await;
        if let Some(rate) = rate {
            let now = Instant::now();
            free_at = free_at.max(now) + Duration::from_secs_f64(bytes.len() as f64 / rate);
            tokio::time::sleep_until(free_at).await;
        }
        if to.write_all(&bytes).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
    reader.abort();
}
