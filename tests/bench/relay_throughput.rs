//! Benchmark (not a test): one file between two sipchat runtimes registered
//! at a real Kamailio on loopback, once directly (the receiver's MSRP
//! listener) and once through Kamailio's `msrp` relay with its default
//! 32 KiB write queue per connection (`tests/kamailio/nat_relay.cfg`),
//! side by side in the same run, with the ratio relay / direct (issue 19:
//! large files through a relay should keep the direct path's throughput).
//!
//! `cargo bench --no-default-features --bench relay_throughput [-- MIB... [--runs N] [--round-trip MS] [--rate MB_PER_S] [--ceiling]]`
//! (default: 32 MiB, 3 runs of each path, alternating; the median counts).
//! `--round-trip MS` runs everything in a network namespace of its own where
//! every TCP connection passes a delaying proxy (`tests/support/delay_proxy.rs`),
//! so the direct and the relayed path both have that round trip between the
//! two clients (a home user's path to a provider's relay); without it, plain
//! loopback. `--rate` limits each client's download link to that many MB/s
//! (10^6 bytes) on both paths (a home user's line: rate and round trip).
//! `--ceiling` adds the relay's ceiling: the relayed path again through a
//! second Kamailio whose write queue holds 128 MiB per connection, with
//! accounts that say so (`msrp: (relay_queue: ...)`), so the window is
//! unbounded and only the relay (and the path) limit the rate; paced relay
//! / ceiling is what the pacing costs.
//! `RELAY_BENCH_LOG=sipchat=debug` logs both runtimes to stderr.
//!
//! Timed from `SendFile` to the receiver's `TransferDone` (hash, offer,
//! stream, verify, rename); both files live in the system's temp dir
//! (`TMPDIR=/dev/shm` keeps them in memory). The relay's log is checked for
//! "write queue full" after every relayed run.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

#[path = "../support/delay_proxy.rs"]
mod delay_proxy;
#[path = "../support/kamailio.rs"]
mod kamailio;
#[path = "../support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::AccountId;
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::net::Ipv4Addr;
use std::path::Path;
use std::time::{Duration, Instant};
use support::Running;

const RELAY_PROVIDER: &str = include_str!("../kamailio/nat_relay.cfg");
/// How long one transfer may take before the bench gives up.
const TRANSFER_DEADLINE: Duration = Duration::from_secs(1800);
/// The ceiling relay's write queue per connection (and the accounts'
/// `msrp.relay_queue`): far more than any window gets to.
const CEILING_QUEUE: u32 = 128 * 1024 * 1024;

/// How a transfer goes.
#[derive(Clone, Copy, PartialEq)]
enum Route {
    Direct,
    /// Through the relay with Kamailio's default queue, paced.
    Relay,
    /// Through the relay whose queue is [`CEILING_QUEUE`], window unbounded.
    Ceiling,
}

/// The relay provider's config with a write queue of `queue` bytes per
/// connection (and the whole process's queues raised to match).
fn ceiling_config(queue: u32) -> String {
    RELAY_PROVIDER.replace(
        "tcp_accept_no_cl=yes\n",
        &format!(
            "tcp_accept_no_cl=yes\ntcp_conn_wq_max={queue}\ntcp_wq_max={}\n",
            u64::from(queue) * 4
        ),
    )
}

fn account(kam: &Kamailio, user: &str, route: Route) -> sipchat::config::Config {
    let relay = match route {
        Route::Direct => String::new(),
        Route::Relay => format!("msrp_relay: \"msrp://127.0.0.1:{};tcp\",", kam.udp_port),
        Route::Ceiling => format!(
            "msrp_relay: \"msrp://127.0.0.1:{};tcp\", msrp: (relay_queue: {CEILING_QUEUE}),",
            kam.udp_port
        ),
    };
    support::config(&format!(
        r#"(
    accounts: [(
        name: "{user}",
        uri: "sip:{user}@{domain}",
        password: "{password}",
        proxy: "sip:127.0.0.1:{port};transport=udp",
        expires: 300,
        max_file_size: 17179869184,
        {relay}
    )],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        password = kamailio::password(user).unwrap(),
        port = kam.udp_port,
    ))
}

fn write_file(path: &Path, mib: u64) {
    use std::io::Write;
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    for n in 0..mib {
        f.write_all(&support::content(1024 * 1024, n + 1)).unwrap();
    }
    f.flush().unwrap();
}

/// One transfer alice -> bob; seconds from the command to bob's file.
fn one_transfer(kam: &Kamailio, src: &Path, inbox: &Path, route: Route) -> f64 {
    let mut bob = Running::start(
        account(kam, "bob", route),
        RuntimeOptions {
            accept_files: Some(inbox.to_path_buf()),
            ..RuntimeOptions::default()
        },
    );
    bob.wait_registered("bob");
    let mut alice = Running::start(account(kam, "alice", route), RuntimeOptions::default());
    alice.wait_registered("alice");
    bob.timeout = TRANSFER_DEADLINE;
    alice.timeout = TRANSFER_DEADLINE;
    let start = Instant::now();
    let id = alice.handle.next_transfer_id();
    alice
        .handle
        .send(Command::SendFile {
            id,
            account: AccountId("alice".into()),
            to: kam.aor("bob"),
            path: src.to_path_buf(),
            mode: sipchat::runtime::FileSendMode::Session,
        })
        .unwrap();
    let saved = bob.wait_for("bob's file", |e| match e {
        Event::TransferDone { path, .. } => Some(path.clone()),
        Event::TransferFailed { reason, .. } => {
            panic!("receiving failed: {reason}\nKamailio log:\n{}", kam.log())
        }
        _ => None,
    });
    let took = start.elapsed().as_secs_f64();
    alice.wait_for("alice's end of the transfer", |e| match e {
        Event::TransferDone { .. } => Some(()),
        Event::TransferFailed { reason, .. } => panic!("sending failed: {reason}"),
        _ => None,
    });
    let _ = std::fs::remove_file(saved);
    alice.handle.shutdown();
    bob.handle.shutdown();
    took
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let option = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|n| n.parse::<u64>().ok())
    };
    let round_trip = option("--round-trip").map(Duration::from_millis);
    let rate = option("--rate").map(|mb| mb as f64 * 1e6);
    let with_ceiling = args.iter().any(|a| a == "--ceiling");
    if round_trip.is_some() || rate.is_some() {
        match delay_proxy::isolate_network() {
            delay_proxy::Isolation::Inside => {}
            delay_proxy::Isolation::Ran(code) => std::process::exit(code),
            delay_proxy::Isolation::Unavailable => {
                eprintln!("relay_throughput: --round-trip and --rate need root, unshare, ip and nft");
                return;
            }
        }
    }
    if let Ok(filter) = std::env::var("RELAY_BENCH_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let runs = option("--runs").map_or(3, |n| n as usize);
    let mut sizes: Vec<u64> = args
        .iter()
        .enumerate()
        .filter(|(i, _)| *i == 0 || !args[i - 1].starts_with("--") || args[i - 1] == "--ceiling")
        .filter_map(|(_, a)| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes.push(32);
    }
    let Some(kam) = Kamailio::start_udp_config_or_skip(RELAY_PROVIDER, Ipv4Addr::LOCALHOST) else {
        eprintln!("relay_throughput: needs Kamailio with its msrp module");
        return;
    };
    let ceiling = with_ceiling.then(|| {
        Kamailio::start_udp_config_or_skip(&ceiling_config(CEILING_QUEUE), Ipv4Addr::LOCALHOST)
            .expect("a second Kamailio")
    });
    let _proxy = (round_trip.is_some() || rate.is_some()).then(|| {
        let mut relay_ports = vec![kam.udp_port];
        relay_ports.extend(ceiling.as_ref().map(|c| c.udp_port));
        delay_proxy::DelayProxy::start(delay_proxy::Paths {
            round_trip: round_trip.unwrap_or_default(),
            relay_ports,
            download: rate,
        })
    });
    let mut path = match round_trip {
        Some(rt) => format!("{} ms round trip", rt.as_millis()),
        None => "loopback".to_string(),
    };
    if let Some(rate) = rate {
        path.push_str(&format!(", downloads at {:.0} MB/s", rate / 1e6));
    }
    let work = tempfile::tempdir().unwrap();
    for mib in sizes {
        let src = work.path().join(format!("source-{mib}.bin"));
        write_file(&src, mib);
        let inbox = work.path().join(format!("inbox-{mib}"));
        std::fs::create_dir(&inbox).unwrap();
        let bytes = (mib * 1024 * 1024) as f64;
        let (mut direct, mut relayed, mut ceilings) = (Vec::new(), Vec::new(), Vec::new());
        for run in 0..runs {
            let d = one_transfer(&kam, &src, &inbox, Route::Direct);
            let r = one_transfer(&kam, &src, &inbox, Route::Relay);
            assert!(!kam.log().contains("write queue full"), "{}", kam.log());
            let c = ceiling
                .as_ref()
                .map(|c| one_transfer(c, &src, &inbox, Route::Ceiling));
            println!(
                "  run {run}: direct {:7.1} MB/s ({d:.2} s), relay {:7.1} MB/s ({r:.2} s){}",
                bytes / 1e6 / d,
                bytes / 1e6 / r,
                c.map(|c| format!(", ceiling {:7.1} MB/s ({c:.2} s)", bytes / 1e6 / c))
                    .unwrap_or_default()
            );
            direct.push(d);
            relayed.push(r);
            ceilings.extend(c);
        }
        let (d, r) = (median(direct), median(relayed));
        let ceiling_words = if ceilings.is_empty() {
            String::new()
        } else {
            let c = median(ceilings);
            format!(
                ", relay ceiling {:.1} MB/s ({c:.2} s), relay / ceiling {:.0} %, ceiling / direct {:.0} %",
                bytes / 1e6 / c,
                c / r * 100.0,
                d / c * 100.0
            )
        };
        println!(
            "relay_throughput: {mib} MiB, {path}, median of {runs}: direct {:.1} MB/s ({d:.2} s), \
             through the relay {:.1} MB/s ({r:.2} s), relay / direct {:.0} %{ceiling_words}",
            bytes / 1e6 / d,
            bytes / 1e6 / r,
            d / r * 100.0
        );
        let _ = std::fs::remove_file(&src);
    }
}
