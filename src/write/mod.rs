//! The consolidated master and its renderings: `annex.json` for machines, `annex.xlsx` and
//! `annex.md` for people.
//! Every output is written to a temporary file beside it and renamed into place.

mod annex_doc;
mod annex_sheet;
mod atomic;
mod markdown;
mod master;
mod sheets;
mod template;
mod xlsx;

pub use annex_doc::AnnexDoc;
pub use atomic::write_atomic;
pub use markdown::render as markdown;
pub use master::{build_master, natural_order, nodes_at};
pub use sheets::{workbook_from_rows, SheetsError};
pub use template::{template_bytes, Audience};
pub use xlsx::workbook_bytes;
