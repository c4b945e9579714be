//! One window per data directory. A second `sipchat` started on the same
//! data (a `sip:` link clicked while the window is open, or the launcher
//! pressed again) hands its request to the running window and exits, so
//! the conversation opens where the user already is.
//!
//! The running window listens on a Unix socket in its data directory.
//! A request is one line, `open <address>` or `show`, answered `ok`.
//! A socket nobody answers on is left over from a window that did not
//! exit cleanly; it is replaced.

use crate::ui::bridge::Feed;
use iced::Subscription;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};

/// The socket's file name in the data directory.
pub const SOCKET_NAME: &str = "window.sock";
/// Longest request line we read; longer ones are refused.
pub const MAX_REQUEST_BYTES: u64 = 4096;
/// How long either side waits for the other's line.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(3);

/// What another `sipchat` asks the running window to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstanceRequest {
    /// Open (or start) the conversation with this address, and come forward.
    Open(String),
    /// Come forward.
    Show,
}

impl InstanceRequest {
    fn to_line(&self) -> String {
        match self {
            InstanceRequest::Open(address) => format!("open {address}\n"),
            InstanceRequest::Show => "show\n".into(),
        }
    }

    fn parse(line: &str) -> Option<InstanceRequest> {
        let line = line.trim_end_matches(['\r', '\n']);
        if line == "show" {
            return Some(InstanceRequest::Show);
        }
        let address = line.strip_prefix("open ")?.trim();
        if address.is_empty() || address.chars().any(char::is_control) {
            return None;
        }
        Some(InstanceRequest::Open(address.to_string()))
    }
}

/// Why the running window could not be told.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The other window took the connection but did not answer `ok`.
    #[error("the running sipchat window did not answer ({0})")]
    NoAnswer(String),
}

/// The outcome of starting: we are the window, or the window was told.
#[derive(Debug)]
pub enum Claim {
    /// No window runs on this data directory; this process is it.
    /// `None` when the socket could not be made (the window still runs,
    /// only without this hand-over).
    First(Option<Listener>),
    /// A window runs and took the request; this process should exit.
    Forwarded,
}

/// The socket path for a data directory.
pub fn socket_path(data_dir: &Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Hands `request` to a window running on `data_dir`, or becomes that window.
pub fn claim(data_dir: &Path, request: &InstanceRequest) -> Result<Claim, InstanceError> {
    let path = socket_path(data_dir);
    match UnixStream::connect(&path) {
        Ok(stream) => {
            forward(stream, request)?;
            Ok(Claim::Forwarded)
        }
        Err(_) => {
            // Nobody answers: no window, or a socket left behind by one.
            let _ = std::fs::remove_file(&path);
            Ok(Claim::First(Listener::bind(path)))
        }
    }
}

fn forward(mut stream: UnixStream, request: &InstanceRequest) -> Result<(), InstanceError> {
    let fail = |e: std::io::Error| InstanceError::NoAnswer(e.to_string());
    stream.set_read_timeout(Some(REQUEST_TIMEOUT)).map_err(fail)?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT)).map_err(fail)?;
    stream.write_all(request.to_line().as_bytes()).map_err(fail)?;
    let mut answer = String::new();
    BufReader::new(stream.take(MAX_REQUEST_BYTES))
        .read_line(&mut answer)
        .map_err(fail)?;
    if answer.trim_end() == "ok" {
        Ok(())
    } else {
        Err(InstanceError::NoAnswer(format!(
            "it said {:?}",
            answer.trim_end()
        )))
    }
}

/// The running window's socket: requests arrive as a [`Subscription`].
/// The socket file is removed when the listener is dropped.
#[derive(Clone)]
pub struct Listener {
    path: PathBuf,
    requests: Feed<InstanceRequest>,
    _owner: Arc<SocketFile>,
}

/// Removes the socket file when the last handle to the listener goes.
#[derive(Debug)]
struct SocketFile(PathBuf);

impl Drop for SocketFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Listener {
    fn bind(path: PathBuf) -> Option<Listener> {
        let socket = match UnixListener::bind(&path) {
            Ok(socket) => socket,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "no single-window socket; links will open a second window");
                return None;
            }
        };
        let (sender, receiver) = unbounded_channel();
        let accepted = std::thread::Builder::new()
            .name("sipchat-instance".into())
            .spawn(move || serve(socket, sender));
        if let Err(e) = accepted {
            tracing::warn!(error = %e, "no single-window listener thread");
            let _ = std::fs::remove_file(&path);
            return None;
        }
        Some(Listener {
            path: path.clone(),
            requests: Feed::new("sipchat-single-instance", receiver),
            _owner: Arc::new(SocketFile(path)),
        })
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listener({})", self.path.display())
    }
}

/// Accepts connections until the window goes (the receiver is dropped).
fn serve(socket: UnixListener, requests: UnboundedSender<InstanceRequest>) {
    for stream in socket.incoming() {
        let Ok(stream) = stream else { continue };
        match answer(stream) {
            Some(request) => {
                if requests.send(request).is_err() {
                    return;
                }
            }
            None => tracing::debug!("ignored a malformed single-window request"),
        }
    }
}

fn answer(stream: UnixStream) -> Option<InstanceRequest> {
    stream.set_read_timeout(Some(REQUEST_TIMEOUT)).ok()?;
    stream.set_write_timeout(Some(REQUEST_TIMEOUT)).ok()?;
    let mut line = String::new();
    let mut reader = BufReader::new((&stream).take(MAX_REQUEST_BYTES));
    reader.read_line(&mut line).ok()?;
    // A line cut at the limit (no end) is refused, not taken in part.
    let request = line
        .ends_with('\n')
        .then(|| InstanceRequest::parse(&line))
        .flatten();
    let reply: &[u8] = if request.is_some() { b"ok\n" } else { b"error\n" };
    let _ = (&stream).write_all(reply);
    request
}

/// Every request another `sipchat` hands over, in order.
pub fn requests(listener: &Listener) -> Subscription<InstanceRequest> {
    listener.requests.subscription()
}

#[cfg(test)]
#[path = "single_instance_tests.rs"]
mod tests;
