//! RFC 3339 date-times as PIDF carries them (`2026-12-07T11:05:00Z`,
//! `2026-12-07T12:05:00.123+01:00`), read into Unix seconds and written in
//! UTC. Sans-IO: no clock is read here.

/// Longest timestamp text read.
pub const MAX_TIMESTAMP_LEN: usize = 64;
/// Earliest year accepted.
pub const MIN_YEAR: i64 = 1970;
/// Latest year accepted.
pub const MAX_YEAR: i64 = 9999;

const SECONDS_PER_DAY: i64 = 86_400;

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// Longer than [`MAX_TIMESTAMP_LEN`].
    #[error("the timestamp is longer than {MAX_TIMESTAMP_LEN} characters")]
    TooLong,
    /// Not of the form `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`.
    #[error("the timestamp {0:?} is not an RFC 3339 date-time")]
    Form(String),
    /// A field out of its range (month 13, hour 25, ...).
    #[error("the timestamp {0:?} has a field out of range")]
    Range(String),
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_since_epoch(year: i64, month: i64, day: i64) -> i64 {
    // Count from March so the leap day is the last day of the counted year.
    let (y, m) = if month <= 2 {
        (year - 1, month + 9)
    } else {
        (year, month - 3)
    };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * m + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01: (year, month, day).
fn date_of_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let m = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * m + 2) / 5 + 1;
    let month = if m < 10 { m + 3 } else { m - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn number(text: &str, digits: usize) -> Option<i64> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Reads an RFC 3339 date-time into Unix seconds (fractions dropped).
pub fn parse(text: &str) -> Result<i64, TimestampError> {
    let text = text.trim();
    if text.len() > MAX_TIMESTAMP_LEN {
        return Err(TimestampError::TooLong);
    }
    let form = || TimestampError::Form(text.to_string());
    let range = || TimestampError::Range(text.to_string());
    if !text.is_ascii() || text.len() < 20 {
        return Err(form());
    }
    let bytes = text.as_bytes();
    if bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't' | b' ') {
        return Err(form());
    }
    if bytes[13] != b':' || bytes[16] != b':' {
        return Err(form());
    }
    let year = number(&text[0..4], 4).ok_or_else(form)?;
    let month = number(&text[5..7], 2).ok_or_else(form)?;
    let day = number(&text[8..10], 2).ok_or_else(form)?;
    let hour = number(&text[11..13], 2).ok_or_else(form)?;
    let minute = number(&text[14..16], 2).ok_or_else(form)?;
    let second = number(&text[17..19], 2).ok_or_else(form)?;
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(form());
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(form()),
            };
            let hours = number(&rest[1..3], 2).ok_or_else(form)?;
            let minutes = number(&rest[4..6], 2).ok_or_else(form)?;
            if hours > 23 || minutes > 59 {
                return Err(range());
            }
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return Err(form()),
    };
    if !(MIN_YEAR..=MAX_YEAR).contains(&year)
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return Err(range());
    }
    let days = days_since_epoch(year, month, day);
    Ok(days * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second.min(59) - offset)
}

/// Writes Unix seconds as an RFC 3339 date-time in UTC.
pub fn format(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(SECONDS_PER_DAY);
    let within = unix_seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = date_of_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        within / 3600,
        within % 3600 / 60,
        within % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utc_offsets_and_fractions() {
        assert_eq!(parse("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse("2001-10-27T16:49:29Z"), Ok(1_004_201_369));
        assert_eq!(parse("2001-10-27T18:49:29.250+02:00"), Ok(1_004_201_369));
        assert_eq!(parse("2000-02-29T00:00:00-00:30"), Ok(951_784_200));
    }

    #[test]
    fn writes_what_it_reads() {
        for t in [0, 951_782_400, 1_004_201_369, 1_796_641_500, 4_102_444_799] {
            assert_eq!(parse(&format(t)), Ok(t), "{}", format(t));
        }
        assert_eq!(format(1_004_201_369), "2001-10-27T16:49:29Z");
    }

    #[test]
    fn refuses_malformed_and_out_of_range() {
        for bad in [
            "",
            "yesterday",
            "2001-10-27",
            "2001-10-27T16:49:29",
            "2001-13-01T00:00:00Z",
            "2001-02-29T00:00:00Z",
            "2001-10-27T24:00:00Z",
            "2001-10-27T16:49:29+0200",
            "2001-10-27T16:49:29.Z",
            "1969-12-31T23:59:59Z",
            "２００１-10-27T16:49:29Z",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was read");
        }
        assert_eq!(
            parse(&"9".repeat(MAX_TIMESTAMP_LEN + 1)),
            Err(TimestampError::TooLong)
        );
    }
}
