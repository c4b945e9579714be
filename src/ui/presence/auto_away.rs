//! Going away by itself: after the chosen minutes without input in the
//! window, an available status becomes away; the first input brings it
//! back. A status chosen by hand (busy, invisible, or away) is never
//! changed, and choosing one while away by itself ends the wait for input.
//!
//! Input means keys and the mouse in sipchat's window (iced reports no
//! other); someone working in other programs for that long goes away too.

use sipchat::model::OwnStatus;

/// The choices Settings offers, in minutes.
pub const CHOICES: [u32; 5] = [5, 10, 15, 30, 60];

/// The idle clock and what to go back to.
#[derive(Debug, Default)]
pub struct AutoAway {
    /// After how many seconds without input; `None`: off.
    after: Option<u64>,
    /// The last input, Unix seconds.
    last_input: u64,
    /// We set away ourselves; the status to go back to.
    back_to: Option<OwnStatus>,
}

impl AutoAway {
    /// Turns it on (`Some(minutes)`) or off, counting from `now`.
    pub fn set_minutes(&mut self, minutes: Option<u32>, now: u64) {
        self.after = minutes.map(|m| u64::from(m) * 60);
        self.last_input = now;
    }

    /// Whether it is on.
    pub fn enabled(&self) -> bool {
        self.after.is_some()
    }

    /// We set away ourselves and wait for input.
    #[cfg(test)]
    pub fn is_away(&self) -> bool {
        self.back_to.is_some()
    }

    /// Input at `now`: the status to go back to, if we went away.
    pub fn input(&mut self, now: u64) -> Option<OwnStatus> {
        self.last_input = now;
        self.back_to.take()
    }

    /// Time passed: true when `current` should become away now.
    pub fn tick(&mut self, now: u64, current: OwnStatus) -> bool {
        let Some(after) = self.after else {
            return false;
        };
        if self.back_to.is_some() || current != OwnStatus::Available {
            return false;
        }
        if now.saturating_sub(self.last_input) < after {
            return false;
        }
        self.back_to = Some(current);
        true
    }

    /// The user chose a status: it stays until they change it.
    pub fn chosen_by_hand(&mut self, now: u64) {
        self.back_to = None;
        self.last_input = now;
    }
}
