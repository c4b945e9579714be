//! The tray icon: a StatusNotifierItem with a com.canonical.dbusmenu menu
//! on the session bus, through `ksni` (pure-Rust zbus, on its own thread).
//!
//! The icon shows how many messages are unread and how many alerts are
//! open (in its tooltip, and as "needs attention" while an alert is open).
//! Its menu: open the window, "My status" (available, away, busy,
//! invisible; the current one marked), mute messages for an hour (or end
//! the mute), quit. Clicking the icon
//! opens the window. What the user chose comes back as [`TrayCommand`]s on
//! a Subscription; the words are the window's, handed over with each
//! [`Tray::show`] (translations live on the thread that runs `update`).
//!
//! [`Tray::start`] fails when the desktop has no StatusNotifierWatcher or
//! no tray host (ksni's `WontShow`): the window then asks, on the first
//! close, whether to keep running without an icon.

use crate::ui::bridge::Feed;
use iced::Subscription;
use ksni::blocking::TrayMethods;
use ksni::menu::{RadioGroup, RadioItem, StandardItem, SubMenu};
use ksni::{Icon, MenuItem, Status, ToolTip};
use sipchat::model::OwnStatus;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

/// The item's id (the spec asks for one unique to the application).
pub const TRAY_ID: &str = sipchat::paths::APP_ID;
/// The icon's name in the icon theme (installed with the desktop entry).
pub const ICON_NAME: &str = sipchat::paths::APP_ID;
/// The icon while an alert is open.
pub const ATTENTION_ICON_NAME: &str = "dialog-warning";

/// Why there is no tray icon.
#[derive(Debug, thiserror::Error)]
pub enum TrayError {
    /// No session bus, no StatusNotifierWatcher, or no host showing items.
    #[error("no tray icon: {0}")]
    Unavailable(#[from] ksni::Error),
}

/// A menu entry the user chose (or a click on the icon: [`TrayCommand::Open`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrayCommand {
    /// Open (or bring forward) the window.
    Open,
    /// Mute message notifications for an hour.
    MuteForAnHour,
    /// End the mute.
    Unmute,
    /// Unregister and quit.
    Quit,
    /// Set our status on every account.
    SetStatus(OwnStatus),
}

/// What the icon shows, in the window's words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrayView {
    /// Unread messages.
    pub unread: usize,
    /// Alerts not yet acknowledged.
    pub alerts: usize,
    /// Messages are muted.
    pub muted: bool,
    /// The tooltip's title ("sipchat").
    pub title: String,
    /// The tooltip's text ("3 unread messages, 1 open alert").
    pub summary: String,
    /// Menu labels.
    pub open: String,
    pub mute: String,
    pub unmute: String,
    pub quit: String,
    /// "My status" and the statuses' words, in [`STATUSES`] order.
    pub my_status: String,
    pub statuses: Vec<String>,
    /// Our status now.
    pub status: OwnStatus,
}

/// The statuses in the "My status" submenu, in order.
pub const STATUSES: [OwnStatus; 4] = [
    OwnStatus::Available,
    OwnStatus::Away,
    OwnStatus::Busy,
    OwnStatus::Invisible,
];

struct Item {
    view: TrayView,
    commands: UnboundedSender<TrayCommand>,
    /// The window's icon, for hosts that cannot find [`ICON_NAME`] (not
    /// installed).
    pixmap: Vec<Icon>,
}

/// The window's icon as the StatusNotifierItem spec wants pixels: ARGB32
/// in network byte order.
fn pixmap() -> Vec<Icon> {
    let (size, rgba) = crate::ui::icon::rgba();
    let data = rgba
        .chunks_exact(4)
        .flat_map(|px| [px[3], px[0], px[1], px[2]])
        .collect();
    let side = i32::try_from(size).unwrap_or(0);
    vec![Icon {
        width: side,
        height: side,
        data,
    }]
}

impl Item {
    fn send(&self, command: TrayCommand) {
        let _ = self.commands.send(command);
    }
}

impl ksni::Tray for Item {
    fn id(&self) -> String {
        TRAY_ID.into()
    }

    fn title(&self) -> String {
        self.view.title.clone()
    }

    fn icon_name(&self) -> String {
        ICON_NAME.into()
    }

    fn icon_pixmap(&self) -> Vec<Icon> {
        self.pixmap.clone()
    }

    fn attention_icon_name(&self) -> String {
        ATTENTION_ICON_NAME.into()
    }

    fn status(&self) -> Status {
        if self.view.alerts > 0 {
            Status::NeedsAttention
        } else {
            Status::Active
        }
    }

    fn tool_tip(&self) -> ToolTip {
        ToolTip {
            icon_name: ICON_NAME.into(),
            title: self.view.title.clone(),
            description: self.view.summary.clone(),
            ..Default::default()
        }
    }

    fn activate(&mut self, _x: i32, _y: i32) {
        self.send(TrayCommand::Open);
    }

    fn menu(&self) -> Vec<MenuItem<Self>> {
        let entry = |label: &str, command: TrayCommand| -> MenuItem<Self> {
            StandardItem {
                label: label.to_string(),
                activate: Box::new(move |item: &mut Item| item.send(command)),
                ..Default::default()
            }
            .into()
        };
        let mute = if self.view.muted {
            entry(&self.view.unmute, TrayCommand::Unmute)
        } else {
            entry(&self.view.mute, TrayCommand::MuteForAnHour)
        };
        let status = RadioGroup {
            selected: STATUSES.iter().position(|s| *s == self.view.status).unwrap_or(0),
            select: Box::new(|item: &mut Item, index: usize| {
                if let Some(status) = STATUSES.get(index) {
                    item.send(TrayCommand::SetStatus(*status));
                }
            }),
            options: self
                .view
                .statuses
                .iter()
                .map(|label| RadioItem {
                    label: label.clone(),
                    ..Default::default()
                })
                .collect(),
        };
        let my_status = SubMenu {
            label: self.view.my_status.clone(),
            submenu: vec![status.into()],
            ..Default::default()
        };
        vec![
            entry(&self.view.open, TrayCommand::Open),
            MenuItem::Separator,
            my_status.into(),
            MenuItem::Separator,
            mute,
            MenuItem::Separator,
            entry(&self.view.quit, TrayCommand::Quit),
        ]
    }
}

/// The running tray item.
pub struct Tray {
    handle: ksni::blocking::Handle<Item>,
    shown: TrayView,
}

impl std::fmt::Debug for Tray {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tray").field("shown", &self.shown).finish()
    }
}

impl Tray {
    /// Registers the item with the desktop's StatusNotifierWatcher; the
    /// receiver gets what the user chooses in its menu.
    pub fn start(view: TrayView) -> Result<(Tray, UnboundedReceiver<TrayCommand>), TrayError> {
        let (commands, receiver) = mpsc::unbounded_channel();
        let item = Item {
            view: view.clone(),
            commands,
            pixmap: pixmap(),
        };
        let handle = item.spawn()?;
        Ok((Tray { handle, shown: view }, receiver))
    }

    /// Shows `view` (a no-op when nothing changed).
    pub fn show(&mut self, view: TrayView) {
        if view == self.shown {
            return;
        }
        self.shown = view.clone();
        let _ = self.handle.update(move |item| item.view = view);
    }

    /// Removes the item from the tray and waits until it is gone.
    pub fn stop(self) {
        self.handle.shutdown().wait();
    }
}

/// The tray menu's choices, for a Subscription.
pub type CommandSource = Feed<TrayCommand>;

/// The feed of choices from [`Tray::start`].
pub fn command_source(commands: UnboundedReceiver<TrayCommand>) -> CommandSource {
    Feed::new("sipchat-tray-commands", commands)
}

/// Every choice in the tray menu, in order.
pub fn commands(source: &CommandSource) -> Subscription<TrayCommand> {
    source.subscription()
}
