//! The desktop window (binary only; the library never sees iced).
//!
//! ```text
//!   run ── loads config, starts the runtime, runs iced, then shuts down
//!    └─ App (app/)              routes messages, carries out actions
//!        ├─ bridge.rs           Subscription over the runtime's events
//!        ├─ Sidebar (sidebar/)  search, accounts, "New conversation", the list
//!        ├─ Conversations (conversation/)  threads from history + live events
//!        ├─ Pane (conversation/pane.rs)  the open conversation + composer
//!        ├─ Alerts (alerts/)    the alert banner and the alert log
//!        ├─ Presences (presence/)  dots, our status, permission prompt, auto-away
//!        ├─ certificate_prompt.rs  trust an untrusted server certificate; changed-certificate warnings
//!        ├─ notifications.rs    desktop notifications, clicks as a Subscription
//!        ├─ picture.rs, avatar.rs  bounded picture decoding, contact photos (app/media_glue.rs)
//!        └─ background.rs, tray.rs, app/duty.rs  closing to the background, the tray icon
//! ```
//!
//! iced runs as a daemon: closing the window need not end the program, and
//! `--background` starts without one (`app/duty.rs`).
//!
//! History: at start the app sends `LoadConversations`; opening a thread
//! sends `LoadMessages` (newest page) and `MarkRead`; "Load earlier
//! messages" or scrolling to the top asks the page before. Threads are keyed
//! by `model::conversation_key`, entries by `MessageId`, so history and live
//! events merge without doubles.
//!
//! Each component has its own `Message`, `update` (returning an `Action` for
//! the parent when the parent must act) and `view`.

mod account_form;
mod account_settings;
mod alerts;
mod app;
mod avatar;
mod background;
mod bridge;
mod certificate_prompt;
mod clock;
mod contacts;
mod conversation;
mod emoji;
mod focus;
mod i18n;
mod icon;
mod keys;
mod links;
mod notifications;
mod palette;
mod picture;
mod presence;
mod restart;
mod settings;
mod sidebar;
mod single_instance;
mod state;
mod switcher;
mod theme;
mod transfers;
mod tray;
mod widget;
mod words;

use account_settings::AccountSettings;
use app::{App, Startup};
use bridge::EventSource;
use i18n::t;
use restart::{Restarted, Restarter};
use sidebar::accounts::Identity;
use sipchat::cli::Cli;
use sipchat::config::{accounts_path, load_accounts, Config, ConfigError};
use sipchat::model::AccountId;
use sipchat::notify::Notifier;
use sipchat::paths::Paths;
use sipchat::runtime::{Runtime, RuntimeError, RuntimeOptions};
use state::WindowState;
use std::sync::{Arc, Mutex};
use words::{w, Words};

/// Why the window could not run.
#[derive(Debug, thiserror::Error)]
pub enum UiError {
    /// Bad configuration or paths.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The runtime could not start.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// Another window could not be reached, nor this one become the window.
    #[error(transparent)]
    Instance(#[from] single_instance::InstanceError),
    /// iced could not show the window.
    #[error("the window could not be shown: {0}")]
    Window(#[from] iced::Error),
}

/// Opens the window (with a conversation with `open`, an address already
/// checked, when given) and runs until it is closed; then unregisters every
/// account (bounded by the runtime's shutdown timeout) and returns.
pub fn run(cli: &Cli, open: Option<String>) -> Result<(), UiError> {
    let loaded = sipchat::config::load(&cli.load_options())?;
    if let Some(notice) = loaded.notice() {
        eprintln!("sipchat: {notice}");
    }
    let (config, paths) = (loaded.config, loaded.paths);
    let state_file = WindowState::path_in(&paths.data_dir);
    let state = WindowState::load(&state_file);
    i18n::set_language(i18n::resolve(state.language));
    let instance = match claim_window(&paths.data_dir, open.as_deref())? {
        Some(listener) => listener,
        None => return Ok(()),
    };
    let accounts = account_order(&config);
    let sending = default_sending_account(&config);
    // The sending account's kept status first (the one the selector shows).
    let own_order: Vec<_> = sending.iter().chain(accounts.iter()).cloned().collect();
    let own_status = presence::saved(&paths.data_dir, &own_order);
    let settings = account_settings(&config, &paths);
    let boot_identities = identities(&config);
    let (handle, events, notice) = start_runtime(config, &paths.data_dir)?;
    // Commands on this data directory (`sipchat send`, ...) now go to this runtime.
    let events = instance.attach(handle.clone(), events)?;
    let source = EventSource::runtime(events);
    let window = window_settings(&state);
    let background = cli.background;
    // The runtime that runs now (a restart replaces it), to shut down at the end.
    let current = Arc::new(Mutex::new(handle.clone()));
    let restarter = restarter(
        Paths {
            config_file: paths.config_file.clone(),
            data_dir: paths.data_dir.clone(),
            config_explicit: paths.config_explicit,
        },
        current.clone(),
        instance.clone(),
    );
    let settings = Mutex::new(Some(settings));

    let boot_handle = handle.clone();
    let boot_instance = instance.clone();
    let result = iced::daemon(
        move || {
            // Started here, once per window: the boot function runs once.
            let (mut notifier, actions) = Notifier::start();
            notifier.planner().set_words(Box::new(notifications::Translated));
            let (mut app, task) = App::new(
                boot_handle.clone(),
                source.clone(),
                accounts.clone(),
                sending.clone(),
                Startup {
                    state: state.clone(),
                    state_file: Some(state_file.clone()),
                    open: open.clone(),
                    notice: notice.clone(),
                    notify: Some(Box::new(notifier)),
                    notify_actions: Some(notifications::action_source(actions)),
                    accounts: settings
                        .lock()
                        .ok()
                        .and_then(|mut s| s.take())
                        .unwrap_or_default(),
                    restart: Some(restarter.clone()),
                    instance: Some(boot_instance.clone()),
                    identities: boot_identities.clone(),
                    own_status: own_status.clone(),
                },
            );
            let duty = app.start_duty(window.clone(), background);
            (app, duty.chain(task))
        },
        App::update,
        app::duty::view,
    )
    .title(app::duty::title)
    .font(emoji::FONT_BYTES)
    .theme(app::duty::theme)
    .subscription(App::subscription)
    .run();

    let current = match current.lock() {
        Ok(current) => current.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    };
    current.shutdown();
    // The control socket and the outbox lock go once the runtime has stopped.
    drop(instance);
    result.map_err(UiError::from)
}

/// One instance per data directory: when a window already runs there, it
/// is handed `open` (or asked to come forward) and `None` says to exit; else
/// this process takes the outbox lock and serves the control socket.
fn claim_window(
    data_dir: &std::path::Path,
    open: Option<&str>,
) -> Result<Option<single_instance::Listener>, UiError> {
    use single_instance::{Claim, InstanceRequest, Listener};
    let request = match open {
        Some(address) => InstanceRequest::Open(address.to_string()),
        None => InstanceRequest::Show,
    };
    match single_instance::claim(data_dir, &request)? {
        Claim::First(lock) => Ok(Some(Listener::start(data_dir, lock)?)),
        Claim::Forwarded => {
            match open {
                Some(address) => eprintln!("sipchat: {}", t!("instance-opened", address = address)),
                None => eprintln!("sipchat: {}", t!("instance-shown")),
            }
            Ok(None)
        }
    }
}

/// Starts the runtime. When another sipchat already holds the local port,
/// the local account listens on a free port instead and the window says so.
fn start_runtime(
    config: Config,
    data_dir: &std::path::Path,
) -> Result<(sipchat::Handle, sipchat::runtime::Events, Option<Words>), UiError> {
    let port = config.local.port;
    let base = RuntimeOptions {
        data_dir: Some(data_dir.to_path_buf()),
        ..RuntimeOptions::default()
    };
    match Runtime::start(config.clone(), base.clone()) {
        Ok((handle, events)) => Ok((handle, events, None)),
        Err(RuntimeError::Transport { account, source }) if account == AccountId::LOCAL => {
            let options = RuntimeOptions {
                local_port: Some(0),
                ..base
            };
            let (handle, events) = Runtime::start(config, options)?;
            Ok((handle, events, Some(port_words(port, &source))))
        }
        Err(e) => Err(e.into()),
    }
}

/// Why the local account could not have its port, in words: taken by
/// another program, not allowed, or (rarely) what the system said.
fn port_words(port: u16, error: &(dyn std::error::Error + 'static)) -> Words {
    let mut cause = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::AddrInUse => return w!("notice-local-port-taken", port = port),
                std::io::ErrorKind::PermissionDenied => return w!("notice-local-port-denied", port = port),
                _ => {}
            }
        }
        cause = e.source();
    }
    w!("notice-local-port", error = error.to_string())
}

/// Settings > Accounts: which accounts come from the accounts file.
fn account_settings(config: &Config, paths: &Paths) -> AccountSettings {
    let file = accounts_path(&paths.config_file);
    // Config::load has read it already; an error would have stopped us there.
    let window = load_accounts(&file).unwrap_or_default();
    AccountSettings::new(config, window, Some(file))
}

/// Applies changed accounts: reads the configuration again (so a mistake
/// leaves the running runtime alone), shuts the runtime down (unregisters)
/// and starts a new one.
/// The control socket stays; handed-over work waits for the new runtime.
fn restarter(
    paths: Paths,
    current: Arc<Mutex<sipchat::Handle>>,
    instance: single_instance::Listener,
) -> Restarter {
    Restarter::new(move || {
        let (config, _) = Config::load_or_init(&paths).map_err(|e| e.to_string())?;
        let old = match current.lock() {
            Ok(current) => current.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        instance.detach();
        old.shutdown();
        let accounts = account_order(&config);
        let sending = default_sending_account(&config);
        let settings = account_settings(&config, &paths);
        let identities = identities(&config);
        let (handle, events, notice) = start_runtime(config, &paths.data_dir).map_err(|e| e.to_string())?;
        let events = instance
            .attach(handle.clone(), events)
            .map_err(|e| e.to_string())?;
        match current.lock() {
            Ok(mut current) => *current = handle.clone(),
            Err(poisoned) => *poisoned.into_inner() = handle.clone(),
        }
        Ok(Restarted {
            runtime: Box::new(handle),
            events: EventSource::runtime(events),
            accounts,
            sending,
            settings,
            notice,
            identities,
        })
    })
}

/// How each account is reached: a server account at its address of record,
/// the local one as its user at the address it listens on.
fn identities(config: &Config) -> Vec<(AccountId, Identity)> {
    let mut identities: Vec<(AccountId, Identity)> = config
        .enabled_accounts()
        .map(|a| (AccountId(a.name.clone()), Identity::Registered(a.uri.clone())))
        .collect();
    if config.local.enabled {
        identities.push((
            AccountId(AccountId::LOCAL.into()),
            Identity::Local {
                user: config.local.user.clone(),
            },
        ));
    }
    identities
}

/// Accounts as the configuration lists them, the local one last.
fn account_order(config: &Config) -> Vec<AccountId> {
    let mut ids: Vec<AccountId> = config
        .enabled_accounts()
        .map(|a| AccountId(a.name.clone()))
        .collect();
    if config.local.enabled {
        ids.push(AccountId(AccountId::LOCAL.into()));
    }
    ids
}

/// As the CLI chooses: the first enabled server account, else the local one.
fn default_sending_account(config: &Config) -> Option<AccountId> {
    account_order(config).into_iter().next()
}

/// The window as it was last time (size, and position where the platform
/// has one); closing is handled by the app, which saves its state first.
fn window_settings(state: &WindowState) -> iced::window::Settings {
    let position = match state.position {
        Some((x, y)) => iced::window::Position::Specific(iced::Point::new(x, y)),
        None => iced::window::Position::default(),
    };
    iced::window::Settings {
        size: iced::Size::new(state.width, state.height),
        position,
        min_size: Some(iced::Size::new(state::MIN_SIZE.0, state::MIN_SIZE.1)),
        exit_on_close_request: false,
        icon: icon::window_icon(),
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: sipchat::paths::APP_ID.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}
