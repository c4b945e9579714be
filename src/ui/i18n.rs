//! The window's words in English, German and Spanish (Project Fluent).
//!
//! The texts live in `i18n/<lang>/sipchat.ftl` and are compiled into the
//! binary. Code asks for them by key with the `t!` macro (`use crate::ui::i18n::t;`):
//!
//! ```ignore
//! t!("composer-send")                          // "Send"
//! t!("search-results", count = 3, text = query) // arguments by name
//! ```
//!
//! Keys are always string literals, so a test can find every key the code
//! uses and check that English has it; another test checks that German and
//! Spanish have exactly the English keys. A key missing in the current
//! language falls back to English, a key missing in English shows itself.
//!
//! The language is per thread (iced runs `update` and `view` on the main
//! thread): [`set_language`] at start and when the setting changes. Tests
//! start in English on every thread, so they never see each other's choice.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};
use std::cell::{Cell, RefCell};
use unic_langid::LanguageIdentifier;

/// A language the window speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// English, the fallback.
    #[serde(rename = "en")]
    English,
    /// German.
    #[serde(rename = "de")]
    German,
    /// Spanish.
    #[serde(rename = "es")]
    Spanish,
}

impl Language {
    /// Every language, English first.
    pub const ALL: [Language; 3] = [Language::English, Language::German, Language::Spanish];

    /// The BCP 47 code (also the folder under `i18n/`).
    pub fn code(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::German => "de",
            Language::Spanish => "es",
        }
    }

    /// The language's name in itself, as a language menu shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::English => "English",
            Language::German => "Deutsch",
            Language::Spanish => "Español",
        }
    }

    /// The Fluent source for this language.
    pub fn source(self) -> &'static str {
        match self {
            Language::English => include_str!("../../i18n/en/sipchat.ftl"),
            Language::German => include_str!("../../i18n/de/sipchat.ftl"),
            Language::Spanish => include_str!("../../i18n/es/sipchat.ftl"),
        }
    }

    /// The language for a locale name such as `de-DE`, `de_AT.UTF-8`,
    /// `es` or `C`; `None` when the window does not speak it.
    pub fn from_locale(locale: &str) -> Option<Language> {
        let primary = locale
            .split(['-', '_', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        Language::ALL.into_iter().find(|l| l.code() == primary)
    }

    fn index(self) -> usize {
        match self {
            Language::English => 0,
            Language::German => 1,
            Language::Spanish => 2,
        }
    }
}

/// The language of the desktop session (`LC_ALL`, `LC_MESSAGES`, `LANG`),
/// English when it is one the window does not speak.
pub fn system_language() -> Language {
    sys_locale::get_locales()
        .find_map(|l| Language::from_locale(&l))
        .unwrap_or(Language::English)
}

/// The setting when there is one, else the system's language.
pub fn resolve(setting: Option<Language>) -> Language {
    setting.unwrap_or_else(system_language)
}

thread_local! {
    static CURRENT: Cell<Language> = const { Cell::new(Language::English) };
    static BUNDLES: RefCell<Option<Vec<FluentBundle<FluentResource>>>> = const { RefCell::new(None) };
}

/// Speaks `language` on this thread from now on.
pub fn set_language(language: Language) {
    CURRENT.with(|c| c.set(language));
}

/// The language this thread speaks.
pub fn language() -> Language {
    CURRENT.with(Cell::get)
}

/// A bundle for `language`, with the errors Fluent reported while reading it.
pub fn bundle(language: Language) -> (FluentBundle<FluentResource>, Vec<String>) {
    let mut errors = Vec::new();
    let id: LanguageIdentifier = match language.code().parse() {
        Ok(id) => id,
        Err(e) => {
            errors.push(format!("{}: bad language id: {e}", language.code()));
            LanguageIdentifier::default()
        }
    };
    let mut bundle = FluentBundle::new(vec![id]);
    bundle.set_use_isolating(false);
    let resource = match FluentResource::try_new(language.source().to_string()) {
        Ok(resource) => resource,
        Err((resource, parse_errors)) => {
            errors.extend(parse_errors.iter().map(|e| format!("{}: {e:?}", language.code())));
            resource
        }
    };
    if let Err(add_errors) = bundle.add_resource(resource) {
        errors.extend(add_errors.iter().map(|e| format!("{}: {e}", language.code())));
    }
    (bundle, errors)
}

/// The text for `key` in this thread's language, with `args` filled in.
pub fn translate(key: &str, args: Option<&FluentArgs<'_>>) -> String {
    let language = language();
    BUNDLES.with(|cell| {
        let mut cell = cell.borrow_mut();
        let bundles = cell.get_or_insert_with(|| {
            Language::ALL
                .into_iter()
                .map(|l| {
                    let (bundle, errors) = bundle(l);
                    for error in errors {
                        tracing::warn!("translations: {error}");
                    }
                    bundle
                })
                .collect()
        });
        let wanted = bundles.get(language.index());
        let english = bundles.get(Language::English.index());
        for bundle in [wanted, english].into_iter().flatten() {
            if let Some(text) = format(bundle, key, args) {
                return text;
            }
        }
        tracing::warn!(key, "no translation for this key");
        key.to_string()
    })
}

fn format(bundle: &FluentBundle<FluentResource>, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let pattern = bundle.get_message(key)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors).into_owned();
    if !errors.is_empty() {
        tracing::warn!(key, ?errors, "translation did not format cleanly");
    }
    Some(text)
}

/// Builds arguments for [`translate`]; used by `t!`.
pub fn args<'a>(pairs: Vec<(&'static str, FluentValue<'a>)>) -> FluentArgs<'a> {
    let mut args = FluentArgs::new();
    for (name, value) in pairs {
        args.set(name, value);
    }
    args
}

/// The text for a key in the window's language:
/// `t!("composer-send")` or `t!("search-results", count = n, text = query)`. Values are strings
/// or numbers (numbers choose plural forms).
macro_rules! t {
    ($key:literal) => {
        $crate::ui::i18n::translate($key, None)
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::ui::i18n::translate(
            $key,
            Some(&$crate::ui::i18n::args(vec![
                $((stringify!($name), ::fluent_bundle::FluentValue::from($value))),+
            ])),
        )
    };
}

pub(crate) use t;

#[cfg(test)]
#[path = "i18n_tests.rs"]
mod tests;
