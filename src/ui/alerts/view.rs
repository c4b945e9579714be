//! How alerts look: the banner across the top of the window, and the log.

use super::{Alerts, Message};
use crate::ui::clock::Zone;
use crate::ui::focus::{self, Chain, Key, Ring};
use crate::ui::i18n::t;
use crate::ui::{theme, widget};
use iced::widget::{button, column, container, row, rule, scrollable, space, text, Column};
use iced::{Center, Element, Fill};
use sipchat::model::{Alert, CapInfo};

/// Longest alert text in the banner, in characters (the log shows all).
pub const BANNER_TEXT_CHARS: usize = 280;
/// The log's name on the focus chain.
pub const LOG: &str = "alert-log";
const CLOSE: Key = Key::new("close");
const ACKNOWLEDGE: &str = "acknowledge";
const OPEN: &str = "open-conversation";

/// Seconds from the store's milliseconds.
fn seconds(ms: i64) -> u64 {
    u64::try_from(ms.max(0) / 1000).unwrap_or(0)
}

/// A one-line title: the CAP headline or event, else the subject, else
/// "Emergency alert" in the window's language.
pub fn title(alert: &Alert) -> String {
    let has_own = alert.first_info().is_some_and(|i| {
        i.headline.as_deref().is_some_and(|h| !h.trim().is_empty()) || !i.event.trim().is_empty()
    }) || alert.subject.as_deref().is_some_and(|s| !s.trim().is_empty());
    if has_own {
        alert.title()
    } else {
        t!("alert-untitled")
    }
}

/// "Name <sip:...>" or the address alone.
fn sender(alert: &Alert) -> String {
    match alert
        .from_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        Some(name) => format!("{name} <{}>", alert.from),
        None => alert.from.clone(),
    }
}

fn when(ms: i64, zone: &Zone, now: u64) -> String {
    let at = seconds(ms);
    format!("{} {}", zone.day_label(at, now), zone.time_of_day(at))
}

fn shorten(text: &str, max: usize) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &trimmed[..at]),
        None => trimmed.to_string(),
    }
}

/// The areas of the first CAP info block, if any.
fn areas(alert: &Alert) -> Option<String> {
    alert
        .first_info()
        .filter(|info| !info.areas.is_empty())
        .map(|info| info.areas.join("; "))
}

fn small_button<'a>(label: String) -> button::Button<'a, Message> {
    button(text(label).size(theme::TEXT_BODY).font(theme::BOLD))
        .padding([theme::SPACE_XS + 2.0, theme::SPACE_M])
}

/// The banner over the window while any alert is unacknowledged: the
/// newest one in full, and how many more wait. `None` when all are done.
pub fn banner<'a>(alerts: &'a Alerts, zone: &Zone, now: u64) -> Option<Element<'a, Message>> {
    let up = alerts.unacknowledged();
    let newest = *up.first()?;
    let heading = if up.len() > 1 {
        t!("alert-banner-heading-many", count = up.len())
    } else {
        t!("alert-banner-heading")
    };
    let mut details = column![
        text(heading).size(theme::TEXT_SMALL).font(theme::BOLD),
        text(title(newest))
            .size(theme::TEXT_TITLE + 3.0)
            .font(theme::BOLD),
    ]
    .spacing(theme::SPACE_XS)
    .width(Fill);
    let body = shorten(&newest.text, BANNER_TEXT_CHARS);
    if !body.is_empty() && body != title(newest) {
        details = details.push(text(body).size(theme::TEXT_BODY + 1.0));
    }
    if let Some(areas) = areas(newest) {
        details = details.push(text(t!("alert-area", areas = areas)).size(theme::TEXT_BODY));
    }
    details = details.push(
        text(t!(
            "alert-from-at",
            sender = sender(newest),
            at = when(newest.received_at, zone, now)
        ))
        .size(theme::TEXT_SMALL),
    );
    let mut buttons = column![
        small_button(t!("alert-acknowledge"))
            .style(theme::alert_button)
            .on_press(Message::Acknowledge(newest.id)),
        small_button(t!("alert-show"))
            .style(theme::secondary_button)
            .on_press(Message::Show(newest.id)),
    ]
    .spacing(theme::SPACE_S)
    .align_x(iced::Right);
    if up.len() > 1 {
        buttons = buttons.push(
            small_button(t!("alert-show-all", count = up.len()))
                .style(theme::secondary_button)
                .on_press(Message::OpenLog),
        );
    }
    let mark = container(text("!").size(28).font(theme::BOLD))
        .center_x(44)
        .center_y(44)
        .style(theme::alert_mark);
    let content = row![mark, details, buttons]
        .spacing(theme::SPACE_L)
        .align_y(Center);
    Some(
        container(content)
            .width(Fill)
            .padding([theme::SPACE_M, theme::SPACE_L])
            .style(theme::alert_banner)
            .into(),
    )
}

/// The sidebar entry's label: "Alerts (n)" with the unacknowledged count.
pub fn log_entry_label(alerts: &Alerts) -> String {
    t!("alert-log-entry", count = alerts.unacknowledged().len())
}

/// Tab order of the log: Close, then each alert's Acknowledge (while
/// open) and Open conversation, newest first.
pub fn log_chain(alerts: &Alerts) -> Chain<Message> {
    let mut chain = Chain::new(LOG).control(CLOSE, Message::CloseLog);
    for (i, alert) in alerts.newest_first().into_iter().enumerate() {
        if alert.acknowledged_at.is_none() {
            chain = chain.control(Key::nth(ACKNOWLEDGE, i), Message::Acknowledge(alert.id));
        }
        chain = chain.control(Key::nth(OPEN, i), Message::OpenConversation(alert.id));
    }
    chain
}

/// The alert log: every alert, newest first, in full, with the focus ring
/// on the button `ring` names.
pub fn log<'a>(alerts: &'a Alerts, zone: &Zone, now: u64, ring: Ring) -> Element<'a, Message> {
    let close = button(text(t!("alert-log-close")).size(theme::TEXT_BODY))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::CloseLog);
    let close = focus::ring(close, CLOSE, ring);
    let header = container(
        row![
            text(t!("alert-log-title"))
                .size(theme::TEXT_TITLE)
                .font(theme::BOLD),
            widget::muted(t!("alert-log-count", count = alerts.count())),
            space::horizontal(),
            close
        ]
        .spacing(theme::SPACE_M)
        .align_y(Center),
    )
    .padding([theme::SPACE_M, theme::SPACE_L])
    .width(Fill)
    .style(theme::header);
    let list = alerts.newest_first();
    let body: Element<'a, Message> = if list.is_empty() {
        iced::widget::center(widget::muted(t!("alert-log-empty")).size(theme::TEXT_BODY)).into()
    } else {
        let cards = list
            .into_iter()
            .enumerate()
            .map(|(i, a)| card(a, alerts.selected() == Some(a.id), zone, now, (i, ring)));
        scrollable(
            Column::with_children(cards)
                .spacing(theme::SPACE_M)
                .padding([theme::SPACE_L, theme::SPACE_XL]),
        )
        .height(Fill)
        .width(Fill)
        .into()
    };
    column![header, rule::horizontal(1), body].height(Fill).into()
}

fn field<'a>(label: String, value: String) -> Element<'a, Message> {
    row![
        widget::muted(label).size(theme::TEXT_SMALL).width(150),
        text(value).size(theme::TEXT_BODY).width(Fill)
    ]
    .spacing(theme::SPACE_S)
    .into()
}

fn cap_fields<'a>(info: &CapInfo, mut list: Column<'a, Message>) -> Column<'a, Message> {
    list = list.push(field(t!("alert-cap-event"), info.event.clone()));
    list = list.push(field(t!("alert-cap-urgency"), info.urgency.clone()));
    list = list.push(field(t!("alert-cap-severity"), info.severity.clone()));
    list = list.push(field(t!("alert-cap-certainty"), info.certainty.clone()));
    let optional = [
        (t!("alert-cap-description"), &info.description),
        (t!("alert-cap-instruction"), &info.instruction),
        (t!("alert-cap-expires"), &info.expires),
    ];
    for (label, value) in optional {
        if let Some(value) = value.as_deref().filter(|v| !v.trim().is_empty()) {
            list = list.push(field(label, value.trim().to_string()));
        }
    }
    if !info.areas.is_empty() {
        list = list.push(field(t!("alert-cap-areas"), info.areas.join("; ")));
    }
    list
}

/// One alert in the log; `(row, ring)` places the focus ring.
fn card<'a>(
    alert: &'a Alert,
    selected: bool,
    zone: &Zone,
    now: u64,
    (row, ring): (usize, Ring),
) -> Element<'a, Message> {
    let mut content = column![
        text(title(alert)).size(theme::TEXT_TITLE).font(theme::BOLD),
        widget::muted(t!(
            "alert-from-at",
            sender = sender(alert),
            at = when(alert.received_at, zone, now)
        )),
    ]
    .spacing(theme::SPACE_S);
    // A parsed CAP document shows as its fields; a malformed one as the
    // raw text below; otherwise the text as it came.
    if alert.cap.is_none() && alert.cap_error.is_none() && !alert.text.trim().is_empty() {
        content = content.push(text(alert.text.trim()).size(theme::TEXT_BODY + 1.0));
    }
    if let Some(cap) = &alert.cap {
        for info in &cap.infos {
            content = cap_fields(info, content);
        }
    }
    if let Some(error) = &alert.cap_error {
        content = content.push(
            text(t!("alert-cap-error", error = error.as_str()))
                .size(theme::TEXT_SMALL)
                .style(|t: &iced::Theme| text::Style {
                    color: Some(theme::danger_text(t)),
                }),
        );
        content = content.push(widget::muted(t!("alert-raw-text")));
        content = content.push(
            container(
                text(alert.body.as_str())
                    .size(theme::TEXT_SMALL)
                    .font(iced::Font::MONOSPACE),
            )
            .padding(theme::SPACE_S)
            .width(Fill)
            .style(container::bordered_box),
        );
    }
    let state: Element<'a, Message> = match alert.acknowledged_at {
        Some(at) => widget::muted(t!("alert-acknowledged-at", at = when(at, zone, now))).into(),
        None => focus::ring(
            small_button(t!("alert-acknowledge"))
                .style(theme::alert_button)
                .on_press(Message::Acknowledge(alert.id)),
            Key::nth(ACKNOWLEDGE, row),
            ring,
        ),
    };
    let open = button(text(t!("alert-open-conversation")).size(theme::TEXT_SMALL))
        .padding([theme::SPACE_XS, theme::SPACE_M])
        .style(theme::secondary_button)
        .on_press(Message::OpenConversation(alert.id));
    let open = focus::ring(open, Key::nth(OPEN, row), ring);
    content = content.push(row![state, space::horizontal(), open].align_y(Center));
    container(content)
        .padding(theme::SPACE_L)
        .width(Fill)
        .style(theme::alert_card(alert.acknowledged_at.is_none(), selected))
        .into()
}
