//! Time as the runtime's features see it: a monotonic instant for timers
//! (virtual in tests) and wall-clock milliseconds for what is stored. The
//! driver reads the clock; features only receive it.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// One reading of both clocks, handed to a feature with each input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Now {
    /// Monotonic time, for timers.
    pub at: Instant,
    /// Unix time in milliseconds, for the history.
    pub unix_ms: i64,
}

impl Now {
    /// Reads both clocks.
    pub(crate) fn read() -> Now {
        Now {
            at: Instant::now(),
            unix_ms: now_ms(),
        }
    }

    /// The same moment `delay` later (for tests on virtual time and for
    /// computing when a retry is due).
    pub(crate) fn after(self, delay: std::time::Duration) -> Now {
        Now {
            at: self.at + delay,
            unix_ms: self
                .unix_ms
                .saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2)),
        }
    }
}

/// Unix time in milliseconds.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}
