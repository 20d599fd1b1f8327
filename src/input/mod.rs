//! Files → cells: which files a run reads, the limits a file must meet before a reader loads it,
//! and each workbook opened once, whatever its format, as sheets of rows of typed cells. Nothing
//! here knows what a cell means.

mod discover;
mod limits;
mod ods;
mod rows;
mod workbook;
mod xls;

pub use calamine::{Data, Dimensions};
pub use discover::{discover, open_elsewhere, DiscoverError, Input, WORKBOOK_EXTENSIONS};
pub use limits::{Limits, DEFAULT_MAX_CELLS, DEFAULT_MAX_UNPACKED_MB};
pub use rows::{is_blank, Row, SheetRows};
pub use workbook::{open, Workbook};
