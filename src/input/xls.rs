//! What an `.xls` would make its reader reserve, measured before it is opened. calamine loads an
//! `.xls` whole: it follows the compound file's sector chains, then gives each sheet room for
//! every cell from its first to its last, and for every cell its DIMENSIONS record claims. A chain
//! that loops, or two cells far apart (A1 and a cell 65,535 rows and columns away), would exhaust
//! memory and abort the process, which no catching of panics can stop. So the file is first read
//! by a compound-file reader that refuses looping chains, and its sheets' records are walked as
//! calamine will walk them, adding up nothing but positions.
//!
//! A sheet is measured by what it holds: the box around its cells, which calamine fills. What its
//! DIMENSIONS record claims, calamine only reserves (memory never touched), so a genuine workbook
//! whose header declares more rows than it holds is read; a claim larger than any `.xls` can hold
//! (65,536 rows of 256 columns), which could not even be reserved, is a damaged file.

use std::io::{Read, Seek};

/// Why an `.xls` cannot be measured.
#[derive(Debug, PartialEq, Eq)]
pub struct Damaged(pub String);

/// What measuring an `.xls` found.
#[derive(Debug, PartialEq, Eq)]
pub enum Measured {
    /// The most cells calamine would reserve for one sheet.
    Cells(u64),
    /// The workbook stream is encrypted or obfuscated (a FILEPASS record): its records are not
    /// what they say, and nothing in it can be measured or read.
    Encrypted,
}

/// The most cells calamine would reserve for one sheet of the `.xls` in `file`. A workbook with no
/// workbook stream (an encrypted `.xlsx`) measures 0: calamine says what is wrong with it.
pub fn largest_sheet(file: impl Read + Seek) -> Result<Measured, Damaged> {
    let damaged = |error: std::io::Error| Damaged(error.to_string());
    let mut file = cfb::CompoundFile::open(file).map_err(damaged)?;
    let Some(name) = ["Workbook", "Book"].into_iter().find(|n| file.is_stream(n)) else {
        return Ok(Measured::Cells(0));
    };
    let mut stream = Vec::new();
    file.open_stream(name)
        .and_then(|mut s| s.read_to_end(&mut stream))
        .map_err(damaged)?;
    if is_encrypted(&stream) {
        return Ok(Measured::Encrypted);
    }
    let sheets: Vec<(u64, u64)> = (sheet_positions(&stream).into_iter())
        .map(|at| stream.get(at..).map_or((0, 0), sheet_cells))
        .collect();
    if let Some(claimed) = (sheets.iter().map(|(_, claimed)| *claimed)).find(|c| *c > MOST_CELLS) {
        return Err(Damaged(format!(
            "a sheet's header claims {claimed} cells, more than an .xls can hold"
        )));
    }
    Ok(Measured::Cells(
        sheets.iter().map(|(held, _)| *held).max().unwrap_or(0),
    ))
}

/// The most cells a sheet of an `.xls` (BIFF8) can have: 65,536 rows of 256 columns.
const MOST_CELLS: u64 = 65_536 * 256;

/// Whether the workbook's globals hold a FILEPASS record: RC4 encryption, or the XOR obfuscation
/// of Excel 95's "password to open", whose records after it are scrambled.
fn is_encrypted(stream: &[u8]) -> bool {
    (records(stream).take_while(|(typ, _)| *typ != EOF)).any(|(typ, _)| typ == FILEPASS)
}

/// One BIFF record: its type and its data.
fn records(mut stream: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    std::iter::from_fn(move || {
        let typ = u16::from_le_bytes([*stream.first()?, *stream.get(1)?]);
        let length = usize::from(u16::from_le_bytes([*stream.get(2)?, *stream.get(3)?]));
        let data = stream.get(4..4 + length)?;
        stream = stream.get(4 + length..)?;
        Some((typ, data))
    })
}

const BOF: u16 = 0x0809;
const EOF: u16 = 0x000A;
const BOUNDSHEET: u16 = 0x0085;
const FILEPASS: u16 = 0x002F;
const DIMENSIONS: u16 = 0x0200;
const MULRK: u16 = 0x00BD;
/// The records calamine makes one cell of, each starting with its row and column: NUMBER, LABEL,
/// RSTRING, BOOLERR, RK, LABELSST and FORMULA.
const CELLS: [u16; 7] = [0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006];

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes([
        *data.get(at)?,
        *data.get(at + 1)?,
    ])))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// Where each sheet starts in the workbook stream, as the BOUNDSHEET records of the workbook's
/// globals say.
fn sheet_positions(stream: &[u8]) -> Vec<usize> {
    let globals = || records(stream).take_while(|(typ, _)| *typ != EOF);
    globals()
        .filter(|(typ, _)| *typ == BOUNDSHEET)
        .filter_map(|(_, data)| usize::try_from(u32_at(data, 0)?).ok())
        .collect()
}

/// The cells of the sheet whose records start `stream`: the box around the cells it holds, which
/// calamine fills, and the most its DIMENSIONS records claim, which calamine reserves. Records of
/// nested substreams (embedded charts) are skipped, as calamine skips them.
fn sheet_cells(stream: &[u8]) -> (u64, u64) {
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let mut widen = |row: u32, first: u32, last: u32| {
        let (top, bottom, left, right) = bounds.unwrap_or((row, row, first, last));
        bounds = Some((
            top.min(row),
            bottom.max(row),
            left.min(first),
            right.max(last),
        ));
    };
    let mut claimed = 0u64;
    let (mut seen_bof, mut depth) = (false, 0usize);
    for (typ, data) in records(stream) {
        if depth > 0 {
            match typ {
                BOF => depth += 1,
                EOF => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            BOF if seen_bof => depth += 1,
            BOF => seen_bof = true,
            EOF => break,
            DIMENSIONS => claimed = claimed.max(dimensions(data)),
            MULRK => {
                let (Some(row), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) else {
                    continue;
                };
                let count = (data.len().saturating_sub(6) / 6) as u32;
                widen(row, first, first + count.saturating_sub(1));
            }
            _ if CELLS.contains(&typ) => {
                if let (Some(row), Some(column)) = (u16_at(data, 0), u16_at(data, 2)) {
                    widen(row, column, column);
                }
            }
            _ => {}
        }
    }
    let spanned = bounds.map_or(0, |(top, bottom, left, right)| {
        u64::from(bottom - top + 1) * u64::from(right - left + 1)
    });
    (spanned, claimed)
}

/// What calamine reserves for a DIMENSIONS record, computed as it computes it (a first row past
/// the last wraps around to an enormous count, and is measured as such).
fn dimensions(data: &[u8]) -> u64 {
    let fields = match data.len() {
        10 => (
            u16_at(data, 0),
            u16_at(data, 2),
            u16_at(data, 4),
            u16_at(data, 6),
        ),
        14 | 16 => (
            u32_at(data, 0),
            u32_at(data, 4),
            u16_at(data, 8),
            u16_at(data, 10),
        ),
        _ => return 0,
    };
    let (Some(first_row), Some(last_row), Some(mut first_column), Some(last_column)) = fields
    else {
        return 0;
    };
    if first_column > 0xFF || last_column < first_column {
        first_column = 0;
    }
    if last_row == 0 || last_column == 0 {
        return 1;
    }
    let rows = (last_row - 1).wrapping_sub(first_row).wrapping_add(1);
    let columns = (last_column - 1).wrapping_sub(first_column).wrapping_add(1);
    u64::from(rows) * u64::from(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = typ.to_le_bytes().to_vec();
        bytes.extend_from_slice(&(data.len() as u16).to_le_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    fn number(row: u16, column: u16) -> Vec<u8> {
        let mut data = [row.to_le_bytes(), column.to_le_bytes(), [0, 0]].concat();
        data.extend_from_slice(&1.0f64.to_le_bytes());
        record(0x0203, &data)
    }

    /// A workbook stream: globals naming one sheet, then the sheet's records.
    fn workbook(sheet: &[Vec<u8>]) -> Vec<u8> {
        let globals_length = 3 * 4 + 2 + 4;
        let mut bytes = record(BOF, &[0, 6]);
        bytes.extend(record(BOUNDSHEET, &(globals_length as u32).to_le_bytes()));
        bytes.extend(record(EOF, &[]));
        assert_eq!(bytes.len(), globals_length);
        bytes.extend(record(BOF, &[0, 6]));
        bytes.extend(sheet.concat());
        bytes.extend(record(EOF, &[]));
        bytes
    }

    /// The cells the sheet holds, and what its DIMENSIONS claim.
    fn measured_both(sheet: &[Vec<u8>]) -> (u64, u64) {
        let stream = workbook(sheet);
        let positions = sheet_positions(&stream);
        assert_eq!(positions.len(), 1);
        sheet_cells(&stream[positions[0]..])
    }

    fn measured(sheet: &[Vec<u8>]) -> u64 {
        measured_both(sheet).0
    }

    #[test]
    fn a_sheet_measures_the_box_around_its_cells() {
        assert_eq!(measured(&[number(1, 1), number(3, 2)]), 3 * 2);
        assert_eq!(
            measured(&[number(0, 0), number(65535, 65535)]),
            65536 * 65536
        );
        assert_eq!(measured(&[]), 0);
    }

    #[test]
    fn mulrk_spans_its_columns_and_nested_substreams_are_skipped() {
        let mulrk = [0u16.to_le_bytes(), 10u16.to_le_bytes()].concat();
        let mulrk = record(MULRK, &[mulrk, vec![0; 6 * 5], vec![14, 0]].concat());
        let chart = [record(BOF, &[0, 6]), number(60000, 0), record(EOF, &[])].concat();
        assert_eq!(measured(&[mulrk, chart, number(1, 12)]), 2 * 5);
    }

    #[test]
    fn dimensions_count_as_calamine_counts_them() {
        let claim = |first_row: u32, last_row: u32, first_col: u16, last_col: u16| {
            let data = [
                &first_row.to_le_bytes()[..],
                &last_row.to_le_bytes(),
                &first_col.to_le_bytes(),
                &last_col.to_le_bytes(),
                &[0, 0],
            ]
            .concat();
            measured_both(&[record(DIMENSIONS, &data)]).1
        };
        assert_eq!(claim(0, 16, 0, 5), 16 * 5);
        assert_eq!(claim(0, 0x7FFF_FFFF, 0, 0xFFFF), 0x7FFF_FFFF * 0xFFFF);
        assert!(
            claim(10, 5, 0, 1) > 4_000_000_000,
            "a first row past the last wraps"
        );
    }

    #[test]
    fn a_sheet_is_measured_by_what_it_holds_and_an_impossible_claim_is_damage() {
        let dimensions = |last_row: u32| {
            let data = [
                &0u32.to_le_bytes()[..],
                &last_row.to_le_bytes(),
                &[0, 0, 10, 0, 0, 0],
            ]
            .concat();
            record(DIMENSIONS, &data)
        };
        let declared = workbook(&[dimensions(65_536), number(0, 0), number(9, 4)]);
        let file = |stream: Vec<u8>| {
            let mut file = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
            std::io::Write::write_all(&mut file.create_stream("Workbook").unwrap(), &stream)
                .unwrap();
            file.into_inner()
        };
        let mut compound = file(declared);
        compound.set_position(0);
        assert_eq!(largest_sheet(compound).unwrap(), Measured::Cells(10 * 5));
        let mut impossible = file(workbook(&[record(
            DIMENSIONS,
            &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0xFF, 0xFF, 0, 0],
        )]));
        impossible.set_position(0);
        assert!(largest_sheet(impossible).is_err());
    }

    #[test]
    fn an_encrypted_or_obfuscated_workbook_is_told_apart() {
        let stream = workbook(&[number(0, 0), number(65535, 65535)]);
        // wEncryptionType 1 is RC4; 0 is Excel 95's XOR obfuscation, scrambled all the same.
        for kind in [[1, 0, 1, 0], [0, 0, 0x34, 0x12]] {
            let mut encrypted = record(BOF, &[0, 6]);
            encrypted.extend(record(FILEPASS, &kind));
            encrypted.extend_from_slice(&stream[6..]);
            assert!(is_encrypted(&encrypted), "{kind:?}");
        }
        assert!(!is_encrypted(&stream));
    }

    #[test]
    fn records_cut_short_end_the_walk() {
        let mut stream = workbook(&[number(0, 0), number(9, 0)]);
        stream.truncate(stream.len() - 10);
        let positions = sheet_positions(&stream);
        assert_eq!(sheet_cells(&stream[positions[0]..]).0, 1);
    }

    #[test]
    fn the_council_data_as_xls_measures_small_and_a_non_compound_file_is_damaged() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xls");
        for entry in std::fs::read_dir(dir).unwrap() {
            let file = std::fs::File::open(entry.unwrap().path()).unwrap();
            let Measured::Cells(cells) = largest_sheet(file).unwrap() else {
                panic!("not encrypted");
            };
            assert!((1..10_000).contains(&cells), "{cells}");
        }
        let not_compound = std::io::Cursor::new(b"not a compound file");
        assert!(largest_sheet(not_compound).is_err());
    }
}
