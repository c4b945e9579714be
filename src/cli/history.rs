//! `sipchat history`: conversations, one conversation, full-text search and
//! export, read straight from the history database (read-only, so it works
//! while the window or `listen` is running).

use super::CliError;
use crate::model::{Alert, AlertMark};
use crate::store::{
    conversation_key, Direction, Store, StoreError, StoredMessage, MAX_PAGE_SIZE, MAX_SEARCH_RESULTS,
};
use chrono::{Local, TimeZone};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Messages shown by default.
pub const DEFAULT_LIMIT: usize = 50;

/// What to show.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    /// Only this peer's conversation.
    pub with: Option<String>,
    /// Full-text search.
    pub search: Option<String>,
    /// Only this account.
    pub account: Option<String>,
    /// How many messages / hits.
    pub limit: usize,
    /// JSON lines instead of words.
    pub json: bool,
    /// Write the conversation (needs `with`) as one JSON document to this file (`-` = stdout).
    pub export: Option<PathBuf>,
    /// Show the emergency alert log instead of messages.
    pub alerts: bool,
    /// With `alerts`: only those not acknowledged yet.
    pub unacknowledged: bool,
}

pub(crate) fn local_time(ms: i64) -> String {
    match Local.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
        None => "?".into(),
    }
}

fn emit(out: &mut impl Write, line: &str) -> Result<(), CliError> {
    writeln!(out, "{line}").map_err(|e| CliError::Usage(format!("cannot write output: {e}")))
}

/// Runs `sipchat ack-alert ID`: marks the alert acknowledged in the history
/// database (works while `listen` runs; SQLite serialises the writers).
pub fn acknowledge(data_dir: &Path, id: i64, json: bool) -> Result<(), CliError> {
    let path = Store::path_in(data_dir);
    let mut store = match Store::open_read_only(&path) {
        Ok(_) => Store::open(&path).map_err(|e| CliError::Usage(e.to_string()))?,
        Err(e) => return Err(CliError::Usage(e.to_string())),
    };
    let now = chrono::Utc::now().timestamp_millis();
    store
        .acknowledge_alert(id, now)
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let Some(alert) = store.alert(id).map_err(|e| CliError::Usage(e.to_string()))? else {
        return Err(CliError::Usage(format!("there is no alert #{id}")));
    };
    let at = alert.acknowledged_at.unwrap_or(now);
    let mut out = std::io::stdout().lock();
    let line = if json {
        json!({"event": "alert_acknowledged", "id": id, "acknowledged_at": at}).to_string()
    } else {
        format!("alert #{id} acknowledged {}", local_time(at))
    };
    emit(&mut out, &line)
}

/// Runs `sipchat history`.
pub fn run(data_dir: &Path, req: &HistoryRequest) -> Result<(), CliError> {
    let path = Store::path_in(data_dir);
    let store = match Store::open_read_only(&path) {
        Ok(s) => s,
        Err(StoreError::Missing { .. }) => {
            eprintln!(
                "sipchat: no history yet (nothing stored in {})",
                data_dir.display()
            );
            return Ok(());
        }
        Err(e) => return Err(CliError::Usage(e.to_string())),
    };
    let store_err = |e: StoreError| CliError::Usage(e.to_string());
    let mut out = std::io::stdout().lock();
    if req.alerts {
        let log = store
            .alerts(req.account.as_deref(), req.unacknowledged)
            .map_err(store_err)?;
        let total = log.len();
        for stored in log.into_iter().take(req.limit) {
            emit(&mut out, &alert_line(&stored.to_alert(), req.json))?;
        }
        if total > req.limit {
            emit(
                &mut out,
                &cut_line(Cut::Known { shown: req.limit }, "alerts", req),
            )?;
        }
        return Ok(());
    }
    if let Some(text) = &req.search {
        let (hits, cut) = cut_to(
            store
                .search(
                    text,
                    req.account.as_deref(),
                    ask_for(req.limit, MAX_SEARCH_RESULTS),
                )
                .map_err(store_err)?,
            req.limit,
            MAX_SEARCH_RESULTS,
        );
        for hit in hits {
            let line = if req.json {
                json!({"event": "search_hit", "id": hit.id, "account": hit.account, "with": hit.peer_key,
                       "direction": hit.direction, "at": hit.at, "snippet": hit.snippet})
                .to_string()
            } else {
                let who = hit.display_name.as_deref().unwrap_or(&hit.peer_key);
                let arrow = if hit.direction == Direction::Out {
                    "to"
                } else {
                    "from"
                };
                format!(
                    "{}  [{}] {arrow} {who}: {}",
                    local_time(hit.at),
                    hit.account,
                    hit.snippet
                )
            };
            emit(&mut out, &line)?;
        }
        if let Some(cut) = cut {
            emit(&mut out, &cut_line(cut, "search hits", req))?;
        }
        return Ok(());
    }
    let conversations = store.conversations(req.account.as_deref()).map_err(store_err)?;
    let Some(with) = &req.with else {
        for c in conversations {
            let line = if req.json {
                json!({"event": "conversation", "account": c.account, "with": c.peer_key,
                       "address": c.peer_address, "name": c.display_name, "unread": c.unread,
                       "last_activity": c.last_activity})
                .to_string()
            } else {
                let unread = if c.unread > 0 {
                    format!("  ({} unread)", c.unread)
                } else {
                    String::new()
                };
                let preview = c.last_message.map(|m| m.text).unwrap_or_default();
                format!(
                    "{}  [{}] {}{unread}: {preview}",
                    local_time(c.last_activity),
                    c.account,
                    c.display_name.as_deref().unwrap_or(&c.peer_key)
                )
            };
            emit(&mut out, &line)?;
        }
        return Ok(());
    };
    let key = conversation_key(with);
    let matching: Vec<_> = conversations.into_iter().filter(|c| c.peer_key == key).collect();
    if matching.is_empty() {
        return Err(CliError::Usage(format!("no conversation with {with}")));
    }
    if let Some(target) = &req.export {
        let mut docs = Vec::new();
        for c in &matching {
            docs.push(
                store
                    .export_conversation(&c.account, &c.peer_key)
                    .map_err(store_err)?,
            );
        }
        let doc = if docs.len() == 1 {
            docs.remove(0)
        } else {
            serde_json::Value::Array(docs)
        };
        let text = serde_json::to_string_pretty(&doc).map_err(|e| CliError::Usage(e.to_string()))?;
        if target.as_os_str() == "-" {
            emit(&mut out, &text)?;
        } else {
            std::fs::write(target, text + "\n")
                .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", target.display())))?;
            eprintln!("sipchat: exported to {}", target.display());
        }
        return Ok(());
    }
    for c in matching {
        let (mut page, cut) = cut_to(
            store
                .messages(&c.account, &c.peer_key, None, ask_for(req.limit, MAX_PAGE_SIZE))
                .map_err(store_err)?,
            req.limit,
            MAX_PAGE_SIZE,
        );
        page.reverse(); // oldest first, like a chat
        if let Some(cut) = cut {
            // Said first: the older messages are the ones left out.
            emit(&mut out, &cut_line(cut, "messages", req))?;
        }
        for m in page {
            emit(&mut out, &message_line(&m, c.display_name.as_deref(), req.json))?;
        }
    }
    Ok(())
}

/// How a list was cut short by `--limit` (or by the store's own cap).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// More were there than the `shown` ones.
    Known { shown: usize },
    /// The store returned its most (`shown`); there may be more.
    AtCap { shown: usize },
}

/// How many rows to ask the store for: one more than wanted, to see
/// whether the list goes on (within the store's cap).
fn ask_for(limit: usize, cap: usize) -> usize {
    limit.saturating_add(1).min(cap)
}

/// Keeps the first `limit` rows and tells whether any were left out.
fn cut_to<T>(mut rows: Vec<T>, limit: usize, cap: usize) -> (Vec<T>, Option<Cut>) {
    if rows.len() > limit {
        rows.truncate(limit);
        return (rows, Some(Cut::Known { shown: limit }));
    }
    if limit >= cap && rows.len() == cap {
        return (rows, Some(Cut::AtCap { shown: cap }));
    }
    (rows, None)
}

/// The line saying a list was cut, in words or as a JSON event.
fn cut_line(cut: Cut, what: &str, req: &HistoryRequest) -> String {
    let (shown, certain) = match cut {
        Cut::Known { shown } => (shown, true),
        Cut::AtCap { shown } => (shown, false),
    };
    if req.json {
        return json!({"event": "history_cut", "list": what, "shown": shown, "limit": req.limit,
                      "truncated": true, "more_certain": certain})
        .to_string();
    }
    let newest = if what == "messages" { "newest " } else { "" };
    if certain {
        format!("(only the {newest}{shown} {what} shown; there are more: raise --limit to see them)")
    } else {
        format!("(only the {newest}{shown} {what} shown, the most sipchat lists at once; there may be more)")
    }
}

/// A line of the alert log.
fn alert_line(alert: &Alert, json: bool) -> String {
    if json {
        let mut v = super::output::alert_json(alert);
        v["event"] = json!("history_alert");
        return v.to_string();
    }
    let ack = match alert.acknowledged_at {
        Some(at) => format!("acknowledged {}", local_time(at)),
        None => "NOT ACKNOWLEDGED".to_string(),
    };
    let info = alert
        .first_info()
        .map(|i| format!(" ({} / {})", i.severity, i.urgency))
        .unwrap_or_default();
    let who = alert.from_name.as_deref().unwrap_or(&alert.from);
    let text = alert.text.split_whitespace().collect::<Vec<_>>().join(" ");
    format!(
        "{}  ALERT #{} [{}] from {who}{info}: {} | {text}  [{ack}]",
        local_time(alert.received_at),
        alert.id,
        alert.account,
        alert.title()
    )
}

fn message_line(m: &StoredMessage, peer_name: Option<&str>, json: bool) -> String {
    if json {
        return json!({
            "event": "history_message", "id": m.id, "account": m.account, "with": m.peer_key,
            "direction": m.direction, "content_type": m.content_type, "body": m.body,
            "at": m.at(), "delivery": m.state.as_ref().map(|s| s.describe()), "read": m.read,
            "untrusted_alert": m.untrusted_alert,
        })
        .to_string();
    }
    let claim = if m.untrusted_alert {
        format!("   [{}]", AlertMark::UNTRUSTED_WORDS)
    } else {
        String::new()
    };
    let who = match m.direction {
        Direction::Out => "you".to_string(),
        Direction::In => peer_name.unwrap_or(&m.peer_key).to_string(),
    };
    let state = m
        .state
        .as_ref()
        .map(|s| format!("   [{}]", s.describe()))
        .unwrap_or_default();
    format!(
        "{}  {who}: {}{state}{claim}",
        local_time(m.at()),
        m.body.trim_end()
    )
}
