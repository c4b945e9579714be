//! The background world, and the only API the UI and the CLI see:
//! [`Runtime::start`] gives a [`Handle`] to send [`Command`]s and a stream of
//! [`Event`]s. The runtime owns its own tokio runtime on its own thread.

pub mod account;
pub mod address;
pub mod blocking;
pub(crate) mod chats;
pub(crate) mod clock;
pub mod command;
pub mod contact_book;
pub mod control;
pub(crate) mod endpoint;
pub mod event;
pub(crate) mod files;
pub mod inbox;
pub mod instance;
pub(crate) mod msrp_session;
pub(crate) mod msrp_task;
pub mod outbox;
pub mod presence;
pub mod presence_file;
mod queries;
pub(crate) mod storage;
pub mod transfers;

pub use address::{Address, AddressError};
pub use command::{Command, FileSendMode};
pub use contact_book::{ContactChange, ContactChanged, ContactOutcome};
pub use event::{Event, TransferVia};

use crate::config::Config;
use crate::model::{AccountId, MessageId};
use endpoint::sessions::ChatCommand;
use endpoint::{AccountCommand, Endpoint};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// How long [`Handle::shutdown`] waits for accounts to unregister.
pub const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(6);

/// How the runtime should behave beyond the configuration.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// REGISTER accounts that have `register: true` (off for one-shot commands).
    pub auto_register: bool,
    /// Start the built-in local account (if enabled in the config).
    pub local_account: bool,
    /// Listen on this port instead of the configured one (0 = any free port).
    pub local_port: Option<u16>,
    /// Start only this account (and the local one if it is named); `None` = all enabled.
    pub only_account: Option<String>,
    /// Where the history lives (`history.sqlite3` inside); `None` keeps it in
    /// memory (tests, throw-away runs).
    pub data_dir: Option<std::path::PathBuf>,
    /// Retry failures worth retrying from the outbox (off for one-shot sends,
    /// whose first outcome is final).
    pub retries: bool,
    /// Accept every chat session offered to us (`listen --accept-chats`);
    /// otherwise offers wait for [`Command::AcceptChat`].
    pub accept_chats: bool,
    /// Accept every file offered to us into this directory
    /// (`listen --accept-files DIR`); otherwise offers wait for
    /// [`Command::AcceptTransfer`].
    pub accept_files: Option<std::path::PathBuf>,
    /// Answer every chat or file session offered to us with 488 Not
    /// Acceptable Here, as a client without MSRP does (files then come
    /// only inside page-mode MESSAGEs); off by default.
    pub refuse_sessions: bool,
    /// Leave `a=fingerprint` out of our `msrps` offers and answers, as
    /// Blink's MSRP stack does (for interop tests); off by default.
    pub omit_msrp_fingerprint: bool,
    /// Work only the messages this runtime queued itself: a one-shot
    /// command leaves every other outbox row (and the recovery of rows an
    /// earlier run left `sending`) to the instance that owns the outbox.
    pub own_messages_only: bool,
    /// Addresses every started account watches (`listen --watch`), beside
    /// the contacts of the address book, which every account watches on its
    /// own (those naming it, or none when it is the default account).
    pub watch: Vec<String>,
    /// Threads of the runtime's network and protocol work (the history has
    /// its own): [`DEFAULT_IO_THREADS`] unless a command asks otherwise.
    pub io_threads: usize,
}

/// Threads of the runtime's network and protocol work by default.
pub const DEFAULT_IO_THREADS: usize = 2;

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            auto_register: true,
            local_account: true,
            local_port: None,
            only_account: None,
            data_dir: None,
            retries: true,
            accept_chats: false,
            accept_files: None,
            refuse_sessions: false,
            omit_msrp_fingerprint: false,
            own_messages_only: false,
            watch: Vec::new(),
            io_threads: DEFAULT_IO_THREADS,
        }
    }
}

/// Why the runtime could not start or take a command.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    /// An account could not be set up.
    #[error(transparent)]
    Account(#[from] account::AccountError),
    /// A socket could not be opened.
    #[error("account \"{account}\": {source}")]
    Transport {
        /// Account name.
        account: String,
        /// The socket error.
        source: crate::transport::TransportError,
    },
    /// The runtime thread could not start.
    #[error("cannot start the runtime: {0}")]
    Start(String),
    /// The history could not be opened.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The runtime has stopped.
    #[error("the runtime has stopped")]
    Stopped,
}

/// The receiving end of the runtime's events.
pub type Events = mpsc::UnboundedReceiver<Event>;

/// The low bits of every id this process hands out: its process id, so
/// processes sharing a history never hand out the same id.
const PROCESS_BITS: u32 = 16;

/// The next sequence number (an id without its process bits). Starts at
/// the wall clock in milliseconds, above every stored id.
static MESSAGE_IDS: AtomicU64 = AtomicU64::new(0);

/// This process's part of every id it hands out.
fn process_part() -> u64 {
    u64::from(std::process::id()) & ((1 << PROCESS_BITS) - 1)
}

/// Raises the next sequence number to the clock (milliseconds) and above
/// `floor` (an id), so new ids are above every stored one.
fn raise_ids(floor: u64) {
    let time_based = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX >> PROCESS_BITS))
        .unwrap_or(1);
    let above_floor = (floor >> PROCESS_BITS).saturating_add(1);
    MESSAGE_IDS.fetch_max(time_based.max(above_floor), Ordering::Relaxed);
}

/// A message id unique across the processes sharing a history: a sequence
/// number that starts at the clock, above every stored id, in the high bits,
/// and this process's id in the low [`PROCESS_BITS`] bits.
pub fn next_message_id() -> MessageId {
    if MESSAGE_IDS.load(Ordering::Relaxed) == 0 {
        raise_ids(1);
    }
    let sequence = MESSAGE_IDS.fetch_add(1, Ordering::Relaxed);
    MessageId((sequence << PROCESS_BITS) | process_part())
}

/// Namespace for starting the runtime.
pub struct Runtime;

/// Sends commands to a running runtime. Cheap to clone.
#[derive(Clone)]
pub struct Handle {
    commands: mpsc::UnboundedSender<Command>,
    thread: Arc<Mutex<Option<std::thread::JoinHandle<()>>>>,
    /// The runtime's network threads, for [`Handle::spawn`].
    tasks: tokio::runtime::Handle,
}

impl Runtime {
    /// Starts the runtime thread, binds every account's sockets, and returns
    /// once they are ready (or with the first error).
    pub fn start(config: Config, options: RuntimeOptions) -> Result<(Handle, Events), RuntimeError> {
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let (event_tx, event_rx) = mpsc::unbounded_channel();
        let (ready_tx, ready_rx) = oneshot::channel();
        let io_threads = options.io_threads.max(1);
        let (tasks_tx, tasks_rx) = std::sync::mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("sipchat-runtime".into())
            .spawn(move || {
                let rt = match tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(io_threads)
                    .thread_name("sipchat-io")
                    .enable_all()
                    .build()
                {
                    Ok(rt) => rt,
                    Err(e) => {
                        let _ = ready_tx.send(Err(RuntimeError::Start(e.to_string())));
                        return;
                    }
                };
                let _ = tasks_tx.send(rt.handle().clone());
                rt.block_on(supervise(config, options, cmd_rx, event_tx, ready_tx));
                rt.shutdown_timeout(Duration::from_millis(200));
            })
            .map_err(|e| RuntimeError::Start(e.to_string()))?;
        match ready_rx.blocking_recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                let _ = thread.join();
                return Err(e);
            }
            Err(_) => return Err(RuntimeError::Start("runtime thread ended during start-up".into())),
        }
        let tasks = tasks_rx
            .recv()
            .map_err(|_| RuntimeError::Start("runtime thread ended during start-up".into()))?;
        Ok((
            Handle {
                commands: cmd_tx,
                thread: Arc::new(Mutex::new(Some(thread))),
                tasks,
            },
            event_rx,
        ))
    }
}

impl Handle {
    /// Sends a command.
    pub fn send(&self, command: Command) -> Result<(), RuntimeError> {
        self.commands.send(command).map_err(|_| RuntimeError::Stopped)
    }

    /// Runs `future` on the runtime's network threads, beside the
    /// accounts: a loop that reads the events there (`sipchat listen`)
    /// gets each one without a thread wake-up. It must not block. When the
    /// runtime has stopped, the future is dropped unrun.
    pub fn spawn<F>(&self, future: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: std::future::Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(future)
    }

    /// A fresh id for [`Command::SendMessage`].
    pub fn next_message_id(&self) -> MessageId {
        next_message_id()
    }

    /// A fresh number for [`Command::ChangeContacts`], unique across the
    /// processes sharing the data directory (the window and the command
    /// line's requests through the control channel never collide).
    pub fn next_request_id(&self) -> u64 {
        next_message_id().0
    }

    /// A fresh id for [`Command::SendFile`].
    pub fn next_transfer_id(&self) -> crate::model::TransferId {
        crate::model::TransferId(next_message_id().0)
    }

    /// Sends a page-mode message and returns its id.
    pub fn send_message(&self, account: &AccountId, to: &str, text: &str) -> Result<MessageId, RuntimeError> {
        let id = self.next_message_id();
        self.send(Command::SendMessage {
            id,
            account: account.clone(),
            to: to.to_string(),
            text: text.to_string(),
        })?;
        Ok(id)
    }

    /// Unregisters every account and waits (bounded) for the runtime to stop.
    /// Blocking: call it from a plain thread, not from async code.
    pub fn shutdown(&self) {
        let _ = self.commands.send(Command::Shutdown);
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}

async fn supervise(
    config: Config,
    options: RuntimeOptions,
    mut commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    ready: oneshot::Sender<Result<(), RuntimeError>>,
) {
    // Before the store: whether its history was there decides how an
    // install without a seed file gets one (instance.rs).
    let install_exists = options
        .data_dir
        .as_deref()
        .is_some_and(|dir| crate::store::Store::path_in(dir).exists());
    let instance_seed = instance::seed_for_run(options.data_dir.as_deref(), install_exists);
    let store = match open_store(&options, &config) {
        Ok(s) => s,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let blocked_keys = match store.call(|s| s.blocked_address_keys()).await {
        Ok(keys) => keys,
        Err(e) => {
            tracing::warn!("cannot read the block list: {e}");
            Vec::new()
        }
    };
    let (blocked, blocked_watch) = tokio::sync::watch::channel(blocking::BlockList::new(blocked_keys));
    let contacts = match store.call(|s| s.contacts()).await {
        Ok(contacts) => contacts,
        Err(e) => {
            tracing::warn!("cannot read the address book: {e}");
            Vec::new()
        }
    };
    let (book, book_watch) = tokio::sync::watch::channel(contacts);
    // Before the endpoints: they add contacts found on the XCAP server.
    let (queries, query_task) = queries::spawn(store.clone(), events.clone(), blocked, book);
    let endpoint_options = endpoint::EndpointOptions {
        auto_register: options.auto_register,
        retries: options.retries,
        data_dir: options.data_dir.clone(),
        instance_seed,
        own_messages_only: options.own_messages_only,
        blocked: blocked_watch,
        watch: options.watch.clone(),
        book: book_watch,
        default_account: default_account(&config, &options),
        contact_changes: queries.clone(),
    };
    let pins = recorded_pins(options.data_dir.as_deref(), &events);
    let mut accounts: HashMap<AccountId, mpsc::UnboundedSender<AccountCommand>> = HashMap::new();
    let mut tasks = Vec::new();
    let wanted = |name: &str| options.only_account.as_deref().is_none_or(|only| only == name);
    let mut setups = Vec::new();
    // Accounts that could not be set up (a password the keyring cannot
    // give yet, an unreadable CA file): when all accounts run, the others
    // start and these say why; a command for one account fails at once.
    let mut broken: HashMap<AccountId, String> = HashMap::new();
    for acc in config.enabled_accounts().filter(|a| wanted(&a.name)) {
        let mut acc = acc.clone();
        if acc.tls.fingerprint.is_none() {
            acc.tls.fingerprint = pins.get(&acc.name).cloned();
        }
        match account::server_setup(&acc) {
            Ok(s) => setups.push(s),
            Err(e) if options.only_account.is_none() => {
                tracing::warn!(account = %acc.name, "{e}");
                broken.insert(AccountId(acc.name.clone()), e.reason());
            }
            Err(e) => {
                let _ = ready.send(Err(e.into()));
                return;
            }
        }
    }
    if options.local_account && config.local.enabled && wanted(AccountId::LOCAL) {
        match account::local_setup(&config.local, options.local_port) {
            Ok(s) => setups.push(s),
            Err(e) => {
                let _ = ready.send(Err(e.into()));
                return;
            }
        }
    }
    // One pair of MSRP listeners for every account's chats. Without them
    // chats fail with words; messages still work.
    let hub = match msrp_hub(options.data_dir.as_deref()).await {
        Ok(h) => Some(h),
        Err(e) => {
            tracing::warn!("{e}");
            None
        }
    };
    for mut setup in setups {
        match &mut setup {
            account::AccountSetup::Server { chat, .. } | account::AccountSetup::Local { chat, .. } => {
                chat.auto_accept = options.accept_chats;
                chat.accept_files.clone_from(&options.accept_files);
                chat.refuse_sessions = options.refuse_sessions;
                chat.omit_fingerprint = options.omit_msrp_fingerprint;
            }
        }
        let name = match &setup {
            account::AccountSetup::Server { agent, .. } | account::AccountSetup::Local { agent, .. } => {
                agent.account.clone()
            }
        };
        match Endpoint::spawn(
            setup,
            endpoint_options.clone(),
            store.clone(),
            events.clone(),
            hub.clone(),
        )
        .await
        {
            Ok((tx, task)) => {
                accounts.insert(AccountId(name), tx);
                tasks.push(task);
            }
            Err(source) => {
                let _ = ready.send(Err(RuntimeError::Transport {
                    account: name,
                    source,
                }));
                return;
            }
        }
    }
    let _ = ready.send(Ok(()));
    for (account, reason) in &broken {
        let _ = events.send(Event::AccountState {
            account: account.clone(),
            state: crate::model::RegistrationState::Failed {
                reason: reason.clone(),
                retry_in_secs: 0,
            },
        });
    }

    tasks.push(query_task);
    while let Some(cmd) = commands.recv().await {
        // A watcher decision is kept with the contact; presence follows
        // the address book (the contact allowed, or blocked and refused).
        let cmd = match cmd {
            Command::DecideWatcher {
                account,
                watcher,
                allow,
            } => Command::ChangeContacts {
                request: next_message_id().0,
                change: Box::new(ContactChange::DecideWatcher {
                    account: Some(account),
                    address: watcher,
                    allow,
                }),
            },
            other => other,
        };
        let cmd = match queries::Query::from_command(cmd) {
            Ok(query) => {
                let _ = queries.send(query);
                continue;
            }
            Err(cmd) => cmd,
        };
        if let Command::SetStatus {
            account: None,
            status,
            note,
        } = &cmd
        {
            let saved = presence::SavedPresence {
                status: *status,
                note: note.clone(),
                ..Default::default()
            };
            for tx in accounts.values() {
                let _ = tx.send(AccountCommand::Presence(presence::PresenceInput::SetStatus(
                    saved.clone(),
                )));
            }
            continue;
        }
        let (account, forwarded) = match cmd {
            Command::Shutdown => break,
            Command::Watch { account, contact } => (
                account,
                AccountCommand::Presence(presence::PresenceInput::Watch(contact)),
            ),
            Command::Unwatch { account, contact } => (
                account,
                AccountCommand::Presence(presence::PresenceInput::Unwatch(contact)),
            ),
            Command::SetStatus {
                account: Some(account),
                status,
                note,
            } => (
                account,
                AccountCommand::Presence(presence::PresenceInput::SetStatus(presence::SavedPresence {
                    status,
                    note,
                    ..Default::default()
                })),
            ),
            Command::SetStatus { account: None, .. } => continue,
            Command::DecideWatcher { .. } => continue,
            Command::LoadConversations
            | Command::LoadMessages { .. }
            | Command::MarkRead { .. }
            | Command::Search { .. }
            | Command::AckAlert { .. }
            | Command::LoadAlerts { .. }
            | Command::LoadTransfers { .. }
            | Command::LoadContacts
            | Command::ChangeContacts { .. } => continue,
            Command::Register { account } => (account, AccountCommand::Register),
            Command::Unregister { account } => (account, AccountCommand::Unregister),
            Command::SendMessage {
                id,
                account,
                to,
                text,
            } => (account, AccountCommand::Send { id, to, text }),
            Command::RetryMessage { id, account } => (account, AccountCommand::Retry { id }),
            Command::TrustCertificate {
                account,
                fingerprint,
                always,
            } => (account, AccountCommand::TrustCertificate { fingerprint, always }),
            Command::OpenChat { account, peer } => {
                (account, AccountCommand::Chat(ChatCommand::Open { peer }))
            }
            Command::AcceptChat { account, session } => {
                (account, AccountCommand::Chat(ChatCommand::Accept { session }))
            }
            Command::DeclineChat { account, session } => {
                (account, AccountCommand::Chat(ChatCommand::Decline { session }))
            }
            Command::SendChat {
                id,
                account,
                session,
                text,
            } => (
                account,
                AccountCommand::Chat(ChatCommand::Send { id, session, text }),
            ),
            Command::SetComposing {
                account,
                session,
                active,
            } => (
                account,
                AccountCommand::Chat(ChatCommand::Composing { session, active }),
            ),
            Command::CloseChat { account, session } => {
                (account, AccountCommand::Chat(ChatCommand::Close { session }))
            }
            Command::SendFile {
                id,
                account,
                to,
                path,
                mode,
            } => (
                account,
                AccountCommand::Chat(ChatCommand::SendFile { id, to, path, mode }),
            ),
            Command::AcceptTransfer {
                account,
                transfer,
                dir,
            } => (
                account,
                AccountCommand::Chat(ChatCommand::AcceptFile { transfer, dir }),
            ),
            Command::DeclineTransfer { account, transfer } => (
                account,
                AccountCommand::Chat(ChatCommand::DeclineFile { transfer }),
            ),
            Command::CancelTransfer { account, transfer } => (
                account,
                AccountCommand::Chat(ChatCommand::CancelFile { transfer }),
            ),
        };
        match accounts.get(&account) {
            Some(tx) => {
                let _ = tx.send(forwarded);
            }
            None => {
                let message = match broken.get(&account) {
                    Some(reason) => format!("account \"{account}\" could not start: {reason}"),
                    None => format!("no account named \"{account}\" is running"),
                };
                if let AccountCommand::Chat(ChatCommand::SendFile { id, .. }) = &forwarded {
                    let _ = events.send(Event::TransferFailed {
                        transfer: *id,
                        reason: message.clone(),
                    });
                }
                if let AccountCommand::Send { id, to, .. } = forwarded {
                    let _ = events.send(Event::DeliveryUpdate {
                        id,
                        account: account.clone(),
                        to,
                        state: crate::model::DeliveryState::Failed {
                            code: None,
                            reason: message.clone(),
                        },
                    });
                }
                let _ = events.send(Event::Error {
                    account: Some(account),
                    message,
                });
            }
        }
    }
    for tx in accounts.values() {
        let _ = tx.send(AccountCommand::Shutdown);
    }
    drop(accounts);
    // The query worker ends when every sender is gone (the endpoints hold
    // theirs until they end).
    drop(endpoint_options);
    drop(queries);
    let all = futures_join_all(tasks);
    let _ = tokio::time::timeout(SHUTDOWN_TIMEOUT, all).await;
    let _ = events.send(Event::Stopped);
}

/// The account contacts without one of their own use: the first enabled
/// server account that runs, else the local one.
fn default_account(config: &Config, options: &RuntimeOptions) -> AccountId {
    let wanted = |name: &str| options.only_account.as_deref().is_none_or(|only| only == name);
    config
        .enabled_accounts()
        .find(|a| wanted(&a.name))
        .map(|a| AccountId(a.name.clone()))
        .unwrap_or_else(|| AccountId(AccountId::LOCAL.into()))
}

/// The certificates trusted with "Always trust" in earlier runs
/// ([`crate::config::certificate_pins`]); an unreadable file is reported and
/// trusts nothing.
fn recorded_pins(
    data_dir: Option<&std::path::Path>,
    events: &mpsc::UnboundedSender<Event>,
) -> crate::config::certificate_pins::Pins {
    let Some(dir) = data_dir else {
        return Default::default();
    };
    crate::config::certificate_pins::load_pins(dir).unwrap_or_else(|e| {
        tracing::warn!("{e}");
        let _ = events.send(Event::Error {
            account: None,
            message: e.to_string(),
        });
        Default::default()
    })
}

/// Opens the history and starts its thread; ids continue above the highest stored one.
fn open_store(options: &RuntimeOptions, config: &Config) -> Result<storage::StoreActor, RuntimeError> {
    let store = match &options.data_dir {
        Some(dir) => crate::store::Store::open(&crate::store::Store::path_in(dir))?,
        None => crate::store::Store::open_in_memory()?,
    };
    let highest = store.max_message_id()?;
    raise_ids(highest.0.saturating_add(1));
    let mut store = store;
    if !store.is_read_only() {
        let closed = store.fail_orphaned_outgoing(
            "not sent: sipchat stopped before the chat could deliver it",
            clock::now_ms(),
        )?;
        if !closed.is_empty() {
            tracing::info!(
                count = closed.len(),
                "chat messages left unsent by the last run marked failed"
            );
        }
        // Partial files: leftovers of a crash, and kept ones too old.
        let dirs: Vec<std::path::PathBuf> = options
            .accept_files
            .iter()
            .cloned()
            .chain(config.accounts.iter().filter_map(|a| a.download_dir.clone()))
            .collect();
        match transfers::resume::sweep_partials(&mut store, &dirs, clock::now_ms()) {
            Ok(sweep) if sweep != transfers::resume::Sweep::default() => {
                tracing::info!(?sweep, "partial files from earlier runs cleaned up");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("partial files could not be checked: {e}"),
        }
    }
    storage::StoreActor::spawn(store).map_err(|e| RuntimeError::Start(e.to_string()))
}

/// Starts the MSRP listeners with our certificate from the data directory
/// (made there at the first start); in memory, or when the file is
/// unusable (said in the log, the file left as it is), with a throwaway one.
async fn msrp_hub(
    data_dir: Option<&std::path::Path>,
) -> Result<
    std::sync::Arc<crate::transport::msrp::listener::MsrpHub>,
    crate::transport::msrp::listener::ListenerError,
> {
    use crate::transport::msrp::listener::MsrpHub;
    use crate::transport::msrp::tls::LocalIdentity;
    let Some(dir) = data_dir else {
        return MsrpHub::start().await;
    };
    match LocalIdentity::load_or_create(&dir.join(crate::paths::MSRP_CERTIFICATE_FILE_NAME)) {
        Ok(identity) => MsrpHub::start_with(identity).await,
        Err(e) => {
            tracing::warn!("{e}; using a temporary certificate for MSRP over TLS until it is fixed");
            MsrpHub::start().await
        }
    }
}

async fn futures_join_all(tasks: Vec<tokio::task::JoinHandle<()>>) {
    for t in tasks {
        let _ = t.await;
    }
}
