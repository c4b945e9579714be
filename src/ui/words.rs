//! Words the window keeps showing (notices and news in the banners): kept
//! as a translation key and its arguments, and put into the language each
//! time they are drawn, so a language switch reaches what is already on
//! screen. Text from elsewhere (a library error) stays as it came.

use crate::ui::i18n;
use fluent_bundle::{FluentArgs, FluentValue};

/// One argument of a translation.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    /// Numbers choose plural forms.
    Number(f64),
}

impl From<String> for Arg {
    fn from(text: String) -> Arg {
        Arg::Text(text)
    }
}

impl From<&str> for Arg {
    fn from(text: &str) -> Arg {
        Arg::Text(text.to_string())
    }
}

impl From<u16> for Arg {
    fn from(number: u16) -> Arg {
        Arg::Number(f64::from(number))
    }
}

impl From<u32> for Arg {
    fn from(number: u32) -> Arg {
        Arg::Number(f64::from(number))
    }
}

/// Words to show: a key with arguments, or text as it came.
#[derive(Debug, Clone, PartialEq)]
pub enum Words {
    Translated {
        key: &'static str,
        args: Vec<(&'static str, Arg)>,
    },
    Plain(String),
}

impl Words {
    /// Text that is shown as it is.
    pub fn plain(text: impl Into<String>) -> Words {
        Words::Plain(text.into())
    }

    /// The words in the window's language now.
    pub fn render(&self) -> String {
        match self {
            Words::Plain(text) => text.clone(),
            Words::Translated { key, args } if args.is_empty() => i18n::translate(key, None),
            Words::Translated { key, args } => {
                let mut fluent = FluentArgs::new();
                for (name, arg) in args {
                    match arg {
                        Arg::Text(text) => fluent.set(*name, FluentValue::from(text.clone())),
                        Arg::Number(number) => fluent.set(*name, FluentValue::from(*number)),
                    }
                }
                i18n::translate(key, Some(&fluent))
            }
        }
    }
}

/// Words for a key, put into the language when drawn:
/// `w!("accounts-applied")` or `w!("notice-account-error", account = a, message = m)`.
macro_rules! w {
    ($key:literal) => {
        $crate::ui::words::Words::Translated {
            key: $key,
            args: Vec::new(),
        }
    };
    ($key:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::ui::words::Words::Translated {
            key: $key,
            args: vec![$((stringify!($name), $crate::ui::words::Arg::from($value))),+],
        }
    };
}

pub(crate) use w;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::{set_language, Language};

    #[test]
    fn words_follow_the_language_they_are_drawn_in() {
        let words = w!("notice-local-port-taken", port = 5062u16);
        set_language(Language::English);
        let english = words.render();
        assert!(english.contains("5062") && english.contains("taken"), "{english}");
        set_language(Language::German);
        let german = words.render();
        assert!(german.contains("5062") && german != english, "{german}");
        set_language(Language::English);
        assert_eq!(Words::plain("as it came").render(), "as it came");
    }
}
