//! A home router built from network namespaces, for tests of sipchat
//! behind NAT (issue 19).
//!
//! ```text
//!   this namespace (the public side: servers run here)
//!     scnPIDxN  SERVER_IP (198.18.X.1/30)
//!        |  veth
//!     wan       WAN_IP (198.18.X.2/30)      namespace "sc-nat-PID-N-router":
//!     lan       192.168.77.1/24               masquerade with random ports,
//!        |  veth                               conntrack UDP 20/30 s, TCP 40 s
//!     eth0      192.168.77.10/24            namespace "sc-nat-PID-N-home":
//!               default route via .1          the client runs here
//! ```
//!
//! Include with `#[path = "support/netns.rs"] mod netns;`. Building needs
//! root and the `ip` and `nft` commands: [`HomeRouter::build_or_skip`]
//! returns `None` (saying why) without them, unless `SIPCHAT_REQUIRE_KAMAILIO`
//! or `CI` is set (as for Kamailio), when it panics instead. Everything is
//! removed on drop; namespaces left by a test process that died (its pid is
//! in the name) are removed when the next router is built.
//!
//! Dependencies: std only.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::Ipv4Addr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

/// Prefix of every namespace a router makes.
const PREFIX: &str = "sc-nat-";
/// Prefix of the public-side interface (interface names have 15 bytes).
const LINK_PREFIX: &str = "scn";
/// The home network.
pub const HOME_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 77, 10);
/// The router's address in the home network.
pub const GATEWAY_IP: Ipv4Addr = Ipv4Addr::new(192, 168, 77, 1);
/// How long the router keeps an idle UDP binding seen in one direction
/// only, and one seen in both (seconds): as home routers do.
pub const UDP_TIMEOUT_SECS: u32 = 20;
/// See [`UDP_TIMEOUT_SECS`].
pub const UDP_STREAM_TIMEOUT_SECS: u32 = 30;
/// How long the router keeps an idle established TCP connection (seconds).
pub const TCP_TIMEOUT_SECS: u32 = 40;

static NEXT: AtomicU32 = AtomicU32::new(0);
/// Choosing a public subnet and creating its link happen one at a time.
static BUILDING: Mutex<()> = Mutex::new(());

/// True when a missing tool or privilege must fail the test, not skip it.
pub fn required() -> bool {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    set("SIPCHAT_REQUIRE_KAMAILIO") || set("CI")
}

/// A home network behind a NAT router; removed on drop.
pub struct HomeRouter {
    /// The router's namespace.
    pub router: String,
    /// The home namespace (the client's).
    pub home: String,
    /// Our address on the public side: servers listen here.
    pub server_ip: Ipv4Addr,
    /// The router's public address: what servers see of the home.
    pub wan_ip: Ipv4Addr,
    link: String,
}

impl HomeRouter {
    /// Builds a router, or says why not and returns `None` (see the module
    /// docs for when it panics instead).
    pub fn build_or_skip() -> Option<HomeRouter> {
        if let Err(why) = can_build() {
            if required() {
                panic!("netns harness: required (CI / SIPCHAT_REQUIRE_KAMAILIO) but {why}");
            }
            eprintln!("netns harness: skipping: {why}");
            return None;
        }
        Some(HomeRouter::build().unwrap_or_else(|e| panic!("netns harness: {e}")))
    }

    fn build() -> Result<HomeRouter, String> {
        let _one_at_a_time = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
        remove_leftovers();
        let pid = std::process::id();
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let subnet = free_subnet()?;
        let router = HomeRouter {
            router: format!("{PREFIX}{pid}-{n}-router"),
            home: format!("{PREFIX}{pid}-{n}-home"),
            server_ip: Ipv4Addr::new(198, 18, subnet, 1),
            wan_ip: Ipv4Addr::new(198, 18, subnet, 2),
            link: format!("{LINK_PREFIX}{pid}x{n}"),
        };
        // From here on, Drop removes whatever was made.
        router.wire()?;
        Ok(router)
    }

    fn wire(&self) -> Result<(), String> {
        let (r, h, link) = (&self.router, &self.home, &self.link);
        ip(&["netns", "add", r])?;
        ip(&["netns", "add", h])?;
        ip(&[
            "link", "add", link, "type", "veth", "peer", "name", "wan", "netns", r,
        ])?;
        ip(&["addr", "add", &format!("{}/30", self.server_ip), "dev", link])?;
        ip(&["link", "set", link, "up"])?;
        ip(&[
            "-n",
            r,
            "addr",
            "add",
            &format!("{}/30", self.wan_ip),
            "dev",
            "wan",
        ])?;
        ip(&["-n", r, "link", "set", "wan", "up"])?;
        ip(&["-n", r, "link", "set", "lo", "up"])?;
        // The router's way out is this namespace (its "internet"), so
        // homes behind other routers reach servers here too.
        ip(&[
            "-n",
            r,
            "route",
            "add",
            "default",
            "via",
            &self.server_ip.to_string(),
        ])?;
        ip(&[
            "-n", r, "link", "add", "lan", "type", "veth", "peer", "name", "eth0", "netns", h,
        ])?;
        ip(&["-n", r, "addr", "add", &format!("{GATEWAY_IP}/24"), "dev", "lan"])?;
        ip(&["-n", r, "link", "set", "lan", "up"])?;
        ip(&["-n", h, "addr", "add", &format!("{HOME_IP}/24"), "dev", "eth0"])?;
        ip(&["-n", h, "link", "set", "eth0", "up"])?;
        ip(&["-n", h, "link", "set", "lo", "up"])?;
        ip(&["-n", h, "route", "add", "default", "via", &GATEWAY_IP.to_string()])?;
        let settings = [
            "net.ipv4.ip_forward=1".to_string(),
            format!("net.netfilter.nf_conntrack_udp_timeout={UDP_TIMEOUT_SECS}"),
            format!("net.netfilter.nf_conntrack_udp_timeout_stream={UDP_STREAM_TIMEOUT_SECS}"),
            format!("net.netfilter.nf_conntrack_tcp_timeout_established={TCP_TIMEOUT_SECS}"),
        ];
        let sysctl = self
            .in_router("sysctl")
            .arg("-qw")
            .args(&settings)
            .status()
            .map_err(|e| format!("sysctl: {e}"))?;
        if !sysctl.success() {
            return Err(format!("sysctl {settings:?} in {r} failed"));
        }
        // Masquerade with random ports: the public port says nothing about
        // the private one, as on many home routers.
        let rules = "table ip nat {\n\
                     \tchain postrouting {\n\
                     \t\ttype nat hook postrouting priority srcnat; policy accept;\n\
                     \t\toifname \"wan\" masquerade random\n\
                     \t}\n\
                     }\n";
        let mut nft = self
            .in_router("nft")
            .args(["-f", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("nft: {e}"))?;
        {
            use std::io::Write;
            let mut stdin = nft.stdin.take().ok_or("nft: no stdin")?;
            stdin
                .write_all(rules.as_bytes())
                .map_err(|e| format!("nft: {e}"))?;
        }
        let out = nft.wait_with_output().map_err(|e| format!("nft: {e}"))?;
        if !out.status.success() {
            return Err(format!("nft: {}", String::from_utf8_lossy(&out.stderr)));
        }
        Ok(())
    }

    /// `program` run inside the home namespace.
    pub fn in_home(&self, program: impl AsRef<Path>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.home]).arg(program.as_ref());
        c
    }

    /// `program` run inside the router's namespace.
    pub fn in_router(&self, program: impl AsRef<Path>) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.router]).arg(program.as_ref());
        c
    }

    /// The router's connection tracking table (`conntrack -L`), for
    /// failure messages.
    pub fn conntrack(&self) -> String {
        match self.in_router("conntrack").arg("-L").output() {
            Ok(out) => format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
            Err(e) => format!("<conntrack: {e}>"),
        }
    }
}

impl Drop for HomeRouter {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("===== router conntrack =====\n{}", self.conntrack());
        }
        // The public-side link goes at once (deleting a namespace frees
        // its links only later).
        let _ = ip(&["link", "del", &self.link]);
        let _ = ip(&["netns", "del", &self.home]);
        let _ = ip(&["netns", "del", &self.router]);
    }
}

fn can_build() -> Result<(), String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let uid = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().next().map(str::to_string));
    if uid.as_deref() != Some("0") {
        return Err("not root (network namespaces need root)".into());
    }
    for tool in ["ip", "nft"] {
        let found = Command::new(tool)
            .arg("-V")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok();
        if !found {
            return Err(format!(
                "`{tool}` is not installed (apt-get install iproute2 nftables)"
            ));
        }
    }
    Ok(())
}

/// Runs `ip ARGS`; the error names the command and what it said.
fn ip(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ip")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("ip {}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ip {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// A /30 in 198.18.0.0/16 (a benchmarking range) that no interface here
/// uses yet: its third byte.
fn free_subnet() -> Result<u8, String> {
    let out = Command::new("ip")
        .args(["-4", "-o", "addr", "show"])
        .output()
        .map_err(|e| format!("ip addr: {e}"))?;
    let used = String::from_utf8_lossy(&out.stdout).into_owned();
    let start = (std::process::id() % 200) as u8;
    (0..=250u8)
        .map(|i| start.wrapping_add(i) % 251 + 1)
        .find(|x| !used.contains(&format!(" 198.18.{x}.")))
        .ok_or_else(|| "no free subnet in 198.18.0.0/16".to_string())
}

/// Removes the namespaces (and public links) of test processes that are
/// gone.
fn remove_leftovers() {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return;
    };
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        let Some(rest) = name.strip_prefix(PREFIX) else {
            continue;
        };
        let mut parts = rest.split('-');
        let (Some(pid), Some(n)) = (parts.next(), parts.next()) else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        eprintln!("netns harness: removing {name}, left by process {pid}");
        let _ = ip(&["link", "del", &format!("{LINK_PREFIX}{pid}x{n}")]);
        let _ = ip(&["netns", "del", name]);
    }
}
