//! Links in message text (http, https, sip, sips, mailto) and where a
//! clicked one goes: `sip:` and `sips:` open a conversation in sipchat,
//! the others go to the desktop's handler through an [`Opener`] (tests
//! fake it).

/// Schemes that become links, lower case, with their colon.
const SCHEMES: [&str; 5] = ["https://", "http://", "sips:", "sip:", "mailto:"];

/// Longest text taken as one link; a longer run stays plain text.
pub const MAX_LINK_LENGTH: usize = 2048;

/// Characters that end a link besides white space.
const STOPS: [char; 5] = ['<', '>', '"', '`', '|'];

/// Trailing characters that belong to the sentence, not the link.
const TRAILING: [char; 9] = ['.', ',', ';', ':', '!', '?', '\'', ']', '}'];

/// A run of message text: plain, or a link with its target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece<'a> {
    pub text: &'a str,
    /// The link's target (the text itself), when this run is a link.
    pub link: Option<&'a str>,
}

/// What a clicked link asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A SIP address: open a conversation with it.
    Conversation(String),
    /// Anything else: hand it to the desktop.
    Desktop(String),
}

/// Where a clicked link goes.
pub fn target(link: &str) -> Target {
    let lower = link.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        Target::Conversation(link.to_string())
    } else {
        Target::Desktop(link.to_string())
    }
}

/// Hands a link to the desktop.
pub trait Opener {
    fn open(&self, link: &str);
}

/// The desktop's handler (`xdg-open`).
#[derive(Debug, Default)]
pub struct Desktop;

impl Opener for Desktop {
    fn open(&self, link: &str) {
        match std::process::Command::new("xdg-open").arg(link).spawn() {
            Ok(mut child) => {
                std::thread::spawn(move || {
                    let _ = child.wait();
                });
            }
            Err(e) => tracing::warn!("cannot open {link} with xdg-open: {e}"),
        }
    }
}

/// Splits `text` into plain runs and links, in order; joined they give
/// `text` back.
pub fn pieces(text: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let starts_word = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let length = if starts_word { link_length(rest) } else { 0 };
        if length > 0 {
            if plain_from < at {
                pieces.push(Piece {
                    text: &text[plain_from..at],
                    link: None,
                });
            }
            let link = &rest[..length];
            pieces.push(Piece {
                text: link,
                link: Some(link),
            });
            at += length;
            plain_from = at;
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    if plain_from < text.len() {
        pieces.push(Piece {
            text: &text[plain_from..],
            link: None,
        });
    }
    pieces
}

/// The length in bytes of the link `rest` starts with; 0 when none.
fn link_length(rest: &str) -> usize {
    let Some(scheme) = SCHEMES.iter().find(|s| {
        rest.get(..s.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(s))
    }) else {
        return 0;
    };
    let end = rest
        .find(|c: char| c.is_whitespace() || c.is_control() || STOPS.contains(&c))
        .unwrap_or(rest.len());
    let mut link = &rest[..end];
    loop {
        let trimmed = link.trim_end_matches(TRAILING);
        // A closing parenthesis is the link's only when it opened one.
        let trimmed = match trimmed.strip_suffix(')') {
            Some(inner) if inner.matches('(').count() <= inner.matches(')').count() => inner,
            _ => trimmed,
        };
        if trimmed.len() == link.len() {
            break;
        }
        link = trimmed;
    }
    if link.len() <= scheme.len() || link.len() > MAX_LINK_LENGTH {
        return 0;
    }
    link.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<&str> {
        pieces(text).into_iter().filter_map(|p| p.link).collect()
    }

    #[test]
    fn every_scheme_is_found_and_the_text_is_kept_whole() {
        let text = "see https://example.org/a?b=1, http://x.test and sip:bob@example.org; \
                    SIPS:alice@example.org or mailto:carol@example.org.";
        assert_eq!(
            links(text),
            [
                "https://example.org/a?b=1",
                "http://x.test",
                "sip:bob@example.org",
                "SIPS:alice@example.org",
                "mailto:carol@example.org"
            ]
        );
        let joined: String = pieces(text).iter().map(|p| p.text).collect();
        assert_eq!(joined, text);
    }

    #[test]
    fn sentence_marks_and_brackets_stay_outside() {
        assert_eq!(links("(https://example.org/x)"), ["https://example.org/x"]);
        assert_eq!(
            links("https://en.wikipedia.org/wiki/Rust_(language)."),
            ["https://en.wikipedia.org/wiki/Rust_(language)"]
        );
        assert_eq!(links("<sip:bob@example.org>"), ["sip:bob@example.org"]);
    }

    #[test]
    fn no_link_inside_words_or_without_an_address() {
        assert!(links("gossip:bob and https:// alone, mailto: nobody").is_empty());
        assert!(links("plain words only").is_empty());
        assert!(pieces("").is_empty());
        let long = format!("https://example.org/{}", "a".repeat(MAX_LINK_LENGTH));
        assert!(links(&long).is_empty());
    }

    #[test]
    fn sip_links_open_conversations_and_others_the_desktop() {
        assert_eq!(
            target("sip:bob@example.org"),
            Target::Conversation("sip:bob@example.org".into())
        );
        assert_eq!(
            target("SIPS:bob@example.org"),
            Target::Conversation("SIPS:bob@example.org".into())
        );
        assert_eq!(
            target("https://example.org"),
            Target::Desktop("https://example.org".into())
        );
        assert_eq!(
            target("mailto:a@example.org"),
            Target::Desktop("mailto:a@example.org".into())
        );
    }
}
