//! Just enough XML to read a workbook part: start and end tags with their raw attributes, text and
//! CDATA, scanned in place in the inflated bytes with memchr. Comments, processing instructions
//! and declarations are skipped. An element written empty (`<t/>`) is given as a start followed
//! by its end, so that callers see one shape for both spellings.

use std::io::{ErrorKind, Read};
use std::ops::Range;

/// How much of the inflated part is read at a time.
const CHUNK: usize = 64 * 1024;
/// The longest single piece of markup or text held at once. A cell holds at most 32,767
/// characters (a few hundred kB however they are written), so a real part never comes near it;
/// a hostile one stops here instead of filling memory.
pub const MAX_TOKEN: usize = 4 << 20;

/// A piece of the part. Ranges index [`Xml::bytes`] and hold until the next call to
/// [`Xml::next`].
#[derive(Debug, PartialEq)]
pub enum Token {
    Start {
        name: Range<usize>,
        attributes: Range<usize>,
    },
    End {
        name: Range<usize>,
    },
    Text(Range<usize>),
    CData(Range<usize>),
    Eof,
}

pub struct Xml<R> {
    part: R,
    buffer: Vec<u8>,
    at: usize,
    ended: bool,
    /// The end of an element written empty, given next.
    pending_end: Option<Range<usize>>,
}

impl<R: Read> Xml<R> {
    pub fn new(part: R) -> Self {
        Xml {
            part,
            buffer: Vec::with_capacity(CHUNK),
            at: 0,
            ended: false,
            pending_end: None,
        }
    }

    pub fn bytes(&self, range: &Range<usize>) -> &[u8] {
        self.buffer.get(range.clone()).unwrap_or_default()
    }

    pub fn next(&mut self) -> Result<Token, String> {
        if let Some(name) = self.pending_end.take() {
            return Ok(Token::End { name });
        }
        loop {
            let rest = self.buffer.get(self.at..).unwrap_or_default();
            let scanned = match rest.first() {
                None => None,
                Some(b'<') => markup(rest, self.ended)?,
                Some(_) => match memchr::memchr(b'<', rest) {
                    Some(length) => Some(Scanned::Text(0..length, length)),
                    None if self.ended => Some(Scanned::Text(0..rest.len(), rest.len())),
                    None => None,
                },
            };
            let Some(scanned) = scanned else {
                if !self.ended {
                    self.fill()?;
                    continue;
                }
                return match self.at >= self.buffer.len() {
                    true => Ok(Token::Eof),
                    false => Err("the XML ends inside an element".to_string()),
                };
            };
            let base = self.at;
            let shift = |range: Range<usize>| base + range.start..base + range.end;
            let token = match scanned {
                Scanned::Skip(length) => {
                    self.at += length;
                    continue;
                }
                Scanned::Text(range, length) => {
                    self.at += length;
                    Token::Text(shift(range))
                }
                Scanned::CData(range, length) => {
                    self.at += length;
                    Token::CData(shift(range))
                }
                Scanned::End(name, length) => {
                    self.at += length;
                    Token::End { name: shift(name) }
                }
                Scanned::Start {
                    name,
                    attributes,
                    empty,
                    length,
                } => {
                    self.at += length;
                    if empty {
                        self.pending_end = Some(shift(name.clone()));
                    }
                    Token::Start {
                        name: shift(name),
                        attributes: shift(attributes),
                    }
                }
            };
            return Ok(token);
        }
    }

    /// The text of an element in its simplest form, taken whole when the unscanned bytes are
    /// `open`, text without markup, then `close` — the shape nearly every cell value has. With
    /// any other shape, or not all of it read yet, nothing is taken and `None` said: [`Xml::next`]
    /// then reads it token by token.
    pub fn simple_text(&mut self, open: &[u8], close: &[u8]) -> Option<Range<usize>> {
        if self.pending_end.is_some() {
            return None;
        }
        let text = self.buffer.get(self.at..)?.strip_prefix(open)?;
        let length = memchr::memchr(b'<', text)?;
        if !text.get(length..)?.starts_with(close) {
            return None;
        }
        let start = self.at + open.len();
        self.at = start + length + close.len();
        Some(start..start + length)
    }

    /// Reads more of the part after what is left unscanned, or notes that it has ended. At
    /// least as much is read as is left unscanned, so that a long piece is scanned a few times
    /// over, not once for every chunk.
    fn fill(&mut self) -> Result<(), String> {
        self.buffer.drain(..self.at.min(self.buffer.len()));
        self.at = 0;
        let left = self.buffer.len();
        if left > MAX_TOKEN {
            return Err(format!(
                "a piece of the XML is longer than {} MB",
                MAX_TOKEN >> 20
            ));
        }
        let wanted = left + CHUNK.max(left);
        self.buffer.resize(wanted, 0);
        let mut filled = left;
        while filled < wanted {
            match self
                .part
                .read(self.buffer.get_mut(filled..).unwrap_or_default())
            {
                Ok(0) => {
                    self.ended = true;
                    break;
                }
                Ok(read) => filled += read,
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => {
                    self.buffer.truncate(filled);
                    return Err(error.to_string());
                }
            }
        }
        self.buffer.truncate(filled);
        Ok(())
    }
}

/// A token found at the start of the unscanned bytes; ranges are relative to it, and `length`
/// is how many bytes it takes.
enum Scanned {
    Skip(usize),
    Text(Range<usize>, usize),
    CData(Range<usize>, usize),
    End(Range<usize>, usize),
    Start {
        name: Range<usize>,
        attributes: Range<usize>,
        empty: bool,
        length: usize,
    },
}

/// The markup `rest` starts with, or `None` when more bytes are needed to see all of it.
fn markup(rest: &[u8], ended: bool) -> Result<Option<Scanned>, String> {
    let found = |terminator: &[u8], from: usize| {
        rest.get(from..)
            .and_then(|tail| memchr::memmem::find(tail, terminator))
            .map(|at| from + at)
    };
    let scanned = match rest.get(1) {
        None => None,
        Some(b'/') => tag_end(rest).map(|end| {
            let name = trim(rest, 2..end);
            Scanned::End(name, end + 1)
        }),
        Some(b'?') => found(b"?>", 2).map(|end| Scanned::Skip(end + 2)),
        Some(b'!') if rest.len() < 9 && !ended => None,
        Some(b'!') if rest.starts_with(b"<!--") => {
            found(b"-->", 4).map(|end| Scanned::Skip(end + 3))
        }
        Some(b'!') if rest.starts_with(b"<![CDATA[") => {
            found(b"]]>", 9).map(|end| Scanned::CData(9..end, end + 3))
        }
        Some(b'!') => tag_end(rest).map(|end| Scanned::Skip(end + 1)),
        Some(_) => tag_end(rest).map(|end| {
            let empty = end > 1 && rest.get(end - 1) == Some(&b'/');
            let inner_end = if empty { end - 1 } else { end };
            let name_end = rest
                .get(1..inner_end)
                .and_then(|inner| inner.iter().position(|b| b.is_ascii_whitespace()))
                .map_or(inner_end, |at| 1 + at);
            Scanned::Start {
                name: 1..name_end,
                attributes: name_end..inner_end,
                empty,
                length: end + 1,
            }
        }),
    };
    match scanned {
        None if rest.len() > MAX_TOKEN => Err(format!(
            "an element of the XML is longer than {} MB",
            MAX_TOKEN >> 20
        )),
        scanned => Ok(scanned),
    }
}

/// Where the tag `rest` starts with ends (its `>`), stepping over quoted attribute values,
/// which may hold a `>`. Tags are short: a plain loop beats a vectorised search here.
fn tag_end(rest: &[u8]) -> Option<usize> {
    let mut quote = None;
    rest.iter().position(|&b| match quote {
        Some(open) => {
            if b == open {
                quote = None;
            }
            false
        }
        None if b == b'"' || b == b'\'' => {
            quote = Some(b);
            false
        }
        None => b == b'>',
    })
}

fn trim(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let slice = bytes.get(range.clone()).unwrap_or_default();
    let start = slice
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(slice.len());
    let end = slice
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |at| at + 1);
    range.start + start..range.start + end
}

/// An element name without its namespace prefix.
pub fn local_name(name: &[u8]) -> &[u8] {
    match name.iter().rposition(|&b| b == b':') {
        Some(at) => name.get(at + 1..).unwrap_or_default(),
        None => name,
    }
}

/// The raw value of the attribute named `wanted` (prefix included, as written).
pub fn attribute<'a>(attributes: &'a [u8], wanted: &[u8]) -> Option<&'a [u8]> {
    Attributes(attributes).find_map(|(name, value)| (name == wanted).then_some(value))
}

/// An element's attributes as (name, raw value), in order; a malformed one ends them.
pub struct Attributes<'a>(pub &'a [u8]);

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.0.trim_ascii_start();
        let equals = rest.iter().position(|&b| b == b'=')?;
        let name = rest.get(..equals)?.trim_ascii_end();
        let rest = rest.get(equals + 1..)?.trim_ascii_start();
        let quote = *rest.first()?;
        if quote != b'"' && quote != b'\'' {
            return None;
        }
        let length = rest.get(1..)?.iter().position(|&b| b == quote)?;
        let value = rest.get(1..1 + length)?;
        self.0 = rest.get(length + 2..)?;
        Some((name, value))
    }
}

/// Appends XML text to `out`: entities and character references decoded and, for text (not
/// attribute values or CDATA), line ends made `\n` as XML 1.0 reads them.
pub fn decode_into(raw: &[u8], out: &mut String, newlines: bool) -> Result<(), String> {
    let text = utf8(raw)?;
    if memchr::memchr2(b'&', b'\r', raw).is_none() {
        out.push_str(text);
        return Ok(());
    }
    let mut rest = text;
    let push = |text: &str, out: &mut String| match newlines {
        true => push_lines(text, out),
        false => out.push_str(text),
    };
    while let Some(at) = memchr::memchr(b'&', rest.as_bytes()) {
        push(rest.get(..at).unwrap_or_default(), out);
        let after = rest.get(at + 1..).unwrap_or_default();
        let end = memchr::memchr(b';', after.as_bytes())
            .ok_or_else(|| "an `&` in the XML starts no entity".to_string())?;
        let entity = after.get(..end).unwrap_or_default();
        out.push(entity_char(entity).ok_or_else(|| format!("unknown entity &{entity};"))?);
        rest = after.get(end + 1..).unwrap_or_default();
    }
    push(rest, out);
    Ok(())
}

pub fn utf8(bytes: &[u8]) -> Result<&str, String> {
    std::str::from_utf8(bytes).map_err(|e| format!("the XML is not UTF-8: {e}"))
}

/// Appends text with its line ends made `\n`, as XML 1.0 reads them.
pub fn push_lines(text: &str, out: &mut String) {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        out.push_str(text);
        return;
    }
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            chars.next_if_eq(&'\n');
            out.push('\n');
        } else {
            out.push(c);
        }
    }
}

fn entity_char(entity: &str) -> Option<char> {
    match entity {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "apos" => Some('\''),
        "quot" => Some('"'),
        _ => {
            let number = entity.strip_prefix('#')?;
            let code = match number.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code).filter(|c| *c != '\0')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every token of `xml` read a few bytes at a time, as text.
    fn tokens(xml: &str) -> Vec<String> {
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(out.len()).min(3);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut xml = Xml::new(Trickle(xml.as_bytes()));
        let mut seen = Vec::new();
        loop {
            let token = xml.next().unwrap();
            let text = |range| String::from_utf8_lossy(xml.bytes(&range)).into_owned();
            match token {
                Token::Start { name, attributes } => {
                    seen.push(format!("<{}|{}>", text(name), text(attributes)))
                }
                Token::End { name } => seen.push(format!("</{}>", text(name))),
                Token::Text(range) => seen.push(text(range)),
                Token::CData(range) => seen.push(format!("cdata:{}", text(range))),
                Token::Eof => return seen,
            }
        }
    }

    #[test]
    fn tags_text_and_cdata_come_whole_however_the_part_is_cut() {
        let xml = r#"<?xml version="1.0"?><!-- a > b --><x:row r="1"><c a='>' t="s"/>1 &amp; 2<![CDATA[<t>]]></x:row >"#;
        assert_eq!(
            tokens(xml),
            [
                "<x:row| r=\"1\">",
                "<c| a='>' t=\"s\">",
                "</c>",
                "1 &amp; 2",
                "cdata:<t>",
                "</x:row>",
            ]
        );
    }

    #[test]
    fn a_part_cut_inside_a_tag_is_an_error() {
        let mut xml = Xml::new(&b"<row><c r=\"A1"[..]);
        assert!(matches!(xml.next(), Ok(Token::Start { .. })));
        assert!(xml.next().is_err());
    }

    #[test]
    fn a_piece_longer_than_the_limit_is_an_error_not_a_runaway() {
        let mut endless = b"<row><c r=\"".to_vec();
        endless.resize(MAX_TOKEN * 3, b'A');
        let mut xml = Xml::new(&endless[..]);
        assert!(matches!(xml.next(), Ok(Token::Start { .. })));
        assert!(xml.next().unwrap_err().contains("longer than"));
    }

    #[test]
    fn attributes_are_found_by_their_written_name() {
        let attributes = br#" r="B2"  s = '3' xml:space="preserve""#;
        assert_eq!(attribute(attributes, b"s"), Some(&b"3"[..]));
        assert_eq!(attribute(attributes, b"xml:space"), Some(&b"preserve"[..]));
        assert_eq!(attribute(attributes, b"space"), None);
        assert_eq!(attribute(attributes, b"t"), None);
        assert_eq!(local_name(b"x:row"), b"row");
    }

    #[test]
    fn entities_and_line_ends_are_decoded() {
        let mut out = String::new();
        decode_into(b"a&lt;b&#x41;&#66;\r\nc\rd", &mut out, true).unwrap();
        assert_eq!(out, "a<bAB\nc\nd");
        assert!(decode_into(b"&nbsp;", &mut String::new(), true).is_err());
        assert!(decode_into(b"a & b", &mut String::new(), true).is_err());
    }
}
