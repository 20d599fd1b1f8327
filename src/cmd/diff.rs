//! `annex diff OLD NEW`: the comparison `--previous` makes, of any two masters — what changed
//! from OLD to NEW, and what the rules across rounds find in it (exit status 1 on an error).

use std::process::ExitCode;

use super::check::read_previous;
use super::{finish, load_schemas, Fatal};
use crate::cli::{DiffConfig, DiffFormat};
use crate::compare::{compare, Compared, Coverage};
use crate::report::{Findings, Format, Report};
use crate::validate::across_rounds::{validate_across, Across};

pub fn run(config: DiffConfig) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    let previous = read_previous(&config.old, &schemas)?;
    let current = read_previous(&config.new, &schemas)?;
    let comparison = compare(&previous, &current, &schemas, &Coverage::all(&schemas));
    let found = validate_across(&Across {
        schemas: &schemas,
        previous: &previous,
        current: &current,
        comparison: &comparison,
        threshold: config.threshold,
    });
    let mut diagnostics = Findings::default();
    diagnostics.extend(found);
    diagnostics.sort();
    let report = Report {
        files: 2,
        diagnostics: &diagnostics,
        round: None,
        comparison: Some(Box::new(Compared {
            comparison: &comparison,
            schemas: &schemas,
            limit: None,
        })),
        lang: config.lang,
    };
    let format = match config.format {
        DiffFormat::Human => Format::Human,
        DiffFormat::Json => Format::Json,
    };
    finish(report, format, &[], false, config.deny_warnings)
}
