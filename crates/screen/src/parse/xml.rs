//! A small streaming driver over quick-xml: element starts with attributes, element ends with
//! their text content (entity and character references resolved).

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::ScreenError;

/// Receives the elements of a document in order.
pub(crate) trait Handler {
    /// An element opens (`name` is the local name, without namespace prefix).
    fn start(&mut self, name: &str, e: &BytesStart<'_>) -> Result<(), String>;
    /// An element closes; `text` is its direct text content, trimmed.
    fn end(&mut self, name: &str, text: &str) -> Result<(), String>;
}

/// Returns the unescaped value of attribute `key`, if present.
pub(crate) fn attr(e: &BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn predefined(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Runs `h` over the whole document read from `r`. `path` names the file in errors.
/// Errors carry the byte offset; [`crate::parse::line_of`] turns it into a line later.
pub(crate) fn drive<R: BufRead, H: Handler>(r: R, h: &mut H) -> Result<(), (u64, String)> {
    let mut reader = Reader::from_reader(r);
    let mut buf = Vec::with_capacity(4096);
    let mut text = String::new();
    let mut depth: usize = 0;
    loop {
        let pos = reader.buffer_position();
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| (reader.error_position(), format!("malformed XML: {e}")))?;
        match ev {
            Event::Start(e) => {
                text.clear();
                depth += 1;
                h.start(e.local_name().as_ref(), &e).map_err(|m| (pos, m))?;
            }
            Event::Empty(e) => {
                text.clear();
                let name = e.local_name();
                h.start(name.as_ref(), &e).map_err(|m| (pos, m))?;
                h.end(name.as_ref(), "").map_err(|m| (pos, m))?;
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                h.end(e.local_name().as_ref(), text.trim())
                    .map_err(|m| (pos, m))?;
                text.clear();
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::CData(t) => text.push_str(&t),
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => predefined(&r),
                    Err(e) => return Err((pos, format!("bad character reference: {e}"))),
                };
                match c {
                    Some(c) => text.push(c),
                    None => return Err((pos, format!("unknown entity `&{};`", &*r))),
                }
            }
            Event::Eof => {
                if depth != 0 {
                    return Err((pos, "unexpected end of file inside an element".into()));
                }
                return Ok(());
            }
            _ => {}
        }
        buf.clear();
    }
}

/// Converts a driver error into a [`ScreenError`] naming file and line.
pub(crate) fn error(
    path: &str,
    src: &crate::parse::Source,
    (offset, msg): (u64, String),
) -> ScreenError {
    let line = crate::parse::line_of(src, offset);
    ScreenError::Parse {
        path: path.to_string(),
        line,
        msg,
    }
}
