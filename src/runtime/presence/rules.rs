//! Our presence rules on the server (accounts with an XCAP root): the
//! whole pres-rules document (RFC 5025), written again whenever who may
//! watch us changes, so the server enforces what the user decided.
//!
//! Allowed: contacts that are not blocked (any account), the addresses we
//! watch, and watchers allowed in earlier versions; blocked: blocked
//! contacts and watchers refused earlier. Strangers are in no rule and wait
//! (the server asks us through watcher information).
//!
//! One write at a time ([`PresenceEffect::WriteRules`]); a change while one
//! is under way is written after it. A write names the ETag of our last
//! one (`If-Match`); when the document was changed elsewhere (412) ours is
//! written over it at once, since the address book is the source of truth.
//! Other failures are said in words and tried again with a backoff.

use super::*;
use crate::protocol::xcap::pres_rules::PresRules;
use crate::protocol::xcap::XcapError;

/// The pres-rules writer of one account.
#[derive(Debug, Default)]
pub(super) struct RulesWriter {
    /// What the rules should be now.
    wanted: Option<PresRules>,
    /// What the server has (as far as we know).
    written: Option<PresRules>,
    /// What is being written.
    writing: Option<PresRules>,
    /// The ETag of our last write.
    etag: Option<String>,
    /// When to try again after a failure.
    due: Option<Instant>,
    failures: u32,
}

impl RulesWriter {
    /// When its retry is due.
    pub(super) fn due(&self) -> Option<Instant> {
        self.due
    }
}

impl Presence {
    /// Who may watch us may have changed: write the rules when they differ.
    pub(super) fn rules_changed(&mut self, now: Now) {
        if !self.settings.xcap {
            return;
        }
        let watched: Vec<String> = self
            .watches
            .keys()
            .map(|w| crate::model::conversation_key(w))
            .collect();
        let allowed = self
            .book
            .known_keys()
            .chain(self.own.allowed.iter().map(String::as_str))
            .chain(watched.iter().map(String::as_str));
        let blocked = self
            .book
            .blocked_keys()
            .chain(self.own.blocked.iter().map(String::as_str));
        let wanted = PresRules::from_addresses(allowed, blocked);
        self.rules.wanted = Some(wanted);
        self.write_rules(now);
    }

    /// Starts a write when one is wanted and none is under way.
    fn write_rules(&mut self, now: Now) {
        let w = &mut self.rules;
        if w.writing.is_some() || w.due.is_some_and(|d| d > now.at) || w.wanted == w.written {
            return;
        }
        let Some(wanted) = w.wanted.clone() else {
            return;
        };
        w.due = None;
        let document = wanted.to_document();
        let if_match = w.etag.clone();
        w.writing = Some(wanted);
        self.effects
            .push_back(PresenceEffect::WriteRules { document, if_match });
    }

    /// Its retry timer.
    pub(super) fn rules_timeout(&mut self, now: Now) {
        if self.rules.due.is_some_and(|d| d <= now.at) {
            self.rules.due = None;
            self.write_rules(now);
        }
    }

    /// A write ended.
    pub(super) fn rules_written(&mut self, result: Result<Option<String>, XcapError>, now: Now) {
        let Some(writing) = self.rules.writing.take() else {
            return;
        };
        match result {
            Ok(etag) => {
                tracing::info!(account = %self.settings.account, "presence rules written to the XCAP server");
                self.rules.failures = 0;
                self.rules.etag = etag;
                self.rules.written = Some(writing);
            }
            Err(XcapError::Changed) if self.rules.etag.is_some() => {
                // Changed elsewhere: ours is the truth, written over it.
                tracing::info!(account = %self.settings.account, "presence rules changed on the server elsewhere; writing ours again");
                self.rules.etag = None;
                self.rules.written = None;
            }
            Err(e) => {
                self.rules.failures += 1;
                self.rules.written = None;
                let delay = self.backoff(self.rules.failures, None);
                self.rules.due = Some(now.at + delay);
                let message = format!(
                    "could not keep who may see your status on the server: {e}; trying again in {} s",
                    delay.as_secs().max(1)
                );
                self.emit(Event::Error {
                    account: Some(self.settings.account.clone()),
                    message,
                });
            }
        }
        self.write_rules(now);
    }
}
