//! RFC 4976 relay client, sans-IO: AUTH to our MSRP relay, answer its
//! digest challenge, learn the Use-Path, and refresh before it expires.
//!
//! The runtime opens the (TLS) connection to the relay, calls
//! [`RelayClient::start`], feeds every frame that [`RelayClient::owns`]
//! (responses to our AUTH) to [`RelayClient::handle_frame`], drains
//! [`RelayClient::poll_output`] and runs [`RelayClient::handle_timeout`] at
//! [`RelayClient::poll_timeout`]. On [`RelayEvent::Authorized`] it puts
//! [`RelayClient::local_path`] into the SDP `a=path` and gives the Use-Path
//! to each session as [`super::SessionConfig::relays`]; sessions then run
//! over the same connection.

use super::frame::{status_in_words, Frame, FrameKind, Method};
use super::session::TRANSACTION_TIMEOUT;
use super::uri::MsrpUri;
use crate::protocol::sip::digest::{self, Challenge, Credentials, RequestParts};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Expiry assumed when a relay's 200 has no Expires header, in seconds.
pub const DEFAULT_RELAY_EXPIRES: u32 = 600;
/// Most AUTH requests in a row without success before giving up.
pub const MAX_AUTH_ATTEMPTS: u32 = 5;
/// Shortest time before a refresh, however short the grant.
pub const MIN_REFRESH: Duration = Duration::from_secs(5);

/// How to reach and authenticate with the relay.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// The relay's URI (`msrps://relay.example.com;tcp`, often with the user
    /// name as userinfo). Used as To-Path and as the digest `uri`.
    pub relay: MsrpUri,
    /// Our URI on this connection (From-Path of the AUTH).
    pub local_uri: MsrpUri,
    /// User name for the digest.
    pub username: String,
    /// Password for the digest.
    pub password: String,
    /// Expiry to ask for, in seconds (`None`: let the relay choose).
    pub expires: Option<u32>,
}

/// What happened with the relay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// The relay granted a path (first time or refreshed).
    Authorized {
        /// The Use-Path (relay URIs, in order).
        use_path: Vec<MsrpUri>,
        /// How long it is valid.
        expires: Duration,
    },
    /// The relay refused us or did not answer; a new [`RelayClient::start`]
    /// tries again.
    Failed {
        /// MSRP status, when the relay gave one.
        code: Option<u16>,
        /// In words.
        reason: String,
    },
}

/// Output of the relay client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayOutput {
    /// Write to the relay connection.
    Transmit(Vec<u8>),
    /// Tell the runtime.
    Event(RelayEvent),
}

/// The AUTH state of one relay connection.
#[derive(Debug)]
pub struct RelayClient {
    config: RelayConfig,
    rng: StdRng,
    out: VecDeque<RelayOutput>,
    /// Transaction id and deadline of the AUTH awaiting its response.
    pending: Option<(String, Instant)>,
    challenge: Option<Challenge>,
    nonce_count: u32,
    /// Nonce we already answered (a second 401 for it means wrong password).
    answered_nonce: Option<String>,
    expires: Option<u32>,
    attempts: u32,
    use_path: Option<Vec<MsrpUri>>,
    refresh_at: Option<Instant>,
    /// The last AUTH answered a cached challenge (not a fresh 401).
    preemptive: bool,
    /// The next AUTH answers a 401 that just came.
    fresh_challenge: bool,
}

impl RelayClient {
    /// A client; `seed` feeds transaction ids and cnonces.
    pub fn new(config: RelayConfig, seed: u64) -> RelayClient {
        RelayClient {
            expires: config.expires,
            config,
            rng: StdRng::seed_from_u64(seed),
            out: VecDeque::new(),
            pending: None,
            challenge: None,
            nonce_count: 0,
            answered_nonce: None,
            attempts: 0,
            use_path: None,
            refresh_at: None,
            preemptive: false,
            fresh_challenge: false,
        }
    }

    /// Sends the first AUTH (or starts over after a failure).
    pub fn start(&mut self, now: Instant) {
        self.attempts = 0;
        self.answered_nonce = None;
        self.send_auth(now);
    }

    /// The Use-Path granted, while authorized.
    pub fn use_path(&self) -> Option<&[MsrpUri]> {
        self.use_path.as_deref()
    }

    /// Our `a=path` through the relay: the Use-Path, then our URI.
    pub fn local_path(&self) -> Option<Vec<MsrpUri>> {
        let mut p = self.use_path.clone()?;
        p.push(self.config.local_uri.clone());
        Some(p)
    }

    /// Whether `frame` is the response to our AUTH.
    pub fn owns(&self, frame: &Frame) -> bool {
        frame.status().is_some()
            && self
                .pending
                .as_ref()
                .is_some_and(|(t, _)| *t == frame.transaction_id)
    }

    /// The next output.
    pub fn poll_output(&mut self) -> Option<RelayOutput> {
        self.out.pop_front()
    }

    /// When [`RelayClient::handle_timeout`] must run next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.pending {
            Some((_, at)) => Some(*at),
            None => self.refresh_at,
        }
    }

    /// Runs the AUTH timeout and the refresh.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some((_, at)) = &self.pending {
            if *at <= now {
                self.pending = None;
                self.fail(
                    None,
                    format!(
                        "the MSRP relay did not answer within {} s",
                        TRANSACTION_TIMEOUT.as_secs()
                    ),
                );
            }
            return;
        }
        if self.refresh_at.is_some_and(|at| at <= now) {
            self.refresh_at = None;
            self.attempts = 0;
            self.send_auth(now);
        }
    }

    /// Handles a response from the relay (ignored unless [`RelayClient::owns`] it).
    pub fn handle_frame(&mut self, frame: &Frame, now: Instant) {
        if !self.owns(frame) {
            return;
        }
        self.pending = None;
        let FrameKind::Response { code, comment } = &frame.kind else {
            return;
        };
        let words = |code: u16| match comment {
            Some(c) => format!("{} ({code} {c})", status_in_words(code)),
            None => format!("{} ({code})", status_in_words(code)),
        };
        match *code {
            200 => self.authorized(frame, now),
            401 => self.challenged(frame, now),
            423 => match frame.seconds("Min-Expires") {
                Ok(Some(min)) if self.expires.is_none_or(|e| e < min) => {
                    self.expires = Some(min);
                    self.send_auth(now);
                }
                _ => self.fail(
                    Some(423),
                    format!("the MSRP relay wants an expiry it does not name: {}", words(423)),
                ),
            },
            403 => self.fail(Some(403), format!("the MSRP relay refused us: {}", words(403))),
            other => self.fail(
                Some(other),
                format!("the MSRP relay refused the AUTH request: {}", words(other)),
            ),
        }
    }

    fn authorized(&mut self, frame: &Frame, now: Instant) {
        let path = match frame.use_path() {
            Ok(p) => p,
            Err(e) => {
                self.fail(
                    Some(200),
                    format!("the MSRP relay accepted us but its answer is unusable: {e}"),
                );
                return;
            }
        };
        let secs = match frame.seconds("Expires") {
            Ok(Some(s)) if s > 0 => s,
            Ok(_) => DEFAULT_RELAY_EXPIRES,
            Err(e) => {
                self.fail(
                    Some(200),
                    format!("the MSRP relay accepted us but its answer is unusable: {e}"),
                );
                return;
            }
        };
        let granted = Duration::from_secs(u64::from(secs));
        // Refresh at 80 % of the grant, but not sooner than MIN_REFRESH.
        self.refresh_at = Some(now + (granted * 4 / 5).max(MIN_REFRESH));
        self.attempts = 0;
        self.use_path = Some(path.clone());
        self.out.push_back(RelayOutput::Event(RelayEvent::Authorized {
            use_path: path,
            expires: granted,
        }));
    }

    fn challenged(&mut self, frame: &Frame, now: Instant) {
        let mut challenges = Vec::new();
        for value in frame
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("WWW-Authenticate"))
            .map(|(_, v)| v)
        {
            if let Ok(mut c) = digest::parse_challenges(value) {
                challenges.append(&mut c);
            }
        }
        let Some(chosen) = digest::choose_strongest(&challenges).cloned() else {
            self.fail(
                Some(401),
                "the MSRP relay asks for authentication we cannot answer (no usable Digest challenge)".into(),
            );
            return;
        };
        if self.answered_nonce.as_deref() == Some(chosen.nonce.as_str()) && !chosen.stale && !self.preemptive
        {
            self.fail(
                Some(401),
                "the MSRP relay refused the user name or password".into(),
            );
            return;
        }
        self.challenge = Some(chosen);
        self.nonce_count = 0;
        self.fresh_challenge = true;
        self.send_auth(now);
    }

    fn send_auth(&mut self, now: Instant) {
        if self.attempts >= MAX_AUTH_ATTEMPTS {
            self.fail(
                None,
                format!("the MSRP relay did not accept us after {MAX_AUTH_ATTEMPTS} attempts"),
            );
            return;
        }
        self.attempts += 1;
        self.preemptive = self.challenge.is_some() && !std::mem::take(&mut self.fresh_challenge);
        let txid: String = (0..12)
            .map(|_| char::from(b"abcdefghijklmnopqrstuvwxyz0123456789"[self.rng.gen_range(0..36)]))
            .collect();
        let relay_uri = self.config.relay.to_string();
        let mut f = Frame::request(txid.clone(), Method::Auth);
        f.push_header("To-Path", relay_uri.clone());
        f.push_header("From-Path", self.config.local_uri.to_string());
        if let Some(challenge) = &self.challenge {
            self.nonce_count += 1;
            let cnonce = digest::cnonce_from_seed(self.rng.gen());
            let creds = Credentials {
                username: &self.config.username,
                password: &self.config.password,
            };
            let req = RequestParts {
                method: "AUTH",
                uri: &relay_uri,
                body: b"",
            };
            let value = digest::authorization_value(challenge, &creds, &req, &cnonce, self.nonce_count);
            self.answered_nonce = Some(challenge.nonce.clone());
            f.push_header("Authorization", value);
        }
        if let Some(e) = self.expires {
            f.push_header("Expires", e.to_string());
        }
        self.pending = Some((txid, now + TRANSACTION_TIMEOUT));
        self.out.push_back(RelayOutput::Transmit(f.to_bytes()));
    }

    fn fail(&mut self, code: Option<u16>, reason: String) {
        tracing::debug!(?code, %reason, "msrp relay AUTH failed");
        self.use_path = None;
        self.refresh_at = None;
        self.pending = None;
        self.out
            .push_back(RelayOutput::Event(RelayEvent::Failed { code, reason }));
    }
}

#[cfg(test)]
#[path = "relay_tests.rs"]
mod tests;
