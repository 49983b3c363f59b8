//! Normalisation of inventory values and catalog patterns, shared by the
//! derivation (at regeneration time) and the scan (at run time) so that both
//! sides agree.

/// The process key of an executable or process name: its base name (after
/// the last `/` or `\`), lowercased, without a `.exe` / `.app` suffix and
/// without a trailing version (`AnyDesk-8.0.9.exe` -> `anydesk`).
pub fn process_key(value: &str, out: &mut String) {
    out.clear();
    let base = value.rsplit(['/', '\\']).next().unwrap_or(value);
    let base = base.trim().trim_matches(['"', '\'']).trim();
    out.extend(base.chars().flat_map(char::to_lowercase));
    for ext in [".exe", ".app"] {
        if out.ends_with(ext) {
            out.truncate(out.len() - ext.len());
            break;
        }
    }
    let kept = strip_version(out).len();
    out.truncate(kept);
}

/// `name-1.2.3`, `name_v15`, `name 8.0.9` -> `name` (only when something
/// is left before the version).
fn strip_version(s: &str) -> &str {
    let mut end = s.len();
    loop {
        let head = &s[..end];
        let Some(pos) = head.rfind(['-', '_', ' ', '.']) else {
            return head;
        };
        let tail = &head[pos + 1..];
        let tail = tail.strip_prefix('v').unwrap_or(tail);
        let is_version = !tail.is_empty()
            && tail.starts_with(|c: char| c.is_ascii_digit())
            && tail.chars().all(|c| c.is_ascii_digit() || c == '.');
        if !is_version || !head[..pos].chars().any(char::is_alphabetic) {
            return head;
        }
        end = pos;
    }
}

/// Software text for word matching: lowercase, every run of characters that
/// are not letters or digits replaced by one space, padded with one space on
/// both sides (`"AnyDesk 8.0.9"` -> `" anydesk 8 0 9 "`).
pub fn software_text(value: &str, out: &mut String) {
    out.clear();
    out.push(' ');
    for c in value.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
}

/// A DNS name as looked up: lowercase, no scheme, path, port or trailing
/// dot. `None` when nothing domain-like is left.
pub fn domain_key(value: &str, out: &mut String) -> bool {
    out.clear();
    let mut v = value.trim();
    if let Some((_, rest)) = v.split_once("://") {
        v = rest;
    }
    v = v.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((host, port)) = v.rsplit_once(':')
        && port.chars().all(|c| c.is_ascii_digit())
    {
        v = host;
    }
    let v = v.trim_end_matches('.');
    out.extend(v.chars().flat_map(char::to_lowercase));
    out.contains('.')
        && !out.starts_with('.')
        && out
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pk(s: &str) -> String {
        let mut o = String::new();
        process_key(s, &mut o);
        o
    }

    #[test]
    fn process_keys() {
        assert_eq!(pk("AnyDesk.exe"), "anydesk");
        assert_eq!(
            pk(r"C:\Program Files\TeamViewer\TeamViewer_Service.exe"),
            "teamviewer_service"
        );
        assert_eq!(pk("/usr/bin/rustdesk"), "rustdesk");
        assert_eq!(pk("AnyDesk-8.0.9.exe"), "anydesk");
        assert_eq!(pk("rustdesk_v1.2.3"), "rustdesk");
        assert_eq!(pk("12.3"), "12.3");
        assert_eq!(pk("python3"), "python3");
        assert_eq!(pk(""), "");
    }

    #[test]
    fn software_texts() {
        let mut o = String::new();
        software_text("AnyDesk 8.0.9", &mut o);
        assert_eq!(o, " anydesk 8 0 9 ");
        software_text("  Chrome-Remote  Desktop (Host) ", &mut o);
        assert_eq!(o, " chrome remote desktop host ");
        software_text("", &mut o);
        assert_eq!(o, " ");
    }

    #[test]
    fn domain_keys() {
        let mut o = String::new();
        assert!(domain_key("Relay-12.NET.AnyDesk.com.", &mut o));
        assert_eq!(o, "relay-12.net.anydesk.com");
        assert!(domain_key(
            "https://remotedesktop.google.com/access?x=1",
            &mut o
        ));
        assert_eq!(o, "remotedesktop.google.com");
        assert!(domain_key("boot.net.anydesk.com:443", &mut o));
        assert_eq!(o, "boot.net.anydesk.com");
        assert!(!domain_key("localhost", &mut o));
        assert!(!domain_key("<internal>", &mut o));
    }
}
