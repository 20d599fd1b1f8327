//! The command line as typed (clap), and what it resolves to; in Japanese ([`ja`]) for a reader
//! who reads Japanese.

mod ja;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::input::{Limits, DEFAULT_MAX_CELLS, DEFAULT_MAX_UNPACKED_MB};
use crate::lang::Lang;
use crate::read::ReadOptions;
use crate::report::Format;
use crate::validate::across_rounds::DEFAULT_THRESHOLD;
use crate::validate::Profile;

const EXAMPLES: &str = "\
Examples:
  annex check                          check every workbook under input/
  annex check input/meti.xlsx input/council.xlsx
  annex check --format json input/     the contract's JSON report, for CI
  annex check --format github          annotations on a GitHub pull request
  annex check --mark marked/           a copy of each workbook, its problems marked, to send back
  annex check --format html > report.html   one page to forward or print
  annex build                          check input/, then write output/annex.json and output/annex.xlsx
  annex build submissions/ -o master/  another folder in, another folder out
  annex build --partial                build before every organisation has sent its workbook
  annex template --org METI            the workbook METI fills in, with the 論点 from input/
  annex template --org 経産省 --from output/annex.json   pre-filled with last round's rows
  annex template --council --from output/annex.json      the council master's workbook
  annex build --previous last/annex.json   what changed since last round, and its mistakes
  annex diff last/annex.json output/annex.json   the same comparison of any two masters
  annex explain kpi.value.type         what a code means and how to fix it
  annex serve --round round/           the round in a browser: a link per organisation, a board

Exit status: 0 no errors (warnings allowed unless --deny-warnings), 1 the data has errors,
2 the command itself was wrong (unknown flag, missing path, unusable schema folder).";

/// Checks the ministries' council workbooks against JSON Schemas and consolidates them into one
/// master.
#[derive(Debug, Parser)]
#[command(name = "annex", version, after_help = EXAMPLES)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check workbooks against the schemas and the council's rules; write nothing.
    Check(CheckArgs),
    /// Check, then, if nothing is wrong, write the consolidated master.
    Build(BuildArgs),
    /// Write the workbook an organisation (or the secretariat) fills in.
    Template(TemplateArgs),
    /// Say what a diagnostic's code means and how to fix it (every code without one).
    Explain(ExplainArgs),
    /// Compare two masters: what changed from OLD to NEW, and the rules across rounds.
    Diff(DiffArgs),
    /// Run the round in a browser: a link per organisation to upload and check its workbook,
    /// and a board for the secretariat.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The round folder: the only state (secrets, every upload, the council master).
    #[arg(long, value_name = "DIR")]
    pub round: PathBuf,

    /// Address to listen on; loopback unless told otherwise.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,

    /// Refuse an upload larger than this many megabytes.
    #[arg(long, value_name = "MB", default_value_t = 20)]
    pub max_upload_mb: usize,

    /// Language of what the server prints [default: ja when the locale is Japanese, else en];
    /// its pages are in Japanese.
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// The zone pages show times in, as an offset from UTC: Japan's unless told otherwise.
    #[arg(long, value_name = "±HH:MM", default_value = "+09:00", value_parser = utc_offset)]
    pub utc_offset: i32,

    /// Print every link (each holds its secret) on start; without it they are printed only on
    /// the start that makes them, so that a log of later starts holds none.
    #[arg(long)]
    pub links: bool,

    /// Refuse a workbook that would unpack to more than this many megabytes (a zip bomb).
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_UNPACKED_MB)]
    pub max_unpacked_mb: u64,

    /// Use the schemas in this folder instead of the ones built into annex.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A code from a report, e.g. kpi.value.type.
    pub code: Option<String>,

    /// Language [default: ja when the locale is Japanese, else en].
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Workbooks (.xlsx .xlsm .xls .xlsb .ods), or folders to search for them.
    #[arg(default_value = "input")]
    pub paths: Vec<PathBuf>,

    /// How to print what was found.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Language of messages [default: ja when the locale starts with ja, else en].
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Treat warnings as errors: exit 1 (and, for build, write nothing) when there are any.
    #[arg(long)]
    pub deny_warnings: bool,

    /// The run holds part of the round: do not ask for every organisation's workbook. A build
    /// then writes a master that says whom it lacks.
    #[arg(long)]
    pub partial: bool,

    /// Add checks: `machine-readable` warns where a workbook breaks the government's rules for
    /// machine-readable data (merged cells, hidden sheets, layout spaces, formulas, 機種依存文字).
    #[arg(long, value_enum, default_value_t = Profile::Contract)]
    pub profile: Profile,

    /// Use the schemas in this folder instead of the ones built into annex.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,

    /// Write into DIR a copy of every workbook checked, each problem marked at its cell with a
    /// note, and a first sheet 確認結果 listing them all (an .xls, .xlsb or .ods comes back as
    /// .xlsx).
    #[arg(long, value_name = "DIR")]
    pub mark: Option<PathBuf>,

    /// Compare the round with last round's master (the annex.json a build wrote): say what
    /// changed, and check the rules across rounds (a running total that fell, a figure that
    /// moved by more than --change-threshold without a reason in 備考, a measure gone).
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,

    /// With --previous: how far a figure may move from last round's value, in percent of it,
    /// before its 備考 must give the reason.
    #[arg(long, value_name = "PERCENT", default_value_t = DEFAULT_THRESHOLD, value_parser = percent)]
    pub change_threshold: f64,

    /// Refuse a workbook that would unpack to more than this many megabytes (a zip bomb).
    #[arg(long, value_name = "MB", default_value_t = DEFAULT_MAX_UNPACKED_MB)]
    pub max_unpacked_mb: u64,

    /// Refuse an .xls or .ods workbook (read a sheet at a time, whole) one of whose sheets spans
    /// more cells than this.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_CELLS)]
    pub max_cells: u64,
}

/// An offset from UTC as `+09:00` (or `-05:00`, `+9`), in minutes.
fn utc_offset(text: &str) -> Result<i32, String> {
    let wrong = || format!("{text} is no offset from UTC: write it as +09:00 or -05:00");
    let (sign, rest) = match text.trim().split_at_checked(1) {
        Some(("+", rest)) => (1, rest),
        Some(("-", rest)) => (-1, rest),
        _ => return Err(wrong()),
    };
    let (hours, minutes) = rest.split_once(':').unwrap_or((rest, "0"));
    match (hours.parse::<i32>(), minutes.parse::<i32>()) {
        (Ok(h), Ok(m)) if (0..=14).contains(&h) && (0..60).contains(&m) => Ok(sign * (h * 60 + m)),
        _ => Err(wrong()),
    }
}

/// A threshold in percent: a number of zero or more.
fn percent(text: &str) -> Result<f64, String> {
    match text.trim_end_matches('%').parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Ok(n),
        _ => Err(format!(
            "{text} is not a percentage (a number of zero or more, e.g. 50)"
        )),
    }
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Last round's master (an annex.json).
    pub old: PathBuf,

    /// This round's master (an annex.json).
    pub new: PathBuf,

    /// How to print the comparison.
    #[arg(long, value_enum, default_value_t = DiffFormat::Human)]
    pub format: DiffFormat,

    /// Language of messages [default: ja when the locale starts with ja, else en].
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// How far a figure may move, in percent of its old value, before its 備考 must give the
    /// reason.
    #[arg(long, value_name = "PERCENT", default_value_t = DEFAULT_THRESHOLD, value_parser = percent)]
    pub change_threshold: f64,

    /// Treat warnings as errors: exit 1 when there are any.
    #[arg(long)]
    pub deny_warnings: bool,

    /// Use the schemas in this folder instead of the ones built into annex.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

/// How `annex diff` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    /// The changes and the findings, for people.
    Human,
    /// One JSON document: `comparison` as the JSON report carries it, and `diagnostics`.
    Json,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub check: CheckArgs,

    /// Folder to write annex.json and annex.xlsx to.
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The organisation the template is for: a code (METI) or a name (経産省, 経済産業省).
    #[arg(long, required_unless_present = "council", conflicts_with = "council")]
    pub org: Option<String>,

    /// Write the council master's template (課題, 項目, 論点) instead.
    #[arg(long)]
    pub council: bool,

    /// Pre-fill the template with the rows of last round's master (an annex.json).
    #[arg(long, value_name = "FILE")]
    pub from: Option<PathBuf>,

    /// Without --from: the workbooks holding the council master, for the 論点 to choose from.
    #[arg(default_value = "input")]
    pub paths: Vec<PathBuf>,

    /// The file to write [default: template-<org>.xlsx, or template-council.xlsx].
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Overwrite the file even if it holds filled rows (without it, such a file is kept).
    #[arg(long)]
    pub force: bool,

    /// Language [default: ja when the locale is Japanese, else en].
    #[arg(long, value_enum)]
    pub lang: Option<Lang>,

    /// Use the schemas in this folder instead of the ones built into annex.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

/// What a run does, resolved from the command line.
#[derive(Debug)]
pub enum Job {
    Check(Config),
    Build(BuildConfig),
    Template(TemplateConfig),
    Explain(ExplainConfig),
    Diff(DiffConfig),
    Serve(ServeConfig),
}

impl Job {
    /// The language the run speaks: as asked, or the locale's.
    pub fn lang(&self) -> Lang {
        match self {
            Job::Check(config) => config.lang,
            Job::Build(config) => config.check.lang,
            Job::Explain(config) => config.lang,
            Job::Diff(config) => config.lang,
            Job::Template(config) => config.lang,
            Job::Serve(config) => config.lang,
        }
    }
}

/// A code to explain; `None` for all of them.
#[derive(Debug)]
pub struct ExplainConfig {
    pub code: Option<String>,
    pub lang: Lang,
}

/// `annex serve`, resolved from the command line.
#[derive(Debug)]
pub struct ServeConfig {
    pub round: PathBuf,
    pub listen: std::net::SocketAddr,
    /// The largest upload accepted, in bytes.
    pub max_upload: usize,
    pub limits: Limits,
    pub schemas: Option<PathBuf>,
    /// The language of what the server prints.
    pub lang: Lang,
    /// Whether to print every link on start.
    pub links: bool,
    /// The zone pages show times in, in minutes east of UTC.
    pub utc_offset: i32,
}

/// Two masters to compare.
#[derive(Debug)]
pub struct DiffConfig {
    pub old: PathBuf,
    pub new: PathBuf,
    pub format: DiffFormat,
    pub lang: Lang,
    pub threshold: f64,
    pub deny_warnings: bool,
    pub schemas: Option<PathBuf>,
}

/// A build: a check of the round, then the master written to `output` if it passed.
#[derive(Debug)]
pub struct BuildConfig {
    pub check: Config,
    pub output: PathBuf,
}

/// A template to write.
#[derive(Debug)]
pub struct TemplateConfig {
    /// The organisation as typed; `None` for the council master.
    pub org: Option<String>,
    pub from: Option<PathBuf>,
    pub paths: Vec<PathBuf>,
    pub output: Option<PathBuf>,
    /// Whether a file holding filled rows may be overwritten.
    pub force: bool,
    pub lang: Lang,
    pub schemas: Option<PathBuf>,
}

/// A check or a build, resolved from the command line.
#[derive(Debug)]
pub struct Config {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub lang: Lang,
    pub deny_warnings: bool,
    /// Told `--partial`: the run holds part of the round.
    pub partial: bool,
    pub read: ReadOptions,
    pub schemas: Option<PathBuf>,
    /// Where to write the marked copies, if asked.
    pub mark: Option<PathBuf>,
    /// Last round's master, to compare with.
    pub previous: Option<PathBuf>,
    /// With `previous`: how far a figure may move, in percent, without a reason.
    pub threshold: f64,
}

/// The command line of this process, in the reader's language: `--lang` as typed, else the
/// locale's. A mistake in it is said in that language and ends the run (exit status 2; 0 for
/// `--help` and `--version`).
pub fn parse() -> Cli {
    parse_from(std::env::args_os().collect())
}

fn parse_from(args: Vec<OsString>) -> Cli {
    let lang = asked_lang(&args).unwrap_or_else(Lang::from_env);
    match try_parse_in(lang, args) {
        Ok(cli) => cli,
        Err(Refused::AsClapSaysIt(error)) => error.exit(),
        Err(Refused::InJapanese(error)) => error.exit(),
    }
}

/// A command line clap did not take, or a help page it shows instead of running.
enum Refused {
    /// clap's own words: its errors in English, and every help page (already in the reader's
    /// language).
    AsClapSaysIt(clap::Error),
    InJapanese(clap::error::Error<ja::Japanese>),
}

impl Refused {
    #[cfg(test)]
    fn render(&self) -> String {
        match self {
            Refused::AsClapSaysIt(error) => error.render().to_string(),
            Refused::InJapanese(error) => error.render().to_string(),
        }
    }
}

/// The command line parsed with help and errors in `lang`.
fn try_parse_in(lang: Lang, args: Vec<OsString>) -> Result<Cli, Refused> {
    let command = match lang {
        Lang::Ja => ja::localize(Cli::command()),
        Lang::En => Cli::command(),
    };
    let parsed = command
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    parsed.map_err(|error| match (lang, error.kind()) {
        (
            _,
            ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand,
        ) => Refused::AsClapSaysIt(error),
        (Lang::Ja, _) => Refused::InJapanese(error.apply()),
        (Lang::En, _) => Refused::AsClapSaysIt(error),
    })
}

/// The language asked for with `--lang ja` or `--lang=ja`, if it was.
fn asked_lang(args: &[OsString]) -> Option<Lang> {
    let args: Vec<&str> = args.iter().filter_map(|arg| arg.to_str()).collect();
    let value = (args.iter().enumerate()).find_map(|(at, arg)| match *arg {
        "--lang" => args.get(at + 1).copied(),
        other => other.strip_prefix("--lang="),
    })?;
    Lang::from_str(value, true).ok()
}

impl Cli {
    pub fn into_job(self) -> Job {
        let (check, output) = match self.command {
            Command::Check(check) => (check, None),
            Command::Build(build) => (build.check, Some(build.output)),
            Command::Explain(explain) => {
                return Job::Explain(ExplainConfig {
                    code: explain.code,
                    lang: explain.lang.unwrap_or_else(Lang::from_env),
                })
            }
            Command::Serve(serve) => {
                return Job::Serve(ServeConfig {
                    round: serve.round,
                    listen: serve.listen,
                    max_upload: serve.max_upload_mb.saturating_mul(1024 * 1024),
                    limits: Limits {
                        max_unpacked: serve.max_unpacked_mb.saturating_mul(1024 * 1024),
                        ..Limits::default()
                    },
                    schemas: serve.schemas,
                    lang: serve.lang.unwrap_or_else(Lang::from_env),
                    links: serve.links,
                    utc_offset: serve.utc_offset,
                })
            }
            Command::Diff(diff) => {
                return Job::Diff(DiffConfig {
                    old: diff.old,
                    new: diff.new,
                    format: diff.format,
                    lang: diff.lang.unwrap_or_else(Lang::from_env),
                    threshold: diff.change_threshold,
                    deny_warnings: diff.deny_warnings,
                    schemas: diff.schemas,
                })
            }
            Command::Template(template) => {
                return Job::Template(TemplateConfig {
                    org: template.org,
                    from: template.from,
                    paths: template.paths,
                    output: template.output,
                    force: template.force,
                    lang: template.lang.unwrap_or_else(Lang::from_env),
                    schemas: template.schemas,
                })
            }
        };
        let lang = check.lang.unwrap_or_else(Lang::from_env);
        let config = Config {
            paths: check.paths,
            format: check.format,
            lang,
            deny_warnings: check.deny_warnings,
            partial: check.partial,
            read: ReadOptions {
                lang: Some(lang),
                profile: check.profile,
                limits: Limits {
                    max_unpacked: check.max_unpacked_mb.saturating_mul(1024 * 1024),
                    max_cells: check.max_cells,
                },
            },
            schemas: check.schemas,
            mark: check.mark,
            previous: check.previous,
            threshold: check.change_threshold,
        };
        match output {
            Some(output) => Job::Build(BuildConfig {
                check: config,
                output,
            }),
            None => Job::Check(config),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn build_defaults_to_input_and_output() {
        let Job::Build(build) = Cli::parse_from(["annex", "build", "--lang", "en"]).into_job()
        else {
            panic!("a build");
        };
        assert_eq!(build.check.paths, [PathBuf::from("input")]);
        assert_eq!(build.output, PathBuf::from("output"));
        assert_eq!(build.check.lang, Lang::En);
    }

    #[test]
    fn an_offset_from_utc_is_read_as_minutes() {
        assert_eq!(utc_offset("+09:00"), Ok(540));
        assert_eq!(utc_offset("-05:30"), Ok(-330));
        assert_eq!(utc_offset("+9"), Ok(540));
        for wrong in ["09:00", "+25:00", "+09:75", "Asia/Tokyo", ""] {
            assert!(utc_offset(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn a_template_is_for_an_organisation_or_the_council() {
        assert!(Cli::try_parse_from(["annex", "template"]).is_err());
        assert!(Cli::try_parse_from(["annex", "template", "--org", "METI", "--council"]).is_err());
        let Job::Template(config) = Cli::parse_from(["annex", "template", "--council"]).into_job()
        else {
            panic!("a template");
        };
        assert_eq!(config.org, None);
    }
}
