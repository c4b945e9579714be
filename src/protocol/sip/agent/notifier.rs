//! The local account as its own presence notifier (RFC 6665, RFC 3856):
//! it answers SUBSCRIBEs for its user and sends NOTIFYs.
//!
//! A new SUBSCRIBE to our address with `Event: presence` is answered 200
//! at once (the 200 tells nothing about our presence) and reported as
//! [`WatcherEvent::Subscribed`]; what each NOTIFY says (active with our
//! document, pending with none, terminated) is the runtime's to decide
//! ([`Agent::notify_watcher`]), so a stranger sees nothing before the user
//! allows them. Refreshes and unsubscribes inside the dialog are answered
//! and reported too; each must be followed by a NOTIFY. When a watcher
//! expires is the runtime's to track. Accounts with a server leave this to
//! the server and answer SUBSCRIBE 405.

use super::dialog::Dialog;
use super::{Agent, AgentEvent, Hop, Purpose};
use crate::protocol::sip::builder::response_to;
use crate::protocol::sip::message::{Method, SipMessage};
use crate::protocol::sip::transaction::TransactionKey;
use std::collections::HashMap;
use std::fmt;
use std::time::Instant;

/// Longest subscription we grant a watcher, in seconds.
pub const MAX_WATCHER_EXPIRES: u32 = 3600;
/// Expiry granted when a SUBSCRIBE names none (RFC 3856: 3600).
pub const DEFAULT_WATCHER_EXPIRES: u32 = 3600;
/// Most watchers at once on one account.
pub const MAX_WATCHERS: usize = 512;

/// Names one watcher's subscription to us, chosen by the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WatcherId(pub u64);

impl fmt::Display for WatcherId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "watcher{}", self.0)
    }
}

/// News about someone watching us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatcherEvent {
    /// A new subscription (answered 200): send it a NOTIFY now.
    Subscribed {
        /// Which.
        id: WatcherId,
        /// The watcher's address (From, without tag).
        watcher: String,
        /// Seconds granted.
        expires: u32,
    },
    /// A refresh (answered 200); `expires` 0 is an unsubscribe. Send a
    /// NOTIFY now (terminated for 0).
    Refreshed {
        /// Which.
        id: WatcherId,
        /// Seconds granted.
        expires: u32,
    },
    /// The watcher is gone (its NOTIFY got 481 or no answer).
    Gone {
        /// Which.
        id: WatcherId,
    },
}

/// What a NOTIFY says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyState {
    /// Allowed: our document follows.
    Active {
        /// Seconds left.
        expires: u32,
    },
    /// Waiting for the user: no document.
    Pending {
        /// Seconds left.
        expires: u32,
    },
    /// Over, with the reason token (`rejected`, `timeout`, `probation`, ...).
    Terminated {
        /// The reason.
        reason: &'static str,
        /// Retry-After seconds, if any.
        retry_after: Option<u32>,
    },
}

#[derive(Debug)]
struct Watcher {
    dialog: Dialog,
    hop: Hop,
    event: String,
    key: Option<TransactionKey>,
    ended: bool,
}

/// The watchers of one account.
#[derive(Debug, Default)]
pub(super) struct Watchers {
    map: HashMap<WatcherId, Watcher>,
    next: u64,
}

impl Watchers {
    pub(super) fn keys(&self) -> impl Iterator<Item = &TransactionKey> {
        self.map.values().filter_map(|w| w.key.as_ref())
    }

    fn by_dialog(&self, msg: &SipMessage) -> Option<WatcherId> {
        self.map
            .iter()
            .find(|(_, w)| w.dialog.matches_incoming(msg))
            .map(|(id, _)| *id)
    }
}

fn granted(msg: &SipMessage) -> u32 {
    msg.header("Expires")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(DEFAULT_WATCHER_EXPIRES)
        .min(MAX_WATCHER_EXPIRES)
}

impl Agent {
    /// Whether this account serves SUBSCRIBEs itself (no server).
    pub(super) fn is_own_notifier(&self) -> bool {
        self.config.registrar.is_none()
    }

    /// A SUBSCRIBE to the local account, new or inside a dialog.
    pub(super) fn on_subscribe(&mut self, key: TransactionKey, msg: SipMessage, from: Hop, now: Instant) {
        let package = msg
            .header("Event")
            .map(|e| {
                e.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        let has_to_tag = msg.to_header().ok().is_some_and(|t| t.tag().is_some());
        if has_to_tag {
            let Some(id) = self.watchers.by_dialog(&msg) else {
                let resp = response_to(&msg, 481, None);
                return self.respond(&key, resp, now);
            };
            let expires = granted(&msg);
            let Some(w) = self.watchers.map.get_mut(&id) else {
                return;
            };
            let cseq = msg.cseq().map(|(n, _)| n).unwrap_or_default();
            if !w.dialog.accept_remote_seq(cseq) {
                let resp = response_to(&msg, 500, None);
                return self.respond(&key, resp, now);
            }
            w.dialog.refresh_target(&msg);
            w.hop = from;
            let mut resp = response_to(&msg, 200, None);
            resp.push_header("Expires", expires.to_string());
            resp.push_header("Contact", self.subscription_contact(&from));
            self.respond(&key, resp, now);
            return self.emit(AgentEvent::Watcher(WatcherEvent::Refreshed { id, expires }));
        }
        if package != crate::protocol::presence::EVENT_PRESENCE {
            let mut resp = response_to(&msg, 489, Some(&self.new_tag()));
            resp.push_header("Allow-Events", crate::protocol::presence::EVENT_PRESENCE);
            return self.respond(&key, resp, now);
        }
        if !self.addressed_to_us(&msg, &from) {
            let resp = response_to(&msg, 404, Some(&self.new_tag()));
            return self.respond(&key, resp, now);
        }
        if self.watchers.map.len() >= MAX_WATCHERS {
            let mut resp = response_to(&msg, 503, Some(&self.new_tag()));
            resp.push_header("Retry-After", "60");
            return self.respond(&key, resp, now);
        }
        let tag = self.new_tag();
        let Some(dialog) = Dialog::as_callee(&msg, &tag, 0) else {
            let resp = response_to(&msg, 400, Some(&tag));
            return self.respond(&key, resp, now);
        };
        let watcher = dialog.remote_uri.uri.clone();
        let expires = granted(&msg);
        self.watchers.next += 1;
        let id = WatcherId(self.watchers.next);
        self.watchers.map.insert(
            id,
            Watcher {
                dialog,
                hop: from,
                event: package,
                key: None,
                ended: false,
            },
        );
        let mut resp = response_to(&msg, 200, Some(&tag));
        resp.push_header("Expires", expires.to_string());
        resp.push_header("Contact", self.subscription_contact(&from));
        self.respond(&key, resp, now);
        self.emit(AgentEvent::Watcher(WatcherEvent::Subscribed {
            id,
            watcher,
            expires,
        }));
    }

    /// Sends a NOTIFY to a watcher; `document` is (content type, bytes).
    /// A terminated NOTIFY ends the watcher once sent.
    pub fn notify_watcher(
        &mut self,
        id: WatcherId,
        state: NotifyState,
        document: Option<(String, Vec<u8>)>,
        now: Instant,
    ) {
        let hop_contact = match self.watchers.map.get(&id) {
            Some(w) => self.subscription_contact(&w.hop),
            None => return,
        };
        let Some(w) = self.watchers.map.get_mut(&id) else {
            return;
        };
        let mut req = w.dialog.request(Method::Notify);
        req.push_header("Event", w.event.clone());
        let value = match &state {
            NotifyState::Active { expires } => format!("active;expires={expires}"),
            NotifyState::Pending { expires } => format!("pending;expires={expires}"),
            NotifyState::Terminated { reason, retry_after } => match retry_after {
                Some(secs) => format!("terminated;reason={reason};retry-after={secs}"),
                None => format!("terminated;reason={reason}"),
            },
        };
        req.push_header("Subscription-State", value);
        req.push_header("Contact", hop_contact);
        if let (Some((content_type, bytes)), false) = (document, matches!(state, NotifyState::Pending { .. }))
        {
            req.push_header("Content-Type", content_type);
            req.body = bytes;
        }
        w.ended = matches!(state, NotifyState::Terminated { .. });
        let hop = w.hop;
        match self.start_client(&mut req, hop, Purpose::Notify(id), now) {
            Ok(key) => {
                if let Some(w) = self.watchers.map.get_mut(&id) {
                    w.key = Some(key);
                }
            }
            Err(reason) => {
                tracing::debug!(account = %self.config.account, watcher = %id, "NOTIFY not sent: {reason}");
                self.watchers.map.remove(&id);
                self.emit(AgentEvent::Watcher(WatcherEvent::Gone { id }));
            }
        }
    }

    pub(super) fn notify_response(&mut self, id: WatcherId, key: &TransactionKey, code: Option<u16>) {
        let Some(w) = self.watchers.map.get_mut(&id) else {
            return;
        };
        if w.key.as_ref() != Some(key) {
            return;
        }
        w.key = None;
        let gone = match code {
            Some(200..=299) => w.ended,
            // 481 (no such subscription) and no answer end the watcher.
            _ => true,
        };
        if gone {
            self.watchers.map.remove(&id);
            if !matches!(code, Some(200..=299)) {
                self.emit(AgentEvent::Watcher(WatcherEvent::Gone { id }));
            }
        }
    }
}

#[cfg(test)]
#[path = "notifier_tests.rs"]
mod tests;
