//! The history store on its own thread: endpoints send it closures and
//! await the results, so SQLite's fsyncs never stall a network task.

use crate::store::{Store, StoreError};
use std::sync::mpsc as std_mpsc;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut Store) + Send>;

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
    jobs: std_mpsc::Sender<Job>,
}

impl StoreActor {
    /// Moves `store` onto a new thread.
    pub(crate) fn spawn(store: Store) -> std::io::Result<StoreActor> {
        let (jobs, rx) = std_mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sipchat-store".into())
            .spawn(move || {
                let mut store = store;
                while let Ok(job) = rx.recv() {
                    job(&mut store);
                }
            })?;
        Ok(StoreActor { jobs })
    }

    /// Queues `job` on the store thread, which runs jobs in the order they
    /// were queued. `Err(job)` when the thread is gone.
    pub(crate) fn submit(&self, job: impl FnOnce(&mut Store) + Send + 'static) -> Result<(), StorageError> {
        self.jobs.send(Box::new(job)).map_err(|_| StorageError::Gone)
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
        self.jobs.send(job).map_err(|_| StorageError::Gone)?;
        Ok(rx.await.map_err(|_| StorageError::Gone)??)
    }
}
