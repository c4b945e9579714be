//! Every locale parses, has exactly the English keys, and every key the
//! code asks for exists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::collections::BTreeSet;
use std::path::Path;

/// The message ids (keys) a Fluent source defines.
fn keys(language: Language) -> BTreeSet<String> {
    let resource = match FluentResource::try_new(language.source().to_string()) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn every_locale_parses_without_errors() {
    for language in Language::ALL {
        let (_, errors) = bundle(language);
        assert!(errors.is_empty(), "{}: {errors:#?}", language.code());
        assert!(keys(language).len() > 50, "{} looks empty", language.code());
    }
}

#[test]
fn german_and_spanish_have_exactly_the_english_keys() {
    let english = keys(Language::English);
    for language in [Language::German, Language::Spanish] {
        let other = keys(language);
        let missing: Vec<_> = english.difference(&other).collect();
        let unknown: Vec<_> = other.difference(&english).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "{}: missing {missing:?}, not in English {unknown:?}",
            language.code()
        );
    }
}

/// Every `t!("key"` and `w!("key"` (words put into the language later) in
/// the files under `dir`.
fn keys_used_in(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            keys_used_in(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let source = std::fs::read_to_string(&path).unwrap();
            for macro_call in ["t!(\"", "w!(\""] {
                keys_called(&source, macro_call, &path, found);
            }
        }
    }
}

/// Every `macro_call` key in `source`.
fn keys_called(source: &str, macro_call: &str, path: &Path, found: &mut Vec<(String, String)>) {
    let mut from = 0;
    while let Some(at) = source[from..].find(macro_call).map(|a| from + a) {
        from = at + macro_call.len();
        // `format!("` and the like end in t!( too: only the macro counts.
        let before = source[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let end = source[from..].find('"').unwrap();
        found.push((source[from..from + end].to_string(), path.display().to_string()));
    }
}

#[test]
fn every_key_the_code_uses_exists_in_english() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/ui");
    let mut used = Vec::new();
    keys_used_in(&ui, &mut used);
    let english = keys(Language::English);
    // The scan must see the code, or this test proves nothing.
    assert!(used.len() > 40, "only {} uses of t! found", used.len());
    let unknown: Vec<_> = used
        .iter()
        .filter(|(key, file)| !english.contains(key) && !file.ends_with("i18n_tests.rs"))
        .collect();
    assert!(unknown.is_empty(), "keys not in i18n/en/sipchat.ftl: {unknown:?}");
}

#[test]
fn a_missing_key_falls_back_to_english_then_to_itself() {
    set_language(Language::German);
    assert_eq!(t!("composer-send"), "Senden");
    assert_eq!(t!("no-such-key-anywhere"), "no-such-key-anywhere");
    set_language(Language::English);
    assert_eq!(t!("composer-send"), "Send");
}

#[test]
fn plurals_and_arguments_follow_the_language() {
    set_language(Language::English);
    assert_eq!(
        t!("search-results", count = 1, text = "hi"),
        "One result for “hi” — Esc goes back"
    );
    assert_eq!(
        t!("search-results", count = 3, text = "hi"),
        "3 results for “hi” — Esc goes back"
    );
    assert_eq!(t!("window-title", unread = 0), "sipchat");
    assert_eq!(t!("window-title", unread = 4), "sipchat (4)");
    set_language(Language::Spanish);
    assert_eq!(
        t!("search-results", count = 2, text = "hola"),
        "2 resultados para «hola» — Esc para volver"
    );
    set_language(Language::German);
    // No bidi isolation marks around arguments.
    assert_eq!(t!("via-account", account = "work"), "über work");
    set_language(Language::English);
}

#[test]
fn locale_names_map_to_languages() {
    assert_eq!(Language::from_locale("de-DE"), Some(Language::German));
    assert_eq!(Language::from_locale("de_AT.UTF-8"), Some(Language::German));
    assert_eq!(Language::from_locale("es"), Some(Language::Spanish));
    assert_eq!(Language::from_locale("EN_gb"), Some(Language::English));
    assert_eq!(Language::from_locale("fr-FR"), None);
    assert_eq!(Language::from_locale("C"), None);
    assert_eq!(Language::from_locale(""), None);
    assert_eq!(resolve(Some(Language::Spanish)), Language::Spanish);
}
