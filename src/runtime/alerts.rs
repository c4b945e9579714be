//! Emergency alerts in the runtime: an incoming MESSAGE that looks like an
//! alert is classified (sans-IO, [`crate::protocol::alert`]), its sender
//! checked against the account's trusted senders (normalised URIs) and, for
//! TLS accounts, the connection it came over; then it is stored (message and
//! alert log in one transaction) and only then answered: 200, or 425 with
//! `AlertMsg-Error` for a trusted alert whose CAP cannot be read, or 500 when
//! storing failed.

use super::endpoint::{Endpoint, Internal};
use super::event::Event;
use super::outbox::now_ms;
use crate::model::{Alert, AlertMark, IncomingMessage};
use crate::protocol::alert::{trust_verdict, AlertClaim, Provenance, Verdict};
use crate::protocol::sip::agent::{ArrivedMessage, IncomingAnswer, IncomingToken};
use crate::store::{conversation_key, AlertRecord, InsertOutcome, NewAlert};

/// A stored (or not) alert-looking message, back on the endpoint loop.
#[derive(Debug)]
pub(crate) struct StoredAlertClaim {
    token: IncomingToken,
    message: ArrivedMessage,
    verdict: Verdict,
    /// The alert to raise (trusted only); `id`/`message_id` filled in after storing.
    alert: Option<Alert>,
    result: Result<(InsertOutcome, Option<i64>), String>,
}

/// Whether `from` is one of `trusted` (both normalised with
/// [`conversation_key`], so case of scheme/host, default ports, parameters
/// and display names do not matter).
pub fn is_trusted_sender(from: &str, trusted: &[String]) -> bool {
    let key = conversation_key(from);
    trusted.iter().any(|t| conversation_key(t) == key)
}

impl Endpoint {
    /// Stores a message that looks like an alert; the answer waits for it.
    pub(crate) fn store_alert_claim(
        &mut self,
        token: IncomingToken,
        message: ArrivedMessage,
        claim: AlertClaim,
    ) {
        let provenance = Provenance {
            sender_trusted: is_trusted_sender(&message.from, &self.trusted_alert_senders),
            account_uses_tls: self.uses_tls(),
            over_own_connection: message.conn.is_some() && message.conn == self.flow_conn(),
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
        let received_at = now_ms();
        let id = super::next_message_id();
        let new = self.new_incoming(&message, id, received_at);
        let alert = match verdict {
            Verdict::Untrusted => None,
            Verdict::Raise | Verdict::RaiseBadPayload(_) => Some(Alert {
                id: 0,
                account: self.account_id(),
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
            }),
        };
        let log = alert.as_ref().map(NewAlert::from_alert);
        self.store_then(
            move |s| {
                let record = match &log {
                    Some(entry) => AlertRecord::Raised(entry),
                    None => AlertRecord::Untrusted,
                };
                s.insert_incoming_alert(&new, record)
            },
            move |result| {
                Internal::AlertStored(Box::new(StoredAlertClaim {
                    token,
                    message,
                    verdict,
                    alert,
                    result,
                }))
            },
        );
    }

    /// Answers after the commit and tells the UI.
    pub(crate) fn on_alert_stored(&mut self, stored: StoredAlertClaim) {
        let now = self.now();
        let StoredAlertClaim {
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
                self.agent.answer_incoming_with(token, answer, now);
                let mark = if alert.is_some() {
                    AlertMark::Raised
                } else {
                    AlertMark::Untrusted
                };
                self.emit(Event::MessageReceived(IncomingMessage {
                    id,
                    account: self.account_id(),
                    from: message.from,
                    from_name: message.from_name,
                    to: message.to,
                    content_type: message.content_type,
                    body: message.body,
                    subject: message.subject,
                    received_at: u64::try_from(now_ms() / 1000).unwrap_or_default(),
                    alert: mark,
                    session: None,
                }));
                if let (Some(mut alert), Some(alert_id)) = (alert, alert_id) {
                    alert.id = alert_id;
                    alert.message_id = Some(id);
                    tracing::warn!(alert = alert_id, from = %alert.from, "EMERGENCY ALERT: {}", alert.title());
                    self.emit(Event::AlertRaised(Box::new(alert)));
                }
            }
            // A resend after our answer was lost: answer the same again, show once.
            Ok((InsertOutcome::Duplicate(_), _)) => self.agent.answer_incoming_with(token, answer, now),
            Err(e) => {
                tracing::error!("cannot store an alert from {}: {e}", message.from);
                self.agent.answer_incoming(token, false, now);
                self.emit(Event::Error {
                    account: Some(self.account_id()),
                    message: format!(
                        "an emergency alert from {} could not be saved ({e}); the sender was told it failed",
                        message.from
                    ),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_senders_match_on_normalised_uris() {
        let trusted = vec![
            "sip:alert@Example.ORG".to_string(),
            "sips:duty@example.net:5061".to_string(),
        ];
        assert!(is_trusted_sender("sip:alert@example.org", &trusted));
        assert!(is_trusted_sender(
            "SIP:alert@example.org:5060;transport=tcp",
            &trusted
        ));
        assert!(is_trusted_sender("\"Alerts\" <sip:alert@example.org>", &trusted));
        assert!(is_trusted_sender("sips:duty@EXAMPLE.net", &trusted));
        // The user part is case-sensitive; other users, hosts, ports and schemes are strangers.
        assert!(!is_trusted_sender("sip:Alert@example.org", &trusted));
        assert!(!is_trusted_sender("sip:alert@example.org.evil.test", &trusted));
        assert!(!is_trusted_sender("sip:alert@example.org:5070", &trusted));
        assert!(!is_trusted_sender("sips:alert@example.org", &trusted));
        assert!(!is_trusted_sender("sip:mallory@example.org", &trusted));
        assert!(!is_trusted_sender("", &trusted));
        assert!(!is_trusted_sender("sip:alert@example.org", &[]));
    }
}
