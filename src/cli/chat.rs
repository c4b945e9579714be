//! `sipchat chat URI`: an MSRP session on the terminal. Lines typed on
//! stdin go to the peer, the peer's lines print on stdout, EOF (Ctrl+D)
//! ends the session with BYE. States and delivery failures go to stderr.
//! With a window or `listen` running on the data directory, the session is
//! that instance's ([`crate::runtime::control`]): lines go to it and the
//! peer's lines come back through it.

use super::{choose_account, output, CliError};
use crate::config::Config;
use crate::model::{AccountId, ChatState, DeliveryState, MessageId, RegistrationState, SessionId};
use crate::runtime::control::{ChatInput, Connection, Reply, Request};
use crate::runtime::{Command, Event, Events, Runtime, RuntimeError, RuntimeOptions};
use std::collections::HashSet;
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Duration;
use tokio::sync::mpsc;

/// How long the account may take to register (or listen) before giving up.
pub const READY_TIMEOUT: Duration = Duration::from_secs(45);
/// How long the session may take to open.
pub const OPEN_TIMEOUT: Duration = Duration::from_secs(75);
/// How long the reader of a chat through the instance waits for a step
/// before looking again.
const STEP_WAIT: Duration = Duration::from_secs(60);
/// After EOF, how long unanswered messages may take to be confirmed.
pub const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// What a `chat` run is asked to do.
pub struct ChatRequest<'a> {
    /// Account name, if given.
    pub account: Option<&'a str>,
    /// The peer.
    pub uri: &'a str,
    /// JSON lines on stdout instead of text.
    pub json: bool,
}

/// Runs the chat until EOF on stdin, the peer hanging up, or Ctrl+C.
pub fn run(config: Config, data_dir: &Path, request: &ChatRequest<'_>) -> Result<(), CliError> {
    let account = choose_account(&config, request.account)?;
    if let Some(connection) = Connection::open(data_dir) {
        return handed_over(connection, &account, request);
    }
    let mut options = RuntimeOptions {
        local_account: account.is_local(),
        only_account: Some(account.0.clone()),
        data_dir: Some(data_dir.to_path_buf()),
        retries: false,
        // The outbox rows are the instance's (or the next one's), never a chat's.
        own_messages_only: true,
        ..RuntimeOptions::default()
    };
    let started = match Runtime::start(config.clone(), options.clone()) {
        // A listening sipchat may hold the local port: any free port will do.
        Err(RuntimeError::Transport { .. }) if account.is_local() => {
            options.local_port = Some(0);
            Runtime::start(config, options)
        }
        other => other,
    };
    let (handle, events) = started?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let commands = |command: Command| {
        let _ = handle.send(command);
    };
    let outcome = rt.block_on(async {
        let mut events = events;
        wait_ready(&mut events, &account).await?;
        session(&commands, events, &account, request).await
    });
    handle.shutdown();
    outcome
}

/// The chat through the running instance: its steps arrive as the events
/// the runtime would have given; lines and the close go to it.
fn handed_over(
    mut connection: Connection,
    account: &AccountId,
    request: &ChatRequest<'_>,
) -> Result<(), CliError> {
    connection.request(&Request::Chat {
        account: account.0.clone(),
        to: request.uri.to_string(),
    })?;
    let writer = connection.chat_writer()?;
    let (tx, events) = mpsc::unbounded_channel();
    let (steps_account, peer) = (account.clone(), request.uri.to_string());
    std::thread::spawn(move || loop {
        let event = match connection.next_reply(STEP_WAIT) {
            Ok(None) => continue,
            Ok(Some(Reply::Chat { step })) => step.into_event(&steps_account),
            Ok(Some(Reply::Error { message })) => Event::ChatUpdate {
                account: steps_account.clone(),
                session: SessionId(0),
                peer: peer.clone(),
                state: ChatState::Failed { reason: message },
            },
            // The instance went away: the events end.
            Ok(Some(_)) | Err(_) => return,
        };
        if tx.send(event).is_err() {
            return;
        }
    });
    let commands = |command: Command| {
        let input = match command {
            Command::SendChat { id, text, .. } => ChatInput::Line { id, text },
            Command::CloseChat { .. } => ChatInput::Close,
            // The instance opened the session on the request.
            _ => return,
        };
        if let Err(e) = writer.write(&input) {
            tracing::warn!(error = %e, "a chat line did not reach the running sipchat");
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    rt.block_on(session(&commands, events, account, request))
}

/// Lines from stdin, read on a thread of their own.
fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            match line {
                Ok(l) => {
                    if tx.send(l).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    });
    rx
}

fn say(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{text}");
}

fn print_line(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Opens the session and runs it; `commands` carries out what it asks
/// (this process's runtime, or the running instance).
async fn session(
    commands: &dyn Fn(Command),
    mut events: Events,
    account: &AccountId,
    request: &ChatRequest<'_>,
) -> Result<(), CliError> {
    commands(Command::OpenChat {
        account: account.clone(),
        peer: request.uri.to_string(),
    });
    let session = wait_open(&mut events, account, request).await?;
    let mut lines = stdin_lines();
    let mut unconfirmed: HashSet<MessageId> = HashSet::new();
    let mut failed = 0usize;
    let mut stdin_open = true;
    let mut closing = false;
    let mut drain_deadline = None;
    loop {
        let drain = async {
            match drain_deadline {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            line = lines.recv(), if stdin_open => match line {
                Some(text) if !text.is_empty() => {
                    let id = crate::runtime::next_message_id();
                    unconfirmed.insert(id);
                    commands(Command::SendChat { id, account: account.clone(), session, text });
                }
                Some(_) => {}
                None => {
                    stdin_open = false;
                    drain_deadline = Some(tokio::time::Instant::now() + DRAIN_TIMEOUT);
                }
            },
            event = events.recv() => {
                let Some(event) = event else { break };
                match &event {
                    Event::MessageReceived(m) if m.session == Some(session) => {
                        if request.json {
                            print_event_json(&event);
                        } else {
                            print_line(&m.body);
                        }
                    }
                    Event::DeliveryUpdate { id, state, .. } if unconfirmed.contains(id) && state.is_final() => {
                        unconfirmed.remove(id);
                        if let DeliveryState::Failed { reason, .. } = state {
                            failed += 1;
                            say(&format!("not delivered: {reason}"));
                        }
                        if request.json {
                            print_event_json(&event);
                        }
                    }
                    Event::ChatUpdate { session: s, state, .. } if *s == session && state.is_final() => {
                        if request.json {
                            print_event_json(&event);
                        } else if let Some(text) = output::event_text(&event) {
                            say(&text);
                        }
                        if !closing {
                            // The peer (or the network) ended it.
                            return if failed == 0 { Ok(()) } else { Err(CliError::Refused(format!("{failed} message(s) were not delivered"))) };
                        }
                        break;
                    }
                    Event::Stopped => break,
                    _ => {}
                }
            }
            _ = tokio::signal::ctrl_c(), if !closing => {
                closing = true;
                commands(Command::CloseChat { account: account.clone(), session });
            }
            () = drain, if !closing => {
                closing = true;
                commands(Command::CloseChat { account: account.clone(), session });
            }
        }
        if !stdin_open && unconfirmed.is_empty() && !closing {
            closing = true;
            commands(Command::CloseChat {
                account: account.clone(),
                session,
            });
        }
    }
    if failed + unconfirmed.len() > 0 {
        return Err(CliError::Refused(format!(
            "{} message(s) were not delivered",
            failed + unconfirmed.len()
        )));
    }
    Ok(())
}

fn print_event_json(event: &Event) {
    if let Some(v) = output::event_json(event) {
        print_line(&v.to_string());
    }
}

/// Waits until the account is registered (or listening).
async fn wait_ready(events: &mut Events, account: &AccountId) -> Result<(), CliError> {
    let deadline = tokio::time::Instant::now() + READY_TIMEOUT;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .map_err(|_| CliError::Refused(format!("account {account} did not get ready in time")))?
            .ok_or_else(|| CliError::Refused("the runtime stopped".into()))?;
        if let Event::AccountState { account: a, state } = &event {
            if a != account {
                continue;
            }
            match state {
                RegistrationState::Registered { .. } | RegistrationState::Listening { .. } => return Ok(()),
                RegistrationState::Failed { reason, .. } | RegistrationState::Refused { reason } => {
                    return Err(CliError::Refused(format!("account {account}: {reason}")))
                }
                _ => {}
            }
        }
    }
}

/// Waits for the session to become active; states go to stderr.
async fn wait_open(
    events: &mut Events,
    account: &AccountId,
    request: &ChatRequest<'_>,
) -> Result<SessionId, CliError> {
    let deadline = tokio::time::Instant::now() + OPEN_TIMEOUT;
    loop {
        let event = tokio::time::timeout_at(deadline, events.recv())
            .await
            .map_err(|_| CliError::Refused("the chat did not open in time".into()))?
            .ok_or_else(|| CliError::Refused("the runtime stopped".into()))?;
        let Event::ChatUpdate {
            account: a,
            session,
            state,
            ..
        } = &event
        else {
            continue;
        };
        if a != account {
            continue;
        }
        if request.json {
            print_event_json(&event);
        } else if let Some(text) = output::event_text(&event) {
            say(&text);
        }
        match state {
            ChatState::Active { .. } => return Ok(*session),
            ChatState::Failed { reason } | ChatState::Ended { reason } => {
                return Err(CliError::Refused(reason.clone()))
            }
            _ => {}
        }
    }
}
