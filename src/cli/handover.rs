//! Commands handed to the running instance (window or `listen`) over the
//! control channel ([`crate::runtime::control`]), and the words and exit
//! code of a `send`'s outcome, shared with the command that sends alone.

use super::{output, CliError, SEND_TIMEOUT};
use crate::model::{human_duration, AccountId, DeliveryState, MessageId};
use crate::runtime::control::{Connection, Reply, Request, HANDSHAKE_TIMEOUT};
use crate::runtime::Event;
use std::time::{Duration, Instant};

/// The words for a `send` the instance did not take in time.
const NOT_TAKEN: &str = "the running sipchat instance did not take the message in time; it was not sent";

/// Hands a `send` to the running instance and prints its outcome.
pub(crate) fn send(
    mut connection: Connection,
    account: &AccountId,
    to: &str,
    text: &str,
    json: bool,
) -> Result<(), CliError> {
    connection.request(&Request::Send {
        account: account.0.clone(),
        to: to.to_string(),
        text: text.to_string(),
    })?;
    let deadline = Instant::now() + SEND_TIMEOUT;
    let mut id = None;
    let mut last = DeliveryState::Queued;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let reply = match connection.next_reply(left) {
            Ok(Some(reply)) => reply,
            // Not taken at all: nothing is in the outbox.
            Ok(None) if id.is_none() => return Err(CliError::Usage(NOT_TAKEN.into())),
            Ok(None) => return unfinished(&last, true),
            // The instance went away with the message in its outbox.
            Err(_) if id.is_some() => return unfinished(&last, false),
            Err(e) => return Err(e.into()),
        };
        match reply {
            Reply::Started { id: given } => id = Some(MessageId(given)),
            Reply::Delivery { state } => {
                last = state.clone();
                if crate::runtime::control::ends_send(&state) {
                    let id = id.unwrap_or(MessageId(0));
                    return outcome(id, account, to, &state, json, true);
                }
            }
            Reply::Waiting { reason } => {
                if json {
                    let event = Event::MessageWaiting {
                        id: id.unwrap_or(MessageId(0)),
                        account: account.clone(),
                        to: to.to_string(),
                        reason: reason.clone(),
                    };
                    if let Some(v) = output::event_json(&event) {
                        println!("{v}");
                    }
                }
                return waiting(&reason, true);
            }
            Reply::Error { message } => return Err(CliError::Usage(message)),
            other => {
                return Err(CliError::Usage(format!(
                    "the running sipchat instance answered {other:?}"
                )))
            }
        }
    }
}

/// Hands `ack-alert` to the running instance (so its window clears the
/// alert too) and prints the result.
pub(crate) fn acknowledge(mut connection: Connection, id: i64, json: bool) -> Result<(), CliError> {
    connection.request(&Request::AckAlert { id })?;
    match connection.next_reply(HANDSHAKE_TIMEOUT.max(Duration::from_secs(10)))? {
        Some(Reply::Acknowledged { at_ms }) => {
            let line = if json {
                serde_json::json!({"event": "alert_acknowledged", "id": id, "acknowledged_at": at_ms})
                    .to_string()
            } else {
                format!("alert #{id} acknowledged {}", super::history::local_time(at_ms))
            };
            println!("{line}");
            Ok(())
        }
        Some(Reply::Error { message }) => Err(CliError::Usage(message)),
        Some(other) => Err(CliError::Usage(format!(
            "the running sipchat instance answered {other:?}"
        ))),
        None => Err(CliError::Usage(
            "the running sipchat instance did not answer in time".into(),
        )),
    }
}

/// Prints a final (or kept) state and turns it into the exit code:
/// delivered 0, refused 1, kept in the outbox 3.
pub(crate) fn outcome(
    id: MessageId,
    account: &AccountId,
    to: &str,
    state: &DeliveryState,
    json: bool,
    instance: bool,
) -> Result<(), CliError> {
    if json {
        let event = Event::DeliveryUpdate {
            id,
            account: account.clone(),
            to: to.to_string(),
            state: state.clone(),
        };
        if let Some(v) = output::event_json(&event) {
            println!("{v}");
        }
    }
    match state {
        DeliveryState::Accepted | DeliveryState::StoredForLater => {
            if !json {
                println!("{}", state.describe());
            }
            Ok(())
        }
        DeliveryState::Retrying {
            code,
            reason,
            retry_at_ms,
        } => {
            let wait = Duration::from_millis(
                u64::try_from(retry_at_ms - crate::runtime::outbox::now_ms()).unwrap_or(0),
            );
            Err(CliError::Kept(format!(
                "kept in the outbox: will be sent when {} ({reason}); {}, next try in {}",
                awaited(*code),
                who_sends(instance),
                human_duration(wait)
            )))
        }
        other => Err(CliError::Refused(other.describe())),
    }
}

/// The words for a `send` that ended before its message did.
pub(crate) fn unfinished(last: &DeliveryState, instance_runs: bool) -> Result<(), CliError> {
    let when = match last {
        DeliveryState::Sending => "an answer comes (it went out; no final answer yet)",
        _ => "the account can reach its server or the recipient",
    };
    Err(CliError::Kept(format!(
        "kept in the outbox: will be sent when {when}; {}",
        who_sends(instance_runs)
    )))
}

/// The words for a message kept because its account cannot reach its server.
pub(crate) fn waiting(reason: &str, instance_runs: bool) -> Result<(), CliError> {
    Err(CliError::Kept(format!(
        "kept in the outbox: will be sent when the account can reach its server (now: {reason}); {}",
        who_sends(instance_runs)
    )))
}

fn who_sends(instance_runs: bool) -> &'static str {
    if instance_runs {
        "the running sipchat sends it"
    } else {
        "the next `sipchat listen` or window on this data directory sends it"
    }
}

/// What a retryable failure waits for, in words.
fn awaited(code: Option<u16>) -> &'static str {
    match code {
        Some(480) => "the recipient is online again",
        Some(500 | 503 | 504) => "the server takes messages again",
        _ => "the server can be reached again",
    }
}
