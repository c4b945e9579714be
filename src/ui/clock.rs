//! Wall-clock formatting in the user's time zone, without a date crate.
//!
//! The zone comes from `$TZ` or `/etc/localtime` (a TZif file, RFC 8536);
//! when neither can be read, times are shown in UTC. Transitions after the
//! last one in the file (2037 for "fat" files) reuse the last offset.

use crate::ui::i18n::t;
use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// A time zone as a list of offset changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Zone {
    /// Offset (seconds east of UTC) before the first transition.
    initial: i32,
    /// `(unix time, offset from then on)`, ascending.
    transitions: Vec<(i64, i32)>,
}

/// A local calendar date and time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    /// 0 = Monday.
    pub weekday: u32,
}

/// A month's short name in the window's language (1 = January).
fn month_name(month: u32) -> String {
    match month {
        1 => t!("month-jan"),
        2 => t!("month-feb"),
        3 => t!("month-mar"),
        4 => t!("month-apr"),
        5 => t!("month-may"),
        6 => t!("month-jun"),
        7 => t!("month-jul"),
        8 => t!("month-aug"),
        9 => t!("month-sep"),
        10 => t!("month-oct"),
        11 => t!("month-nov"),
        _ => t!("month-dec"),
    }
}

/// A weekday's short name in the window's language (0 = Monday).
fn weekday_name(weekday: u32) -> String {
    match weekday {
        0 => t!("weekday-mon"),
        1 => t!("weekday-tue"),
        2 => t!("weekday-wed"),
        3 => t!("weekday-thu"),
        4 => t!("weekday-fri"),
        5 => t!("weekday-sat"),
        _ => t!("weekday-sun"),
    }
}

impl Zone {
    /// Coordinated Universal Time.
    #[cfg(test)]
    pub fn utc() -> Zone {
        Zone::default()
    }

    /// A fixed offset, in seconds east of UTC (for tests).
    #[cfg(test)]
    pub fn fixed(offset: i32) -> Zone {
        Zone {
            initial: offset,
            transitions: Vec::new(),
        }
    }

    /// The user's zone: `$TZ` (a path or a zoneinfo name), else `/etc/localtime`.
    pub fn load() -> Zone {
        let path = match std::env::var("TZ") {
            Ok(tz) if !tz.is_empty() => {
                let tz = tz.trim_start_matches(':');
                if tz.starts_with('/') {
                    tz.to_string()
                } else {
                    format!("/usr/share/zoneinfo/{tz}")
                }
            }
            _ => "/etc/localtime".to_string(),
        };
        std::fs::read(path)
            .ok()
            .and_then(|bytes| Zone::parse_tzif(&bytes))
            .unwrap_or_default()
    }

    /// Reads a TZif file, preferring its 64-bit section.
    pub fn parse_tzif(bytes: &[u8]) -> Option<Zone> {
        let header = TzifHeader::read(bytes)?;
        if header.version >= b'2' {
            let second = bytes.get(header.block_len(4)..)?;
            let header2 = TzifHeader::read(second)?;
            return header2.zone(second.get(44..)?, 8);
        }
        header.zone(bytes.get(44..)?, 4)
    }

    /// Offset from UTC in seconds at the given instant.
    pub fn offset_at(&self, unix: i64) -> i32 {
        let after = self.transitions.partition_point(|(at, _)| *at <= unix);
        match after {
            0 => self.initial,
            n => self.transitions[n - 1].1,
        }
    }

    /// The local calendar reading of an instant.
    pub fn civil(&self, unix: u64) -> Civil {
        let unix = i64::try_from(unix).unwrap_or(i64::MAX / 2);
        let local = unix + i64::from(self.offset_at(unix));
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: (secs / 3600) as u32,
            minute: (secs % 3600 / 60) as u32,
            weekday: (days + 3).rem_euclid(7) as u32,
        }
    }

    /// `14:05`
    pub fn time_of_day(&self, unix: u64) -> String {
        let c = self.civil(unix);
        format!("{:02}:{:02}", c.hour, c.minute)
    }

    /// A day heading relative to `now`: "Today", "Yesterday", "Tue 3 Nov",
    /// or "3 Nov 2025" for another year.
    pub fn day_label(&self, unix: u64, now: u64) -> String {
        let day = self.civil(unix);
        let today = self.civil(now);
        let yesterday = self.civil(now.saturating_sub(86_400));
        let same = |a: &Civil, b: &Civil| (a.year, a.month, a.day) == (b.year, b.month, b.day);
        if same(&day, &today) {
            t!("day-today")
        } else if same(&day, &yesterday) {
            t!("day-yesterday")
        } else if day.year == today.year {
            t!(
                "day-this-year",
                weekday = weekday_name(day.weekday),
                day = day.day,
                month = month_name(day.month)
            )
        } else {
            // The year as text, so no locale inserts a digit separator.
            t!(
                "day-other-year",
                day = day.day,
                month = month_name(day.month),
                year = day.year.to_string()
            )
        }
    }

    /// Short stamp for lists: the time today, else the day.
    pub fn short_stamp(&self, unix: u64, now: u64) -> String {
        if self.same_day(unix, now) {
            self.time_of_day(unix)
        } else {
            self.day_label(unix, now)
        }
    }

    /// Whether two instants fall on the same local day.
    pub fn same_day(&self, a: u64, b: u64) -> bool {
        let (a, b) = (self.civil(a), self.civil(b));
        (a.year, a.month, a.day) == (b.year, b.month, b.day)
    }
}

struct TzifHeader {
    version: u8,
    isutcnt: usize,
    isstdcnt: usize,
    leapcnt: usize,
    timecnt: usize,
    typecnt: usize,
    charcnt: usize,
}

impl TzifHeader {
    fn read(bytes: &[u8]) -> Option<TzifHeader> {
        if bytes.get(..4)? != b"TZif" {
            return None;
        }
        let count = |i: usize| -> Option<usize> {
            let b = bytes.get(20 + i * 4..24 + i * 4)?;
            usize::try_from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])).ok()
        };
        Some(TzifHeader {
            version: *bytes.get(4)?,
            isutcnt: count(0)?,
            isstdcnt: count(1)?,
            leapcnt: count(2)?,
            timecnt: count(3)?,
            typecnt: count(4)?,
            charcnt: count(5)?,
        })
    }

    /// Header plus data block, for times of `time_size` bytes.
    fn block_len(&self, time_size: usize) -> usize {
        44 + self.timecnt * (time_size + 1)
            + self.typecnt * 6
            + self.charcnt
            + self.leapcnt * (time_size + 4)
            + self.isstdcnt
            + self.isutcnt
    }

    fn zone(&self, data: &[u8], time_size: usize) -> Option<Zone> {
        let times = data.get(..self.timecnt * time_size)?;
        let indices = data.get(self.timecnt * time_size..self.timecnt * (time_size + 1))?;
        let types_at = self.timecnt * (time_size + 1);
        let types = data.get(types_at..types_at + self.typecnt * 6)?;
        let offset_of = |index: usize| -> Option<i32> {
            let t = types.get(index * 6..index * 6 + 4)?;
            Some(i32::from_be_bytes([t[0], t[1], t[2], t[3]]))
        };
        let mut transitions = Vec::with_capacity(self.timecnt);
        for (i, index) in indices.iter().enumerate() {
            let raw = times.get(i * time_size..(i + 1) * time_size)?;
            let at = if time_size == 8 {
                i64::from_be_bytes([raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7]])
            } else {
                i64::from(i32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]))
            };
            transitions.push((at, offset_of(usize::from(*index))?));
        }
        Some(Zone {
            initial: offset_of(0)?,
            transitions,
        })
    }
}

/// Days since 1970-01-01 to (year, month 1-12, day 1-31), proleptic Gregorian.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-03 14:05:00 UTC, a Tuesday.
    const T: u64 = 1_793_714_700;

    #[test]
    fn civil_reading_in_utc_and_with_an_offset() {
        let utc = Zone::utc().civil(T);
        assert_eq!(
            (utc.year, utc.month, utc.day, utc.hour, utc.minute),
            (2026, 11, 3, 14, 5)
        );
        assert_eq!(utc.weekday, 1);
        assert_eq!(Zone::fixed(3600).time_of_day(T), "15:05");
        assert_eq!(Zone::fixed(-15 * 3600).day_label(T, T), "Today");
    }

    #[test]
    fn day_labels() {
        let z = Zone::utc();
        assert_eq!(z.day_label(T, T + 60), "Today");
        assert_eq!(z.day_label(T - 86_400, T), "Yesterday");
        assert_eq!(z.day_label(T - 5 * 86_400, T), "Thu 29 Oct");
        assert_eq!(z.day_label(T - 400 * 86_400, T), "29 Sep 2025");
        assert_eq!(z.short_stamp(T, T), "14:05");
        assert_eq!(z.short_stamp(T - 86_400, T), "Yesterday");
    }

    #[test]
    fn day_labels_in_german_and_spanish() {
        use crate::ui::i18n::{set_language, Language};
        let z = Zone::utc();
        set_language(Language::German);
        let german = (z.day_label(T - 5 * 86_400, T), z.day_label(T - 400 * 86_400, T));
        set_language(Language::Spanish);
        let spanish = (z.day_label(T - 5 * 86_400, T), z.day_label(T, T));
        set_language(Language::English);
        assert_eq!(
            german,
            ("Do., 29. Okt.".to_string(), "29. Sept. 2025".to_string())
        );
        assert_eq!(spanish, ("jue 29 oct".to_string(), "Hoy".to_string()));
    }

    #[test]
    fn reads_the_system_zone_files_when_present() {
        if let Ok(bytes) = std::fs::read("/usr/share/zoneinfo/Europe/Berlin") {
            let Some(z) = Zone::parse_tzif(&bytes) else {
                panic!("Europe/Berlin did not parse");
            };
            // Summer 2026: CEST, winter: CET.
            assert_eq!(z.offset_at(1_784_000_000), 7200);
            assert_eq!(z.offset_at(T as i64), 3600);
        }
        assert_eq!(Zone::parse_tzif(b"not a zone"), None);
    }
}
