//! `sipchat listen`: runs the runtime as this data directory's instance,
//! serves the control socket and prints what happens.
//!
//! Without `--notify`, the loop that reads the events runs on the
//! runtime's own network thread ([`Handle::spawn`]), beside the accounts:
//! an event reaches it with no thread wake-up, and its line goes to
//! [`printer::Printer`], which never blocks that thread. With `--notify`
//! the loop stays on the main thread (a notification may wait for the
//! desktop's D-Bus).

mod printer;

use super::{output, CliError};
use crate::config::Config;
use crate::model::AccountId;
use crate::notify::{Notifier, NotifyAction};
use crate::runtime::control::{self, AttachedEvents};
use crate::runtime::{Event, Handle, Runtime, RuntimeOptions};
use printer::Printer;
use std::io::Write;
use std::path::PathBuf;

#[allow(clippy::too_many_arguments)]
pub(super) fn listen(
    config: Config,
    data_dir: &std::path::Path,
    account: Option<&str>,
    json: bool,
    accept_chats: bool,
    notify: bool,
    accept_files: Option<PathBuf>,
    watch: Vec<String>,
    io_threads: usize,
) -> Result<(), CliError> {
    if let Some(dir) = &accept_files {
        if !dir.is_dir() {
            return Err(CliError::Usage(format!(
                "--accept-files {}: not a directory",
                dir.display()
            )));
        }
    }
    if let Some(name) = account {
        if name != AccountId::LOCAL {
            config.account(Some(name))?;
        }
    }
    let options = RuntimeOptions {
        only_account: account.map(str::to_string),
        data_dir: Some(data_dir.to_path_buf()),
        accept_chats,
        accept_files,
        watch,
        io_threads,
        ..RuntimeOptions::default()
    };
    let lock = control::lock_for_instance(data_dir, || {
        eprintln!("sipchat: waiting for another sipchat command on this data directory to finish");
    })?;
    let (handle, events) = Runtime::start(config, options)?;
    let server = control::Server::start(data_dir, lock, None)?;
    // The events pass through the control channel as the loop reads them:
    // no thread of their own between the runtime and the loop.
    let events = server.attach_inline(handle.clone(), events);
    let result = if notify {
        on_main_thread(&handle, events, json)
    } else {
        on_network_thread(&handle, events, json)
    };
    handle.shutdown();
    // The socket and the lock go once the runtime has stopped.
    drop(server);
    result
}

/// Prints the events on the runtime's network thread until the runtime
/// stops; SIGTERM and Ctrl-C ask it to stop.
fn on_network_thread(handle: &Handle, mut events: AttachedEvents, json: bool) -> Result<(), CliError> {
    let printer = Printer::start(std::io::stdout()).map_err(|e| CliError::Usage(e.to_string()))?;
    let (done, finished) = std::sync::mpsc::channel::<Printer>();
    let stopper = handle.clone();
    handle.spawn(async move {
        let mut stop_requested = false;
        let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            let term = terminated(&mut sigterm);
            tokio::select! {
                event = events.recv() => match event {
                    Some(Event::Stopped) | None => break,
                    Some(event) => {
                        if let Some(line) = event_line(&event, json) {
                            printer.line(&line);
                        }
                    }
                },
                _ = tokio::signal::ctrl_c(), if !stop_requested => {
                    stop_requested = true;
                    request_shutdown(&stopper);
                }
                () = term, if !stop_requested => {
                    stop_requested = true;
                    request_shutdown(&stopper);
                }
            }
        }
        let _ = done.send(printer);
    });
    // Until the loop ends (or the runtime drops it unrun); then every line
    // is written before listen returns.
    if let Ok(printer) = finished.recv() {
        printer.finish();
    }
    Ok(())
}

/// Prints the events and raises desktop notifications on this thread.
fn on_main_thread(handle: &Handle, mut events: AttachedEvents, json: bool) -> Result<(), CliError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    rt.block_on(async {
        // Desktop notifications (started inside the tokio runtime so the
        // click channel is polled here).
        let (mut notifier, mut clicks) = {
            let (n, c) = Notifier::start();
            if !n.available() {
                eprintln!("sipchat: desktop notifications are not available in this build");
            }
            (n, Some(c))
        };
        // Notifications name people as the address book does.
        let _ = handle.send(crate::runtime::Command::LoadContacts);
        let mut stop_requested = false;
        let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        loop {
            let term = terminated(&mut sigterm);
            tokio::select! {
                event = events.recv() => match event {
                    Some(Event::Stopped) | None => break,
                    Some(event) => {
                        print_event(&event, json);
                        notifier.handle(&event);
                    }
                },
                click = next_click(&mut clicks) => match click {
                    Some(NotifyAction::Acknowledge(id)) => {
                        let _ = handle.send(crate::runtime::Command::AckAlert { id });
                    }
                    Some(NotifyAction::Open(target)) => {
                        tracing::info!(account = %target.account, with = %target.peer_key, "\"Open\" clicked (no window in listen mode)");
                    }
                    None => clicks = None,
                },
                _ = tokio::signal::ctrl_c(), if !stop_requested => {
                    stop_requested = true;
                    request_shutdown(handle);
                }
                () = term, if !stop_requested => {
                    stop_requested = true;
                    request_shutdown(handle);
                }
            }
        }
    });
    Ok(())
}

/// SIGTERM; pending for ever when it cannot be watched.
async fn terminated(sigterm: &mut Option<tokio::signal::unix::Signal>) {
    match sigterm.as_mut() {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// The next notification click; pending forever once there are none.
async fn next_click(
    clicks: &mut Option<tokio::sync::mpsc::UnboundedReceiver<NotifyAction>>,
) -> Option<NotifyAction> {
    match clicks.as_mut() {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Asks the runtime to unregister and stop, without blocking the event loop
/// (the events that follow are still printed).
fn request_shutdown(handle: &Handle) {
    let _ = handle.send(crate::runtime::Command::Shutdown);
}

/// The line `listen` prints for `event`, if any.
fn event_line(event: &Event, json: bool) -> Option<String> {
    if json {
        output::event_json(event).map(|v| v.to_string())
    } else {
        output::event_text(event)
    }
}

fn print_event(event: &Event, json: bool) {
    if let Some(line) = event_line(event, json) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
    }
}
