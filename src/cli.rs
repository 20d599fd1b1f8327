//! The command line as typed (clap), and what it resolves to.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::lang::Lang;
use crate::read::Profile;
use crate::report::Format;

const EXAMPLES: &str = "\
Examples:
  annex check                          check every workbook under input/
  annex check input/meti.xlsx input/council.xlsx
  annex check --format json input/     the contract's JSON report, for CI
  annex check --format github          annotations on a GitHub pull request
  annex build                          check input/, then write output/annex.json and output/annex.xlsx
  annex build submissions/ -o master/  another folder in, another folder out

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

    /// Add checks: `machine-readable` warns where a workbook breaks the government's rules for
    /// machine-readable data (merged cells, hidden sheets, layout spaces, formulas, 機種依存文字).
    #[arg(long, value_enum, default_value_t = Profile::Contract)]
    pub profile: Profile,

    /// Use the schemas in this folder instead of the ones built into annex.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub check: CheckArgs,

    /// Folder to write annex.json and annex.xlsx to.
    #[arg(short, long, value_name = "DIR", default_value = "output")]
    pub output: PathBuf,
}

/// What a run does, resolved from the command line.
#[derive(Debug)]
pub struct Config {
    pub paths: Vec<PathBuf>,
    pub format: Format,
    pub lang: Lang,
    pub deny_warnings: bool,
    pub profile: Profile,
    pub schemas: Option<PathBuf>,
    /// Where to write the master; `None` for a check.
    pub output: Option<PathBuf>,
}

impl Cli {
    pub fn into_config(self) -> Config {
        let (check, output) = match self.command {
            Command::Check(check) => (check, None),
            Command::Build(build) => (build.check, Some(build.output)),
        };
        Config {
            paths: check.paths,
            format: check.format,
            lang: check.lang.unwrap_or_else(Lang::from_env),
            deny_warnings: check.deny_warnings,
            profile: check.profile,
            schemas: check.schemas,
            output,
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
        let config = Cli::parse_from(["annex", "build", "--lang", "en"]).into_config();
        assert_eq!(config.paths, [PathBuf::from("input")]);
        assert_eq!(config.output, Some(PathBuf::from("output")));
        assert_eq!(config.lang, Lang::En);
    }
}
