//! `annex check`: read every workbook of the round, check it, and report.

use std::io::IsTerminal;
use std::process::ExitCode;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{finish, load_schemas, Fatal};
use crate::cli::Config;
use crate::input::{discover, Input};
use crate::read::{read_all_with_progress, ReadWith, Reading};
use crate::records::Keep;
use crate::report::{Diagnostic, Format, Report};
use crate::schema::Schemas;
use crate::validate::{check_row, rule_fields, validate};

pub fn run(config: Config) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    // A check keeps of each row only what the cross-record rules read.
    let examined = examine(&config, &schemas, &rule_fields(&schemas))?;
    let report = Report {
        files: examined.inputs.len(),
        diagnostics: &examined.diagnostics,
        lang: config.lang,
    };
    finish(report, config.format, &[], config.deny_warnings)
}

/// A round read and checked: its files, its records, and every problem found, in report order.
pub(super) struct Examined {
    pub inputs: Vec<Input>,
    pub reading: Reading,
    pub diagnostics: Vec<Diagnostic>,
}

/// Read and check every workbook the run names, keeping of each row what `keep` says.
pub(super) fn examine(config: &Config, schemas: &Schemas, keep: &Keep) -> Result<Examined, Fatal> {
    let inputs = discover(&config.paths)?;
    let progress = progress_bar(config.format, inputs.len());
    let with = ReadWith {
        schemas,
        options: config.read,
        check: &check_row,
        keep,
    };
    let mut reading = read_all_with_progress(&inputs, with, &|input| {
        progress.set_message(input.shown.to_string());
        progress.inc(1);
    });
    progress.finish_and_clear();
    let mut diagnostics = std::mem::take(&mut reading.diagnostics);
    diagnostics.extend(validate(&reading.records, &reading.sheets, schemas));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    Ok(Examined {
        inputs,
        reading,
        diagnostics,
    })
}

/// A bar on stderr while files are read, for a person at a terminal; nothing otherwise.
fn progress_bar(format: Format, files: usize) -> ProgressBar {
    if format != Format::Human || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} {wide_msg}") {
        bar.set_style(style);
    }
    bar
}
