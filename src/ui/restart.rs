//! Applying changed accounts: the runtime is shut down (unregistering
//! every account) and started again with the configuration as it now is on
//! disk, on a plain thread so the window keeps drawing; the app then swaps
//! in the new handle and event source (whose subscription identity is new,
//! so iced drops the old stream and starts the new one).

use crate::ui::account_settings::AccountSettings;
use crate::ui::app::Commands;
use crate::ui::bridge::EventSource;
use iced::futures::channel::oneshot;
use iced::Task;
use sipchat::model::AccountId;
use std::sync::{Arc, Mutex};

/// What a restart hands the window.
pub struct Restarted {
    /// Where commands go now.
    pub runtime: Box<dyn Commands + Send>,
    /// The new runtime's events.
    pub events: EventSource,
    /// Accounts in config order, the local one last.
    pub accounts: Vec<AccountId>,
    /// The default sending account.
    pub sending: Option<AccountId>,
    /// The accounts as Settings shows them, re-read.
    pub settings: AccountSettings,
    /// A notice to show (e.g. the local port was taken).
    pub notice: Option<crate::ui::words::Words>,
    /// How each account is reached.
    pub identities: Vec<(sipchat::model::AccountId, crate::ui::sidebar::accounts::Identity)>,
}

type RestartFn = dyn Fn() -> Result<Restarted, String> + Send + Sync;

/// Restarts the runtime (blocking; run through [`Restarter::task`]).
#[derive(Clone)]
pub struct Restarter(Arc<RestartFn>);

impl std::fmt::Debug for Restarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Restarter")
    }
}

impl Restarter {
    pub fn new(restart: impl Fn() -> Result<Restarted, String> + Send + Sync + 'static) -> Restarter {
        Restarter(Arc::new(restart))
    }

    /// Runs the restart on its own thread; the task yields its outcome.
    pub fn task(&self) -> Task<Outcome> {
        let restart = self.0.clone();
        let (tx, rx) = oneshot::channel();
        std::thread::spawn(move || {
            let _ = tx.send(restart());
        });
        Task::perform(rx, |result| {
            Outcome::new(result.unwrap_or_else(|_| Err("the restart thread ended early".into())))
        })
    }
}

/// The result of a restart, as a message can carry it (taken once).
#[derive(Clone)]
pub struct Outcome(Arc<Mutex<Option<Result<Restarted, String>>>>);

impl Outcome {
    pub fn new(result: Result<Restarted, String>) -> Outcome {
        Outcome(Arc::new(Mutex::new(Some(result))))
    }

    /// The result, the first time only.
    pub fn take(&self) -> Option<Result<Restarted, String>> {
        match self.0.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        }
    }
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Outcome")
    }
}
