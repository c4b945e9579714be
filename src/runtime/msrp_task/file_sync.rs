//! Durable points of a file being received, made on a thread of their
//! own: the writer hands over "the first N bytes are written", the thread
//! syncs the file and then reports N as durable, and meanwhile the writer
//! goes on writing. A sync on a busy disk can take a few hundred
//! milliseconds; made in the writer's way, it stopped the whole transfer
//! for that long. One sync at a time: while one is under way, the writer
//! does not ask for another.

use std::fs::File;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use tokio::sync::mpsc;

/// The syncing thread of one received file.
pub(super) struct Syncer {
    requests: Option<SyncSender<u64>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
    busy: Arc<AtomicBool>,
}

impl Syncer {
    /// Starts the thread on a second handle of `file`; each durable point
    /// is stored in `shared` and sent on `durable`.
    pub(super) fn start(
        file: &File,
        durable: mpsc::UnboundedSender<u64>,
        shared: Arc<AtomicU64>,
    ) -> std::io::Result<Syncer> {
        let file = file.try_clone()?;
        let (requests, asked) = sync_channel::<u64>(1);
        let busy = Arc::new(AtomicBool::new(false));
        let working = busy.clone();
        let thread = std::thread::Builder::new()
            .name("sipchat-file-sync".into())
            .spawn(move || {
                while let Ok(offset) = asked.recv() {
                    let synced = file.sync_data();
                    working.store(false, Ordering::Release);
                    synced?;
                    shared.store(offset, Ordering::Relaxed);
                    let _ = durable.send(offset);
                }
                Ok(())
            })?;
        Ok(Syncer {
            requests: Some(requests),
            thread: Some(thread),
            busy,
        })
    }

    /// Whether a sync is under way.
    pub(super) fn busy(&self) -> bool {
        self.busy.load(Ordering::Acquire)
    }

    /// Asks for the first `offset` bytes, all written already, to be made
    /// durable. `false` when a sync is under way (nothing asked) or the
    /// thread has stopped (a sync failed: [`Syncer::finish`] says why).
    pub(super) fn request(&mut self, offset: u64) -> bool {
        if self.busy() {
            return false;
        }
        let Some(requests) = self.requests.as_ref() else {
            return false;
        };
        self.busy.store(true, Ordering::Release);
        if requests.try_send(offset).is_err() {
            self.busy.store(false, Ordering::Release);
            return false;
        }
        true
    }

    /// Waits for the sync under way, if any; the error of a failed one.
    pub(super) fn finish(mut self) -> std::io::Result<()> {
        self.requests = None;
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the file sync thread stopped"))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::Write;

    #[test]
    fn durable_points_are_reported_in_order_and_finish_waits_for_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = File::create(dir.path().join("f")).unwrap();
        let (tx, mut rx) = mpsc::unbounded_channel();
        let shared = Arc::new(AtomicU64::new(0));
        let mut syncer = Syncer::start(&file, tx, shared.clone()).unwrap();
        let mut asked = Vec::new();
        for n in 1..=20u64 {
            file.write_all(&[n as u8; 1000]).unwrap();
            if syncer.request(n * 1000) {
                asked.push(n * 1000);
            }
        }
        syncer.finish().unwrap();
        let mut reported = Vec::new();
        while let Ok(offset) = rx.try_recv() {
            reported.push(offset);
        }
        assert!(!asked.is_empty());
        assert_eq!(reported, asked, "every sync asked for is reported, in order");
        assert_eq!(shared.load(Ordering::Relaxed), *asked.last().unwrap());
    }
}
