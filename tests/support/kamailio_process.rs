//! The test Kamailio's process: starting it on a filled-in configuration,
//! waiting until it answers, the watchdog that outlives a killed test, and
//! stopping its process group. Part of [`super`]
//! (`tests/support/kamailio.rs`).

use super::*;

/// How long [`Kamailio::start`] waits for the server to become ready.
pub(super) const READY_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) fn try_start(
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
pub(super) fn spawn(bin: &Path, d: &Path, log_path: &Path) -> Result<Child, String> {
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

/// Polls the three listeners until all answer, or the child dies, or timeout.
pub(super) fn wait_ready(k: &mut Kamailio) -> Result<(), String> {
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
pub(super) fn options_probe_msg(proto: &str, port: u16, local_port: u16, n: u32) -> String {
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
pub(super) fn tcp_options_probe(port: u16, n: u32) -> bool {
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
pub(super) fn udp_options_probe(sock: &UdpSocket, port: u16, n: u32) -> bool {
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
pub(super) fn spawn_watchdog(pid: u32, dir: &Path) -> Option<Child> {
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
pub(super) fn signal(target: &str, sig: &str) -> bool {
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
pub(super) fn stop_group(child: &mut Child) {
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
pub(super) fn group_alive(pgid: u32) -> bool {
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

pub(super) fn read_lossy(path: &Path) -> String {
    let mut bytes = Vec::new();
    match File::open(path).and_then(|mut f| f.read_to_end(&mut bytes)) {
        Ok(_) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}

pub(super) fn try_start_udp(
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
    let child = spawn(&inst.bin, d, &log_path)?;
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
