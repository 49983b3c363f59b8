//! Person name comparison that tolerates order, case, diacritics, middle
//! names, small typos and common romanisation variants (Kim/Gim, Lee/Yi/Ri,
//! Park/Pak/Bak, Zhang/Chang ...): a normalised token comparison.

/// Lowercase ASCII tokens of a name: diacritics folded, punctuation dropped.
pub fn tokens(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for raw in name.split(|c: char| c.is_whitespace() || c == '-' || c == ',' || c == '.') {
        let mut t = String::with_capacity(raw.len());
        for c in raw.chars() {
            for f in fold(c) {
                if f.is_ascii_alphanumeric() {
                    t.push(f.to_ascii_lowercase());
                } else if f.is_alphabetic() {
                    // non-Latin scripts stay as they are (compared exactly)
                    t.extend(f.to_lowercase());
                }
            }
        }
        if t.is_empty() {
            continue;
        }
        out.push(t);
    }
    out
}

fn fold(c: char) -> impl Iterator<Item = char> {
    let s: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
            "a"
        }
        'æ' | 'Æ' => "ae",
        'ç' | 'Ç' | 'č' | 'Č' | 'ć' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'Ì' | 'Í' | 'Î' | 'Ï' => "i",
        'ñ' | 'Ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => {
            "o"
        }
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'ý' | 'ÿ' | 'Ý' => "y",
        'ß' => "ss",
        'š' | 'Š' | 'ś' => "s",
        'ž' | 'Ž' | 'ź' | 'ż' => "z",
        'ł' | 'Ł' => "l",
        '\'' | '’' | '`' => "",
        _ => return Fold::One(Some(c)),
    };
    Fold::Str(s.chars())
}

enum Fold {
    One(Option<char>),
    Str(std::str::Chars<'static>),
}

impl Iterator for Fold {
    type Item = char;
    fn next(&mut self) -> Option<char> {
        match self {
            Fold::One(c) => c.take(),
            Fold::Str(s) => s.next(),
        }
    }
}

/// Common romanisation variants of Korean and Chinese surnames and given-name syllables.
fn canon_variant(t: &str) -> Option<&'static str> {
    const GROUPS: &[&[&str]] = &[
        &["kim", "gim"],
        &["lee", "yi", "rhee", "ri", "li", "rhie"],
        &["park", "pak", "bak", "pack"],
        &["choi", "choe", "chwe"],
        &["jung", "jeong", "chung", "cheong"],
        &["kang", "gang"],
        &["cho", "jo"],
        &["yoon", "yun"],
        &["jang", "chang", "zhang"],
        &["shin", "sin"],
        &["han", "hahn"],
        &["oh", "o"],
        &["seo", "suh", "so"],
        &["kwon", "gwon"],
        &["hwang", "huang"],
        &["song", "soong"],
        &["jeon", "jun", "chun", "chon"],
        &["hong", "hung"],
        &["ko", "go", "koh"],
        &["moon", "mun"],
        &["yang", "ryang"],
        &["wang", "ong"],
        &["chen", "chan", "tan"],
        &["liu", "lau", "lao"],
        &["zhou", "chow", "chou"],
        &["wu", "ng", "woo"],
        &["xu", "hsu", "hui"],
        &["zhao", "chao", "chiu"],
        &["sun", "suen"],
        &["lim", "lin", "im", "rim"],
        &["mohammed", "muhammad", "mohamed", "mohammad", "muhammed"],
    ];
    GROUPS.iter().find(|g| g.contains(&t)).map(|g| g[0])
}

/// Levenshtein distance, bounded: returns `max + 1` as soon as it is exceeded.
pub fn edit_distance(a: &str, b: &str, max: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return max + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return max + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()].min(max + 1)
}

fn token_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    if let (Some(x), Some(y)) = (canon_variant(a), canon_variant(b))
        && x == y
    {
        return true;
    }
    // an initial matches its name (`J.` vs `John`)
    if (a.len() == 1 && b.starts_with(a)) || (b.len() == 1 && a.starts_with(b)) {
        return true;
    }
    let n = a.len().min(b.len());
    let allowed = if n >= 7 {
        2
    } else if n >= 4 || (n == 3 && a.as_bytes()[0] == b.as_bytes()[0]) {
        1
    } else {
        0
    };
    allowed > 0 && edit_distance(a, b, allowed) <= allowed
}

/// True when two names plausibly name the same person: every token of the
/// shorter name matches a distinct token of the longer one (any order), and at
/// least two tokens (or all of a one-token name) match with full tokens.
pub fn same_name(a: &str, b: &str) -> bool {
    let (ta, tb) = (tokens(a), tokens(b));
    if ta.is_empty() || tb.is_empty() {
        return false;
    }
    let (short, long) = if ta.len() <= tb.len() {
        (ta, tb)
    } else {
        (tb, ta)
    };
    if tokens_match(&short, &long) {
        return true;
    }
    // given names are written split or joined (`Min Jun` / `Minjun`): merge one adjacent pair
    for i in 0..long.len().saturating_sub(1) {
        let mut merged = long.clone();
        let next = merged.remove(i + 1);
        merged[i].push_str(&next);
        let (s2, l2) = if short.len() <= merged.len() {
            (&short, &merged)
        } else {
            (&merged, &short)
        };
        if tokens_match(s2, l2) {
            return true;
        }
    }
    false
}

fn tokens_match(short: &[String], long: &[String]) -> bool {
    let mut used = vec![false; long.len()];
    let mut full = 0;
    for s in short {
        let hit = long
            .iter()
            .enumerate()
            .find(|(i, l)| !used[*i] && token_eq(s, l));
        match hit {
            Some((i, l)) => {
                used[i] = true;
                if s.len() > 1 && l.len() > 1 {
                    full += 1;
                }
            }
            None => return false,
        }
    }
    full >= short.len().min(2)
}

/// Heuristic: does this holder name look like a company rather than a person?
pub fn looks_like_company(name: &str) -> bool {
    const MARKS: &[&str] = &[
        "llc",
        "ltd",
        "inc",
        "corp",
        "corporation",
        "co",
        "company",
        "gmbh",
        "limited",
        "plc",
        "trading",
        "holdings",
        "group",
        "technology",
        "technologies",
        "solutions",
        "services",
        "consulting",
        "enterprises",
        "sarl",
        "bv",
        "pte",
        "pty",
        "srl",
    ];
    tokens(name).iter().any(|t| MARKS.contains(&t.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerant_matches() {
        assert!(same_name("John A. Smith", "SMITH, John"));
        assert!(same_name("José Álvarez", "Jose Alvarez"));
        assert!(same_name("Kim Min-jun", "Minjun Gim"));
        assert!(same_name("Park Ji Hoon", "Ji-Hoon Pak"));
        assert!(same_name("Jonathan Smith", "Jonathon Smith"));
        assert!(same_name("Li Wei", "Wei Lee"));
        assert!(same_name("Mary Jane Watson", "Mary Watson"));
    }

    #[test]
    fn real_differences() {
        assert!(!same_name("John Smith", "Michael Brown"));
        assert!(!same_name("John Smith", "John Brown"));
        assert!(!same_name("Anna Lee", "Jin Lee"));
        assert!(!same_name("", "John"));
    }

    #[test]
    fn edit_distance_bounded() {
        assert_eq!(edit_distance("kitten", "sitting", 5), 3);
        assert_eq!(edit_distance("kitten", "sitting", 1), 2);
        assert_eq!(edit_distance("a", "a", 0), 0);
    }

    #[test]
    fn company_holders() {
        assert!(looks_like_company("Shenyang Trading Co., Ltd"));
        assert!(looks_like_company("Acme LLC"));
        assert!(!looks_like_company("Mary Johnson"));
    }
}
