//! FEATURE: page-mode MESSAGEs out, with honest delivery. Every outgoing
//! message is stored before it is sent ("queued"), its attempt is recorded
//! ("sending", with the SIP identity it goes out under) before it goes on
//! the wire, and a failure worth retrying waits in the outbox for the next
//! attempt (30 s, 2 min, 10 min, 30 min, then hourly; Retry-After wins, up
//! to an hour) until [`MAX_ATTEMPTS`].
//!
//! A state machine: [`Outbox::handle`] takes an [`OutboxInput`] (commands,
//! store results, "can send" changes, delivery outcomes from the agent) and
//! queues [`OutboxEffect`]s (store work as data, a MESSAGE to transmit, an
//! event for the UI) that the driver (`endpoint/messages.rs`) carries out.
//! Its only timer, the pump (a retry due, or the periodic sweep every
//! [`OUTBOX_SWEEP`]), is [`Outbox::poll_timeout`].
//!
//! Identities: an attempt goes out under the SIP identity (Call-ID, From
//! tag, CSeq) stored with the entry, so a retry or a resend after a crash
//! is the same message to a receiver that suppresses duplicates. For an
//! entry without one, the identity comes from the agent
//! (`Agent::new_message_identity`): the driver fills
//! [`OutboxInput::Due::fresh`] with one per due entry before handing the
//! input over (see [`Outbox::wants_identities`]).

mod store_ops;
#[cfg(test)]
mod tests;

pub(crate) use store_ops::OutboxStoreOp;

// Kept for the callers that read the wall clock through here.
pub(crate) use super::clock::now_ms;
use super::clock::Now;
use super::event::Event;
use crate::model::{human_duration, AccountId, DeliveryState, MessageId};
use crate::protocol::sip::agent::MessageIdentity;
use crate::protocol::sip::uri::SipUri;
use crate::store::{conversation_key, NewOutgoing, OutboxEntry, StoreError};
use std::collections::{HashMap, HashSet, VecDeque};
use std::time::{Duration, Instant};

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
/// The outbox is looked at this often even when nothing asks for it.
pub const OUTBOX_SWEEP: Duration = Duration::from_secs(60);
/// Outbox entries fetched per pump.
pub(crate) const PUMP_BATCH: usize = 100;

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

/// Why outbox work did not happen.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The history store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store thread is gone (shutting down).
    #[error("the history store has stopped")]
    StoreGone,
}

/// Everything that can happen to the outbox.
#[derive(Debug)]
pub(crate) enum OutboxInput {
    /// `Command::SendMessage`: store it, then send it.
    Send { id: MessageId, to: String, text: String },
    /// `Command::RetryMessage`: put a failed message back in the outbox.
    Retry { id: MessageId },
    /// Whether the account can send now (registered, or its flow is up, or
    /// peer to peer). `true` also asks for a pump: a registration (or a
    /// flow) just came up.
    CanSend(bool),
    /// A new message is stored (or not).
    Queued {
        id: MessageId,
        to: String,
        result: Result<MessageId, OutboxError>,
    },
    /// The due entries were read (or not). `fresh` holds identities for
    /// entries that have none stored yet, one per entry in order (the
    /// driver fills it from the agent; the store leaves it empty).
    Due {
        result: Result<Vec<OutboxEntry>, OutboxError>,
        fresh: Vec<MessageIdentity>,
    },
    /// An attempt is on record (or the entry became final meanwhile).
    AttemptRecorded {
        entry: Box<OutboxEntry>,
        identity: MessageIdentity,
        result: Result<(), OutboxError>,
    },
    /// The account cannot reach its server (a connection attempt failed);
    /// cleared by `CanSend(true)`. Messages waiting are told so.
    Unreachable { reason: String },
    /// The driver found no way to send the entry now (the server flow went
    /// away meanwhile): it waits for a later pump.
    Unsent { id: MessageId },
    /// The outcome of an attempt (from the agent, or the driver when no
    /// path to the peer could be opened).
    Delivery {
        id: MessageId,
        to: String,
        state: DeliveryState,
        sent_as: Option<MessageIdentity>,
        retry_after: Option<u32>,
    },
    /// A delivery state is recorded (`Ok(false)`: not, as the message was
    /// accepted before), or could not be; the state is told now.
    Persisted {
        id: MessageId,
        to: String,
        state: DeliveryState,
        result: Result<bool, OutboxError>,
    },
    /// A message went back to the outbox by hand (or not).
    Requeued {
        id: MessageId,
        result: Result<(), OutboxError>,
    },
}

/// Everything the outbox asks of the driver.
#[derive(Debug)]
pub(crate) enum OutboxEffect {
    /// Store work, run in order on the store thread; its result comes back
    /// as an input ([`OutboxStoreOp::execute`]).
    Store(OutboxStoreOp),
    /// Send this entry now, under this identity: through the server flow,
    /// or the peer-to-peer path. The outcome comes back as
    /// [`OutboxInput::Delivery`] (or [`OutboxInput::Unsent`]).
    Transmit {
        entry: OutboxEntry,
        identity: MessageIdentity,
    },
    /// Tell the UI / CLI.
    Emit(Event),
}

/// The outbox of one account.
#[derive(Debug)]
pub(crate) struct Outbox {
    account: AccountId,
    /// Retry retryable failures (off for one-shot sends).
    retries: bool,
    /// Only the messages queued by this runtime are ours (a one-shot
    /// command); `None`: every row of the account (the instance).
    own: Option<HashSet<MessageId>>,
    can_send: bool,
    /// Entries whose attempt is recorded or under way.
    in_flight: HashMap<MessageId, OutboxEntry>,
    /// A read of due entries is under way.
    pumping: bool,
    /// Something was queued while a read was under way: read again.
    pump_again: bool,
    /// The `sending` rows of an earlier run were picked up (first pump).
    recovered: bool,
    /// When to pump next (a retry due, or the sweep).
    pump_at: Option<Instant>,
    /// Why the account cannot reach its server, since its last failed
    /// connection attempt (until it can send again).
    unreachable: Option<String>,
    /// Messages queued by this runtime and not attempted yet (to whom).
    waiting: HashMap<MessageId, String>,
    effects: VecDeque<OutboxEffect>,
}

impl Outbox {
    pub(crate) fn new(account: AccountId, retries: bool) -> Outbox {
        Outbox {
            account,
            retries,
            own: None,
            can_send: false,
            in_flight: HashMap::new(),
            pumping: false,
            pump_again: false,
            recovered: false,
            pump_at: None,
            unreachable: None,
            waiting: HashMap::new(),
            effects: VecDeque::new(),
        }
    }

    /// Works only the messages queued through this outbox from now on
    /// (when `only` is true): a one-shot command never touches rows another
    /// process queued, nor recovers `sending` rows, which are the owner's.
    pub(crate) fn own_messages_only(mut self, only: bool) -> Outbox {
        self.own = only.then(HashSet::new);
        if only {
            self.recovered = true;
        }
        self
    }

    pub(crate) fn handle(&mut self, input: OutboxInput, now: Now) {
        match input {
            OutboxInput::Send { id, to, text } => self.queue(id, to, text, now),
            OutboxInput::Retry { id } => self.store(OutboxStoreOp::Requeue {
                id,
                account: self.account.0.clone(),
            }),
            OutboxInput::CanSend(can) => {
                self.can_send = can;
                if can {
                    self.unreachable = None;
                    self.pump();
                }
            }
            OutboxInput::Queued { id, to, result } => match result {
                Ok(_) => {
                    if let Some(own) = self.own.as_mut() {
                        own.insert(id);
                    }
                    self.emit_delivery(id, to.clone(), DeliveryState::Queued);
                    if let Some(reason) = self.unreachable.clone() {
                        self.emit_waiting(id, to.clone(), reason);
                    }
                    self.waiting.insert(id, to);
                    self.pump();
                }
                Err(e) => self.emit_delivery(
                    id,
                    to,
                    DeliveryState::Failed {
                        code: None,
                        reason: format!("not sent: the message could not be saved ({e})"),
                    },
                ),
            },
            OutboxInput::Due { result, fresh } => self.on_due(result, fresh, now),
            OutboxInput::AttemptRecorded {
                entry,
                identity,
                result,
            } => match result {
                Ok(()) => self.effects.push_back(OutboxEffect::Transmit {
                    entry: *entry,
                    identity,
                }),
                Err(e) => {
                    // Final meanwhile (a late success), or the store failed: do not send.
                    tracing::debug!(id = %entry.id, "not sending: {e}");
                    self.in_flight.remove(&entry.id);
                }
            },
            OutboxInput::Unreachable { reason } => {
                if self.can_send {
                    return;
                }
                self.unreachable = Some(reason.clone());
                let mut waiting: Vec<_> = self.waiting.iter().map(|(id, to)| (*id, to.clone())).collect();
                waiting.sort_by_key(|(id, _)| *id);
                for (id, to) in waiting {
                    self.emit_waiting(id, to, reason.clone());
                }
            }
            OutboxInput::Unsent { id } => {
                self.in_flight.remove(&id);
            }
            OutboxInput::Delivery {
                id,
                to,
                state,
                sent_as,
                retry_after,
            } => self.on_delivery(id, to, state, sent_as.is_some(), retry_after, now),
            OutboxInput::Persisted {
                id,
                to,
                state,
                result,
            } => {
                match result {
                    Ok(true) => {}
                    // Already accepted by an earlier attempt: this outcome is stale.
                    Ok(false) => return,
                    Err(e) => tracing::warn!(%id, "cannot record the delivery state: {e}"),
                }
                self.emit_delivery(id, to, state);
            }
            OutboxInput::Requeued { id, result } => {
                if let Err(e) = result {
                    tracing::warn!(%id, "retry by hand: {e}");
                }
                self.pump();
            }
        }
    }

    /// Whether this outbox works the row `id`.
    fn is_ours(&self, id: MessageId) -> bool {
        self.own.as_ref().is_none_or(|own| own.contains(&id))
    }

    /// Whether the outbox was last told it can send.
    pub(crate) fn can_send(&self) -> bool {
        self.can_send
    }

    pub(crate) fn poll_effect(&mut self) -> Option<OutboxEffect> {
        self.effects.pop_front()
    }

    /// When the outbox wants to pump next.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        self.pump_at
    }

    pub(crate) fn handle_timeout(&mut self, now: Now) {
        if self.pump_at.is_none_or(|at| at > now.at) {
            return;
        }
        self.pump_at = None;
        self.pump();
        if !self.pumping {
            self.schedule(now, OUTBOX_SWEEP);
        }
    }

    /// How many fresh identities [`OutboxInput::Due`] needs: one per entry
    /// without a stored identity.
    pub(crate) fn wants_identities(entries: &[OutboxEntry]) -> usize {
        entries.iter().filter(|e| stored_identity(e).is_none()).count()
    }

    fn store(&mut self, op: OutboxStoreOp) {
        self.effects.push_back(OutboxEffect::Store(op));
    }

    fn emit_delivery(&mut self, id: MessageId, to: String, state: DeliveryState) {
        self.effects.push_back(OutboxEffect::Emit(Event::DeliveryUpdate {
            id,
            account: self.account.clone(),
            to,
            state,
        }));
    }

    fn emit_waiting(&mut self, id: MessageId, to: String, reason: String) {
        self.effects.push_back(OutboxEffect::Emit(Event::MessageWaiting {
            id,
            account: self.account.clone(),
            to,
            reason,
        }));
    }

    fn schedule(&mut self, now: Now, delay: Duration) {
        let at = now.at + delay;
        self.pump_at = Some(self.pump_at.map_or(at, |old| old.min(at)));
    }

    /// Stores a new outgoing message (queued); the pump follows.
    fn queue(&mut self, id: MessageId, to: String, text: String, now: Now) {
        if let Err(e) = SipUri::parse(&to) {
            // Not an address at all: nothing to store or retry.
            let reason = e.to_string();
            return self.emit_delivery(id, to, DeliveryState::Failed { code: None, reason });
        }
        let new = NewOutgoing {
            id: Some(id),
            account: self.account.0.clone(),
            peer_key: conversation_key(&to),
            peer_address: to.clone(),
            display_name: None,
            local_id: None,
            content_type: "text/plain".into(),
            body: text,
            file_ref: None,
            sent_at: now.unix_ms,
        };
        self.store(OutboxStoreOp::Queue { id, to, new });
    }

    /// Reads the due entries, if the account can send now.
    fn pump(&mut self) {
        if !self.can_send {
            return;
        }
        if self.pumping {
            // A read is under way and may have missed what was just queued.
            self.pump_again = true;
            return;
        }
        self.pumping = true;
        let recover = !self.recovered;
        self.recovered = true;
        self.store(OutboxStoreOp::FetchDue {
            account: self.account.0.clone(),
            recover,
        });
    }

    fn on_due(
        &mut self,
        result: Result<Vec<OutboxEntry>, OutboxError>,
        fresh: Vec<MessageIdentity>,
        now: Now,
    ) {
        self.pumping = false;
        let entries = match result {
            Ok(e) => e,
            Err(e) => {
                tracing::error!("cannot read the outbox: {e}");
                return;
            }
        };
        let full = entries.len() >= PUMP_BATCH;
        let mut took_any = false;
        let mut fresh = fresh.into_iter();
        for entry in entries {
            let identity = match stored_identity(&entry) {
                Some(identity) => identity,
                None => match fresh.next() {
                    Some(identity) => identity,
                    // The driver gave too few: the entry waits for the next pump.
                    None => continue,
                },
            };
            if self.in_flight.contains_key(&entry.id) || !self.is_ours(entry.id) {
                continue;
            }
            took_any = true;
            self.waiting.remove(&entry.id);
            self.in_flight.insert(entry.id, entry.clone());
            self.store(OutboxStoreOp::RecordAttempt {
                entry: Box::new(entry),
                identity,
            });
        }
        // A full batch may have more behind it (unless none of it was ours).
        if (full && took_any) || std::mem::take(&mut self.pump_again) {
            self.pump();
        }
        self.schedule(now, OUTBOX_SWEEP);
    }

    /// A delivery outcome: store it, decide on a retry, tell the UI.
    fn on_delivery(
        &mut self,
        id: MessageId,
        to: String,
        state: DeliveryState,
        was_sent: bool,
        retry_after: Option<u32>,
        now: Now,
    ) {
        if !state.is_final() {
            return self.emit_delivery(id, to, state);
        }
        let entry = self.in_flight.remove(&id);
        let attempts = entry.as_ref().map_or(0, |e| e.attempts) + 1;
        let retry = match &state {
            DeliveryState::Failed { code, reason }
                if self.retries && was_sent && is_retryable(*code) && attempts < MAX_ATTEMPTS =>
            {
                Some((*code, reason.clone(), retry_delay(attempts, retry_after)))
            }
            _ => None,
        };
        let state = match retry {
            Some((code, reason, delay)) => {
                tracing::info!(%id, "not delivered yet: {reason}; trying again in {}", human_duration(delay));
                self.schedule(now, delay);
                DeliveryState::Retrying {
                    code,
                    reason,
                    retry_at_ms: now.after(delay).unix_ms,
                }
            }
            None => state,
        };
        // Told once it is on record: a command that prints the outcome and
        // exits leaves its row as it said.
        self.store(OutboxStoreOp::SetState { id, to, state });
    }
}

/// The identity an entry's last attempt went out under, if one is stored.
fn stored_identity(entry: &OutboxEntry) -> Option<MessageIdentity> {
    match (&entry.call_id, &entry.from_tag, entry.cseq) {
        (Some(call_id), Some(from_tag), Some(cseq)) => Some(MessageIdentity {
            call_id: call_id.clone(),
            from_tag: from_tag.clone(),
            cseq,
        }),
        _ => None,
    }
}
