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

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// The Kamailio configuration template (placeholders `@@NAME@@`).
const CFG_TEMPLATE: &str = include_str!("../kamailio/kamailio.cfg");
/// The tls module configuration template.
const TLS_CFG_TEMPLATE: &str = include_str!("../kamailio/tls.cfg");

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

/// How long [`Kamailio::start`] waits for the server to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Start attempts (with fresh ports) before giving up.
const START_ATTEMPTS: usize = 3;

const BIN_CANDIDATES: &[&str] = &[
    "/usr/sbin/kamailio",
    "/usr/local/sbin/kamailio",
    "/usr/bin/kamailio",
    "/usr/local/bin/kamailio",
];
const MODULE_DIR_CANDIDATES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/kamailio/modules",
    "/usr/lib/aarch64-linux-gnu/kamailio/modules",
    "/usr/lib/kamailio/modules",
    "/usr/lib64/kamailio/modules",
    "/usr/local/lib64/kamailio/modules",
    "/usr/local/lib/kamailio/modules",
];
/// Modules the config loads that are not in the base package everywhere.
const REQUIRED_MODULES: &[&str] = &[
    "tm.so",
    "registrar.so",
    "auth.so",
    "nathelper.so",
    "tls.so",
    "uac.so",
];

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
        format!(
            r#"(
    accounts: [(
        name: "{user}",
        uri: "sip:{user}@{domain}",
        password: "{password}",
        proxy: "{proxy}",
        expires: 300,
        {extra}
    )],
    local: (enabled: false),
)"#,
            domain = self.domain,
            password = password(user).unwrap_or_else(|| panic!("{user} is not a test user")),
        )
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

fn find_installation() -> Result<Installation, String> {
    let bin = match std::env::var_os("KAMAILIO_BIN") {
        Some(b) => PathBuf::from(b),
        None => {
            let in_path = std::env::var_os("PATH")
                .map(|p| {
                    std::env::split_paths(&p)
                        .map(|d| d.join("kamailio"))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default();
            in_path
                .into_iter()
                .chain(BIN_CANDIDATES.iter().map(PathBuf::from))
                .find(|p| p.is_file())
                .ok_or(
                    "no kamailio binary in PATH or /usr/sbin (apt-get install kamailio kamailio-tls-modules)",
                )?
        }
    };
    if !bin.is_file() {
        return Err(format!("{} does not exist", bin.display()));
    }
    let module_dir = match std::env::var_os("KAMAILIO_MODULES") {
        Some(d) => PathBuf::from(d),
        None => MODULE_DIR_CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|d| d.join("tm.so").is_file())
            .ok_or_else(|| format!("no Kamailio module directory found among {MODULE_DIR_CANDIDATES:?}"))?,
    };
    for m in REQUIRED_MODULES {
        if !module_dir.join(m).is_file() {
            return Err(format!(
                "module {m} missing in {} (the tls module is in package kamailio-tls-modules)",
                module_dir.display()
            ));
        }
    }
    Ok(Installation { bin, module_dir })
}

/// Picks distinct free loopback ports: (udp, tcp, tls).
fn pick_ports() -> std::io::Result<(u16, u16, u16)> {
    for _ in 0..20 {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))?;
        let tcp = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let tls = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let ports = (
            udp.local_addr()?.port(),
            tcp.local_addr()?.port(),
            tls.local_addr()?.port(),
        );
        if ports.0 != ports.1 && ports.0 != ports.2 && ports.1 != ports.2 {
            return Ok(ports);
        }
    }
    Err(std::io::Error::other("could not find three distinct free ports"))
}

/// Writes ca.pem, server.pem, server.key into `dir`; returns their paths.
fn make_certs(dir: &Path) -> Result<(PathBuf, PathBuf, PathBuf), String> {
    use rcgen::{
        BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
        KeyPair, KeyUsagePurpose,
    };
    let err = |e: rcgen::Error| format!("rcgen: {e}");

    let ca_key = KeyPair::generate().map_err(err)?;
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "sipchat test CA");
    ca_params.distinguished_name = dn;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = ca_params.self_signed(&ca_key).map_err(err)?;

    let key = KeyPair::generate().map_err(err)?;
    // "127.0.0.1" becomes an IP SAN, "localhost" a DNS SAN
    let mut params = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])
    .map_err(err)?;
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "localhost");
    params.distinguished_name = dn;
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![
        ExtendedKeyUsagePurpose::ServerAuth,
        ExtendedKeyUsagePurpose::ClientAuth,
    ];
    params.use_authority_key_identifier_extension = true;
    let cert = params.signed_by(&key, &ca, &ca_key).map_err(err)?;

    let ca_path = dir.join("ca.pem");
    let cert_path = dir.join("server.pem");
    let key_path = dir.join("server.key");
    let write = |p: &Path, s: &str| fs::write(p, s).map_err(|e| format!("writing {}: {e}", p.display()));
    write(&ca_path, &ca.pem())?;
    // chain: server certificate followed by the CA
    write(&cert_path, &format!("{}{}", cert.pem(), ca.pem()))?;
    write(&key_path, &key.serialize_pem())?;
    Ok((ca_path, cert_path, key_path))
}

fn fill(template: &str, vars: &[(&str, String)]) -> Result<String, String> {
    let mut out = template.to_string();
    for (name, value) in vars {
        out = out.replace(&format!("@@{name}@@"), value);
    }
    // (comment lines may mention the placeholder syntax)
    match out
        .lines()
        .find(|l| !l.trim_start().starts_with('#') && l.contains("@@"))
    {
        Some(line) => Err(format!("unfilled placeholder in template line {line:?}")),
        None => Ok(out),
    }
}

fn try_start(
    inst: &Installation,
    certificate: Option<&(PathBuf, PathBuf)>,
    ipv6: bool,
) -> Result<Attempt, String> {
    let dir = tempfile::Builder::new()
        .prefix("sipchat-kamailio-")
        .tempdir()
        .map_err(|e| format!("tempdir: {e}"))?;
    let d = dir.path();
    let (ca_pem, cert, key) = match certificate {
        Some((chain, key)) => (chain.clone(), chain.clone(), key.clone()),
        None => make_certs(d)?,
    };
    let (udp_port, tcp_port, tls_port) = pick_ports().map_err(|e| format!("picking ports: {e}"))?;

    let path_str = |p: &Path| {
        p.to_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("non-UTF-8 path {}", p.display()))
    };
    let tls_cfg_path = d.join("tls.cfg");
    let tls_cfg = fill(
        TLS_CFG_TEMPLATE,
        &[("CERT", path_str(&cert)?), ("KEY", path_str(&key)?)],
    )?;
    fs::write(&tls_cfg_path, tls_cfg).map_err(|e| format!("writing tls.cfg: {e}"))?;

    let debug = std::env::var("SIPCHAT_KAMAILIO_DEBUG")
        .ok()
        .and_then(|v| v.trim().parse::<i32>().ok())
        .unwrap_or(2);
    let ipv6_listen = if ipv6 {
        format!("listen=udp:[::1]:{udp_port}\nlisten=tcp:[::1]:{tcp_port}\nlisten=tls:[::1]:{tls_port}")
    } else {
        String::new()
    };
    let cfg_path = d.join("kamailio.cfg");
    let cfg = fill(
        CFG_TEMPLATE,
        &[
            ("MPATH", path_str(&inst.module_dir)?),
            ("RUNDIR", path_str(d)?),
            ("UDP_PORT", udp_port.to_string()),
            ("TCP_PORT", tcp_port.to_string()),
            ("TLS_PORT", tls_port.to_string()),
            ("TLS_CFG", path_str(&tls_cfg_path)?),
            ("DEBUG", debug.to_string()),
            ("IPV6_LISTEN", ipv6_listen),
        ],
    )?;
    fs::write(&cfg_path, cfg).map_err(|e| format!("writing kamailio.cfg: {e}"))?;

    let log_path = d.join("kamailio.log");
    let started = Instant::now();
    let child = spawn(&inst.bin, d, &log_path)?;
    let watchdog = spawn_watchdog(child.id(), d);

    let mut k = Kamailio {
        udp_port,
        tcp_port,
        tls_port,
        ca_pem,
        domain: DOMAIN,
        child,
        watchdog,
        log_path,
        dir: Some(dir),
        bin: inst.bin.clone(),
    };

    match wait_ready(&mut k) {
        Ok(()) => {
            if std::env::var_os("SIPCHAT_KAMAILIO_VERBOSE").is_some() {
                eprintln!(
                    "kamailio harness: ready in {:?} (udp {udp_port}, tcp {tcp_port}, tls {tls_port}, dir {})",
                    started.elapsed(),
                    k.dir().display()
                );
            }
            Ok(Attempt::Ready(k))
        }
        Err(why) => {
            let log = k.log();
            drop(k);
            if log.contains("Address already in use") {
                Ok(Attempt::PortClash(log))
            } else {
                Err(format!(
                    "Kamailio did not start: {why}\n===== kamailio log =====\n{log}"
                ))
            }
        }
    }
}

/// Starts the Kamailio binary on the configuration in `d`, logging to
/// `log_path` (appended to, so a restart keeps the earlier log).
fn spawn(bin: &Path, d: &Path, log_path: &Path) -> Result<Child, String> {
    let log = File::options()
        .create(true)
        .append(true)
        .open(log_path)
        .map_err(|e| format!("creating log: {e}"))?;
    let log2 = log.try_clone().map_err(|e| format!("log: {e}"))?;
    Command::new(bin)
        .arg("-f")
        .arg(d.join("kamailio.cfg"))
        // foreground, log to stderr, small memory, pid/runtime files in the temp dir
        .args(["-DD", "-E", "-m", "64", "-M", "8"])
        .arg("-P")
        .arg(d.join("kamailio.pid"))
        .arg("-Y")
        .arg(d)
        .arg("-w")
        .arg(d)
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2))
        // own process group: Drop signals the main process and all its children
        .process_group(0)
        .spawn()
        .map_err(|e| format!("spawning {}: {e}", bin.display()))
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

/// Polls the three listeners until all answer, or the child dies, or timeout.
fn wait_ready(k: &mut Kamailio) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    let (mut udp_ok, mut tcp_ok, mut tls_ok) = (false, false, false);
    let probe = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("probe socket: {e}"))?;
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| format!("probe socket: {e}"))?;
    let mut n = 0u32;
    loop {
        if let Ok(Some(status)) = k.child.try_wait() {
            return Err(format!("kamailio exited early with {status}"));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "not ready after {READY_TIMEOUT:?} (udp ok: {udp_ok}, tcp ok: {tcp_ok}, tls ok: {tls_ok})"
            ));
        }
        n += 1;
        if !udp_ok {
            udp_ok = udp_options_probe(&probe, k.udp_port, n);
        }
        // A TCP connect alone succeeds as soon as the listening socket
        // exists, long before the TCP main process is up (and a SIGTERM
        // during its start-up is lost, which stalls shutdown): insist on a
        // SIP answer over TCP. TLS is served by the same processes, so a
        // plain connect is enough there.
        if !tcp_ok {
            tcp_ok = tcp_options_probe(k.tcp_port, n);
        }
        if !tls_ok {
            tls_ok = TcpStream::connect_timeout(
                &SocketAddr::from((Ipv4Addr::LOCALHOST, k.tls_port)),
                Duration::from_millis(200),
            )
            .is_ok();
        }
        if udp_ok && tcp_ok && tls_ok {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// A keepalive OPTIONS to the server itself (answered with 200 before any
/// authentication, see route[REQINIT]).
fn options_probe_msg(proto: &str, port: u16, local_port: u16, n: u32) -> String {
    format!(
        "OPTIONS sip:127.0.0.1:{port} SIP/2.0\r\n\
         Via: SIP/2.0/{proto} 127.0.0.1:{local_port};branch=z9hG4bK-harness-probe-{n};rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:harness@{DOMAIN}>;tag=probe{n}\r\n\
         To: <sip:127.0.0.1:{port}>\r\n\
         Call-ID: harness-probe-{n}-{pid}@127.0.0.1\r\n\
         CSeq: {n} OPTIONS\r\n\
         Content-Length: 0\r\n\r\n",
        pid = std::process::id(),
    )
}

/// Sends an OPTIONS over TCP; true when a SIP response comes back.
fn tcp_options_probe(port: u16, n: u32) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut conn) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let Ok(local) = conn.local_addr() else {
        return false;
    };
    let msg = options_probe_msg("TCP", port, local.port(), n);
    if conn.write_all(msg.as_bytes()).is_err()
        || conn.set_read_timeout(Some(Duration::from_millis(300))).is_err()
    {
        return false;
    }
    let mut buf = [0u8; 8];
    conn.read_exact(&mut buf).is_ok() && &buf == b"SIP/2.0 "
}

/// Sends an OPTIONS over UDP; true when any SIP response comes back.
fn udp_options_probe(sock: &UdpSocket, port: u16, n: u32) -> bool {
    let Ok(local) = sock.local_addr() else {
        return false;
    };
    let msg = options_probe_msg("UDP", port, local.port(), n);
    if sock.send_to(msg.as_bytes(), (Ipv4Addr::LOCALHOST, port)).is_err() {
        return false;
    }
    let mut buf = [0u8; 4096];
    let until = Instant::now() + Duration::from_millis(300);
    while Instant::now() < until {
        match sock.recv_from(&mut buf) {
            Ok((len, _)) if buf[..len].starts_with(b"SIP/2.0 ") => return true,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
    false
}

/// Kills the test's Kamailio (and removes its temp dir) when the test
/// process dies without running Drop (Ctrl-C, abort, process::exit).
fn spawn_watchdog(pid: u32, dir: &Path) -> Option<Child> {
    let keep = std::env::var_os("SIPCHAT_KAMAILIO_KEEP").is_some();
    let script = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 1; done; \
         kill -TERM {pid} 2>/dev/null; sleep 2; kill -KILL -{pid} 2>/dev/null; {rm}",
        me = std::process::id(),
        rm = if keep { "" } else { "rm -rf -- \"$1\"" },
    );
    Command::new("sh")
        .arg("-c")
        .arg(&script)
        .arg("kamailio-watchdog")
        .arg(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        // in its own group, so that killing Kamailio's group spares it and
        // Drop can reap it explicitly
        .process_group(0)
        .spawn()
        .ok()
}

/// Sends `sig` (e.g. "TERM", "KILL", "0") to `target`: a pid, or a process
/// group as "-PGID". True if some process got it.
fn signal(target: &str, sig: &str) -> bool {
    Command::new("sh")
        // (no "--": dash's builtin kill does not accept it)
        .args(["-c", &format!("kill -{sig} {target} 2>/dev/null")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Stops Kamailio: SIGTERM to the main process only (it stops its
/// children itself; signalling the whole group at once can hang the
/// shutdown of the main process), reaps it and waits until no process of
/// its group is left. Kamailio 5.6's TCP main process sometimes ignores the
/// shutdown signal; the main process then kills it after `exit_timeout`
/// (1 s, see kamailio.cfg). If anything is still running after 2 s, the
/// whole group gets SIGKILL. Nothing is lost either way: the server keeps
/// no state outside its (anonymous) memory.
fn stop_group(child: &mut Child) {
    let pid = child.id();
    let group = format!("-{pid}");
    let mut reaped = matches!(child.try_wait(), Ok(Some(_)));
    if !reaped {
        signal(&pid.to_string(), "TERM");
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    while Instant::now() < deadline {
        if !reaped {
            reaped = matches!(child.try_wait(), Ok(Some(_)));
        }
        if reaped && !group_alive(pid) {
            return;
        }
        thread::sleep(Duration::from_millis(10));
    }
    if std::env::var_os("SIPCHAT_KAMAILIO_VERBOSE").is_some() {
        eprintln!("kamailio harness: Kamailio (pid {pid}) still running 2 s after SIGTERM, sending SIGKILL to its process group");
    }
    signal(&group, "KILL");
    let _ = child.kill();
    let _ = child.wait();
    let deadline = Instant::now() + Duration::from_secs(1);
    while group_alive(pid) && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(10));
    }
}

/// True while some non-zombie process is in process group `pgid` (Linux
/// /proc; zombies of orphaned children may linger until init reaps them).
/// Falls back to `kill -0 -PGID` when /proc cannot be read.
fn group_alive(pgid: u32) -> bool {
    let Ok(entries) = fs::read_dir("/proc") else {
        return signal(&format!("-{pgid}"), "0");
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid pgrp ..."; comm may contain spaces/parens
        let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1);
        if pgrp == Some(&pgid.to_string()[..]) && state != Some("Z") && state != Some("X") {
            return true;
        }
    }
    false
}

fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    match File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)) {
        Ok(_) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
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

/// The presence server's configuration template.
const PRESENCE_CFG: &str = include_str!("../kamailio/presence.cfg");
/// The presence server with pres-rules and XCAP.
const PRESENCE_RULES_CFG: &str = include_str!("../kamailio/presence_rules.cfg");
/// Where Debian's Kamailio keeps the db_text tables to start from.
const DBTEXT_SCHEMA_DIRS: &[&str] = &[
    "/usr/share/kamailio/dbtext/kamailio",
    "/usr/local/share/kamailio/dbtext/kamailio",
];
/// The tables presence and presence_xml use.
const PRESENCE_TABLES: &[&str] = &[
    "version",
    "presentity",
    "active_watchers",
    "watchers",
    "xcap",
    "pua",
    // (rls, in the presence server with rules and lists)
    "rls_presentity",
    "rls_watchers",
];

/// Makes `d/db` from Kamailio's own db_text tables.
fn presence_database(d: &Path) -> Result<(), String> {
    let schema = DBTEXT_SCHEMA_DIRS
        .iter()
        .map(Path::new)
        .find(|p| p.join("presentity").is_file())
        .ok_or("Kamailio's db_text tables are not installed (kamailio-presence-modules and its data)")?;
    let db = d.join("db");
    fs::create_dir_all(&db).map_err(|e| format!("creating {}: {e}", db.display()))?;
    for table in PRESENCE_TABLES {
        fs::copy(schema.join(table), db.join(table))
            .map_err(|e| format!("copying the {table} table: {e}"))?;
    }
    Ok(())
}

/// [`presence_database`] and the subscriber table with [`USERS`]
/// (plain passwords; the server computes HA1).
fn presence_rules_database(d: &Path) -> Result<(), String> {
    presence_database(d)?;
    let schema = DBTEXT_SCHEMA_DIRS
        .iter()
        .map(Path::new)
        .find(|p| p.join("subscriber").is_file())
        .ok_or("Kamailio's db_text subscriber table is not installed")?;
    let mut table = fs::read_to_string(schema.join("subscriber"))
        .map_err(|e| format!("reading the subscriber table: {e}"))?;
    for (n, (user, password)) in USERS.iter().enumerate() {
        // (ha1 and ha1b may not be empty in db_text; calculate_ha1 ignores them)
        table.push_str(&format!("{}:{user}:{DOMAIN}:{password}:unused:unused\n", n + 1));
    }
    fs::write(d.join("db").join("subscriber"), table)
        .map_err(|e| format!("writing the subscriber table: {e}"))
}

fn try_start_udp(
    inst: &Installation,
    template: &str,
    ip: Ipv4Addr,
    prepare: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<Attempt, String> {
    let dir = tempfile::Builder::new()
        .prefix("sipchat-kamailio-")
        .tempdir()
        .map_err(|e| format!("tempdir: {e}"))?;
    let d = dir.path();
    prepare(d)?;
    let udp_port = UdpSocket::bind((ip, 0))
        .and_then(|s| s.local_addr())
        .map_err(|e| format!("picking a port on {ip}: {e}"))?
        .port();
    // (for templates with an HTTP listener; the others do not name it)
    let http_port = std::net::TcpListener::bind((ip, 0))
        .and_then(|s| s.local_addr())
        .map_err(|e| format!("picking a TCP port on {ip}: {e}"))?
        .port();
    let path_str = |p: &Path| {
        p.to_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("non-UTF-8 path {}", p.display()))
    };
    let debug = std::env::var("SIPCHAT_KAMAILIO_DEBUG")
        .ok()
        .and_then(|v| v.trim().parse::<i32>().ok())
        .unwrap_or(2);
    let cfg_path = d.join("kamailio.cfg");
    let cfg = fill(
        template,
        &[
            ("MPATH", path_str(&inst.module_dir)?),
            ("RUNDIR", path_str(d)?),
            ("IP", ip.to_string()),
            ("UDP_PORT", udp_port.to_string()),
            ("HTTP_PORT", http_port.to_string()),
            ("DEBUG", debug.to_string()),
        ],
    )?;
    let http_port = if template.contains("@@HTTP_PORT@@") {
        http_port
    } else {
        0
    };
    fs::write(&cfg_path, cfg).map_err(|e| format!("writing kamailio.cfg: {e}"))?;
    let log_path = d.join("kamailio.log");
    let log = File::create(&log_path).map_err(|e| format!("creating log: {e}"))?;
    let log2 = log.try_clone().map_err(|e| format!("log: {e}"))?;
    let child = Command::new(&inst.bin)
        .arg("-f")
        .arg(&cfg_path)
        .args(["-DD", "-E", "-m", "64", "-M", "8"])
        .arg("-P")
        .arg(d.join("kamailio.pid"))
        .arg("-Y")
        .arg(d)
        .arg("-w")
        .arg(d)
        .current_dir(d)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2))
        .process_group(0)
        .spawn()
        .map_err(|e| format!("spawning {}: {e}", inst.bin.display()))?;
    let watchdog = spawn_watchdog(child.id(), d);
    let mut k = Kamailio {
        udp_port,
        tcp_port: http_port,
        tls_port: 0,
        ca_pem: PathBuf::new(),
        domain: DOMAIN,
        child,
        watchdog,
        log_path,
        dir: Some(dir),
        bin: inst.bin.clone(),
    };
    let probe = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(|e| format!("probe socket: {e}"))?;
    probe
        .set_read_timeout(Some(Duration::from_millis(100)))
        .map_err(|e| format!("probe socket: {e}"))?;
    let deadline = Instant::now() + READY_TIMEOUT;
    let mut n = 0;
    loop {
        if let Ok(Some(status)) = k.child.try_wait() {
            let log = k.log();
            drop(k);
            if log.contains("Address already in use") {
                return Ok(Attempt::PortClash(log));
            }
            return Err(format!("Kamailio exited early with {status}\n{log}"));
        }
        if Instant::now() > deadline {
            return Err(format!("Kamailio not ready after {READY_TIMEOUT:?}\n{}", k.log()));
        }
        n += 1;
        let local_port = probe.local_addr().map_err(|e| e.to_string())?.port();
        // (its request URI names 127.0.0.1; this server answers any request)
        let msg = options_probe_msg("UDP", udp_port, local_port, n);
        let _ = probe.send_to(msg.as_bytes(), (ip, udp_port));
        let mut buf = [0u8; 4096];
        if matches!(probe.recv_from(&mut buf), Ok((len, _)) if buf[..len].starts_with(b"SIP/2.0 ")) {
            return Ok(Attempt::Ready(k));
        }
        thread::sleep(Duration::from_millis(50));
    }
}
