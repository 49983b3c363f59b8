//! Dates of birth that may be only a year.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A date given as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PartialDate {
    pub year: i16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

/// A date string of the wrong shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not a date (expected `YYYY` or `YYYY-MM-DD`)")]
pub struct DateError {
    pub value: String,
}

impl FromStr for PartialDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let err = || DateError {
            value: s.chars().take(32).collect(),
        };
        let mut parts = s.trim().split('-');
        let year: i16 = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse().ok())
            .ok_or_else(err)?;
        let month = match parts.next() {
            None => None,
            Some(m) => Some(
                m.parse::<u8>()
                    .ok()
                    .filter(|m| (1..=12).contains(m))
                    .ok_or_else(err)?,
            ),
        };
        let day = match parts.next() {
            None => None,
            Some(d) => Some(
                d.parse::<u8>()
                    .ok()
                    .filter(|d| (1..=31).contains(d))
                    .ok_or_else(err)?,
            ),
        };
        if parts.next().is_some() {
            return Err(err());
        }
        if let (Some(m), Some(d)) = (month, day)
            && jiff::civil::Date::new(year, m as i8, d as i8).is_err()
        {
            return Err(err());
        }
        Ok(PartialDate { year, month, day })
    }
}

impl PartialDate {
    /// True when the two dates agree on every part both give.
    pub fn compatible(&self, other: &PartialDate) -> bool {
        self.year == other.year && opt_eq(self.month, other.month) && opt_eq(self.day, other.day)
    }
}

fn opt_eq(a: Option<u8>, b: Option<u8>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
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
    fn parses_shapes() {
        assert_eq!("1971".parse::<PartialDate>().unwrap().to_string(), "1971");
        assert_eq!("1971-02-29".parse::<PartialDate>().ok(), None);
        assert_eq!("1972-02-29".parse::<PartialDate>().unwrap().day, Some(29));
        assert!("71".parse::<PartialDate>().is_err());
        assert!("1971-13-01".parse::<PartialDate>().is_err());
        let y: PartialDate = "1971".parse().unwrap();
        assert!(y.compatible(&"1971-05-02".parse().unwrap()));
        assert!(!y.compatible(&"1972-05-02".parse().unwrap()));
    }
}
