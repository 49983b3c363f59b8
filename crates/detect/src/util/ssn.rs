//! US Social Security number format checks: numbers the SSA never issues.

/// Why an SSN cannot be valid, or `None` if its format is possible.
///
/// Never issued: area 000, 666 or 900-999; group 00; serial 0000; and the
/// famous advertising numbers 078-05-1120 and 219-09-9999.
pub fn never_issued(ssn: &str) -> Option<&'static str> {
    let digits: Vec<u8> = ssn.bytes().filter(u8::is_ascii_digit).collect();
    let rest_ok = ssn
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b' ');
    if digits.len() != 9 || !rest_ok {
        return Some("is not 9 digits");
    }
    let num = |r: std::ops::Range<usize>| {
        digits[r]
            .iter()
            .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'))
    };
    let (area, group, serial) = (num(0..3), num(3..5), num(5..9));
    if area == 0 {
        Some("has area number 000, never issued")
    } else if area == 666 {
        Some("has area number 666, never issued")
    } else if area >= 900 {
        Some("has an area number in 900-999, never issued (reserved for ITINs)")
    } else if group == 0 {
        Some("has group number 00, never issued")
    } else if serial == 0 {
        Some("has serial number 0000, never issued")
    } else if (area, group, serial) == (78, 5, 1120) || (area, group, serial) == (219, 9, 9999) {
        Some("is a published advertising specimen number")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_issued_ranges() {
        for bad in [
            "000-12-3456",
            "666-12-3456",
            "912-34-5678",
            "123-00-4567",
            "123-45-0000",
            "078-05-1120",
            "12345",
            "12a-45-6789",
        ] {
            assert!(never_issued(bad).is_some(), "{bad}");
        }
        for ok in ["123-45-6789", "665 12 3456", "899121234"] {
            assert!(never_issued(ok).is_none(), "{ok}");
        }
    }
}
