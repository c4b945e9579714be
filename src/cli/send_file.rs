//! `sipchat send-file`: offer one file (RFC 5547 push over MSRP), show a
//! progress bar on stderr, and end with the verified hash or the reason.
//! With a window or `listen` running on the data directory the instance
//! sends the file ([`crate::runtime::control`]) and its steps print here
//! the same way; Ctrl+C hangs up, and the instance cancels the transfer.

use super::{output, CliError};
use crate::config::Config;
use crate::model::{AccountId, TransferId};
use crate::runtime::control::{self, Claim, Connection, Reply, Request, HANDSHAKE_TIMEOUT};
use crate::runtime::{Command, Event, Events, FileSendMode, Handle};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the reader of a handed-over transfer waits for a step before
/// looking again (the instance ends a stuck transfer by its own timers).
const STEP_WAIT: Duration = Duration::from_secs(60);

/// What `send-file` was asked to do.
pub struct SendFileRequest<'a> {
    /// Account name, if given.
    pub account: Option<&'a str>,
    /// Recipient.
    pub uri: &'a str,
    /// The file.
    pub path: &'a Path,
    /// JSON lines on stdout instead of words.
    pub json: bool,
    /// Session, page-mode MESSAGE, or a session that may fall back.
    pub mode: FileSendMode,
}

/// Runs `send-file`: exit 0 when the peer confirmed the whole file, 1 when
/// it was refused or failed, 2 for usage errors. With an instance (window or
/// `listen`) running on the data directory, that instance sends the file
/// and this command prints its progress and outcome; else it sends alone
/// under the outbox lock.
pub fn run(config: Config, data_dir: &Path, req: &SendFileRequest<'_>) -> Result<(), CliError> {
    if !req.path.is_file() {
        return Err(CliError::Usage(format!("{} is not a file", req.path.display())));
    }
    let account = super::choose_account(&config, req.account)?;
    let claim = control::claim(data_dir, super::LOCK_PATIENCE, || {
        eprintln!(
            "sipchat: another sipchat command is sending from this data directory; waiting for it to finish"
        );
    })?;
    let lock = match claim {
        Claim::Instance(connection) => return handed_over(connection, &account, req),
        Claim::Owner(lock) => lock,
    };
    let (handle, mut events) = super::one_shot_runtime(config, data_dir, &account, false)?;
    let outcome = transfer(&handle, &mut events, &account, req);
    handle.shutdown();
    // Held until the runtime stopped: nobody else works the outbox meanwhile.
    drop(lock);
    outcome
}

/// Hands the file to the running instance; its steps arrive as the events
/// the runtime would have given, and print the same way.
fn handed_over(
    mut connection: Connection,
    account: &AccountId,
    req: &SendFileRequest<'_>,
) -> Result<(), CliError> {
    // The instance may run elsewhere in the file system: give it the whole path.
    let path = std::fs::canonicalize(req.path)
        .map_err(|e| CliError::Usage(format!("{}: {e}", req.path.display())))?;
    connection.request(&Request::SendFile {
        account: account.0.clone(),
        to: req.uri.to_string(),
        path,
        mode: control::mode_name(req.mode).to_string(),
    })?;
    let id = match connection.next_reply(HANDSHAKE_TIMEOUT.max(Duration::from_secs(10)))? {
        Some(Reply::Started { id }) => TransferId(id),
        Some(Reply::Error { message }) => return Err(CliError::Usage(message)),
        Some(other) => {
            return Err(CliError::Usage(format!(
                "the running sipchat instance answered {other:?}"
            )))
        }
        None => {
            return Err(CliError::Usage(
                "the running sipchat instance did not answer in time".into(),
            ))
        }
    };
    let hang_up = connection.hang_up_handle()?;
    let (tx, mut events) = mpsc::unbounded_channel();
    let steps_account = account.clone();
    std::thread::spawn(move || loop {
        let failed = |reason: String| Event::TransferFailed { transfer: id, reason };
        let event = match connection.next_reply(STEP_WAIT) {
            // A long transfer without progress: the instance ends it by its own timers.
            Ok(None) => continue,
            Ok(Some(Reply::Transfer { step })) => {
                let last = step.is_last();
                if tx.send(step.into_event(&steps_account, id)).is_err() || last {
                    return;
                }
                continue;
            }
            Ok(Some(Reply::Error { message })) => failed(message),
            Ok(Some(other)) => failed(format!("the running sipchat instance answered {other:?}")),
            Err(e) => failed(format!("{e}; the transfer did not finish")),
        };
        let _ = tx.send(event);
        return;
    });
    follow(&mut events, id, req, || hang_up.hang_up())
}

fn bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{bar:30} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar
}

fn transfer(
    handle: &Handle,
    events: &mut Events,
    account: &AccountId,
    req: &SendFileRequest<'_>,
) -> Result<(), CliError> {
    let id = handle.next_transfer_id();
    handle.send(Command::SendFile {
        id,
        account: account.clone(),
        to: req.uri.to_string(),
        path: req.path.to_path_buf(),
        mode: req.mode,
    })?;
    follow(events, id, req, || {
        let _ = handle.send(Command::CancelTransfer {
            account: account.clone(),
            transfer: id,
        });
    })
}

/// Prints transfer `id`'s progress and outcome from `events`; Ctrl+C calls
/// `cancel` (once) and the cancelled transfer's end is still awaited.
fn follow(
    events: &mut Events,
    id: TransferId,
    req: &SendFileRequest<'_>,
    mut cancel: impl FnMut(),
) -> Result<(), CliError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let bar = (!req.json).then(bar);
    let result = rt.block_on(async {
        let mut cancelled = false;
        loop {
            let event = tokio::select! {
                e = events.recv() => e,
                _ = tokio::signal::ctrl_c(), if !cancelled => {
                    cancelled = true;
                    cancel();
                    continue;
                }
            };
            let Some(event) = event else {
                return Err(CliError::Refused(
                    "the runtime stopped before the transfer ended".into(),
                ));
            };
            let mine = match &event {
                Event::TransferProgress { transfer, .. }
                | Event::TransferResuming { transfer, .. }
                | Event::TransferDone { transfer, .. }
                | Event::TransferFailed { transfer, .. } => *transfer == id,
                Event::Stopped => {
                    return Err(CliError::Refused(
                        "the runtime stopped before the transfer ended".into(),
                    ))
                }
                _ => false,
            };
            if !mine {
                continue;
            }
            if req.json {
                if let Some(v) = output::event_json(&event) {
                    println!("{v}");
                }
            }
            match event {
                Event::TransferProgress { bytes, total, .. } => {
                    if let Some(bar) = &bar {
                        bar.set_length(total);
                        bar.set_position(bytes);
                    }
                }
                Event::TransferResuming { .. } if !req.json => {
                    if let Some(line) = output::resume_line(&event) {
                        match &bar {
                            Some(bar) => bar.suspend(|| println!("{line}")),
                            None => println!("{line}"),
                        }
                    }
                }
                Event::TransferDone { size, sha1, note, .. } => return Ok((size, sha1, note)),
                Event::TransferFailed { reason, .. } => return Err(CliError::Refused(reason)),
                _ => {}
            }
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let (size, sha1, note) = result?;
    if !req.json {
        match note {
            // A page-mode MESSAGE: its answer is all we know.
            Some(note) => println!("sent {} ({size} bytes, SHA-1 {sha1}): {note}", req.path.display()),
            None => println!(
                "sent {} ({size} bytes), SHA-1 {sha1} verified by the recipient",
                req.path.display()
            ),
        }
    }
    Ok(())
}
