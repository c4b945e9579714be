//! Pasting a picture or files into the composer: Ctrl+V pastes the
//! clipboard's text as ever, then the app looks for more on the clipboard
//! ([`read_clipboard`], off the UI thread). Files (a file manager's
//! `text/uri-list`) or a picture (a screenshot tool's) are offered in a
//! small dialog with a preview and Send / Cancel; Send goes through the
//! usual send-file path. A pasted picture is kept as a PNG file in the data
//! directory's `pasted/` folder (removed again on Cancel).
//!
//! iced's clipboard reads text only; `arboard` reads pictures and file
//! lists.
//!
//! Keyboard: Tab goes Cancel, Send ([`PasteOffer::focus_chain`]); Enter or
//! Space presses the one with the ring; Esc cancels.

use super::ConversationKey;
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::picture::{self, Fit, Picture};
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, image, row, space, text};
use iced::{Element, Length};
use std::path::{Path, PathBuf};

/// Most pixels of a pasted picture.
pub const MAX_PASTED_PIXELS: u64 = 40_000_000;
/// Longest side of the dialog's preview, in pixels.
pub const PREVIEW_SIDE: u32 = 200;
/// Most files offered from one paste (the rest are named as left out).
pub const MAX_PASTED_FILES: usize = 20;
/// The dialog's name on the focus chain.
const DIALOG: &str = "paste";
const CANCEL: Key = Key::new("cancel");
const SEND: Key = Key::new("send");

/// What the clipboard held besides text.
#[derive(Debug, Clone)]
pub enum Found {
    /// Nothing to offer (text only, or empty).
    Nothing,
    /// Files to send, and how many more were left out.
    Files { paths: Vec<PathBuf>, left_out: usize },
    /// A picture, written to `path`, with its preview.
    Picture { path: PathBuf, preview: Picture },
    /// There was a picture but it cannot be sent: why, in words.
    Problem(String),
}

/// A picture as the clipboard gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Raw {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// Reads the clipboard (blocking: run it off the UI thread); a pasted
/// picture is written into `folder`, named by `stamp`.
pub fn read_clipboard(folder: &Path, stamp: &str) -> Found {
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(clipboard) => clipboard,
        Err(e) => {
            tracing::info!("no clipboard to look for pictures and files on: {e}");
            return Found::Nothing;
        }
    };
    let files = clipboard.get().file_list().unwrap_or_default();
    let raw = if files.is_empty() {
        clipboard.get_image().ok().map(|image| Raw {
            width: u32::try_from(image.width).unwrap_or(u32::MAX),
            height: u32::try_from(image.height).unwrap_or(u32::MAX),
            rgba: image.bytes.into_owned(),
        })
    } else {
        None
    };
    decide(files, raw, folder, stamp)
}

/// What to offer: existing files first (a file manager puts both files and
/// their icon), else the picture, written as PNG into `folder`.
pub fn decide(files: Vec<PathBuf>, raw: Option<Raw>, folder: &Path, stamp: &str) -> Found {
    let files: Vec<PathBuf> = files.into_iter().filter(|p| p.is_file()).collect();
    if !files.is_empty() {
        let left_out = files.len().saturating_sub(MAX_PASTED_FILES);
        return Found::Files {
            paths: files.into_iter().take(MAX_PASTED_FILES).collect(),
            left_out,
        };
    }
    let Some(raw) = raw else {
        return Found::Nothing;
    };
    match write_picture(raw, folder, stamp) {
        Ok(found) => found,
        Err(words) => Found::Problem(words),
    }
}

fn write_picture(raw: Raw, folder: &Path, stamp: &str) -> Result<Found, String> {
    let pixels = u64::from(raw.width) * u64::from(raw.height);
    if pixels > MAX_PASTED_PIXELS || raw.width > picture::MAX_SIDE || raw.height > picture::MAX_SIDE {
        return Err(t!("paste-too-large"));
    }
    let image =
        ::image::RgbaImage::from_raw(raw.width, raw.height, raw.rgba).ok_or_else(|| t!("paste-broken"))?;
    std::fs::create_dir_all(folder).map_err(|e| t!("paste-not-written", error = e.to_string()))?;
    let path = folder.join(format!("pasted-{stamp}.png"));
    image
        .save_with_format(&path, ::image::ImageFormat::Png)
        .map_err(|e| t!("paste-not-written", error = e.to_string()))?;
    let preview = picture::scale(
        ::image::DynamicImage::ImageRgba8(image),
        Fit::Within(PREVIEW_SIDE),
    );
    Ok(Found::Picture { path, preview })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Message {
    Send,
    Cancel,
}

/// What the dialog asks of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Send these files in the conversation.
    Send(ConversationKey, Vec<PathBuf>),
    /// Nothing is sent; a pasted picture's file is removed.
    Cancel(Option<PathBuf>),
}

/// The dialog offering what was pasted.
#[derive(Debug, Clone)]
pub struct PasteOffer {
    pub key: ConversationKey,
    /// The conversation's shown name.
    pub title: String,
    found: Found,
}

impl PasteOffer {
    /// An offer of `found` to `key`; `None` when there is nothing to offer.
    pub fn new(key: ConversationKey, title: String, found: Found) -> Option<PasteOffer> {
        match found {
            Found::Files { .. } | Found::Picture { .. } => Some(PasteOffer { key, title, found }),
            Found::Nothing | Found::Problem(_) => None,
        }
    }

    /// The files Send would send.
    pub fn paths(&self) -> Vec<PathBuf> {
        match &self.found {
            Found::Files { paths, .. } => paths.clone(),
            Found::Picture { path, .. } => vec![path.clone()],
            Found::Nothing | Found::Problem(_) => Vec::new(),
        }
    }

    pub fn update(&self, message: Message) -> Action {
        match message {
            Message::Send => Action::Send(self.key.clone(), self.paths()),
            Message::Cancel => Action::Cancel(match &self.found {
                Found::Picture { path, .. } => Some(path.clone()),
                _ => None,
            }),
        }
    }

    /// Tab order: Cancel, then Send (as the view shows them).
    pub fn focus_chain(&self) -> Chain<Message> {
        Chain::new(DIALOG)
            .control(CANCEL, Message::Cancel)
            .control(SEND, Message::Send)
    }

    /// The dialog's content: what was pasted, then Cancel and Send (the
    /// ring on the one `ring` names).
    pub fn view(&self, ring: Ring) -> Element<'_, Message> {
        let heading = text(t!("paste-title", name = self.title.as_str()))
            .size(theme::TEXT_TITLE)
            .font(theme::BOLD);
        let shown: Element<'_, Message> = match &self.found {
            Found::Picture { preview, .. } => container(
                image(preview.handle.clone())
                    .width(Length::Fixed(preview.width as f32))
                    .height(Length::Fixed(preview.height as f32)),
            )
            .center_x(Length::Fill)
            .into(),
            Found::Files { paths, left_out } => {
                let mut list = column![].spacing(theme::SPACE_XS);
                for path in paths {
                    let name = path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_else(|| path.display().to_string());
                    let size = std::fs::metadata(path)
                        .map(|m| crate::ui::transfers::size_words(m.len()))
                        .unwrap_or_default();
                    list = list.push(
                        row![
                            text(widget::one_line(&name, 40)).size(theme::TEXT_BODY),
                            space::horizontal(),
                            widget::muted(size)
                        ]
                        .spacing(theme::SPACE_S),
                    );
                }
                if *left_out > 0 {
                    list = list.push(widget::muted(t!("paste-left-out", count = *left_out)));
                }
                list.into()
            }
            Found::Nothing | Found::Problem(_) => space::vertical().height(0).into(),
        };
        let cancel = button(text(t!("paste-cancel")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_XS + 2.0, theme::SPACE_M])
            .style(theme::secondary_button)
            .on_press(Message::Cancel);
        let send = button(text(t!("paste-send")).size(theme::TEXT_BODY))
            .padding([theme::SPACE_XS + 2.0, theme::SPACE_M])
            .on_press(Message::Send);
        let cancel = focus::ring(cancel, CANCEL, ring);
        let send = focus::ring(send, SEND, ring);
        let buttons = row![space::horizontal(), cancel, send].spacing(theme::SPACE_S);
        column![heading, shown, buttons].spacing(theme::SPACE_M).into()
    }
}

#[cfg(test)]
mod tests;
