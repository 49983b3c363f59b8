//! A tiny document model rendered as Markdown or as HTML (everything escaped).

use std::fmt::Write;

pub(crate) enum Block {
    Title(String),
    Heading(String),
    Subheading(String),
    Para(String),
    /// Header cells and rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Verbatim text (raw events).
    Code(String),
}

#[derive(Default)]
pub(crate) struct Doc {
    blocks: Vec<Block>,
}

impl Doc {
    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Title(t) => {
                    let _ = writeln!(out, "# {}\n", md_inline(t));
                }
                Block::Heading(t) => {
                    let _ = writeln!(out, "## {}\n", md_inline(t));
                }
                Block::Subheading(t) => {
                    let _ = writeln!(out, "### {}\n", md_inline(t));
                }
                Block::Para(t) => {
                    let _ = writeln!(out, "{}\n", md_inline(t));
                }
                Block::Table(head, rows) => {
                    let cells =
                        |r: &[String]| r.iter().map(|c| md_cell(c)).collect::<Vec<_>>().join(" | ");
                    let _ = writeln!(out, "| {} |", cells(head));
                    let _ = writeln!(out, "|{}", "---|".repeat(head.len()));
                    for r in rows {
                        let _ = writeln!(out, "| {} |", cells(r));
                    }
                    out.push('\n');
                }
                Block::Code(t) => {
                    // a fence longer than any backtick run inside
                    let longest = longest_run(t, '`');
                    let fence = "`".repeat(longest.max(2) + 1);
                    let _ = writeln!(out, "{fence}json\n{}{fence}\n", ensure_nl(t));
                }
            }
        }
        out
    }

    pub fn html(&self, title: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <title>{}</title>\n<style>\nbody{{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem}}\n\
             table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}}\n\
             pre{{background:#f5f5f5;padding:.5rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}}\n</style>\n</head>\n<body>",
            esc(title)
        );
        for b in &self.blocks {
            match b {
                Block::Title(t) => {
                    let _ = writeln!(out, "<h1>{}</h1>", esc(t));
                }
                Block::Heading(t) => {
                    let _ = writeln!(out, "<h2>{}</h2>", esc(t));
                }
                Block::Subheading(t) => {
                    let _ = writeln!(out, "<h3>{}</h3>", esc(t));
                }
                Block::Para(t) => {
                    let _ = writeln!(out, "<p>{}</p>", esc(t));
                }
                Block::Table(head, rows) => {
                    out.push_str("<table>\n<tr>");
                    for h in head {
                        let _ = write!(out, "<th>{}</th>", esc(h));
                    }
                    out.push_str("</tr>\n");
                    for r in rows {
                        out.push_str("<tr>");
                        for c in r {
                            let _ = write!(out, "<td>{}</td>", esc(c));
                        }
                        out.push_str("</tr>\n");
                    }
                    out.push_str("</table>\n");
                }
                Block::Code(t) => {
                    let _ = writeln!(out, "<pre><code>{}</code></pre>", esc(t));
                }
            }
        }
        out.push_str("</body>\n</html>\n");
        out
    }
}

fn ensure_nl(t: &str) -> String {
    if t.ends_with('\n') {
        t.to_string()
    } else {
        format!("{t}\n")
    }
}

fn longest_run(t: &str, c: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for ch in t.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// HTML-escapes text for element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markdown inline text: escapes characters that would become markup or HTML.
fn md_inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn md_cell(s: &str) -> String {
    md_inline(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_everything() {
        let mut d = Doc::default();
        d.push(Block::Title("<script>alert(1)</script>".into()));
        d.push(Block::Table(
            vec!["a|b".into()],
            vec![vec!["<img src=x onerror=alert(1)>".into()]],
        ));
        d.push(Block::Code("{\"x\":\"</code></pre><b>\"}\n```".into()));
        let html = d.html("t<");
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<img"));
        assert!(!html.contains("<b>"));
        assert!(html.contains("&lt;script&gt;"));
        let md = d.markdown();
        assert!(md.contains("\\<script\\>"));
        assert!(md.contains("a\\|b"));
        assert!(
            md.contains("````json"),
            "fence outgrows the backticks inside:\n{md}"
        );
    }
}
