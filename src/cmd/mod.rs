//! The subcommands, one file each, and what they share: the schemas of a run, the error that
//! stops one (exit status 2), and the report at its end.

mod build;
mod check;
mod diff;
mod explain;
mod serve;
mod template;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::Job;
use crate::compare::PreviousError;
use crate::input::DiscoverError;
use crate::lang::Text;
use crate::mark::MarkError;
use crate::report::{Findings, Format, Report};
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
    #[error("{path} holds {rows} filled rows (or is no workbook annex can read); it is kept. Give another --output, or --force to overwrite it")]
    WouldOverwrite { path: PathBuf, rows: usize },
    #[error("no organisation is called {written}; use one of: {known}")]
    UnknownOrganisation { written: String, known: String },
    #[error(transparent)]
    Mark(#[from] MarkError),
    #[error(transparent)]
    Previous(#[from] PreviousError),
}

impl Fatal {
    /// What went wrong, in both languages. The system's own words (an I/O error, a schema's
    /// detail, meant for whoever edits the schemas) follow in brackets.
    pub fn text(&self) -> Text {
        let en = self.to_string();
        let ja = match self {
            Fatal::Schema(SchemaError::Folder { path, source }) => {
                format!(
                    "スキーマのフォルダ {} を読めません（{}）",
                    path.display(),
                    in_japanese(source)
                )
            }
            Fatal::Schema(SchemaError::Json { file, message }) => {
                format!("{file} がJSONとして正しくありません（{message}）")
            }
            Fatal::Schema(SchemaError::Invalid { file, message }) => {
                format!("スキーマ {file} に誤りがあります（{message}）")
            }
            Fatal::Schema(SchemaError::Missing(file)) => format!(
                "スキーマのフォルダに {file} がありません。annex の schemas/ からコピーしてください"
            ),
            Fatal::Discover(DiscoverError::Missing(path)) => format!(
                "{} がありません。ブックかブックのあるフォルダを指定してください",
                path.display()
            ),
            Fatal::Discover(DiscoverError::Folder { path, source }) => {
                format!(
                    "フォルダ {} の中を読めません（{}）",
                    path.display(),
                    in_japanese(source)
                )
            }
            Fatal::Write { path, source } => {
                format!(
                    "{} に書き込めません（{}）",
                    path.display(),
                    in_japanese(source)
                )
            }
            Fatal::Print(source) => format!("報告を出力できません（{}）", in_japanese(source)),
            Fatal::Read { path, source } => {
                format!("{} を読めません（{}）", path.display(), in_japanese(source))
            }
            Fatal::NotAMaster { path, reason } => format!(
                "{} は annex build が書き出した統合結果ではありません（{reason}）",
                path.display()
            ),
            Fatal::UnknownCode { code, near } => {
                format!("コード {code} はありません。近いコード: {near}")
            }
            Fatal::Mark(MarkError::AmongInputs { dir, input }) => format!(
                "--mark {} は読み込むブックの中（{}）です。確認用のブックが次回に提出ブックとして読まれてしまうため、別のフォルダを指定してください",
                dir.display(),
                input.display()
            ),
            Fatal::Mark(MarkError::Write { path, source }) => {
                format!(
                    "{} に書き込めません（{}）",
                    path.display(),
                    in_japanese(source)
                )
            }
            Fatal::Previous(error) => return error.text(in_japanese),
            Fatal::WouldOverwrite { path, rows } => format!(
                "{} には記入済みの行が {rows} 行あります（または読み込めないファイルです）。上書きせずに残しました。--output で別のファイル名を指定するか、上書きしてよければ --force を付けてください",
                path.display()
            ),
            Fatal::UnknownOrganisation { written, known } => {
                format!(
                    "「{written}」という府省はありません。次のいずれかを指定してください: {known}"
                )
            }
        };
        Text::new(en, ja)
    }
}

/// What an I/O error means, in Japanese, by its kind.
fn in_japanese(error: &std::io::Error) -> &'static str {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "見つかりません",
        ErrorKind::PermissionDenied => "権限がありません",
        ErrorKind::AlreadyExists => "既にあります",
        ErrorKind::InvalidData | ErrorKind::InvalidInput => "内容が正しくありません",
        ErrorKind::StorageFull => "ディスクの空きがありません",
        ErrorKind::ReadOnlyFilesystem => "書き込みできない場所です",
        ErrorKind::BrokenPipe => "出力先が閉じられました",
        _ => "入出力のエラー",
    }
}

pub fn run(job: Job) -> Result<ExitCode, Fatal> {
    match job {
        Job::Check(config) => check::run(config),
        Job::Build(config) => build::run(config),
        Job::Template(config) => template::run(config),
        Job::Explain(config) => explain::run(config),
        Job::Diff(config) => diff::run(config),
        Job::Serve(config) => serve::run(config),
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
fn failed(diagnostics: &Findings, deny_warnings: bool) -> bool {
    let tally = diagnostics.tally();
    tally.errors > 0 || (deny_warnings && tally.warnings > 0)
}

/// Print the report, then what else the run did (the files it wrote), and say how the run ends:
/// `incomplete` when an output asked for could not be made.
fn finish(
    report: Report,
    format: Format,
    notices: &[Text],
    incomplete: bool,
    deny_warnings: bool,
) -> Result<ExitCode, Fatal> {
    let stdout = std::io::stdout();
    let styled = stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none();
    // The terminal's own width, unless COLUMNS says otherwise; a pipe or a file gets the default.
    let width = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .or_else(|| terminal_size::terminal_size_of(&stdout).map(|(w, _)| usize::from(w.0)))
        .unwrap_or(DEFAULT_WIDTH);
    let mut out = stdout.lock();
    let printed = report
        .write(format, &mut out, styled, width)
        .and_then(|()| {
            // A report for machines on stdout is left whole; the notices go to stderr then.
            for notice in notices {
                let line = notice.get(report.lang);
                match format {
                    Format::Json | Format::Junit | Format::Html => eprintln!("{line}"),
                    _ => writeln!(out, "{line}")?,
                }
            }
            out.flush()
        });
    unless_closed(printed)?;
    Ok(
        match (incomplete, failed(report.diagnostics, deny_warnings)) {
            (true, _) => ExitCode::from(2),
            (false, true) => ExitCode::from(1),
            (false, false) => ExitCode::SUCCESS,
        },
    )
}

/// What was printed, where a reader that stopped reading (`annex explain | head -1`) is no
/// error: the run's outcome stands.
fn unless_closed(printed: std::io::Result<()>) -> Result<(), Fatal> {
    match printed {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => Err(Fatal::Print(error)),
        _ => Ok(()),
    }
}

/// One line on stdout, in the run's language.
fn say(line: &Text, lang: crate::lang::Lang) -> Result<(), Fatal> {
    let mut out = std::io::stdout().lock();
    unless_closed(writeln!(out, "{}", line.get(lang)).and_then(|()| out.flush()))
}

fn wrote(path: &Path) -> Text {
    Text::new(
        format!("wrote {}", path.display()),
        format!("{} を書き出しました", path.display()),
    )
}
