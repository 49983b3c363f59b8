//! Claimed timezones: the UTC offset a person's claims imply, from the IANA
//! `claimed_timezone` (jiff with the bundled tz database) or, failing that, a
//! typical offset for the `claimed_country`.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use molehunt_model::Person;

/// The UTC offset (hours) of an IANA timezone at `at`, or `None` if unknown.
pub fn zone_offset_hours(name: &str, at: Timestamp) -> Option<f64> {
    let tz = TimeZone::get(name.trim()).ok()?;
    Some(f64::from(tz.to_offset(at).seconds()) / 3600.0)
}

/// A typical UTC offset (hours, standard time) of a country, for the
/// countries where one value is a fair summary (US: Central time).
pub fn country_offset_hours(country: &str) -> Option<f64> {
    const T: &[(&str, f64)] = &[
        ("US", -6.0),
        ("CA", -5.0),
        ("MX", -6.0),
        ("BR", -3.0),
        ("AR", -3.0),
        ("CL", -4.0),
        ("CO", -5.0),
        ("PE", -5.0),
        ("VE", -4.0),
        ("EC", -5.0),
        ("UY", -3.0),
        ("PY", -4.0),
        ("BO", -4.0),
        ("CR", -6.0),
        ("PA", -5.0),
        ("GT", -6.0),
        ("DO", -4.0),
        ("JM", -5.0),
        ("PR", -4.0),
        ("GB", 0.0),
        ("IE", 0.0),
        ("PT", 0.0),
        ("IS", 0.0),
        ("ES", 1.0),
        ("FR", 1.0),
        ("DE", 1.0),
        ("IT", 1.0),
        ("NL", 1.0),
        ("BE", 1.0),
        ("CH", 1.0),
        ("AT", 1.0),
        ("PL", 1.0),
        ("CZ", 1.0),
        ("SE", 1.0),
        ("NO", 1.0),
        ("DK", 1.0),
        ("HU", 1.0),
        ("RS", 1.0),
        ("HR", 1.0),
        ("SK", 1.0),
        ("SI", 1.0),
        ("NG", 1.0),
        ("GR", 2.0),
        ("RO", 2.0),
        ("BG", 2.0),
        ("FI", 2.0),
        ("UA", 2.0),
        ("EE", 2.0),
        ("LV", 2.0),
        ("LT", 2.0),
        ("IL", 2.0),
        ("EG", 2.0),
        ("ZA", 2.0),
        ("TR", 3.0),
        ("RU", 3.0),
        ("BY", 3.0),
        ("SA", 3.0),
        ("KE", 3.0),
        ("AE", 4.0),
        ("AM", 4.0),
        ("GE", 4.0),
        ("AZ", 4.0),
        ("PK", 5.0),
        ("UZ", 5.0),
        ("IN", 5.5),
        ("LK", 5.5),
        ("NP", 5.75),
        ("BD", 6.0),
        ("KZ", 5.0),
        ("MM", 6.5),
        ("TH", 7.0),
        ("VN", 7.0),
        ("KH", 7.0),
        ("LA", 7.0),
        ("ID", 7.0),
        ("CN", 8.0),
        ("HK", 8.0),
        ("MO", 8.0),
        ("TW", 8.0),
        ("SG", 8.0),
        ("MY", 8.0),
        ("PH", 8.0),
        ("MN", 8.0),
        ("KR", 9.0),
        ("KP", 9.0),
        ("JP", 9.0),
        ("AU", 10.0),
        ("NZ", 12.0),
    ];
    let c = country.trim();
    T.iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(c))
        .map(|&(_, h)| h)
}

/// The offset (hours) a person claims to live at: their `claimed_timezone`,
/// else their `claimed_country`, else their address country.
pub fn claimed_offset_hours(p: &Person, at: Timestamp) -> Option<f64> {
    if let Some(o) = p
        .claimed_timezone
        .as_deref()
        .and_then(|z| zone_offset_hours(z, at))
    {
        return Some(o);
    }
    let country = p
        .claimed_country
        .as_deref()
        .or_else(|| p.address.as_ref().and_then(|a| a.country.as_deref()))?;
    country_offset_hours(country)
}

/// Is an offset (hours) in the East Asian band (UTC+7:30 to +9:30)?
pub fn is_east_asian_offset(h: f64) -> bool {
    (7.5..=9.5).contains(&h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_and_countries() {
        let winter: Timestamp = "2026-01-15T12:00:00Z"
            .parse()
            .unwrap_or(Timestamp::UNIX_EPOCH);
        assert_eq!(zone_offset_hours("America/Chicago", winter), Some(-6.0));
        assert_eq!(zone_offset_hours("Asia/Seoul", winter), Some(9.0));
        assert_eq!(zone_offset_hours("Mars/Olympus", winter), None);
        assert_eq!(country_offset_hours("kr"), Some(9.0));
        assert!(is_east_asian_offset(8.0));
        assert!(!is_east_asian_offset(-5.0));
    }
}
