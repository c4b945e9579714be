//! Passing the attached runtime's events on: into the presence cache that
//! control clients read, to every request waiting for events, and to the
//! instance's own loop.
//!
//! The window reads its events on its own schedule, so [`Server::attach`]
//! relays them on a thread of its own. `sipchat listen` reads them in its
//! loop anyway: [`Server::attach_inline`] hands it [`AttachedEvents`],
//! which pass each event on as it is read, saving a thread wake-up and two
//! context switches per event.
//!
//! [`Server::attach`]: super::Server::attach
//! [`Server::attach_inline`]: super::Server::attach_inline

use super::Shared;
use crate::runtime::{Event, Events};
use std::sync::Arc;

/// The runtime's events, each passed on to the control channel as it is read.
pub struct AttachedEvents {
    events: Events,
    shared: Arc<Shared>,
}

impl std::fmt::Debug for AttachedEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("control::AttachedEvents")
    }
}

impl AttachedEvents {
    pub(super) fn new(events: Events, shared: Arc<Shared>) -> AttachedEvents {
        AttachedEvents { events, shared }
    }

    /// The next event, after the control channel has had it; `None` once
    /// the runtime has stopped.
    pub async fn recv(&mut self) -> Option<Event> {
        let event = self.events.recv().await?;
        pass_on(&self.shared, &event);
        Some(event)
    }

    /// As [`AttachedEvents::recv`], blocking the calling thread (not for
    /// async code).
    pub fn blocking_recv(&mut self) -> Option<Event> {
        let event = self.events.blocking_recv()?;
        pass_on(&self.shared, &event);
        Some(event)
    }
}

/// Remembers a contact's presence and hands `event` to the requests
/// waiting for events (those that hung up are dropped).
fn pass_on(shared: &Shared, event: &Event) {
    shared.presence.remember(event);
    if let Ok(mut listeners) = shared.listeners.lock() {
        if !listeners.is_empty() {
            listeners.retain(|listener| listener.send(event.clone()).is_ok());
        }
    }
}
