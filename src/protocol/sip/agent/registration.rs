//! REGISTER (RFC 3261 section 10): register, refresh at about half the
//! granted expiry, 423 Min-Expires, backoff with jitter, unregister.
//!
//! Credentials the server rejected twice (a 401/407 that is not `stale`, or
//! a 403, answering a REGISTER that carried them) are not tried again: a
//! server that locks accounts after a few failures would lock ours. The
//! account then waits in [`RegistrationState::Refused`] until the user
//! asks again ([`Agent::register_again`], or a new password: a new agent).
//! A server that cannot be reached is retried with backoff, and the state
//! keeps saying so between tries (no `Registering` in between).
//!
//! Behind a home router. A registration over UDP sends a keep-alive
//! ([`KEEPALIVE_PING`], a double CRLF in the style of RFC 5626 section
//! 4.4.1) to the server every [`DEFAULT_UDP_KEEPALIVE`] (or what
//! [`Agent::set_udp_keepalive`] says), so the router keeps the binding its
//! answers come back through. When a 2xx shows (Via `received`/`rport`,
//! RFC 3581) that the server sees us at another address than our Contact
//! names, we register again at that public address and remove the old
//! binding in the same REGISTER (`;expires=0`); again whenever it changes.
//! RFC 5626 outbound and RFC 5627 GRUU: see `outbound.rs`; STUN
//! keep-alives on outbound UDP flows: `keepalive.rs`.

use super::{Agent, AgentEvent, Failure, Hop, Purpose};
use crate::model::RegistrationState;
use crate::protocol::sip::message::{Method, SipMessage};
use crate::protocol::sip::name_addr::NameAddr;
use crate::protocol::sip::transaction::TransactionKey;
use rand::rngs::StdRng;
use rand::Rng;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// Longest expiry we ask for or accept (one day).
pub const MAX_EXPIRES: u32 = 86_400;
/// First retry delay after a failure.
pub const BACKOFF_BASE: Duration = Duration::from_secs(5);
/// Longest retry delay.
pub const BACKOFF_MAX: Duration = Duration::from_secs(600);
/// Shortest refresh interval, so a tiny grant cannot make us spin.
pub const MIN_REFRESH: Duration = Duration::from_secs(5);
/// Rejections of the same credentials after which we stop trying.
pub const MAX_CREDENTIAL_REJECTIONS: u32 = 2;
/// Default interval of keep-alives on a UDP registration: below the 20 to
/// 30 s home routers keep an idle UDP binding.
pub const DEFAULT_UDP_KEEPALIVE: Duration = Duration::from_secs(15);
/// Shortest keep-alive interval we accept, so a tiny setting cannot flood.
pub const MIN_KEEPALIVE: Duration = Duration::from_secs(1);
/// What a UDP keep-alive carries: a double CRLF, which a SIP server reads
/// as no message at all (RFC 5626 section 4.4.1; RFC 3261 section 7.5).
pub const KEEPALIVE_PING: &[u8] = b"\r\n\r\n";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Registering,
    Registered,
    Failed,
    /// The credentials were rejected: no tries until the user asks.
    Refused,
    Unregistering,
}

/// Registration state of one account.
#[derive(Debug)]
pub(super) struct Registration {
    phase: Phase,
    call_id_token: String,
    from_tag: String,
    cseq: u32,
    expires: u32,
    pub(super) hop: Option<Hop>,
    contact: Option<String>,
    last_request: Option<SipMessage>,
    tried_nonces: Vec<String>,
    failures: u32,
    /// How often the server rejected our credentials since they last worked
    /// (or the user last asked to try again).
    rejections: u32,
    wake_at: Option<Instant>,
    key: Option<TransactionKey>,
    granted: Option<u32>,
    jitter_seed: u64,
    /// Interval of UDP keep-alives; `None`: off.
    keepalive: Option<Duration>,
    /// When the next UDP keep-alive goes out.
    keepalive_at: Option<Instant>,
    /// Our address as the server saw it (Via received/rport), when it
    /// differs from the local one: what our Contact names.
    public: Option<SocketAddr>,
    /// A binding we registered earlier at another address: removed
    /// (`;expires=0`) by the next REGISTER.
    stale_contact: Option<String>,
    /// Our RFC 5626 instance id (`urn:uuid:...`), when the runtime gave one.
    pub(super) instance: Option<String>,
    /// The registrar uses outbound on our flow.
    pub(super) outbound: bool,
    /// The public GRUU the registrar gave us (RFC 5627).
    pub(super) gruu: Option<String>,
    /// Whether a 2xx on this flow said whether outbound is used.
    pub(super) outbound_known: bool,
    /// STUN keep-alives on an outbound UDP flow.
    pub(super) stun: super::keepalive::StunKeepalive,
}

impl Registration {
    pub(super) fn new(rng: &mut StdRng, expires: u32) -> Registration {
        Registration {
            phase: Phase::Idle,
            call_id_token: (0..12).map(|_| format!("{:02x}", rng.gen::<u8>())).collect(),
            from_tag: (0..6).map(|_| format!("{:02x}", rng.gen::<u8>())).collect(),
            cseq: 0,
            expires: expires.clamp(1, MAX_EXPIRES),
            hop: None,
            contact: None,
            last_request: None,
            tried_nonces: Vec::new(),
            failures: 0,
            rejections: 0,
            wake_at: None,
            key: None,
            granted: None,
            jitter_seed: rng.gen(),
            keepalive: Some(DEFAULT_UDP_KEEPALIVE),
            keepalive_at: None,
            public: None,
            stale_contact: None,
            instance: None,
            outbound: false,
            gruu: None,
            outbound_known: false,
            stun: Default::default(),
        }
    }

    /// The earliest of the refresh (or retry) and the next keep-alive.
    pub(super) fn wake_at(&self) -> Option<Instant> {
        [self.wake_at, self.keepalive_at, self.stun.wake_at()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The Contact we register (or last registered).
    pub(super) fn contact(&self) -> Option<&str> {
        self.contact.as_deref()
    }

    pub(super) fn key(&self) -> Option<&TransactionKey> {
        self.key.as_ref()
    }

    /// The delay before retry number `failures` (1-based), with +-20% jitter.
    fn backoff(&mut self) -> Duration {
        let exp = self.failures.saturating_sub(1).min(16);
        let base = BACKOFF_BASE.saturating_mul(1u32 << exp).min(BACKOFF_MAX);
        self.jitter_seed = self
            .jitter_seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let permille = 800 + (self.jitter_seed >> 33) % 401; // 800..=1200
        base.mul_f64(permille as f64 / 1000.0)
    }
}

impl Agent {
    /// Whether the account is registered right now.
    pub fn is_registered(&self) -> bool {
        self.registration.phase == Phase::Registered
    }

    /// Sets the interval of keep-alives on UDP registrations (`None`: none).
    /// Takes effect from the next keep-alive.
    pub fn set_udp_keepalive(&mut self, every: Option<Duration>) {
        self.registration.keepalive = every.map(|e| e.max(MIN_KEEPALIVE));
        if self.registration.keepalive.is_none() {
            self.registration.keepalive_at = None;
        }
    }

    /// Our address as the server sees it, when it differs from the local
    /// one (learnt from a REGISTER answer).
    pub fn public_address(&self) -> Option<SocketAddr> {
        self.registration.public
    }

    /// The public address learnt on `hop`, when `hop` is the registration's
    /// flow (what reaches us through it).
    /// Whether the server sees us at another address than ours on `hop`
    /// (learnt from the registration's Via `received`/`rport`): we are
    /// behind NAT there, and a peer cannot connect to our own address.
    pub fn behind_nat_on(&self, hop: &Hop) -> bool {
        self.public_address_on(hop).is_some()
    }

    pub(super) fn public_address_on(&self, hop: &Hop) -> Option<SocketAddr> {
        let flow = self.registration.hop?;
        let same = flow.transport == hop.transport && flow.remote == hop.remote && flow.conn == hop.conn;
        self.registration.public.filter(|_| same)
    }

    /// Registers (or re-registers after the flow changed) through `hop`.
    /// Credentials the server refused stay refused (see
    /// [`Agent::register_again`]).
    pub fn register(&mut self, hop: Hop, now: Instant) {
        if self.config.registrar.is_none() {
            return;
        }
        if self.registration.hop != Some(hop) {
            // A new flow: the router's mapping (if any), whether the
            // registrar uses outbound on it and whether it answers STUN
            // are learnt anew.
            self.registration.public = None;
            self.registration.outbound = false;
            self.registration.outbound_known = false;
            self.registration.stun = Default::default();
        }
        if self.registration.phase == Phase::Refused {
            self.registration.hop = Some(hop);
            self.registration.contact = Some(self.contact_for(&hop));
            return;
        }
        let contact = self.contact_for(&hop);
        self.registration.hop = Some(hop);
        self.registration.contact = Some(contact);
        self.registration.tried_nonces.clear();
        self.send_register(self.registration.expires, now);
    }

    /// The user asks to try again (Retry): refused credentials get one more
    /// chance, and a waiting retry happens now.
    pub fn register_again(&mut self, hop: Hop, now: Instant) {
        self.registration.rejections = 0;
        self.registration.failures = 0;
        if matches!(self.registration.phase, Phase::Refused | Phase::Failed) {
            self.registration.phase = Phase::Idle;
        }
        self.registration.wake_at = None;
        if self.registration.key.is_none() {
            self.register(hop, now);
        }
    }

    /// Whether the server refused our credentials and we wait for the user.
    pub fn registration_refused(&self) -> bool {
        self.registration.phase == Phase::Refused
    }

    /// Removes our binding (Expires: 0). Emits `Offline` when done or at once
    /// when there is nothing to remove.
    pub fn unregister(&mut self, now: Instant) {
        let active = matches!(self.registration.phase, Phase::Registered | Phase::Registering);
        self.registration.wake_at = None;
        if active && self.registration.hop.is_some() {
            self.registration.phase = Phase::Unregistering;
            self.registration.tried_nonces.clear();
            self.send_register(0, now);
        } else {
            self.set_offline();
        }
    }

    /// The connection the registration used is gone.
    pub fn flow_lost(&mut self, reason: &str, now: Instant) {
        self.registration.hop = None;
        self.registration.keepalive_at = None;
        self.registration.stun = Default::default();
        if matches!(self.registration.phase, Phase::Registered | Phase::Registering) {
            self.registration_failed(format!("connection to the server lost: {reason}"), now);
        }
    }

    fn contact_for(&self, hop: &Hop) -> String {
        let user = self.config.aor.user.clone().unwrap_or_default();
        let at = if user.is_empty() { "" } else { "@" };
        let transport = match hop.transport {
            crate::protocol::sip::uri::Transport::Udp => String::new(),
            t => format!(";transport={}", t.param_token()),
        };
        let scheme = "sip";
        let host_port = match self.registration.public {
            Some(public) => host_port(public),
            None => hop.local_host_port(),
        };
        let outbound = self.outbound_contact_params();
        format!("<{scheme}:{user}{at}{host_port}{transport}>{outbound}")
    }

    fn send_register(&mut self, expires: u32, now: Instant) {
        let (Some(registrar), Some(hop), Some(contact)) = (
            self.config.registrar.clone(),
            self.registration.hop,
            self.registration.contact.clone(),
        ) else {
            return;
        };
        let aor = NameAddr {
            display_name: self.config.display_name.clone(),
            uri: self.config.aor.to_string(),
            params: Vec::new(),
        };
        let mut from = aor.clone();
        from.set_param("tag", Some(&self.registration.from_tag));
        let mut req = SipMessage::request(Method::Register, registrar.to_string());
        req.push_header("Via", "");
        req.push_header("From", from.to_string());
        req.push_header("To", aor.to_string());
        req.push_header(
            "Call-ID",
            format!("{}@{}", self.registration.call_id_token, self.config.aor.host),
        );
        self.registration.cseq += 1;
        req.push_header("CSeq", format!("{} REGISTER", self.registration.cseq));
        req.push_header("Contact", contact);
        if let Some(stale) = &self.registration.stale_contact {
            req.push_header("Contact", format!("{stale};expires=0"));
        }
        req.push_header("Expires", expires.to_string());
        req.push_header("Allow", crate::protocol::sip::builder::allowed_methods());
        self.add_outbound_support(&mut req);
        let cnonce = self.cnonce();
        self.auth.authorize_preemptively(
            &mut req,
            &self.config.auth_user,
            self.config.password.as_deref(),
            &cnonce,
        );
        self.start_register(req, hop, now);
    }

    fn start_register(&mut self, mut req: SipMessage, hop: Hop, now: Instant) {
        match self.registration.phase {
            Phase::Registered | Phase::Unregistering => {}
            // A retry after a failure: the failure (and when the next try
            // is) stays what the user sees until this one succeeds or fails.
            Phase::Failed => self.registration.phase = Phase::Registering,
            _ => self.set_phase(Phase::Registering, RegistrationState::Registering),
        }
        match self.start_client(&mut req, hop, Purpose::Register, now) {
            Ok(key) => {
                self.registration.key = Some(key);
                self.registration.last_request = Some(req);
            }
            Err(e) => self.registration_failed(e, now),
        }
    }

    pub(super) fn registration_response(
        &mut self,
        key: &TransactionKey,
        hop: Hop,
        resp: &SipMessage,
        now: Instant,
    ) {
        if self.registration.key.as_ref() != Some(key) {
            return; // an answer to a superseded REGISTER
        }
        self.registration.key = None;
        let code = resp.status().unwrap_or(500);
        let unregistering = self.registration.phase == Phase::Unregistering;
        let carried_credentials = self.registration.last_request.as_ref().is_some_and(|r| {
            r.header("Authorization").is_some() || r.header("Proxy-Authorization").is_some()
        });
        let rejected = carried_credentials
            && !unregistering
            && match code {
                401 | 407 => !challenge_is_stale(resp),
                403 => true,
                _ => false,
            };
        if rejected {
            self.registration.rejections += 1;
            if self.registration.rejections >= MAX_CREDENTIAL_REJECTIONS {
                self.credentials_refused(code, resp.reason().unwrap_or_default());
                return;
            }
        }
        match code {
            200..=299 if unregistering => self.set_offline(),
            200..=299 => self.registered(resp, now),
            401 | 407 => self.retry_with_auth(resp, hop, now),
            423 if !unregistering => self.retry_min_expires(resp, hop, now),
            _ if unregistering => self.set_offline(),
            _ => {
                let reason = describe_registration_failure(code, resp.reason().unwrap_or_default());
                self.registration_failed(reason, now);
            }
        }
    }

    fn registered(&mut self, resp: &SipMessage, now: Instant) {
        let granted = self.granted_expires(resp).min(MAX_EXPIRES);
        if granted == 0 {
            self.registration_failed("the server granted no registration time (expires=0)".into(), now);
            return;
        }
        self.registration.failures = 0;
        self.registration.rejections = 0;
        self.registration.tried_nonces.clear();
        self.registration.stale_contact = None;
        self.learn_outbound(resp);
        if self.contact_moved(resp, now) {
            return;
        }
        self.schedule_keepalive(now);
        let refresh = Duration::from_secs(u64::from(granted) / 2).max(MIN_REFRESH);
        self.registration.wake_at = Some(now + refresh);
        let changed =
            self.registration.phase != Phase::Registered || self.registration.granted != Some(granted);
        self.registration.phase = Phase::Registered;
        self.registration.granted = Some(granted);
        if changed {
            self.emit(AgentEvent::Registration(RegistrationState::Registered {
                expires: granted,
            }));
        }
    }

    /// When the server saw us at another address than our Contact names
    /// (a NAT between us), registers again at that address, removing the
    /// old binding in the same request. True when it did.
    fn contact_moved(&mut self, resp: &SipMessage, now: Instant) -> bool {
        let Some(hop) = self.registration.hop else {
            return false;
        };
        let Some(seen) = resp.top_via().ok().and_then(|via| address_seen(&via, hop.local)) else {
            return false;
        };
        let current = self.registration.public.unwrap_or(hop.local);
        if seen == current {
            return false;
        }
        tracing::info!(account = %self.config.account, local = %hop.local, public = %seen, "the server sees us at another address; registering that one");
        self.move_contact(hop, seen, now);
        true
    }

    /// A STUN answer on our flow named `mapped` as our address: when our
    /// Contact names another, the router moved us; register the new one.
    pub(super) fn address_seen_by_stun(&mut self, mapped: SocketAddr, now: Instant) {
        let Some(hop) = self.registration.hop else { return };
        let current = self.registration.public.unwrap_or(hop.local);
        if mapped == current || self.registration.phase != Phase::Registered {
            return;
        }
        tracing::info!(account = %self.config.account, before = %current, public = %mapped, "STUN says our public address changed; registering the new one");
        self.move_contact(hop, mapped, now);
    }

    /// Registers again at `seen` (our address as the server sees it on
    /// `hop`), removing the old binding in the same request.
    fn move_contact(&mut self, hop: Hop, seen: SocketAddr, now: Instant) {
        self.registration.public = (seen != hop.local).then_some(seen);
        // Removed by its URI alone: with our instance id on it, a registrar
        // that matches by instance (RFC 5626/5627) would remove the new
        // binding too (it replaces the old one by itself).
        self.registration.stale_contact = self
            .registration
            .contact
            .take()
            .map(|c| c.split_inclusive('>').next().unwrap_or(&c).to_string());
        self.registration.contact = Some(self.contact_for(&hop));
        self.registration.tried_nonces.clear();
        if self.registration.key.is_none() {
            self.send_register(self.registration.expires, now);
        }
    }

    /// Registers again now (a keep-alive went unanswered on a flow whose
    /// server answers them), unless a REGISTER is under way.
    pub(super) fn register_now(&mut self, now: Instant) {
        if self.registration.phase != Phase::Registered || self.registration.key.is_some() {
            return;
        }
        self.registration.wake_at = None;
        self.send_register(self.registration.expires, now);
    }

    /// The next UDP keep-alive, when the registration runs over UDP.
    fn schedule_keepalive(&mut self, now: Instant) {
        let over_udp = self
            .registration
            .hop
            .is_some_and(|h| h.transport == crate::protocol::sip::uri::Transport::Udp);
        self.registration.keepalive_at = match self.registration.keepalive {
            Some(every) if over_udp => Some(now + every),
            _ => None,
        };
    }

    /// Sends a keep-alive when one is due (and schedules the next).
    fn keepalive_timer(&mut self, now: Instant) {
        if self.registration.keepalive_at.is_none_or(|at| at > now) {
            return;
        }
        self.registration.keepalive_at = None;
        let Some(hop) = self.registration.hop else { return };
        if self.registration.phase != Phase::Registered {
            return;
        }
        self.send_keepalive(hop, now);
        self.schedule_keepalive(now);
    }

    /// The expiry the server granted our Contact: its `expires` parameter in
    /// the 200, else the Expires header, else what we asked for.
    fn granted_expires(&self, resp: &SipMessage) -> u32 {
        let ours = self
            .registration
            .contact
            .as_deref()
            .and_then(|c| NameAddr::parse(c).ok());
        let contacts = resp.contacts().unwrap_or_default();
        let matching = contacts
            .iter()
            .find(|c| ours.as_ref().is_some_and(|o| same_contact(&o.uri, &c.uri)));
        matching
            .or(contacts.first())
            .and_then(|c| c.param("expires"))
            .and_then(|v| v.parse().ok())
            .or_else(|| resp.header("Expires").and_then(|v| v.trim().parse().ok()))
            .unwrap_or(self.registration.expires)
    }

    fn retry_with_auth(&mut self, resp: &SipMessage, hop: Hop, now: Instant) {
        let Some(mut req) = self.registration.last_request.take() else {
            return;
        };
        let cnonce = self.cnonce();
        let user = self.config.auth_user.clone();
        let password = self.config.password.clone();
        let answered = self.auth.answer_challenge(
            resp,
            &mut req,
            &mut self.registration.tried_nonces,
            &user,
            password.as_deref(),
            &cnonce,
        );
        match answered {
            Ok(()) => {
                self.registration.cseq += 1;
                req.set_header("CSeq", format!("{} REGISTER", self.registration.cseq));
                self.start_register(req, hop, now);
            }
            Err(e) if self.registration.phase == Phase::Unregistering => {
                tracing::debug!("unregister not authorised: {e}");
                self.set_offline();
            }
            Err(e) => {
                let code = resp.status().unwrap_or_default();
                let reason = resp.reason().unwrap_or_default();
                self.registration_failed(format!("{e} ({code} {reason})"), now);
            }
        }
    }

    fn retry_min_expires(&mut self, resp: &SipMessage, hop: Hop, now: Instant) {
        let min = resp
            .header("Min-Expires")
            .and_then(|v| v.trim().parse::<u32>().ok());
        match min {
            Some(min) if min > self.registration.expires && min <= MAX_EXPIRES => {
                tracing::info!(account = %self.config.account, "server asks for at least {min} s; retrying");
                self.registration.expires = min;
                let _ = hop;
                self.send_register(min, now);
            }
            _ => self.registration_failed(
                describe_registration_failure(423, resp.reason().unwrap_or_default()),
                now,
            ),
        }
    }

    pub(super) fn registration_no_response(&mut self, key: &TransactionKey, failure: Failure, now: Instant) {
        if self.registration.key.as_ref() != Some(key) {
            return;
        }
        self.registration.key = None;
        if self.registration.phase == Phase::Unregistering {
            self.set_offline();
            return;
        }
        let words = self.failure_words(failure, self.registration.hop, None);
        // Name the server we send to: the outbound proxy when there is one.
        let proxy = self
            .config
            .route
            .as_deref()
            .and_then(|r| NameAddr::parse(r).ok())
            .and_then(|r| crate::protocol::sip::uri::SipUri::parse(&r.uri).ok());
        let server = proxy.as_ref().or(self.config.registrar.as_ref()).map_or_else(
            || "the server".to_string(),
            |r| match r.port {
                Some(port) => format!("{}:{port}", r.host),
                None => r.host.clone(),
            },
        );
        self.registration_failed(format!("cannot reach {server}: {words}"), now);
    }

    fn registration_failed(&mut self, reason: String, now: Instant) {
        self.registration.failures += 1;
        let delay = self.registration.backoff();
        self.registration.wake_at = Some(now + delay);
        self.registration.phase = Phase::Failed;
        self.registration.granted = None;
        self.registration.keepalive_at = None;
        self.registration.stun.stop();
        tracing::warn!(account = %self.config.account, "registration failed: {reason}");
        self.emit(AgentEvent::Registration(RegistrationState::Failed {
            reason,
            retry_in_secs: delay.as_secs().max(1),
        }));
    }

    /// The server rejected our credentials [`MAX_CREDENTIAL_REJECTIONS`]
    /// times: stop, and say so.
    fn credentials_refused(&mut self, code: u16, reason: &str) {
        let reason = if reason.trim().is_empty() {
            crate::protocol::sip::outcome::standard_reason(code)
        } else {
            reason.trim()
        };
        let words = format!(
            "the server refused the password ({code} {reason}); not trying again until you change it or retry"
        );
        tracing::warn!(account = %self.config.account, "registration stopped: {words}");
        self.registration.wake_at = None;
        self.registration.granted = None;
        self.registration.phase = Phase::Refused;
        self.emit(AgentEvent::Registration(RegistrationState::Refused {
            reason: words,
        }));
    }

    fn set_offline(&mut self) {
        self.registration.wake_at = None;
        self.registration.keepalive_at = None;
        self.registration.stun.stop();
        self.registration.key = None;
        self.registration.granted = None;
        self.set_phase(Phase::Idle, RegistrationState::Offline);
    }

    fn set_phase(&mut self, phase: Phase, state: RegistrationState) {
        if self.registration.phase != phase {
            self.registration.phase = phase;
            self.emit(AgentEvent::Registration(state));
        }
    }

    pub(super) fn registration_timer(&mut self, now: Instant) {
        self.stun_timer(now);
        self.keepalive_timer(now);
        if self.registration.wake_at.is_some_and(|at| at <= now) {
            self.registration.wake_at = None;
            if matches!(self.registration.phase, Phase::Registered | Phase::Failed)
                && self.registration.key.is_none()
            {
                self.send_register(self.registration.expires, now);
            }
        }
    }
}

/// Whether a 401/407 says only that our nonce was old (`stale=true`): the
/// credentials themselves were fine.
fn challenge_is_stale(resp: &SipMessage) -> bool {
    ["WWW-Authenticate", "Proxy-Authenticate"]
        .iter()
        .flat_map(|name| resp.header_lines(name))
        .filter_map(|line| crate::protocol::sip::digest::parse_challenges(line).ok())
        .flatten()
        .any(|challenge| challenge.stale)
}

/// Where the server saw a request come from, by the Via of its answer
/// (`received`, else our sent-by host; `rport`, else our port).
fn address_seen(via: &crate::protocol::sip::name_addr::Via, local: SocketAddr) -> Option<SocketAddr> {
    let host = via.received().unwrap_or(&via.host);
    let ip: IpAddr = host.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
    let port = via.rport().unwrap_or(local.port());
    Some(SocketAddr::new(ip, port))
}

/// `host:port` of an address as a URI writes it (IPv6 in brackets).
fn host_port(addr: SocketAddr) -> String {
    match addr {
        SocketAddr::V4(a) => format!("{}:{}", a.ip(), a.port()),
        SocketAddr::V6(a) => format!("[{}]:{}", a.ip(), a.port()),
    }
}

/// Whether two Contact URIs name the same binding (scheme, user, host, port).
fn same_contact(a: &str, b: &str) -> bool {
    let strip = |s: &str| -> String { s.split(';').next().unwrap_or_default().to_ascii_lowercase() };
    strip(a) == strip(b)
}

/// Plain words for a failed REGISTER.
pub fn describe_registration_failure(code: u16, reason: &str) -> String {
    let reason = if reason.trim().is_empty() {
        crate::protocol::sip::outcome::standard_reason(code)
    } else {
        reason.trim()
    };
    let what = match code {
        403 => "the server refused the registration",
        404 => "the server does not know this account",
        423 => "the server wants a longer registration time than allowed",
        480 | 503 => "the server is temporarily unavailable",
        _ => "registration refused",
    };
    format!("{what} ({code} {reason})")
}

#[cfg(test)]
#[path = "registration_tests.rs"]
mod tests;
