//! The sidebar folds to icons in narrow windows, unfolds on request and
//! folds again once a conversation is chosen.

use super::*;
use crate::ui::sidebar::compact::COMPACT_BELOW;

#[test]
fn a_narrow_window_folds_the_sidebar_until_asked() {
    let (mut app, _recorder) = app();
    with_bob(&mut app);
    let _ = app.update(Message::Resized(Size::new(1440.0, 900.0)));
    assert!(!app.narrow());
    let _ = app.update(Message::Resized(Size::new(640.0, 480.0)));
    assert!(app.narrow() && COMPACT_BELOW > 640.0);
    assert!(!app.sidebar_unfolded);
    let _ = app.update(Message::Sidebar(sidebar::Message::Fold(false)));
    assert!(app.sidebar_unfolded);
    open_bob(&mut app);
    assert!(!app.sidebar_unfolded, "choosing a conversation folds it again");
    let _ = app.update(Message::Find);
    assert!(app.sidebar_unfolded, "Ctrl+F shows the search field");
    let _ = app.update(Message::Sidebar(sidebar::Message::Fold(true)));
    assert!(!app.sidebar_unfolded);
}

#[test]
fn a_banner_shown_before_a_language_switch_speaks_the_new_language() {
    use crate::ui::i18n::{set_language, Language};
    set_language(Language::English);
    let (mut app, _recorder) = app();
    let _ = app.update(Message::Runtime(Event::Stopped));
    let english = app.notice_text().unwrap_or_default();
    assert!(english.contains("stopped"), "{english}");
    let _ = app.update(Message::Settings(settings::Message::Language(Some(
        Language::German,
    ))));
    let german = app.notice_text().unwrap_or_default();
    assert_ne!(german, english, "still in English: {german}");
    let _ = app.update(Message::Settings(settings::Message::Language(Some(
        Language::English,
    ))));
    assert_eq!(app.notice_text().unwrap_or_default(), english);
    set_language(Language::English);
}
