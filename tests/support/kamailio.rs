//! Throw-away Kamailio SIP server for integration tests.
//!
//! Include from an integration test with
//!
//! ```ignore
//! #[path = "support/kamailio.rs"]
//! mod kamailio;
//!
//! #[test]
//! fn register() {
//!     let Some(kam) = kamailio::Kamailio::start_or_skip() else { return };
//!     let proxy = kam.proxy_uri("tcp"); // "sip:127.0.0.1:PORT;transport=tcp"
//!     // ... on failure: panic!("...\n{}", kam.log());
//! }
//! ```
//!
//! Each [`Kamailio`] is a separate server process with its own temporary
//! directory (config, TLS certificates, pid file, log) and its own free
//! loopback ports, so tests may run in parallel. The SIP domain is
//! `sipchat.test` with the users from [`USERS`]; see
//! `tests/kamailio/kamailio.cfg` for the routing behaviour.
//!
//! Environment knobs:
//! * `SIPCHAT_REQUIRE_KAMAILIO=1` or `CI` set: [`Kamailio::start_or_skip`]
//!   panics instead of skipping when Kamailio is not installed.
//! * `SIPCHAT_KAMAILIO_DEBUG=3`: Kamailio log level (default 2 = info).
//! * `SIPCHAT_KAMAILIO_KEEP=1`: keep the temporary directory (its path is
//!   printed on stderr) for post-mortem inspection.
//! * `SIPCHAT_KAMAILIO_VERBOSE=1`: report startup time, ports, slow stops.
//! * `KAMAILIO_BIN` / `KAMAILIO_MODULES`: override the binary / module dir.
//!
//! Dependencies: std, `rcgen` 0.13 and `tempfile` 3 (dev-dependencies).

#![allow(dead_code)]

#[path = "kamailio_config.rs"]
mod kamailio_config;
#[path = "kamailio_process.rs"]
mod kamailio_process;

use kamailio_config::*;
use kamailio_process::*;

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// SIP domain and digest realm served by the test Kamailio.
pub const DOMAIN: &str = "sipchat.test";

/// Users known to the test Kamailio: (user, password). `carol` exists but
/// is normally never registered (requests to her get 480).
pub const USERS: &[(&str, &str)] = &[
    ("alice", "alice-secret"),
    ("bob", "bob-secret"),
    ("carol", "carol-secret"),
];

/// Minimum registration interval; REGISTERs asking for less get 423.
pub const MIN_EXPIRES: u32 = 60;

/// Start attempts (with fresh ports) before giving up.
const START_ATTEMPTS: usize = 3;

/// Password of a test user, `None` for unknown users.
pub fn password(user: &str) -> Option<&'static str> {
    USERS.iter().find(|(u, _)| *u == user).map(|(_, p)| *p)
}

/// True when missing Kamailio must fail the test instead of skipping it.
pub fn required() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    set("SIPCHAT_REQUIRE_KAMAILIO") || set("CI")
}

/// A running Kamailio; killed (with all its processes) on drop.
pub struct Kamailio {
    pub udp_port: u16,
    pub tcp_port: u16,
    pub tls_port: u16,
    /// PEM file of the CA that signed the server certificate
    /// (CN/SAN `localhost`, IP SANs 127.0.0.1 and ::1). Trust it in TLS clients.
    pub ca_pem: PathBuf,
    /// `"sipchat.test"`
    pub domain: &'static str,
    child: Child,
    watchdog: Option<Child>,
    log_path: PathBuf,
    dir: Option<tempfile::TempDir>,
    bin: PathBuf,
}

/// Where Kamailio lives on this machine.
struct Installation {
    bin: PathBuf,
    module_dir: PathBuf,
}

enum Attempt {
    Ready(Kamailio),
    /// A port was taken between picking and binding: try other ports.
    PortClash(String),
}

impl Kamailio {
    /// Starts a fresh Kamailio and waits until UDP, TCP and TLS answer.
    ///
    /// Returns `None` (after saying why on stderr) when Kamailio or its tls
    /// module is not installed. Panics, with the Kamailio log, when it is
    /// installed but does not come up: that is a bug, not a reason to skip.
    pub fn start() -> Option<Kamailio> {
        Self::start_serving(None, false)
    }

    /// [`Kamailio::start_or_skip`], also listening on `[::1]` over UDP, TCP
    /// and TLS at the same ports: see [`Kamailio::proxy_uri_ipv6`]. Opt-in;
    /// the other starts are IPv4 only.
    pub fn start_ipv6_or_skip() -> Option<Kamailio> {
        let k = Self::start_serving(None, true);
        if k.is_none() && required() {
            panic!("Kamailio is required (CI / SIPCHAT_REQUIRE_KAMAILIO) but not installed: apt-get install kamailio kamailio-tls-modules");
        }
        k
    }

    /// Outbound proxy URI on the IPv6 listeners of a server started with
    /// [`Kamailio::start_ipv6_or_skip`]: `"udp"`, `"tcp"`, `"tls"`
    /// (`sip:[::1]:PORT;transport=tls`) or `"sips"` (`sips:[::1]:PORT`; the
    /// certificate names `::1`).
    pub fn proxy_uri_ipv6(&self, transport: &str) -> String {
        match transport.to_ascii_lowercase().as_str() {
            "udp" => format!("sip:[::1]:{};transport=udp", self.udp_port),
            "tcp" => format!("sip:[::1]:{};transport=tcp", self.tcp_port),
            "tls" => format!("sip:[::1]:{};transport=tls", self.tls_port),
            "sips" => format!("sips:[::1]:{}", self.tls_port),
            other => panic!("kamailio harness: no IPv6 listener for {other:?}"),
        }
    }

    /// [`Kamailio::start_or_skip`], with Kamailio's TLS port presenting
    /// `chain` (PEM: its own certificate first, then any intermediates)
    /// and `key` instead of the harness's certificate. `ca_pem` is then
    /// `chain`.
    pub fn start_with_certificate_or_skip(chain: &Path, key: &Path) -> Option<Kamailio> {
        let k = Self::start_serving(Some((chain.to_path_buf(), key.to_path_buf())), false);
        if k.is_none() && required() {
            panic!("Kamailio is required (CI / SIPCHAT_REQUIRE_KAMAILIO) but not installed: apt-get install kamailio kamailio-tls-modules");
        }
        k
    }

    fn start_serving(certificate: Option<(PathBuf, PathBuf)>, ipv6: bool) -> Option<Kamailio> {
        let inst = match find_installation() {
            Ok(inst) => inst,
            Err(why) => {
                eprintln!("kamailio harness: Kamailio not available, skipping: {why}");
                return None;
            }
        };
        let mut last = String::new();
        for attempt in 1..=START_ATTEMPTS {
            match try_start(&inst, certificate.as_ref(), ipv6) {
                Ok(Attempt::Ready(k)) => return Some(k),
                Ok(Attempt::PortClash(log)) => {
                    eprintln!("kamailio harness: port clash on attempt {attempt}, retrying");
                    last = log;
                }
                Err(e) => panic!("kamailio harness: {e}"),
            }
        }
        panic!(
            "kamailio harness: could not bind free ports after {START_ATTEMPTS} attempts; last log:\n{last}"
        );
    }

    /// [`Kamailio::start`], but a missing Kamailio is a test failure when
    /// [`required`] (env `CI` or `SIPCHAT_REQUIRE_KAMAILIO=1`).
    pub fn start_or_skip() -> Option<Kamailio> {
        let k = Self::start();
        if k.is_none() && required() {
            panic!("Kamailio is required (CI / SIPCHAT_REQUIRE_KAMAILIO) but not installed: apt-get install kamailio kamailio-tls-modules");
        }
        k
    }

    /// Outbound proxy URI for a transport: `"udp"`, `"tcp"`, `"tls"`
    /// (`sip:localhost:PORT;transport=tls`) or `"sips"` (`sips:localhost:PORT`).
    pub fn proxy_uri(&self, transport: &str) -> String {
        match transport.to_ascii_lowercase().as_str() {
            "udp" => format!("sip:127.0.0.1:{};transport=udp", self.udp_port),
            "tcp" => format!("sip:127.0.0.1:{};transport=tcp", self.tcp_port),
            "tls" => format!("sip:localhost:{};transport=tls", self.tls_port),
            "sips" => format!("sips:localhost:{}", self.tls_port),
            other => panic!("kamailio harness: unknown transport {other:?}"),
        }
    }

    /// Socket address of the listener for `"udp"`, `"tcp"` or `"tls"`/`"sips"`.
    pub fn addr(&self, transport: &str) -> SocketAddr {
        let port = match transport.to_ascii_lowercase().as_str() {
            "udp" => self.udp_port,
            "tcp" => self.tcp_port,
            "tls" | "sips" => self.tls_port,
            other => panic!("kamailio harness: unknown transport {other:?}"),
        };
        SocketAddr::from((Ipv4Addr::LOCALHOST, port))
    }

    /// Address-of-record of a user, e.g. `sip:alice@sipchat.test`.
    pub fn aor(&self, user: &str) -> String {
        format!("sip:{user}@{}", self.domain)
    }

    /// Everything Kamailio wrote to stdout/stderr so far.
    pub fn log(&self) -> String {
        read_lossy(&self.log_path)
    }

    /// Process id of the Kamailio main process.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The temporary directory holding config, certificates and log.
    pub fn dir(&self) -> &Path {
        self.log_path.parent().unwrap_or(Path::new("/"))
    }

    /// A sipchat configuration (RON) with one account of `user` (one of
    /// [`USERS`]) registering through `proxy`; `extra` are more account
    /// fields, each ending in a comma. The local account is off.
    pub fn account_config(&self, user: &str, proxy: &str, extra: &str) -> String {
        let password = password(user).unwrap_or_else(|| panic!("{user} is not a test user"));
        self.account_config_with(user, password, proxy, 300, extra)
    }

    /// [`Kamailio::account_config`] with a `password` and an `expires` of
    /// the test's choosing (a wrong password, an interval below
    /// [`MIN_EXPIRES`]).
    pub fn account_config_with(
        &self,
        user: &str,
        password: &str,
        proxy: &str,
        expires: u32,
        extra: &str,
    ) -> String {
        format!(
            r#"(
    accounts: [(
        name: "{user}",
        uri: "sip:{user}@{domain}",
        password: "{password}",
        proxy: "{proxy}",
        expires: {expires},
        {extra}
    )],
    local: (enabled: false),
)"#,
            domain = self.domain,
        )
    }

    /// The account field (for `extra` of [`Kamailio::account_config`]) that
    /// trusts this server's certificate: `tls: (ca_file: "..."),`.
    pub fn trust_field(&self) -> String {
        format!(r#"tls: (ca_file: "{}"),"#, self.ca_pem.display())
    }

    /// The URI of this server's MSRP relay: `msrps://localhost:PORT;tcp` on
    /// its TLS port when `secure`, else `msrp://127.0.0.1:PORT;tcp` on TCP.
    pub fn msrp_relay_uri(&self, secure: bool) -> String {
        if secure {
            format!("msrps://localhost:{};tcp", self.addr("tls").port())
        } else {
            format!("msrp://127.0.0.1:{};tcp", self.addr("tcp").port())
        }
    }

    /// carol calls `number` at this server over UDP (branch, tag and
    /// Call-ID made from `tag`); the status line of its answer.
    pub fn call(&self, number: &str, tag: &str) -> String {
        let failed = |e: std::io::Error| -> ! { panic!("calling {number}: {e}") };
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| failed(e));
        sock.set_read_timeout(Some(CALL_ANSWER_TIMEOUT))
            .unwrap_or_else(|e| failed(e));
        let port = sock.local_addr().unwrap_or_else(|e| failed(e)).port();
        let invite = format!(
            "INVITE sip:{number}@{domain} SIP/2.0\r\n\
             Via: SIP/2.0/UDP 127.0.0.1:{port};branch=z9hG4bK{tag}{number}\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:carol@{domain}>;tag={tag}\r\n\
             To: <sip:{number}@{domain}>\r\n\
             Call-ID: {tag}-{number}@127.0.0.1\r\n\
             CSeq: 1 INVITE\r\n\
             Contact: <sip:carol@127.0.0.1:{port}>\r\n\
             Content-Length: 0\r\n\r\n",
            domain = self.domain
        );
        sock.send_to(invite.as_bytes(), self.addr("udp"))
            .unwrap_or_else(|e| failed(e));
        let mut buf = [0u8; 4096];
        let (len, _) = sock
            .recv_from(&mut buf)
            .unwrap_or_else(|e| panic!("no answer to the call to {number}: {e}\n{}", self.log()));
        String::from_utf8_lossy(&buf[..len])
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    }

    /// `sipchat send` with `config` and `data` sends `text` to `to`'s
    /// address of record, again every half second while it fails (404/480
    /// until `to` has registered), for up to [`SEND_RETRY_DEADLINE`]; then
    /// panics with its stderr and this server's log.
    pub fn send_until_accepted(&self, config: &Path, data: &Path, to: &str, text: &str) {
        let deadline = Instant::now() + SEND_RETRY_DEADLINE;
        loop {
            let sent = Command::new(env!("CARGO_BIN_EXE_sipchat"))
                .arg("--config")
                .arg(config)
                .arg("--data-dir")
                .arg(data)
                .args(["send", &self.aor(to), text])
                .output()
                .unwrap_or_else(|e| panic!("running sipchat send: {e}"));
            if sent.status.success() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "could not send to {to}: {}\n{}",
                String::from_utf8_lossy(&sent.stderr),
                self.log()
            );
            thread::sleep(Duration::from_millis(500));
        }
    }

    /// The provider of `tests/kamailio/nat.cfg` (UDP, at `ip`) with
    /// `defines` (`WITH_OUTBOUND`, `WITH_STUN`) set; `None` as
    /// [`Kamailio::start_udp_config_or_skip`].
    pub fn start_nat_provider_or_skip(defines: &[&str], ip: Ipv4Addr) -> Option<Kamailio> {
        let lines: String = defines.iter().map(|d| format!("#!define {d}\n")).collect();
        let template = NAT_PROVIDER_CFG.replacen("#!KAMAILIO\n", &format!("#!KAMAILIO\n{lines}"), 1);
        Kamailio::start_udp_config_or_skip(&template, ip)
    }
}

/// How long [`Kamailio::call`] waits for the answer.
const CALL_ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long [`Kamailio::send_until_accepted`] keeps trying.
const SEND_RETRY_DEADLINE: Duration = Duration::from_secs(30);

/// The configuration template of the provider of the NAT and outbound tests.
const NAT_PROVIDER_CFG: &str = include_str!("../kamailio/nat.cfg");

/// Prints the server's log when the test fails while it lives.
pub struct LogOnPanic<'a>(pub &'a Kamailio);

impl Drop for LogOnPanic<'_> {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!("Kamailio log:\n{}", self.0.log());
        }
    }
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        if thread::panicking() {
            eprintln!(
                "===== kamailio log ({}) =====\n{}\n===== end of kamailio log =====",
                self.log_path.display(),
                self.log()
            );
        }
        stop_group(&mut self.child);
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        if let Some(dir) = self.dir.take() {
            if std::env::var_os("SIPCHAT_KAMAILIO_KEEP").is_some() {
                let kept = dir.keep();
                eprintln!("kamailio harness: kept {}", kept.display());
            }
        }
    }
}

impl Kamailio {
    /// Stops the server (as Drop does), keeping its ports and directory
    /// for [`Kamailio::restart`]. Registrations are lost, as on a real restart.
    pub fn stop(&mut self) {
        stop_group(&mut self.child);
    }

    /// Starts the server again on the same ports and configuration, and
    /// waits until it answers. Panics (with the log) when it does not.
    pub fn restart(&mut self) {
        let d = self.dir().to_path_buf();
        self.child = spawn(&self.bin, &d, &self.log_path).unwrap_or_else(|e| panic!("kamailio harness: {e}"));
        // The watchdog watches the new process (the old one is gone).
        if let Some(mut old) = self.watchdog.take() {
            let _ = old.kill();
            let _ = old.wait();
        }
        self.watchdog = spawn_watchdog(self.child.id(), &d);
        if let Err(why) = wait_ready(self) {
            panic!("kamailio harness: restart failed: {why}\n{}", self.log());
        }
    }
}

impl Kamailio {
    /// A Kamailio running `template` (a config from `tests/kamailio/`) on
    /// UDP only, at `ip` and a free port: the placeholders `MPATH`,
    /// `RUNDIR`, `IP`, `UDP_PORT` and `DEBUG` are filled in. Ready when it
    /// answers an OPTIONS there; `tcp_port` is the `HTTP_PORT` (0 when the
    /// template names none), `tls_port` is 0 and `ca_pem`
    /// is empty. `None` (after saying why) when Kamailio is not installed
    /// and not [`required`].
    pub fn start_udp_config_or_skip(template: &str, ip: Ipv4Addr) -> Option<Kamailio> {
        Kamailio::start_udp_config_with_or_skip(template, ip, &|_| Ok(()))
    }

    /// The presence server of `tests/kamailio/presence.cfg` on 127.0.0.1:
    /// its db_text database (`RUNDIR/db`) is made first from the tables
    /// Kamailio ships (`/usr/share/kamailio/dbtext/kamailio`).
    pub fn start_presence_or_skip() -> Option<Kamailio> {
        Kamailio::start_udp_config_with_or_skip(PRESENCE_CFG, Ipv4Addr::LOCALHOST, &presence_database)
    }

    /// The presence server that asks permission, with an XCAP server
    /// (`tests/kamailio/presence_rules.cfg`): the database of
    /// [`Kamailio::start_presence_or_skip`] plus the [`USERS`] in its
    /// subscriber table (the XCAP digest). Its XCAP root is
    /// [`Kamailio::xcap_root`].
    pub fn start_presence_rules_or_skip() -> Option<Kamailio> {
        Kamailio::start_udp_config_with_or_skip(
            PRESENCE_RULES_CFG,
            Ipv4Addr::LOCALHOST,
            &presence_rules_database,
        )
    }

    /// `http://127.0.0.1:PORT/xcap-root`: the XCAP root of a server
    /// started with an `@@HTTP_PORT@@` (its `tcp_port`).
    pub fn xcap_root(&self) -> String {
        format!("http://127.0.0.1:{}/xcap-root", self.tcp_port)
    }

    /// As [`Kamailio::start_udp_config_or_skip`], with `prepare` run on the
    /// server's directory before it starts.
    pub fn start_udp_config_with_or_skip(
        template: &str,
        ip: Ipv4Addr,
        prepare: &dyn Fn(&Path) -> Result<(), String>,
    ) -> Option<Kamailio> {
        let inst = match find_installation() {
            Ok(inst) => inst,
            Err(why) if required() => panic!("Kamailio is required (CI / SIPCHAT_REQUIRE_KAMAILIO): {why}"),
            Err(why) => {
                eprintln!("kamailio harness: Kamailio not available, skipping: {why}");
                return None;
            }
        };
        let mut last = String::new();
        for _ in 0..START_ATTEMPTS {
            match try_start_udp(&inst, template, ip, prepare) {
                Ok(Attempt::Ready(k)) => return Some(k),
                Ok(Attempt::PortClash(log)) => last = log,
                Err(e) => panic!("kamailio harness: {e}"),
            }
        }
        panic!("kamailio harness: no free port on {ip} after {START_ATTEMPTS} attempts; last log:\n{last}");
    }
}
