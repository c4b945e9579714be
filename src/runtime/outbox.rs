//! Honest delivery: every outgoing message is stored before it is sent,
//! retried from the outbox when the failure is worth retrying, and every
//! incoming one is committed before it is answered 200.

pub(crate) use super::clock::now_ms;
use super::endpoint::{Endpoint, Internal};
use super::event::Event;
use crate::model::{human_duration, AlertMark, DeliveryState, IncomingMessage, MessageId};
use crate::protocol::alert::{classify, AlertInput};
use crate::protocol::sip::agent::{ArrivedMessage, IncomingToken, MessageIdentity};
use crate::store::{
    conversation_key, InsertOutcome, NewIncoming, NewOutgoing, OutboxEntry, Store, StoreError,
};
use std::time::Duration;

/// Attempts before a retryable failure becomes final.
pub const MAX_ATTEMPTS: u32 = 6;
/// Waits between attempts (the last repeats); Retry-After overrides.
pub const RETRY_DELAYS: [Duration; 5] = [
    Duration::from_secs(30),
    Duration::from_secs(120),
    Duration::from_secs(600),
    Duration::from_secs(1800),
    Duration::from_secs(3600),
];
/// Longest Retry-After we honour.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);
/// Outbox entries fetched per pump.
const PUMP_BATCH: usize = 100;

/// Whether a failure may succeed later: no answer at all, or a status that
/// says "not now" (RFC 3261: 408, 480, 500, 503, 504).
pub fn is_retryable(code: Option<u16>) -> bool {
    matches!(code, None | Some(408 | 480 | 500 | 503 | 504))
}

/// When the next attempt should go, after `attempts` failed ones.
pub fn retry_delay(attempts: u32, retry_after: Option<u32>) -> Duration {
    match retry_after {
        Some(secs) => Duration::from_secs(u64::from(secs)).min(MAX_RETRY_AFTER),
        None => {
            let i = (attempts.saturating_sub(1) as usize).min(RETRY_DELAYS.len() - 1);
            RETRY_DELAYS[i]
        }
    }
}

impl Endpoint {
    /// The history row of an arrived page-mode MESSAGE.
    pub(crate) fn new_incoming(
        &self,
        message: &ArrivedMessage,
        id: MessageId,
        received_at: i64,
    ) -> NewIncoming {
        NewIncoming {
            id: Some(id),
            account: self.account_name().to_string(),
            peer_key: conversation_key(&message.from),
            peer_address: message.from.clone(),
            display_name: message.from_name.clone(),
            call_id: Some(message.call_id.clone()),
            cseq: Some(message.cseq),
            remote_message_id: None,
            content_type: message.content_type.clone(),
            body: message.body.clone(),
            file_ref: None,
            sent_at: None,
            received_at,
        }
    }

    /// Runs `f` on the store thread, then hands `done(result)` back to the
    /// endpoint loop (store errors become words).
    pub(crate) fn store_then<R, F, D>(&self, f: F, done: D)
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
        D: FnOnce(Result<R, String>) -> Internal + Send + 'static,
    {
        // The result is handed back from the store thread itself, so results
        // come back in the order the calls were made (a chat's messages stay
        // in order).
        let internal = self.internal_tx.clone();
        let slot = std::sync::Arc::new(std::sync::Mutex::new(Some(done)));
        let job_slot = slot.clone();
        let queued = self.store.submit(move |store| {
            let result = f(store).map_err(|e| e.to_string());
            if let Some(done) = job_slot.lock().ok().and_then(|mut d| d.take()) {
                let _ = internal.send(done(result));
            }
        });
        if let Err(e) = queued {
            if let Some(done) = slot.lock().ok().and_then(|mut d| d.take()) {
                let _ = self.internal_tx.send(done(Err(e.to_string())));
            }
        }
    }

    /// Records a delivery state; a failure to record is logged, not fatal.
    fn persist_state(&self, id: MessageId, state: DeliveryState) {
        self.store_then(
            move |s| s.set_delivery_state(id, &state, now_ms()),
            move |r| {
                if let Err(e) = r {
                    tracing::warn!(%id, "cannot record the delivery state: {e}");
                }
                Internal::Persisted
            },
        );
    }

    /// Stores a new outgoing message (Queued), then pumps the outbox.
    pub(crate) fn queue_outgoing(&mut self, id: MessageId, to: String, text: String) {
        let new = NewOutgoing {
            id: Some(id),
            account: self.account_name().to_string(),
            peer_key: conversation_key(&to),
            peer_address: to.clone(),
            display_name: None,
            local_id: None,
            content_type: "text/plain".into(),
            body: text,
            file_ref: None,
            sent_at: now_ms(),
        };
        self.store_then(
            move |s| s.insert_outgoing(&new),
            move |result| Internal::Queued { id, to, result },
        );
    }

    pub(crate) fn on_queued(&mut self, id: MessageId, to: String, result: Result<MessageId, String>) {
        match result {
            Ok(_) => {
                self.emit_delivery(id, to, DeliveryState::Queued);
                self.pump_outbox();
            }
            Err(e) => self.emit_delivery(
                id,
                to,
                DeliveryState::Failed {
                    code: None,
                    reason: format!("not sent: the message could not be saved ({e})"),
                },
            ),
        }
    }

    /// Fetches due outbox entries, if the account can send now.
    pub(crate) fn pump_outbox(&mut self) {
        if !self.can_send() {
            return;
        }
        if self.pumping {
            // A read is under way and may have missed what was just queued.
            self.pump_again = true;
            return;
        }
        self.pumping = true;
        let account = self.account_name().to_string();
        let store = self.store.clone();
        let internal = self.internal_tx.clone();
        let recover = !self.recovered;
        self.recovered = true;
        tokio::spawn(async move {
            let now = now_ms();
            let result = store
                .call(move |s| {
                    let mut due = s.outbox_due(&account, now, PUMP_BATCH)?;
                    if recover {
                        // Attempts cut short by a crash or a kill: resend them as they were.
                        let interrupted = s
                            .outbox_all(&account)?
                            .into_iter()
                            .filter(|e| e.state == DeliveryState::Sending);
                        due.extend(interrupted);
                    }
                    Ok(due)
                })
                .await
                .map_err(|e| e.to_string());
            let _ = internal.send(Internal::Due(result));
        });
    }

    pub(crate) fn on_due(&mut self, result: Result<Vec<OutboxEntry>, String>) {
        self.pumping = false;
        let entries = match result {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("cannot read the outbox: {e}");
                return;
            }
        };
        let full_batch = entries.len() >= PUMP_BATCH || std::mem::take(&mut self.pump_again);
        for entry in entries {
            if self.in_flight.contains_key(&entry.id) {
                continue;
            }
            let identity = match (&entry.call_id, &entry.from_tag, entry.cseq) {
                (Some(call_id), Some(from_tag), Some(cseq)) => MessageIdentity {
                    call_id: call_id.clone(),
                    from_tag: from_tag.clone(),
                    cseq,
                },
                _ => self.agent.new_message_identity(),
            };
            self.in_flight.insert(entry.id, entry.clone());
            let id = entry.id;
            let ident = identity.clone();
            self.store_then(
                move |s| s.record_attempt(id, &ident.call_id, &ident.from_tag, ident.cseq, now_ms()),
                move |result| Internal::AttemptRecorded {
                    entry,
                    identity,
                    result,
                },
            );
        }
        if full_batch {
            self.pump_outbox();
        }
        self.schedule_next_pump();
    }

    /// The attempt is on record: now it may go on the wire.
    pub(crate) fn on_attempt_recorded(
        &mut self,
        entry: OutboxEntry,
        identity: MessageIdentity,
        result: Result<(), String>,
    ) {
        if let Err(e) = result {
            // Final meanwhile (a late success), or the store failed: do not send.
            tracing::debug!(id = %entry.id, "not sending: {e}");
            self.in_flight.remove(&entry.id);
            return;
        }
        self.send_entry(entry, identity);
    }

    /// A delivery outcome from the agent: store it, decide on a retry, tell the UI.
    pub(crate) fn on_delivery(
        &mut self,
        id: MessageId,
        to: String,
        state: DeliveryState,
        sent_as: Option<MessageIdentity>,
        retry_after: Option<u32>,
    ) {
        if !state.is_final() {
            self.emit_delivery(id, to, state);
            return;
        }
        let entry = self.in_flight.remove(&id);
        let attempts = entry.as_ref().map_or(0, |e| e.attempts) + 1;
        let retry = match &state {
            DeliveryState::Failed { code, reason }
                if self.retries && sent_as.is_some() && is_retryable(*code) && attempts < MAX_ATTEMPTS =>
            {
                Some((reason.clone(), retry_delay(attempts, retry_after)))
            }
            _ => None,
        };
        match retry {
            Some((reason, delay)) => {
                let next = now_ms() + i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2);
                tracing::info!(%id, "not delivered yet: {reason}; trying again in {}", human_duration(delay));
                let code = match &state {
                    DeliveryState::Failed { code, .. } => *code,
                    _ => None,
                };
                let waiting = DeliveryState::Retrying {
                    code,
                    reason,
                    retry_at_ms: next,
                };
                self.persist_state(id, waiting.clone());
                self.emit_delivery(id, to, waiting);
                self.schedule_pump_at(delay);
            }
            None => {
                self.persist_state(id, state.clone());
                self.emit_delivery(id, to, state);
            }
        }
    }

    /// Commits an arrived MESSAGE; the answer waits for the commit.
    /// Messages that look like emergency alerts go through
    /// [`Endpoint::store_alert_claim`].
    pub(crate) fn store_incoming(&mut self, token: IncomingToken, message: ArrivedMessage) {
        let claim = classify(&AlertInput {
            content_type: &message.content_type_header,
            subject: message.subject.as_deref(),
            priority: message.priority.as_deref(),
            body: &message.body,
        });
        if let Some(claim) = claim {
            self.store_alert_claim(token, message, claim);
            return;
        }
        if message.file.is_some() {
            // A file inside the MESSAGE (page_file.rs): stored, then answered.
            return self.store_page_file(token, message);
        }
        let new = self.new_incoming(&message, super::next_message_id(), now_ms());
        self.store_then(
            move |s| s.insert_incoming(&new),
            move |result| Internal::Stored {
                token,
                message,
                result,
            },
        );
    }

    pub(crate) fn on_stored(
        &mut self,
        token: IncomingToken,
        message: ArrivedMessage,
        result: Result<InsertOutcome, String>,
    ) {
        let now = self.now();
        match result {
            Ok(InsertOutcome::Inserted(id)) => {
                self.agent.answer_incoming(token, true, now);
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
                    session: None,
                    alert: AlertMark::None,
                }));
            }
            // Stored before (a resend after our 200 was lost): answer again, show once.
            Ok(InsertOutcome::Duplicate(_)) => self.agent.answer_incoming(token, true, now),
            Err(e) => {
                tracing::error!("cannot store a message from {}: {e}", message.from);
                self.agent.answer_incoming(token, false, now);
                self.emit(Event::Error {
                    account: Some(self.account_id()),
                    message: format!(
                        "a message from {} could not be saved ({e}); the sender was told it failed",
                        message.from
                    ),
                });
            }
        }
    }

    fn emit_delivery(&self, id: MessageId, to: String, state: DeliveryState) {
        self.emit(Event::DeliveryUpdate {
            id,
            account: self.account_id(),
            to,
            state,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_policy() {
        assert!(is_retryable(None));
        assert!(is_retryable(Some(480)));
        assert!(is_retryable(Some(503)));
        assert!(!is_retryable(Some(404)));
        assert!(!is_retryable(Some(403)));
        assert!(!is_retryable(Some(415)));
        assert_eq!(retry_delay(1, None), Duration::from_secs(30));
        assert_eq!(retry_delay(2, None), Duration::from_secs(120));
        assert_eq!(retry_delay(9, None), Duration::from_secs(3600));
        assert_eq!(retry_delay(1, Some(5)), Duration::from_secs(5));
        assert_eq!(retry_delay(1, Some(999_999)), MAX_RETRY_AFTER);
        assert_eq!(human_duration(Duration::from_secs(120)), "2 min");
    }
}
