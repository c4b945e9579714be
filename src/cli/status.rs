//! `sipchat status [--account A] available|away|busy|invisible [--note
//! TEXT]`: our presence. With a window or `listen` running on the data
//! directory, that instance publishes it at once; otherwise it is stored
//! (`presence.ron`) and published at the next start. Either way it is kept
//! for later starts.

use super::CliError;
use crate::config::Config;
use crate::model::{AccountId, OwnStatus};
use crate::runtime::control::{Connection, Reply, Request};
use crate::runtime::presence::SavedPresence;
use crate::runtime::presence_file;
use std::path::Path;
use std::time::Duration;

/// How long the running instance may take to publish (a server that does
/// not answer takes 32 s to time out; the status is stored anyway).
pub const STATUS_TIMEOUT: Duration = Duration::from_secs(40);

/// What `sipchat status` was asked.
#[derive(Debug, Clone)]
pub struct StatusRequest<'a> {
    /// One account, or every enabled one.
    pub account: Option<&'a str>,
    /// The status word.
    pub status: &'a str,
    /// The note.
    pub note: Option<&'a str>,
    /// JSON line instead of words.
    pub json: bool,
}

/// Runs `sipchat status`.
pub fn run(config: &Config, data_dir: &Path, request: &StatusRequest<'_>) -> Result<(), CliError> {
    let Some(status) = OwnStatus::from_word(request.status) else {
        return Err(CliError::Usage(format!(
            "unknown status {:?}: use available, away, busy or invisible",
            request.status
        )));
    };
    let accounts: Vec<AccountId> = match request.account {
        Some(name) if name == AccountId::LOCAL => vec![AccountId(name.to_string())],
        Some(name) => vec![AccountId(config.account(Some(name))?.name.clone())],
        None => config
            .enabled_accounts()
            .map(|a| AccountId(a.name.clone()))
            .chain(config.local.enabled.then(|| AccountId(AccountId::LOCAL.into())))
            .collect(),
    };
    let note = request.note.map(str::to_string);
    match Connection::open(data_dir) {
        Some(connection) => hand_over(connection, request, status, note),
        None => {
            let known = presence_file::load(data_dir).map_err(|e| CliError::Usage(e.to_string()))?;
            for account in &accounts {
                // The watcher decisions stay as they are.
                let saved = SavedPresence {
                    status,
                    note: note.clone(),
                    ..known.get(&account.0).cloned().unwrap_or_default()
                };
                presence_file::record(data_dir, &account.0, &saved)
                    .map_err(|e| CliError::Usage(e.to_string()))?;
                print(account, &saved, false, request.json);
            }
            Ok(())
        }
    }
}

fn print(account: &AccountId, saved: &SavedPresence, published: bool, json: bool) {
    let line = if json {
        serde_json::json!({
            "event": "own_presence", "account": account, "status": saved.status.as_str(),
            "note": saved.note, "published": published,
        })
        .to_string()
    } else {
        let note = saved
            .note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default();
        let how = if published {
            "published"
        } else {
            "stored; it is published when sipchat next runs"
        };
        format!("[{account}] status {}{note}: {how}", saved.status)
    };
    println!("{line}");
}

fn hand_over(
    mut connection: Connection,
    request: &StatusRequest<'_>,
    status: OwnStatus,
    note: Option<String>,
) -> Result<(), CliError> {
    connection.request(&Request::SetStatus {
        account: request.account.map(str::to_string),
        status: status.as_str().to_string(),
        note: note.clone(),
    })?;
    match connection.next_reply(STATUS_TIMEOUT)? {
        Some(Reply::StatusSet { account, published }) => {
            let saved = SavedPresence {
                status,
                note,
                ..SavedPresence::default()
            };
            print(&AccountId(account), &saved, published, request.json);
            Ok(())
        }
        Some(Reply::Error { message }) => Err(CliError::Refused(message)),
        Some(other) => Err(CliError::Usage(format!(
            "the running sipchat instance answered {other:?}"
        ))),
        None => Err(CliError::Kept(
            "the running sipchat instance did not publish the status in time; it is stored and will be published"
                .into(),
        )),
    }
}
