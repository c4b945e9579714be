//! Benchmark (not a test): one file over MSRP between two runtimes on
//! loopback TCP, side by side with a plain TCP copy of the same bytes in
//! the same run, and with the same copy doing a transfer's SHA-1 work.
//!
//! `cargo bench --no-default-features --bench file_transfer [-- MIB]` (default 256)
//! (`TMPDIR=/dev/shm` keeps the files in memory when the disk is short or slow;
//! `FILE_BENCH_LOG=info,sipchat=debug` logs both sides to stderr)
//!
//! The sender is this process; the receiver is a second process (this
//! binary again, with `FILE_BENCH_ROLE=receiver`), so the peak RSS
//! (`VmHWM` from /proc/self/status) of each side is its own. Both sides
//! read or write the file on disk (in the system's temp dir); the MSRP side
//! also computes SHA-1 twice on the sender (before the offer, while
//! reading) and once on the receiver.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark harness: failures should abort loudly

#[path = "../support/runtime.rs"]
mod support;

use sipchat::model::AccountId;
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};
use support::{config, free_port, Running};

const COPY_BUFFER: usize = 64 * 1024;

/// Peak resident set of this process in KiB.
fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn local(user: &str, port: u16) -> sipchat::config::Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}, max_file_size: 17179869184))"#
    ))
}

fn mb_per_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn make_file(path: &Path, mib: u64) {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut buf = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        for b in buf.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = (x >> 24) as u8;
        }
        f.write_all(&buf).unwrap();
    }
    f.flush().unwrap();
}

/// Plain TCP copy: file -> socket -> file, 64 KiB at a time.
fn tcp_copy(src: &Path, dst: &Path) -> (u64, Duration) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let dst = dst.to_path_buf();
    let start = Instant::now();
    let receiver = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut out = std::fs::File::create(&dst).unwrap();
        let mut buf = vec![0u8; COPY_BUFFER];
        let mut total = 0u64;
        loop {
            let n = sock.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n]).unwrap();
            total += n as u64;
        }
        out.sync_all().unwrap();
        total
    });
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    let mut file = std::fs::File::open(src).unwrap();
    let mut buf = vec![0u8; COPY_BUFFER];
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        sock.write_all(&buf[..n]).unwrap();
    }
    drop(sock);
    let total = receiver.join().unwrap();
    (total, start.elapsed())
}

/// The same copy doing the SHA-1 work of a transfer, one thread a side:
/// the sender hashes the whole file first (the offer needs the hash), then
/// copies; the receiver hashes what it writes as it writes it.
fn tcp_copy_hashed(src: &Path, dst: &Path) -> (u64, Duration) {
    use sha1::{Digest, Sha1};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let dst = dst.to_path_buf();
    let start = Instant::now();
    let receiver = std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut out = std::fs::File::create(&dst).unwrap();
        let mut buf = vec![0u8; COPY_BUFFER];
        let mut hasher = Sha1::new();
        let mut total = 0u64;
        loop {
            let n = sock.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.write_all(&buf[..n]).unwrap();
            hasher.update(&buf[..n]);
            total += n as u64;
        }
        out.sync_all().unwrap();
        (total, hasher.finalize())
    });
    let mut buf = vec![0u8; COPY_BUFFER];
    let mut file = std::fs::File::open(src).unwrap();
    let mut hasher = Sha1::new();
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    let offered = hasher.finalize();
    let mut sock = std::net::TcpStream::connect(addr).unwrap();
    let mut file = std::fs::File::open(src).unwrap();
    loop {
        let n = file.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        sock.write_all(&buf[..n]).unwrap();
    }
    drop(sock);
    let (total, received) = receiver.join().unwrap();
    assert_eq!(offered, received, "the hashed copy arrived whole");
    (total, start.elapsed())
}

/// The receiving process: listen, accept files into DIR, print one line
/// `done <bytes> <sha1> <vmhwm_before> <vmhwm_after>` and exit.
fn receiver(port: u16, dir: PathBuf) {
    let mut bob = Running::start(
        local("bob", port),
        RuntimeOptions {
            accept_files: Some(dir),
            ..RuntimeOptions::default()
        },
    );
    let before = vm_hwm_kib();
    println!("ready");
    std::io::stdout().flush().unwrap();
    bob.timeout = Duration::from_secs(3600);
    let (size, sha1) = bob.wait_for("the file", |e| match e {
        Event::TransferDone { size, sha1, .. } => Some((*size, sha1.clone())),
        Event::TransferFailed { reason, .. } => {
            eprintln!("receiver: {reason}");
            panic!("receiving failed: {reason}")
        }
        _ => None,
    });
    println!("done {size} {sha1} {before} {}", vm_hwm_kib());
    std::io::stdout().flush().unwrap();
    bob.handle.shutdown();
}

fn main() {
    if let Ok(filter) = std::env::var("FILE_BENCH_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    if std::env::var("FILE_BENCH_ROLE").as_deref() == Ok("receiver") {
        let port = std::env::var("FILE_BENCH_PORT").unwrap().parse().unwrap();
        let dir = PathBuf::from(std::env::var("FILE_BENCH_DIR").unwrap());
        return receiver(port, dir);
    }
    let mib: u64 = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(256);
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("source.bin");
    make_file(&src, mib);
    let bytes = mib * 1024 * 1024;
    println!("file_transfer: {mib} MiB over loopback TCP");

    let (copied, copy_time) = tcp_copy(&src, &work.path().join("copy.bin"));
    assert_eq!(copied, bytes);
    let _ = std::fs::remove_file(work.path().join("copy.bin"));
    let raw = mb_per_s(bytes, copy_time);
    println!("  plain TCP copy (file -> socket -> file): {raw:8.1} MB/s ({copy_time:.2?})");
    let (copied, hashed_time) = tcp_copy_hashed(&src, &work.path().join("copy.bin"));
    assert_eq!(copied, bytes);
    let _ = std::fs::remove_file(work.path().join("copy.bin"));
    let hashed = mb_per_s(bytes, hashed_time);
    println!("  the same copy with SHA-1 (sender first, receiver while writing): {hashed:8.1} MB/s ({hashed_time:.2?})");

    let inbox = work.path().join("inbox");
    std::fs::create_dir(&inbox).unwrap();
    let (pa, pb) = (free_port(), free_port());
    let mut child = Process::new(std::env::current_exe().unwrap())
        .env("FILE_BENCH_ROLE", "receiver")
        .env("FILE_BENCH_PORT", pb.to_string())
        .env("FILE_BENCH_DIR", &inbox)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "ready");
    let mut alice = Running::start(local("alice", pa), RuntimeOptions::default());
    alice.timeout = Duration::from_secs(3600);
    let sender_before = vm_hwm_kib();
    let start = Instant::now();
    let id = alice.handle.next_transfer_id();
    alice
        .handle
        .send(Command::SendFile {
            id,
            account: AccountId("local".into()),
            to: format!("sip:bob@127.0.0.1:{pb}"),
            path: src.clone(),
            mode: sipchat::runtime::FileSendMode::Session,
        })
        .unwrap();
    let mut progress = 0usize;
    let mut first_progress = None;
    let sent_sha1 = alice.wait_for("the transfer", |e| match e {
        Event::TransferProgress { .. } => {
            progress += 1;
            first_progress.get_or_insert_with(|| start.elapsed());
            None
        }
        Event::TransferDone { sha1, .. } => Some(sha1.clone()),
        Event::TransferFailed { reason, .. } => panic!("sending failed: {reason}"),
        _ => None,
    });
    let msrp_time = start.elapsed();
    let sender_after = vm_hwm_kib();
    let line = lines.next().unwrap().unwrap();
    let parts: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(parts[0], "done", "{line}");
    assert_eq!(parts[1].parse::<u64>().unwrap(), bytes);
    assert_eq!(parts[2], sent_sha1, "both sides agree on the hash");
    let (recv_before, recv_after): (u64, u64) = (parts[3].parse().unwrap(), parts[4].parse().unwrap());
    let _ = child.wait();
    alice.handle.shutdown();

    let msrp = mb_per_s(bytes, msrp_time);
    println!(
        "  MSRP file transfer (hash, offer, stream, verify, rename): {msrp:8.1} MB/s ({msrp_time:.2?}), \
         {progress} progress events"
    );
    println!("  ratio MSRP / plain copy: {:.0} %", msrp / raw * 100.0);
    println!("  ratio MSRP / copy with SHA-1: {:.0} %", msrp / hashed * 100.0);
    if let Some(setup) = first_progress {
        let streaming = msrp_time.saturating_sub(setup);
        println!(
            "  of which: hash + INVITE + connect {setup:.2?}; streaming + verify {streaming:.2?} \
             ({:.1} MB/s, {:.0} % of the plain copy)",
            mb_per_s(bytes, streaming),
            mb_per_s(bytes, streaming) / raw * 100.0
        );
    }
    println!(
        "  peak RSS sender:   {} KiB before, {} KiB after (process also ran the plain copy)",
        sender_before, sender_after
    );
    println!("  peak RSS receiver: {recv_before} KiB before, {recv_after} KiB after");
}
