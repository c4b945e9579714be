//! The app's side of file transfers: the runtime's transfer events, the
//! buttons on transfer cards and offer banners, the attach button's file
//! dialog, files dropped on the window, and handing finished files to the
//! desktop.

use super::{file_path, App, Message};
use crate::ui::conversation::ConversationKey;
use crate::ui::i18n::t;
use crate::ui::theme;
use crate::ui::transfers::{self, Action};
use crate::ui::words::w;
use iced::widget::{center, container, stack, text};
use iced::{Element, Task};
use sipchat::runtime::{Command, Event, FileSendMode};
use std::path::{Path, PathBuf};

/// What the file side of the window reports.
#[derive(Debug, Clone)]
pub enum FileMessage {
    /// A button on a transfer card or an offer banner.
    Transfer(transfers::Message),
    /// The file dialog of the attach button closed (no paths: cancelled).
    Chosen {
        key: ConversationKey,
        paths: Vec<PathBuf>,
    },
    /// A file was dropped on the window.
    Dropped(PathBuf),
    /// Files are dragged over the window (`true`) or left it.
    Dragging(bool),
    /// The attach button found no file chooser: ask for a path instead.
    NoChooser(ConversationKey),
    /// The path field changed.
    PathTyped(String),
    /// Enter or Send in the path field.
    PathSubmitted,
    /// Cancel in the path field.
    PathCancelled,
}

/// Files dropped on the window, from iced's window events.
pub fn drop_events(
    event: iced::Event,
    _status: iced::event::Status,
    _window: iced::window::Id,
) -> Option<Message> {
    match event {
        iced::Event::Window(iced::window::Event::FileDropped(path)) => {
            Some(Message::Files(FileMessage::Dropped(path)))
        }
        iced::Event::Window(iced::window::Event::FileHovered(_)) => {
            Some(Message::Files(FileMessage::Dragging(true)))
        }
        iced::Event::Window(iced::window::Event::FilesHoveredLeft) => {
            Some(Message::Files(FileMessage::Dragging(false)))
        }
        _ => None,
    }
}

/// Scrolls the open conversation to its newest entry (a file just sent).
fn to_the_end() -> Task<Message> {
    crate::ui::conversation::pane::to_newest()
}

impl App {
    /// Where a received file goes when its account names no folder: the
    /// one chosen in Settings, else the desktop's download folder.
    pub(super) fn fallback_download_dir(&self) -> PathBuf {
        self.state
            .download_dir
            .clone()
            .unwrap_or_else(default_download_dir)
    }
}

/// The folder dialog of Settings > Files (not blocking the window); a
/// cancelled dialog changes nothing.
pub(super) fn choose_fallback_download_dir() -> Task<Message> {
    let dialog = rfd::AsyncFileDialog::new().set_title(t!("account-choose-folder-title"));
    Task::perform(async move { dialog.pick_folder().await }, |folder| match folder {
        Some(folder) => Message::Settings(crate::ui::settings::Message::DownloadDirChosen(
            folder.path().to_path_buf(),
        )),
        None => Message::Tick,
    })
}

/// The desktop's download folder, else `~/Downloads`, else the current folder.
pub fn default_download_dir() -> PathBuf {
    if let Some(dirs) = directories::UserDirs::new() {
        if let Some(dir) = dirs.download_dir() {
            return dir.to_path_buf();
        }
        return dirs.home_dir().join("Downloads");
    }
    PathBuf::from(".")
}

/// Opens a file or folder with the desktop's program (`xdg-open`), without
/// waiting for it; a thread reaps the child. Errors are logged.
pub fn open_with_desktop(path: &Path) {
    match std::process::Command::new("xdg-open").arg(path).spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || {
                let _ = child.wait();
            });
        }
        Err(e) => tracing::warn!("cannot open {} with xdg-open: {e}", path.display()),
    }
}

impl App {
    pub(super) fn on_files(&mut self, message: FileMessage) -> Task<Message> {
        match message {
            FileMessage::Transfer(message) => self.on_transfer_button(message),
            FileMessage::NoChooser(_)
            | FileMessage::PathTyped(_)
            | FileMessage::PathSubmitted
            | FileMessage::PathCancelled => self.on_path(message),
            FileMessage::Chosen { key, paths } => {
                for path in paths {
                    self.send_file(&key, path);
                }
                to_the_end()
            }
            FileMessage::Dragging(over) => {
                self.dragging = over;
                Task::none()
            }
            FileMessage::Dropped(path) => {
                self.dragging = false;
                match self.conversations.open_key().cloned() {
                    Some(key) if !self.alerts.log_open() => {
                        self.send_file(&key, path);
                        return to_the_end();
                    }
                    _ => self.info = Some(w!("files-drop-hint")),
                }
                Task::none()
            }
        }
    }

    /// While files are dragged over the window: where they will go, over
    /// everything (or that a conversation must be opened first).
    pub(super) fn drop_overlay<'a>(&'a self, base: Element<'a, Message>) -> Element<'a, Message> {
        if !self.dragging {
            return base;
        }
        let words = match self.conversations.current() {
            Some(conversation) if !self.alerts.log_open() => {
                t!("files-drop-here", name = conversation.title())
            }
            _ => t!("files-drop-hint"),
        };
        let card = container(text(words).size(theme::TEXT_TITLE).font(theme::BOLD))
            .padding([theme::SPACE_XL, theme::SPACE_XL * 2.0])
            .style(theme::dialog);
        stack![base, center(card).style(theme::scrim)].into()
    }

    /// The attach button: a file dialog (the desktop portal's), without
    /// blocking the window; the chosen files are sent to `key`.
    pub(super) fn attach(&mut self, key: ConversationKey) -> Task<Message> {
        let title = t!(
            "files-choose-title",
            name = self
                .conversations
                .get(&key)
                .map(|c| c.title())
                .unwrap_or_default()
        );
        let dialog = rfd::AsyncFileDialog::new().set_title(title);
        Task::perform(
            async move {
                // Without a portal rfd returns nothing, as on Cancel: ask first.
                let available = tokio::task::spawn_blocking(file_path::chooser_available)
                    .await
                    .unwrap_or(false);
                if !available {
                    return None;
                }
                Some(
                    dialog
                        .pick_files()
                        .await
                        .map(|files| files.iter().map(|f| f.path().to_path_buf()).collect())
                        .unwrap_or_default(),
                )
            },
            move |paths| {
                Message::Files(match paths {
                    Some(paths) => FileMessage::Chosen {
                        key: key.clone(),
                        paths,
                    },
                    None => FileMessage::NoChooser(key.clone()),
                })
            },
        )
    }

    /// Sends one file in a conversation and shows it in the timeline.
    pub(super) fn send_file(&mut self, key: &ConversationKey, path: PathBuf) {
        let Some(address) = self.conversations.get(key).map(|c| c.address.clone()) else {
            return;
        };
        if self.stopped {
            self.notice = Some(w!("notice-runtime-stopped"));
            return;
        }
        if !path.is_file() {
            self.notice = Some(w!("files-not-a-file", path = path.display().to_string()));
            return;
        }
        let id = self.runtime.next_transfer_id();
        self.transfers.sending(id, key.clone(), &path, self.now);
        // The conversation moves to the top of the list.
        self.conversations.meet(&key.account, &address, None, self.now);
        let command = Command::SendFile {
            id,
            account: key.account.clone(),
            to: address,
            path,
            mode: FileSendMode::Auto,
        };
        if let Err(e) = self.runtime.send(command) {
            self.transfers.not_sent(id, e.to_string());
        }
    }

    fn on_transfer_button(&mut self, message: transfers::Message) -> Task<Message> {
        match self.transfers.update(message) {
            Action::None => {}
            Action::Accept { account, transfer } => {
                let dir = self
                    .accounts
                    .download_dir(&account.0)
                    .unwrap_or_else(|| self.fallback_download_dir());
                // A download folder that does not exist yet is made (the
                // desktop's may be missing on a fresh system).
                if let Err(e) = std::fs::create_dir_all(&dir) {
                    tracing::warn!("cannot create {}: {e}", dir.display());
                }
                self.command(Command::AcceptTransfer {
                    account,
                    transfer,
                    dir,
                });
            }
            Action::Decline { account, transfer } => {
                self.command(Command::DeclineTransfer { account, transfer })
            }
            Action::Cancel { account, transfer } => {
                self.command(Command::CancelTransfer { account, transfer })
            }
            Action::Open(path) => (self.open_path)(&path),
            Action::SendAgain { conversation, path } => self.send_file(&conversation, path),
        }
        Task::none()
    }

    /// The runtime's transfer events (and the history's transfers).
    pub(super) fn on_transfer_event(&mut self, event: Event) {
        match event {
            Event::TransferOffered {
                account,
                transfer,
                from,
                name,
                size,
                ..
            } => {
                let key = self.conversations.meet(&account, &from, None, self.now);
                self.transfers.offered(transfer, key, &name, size, self.now);
            }
            Event::TransferResuming {
                account,
                transfer,
                peer,
                incoming,
                name,
                offset,
                total,
            } => {
                let key = self.conversations.meet(&account, &peer, None, self.now);
                self.transfers
                    .resuming(transfer, key, incoming, &name, offset, total, self.now);
            }
            Event::TransferProgress {
                transfer,
                bytes,
                total,
                rate,
            } => self.transfers.progress(transfer, bytes, total, rate),
            Event::TransferDone {
                transfer, path, size, ..
            } => self.transfers.done(transfer, path, size),
            Event::TransferFailed { transfer, reason } => self.transfers.failed(transfer, &reason),
            Event::Transfers(rows) => {
                self.transfers.apply_stored(&rows);
                for (key, latest) in self.transfers.latest() {
                    self.conversations.touch(&key, latest.at);
                }
            }
            _ => {}
        }
    }
}
