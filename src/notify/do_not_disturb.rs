//! Do not disturb: message notifications are muted for an hour, until
//! tomorrow morning, or not at all. Emergency alerts are never muted (the
//! planner does not ask this module about them).
//!
//! Times are Unix seconds handed in by the caller, so the rules are tested
//! without a clock; "tomorrow morning" needs the caller's offset from UTC
//! (the window knows the user's time zone, the library does not).

/// How long "mute for an hour" mutes, in seconds.
pub const HOUR_SECS: u64 = 60 * 60;
/// The local hour at which "until tomorrow" ends (08:00).
pub const MORNING_HOUR: u64 = 8;
/// Seconds in a day.
const DAY_SECS: i64 = 24 * 60 * 60;

/// Whether, and until when, messages are muted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DoNotDisturb {
    /// Muted until this Unix time (exclusive); `None`: not muted.
    until: Option<u64>,
}

impl DoNotDisturb {
    /// Not muted.
    pub fn off() -> DoNotDisturb {
        DoNotDisturb { until: None }
    }

    /// Muted until `until` (Unix seconds), as remembered from before.
    pub fn until(until: u64) -> DoNotDisturb {
        DoNotDisturb { until: Some(until) }
    }

    /// Muted for an hour from `now`.
    pub fn for_an_hour(now: u64) -> DoNotDisturb {
        DoNotDisturb::until(now.saturating_add(HOUR_SECS))
    }

    /// Muted until [`MORNING_HOUR`] local time on the next day, counted from
    /// `now`; `utc_offset` is the local offset east of UTC in seconds. Past
    /// midnight and before the morning hour, "tomorrow" is that same
    /// morning (muting at 01:00 ends at 08:00, not a day later).
    pub fn until_tomorrow(now: u64, utc_offset: i32) -> DoNotDisturb {
        let now_signed = i64::try_from(now).unwrap_or(i64::MAX / 2);
        let local = now_signed + i64::from(utc_offset);
        let midnight = local - local.rem_euclid(DAY_SECS);
        let morning = i64::try_from(MORNING_HOUR).unwrap_or(8) * 3600;
        let today_morning = midnight + morning;
        let end_local = if local < today_morning {
            today_morning
        } else {
            today_morning + DAY_SECS
        };
        let end = end_local - i64::from(utc_offset);
        DoNotDisturb::until(u64::try_from(end).unwrap_or(now.saturating_add(HOUR_SECS)))
    }

    /// Whether messages are muted at `now`.
    pub fn muted_at(&self, now: u64) -> bool {
        self.until.is_some_and(|until| now < until)
    }

    /// When the mute ends, while it lasts at `now`.
    pub fn ends(&self, now: u64) -> Option<u64> {
        self.until.filter(|until| now < *until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 12:00:00 UTC.
    const NOON: u64 = 1_796_644_800;

    #[test]
    fn an_hour_mutes_for_sixty_minutes_and_then_ends() {
        let dnd = DoNotDisturb::for_an_hour(NOON);
        assert!(dnd.muted_at(NOON));
        assert!(dnd.muted_at(NOON + HOUR_SECS - 1));
        assert!(!dnd.muted_at(NOON + HOUR_SECS));
        assert_eq!(dnd.ends(NOON), Some(NOON + HOUR_SECS));
        assert_eq!(dnd.ends(NOON + HOUR_SECS), None);
        assert!(!DoNotDisturb::off().muted_at(NOON));
    }

    #[test]
    fn until_tomorrow_ends_at_eight_local_time() {
        // Noon UTC in Berlin (UTC+1) is 13:00; it ends tomorrow 08:00 local = 07:00 UTC.
        let dnd = DoNotDisturb::until_tomorrow(NOON, 3600);
        assert_eq!(dnd.ends(NOON), Some(NOON + 19 * 3600));
        // At 01:00 UTC (UTC+0), "tomorrow" is this morning at 08:00.
        let one_am = NOON - 11 * 3600;
        let dnd = DoNotDisturb::until_tomorrow(one_am, 0);
        assert_eq!(dnd.ends(one_am), Some(one_am + 7 * 3600));
        // West of UTC: 12:00 UTC is 07:00 in New York (UTC-5): ends 08:00 the same day.
        let dnd = DoNotDisturb::until_tomorrow(NOON, -5 * 3600);
        assert_eq!(dnd.ends(NOON), Some(NOON + 3600));
    }
}
