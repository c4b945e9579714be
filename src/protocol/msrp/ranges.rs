//! Sets of 1-based inclusive byte ranges, for reassembly and REPORT
//! coverage.

/// Most disjoint ranges one set keeps; a peer that fragments a message
/// further is refused (memory stays bounded).
pub const MAX_RANGES: usize = 4096;

/// Disjoint, sorted, merged inclusive ranges `(first, last)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangeSet {
    ranges: Vec<(u64, u64)>,
}

impl RangeSet {
    /// An empty set.
    pub fn new() -> RangeSet {
        RangeSet::default()
    }

    /// Adds `first..=last`. Empty ranges (`last < first`) are ignored.
    /// Returns `false` (and adds nothing) when the set would hold more than
    /// [`MAX_RANGES`] ranges.
    pub fn insert(&mut self, first: u64, last: u64) -> bool {
        if last < first {
            return true;
        }
        let (mut lo, mut hi) = (first, last);
        let mut kept = Vec::with_capacity(self.ranges.len() + 1);
        let mut placed = false;
        for &(a, b) in &self.ranges {
            if b.saturating_add(1) < lo {
                kept.push((a, b));
            } else if hi.saturating_add(1) < a {
                if !placed {
                    kept.push((lo, hi));
                    placed = true;
                }
                kept.push((a, b));
            } else {
                lo = lo.min(a);
                hi = hi.max(b);
            }
        }
        if !placed {
            kept.push((lo, hi));
        }
        if kept.len() > MAX_RANGES {
            return false;
        }
        self.ranges = kept;
        true
    }

    /// Whether every byte of `1..=last` is in the set (`last == 0` is
    /// always covered).
    pub fn covers_up_to(&self, last: u64) -> bool {
        last == 0 || self.ranges.first().is_some_and(|&(a, b)| a <= 1 && b >= last)
    }

    /// How many bytes from byte 1 the set holds without a gap.
    pub fn contiguous(&self) -> u64 {
        match self.ranges.first() {
            Some(&(1, b)) => b,
            _ => 0,
        }
    }

    /// How many bytes the set holds.
    pub fn len(&self) -> u64 {
        self.ranges.iter().map(|(a, b)| b - a + 1).sum()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// The highest byte in the set.
    pub fn max(&self) -> Option<u64> {
        self.ranges.last().map(|r| r.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_out_of_order_and_adjacent_ranges() {
        let mut s = RangeSet::new();
        assert!(s.insert(11, 20));
        assert!(!s.covers_up_to(20));
        assert!(s.insert(31, 40));
        assert!(s.insert(1, 10));
        assert!(s.covers_up_to(20));
        assert!(!s.covers_up_to(21));
        assert!(s.insert(15, 35));
        assert!(s.covers_up_to(40));
        assert_eq!(s.len(), 40);
        assert!(s.insert(5, 4));
        assert_eq!(s.max(), Some(40));
    }

    #[test]
    fn refuses_too_many_fragments() {
        let mut s = RangeSet::new();
        for i in 0..MAX_RANGES as u64 {
            assert!(s.insert(i * 3 + 1, i * 3 + 1));
        }
        assert!(!s.insert(u64::MAX - 1, u64::MAX - 1));
        assert!(s.insert(2, 3));
    }
}
