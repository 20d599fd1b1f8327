//! Rows and columns hidden in an `.xlsx`/`.xlsm` sheet. calamine reads their cells like any
//! other (as annex should) but does not say they are hidden, which the machine-readability
//! profile must; so the sheet's XML is scanned for the `hidden` flags alone, streaming.

use std::io::BufRead;

use super::ooxml::{attribute, each_element};

/// 1-based numbers of the hidden rows and 0-based indexes of the hidden columns of a sheet.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Hidden {
    pub rows: Vec<u32>,
    pub columns: Vec<u32>,
}

/// Column ranges wider than this are not listed one by one (a whole hidden sheet side).
const MAX_COLUMNS: u32 = 16_384;

fn is_true(value: Option<String>) -> bool {
    matches!(value.as_deref(), Some("1" | "true"))
}

/// The hidden rows and columns a sheet's XML flags.
pub(crate) fn scan_sheet<R: BufRead>(reader: R) -> Hidden {
    let mut hidden = Hidden::default();
    each_element(reader, |name, element| match name {
        "row" if is_true(attribute(element, "hidden")) => {
            if let Some(row) = attribute(element, "r").and_then(|r| r.parse().ok()) {
                hidden.rows.push(row);
            }
        }
        "col" if is_true(attribute(element, "hidden")) => {
            let bound = |key: &str| attribute(element, key).and_then(|n| n.parse::<u32>().ok());
            if let (Some(min), Some(max)) = (bound("min"), bound("max")) {
                let max = max.min(min.saturating_add(MAX_COLUMNS));
                hidden
                    .columns
                    .extend((min..=max).map(|c| c.saturating_sub(1)));
            }
        }
        _ => {}
    });
    hidden
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_flags_are_found_in_the_sheet_xml() {
        let xml = br#"<worksheet><cols><col min="2" max="3" hidden="1"/><col min="5" max="5"/></cols>
            <sheetData><row r="1"><c r="A1"/></row><row r="4" hidden="1"/><row r="6" hidden="true"></row></sheetData></worksheet>"#;
        let hidden = scan_sheet(&xml[..]);
        assert_eq!(
            hidden,
            Hidden {
                rows: vec![4, 6],
                columns: vec![1, 2]
            }
        );
    }

    #[test]
    fn workbooks_made_by_rust_xlsxwriter_are_scanned() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("取組").unwrap();
        sheet.write_string(0, 0, "取組ID").unwrap();
        sheet.set_row_hidden(2).unwrap();
        sheet.set_column_hidden(3).unwrap();
        book.add_worksheet().set_name("KPI").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut package = crate::Package::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            package.hidden("取組"),
            Hidden {
                rows: vec![3],
                columns: vec![3]
            }
        );
        assert_eq!(package.hidden("KPI"), Hidden::default());
        assert_eq!(package.hidden("no such sheet"), Hidden::default());
    }
}
