//! `sipchat send-file`: offer one file (RFC 5547 push over MSRP), show a
//! progress bar on stderr, and end with the verified hash or the reason.

use super::{output, CliError};
use crate::config::Config;
use crate::model::AccountId;
use crate::runtime::{Command, Event, Events, FileSendMode, Handle};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::Path;

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
/// it was refused or failed, 2 for usage errors.
pub fn run(config: Config, data_dir: &Path, req: &SendFileRequest<'_>) -> Result<(), CliError> {
    if !req.path.is_file() {
        return Err(CliError::Usage(format!("{} is not a file", req.path.display())));
    }
    let account = super::choose_account(&config, req.account)?;
    let (handle, mut events) = super::one_shot_runtime(config, data_dir, &account, false)?;
    let outcome = transfer(&handle, &mut events, &account, req);
    handle.shutdown();
    outcome
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
                    let _ = handle.send(Command::CancelTransfer { account: account.clone(), transfer: id });
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
