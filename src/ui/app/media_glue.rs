//! Pictures in the window: contact photos decoded when the contacts come
//! (`ui/avatar.rs`), previews of the open conversation's pictures
//! (`conversation/preview.rs`), and Ctrl+V of a picture or files
//! (`conversation/paste.rs`). All decoding and clipboard reading runs off
//! the UI thread; [`App::media_tasks`] starts what an update made
//! necessary.

use super::{App, Message};
use crate::ui::avatar;
use crate::ui::conversation::paste::{self, Found, PasteOffer};
use crate::ui::conversation::preview::{self, Previews};
use crate::ui::conversation::ConversationKey;
use crate::ui::picture::{self, Picture, PictureError};
use crate::ui::words::Words;
use iced::Task;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum MediaMessage {
    /// Contact photos decoded.
    Photos(Vec<avatar::Decoded>),
    /// Picture previews decoded.
    Previews(Vec<(PathBuf, Result<Picture, PictureError>)>),
    /// What the clipboard held at Ctrl+V in the composer of a conversation.
    Pasted(ConversationKey, Found),
    /// The paste dialog's buttons.
    Paste(paste::Message),
}

/// The previews' cache and the paste dialog.
#[derive(Debug, Default)]
pub struct Media {
    pub previews: Previews,
    pub paste: Option<PasteOffer>,
}

impl App {
    /// Decodes, off the UI thread, the contact photos that are new and the
    /// open conversation's pictures that have no preview yet.
    pub(super) fn media_tasks(&mut self) -> Task<Message> {
        let mut tasks = Vec::new();
        let photos = self.sidebar.contacts.wanted_photos();
        if !photos.is_empty() {
            tasks.push(Task::perform(
                picture::off_thread(move || avatar::decode_all(photos)),
                |decoded| Message::Media(MediaMessage::Photos(decoded.unwrap_or_default())),
            ));
        }
        if let Some(key) = self.conversations.open_key() {
            let wanted = preview::pictures_of(&self.transfers.of(key));
            let jobs = self.media.previews.wanted(wanted);
            if !jobs.is_empty() {
                tasks.push(Task::perform(
                    picture::off_thread(move || preview::decode_all(jobs)),
                    |decoded| Message::Media(MediaMessage::Previews(decoded.unwrap_or_default())),
                ));
            }
        }
        Task::batch(tasks)
    }

    pub(super) fn on_media(&mut self, message: MediaMessage) -> Task<Message> {
        match message {
            MediaMessage::Photos(decoded) => self.sidebar.contacts.photos.decoded(decoded),
            MediaMessage::Previews(decoded) => self.media.previews.decoded(decoded),
            MediaMessage::Pasted(key, Found::Problem(words)) => {
                tracing::info!(account = %key.account.0, peer = %key.peer, "paste not offered: {words}");
                self.notice = Some(Words::plain(words));
            }
            MediaMessage::Pasted(key, found) => {
                let title = self
                    .conversations
                    .get(&key)
                    .map(|c| c.title())
                    .unwrap_or_default();
                // The conversation may have been closed meanwhile.
                if self.conversations.open_key() == Some(&key) {
                    self.switcher = None;
                    // A new offer shows no ring left from the last one.
                    self.focus.pointer();
                    self.media.paste = PasteOffer::new(key, title, found);
                } else if let Some(offer) = PasteOffer::new(key, title, found) {
                    remove_pasted(offer.update(paste::Message::Cancel));
                }
            }
            MediaMessage::Paste(message) => {
                let Some(offer) = self.media.paste.take() else {
                    return Task::none();
                };
                match offer.update(message) {
                    paste::Action::Send(key, paths) => {
                        for path in paths {
                            self.send_file(&key, path);
                        }
                    }
                    cancel @ paste::Action::Cancel(_) => remove_pasted(cancel),
                }
            }
        }
        Task::none()
    }

    /// Ctrl+V in the composer of `key`: looks for a picture or files on the
    /// clipboard (its text is pasted by the composer).
    pub(super) fn paste(&mut self, key: ConversationKey) -> Task<Message> {
        let folder = match &self.state_file {
            Some(file) => file.parent().map(|d| d.join("pasted")),
            None => None,
        }
        .unwrap_or_else(|| std::env::temp_dir().join("sipchat-pasted"));
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S-%3f").to_string();
        Task::perform(
            picture::off_thread(move || paste::read_clipboard(&folder, &stamp)),
            move |found| Message::Media(MediaMessage::Pasted(key, found.unwrap_or(Found::Nothing))),
        )
    }

    /// Esc on the paste dialog: nothing is sent (`false`: none was open).
    pub(super) fn cancel_paste(&mut self) -> bool {
        match self.media.paste.take() {
            Some(offer) => {
                remove_pasted(offer.update(paste::Message::Cancel));
                true
            }
            None => false,
        }
    }
}

/// Removes the file a cancelled paste wrote.
fn remove_pasted(action: paste::Action) {
    if let paste::Action::Cancel(Some(path)) = action {
        if let Err(e) = std::fs::remove_file(&path) {
            tracing::warn!("cannot remove the pasted picture {}: {e}", path.display());
        }
    }
}
