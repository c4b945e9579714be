//! The desktop window (binary only; the library never sees iced).
//!
//! ```text
//!   run ── loads config, starts the runtime, runs iced, then shuts down
//!    └─ App (app.rs)            routes messages, carries out actions
//!        ├─ bridge.rs           Subscription over the runtime's events
//!        ├─ Sidebar (sidebar/)  search, accounts, "New conversation", the list
//!        ├─ Conversations (conversation/)  threads from history + live events
//!        └─ Pane (conversation/pane.rs)  the open conversation + composer
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

mod app;
mod bridge;
mod clock;
mod conversation;
mod icon;
mod sidebar;
mod theme;
mod widget;

use app::App;
use bridge::EventSource;
use sipchat::cli::{self, Cli, CliError};
use sipchat::config::Config;
use sipchat::model::AccountId;
use sipchat::runtime::{Runtime, RuntimeError, RuntimeOptions};

/// Opens the window and runs until it is closed; then unregisters every
/// account (bounded by the runtime's shutdown timeout) and returns.
pub fn run(cli: &Cli) -> Result<(), CliError> {
    let (config, paths) = cli::load_config(cli)?;
    let accounts = account_order(&config);
    let sending = default_sending_account(&config);
    let (handle, events, notice) = start_runtime(config, &paths.data_dir)?;
    let source = EventSource::new(events);

    let boot_handle = handle.clone();
    let result = iced::application(
        move || {
            App::new(
                boot_handle.clone(),
                source.clone(),
                accounts.clone(),
                sending.clone(),
                notice.clone(),
            )
        },
        App::update,
        App::view,
    )
    .title(App::title)
    .theme(App::theme)
    .subscription(App::subscription)
    .window(window_settings())
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
            let notice = format!(
                "The local account could not listen on its usual port ({source}); it uses another port instead."
            );
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

fn window_settings() -> iced::window::Settings {
    iced::window::Settings {
        size: iced::Size::new(1040.0, 700.0),
        min_size: Some(iced::Size::new(720.0, 460.0)),
        icon: icon::window_icon(),
        platform_specific: iced::window::settings::PlatformSpecific {
            application_id: sipchat::paths::APP_ID.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}
