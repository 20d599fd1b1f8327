//! What an `.ods` would make its reader hold, measured before it is opened. calamine reads an
//! `.ods` sheet whole, and a cell or row marked as repeated is stored once per repeat: a few
//! hundred bytes saying "this cell, 16,000 times, in each of 9,000 rows" would take gigabytes and
//! abort the process. So `content.xml` is first scanned, holding nothing but counts, for the cells
//! each table would expand to.

use std::io::BufRead;

use xlsx_stream::{each_element, element_attribute as attribute};

/// calamine caps repeats at a sheet's size: 1,048,576 rows of 16,384 columns.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;

/// The most cells calamine would hold for one table of this `content.xml`: the larger of the box
/// around its filled cells, repeats expanded, and the cells it reads before trimming to that box.
pub fn largest_table(content: impl BufRead) -> u64 {
    let mut tables = Tables::default();
    each_element(content, |name, element| match name {
        "table" => tables.start_table(),
        "table-row" => tables.start_row(repeats(attribute(element, "number-rows-repeated"))),
        "table-cell" | "covered-table-cell" => tables.start_cell(
            repeats(attribute(element, "number-columns-repeated")),
            attribute(element, "value-type").is_some(),
        ),
        // A paragraph in a cell is text: the cell is filled.
        "p" => tables.fill_cell(),
        _ => {}
    });
    tables.largest()
}

fn repeats(written: Option<String>) -> u64 {
    written.and_then(|n| n.trim().parse().ok()).unwrap_or(1)
}

/// Counts for the table, row and cell being read.
#[derive(Default)]
struct Tables {
    largest: u64,
    /// The table's rows so far, repeats included; the rows from its first filled row to the end
    /// of its last; its filled columns' least start and greatest end; the cells read.
    rows: u64,
    filled_rows: Option<(u64, u64)>,
    filled_columns: Option<(u64, u64)>,
    read: u64,
    /// The row's repeats, columns so far, and filled columns.
    row_repeats: u64,
    columns: u64,
    row_filled: Option<(u64, u64)>,
    /// The cell's repeats and whether it is filled.
    cell: Option<(u64, bool)>,
}

impl Tables {
    fn start_table(&mut self) {
        self.end_table();
    }

    fn start_row(&mut self, repeats: u64) {
        self.end_row();
        self.row_repeats = repeats.min(MAX_ROWS.saturating_sub(self.rows));
    }

    fn start_cell(&mut self, repeats: u64, filled: bool) {
        self.end_cell();
        self.cell = Some((repeats, filled));
    }

    fn fill_cell(&mut self) {
        if let Some((_, filled)) = &mut self.cell {
            *filled = true;
        }
    }

    fn end_cell(&mut self) {
        let Some((repeats, filled)) = self.cell.take() else {
            return;
        };
        let start = self.columns;
        self.columns = (start.saturating_add(repeats)).min(MAX_COLUMNS);
        if filled && self.columns > start {
            let (first, _) = self.row_filled.unwrap_or((start, start));
            self.row_filled = Some((first.min(start), self.columns));
        }
    }

    fn end_row(&mut self) {
        self.end_cell();
        if let Some((first, end)) = self.row_filled.take() {
            // Empty cells before the last filled one are read too, once per row element.
            self.read = self.read.saturating_add(end);
            let top = self.filled_rows.map_or(self.rows, |(top, _)| top);
            self.filled_rows = Some((top, self.rows.saturating_add(self.row_repeats)));
            let (left, right) = self.filled_columns.unwrap_or((first, end));
            self.filled_columns = Some((left.min(first), right.max(end)));
        }
        self.rows = self.rows.saturating_add(self.row_repeats);
        (self.row_repeats, self.columns) = (0, 0);
    }

    fn end_table(&mut self) {
        self.end_row();
        let spanned = match (self.filled_rows, self.filled_columns) {
            (Some((top, bottom)), Some((left, right))) => {
                (bottom - top).saturating_mul(right - left)
            }
            _ => 0,
        };
        self.largest = self.largest.max(spanned).max(self.read);
        *self = Tables {
            largest: self.largest,
            ..Tables::default()
        };
    }

    fn largest(mut self) -> u64 {
        self.end_table();
        self.largest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn measured(tables: &str) -> u64 {
        let content = format!(
            r#"<office:document-content xmlns:office="o" xmlns:table="t" xmlns:text="x"><office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>"#
        );
        largest_table(content.as_bytes())
    }

    const TEXT: &str =
        r#"<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell>"#;

    #[test]
    fn a_table_measures_its_filled_box() {
        let table = format!(
            r#"<table:table table:name="KPI"><table:table-row>{TEXT}{TEXT}</table:table-row><table:table-row><table:table-cell/>{TEXT}<table:table-cell table:number-columns-repeated="1000"/></table:table-row></table:table>"#
        );
        assert_eq!(measured(&table), 2 * 2);
    }

    #[test]
    fn repeated_rows_and_cells_are_expanded() {
        let table = r#"<table:table><table:table-row table:number-rows-repeated="9000"><table:table-cell table:number-columns-repeated="16000"><text:p>x</text:p></table:table-cell></table:table-row></table:table>"#;
        assert_eq!(measured(table), 9000 * 16000);
    }

    #[test]
    fn empty_repeats_cost_nothing_and_the_largest_table_counts() {
        let empty = r#"<table:table><table:table-row table:number-rows-repeated="1048576"><table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>"#;
        let small =
            format!(r#"<table:table><table:table-row>{TEXT}</table:table-row></table:table>"#);
        assert_eq!(measured(&format!("{empty}{small}")), 1);
    }

    #[test]
    fn repeats_are_capped_at_a_sheets_size() {
        let table = r#"<table:table><table:table-row table:number-rows-repeated="99999999999"><table:table-cell office:value-type="float" table:number-columns-repeated="99999999999"/></table:table-row></table:table>"#;
        assert_eq!(measured(table), MAX_ROWS * MAX_COLUMNS);
    }
}
