//! annex: checks the workbooks ministries send to the council on medical devices and healthcare,
//! and consolidates them into one master.
//!
//! The data flows one way, a module each:
//! [`input`] (files → cells) → [`values`] (cells → values) → [`records`] (checked rows, kept) →
//! [`validate`] (every check: sheets, rows, templates, the cross-record rules) → [`report`]
//! (diagnostics, rendered), [`write`] (the master and its renderings) and [`mark`] (each workbook
//! returned with its problems marked). [`read`] drives a round's
//! files through the first four; [`cmd`] holds one file per subcommand; [`schema`] is where every
//! name, header and rule comes from.

pub mod cli;
pub mod cmd;
pub mod compare;
pub mod input;
pub mod lang;
pub mod mark;
pub mod read;
pub mod records;
pub mod report;
pub mod schema;
pub mod validate;
pub mod values;
pub mod write;

pub use cmd::{run, Fatal};
