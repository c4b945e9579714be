//! Keyboard focus in dialogs: Tab and Shift+Tab through every field and
//! button, Enter or Space on the focused button, and a visible focus ring.
//!
//! iced 0.14 focuses text fields only, so the window keeps its own place on
//! a [`Chain`]: the dialog's stops in Tab order, each a text field (by its
//! widget id; iced focuses it) or a control (a button, checkbox or radio,
//! by a [`Key`]; the app draws the ring and, on Enter or Space, sends the
//! message the control would send when clicked). [`Focus`] remembers the
//! stop; a mouse click hides the ring, and the next Tab asks iced which
//! field has the caret so it goes on from there.
//!
//! A dialog joins in a few lines:
//! 1. `fn focus_chain(&self) -> Chain<Message>`: its fields and controls in
//!    Tab order (`Chain::new("my-dialog").field(ID).control(key, message)`),
//!    with a unit test of that order;
//! 2. its `view` takes a [`Ring`] and wraps each control in [`ring`];
//! 3. `app/focus_glue.rs` returns the chain while the dialog is open, and
//!    the app passes `self.focus.ring()` to the view.
//!
//! Outside dialogs the same way: the alert log, the emoji picker, and the
//! permission banner (its Allow and Block among the window's fields while
//! no dialog is open), all picked in `app/focus_glue.rs`.
//!
//! The keys come from `keys.rs` (`FocusNext`, `FocusPrevious`,
//! `FocusPress`, `Pointer`); only keys no widget took reach it, so Enter
//! in a field still submits the form and Space still types.
//!
//! Not yet: a long dialog does not scroll to the focused control (iced
//! 0.14 has no scroll-into-view; snapping the dialog's scrollable by its id
//! was tried and stopped Tab from reaching the account form's fields).

use crate::ui::theme;
use iced::widget::{container, operation, Id};
use iced::{Border, Element, Task, Theme};

/// Width of the focus ring, in logical pixels.
pub const RING_WIDTH: f32 = 2.0;
/// Room kept around each control for its ring, so nothing moves when the
/// ring appears.
pub const RING_PAD: f32 = 3.0;
/// A widget id no widget has: focusing it takes the caret out of every field.
const NOWHERE: &str = "focus-nowhere";

/// A control on a chain: a name, and a number for the rows of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    name: &'static str,
    index: usize,
}

impl Key {
    pub const fn new(name: &'static str) -> Key {
        Key { name, index: 0 }
    }

    /// The control `name` of row `index`.
    pub const fn nth(name: &'static str, index: usize) -> Key {
        Key { name, index }
    }
}

/// One place Tab stops at.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop<M> {
    /// A text field, by its widget id.
    Field(&'static str),
    /// A control, and what pressing it sends.
    Control { key: Key, press: M },
}

/// The stops of one dialog, in Tab order.
#[derive(Debug, Clone)]
pub struct Chain<M> {
    dialog: &'static str,
    stops: Vec<Stop<M>>,
}

impl<M> Chain<M> {
    /// An empty chain for the dialog named `dialog` (a new name starts at
    /// its first stop).
    pub fn new(dialog: &'static str) -> Chain<M> {
        Chain {
            dialog,
            stops: Vec::new(),
        }
    }

    pub fn field(mut self, id: &'static str) -> Chain<M> {
        self.stops.push(Stop::Field(id));
        self
    }

    pub fn control(mut self, key: Key, press: M) -> Chain<M> {
        self.stops.push(Stop::Control { key, press });
        self
    }

    /// The stops of `other` after these (a section of a bigger dialog).
    pub fn then(mut self, other: Chain<M>) -> Chain<M> {
        self.stops.extend(other.stops);
        self
    }

    /// The same chain sending the parent's messages.
    pub fn map<N>(self, f: impl Fn(M) -> N) -> Chain<N> {
        Chain {
            dialog: self.dialog,
            stops: self
                .stops
                .into_iter()
                .map(|stop| match stop {
                    Stop::Field(id) => Stop::Field(id),
                    Stop::Control { key, press } => Stop::Control { key, press: f(press) },
                })
                .collect(),
        }
    }

    /// The dialog's name (for [`Focus::ring`]).
    pub fn name(&self) -> &'static str {
        self.dialog
    }

    #[cfg(test)]
    pub fn stops(&self) -> &[Stop<M>] {
        &self.stops
    }

    /// The text fields, in order.
    pub fn fields(&self) -> Vec<&'static str> {
        self.stops
            .iter()
            .filter_map(|stop| match stop {
                Stop::Field(id) => Some(*id),
                Stop::Control { .. } => None,
            })
            .collect()
    }

    /// What each stop is, in order ("field id", or the control's name and
    /// row): for the Tab order tests.
    #[cfg(test)]
    pub fn names(&self) -> Vec<String> {
        self.stops
            .iter()
            .map(|stop| match stop {
                Stop::Field(id) => format!("field {id}"),
                Stop::Control { key, .. } if key.index == 0 => key.name.to_string(),
                Stop::Control { key, .. } => format!("{} {}", key.name, key.index),
            })
            .collect()
    }

    fn position(&self, place: &Place) -> Option<usize> {
        self.stops.iter().position(|stop| match (stop, place) {
            (Stop::Field(id), Place::Field(at)) => id == at,
            (Stop::Control { key, .. }, Place::Control(at)) => key == at,
            _ => false,
        })
    }
}

/// Where the keyboard is within a dialog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Field(&'static str),
    Control(Key),
}

/// The control that shows the focus ring, if any.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ring(Option<Key>);

impl Ring {
    pub fn on(self, key: Key) -> bool {
        self.0 == Some(key)
    }
}

/// What a Tab step asks of iced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    /// Put the caret into this field.
    Field(&'static str),
    /// A control has the focus: no field keeps the caret.
    Control,
    /// The chain is empty.
    None,
}

impl Move {
    pub fn task<T>(self) -> Task<T> {
        match self {
            Move::Field(id) => operation::focus(Id::new(id)),
            Move::Control => operation::focus(Id::new(NOWHERE)),
            Move::None => Task::none(),
        }
    }
}

/// The keyboard's place in the open dialog.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Focus {
    dialog: Option<&'static str>,
    at: Option<Place>,
    /// Steps taken so far: a caret answer asked for before the latest step
    /// is stale (keys typed faster than iced answers).
    steps: u64,
}

impl Focus {
    /// Tab (`forward`) or Shift+Tab on `chain`; `caret` is the field iced
    /// says has the caret (it wins: the user may have clicked it). From the
    /// last stop Tab goes to the first, and Shift+Tab the other way.
    pub fn step<M>(&mut self, chain: &Chain<M>, forward: bool, caret: Option<&'static str>) -> Move {
        if self.dialog != Some(chain.dialog) {
            *self = Focus {
                dialog: Some(chain.dialog),
                at: None,
                steps: self.steps,
            };
        }
        self.steps = self.steps.wrapping_add(1);
        let len = chain.stops.len();
        if len == 0 {
            return Move::None;
        }
        let from = caret
            .map(Place::Field)
            .and_then(|p| chain.position(&p))
            .or_else(|| self.at.and_then(|p| chain.position(&p)));
        let next = match (from, forward) {
            (None, true) => 0,
            (None, false) => len - 1,
            (Some(i), true) => (i + 1) % len,
            (Some(i), false) => (i + len - 1) % len,
        };
        match &chain.stops[next] {
            Stop::Field(id) => {
                self.at = Some(Place::Field(id));
                Move::Field(id)
            }
            Stop::Control { key, .. } => {
                self.at = Some(Place::Control(*key));
                Move::Control
            }
        }
    }

    /// How many steps were taken: asked with a caret query, and compared
    /// when its answer comes ([`Focus::answer_is_current`]).
    pub fn steps(&self) -> u64 {
        self.steps
    }

    /// Whether a caret answer asked for at `asked` steps still tells where
    /// the caret is: not when a step (and its move of the caret) came
    /// between, as when Tab is pressed again before iced answered.
    pub fn answer_is_current(&self, asked: u64) -> bool {
        self.steps == asked
    }

    /// Enter or Space: what the focused control sends, if a control of
    /// this chain has the focus.
    pub fn press<M: Clone>(&self, chain: &Chain<M>) -> Option<M> {
        if self.dialog != Some(chain.dialog) {
            return None;
        }
        let Some(place @ Place::Control(_)) = self.at else {
            return None;
        };
        match chain.position(&place).map(|i| &chain.stops[i]) {
            Some(Stop::Control { press, .. }) => Some(press.clone()),
            _ => None,
        }
    }

    /// A mouse click: the ring goes (the mouse has the focus now).
    pub fn pointer(&mut self) {
        if matches!(self.at, Some(Place::Control(_))) {
            self.at = None;
        }
    }

    /// The control to draw the ring around, in the dialog named `dialog`.
    pub fn ring(&self, dialog: &str) -> Ring {
        match self.at {
            Some(Place::Control(key)) if self.dialog == Some(dialog) => Ring(Some(key)),
            _ => Ring(None),
        }
    }
}

/// Asks iced which of `fields` has the caret (`None`: none of them).
pub fn caret_among(fields: Vec<&'static str>) -> Task<Option<&'static str>> {
    let mut rest = fields.into_iter();
    match rest.next() {
        None => Task::done(None),
        Some(first) => {
            let rest: Vec<&'static str> = rest.collect();
            // Collected: a field missing from the window answers nothing,
            // which must not end the walk.
            operation::is_focused(Id::new(first))
                .collect()
                .then(move |answers| {
                    if answers.first() == Some(&true) {
                        Task::done(Some(first))
                    } else {
                        caret_among(rest.clone())
                    }
                })
        }
    }
}

/// `control` with room for its ring, drawn when `ring` is on `key`.
pub fn ring<'a, M: 'a>(control: impl Into<Element<'a, M>>, key: Key, ring: Ring) -> Element<'a, M> {
    let on = ring.on(key);
    container(control)
        .padding(RING_PAD)
        .style(move |t: &Theme| ring_style(t, on))
        .into()
}

/// The ring's frame (none when `on` is false).
pub fn ring_style(theme: &Theme, on: bool) -> container::Style {
    if !on {
        return container::Style::default();
    }
    container::Style {
        border: Border {
            color: theme::focus_ring(theme),
            width: RING_WIDTH,
            radius: 6.0.into(),
        },
        ..container::Style::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> Chain<u8> {
        Chain::new("test")
            .field("a")
            .control(Key::new("one"), 1)
            .field("b")
            .control(Key::nth("row", 2), 2)
    }

    #[test]
    fn tab_visits_fields_and_controls_in_order_and_wraps() {
        let chain = chain();
        let mut focus = Focus::default();
        let mut seen = Vec::new();
        for _ in 0..5 {
            seen.push(focus.step(&chain, true, None));
        }
        assert_eq!(
            seen,
            [
                Move::Field("a"),
                Move::Control,
                Move::Field("b"),
                Move::Control,
                Move::Field("a")
            ]
        );
        assert_eq!(focus.step(&chain, false, None), Move::Control);
        assert!(focus.ring("test").on(Key::nth("row", 2)));
        assert_eq!(focus.press(&chain), Some(2));
    }

    #[test]
    fn the_caret_a_click_put_into_a_field_wins_and_a_click_hides_the_ring() {
        let chain = chain();
        let mut focus = Focus::default();
        focus.step(&chain, true, None);
        focus.step(&chain, true, None);
        assert!(focus.ring("test").on(Key::new("one")));
        focus.pointer();
        assert_eq!(focus.ring("test"), Ring::default());
        assert_eq!(focus.press(&chain), None, "no ring, nothing to press");
        assert_eq!(focus.step(&chain, true, Some("b")), Move::Control);
        assert!(focus.ring("test").on(Key::nth("row", 2)));
    }

    #[test]
    fn fields_are_not_pressed_and_a_new_dialog_starts_at_its_first_stop() {
        let chain = chain();
        let mut focus = Focus::default();
        focus.step(&chain, true, None);
        assert_eq!(focus.press(&chain), None);
        let other: Chain<u8> = Chain::new("other").control(Key::new("x"), 9);
        assert_eq!(focus.step(&other, true, None), Move::Control);
        assert_eq!(focus.press(&other), Some(9));
        assert_eq!(focus.press(&chain), None);
        assert_eq!(focus.ring("test"), Ring::default());
        let empty: Chain<u8> = Chain::new("empty");
        assert_eq!(focus.step(&empty, true, None), Move::None);
    }
}
