//! A `chat` through the running instance ([`super::Request::Chat`]): the
//! instance opens the session on its runtime; the client then writes
//! [`ChatInput`] lines (its stdin lines, or close) and reads
//! [`ChatStep`]s (the session's states, the peer's messages, the delivery
//! of its own). A client that hangs up closes the session (once it has
//! opened, when it hangs up before).

use super::{subscribe, write_reply, Reply, Shared, CLIENT_CHECK, MAX_LINE_BYTES};
use crate::model::{AccountId, ChatState, DeliveryState, IncomingMessage, MessageId, SessionId};
use crate::runtime::{Command, Event, Handle};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};

/// What the client of a chat writes after its [`super::Request::Chat`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum ChatInput {
    /// A line to send, under an id the client chose
    /// ([`crate::runtime::next_message_id`]).
    Line {
        /// The message's id.
        id: MessageId,
        /// The text.
        text: String,
    },
    /// End the session (BYE).
    Close,
}

/// What the instance tells the client of a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "chat", rename_all = "snake_case")]
pub enum ChatStep {
    /// The session's state ([`Event::ChatUpdate`]).
    Update {
        /// The session.
        session: SessionId,
        /// The peer.
        peer: String,
        /// Where it stands.
        state: ChatState,
    },
    /// The peer wrote ([`Event::MessageReceived`]).
    Received {
        /// The message.
        message: IncomingMessage,
    },
    /// A line of the client's reached a state ([`Event::DeliveryUpdate`]).
    Delivery {
        /// The line's id.
        id: MessageId,
        /// The peer.
        to: String,
        /// The state.
        state: DeliveryState,
    },
}

impl ChatStep {
    /// The event again, on the client's side.
    pub fn into_event(self, account: &AccountId) -> Event {
        match self {
            ChatStep::Update { session, peer, state } => Event::ChatUpdate {
                account: account.clone(),
                session,
                peer,
                state,
            },
            ChatStep::Received { message } => Event::MessageReceived(message),
            ChatStep::Delivery { id, to, state } => Event::DeliveryUpdate {
                id,
                account: account.clone(),
                to,
                state,
            },
        }
    }
}

/// What the client's reader thread and the serving thread share.
#[derive(Default)]
struct Session {
    id: Mutex<Option<SessionId>>,
    lines: Mutex<HashSet<MessageId>>,
    gone: AtomicBool,
}

impl Session {
    fn id(&self) -> Option<SessionId> {
        self.id.lock().ok().and_then(|id| *id)
    }
}

/// Serves one chat: opens it, passes its steps on, carries out the
/// client's lines; a client that hangs up closes the session.
pub(super) fn serve(
    mut stream: UnixStream,
    shared: &Shared,
    handle: &Handle,
    account: AccountId,
    peer: String,
) {
    let _span = tracing::info_span!("control_chat", account = %account).entered();
    let events = subscribe(shared);
    let session = Arc::new(Session::default());
    let opened = handle.send(Command::OpenChat {
        account: account.clone(),
        peer: peer.clone(),
    });
    let reading = match (opened, stream.try_clone()) {
        (Ok(()), Ok(reading)) => reading,
        _ => {
            let message = "the running sipchat instance is stopping".into();
            write_reply(&mut stream, &Reply::Error { message });
            return;
        }
    };
    {
        let (session, handle, account) = (session.clone(), handle.clone(), account.clone());
        let spawned = std::thread::Builder::new()
            .name("sipchat-control-chat".into())
            .spawn(move || read_inputs(reading, &session, &handle, &account));
        if spawned.is_err() {
            let message = "the running sipchat instance could not serve the chat".into();
            write_reply(&mut stream, &Reply::Error { message });
            return;
        }
    }
    loop {
        let event = match events.recv_timeout(CLIENT_CHECK) {
            Ok(Event::Stopped) | Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                let reason = "the running sipchat stopped".to_string();
                let step = ChatStep::Update {
                    session: session.id().unwrap_or(SessionId(0)),
                    peer,
                    state: ChatState::Ended { reason },
                };
                write_reply(&mut stream, &Reply::Chat { step });
                return;
            }
            Ok(event) => event,
            Err(std_mpsc::RecvTimeoutError::Timeout) => continue,
        };
        let had_session = session.id().is_some();
        let Some((step, last)) = step_of(event, &session, &account, &peer) else {
            continue;
        };
        if last {
            write_reply(&mut stream, &Reply::Chat { step });
            return;
        }
        // The client hung up before the session opened: close it now that it has.
        if session.gone.load(Ordering::SeqCst) {
            if let (false, Some(id)) = (had_session, session.id()) {
                let _ = handle.send(Command::CloseChat {
                    account: account.clone(),
                    session: id,
                });
            }
            continue;
        }
        if !write_reply(&mut stream, &Reply::Chat { step }) {
            return;
        }
    }
}

/// The step of an event of this chat, and whether it is the last.
fn step_of(event: Event, session: &Session, account: &AccountId, peer: &str) -> Option<(ChatStep, bool)> {
    match event {
        Event::ChatUpdate {
            account: a,
            session: s,
            peer: p,
            state,
        } if a == *account => {
            let mut ours = session.id.lock().ok()?;
            match *ours {
                Some(id) if id != s => return None,
                Some(_) => {}
                // The first session with this peer after the open is ours.
                None if p == peer => *ours = Some(s),
                None => return None,
            }
            let last = state.is_final();
            Some((
                ChatStep::Update {
                    session: s,
                    peer: p,
                    state,
                },
                last,
            ))
        }
        Event::MessageReceived(message) if message.session.is_some() && message.session == session.id() => {
            Some((ChatStep::Received { message }, false))
        }
        Event::DeliveryUpdate { id, to, state, .. }
            if session.lines.lock().map(|l| l.contains(&id)).unwrap_or(false) =>
        {
            Some((ChatStep::Delivery { id, to, state }, false))
        }
        _ => None,
    }
}

/// Carries out the client's lines until it closes or hangs up.
fn read_inputs(stream: UnixStream, session: &Session, handle: &Handle, account: &AccountId) {
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        let input = match (&mut reader).take(MAX_LINE_BYTES).read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) if !line.ends_with('\n') => None,
            Ok(_) => serde_json::from_str::<ChatInput>(&line).ok(),
        };
        let Some(session_id) = session.id() else {
            // Nothing to send on yet (the client waits for the session).
            if input.is_none() {
                session.gone.store(true, Ordering::SeqCst);
                return;
            }
            continue;
        };
        match input {
            Some(ChatInput::Line { id, text }) => {
                if let Ok(mut lines) = session.lines.lock() {
                    lines.insert(id);
                }
                let _ = handle.send(Command::SendChat {
                    id,
                    account: account.clone(),
                    session: session_id,
                    text,
                });
            }
            Some(ChatInput::Close) | None => {
                session.gone.store(input.is_none(), Ordering::SeqCst);
                let _ = handle.send(Command::CloseChat {
                    account: account.clone(),
                    session: session_id,
                });
                return;
            }
        }
    }
}
