//! `sipchat contacts ...` with the real binary: every subcommand alone on a
//! data directory (words, `--json` lines, exit codes, export to standard
//! output), and through a running `listen` (the control channel), where a
//! block takes effect in the instance at once: the blocked peer's MESSAGE
//! gets 603 and prints nothing; unblocked, it arrives.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/cli.rs"]
mod cli;
#[path = "support/raw_sip.rs"]
mod raw_sip;

use cli::{free_port, listen_json, next_event, run_in, write_local_config, Killed};
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

/// Longest a test waits for the instance to serve its control socket.
const DEADLINE: Duration = Duration::from_secs(60);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vcard")
        .join(name)
}

fn contacts(config: &Path, data: &Path, args: &[&str]) -> Output {
    run_in(config, data, "contacts", args)
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn every_contacts_subcommand_alone() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_local_config(dir.path(), "alice", free_port());
    let data = dir.path().join("data");
    let run = |args: &[&str]| contacts(&config, &data, args);

    assert!(ok(&run(&["list"])).contains("no contacts yet"));
    assert_eq!(ok(&run(&["list", "--json"])), "");
    assert!(ok(&run(&[
        "add",
        "sip:bob@example.org:5070",
        "--name",
        "Bob",
        "--group",
        "work"
    ]))
    .contains("added contact"));
    let added = json_lines(&ok(&run(&[
        "add",
        "tel:+15550100",
        "--name",
        "Dora",
        "--json",
        "--favourite",
    ])));
    assert_eq!(added[0]["event"], "contacts_changed");
    assert_eq!(added[0]["outcome"], "added");

    // Mistakes are named, exit 2, and change nothing.
    let bad = run(&["add", "bob@example.org"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must start with sip:, sips: or tel:"));
    let taken = run(&["add", "sip:bob@example.org", "--name", "Other"]);
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("belongs to the contact \"Bob\" already"));
    let missing = run(&["remove", "sip:nobody@example.org"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr)
        .contains("no contact has the address sip:nobody@example.org"));

    ok(&run(&[
        "edit",
        "sip:bob@example.org",
        "--name",
        "Bob Builder",
        "--account",
        "local",
    ]));
    ok(&run(&["block", "sip:bob@example.org:9999"]));
    let listed = json_lines(&ok(&run(&["list", "--json"])));
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["name"], "Dora", "favourites first");
    let bob = &listed[1];
    assert_eq!(bob["event"], "contact");
    assert_eq!(bob["uri"], "sip:bob@example.org:5070");
    assert_eq!(bob["name"], "Bob Builder");
    assert_eq!(bob["account"], "local");
    assert_eq!(bob["groups"], serde_json::json!(["work"]));
    assert_eq!(bob["blocked"], true);
    assert!(ok(&run(&["list"])).contains("Bob Builder <sip:bob@example.org:5070> via local [work] (blocked)"));
    ok(&run(&["unblock", "sip:bob@example.org"]));
    assert_eq!(json_lines(&ok(&run(&["list", "--json"])))[1]["blocked"], false);

    let imported = json_lines(&ok(&run(&[
        "import",
        fixture("other-client-v3.vcf").to_str().unwrap(),
        "--json",
    ])));
    assert_eq!(imported[0]["outcome"], "imported");
    assert_eq!(imported[0]["added"].as_array().unwrap().len(), 2);

    let vcard = ok(&run(&["export"]));
    assert!(vcard.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{vcard}");
    for expected in [
        "FN:Bob Builder",
        "IMPP:sip:bob@example.org:5070",
        "FN:Dr. Dieter Schmidt",
        "TEL;VALUE=URI:tel:+49301234567",
        "X-ANOTHER-CLIENT-ID:abc-123",
    ] {
        assert!(vcard.contains(expected), "{expected} in {vcard}");
    }
    let file = dir.path().join("out.vcf");
    assert!(ok(&run(&["export", file.to_str().unwrap()])).contains("exported 4 contacts"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), vcard);

    // The exported file imports into another data directory with the same names and addresses.
    let other = dir.path().join("other");
    ok(&contacts(&config, &other, &["import", file.to_str().unwrap()]));
    let again = json_lines(&ok(&contacts(&config, &other, &["list", "--json"])));
    let before = json_lines(&ok(&run(&["list", "--json"])));
    let names_and_addresses = |list: &[serde_json::Value]| {
        list.iter()
            .map(|c| (c["name"].clone(), c["addresses"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names_and_addresses(&again), names_and_addresses(&before));

    ok(&run(&["remove", "sip:bob@example.org"]));
    assert_eq!(json_lines(&ok(&run(&["list", "--json"]))).len(), 3);
}

/// `listen --json` on `data`, once its control socket answers.
fn listen(config: &Path, data: &Path) -> (Killed, std::sync::mpsc::Receiver<String>) {
    let (child, lines) = listen_json(config, data, &[]);
    let deadline = Instant::now() + DEADLINE;
    while !data.join("control.sock").exists() {
        assert!(
            Instant::now() < deadline,
            "listen never served its control socket"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, lines)
}

#[test]
fn with_a_running_instance_a_block_takes_effect_there_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = write_local_config(dir.path(), "alice", port);
    let data = dir.path().join("data");
    let (_listen, lines) = listen(&config, &data);
    let run = |args: &[&str]| contacts(&config, &data, args);

    ok(&run(&["add", "sip:carol@127.0.0.1", "--name", "Carol"]));
    ok(&run(&["block", "sip:carol@127.0.0.1"]));
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let from_port = socket.local_addr().unwrap().port();
    let blocked = raw_sip::message(
        "UDP",
        "carol",
        from_port,
        port,
        "blocked-1",
        "you should not see this",
    );
    assert_eq!(
        raw_sip::send_udp(&socket, port, &blocked),
        603,
        "the instance knew of the block at once"
    );

    ok(&run(&["unblock", "sip:carol@127.0.0.1"]));
    let welcome = raw_sip::message("UDP", "carol", from_port, port, "welcome-1", "hello again");
    assert_eq!(raw_sip::send_udp(&socket, port, &welcome), 200);
    let message = next_event(&lines, "message");
    assert_eq!(
        message["body"], "hello again",
        "the blocked message was never printed"
    );

    // The changes went through the instance into the same store.
    let listed = json_lines(&ok(&run(&["list", "--json"])));
    assert_eq!(listed[0]["name"], "Carol");
    assert_eq!(listed[0]["blocked"], false);
}
