//! Emergency alerts: a MESSAGE the agent classified as an alert
//! ([`crate::protocol::alert::classify`]) has its sender checked against
//! the account's trusted senders (normalised URIs) and, for TLS accounts,
//! the connection it came over; then it is stored (message and alert log in
//! one transaction) and only then answered: 200, or 425 with
//! `AlertMsg-Error` for a trusted alert whose CAP cannot be read, or 500
//! when storing failed. From anyone else it is an ordinary message marked
//! as an untrusted claim.

use super::{Inbox, InboxError, InboxStoreOp};
use crate::model::{Alert, AlertMark, MessageId};
use crate::protocol::alert::{trust_verdict, AlertClaim, Provenance, Verdict};
use crate::protocol::sip::agent::{ArrivedMessage, IncomingAnswer, IncomingToken};
use crate::runtime::clock::Now;
use crate::runtime::event::Event;
use crate::store::{conversation_key, InsertOutcome};

/// A stored (or not) alert-looking message.
#[derive(Debug)]
pub(crate) struct StoredAlert {
    pub(super) token: IncomingToken,
    pub(super) message: ArrivedMessage,
    pub(super) verdict: Verdict,
    /// The alert to raise (trusted only); `id`/`message_id` filled in after storing.
    pub(super) alert: Option<Box<Alert>>,
    pub(super) result: Result<(InsertOutcome, Option<i64>), InboxError>,
}

/// Whether `from` is one of `trusted` (both normalised with
/// [`conversation_key`], so case of scheme/host, default ports, parameters
/// and display names do not matter).
pub fn is_trusted_sender(from: &str, trusted: &[String]) -> bool {
    let key = conversation_key(from);
    trusted.iter().any(|t| conversation_key(t) == key)
}

impl Inbox {
    /// Judges the sender of an alert-looking message and stores it.
    pub(super) fn alert_arrived(
        &mut self,
        token: IncomingToken,
        message: Box<ArrivedMessage>,
        claim: AlertClaim,
        own_connection: Option<u64>,
        now: Now,
    ) {
        let provenance = Provenance {
            sender_trusted: is_trusted_sender(&message.from, &self.settings.trusted_alert_senders),
            account_uses_tls: self.settings.uses_tls,
            over_own_connection: message.conn.is_some() && message.conn == own_connection,
        };
        let verdict = trust_verdict(&claim, &provenance);
        if verdict == Verdict::Untrusted {
            tracing::warn!(
                from = %message.from,
                trusted = provenance.sender_trusted,
                "a message claims to be an emergency alert, but its sender is not trusted \
                 (or it did not come over the account's own connection): shown as a message"
            );
        }
        let received_at = now.unix_ms;
        let id = crate::runtime::next_message_id();
        let new = Box::new(self.new_incoming(&message, id, received_at));
        let alert = match verdict {
            Verdict::Untrusted => None,
            Verdict::Raise | Verdict::RaiseBadPayload(_) => Some(Box::new(Alert {
                id: 0,
                account: self.settings.account.clone(),
                message_id: Some(id),
                from: message.from.clone(),
                from_name: message.from_name.clone(),
                subject: message.subject.clone(),
                priority: message.priority.clone(),
                body: message.body.clone(),
                text: claim.text.clone(),
                cap: claim.cap.clone(),
                cap_error: claim.error.as_ref().map(ToString::to_string),
                received_at,
                acknowledged_at: None,
            })),
        };
        self.store(InboxStoreOp::Alert {
            token,
            message,
            verdict,
            alert,
            new,
        });
    }

    /// Answers after the commit and tells the UI.
    pub(super) fn alert_stored(&mut self, stored: StoredAlert, now: Now) {
        let StoredAlert {
            token,
            message,
            verdict,
            alert,
            result,
        } = stored;
        let answer = match &verdict {
            Verdict::RaiseBadPayload(value) => IncomingAnswer::bad_alert(value.clone()),
            Verdict::Raise | Verdict::Untrusted => IncomingAnswer::stored(true),
        };
        match result {
            Ok((InsertOutcome::Inserted(id), alert_id)) => {
                self.answer(token, answer);
                let mark = if alert.is_some() {
                    AlertMark::Raised
                } else {
                    AlertMark::Untrusted
                };
                let event = self.received(id, message, mark, now);
                self.emit(event);
                if let (Some(alert), Some(alert_id)) = (alert, alert_id) {
                    self.raise(alert, alert_id, id);
                }
            }
            // A resend after our answer was lost: answer the same again, show once.
            Ok((InsertOutcome::Duplicate(_), _)) => self.answer(token, answer),
            Err(e) => {
                tracing::error!("cannot store an alert from {}: {e}", message.from);
                self.answer(token, IncomingAnswer::stored(false));
                self.emit(Event::Error {
                    account: Some(self.settings.account.clone()),
                    message: format!(
                        "an emergency alert from {} could not be saved ({e}); the sender was told it failed",
                        message.from
                    ),
                });
            }
        }
    }

    fn raise(&mut self, mut alert: Box<Alert>, alert_id: i64, message_id: MessageId) {
        alert.id = alert_id;
        alert.message_id = Some(message_id);
        tracing::warn!(alert = alert_id, from = %alert.from, "EMERGENCY ALERT: {}", alert.title());
        self.emit(Event::AlertRaised(alert));
    }
}
