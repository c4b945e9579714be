//! Benchmark (not a test, not run in CI): durable page-mode receive at wire
//! speed, side by side with SIPp as the reference receiver.
//!
//! `cargo bench --no-default-features --bench wire_speed [-- COUNT [ROUNDS]]`
//!
//! To compare with an older build in the same run, and to run only some
//! loads (a part of a load's name):
//!
//! ```text
//! cp target/release/sipchat /tmp/sipchat-before     # built from the older tree
//! WIRE_SPEED_BASELINE=/tmp/sipchat-before cargo bench --no-default-features --bench wire_speed
//! WIRE_SPEED_ONLY="one at a time" cargo bench --no-default-features --bench wire_speed
//! ```
//!
//! SIPp (Debian package sip-tester) sends COUNT MESSAGEs (default 20,000) per
//! run to each receiver in turn, on loopback:
//! - `sipchat listen` with the local account and its history on disk (the
//!   default: every message is stored before it is answered 200);
//! - SIPp as a UAS answering 200 and storing nothing (the tool's limit);
//! - with `WIRE_SPEED_BASELINE=/path/to/sipchat`, an older sipchat binary too,
//!   so "before" and "after" come from one run on one machine.
//!
//! Loads: TCP with 64 in flight, TCP offered 10,000/s, UDP offered 2,000/s
//! and 10,000/s, and TCP at 1,000/s one at a time for the response time
//! (p50 / p99, timed by the bench itself: SIPp's trace counts whole
//! milliseconds). For each run it prints messages per second
//! answered, failures, SIPp's retransmissions, the receiver's CPU per message
//! (from /proc), its peak RSS, and the ratio against the SIPp receiver; for
//! sipchat also how many messages the history holds afterwards; for UDP the
//! datagrams the receiver's socket dropped, and those the whole machine
//! dropped (the sender's socket, SIPp's default 64 KiB, drops answers that
//! come in a burst).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Messages per run unless the first argument says otherwise.
const DEFAULT_COUNT: usize = 20_000;
/// How long a receiver may take to start listening.
const START_DEADLINE: Duration = Duration::from_secs(30);
/// How long SIPp may take for one run before the bench gives up on it.
const RUN_DEADLINE: Duration = Duration::from_secs(300);

/// One way of offering load.
struct Load {
    name: &'static str,
    /// SIPp's `-t`: `t1` (one TCP connection) or `u1` (one UDP socket).
    transport: &'static str,
    /// Offered rate (calls per second).
    rate: u32,
    /// Most calls in flight at once.
    in_flight: u32,
    /// Share of COUNT this load sends (the latency load sends fewer).
    divisor: usize,
    /// Report the response time percentiles.
    latency: bool,
}

const LOADS: &[Load] = &[
    Load {
        name: "TCP, 64 in flight",
        transport: "t1",
        rate: 100_000,
        in_flight: 64,
        divisor: 1,
        latency: false,
    },
    Load {
        name: "TCP, offered 10,000/s",
        transport: "t1",
        rate: 10_000,
        in_flight: 20_000,
        divisor: 1,
        latency: false,
    },
    Load {
        name: "UDP, offered 2,000/s",
        transport: "u1",
        rate: 2_000,
        in_flight: 20_000,
        divisor: 1,
        latency: false,
    },
    Load {
        name: "UDP, offered 10,000/s",
        transport: "u1",
        rate: 10_000,
        in_flight: 20_000,
        divisor: 1,
        latency: false,
    },
    Load {
        name: "TCP, 1,000/s, one at a time",
        transport: "t1",
        rate: 1_000,
        in_flight: 1_000,
        divisor: 4,
        latency: true,
    },
];

/// What answers the MESSAGEs.
#[derive(Clone)]
enum Receiver {
    Sipchat { label: String, binary: PathBuf },
    Sipp,
}

impl Receiver {
    fn label(&self) -> &str {
        match self {
            Receiver::Sipchat { label, .. } => label,
            Receiver::Sipp => "SIPp UAS",
        }
    }
}

/// Figures of one run.
#[derive(Default, Clone)]
struct Figures {
    answered: u64,
    failed: u64,
    retransmissions: u64,
    rate: f64,
    cpu_per_message_us: f64,
    peak_rss_kib: u64,
    idle_rss_kib: u64,
    p50_ms: Option<f64>,
    p99_ms: Option<f64>,
    stored: Option<u64>,
    /// UDP loads: datagrams the receiver's socket dropped (its buffer was
    /// full), and the drops of the whole machine in the run (`RcvbufErrors`:
    /// the rest are mostly the sender's socket dropping answers).
    udp_drops: Option<(u64, u64)>,
}

/// A child process killed (and reaped) when dropped, also on panic.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn sipp() -> PathBuf {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("sipp"))
            .find(|p| p.exists())
    });
    found.expect("sipp is required (apt-get install sip-tester)")
}

fn free_port() -> u16 {
    // A port free for both UDP and TCP (the receivers bind both).
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn scenario(name: &str) -> String {
    format!("{}/tests/bench/sipp/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn clock_ticks_per_second() -> f64 {
    let out = Command::new("getconf").arg("CLK_TCK").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100.0)
}

/// User plus system CPU time of `pid`, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The command name may hold spaces: count fields after its ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after ')'.
    field(11) + field(12)
}

/// A `VmRSS` / `VmHWM` line of `/proc/PID/status`, in KiB.
fn status_kib(pid: u32, key: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim_start_matches(':').split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Datagrams dropped so far by the UDP socket bound to 127.0.0.1:`port`
/// (the last column of `/proc/net/udp`).
fn socket_drops(port: u16) -> u64 {
    let table = std::fs::read_to_string("/proc/net/udp").unwrap_or_default();
    let local = format!("0100007F:{port:04X}");
    table
        .lines()
        .filter(|l| l.split_whitespace().nth(1) == Some(local.as_str()))
        .filter_map(|l| l.split_whitespace().last()?.parse::<u64>().ok())
        .sum()
}

/// The machine's `Udp: RcvbufErrors` (datagrams dropped for a full buffer).
fn receive_buffer_errors() -> u64 {
    let snmp = std::fs::read_to_string("/proc/net/snmp").unwrap_or_default();
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp: "));
    let (Some(names), Some(values)) = (udp.next(), udp.next()) else {
        return 0;
    };
    names
        .split_whitespace()
        .zip(values.split_whitespace())
        .find(|(name, _)| *name == "RcvbufErrors")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(0)
}

fn wait_for_tcp(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < START_DEADLINE,
            "the receiver did not listen on {port} in time"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Starts `receiver` on `port`; for sipchat also returns its data directory.
fn start(receiver: &Receiver, port: u16, transport: &str, dir: &Path) -> Killed {
    let child = match receiver {
        Receiver::Sipchat { binary, .. } => {
            let config = dir.join("bob.ron");
            std::fs::write(
                &config,
                format!(r#"(accounts: [], local: (user: "bob", bind: "127.0.0.1", port: {port}))"#),
            )
            .unwrap();
            let child = Command::new(binary)
                .arg("--config")
                .arg(&config)
                .arg("--data-dir")
                .arg(dir.join("data"))
                .arg("listen")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let child = Killed(child);
            wait_for_tcp(port);
            child
        }
        Receiver::Sipp => {
            let child = Command::new(sipp())
                .args([
                    "-sf",
                    &scenario("uas_answer.xml"),
                    "-t",
                    transport,
                    "-i",
                    "127.0.0.1",
                ])
                .args(["-p", &port.to_string(), "-nostdin", "-max_socket", "1000"])
                .current_dir(dir)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let child = Killed(child);
            if transport == "t1" {
                wait_for_tcp(port);
            }
            child
        }
    };
    // Let it settle (registration of nothing, store opened) before measuring idle.
    std::thread::sleep(Duration::from_millis(700));
    child
}

/// Reads the last line of SIPp's statistics file into (successful, failed, retransmissions).
fn read_statistics(path: &Path) -> (u64, u64, u64) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let Some(header) = lines.next() else {
        return (0, 0, 0);
    };
    let Some(last) = lines.next_back() else {
        return (0, 0, 0);
    };
    let names: Vec<&str> = header.split(';').collect();
    let values: Vec<&str> = last.split(';').collect();
    let get = |name: &str| {
        names
            .iter()
            .position(|n| *n == name)
            .and_then(|i| values.get(i))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
    };
    (
        get("SuccessfulCall(C)"),
        get("FailedCall(C)"),
        get("Retransmissions(C)"),
    )
}

fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i.min(sorted.len() - 1)).copied()
}

fn stored_messages(data_dir: &Path) -> Option<u64> {
    let path = sipchat::store::Store::path_in(data_dir);
    let db = rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
    let rows: i64 = db
        .query_row("SELECT count(*) FROM messages", [], |row| row.get(0))
        .ok()?;
    u64::try_from(rows).ok()
}

/// Sends `count` MESSAGEs over one TCP connection, one at a time, starting
/// one every `1 / rate` seconds, and times each until its answer: SIPp's
/// response-time trace counts in whole milliseconds of its own loop.
/// Returns (answered 200, other answers, sorted response times in ms).
fn timed_sequential(port: u16, count: usize, rate: u32) -> (u64, u64, Vec<f64>) {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_nodelay(true).unwrap();
    let local = stream.local_addr().unwrap();
    let interval = Duration::from_secs_f64(1.0 / f64::from(rate));
    let (mut answered, mut other) = (0, 0);
    let mut times = Vec::with_capacity(count);
    let mut pending: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; 65_536];
    let start = Instant::now();
    for n in 0..count {
        let due = start + interval * n as u32;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let body = format!("Timed message {n}");
        let request = format!(
            "MESSAGE sip:bob@127.0.0.1:{port};transport=tcp SIP/2.0\r\n\
             Via: SIP/2.0/TCP {local};branch=z9hG4bKtimed{n}\r\n\
             From: <sip:timer@{local}>;tag=timed\r\n\
             To: <sip:bob@127.0.0.1:{port}>\r\n\
             Call-ID: timed-{n}@bench\r\n\
             CSeq: 1 MESSAGE\r\n\
             Max-Forwards: 70\r\n\
             Content-Type: text/plain\r\n\
             Content-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let sent = Instant::now();
        stream.write_all(request.as_bytes()).unwrap();
        // Read until one whole final answer (headers and body) is here.
        let status = loop {
            if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&pending[..end]).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        let (name, value) = l.split_once(':')?;
                        let name = name.trim();
                        (name.eq_ignore_ascii_case("Content-Length") || name == "l")
                            .then(|| value.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if pending.len() >= end + 4 + length {
                    pending.drain(..end + 4 + length);
                    let status: u16 = head.get(8..11).and_then(|c| c.parse().ok()).unwrap_or(0);
                    if status >= 200 {
                        break status;
                    }
                    continue;
                }
            }
            let read = stream.read(&mut buf).unwrap();
            assert!(read > 0, "the receiver closed the connection");
            pending.extend_from_slice(&buf[..read]);
        };
        times.push(sent.elapsed().as_secs_f64() * 1e3);
        if status == 200 {
            answered += 1;
        } else {
            other += 1;
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (answered, other, times)
}

fn run(receiver: &Receiver, load: &Load, count: usize, ticks: f64) -> Figures {
    let count = count / load.divisor;
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut target = start(receiver, port, load.transport, dir.path());
    let pid = target.0.id();
    let idle_rss_kib = status_kib(pid, "VmRSS");
    let cpu_before = cpu_ticks(pid);
    let buffer_errors_before = receive_buffer_errors();
    let sender_dir = dir.path().join("sender");
    std::fs::create_dir_all(&sender_dir).unwrap();
    let statistics = sender_dir.join("statistics.csv");
    let mut sender = Command::new(sipp());
    sender
        .arg(format!("127.0.0.1:{port}"))
        .args([
            "-sf",
            &scenario("uac_flood.xml"),
            "-s",
            "bob",
            "-t",
            load.transport,
        ])
        .args([
            "-m",
            &count.to_string(),
            "-r",
            &load.rate.to_string(),
            "-l",
            &load.in_flight.to_string(),
        ])
        .args([
            "-i",
            "127.0.0.1",
            "-p",
            &free_port().to_string(),
            "-nostdin",
            "-timeout",
            "280s",
        ])
        .args(["-trace_stat", "-stf"])
        .arg(&statistics)
        .args(["-fd", "1"])
        .current_dir(&sender_dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let started = Instant::now();
    let (answered, failed, retransmissions, times) = if load.latency {
        let (answered, other, times) = timed_sequential(port, count, load.rate);
        (answered, other, 0, times)
    } else {
        let mut sender = Killed(sender.spawn().unwrap());
        loop {
            if sender.0.try_wait().unwrap().is_some() {
                break;
            }
            assert!(
                started.elapsed() < RUN_DEADLINE,
                "sipp did not finish in {RUN_DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let (answered, failed, retransmissions) = read_statistics(&statistics);
        (answered, failed, retransmissions, Vec::new())
    };
    let elapsed = started.elapsed();
    let cpu = cpu_ticks(pid).saturating_sub(cpu_before) as f64 / ticks;
    let peak_rss_kib = status_kib(pid, "VmHWM");
    let udp_drops = (load.transport == "u1").then(|| {
        (
            socket_drops(port),
            receive_buffer_errors().saturating_sub(buffer_errors_before),
        )
    });
    let stored = match receiver {
        Receiver::Sipchat { .. } => {
            // Stop it first: the history is read by another process.
            let _ = target.0.kill();
            let _ = target.0.wait();
            stored_messages(&dir.path().join("data"))
        }
        Receiver::Sipp => None,
    };
    Figures {
        answered,
        failed,
        retransmissions,
        rate: answered as f64 / elapsed.as_secs_f64(),
        cpu_per_message_us: if answered > 0 {
            cpu * 1e6 / answered as f64
        } else {
            f64::NAN
        },
        peak_rss_kib,
        idle_rss_kib,
        p50_ms: percentile(&times, 0.50),
        p99_ms: percentile(&times, 0.99),
        stored,
        udp_drops,
    }
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn print_row(load: &Load, receiver: &Receiver, f: &Figures, reference: Option<&Figures>) {
    let ratio = reference.map_or(String::new(), |r| {
        format!(" ({:.0} % of SIPp)", 100.0 * f.rate / r.rate)
    });
    let cpu_ratio = reference.map_or(String::new(), |r| {
        format!(" ({:.1}x SIPp)", f.cpu_per_message_us / r.cpu_per_message_us)
    });
    let mut line = format!(
        "{:<30} {:<18} {:>8.0} msg/s{ratio}; answered {} failed {} retransmitted {}; CPU {:.1} us/msg{cpu_ratio}; RSS idle {:.1} MiB, peak {:.1} MiB",
        load.name,
        receiver.label(),
        f.rate,
        f.answered,
        f.failed,
        f.retransmissions,
        f.cpu_per_message_us,
        mib(f.idle_rss_kib),
        mib(f.peak_rss_kib),
    );
    if let (Some(p50), Some(p99)) = (f.p50_ms, f.p99_ms) {
        let reference = reference
            .and_then(|r| Some((r.p50_ms?, r.p99_ms?)))
            .map_or(String::new(), |(r50, r99)| format!(" (SIPp {r50:.2} / {r99:.2})"));
        line.push_str(&format!("; response p50 {p50:.2} ms p99 {p99:.2} ms{reference}"));
    }
    if let Some(stored) = f.stored {
        line.push_str(&format!("; stored {stored}"));
    }
    if let Some((receiver, machine)) = f.udp_drops {
        line.push_str(&format!(
            "; UDP drops: receiver socket {receiver}, machine {machine}"
        ));
    }
    println!("{line}");
}

fn main() {
    let mut numbers = std::env::args().skip(1).filter_map(|a| a.parse::<usize>().ok());
    let count = numbers.next().unwrap_or(DEFAULT_COUNT);
    let rounds = numbers.next().unwrap_or(1);
    let ticks = clock_ticks_per_second();
    let only = std::env::var("WIRE_SPEED_ONLY").ok();
    let mut receivers = vec![Receiver::Sipp];
    if let Some(baseline) = std::env::var_os("WIRE_SPEED_BASELINE") {
        receivers.push(Receiver::Sipchat {
            label: "sipchat (baseline)".into(),
            binary: PathBuf::from(baseline),
        });
    }
    receivers.push(Receiver::Sipchat {
        label: "sipchat".into(),
        binary: PathBuf::from(env!("CARGO_BIN_EXE_sipchat")),
    });
    println!("wire_speed: {count} MESSAGEs per run, {rounds} round(s), SIPp as the sender");
    for round in 1..=rounds {
        println!("round {round}");
        for load in LOADS
            .iter()
            .filter(|l| only.as_ref().is_none_or(|o| l.name.contains(o.as_str())))
        {
            let mut reference: Option<Figures> = None;
            for receiver in &receivers {
                let figures = run(receiver, load, count, ticks);
                print_row(load, receiver, &figures, reference.as_ref());
                if matches!(receiver, Receiver::Sipp) {
                    reference = Some(figures);
                }
            }
        }
    }
}
