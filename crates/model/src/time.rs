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
        let dt = self.offset().to_datetime(self.utc);
        let year = dt.year();
        if !(0..=9999).contains(&year) {
            return false;
        }
        w.digits(year as u32, 4);
        w.byte(b'-');
        w.digits(u32::from(dt.month() as u8), 2);
        w.byte(b'-');
        w.digits(u32::from(dt.day() as u8), 2);
        w.byte(b'T');
        w.digits(u32::from(dt.hour() as u8), 2);
        w.byte(b':');
        w.digits(u32::from(dt.minute() as u8), 2);
        w.byte(b':');
        w.digits(u32::from(dt.second() as u8), 2);
        let mut ns = dt.subsec_nanosecond().unsigned_abs();
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
        let start = self.len;
        for _ in 0..width {
            self.byte(b'0');
        }
        for i in (start..self.len).rev() {
            self.buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
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

    #[test]
    fn rejects_garbage() {
        assert!("yesterday".parse::<Time>().is_err());
        assert!("2026-03-01".parse::<Time>().is_err());
        assert!("2026-03-01T14:05:00".parse::<Time>().is_err());
    }
}
