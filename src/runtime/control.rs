//! The single-instance channel: one owner per outbox.
//!
//! A data directory has at most one process working its outbox:
//!
//! - An **instance** (the window or `sipchat listen`) takes the outbox lock
//!   ([`LOCK_NAME`], an exclusive `flock` the kernel drops when the process
//!   dies), starts its runtime and then serves the control socket
//!   ([`SOCKET_NAME`]) with [`Server`]. Another process that finds the
//!   socket answering hands its work over instead of starting a runtime.
//!   The window passes [`WindowRequest`]s (show, open a conversation) to
//!   its own loop; when it restarts its runtime it [`Server::detach`]es
//!   the old one and [`Server::attach`]es the new one, and requests that
//!   come meanwhile wait for it (up to [`ATTACH_PATIENCE`]). The window's
//!   events are relayed to it on a thread of their own; `listen` reads
//!   them in its loop ([`Server::attach_inline`], `relay.rs`).
//! - A **command** (`send`, `send-file`, `ack-alert`, `contacts add`, ...) first tries the socket
//!   ([`claim`]). When nobody answers it takes the lock itself and works
//!   alone; when another command holds the lock it waits, trying the socket
//!   again, so two processes never work the same outbox row.
//!
//! The protocol is JSON lines: the client writes one [`Request`], the
//! instance answers with [`Reply`] lines as things happen, the last one
//! final ([`Reply::is_last`]), then closes. A request line longer than
//! [`MAX_LINE_BYTES`] is refused.

use super::contact_book::{ContactChange, ContactOutcome};
use super::{Command, Event, Events, FileSendMode, Handle};
use crate::model::{AccountId, DeliveryState, MessageId};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

mod chat;
mod contacts;
mod presence;
mod relay;
mod requests;
mod transfer_step;

pub use chat::{ChatInput, ChatStep};
pub use presence::PresenceEntry;
pub use relay::AttachedEvents;
use requests::{ack_alert, send, send_file, set_status};
pub use transfer_step::{mode_name, mode_named, TransferStep};

/// The control socket's file name in the data directory.
pub const SOCKET_NAME: &str = "control.sock";
/// The outbox lock's file name in the data directory.
pub const LOCK_NAME: &str = "outbox.lock";
/// Longest request or reply line read; longer ones are refused.
pub const MAX_LINE_BYTES: u64 = 64 * 1024;
/// How long either side waits for the other's first line.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(3);
/// How often a waiting command looks again for an instance or the lock.
pub const CLAIM_POLL: Duration = Duration::from_millis(200);
/// How long a request waits for a runtime while none is attached (the
/// window restarting its runtime after the accounts changed).
/// Shorter than a `send`'s wait, so the client hears the refusal.
pub const ATTACH_PATIENCE: Duration = Duration::from_secs(30);
/// How often a server thread looks whether its client went away.
const CLIENT_CHECK: Duration = Duration::from_millis(500);

/// Why the control channel failed.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    /// The lock or socket file could not be used.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The running instance hung up or sent something unreadable.
    #[error("the running sipchat instance did not answer properly ({0})")]
    Answer(String),
    /// Another instance (window or `listen`) already runs on this data directory.
    #[error("another sipchat instance (the window or `sipchat listen`) already runs on {0}")]
    Running(String),
    /// Waited too long for another command to finish.
    #[error("another sipchat command on {0} did not finish in time")]
    Busy(String),
}

/// What a client asks the running instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Come forward (the window).
    Show,
    /// Open the conversation with this address (the window).
    Open {
        /// The address, already checked by the client.
        address: String,
    },
    /// Send a page-mode message from `account` and report its states.
    Send {
        /// Sending account.
        account: String,
        /// Recipient.
        to: String,
        /// The text.
        text: String,
    },
    /// Send a file from `account` and report its progress and outcome.
    SendFile {
        /// Sending account.
        account: String,
        /// Recipient.
        to: String,
        /// The file, as an absolute path the instance can read.
        path: PathBuf,
        /// `auto`, `session` or `page_mode` ([`mode_name`]).
        mode: String,
    },
    /// Open a chat from `account` with `to`; [`ChatInput`] lines follow.
    Chat {
        /// Account.
        account: String,
        /// The peer.
        to: String,
    },
    /// Acknowledge an emergency alert.
    AckAlert {
        /// The alert's number.
        id: i64,
    },
    /// Change the address book (`contacts add`, `block`, `import`, ...);
    /// files are named by absolute paths the instance can read.
    Contacts {
        /// The change.
        change: ContactChange,
    },
    /// Set our status (`sipchat status`) on one account or every one.
    SetStatus {
        /// The account; `None` for every running one.
        account: Option<String>,
        /// `available`, `away`, `busy` or `invisible`.
        status: String,
        /// A free note.
        note: Option<String>,
    },
    /// The presence of every watched address, as last heard
    /// (`contacts list`).
    Presence,
}

/// What the running instance answers, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reply", rename_all = "snake_case")]
pub enum Reply {
    /// Done (show, open).
    Ok,
    /// The message has this id; its states follow.
    Started {
        /// The message's id in the history.
        id: u64,
    },
    /// A state of the message.
    Delivery {
        /// The state.
        state: DeliveryState,
    },
    /// The message stays in the outbox: the account cannot reach its server
    /// now (the instance sends it once it can).
    Waiting {
        /// Why, in words.
        reason: String,
    },
    /// Our status took effect on an account (published when `published`).
    StatusSet {
        /// Which account.
        account: String,
        /// Whether the server took it.
        published: bool,
    },
    /// The alert was acknowledged at this time (Unix milliseconds).
    Acknowledged {
        /// When.
        at_ms: i64,
    },
    /// A step of a file being sent (after [`Reply::Started`] with the
    /// transfer's id).
    Transfer {
        /// What happened.
        step: TransferStep,
    },
    /// A step of a chat.
    Chat {
        /// What happened.
        step: ChatStep,
    },
    /// What a contact change did.
    Contacts {
        /// The outcome (a refusal names the mistake).
        outcome: ContactOutcome,
    },
    /// Every watched address's presence, as last heard.
    Presence {
        /// One per account and address.
        entries: Vec<PresenceEntry>,
    },
    /// The instance could not do it; in words.
    Error {
        /// What went wrong.
        message: String,
    },
}

impl Reply {
    /// Whether nothing follows this reply.
    pub fn is_last(&self) -> bool {
        match self {
            Reply::Started { .. } => false,
            Reply::Delivery { state } => ends_send(state),
            Reply::Transfer { step } => step.is_last(),
            Reply::Chat {
                step: ChatStep::Update { state, .. },
            } => state.is_final(),
            Reply::Chat { .. } => false,
            _ => true,
        }
    }
}

/// Whether a state ends a `send`: final, or kept in the outbox for a later try.
pub fn ends_send(state: &DeliveryState) -> bool {
    state.is_final() || matches!(state, DeliveryState::Retrying { .. })
}

/// The exclusive right to work a data directory's outbox; released when
/// dropped or when the process dies.
#[derive(Debug)]
pub struct OutboxLock {
    _file: File,
}

/// The lock file's path for a data directory.
pub fn lock_path(data_dir: &Path) -> PathBuf {
    data_dir.join(LOCK_NAME)
}

/// The control socket's path for a data directory.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Takes the outbox lock if nobody holds it.
pub fn try_lock(data_dir: &Path) -> Result<Option<OutboxLock>, ControlError> {
    let path = lock_path(data_dir);
    let io = |source| ControlError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(OutboxLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// A connection to the running instance.
#[derive(Debug)]
pub struct Connection {
    reader: BufReader<UnixStream>,
}

impl Connection {
    /// Connects to the instance on `data_dir`; `None` when none answers.
    pub fn open(data_dir: &Path) -> Option<Connection> {
        let stream = UnixStream::connect(socket_path(data_dir)).ok()?;
        Some(Connection {
            reader: BufReader::new(stream),
        })
    }

    /// Sends the request.
    pub fn request(&mut self, request: &Request) -> Result<(), ControlError> {
        let mut line = serde_json::to_string(request).map_err(|e| ControlError::Answer(e.to_string()))?;
        line.push('\n');
        let stream = self.reader.get_mut();
        stream
            .set_write_timeout(Some(HANDSHAKE_TIMEOUT))
            .and_then(|()| stream.write_all(line.as_bytes()))
            .map_err(|e| ControlError::Answer(e.to_string()))
    }

    /// A way to tell the instance, from another thread, that this client
    /// is done (Ctrl+C on a `send-file`): the instance sees the connection
    /// close and cancels; its last reply can still be read.
    pub fn hang_up_handle(&self) -> Result<HangUp, ControlError> {
        let stream = self
            .reader
            .get_ref()
            .try_clone()
            .map_err(|e| ControlError::Answer(e.to_string()))?;
        Ok(HangUp(stream))
    }

    /// The next reply, waiting at most `wait` (`None` when none came in time).
    pub fn next_reply(&mut self, wait: Duration) -> Result<Option<Reply>, ControlError> {
        let fail = |e: std::io::Error| ControlError::Answer(e.to_string());
        self.reader
            .get_ref()
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .map_err(fail)?;
        let mut line = String::new();
        match (&mut self.reader).take(MAX_LINE_BYTES).read_line(&mut line) {
            Ok(0) => Err(ControlError::Answer("it closed the connection".into())),
            Ok(_) if !line.ends_with('\n') => Err(ControlError::Answer("a reply was cut short".into())),
            Ok(_) => serde_json::from_str(&line)
                .map(Some)
                .map_err(|e| ControlError::Answer(e.to_string())),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(fail(e)),
        }
    }
}

impl Connection {
    /// A way to write a chat's [`ChatInput`] lines from another thread.
    pub fn chat_writer(&self) -> Result<ChatWriter, ControlError> {
        let stream = self
            .reader
            .get_ref()
            .try_clone()
            .map_err(|e| ControlError::Answer(e.to_string()))?;
        Ok(ChatWriter(stream))
    }
}

/// Writes a chat's [`ChatInput`] lines ([`Connection::chat_writer`]).
#[derive(Debug)]
pub struct ChatWriter(UnixStream);

impl ChatWriter {
    /// Sends one input to the instance.
    pub fn write(&self, input: &ChatInput) -> Result<(), ControlError> {
        let mut line = serde_json::to_string(input).map_err(|e| ControlError::Answer(e.to_string()))?;
        line.push('\n');
        (&self.0)
            .write_all(line.as_bytes())
            .map_err(|e| ControlError::Answer(e.to_string()))
    }
}

/// Closes a [`Connection`]'s sending half ([`Connection::hang_up_handle`]).
#[derive(Debug)]
pub struct HangUp(UnixStream);

impl HangUp {
    /// Hangs up: the instance stops the work it does for this client.
    pub fn hang_up(&self) {
        let _ = self.0.shutdown(std::net::Shutdown::Write);
    }
}

/// Who does a command's work.
#[derive(Debug)]
pub enum Claim {
    /// A running instance: hand the work over.
    Instance(Connection),
    /// Nobody: this process owns the outbox while it holds the lock.
    Owner(OutboxLock),
}

/// Finds who works the outbox of `data_dir` for a command: the running
/// instance, or this process under the lock. While another command holds
/// the lock, waits (calling `waiting` once) up to `patience`.
pub fn claim(data_dir: &Path, patience: Duration, mut waiting: impl FnMut()) -> Result<Claim, ControlError> {
    let deadline = Instant::now() + patience;
    let mut told = false;
    loop {
        if let Some(connection) = Connection::open(data_dir) {
            return Ok(Claim::Instance(connection));
        }
        if let Some(lock) = try_lock(data_dir)? {
            // An instance may have come up between the two looks.
            if let Some(connection) = Connection::open(data_dir) {
                return Ok(Claim::Instance(connection));
            }
            return Ok(Claim::Owner(lock));
        }
        if Instant::now() >= deadline {
            return Err(ControlError::Busy(data_dir.display().to_string()));
        }
        if !told {
            told = true;
            waiting();
        }
        std::thread::sleep(CLAIM_POLL);
    }
}

/// Takes the outbox lock for an instance: refuses when another instance
/// answers on the socket, waits (calling `waiting` once) while a command
/// holds the lock.
pub fn lock_for_instance(data_dir: &Path, mut waiting: impl FnMut()) -> Result<OutboxLock, ControlError> {
    let mut told = false;
    loop {
        if Connection::open(data_dir).is_some() {
            return Err(ControlError::Running(data_dir.display().to_string()));
        }
        if let Some(lock) = try_lock(data_dir)? {
            return Ok(lock);
        }
        if !told {
            told = true;
            waiting();
        }
        std::thread::sleep(CLAIM_POLL);
    }
}

/// What a window asks of itself through the channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowRequest {
    /// Come forward.
    Show,
    /// Open this conversation.
    Open(String),
}

/// The runtime the server currently hands work to, and who hears its events.
struct Shared {
    handle: Mutex<Option<Handle>>,
    listeners: Mutex<Vec<std_mpsc::Sender<Event>>>,
    /// How often the runtime was detached (replaced) so far.
    restarts: AtomicU64,
    window: Option<mpsc::UnboundedSender<WindowRequest>>,
    /// The contacts' presence as last heard from the attached runtime.
    presence: presence::PresenceCache,
}

/// Serves the control socket of an instance. Holds the outbox lock; the
/// socket file goes when the server is dropped.
pub struct Server {
    shared: Arc<Shared>,
    path: PathBuf,
    _lock: OutboxLock,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "control::Server({})", self.path.display())
    }
}

impl Server {
    /// Binds the socket of `data_dir` under `lock`. `window` receives `show`
    /// and `open` requests; without it (`listen`) they are refused.
    pub fn start(
        data_dir: &Path,
        lock: OutboxLock,
        window: Option<mpsc::UnboundedSender<WindowRequest>>,
    ) -> Result<Server, ControlError> {
        let path = socket_path(data_dir);
        // We hold the lock: a socket file here is a dead instance's.
        let _ = std::fs::remove_file(&path);
        let io = |source| ControlError::Io {
            path: path.clone(),
            source,
        };
        let socket = UnixListener::bind(&path).map_err(io)?;
        let shared = Arc::new(Shared {
            handle: Mutex::new(None),
            listeners: Mutex::new(Vec::new()),
            restarts: AtomicU64::new(0),
            window,
            presence: presence::PresenceCache::default(),
        });
        let serving = shared.clone();
        std::thread::Builder::new()
            .name("sipchat-control".into())
            .spawn(move || accept(socket, serving))
            .map_err(io)?;
        Ok(Server {
            shared,
            path,
            _lock: lock,
        })
    }

    /// Stops handing work to the current runtime (it is being replaced);
    /// requests wait for the next [`Server::attach`].
    pub fn detach(&self) {
        self.shared.restarts.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut current) = self.shared.handle.lock() {
            *current = None;
        }
    }

    /// Hands work to this runtime from now on, and passes its events
    /// through on a thread of their own: the returned receiver gets every
    /// event, as `events` would.
    pub fn attach(&self, handle: Handle, events: Events) -> Result<Events, ControlError> {
        let mut attached = self.attach_inline(handle, events);
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("sipchat-control-events".into())
            .spawn(move || {
                while let Some(event) = attached.blocking_recv() {
                    if tx.send(event).is_err() {
                        break;
                    }
                }
            })
            .map_err(|source| ControlError::Io {
                path: self.path.clone(),
                source,
            })?;
        Ok(rx)
    }

    /// Hands work to this runtime from now on; its events are passed on
    /// to the control channel as the caller reads them, so the caller must
    /// keep reading ([`AttachedEvents::recv`]) while it runs: for a loop
    /// that does nothing else (`sipchat listen`), without a thread between.
    pub fn attach_inline(&self, handle: Handle, events: Events) -> AttachedEvents {
        if let Ok(mut current) = self.shared.handle.lock() {
            *current = Some(handle);
        }
        self.shared.presence.clear();
        AttachedEvents::new(events, self.shared.clone())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn accept(socket: UnixListener, shared: Arc<Shared>) {
    for stream in socket.incoming() {
        let Ok(stream) = stream else { continue };
        let shared = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("sipchat-control-client".into())
            .spawn(move || serve_client(stream, &shared));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "a control request could not be served");
        }
    }
}

fn write_reply(stream: &mut UnixStream, reply: &Reply) -> bool {
    let Ok(mut line) = serde_json::to_string(reply) else {
        return false;
    };
    line.push('\n');
    stream.write_all(line.as_bytes()).is_ok()
}

fn read_request(stream: &UnixStream) -> Result<Request, ControlError> {
    stream
        .set_read_timeout(Some(HANDSHAKE_TIMEOUT))
        .map_err(|e| ControlError::Answer(e.to_string()))?;
    let mut line = String::new();
    BufReader::new(stream.take(MAX_LINE_BYTES))
        .read_line(&mut line)
        .map_err(|e| ControlError::Answer(e.to_string()))?;
    if !line.ends_with('\n') {
        return Err(ControlError::Answer(format!(
            "the request is longer than {MAX_LINE_BYTES} bytes or cut short"
        )));
    }
    serde_json::from_str(&line).map_err(|e| ControlError::Answer(format!("not a request: {e}")))
}

fn serve_client(mut stream: UnixStream, shared: &Shared) {
    let request = match read_request(&stream) {
        Ok(r) => r,
        Err(e) => {
            let message = e.to_string();
            write_reply(&mut stream, &Reply::Error { message });
            return;
        }
    };
    let handle = match request {
        Request::Show | Request::Open { .. } | Request::Presence => None,
        _ => attached(shared),
    };
    let reply = match (request, handle) {
        (Request::Show, _) => window_request(shared, WindowRequest::Show),
        (Request::Open { address }, _) => window_request(shared, WindowRequest::Open(address)),
        (Request::Presence, _) => shared.presence.reply(),
        (_, None) => Reply::Error {
            message: "the running sipchat instance has not started its accounts yet".into(),
        },
        (Request::Send { account, to, text }, Some(handle)) => {
            return send(stream, shared, &handle, AccountId(account), to, text)
        }
        (
            Request::SendFile {
                account,
                to,
                path,
                mode,
            },
            Some(handle),
        ) => match mode_named(&mode) {
            Some(mode) => {
                let account = AccountId(account);
                return send_file(stream, shared, &handle, &account, to, path, mode);
            }
            None => Reply::Error {
                message: format!("unknown file mode {mode:?}"),
            },
        },
        (Request::Chat { account, to }, Some(handle)) => {
            return chat::serve(stream, shared, &handle, AccountId(account), to)
        }
        (Request::AckAlert { id }, Some(handle)) => ack_alert(&stream, shared, &handle, id),
        (Request::Contacts { change }, Some(handle)) => contacts::serve(&stream, shared, &handle, change),
        (
            Request::SetStatus {
                account,
                status,
                note,
            },
            Some(handle),
        ) => set_status(&stream, shared, &handle, account, &status, note),
    };
    write_reply(&mut stream, &reply);
}

/// The runtime to hand work to, waiting while the window restarts its own.
fn attached(shared: &Shared) -> Option<Handle> {
    let deadline = Instant::now() + ATTACH_PATIENCE;
    loop {
        let handle = shared.handle.lock().ok().and_then(|h| h.clone());
        if handle.is_some() || Instant::now() >= deadline {
            return handle;
        }
        std::thread::sleep(CLAIM_POLL);
    }
}

fn window_request(shared: &Shared, request: WindowRequest) -> Reply {
    match &shared.window {
        Some(window) if window.send(request).is_ok() => Reply::Ok,
        _ => Reply::Error {
            message: "the running sipchat instance is `sipchat listen`, which has no window".into(),
        },
    }
}

/// Subscribes to the runtime's events for one request.
fn subscribe(shared: &Shared) -> std_mpsc::Receiver<Event> {
    let (tx, rx) = std_mpsc::channel();
    if let Ok(mut listeners) = shared.listeners.lock() {
        listeners.push(tx);
    }
    rx
}

/// Whether the client hung up (its end reads as closed).
fn client_gone(stream: &UnixStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return true;
    }
    let mut byte = [0u8; 1];
    let gone = matches!((&*stream).read(&mut byte), Ok(0));
    let _ = stream.set_nonblocking(false);
    gone
}

/// What a serving thread waits for.
enum Next {
    /// An event of the runtime.
    Event(Box<Event>),
    /// The client hung up.
    Gone,
    /// The runtime stopped.
    Stopped,
}

fn wait_next(events: &std_mpsc::Receiver<Event>, stream: &UnixStream) -> Next {
    loop {
        match events.recv_timeout(CLIENT_CHECK) {
            Ok(Event::Stopped) => return Next::Stopped,
            Ok(event) => return Next::Event(Box::new(event)),
            Err(std_mpsc::RecvTimeoutError::Timeout) => {
                if client_gone(stream) {
                    return Next::Gone;
                }
            }
            Err(std_mpsc::RecvTimeoutError::Disconnected) => return Next::Stopped,
        }
    }
}

/// The next event, or `None` when the client went or the runtime stopped.
fn next_event(events: &std_mpsc::Receiver<Event>, stream: &UnixStream) -> Option<Event> {
    match wait_next(events, stream) {
        Next::Event(event) => Some(*event),
        Next::Gone | Next::Stopped => None,
    }
}

#[cfg(test)]
mod tests;
