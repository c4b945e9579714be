//! Headless commands over the same runtime [`Handle`](crate::runtime::Handle)
//! the GUI uses: `listen`, `send`, `chat`, `history` and `contacts`.
//!
//! Exit codes: 0 delivered (or done), 1 the peer or server refused and the
//! message will never be sent later (its row says failed), 2 usage or
//! configuration error, 3 kept in the outbox: it will be sent later (by the
//! running instance, or the next `sipchat listen` or window on the data
//! directory).
//!
//! One owner per outbox ([`crate::runtime::control`]): with an instance
//! (the window or `listen`) running on the data directory, `send`,
//! `send-file`, `chat` and `ack-alert` hand their work to it and print its
//! outcome as it happens; with none, `send` and `send-file` take the outbox
//! lock and work only their own message or file (waiting while another
//! command holds the lock), and `chat` runs its own runtime (own rows only).

pub mod chat;
pub mod contacts;
mod handover;
pub mod history;
mod listen;
pub mod open;
pub mod output;
pub mod send_file;
pub mod status;

use crate::config::{Config, ConfigError, LoadOptions};
use crate::model::{AccountId, DeliveryState};
use crate::paths::Paths;
use crate::runtime::control::{self, Claim, Connection};
use crate::runtime::{Event, Events, Handle, Runtime, RuntimeError, RuntimeOptions};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the peer or the server refused.
pub const EXIT_REFUSED: u8 = 1;
/// Exit code: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
/// Exit code: kept in the outbox; it will be sent later.
pub const EXIT_KEPT: u8 = 3;

/// How long a command waits while another command works the outbox.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(120);

/// Threads for `listen`'s network and protocol work unless `--io-threads`
/// says otherwise. One: a lone message then wakes one network thread, not
/// two that hand it between them (measured: about 1 context switch less
/// per message over UDP at 2,000/s, and no loss of rate at 10,000/s).
pub const LISTEN_IO_THREADS: usize = 1;

/// Longest a `send` waits for the outcome (Timer F plus connecting).
pub const SEND_TIMEOUT: Duration = Duration::from_secs(45);

/// The exit codes, for `--help`.
pub const EXIT_CODES: &str = "Exit codes:\n  \
  0  delivered (accepted by the recipient, or stored by the server for later delivery)\n  \
  1  refused by the peer or the server; it will never be sent later\n  \
  2  usage or configuration error\n  \
  3  kept in the outbox: it will be sent later by the running sipchat (window or listen), \
or the next one started on this data directory";

/// sipchat: chat over SIP SIMPLE and MSRP.
#[derive(Debug, Parser)]
#[command(name = "sipchat", version, about, long_about = None, after_help = EXIT_CODES)]
pub struct Cli {
    /// Configuration file (default: $SIPCHAT_CONFIG, else the XDG config dir).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory (default: $SIPCHAT_DATA_DIR, else the XDG data dir).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Open the window with a conversation with this address (sip:bob@example.org, sips:... or im:...).
    #[arg(value_name = "ADDRESS")]
    pub open: Option<String>,
    /// Start without opening the window (the tray icon, or nothing shown,
    /// until `sipchat` is started again); used by the autostart entry.
    #[arg(long, conflicts_with = "open")]
    pub background: bool,
    /// What to do; without a command the window opens.
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

impl Cli {
    /// Where to load the configuration from, as the flags say.
    pub fn load_options(&self) -> LoadOptions {
        LoadOptions {
            config_file: self.config.clone(),
            data_dir: self.data_dir.clone(),
        }
    }
}

/// Headless commands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Register and print every event until Ctrl+C (SIGINT) or SIGTERM, then unregister.
    Listen {
        /// Only this account (default: every enabled account and the local one).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// One JSON object per line instead of words.
        #[arg(long)]
        json: bool,
        /// Accept every chat session offered (MSRP) and print its messages.
        #[arg(long)]
        accept_chats: bool,
        /// Raise desktop notifications as the window would (alerts critical).
        #[arg(long)]
        notify: bool,
        /// Accept every file offered and save it in DIR (otherwise offers are printed and declined
        /// when listen stops).
        #[arg(long, value_name = "DIR")]
        accept_files: Option<PathBuf>,
        /// Watch this address's presence (repeatable) and print its changes.
        #[arg(long, value_name = "URI")]
        watch: Vec<String>,
        /// Threads for network and protocol work (the history has its own).
        #[arg(long, value_name = "N", default_value_t = LISTEN_IO_THREADS)]
        io_threads: usize,
    },
    /// Set our presence: published at once by a running window or `listen`
    /// on the data directory, else stored and published at the next start.
    Status {
        /// Only this account (default: every enabled account and the local one).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// A free note shown with the status.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Print the result as a JSON line.
        #[arg(long)]
        json: bool,
        /// available, away, busy or invisible.
        status: String,
    },
    /// Chat in an MSRP session: stdin lines go to the peer, the peer's lines
    /// print; EOF (Ctrl+D) ends it. With a window or `listen` running on the
    /// data directory, the session is that instance's.
    Chat {
        /// Account to use (default: the first enabled account, else `local`).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// JSON lines on stdout instead of text.
        #[arg(long)]
        json: bool,
        /// The peer, e.g. sip:bob@example.org.
        uri: String,
    },
    /// Send a page-mode MESSAGE; exits 0 only when a server or the recipient took it, 1 when
    /// refused (never sent later), 3 when kept in the outbox for a later try. With a window or
    /// `listen` running on the data directory, that instance sends it.
    #[command(after_help = EXIT_CODES)]
    Send {
        /// Sending account (default: the first enabled account, else `local`).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// Print the outcome as a JSON line.
        #[arg(long)]
        json: bool,
        /// Recipient, e.g. sip:bob@example.org or sip:bob@192.0.2.7:5062.
        uri: String,
        /// The text.
        text: String,
    },
    /// Send a file (RFC 5547 over MSRP) with a progress bar on stderr; exits 0 only when the
    /// recipient confirmed the whole file, 1 when refused or failed. With a window or `listen`
    /// running on the data directory, that instance sends it.
    #[command(after_help = EXIT_CODES)]
    SendFile {
        /// Sending account (default: the first enabled account, else `local`).
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// JSON lines (progress and outcome) on stdout instead of the bar.
        #[arg(long)]
        json: bool,
        /// Send the file inside a page-mode MESSAGE instead of a file session (at most 4096
        /// bytes; for peers without MSRP). Without it, a small file falls back to a message on
        /// its own when the peer takes no file sessions.
        #[arg(long, conflicts_with = "session_only")]
        page_mode: bool,
        /// Only a file session: never fall back to a page-mode MESSAGE.
        #[arg(long)]
        session_only: bool,
        /// Recipient, e.g. sip:bob@example.org or sip:bob@192.0.2.7:5062.
        uri: String,
        /// The file.
        path: PathBuf,
    },
    /// Show stored conversations, one conversation, or search all messages.
    History {
        /// Only the conversation with this address.
        #[arg(long, value_name = "SIP-URI")]
        with: Option<String>,
        /// Full-text search across all conversations.
        #[arg(long, value_name = "TEXT", conflicts_with = "export")]
        search: Option<String>,
        /// Only this account.
        #[arg(long, value_name = "NAME")]
        account: Option<String>,
        /// How many messages or results; when there are more, a line (JSON: a
        /// `history_cut` event with `"truncated": true`) says the list was cut.
        #[arg(long, default_value_t = history::DEFAULT_LIMIT, value_name = "N")]
        limit: usize,
        /// One JSON object per line.
        #[arg(long)]
        json: bool,
        /// Write the whole conversation (with --with) as a JSON document to FILE (- for stdout).
        #[arg(long, value_name = "FILE", requires = "with")]
        export: Option<PathBuf>,
        /// Show the emergency alert log (newest first, with acknowledgement times).
        #[arg(long, conflicts_with_all = ["with", "search", "export"])]
        alerts: bool,
        /// With --alerts: only alerts not acknowledged yet.
        #[arg(long, requires = "alerts")]
        unacknowledged: bool,
    },
    /// The address book: list, add, edit, remove, block, unblock, import, export (vCard 4).
    /// With a window or `listen` running on the data directory, changes go through it.
    Contacts(contacts::ContactsArgs),
    /// Acknowledge an emergency alert (its number is in `history --alerts`).
    AckAlert {
        /// The alert's number.
        id: i64,
        /// Print the result as a JSON line.
        #[arg(long)]
        json: bool,
    },
}

/// A failure that ends the command, with its exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad configuration or paths.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The paths could not be worked out.
    #[error(transparent)]
    Paths(#[from] crate::paths::PathsError),
    /// The runtime could not start.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// Refused by the peer or server (exit 1).
    #[error("{0}")]
    Refused(String),
    /// Kept in the outbox for a later try (exit 3).
    #[error("{0}")]
    Kept(String),
    /// The single-instance channel failed.
    #[error(transparent)]
    Control(#[from] crate::runtime::control::ControlError),
    /// Something else about the invocation (exit 2).
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Refused(_) => EXIT_REFUSED,
            CliError::Kept(_) => EXIT_KEPT,
            _ => EXIT_USAGE,
        }
    }
}

/// Loads the configuration ([`crate::config::load`]), telling the user
/// when an example was written on first run.
pub fn load_config(cli: &Cli) -> Result<(Config, Paths), CliError> {
    let loaded = crate::config::load(&cli.load_options())?;
    if let Some(notice) = loaded.notice() {
        eprintln!("sipchat: {notice}");
    }
    Ok((loaded.config, loaded.paths))
}

/// Runs a headless command.
pub fn run(cli: &Cli, command: &CliCommand) -> Result<(), CliError> {
    open::check_not_both(cli)?;
    let (config, paths) = load_config(cli)?;
    match command {
        CliCommand::Listen {
            account,
            json,
            accept_chats,
            notify,
            accept_files,
            watch,
            io_threads,
        } => listen::listen(
            config,
            &paths.data_dir,
            account.as_deref(),
            *json,
            *accept_chats,
            *notify,
            accept_files.clone(),
            watch.clone(),
            *io_threads,
        ),
        CliCommand::Status {
            account,
            note,
            json,
            status,
        } => status::run(
            &config,
            &paths.data_dir,
            &status::StatusRequest {
                account: account.as_deref(),
                status,
                note: note.as_deref(),
                json: *json,
            },
        ),
        CliCommand::SendFile {
            account,
            json,
            page_mode,
            session_only,
            uri,
            path,
        } => send_file::run(
            config,
            &paths.data_dir,
            &send_file::SendFileRequest {
                account: account.as_deref(),
                uri,
                path,
                json: *json,
                mode: match (*page_mode, *session_only) {
                    (true, _) => crate::runtime::FileSendMode::PageMode,
                    (false, true) => crate::runtime::FileSendMode::Session,
                    (false, false) => crate::runtime::FileSendMode::Auto,
                },
            },
        ),
        CliCommand::Chat { account, json, uri } => chat::run(
            config,
            &paths.data_dir,
            &chat::ChatRequest {
                account: account.as_deref(),
                uri,
                json: *json,
            },
        ),
        CliCommand::Contacts(args) => contacts::run(&paths.data_dir, args),
        CliCommand::AckAlert { id, json } => match Connection::open(&paths.data_dir) {
            Some(connection) => handover::acknowledge(connection, *id, *json),
            None => history::acknowledge(&paths.data_dir, *id, *json),
        },
        CliCommand::Send {
            account,
            json,
            uri,
            text,
        } => send(config, &paths.data_dir, account.as_deref(), uri, text, *json),
        CliCommand::History {
            with,
            search,
            account,
            limit,
            json,
            export,
            alerts,
            unacknowledged,
        } => history::run(
            &paths.data_dir,
            &history::HistoryRequest {
                with: with.clone(),
                search: search.clone(),
                account: account.clone(),
                limit: *limit,
                json: *json,
                export: export.clone(),
                alerts: *alerts,
                unacknowledged: *unacknowledged,
            },
        ),
    }
}

/// Picks the sending account: the named one, else the first enabled server
/// account, else the local one.
fn choose_account(config: &Config, name: Option<&str>) -> Result<AccountId, CliError> {
    match name {
        Some(n) if n == AccountId::LOCAL => {
            if config.local.enabled {
                Ok(AccountId(n.into()))
            } else {
                Err(CliError::Usage(
                    "the local account is disabled in the configuration".into(),
                ))
            }
        }
        Some(n) => Ok(AccountId(config.account(Some(n))?.name.clone())),
        None => match config.enabled_accounts().next() {
            Some(a) => Ok(AccountId(a.name.clone())),
            None if config.local.enabled => Ok(AccountId(AccountId::LOCAL.into())),
            None => Err(CliError::Usage(
                "no account is configured and the local account is disabled".into(),
            )),
        },
    }
}

fn send(
    config: Config,
    data_dir: &std::path::Path,
    account: Option<&str>,
    uri: &str,
    text: &str,
    json: bool,
) -> Result<(), CliError> {
    let account = choose_account(&config, account)?;
    let claim = control::claim(data_dir, LOCK_PATIENCE, || {
        eprintln!(
            "sipchat: another sipchat command is sending from this data directory; waiting for it to finish"
        );
    })?;
    let lock = match claim {
        Claim::Instance(connection) => return handover::send(connection, &account, uri, text, json),
        Claim::Owner(lock) => lock,
    };
    let (handle, mut events) = one_shot_runtime(config, data_dir, &account, true)?;
    let id = handle.send_message(&account, uri, text)?;
    let outcome = wait_for_outcome(&mut events, id, &account, uri, json);
    handle.shutdown();
    // Held until the runtime stopped: nobody else works the row meanwhile.
    drop(lock);
    outcome
}

/// A runtime for one command with one account: no registration, no
/// retries; the local account falls back to any free port when a listening
/// sipchat holds the configured one.
/// Its outbox works only the messages it queues itself; with `keep`, a
/// failure worth retrying stays in the outbox (exit 3) for the instance that
/// owns it.
pub(crate) fn one_shot_runtime(
    config: Config,
    data_dir: &std::path::Path,
    account: &AccountId,
    keep: bool,
) -> Result<(Handle, Events), CliError> {
    let mut options = RuntimeOptions {
        auto_register: false,
        local_account: account.is_local(),
        local_port: None,
        only_account: Some(account.0.clone()),
        data_dir: Some(data_dir.to_path_buf()),
        retries: keep,
        accept_chats: false,
        accept_files: None,
        refuse_sessions: false,
        omit_msrp_fingerprint: false,
        own_messages_only: true,
        watch: Vec::new(),
        io_threads: crate::runtime::DEFAULT_IO_THREADS,
    };
    // A one-shot send must not fail because a listening sipchat holds the
    // local port: fall back to any free port.
    let started = match Runtime::start(config.clone(), options.clone()) {
        Err(RuntimeError::Transport { .. }) if account.is_local() => {
            options.local_port = Some(0);
            Runtime::start(config, options)
        }
        other => other,
    };
    Ok(started?)
}

fn wait_for_outcome(
    events: &mut Events,
    id: crate::model::MessageId,
    account: &AccountId,
    to: &str,
    json: bool,
) -> Result<(), CliError> {
    let deadline = std::time::Instant::now() + SEND_TIMEOUT;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .map_err(|e| CliError::Usage(e.to_string()))?;
    let mut last = DeliveryState::Queued;
    rt.block_on(async {
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            let event = match tokio::time::timeout(left, events.recv()).await {
                Ok(Some(e)) => e,
                Ok(None) => return handover::unfinished(&last, false),
                Err(_) => return handover::unfinished(&last, false),
            };
            // The server's certificate is not trusted: say which and how to trust it.
            if let Event::CertificateUntrusted { account, certificate } = &event {
                if json {
                    if let Some(v) = output::event_json(&event) {
                        println!("{v}");
                    }
                }
                return Err(CliError::Refused(output::untrusted_lines(account, certificate)));
            }
            if let Event::CertificateChanged { .. } = &event {
                return Err(CliError::Refused(output::event_text(&event).unwrap_or_default()));
            }
            match &event {
                Event::DeliveryUpdate { id: got, state, .. } if *got == id => {
                    last = state.clone();
                    if control::ends_send(state) {
                        return handover::outcome(id, account, to, state, json, false);
                    }
                }
                Event::MessageWaiting { id: got, reason, .. } if *got == id => {
                    if json {
                        if let Some(v) = output::event_json(&event) {
                            println!("{v}");
                        }
                    }
                    return handover::waiting(reason, false);
                }
                _ => {}
            }
        }
    })
}
