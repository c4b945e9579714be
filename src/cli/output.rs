//! How events are printed: one JSON object per line (`--json`), or short
//! lines of words for people.

use crate::model::{
    AccountId, Alert, AlertMark, CertificateInfo, ChatState, DeliveryState, Presence, PresenceStatus,
    RegistrationState, WatchState,
};
use crate::runtime::{Event, TransferVia};
use crate::transport::certificates::time_in_words;
use serde_json::{json, Value};

/// The JSON line for an event (`None` for events scripts need not see).
pub fn event_json(event: &Event) -> Option<Value> {
    Some(match event {
        Event::AccountState { account, state } => match state {
            RegistrationState::Registered { expires } => {
                json!({"event": "registered", "account": account, "expires": expires})
            }
            RegistrationState::Failed {
                reason,
                retry_in_secs,
            } => json!({
                "event": "registration_failed", "account": account,
                "reason": reason, "retry_in_secs": retry_in_secs
            }),
            RegistrationState::Refused { reason } => json!({
                "event": "registration_failed", "account": account,
                "reason": reason, "retry_in_secs": null, "refused": true
            }),
            RegistrationState::Registering => json!({"event": "registering", "account": account}),
            RegistrationState::Offline => json!({"event": "unregistered", "account": account}),
            RegistrationState::Listening { address, addresses } => json!({
                "event": "listening", "account": account,
                "address": address, "addresses": addresses
            }),
        },
        Event::CertificateUntrusted { account, certificate } => json!({
            "event": "certificate_untrusted", "account": account,
            "certificate": certificate, "config_line": certificate.pin_line(),
        }),
        Event::CertificateChanged {
            account,
            pinned,
            certificate,
        } => json!({
            "event": "certificate_changed", "account": account,
            "pinned": pinned, "certificate": certificate,
        }),
        Event::MessageReceived(m) => json!({
            "event": if m.session.is_some() { "chat_message" } else { "message" },
            "session": m.session,
            "id": m.id,
            "account": m.account,
            "from": m.from,
            "from_name": m.from_name,
            "to": m.to,
            "content_type": m.content_type,
            "body": m.body,
            "subject": m.subject,
            "received_at": m.received_at,
            "alert": m.alert,
        }),
        Event::AlertRaised(alert) => alert_json(alert),
        Event::AlertAcknowledged { id, at_ms } => {
            json!({"event": "alert_acknowledged", "id": id, "acknowledged_at": at_ms})
        }
        Event::DeliveryUpdate {
            id,
            account,
            to,
            state,
        } => {
            let (name, code, reason) = match state {
                DeliveryState::Queued => ("queued", None, None),
                DeliveryState::Sending => ("sending", None, None),
                DeliveryState::Accepted => ("accepted", Some(200), None),
                DeliveryState::StoredForLater => ("stored", Some(202), None),
                DeliveryState::Retrying { code, reason, .. } => ("retrying", *code, Some(reason.as_str())),
                DeliveryState::Failed { code, reason } => ("failed", *code, Some(reason.as_str())),
            };
            json!({
                "event": "delivery", "id": id, "account": account, "to": to,
                "state": name, "code": code, "reason": reason, "description": state.describe(),
            })
        }
        Event::MessageWaiting {
            id,
            account,
            to,
            reason,
        } => json!({
            "event": "waiting", "id": id, "account": account, "to": to, "reason": reason,
        }),
        Event::Error { account, message } => {
            json!({"event": "error", "account": account, "message": message})
        }
        Event::Presence {
            account,
            contact,
            presence,
            watch,
        } => json!({
            "event": "presence", "account": account, "contact": contact,
            "status": presence.status.as_str(), "note": presence.note, "last_seen": presence.last_seen,
            "watch": watch_word(watch), "detail": watch_detail(watch),
        }),
        Event::OwnPresence {
            account,
            status,
            note,
            published,
        } => json!({
            "event": "own_presence", "account": account, "status": status.as_str(), "note": note,
            "published": published,
        }),
        Event::PresenceRequest { account, watcher } => {
            json!({"event": "presence_request", "account": account, "watcher": watcher})
        }
        Event::ChatOffered {
            account,
            session,
            from,
            from_name,
        } => json!({
            "event": "chat_offered", "account": account, "session": session,
            "from": from, "from_name": from_name,
        }),
        Event::ChatUpdate {
            account,
            session,
            peer,
            state,
        } => {
            let mut value = json!({"account": account, "session": session, "peer": peer});
            let (name, extra) = match state {
                ChatState::Inviting => ("chat_inviting", json!({})),
                ChatState::Ringing => ("chat_ringing", json!({})),
                ChatState::Connecting => ("chat_connecting", json!({})),
                ChatState::Active { secure, relay } => {
                    ("chat_started", json!({"secure": secure, "relay": relay}))
                }
                ChatState::Failed { reason } => ("chat_failed", json!({"reason": reason})),
                ChatState::Ended { reason } => ("chat_ended", json!({"reason": reason})),
            };
            value["event"] = json!(name);
            if let (Some(obj), Some(more)) = (value.as_object_mut(), extra.as_object()) {
                obj.extend(more.clone());
            }
            value
        }
        Event::PeerComposing {
            account,
            session,
            active,
        } => json!({"event": "composing", "account": account, "session": session, "active": active}),
        Event::TransferOffered {
            account,
            transfer,
            from,
            name,
            size,
            mime,
            sha1,
            via,
        } => json!({
            "event": "transfer_offered", "account": account, "transfer": transfer, "from": from,
            "name": name, "size": size, "content_type": mime, "sha1": sha1, "via": via.as_str(),
        }),
        Event::TransferProgress {
            transfer,
            bytes,
            total,
            rate,
        } => json!({
            "event": "transfer_progress", "transfer": transfer, "bytes": bytes, "total": total,
            "rate": rate,
        }),
        Event::TransferDone {
            transfer,
            incoming,
            path,
            size,
            sha1,
            via,
            note,
        } => json!({
            "event": if *incoming { "file_received" } else { "file_sent" }, "transfer": transfer, "path": path.display().to_string(),
            "size": size, "sha1": sha1, "via": via.as_str(), "note": note,
        }),
        Event::TransferResuming {
            transfer,
            peer,
            incoming,
            name,
            offset,
            total,
            ..
        } => json!({
            "event": "transfer_resuming", "transfer": transfer, "peer": peer, "incoming": incoming, "name": name,
            "offset": offset, "total": total,
        }),
        Event::TransferFailed { transfer, reason } => {
            json!({"event": "transfer_failed", "transfer": transfer, "reason": reason})
        }
        // Answers to the window's history queries, not for `listen`.
        Event::Conversations(_)
        | Event::Contacts(_)
        | Event::ContactChanged(_)
        | Event::Messages { .. }
        | Event::SearchResults { .. }
        | Event::Alerts(_)
        | Event::Transfers(_)
        | Event::Stopped => return None,
    })
}

/// "resuming report.pdf at 4.0 MiB of 10 MiB" for a
/// [`Event::TransferResuming`] (`None` for other events).
pub fn resume_line(event: &Event) -> Option<String> {
    match event {
        Event::TransferResuming {
            name, offset, total, ..
        } => Some(format!(
            "resuming {name} at {} of {}",
            crate::model::human_size(*offset),
            crate::model::human_size(*total)
        )),
        _ => None,
    }
}

/// The JSON of an alert (DESIGN.md section 2: `from`, `subject`,
/// `priority`, `body`, and for CAP `severity`, `urgency`, `headline`; plus
/// the rest of the CAP fields and the acknowledgement time).
pub fn alert_json(alert: &Alert) -> Value {
    let info = alert.first_info();
    json!({
        "event": "alert",
        "id": alert.id,
        "account": alert.account,
        "message_id": alert.message_id,
        "from": alert.from,
        "from_name": alert.from_name,
        "subject": alert.subject,
        "priority": alert.priority,
        "body": alert.body,
        "text": alert.text,
        "severity": info.map(|i| i.severity.as_str()),
        "urgency": info.map(|i| i.urgency.as_str()),
        "headline": info.and_then(|i| i.headline.as_deref()),
        "cap": alert.cap,
        "cap_error": alert.cap_error,
        "received_at": alert.received_at,
        "acknowledged_at": alert.acknowledged_at,
    })
}

/// Lines of words for an alert: unmistakable, with everything it says.
pub fn alert_text(alert: &Alert) -> String {
    let bar = "!".repeat(60);
    let who = match &alert.from_name {
        Some(name) => format!("{name} <{}>", alert.from),
        None => alert.from.clone(),
    };
    let mut lines = vec![
        bar.clone(),
        format!("!!! EMERGENCY ALERT [{}] #{} from {who}", alert.account, alert.id),
        format!("!!! {}", alert.title()),
    ];
    if let Some(info) = alert.first_info() {
        lines.push(format!(
            "!!! severity {}, urgency {}, certainty {}",
            info.severity, info.urgency, info.certainty
        ));
        if !info.areas.is_empty() {
            lines.push(format!("!!! area: {}", info.areas.join("; ")));
        }
    }
    for line in alert.text.lines() {
        lines.push(format!("!!! {line}"));
    }
    if let Some(err) = &alert.cap_error {
        lines.push(format!("!!! (the alert's CAP document could not be read: {err})"));
    }
    lines.push(bar);
    lines.join("\n")
}

/// A line of words for an event (`None` for events not worth a line).
pub fn event_text(event: &Event) -> Option<String> {
    Some(match event {
        Event::AccountState { account, state } => match state {
            RegistrationState::Registered { expires } => format!("[{account}] registered (for {expires} s)"),
            RegistrationState::Failed {
                reason,
                retry_in_secs,
            } if *retry_in_secs == 0 => format!("[{account}] registration failed: {reason}"),
            RegistrationState::Failed {
                reason,
                retry_in_secs,
            } => {
                format!("[{account}] registration failed: {reason}; retrying in {retry_in_secs} s")
            }
            RegistrationState::Refused { reason } => format!("[{account}] registration stopped: {reason}"),
            RegistrationState::Registering => format!("[{account}] registering…"),
            RegistrationState::Offline => format!("[{account}] unregistered"),
            RegistrationState::Listening { address, addresses } => {
                format!("[{account}] listening on {}", listening_on(address, addresses))
            }
        },
        Event::CertificateUntrusted { account, certificate } => untrusted_lines(account, certificate),
        Event::CertificateChanged {
            account,
            pinned,
            certificate,
        } => format!(
            "[{account}] WARNING: the certificate of {} has changed: pinned SHA-256 fingerprint {pinned}, \
             presented {}; refused. Either the server's certificate was replaced or someone is in between: \
             ask the server's admin before you pin the new one.",
            certificate.server_name, certificate.fingerprint
        ),
        Event::MessageReceived(m) => {
            let who = match &m.from_name {
                Some(name) => format!("{name} <{}>", m.from),
                None => m.from.clone(),
            };
            let subject = m
                .subject
                .as_deref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default();
            match m.alert {
                // The alert itself is printed from its AlertRaised event.
                AlertMark::Raised => return None,
                AlertMark::Untrusted => format!(
                    "[{}] {who}{subject} ({}): {}",
                    m.account,
                    AlertMark::UNTRUSTED_WORDS,
                    m.body
                ),
                AlertMark::None => format!("[{}] {who}{subject}: {}", m.account, m.body),
            }
        }
        Event::AlertRaised(alert) => alert_text(alert),
        Event::AlertAcknowledged { id, .. } => format!("alert #{id} acknowledged"),
        Event::DeliveryUpdate {
            account, to, state, ..
        } => match state {
            DeliveryState::Sending | DeliveryState::Queued => return None,
            _ => format!("[{account}] to {to}: {}", state.describe()),
        },
        Event::MessageWaiting {
            account, to, reason, ..
        } => format!(
            "[{account}] to {to}: kept in the outbox until the account can reach its server ({reason})"
        ),
        Event::Error { account, message } => match account {
            Some(a) => format!("[{a}] error: {message}"),
            None => format!("error: {message}"),
        },
        Event::Presence {
            account,
            contact,
            presence,
            watch,
        } => presence_line(account, contact, presence, watch),
        Event::OwnPresence {
            account,
            status,
            note,
            published,
        } => {
            let note = note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default();
            let how = if *published { "published" } else { "set" };
            format!("[{account}] your status is {how}: {status}{note}")
        }
        Event::PresenceRequest { account, watcher } => {
            format!("[{account}] {watcher} wants to see when you are online")
        }
        Event::ChatOffered { account, from, .. } => format!("[{account}] {from} invites you to a chat"),
        Event::ChatUpdate {
            account, peer, state, ..
        } => match state {
            ChatState::Inviting => format!("[{account}] inviting {peer} to a chat…"),
            ChatState::Ringing => format!("[{account}] {peer} is being alerted…"),
            ChatState::Connecting => format!("[{account}] connecting the chat with {peer}…"),
            ChatState::Active { secure, relay } => {
                let how = match (secure, relay) {
                    (true, Some(r)) => format!(" (encrypted, through {r})"),
                    (false, Some(r)) => format!(" (through {r})"),
                    (true, None) => " (encrypted)".to_string(),
                    (false, None) => String::new(),
                };
                format!("[{account}] chat with {peer} started{how}")
            }
            ChatState::Failed { reason } => format!("[{account}] chat with {peer} failed: {reason}"),
            ChatState::Ended { reason } => format!("[{account}] chat with {peer} ended: {reason}"),
        },
        Event::PeerComposing { .. } => return None,
        Event::TransferOffered {
            account,
            from,
            name,
            size,
            ..
        } => {
            let size = size.map(|s| format!(" ({s} bytes)")).unwrap_or_default();
            format!("[{account}] {from} offers the file {name}{size}")
        }
        Event::TransferProgress { .. } => return None,
        Event::TransferDone {
            incoming,
            path,
            size,
            sha1,
            via,
            note,
            ..
        } => {
            let what = if *incoming { "received" } else { "sent" };
            let how = match (via, note) {
                (_, Some(note)) => format!("; {note}"),
                (TransferVia::PageMode, None) => "; it came in a message".to_string(),
                (TransferVia::Session, None) => String::new(),
            };
            format!("file {what}: {} ({size} bytes, sha1 {sha1}){how}", path.display())
        }
        Event::TransferResuming { .. } => resume_line(event)?,
        Event::TransferFailed { reason, .. } => format!("file transfer failed: {reason}"),
        Event::Conversations(_)
        | Event::Contacts(_)
        | Event::ContactChanged(_)
        | Event::Messages { .. }
        | Event::SearchResults { .. }
        | Event::Alerts(_)
        | Event::Transfers(_)
        | Event::Stopped => return None,
    })
}

/// `active`, `pending`, `refused`, `no_such_user` or `interrupted`.
/// Where a listening account can be reached, in words: every address
/// (`A and B` when it listens on IPv4 and IPv6), or `address` alone when
/// the runtime gave no list.
fn listening_on(address: &str, addresses: &[String]) -> String {
    if addresses.is_empty() {
        address.to_string()
    } else {
        addresses.join(" and ")
    }
}

fn watch_word(watch: &WatchState) -> &'static str {
    match watch {
        WatchState::Active => "active",
        WatchState::Pending => "pending",
        WatchState::Refused => "refused",
        WatchState::NoSuchUser => "no_such_user",
        WatchState::Interrupted(_) => "interrupted",
    }
}

/// Why a watch is interrupted, if it is.
fn watch_detail(watch: &WatchState) -> Option<&str> {
    match watch {
        WatchState::Interrupted(why) => Some(why),
        _ => None,
    }
}

/// "[work] bob@example.org is away (lunch)", "... waits for permission".
fn presence_line(account: &AccountId, contact: &str, presence: &Presence, watch: &WatchState) -> String {
    let what = match watch {
        WatchState::Active => {
            let note = presence
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            let seen = match (presence.status, presence.last_seen) {
                (PresenceStatus::Offline, Some(at)) => format!(", last seen {}", time_in_words(at)),
                _ => String::new(),
            };
            format!("is {}{note}{seen}", presence.status)
        }
        WatchState::Pending => {
            "has not allowed you to see their status yet (waiting for permission)".to_string()
        }
        WatchState::Refused => "does not share their status".to_string(),
        WatchState::NoSuchUser => "does not exist (no such user)".to_string(),
        WatchState::Interrupted(why) => format!("status unknown: {why}"),
    };
    format!("[{account}] {contact} {what}")
}

/// A certificate the account does not trust: what it is, its fingerprint,
/// and the line that trusts it.
pub fn untrusted_lines(account: &AccountId, certificate: &CertificateInfo) -> String {
    let when = |at: Option<i64>| at.map_or_else(|| "?".into(), time_in_words);
    format!(
        "[{account}] {} presented a certificate this account does not trust:\n  \
         subject {}, issued by {}, valid {} to {}\n  \
         SHA-256 fingerprint {}\n  \
         if this is your server's certificate, add to the account \"{account}\" in the config: {}",
        certificate.server_name,
        certificate.subject,
        certificate.issuer,
        when(certificate.not_before),
        when(certificate.not_after),
        certificate.fingerprint,
        certificate.pin_line(),
    )
}

#[cfg(test)]
#[path = "output_tests.rs"]
mod tests;
