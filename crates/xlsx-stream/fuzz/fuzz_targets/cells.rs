//! Any bytes, read as a workbook both by this crate and by calamine's streaming reader: this
//! crate must never panic, and where both read a sheet to its end they must give the same cells.
#![no_main]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use libfuzzer_sys::fuzz_target;
use xlsx_stream::Package;

type Cells = Result<Vec<(u32, u32, Data)>, ()>;

fn by_calamine(data: &[u8], sheet: &str) -> Option<Cells> {
    let mut workbook = Xlsx::new(Cursor::new(data)).ok()?;
    let mut reader = workbook.worksheet_cells_reader(sheet).ok()?;
    let mut cells = Vec::new();
    loop {
        match reader.next_cell() {
            Ok(Some(cell)) => {
                let (row, column) = cell.get_position();
                cells.push((row, column, Data::from(cell.get_value().clone())));
            }
            Ok(None) => return Some(Ok(cells)),
            Err(_) => return Some(Err(())),
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(mut package) = Package::new(Cursor::new(data)) else {
        return;
    };
    let _ = package.unpacked_size();
    for sheet in package.sheet_names() {
        let _ = package.merged_ranges(&sheet);
        let _ = package.hidden(&sheet);
        let Some(Ok(mut reader)) = package.cells(&sheet) else {
            continue;
        };
        let mut cells = Vec::new();
        let ours: Cells = loop {
            match reader.next_cell() {
                Ok(Some(cell)) => cells.push(cell),
                Ok(None) => break Ok(cells),
                Err(_) => break Err(()),
            }
        };
        drop(reader);
        // Where calamine could not open the package at all, there is nothing to compare.
        if let (Ok(ours), Some(Ok(theirs))) = (&ours, by_calamine(data, &sheet)) {
            assert_eq!(ours, &theirs, "sheet {sheet}");
        }
    }
});
