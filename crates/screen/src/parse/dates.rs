//! Loose dates of birth as lists write them: `16 Jun 1971`, `Jun 1971`, `1971`, `circa 1960`,
//! `1960 to 1962`, `1971-06-16`.

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn year(s: &str) -> Option<i32> {
    let y: i32 = s.parse().ok()?;
    (1000..=2999).contains(&y).then_some(y)
}

fn month(s: &str) -> Option<u32> {
    let l = s.to_ascii_lowercase();
    let l = l.get(..3)?;
    MONTHS.iter().position(|m| *m == l).map(|i| i as u32 + 1)
}

/// Normalises one date text into `YYYY`, `YYYY-MM` or `YYYY-MM-DD` values (a range of years
/// gives each year, at most 12). Unparseable text gives an empty vector.
pub fn parse_loose_date(text: &str) -> Vec<String> {
    let t = text.trim().trim_end_matches('.');
    let t = t
        .strip_prefix("circa ")
        .or_else(|| t.strip_prefix("Circa "))
        .or_else(|| t.strip_prefix("approximately "))
        .unwrap_or(t)
        .trim();
    // ISO forms.
    let iso: Vec<&str> = t.split('-').collect();
    if iso.len() <= 3
        && iso.first().is_some_and(|y| y.len() == 4)
        && let Some(y) = iso.first().and_then(|y| year(y))
    {
        let m = iso
            .get(1)
            .and_then(|m| m.parse::<u32>().ok())
            .filter(|m| (1..=12).contains(m));
        let d = iso
            .get(2)
            .and_then(|d| d.get(..2).unwrap_or(d).parse::<u32>().ok())
            .filter(|d| (1..=31).contains(d));
        return vec![match (m, d) {
            (Some(m), Some(d)) => format!("{y:04}-{m:02}-{d:02}"),
            (Some(m), None) => format!("{y:04}-{m:02}"),
            _ => format!("{y:04}"),
        }];
    }
    // Ranges: `1960 to 1962`.
    if let Some((a, b)) = t.split_once(" to ")
        && let (Some(a), Some(b)) = (year(a.trim()), year(b.trim()))
        && a <= b
        && b - a < 12
    {
        return (a..=b).map(|y| format!("{y:04}")).collect();
    }
    let parts: Vec<&str> = t.split_whitespace().collect();
    match parts.as_slice() {
        [y] => year(y).map(|y| vec![format!("{y:04}")]).unwrap_or_default(),
        [m, y] => match (month(m), year(y)) {
            (Some(m), Some(y)) => vec![format!("{y:04}-{m:02}")],
            _ => Vec::new(),
        },
        [d, m, y] => match (
            d.parse::<u32>().ok().filter(|d| (1..=31).contains(d)),
            month(m),
            year(y),
        ) {
            (Some(d), Some(m), Some(y)) => vec![format!("{y:04}-{m:02}-{d:02}")],
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_loose_date("16 Jun 1971"), vec!["1971-06-16"]);
        assert_eq!(parse_loose_date("Jun 1971"), vec!["1971-06"]);
        assert_eq!(parse_loose_date("circa 1960"), vec!["1960"]);
        assert_eq!(
            parse_loose_date("1960 to 1962"),
            vec!["1960", "1961", "1962"]
        );
        assert_eq!(parse_loose_date("1971-06-16"), vec!["1971-06-16"]);
        assert_eq!(parse_loose_date("1971"), vec!["1971"]);
        assert!(parse_loose_date("sometime").is_empty());
        assert!(parse_loose_date("99 Foo 1971").is_empty());
    }
}
