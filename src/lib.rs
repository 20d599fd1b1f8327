//! annex: checks the workbooks ministries send to the council on medical devices and healthcare,
//! and consolidates them into one master.
//!
//! The pipeline flows one way: [`read`] (workbooks → rows) → [`validate`] (schemas and
//! cross-record rules) → [`report`] (diagnostics) and [`write`] (the master).

pub mod cli;
pub mod lang;
pub mod read;
pub mod report;
mod run;
pub mod schema;
pub mod validate;
pub mod write;

pub use run::{run, Fatal};
