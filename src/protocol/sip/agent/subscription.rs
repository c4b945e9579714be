//! Subscriptions we hold (RFC 6665): SUBSCRIBE out, NOTIFY in.
//!
//! The runtime names each subscription with a [`SubscriptionId`] and says
//! when to refresh it; the agent builds the requests, keeps the dialog and
//! answers every NOTIFY of a subscription 200 at once (a malformed body is
//! the runtime's to judge and log; the state is kept). The first NOTIFY may
//! come before the 200 to the SUBSCRIBE: it then makes the dialog, with the
//! NOTIFY's Record-Route as the route set. Refreshes go inside the dialog,
//! to the route set. A NOTIFY from another fork of the same SUBSCRIBE gets
//! 481, so one subscription has one dialog.

use super::dialog::Dialog;
use super::{Agent, AgentEvent, Failure, Hop, Purpose};
use crate::protocol::sip::builder::response_to;
use crate::protocol::sip::message::{Method, SipMessage};
use crate::protocol::sip::name_addr::NameAddr;
use crate::protocol::sip::transaction::TransactionKey;
use crate::protocol::sip::uri::SipUri;
use std::collections::HashMap;
use std::fmt;
use std::time::Instant;

/// Longest expiry we ask for (servers cut it further; Kamailio to 3600).
pub const MAX_SUBSCRIBE_EXPIRES: u32 = 86_400;
/// Most subscriptions one account holds at once.
pub const MAX_SUBSCRIPTIONS: usize = 2048;
/// Longest reason token read from Subscription-State.
pub const MAX_REASON_LEN: usize = 64;

/// Names one of our subscriptions, chosen by the runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub u64);

impl fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sub{}", self.0)
    }
}

/// Why a subscription was ended by the notifier (RFC 6665 section 4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TerminationReason {
    /// Moved or ended by policy: subscribe again at once.
    Deactivated,
    /// Try again after `retry-after`.
    Probation,
    /// Not allowed.
    Rejected,
    /// Not refreshed in time: subscribe again.
    Timeout,
    /// The notifier gave up: subscribe again later.
    Giveup,
    /// No such resource.
    Noresource,
    /// The resource will never have a state.
    Invariant,
    /// Any other token.
    Other(String),
}

/// The `Subscription-State` of a NOTIFY.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionState {
    /// Allowed; `expires` when given.
    Active {
        /// Seconds left.
        expires: Option<u32>,
    },
    /// Waiting for the resource's permission.
    Pending {
        /// Seconds left.
        expires: Option<u32>,
    },
    /// Over.
    Terminated {
        /// Why, when given.
        reason: Option<TerminationReason>,
        /// Seconds to wait before subscribing again, when given.
        retry_after: Option<u32>,
    },
}

/// Why a Subscription-State header could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubscriptionStateError {
    /// The header is missing.
    #[error("the NOTIFY has no Subscription-State")]
    Missing,
    /// The state is not active, pending or terminated.
    #[error("unknown subscription state {0:?}")]
    Unknown(String),
}

impl SubscriptionState {
    /// Reads a Subscription-State value (`active;expires=600`,
    /// `terminated;reason=timeout;retry-after=20`). Unknown parameters are
    /// ignored; an unreadable number counts as absent.
    pub fn parse(value: &str) -> Result<SubscriptionState, SubscriptionStateError> {
        let mut parts = value.split(';').map(str::trim);
        let state = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut expires = None;
        let mut retry_after = None;
        let mut reason = None;
        for part in parts {
            let (name, v) = part.split_once('=').unwrap_or((part, ""));
            let v = v.trim().trim_matches('"');
            match name.trim().to_ascii_lowercase().as_str() {
                "expires" => expires = v.parse().ok(),
                "retry-after" => retry_after = v.parse().ok(),
                "reason" => {
                    let token: String = v
                        .chars()
                        .take(MAX_REASON_LEN)
                        .collect::<String>()
                        .to_ascii_lowercase();
                    reason = Some(match token.as_str() {
                        "deactivated" => TerminationReason::Deactivated,
                        "probation" => TerminationReason::Probation,
                        "rejected" => TerminationReason::Rejected,
                        "timeout" => TerminationReason::Timeout,
                        "giveup" => TerminationReason::Giveup,
                        "noresource" => TerminationReason::Noresource,
                        "invariant" => TerminationReason::Invariant,
                        _ => TerminationReason::Other(token),
                    });
                }
                _ => {}
            }
        }
        match state.as_str() {
            "active" => Ok(SubscriptionState::Active { expires }),
            "pending" => Ok(SubscriptionState::Pending { expires }),
            "terminated" => Ok(SubscriptionState::Terminated { reason, retry_after }),
            _ => Err(SubscriptionStateError::Unknown(
                state.chars().take(MAX_REASON_LEN).collect(),
            )),
        }
    }
}

/// News about a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionEvent {
    /// The SUBSCRIBE (or its refresh) was accepted for `expires` seconds.
    Accepted {
        /// Which.
        id: SubscriptionId,
        /// Seconds granted (the 2xx's Expires, else what we asked).
        expires: u32,
    },
    /// Refused or unanswered: the subscription is over (the runtime may
    /// subscribe again).
    Failed {
        /// Which.
        id: SubscriptionId,
        /// The final status, when there was one.
        code: Option<u16>,
        /// Plain words.
        reason: String,
        /// Retry-After seconds, when given.
        retry_after: Option<u32>,
    },
    /// A NOTIFY arrived and was answered 200. A terminated state ends the
    /// subscription.
    Notified {
        /// Which.
        id: SubscriptionId,
        /// Its Subscription-State.
        state: SubscriptionState,
        /// Its Content-Type (lowercase, without parameters).
        content_type: Option<String>,
        /// Its body (maybe empty: no state known yet).
        body: Vec<u8>,
    },
    /// Our unsubscribe (Expires: 0) was answered; the subscription is gone.
    Ended {
        /// Which.
        id: SubscriptionId,
    },
}

/// What to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeRequest {
    /// The resource (a contact's address, or our own for watcher info).
    pub target: String,
    /// The event package (`presence`, `presence.winfo`).
    pub event: String,
    /// Accepted body types.
    pub accept: Vec<String>,
    /// Seconds asked for.
    pub expires: u32,
}

#[derive(Debug)]
struct Subscription {
    request: SubscribeRequest,
    call_id: String,
    local_tag: String,
    local_uri: NameAddr,
    /// The last SUBSCRIBE sent (for a digest retry).
    last: SipMessage,
    dialog: Option<Dialog>,
    hop: Hop,
    key: Option<TransactionKey>,
    tried_nonces: Vec<String>,
    /// Expires of the SUBSCRIBE in progress.
    asked: u32,
}

/// The subscriptions of one account.
#[derive(Debug, Default)]
pub(super) struct Subscriptions {
    map: HashMap<SubscriptionId, Subscription>,
}

impl Subscriptions {
    pub(super) fn keys(&self) -> impl Iterator<Item = &TransactionKey> {
        self.map.values().filter_map(|s| s.key.as_ref())
    }

    fn by_notify(&self, msg: &SipMessage) -> Option<SubscriptionId> {
        let call_id = msg.call_id().ok()?;
        let to_tag = msg.to_header().ok()?.tag()?.to_string();
        self.map
            .iter()
            .find(|(_, s)| s.call_id == call_id && s.local_tag == to_tag)
            .map(|(id, _)| *id)
    }
}

/// The body type without parameters, lowercase.
fn bare_content_type(msg: &SipMessage) -> Option<String> {
    msg.content_type().map(|c| {
        c.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    })
}

fn event_package(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

impl Agent {
    /// Subscribes to `request.target` through `hop`. A subscription with the
    /// same id is replaced (its dialog is forgotten, not ended).
    pub fn subscribe(&mut self, id: SubscriptionId, request: SubscribeRequest, hop: Hop, now: Instant) {
        if self.subscriptions.map.len() >= MAX_SUBSCRIPTIONS && !self.subscriptions.map.contains_key(&id) {
            self.emit(AgentEvent::Subscription(SubscriptionEvent::Failed {
                id,
                code: None,
                reason: format!("more than {MAX_SUBSCRIPTIONS} subscriptions on one account"),
                retry_after: None,
            }));
            return;
        }
        let target = match SipUri::parse(&request.target) {
            Ok(t) => t,
            Err(e) => {
                self.emit(AgentEvent::Subscription(SubscriptionEvent::Failed {
                    id,
                    code: None,
                    reason: e.to_string(),
                    retry_after: None,
                }));
                return;
            }
        };
        let mut local_uri = NameAddr::new(self.own_uri(&hop).to_string());
        local_uri.display_name = self.config.display_name.clone();
        let local_tag = self.new_tag();
        let call_id = self.new_call_id();
        let mut from = local_uri.clone();
        from.set_param("tag", Some(&local_tag));
        let mut ruri = target.clone();
        ruri.headers = None;
        let mut req = SipMessage::request(Method::Subscribe, ruri.to_string());
        req.push_header("Via", "");
        req.push_header("From", from.to_string());
        req.push_header("To", NameAddr::new(target.aor().to_string()).to_string());
        req.push_header("Call-ID", call_id.clone());
        req.push_header("CSeq", "1 SUBSCRIBE");
        let expires = request.expires.min(MAX_SUBSCRIBE_EXPIRES);
        let subscription = Subscription {
            request,
            call_id,
            local_tag,
            local_uri,
            last: req,
            dialog: None,
            hop,
            key: None,
            tried_nonces: Vec::new(),
            asked: expires,
        };
        self.subscriptions.map.insert(id, subscription);
        self.send_subscribe(id, expires, now);
    }

    /// Refreshes a subscription inside its dialog (or, before it has one,
    /// does nothing: the first answer is still to come). `expires` 0 ends it.
    pub fn refresh_subscription(&mut self, id: SubscriptionId, expires: u32, now: Instant) {
        let Some(s) = self.subscriptions.map.get_mut(&id) else {
            return;
        };
        let Some(dialog) = s.dialog.as_mut() else {
            if expires == 0 {
                // Nothing to end at the server yet: forget it.
                self.subscriptions.map.remove(&id);
                self.emit(AgentEvent::Subscription(SubscriptionEvent::Ended { id }));
            }
            return;
        };
        let req = dialog.request(Method::Subscribe);
        s.last = req;
        s.tried_nonces.clear();
        s.asked = expires.min(MAX_SUBSCRIBE_EXPIRES);
        let asked = s.asked;
        self.send_subscribe(id, asked, now);
    }

    /// Ends a subscription (SUBSCRIBE with Expires: 0).
    pub fn unsubscribe(&mut self, id: SubscriptionId, now: Instant) {
        self.refresh_subscription(id, 0, now);
    }

    /// Forgets a subscription without a word to the server.
    pub fn forget_subscription(&mut self, id: SubscriptionId) {
        self.subscriptions.map.remove(&id);
    }

    /// Whether a subscription with this id is held.
    pub fn has_subscription(&self, id: SubscriptionId) -> bool {
        self.subscriptions.map.contains_key(&id)
    }

    /// Sends `s.last` with the subscription's headers and `expires`.
    fn send_subscribe(&mut self, id: SubscriptionId, expires: u32, now: Instant) {
        let Some(s) = self.subscriptions.map.get(&id) else {
            return;
        };
        let mut req = s.last.clone();
        let hop = s.hop;
        req.set_header("Event", s.request.event.clone());
        req.set_header("Accept", s.request.accept.join(", "));
        // A resource list (RFC 4662) is asked for by accepting RLMI.
        if s.request
            .accept
            .iter()
            .any(|a| a == crate::protocol::presence::rlmi::CONTENT_TYPE)
        {
            req.set_header("Supported", "eventlist");
        }
        req.set_header("Expires", expires.to_string());
        req.set_header("Contact", self.subscription_contact(&hop));
        req.set_header("Allow", "NOTIFY");
        let cnonce = self.cnonce();
        self.auth.authorize_preemptively(
            &mut req,
            &self.config.auth_user,
            self.config.password.as_deref(),
            &cnonce,
        );
        let started = self.start_client(&mut req, hop, Purpose::Subscribe(id), now);
        let Some(s) = self.subscriptions.map.get_mut(&id) else {
            return;
        };
        s.last = req;
        match started {
            Ok(key) => s.key = Some(key),
            Err(reason) => {
                self.subscriptions.map.remove(&id);
                self.emit(AgentEvent::Subscription(SubscriptionEvent::Failed {
                    id,
                    code: None,
                    reason,
                    retry_after: None,
                }));
            }
        }
    }

    /// Our Contact on `hop`: our user at the address the hop uses.
    pub(super) fn subscription_contact(&self, hop: &Hop) -> String {
        let user = self.config.aor.user.clone().unwrap_or_default();
        let at = if user.is_empty() { "" } else { "@" };
        let transport = match hop.transport {
            crate::protocol::sip::uri::Transport::Udp => String::new(),
            t => format!(";transport={}", t.param_token()),
        };
        format!("<sip:{user}{at}{}{transport}>", hop.local_host_port())
    }

    pub(super) fn subscribe_response(
        &mut self,
        id: SubscriptionId,
        key: &TransactionKey,
        resp: &SipMessage,
        now: Instant,
    ) {
        let Some(s) = self.subscriptions.map.get_mut(&id) else {
            return;
        };
        if s.key.as_ref() != Some(key) {
            return;
        }
        s.key = None;
        let code = resp.status().unwrap_or(500);
        let asked = s.asked;
        match code {
            200..=299 => {
                if s.dialog.is_none() {
                    s.dialog = Dialog::as_caller(&s.last, resp);
                }
                if asked == 0 {
                    self.subscriptions.map.remove(&id);
                    self.emit(AgentEvent::Subscription(SubscriptionEvent::Ended { id }));
                    return;
                }
                let expires = resp
                    .header("Expires")
                    .and_then(|v| v.trim().parse::<u32>().ok())
                    .unwrap_or(asked)
                    .min(asked.max(1));
                self.emit(AgentEvent::Subscription(SubscriptionEvent::Accepted {
                    id,
                    expires,
                }));
            }
            401 | 407 => {
                let cnonce = self.cnonce();
                let (user, password) = (self.config.auth_user.clone(), self.config.password.clone());
                let Some(s) = self.subscriptions.map.get_mut(&id) else {
                    return;
                };
                let mut req = s.last.clone();
                match self.auth.answer_challenge(
                    resp,
                    &mut req,
                    &mut s.tried_nonces,
                    &user,
                    password.as_deref(),
                    &cnonce,
                ) {
                    Ok(()) => {
                        let cseq = match s.dialog.as_mut() {
                            Some(d) => {
                                d.local_seq = d.local_seq.saturating_add(1);
                                d.local_seq
                            }
                            None => req.cseq().map(|(n, _)| n + 1).unwrap_or(2),
                        };
                        req.set_header("CSeq", format!("{cseq} SUBSCRIBE"));
                        s.last = req;
                        self.send_subscribe(id, asked, now);
                    }
                    Err(e) => self.subscription_failed(id, Some(code), format!("{e} ({code})"), None),
                }
            }
            423 => {
                let min = resp
                    .header("Min-Expires")
                    .and_then(|v| v.trim().parse::<u32>().ok());
                match min {
                    Some(min) if min > asked && min <= MAX_SUBSCRIBE_EXPIRES => {
                        let Some(s) = self.subscriptions.map.get_mut(&id) else {
                            return;
                        };
                        s.asked = min;
                        let cseq = match s.dialog.as_mut() {
                            Some(d) => {
                                d.local_seq = d.local_seq.saturating_add(1);
                                d.local_seq
                            }
                            None => s.last.cseq().map(|(n, _)| n + 1).unwrap_or(2),
                        };
                        s.last.set_header("CSeq", format!("{cseq} SUBSCRIBE"));
                        self.send_subscribe(id, min, now);
                    }
                    _ => self.subscription_failed(
                        id,
                        Some(423),
                        describe_refusal(423, resp, &self.peer_of(id)),
                        None,
                    ),
                }
            }
            _ if asked == 0 => {
                self.subscriptions.map.remove(&id);
                self.emit(AgentEvent::Subscription(SubscriptionEvent::Ended { id }));
            }
            _ => {
                let retry_after = resp
                    .header("Retry-After")
                    .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|v| v.parse().ok());
                let reason = describe_refusal(code, resp, &self.peer_of(id));
                self.subscription_failed(id, Some(code), reason, retry_after);
            }
        }
    }

    fn peer_of(&self, id: SubscriptionId) -> String {
        self.subscriptions
            .map
            .get(&id)
            .map(|s| s.request.target.clone())
            .unwrap_or_default()
    }

    pub(super) fn subscribe_no_response(
        &mut self,
        id: SubscriptionId,
        key: &TransactionKey,
        failure: Failure,
    ) {
        let Some(s) = self.subscriptions.map.get(&id) else {
            return;
        };
        if s.key.as_ref() != Some(key) {
            return;
        }
        let hop = s.hop;
        let peer = s.request.target.clone();
        if s.asked == 0 {
            self.subscriptions.map.remove(&id);
            self.emit(AgentEvent::Subscription(SubscriptionEvent::Ended { id }));
            return;
        }
        let reason = self.failure_words(failure, Some(hop), Some(&peer));
        self.subscription_failed(id, None, reason, None);
    }

    fn subscription_failed(
        &mut self,
        id: SubscriptionId,
        code: Option<u16>,
        reason: String,
        retry_after: Option<u32>,
    ) {
        self.subscriptions.map.remove(&id);
        tracing::debug!(account = %self.config.account, subscription = %id, "subscription failed: {reason}");
        self.emit(AgentEvent::Subscription(SubscriptionEvent::Failed {
            id,
            code,
            reason,
            retry_after,
        }));
    }

    /// Whether `msg` (a NOTIFY) belongs to one of our subscriptions.
    pub(super) fn is_our_notify(&self, msg: &SipMessage) -> bool {
        self.subscriptions.by_notify(msg).is_some()
    }

    /// A NOTIFY of one of our subscriptions: answered at once.
    pub(super) fn on_notify(&mut self, key: TransactionKey, msg: SipMessage, now: Instant) {
        let Some(id) = self.subscriptions.by_notify(&msg) else {
            let resp = response_to(&msg, 481, None);
            return self.respond(&key, resp, now);
        };
        let Some(s) = self.subscriptions.map.get_mut(&id) else {
            return;
        };
        let event = msg.header("Event").map(event_package).unwrap_or_default();
        if event != event_package(&s.request.event) {
            let mut resp = response_to(&msg, 489, None);
            resp.push_header("Allow-Events", s.request.event.clone());
            return self.respond(&key, resp, now);
        }
        let remote_tag = msg.from_header().ok().and_then(|f| f.tag().map(str::to_string));
        let cseq = msg.cseq().map(|(n, _)| n).unwrap_or_default();
        match s.dialog.as_mut() {
            Some(d) if Some(&d.remote_tag) != remote_tag.as_ref() => {
                // Another fork: one dialog per subscription.
                let resp = response_to(&msg, 481, None);
                return self.respond(&key, resp, now);
            }
            Some(d) => {
                if !d.accept_remote_seq(cseq) {
                    let resp = response_to(&msg, 500, None);
                    return self.respond(&key, resp, now);
                }
                d.refresh_target(&msg);
            }
            None => {
                // The NOTIFY came before the 200: it makes the dialog.
                let local_seq = s.last.cseq().map(|(n, _)| n).unwrap_or(1);
                let mut dialog = Dialog::as_callee(&msg, &s.local_tag, local_seq);
                if let Some(d) = dialog.as_mut() {
                    d.local_uri = s.local_uri.clone();
                }
                s.dialog = dialog;
            }
        }
        let state = match msg.header("Subscription-State").map(SubscriptionState::parse) {
            Some(Ok(state)) => state,
            Some(Err(e)) => {
                let resp = response_to(&msg, 400, None);
                tracing::debug!(account = %self.config.account, subscription = %id, "bad NOTIFY: {e}");
                return self.respond(&key, resp, now);
            }
            None => {
                let resp = response_to(&msg, 400, None);
                tracing::debug!(account = %self.config.account, subscription = %id, "NOTIFY without Subscription-State");
                return self.respond(&key, resp, now);
            }
        };
        let resp = response_to(&msg, 200, None);
        self.respond(&key, resp, now);
        if matches!(state, SubscriptionState::Terminated { .. }) {
            self.subscriptions.map.remove(&id);
        }
        let content_type = if msg.body.is_empty() {
            None
        } else {
            bare_content_type(&msg)
        };
        self.emit(AgentEvent::Subscription(SubscriptionEvent::Notified {
            id,
            state,
            content_type,
            body: msg.body,
        }));
    }
}

/// Plain words for a refused SUBSCRIBE.
fn describe_refusal(code: u16, resp: &SipMessage, peer: &str) -> String {
    let reason = resp.reason().unwrap_or_default().trim();
    let reason = if reason.is_empty() {
        crate::protocol::sip::outcome::standard_reason(code)
    } else {
        reason
    };
    let what = match code {
        403 | 603 => format!("{peer} does not share their status"),
        404 | 604 => format!("{peer}: no such user"),
        489 => format!("the server does not offer this kind of subscription for {peer}"),
        480 | 503 => "the server is temporarily unavailable".to_string(),
        _ => format!("subscribing to {peer} was refused"),
    };
    format!("{what} ({code} {reason})")
}

#[cfg(test)]
#[path = "subscription_tests.rs"]
mod tests;
