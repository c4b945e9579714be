//! RFC 3261 timer values (section 17 and table 4 of appendix A).
//!
//! Every piece of timer arithmetic used by the transaction state machines
//! lives here so that the values can be audited in one place. The INVITE
//! timers (A, B, D, G, H, I) are provided for the upcoming INVITE
//! transactions.

use std::time::{Duration, Instant};

/// Base timer values T1, T2 and T4 from which all others are derived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimerConfig {
    /// RTT estimate; initial retransmission interval (default 500 ms).
    pub t1: Duration,
    /// Maximum retransmission interval for non-INVITE requests and INVITE
    /// responses (default 4 s).
    pub t2: Duration,
    /// Maximum time a message remains in the network (default 5 s).
    pub t4: Duration,
}

impl Default for TimerConfig {
    fn default() -> Self {
        Self {
            t1: Self::DEFAULT_T1,
            t2: Self::DEFAULT_T2,
            t4: Self::DEFAULT_T4,
        }
    }
}

impl TimerConfig {
    /// RFC 3261 default for T1.
    pub const DEFAULT_T1: Duration = Duration::from_millis(500);
    /// RFC 3261 default for T2.
    pub const DEFAULT_T2: Duration = Duration::from_secs(4);
    /// RFC 3261 default for T4.
    pub const DEFAULT_T4: Duration = Duration::from_secs(5);

    /// 64*T1: the common transaction timeout (Timers B, F, H and J).
    pub fn sixty_four_t1(&self) -> Duration {
        self.t1.saturating_mul(64)
    }

    /// First retransmission interval of Timer E (non-INVITE client): T1.
    pub fn timer_e_initial(&self) -> Duration {
        self.t1
    }

    /// Next Timer E / Timer G interval after `previous` fired while no
    /// provisional response was seen: `min(2 * previous, T2)`.
    pub fn next_retransmit_interval(&self, previous: Duration) -> Duration {
        previous.saturating_mul(2).min(self.t2)
    }

    /// Timer E interval once the client is in Proceeding: T2.
    pub fn proceeding_retransmit_interval(&self) -> Duration {
        self.t2
    }

    /// Timer F (non-INVITE client transaction timeout): 64*T1.
    pub fn timer_f(&self) -> Duration {
        self.sixty_four_t1()
    }

    /// Timer J (non-INVITE server, wait for request retransmissions):
    /// 64*T1 over unreliable transports, zero over reliable ones.
    pub fn timer_j(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.sixty_four_t1()
        }
    }

    /// Timer K (non-INVITE client, wait for response retransmissions):
    /// T4 over unreliable transports, zero over reliable ones.
    pub fn timer_k(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t4
        }
    }

    /// Timer A initial interval (INVITE client retransmission, unreliable
    /// transports only; doubles without cap): T1.
    pub fn timer_a_initial(&self) -> Duration {
        self.t1
    }

    /// Timer B (INVITE client transaction timeout): 64*T1.
    pub fn timer_b(&self) -> Duration {
        self.sixty_four_t1()
    }

    /// Timer D (INVITE client, wait for response retransmissions): at least
    /// 32 s over unreliable transports (and at least 64*T1), zero over
    /// reliable ones.
    pub fn timer_d(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            Duration::from_secs(32).max(self.sixty_four_t1())
        }
    }

    /// Timer G initial interval (INVITE server response retransmission):
    /// T1, then [`next_retransmit_interval`](Self::next_retransmit_interval).
    pub fn timer_g_initial(&self) -> Duration {
        self.t1
    }

    /// Timer H (INVITE server, wait for ACK): 64*T1.
    pub fn timer_h(&self) -> Duration {
        self.sixty_four_t1()
    }

    /// Timer I (INVITE server, wait for ACK retransmissions): T4 over
    /// unreliable transports, zero over reliable ones.
    pub fn timer_i(&self, reliable: bool) -> Duration {
        if reliable {
            Duration::ZERO
        } else {
            self.t4
        }
    }
}

impl TimerConfig {
    /// Timer L (INVITE server, RFC 6026: how long an accepted INVITE
    /// transaction absorbs retransmissions, and how long the 2xx waits for
    /// its ACK): 64*T1.
    pub fn timer_l(&self) -> Duration {
        self.sixty_four_t1()
    }

    /// Timer M (INVITE client, RFC 6026: how long an accepted INVITE
    /// transaction keeps passing 2xx retransmissions to the TU): 64*T1.
    pub fn timer_m(&self) -> Duration {
        self.sixty_four_t1()
    }
}

/// `now + after`, or `None` if that instant is not representable (the timer
/// then never fires; only possible with absurd configurations).
pub(super) fn deadline(now: Instant, after: Duration) -> Option<Instant> {
    now.checked_add(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_rfc3261() {
        let t = TimerConfig::default();
        assert_eq!(t.t1, Duration::from_millis(500));
        assert_eq!(t.t2, Duration::from_secs(4));
        assert_eq!(t.t4, Duration::from_secs(5));
        assert_eq!(t.timer_f(), Duration::from_secs(32));
        assert_eq!(t.timer_j(false), Duration::from_secs(32));
        assert_eq!(t.timer_j(true), Duration::ZERO);
        assert_eq!(t.timer_k(false), Duration::from_secs(5));
        assert_eq!(t.timer_k(true), Duration::ZERO);
        assert_eq!(t.timer_b(), Duration::from_secs(32));
        assert_eq!(t.timer_h(), Duration::from_secs(32));
        assert_eq!(t.timer_d(false), Duration::from_secs(32));
        assert_eq!(t.timer_d(true), Duration::ZERO);
        assert_eq!(t.timer_i(false), Duration::from_secs(5));
        assert_eq!(t.timer_i(true), Duration::ZERO);
    }

    #[test]
    fn retransmit_interval_doubles_and_caps_at_t2() {
        let t = TimerConfig::default();
        let mut interval = t.timer_e_initial();
        let mut seen = vec![interval.as_millis()];
        for _ in 0..6 {
            interval = t.next_retransmit_interval(interval);
            seen.push(interval.as_millis());
        }
        assert_eq!(seen, vec![500, 1000, 2000, 4000, 4000, 4000, 4000]);
        assert_eq!(t.proceeding_retransmit_interval(), Duration::from_secs(4));
    }

    #[test]
    fn derived_timers_follow_custom_t1() {
        let t = TimerConfig {
            t1: Duration::from_millis(100),
            t2: Duration::from_millis(300),
            t4: Duration::from_secs(1),
        };
        assert_eq!(t.timer_f(), Duration::from_millis(6400));
        assert_eq!(t.next_retransmit_interval(Duration::from_millis(200)), t.t2);
        // Timer D never drops below 32 s on unreliable transports.
        assert_eq!(t.timer_d(false), Duration::from_secs(32));
    }

    #[test]
    fn deadline_overflow_is_none() {
        let now = Instant::now();
        assert_eq!(
            deadline(now, Duration::from_secs(1)),
            Some(now + Duration::from_secs(1))
        );
        assert_eq!(deadline(now, Duration::MAX), None);
    }
}
