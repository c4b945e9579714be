//! One instance per data directory, and the window is one.
//!
//! The window takes the data directory's outbox lock and serves its control
//! socket through [`sipchat::runtime::control::Server`], as `sipchat listen`
//! does: `sipchat send`, `send-file` and `ack-alert` hand their work to the
//! window's runtime, and a second `sipchat` started on the same data (a
//! `sip:` link clicked while the window is open, or the launcher pressed
//! again) hands the window its request (open a conversation, or come
//! forward) and exits, so the conversation opens where the user already is.
//! When `sipchat listen` owns the data directory, the window says so and
//! does not start. When the window restarts its runtime (accounts changed),
//! the socket stays; requests wait for the new runtime.

use crate::ui::bridge::Feed;
use iced::Subscription;
use sipchat::runtime::control::{self, Connection, ControlError, OutboxLock, Reply, Request, Server};
use sipchat::runtime::Events;
use sipchat::Handle;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::mpsc::unbounded_channel;

pub use sipchat::runtime::control::WindowRequest as InstanceRequest;

/// Why the window could not become the instance nor hand its request over.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    /// The lock or socket could not be used, or the instance did not answer.
    #[error(transparent)]
    Control(#[from] ControlError),
    /// The instance running on this data directory has no window (`listen`).
    #[error("the window cannot open on {data_dir}: {message}; stop it first, or use another data directory")]
    NoWindow {
        /// The data directory.
        data_dir: String,
        /// What the running instance said.
        message: String,
    },
}

/// The outcome of starting: we are the instance, or the window was told.
#[derive(Debug)]
pub enum Claim {
    /// Nothing runs on this data directory; this process holds its outbox
    /// lock and is the instance.
    First(OutboxLock),
    /// A window runs and took the request; this process should exit.
    Forwarded,
}

/// Hands `request` to the window running on `data_dir`, or takes the outbox
/// lock to become the instance (waiting while a one-shot command holds it).
pub fn claim(data_dir: &Path, request: &InstanceRequest) -> Result<Claim, InstanceError> {
    loop {
        if let Some(connection) = Connection::open(data_dir) {
            forward(connection, data_dir, request)?;
            return Ok(Claim::Forwarded);
        }
        let waiting =
            || tracing::warn!("waiting for another sipchat command on this data directory to finish");
        match control::lock_for_instance(data_dir, waiting) {
            Ok(lock) => return Ok(Claim::First(lock)),
            // Another instance came up meanwhile: hand it the request.
            Err(ControlError::Running(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

fn forward(
    mut connection: Connection,
    data_dir: &Path,
    request: &InstanceRequest,
) -> Result<(), InstanceError> {
    let request = match request {
        InstanceRequest::Show => Request::Show,
        InstanceRequest::Open(address) => Request::Open {
            address: address.clone(),
        },
    };
    connection.request(&request)?;
    match connection.next_reply(control::HANDSHAKE_TIMEOUT)? {
        Some(Reply::Ok) => Ok(()),
        Some(Reply::Error { message }) => Err(InstanceError::NoWindow {
            data_dir: data_dir.display().to_string(),
            message,
        }),
        other => Err(ControlError::Answer(format!("it answered {other:?}")).into()),
    }
}

/// The window's side of the control socket: requests for the window arrive
/// as a [`Subscription`]; the runtime that does the handed-over work is
/// attached (and re-attached after a restart). The socket file and the
/// lock go when the last clone is dropped.
#[derive(Clone)]
pub struct Listener {
    requests: Feed<InstanceRequest>,
    server: Arc<Server>,
}

impl Listener {
    /// Serves the control socket of `data_dir` under `lock`.
    pub fn start(data_dir: &Path, lock: OutboxLock) -> Result<Listener, InstanceError> {
        let (sender, receiver) = unbounded_channel();
        let server = Server::start(data_dir, lock, Some(sender))?;
        Ok(Listener {
            requests: Feed::new("sipchat-single-instance", receiver),
            server: Arc::new(server),
        })
    }

    /// Hands work to this runtime from now on; its events pass through to
    /// the returned receiver for the window.
    pub fn attach(&self, handle: Handle, events: Events) -> Result<Events, InstanceError> {
        Ok(self.server.attach(handle, events)?)
    }

    /// The runtime is being replaced: requests wait for the next one.
    pub fn detach(&self) {
        self.server.detach();
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listener({:?})", self.server)
    }
}

/// Every request another `sipchat` hands over, in order.
pub fn requests(listener: &Listener) -> Subscription<InstanceRequest> {
    listener.requests.subscription()
}

#[cfg(test)]
#[path = "single_instance_tests.rs"]
mod tests;
