//! Passport machine-readable zones (ICAO 9303 TD3) with correct check digits,
//! and deliberately broken ones for forged documents.

fn value(c: char) -> u32 {
    match c {
        '0'..='9' => c as u32 - '0' as u32,
        'A'..='Z' => c as u32 - 'A' as u32 + 10,
        _ => 0,
    }
}

/// The ICAO 9303 check digit (weights 7, 3, 1).
pub fn check_digit(s: &str) -> char {
    const W: [u32; 3] = [7, 3, 1];
    let sum: u32 = s
        .chars()
        .enumerate()
        .map(|(i, c)| value(c) * W[i % 3])
        .sum();
    char::from(b'0' + (sum % 10) as u8)
}

fn field(s: &str, len: usize) -> String {
    let mut out: String = s
        .to_uppercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '<' })
        .take(len)
        .collect();
    while out.len() < len {
        out.push('<');
    }
    out
}

/// Two TD3 lines joined by `\n`. `dob` and `expiry` are `YYMMDD`; `sex` is `M`, `F` or `<`.
#[allow(clippy::too_many_arguments)]
pub fn td3(
    issuing: &str,
    surname: &str,
    given: &str,
    number: &str,
    nationality: &str,
    dob: &str,
    sex: char,
    expiry: &str,
    personal: &str,
) -> String {
    let names = format!(
        "{}<<{}",
        field(surname, 39).trim_end_matches('<'),
        given.to_uppercase().replace([' ', '-'], "<")
    );
    let line1 = format!("P<{}{}", field(issuing, 3), field(&names, 39));
    let num = field(number, 9);
    let personal = field(personal, 14);
    let mut line2 = String::new();
    line2.push_str(&num);
    line2.push(check_digit(&num));
    line2.push_str(&field(nationality, 3));
    line2.push_str(dob);
    line2.push(check_digit(dob));
    line2.push(sex);
    line2.push_str(expiry);
    line2.push(check_digit(expiry));
    line2.push_str(&personal);
    line2.push(check_digit(&personal));
    let composite: String = format!("{}{}{}", &line2[0..10], &line2[13..20], &line2[21..43]);
    line2.push(check_digit(&composite));
    format!("{line1}\n{line2}")
}

/// The same MRZ with the document-number check digit changed (a typed-up forgery).
pub fn break_check(mrz: &str) -> String {
    let mut lines: Vec<String> = mrz.split('\n').map(str::to_string).collect();
    if let Some(l2) = lines.get_mut(1)
        && let Some(c) = l2.chars().nth(9)
    {
        let d = c.to_digit(10).unwrap_or(0);
        let wrong = char::from(b'0' + ((d + 3) % 10) as u8);
        l2.replace_range(9..10, &wrong.to_string());
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_specimen() {
        // ICAO 9303 part 4 specimen: Anna Maria Eriksson, UTO
        let m = td3(
            "UTO",
            "Eriksson",
            "Anna Maria",
            "L898902C3",
            "UTO",
            "740812",
            'F',
            "120415",
            "ZE184226B",
        );
        let lines: Vec<&str> = m.split('\n').collect();
        assert_eq!(lines[0], "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<");
        assert_eq!(lines[1], "L898902C36UTO7408122F1204159ZE184226B<<<<<10");
        assert_ne!(break_check(&m), m);
    }
}
