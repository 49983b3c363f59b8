//! Romanisation variants and a vowel-blind phonetic key.
//!
//! Korean surnames are written many ways (Pak/Park/Bak, Ri/Lee/Yi/Rhee, Choe/Choi, Jong/Chong/
//! Jeong/Chung, Kim/Gim ...); [`canonical`] maps each variant to one spelling. [`key`] is a
//! consonant skeleton in the spirit of Soundex that ignores vowels (so Arabic-script
//! transliterations without short vowels, `mhmd`, meet `Mohammed`), merges voiced/voiceless
//! pairs (Korean g/k, b/p, d/t, j/ch; McCune-Reischauer vs Revised Romanisation) and doubled
//! letters.

/// Canonical spelling of a token that is a known romanisation variant, else the token itself.
pub fn canonical(tok: &str) -> &str {
    match tok {
        "pak" | "park" | "bak" | "bag" | "bahk" | "pag" | "paek" | "baek" | "paik" => "pak",
        "ri" | "lee" | "yi" | "rhee" | "li" | "rhie" | "lie" | "yee" | "rhi" | "leigh" => "ri",
        "choe" | "choi" | "chwe" | "choy" | "choei" => "choe",
        "jong" | "chong" | "jeong" | "chung" | "jung" | "cheong" | "joung" => "jong",
        "kim" | "gim" | "keem" => "kim",
        "o" | "oh" => "o",
        "jo" | "cho" | "joh" => "jo",
        "kang" | "gang" => "kang",
        "ko" | "go" | "koh" => "ko",
        "yun" | "yoon" | "youn" => "yun",
        "ryu" | "yu" | "yoo" | "you" | "ryoo" => "yu",
        "rim" | "im" | "lim" => "rim",
        "sin" | "shin" => "sin",
        "so" | "seo" | "suh" => "so",
        "an" | "ahn" => "an",
        "mun" | "moon" => "mun",
        "jang" | "chang" => "jang",
        "pyon" | "byun" | "pyeon" | "byeon" | "pyun" => "pyon",
        "hyon" | "hyun" | "hyeon" => "hyon",
        "ju" | "joo" | "chu" => "ju",
        "kwak" | "gwak" => "kwak",
        "kwon" | "gwon" => "kwon",
        "ryang" | "yang" => "yang",
        "son" | "sohn" => "son",
        "mohammed" | "muhammad" | "mohammad" | "mohamed" | "muhammed" | "mohamad" | "mohd"
        | "muhamad" | "mahammad" | "mukhammad" | "mokhammad" => "muhammad",
        "abdul" | "abdel" | "abdoul" | "abdol" | "abdal" => "abdul",
        "yusuf" | "yousef" | "yousuf" | "youssef" | "yussuf" | "yosef" => "yusuf",
        "husain" | "hussein" | "hussain" | "husayn" | "hossein" | "husein" => "husayn",
        "hasan" | "hassan" | "hasaan" => "hasan",
        "osama" | "usama" | "ousama" => "usama",
        _ => tok,
    }
}

/// The vowel-blind consonant skeleton of an ASCII lower-case token (may be empty for tokens
/// made of vowels only).
pub fn key(tok: &str) -> String {
    let b = tok.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut last = 0u8;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied().unwrap_or(0);
        let (code, adv) = match (c, next) {
            (b'p', b'h') => (b'F', 2),
            (b'c', b'k') => (b'K', 2),
            (b'c', b'h') | (b'z', b'h') => (b'J', 2),
            (b's', b'h') => (b'S', 2),
            (b'k', b'h') | (b'g', b'h') => (b'K', 2),
            (b't', b'h') | (b'd', b'h') => (b'T', 2),
            (b'b' | b'p', _) => (b'P', 1),
            (b'c' | b'k' | b'g' | b'q', _) => (b'K', 1),
            (b'd' | b't', _) => (b'T', 1),
            (b'j', _) => (b'J', 1),
            (b's' | b'z', _) => (b'S', 1),
            (b'f' | b'v', _) => (b'F', 1),
            (b'l' | b'r', _) => (b'L', 1),
            (b'm', _) => (b'M', 1),
            (b'n', _) => (b'N', 1),
            (b'x', _) => (b'X', 1),
            (b'0'..=b'9', _) => (c, 1),
            _ => (0, 1), // vowels, h, w, y, anything else
        };
        if code != 0 && code != last {
            out.push(code as char);
        }
        // a vowel or h separates repeated consonants: `mhmd` and `mahmud` keep M..M
        last = code;
        i += adv;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn korean_variants() {
        for v in ["Pak", "Park", "Bak"] {
            assert_eq!(canonical(&v.to_lowercase()), "pak");
        }
        for v in ["ri", "lee", "yi", "rhee"] {
            assert_eq!(canonical(v), "ri");
        }
        assert_eq!(canonical("choi"), canonical("choe"));
        assert_eq!(canonical("chong"), canonical("jong"));
        assert_eq!(canonical("gim"), "kim");
    }

    #[test]
    fn keys() {
        assert_eq!(key("mhmd"), key("mohammed"));
        assert_eq!(key("cheol"), key("chol"));
        assert_eq!(key("jong"), key("chong"));
        assert_eq!(key("jongun"), key("jeongeun"));
        assert_eq!(key("slmn"), key("salman"));
        assert_ne!(key("smith"), key("jones"));
        assert_eq!(key("aeiou"), "");
    }
}
