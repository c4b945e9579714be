//! Scrolls the focused stop into view: when Tab puts the caret into a field
//! or the ring on a control that lies outside the visible part of the
//! scrollable around it (a long dialog in a small window), that scrollable
//! scrolls just enough to show it.
//!
//! iced 0.14 has no scroll-into-view, and its scroll operations
//! (`operation::scroll_to`, `snap_to`) take a scrollable's id and an offset
//! the caller must already know. So [`reveal`] is a widget operation of its
//! own, in two passes over the same tree:
//! 1. [`Find`] walks the tree, keeping the scrollables it is inside of (a
//!    scrollable reports itself, with its bounds, its content's bounds and
//!    how far it is scrolled, just before its content is walked). It notes
//!    the bounds of the target (the field by its id; the control by the id
//!    [`RINGED`] its ring's container carries) and the nearest scrollable
//!    around it, counted in walking order; with [`offset_showing`] it
//!    decides how far that scrollable must scroll;
//! 2. [`ScrollNth`] walks the same tree again and scrolls that scrollable
//!    (by its count: dialogs' scrollables need no id).
//!
//! Bounds reported inside a scrollable are those of its unscrolled
//! content, so the target's place in the content is its top less the
//! content's top. Only scrollables anchored at the top are meant (every
//! one with focus stops: the dialogs', the alert log's; the message list,
//! anchored at the bottom, has none).

use iced::advanced::widget::operation::{Focusable, Outcome, Scrollable};
use iced::advanced::widget::{self, Id, Operation};
use iced::widget::operation::AbsoluteOffset;
use iced::{Rectangle, Task, Vector};

/// The widget id of the container that draws the ring (one at a time).
pub const RINGED: &str = "focus-ringed";
/// Room shown beyond a revealed stop, so it does not sit on the edge of the
/// scrollable's view, in logical pixels.
pub const REVEAL_MARGIN: f32 = 8.0;
/// Smaller moves than this are not worth a scroll, in logical pixels.
const LEAST_MOVE: f32 = 0.5;

/// What to bring into view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The text field with this widget id.
    Field(&'static str),
    /// The control that shows the focus ring.
    Ring,
}

/// A scrollable as one axis sees it: how far it is scrolled, how much of
/// its content it shows, and how long the content is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scrolled {
    pub offset: f32,
    pub view: f32,
    pub content: f32,
}

/// The offset that shows the stretch `start..end` of the content (with
/// [`REVEAL_MARGIN`] beyond it), moving as little as possible: `None` when
/// it shows whole already, or no scrolling could show more of it. A stretch
/// longer than the view shows its start. Offsets are whole pixels.
pub fn offset_showing(scrolled: Scrolled, start: f32, end: f32) -> Option<f32> {
    let Scrolled {
        offset,
        view,
        content,
    } = scrolled;
    if start >= offset && end <= offset + view {
        return None;
    }
    let wanted = if start < offset {
        start - REVEAL_MARGIN
    } else {
        (end + REVEAL_MARGIN - view).min(start - REVEAL_MARGIN)
    };
    // Whole pixels: a fractional offset blurs every edge by half a pixel,
    // and the same control reached from above or below would not look the
    // same.
    let furthest = (content - view).max(0.0).floor();
    let wanted = wanted.clamp(0.0, furthest).round();
    ((wanted - offset).abs() >= LEAST_MOVE).then_some(wanted)
}

/// A task scrolling the nearest scrollable around `target` so it shows;
/// nothing when it shows already or is not in the window.
pub fn reveal<T: Send + 'static>(target: Target) -> Task<T> {
    widget::operate::<()>(Find::new(target)).discard()
}

/// A scrollable met on the walk.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Frame {
    /// Its count, in walking order.
    index: usize,
    bounds: Rectangle,
    content: Rectangle,
    translation: Vector,
}

/// The first pass: where the target is, and the scrollable around it.
#[derive(Debug)]
pub struct Find {
    target: Target,
    /// The scrollables the walk is inside of (`None`: another widget).
    around: Vec<Option<Frame>>,
    /// A scrollable that reported itself; its content comes next.
    reported: Option<Frame>,
    scrollables: usize,
    /// The target's bounds and the nearest scrollable around it (the last
    /// one found wins: it is drawn on top).
    found: Option<(Rectangle, Option<Frame>)>,
}

impl Find {
    pub fn new(target: Target) -> Find {
        Find {
            target,
            around: Vec::new(),
            reported: None,
            scrollables: 0,
            found: None,
        }
    }

    fn nearest(&self) -> Option<Frame> {
        self.around.iter().rev().find_map(|frame| *frame)
    }

    fn note(&mut self, bounds: Rectangle) {
        self.found = Some((bounds, self.nearest()));
    }

    /// The scroll wanted: which scrollable, and its new vertical offset.
    fn decision(&self) -> Option<(usize, f32)> {
        let (bounds, frame) = self.found?;
        let frame = frame?;
        let scrolled = Scrolled {
            offset: frame.translation.y,
            view: frame.bounds.height,
            content: frame.content.height,
        };
        let start = bounds.y - frame.content.y;
        let wanted = offset_showing(scrolled, start, start + bounds.height)?;
        Some((frame.index, wanted))
    }
}

impl<T: Send + 'static> Operation<T> for Find {
    fn traverse(&mut self, operate: &mut dyn FnMut(&mut dyn Operation<T>)) {
        let frame = self.reported.take();
        self.around.push(frame);
        operate(self);
        self.around.pop();
    }

    fn container(&mut self, id: Option<&Id>, bounds: Rectangle) {
        self.reported = None;
        if self.target == Target::Ring && id == Some(&Id::new(RINGED)) {
            self.note(bounds);
        }
    }

    fn scrollable(
        &mut self,
        _id: Option<&Id>,
        bounds: Rectangle,
        content: Rectangle,
        translation: Vector,
        _state: &mut dyn Scrollable,
    ) {
        self.reported = Some(Frame {
            index: self.scrollables,
            bounds,
            content,
            translation,
        });
        self.scrollables += 1;
    }

    fn focusable(&mut self, id: Option<&Id>, bounds: Rectangle, _state: &mut dyn Focusable) {
        self.reported = None;
        if let (Target::Field(field), Some(id)) = (self.target, id) {
            if *id == Id::new(field) {
                self.note(bounds);
            }
        }
    }

    fn finish(&self) -> Outcome<T> {
        match self.decision() {
            Some((index, y)) => Outcome::Chain(Box::new(ScrollNth { index, y, seen: 0 })),
            None => Outcome::None,
        }
    }
}

/// The second pass: scrolls the `index`-th scrollable to `y`.
#[derive(Debug)]
pub struct ScrollNth {
    index: usize,
    y: f32,
    seen: usize,
}

impl<T: Send + 'static> Operation<T> for ScrollNth {
    fn traverse(&mut self, operate: &mut dyn FnMut(&mut dyn Operation<T>)) {
        if self.seen <= self.index {
            operate(self);
        }
    }

    fn scrollable(
        &mut self,
        _id: Option<&Id>,
        _bounds: Rectangle,
        _content: Rectangle,
        _translation: Vector,
        state: &mut dyn Scrollable,
    ) {
        if self.seen == self.index {
            state.scroll_to(AbsoluteOffset {
                x: None,
                y: Some(self.y),
            });
        }
        self.seen += 1;
    }
}

#[cfg(test)]
#[path = "reveal_tests.rs"]
mod tests;
