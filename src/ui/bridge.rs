//! Bridges the runtime into iced.
//!
//! The runtime hands out one [`Events`] receiver. It is parked in an
//! [`EventSource`] (`Arc<Mutex<Option<_>>>`) and taken, once, by the stream
//! that a [`Subscription`] starts; the stream then yields every event until
//! the runtime drops its sender. The subscription's identity is constant
//! for one runtime, so iced starts it once and keeps it until the runtime
//! is restarted (accounts changed), when a new source replaces it.

use iced::futures::stream::{self, Stream};
use iced::Subscription;
use sipchat::runtime::{Event, Events};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The runtime's event receiver, waiting to be taken by the subscription,
/// and which runtime it belongs to (each [`EventSource::new`] is a new one).
#[derive(Clone)]
pub struct EventSource(Arc<Mutex<Option<Events>>>, u64);

/// Counts runtimes, so a restarted runtime's subscription differs.
static GENERATION: AtomicU64 = AtomicU64::new(0);

impl EventSource {
    pub fn new(events: Events) -> EventSource {
        let generation = GENERATION.fetch_add(1, Ordering::Relaxed);
        EventSource(Arc::new(Mutex::new(Some(events))), generation)
    }

    /// The receiver, the first time only.
    fn take(&self) -> Option<Events> {
        match self.0.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

impl std::fmt::Debug for EventSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EventSource")
    }
}

impl Hash for EventSource {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The identity changes only when the runtime is restarted.
        "sipchat-runtime-events".hash(state);
        self.1.hash(state);
    }
}

/// Every runtime event, in order.
pub fn runtime_events(source: &EventSource) -> Subscription<Event> {
    Subscription::run_with(source.clone(), event_stream)
}

fn event_stream(source: &EventSource) -> impl Stream<Item = Event> {
    stream::unfold(source.take(), |receiver| async move {
        let mut receiver = receiver?;
        let event = receiver.recv().await?;
        Some((event, Some(receiver)))
    })
}

/// Fires once on SIGINT or SIGTERM, so the window can close cleanly
/// (and unregister) when asked to by the session or a terminal.
pub fn termination() -> Subscription<()> {
    Subscription::run(termination_stream)
}

fn termination_stream() -> impl Stream<Item = ()> {
    stream::once(async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use iced::futures::{executor::block_on, StreamExt};
    use sipchat::model::AccountId;

    #[test]
    fn the_stream_drains_the_receiver_once_and_ends_with_the_runtime() {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let source = EventSource::new(rx);
        let error = Event::Error {
            account: Some(AccountId("local".into())),
            message: "boom".into(),
        };
        let _ = tx.send(error.clone());
        let _ = tx.send(Event::Stopped);
        drop(tx);
        let got: Vec<Event> = block_on(event_stream(&source).collect());
        assert_eq!(got, [error, Event::Stopped]);
        // A second start (should iced ever restart it) yields nothing.
        let again: Vec<Event> = block_on(event_stream(&source).collect());
        assert!(again.is_empty());
    }
}
