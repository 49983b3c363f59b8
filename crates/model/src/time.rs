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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let zoned = self.utc.to_zoned(jiff::tz::TimeZone::fixed(self.offset()));
        let dt = zoned.datetime();
        if self.offset_seconds == 0 {
            write!(f, "{}Z", dt.strftime("%Y-%m-%dT%H:%M:%S"))
        } else {
            let o = self.offset_seconds.abs();
            let sign = if self.offset_seconds < 0 { '-' } else { '+' };
            write!(
                f,
                "{}{}{:02}:{:02}",
                dt.strftime("%Y-%m-%dT%H:%M:%S"),
                sign,
                o / 3600,
                (o % 3600) / 60
            )
        }
    }
}

impl Serialize for Time {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
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
    fn rejects_garbage() {
        assert!("yesterday".parse::<Time>().is_err());
        assert!("2026-03-01".parse::<Time>().is_err());
        assert!("2026-03-01T14:05:00".parse::<Time>().is_err());
    }
}
