//! Presence between sipchat and baresip (its `presence` module), both ways,
//! through the presence Kamailio of `tests/kamailio/presence.cfg`:
//! baresip (dave) publishes its status (`pubint`) and sipchat (alice),
//! watching dave, sees him available; alice sets busy and baresip, which
//! watches alice (`;presence=p2p` on its contact), receives her document
//! with the `rpid:busy` activity it looks for and answers it 200. baresip
//! runs with its SIP trace (`-s`) on stdout, which the test reads.
//!
//! Skips when Kamailio or baresip is missing (unless required:
//! `SIPCHAT_REQUIRE_KAMAILIO=1` or `CI`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/kamailio.rs"]
mod kamailio;
#[path = "support/runtime.rs"]
mod support;

use kamailio::Kamailio;
use sipchat::model::{AccountId, OwnStatus, PresenceStatus, WatchState};
use sipchat::runtime::{Command, Event, RuntimeOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Generous: the machine may be busy with other builds.
const WAIT: Duration = Duration::from_secs(30);
/// Where Debian installs baresip.
const BARESIP: &str = "/usr/bin/baresip";
const DAVE: &str = "sip:dave@sipchat.test";

/// A baresip process, killed on drop.
struct Baresip {
    child: Child,
    trace: PathBuf,
}

impl Baresip {
    /// baresip as dave, registered and publishing through `kam`, watching alice.
    fn start(kam: &Kamailio, dir: &Path) -> Baresip {
        let port = support::free_port();
        let config = format!(
            "poll_method\tepoll\nsip_listen\t127.0.0.1:{port}\nmodule_path\t/usr/lib/baresip/modules\n\
             module\tg711.so\nmodule_tmp\tuuid.so\nmodule_tmp\taccount.so\nmodule_app\tcontact.so\n\
             module_app\tpresence.so\n"
        );
        std::fs::write(dir.join("config"), config).unwrap();
        let accounts = format!(
            "<{DAVE}>;auth_pass=dave-secret;outbound=\"sip:127.0.0.1:{}\";regint=300;pubint=60\n",
            kam.udp_port
        );
        std::fs::write(dir.join("accounts"), accounts).unwrap();
        std::fs::write(
            dir.join("contacts"),
            "\"Alice\" <sip:alice@sipchat.test>;presence=p2p\n",
        )
        .unwrap();
        let trace = dir.join("trace.txt");
        let out = std::fs::File::create(&trace).unwrap();
        let child = std::process::Command::new(BARESIP)
            .arg("-f")
            .arg(dir)
            .args(["-s", "-t", "120"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(out.try_clone().unwrap()))
            .stderr(Stdio::from(out))
            .spawn()
            .unwrap();
        Baresip { child, trace }
    }

    fn trace(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.trace).unwrap_or_default()).into_owned()
    }

    /// Waits until the trace satisfies `want`.
    fn wait(&self, what: &str, want: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + WAIT;
        loop {
            let trace = self.trace();
            if want(&trace) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "baresip never {what}; its trace:\n{trace}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sipchat_and_baresip_see_each_other() {
    if !Path::new(BARESIP).exists() {
        assert!(
            !kamailio::required(),
            "baresip is required (CI): apt-get install baresip"
        );
        eprintln!("baresip not installed: skipping");
        return;
    }
    let Some(kam) = Kamailio::start_presence_or_skip() else {
        return;
    };
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let config = support::config(&format!(
        r#"(
    accounts: [(name: "alice", uri: "sip:alice@{domain}", password: "alice-secret",
                proxy: "{proxy}", expires: 300)],
    local: (enabled: false),
)"#,
        domain = kamailio::DOMAIN,
        proxy = kam.proxy_uri("udp"),
    ));
    let options = RuntimeOptions {
        data_dir: Some(dirs.0.path().to_path_buf()),
        watch: vec![DAVE.to_string()],
        ..RuntimeOptions::default()
    };
    let mut alice = support::Running::start(config, options);
    alice.timeout = WAIT;
    alice.wait_registered("alice");

    let baresip = Baresip::start(&kam, dirs.1.path());
    // baresip -> sipchat: dave's publication reaches alice.
    alice.wait_for("alice seeing dave (baresip) available", |e| match e {
        Event::Presence {
            contact,
            presence,
            watch: WatchState::Active,
            ..
        } if contact == DAVE && presence.status == PresenceStatus::Available => Some(()),
        _ => None,
    });

    // sipchat -> baresip: alice busy reaches baresip's subscription.
    alice
        .handle
        .send(Command::SetStatus {
            account: Some(AccountId("alice".into())),
            status: OwnStatus::Busy,
            note: Some("in a meeting".into()),
        })
        .unwrap();
    // (baresip prints no status without a user interface module; its SIP
    // trace shows the NOTIFY with the activity it matches, and its 200.)
    baresip.wait("took alice's busy document", |trace| {
        let Some(at) = trace.find("<rpid:busy/>") else {
            return false;
        };
        let before = &trace[..at];
        let after = &trace[at..];
        before.rfind("NOTIFY sip:dave").is_some()
            && after.contains("SIP/2.0 200 OK")
            && after.contains(" NOTIFY")
            && after.contains("Server: baresip")
    });
    alice.handle.shutdown();
}
