//! How a transfer looks: a card in the conversation's timeline (name, size,
//! direction; progress while running; Accept/Decline, Cancel, Open and Show
//! in folder), and the banner of an offer in a conversation that is not open.

use super::{eta_secs, Message, State, Transfer};
use crate::ui::clock::Zone;
use crate::ui::conversation::duration_words;
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, progress_bar, row, space, text};
use iced::{Center, Element, Fill, Theme};

/// Width of a transfer card in the timeline.
pub const CARD_WIDTH: f32 = 400.0;

/// A size in words: "512 bytes", "1.5 KB", "3.2 MB", "1.1 GB" (powers of 1024).
pub fn size_words(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1024 {
        return t!("size-bytes", count = bytes);
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = UNITS[0];
    for next in &UNITS[1..] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    let number = if value < 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.0}")
    };
    let number = number.replace('.', &t!("decimal-separator"));
    format!("{number} {unit}")
}

/// A small square with the file's extension, the card's icon.
fn file_icon<'a>(name: &str) -> Element<'a, Message> {
    let extension = std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_uppercase())
        .filter(|e| !e.is_empty() && e.chars().count() <= 4)
        .unwrap_or_else(|| t!("transfer-file-icon"));
    container(text(extension).size(theme::TEXT_SMALL - 1.0).font(theme::BOLD))
        .width(44)
        .height(44)
        .align_x(Center)
        .align_y(Center)
        .style(theme::file_icon)
        .into()
}

fn small_button<'a>(
    label: String,
    style: fn(&Theme, button::Status) -> button::Style,
) -> button::Button<'a, Message> {
    button(text(label).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(style)
}

fn danger<'a>(words: String) -> Element<'a, Message> {
    text(words)
        .size(theme::TEXT_SMALL)
        .style(|t: &Theme| text::Style {
            color: Some(theme::danger_text(t)),
        })
        .into()
}

/// What the card says under the name: size and who sent it.
fn subtitle(transfer: &Transfer, peer: &str) -> String {
    let who = if transfer.incoming {
        t!("transfer-from", name = peer)
    } else {
        t!("transfer-to", name = peer)
    };
    match transfer.size {
        Some(size) => format!("{} · {who}", size_words(size)),
        None => who,
    }
}

/// The progress line: "1.2 MB of 4.0 MB · 300 KB/s · 10 s left".
pub fn progress_words(bytes: u64, total: u64, rate: u64) -> String {
    let mut words = t!(
        "transfer-progress",
        done = size_words(bytes),
        total = size_words(total)
    );
    if rate > 0 {
        words = format!("{words} · {}", t!("transfer-rate", rate = size_words(rate)));
    }
    if let Some(left) = eta_secs(bytes, total, rate) {
        words = format!("{words} · {}", t!("transfer-left", time = duration_words(left)));
    }
    words
}

/// A transfer in the timeline; `peer` is the conversation's title.
pub fn timeline_row<'a>(
    transfer: &'a Transfer,
    peer: &str,
    can_act: bool,
    zone: &Zone,
) -> Element<'a, Message> {
    let key = transfer.key;
    let name = text(widget::one_line(&transfer.name, 48))
        .size(theme::TEXT_BODY + 1.0)
        .font(theme::BOLD);
    let head = row![
        file_icon(&transfer.name),
        column![name, widget::muted(subtitle(transfer, peer))]
            .spacing(2)
            .width(Fill)
    ]
    .spacing(theme::SPACE_M)
    .align_y(Center);
    let mut body = column![head].spacing(theme::SPACE_S);
    let when = |b: button::Button<'a, Message>, m: Message| b.on_press_maybe(can_act.then_some(m));
    match &transfer.state {
        State::Offered => {
            body = body.push(text(t!("transfer-offer", name = peer)).size(theme::TEXT_BODY));
            body = body.push(
                row![
                    space::horizontal(),
                    when(
                        small_button(t!("transfer-decline"), theme::secondary_button),
                        Message::Decline(key)
                    ),
                    when(
                        small_button(t!("transfer-accept"), button::primary),
                        Message::Accept(key)
                    ),
                ]
                .spacing(theme::SPACE_S),
            );
        }
        State::Starting => {
            let words = if transfer.incoming {
                t!("transfer-waiting")
            } else {
                t!("transfer-preparing")
            };
            body = body.push(progress_bar(0.0..=1.0, 0.0).girth(6).style(theme::progress));
            body = body.push(
                row![
                    widget::muted(words).width(Fill),
                    when(
                        small_button(t!("transfer-cancel"), theme::secondary_button),
                        Message::Cancel(key)
                    ),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center),
            );
        }
        State::Running { bytes, total, rate } => {
            let share = if *total == 0 {
                1.0
            } else {
                (*bytes as f64 / *total as f64) as f32
            };
            body = body.push(progress_bar(0.0..=1.0, share).girth(6).style(theme::progress));
            body = body.push(
                row![
                    widget::muted(progress_words(*bytes, *total, *rate)).width(Fill),
                    when(
                        small_button(t!("transfer-cancel"), theme::secondary_button),
                        Message::Cancel(key)
                    ),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center),
            );
        }
        State::Done { .. } => {
            let words = if transfer.incoming {
                t!("transfer-received")
            } else {
                t!("transfer-sent")
            };
            let done = text(words)
                .size(theme::TEXT_SMALL)
                .style(|t: &Theme| text::Style {
                    color: Some(theme::success_text(t)),
                });
            body = body.push(
                row![
                    container(done).width(Fill),
                    small_button(t!("transfer-show-in-folder"), theme::secondary_button)
                        .on_press(Message::ShowInFolder(key)),
                    small_button(t!("transfer-open"), button::primary).on_press(Message::Open(key)),
                ]
                .spacing(theme::SPACE_S)
                .align_y(Center),
            );
        }
        State::Failed { reason } => {
            body = body.push(danger(t!("transfer-failed", reason = reason.as_str())));
            if !transfer.incoming && transfer.source.is_some() {
                body = body.push(row![
                    space::horizontal(),
                    when(
                        small_button(t!("transfer-send-again"), theme::secondary_button),
                        Message::SendAgain(key)
                    ),
                ]);
            }
        }
    }
    let card = container(body)
        .padding(theme::SPACE_M)
        .width(CARD_WIDTH)
        .style(theme::file_card(matches!(transfer.state, State::Failed { .. })));
    let time = widget::muted(zone.time_of_day(transfer.at));
    let column = column![card, container(time).padding([0.0, 6.0])]
        .spacing(theme::SPACE_XS)
        .width(Fill);
    if transfer.incoming {
        column.into()
    } else {
        column.align_x(iced::Right).into()
    }
}

/// Someone offers a file in a conversation that is not open: a banner with
/// Open, Accept and Decline. `open` is the message that opens it.
pub fn offer_banner<'a, M: Clone + 'a>(
    transfer: &Transfer,
    peer: String,
    open: M,
    wrap: impl Fn(Message) -> M,
) -> Element<'a, M> {
    let key = transfer.key;
    let small = |label: String| {
        button(text(label).size(theme::TEXT_SMALL)).padding([theme::SPACE_XS, theme::SPACE_M])
    };
    let mut words = t!(
        "transfer-offer-banner",
        name = peer,
        file = transfer.name.as_str()
    );
    if let Some(size) = transfer.size {
        words = format!("{words} ({})", size_words(size));
    }
    let buttons = row![
        small(t!("chat-open"))
            .style(theme::secondary_button)
            .on_press(open),
        small(t!("transfer-accept"))
            .style(button::primary)
            .on_press(wrap(Message::Accept(key))),
        small(t!("transfer-decline"))
            .style(theme::secondary_button)
            .on_press(wrap(Message::Decline(key))),
    ]
    .spacing(theme::SPACE_S);
    container(
        container(
            row![text(words).size(theme::TEXT_BODY).width(Fill), buttons]
                .spacing(theme::SPACE_M)
                .align_y(Center),
        )
        .padding([theme::SPACE_S, theme::SPACE_M])
        .style(theme::invitation),
    )
    .padding([theme::SPACE_S, theme::SPACE_M])
    .into()
}
