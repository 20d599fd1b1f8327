//! `.xlsx`/`.xlsm` sheets streamed straight from their XML, with the same cells calamine gives.
//!
//! Reading cells is most of the time a spreadsheet check takes, and calamine's cell reader spends
//! it on a general XML parser and on copying each string several times; here the inflated part is
//! scanned in place for the few elements cells are made of. It gives the cells calamine gives —
//! the same positions, numbers, dates, shared, inline and rich strings (phonetic guides left out),
//! booleans and errors, by the same rules — which `tests/calamine.rs` checks by reading workbooks
//! both ways. A workbook whose parts are not where and what this reader expects says so
//! ([`Package::reads_cells`]), so that the caller can hand it to calamine.
//!
//! A [`Package`] is opened once from any reader and serves everything a caller asks of the
//! file: its sheet list, how much it unpacks to, any part by name, each sheet's cells, its merged
//! ranges and its hidden rows and columns. Nothing here knows what the cells mean.

mod formats;
mod hidden;
mod merges;
mod ooxml;
mod xml;

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{Read, Seek};
use std::ops::Range;

use calamine::{CellErrorType, ExcelDateTime, ExcelDateTimeType};
pub use calamine::{Data, Dimensions};
use zip::read::ZipFile;
use zip::ZipArchive;

use formats::NumberKind;
pub use hidden::Hidden;
/// Helpers for reading a package's other XML parts (an `.ods`'s `content.xml`, say).
pub use ooxml::{attribute as element_attribute, each_element};
use ooxml::{sheet_parts, Parts, SheetParts};
pub use xml::MAX_TOKEN;
use xml::{attribute, decode_into, local_name, push_lines, utf8, Attributes, Token, Xml};

/// A zip workbook's package (`.xlsx`, `.xlsm`; any zip, such as an `.ods` or `.xlsb`, opens too,
/// though only the first two have sheets this reader reads).
pub struct Package<R> {
    archive: ZipArchive<R>,
    parts: Parts,
    /// The workbook's sheets, in order, each with its part if the package has it.
    listed: SheetParts,
    /// The number formats cells refer to; `None` when the styles cannot be read, and then the
    /// cells are not read here.
    formats: Option<Vec<NumberKind>>,
    /// The shared strings, read with the first sheet.
    strings: Option<SharedStrings>,
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

impl<R: Read + Seek> Package<R> {
    /// The package read from `reader`: its zip directory, its part names and the sheet list of
    /// `xl/workbook.xml`, each read once. An error when the file is not a zip archive.
    pub fn new(reader: R) -> Result<Package<R>, zip::result::ZipError> {
        let mut archive = ZipArchive::new(reader)?;
        let parts = Parts::of(&archive);
        let listed = sheet_parts(&mut archive, &parts);
        let formats = match parts.get("xl/styles.xml") {
            Some(name) => (archive.by_name(name).ok()).and_then(|part| number_formats(part).ok()),
            None => Some(Vec::new()),
        };
        Ok(Package {
            archive,
            parts,
            listed,
            formats,
            strings: None,
        })
    }

    /// Whether this reader reads every sheet's cells: the workbook lists sheets, each has its
    /// part, and the styles can be read. Otherwise [`Package::cells`] gives nothing.
    pub fn reads_cells(&self) -> bool {
        self.formats.is_some()
            && !self.listed.sheets.is_empty()
            && self.listed.sheets.iter().all(|(_, part)| part.is_some())
    }

    /// Whether the workbook's dates count from 1904.
    pub fn is_1904(&self) -> bool {
        self.listed.is_1904
    }

    /// The workbook's sheet names, in order.
    pub fn sheet_names(&self) -> Vec<String> {
        self.listed
            .sheets
            .iter()
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// What the zip's directory says its parts unpack to, in bytes.
    pub fn unpacked_size(&mut self) -> u64 {
        (0..self.archive.len())
            .map(|index| {
                self.archive
                    .by_index_raw(index)
                    .map_or(0, |part| part.size())
            })
            .fold(0, u64::saturating_add)
    }

    /// A part by name, whatever case or slashes its writer gave it.
    pub fn part(&mut self, name: &str) -> Option<ZipFile<'_, R>> {
        let name = self.parts.get(name)?;
        self.archive.by_name(name).ok()
    }

    /// The merged ranges of the named sheet, found by searching its XML for `mergeCell` alone.
    pub fn merged_ranges(&mut self, sheet: &str) -> Vec<Dimensions> {
        match self.sheet_part(sheet) {
            Some(part) => merges::scan(part),
            None => Vec::new(),
        }
    }

    /// The hidden rows and columns of the named sheet.
    pub fn hidden(&mut self, sheet: &str) -> Hidden {
        match self.sheet_part(sheet) {
            Some(part) => hidden::scan_sheet(std::io::BufReader::new(part)),
            None => Hidden::default(),
        }
    }

    /// The reader the package was read from, for another reader to use.
    pub fn into_inner(self) -> R {
        self.archive.into_inner()
    }

    fn sheet_part(&mut self, sheet: &str) -> Option<ZipFile<'_, R>> {
        let part = self.listed.part(sheet)?;
        self.archive.by_name(part).ok()
    }

    /// The cells of the named sheet; `None` if this reader does not read the workbook's cells
    /// or it has no such sheet, an error if its shared strings cannot be read.
    pub fn cells(&mut self, sheet: &str) -> Option<Result<Cells<'_, R>, String>> {
        let formats = self.formats.as_deref()?;
        let part = self.listed.part(sheet)?;
        if self.strings.is_none() {
            let strings = match self.parts.get("xl/sharedstrings.xml") {
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
            formats,
            is_1904: self.listed.is_1904,
            row: 0,
            column: 0,
            state: State::BeforeSheetData,
            plain: String::new(),
            text: String::new(),
            percent: false,
            formula: String::new(),
            uncomputed: false,
        }))
    }
}

/// How much of a formula's text is kept to be shown: enough to recognise it.
const FORMULA_SHOWN: usize = 200;

#[derive(PartialEq)]
enum State {
    BeforeSheetData,
    InSheetData,
    Done,
}

/// A sheet's cells in the order they are written, as (0-based row, 0-based column, value).
pub struct Cells<'a, R: Read> {
    xml: Xml<ZipFile<'a, R>>,
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
    /// Whether the last cell given is a number shown as a percentage.
    percent: bool,
    /// The last cell's formula, as written (a shared formula's other cells write none), and
    /// whether it has no saved result.
    formula: String,
    uncomputed: bool,
}

impl<R: Read> Cells<'_, R> {
    /// Whether the cell `next_cell` gave last is a number its format shows as a percentage
    /// (0.25 as 25%): its value is what is stored, as calamine gives it; what a person sees is a
    /// hundred times that.
    pub fn shown_as_percent(&self) -> bool {
        self.percent
    }

    /// The formula of the cell `next_cell` gave last, when it holds a formula with no saved
    /// result (a workbook written by a program and never opened in a spreadsheet): the cell is
    /// then given as empty, as calamine gives it, though its value is not known. The formula's
    /// text is empty for a cell of a shared formula, which only its first cell writes.
    pub fn uncomputed_formula(&self) -> Option<&str> {
        self.uncomputed.then_some(self.formula.as_str())
    }

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
        self.percent = false;
        self.formula.clear();
        let mut formula = false;
        let mut value = Data::Empty;
        loop {
            match self.xml.next()? {
                Token::Start { name, .. } => {
                    value = match local_name(self.xml.bytes(&name)) {
                        b"is" => Data::String(string(&mut self.xml, b"is", b"</t></is>")?),
                        b"v" => self.value(&kind, style)?,
                        b"f" => {
                            formula = true;
                            self.read_formula()?;
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
        // A result is saved as a value after the formula; openpyxl writes an empty one.
        self.uncomputed = formula && value == Data::Empty;
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
                Ok(number) => {
                    self.percent = style == Some(NumberKind::Percent);
                    self.number(number, style)
                }
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

    /// Reads the `f` element just started, keeping the first [`FORMULA_SHOWN`] bytes of its text
    /// in `formula`.
    fn read_formula(&mut self) -> Result<(), String> {
        let mut depth = 0u32;
        loop {
            match self.xml.next()? {
                Token::Text(range) if self.formula.len() < FORMULA_SHOWN => {
                    decode_into(self.xml.bytes(&range), &mut self.formula, true)?;
                    if self.formula.len() > FORMULA_SHOWN {
                        let mut end = FORMULA_SHOWN;
                        while !self.formula.is_char_boundary(end) {
                            end -= 1;
                        }
                        self.formula.truncate(end);
                        self.formula.push('…');
                    }
                }
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
