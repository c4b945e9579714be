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
use tokio::sync::mpsc::UnboundedReceiver;

/// A channel's receiver parked until a [`Subscription`] takes it, once;
/// the stream then yields every item until the sender is dropped. `name`
/// and a generation (each [`Feed::new`] is a new one) make its identity,
/// so a replaced feed (a restarted runtime) starts a new subscription.
pub struct Feed<T> {
    slot: Arc<Mutex<Option<UnboundedReceiver<T>>>>,
    name: &'static str,
    generation: u64,
}

/// The runtime's events.
pub type EventSource = Feed<Event>;

/// Counts feeds, so a replacement's subscription differs.
static GENERATION: AtomicU64 = AtomicU64::new(0);

impl<T> Feed<T> {
    pub fn new(name: &'static str, receiver: UnboundedReceiver<T>) -> Feed<T> {
        Feed {
            slot: Arc::new(Mutex::new(Some(receiver))),
            name,
            generation: GENERATION.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The receiver, the first time only (the subscription's stream, or a test).
    pub fn take(&self) -> Option<UnboundedReceiver<T>> {
        match self.slot.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

impl<T: Send + 'static> Feed<T> {
    /// Every item, in order.
    pub fn subscription(&self) -> Subscription<T> {
        Subscription::run_with(self.clone(), feed_stream::<T>)
    }
}

impl Feed<Event> {
    /// The runtime's events (see the module doc).
    pub fn runtime(events: Events) -> EventSource {
        Feed::new("sipchat-runtime-events", events)
    }
}

impl<T> Clone for Feed<T> {
    fn clone(&self) -> Feed<T> {
        Feed {
            slot: self.slot.clone(),
            name: self.name,
            generation: self.generation,
        }
    }
}

impl<T> std::fmt::Debug for Feed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Feed({})", self.name)
    }
}

impl<T> Hash for Feed<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name.hash(state);
        self.generation.hash(state);
    }
}

/// Every runtime event, in order.
pub fn runtime_events(source: &EventSource) -> Subscription<Event> {
    source.subscription()
}

fn feed_stream<T: Send + 'static>(feed: &Feed<T>) -> impl Stream<Item = T> {
    stream::unfold(feed.take(), |receiver| async move {
        let mut receiver = receiver?;
        let item = receiver.recv().await?;
        Some((item, Some(receiver)))
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
        let source = EventSource::runtime(rx);
        let error = Event::Error {
            account: Some(AccountId("local".into())),
            message: "boom".into(),
        };
        let _ = tx.send(error.clone());
        let _ = tx.send(Event::Stopped);
        drop(tx);
        let got: Vec<Event> = block_on(feed_stream(&source).collect());
        assert_eq!(got, [error, Event::Stopped]);
        // A second start (should iced ever restart it) yields nothing.
        let again: Vec<Event> = block_on(feed_stream(&source).collect());
        assert!(again.is_empty());
    }
}
