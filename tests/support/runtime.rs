//! Helpers for tests that drive the runtime API: configs, and waiting for events.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use sha1::{Digest, Sha1};
use sipchat::config::Config;
use sipchat::model::{
    AccountId, ChatState, DeliveryState, IncomingMessage, MessageId, RegistrationState, SessionId, TransferId,
};
use sipchat::runtime::{Command, Event, Events, FileSendMode, Handle, Runtime, RuntimeOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a test waits for one expected event.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(20);

/// A running runtime with everything it printed so far.
pub struct Running {
    pub handle: Handle,
    events: Events,
    pub seen: Vec<Event>,
    /// How long one wait may take (default [`EVENT_TIMEOUT`]).
    pub timeout: Duration,
    waiter: tokio::runtime::Runtime,
}

impl Running {
    pub fn start(config: Config, options: RuntimeOptions) -> Running {
        let (handle, events) =
            Runtime::start(config, options).unwrap_or_else(|e| panic!("runtime start: {e}"));
        let waiter = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        Running {
            handle,
            events,
            seen: Vec::new(),
            timeout: EVENT_TIMEOUT,
            waiter,
        }
    }

    /// Waits for the first event (new or already seen) matching `pred`.
    pub fn wait_for<T>(&mut self, what: &str, mut pred: impl FnMut(&Event) -> Option<T>) -> T {
        if let Some(found) = self.seen.iter().find_map(&mut pred) {
            return found;
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; events so far: {:#?}",
                self.seen
            );
            match recv_timeout(&self.waiter, &mut self.events, left) {
                Some(event) => {
                    let hit = pred(&event);
                    self.seen.push(event);
                    if let Some(found) = hit {
                        return found;
                    }
                }
                None => panic!(
                    "runtime stopped or timed out waiting for {what}; events: {:#?}",
                    self.seen
                ),
            }
        }
    }

    /// [`Running::start`] with its data in `data_dir`, watching `watch`;
    /// its waits last `timeout`.
    pub fn start_watching(config: Config, data_dir: &Path, watch: &[&str], timeout: Duration) -> Running {
        let options = RuntimeOptions {
            data_dir: Some(data_dir.to_path_buf()),
            watch: watch.iter().map(|w| w.to_string()).collect(),
            ..RuntimeOptions::default()
        };
        let mut running = Running::start(config, options);
        running.timeout = timeout;
        running
    }

    /// Starts a runtime whose local account listens on any free port (no
    /// race with other tests for a port picked in advance) and returns the
    /// port it got.
    pub fn start_local(config: Config, options: RuntimeOptions) -> (Running, u16) {
        let options = RuntimeOptions {
            local_port: Some(0),
            ..options
        };
        let mut running = Running::start(config, options);
        let address = running.wait_for("the local account listening", |e| match e {
            Event::AccountState {
                state: RegistrationState::Listening { address, .. },
                ..
            } => Some(address.clone()),
            _ => None,
        });
        let port = address
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {address}"));
        (running, port)
    }

    pub fn wait_registered(&mut self, account: &str) -> u32 {
        self.wait_for(&format!("{account} registered"), |e| match e {
            Event::AccountState {
                account: a,
                state: RegistrationState::Registered { expires },
            } if a.0 == account => Some(*expires),
            _ => None,
        })
    }

    pub fn wait_delivery(&mut self, id: MessageId) -> DeliveryState {
        self.wait_for(&format!("final delivery state of {id}"), |e| match e {
            Event::DeliveryUpdate { id: got, state, .. } if *got == id && state.is_final() => {
                Some(state.clone())
            }
            _ => None,
        })
    }

    pub fn wait_message(&mut self, body: &str) -> IncomingMessage {
        self.wait_for(&format!("message {body:?}"), |e| match e {
            Event::MessageReceived(m) if m.body.trim_end() == body => Some(m.clone()),
            _ => None,
        })
    }

    pub fn send(&self, account: &str, to: &str, text: &str) -> MessageId {
        self.handle
            .send_message(&AccountId(account.into()), to, text)
            .unwrap_or_else(|e| panic!("send: {e}"))
    }

    /// Opens a chat from `account` with `peer`.
    pub fn open_chat(&self, account: &str, peer: &str) {
        self.handle
            .send(Command::OpenChat {
                account: AccountId(account.into()),
                peer: peer.into(),
            })
            .unwrap();
    }

    /// Says `text` in the chat `session` of `account`; the message's id.
    pub fn say(&self, account: &str, session: SessionId, text: &str) -> MessageId {
        let id = self.handle.next_message_id();
        self.handle
            .send(Command::SendChat {
                id,
                account: AccountId(account.into()),
                session,
                text: text.into(),
            })
            .unwrap();
        id
    }

    /// Ends the chat `session` of `account`.
    pub fn close_chat(&self, account: &str, session: SessionId) {
        self.handle
            .send(Command::CloseChat {
                account: AccountId(account.into()),
                session,
            })
            .unwrap();
    }

    /// Waits until the chat `session` has ended; the reason it shows.
    pub fn wait_chat_ended(&mut self, session: SessionId) -> String {
        self.wait_for("the end of the chat", |e| match e {
            Event::ChatUpdate {
                session: updated,
                state: ChatState::Ended { reason },
                ..
            } if *updated == session => Some(reason.clone()),
            _ => None,
        })
    }

    /// Sends the file at `path` from `account` to `to` in `mode`; its
    /// transfer's id.
    pub fn send_file(&self, account: &str, to: &str, path: PathBuf, mode: FileSendMode) -> TransferId {
        let id = self.handle.next_transfer_id();
        self.handle
            .send(Command::SendFile {
                id,
                account: AccountId(account.into()),
                to: to.into(),
                path,
                mode,
            })
            .unwrap();
        id
    }

    /// Drains events for a while without waiting for anything in particular.
    pub fn settle(&mut self, time: Duration) {
        let deadline = Instant::now() + time;
        while let Some(e) = recv_timeout(
            &self.waiter,
            &mut self.events,
            deadline.saturating_duration_since(Instant::now()),
        ) {
            self.seen.push(e);
        }
    }

    pub fn count(&self, pred: impl Fn(&Event) -> bool) -> usize {
        self.seen.iter().filter(|e| pred(e)).count()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.handle.shutdown();
    }
}

fn recv_timeout(waiter: &tokio::runtime::Runtime, events: &mut Events, timeout: Duration) -> Option<Event> {
    waiter.block_on(async { tokio::time::timeout(timeout, events.recv()).await.ok().flatten() })
}

/// `alice` (her account named "alice") sends `text` to `bob_aor`; `bob`
/// (his account "bob") gets it from `alice_aor` and answers `reply` to the
/// address he saw, which she gets. Both are accepted, else the panic shows
/// `log()` (the server's log).
pub fn message_both_ways(
    (alice, alice_aor): (&mut Running, &str),
    (bob, bob_aor): (&mut Running, &str),
    (text, reply): (&str, &str),
    log: impl Fn() -> String,
) {
    let id = alice.send("alice", bob_aor, text);
    assert_eq!(
        alice.wait_delivery(id),
        DeliveryState::Accepted,
        "log:\n{}",
        log()
    );
    let got = bob.wait_message(text);
    assert_eq!(got.from, alice_aor);
    let id = bob.send("bob", &got.from, reply);
    assert_eq!(bob.wait_delivery(id), DeliveryState::Accepted, "log:\n{}", log());
    alice.wait_message(reply);
}

/// A config from RON text (validated like a file).
pub fn config(ron: &str) -> Config {
    Config::from_ron(ron, Path::new("test.ron")).unwrap_or_else(|e| panic!("config: {e}\n{ron}"))
}

/// A config with only the local account on `127.0.0.1:port`.
pub fn local_config(user: &str, port: u16) -> Config {
    config(&format!(
        r#"(accounts: [], local: (user: "{user}", bind: "127.0.0.1", port: {port}))"#
    ))
}

include!("ports.rs");

/// SHA-1 in lower-case hex, as transfer events give it.
pub fn sha1_hex(data: &[u8]) -> String {
    Sha1::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// Deterministic, not repetitive content (a file's bytes).
pub fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}
