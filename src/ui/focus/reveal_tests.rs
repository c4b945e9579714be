use super::*;
use iced::advanced::widget::operation::scrollable::RelativeOffset;
use iced::{Point, Size};

/// A view 300 tall on content 1,000 tall, scrolled by `offset`.
fn scrolled(offset: f32) -> Scrolled {
    Scrolled {
        offset,
        view: 300.0,
        content: 1_000.0,
    }
}

#[test]
fn a_stop_in_view_does_not_scroll() {
    assert_eq!(offset_showing(scrolled(0.0), 10.0, 50.0), None);
    assert_eq!(offset_showing(scrolled(200.0), 200.0, 500.0), None, "just fits");
}

#[test]
fn a_stop_below_scrolls_down_just_enough_and_one_above_up() {
    // Below: its end (and the margin) at the view's bottom edge.
    let down = offset_showing(scrolled(0.0), 400.0, 440.0);
    assert_eq!(down, Some(440.0 + REVEAL_MARGIN - 300.0));
    // Partly below counts as out of view.
    let partly = offset_showing(scrolled(0.0), 280.0, 320.0);
    assert_eq!(partly, Some(320.0 + REVEAL_MARGIN - 300.0));
    // Above: its start (less the margin) at the view's top edge.
    let up = offset_showing(scrolled(500.0), 100.0, 140.0);
    assert_eq!(up, Some(100.0 - REVEAL_MARGIN));
}

#[test]
fn scrolling_stays_within_the_content_and_a_tall_stop_shows_its_start() {
    // The last control: the margin would go past the content's end.
    assert_eq!(offset_showing(scrolled(0.0), 960.0, 1_000.0), Some(700.0));
    // The first: not before the content's start.
    assert_eq!(offset_showing(scrolled(300.0), 2.0, 40.0), Some(0.0));
    // Taller than the view: its start shows.
    assert_eq!(
        offset_showing(scrolled(0.0), 400.0, 800.0),
        Some(400.0 - REVEAL_MARGIN)
    );
    // Content that fits the view cannot scroll.
    let short = Scrolled {
        offset: 0.0,
        view: 300.0,
        content: 200.0,
    };
    assert_eq!(offset_showing(short, 250.0, 290.0), None);
}

/// A scrollable's state that records where it was told to scroll.
#[derive(Default)]
struct Recorded(Vec<AbsoluteOffset<Option<f32>>>);

impl Scrollable for Recorded {
    fn snap_to(&mut self, _offset: RelativeOffset<Option<f32>>) {}

    fn scroll_to(&mut self, offset: AbsoluteOffset<Option<f32>>) {
        self.0.push(offset);
    }

    fn scroll_by(&mut self, _offset: AbsoluteOffset, _bounds: Rectangle, _content: Rectangle) {}
}

fn rectangle(y: f32, height: f32) -> Rectangle {
    Rectangle::new(Point::new(0.0, y), Size::new(400.0, height))
}

/// Walks a window as iced would: a list's scrollable (content 0..2,000,
/// with a container at 1,500 that carries the ring's id when
/// `ringed_in_list`), then a dialog's scrollable (view 100..400, content
/// 100..1,100, scrolled by 50) holding a field at 150 and the ringed
/// control at 900. Returns what each scrollable was told.
fn walk(operation: &mut dyn Operation<()>, ringed_in_list: bool) -> [Recorded; 2] {
    let mut list = Recorded::default();
    let mut dialog = Recorded::default();
    operation.container(None, rectangle(0.0, 500.0));
    operation.traverse(&mut |operation| {
        operation.scrollable(
            None,
            rectangle(0.0, 500.0),
            rectangle(0.0, 2_000.0),
            Vector::ZERO,
            &mut list,
        );
        operation.traverse(&mut |operation| {
            let id = ringed_in_list.then(|| Id::new(RINGED));
            operation.container(id.as_ref(), rectangle(1_500.0, 30.0));
            operation.traverse(&mut |_| {});
        });
        let translation = Vector::new(0.0, 50.0);
        operation.scrollable(
            None,
            rectangle(100.0, 300.0),
            rectangle(100.0, 1_000.0),
            translation,
            &mut dialog,
        );
        operation.traverse(&mut |operation| {
            operation.focusable(Some(&Id::new("field")), rectangle(150.0, 30.0), &mut Unfocusable);
            operation.container(Some(&Id::new(RINGED)), rectangle(900.0, 40.0));
            operation.traverse(&mut |_| {});
        });
    });
    [list, dialog]
}

struct Unfocusable;

impl Focusable for Unfocusable {
    fn is_focused(&self) -> bool {
        false
    }

    fn focus(&mut self) {}

    fn unfocus(&mut self) {}
}

/// Runs `target`'s reveal as iced does: the walk, then the chained one.
fn run(target: Target, ringed_in_list: bool) -> [Recorded; 2] {
    let mut find = Find::new(target);
    walk(&mut find, ringed_in_list);
    match Operation::<()>::finish(&find) {
        Outcome::Chain(mut next) => walk(next.as_mut(), ringed_in_list),
        _ => [Recorded::default(), Recorded::default()],
    }
}

#[test]
fn the_ringed_control_scrolls_the_scrollable_it_is_in_and_no_other() {
    let [list, dialog] = run(Target::Ring, false);
    assert!(list.0.is_empty());
    // At 800..840 of the content; the view shows 50..350 of it.
    let wanted = 840.0 + REVEAL_MARGIN - 300.0;
    assert_eq!(
        dialog.0,
        [AbsoluteOffset {
            x: None,
            y: Some(wanted)
        }]
    );
    // Two ringed containers: the one drawn last (the dialog's) wins.
    let [list, dialog] = run(Target::Ring, true);
    assert!(list.0.is_empty());
    assert_eq!(dialog.0.len(), 1);
}

#[test]
fn a_field_in_view_or_missing_scrolls_nothing() {
    let [list, dialog] = run(Target::Field("field"), false);
    assert!(list.0.is_empty() && dialog.0.is_empty(), "50..80 shows");
    let [list, dialog] = run(Target::Field("elsewhere"), false);
    assert!(list.0.is_empty() && dialog.0.is_empty());
}

#[test]
fn offsets_are_whole_pixels_so_a_control_looks_the_same_from_either_side() {
    let view = |offset: f32| Scrolled {
        offset,
        view: 300.5,
        content: 1_000.25,
    };
    // From above and from below, onto the last control: the same offset,
    // and a whole one (the content's end rounded down).
    let from_above = offset_showing(view(0.0), 960.3, 1_000.25);
    assert_eq!(from_above, Some(699.0));
    // A stop at a fractional position lands on a whole offset.
    assert_eq!(
        offset_showing(view(0.0), 400.4, 440.7),
        Some((440.7 + REVEAL_MARGIN - 300.5_f32).round())
    );
    assert_eq!(
        offset_showing(view(600.0), 100.6, 140.0),
        Some((100.6 - REVEAL_MARGIN).round())
    );
}
