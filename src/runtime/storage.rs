//! The history store on its own thread: endpoints send it closures and
//! await the results, so SQLite's fsyncs never stall a network task.
//!
//! Incoming messages are committed in groups: the messages that arrive
//! while one commit is in flight wait in the queue and go into the next
//! commit together (one disk sync for all of them, at most
//! [`MAX_GROUP_COMMIT`]). Each one's result is handed back only after the
//! commit that holds it, so nothing is answered 200 before it is stored
//! (durable across a crash of sipchat; see [`crate::store`] on durability).
//! Jobs still run in the order they were queued: a job that is not an
//! incoming message ends the group and runs after its commit.
//!
//! The full-text index follows: [`INDEX_GAP`] after work, the store thread
//! indexes the messages stored meanwhile in one transaction of their own.
//!
//! The write-ahead log is copied into the database file by a second thread
//! with its own connection ([`crate::store::Checkpointer`]), nudged after
//! work and at most every [`CHECKPOINT_GAP`]: no commit waits for the bulk
//! of a checkpoint. Under steady load commits keep coming while it copies,
//! so it never copies the whole log, and only a log copied whole starts
//! again from its beginning: the log file would grow with every commit
//! (each commit's sync then also allocates blocks and writes the file's
//! size). So when the log has reached the end of the part written out
//! ahead ([`RESTART_LOG_PAGES`]) and the checkpoint thread left at most
//! [`FINISH_LOG_PAGES`], the store thread copies them itself between two
//! groups, where no commit runs, and the next commit starts the log again
//! from its beginning. Only then: the copy ends with a sync of the database
//! file, which the messages that arrive meanwhile wait for. When the log passes
//! [`MAX_LOG_PAGES`] (the checkpointer cannot catch up under a long burst)
//! the store thread checkpoints too, so the log stays bounded.

use crate::store::{Checkpointer, InsertOutcome, NewIncoming, Store, StoreError, MAX_INDEX_BATCH};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How long after work the store thread indexes the messages it stored
/// for search ([`Store::index_pending`]): the commits the 200s wait for
/// stay small, and the index gets one segment for many messages. Search
/// finds pending messages meanwhile.
pub(crate) const INDEX_GAP: Duration = Duration::from_millis(500);

/// Most incoming messages one group commit holds.
pub(crate) const MAX_GROUP_COMMIT: usize = 512;

/// The checkpointer waits this long after a nudge, so one checkpoint copies
/// the pages of many commits (each commit has synced the log already).
/// Traced, the slow answers to lone messages were the writer's appends to a
/// growing log (2-9 ms: the file's new size needs a journal commit). The log
/// file is now written out ahead ([`crate::store::PREPARED_LOG_BYTES`]) and
/// restarts from its beginning after each checkpoint that copies it whole,
/// so the gap bounds how far the log runs: lone messages at 1,000/s write
/// about 14,000 pages a second, a quarter second of them fits.
pub(crate) const CHECKPOINT_GAP: Duration = Duration::from_millis(250);

/// Checkpoints run back to back until one copies the whole log (a commit
/// during a checkpoint leaves its pages for the next one, and only a log
/// copied whole restarts from its beginning), at most this many. Each pass
/// syncs the database file; under steady load the second pass copies what
/// was committed during the first, and the store thread the rest.
pub(crate) const CHECKPOINT_PASSES: usize = 2;

/// Most pages the checkpoint thread may leave for the store thread to copy
/// between two groups (one sync of the database file, a few pages), so the
/// log starts again from its beginning.
pub(crate) const FINISH_LOG_PAGES: i64 = 1_024;

/// Pages of the log (4 KiB, each with its 24-byte frame header) that fit in
/// the part of the log file written out ahead
/// ([`crate::store::PREPARED_LOG_BYTES`]): past them the store thread
/// finishes what the checkpoint thread left, so the log starts again.
pub(crate) const RESTART_LOG_PAGES: i64 = 4_096;

/// Pages (4 KiB) the write-ahead log may hold before the store thread
/// checkpoints itself between groups (about 40 MiB).
pub(crate) const MAX_LOG_PAGES: i64 = 10_000;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

/// What to do with an incoming message's result once its commit is done;
/// `None` when it was never tried (the store thread is gone).
type Stored = Box<dyn FnOnce(Option<Result<InsertOutcome, StoreError>>) + Send>;

/// One piece of work for the store thread.
enum Work {
    Run(Job),
    Incoming { new: Box<NewIncoming>, done: Stored },
}

/// Why a store call did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store thread is gone (shutting down).
    #[error("the history store has stopped")]
    Gone,
}

/// A cheap handle to the store thread.
#[derive(Clone)]
pub(crate) struct StoreActor {
    jobs: std_mpsc::Sender<Work>,
}

impl StoreActor {
    /// Moves `store` onto a new thread, and its checkpoints onto another.
    pub(crate) fn spawn(mut store: Store) -> std::io::Result<StoreActor> {
        let (jobs, rx) = std_mpsc::channel::<Work>();
        let checkpoints = match store.checkpointer() {
            Ok(Some(checkpointer)) => Some(Checkpoints::spawn(checkpointer)?),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!("checkpoints stay inside commits: {e}");
                None
            }
        };
        std::thread::Builder::new()
            .name("sipchat-store".into())
            .spawn(move || serve(store, &rx, checkpoints.as_ref()))?;
        Ok(StoreActor { jobs })
    }

    /// Queues `job` on the store thread, which runs jobs in the order they
    /// were queued. `Err(job)` when the thread is gone.
    pub(crate) fn submit(&self, job: impl FnOnce(&mut Store) + Send + 'static) -> Result<(), StorageError> {
        self.jobs
            .send(Work::Run(Box::new(job)))
            .map_err(|_| StorageError::Gone)
    }

    /// Queues an incoming message for the next group commit; `done` gets
    /// its outcome after that commit (on the store thread), or `None` at
    /// once when the store thread is gone.
    pub(crate) fn submit_incoming(
        &self,
        new: Box<NewIncoming>,
        done: impl FnOnce(Option<Result<InsertOutcome, StoreError>>) + Send + 'static,
    ) {
        let work = Work::Incoming {
            new,
            done: Box::new(done),
        };
        if let Err(std_mpsc::SendError(Work::Incoming { done, .. })) = self.jobs.send(work) {
            done(None);
        }
    }

    /// Runs `f` on the store thread and returns its result.
    pub(crate) async fn call<R, F>(&self, f: F) -> Result<R, StorageError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = tx.send(f(store));
        });
        self.jobs.send(Work::Run(job)).map_err(|_| StorageError::Gone)?;
        Ok(rx.await.map_err(|_| StorageError::Gone)??)
    }
}

/// The store thread's side of the checkpoint thread.
struct Checkpoints {
    /// Wakes the checkpoint thread (holds at most one nudge).
    nudge: std_mpsc::SyncSender<()>,
    /// Pages of the log the last checkpoint left to copy.
    log_pages: Arc<AtomicI64>,
    /// Pages in the log at the last checkpoint.
    log_length: Arc<AtomicI64>,
    /// Set by the checkpoint thread when its passes left part of the log
    /// (commits kept coming): the store thread copies the rest once the log
    /// is long ([`RESTART_LOG_PAGES`]).
    unfinished: Arc<AtomicBool>,
}

impl Checkpoints {
    /// Starts the checkpoint thread; it ends when the store thread does.
    fn spawn(mut checkpointer: Checkpointer) -> std::io::Result<Checkpoints> {
        let (nudge, nudges) = std_mpsc::sync_channel::<()>(1);
        let log_pages = Arc::new(AtomicI64::new(0));
        let seen = Arc::clone(&log_pages);
        let log_length = Arc::new(AtomicI64::new(0));
        let length = Arc::clone(&log_length);
        let unfinished = Arc::new(AtomicBool::new(false));
        let left_over = Arc::clone(&unfinished);
        std::thread::Builder::new()
            .name("sipchat-checkpoint".into())
            .spawn(move || {
                match checkpointer.prepare_log() {
                    Ok(bytes) => tracing::debug!(bytes, "write-ahead log written out ahead"),
                    Err(e) => tracing::warn!("{e}"),
                }
                while nudges.recv().is_ok() {
                    std::thread::sleep(CHECKPOINT_GAP);
                    while nudges.try_recv().is_ok() {}
                    if !checkpoint_whole_log(&checkpointer, &seen, &length) {
                        left_over.store(true, Ordering::Relaxed);
                    }
                }
            })?;
        Ok(Checkpoints {
            nudge,
            log_pages,
            log_length,
            unfinished,
        })
    }

    /// After work that may have written: wakes the checkpoint thread, and
    /// checkpoints here (no commit runs now) to finish what it left, or
    /// when the log has grown past [`MAX_LOG_PAGES`].
    fn after_write(&self, store: &Store) {
        let left = self.log_pages.load(Ordering::Relaxed);
        let finish = left <= FINISH_LOG_PAGES
            && self.log_length.load(Ordering::Relaxed) >= RESTART_LOG_PAGES
            && self.unfinished.swap(false, Ordering::Relaxed);
        if finish || left > MAX_LOG_PAGES {
            match store.checkpoint() {
                Ok(done) => self
                    .log_pages
                    .store(done.log_pages - done.copied_pages, Ordering::Relaxed),
                Err(e) => tracing::warn!("{e}"),
            }
        }
        let _ = self.nudge.try_send(());
    }
}

/// Checkpoints until the whole log is copied (or [`CHECKPOINT_PASSES`]),
/// and leaves the pages still to copy in `left` and the log's pages in
/// `length`; whether it copied the whole log.
fn checkpoint_whole_log(checkpointer: &Checkpointer, left: &AtomicI64, length: &AtomicI64) -> bool {
    for _ in 0..CHECKPOINT_PASSES {
        match checkpointer.run() {
            Ok(done) => {
                left.store(done.log_pages - done.copied_pages, Ordering::Relaxed);
                length.store(done.log_pages, Ordering::Relaxed);
                if done.copied_pages >= done.log_pages {
                    return true;
                }
            }
            Err(e) => {
                tracing::warn!("{e}");
                return true;
            }
        }
    }
    false
}

/// Indexes pending messages for search; returns when to index again:
/// at once when more are pending, else `None` (until more work comes).
fn index_pending(store: &mut Store) -> Option<Instant> {
    match store.index_pending() {
        Ok(indexed) if indexed >= MAX_INDEX_BATCH => Some(Instant::now()),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    }
}

/// The store thread: runs work in queue order, grouping incoming messages
/// that wait together into one commit, and indexes what was stored
/// [`INDEX_GAP`] after work ([`Store::open`] indexes what a crash left).
fn serve(mut store: Store, rx: &std_mpsc::Receiver<Work>, checkpoints: Option<&Checkpoints>) {
    let mut next: Option<Work> = None;
    let mut index_due: Option<Instant> = None;
    // A group's rows and waiters, kept from group to group (no allocation per group).
    let mut rows: Vec<NewIncoming> = Vec::new();
    let mut dones: Vec<Stored> = Vec::new();
    loop {
        if index_due.is_some_and(|due| due <= Instant::now()) {
            index_due = index_pending(&mut store);
        }
        if let Some(checkpoints) = checkpoints {
            checkpoints.after_write(&store);
        }
        let work = match next.take() {
            Some(work) => work,
            None => {
                let waited = match index_due {
                    Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
                    None => rx.recv().map_err(|_| std_mpsc::RecvTimeoutError::Disconnected),
                };
                match waited {
                    Ok(work) => work,
                    Err(std_mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                        while index_pending(&mut store).is_some() {}
                        return;
                    }
                }
            }
        };
        if index_due.is_none() {
            index_due = Some(Instant::now() + INDEX_GAP);
        }
        match work {
            Work::Run(job) => job(&mut store),
            Work::Incoming { new, done } => {
                rows.push(*new);
                dones.push(done);
                while rows.len() < MAX_GROUP_COMMIT {
                    match rx.try_recv() {
                        Ok(Work::Incoming { new, done }) => {
                            rows.push(*new);
                            dones.push(done);
                        }
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                commit_group(&mut store, &rows, dones.drain(..));
                rows.clear();
            }
        }
    }
}

/// Stores a group of incoming messages in one transaction and hands each
/// its outcome after the commit. When the group fails, each message is
/// tried alone, so one bad message fails only itself.
fn commit_group(store: &mut Store, rows: &[NewIncoming], mut dones: impl Iterator<Item = Stored>) {
    let _span = tracing::debug_span!("group_commit", messages = rows.len()).entered();
    match store.insert_incoming_batch(rows) {
        Ok(outcomes) => {
            for (done, outcome) in dones.zip(outcomes) {
                done(Some(Ok(outcome)));
            }
        }
        Err(e) if rows.len() == 1 => {
            if let Some(done) = dones.next() {
                done(Some(Err(e)));
            }
        }
        Err(e) => {
            tracing::warn!(
                "a group of {} incoming messages failed ({e}); storing each alone",
                rows.len()
            );
            for (done, row) in dones.zip(rows) {
                done(Some(store.insert_incoming(row)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn incoming(n: u32) -> NewIncoming {
        NewIncoming {
            id: None,
            account: "local".into(),
            peer_key: "sip:alice@example.org".into(),
            peer_address: "sip:alice@example.org".into(),
            display_name: None,
            call_id: Some(format!("group-{n}")),
            from_tag: Some("tag".into()),
            cseq: Some(1),
            remote_message_id: None,
            content_type: "text/plain".into(),
            body: format!("message {n}"),
            file_ref: None,
            sent_at: None,
            received_at: i64::from(n),
        }
    }

    #[test]
    fn results_come_after_the_commit_and_in_order() {
        let store = Store::open_in_memory().unwrap();
        let actor = StoreActor::spawn(store).unwrap();
        let (tx, rx) = std_mpsc::channel();
        // Hold the thread so the messages queue up behind this job.
        let (release, held) = std_mpsc::channel::<()>();
        actor
            .submit(move |_| {
                let _ = held.recv();
            })
            .unwrap();
        for n in 0..100u32 {
            let tx = tx.clone();
            let new = incoming(n);
            actor.submit_incoming(Box::new(new), move |result| {
                let _ = tx.send((n, result.map(|r| r.is_ok())));
            });
        }
        let tx_last = tx.clone();
        actor
            .submit(move |store| {
                let _ = tx_last.send((1_000, Some(store.max_message_id().is_ok())));
            })
            .unwrap();
        release.send(()).unwrap();
        let got: Vec<_> = (0..101).map(|_| rx.recv().unwrap()).collect();
        let order: Vec<u32> = got.iter().map(|(n, _)| *n).collect();
        let mut want: Vec<u32> = (0..100).collect();
        want.push(1_000);
        assert_eq!(order, want);
        assert!(got.iter().all(|(_, ok)| *ok == Some(true)));
    }

    #[test]
    fn the_store_thread_finishes_a_checkpoint_so_the_log_starts_again() {
        // The pages that fit in the part of the log written out ahead.
        let frame = 4_096 + 24;
        assert_eq!(
            crate::store::PREPARED_LOG_BYTES,
            32 + RESTART_LOG_PAGES as u64 * frame
        );
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("history.sqlite3")).unwrap();
        let checkpointer = store.checkpointer().unwrap().expect("a file store has a log");
        store.insert_incoming(&incoming(1)).unwrap();
        let first = checkpointer.run().unwrap();
        assert_eq!(first.copied_pages, first.log_pages);
        // Two commits the checkpoint thread has not copied (under load it
        // never sees the log without a commit it has not copied).
        store.insert_incoming(&incoming(2)).unwrap();
        store.insert_incoming(&incoming(3)).unwrap();
        let (nudge, _nudges) = std_mpsc::sync_channel(1);
        let left = 2 * first.log_pages;
        let short = Checkpoints {
            nudge: nudge.clone(),
            log_pages: Arc::new(AtomicI64::new(left)),
            log_length: Arc::new(AtomicI64::new(3 * first.log_pages)),
            unfinished: Arc::new(AtomicBool::new(true)),
        };
        short.after_write(&store);
        assert_eq!(
            short.log_pages.load(Ordering::Relaxed),
            left,
            "a short log is left to the checkpoint thread"
        );
        // A log that has reached the end of the part written out ahead.
        let checkpoints = Checkpoints {
            nudge,
            log_pages: Arc::new(AtomicI64::new(left)),
            log_length: Arc::new(AtomicI64::new(RESTART_LOG_PAGES)),
            unfinished: Arc::new(AtomicBool::new(true)),
        };
        checkpoints.after_write(&store);
        assert!(!checkpoints.unfinished.load(Ordering::Relaxed));
        assert_eq!(checkpoints.log_pages.load(Ordering::Relaxed), 0);
        // The next commit starts the log again from its beginning: it
        // holds that commit's pages, not those of all three.
        store.insert_incoming(&incoming(4)).unwrap();
        let last = store.checkpoint().unwrap();
        assert!(
            last.log_pages < 2 * first.log_pages,
            "the log went on growing: {} pages after 3 commits of about {}",
            last.log_pages,
            first.log_pages
        );
    }

    #[test]
    fn the_store_thread_indexes_what_it_stored_by_itself() {
        let store = Store::open_in_memory().unwrap();
        let actor = StoreActor::spawn(store).unwrap();
        let (tx, rx) = std_mpsc::channel();
        for n in 0..10u32 {
            let tx = tx.clone();
            actor.submit_incoming(Box::new(incoming(n)), move |result| {
                let _ = tx.send(result.map(|r| r.is_ok()));
            });
        }
        for _ in 0..10 {
            assert_eq!(rx.recv().unwrap(), Some(true));
        }
        // No search, no more work: the pass comes after INDEX_GAP. The
        // deadline is generous; the figure that matters is in the bench.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let (tx, rx) = std_mpsc::channel();
            actor
                .submit(move |store| {
                    let _ = tx.send(store.pending_index_rows().unwrap());
                })
                .unwrap();
            if rx.recv().unwrap() == 0 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the stored messages were never indexed"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
