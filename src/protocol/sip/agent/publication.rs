//! Our presence publication (RFC 3903): PUBLISH with the document, refresh
//! with `SIP-If-Match` and no body, modify with the entity tag and a new
//! body, remove with `Expires: 0`.
//!
//! When the server no longer knows our entity tag, it answers 412 (RFC
//! 3903); Kamailio 5.6 answers 500. Both make the agent publish afresh with
//! the last document, once per request. One PUBLISH is in flight at a
//! time; a newer one asked meanwhile waits and replaces any older waiting
//! one. When to refresh is the runtime's (it hears the granted expiry).

use super::{Agent, AgentEvent, Failure, Hop, Purpose};
use crate::protocol::sip::message::{Method, SipMessage};
use crate::protocol::sip::name_addr::NameAddr;
use crate::protocol::sip::transaction::TransactionKey;
use std::time::Instant;

/// Longest expiry we ask for a publication.
pub const MAX_PUBLISH_EXPIRES: u32 = 86_400;
/// Longest entity tag kept, in bytes (a longer one is not used).
pub const MAX_ETAG_LEN: usize = 256;

/// News about our publication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicationEvent {
    /// Published (or refreshed) for `expires` seconds.
    Published {
        /// Seconds granted.
        expires: u32,
    },
    /// Removed (Expires: 0 answered, or nothing was published).
    Removed,
    /// Refused or unanswered; nothing is published now.
    Failed {
        /// The final status, when there was one.
        code: Option<u16>,
        /// Plain words.
        reason: String,
        /// Retry-After seconds, when given.
        retry_after: Option<u32>,
    },
}

/// A PUBLISH to send.
#[derive(Debug, Clone)]
struct Wanted {
    /// A new document (`None`: refresh the one published).
    body: Option<(String, Vec<u8>)>,
    expires: u32,
    hop: Hop,
}

/// The state of our publication.
#[derive(Debug, Default)]
pub(super) struct Publication {
    event: String,
    etag: Option<String>,
    /// The last document sent: content type and bytes.
    document: Option<(String, Vec<u8>)>,
    call_id: Option<String>,
    from_tag: Option<String>,
    cseq: u32,
    key: Option<TransactionKey>,
    last: Option<SipMessage>,
    asked: u32,
    hop: Option<Hop>,
    tried_nonces: Vec<String>,
    /// Published afresh after 412/500 for the request in flight.
    refreshed_afresh: bool,
    waiting: Option<Wanted>,
}

impl Publication {
    pub(super) fn key(&self) -> Option<&TransactionKey> {
        self.key.as_ref()
    }
}

impl Agent {
    /// Publishes `document` (content type, bytes) for event `event`, or,
    /// with `None`, refreshes what is published. `expires` 0 removes it.
    pub fn publish(
        &mut self,
        event: &str,
        document: Option<(String, Vec<u8>)>,
        expires: u32,
        hop: Hop,
        now: Instant,
    ) {
        self.publication.event = event.to_string();
        let wanted = Wanted {
            body: document,
            expires: expires.min(MAX_PUBLISH_EXPIRES),
            hop,
        };
        if self.publication.key.is_some() {
            let keep_body = self.publication.waiting.as_mut().and_then(|w| w.body.take());
            let mut wanted = wanted;
            if wanted.body.is_none() {
                wanted.body = keep_body;
            }
            self.publication.waiting = Some(wanted);
            return;
        }
        self.send_publish(wanted, now);
    }

    /// Whether a publication is in place (we hold an entity tag).
    pub fn is_published(&self) -> bool {
        self.publication.etag.is_some()
    }

    fn send_publish(&mut self, wanted: Wanted, now: Instant) {
        let p = &mut self.publication;
        if wanted.expires == 0 && p.etag.is_none() {
            p.document = None;
            self.emit(AgentEvent::Publication(PublicationEvent::Removed));
            return;
        }
        let body_given = wanted.body.is_some();
        if let Some(body) = wanted.body {
            p.document = Some(body);
        }
        if p.etag.is_none() && p.document.is_none() {
            return; // nothing to refresh and nothing to publish
        }
        let aor = NameAddr {
            display_name: self.config.display_name.clone(),
            uri: self.config.aor.to_string(),
            params: Vec::new(),
        };
        let call_id = match &self.publication.call_id {
            Some(c) => c.clone(),
            None => {
                let c = self.new_call_id();
                self.publication.call_id = Some(c.clone());
                c
            }
        };
        let from_tag = match &self.publication.from_tag {
            Some(t) => t.clone(),
            None => {
                let t = self.new_tag();
                self.publication.from_tag = Some(t.clone());
                t
            }
        };
        let p = &mut self.publication;
        let mut from = aor.clone();
        from.set_param("tag", Some(&from_tag));
        let mut req = SipMessage::request(Method::Publish, self.config.aor.to_string());
        req.push_header("Via", "");
        req.push_header("From", from.to_string());
        req.push_header("To", aor.to_string());
        req.push_header("Call-ID", call_id);
        p.cseq = p.cseq.saturating_add(1);
        req.push_header("CSeq", format!("{} PUBLISH", p.cseq));
        req.push_header("Event", p.event.clone());
        req.push_header("Expires", wanted.expires.to_string());
        if let Some(etag) = &p.etag {
            req.push_header("SIP-If-Match", etag.clone());
        }
        // A modify or a fresh publication carries the document; a refresh
        // or a removal only the tag.
        let send_body = wanted.expires != 0 && (p.etag.is_none() || body_given);
        if send_body {
            if let Some((content_type, bytes)) = &p.document {
                req.push_header("Content-Type", content_type.clone());
                req.body = bytes.clone();
            }
        }
        p.asked = wanted.expires;
        p.hop = Some(wanted.hop);
        let cnonce = self.cnonce();
        self.auth.authorize_preemptively(
            &mut req,
            &self.config.auth_user,
            self.config.password.as_deref(),
            &cnonce,
        );
        self.start_publish(req, wanted.hop, now);
    }

    fn start_publish(&mut self, mut req: SipMessage, hop: Hop, now: Instant) {
        match self.start_client(&mut req, hop, Purpose::Publish, now) {
            Ok(key) => {
                self.publication.key = Some(key);
                self.publication.last = Some(req);
            }
            Err(reason) => self.publication_failed(None, reason, None, now),
        }
    }

    pub(super) fn publish_response(&mut self, key: &TransactionKey, resp: &SipMessage, now: Instant) {
        if self.publication.key.as_ref() != Some(key) {
            return;
        }
        self.publication.key = None;
        let code = resp.status().unwrap_or(500);
        let sent_tag = self
            .publication
            .last
            .as_ref()
            .is_some_and(|r| r.header("SIP-If-Match").is_some());
        match code {
            200..=299 => {
                self.publication.tried_nonces.clear();
                self.publication.refreshed_afresh = false;
                if self.publication.asked == 0 {
                    self.publication.etag = None;
                    self.publication.document = None;
                    self.emit(AgentEvent::Publication(PublicationEvent::Removed));
                } else {
                    self.publication.etag = resp
                        .header("SIP-ETag")
                        .map(str::trim)
                        .filter(|t| !t.is_empty() && t.len() <= MAX_ETAG_LEN)
                        .map(str::to_string);
                    let expires = resp
                        .header("Expires")
                        .and_then(|v| v.trim().parse::<u32>().ok())
                        .unwrap_or(self.publication.asked);
                    self.emit(AgentEvent::Publication(PublicationEvent::Published { expires }));
                }
                self.send_waiting(now);
            }
            401 | 407 => {
                let cnonce = self.cnonce();
                let (user, password) = (self.config.auth_user.clone(), self.config.password.clone());
                let Some(mut req) = self.publication.last.take() else {
                    return;
                };
                let p = &mut self.publication;
                match self.auth.answer_challenge(
                    resp,
                    &mut req,
                    &mut p.tried_nonces,
                    &user,
                    password.as_deref(),
                    &cnonce,
                ) {
                    Ok(()) => {
                        p.cseq = p.cseq.saturating_add(1);
                        req.set_header("CSeq", format!("{} PUBLISH", p.cseq));
                        let hop = p.hop;
                        if let Some(hop) = hop {
                            self.start_publish(req, hop, now);
                        }
                    }
                    Err(e) => self.publication_failed(Some(code), format!("{e} ({code})"), None, now),
                }
            }
            // The server no longer knows our tag: 412 (RFC 3903), or 500 from
            // Kamailio. Publish the whole document afresh, once.
            412 | 500 if sent_tag && !self.publication.refreshed_afresh && self.publication.asked != 0 => {
                tracing::info!(account = %self.config.account, code, "the server lost our publication; publishing afresh");
                self.publication.etag = None;
                self.publication.refreshed_afresh = true;
                if let Some(hop) = self.publication.hop {
                    let expires = self.publication.asked;
                    self.send_publish(
                        Wanted {
                            body: None,
                            expires,
                            hop,
                        },
                        now,
                    );
                }
            }
            412 | 500 if sent_tag && self.publication.asked == 0 => {
                // Removing what the server already forgot: done.
                self.publication.etag = None;
                self.publication.document = None;
                self.emit(AgentEvent::Publication(PublicationEvent::Removed));
                self.send_waiting(now);
            }
            423 => {
                let min = resp
                    .header("Min-Expires")
                    .and_then(|v| v.trim().parse::<u32>().ok());
                match (min, self.publication.hop) {
                    (Some(min), Some(hop)) if min > self.publication.asked && min <= MAX_PUBLISH_EXPIRES => {
                        self.send_publish(
                            Wanted {
                                body: None,
                                expires: min,
                                hop,
                            },
                            now,
                        );
                    }
                    _ => self.publication_failed(Some(423), describe_refusal(423, resp), None, now),
                }
            }
            _ => {
                let retry_after = resp
                    .header("Retry-After")
                    .and_then(|v| v.split(|c: char| !c.is_ascii_digit()).next())
                    .and_then(|v| v.parse().ok());
                self.publication_failed(Some(code), describe_refusal(code, resp), retry_after, now);
            }
        }
    }

    pub(super) fn publish_no_response(&mut self, key: &TransactionKey, failure: Failure, now: Instant) {
        if self.publication.key.as_ref() != Some(key) {
            return;
        }
        self.publication.key = None;
        let reason = self.failure_words(failure, self.publication.hop, None);
        self.publication_failed(None, reason, None, now);
    }

    fn publication_failed(
        &mut self,
        code: Option<u16>,
        reason: String,
        retry_after: Option<u32>,
        now: Instant,
    ) {
        tracing::warn!(account = %self.config.account, "publishing our status failed: {reason}");
        self.publication.etag = None;
        self.publication.refreshed_afresh = false;
        self.publication.tried_nonces.clear();
        self.emit(AgentEvent::Publication(PublicationEvent::Failed {
            code,
            reason,
            retry_after,
        }));
        self.send_waiting(now);
    }

    fn send_waiting(&mut self, now: Instant) {
        if let Some(wanted) = self.publication.waiting.take() {
            self.send_publish(wanted, now);
        }
    }
}

/// Plain words for a refused PUBLISH.
fn describe_refusal(code: u16, resp: &SipMessage) -> String {
    let reason = resp.reason().unwrap_or_default().trim();
    let reason = if reason.is_empty() {
        crate::protocol::sip::outcome::standard_reason(code)
    } else {
        reason
    };
    let what = match code {
        403 => "the server does not let this account publish its status",
        489 => "the server does not take presence publications",
        405 | 501 => "the server does not take PUBLISH",
        _ => "publishing our status was refused",
    };
    format!("{what} ({code} {reason})")
}

#[cfg(test)]
#[path = "publication_tests.rs"]
mod tests;
