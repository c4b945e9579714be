//! Emergency alerts: a MESSAGE the agent classified as an alert
//! ([`crate::protocol::alert::classify`]) is judged by
//! [`crate::protocol::alert::trust_verdict`]: trusted when its source
//! address is a trusted address, lies in a trusted network or is a current
//! address of a trusted host name, or when its From is a trusted URI (for
//! server accounts only when it came over the account's own server flow:
//! its connection, or over UDP from the flow's server address); then it is stored (message and alert log in
//! one transaction) and only then answered: 200, or 425 with
//! `AlertMsg-Error` for a trusted alert whose CAP cannot be read, or 500
//! when storing failed. From anyone else it is an ordinary message marked
//! as an untrusted claim.

use super::{Inbox, InboxError, InboxStoreOp};
use crate::model::{Alert, AlertMark, MessageId};
use crate::protocol::alert::{source_listed, trust_verdict, AlertClaim, Provenance, Verdict};
use crate::protocol::sip::agent::{ArrivedMessage, Hop, IncomingAnswer, IncomingToken};
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
/// [`conversation_key`], so case of scheme/host, ports, parameters
/// and display names do not matter).
pub fn is_trusted_sender(from: &str, trusted: &[String]) -> bool {
    let key = conversation_key(from);
    trusted.iter().any(|t| conversation_key(t) == key)
}

/// Whether `message` came over the account's server `flow`: its stream
/// connection, or (over UDP) from the server's address.
fn over_flow(message: &ArrivedMessage, flow: &Hop) -> bool {
    match flow.conn {
        Some(conn) => message.conn == Some(conn),
        None => message.conn.is_none() && message.source == Some(flow.remote),
    }
}

impl Inbox {
    /// Judges the sender of an alert-looking message and stores it.
    pub(super) fn alert_arrived(
        &mut self,
        token: IncomingToken,
        message: Box<ArrivedMessage>,
        claim: AlertClaim,
        server_flow: Option<Hop>,
        now: Now,
    ) {
        let provenance = Provenance {
            sender_listed: is_trusted_sender(&message.from, &self.trusted.uris),
            source_listed: message.source.is_some_and(|source| {
                source_listed(
                    source.ip(),
                    &self.trusted.networks,
                    self.trusted.hosts.addresses(),
                )
            }),
            server_account: self.settings.server_account,
            over_own_flow: server_flow.is_some_and(|flow| over_flow(&message, &flow)),
        };
        let verdict = trust_verdict(&claim, &provenance);
        let source = message.source.map(|s| s.to_string()).unwrap_or_default();
        if verdict == Verdict::Untrusted {
            tracing::warn!(
                from = %message.from,
                %source,
                listed_from = provenance.sender_listed,
                "a message claims to be an emergency alert, but neither its source address nor \
                 its sender is trusted (a trusted From counts only over the account's own server \
                 flow): shown as a message"
            );
        } else {
            tracing::info!(from = %message.from, %source, "emergency alert from a trusted sender");
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
