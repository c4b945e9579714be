//! The desktop window (binary only; the library never sees iced).
//!
//! ```text
//!   run ── loads config, starts the runtime, runs iced, then shuts down
//!    └─ App (app.rs)            routes messages, carries out actions
//!        ├─ bridge.rs           Subscription over the runtime's events
//!        ├─ Sidebar (sidebar/)  search, accounts, "New conversation", the list
//!        ├─ Conversations (conversation/)  threads from history + live events
//!        ├─ Pane (conversation/pane.rs)  the open conversation + composer
//!        ├─ Alerts (alerts/)    the alert banner and the alert log
//!        └─ notifications.rs    desktop notifications, clicks as a Subscription
//! ```
//!
//! History: at start the app sends `LoadConversations`; opening a thread
//! sends `LoadMessages` (newest page) and `MarkRead`; "Load earlier
//! messages" or scrolling to the top asks the page before. Threads are keyed
//! by `store::conversation_key`, entries by `MessageId`, so history and live
//! events merge without doubles.
//!
//! Each component has its own `Message`, `update` (returning an `Action` for
//! the parent when the parent must act) and `view`.

mod alerts;
mod app;
mod bridge;
mod clock;
mod conversation;
mod i18n;
mod icon;
mod keys;
mod notifications;
mod settings;
mod sidebar;
mod state;
mod switcher;
mod theme;
mod widget;

use app::{App, Startup};
use bridge::EventSource;
use i18n::t;
use notifications::ActionSource;
use sipchat::cli::{self, Cli, CliError};
use sipchat::config::Config;
use sipchat::model::AccountId;
use sipchat::notify::Notifier;
use sipchat::runtime::{Runtime, RuntimeError, RuntimeOptions};
use state::WindowState;

/// Opens the window and runs until it is closed; then unregisters every
/// account (bounded by the runtime's shutdown timeout) and returns.
pub fn run(cli: &Cli) -> Result<(), CliError> {
    let open = cli.open.as_deref().map(cli::open::open_address).transpose()?;
    let (config, paths) = cli::load_config(cli)?;
    let state_file = WindowState::path_in(&paths.data_dir);
    let state = WindowState::load(&state_file);
    i18n::set_language(i18n::resolve(state.language));
    let accounts = account_order(&config);
    let sending = default_sending_account(&config);
    let (handle, events, notice) = start_runtime(config, &paths.data_dir)?;
    let source = EventSource::new(events);
    let window = window_settings(&state);

    let boot_handle = handle.clone();
    let result = iced::application(
        move || {
            // Started here, once per window: the boot function runs once.
            let (notifier, actions) = Notifier::start();
            App::new(
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
                    notify_actions: Some(ActionSource::new(actions)),
                },
            )
        },
        App::update,
        App::view,
    )
    .title(App::title)
    .theme(App::theme)
    .subscription(App::subscription)
    .window(window)
    .run();

    handle.shutdown();
    result.map_err(|e| CliError::Usage(format!("the window could not be shown: {e}")))
}

/// Starts the runtime. When another sipchat already holds the local port,
/// the local account listens on a free port instead and the window says so.
fn start_runtime(
    config: Config,
    data_dir: &std::path::Path,
) -> Result<(sipchat::Handle, sipchat::runtime::Events, Option<String>), CliError> {
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
            let notice = t!("notice-local-port", error = source.to_string());
            Ok((handle, events, Some(notice)))
        }
        Err(e) => Err(e.into()),
    }
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
