//! The consolidated master and its renderings: `annex.json` for machines, `annex.xlsx` for people.
//! Every output is written to a temporary file beside it and renamed into place.

mod atomic;
mod master;
mod sheets;
mod xlsx;

pub use atomic::write_atomic;
pub use master::{build_master, natural_order};
pub use sheets::{workbook_from_rows, SheetsError};
pub use xlsx::workbook_bytes;
