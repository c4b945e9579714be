//! The search box at the top of the sidebar: Enter asks the history, the
//! hits replace the conversation list (matches highlighted), a click opens
//! the hit's conversation, Esc or an empty box goes back to the list.

use crate::ui::clock::Zone;
use crate::ui::conversation::{ConversationKey, Conversations};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::text::Span;
use iced::widget::{button, column, container, rich_text, row, scrollable, span, text, text_input, Id};
use iced::{Center, Color, Element, Fill, Font};
use sipchat::model::{Direction, SearchHit};

/// The field's widget id.
pub const FIELD: &str = "search";
/// Hits asked for per search.
pub const LIMIT: usize = 100;

#[derive(Debug, Clone)]
pub enum Message {
    Edited(String),
    Submit,
    /// Esc: leave the results.
    Cancel,
    /// A hit was clicked.
    Open(ConversationKey),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    None,
    /// Ask the history for this text.
    Search(String),
    Open(ConversationKey),
}

#[derive(Debug, Default)]
pub struct Search {
    input: String,
    /// The text last asked for, while its results are wanted.
    asked: Option<String>,
    /// Hits for `asked`, once they came.
    hits: Option<Vec<SearchHit>>,
}

impl Search {
    pub fn update(&mut self, message: Message) -> Action {
        match message {
            Message::Edited(input) => {
                if input.trim().is_empty() {
                    self.cancel();
                }
                self.input = input;
                Action::None
            }
            Message::Submit => {
                let text = self.input.trim().to_string();
                if text.is_empty() {
                    return Action::None;
                }
                self.asked = Some(text.clone());
                self.hits = None;
                Action::Search(text)
            }
            Message::Cancel => {
                self.input.clear();
                self.cancel();
                Action::None
            }
            Message::Open(key) => Action::Open(key),
        }
    }

    fn cancel(&mut self) {
        self.asked = None;
        self.hits = None;
    }

    /// Shows the hits for `text` if that is what was last asked.
    pub fn show(&mut self, text: &str, hits: Vec<SearchHit>) -> bool {
        let wanted = self.asked.as_deref() == Some(text);
        if wanted {
            self.hits = Some(hits);
        }
        wanted
    }

    /// Whether results (or their wait) replace the conversation list.
    pub fn is_active(&self) -> bool {
        self.asked.is_some()
    }

    /// The hits shown, if any came.
    pub fn hits(&self) -> Option<&[SearchHit]> {
        self.hits.as_deref()
    }

    pub fn field(&self) -> Element<'_, Message> {
        text_input(&t!("search-placeholder"), &self.input)
            .id(Id::new(FIELD))
            .on_input(Message::Edited)
            .on_submit(Message::Submit)
            .padding([theme::SPACE_S, theme::SPACE_M])
            .size(theme::TEXT_BODY)
            .into()
    }

    /// The results in place of the list.
    pub fn results<'a>(
        &'a self,
        conversations: &Conversations,
        zone: &Zone,
        now: u64,
    ) -> Element<'a, Message> {
        let asked = self.asked.as_deref().unwrap_or("");
        let Some(hits) = self.hits() else {
            return padded(widget::muted(t!("search-waiting", text = asked)).into());
        };
        if hits.is_empty() {
            return padded(widget::muted(t!("search-nothing", text = asked)).into());
        }
        let heading = widget::muted(t!("search-results", count = hits.len(), text = asked));
        let rows = hits.iter().map(|hit| hit_row(hit, conversations, zone, now));
        column![
            padded(heading.into()),
            scrollable(column(rows).spacing(2).padding([0.0, theme::SPACE_S])).height(Fill)
        ]
        .spacing(theme::SPACE_S)
        .into()
    }
}

fn padded(content: Element<'_, Message>) -> Element<'_, Message> {
    container(content).padding([0.0, theme::SPACE_L]).into()
}

fn hit_row<'a>(
    hit: &'a SearchHit,
    conversations: &Conversations,
    zone: &Zone,
    now: u64,
) -> Element<'a, Message> {
    let key = ConversationKey::stored(&hit.account, &hit.peer_key);
    let title = match (&hit.display_name, conversations.get(&key)) {
        (Some(name), _) => name.clone(),
        (None, Some(conversation)) => conversation.title(),
        (None, None) => hit.peer_key.clone(),
    };
    let who = match hit.direction {
        Direction::In => title,
        Direction::Out => t!("search-you-to", name = title),
    };
    let at = u64::try_from(hit.at.max(0) / 1000).unwrap_or(0);
    let top = row![
        text(widget::one_line(&who, 26))
            .size(theme::TEXT_BODY)
            .font(theme::BOLD)
            .width(Fill)
            .wrapping(text::Wrapping::None),
        widget::muted(zone.short_stamp(at, now)),
    ]
    .spacing(theme::SPACE_S)
    .align_y(Center);
    let spans: Vec<Span<'a, (), Font>> = snippet_parts(&hit.snippet)
        .into_iter()
        .map(|(part, matched)| {
            let s = span(part);
            if matched {
                s.font(theme::BOLD)
                    .background(Color::from_rgba(1.0, 0.78, 0.2, 0.45))
            } else {
                s
            }
        })
        .collect();
    let snippet = rich_text(spans).size(theme::TEXT_SMALL + 1.0);
    let content = column![
        top,
        snippet,
        widget::muted(t!("via-account", account = hit.account.as_str()))
    ]
    .spacing(2);
    button(content)
        .width(Fill)
        .padding([theme::SPACE_S, theme::SPACE_S])
        .style(theme::list_item(false))
        .on_press(Message::Open(key))
        .into()
}

/// Splits a snippet at its `[`match`]` markers: (text, is a match).
pub fn snippet_parts(snippet: &str) -> Vec<(String, bool)> {
    let mut parts = Vec::new();
    let mut rest = snippet;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            parts.push((rest[..open].to_string(), false));
        }
        parts.push((rest[open + 1..close].to_string(), true));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        parts.push((rest.to_string(), false));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use sipchat::model::MessageId;

    fn hit(peer: &str) -> SearchHit {
        SearchHit {
            id: MessageId(3),
            account: "local".into(),
            peer_key: peer.into(),
            display_name: None,
            direction: Direction::In,
            at: 1_000,
            snippet: "a [pineapple] for you".into(),
        }
    }

    #[test]
    fn enter_searches_and_the_results_replace_the_list_until_esc() {
        let mut search = Search::default();
        assert_eq!(search.update(Message::Submit), Action::None, "nothing typed");
        search.update(Message::Edited(" pineapple ".into()));
        assert_eq!(search.update(Message::Submit), Action::Search("pineapple".into()));
        assert!(search.is_active());
        assert_eq!(search.hits(), None, "waiting");
        // Answers to an older question are ignored.
        assert!(!search.show("mango", vec![hit("sip:x@y")]));
        assert!(search.show("pineapple", vec![hit("sip:bob@example.org")]));
        assert_eq!(search.hits().map(<[SearchHit]>::len), Some(1));
        let key = ConversationKey::stored("local", "sip:bob@example.org");
        assert_eq!(search.update(Message::Open(key.clone())), Action::Open(key));
        assert!(search.is_active(), "the results stay after a click");
        search.update(Message::Cancel);
        assert!(!search.is_active());
        assert_eq!(search.input, "");
    }

    #[test]
    fn clearing_the_box_goes_back_to_the_list() {
        let mut search = Search::default();
        search.update(Message::Edited("hi".into()));
        search.update(Message::Submit);
        search.update(Message::Edited(String::new()));
        assert!(!search.is_active());
    }

    #[test]
    fn snippets_split_at_the_markers() {
        assert_eq!(
            snippet_parts("…say [hi] to [bob]!"),
            [
                ("…say ".to_string(), false),
                ("hi".to_string(), true),
                (" to ".to_string(), false),
                ("bob".to_string(), true),
                ("!".to_string(), false)
            ]
        );
        assert_eq!(snippet_parts("[x"), [("[x".to_string(), false)]);
        assert!(snippet_parts("").is_empty());
    }
}
