//! The address book kept on a real Kamailio's XCAP server (`xcap_server`
//! on `xhttp`, resource-lists documents in a db_text table, HTTP digest:
//! `tests/kamailio/presence_rules.cfg`), so a second device of the same
//! account sees the same contacts.
//!
//! Alice adds bob on her first device (before it starts) and carol while
//! it runs (`contacts add` handed to the running `sipchat listen`); her
//! second device, a data directory of its own with dave in it, starts and
//! lists bob and carol with their names, and the server's document (read
//! here with a GET and the digest of alice's password) names all three.
//! Then device 1, whose ETag is stale now, adds erin: Kamailio answers its
//! PUT 412 (it checks `If-Match`), device 1 reads the list again, merges
//! (dave comes to device 1) and writes all four.
//!
//! Skips when Kamailio is missing (unless required: `SIPCHAT_REQUIRE_KAMAILIO=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/kamailio.rs"]
mod kamailio;

use kamailio::{Kamailio, LogOnPanic};
use sipchat::protocol::xcap::resource_lists::{self, ResourceLists};
use sipchat::protocol::xcap::{document_url, http, Exchange, GetNext};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(30);
/// Between two looks at a list.
const POLL: Duration = Duration::from_millis(200);

const BOB: &str = "sip:bob@sipchat.test";
const CAROL: &str = "sip:carol@sipchat.test";
const DAVE: &str = "sip:dave@sipchat.test";
const ERIN: &str = "sip:erin@sipchat.test";

/// One of alice's devices: her configuration and a data directory.
struct Device {
    config: PathBuf,
    data: PathBuf,
}

impl Device {
    fn new(kam: &Kamailio, dir: &Path, name: &str) -> Device {
        let config = dir.join(format!("{name}.ron"));
        std::fs::write(
            &config,
            format!(
                r#"(
    accounts: [(name: "alice", uri: "sip:alice@{domain}", password: "alice-secret",
                proxy: "{proxy}", expires: 300, presence: (xcap_root: "{root}"))],
    local: (enabled: false),
)"#,
                domain = kamailio::DOMAIN,
                proxy = kam.proxy_uri("udp"),
                root = kam.xcap_root(),
            ),
        )
        .unwrap();
        Device {
            config,
            data: dir.join(name),
        }
    }

    fn contacts(&self, args: &[&str]) -> Output {
        let output = cli::sipchat()
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .arg("contacts")
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "contacts {args:?}: {output:?}");
        output
    }

    fn add(&self, uri: &str, name: &str) {
        self.contacts(&["add", uri, "--name", name]);
    }

    /// (uri, name) of every contact.
    fn listed(&self) -> Vec<(String, String)> {
        let out = self.contacts(&["list", "--json"]);
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .map(|v| {
                (
                    v["uri"].as_str().unwrap_or_default().to_string(),
                    v["name"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    /// `sipchat listen --json`, once registered.
    fn listen(&self) -> cli::Killed {
        let mut child = cli::sipchat()
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .args(["listen", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = cli::lines_of(&mut child);
        let killed = cli::Killed(child);
        cli::next_event(&lines, "registered");
        // Keep reading, so the child never blocks on a full pipe.
        std::thread::spawn(move || while lines.recv().is_ok() {});
        killed
    }
}

/// Alice's resource-lists document on the server (`None`: there is none).
fn server_document(kam: &Kamailio) -> Option<ResourceLists> {
    let root = http::Url::parse(&kam.xcap_root()).unwrap();
    let xui = format!("sip:alice@{}", kamailio::DOMAIN);
    let url = document_url(&root, resource_lists::AUID, &xui, resource_lists::DOCUMENT);
    let mut exchange = Exchange::get(url.clone());
    let mut request = exchange.request();
    for _ in 0..2 {
        let mut stream = std::net::TcpStream::connect((url.host.as_str(), url.port)).unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        stream.write_all(&request).unwrap();
        let mut received = Vec::new();
        stream.read_to_end(&mut received).unwrap();
        let response = http::Response::parse(&received, true).unwrap().unwrap();
        match exchange.on_get_response(&response, "alice", kamailio::password("alice"), "test-cnonce") {
            GetNext::Send(again) => request = again,
            GetNext::Done(result) => {
                let found = result.unwrap_or_else(|e| panic!("XCAP GET: {e}"));
                return found.map(|f| ResourceLists::parse(&f.body).unwrap());
            }
        }
    }
    panic!("XCAP GET was challenged twice");
}

fn server_uris(kam: &Kamailio) -> Vec<String> {
    let mut uris: Vec<String> = server_document(kam)
        .map(|d| d.all_entries().iter().map(|e| e.uri.clone()).collect())
        .unwrap_or_default();
    uris.sort();
    uris
}

/// Waits until `check` holds, bounded by [`WAIT`]; panics with `what`.
fn wait_until<T: std::fmt::Debug>(
    what: &str,
    mut look: impl FnMut() -> T,
    check: impl Fn(&T) -> bool,
) -> Duration {
    let started = Instant::now();
    loop {
        let seen = look();
        if check(&seen) {
            return started.elapsed();
        }
        assert!(started.elapsed() < WAIT, "{what}: last seen {seen:#?}");
        std::thread::sleep(POLL);
    }
}

#[test]
fn a_second_device_sees_the_contacts_of_the_first_through_the_server() {
    let Some(kam) = Kamailio::start_presence_rules_or_skip() else {
        return;
    };
    let _log = LogOnPanic(&kam);
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(server_document(&kam), None, "no document before");

    // Device 1: bob added before it starts, carol while it runs.
    let first = Device::new(&kam, dir.path(), "device1");
    first.add(BOB, "Bob Builder");
    let _first = first.listen();
    let took = wait_until(
        "bob on the server",
        || server_uris(&kam),
        |uris| uris.iter().any(|u| u == BOB),
    );
    eprintln!("FIGURE bob on the server {took:?} after device 1 registered");
    first.add(CAROL, "Carol");
    wait_until(
        "carol on the server",
        || server_uris(&kam),
        |uris| uris.iter().any(|u| u == CAROL),
    );

    // Device 2 knows only dave; it starts and sees bob and carol.
    let second = Device::new(&kam, dir.path(), "device2");
    second.add(DAVE, "Dave");
    let started = Instant::now();
    let _second = second.listen();
    wait_until(
        "bob and carol on device 2",
        || second.listed(),
        |listed| {
            listed.iter().any(|(u, n)| u == BOB && n == "Bob Builder")
                && listed.iter().any(|(u, n)| u == CAROL && n == "Carol")
        },
    );
    eprintln!(
        "FIGURE device 2 listed bob and carol {:?} after its start",
        started.elapsed()
    );
    // Device 2's own contact reaches the server too; nothing is lost.
    wait_until(
        "bob, carol and dave on the server",
        || server_uris(&kam),
        |uris| *uris == [BOB, CAROL, DAVE],
    );
    let document = server_document(&kam).unwrap();
    let ours = document.list(resource_lists::SIPCHAT_LIST).unwrap();
    let bob = ours.entries.iter().find(|e| e.uri == BOB).unwrap();
    assert_eq!(bob.display_name.as_deref(), Some("Bob Builder"));
    assert!(second.listed().iter().any(|(u, _)| u == DAVE));

    // Device 1 writes over a document device 2 changed since (If-Match of
    // its older ETag): it reads the server's again, merges (dave comes to
    // device 1) and writes; nothing is lost on either side.
    first.add(ERIN, "Erin");
    wait_until(
        "all four on the server",
        || server_uris(&kam),
        |uris| *uris == [BOB, CAROL, DAVE, ERIN],
    );
    wait_until(
        "dave on device 1",
        || first.listed(),
        |listed| listed.iter().any(|(u, n)| u == DAVE && n == "Dave"),
    );
}
