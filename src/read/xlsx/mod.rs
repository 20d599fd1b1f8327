//! `.xlsx`/`.xlsm` sheets streamed straight from their XML. Reading cells is most of a check's
//! time, and calamine's cell reader spends it on a general XML parser and on copying each string
//! several times; here the inflated part is scanned in place for the few elements cells are made
//! of. It gives the cells calamine gives — the same positions, numbers, dates, shared, inline and
//! rich strings, booleans and errors, by the same rules — which the tests check by reading every
//! workbook both ways. A workbook whose parts are not where and what this reader expects is left
//! to calamine.

mod formats;
mod xml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::ops::Range;
use std::path::Path;

use calamine::{CellErrorType, Data, ExcelDateTime, ExcelDateTimeType};
use zip::read::ZipFile;
use zip::ZipArchive;

use super::ooxml::{open_package, sheet_parts, Parts};
use formats::NumberKind;
use xml::{
    attribute, decode_into, local_name, push_lines, utf8, Attributes, Token, Xml, MAX_TOKEN,
};

/// A workbook's package, with what its cells refer to: shared strings and number formats.
pub struct Package {
    archive: ZipArchive<BufReader<File>>,
    /// The workbook's sheets, in order, each with its part.
    sheets: Vec<(String, String)>,
    /// The shared strings' part, until they are read with the first sheet.
    strings_part: Option<String>,
    strings: Option<SharedStrings>,
    formats: Vec<NumberKind>,
    is_1904: bool,
}

/// A workbook's shared strings, one after another in one buffer: a fraction of what a `String`
/// each would take.
#[derive(Default)]
struct SharedStrings {
    text: String,
    /// Where each string ends in `text`.
    ends: Vec<u32>,
}

impl SharedStrings {
    fn get(&self, index: usize) -> Option<&str> {
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)? as usize,
        };
        self.text.get(start..*self.ends.get(index)? as usize)
    }
}

impl Package {
    /// The package of an `.xlsx`/`.xlsm` workbook whose every sheet this reader can read, or
    /// `None`: a workbook whose parts are not where and what it expects is left to calamine.
    pub fn open(path: &Path) -> Option<Package> {
        let mut archive = open_package(path)?;
        let parts = Parts::of(&archive);
        let listed = sheet_parts(&mut archive, &parts);
        let sheets = (listed.sheets.into_iter())
            .map(|(name, part)| Some((name, part?)))
            .collect::<Option<Vec<_>>>()
            .filter(|sheets| !sheets.is_empty())?;
        let formats = match parts.get("xl/styles.xml") {
            Some(name) => number_formats(archive.by_name(name).ok()?).ok()?,
            None => Vec::new(),
        };
        Some(Package {
            archive,
            sheets,
            strings_part: parts.get("xl/sharedstrings.xml").map(str::to_string),
            strings: None,
            formats,
            is_1904: listed.is_1904,
        })
    }

    /// The workbook's sheet names, in order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.sheets.iter().map(|(name, _)| name.clone()).collect()
    }

    /// The cells of the named sheet; `None` if the workbook has no such sheet, an error if its
    /// shared strings cannot be read.
    pub fn cells(&mut self, sheet: &str) -> Option<Result<Cells<'_>, String>> {
        let (_, part) = self.sheets.iter().find(|(name, _)| name == sheet)?;
        if self.strings.is_none() {
            let strings = match &self.strings_part {
                Some(name) => {
                    (self.archive.by_name(name).map_err(|e| e.to_string())).and_then(shared_strings)
                }
                None => Ok(SharedStrings::default()),
            };
            match strings {
                Ok(strings) => self.strings = Some(strings),
                Err(error) => return Some(Err(format!("its shared strings: {error}"))),
            }
        }
        let part = match self.archive.by_name(part) {
            Ok(part) => part,
            Err(error) => return Some(Err(error.to_string())),
        };
        Some(Ok(Cells {
            xml: Xml::new(part),
            strings: self.strings.as_ref()?,
            formats: &self.formats,
            is_1904: self.is_1904,
            row: 0,
            column: 0,
            state: State::BeforeSheetData,
            plain: String::new(),
            text: String::new(),
        }))
    }
}

#[derive(PartialEq)]
enum State {
    BeforeSheetData,
    InSheetData,
    Done,
}

/// A sheet's cells in the order they are written, as (0-based row, 0-based column, value).
pub struct Cells<'a> {
    xml: Xml<ZipFile<'a, BufReader<File>>>,
    strings: &'a SharedStrings,
    formats: &'a [NumberKind],
    is_1904: bool,
    /// Where a cell without a reference is: after the previous one.
    row: u32,
    column: u32,
    state: State,
    /// A value's first run of text as written, and all of its text decoded: kept between cells
    /// so that reading a value allocates nothing.
    plain: String,
    text: String,
}

impl Cells<'_> {
    /// The next cell, `None` after the last; an error ends the sheet.
    pub fn next_cell(&mut self) -> Result<Option<(u32, u32, Data)>, String> {
        while self.state == State::BeforeSheetData {
            match self.xml.next()? {
                Token::Start { name, .. } if local_name(self.xml.bytes(&name)) == b"sheetData" => {
                    self.state = State::InSheetData;
                }
                Token::Eof => return Err("the sheet's XML has no sheetData".to_string()),
                _ => {}
            }
        }
        while self.state == State::InSheetData {
            match self.xml.next()? {
                Token::Start { name, attributes } => match local_name(self.xml.bytes(&name)) {
                    b"row" => {
                        if let Some(reference) = attribute(self.xml.bytes(&attributes), b"r") {
                            self.row = position(reference, false)?.0;
                        }
                    }
                    b"c" => return self.cell(attributes).map(Some),
                    _ => {}
                },
                Token::End { name } => match local_name(self.xml.bytes(&name)) {
                    b"row" => {
                        self.row = self.row.saturating_add(1);
                        self.column = 0;
                    }
                    b"sheetData" => self.state = State::Done,
                    _ => {}
                },
                Token::Eof => return Err("the sheet's XML ends inside sheetData".to_string()),
                Token::Text(_) | Token::CData(_) => {}
            }
        }
        Ok(None)
    }

    /// A `c` element, from its attributes to its end. Each `v`, `is` or `f` in it replaces what
    /// came before, as in calamine (a formula's cached value follows the formula).
    fn cell(&mut self, attributes: Range<usize>) -> Result<(u32, u32, Data), String> {
        let (mut reference, mut style, mut kind) = (None, None, None);
        for (name, value) in Attributes(self.xml.bytes(&attributes)) {
            match name {
                b"r" => reference = Some(value),
                b"s" => style = self.format(value),
                b"t" => kind = Some(value),
                _ => {}
            }
        }
        let (row, column) = match reference {
            Some(reference) => position(reference, true)?,
            None => (self.row, self.column),
        };
        let kind = CellType::of(kind);
        let mut value = Data::Empty;
        loop {
            match self.xml.next()? {
                Token::Start { name, .. } => {
                    value = match local_name(self.xml.bytes(&name)) {
                        b"is" => Data::String(string(&mut self.xml, b"is", b"</t></is>")?),
                        b"v" => self.value(&kind, style)?,
                        b"f" => {
                            self.skip_formula()?;
                            Data::Empty
                        }
                        other => {
                            return Err(format!(
                                "unexpected element <{}> in a cell",
                                String::from_utf8_lossy(other)
                            ))
                        }
                    };
                }
                Token::End { name } if local_name(self.xml.bytes(&name)) == b"c" => break,
                Token::Eof => return Err("the sheet's XML ends inside a cell".to_string()),
                _ => {}
            }
        }
        self.column = column.saturating_add(1);
        Ok((row, column, value))
    }

    /// The number format of a style (a style that is not a number is the first); none for a
    /// style the workbook does not have.
    fn format(&self, style: &[u8]) -> Option<NumberKind> {
        self.formats.get(number(style).unwrap_or(0)).copied()
    }

    /// A `v` element's value, as the cell's type makes it.
    fn value(&mut self, kind: &CellType, style: Option<NumberKind>) -> Result<Data, String> {
        let decoded = matches!(
            kind,
            CellType::Text | CellType::IsoDate | CellType::Unknown(_)
        );
        let plain = self.read_value(decoded)?;
        let text = self.plain.as_str();
        Ok(match kind {
            _ if !decoded && (!plain || text.is_empty()) => Data::Empty,
            CellType::Inline => Data::Empty,
            CellType::Number { typed } => match fast_float2::parse::<f64, _>(text) {
                Ok(number) => self.number(number, style),
                Err(_) if !typed => Data::String(text.to_string()),
                Err(_) => return Err(format!("not a number: {text}")),
            },
            CellType::Shared => {
                let index = number(text.as_bytes()).unwrap_or(0);
                let shared = self.strings.get(index).ok_or_else(|| {
                    format!("shared string {index} is not in the shared strings table")
                })?;
                Data::String(shared.to_string())
            }
            CellType::Bool => match text.trim() {
                "" => Data::Empty,
                "0" => Data::Bool(false),
                "1" => Data::Bool(true),
                word if word.eq_ignore_ascii_case("false") => Data::Bool(false),
                word if word.eq_ignore_ascii_case("true") => Data::Bool(true),
                _ => return Err(format!("not a boolean: {text}")),
            },
            CellType::Error => Data::Error(
                text.parse::<CellErrorType>()
                    .map_err(|_| format!("not a cell error: {text}"))?,
            ),
            CellType::Text => Data::String(unescape_excel(&self.text).into_owned()),
            CellType::IsoDate => Data::DateTimeIso(self.text.clone()),
            CellType::Unknown(kind) => return Err(format!("unknown cell type t=\"{kind}\"")),
        })
    }

    fn number(&self, number: f64, style: Option<NumberKind>) -> Data {
        let date = |kind| Data::DateTime(ExcelDateTime::new(number, kind, self.is_1904));
        match style {
            Some(NumberKind::DateTime) => date(ExcelDateTimeType::DateTime),
            Some(NumberKind::Duration) => date(ExcelDateTimeType::TimeDelta),
            _ => Data::Float(number),
        }
    }

    /// Reads to the end of the `v` element just started. Its first run of text, as written
    /// (numbers, indexes and codes carry no entities), is left in `plain`, and says whether the
    /// element started with one; with `decoded`, all of its text is left in `text`, decoded.
    fn read_value(&mut self, decoded: bool) -> Result<bool, String> {
        self.plain.clear();
        self.text.clear();
        // Nearly every value is text alone, taken whole.
        if let Some(range) = self.xml.simple_text(b"", b"</v>") {
            let raw = self.xml.bytes(&range);
            return value_text(raw, decoded, &mut self.plain, &mut self.text);
        }
        let mut plain = None;
        let mut depth = 0u32;
        loop {
            let token = self.xml.next()?;
            match token {
                Token::Text(range) => {
                    let raw = self.xml.bytes(&range);
                    let first = value_text(raw, decoded, &mut self.plain, &mut self.text)?;
                    plain.get_or_insert(first);
                }
                Token::Start { name, .. } if local_name(self.xml.bytes(&name)) == b"v" => {
                    depth += 1
                }
                Token::End { name } if local_name(self.xml.bytes(&name)) == b"v" => match depth {
                    0 => return Ok(plain.unwrap_or(false)),
                    _ => depth -= 1,
                },
                Token::Eof => return Err("the sheet's XML ends inside a cell".to_string()),
                _ => {}
            }
            plain.get_or_insert(false);
        }
    }

    /// Skips the `f` element just started.
    fn skip_formula(&mut self) -> Result<(), String> {
        let mut depth = 0u32;
        loop {
            match self.xml.next()? {
                Token::Start { name, .. } if local_name(self.xml.bytes(&name)) == b"f" => {
                    depth += 1
                }
                Token::End { name } if local_name(self.xml.bytes(&name)) == b"f" => match depth {
                    0 => return Ok(()),
                    _ => depth -= 1,
                },
                Token::Eof => return Err("the sheet's XML ends inside a cell".to_string()),
                _ => {}
            }
        }
    }
}

/// A run of a value's text: its part before any entity is appended to `plain` unless an earlier
/// run was, and, with `decoded`, all of it to `text`. Says whether the run starts plain.
fn value_text(
    raw: &[u8],
    decoded: bool,
    plain: &mut String,
    text: &mut String,
) -> Result<bool, String> {
    let starts_plain = raw.first().is_some_and(|b| *b != b'&');
    if starts_plain && plain.is_empty() {
        let written = raw.get(..memchr::memchr(b'&', raw).unwrap_or(raw.len()));
        plain.push_str(utf8(written.unwrap_or_default())?);
    }
    if decoded {
        decode_into(raw, text, true)?;
    }
    Ok(starts_plain)
}

/// What a cell's `t` attribute says its value is.
enum CellType {
    /// `n`, or no type: a number, or, untyped, text that is not one.
    Number {
        typed: bool,
    },
    Shared,
    Bool,
    Error,
    /// `str`: a formula's text result.
    Text,
    IsoDate,
    /// `inlineStr`: the value is in `is`, and a `v` says nothing.
    Inline,
    Unknown(String),
}

impl CellType {
    fn of(attribute: Option<&[u8]>) -> CellType {
        match attribute {
            None => CellType::Number { typed: false },
            Some(b"n") => CellType::Number { typed: true },
            Some(b"s") => CellType::Shared,
            Some(b"b") => CellType::Bool,
            Some(b"e") => CellType::Error,
            Some(b"str") => CellType::Text,
            Some(b"d") => CellType::IsoDate,
            Some(b"inlineStr" | b"is") => CellType::Inline,
            Some(other) => CellType::Unknown(String::from_utf8_lossy(other).into_owned()),
        }
    }
}

/// A string element (`is` in a cell, `si` in the shared strings) up to its end `closing`:
/// its `t` runs, rich text runs included and phonetic guides (`rPh`) left out, each trimmed of
/// ASCII white space unless it asks to be kept (`xml:space="preserve"`).
fn rich_text<R: Read>(xml: &mut Xml<R>, closing: &[u8]) -> Result<String, String> {
    let mut text = String::new();
    let mut phonetic = false;
    loop {
        match xml.next()? {
            Token::Start { name, attributes } => match local_name(xml.bytes(&name)) {
                b"rPh" => phonetic = true,
                b"t" if !phonetic => {
                    let preserve =
                        attribute(xml.bytes(&attributes), b"xml:space") == Some(&b"preserve"[..]);
                    run(xml, preserve, &mut text)?;
                }
                _ => {}
            },
            Token::End { name } => match local_name(xml.bytes(&name)) {
                name if name == closing => return Ok(text),
                b"rPh" => phonetic = false,
                _ => {}
            },
            Token::Eof => return Err("the XML ends inside a string".to_string()),
            Token::Text(_) | Token::CData(_) => {}
        }
    }
}

/// A string element just started, as [`rich_text`] reads it; the commonest shape, a single `t`
/// (`<t>…</t>` then `close`, the element's end tag), is taken whole.
fn string<R: Read>(xml: &mut Xml<R>, name: &[u8], close: &[u8]) -> Result<String, String> {
    match xml.simple_text(b"<t>", close) {
        Some(range) => {
            let mut text = String::new();
            decode_into(xml.bytes(&range), &mut text, true)?;
            finish_run(&mut text, 0, false);
            Ok(text)
        }
        None => rich_text(xml, name),
    }
}

/// One `t` element's text, appended to `text`.
fn run<R: Read>(xml: &mut Xml<R>, preserve: bool, text: &mut String) -> Result<(), String> {
    let start = text.len();
    loop {
        match xml.next()? {
            Token::Text(range) => decode_into(xml.bytes(&range), text, true)?,
            Token::CData(range) => push_lines(utf8(xml.bytes(&range))?, text),
            Token::End { name } if local_name(xml.bytes(&name)) == b"t" => break,
            Token::Eof => return Err("the XML ends inside a string".to_string()),
            _ => {}
        }
    }
    finish_run(text, start, preserve);
    match text.len() > MAX_TOKEN {
        true => Err(format!(
            "a string is longer than {} MB, far more than a cell holds",
            MAX_TOKEN >> 20
        )),
        false => Ok(()),
    }
}

/// A run's text from `start`, trimmed unless it is to be preserved, Excel's escapes decoded.
fn finish_run(text: &mut String, start: usize, preserve: bool) {
    if !preserve {
        // The blanks trimmed are ASCII, so the text stays whole characters.
        let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        let run = text.as_bytes().get(start..).unwrap_or_default();
        let end = run.iter().rposition(|b| !blank(b)).map_or(0, |at| at + 1);
        let leading = run.iter().take(end).take_while(|b| blank(b)).count();
        text.truncate(start + end);
        text.drain(start..start + leading);
    }
    if let Cow::Owned(unescaped) = unescape_excel(text.get(start..).unwrap_or_default()) {
        text.truncate(start);
        text.push_str(&unescaped);
    }
}

/// Excel's own escapes, `_xHHHH_` for a UTF-16 unit (`_x000D_` for a carriage return), decoded;
/// a lone surrogate becomes U+FFFD.
fn unescape_excel(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let escape = memchr::memchr_iter(b'_', bytes).find(|&at| bytes.get(at + 1) == Some(&b'x'));
    let Some(first) = escape else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len());
    out.push_str(text.get(..first).unwrap_or_default());
    let mut rest = text.get(first..).unwrap_or_default();
    while !rest.is_empty() {
        match escaped_unit(rest) {
            Some(high @ 0xD800..=0xDBFF) => {
                let after = rest.get(ESCAPE..).unwrap_or_default();
                match escaped_unit(after) {
                    Some(low @ 0xDC00..=0xDFFF) => {
                        let code = 0x10000
                            + ((u32::from(high) - 0xD800) << 10)
                            + (u32::from(low) - 0xDC00);
                        out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                        rest = after.get(ESCAPE..).unwrap_or_default();
                    }
                    _ => {
                        out.push(char::REPLACEMENT_CHARACTER);
                        rest = after;
                    }
                }
            }
            Some(unit) => {
                out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER));
                rest = rest.get(ESCAPE..).unwrap_or_default();
            }
            None => {
                let mut chars = rest.chars();
                out.extend(chars.next());
                let next = chars.as_str().find('_').unwrap_or(chars.as_str().len());
                out.push_str(chars.as_str().get(..next).unwrap_or_default());
                rest = chars.as_str().get(next..).unwrap_or_default();
            }
        }
    }
    Cow::Owned(out)
}

/// The length of `_xHHHH_`.
const ESCAPE: usize = 7;

/// The UTF-16 unit of the `_xHHHH_` `text` starts with.
fn escaped_unit(text: &str) -> Option<u16> {
    let escape = text.as_bytes().get(..ESCAPE)?;
    let hex = escape.get(2..6)?;
    let well_formed = escape.starts_with(b"_x") && escape.get(6) == Some(&b'_');
    if !well_formed || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
}

/// A decimal number written in ASCII digits.
fn number(digits: &[u8]) -> Option<usize> {
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0usize, |n, digit| {
        let digit = usize::from(digit.checked_sub(b'0').filter(|d| *d <= 9)?);
        n.checked_mul(10)?.checked_add(digit)
    })
}

/// A cell reference (`B12`) as a 0-based (row, column); a row reference (`12`) has column 0.
fn position(reference: &[u8], with_column: bool) -> Result<(u32, u32), String> {
    let bad = || {
        format!(
            "not a cell reference: {}",
            String::from_utf8_lossy(reference)
        )
    };
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    let (column, row) = reference.split_at(letters);
    let column = column.iter().try_fold(0u32, |n, letter| {
        n.checked_mul(26)?
            .checked_add(u32::from(letter.to_ascii_uppercase() - b'A') + 1)
    });
    let row = number(row)
        .and_then(|row| u32::try_from(row).ok())
        .and_then(|row| row.checked_sub(1));
    match (row, column) {
        (Some(row), Some(column)) if !with_column => Ok((row, column.saturating_sub(1))),
        (Some(row), Some(column)) => Ok((row, column.checked_sub(1).ok_or_else(bad)?)),
        _ => Err(bad()),
    }
}

/// A workbook's shared strings, in order.
fn shared_strings(part: impl Read) -> Result<SharedStrings, String> {
    let mut xml = Xml::new(part);
    let mut strings = SharedStrings::default();
    loop {
        match xml.next()? {
            Token::Start { name, .. } if local_name(xml.bytes(&name)) == b"si" => {
                strings
                    .text
                    .push_str(&string(&mut xml, b"si", b"</t></si>")?);
                let end = u32::try_from(strings.text.len())
                    .map_err(|_| "the shared strings hold more than 4 GB".to_string())?;
                strings.ends.push(end);
            }
            Token::End { name } if local_name(xml.bytes(&name)) == b"sst" => return Ok(strings),
            Token::Eof => return Ok(strings),
            _ => {}
        }
    }
}

/// The number format of each cell style (`cellXfs`), in order.
fn number_formats(part: impl Read) -> Result<Vec<NumberKind>, String> {
    let mut xml = Xml::new(part);
    let mut codes: HashMap<Vec<u8>, String> = HashMap::new();
    let mut kinds = Vec::new();
    let (mut in_codes, mut in_styles) = (false, false);
    loop {
        match xml.next()? {
            Token::Start { name, attributes } => {
                let attributes = xml.bytes(&attributes);
                let id = attribute(attributes, b"numFmtId");
                match local_name(xml.bytes(&name)) {
                    b"numFmts" => in_codes = true,
                    b"cellXfs" => in_styles = true,
                    b"numFmt" if in_codes => {
                        if let (Some(id), Some(code)) = (id, attribute(attributes, b"formatCode")) {
                            let mut decoded = String::new();
                            decode_into(code, &mut decoded, false)?;
                            codes.insert(id.to_vec(), decoded);
                        }
                    }
                    b"xf" if in_styles => kinds.push(match id {
                        None => NumberKind::Number,
                        Some(id) => match codes.get(id) {
                            Some(code) => formats::custom(code),
                            None => formats::builtin(utf8(id)?),
                        },
                    }),
                    _ => {}
                }
            }
            Token::End { name } => match local_name(xml.bytes(&name)) {
                b"numFmts" => in_codes = false,
                b"cellXfs" => in_styles = false,
                _ => {}
            },
            Token::Eof => return Ok(kinds),
            Token::Text(_) | Token::CData(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Cursor, Write};
    use std::path::PathBuf;

    use calamine::{open_workbook, Reader, Xlsx};
    use rust_xlsxwriter::{Format, FormatScript, Formula, Workbook};
    use zip::write::SimpleFileOptions;

    use super::*;

    type Cell = (u32, u32, Data);

    /// Every sheet's cells as calamine reads them, or that it fails.
    fn by_calamine(path: &Path) -> Vec<(String, Result<Vec<Cell>, ()>)> {
        let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
        let mut sheets = Vec::new();
        for name in workbook.sheet_names() {
            let cells = workbook
                .worksheet_cells_reader(&name)
                .map_err(|_| ())
                .and_then(|mut reader| {
                    let mut cells = Vec::new();
                    while let Some(cell) = reader.next_cell().map_err(|_| ())? {
                        let (row, column) = cell.get_position();
                        cells.push((row, column, Data::from(cell.get_value().clone())));
                    }
                    Ok(cells)
                });
            sheets.push((name, cells));
        }
        sheets
    }

    /// The same, read by this module.
    fn by_package(path: &Path) -> Vec<(String, Result<Vec<Cell>, ()>)> {
        let workbook: Xlsx<_> = open_workbook(path).unwrap();
        let mut package = Package::open(path).expect("a package");
        assert_eq!(package.sheet_names(), workbook.sheet_names());
        let mut sheets = Vec::new();
        for name in workbook.sheet_names() {
            let Ok(mut reader) = package.cells(&name).expect("the sheet's part") else {
                sheets.push((name, Err(())));
                continue;
            };
            let mut cells = Vec::new();
            let read = loop {
                match reader.next_cell() {
                    Ok(Some(cell)) => cells.push(cell),
                    Ok(None) => break Ok(cells),
                    Err(_) => break Err(()),
                }
            };
            sheets.push((name, read));
        }
        sheets
    }

    fn assert_read_alike(path: &Path) {
        let (expected, found) = (by_calamine(path), by_package(path));
        assert!(!expected.is_empty(), "{}: no sheets", path.display());
        for ((sheet, expected), (_, found)) in expected.iter().zip(&found) {
            assert_eq!(found, expected, "{}, sheet {sheet}", path.display());
        }
    }

    #[test]
    fn every_workbook_in_the_repository_reads_as_calamine_reads_it() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let mut checked = 0;
        let mut folders = vec![root.join("input"), root.join("tests/fixtures")];
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "xlsx" || e == "xlsm")
                    && open_workbook::<Xlsx<_>, _>(&path).is_ok()
                {
                    assert_read_alike(&path);
                    checked += 1;
                }
            }
        }
        assert!(checked >= 12, "only {checked} workbooks");
    }

    /// Text that tests every rule a string is read by.
    const AWKWARD: [&str; 9] = [
        "  leading and trailing  ",
        "line\r\nbreaks\rand\nmore",
        "<tag> & \"quotes\" 'apostrophes'",
        "literal _x000D_ and _x005F_x000D_",
        "絵文字 🏥 と全角　スペース",
        "\ttab",
        "",
        "=HYPERLINK(\"x\")",
        "_x",
    ];

    fn awkward_workbook(path: &Path, constant_memory: bool) {
        let mut workbook = Workbook::new();
        let sheet = match constant_memory {
            true => workbook.add_worksheet_with_constant_memory().unwrap(),
            false => workbook.add_worksheet(),
        };
        let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
        let builtin_date = Format::new().set_num_format_index(14);
        let duration = Format::new().set_num_format("[h]:mm:ss");
        let count = Format::new().set_num_format("#,##0\"件\"");
        for (row, text) in (0u32..).zip(AWKWARD) {
            sheet.write_string(row, 0, text).unwrap();
            sheet
                .write_number(row, 1, f64::from(row) * 1.5 - 3.0)
                .unwrap();
            let formatted = [
                (45000.25, &date),
                (45001.0, &builtin_date),
                (1.75, &duration),
                (1234.0, &count),
            ];
            for (column, (number, format)) in (2u16..).zip(formatted) {
                sheet
                    .write_number_with_format(row, column, number, format)
                    .unwrap();
            }
            sheet.write_boolean(row, 6, row % 2 == 0).unwrap();
            sheet
                .write_formula(
                    row,
                    7,
                    Formula::new("=A1&\"x\"").set_result(format!("{text}x")),
                )
                .unwrap();
            sheet.write_blank(row, 8, &date).unwrap();
        }
        let superscript = Format::new().set_font_script(FormatScript::Superscript);
        let plain = Format::new();
        sheet
            .write_rich_string(20, 0, &[(&plain, " rich "), (&superscript, "text\r\n")])
            .unwrap();
        sheet
            .write_string(1_048_575, 16_383, "the last cell")
            .unwrap();
        workbook.save(path).unwrap();
    }

    #[test]
    fn strings_numbers_dates_formulas_and_rich_text_read_as_calamine_reads_them() {
        let folder = tempfile::tempdir().unwrap();
        for constant_memory in [false, true] {
            let path = folder
                .path()
                .join(format!("awkward-{constant_memory}.xlsx"));
            awkward_workbook(&path, constant_memory);
            assert_read_alike(&path);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn any_text_reads_as_calamine_reads_it(
            texts in proptest::collection::vec("[ \\t\\r\\n_x0-9A-Fa-z&<>\"'\u{3000}-\u{30ff}\u{1f3e5}\u{1}-\u{1f}]{0,24}", 1..12)
        ) {
            let folder = tempfile::tempdir().unwrap();
            for constant_memory in [false, true] {
                let path = folder.path().join(format!("any-{constant_memory}.xlsx"));
                let mut workbook = Workbook::new();
                let sheet = match constant_memory {
                    true => workbook.add_worksheet_with_constant_memory().unwrap(),
                    false => workbook.add_worksheet(),
                };
                for (row, text) in (0u32..).zip(&texts) {
                    sheet.write_string(row, 0, text).unwrap();
                    sheet.write_string(row, 1, format!(" {text}\r\n")).unwrap();
                }
                workbook.save(&path).unwrap();
                assert_read_alike(&path);
            }
        }
    }

    /// A workbook written by rust_xlsxwriter with its first sheet's XML (and, if given, its
    /// shared strings) replaced.
    fn with_parts(path: &Path, edit: impl Fn(&str, String) -> String) {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.write_string(0, 0, "x").unwrap();
        let date = Format::new().set_num_format_index(14);
        sheet
            .write_number_with_format(0, 1, 45000.5, &date)
            .unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let mut original = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut copy = zip::ZipWriter::new(File::create(path).unwrap());
        let options =
            SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        for index in 0..original.len() {
            let mut part = original.by_index(index).unwrap();
            let name = part.name().unwrap().into_owned();
            let mut content = String::new();
            part.read_to_string(&mut content).unwrap();
            copy.start_file(&name, options).unwrap();
            copy.write_all(edit(&name, content).as_bytes()).unwrap();
        }
        copy.finish().unwrap();
    }

    /// A sheet's XML, and the shared strings if given, in place of those written.
    fn sheet_and_strings<'a>(
        sheet: &'a str,
        shared: Option<&'a str>,
    ) -> impl Fn(&str, String) -> String + 'a {
        move |name, content| match name {
            "xl/worksheets/sheet1.xml" => sheet.to_string(),
            "xl/sharedStrings.xml" => shared.map_or(content, str::to_string),
            _ => content,
        }
    }

    #[test]
    fn dates_of_a_workbook_counting_from_1904_read_as_calamine_reads_them() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("1904.xlsx");
        with_parts(&path, |name, content| match name {
            "xl/workbook.xml" => content.replace("<workbookPr", "<workbookPr date1904=\"1\""),
            _ => content,
        });
        assert!(Package::open(&path).unwrap().is_1904);
        assert_read_alike(&path);
    }

    #[test]
    fn hand_written_sheet_xml_reads_as_calamine_reads_it() {
        let shared = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si><si><r><t xml:space="preserve"> 東京 </t></r><r><rPr><b/></rPr><t>都</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si><si/><si><t>a&amp;b&#10;</t></si></sst>"#;
        let sheets = [
            // Cells and rows without references, prefixes, every type, CDATA and entities.
            r#"<?xml version="1.0"?><x:worksheet xmlns:x="main"><x:dimension ref="A1:F9"/><x:sheetData>
<x:row r="2"><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c t="s"><x:v>zz</x:v></x:c></x:row>
<x:row><x:c t="b"><x:v>1</x:v></x:c><x:c t="b"><x:v> FALSE </x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="d"><x:v>2024-04-01T00:00:00</x:v></x:c></x:row>
<x:row r="7"><x:c r="C7" t="str"><x:f>A1</x:f><x:v>a &lt;b&gt;_x000D_&#13;</x:v></x:c><x:c t="inlineStr"><x:is><x:t><![CDATA[<raw> & ]]></x:t></x:is></x:c><x:c><x:v>1e3</x:v></x:c><x:c><x:v>text?</x:v></x:c><x:c s="99"><x:v>5</x:v></x:c><x:c s="x"><x:v>6</x:v></x:c><x:c t="str"><x:v/></x:c><x:c t="n"><x:v></x:v></x:c><x:c t="inlineStr"><x:is/></x:c><x:c t="inlineStr"><x:v>ignored</x:v></x:c></x:row>
<x:row r="9"/><x:row r="10"><x:c r="B10"/><x:c r="C10" t="s"/></x:row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A2:A3"/></x:mergeCells></x:worksheet>"#,
            // A value calamine cannot read: the sheet fails for both.
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="b"><v>maybe</v></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="zz"><v>1</v></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>9</v></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1"><extLst/></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cut"#,
            r#"<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>"#,
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row></sheetData></worksheet>"#,
        ];
        let folder = tempfile::tempdir().unwrap();
        for (index, sheet) in sheets.iter().enumerate() {
            let path = folder.path().join(format!("hand-{index}.xlsx"));
            with_parts(&path, sheet_and_strings(sheet, Some(shared)));
            assert_read_alike(&path);
        }
        // Many runs of one string add up to more than any cell holds: refused, not gathered.
        let runs = "<r><t>0123456789</t></r>".repeat(MAX_TOKEN / 10 + 1);
        let long = format!(
            r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c></row></sheetData></worksheet>"#
        );
        let path = folder.path().join("long.xlsx");
        with_parts(&path, sheet_and_strings(&long, None));
        let read = by_package(&path);
        assert!(read[0].1.is_err());
        let first = by_package(&folder.path().join("hand-0.xlsx"));
        assert!(
            matches!(&first[0].1, Ok(cells) if cells.len() == 20),
            "{first:?}"
        );
        for index in 1..sheets.len() {
            let read = by_package(&folder.path().join(format!("hand-{index}.xlsx")));
            assert!(read[0].1.is_err(), "sheet {index} should fail");
        }
    }
}
