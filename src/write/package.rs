//! `annex.xlsx` put together: rust_xlsxwriter's workbook, with the rows of its large sheets made
//! elsewhere ([`super::sheet_rows`]) put into those sheets. rust_xlsxwriter saves the workbook
//! with those sheets as it has them (header row, columns, panes, filter, print setup, charts),
//! uncompressed, to a temporary file; each entry is then compressed here into the package, and
//! each of those sheets becomes its compressed head (patched to the sheet's whole extent), the
//! rows compressed as they were made, and its compressed tail: a deflate stream may be made of
//! pieces, each flushed to a byte, the last one ended.
//!
//! The zip is written here because the zip crate cannot take data already compressed but by its
//! own hand (`ZipFileBuilder`); what is written is the plain format: each entry's sizes in its
//! local header, no data descriptors, ZIP64 fields only where a size or an offset needs them.

use std::io::{self, BufReader, BufWriter, Read, Write};

use flate2::FlushCompress;
use rust_xlsxwriter::utility::cell_range;
use rust_xlsxwriter::{Workbook, XlsxError};
use zip::ZipArchive;

use super::deflate::{compressor, deflate, Deflated, Deflater};
use super::sheet_rows::{Dimensions, Rows};
use super::WRITE_BUFFER;

/// Where a sheet's rows go: the sheet's position in the workbook and its rows.
pub struct Spliced {
    pub position: usize,
    pub rows: Rows,
}

/// Saves `workbook` to `out` with the rows in `spliced` in their sheets.
pub fn save(
    workbook: &mut Workbook,
    spliced: Vec<Spliced>,
    out: impl Write,
) -> Result<(), XlsxError> {
    // Every entry is compressed again here: rust_xlsxwriter's fastest level costs the least to
    // undo (it has no level that leaves them as they are).
    workbook.set_zip_compression_level(1);
    let skeleton = tempfile::tempfile()?;
    workbook.save_to_writer(BufWriter::with_capacity(WRITE_BUFFER, &skeleton))?;
    let mut skeleton = ZipArchive::new(BufReader::new(skeleton))?;
    let mut spliced: Vec<(String, Rows)> = (spliced.into_iter())
        .map(|s| (format!("xl/worksheets/sheet{}.xml", s.position + 1), s.rows))
        .collect();
    let mut package = Package::new(out);
    for index in 0..skeleton.len() {
        let mut entry = skeleton.by_index(index)?;
        let name = entry.name_raw().to_vec();
        let stamp = stamp(&entry);
        match (spliced.iter()).position(|(sheet, _)| sheet.as_bytes() == name) {
            Some(at) => {
                let (_, rows) = spliced.swap_remove(at);
                let mut sheet = String::new();
                (&mut entry)
                    .take(SKELETON_SHEET_LIMIT)
                    .read_to_string(&mut sheet)?;
                if sheet.len() as u64 >= SKELETON_SHEET_LIMIT {
                    return Err(XlsxError::ParameterError(format!(
                        "rust_xlsxwriter wrote more of {} than its header row and tables",
                        String::from_utf8_lossy(&name)
                    )));
                }
                let (head, tail) = split(&sheet, rows.dimensions)?;
                package.entry(&name, stamp, head.as_bytes(), Some(rows.deflated), &tail)?;
            }
            None => {
                let sheet = name.starts_with(b"xl/worksheets/");
                let body = compressed(&mut entry, sheet)?;
                package.entry(&name, stamp, &[], Some(body), &[])?;
            }
        }
    }
    if let Some((sheet, _)) = spliced.first() {
        return Err(XlsxError::ParameterError(format!(
            "the workbook has no {sheet} for its rows"
        )));
    }
    package.finish()?;
    Ok(())
}

/// An entry of the skeleton, compressed; a sheet less the rows it repeats.
fn compressed(entry: &mut impl Read, sheet: bool) -> io::Result<Deflated> {
    let mut out = Deflater::new()?;
    let mut chunk = vec![0; WRITE_BUFFER];
    let mut kept = Vec::new();
    let mut rows = RepeatedRows::new(0);
    loop {
        let read = entry.read(&mut chunk)?;
        let Some(bytes) = chunk.get(..read).filter(|bytes| !bytes.is_empty()) else {
            break;
        };
        if !sheet {
            out.write(bytes)?;
            continue;
        }
        rows.feed(bytes, &mut kept);
        out.write(&kept)?;
        kept.clear();
    }
    rows.end(&mut kept);
    out.write(&kept)?;
    out.finish()
}

/// The most of a spliced sheet rust_xlsxwriter is expected to write: a header row and a few
/// tables; a larger one means its rows were written there too.
const SKELETON_SHEET_LIMIT: u64 = 64 << 20;

/// A sheet's XML cut after its header row, `<dimension>` widened to take in the rows that go
/// between: (head, tail).
fn split(sheet: &str, rows: Option<Dimensions>) -> Result<(String, Vec<u8>), XlsxError> {
    let unexpected = |what: &str| XlsxError::ParameterError(format!("the sheet {what}"));
    let data = sheet
        .find("<sheetData>")
        .ok_or_else(|| unexpected("has no <sheetData>"))?;
    let after_data = sheet.get(data..).unwrap_or_default();
    if !after_data.starts_with(r#"<sheetData><row r="1""#) {
        return Err(unexpected("has no header row"));
    }
    // Text in the XML is escaped, so the first `</row>` ends the header row.
    let cut = data
        + after_data
            .find("</row>")
            .ok_or_else(|| unexpected("has an unended header row"))?
        + "</row>".len();
    let (head, rest) = (
        sheet.get(..cut).unwrap_or_default(),
        sheet.get(cut..).unwrap_or_default(),
    );
    let mut tail = Vec::with_capacity(rest.len());
    let mut repeated = RepeatedRows::new(rows.map_or(1, |rows| rows.last_row + 1));
    repeated.feed(rest.as_bytes(), &mut tail);
    repeated.end(&mut tail);
    let Some(rows) = rows else {
        return Ok((head.to_string(), tail));
    };
    let start = head
        .find(r#"<dimension ref=""#)
        .ok_or_else(|| unexpected("has no <dimension>"))?
        + r#"<dimension ref=""#.len();
    let end = start
        + (head.get(start..).unwrap_or_default())
            .find('"')
            .ok_or_else(|| unexpected("has an unended <dimension>"))?;
    let reference = head.get(start..end).unwrap_or_default();
    let extent = parse_range(reference)
        .ok_or_else(|| unexpected(&format!("has a <dimension> of {reference}")))?
        .union(rows);
    let widened = cell_range(
        extent.first_row,
        extent.first_col,
        extent.last_row,
        extent.last_col,
    );
    let head = [
        head.get(..start).unwrap_or_default(),
        &widened,
        head.get(end..).unwrap_or_default(),
    ]
    .concat();
    Ok((head, tail))
}

/// A sheet's XML less the rows it repeats: rust_xlsxwriter's constant-memory mode writes the last
/// row it holds a second time, empty, when that row has a height of its own (`<row r="50"
/// ht="108.75" customHeight="1"/>` after row 50), and Excel wants each row once, in order. Text is
/// escaped in the XML, so `<row r="` is always a row.
struct RepeatedRows {
    /// The last row passed on (one-based).
    last_row: u32,
    /// What came after the last whole tag, to be read with what comes next.
    held: Vec<u8>,
}

const ROW: &[u8] = br#"<row r=""#;

impl RepeatedRows {
    fn new(last_row: u32) -> RepeatedRows {
        RepeatedRows {
            last_row,
            held: Vec::new(),
        }
    }

    /// Passes `bytes` on to `out` but for rows already passed on; the end of `bytes` that may
    /// be the start of a row is held back for the next call.
    fn feed(&mut self, bytes: &[u8], out: &mut Vec<u8>) {
        self.held.extend_from_slice(bytes);
        let held = std::mem::take(&mut self.held);
        let mut from = 0;
        loop {
            let rest = held.get(from..).unwrap_or_default();
            let Some(at) = memchr::memmem::find(rest, ROW) else {
                // A row's start may be cut at the end.
                let safe = rest.len().saturating_sub(ROW.len() - 1);
                out.extend_from_slice(rest.get(..safe).unwrap_or_default());
                self.held = rest.get(safe..).unwrap_or_default().to_vec();
                return;
            };
            out.extend_from_slice(rest.get(..at).unwrap_or_default());
            let element = rest.get(at..).unwrap_or_default();
            let Some(end) = memchr::memchr(b'>', element).map(|end| end + 1) else {
                self.held = element.to_vec();
                return;
            };
            let tag = element.get(..end).unwrap_or_default();
            let number = (tag.get(ROW.len()..).unwrap_or_default())
                .split(|b| *b == b'"')
                .next()
                .and_then(|digits| std::str::from_utf8(digits).ok())
                .and_then(|digits| digits.parse::<u32>().ok());
            match number {
                Some(number) if tag.ends_with(b"/>") && number <= self.last_row => {}
                _ => {
                    out.extend_from_slice(tag);
                    self.last_row = number.map_or(self.last_row, |n| n.max(self.last_row));
                }
            }
            from += at + end;
        }
    }

    fn end(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.held);
    }
}

/// `A1` or `A1:J20`, as cells.
fn parse_range(reference: &str) -> Option<Dimensions> {
    let cell = |name: &str| {
        let letters = name.bytes().take_while(u8::is_ascii_uppercase).count();
        let (column, row) = name.split_at(letters);
        let col = (column.bytes()).try_fold(0u32, |n, b| {
            n.checked_mul(26)?.checked_add(u32::from(b - b'A') + 1)
        })?;
        let row: u32 = row.parse().ok()?;
        Some((
            row.checked_sub(1)?,
            u16::try_from(col.checked_sub(1)?).ok()?,
        ))
    };
    let (first, last) = reference.split_once(':').unwrap_or((reference, reference));
    let ((first_row, first_col), (last_row, last_col)) = (cell(first)?, cell(last)?);
    Some(Dimensions {
        first_row,
        first_col,
        last_row,
        last_col,
    })
}

/// An entry's time, as DOS has it: (time, date); 1980-01-01 where it has none.
fn stamp<R: Read>(entry: &zip::read::ZipFile<'_, R>) -> (u16, u16) {
    (entry.last_modified()).map_or((0, 0x21), |at| (at.timepart(), at.datepart()))
}

/// What the central directory says of an entry.
struct Entry {
    name: Vec<u8>,
    stamp: (u16, u16),
    crc: u32,
    compressed: u64,
    length: u64,
    offset: u64,
}

/// Every entry is deflated.
const DEFLATED: u16 = 8;

/// Sizes and offsets from this one on are written in ZIP64 fields.
const ZIP64: u64 = 0xFFFF_FFFF;

/// A zip being written: its entries so far, and where it is.
struct Package<W: Write> {
    out: W,
    at: u64,
    entries: Vec<Entry>,
    /// Where ZIP64 fields begin, [`ZIP64`] but in tests.
    zip64: u64,
}

impl<W: Write> Package<W> {
    fn new(out: W) -> Package<W> {
        Package {
            out,
            at: 0,
            entries: Vec::new(),
            zip64: ZIP64,
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.at += bytes.len() as u64;
        Ok(())
    }

    /// An entry from its pieces: `head`, compressed here; `body`, compressed already; `tail`,
    /// compressed here to the end of the stream.
    fn entry(
        &mut self,
        name: &[u8],
        stamp: (u16, u16),
        head: &[u8],
        body: Option<Deflated>,
        tail: &[u8],
    ) -> Result<(), XlsxError> {
        let (mut packed_head, mut packed_tail) = (Vec::new(), Vec::new());
        let mut compress = compressor();
        if !head.is_empty() {
            deflate(&mut compress, head, FlushCompress::Sync, &mut packed_head)?;
        }
        deflate(
            &mut compressor(),
            tail,
            FlushCompress::Finish,
            &mut packed_tail,
        )?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(head);
        let (mut length, mut compressed) = (head.len() as u64, packed_head.len() as u64);
        if let Some(body) = &body {
            crc.combine(&body.crc);
            length += body.length;
            compressed += body.compressed;
        }
        crc.update(tail);
        let entry = Entry {
            name: name.to_vec(),
            stamp,
            crc: crc.finalize(),
            compressed: compressed + packed_tail.len() as u64,
            length: length + tail.len() as u64,
            offset: self.at,
        };
        self.local_header(&entry)?;
        self.write(&packed_head)?;
        if let Some(mut body) = body {
            let copied = io::copy(&mut (&mut body.file).take(body.compressed), &mut self.out)?;
            self.at += copied;
            if copied != body.compressed {
                return Err(XlsxError::ParameterError(
                    "a compressed piece of the workbook ended early".into(),
                ));
            }
        }
        self.write(&packed_tail)?;
        self.entries.push(entry);
        Ok(())
    }

    fn local_header(&mut self, entry: &Entry) -> io::Result<()> {
        let large = entry.length >= self.zip64 || entry.compressed >= self.zip64;
        let mut header = Vec::with_capacity(30 + entry.name.len() + 20);
        header.extend(0x0403_4b50u32.to_le_bytes());
        header.extend(version_needed(large).to_le_bytes());
        header.extend(flags(&entry.name).to_le_bytes());
        header.extend(DEFLATED.to_le_bytes());
        header.extend(entry.stamp.0.to_le_bytes());
        header.extend(entry.stamp.1.to_le_bytes());
        header.extend(entry.crc.to_le_bytes());
        let (compressed, length) = match large {
            true => (u32::MAX, u32::MAX),
            false => (entry.compressed as u32, entry.length as u32),
        };
        header.extend(compressed.to_le_bytes());
        header.extend(length.to_le_bytes());
        header.extend((entry.name.len() as u16).to_le_bytes());
        header.extend((if large { 20u16 } else { 0 }).to_le_bytes());
        header.extend(&entry.name);
        if large {
            header.extend(1u16.to_le_bytes());
            header.extend(16u16.to_le_bytes());
            header.extend(entry.length.to_le_bytes());
            header.extend(entry.compressed.to_le_bytes());
        }
        self.write(&header)
    }

    /// The central directory and its end.
    fn finish(mut self) -> io::Result<W> {
        let start = self.at;
        let entries = std::mem::take(&mut self.entries);
        for entry in &entries {
            let mut large: Vec<u8> = Vec::new();
            let mut field = |value: u64| match value >= self.zip64 {
                true => {
                    large.extend(value.to_le_bytes());
                    u32::MAX
                }
                false => value as u32,
            };
            let length = field(entry.length);
            let compressed = field(entry.compressed);
            let offset = field(entry.offset);
            let mut header = Vec::with_capacity(46 + entry.name.len() + 28);
            header.extend(0x0201_4b50u32.to_le_bytes());
            header.extend(version_needed(!large.is_empty()).to_le_bytes());
            header.extend(version_needed(!large.is_empty()).to_le_bytes());
            header.extend(flags(&entry.name).to_le_bytes());
            header.extend(DEFLATED.to_le_bytes());
            header.extend(entry.stamp.0.to_le_bytes());
            header.extend(entry.stamp.1.to_le_bytes());
            header.extend(entry.crc.to_le_bytes());
            header.extend(compressed.to_le_bytes());
            header.extend(length.to_le_bytes());
            header.extend((entry.name.len() as u16).to_le_bytes());
            let extra = if large.is_empty() { 0 } else { 4 + large.len() };
            header.extend((extra as u16).to_le_bytes());
            header.extend([0u8; 6]); // comment length, disk, internal attributes
            header.extend(0u32.to_le_bytes()); // external attributes
            header.extend(offset.to_le_bytes());
            header.extend(&entry.name);
            if !large.is_empty() {
                header.extend(1u16.to_le_bytes());
                header.extend((large.len() as u16).to_le_bytes());
                header.extend(&large);
            }
            self.write(&header)?;
        }
        let size = self.at - start;
        let count = entries.len() as u64;
        let large = count >= 0xFFFF || size >= self.zip64 || start >= self.zip64;
        if large {
            let record = self.at;
            let mut end = Vec::with_capacity(76);
            end.extend(0x0606_4b50u32.to_le_bytes());
            end.extend(44u64.to_le_bytes());
            end.extend(version_needed(true).to_le_bytes());
            end.extend(version_needed(true).to_le_bytes());
            end.extend([0u8; 8]); // this disk, the directory's disk
            end.extend(count.to_le_bytes());
            end.extend(count.to_le_bytes());
            end.extend(size.to_le_bytes());
            end.extend(start.to_le_bytes());
            end.extend(0x0706_4b50u32.to_le_bytes());
            end.extend(0u32.to_le_bytes());
            end.extend(record.to_le_bytes());
            end.extend(1u32.to_le_bytes());
            self.write(&end)?;
        }
        let short = |value: u64, limit: u64| if large { limit } else { value.min(limit) };
        let mut end = Vec::with_capacity(22);
        end.extend(0x0605_4b50u32.to_le_bytes());
        end.extend([0u8; 4]); // this disk, the directory's disk
        end.extend((short(count, 0xFFFF) as u16).to_le_bytes());
        end.extend((short(count, 0xFFFF) as u16).to_le_bytes());
        end.extend((short(size, ZIP64) as u32).to_le_bytes());
        end.extend((short(start, ZIP64) as u32).to_le_bytes());
        end.extend(0u16.to_le_bytes());
        self.write(&end)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// 2.0 for deflate, 4.5 for ZIP64.
fn version_needed(large: bool) -> u16 {
    if large {
        45
    } else {
        20
    }
}

/// Bit 11: the name is UTF-8.
fn flags(name: &[u8]) -> u16 {
    if name.is_ascii() {
        0
    } else {
        1 << 11
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use proptest::prelude::*;
    use rust_xlsxwriter::Format;

    use super::*;
    use crate::write::sheet_rows::{FormatIndices, SheetRows};
    use crate::write::xlsx::stable_properties;

    /// A cell of a test row: (column, value).
    #[derive(Clone, Debug)]
    enum Cell {
        Text(String),
        Number(f64),
        Boolean(bool),
    }

    /// Rows as (row, height, cells); rows ascending.
    type Rows = Vec<(u32, Option<f64>, Vec<(u16, Cell)>)>;

    fn formats() -> Vec<Format> {
        vec![
            Format::new().set_bold(),
            Format::new().set_text_wrap(),
            Format::new().set_num_format("#,##0.##"),
            // The same as the second: one index for both.
            Format::new().set_text_wrap(),
        ]
    }

    /// Column formats: the first three columns have one, the others none.
    fn column_formats() -> Vec<Format> {
        let formats = formats();
        vec![formats[1].clone(), formats[2].clone(), formats[3].clone()]
    }

    /// A workbook of one constant-memory sheet with a header row, as annex sets its sheets up,
    /// and a second sheet after it; `rows` then go into the first.
    fn workbook(default_height: Option<f64>) -> Workbook {
        let mut workbook = Workbook::new();
        workbook.set_properties(&stable_properties("test").unwrap());
        let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
        sheet.set_name("rows").unwrap();
        let sheet = workbook.add_worksheet_with_constant_memory().unwrap();
        sheet.set_name("after").unwrap();
        sheet.write_string(0, 0, "after").unwrap();
        for format in &formats() {
            workbook.register_format(format);
        }
        let sheet = workbook.worksheet_from_index(0).unwrap();
        for (col, format) in column_formats().iter().enumerate() {
            sheet.set_column_format(col as u16, format).unwrap();
        }
        sheet.set_row_height(0, 30).unwrap();
        sheet
            .write_string_with_format(0, 0, "見出し", &formats()[0])
            .unwrap();
        if let Some(height) = default_height {
            sheet.set_default_row_height(height);
        }
        workbook
    }

    /// What rust_xlsxwriter writes for `rows`, each entry by name.
    fn reference(rows: &Rows, default_height: Option<f64>) -> Vec<(String, Vec<u8>)> {
        let mut workbook = workbook(default_height);
        let sheet = workbook.worksheet_from_index(0).unwrap();
        for (row, height, cells) in rows {
            if let Some(height) = height {
                sheet.set_row_height(*row, *height).unwrap();
            }
            for (col, cell) in cells {
                match cell {
                    Cell::Text(text) => sheet.write_string(*row, *col, text),
                    Cell::Number(number) => sheet.write_number(*row, *col, *number),
                    Cell::Boolean(value) => sheet.write_boolean(*row, *col, *value),
                }
                .unwrap();
            }
        }
        let mut entries = entries(workbook.save_to_buffer().unwrap());
        // rust_xlsxwriter writes a row with a height of its own a second time, empty, when it
        // goes on to the next (`RepeatedRows`, tested below, takes those out of annex's sheets).
        let sheets = entries
            .iter_mut()
            .filter(|(name, _)| name.starts_with("xl/worksheets/"));
        for (_, sheet) in sheets {
            let mut kept = Vec::new();
            let mut repeated = RepeatedRows::new(0);
            repeated.feed(sheet, &mut kept);
            repeated.end(&mut kept);
            *sheet = kept;
        }
        entries
    }

    /// What annex writes for `rows`: rust_xlsxwriter's sheet with [`SheetRows`] put in it.
    fn ours(rows: &Rows, default_height: Option<f64>) -> Vec<(String, Vec<u8>)> {
        let mut workbook = workbook(default_height);
        let indices = FormatIndices::new(&formats());
        let styles: Vec<u32> = column_formats()
            .iter()
            .map(|f| indices.of(f).unwrap())
            .collect();
        let mut made = SheetRows::new(&styles, default_height).unwrap();
        for (row, height, cells) in rows {
            made.row(*row, *height).unwrap();
            for (col, cell) in cells {
                match cell {
                    Cell::Text(text) => made.string(*col, text),
                    Cell::Number(number) => made.number(*col, *number),
                    Cell::Boolean(value) => made.boolean(*col, *value),
                }
                .unwrap();
            }
        }
        let spliced = vec![Spliced {
            position: 0,
            rows: made.finish().unwrap(),
        }];
        let mut out = Vec::new();
        save(&mut workbook, spliced, &mut out).unwrap();
        entries(out)
    }

    fn entries(xlsx: Vec<u8>) -> Vec<(String, Vec<u8>)> {
        let mut archive = ZipArchive::new(Cursor::new(xlsx)).unwrap();
        (0..archive.len())
            .map(|index| {
                let mut entry = archive.by_index(index).unwrap();
                let mut content = Vec::new();
                entry.read_to_end(&mut content).unwrap();
                (entry.name().unwrap().to_string(), content)
            })
            .collect()
    }

    fn text() -> impl Strategy<Value = String> {
        // What escaping has to mind: entities, control characters, literal _xHHHH_ (and what
        // is nearly one), whitespace at either end, non-characters, wide characters.
        let pieces = [
            "a", "あ", "😀", " ", "\t", "\n", "\r", "\u{1}", "\u{1f}", "&", "<", ">", "\"", "_",
            "x", "_x0041_", "_xABCD_", "_x00e9_", "_x00", "_x12G4_", "\u{FFFE}", "\u{FFFF}",
        ];
        proptest::collection::vec(proptest::sample::select(pieces.to_vec()), 0..8)
            .prop_map(|pieces| pieces.concat())
    }

    fn cell() -> impl Strategy<Value = Cell> {
        prop_oneof![
            text().prop_map(Cell::Text),
            (proptest::num::f64::NORMAL | proptest::num::f64::ZERO | proptest::num::f64::SUBNORMAL)
                .prop_map(Cell::Number),
            (-1e6..1e6f64).prop_map(|n| Cell::Number(n.trunc())),
            any::<bool>().prop_map(Cell::Boolean),
        ]
    }

    fn rows() -> impl Strategy<Value = Rows> {
        let height = proptest::option::weighted(
            0.3,
            proptest::sample::select(vec![15.0, 19.5, 30.0, 45.25]),
        );
        // Columns out of order and written twice, beyond the formatted ones and past Z.
        let cells = proptest::collection::vec(
            (proptest::sample::select(vec![0u16, 1, 2, 3, 4, 27]), cell()),
            0..6,
        );
        proptest::collection::vec((1u32..4, height, cells), 0..12).prop_map(|rows| {
            let mut row = 0;
            (rows.into_iter())
                .map(|(gap, height, cells)| {
                    row += gap;
                    (row, height, cells)
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]
        #[test]
        fn rows_are_written_as_rust_xlsxwriter_writes_them(
            rows in rows(),
            default_height in proptest::option::of(proptest::sample::select(vec![15.0, 22.0])),
        ) {
            let (ours, reference) = (ours(&rows, default_height), reference(&rows, default_height));
            let names = |entries: &[(String, Vec<u8>)]| entries.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            prop_assert_eq!(names(&ours), names(&reference));
            for ((name, ours), (_, reference)) in ours.iter().zip(&reference) {
                prop_assert_eq!(String::from_utf8_lossy(ours), String::from_utf8_lossy(reference), "{}", name);
            }
        }
    }

    #[test]
    fn a_row_written_twice_is_written_once() {
        let sheet =
            r#"<row r="3"><c r="A3"/></row><row r="3" ht="30" customHeight="1"/></sheetData>"#;
        let whole = |from: u32| {
            let mut kept = Vec::new();
            let mut rows = RepeatedRows::new(from);
            rows.feed(sheet.as_bytes(), &mut kept);
            rows.end(&mut kept);
            String::from_utf8(kept).unwrap()
        };
        assert_eq!(whole(0), r#"<row r="3"><c r="A3"/></row></sheetData>"#);
        assert_eq!(
            whole(5),
            r#"</row></sheetData>"#.replace("</row>", "<row r=\"3\"><c r=\"A3\"/></row>")
        );
        // However the XML comes in pieces.
        for size in 1..sheet.len() {
            let mut kept = Vec::new();
            let mut rows = RepeatedRows::new(0);
            for piece in sheet.as_bytes().chunks(size) {
                rows.feed(piece, &mut kept);
            }
            rows.end(&mut kept);
            assert_eq!(
                String::from_utf8(kept).unwrap(),
                whole(0),
                "pieces of {size}"
            );
        }
    }

    #[test]
    fn a_sheet_without_its_header_row_is_refused() {
        let sheet = r#"<worksheet><dimension ref="A1"/><sheetData></sheetData></worksheet>"#;
        assert!(split(sheet, None).is_err());
        let headed = r#"<worksheet><dimension ref="A1:C1"/><sheetData><row r="1"><c r="A1"/></row></sheetData></worksheet>"#;
        let (head, tail) = split(headed, Some(Dimensions::cell(9, 4))).unwrap();
        assert!(head.contains(r#"<dimension ref="A1:E10"/>"#), "{head}");
        assert_eq!(tail, b"</sheetData></worksheet>");
    }

    #[test]
    fn large_entries_and_offsets_take_zip64_fields() {
        for limit in [ZIP64, 10] {
            let mut package = Package::new(Vec::new());
            package.zip64 = limit;
            let contents: [&[u8]; 2] = [b"first entry, long enough", b"second"];
            for (at, content) in contents.iter().enumerate() {
                let mut body = Deflater::new().unwrap();
                body.write(content).unwrap();
                let name = format!("entry{at}.xml");
                let body = Some(body.finish().unwrap());
                package
                    .entry(name.as_bytes(), (0, 0x21), b"<", body, b">")
                    .unwrap();
            }
            let zip = package.finish().unwrap();
            let read = entries(zip);
            assert_eq!(read.len(), 2, "limit {limit}");
            for ((name, content), expected) in read.iter().zip(contents) {
                assert_eq!(
                    content,
                    &[b"<", expected, b">"].concat(),
                    "{name} with limit {limit}"
                );
            }
        }
    }

    #[test]
    fn ranges_read_as_rust_xlsxwriter_writes_them() {
        assert_eq!(parse_range("A1"), Some(Dimensions::cell(0, 0)));
        let wide = parse_range("B2:AA100").unwrap();
        assert_eq!((wide.first_row, wide.first_col), (1, 1));
        assert_eq!((wide.last_row, wide.last_col), (99, 26));
        assert_eq!(parse_range("A0"), None);
        assert_eq!(parse_range("1A"), None);
    }
}
