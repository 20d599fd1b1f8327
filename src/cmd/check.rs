//! `annex check`: read every workbook of the round, check it, and report.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{finish, load_schemas, Fatal};
use crate::cli::Config;
use crate::compare::{previous, Compared, Comparison, PreviousError, Snapshot, LISTED};
use crate::input::{discover, open_elsewhere, Input};
use crate::lang::Lang;
use crate::mark::{self, Marked};
use crate::read::{read_all_with_progress, ReadWith, Reading};
use crate::records::Keep;
use crate::report::{Findings, Format, Report, Section};
use crate::schema::Schemas;
use crate::validate::across_rounds::against_previous;
use crate::validate::round::{self, Round, Scope};
use crate::validate::{check_row, rule_fields, validate};

pub fn run(config: Config) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    // A check keeps of each row only what the cross-record rules read, unless it compares every
    // field with last round's.
    let keep = match config.previous {
        Some(_) => Keep::all(&schemas),
        None => rule_fields(&schemas),
    };
    let examined = examine(&config, &schemas, &keep, false)?;
    let marked = mark_copies(&config, &examined)?;
    let incomplete = marked.iter().any(|m| matches!(m, Marked::Failed { .. }));
    let notices: Vec<_> = marked.iter().map(Marked::text).collect();
    let report = examined.report(&schemas, config.lang);
    finish(
        report,
        config.format,
        &notices,
        incomplete,
        config.deny_warnings,
    )
}

/// The marked copies `--mark` asks for, written once the round is checked.
pub(super) fn mark_copies(config: &Config, examined: &Examined) -> Result<Vec<Marked>, Fatal> {
    let Some(dir) = &config.mark else {
        return Ok(Vec::new());
    };
    mark::check_destination(dir, &config.paths, &examined.inputs)?;
    Ok(mark::mark_all(
        &examined.inputs,
        &examined.diagnostics,
        dir,
        config.lang,
    )?)
}

/// A round read and checked: its files, its records, whose each workbook is, and every problem
/// found, in report order.
pub(super) struct Examined {
    pub inputs: Vec<Input>,
    pub reading: Reading,
    pub round: Round,
    pub diagnostics: Findings,
    /// What changed since last round, when the run was given its master.
    pub comparison: Option<Comparison>,
}

impl Examined {
    pub fn report<'a>(&'a self, schemas: &'a Schemas, lang: Lang) -> Report<'a> {
        Report {
            files: self.inputs.len(),
            diagnostics: &self.diagnostics,
            round: Some(self.round.summary(schemas, &self.diagnostics)),
            comparison: (self.comparison.as_ref()).map(|comparison| {
                Box::new(Compared {
                    comparison,
                    schemas,
                    limit: Some(LISTED),
                }) as Box<dyn Section>
            }),
            lang,
        }
    }
}

/// How many consequences of findings are cited with them, at most: each means looking for its
/// finding among all of them.
const CONSEQUENCES_CITED: usize = 1_000;

/// Read and check every workbook the run names, keeping of each row what `keep` says; for a
/// build (`building`), the run must hold a round it can build.
pub(super) fn examine(
    config: &Config,
    schemas: &Schemas,
    keep: &Keep,
    building: bool,
) -> Result<Examined, Fatal> {
    let inputs = discover(&config.paths)?;
    // Last round's master is read first: a wrong file stops the run before any workbook is read.
    let previous = match &config.previous {
        Some(path) => Some(read_previous(path, schemas)?),
        None => None,
    };
    // How a run knows whether it holds a whole round: README › A round.
    let scope = match config.partial || !(building || config.paths.iter().any(|p| p.is_dir())) {
        true => Scope::Part,
        false => Scope::Whole,
    };
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
    let files: Vec<_> = inputs.iter().map(|input| input.shown.clone()).collect();
    let round = Round::survey(
        schemas,
        scope,
        &files,
        &reading.sheets,
        &reading.records,
        &reading.templates,
        &reading.unopened,
    );
    let given: Vec<_> = config
        .paths
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut diagnostics = std::mem::take(&mut reading.diagnostics);
    diagnostics.extend(open_elsewhere(&inputs));
    diagnostics.extend(round::findings(
        &round,
        schemas,
        building,
        &given.join(", ").into(),
    ));
    let (found, consequences) = validate(&reading.records, &reading.sheets, schemas, &round);
    diagnostics.extend(found);
    for consequence in consequences.into_iter().take(CONSEQUENCES_CITED) {
        diagnostics.relate(&consequence.at, consequence.related);
    }
    let comparison = previous.map(|master| {
        let (comparison, found) = against_previous(
            &master,
            &reading.records,
            given.join(", ").into(),
            &round,
            schemas,
            config.threshold,
        );
        diagnostics.extend(found);
        comparison
    });
    diagnostics.sort();
    Ok(Examined {
        inputs,
        reading,
        round,
        diagnostics,
        comparison,
    })
}

/// Last round's master, read and found by keys, or why it cannot be.
pub(super) fn read_previous(path: &Path, schemas: &Schemas) -> Result<Snapshot<'static>, Fatal> {
    let master = previous::read(path, schemas)?;
    let shown: Arc<str> = path.display().to_string().into();
    Snapshot::of_master(&master, shown, schemas).map_err(|detail| {
        Fatal::Previous(PreviousError::Unusable {
            path: path.to_path_buf(),
            detail,
        })
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
