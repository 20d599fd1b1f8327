//! The consolidated master and its renderings: `annex.json` for machines, `annex.xlsx` and
//! `annex.md` for people.
//! Every output is written to a temporary file beside it and renamed into place.

mod annex_doc;
mod annex_sheet;
mod atomic;
mod comparison_sheet;
mod deflate;
mod markdown;
mod master;
mod package;
mod sheet_rows;
mod sheets;
mod template;
mod xlsx;

pub(crate) use annex_sheet::lines as text_lines;
pub use atomic::{write_atomic, Staged};
pub use markdown::comparison as comparison_markdown;
pub use master::{build_master, natural_order, Master};
pub use sheets::{workbook_from_rows, SheetsError};
pub use template::{template_bytes, Audience};
pub use xlsx::{fill_workbook, FilledWorkbook};

/// Excel's limit on the characters of one cell.
const CELL_CHARS: usize = 32_767;

/// How much of an output is gathered before it is handed to the system (or to the compressor):
/// a call for each megabyte, not for each 8 KiB.
pub const WRITE_BUFFER: usize = 1 << 20;

/// Text cut to what one cell can hold (Excel refuses longer), with an ellipsis where it was cut;
/// `taken` characters of the cell are already used by other text.
pub(crate) fn fit(text: &str, taken: usize) -> std::borrow::Cow<'_, str> {
    let room = CELL_CHARS.saturating_sub(taken);
    // A text has no more characters than bytes: most are let through without counting.
    if text.len() <= room || text.chars().count() <= room {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut cut: String = text.chars().take(room.saturating_sub(1)).collect();
    cut.push('…');
    std::borrow::Cow::Owned(cut)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn text_longer_than_a_cell_is_cut() {
        assert_eq!(fit("abc", 0), "abc");
        let long = "あ".repeat(40_000);
        assert_eq!(fit(&long, 0).chars().count(), 32_767);
        assert_eq!(fit(&long, 100).chars().count(), 32_667);
        assert!(fit(&long, 0).ends_with('…'));
    }
}
