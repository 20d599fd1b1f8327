//! The rows of a large sheet, made here rather than by rust_xlsxwriter: the same XML, byte for
//! byte, as its constant-memory mode writes for cells in their column's format, compressed as it
//! is made on the core that makes it. rust_xlsxwriter looks up each cell's format in a table, formats
//! each cell with `write!`, writes the sheet's XML to a temporary file and compresses every sheet
//! on one core when the workbook is saved; for a million rows that was most of `annex build`.
//! The rest of the sheet (its header row, columns, panes, filter, print setup, charts) is still
//! rust_xlsxwriter's, and [`super::package`] puts these rows into it.
//!
//! The rows are a raw deflate stream that is flushed but not ended, so that the package can put
//! the compressed head of the sheet before it and its compressed tail after it.

use std::io::Write;

use rust_xlsxwriter::utility::column_number_to_name;
use rust_xlsxwriter::XlsxError;

use super::deflate::{Deflated, Deflater};
use super::{CELL_CHARS, WRITE_BUFFER};

/// Excel's limits: rows and columns of a sheet.
const ROW_MAX: u32 = 1_048_576;
const COL_MAX: u16 = 16_384;
/// A row's height, in pixels, when nothing else is said (rust_xlsxwriter's default).
const ORIGINAL_ROW_HEIGHT: u32 = 20;

/// The cells a sheet's rows cover, zero-based and inclusive, as rust_xlsxwriter counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dimensions {
    pub first_row: u32,
    pub first_col: u16,
    pub last_row: u32,
    pub last_col: u16,
}

impl Dimensions {
    pub fn cell(row: u32, col: u16) -> Dimensions {
        Dimensions {
            first_row: row,
            first_col: col,
            last_row: row,
            last_col: col,
        }
    }

    pub fn union(self, other: Dimensions) -> Dimensions {
        Dimensions {
            first_row: self.first_row.min(other.first_row),
            first_col: self.first_col.min(other.first_col),
            last_row: self.last_row.max(other.last_row),
            last_col: self.last_col.max(other.last_col),
        }
    }
}

/// One column as its cells name it: its letters and its format's attribute (` s="3"`).
struct Column {
    name: Vec<u8>,
    style: Vec<u8>,
}

impl Column {
    fn new(col: u16, style: u32) -> Column {
        let style = match style {
            0 => Vec::new(),
            index => format!(r#" s="{index}""#).into_bytes(),
        };
        Column {
            name: column_number_to_name(col).into_bytes(),
            style,
        }
    }
}

/// A sheet's rows, written one after another, each cell in its column's format.
pub struct SheetRows {
    columns: Vec<Column>,
    /// The sheet's default row height, in pixels.
    default_height: u32,
    /// The row being written (zero-based), its number as the XML writes it, and its height when
    /// it has one of its own.
    row: Option<u32>,
    row_number: Vec<u8>,
    height: Option<u32>,
    /// The row's cells' XML, and where each starts, by column.
    cells: Vec<u8>,
    starts: Vec<(u16, usize)>,
    in_order: bool,
    /// A row's cells put in column order: (column, start, end) in `cells`, kept from row to row.
    spans: Vec<(u16, usize, usize)>,
    xml: Vec<u8>,
    out: Deflater,
    dimensions: Option<Dimensions>,
}

/// Rows made and compressed, waiting for their sheet, and the cells they cover.
pub struct Rows {
    pub deflated: Deflated,
    pub dimensions: Option<Dimensions>,
}

impl SheetRows {
    /// Rows whose cells take `column_styles` (a column's format index in the workbook, 0 for
    /// none), in a sheet whose default row height is `default_height` points, if it is set.
    pub fn new(column_styles: &[u32], default_height: Option<f64>) -> Result<SheetRows, XlsxError> {
        let columns = (column_styles.iter().enumerate())
            .map(|(col, style)| Column::new(col as u16, *style))
            .collect();
        Ok(SheetRows {
            columns,
            default_height: default_height
                .filter(|height| *height > 0.0)
                .map_or(ORIGINAL_ROW_HEIGHT, pixels),
            row: None,
            row_number: Vec::new(),
            height: None,
            cells: Vec::new(),
            starts: Vec::new(),
            in_order: true,
            xml: Vec::with_capacity(WRITE_BUFFER + WRITE_BUFFER / 4),
            spans: Vec::new(),
            out: Deflater::new()?,
            dimensions: None,
        })
    }

    /// Starts row `row` (zero-based), `height` points high where it is not the sheet's default.
    /// Rows come in order, each once.
    pub fn row(&mut self, row: u32, height: Option<f64>) -> Result<(), XlsxError> {
        if row >= ROW_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        if self.row.is_some_and(|previous| row <= previous) {
            return Err(XlsxError::RowColumnOrderError);
        }
        self.end_row()?;
        self.row = Some(row);
        self.row_number.clear();
        self.row_number
            .extend_from_slice(itoa::Buffer::new().format(row + 1).as_bytes());
        self.height = match height.map(pixels) {
            Some(0) => {
                return Err(XlsxError::ParameterError(
                    "a row of no height is a hidden row".into(),
                ))
            }
            Some(pixels) => {
                let col = self.dimensions.map_or(0, |d| d.first_col);
                self.cover(row, col);
                Some(pixels)
            }
            None => None,
        };
        Ok(())
    }

    /// Text; an empty text is no cell, as rust_xlsxwriter has it.
    pub fn string(&mut self, col: u16, text: &str) -> Result<(), XlsxError> {
        if text.is_empty() {
            return Ok(());
        }
        // Excel counts a cell's limit in UTF-16 units, of which a text has no more than bytes:
        // most are let through without counting.
        if text.len() > CELL_CHARS && text.encode_utf16().count() > CELL_CHARS {
            return Err(XlsxError::MaxStringLengthExceeded);
        }
        let preserve = [b'\t', b'\n', b' '];
        let preserved = text
            .as_bytes()
            .first()
            .is_some_and(|b| preserve.contains(b))
            || text.as_bytes().last().is_some_and(|b| preserve.contains(b));
        self.start_cell(col)?;
        self.cells.extend_from_slice(br#" t="inlineStr"><is><t"#);
        if preserved {
            self.cells.extend_from_slice(br#" xml:space="preserve""#);
        }
        self.cells.push(b'>');
        escape(text, &mut self.cells);
        self.cells.extend_from_slice(b"</t></is></c>");
        Ok(())
    }

    /// A number. Excel has no NaN or infinity, and rust_xlsxwriter would write them as text: a
    /// figure that is not one is refused, not written as a word.
    pub fn number(&mut self, col: u16, number: f64) -> Result<(), XlsxError> {
        if !number.is_finite() {
            return Err(XlsxError::ParameterError(format!(
                "{number} is not a number a cell can hold"
            )));
        }
        self.start_cell(col)?;
        self.cells.extend_from_slice(b"><v>");
        write!(self.cells, "{number}")?;
        self.cells.extend_from_slice(b"</v></c>");
        Ok(())
    }

    pub fn boolean(&mut self, col: u16, value: bool) -> Result<(), XlsxError> {
        self.start_cell(col)?;
        self.cells.extend_from_slice(if value {
            br#" t="b"><v>1</v></c>"#
        } else {
            br#" t="b"><v>0</v></c>"#
        });
        Ok(())
    }

    /// The rows, compressed and flushed, the deflate stream not ended.
    pub fn finish(mut self) -> Result<Rows, XlsxError> {
        self.end_row()?;
        self.out.write(&self.xml)?;
        Ok(Rows {
            deflated: self.out.finish()?,
            dimensions: self.dimensions,
        })
    }

    /// `<c r="B7" s="3"`: the start of a cell of the current row.
    fn start_cell(&mut self, col: u16) -> Result<(), XlsxError> {
        let Some(row) = self.row else {
            return Err(XlsxError::ParameterError("a cell before its row".into()));
        };
        if col >= COL_MAX {
            return Err(XlsxError::RowColumnLimitError);
        }
        self.cover(row, col);
        if self.starts.last().is_some_and(|(last, _)| *last >= col) {
            self.in_order = false;
        }
        self.starts.push((col, self.cells.len()));
        self.cells.extend_from_slice(br#"<c r=""#);
        match self.columns.get(usize::from(col)) {
            Some(column) => {
                self.cells.extend_from_slice(&column.name);
                self.cells.extend_from_slice(&self.row_number);
                self.cells.push(b'"');
                self.cells.extend_from_slice(&column.style);
            }
            None => {
                self.cells
                    .extend_from_slice(column_number_to_name(col).as_bytes());
                self.cells.extend_from_slice(&self.row_number);
                self.cells.push(b'"');
            }
        }
        Ok(())
    }

    fn cover(&mut self, row: u32, col: u16) {
        let cell = Dimensions::cell(row, col);
        self.dimensions = Some(self.dimensions.map_or(cell, |d| d.union(cell)));
    }

    /// Writes the current row out: its `<row>` element, then its cells by column (a column
    /// written twice keeps the last, as in rust_xlsxwriter).
    fn end_row(&mut self) -> Result<(), XlsxError> {
        let has_cells = !self.starts.is_empty();
        if self.row.is_some() && (has_cells || self.height.is_some()) {
            self.xml.extend_from_slice(br#"<row r=""#);
            self.xml.extend_from_slice(&self.row_number);
            self.xml.push(b'"');
            let height = match self.height {
                Some(height) => (height != ORIGINAL_ROW_HEIGHT
                    || self.default_height != ORIGINAL_ROW_HEIGHT)
                    .then_some(height),
                None => (self.default_height != ORIGINAL_ROW_HEIGHT).then_some(self.default_height),
            };
            if let Some(height) = height {
                write!(
                    self.xml,
                    r#" ht="{}" customHeight="1""#,
                    f64::from(height) * 0.75
                )?;
            }
            if !has_cells {
                self.xml.extend_from_slice(b"/>");
            } else if self.in_order {
                self.xml.push(b'>');
                self.xml.extend_from_slice(&self.cells);
                self.xml.extend_from_slice(b"</row>");
            } else {
                self.xml.push(b'>');
                let ends =
                    (self.starts.iter().skip(1).map(|(_, start)| *start)).chain([self.cells.len()]);
                let spans = &mut self.spans;
                spans.clear();
                spans.extend(
                    (self.starts.iter())
                        .zip(ends)
                        .map(|(&(col, start), end)| (col, start, end)),
                );
                // Stable: of a column written twice, the last comes last.
                spans.sort_by_key(|(col, _, _)| *col);
                for (at, (col, start, end)) in spans.iter().enumerate() {
                    let overwritten = spans.get(at + 1).is_some_and(|next| next.0 == *col);
                    if let (false, Some(cell)) = (overwritten, self.cells.get(*start..*end)) {
                        self.xml.extend_from_slice(cell);
                    }
                }
                self.xml.extend_from_slice(b"</row>");
            }
        }
        self.cells.clear();
        self.starts.clear();
        self.in_order = true;
        self.height = None;
        if self.xml.len() >= WRITE_BUFFER {
            self.out.write(&self.xml)?;
            self.xml.clear();
        }
        Ok(())
    }
}

/// A row height in points as rust_xlsxwriter keeps it, in whole pixels.
fn pixels(points: f64) -> u32 {
    (points * 4.0 / 3.0).round() as u32
}

/// Text as rust_xlsxwriter writes it in a cell: a literal `_xHHHH_` gets its underscore escaped
/// (`_x005F_xHHHH_`, else Excel would read it as an escaped character), then `&`, `<` and `>`
/// become entities, and control characters and U+FFFE/U+FFFF become `_xHHHH_`.
fn escape(text: &str, out: &mut Vec<u8>) {
    let plain = !text.bytes().any(|b| {
        matches!(b, b'&' | b'<' | b'>' | b'_' | 0xEF) || (b < 0x20 && b != b'\t' && b != b'\n')
    });
    if plain {
        out.extend_from_slice(text.as_bytes());
        return;
    }
    let unescaped = escape_escapes(text);
    for ch in unescaped.chars() {
        match ch {
            '&' => out.extend_from_slice(b"&amp;"),
            '<' => out.extend_from_slice(b"&lt;"),
            '>' => out.extend_from_slice(b"&gt;"),
            '\t' | '\n' => out.push(ch as u8),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => {
                let _ = write!(out, "_x{:04X}_", ch as u32);
            }
            _ => {
                let mut utf8 = [0; 4];
                out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
}

/// `_xHHHH_` in the text, written `_x005F_xHHHH_`.
fn escape_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    const ESCAPE: usize = "_xHHHH_".len();
    let literal = |at: usize| {
        let digits = text.get(at + 2..at + ESCAPE - 1);
        let closed = text.get(at + ESCAPE - 1..at + ESCAPE) == Some("_");
        closed && digits.is_some_and(|d| d.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let found: Vec<usize> = (text.match_indices("_x").map(|(at, _)| at))
        .filter(|at| literal(*at))
        .collect();
    if found.is_empty() {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len() + 6 * found.len());
    let mut from = 0;
    for at in found {
        escaped.push_str(text.get(from..at).unwrap_or_default());
        escaped.push_str("_x005F");
        from = at;
    }
    escaped.push_str(text.get(from..).unwrap_or_default());
    std::borrow::Cow::Owned(escaped)
}

/// Format indices as rust_xlsxwriter numbers them in a workbook whose formats are registered
/// before its sheets are written: the default format is 0, then each distinct format in the order
/// it was registered.
pub struct FormatIndices(Vec<rust_xlsxwriter::Format>);

impl FormatIndices {
    /// `registered`: the formats in the order they were given to `Workbook::register_format`.
    pub fn new<'a>(registered: impl IntoIterator<Item = &'a rust_xlsxwriter::Format>) -> Self {
        let mut distinct = vec![rust_xlsxwriter::Format::default()];
        for format in registered {
            if !distinct.contains(format) {
                distinct.push(format.clone());
            }
        }
        FormatIndices(distinct)
    }

    pub fn of(&self, format: &rust_xlsxwriter::Format) -> Result<u32, XlsxError> {
        (self.0.iter().position(|known| known == format))
            .map(|at| at as u32)
            .ok_or_else(|| XlsxError::ParameterError("a column's format was not registered".into()))
    }
}
