//! One run, start to end: schemas, files, checks, outputs, report, exit status.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Config, Job, TemplateConfig};
use crate::lang::{Lang, Text};
use crate::read::{
    discover, read_all, read_all_with_progress, DiscoverError, Keep, ReadOptions, ReadWith, Records,
};
use crate::report::{Diagnostic, Format, Location, Report, Severity};
use crate::schema::{SchemaError, Schemas};
use crate::validate::{check_row, rule_fields, validate};
use crate::write::{
    build_master, markdown, template_bytes, workbook_bytes, write_atomic, AnnexDoc, Audience,
};

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
    #[error("no organisation is called {written}; use one of: {known}")]
    UnknownOrganisation { written: String, known: String },
}

/// Report width when the terminal does not say (COLUMNS).
const DEFAULT_WIDTH: usize = 100;

pub fn run(job: Job) -> Result<ExitCode, Fatal> {
    match job {
        Job::Check(config) => check(config),
        Job::Template(config) => template(config),
    }
}

fn load_schemas(dir: Option<&Path>) -> Result<Schemas, Fatal> {
    Ok(match dir {
        Some(dir) => Schemas::from_dir(dir)?,
        None => Schemas::embedded()?,
    })
}

/// `annex template`: the workbook an organisation or the secretariat fills in.
fn template(config: TemplateConfig) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    let code = match &config.org {
        Some(written) => Some(
            schemas
                .organisation(written)
                .map(|org| org.code.clone())
                .ok_or_else(|| Fatal::UnknownOrganisation {
                    written: written.clone(),
                    known: schemas
                        .organisations
                        .iter()
                        .map(|o| format!("{} ({})", o.code, o.short_name))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?,
        ),
        None => None,
    };
    let audience = match &code {
        Some(code) => Audience::Organisation(code),
        None => Audience::Council,
    };
    let master = match &config.from {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| Fatal::Read {
                path: path.clone(),
                source,
            })?;
            let master: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| Fatal::NotAMaster {
                    path: path.clone(),
                    reason: e.to_string(),
                })?;
            let errors = schemas.master_errors(&master);
            if let Some(first) = errors.first() {
                return Err(Fatal::NotAMaster {
                    path: path.clone(),
                    reason: first.clone(),
                });
            }
            master
        }
        None => {
            let inputs = discover(&config.paths)?;
            build_master(
                &read_all(
                    &inputs,
                    ReadWith {
                        schemas: &schemas,
                        options: ReadOptions::default(),
                        check: &check_row,
                        keep: &Keep::all(&schemas),
                    },
                )
                .records,
                &schemas,
            )
        }
    };
    let output = config.output.unwrap_or_else(|| {
        PathBuf::from(format!(
            "template-{}.xlsx",
            code.as_deref().unwrap_or("council").to_lowercase()
        ))
    });
    let bytes =
        template_bytes(&schemas, &audience, &master, config.from.is_some()).map_err(|e| {
            Fatal::Write {
                path: output.clone(),
                source: std::io::Error::other(e),
            }
        })?;
    write_atomic(&output, &bytes).map_err(|source| Fatal::Write {
        path: output.clone(),
        source,
    })?;
    println!(
        "{}",
        Text::new(
            format!("wrote {}", output.display()),
            format!("{} を書き出しました", output.display())
        )
        .get(Lang::from_env())
    );
    Ok(ExitCode::SUCCESS)
}

/// `annex check` and `annex build`.
fn check(config: Config) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    let inputs = discover(&config.paths)?;
    let progress = progress_bar(config.format, inputs.len());
    // A master is built from every field; a check keeps only what the cross-record rules read.
    let keep = match config.output {
        Some(_) => Keep::all(&schemas),
        None => rule_fields(&schemas),
    };
    let with = ReadWith {
        schemas: &schemas,
        options: config.read,
        check: &check_row,
        keep: &keep,
    };
    let mut reading = read_all_with_progress(&inputs, with, &|input| {
        progress.set_message(input.shown.to_string());
        progress.inc(1);
    });
    progress.finish_and_clear();
    let mut diagnostics = std::mem::take(&mut reading.diagnostics);
    diagnostics.extend(validate(&reading.records, &reading.sheets, &schemas));
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));

    let failed = |diagnostics: &[Diagnostic]| {
        diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error || config.deny_warnings)
    };
    let mut written = Vec::new();
    if let Some(output) = &config.output {
        if !failed(&diagnostics) {
            match consolidate(&reading.records, &schemas, output)? {
                Ok(paths) => written = paths,
                Err(problem) => diagnostics.push(problem),
            }
        }
    }

    let report = Report {
        files: inputs.len(),
        diagnostics: &diagnostics,
        lang: config.lang,
    };
    let stdout = std::io::stdout();
    let styled = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(DEFAULT_WIDTH);
    let mut out = stdout.lock();
    report
        .write(config.format, &mut out, styled, width)
        .map_err(Fatal::Print)?;
    if config.format != Format::Json {
        for path in &written {
            let line = Text::new(
                format!("wrote {}", path.display()),
                format!("{} を書き出しました", path.display()),
            );
            writeln!(out, "{}", line.get(config.lang)).map_err(Fatal::Print)?;
        }
    }
    Ok(if failed(&diagnostics) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
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

/// Build the master and write it; a master that breaks its own schema is reported, not written.
fn consolidate(
    records: &Records,
    schemas: &Schemas,
    output: &Path,
) -> Result<Result<Vec<PathBuf>, Diagnostic>, Fatal> {
    let master = build_master(records, schemas);
    let errors = schemas.master_errors(&master);
    if !errors.is_empty() {
        return Ok(Err(Diagnostic::error(
            "master.schema",
            Location::file(&output.join("annex.json").to_string_lossy().into()),
            Text::new(
                format!("the consolidated master breaks annex.schema.json: {}", errors.join("; ")),
                format!("統合結果が annex.schema.json に適合しません: {}", errors.join("; ")),
            ),
            Text::new(
                "The row schemas and annex.schema.json disagree; make them describe the same fields.",
                "行のスキーマと annex.schema.json の内容を一致させてください。",
            ),
        )));
    }
    let json_path = output.join("annex.json");
    let xlsx_path = output.join("annex.xlsx");
    let mut json = serde_json::to_vec_pretty(&master).map_err(|e| Fatal::Write {
        path: json_path.clone(),
        source: e.into(),
    })?;
    json.push(b'\n');
    let xlsx = workbook_bytes(records, &master, schemas).map_err(|e| Fatal::Write {
        path: xlsx_path.clone(),
        source: std::io::Error::other(e),
    })?;
    let md_path = output.join("annex.md");
    let md = markdown(&AnnexDoc::from_master(&master, schemas)).into_bytes();
    for (path, bytes) in [(&json_path, &json), (&xlsx_path, &xlsx), (&md_path, &md)] {
        write_atomic(path, bytes).map_err(|source| Fatal::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(Ok(vec![json_path, xlsx_path, md_path]))
}
