//! A throw-away dnsmasq for tests: started on a free loopback port with the
//! records a test gives, killed on drop. Needs the `dnsmasq` binary (Debian
//! package `dnsmasq-base`); without it tests skip, unless `CI` or
//! `SIPCHAT_REQUIRE_DNSMASQ` is set ([`required`]).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long dnsmasq gets to start listening.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Pause between readiness probes.
const READY_POLL: Duration = Duration::from_millis(50);
/// How many free ports are tried if dnsmasq fails to bind one.
const START_ATTEMPTS: usize = 5;
/// Where Debian installs dnsmasq, which may not be on a user's PATH.
const DNSMASQ_PATHS: &[&str] = &["/usr/sbin/dnsmasq", "/usr/local/sbin/dnsmasq"];

/// A running dnsmasq; killed on drop.
pub struct Dnsmasq {
    child: Child,
    /// Where it answers (UDP and TCP).
    pub addr: SocketAddr,
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn required() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    set("SIPCHAT_REQUIRE_DNSMASQ") || set("CI")
}

pub fn find_dnsmasq() -> Option<PathBuf> {
    let on_path: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join("dnsmasq")).collect())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain(DNSMASQ_PATHS.iter().map(PathBuf::from))
        .find(|p| p.is_file())
}

include!("ports.rs");

pub fn start(binary: &PathBuf, records: &[&str]) -> Dnsmasq {
    let mut last = String::new();
    for _ in 0..START_ATTEMPTS {
        let port = free_port();
        let mut child = Command::new(binary)
            .args([
                "--no-daemon",
                &format!("--port={port}"),
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                "--conf-file=/dev/null",
                "--log-queries",
                // dnsmasq drops privileges to "nobody" when run as root.
                "--user=",
                "--pid-file=",
            ])
            .args(records)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dnsmasq");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + READY_TIMEOUT;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                break;
            }
            if TcpStream::connect_timeout(&addr, READY_POLL).is_ok() {
                return Dnsmasq { child, addr };
            }
            std::thread::sleep(READY_POLL);
        }
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        last = format!("{}: {}", out.status, String::from_utf8_lossy(&out.stderr));
    }
    panic!("dnsmasq did not start: {last}");
}
