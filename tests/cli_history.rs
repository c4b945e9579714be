//! `sipchat history` through the real binary: messages exchanged peer to
//! peer are in both sides' history, searchable and exportable, with honest
//! delivery states.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/runtime.rs"]
mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn sipchat(config: &Path, data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_sipchat"));
    c.env_remove("SIPCHAT_CONFIG")
        .env_remove("SIPCHAT_DATA_DIR")
        .arg("--config")
        .arg(config)
        .arg("--data-dir")
        .arg(data);
    c
}

fn stdout_of(mut c: Command) -> String {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?}: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn history_lists_shows_searches_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let (pa, pb) = (support::free_port(), support::free_port());
    let alice_cfg = dir.path().join("alice.ron");
    let bob_cfg = dir.path().join("bob.ron");
    std::fs::write(
        &alice_cfg,
        format!("(local: (user: \"alice\", bind: \"127.0.0.1\", port: {pa}))"),
    )
    .unwrap();
    std::fs::write(
        &bob_cfg,
        format!("(local: (user: \"bob\", bind: \"127.0.0.1\", port: {pb}))"),
    )
    .unwrap();
    let (alice_data, bob_data) = (dir.path().join("alice-data"), dir.path().join("bob-data"));

    let mut listen = sipchat(&bob_cfg, &bob_data)
        .args(["listen", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(listen.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().contains("\"listening\""));

    let to = format!("sip:bob@127.0.0.1:{pb}");
    for text in ["the invoice is attached", "lunch at noon?", "see you"] {
        let mut send = sipchat(&alice_cfg, &alice_data);
        send.args(["send", &to, text]);
        assert_eq!(stdout_of(send).trim(), "accepted by the recipient");
    }
    // Bob printed all three before we stop him.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = 0;
    while seen < 3 && Instant::now() < deadline {
        if lines.next().unwrap().unwrap().contains("\"message\"") {
            seen += 1;
        }
    }
    assert_eq!(seen, 3);
    Command::new("kill")
        .args(["-INT", &listen.id().to_string()])
        .status()
        .unwrap();
    assert!(listen.wait().unwrap().success());

    // Bob's side: one conversation with three unread messages.
    let mut list = sipchat(&bob_cfg, &bob_data);
    list.args(["history"]);
    let list = stdout_of(list);
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(list.contains("(3 unread)") && list.contains("see you"), "{list}");

    // One conversation, oldest first.
    let mut one = sipchat(&bob_cfg, &bob_data);
    one.args(["history", "--with", &format!("sip:alice@127.0.0.1:{pa}")]);
    let one = stdout_of(one);
    let bodies: Vec<&str> = one.lines().map(|l| l.split(": ").last().unwrap()).collect();
    assert_eq!(
        bodies,
        ["the invoice is attached", "lunch at noon?", "see you"],
        "{one}"
    );

    // `--limit` says when it cut the list, in words and in JSON; not when all fit.
    let mut cut = sipchat(&bob_cfg, &bob_data);
    cut.args([
        "history",
        "--with",
        &format!("sip:alice@127.0.0.1:{pa}"),
        "--limit",
        "2",
    ]);
    let cut = stdout_of(cut);
    let cut_lines: Vec<&str> = cut.lines().collect();
    assert_eq!(cut_lines.len(), 3, "{cut}");
    assert!(
        cut_lines[0].contains("only the newest 2 messages shown; there are more"),
        "{cut}"
    );
    assert!(
        cut_lines[1].ends_with("lunch at noon?") && cut_lines[2].ends_with("see you"),
        "{cut}"
    );
    let mut cut_json = sipchat(&bob_cfg, &bob_data);
    cut_json.args([
        "history",
        "--with",
        &format!("sip:alice@127.0.0.1:{pa}"),
        "--limit",
        "2",
        "--json",
    ]);
    let cut_json: Vec<serde_json::Value> = stdout_of(cut_json)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(cut_json.len(), 3, "{cut_json:?}");
    assert_eq!(cut_json[0]["event"], "history_cut", "{}", cut_json[0]);
    assert_eq!(cut_json[0]["truncated"], true);
    assert_eq!(cut_json[0]["shown"], 2);
    let mut whole = sipchat(&bob_cfg, &bob_data);
    whole.args([
        "history",
        "--with",
        &format!("sip:alice@127.0.0.1:{pa}"),
        "--limit",
        "3",
        "--json",
    ]);
    let whole = stdout_of(whole);
    assert_eq!(whole.lines().count(), 3, "{whole}");
    assert!(!whole.contains("history_cut"), "{whole}");

    // Full-text search with a snippet.
    let mut search = sipchat(&bob_cfg, &bob_data);
    search.args(["history", "--search", "invoice", "--json"]);
    let hits: Vec<serde_json::Value> = stdout_of(search)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["event"], "search_hit");
    assert!(
        hits[0]["snippet"].as_str().unwrap().contains("[invoice]"),
        "{}",
        hits[0]
    );

    // Alice's side: her messages with their true final state, exportable.
    let mut mine = sipchat(&alice_cfg, &alice_data);
    mine.args(["history", "--with", &to, "--json"]);
    let mine: Vec<serde_json::Value> = stdout_of(mine)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(mine.len(), 3);
    assert!(mine
        .iter()
        .all(|m| m["direction"] == "out" && m["delivery"] == "accepted by the recipient"));

    let mut export = sipchat(&alice_cfg, &alice_data);
    export.args(["history", "--with", &to, "--export", "-"]);
    let doc: serde_json::Value = serde_json::from_str(&stdout_of(export)).unwrap();
    assert_eq!(doc["messages"].as_array().map(Vec::len), Some(3), "{doc}");

    // Search that matches nothing, and text that is FTS syntax, are fine.
    let mut odd = sipchat(&bob_cfg, &bob_data);
    odd.args(["history", "--search", "\"unbalanced OR NEAR("]);
    assert_eq!(stdout_of(odd), "");
}
