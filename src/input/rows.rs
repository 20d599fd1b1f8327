//! A sheet as a stream of rows. `.xlsx`, `.xlsm` and `.xlsb` sheets are streamed cell by cell, so
//! memory stays bounded whatever the sheet's size and however far away its last cell is; the
//! other formats are read whole by calamine and then walked the same way.

use std::io::{Read, Seek};

use calamine::{Data, DataRef, Range, Reader, Sheets};

use xlsx_stream::Package;

/// One row: its 0-based index, and its non-empty cells as (0-based column, value), columns
/// ascending.
pub struct Row {
    pub index: u32,
    pub cells: Vec<(u32, Data)>,
    /// The columns whose number the cell's format shows as a percentage (0.25 as 25%), as far
    /// as the reader tells (annex's own `.xlsx` reader does; calamine does not).
    pub percent: Vec<u32>,
    /// Whether the reader tells how numbers are shown at all: `percent` means nothing otherwise.
    pub formats_known: bool,
    /// The columns holding a formula with no saved result, with the formula as written (empty
    /// for a shared formula's later cells): the cell's value is not known, though it reads as
    /// empty.
    pub uncomputed: Vec<(u32, Box<str>)>,
}

impl Row {
    pub fn get(&self, column: u32) -> Option<&Data> {
        self.cells
            .binary_search_by_key(&column, |(c, _)| *c)
            .ok()
            .and_then(|at| self.cells.get(at))
            .map(|(_, value)| value)
    }

    /// The formula in `column` whose result was never saved, if it holds one.
    pub fn uncomputed(&self, column: u32) -> Option<&str> {
        (self.uncomputed.iter())
            .find(|(c, _)| *c == column)
            .map(|(_, formula)| &**formula)
    }

    /// Whether the row holds nothing: no value a person typed, and no formula.
    pub fn is_empty(&self) -> bool {
        self.uncomputed.is_empty() && self.cells.iter().all(|(_, cell)| is_blank(cell))
    }

    /// Adds a cell as a reader gave it.
    fn add(&mut self, cell: ReadCell) {
        if cell.percent {
            self.percent.push(cell.column);
        }
        if let Some(formula) = cell.uncomputed {
            self.uncomputed.push((cell.column, formula));
        }
        if cell.value != Data::Empty {
            self.set(cell.column, cell.value);
        }
    }

    pub fn set(&mut self, column: u32, value: Data) {
        // Cells come left to right, as a sheet stores them.
        if self.cells.last().is_none_or(|(last, _)| *last < column) {
            self.cells.push((column, value));
            return;
        }
        match self.cells.binary_search_by_key(&column, |(c, _)| *c) {
            Ok(at) => {
                if let Some(cell) = self.cells.get_mut(at) {
                    cell.1 = value;
                }
            }
            Err(at) => self.cells.insert(at, (column, value)),
        }
    }
}

/// Whether a cell holds nothing a person typed.
pub fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// The most cells a row makes room for before it is read.
const ROOM: usize = 64;

/// A cell as a reader gives it.
struct ReadCell {
    row: u32,
    column: u32,
    value: Data,
    /// Whether its number is shown as a percentage.
    percent: bool,
    /// Its formula, when it has one with no saved result.
    uncomputed: Option<Box<str>>,
}

impl ReadCell {
    fn of(row: u32, column: u32, value: Data) -> ReadCell {
        ReadCell {
            row,
            column,
            value,
            percent: false,
            uncomputed: None,
        }
    }
}

/// The rows of a sheet, or why the sheet cannot be read. A stream that fails half-way ends
/// early and says so through [`SheetRows::error`].
pub struct SheetRows<'a> {
    cells: Box<dyn Iterator<Item = Result<ReadCell, String>> + Send + 'a>,
    /// Whether the reader tells which numbers are shown as percentages.
    formats_known: bool,
    next: Option<ReadCell>,
    error: Option<String>,
    /// Cells in the last row: room for as many in the next, since rows of a sheet are alike (up
    /// to [`ROOM`], so that one odd row does not make every row large).
    width: usize,
}

impl SheetRows<'_> {
    /// The error that ended the stream early, if one did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

impl Iterator for SheetRows<'_> {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        let first = match self.next.take() {
            Some(cell) => cell,
            None => match self.cells.next()? {
                Ok(cell) => cell,
                Err(error) => {
                    self.error = Some(error);
                    return None;
                }
            },
        };
        let index = first.row;
        let mut row = Row {
            index,
            cells: Vec::with_capacity(self.width.clamp(1, ROOM)),
            percent: Vec::new(),
            formats_known: self.formats_known,
            uncomputed: Vec::new(),
        };
        row.add(first);
        loop {
            match self.cells.next() {
                Some(Ok(cell)) if cell.row == index => row.add(cell),
                Some(Ok(other)) => {
                    self.next = Some(other);
                    break;
                }
                Some(Err(error)) => {
                    self.error = Some(error);
                    break;
                }
                None => break,
            }
        }
        self.width = row.cells.len();
        Some(row)
    }
}

fn keep(cell: &ReadCell) -> bool {
    cell.value != Data::Empty || cell.uncomputed.is_some()
}

/// Streams the cells a reader's `next_cell` gives until it ends or fails.
fn stream<'a, E: std::fmt::Display>(
    mut next_cell: impl FnMut() -> Result<Option<ReadCell>, E> + Send + 'a,
) -> Box<dyn Iterator<Item = Result<ReadCell, String>> + Send + 'a> {
    let mut done = false;
    Box::new(std::iter::from_fn(move || {
        // A reader asked again after its end or an error reports a spurious error.
        while !done {
            match next_cell() {
                Ok(Some(cell)) => {
                    if keep(&cell) {
                        return Some(Ok(cell));
                    }
                }
                Ok(None) => done = true,
                Err(error) => {
                    done = true;
                    return Some(Err(error.to_string()));
                }
            }
        }
        None
    }))
}

/// A calamine cell with its value owned (calamine does not say how a number is shown).
fn owned((row, column): (u32, u32), value: &DataRef) -> ReadCell {
    ReadCell::of(row, column, Data::from(value.clone()))
}

fn from_range(range: Range<Data>) -> Box<dyn Iterator<Item = Result<ReadCell, String>> + Send> {
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let cells: Vec<_> = range
        .used_cells()
        .filter(|(_, _, value)| **value != Data::Empty)
        .map(|(r, c, value)| {
            let (row, column) = (first_row + r as u32, first_column + c as u32);
            Ok(ReadCell::of(row, column, value.clone()))
        })
        .collect();
    Box::new(cells.into_iter())
}

/// The rows of the named sheet. An `.xlsx` sheet is read from its XML by [`Package`] when the
/// package has it, by calamine otherwise.
pub fn sheet_rows<'a, RS: Read + Seek + Send, R: Read + Seek + Send>(
    workbook: Option<&'a mut Sheets<RS>>,
    package: Option<&'a mut Package<R>>,
    name: &str,
) -> Result<SheetRows<'a>, String> {
    let package_cells = package.and_then(|package| package.cells(name));
    let formats_known = package_cells.is_some();
    let cells = match (package_cells, workbook) {
        (Some(cells), _) => {
            let mut cells = cells?;
            stream(move || {
                let cell = cells.next_cell()?;
                let (percent, uncomputed) = (cells.shown_as_percent(), cells.uncomputed_formula());
                Ok::<_, String>(cell.map(|(row, column, value)| ReadCell {
                    percent,
                    uncomputed: uncomputed.map(Box::from),
                    ..ReadCell::of(row, column, value)
                }))
            })
        }
        (None, Some(Sheets::Xlsx(xlsx))) => {
            let mut reader = xlsx
                .worksheet_cells_reader(name)
                .map_err(|e| e.to_string())?;
            stream(move || {
                let cell = reader.next_cell()?;
                Ok::<_, calamine::XlsxError>(cell.map(|c| owned(c.get_position(), c.get_value())))
            })
        }
        (None, Some(Sheets::Xlsb(xlsb))) => {
            let mut reader = xlsb
                .worksheet_cells_reader(name)
                .map_err(|e| e.to_string())?;
            stream(move || {
                let cell = reader.next_cell()?;
                Ok::<_, calamine::XlsbError>(cell.map(|c| owned(c.get_position(), c.get_value())))
            })
        }
        (None, Some(other)) => from_range(other.worksheet_range(name).map_err(|e| e.to_string())?),
        (None, None) => return Err("the workbook has no part for this sheet".to_string()),
    };
    Ok(SheetRows {
        cells,
        formats_known,
        next: None,
        error: None,
        width: 0,
    })
}

/// The formulas of the named sheet, as (0-based row, 0-based column, formula).
pub fn formulas<RS: Read + Seek>(workbook: &mut Sheets<RS>, name: &str) -> Vec<(u32, u32, String)> {
    let mut found = Vec::new();
    let mut collect = |cell: calamine::Cell<String>| {
        let (row, column) = cell.get_position();
        if !cell.get_value().is_empty() {
            found.push((row, column, cell.get_value().clone()));
        }
    };
    match workbook {
        Sheets::Xlsx(xlsx) => {
            if let Ok(mut reader) = xlsx.worksheet_cells_reader(name) {
                while let Ok(Some(cell)) = reader.next_formula() {
                    collect(cell);
                }
            }
        }
        Sheets::Xlsb(xlsb) => {
            if let Ok(mut reader) = xlsb.worksheet_cells_reader(name) {
                while let Ok(Some(cell)) = reader.next_formula() {
                    collect(cell);
                }
            }
        }
        other => {
            if let Ok(range) = other.worksheet_formula(name) {
                let (first_row, first_column) = range.start().unwrap_or((0, 0));
                for (r, c, formula) in range.used_cells() {
                    if !formula.is_empty() {
                        found.push((
                            first_row + r as u32,
                            first_column + c as u32,
                            formula.clone(),
                        ));
                    }
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(cells: Vec<(u32, u32, &str)>) -> Vec<(u32, Vec<(u32, String)>)> {
        let stream = SheetRows {
            formats_known: false,
            cells: Box::new(
                cells
                    .into_iter()
                    .map(|(r, c, v)| Ok(ReadCell::of(r, c, Data::String(v.into())))),
            ),
            next: None,
            error: None,
            width: 0,
        };
        stream
            .map(|row| {
                let cells = row
                    .cells
                    .into_iter()
                    .map(|(c, v)| (c, v.to_string()))
                    .collect();
                (row.index, cells)
            })
            .collect()
    }

    #[test]
    fn cells_are_grouped_into_rows_with_columns_in_order() {
        let grouped = rows(vec![(0, 1, "b"), (0, 0, "a"), (3, 2, "c")]);
        assert_eq!(
            grouped,
            [
                (0, vec![(0, "a".to_string()), (1, "b".to_string())]),
                (3, vec![(2, "c".to_string())]),
            ]
        );
    }

    #[test]
    fn a_stream_that_fails_says_why() {
        let mut stream = SheetRows {
            formats_known: false,
            cells: Box::new(
                vec![
                    Ok(ReadCell::of(0, 0, Data::Int(1))),
                    Err("broken".to_string()),
                ]
                .into_iter(),
            ),
            next: None,
            error: None,
            width: 0,
        };
        assert_eq!(stream.next().map(|r| r.index), Some(0));
        assert!(stream.next().is_none());
        assert_eq!(stream.error(), Some("broken"));
    }

    /// A workbook whose parts are under `excel/`, not `xl/`: valid, and where annex's reader
    /// does not look.
    fn relocated_workbook(path: &std::path::Path) {
        use std::io::Write;
        let mut workbook = rust_xlsxwriter::Workbook::new();
        workbook
            .add_worksheet()
            .write_string(0, 0, "moved")
            .unwrap();
        let bytes = workbook.save_to_buffer().unwrap();
        let mut original = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut copy = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for index in 0..original.len() {
            let mut part = original.by_index(index).unwrap();
            let name = part.name().unwrap().replacen("xl/", "excel/", 1);
            let mut content = String::new();
            part.read_to_string(&mut content).unwrap();
            let content = content
                .replace("/xl/", "/excel/")
                .replace("\"xl/", "\"excel/");
            copy.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            copy.write_all(content.as_bytes()).unwrap();
        }
        copy.finish().unwrap();
    }

    #[test]
    fn a_sheet_annexs_reader_cannot_find_is_read_by_calamine() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("relocated.xlsx");
        relocated_workbook(&path);
        let package = Package::new(std::fs::File::open(&path).unwrap()).unwrap();
        assert!(!package.reads_cells());
        let input = super::super::Input {
            shown: "relocated.xlsx".into(),
            path,
        };
        let mut workbook = super::super::workbook::open(&input, Default::default(), false).unwrap();
        let read: Vec<Row> = workbook.rows("Sheet1").unwrap().collect();
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].cells, [(0, Data::String("moved".into()))]);
        let nothing = sheet_rows::<std::fs::File, std::fs::File>(None, None, "Sheet1");
        assert!(nothing.is_err());
    }
}
