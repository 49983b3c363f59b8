//! Timestamps that keep the offset they were written with.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::tz::Offset;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant plus the UTC offset it was written with (`2026-03-01T14:05:00+09:00`).
///
/// EVENTS.md: "the offset is information: keep it". Commit author dates, for
/// example, betray the author's timezone through their offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Time {
    /// The instant, in UTC.
    pub utc: Timestamp,
    /// The offset from UTC in seconds the value was written with (`Z` is 0).
    pub offset_seconds: i32,
}

/// A time string that is not RFC 3339.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{value}` is not an RFC 3339 time (like `2026-03-01T14:05:00Z` or with an offset `+09:00`)"
)]
pub struct TimeError {
    /// The rejected text (shortened).
    pub value: String,
}

impl Time {
    /// A time from a UTC timestamp with offset zero.
    pub fn from_utc(utc: Timestamp) -> Self {
        Time {
            utc,
            offset_seconds: 0,
        }
    }

    /// Seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.utc.as_second()
    }

    /// The offset as a jiff offset.
    pub fn offset(&self) -> Offset {
        Offset::from_seconds(self.offset_seconds).unwrap_or(Offset::UTC)
    }

    /// The local wall-clock hour (0-23) at the written offset.
    pub fn local_hour(&self) -> u8 {
        let local = self.utc.as_second() + i64::from(self.offset_seconds);
        (local.rem_euclid(86_400) / 3_600) as u8
    }
}

impl FromStr for Time {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, TimeError> {
        if let Some(t) = parse_common(s.as_bytes()) {
            return Ok(t);
        }
        let err = || TimeError {
            value: s.chars().take(64).collect(),
        };
        let utc: Timestamp = s.parse().map_err(|_| err())?;
        let offset_seconds = parse_offset(s).ok_or_else(err)?;
        Ok(Time {
            utc,
            offset_seconds,
        })
    }
}

/// The form nearly every time takes, `YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|±HH:MM)`
/// with a year in 1-9998, read without jiff's general parser; `None` for
/// anything else, which jiff then reads (or rejects). Every time this accepts
/// jiff reads the same (tested against it).
fn parse_common(b: &[u8]) -> Option<Time> {
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    let sep = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T') && sep(13, b':') && sep(16, b':')) {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=9998).contains(&year)
        || !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if sep(i, b'.') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if !(1..=9).contains(&digits) {
            return None;
        }
        nanos = num(i + 1..i + 1 + digits)? * 10u32.pow(9 - digits as u32);
        i += 1 + digits;
    }
    let offset = match b.get(i..)? {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = (h * 3600 + m * 60) as i32;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let local =
        days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    let utc = Timestamp::new(local - i64::from(offset), nanos as i32).ok()?;
    Some(Time {
        utc,
        offset_seconds: offset,
    })
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(year: u32, month: u32, day: u32) -> i64 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = i64::from((month + 9) % 12);
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date of a day count from 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Reads the trailing `Z`, `+HH:MM`, `-HH:MM` or `+HHMM` of an RFC 3339 string.
fn parse_offset(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    let last = *b.last()?;
    if last == b'Z' || last == b'z' {
        return Some(0);
    }
    // find the last '+' or '-' after the 'T'
    let t = s.find(['T', 't', ' '])?;
    let pos = s[t..].rfind(['+', '-'])? + t;
    let sign = if b[pos] == b'-' { -1 } else { 1 };
    let digits: Vec<u8> = s[pos + 1..].bytes().filter(u8::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let num = |i: usize| i32::from(digits[i] - b'0');
    let hours = num(0) * 10 + num(1);
    let minutes = num(2) * 10 + num(3);
    Some(sign * (hours * 3600 + minutes * 60))
}

impl fmt::Display for Time {
    /// RFC 3339 at the written offset: `2026-03-01T14:05:00+09:00`, `Z` for UTC,
    /// fractional seconds only when there are any (trailing zeros dropped). This
    /// is also the canonical form the content id hashes, so it is written by hand
    /// (it runs for every timed record) rather than through a format string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut w = Ascii::default();
        if self.write_rfc3339(&mut w) {
            return f.write_str(w.as_str());
        }
        // outside RFC 3339's four-digit years: jiff's own (signed, six-digit) form
        let zoned = self.utc.to_zoned(jiff::tz::TimeZone::fixed(self.offset()));
        write!(
            f,
            "{}",
            zoned.timestamp().display_with_offset(self.offset())
        )
    }
}

impl Time {
    /// Writes the canonical form into `w`; false (nothing written) for years
    /// outside 0-9999.
    fn write_rfc3339(&self, w: &mut Ascii) -> bool {
        // the local wall clock by hand: jiff's civil conversion cost more than
        // the rest of a login's canonical serialisation (whole seconds and
        // nanoseconds kept apart: i128 division is slow)
        let (whole, frac) = (self.utc.as_second(), self.utc.subsec_nanosecond());
        let (secs, mut ns) = if frac < 0 {
            (whole - 1, (frac + 1_000_000_000) as u32)
        } else {
            (whole, frac as u32)
        };
        let secs = secs + i64::from(self.offset_seconds);
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let Ok(year) = u32::try_from(year) else {
            return false;
        };
        if year > 9999 {
            return false;
        }
        let of_day = secs.rem_euclid(86_400) as u32;
        w.digits(year, 4);
        w.byte(b'-');
        w.digits(month, 2);
        w.byte(b'-');
        w.digits(day, 2);
        w.byte(b'T');
        w.digits(of_day / 3600, 2);
        w.byte(b':');
        w.digits(of_day % 3600 / 60, 2);
        w.byte(b':');
        w.digits(of_day % 60, 2);
        if ns != 0 {
            w.byte(b'.');
            let mut width = 9;
            while ns.is_multiple_of(10) {
                ns /= 10;
                width -= 1;
            }
            w.digits(ns, width);
        }
        if self.offset_seconds == 0 {
            w.byte(b'Z');
        } else {
            let o = self.offset_seconds.unsigned_abs();
            w.byte(if self.offset_seconds < 0 { b'-' } else { b'+' });
            w.digits(o / 3600, 2);
            w.byte(b':');
            w.digits((o % 3600) / 60, 2);
        }
        true
    }
}

/// A small stack buffer for [`Time`]'s canonical form.
struct Ascii {
    buf: [u8; 40],
    len: usize,
}

impl Default for Ascii {
    fn default() -> Self {
        Ascii {
            buf: [0; 40],
            len: 0,
        }
    }
}

impl Ascii {
    fn as_str(&self) -> &str {
        // only ASCII digits and separators are ever written
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }

    fn byte(&mut self, c: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = c;
            self.len += 1;
        }
    }

    /// `v` in exactly `width` decimal digits (zero-padded, high digits cut).
    fn digits(&mut self, mut v: u32, width: u32) {
        let end = self.len + width as usize;
        if let Some(slots) = self.buf.get_mut(self.len..end) {
            for slot in slots.iter_mut().rev() {
                *slot = b'0' + (v % 10) as u8;
                v /= 10;
            }
            self.len = end;
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // as one string, not through the formatting machinery (this runs for
        // every timed record's content id)
        let mut w = Ascii::default();
        if self.write_rfc3339(&mut w) {
            s.serialize_str(w.as_str())
        } else {
            s.collect_str(self)
        }
    }
}

impl<'de> Deserialize<'de> for Time {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offset() {
        let t: Time = "2026-03-01T14:05:00+09:00".parse().unwrap();
        assert_eq!(t.offset_seconds, 9 * 3600);
        assert_eq!(t.local_hour(), 14);
        assert_eq!(t.to_string(), "2026-03-01T14:05:00+09:00");
        let u: Time = "2026-03-01T05:05:00Z".parse().unwrap();
        assert_eq!(u.utc, t.utc);
        assert_eq!(u.to_string(), "2026-03-01T05:05:00Z");
        let n: Time = "2026-03-01T05:05:00-05:30".parse().unwrap();
        assert_eq!(n.offset_seconds, -(5 * 3600 + 1800));
    }

    #[test]
    fn display_keeps_fractions_and_offsets() {
        for text in [
            "2026-03-01T14:05:00.5Z",
            "2026-03-01T14:05:00.123456789+05:45",
            "1999-12-31T23:59:59.000001-09:30",
            "0001-01-01T00:00:00Z",
            "2026-11-26T09:07:03-00:30",
        ] {
            let t: Time = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
        }
        let t: Time = "2026-03-01T14:05:00.120Z".parse().unwrap();
        assert_eq!(t.to_string(), "2026-03-01T14:05:00.12Z");
        let a: Time = "2026-03-01T14:05:00.1Z".parse().unwrap();
        let b: Time = "2026-03-01T14:05:00.2Z".parse().unwrap();
        assert_ne!(
            a.to_string(),
            b.to_string(),
            "sub-second times stay distinct"
        );
    }

    /// The canonical form as jiff writes it (the reference for the hand-written one).
    fn jiff_form(t: &Time) -> Option<String> {
        let dt = t.offset().to_datetime(t.utc);
        if !(0..=9999).contains(&dt.year()) {
            return None;
        }
        let mut s = dt.strftime("%Y-%m-%dT%H:%M:%S").to_string();
        let ns = dt.subsec_nanosecond();
        if ns != 0 {
            s.push_str(format!(".{ns:09}").trim_end_matches('0'));
        }
        if t.offset_seconds == 0 {
            s.push('Z');
        } else {
            let o = t.offset_seconds.unsigned_abs();
            let sign = if t.offset_seconds < 0 { '-' } else { '+' };
            s.push_str(&format!("{sign}{:02}:{:02}", o / 3600, o % 3600 / 60));
        }
        Some(s)
    }

    /// jiff's reading of a time (what `parse_common` must agree with).
    fn jiff_parse(s: &str) -> Option<Time> {
        let utc: Timestamp = s.parse().ok()?;
        Some(Time {
            utc,
            offset_seconds: parse_offset(s)?,
        })
    }

    proptest::proptest! {
        #[test]
        fn hand_written_form_is_jiffs(
            secs in -62_135_596_800i64..253_402_300_799,
            ns in proptest::prop_oneof![proptest::strategy::Just(0u32), 0u32..1_000_000_000],
            offset_min in -(23 * 60 + 59)..=(23 * 60 + 59i32),
        ) {
            let t = Time {
                utc: Timestamp::new(secs, ns as i32).unwrap(),
                offset_seconds: offset_min * 60,
            };
            let mut w = Ascii::default();
            let ours = t.write_rfc3339(&mut w).then(|| w.as_str().to_string());
            proptest::prop_assert_eq!(ours, jiff_form(&t));
        }

        #[test]
        fn common_form_reads_as_jiff_does(
            y in 0u32..10_000, mo in 0u32..14, d in 0u32..33,
            h in 0u32..26, mi in 0u32..62, sec in 0u32..62,
            frac in proptest::option::of("[0-9]{1,10}"),
            off in proptest::prop_oneof![
                proptest::strategy::Just("Z".to_string()),
                "[+-][0-2][0-9]:[0-6][0-9]",
                "[+-zZ:0-9]{0,6}",
            ],
        ) {
            let text = format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{sec:02}{}{off}",
                frac.as_ref().map(|f| format!(".{f}")).unwrap_or_default()
            );
            let fast = parse_common(text.as_bytes());
            let slow = jiff_parse(&text);
            if fast.is_some() {
                proptest::prop_assert_eq!(fast, slow, "{}", text);
            }
            // the common form must not fall through to jiff
            let b = off.as_bytes();
            let strict_offset = off == "Z"
                || (b.len() == 6
                    && matches!(b[0], b'+' | b'-')
                    && b[3] == b':'
                    && off[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
                    && off[4..6].parse::<u32>().is_ok_and(|m| m <= 59));
            let strict = strict_offset
                && (1..=9998).contains(&y)
                && sec < 60
                && frac.as_ref().is_none_or(|f| f.len() <= 9);
            if strict && slow.is_some() {
                proptest::prop_assert!(fast.is_some(), "{}", text);
            }
        }
    }

    #[test]
    fn common_form_edges() {
        for text in [
            "2024-02-29T23:59:59.999999999+14:00",
            "2023-02-28T00:00:00Z",
            "0001-01-01T00:00:00+23:59",
            "9998-12-31T23:59:59-23:59",
            "1969-12-31T23:59:59.5Z",
            "2026-03-01T14:05:00-00:00",
        ] {
            let ours = parse_common(text.as_bytes());
            assert!(ours.is_some(), "{text}");
            assert_eq!(ours, jiff_parse(text), "{text}");
        }
        for text in [
            "2023-02-29T00:00:00Z",
            "2026-04-31T00:00:00Z",
            "2026-03-01T24:00:00Z",
            "2026-03-01T23:59:60Z",
            "2026-03-01T14:05:00.Z",
            "2026-03-01T14:05:00.1234567890Z",
            "2026-03-01t14:05:00Z",
            "2026-03-01T14:05:00+0900",
            "2026-03-01T14:05:00z",
            "2026-03-01T14:05:00Zx",
            "+2026-03-01T14:05:00Z",
        ] {
            assert_eq!(parse_common(text.as_bytes()), None, "{text}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!("yesterday".parse::<Time>().is_err());
        assert!("2026-03-01".parse::<Time>().is_err());
        assert!("2026-03-01T14:05:00".parse::<Time>().is_err());
    }
}
