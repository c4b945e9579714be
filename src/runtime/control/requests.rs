//! Requests a client hands to the running instance: send a message or a
//! file (their outcomes passed back as they happen), acknowledge an alert,
//! set our status.

use super::*;

/// Sends a file and passes its steps on; a client that hangs up (Ctrl+C)
/// cancels the transfer.
pub(super) fn send_file(
    mut stream: UnixStream,
    shared: &Shared,
    handle: &Handle,
    account: &AccountId,
    to: String,
    path: PathBuf,
    mode: FileSendMode,
) {
    let _span = tracing::info_span!("control_send_file", account = %account).entered();
    let events = subscribe(shared);
    let id = handle.next_transfer_id();
    let command = Command::SendFile {
        id,
        account: account.clone(),
        to,
        path,
        mode,
    };
    if handle.send(command).is_err() {
        let message = "the running sipchat instance is stopping".into();
        write_reply(&mut stream, &Reply::Error { message });
        return;
    }
    if !write_reply(&mut stream, &Reply::Started { id: id.0 }) {
        let _ = handle.send(Command::CancelTransfer {
            account: account.clone(),
            transfer: id,
        });
        return;
    }
    let cancel = || {
        let _ = handle.send(Command::CancelTransfer {
            account: account.clone(),
            transfer: id,
        });
    };
    // After a hang-up, the cancelled transfer's last step is still passed on.
    let mut cancelled: Option<Instant> = None;
    loop {
        let next = wait_next(&events, &stream);
        if let Some(at) = cancelled {
            if at.elapsed() > HANDSHAKE_TIMEOUT {
                return;
            }
        }
        match next {
            Next::Event(event) => {
                let Some(step) = TransferStep::of(&event, id) else {
                    continue;
                };
                let last = step.is_last();
                let written = write_reply(&mut stream, &Reply::Transfer { step });
                if last || !written {
                    if !last {
                        cancel();
                    }
                    return;
                }
                // Progress comes often: look for a hang-up between steps too.
                if cancelled.is_none() && client_gone(&stream) {
                    tracing::info!(
                        transfer = id.0,
                        "the sending command hung up; cancelling its transfer"
                    );
                    cancel();
                    cancelled = Some(Instant::now());
                }
            }
            Next::Gone if cancelled.is_none() => {
                tracing::info!(
                    transfer = id.0,
                    "the sending command hung up; cancelling its transfer"
                );
                cancel();
                cancelled = Some(Instant::now());
            }
            Next::Gone => {}
            Next::Stopped => {
                let reason = "the running sipchat stopped before the transfer ended".into();
                write_reply(
                    &mut stream,
                    &Reply::Transfer {
                        step: TransferStep::Failed { reason },
                    },
                );
                return;
            }
        }
    }
}

pub(super) fn send(
    mut stream: UnixStream,
    shared: &Shared,
    handle: &Handle,
    account: AccountId,
    to: String,
    text: String,
) {
    let _span = tracing::info_span!("control_send", account = %account).entered();
    let events = subscribe(shared);
    let id: MessageId = handle.next_message_id();
    if handle
        .send(Command::SendMessage {
            id,
            account,
            to,
            text,
        })
        .is_err()
    {
        write_reply(
            &mut stream,
            &Reply::Error {
                message: "the running sipchat instance is stopping".into(),
            },
        );
        return;
    }
    if !write_reply(&mut stream, &Reply::Started { id: id.0 }) {
        return;
    }
    let restarts = shared.restarts.load(Ordering::SeqCst);
    loop {
        let event = match wait_next(&events, &stream) {
            Next::Event(event) => *event,
            // The window restarted its runtime: the new one takes the message
            // over from the outbox, under the same id.
            Next::Stopped if shared.restarts.load(Ordering::SeqCst) != restarts => continue,
            Next::Stopped | Next::Gone => return,
        };
        match event {
            Event::DeliveryUpdate { id: got, state, .. } if got == id => {
                let last = ends_send(&state);
                if !write_reply(&mut stream, &Reply::Delivery { state }) || last {
                    return;
                }
            }
            Event::MessageWaiting { id: got, reason, .. } if got == id => {
                write_reply(&mut stream, &Reply::Waiting { reason });
                return;
            }
            _ => {}
        }
    }
}

pub(super) fn ack_alert(stream: &UnixStream, shared: &Shared, handle: &Handle, id: i64) -> Reply {
    let events = subscribe(shared);
    if handle.send(Command::AckAlert { id }).is_err() {
        return Reply::Error {
            message: "the running sipchat instance is stopping".into(),
        };
    }
    while let Some(event) = next_event(&events, stream) {
        match event {
            Event::AlertAcknowledged { id: got, at_ms } if got == id => return Reply::Acknowledged { at_ms },
            Event::Error { message, .. } if message.contains(&format!("alert #{id}")) => {
                return Reply::Error { message }
            }
            _ => {}
        }
    }
    Reply::Error {
        message: "the running sipchat instance stopped before it answered".into(),
    }
}

/// Hands `sipchat status` to the runtime and answers with the first
/// account where it took effect (or why it did not).
pub(super) fn set_status(
    stream: &UnixStream,
    shared: &Shared,
    handle: &Handle,
    account: Option<String>,
    status: &str,
    note: Option<String>,
) -> Reply {
    let Some(status) = crate::model::OwnStatus::from_word(status) else {
        return Reply::Error {
            message: format!("unknown status {status:?}: use available, away, busy or invisible"),
        };
    };
    let events = subscribe(shared);
    let account = account.map(AccountId);
    let command = Command::SetStatus {
        account: account.clone(),
        status,
        note,
    };
    if handle.send(command).is_err() {
        return Reply::Error {
            message: "the running sipchat instance is stopping".into(),
        };
    }
    let ours = |a: &AccountId| account.as_ref().is_none_or(|wanted| wanted == a);
    while let Some(event) = next_event(&events, stream) {
        match event {
            Event::OwnPresence {
                account: a,
                published,
                ..
            } if ours(&a) => {
                return Reply::StatusSet {
                    account: a.0,
                    published,
                }
            }
            Event::Error {
                account: Some(a),
                message,
            } if ours(&a)
                && (message.contains("publish your status") || message.contains("no account named")) =>
            {
                return Reply::Error { message }
            }
            Event::Error {
                account: None,
                message,
            } if message.contains("no account named") => return Reply::Error { message },
            _ => {}
        }
    }
    Reply::Error {
        message: "the running sipchat instance stopped before it answered".into(),
    }
}
