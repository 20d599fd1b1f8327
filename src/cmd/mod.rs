//! The subcommands, one file each, and what they share: the schemas of a run, the error that
//! stops one (exit status 2), and the report at its end.

mod build;
mod check;
mod explain;
mod template;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::Job;
use crate::input::DiscoverError;
use crate::lang::Text;
use crate::report::{Diagnostic, Format, Report, Severity};
use crate::schema::{SchemaError, Schemas};

/// A run that cannot start or finish: the command was wrong (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error(transparent)]
    Discover(#[from] DiscoverError),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot print the report: {0}")]
    Print(std::io::Error),
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not a master written by annex build: {reason}")]
    NotAMaster { path: PathBuf, reason: String },
    #[error("annex has no code {code}; codes near it: {near}")]
    UnknownCode { code: String, near: String },
    #[error("no organisation is called {written}; use one of: {known}")]
    UnknownOrganisation { written: String, known: String },
}

pub fn run(job: Job) -> Result<ExitCode, Fatal> {
    match job {
        Job::Check(config) => check::run(config),
        Job::Build(config) => build::run(config),
        Job::Template(config) => template::run(config),
        Job::Explain(config) => explain::run(config),
    }
}

fn load_schemas(dir: Option<&Path>) -> Result<Schemas, Fatal> {
    Ok(match dir {
        Some(dir) => Schemas::from_dir(dir)?,
        None => Schemas::embedded()?,
    })
}

/// Report width when the terminal does not say (COLUMNS).
const DEFAULT_WIDTH: usize = 100;

/// Whether the run failed: an error, or a warning when warnings are denied.
fn failed(diagnostics: &[Diagnostic], deny_warnings: bool) -> bool {
    diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error || deny_warnings)
}

/// Print the report, then the files written, and say how the run ends.
fn finish(
    report: Report,
    format: Format,
    written: &[PathBuf],
    deny_warnings: bool,
) -> Result<ExitCode, Fatal> {
    let stdout = std::io::stdout();
    let styled = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(DEFAULT_WIDTH);
    let mut out = stdout.lock();
    report
        .write(format, &mut out, styled, width)
        .map_err(Fatal::Print)?;
    if !matches!(format, Format::Json | Format::Junit | Format::Html) {
        for path in written {
            writeln!(out, "{}", wrote(path).get(report.lang)).map_err(Fatal::Print)?;
        }
    }
    Ok(match failed(report.diagnostics, deny_warnings) {
        true => ExitCode::from(1),
        false => ExitCode::SUCCESS,
    })
}

fn wrote(path: &Path) -> Text {
    Text::new(
        format!("wrote {}", path.display()),
        format!("{} を書き出しました", path.display()),
    )
}
