//! Diagnostics and their renderings: miette's graphical report for people, JSON and GitHub
//! workflow annotations for CI, and the one-line summary.

pub mod catalogue;
mod diagnostic;
mod findings;
mod github;
mod graphical;
mod html;
mod json;
mod junit;
mod markdown;
mod summary;

use std::io::{self, Write};

pub use diagnostic::{
    cell_name, column_name, Diagnostic, Location, Related, Severity, Snippet, SnippetCell, Tally,
};
pub use findings::Findings;
pub use html::escape;
pub use summary::{SenderLine, Summary};

use crate::lang::{Lang, Text};

/// How many problems of one code in one sheet the human and HTML reports show before they count
/// the rest; a problem beyond them keeps no snippet, which only those reports draw.
pub const SHOWN_PER_CODE: usize = 5;

/// Problems of one code in one sheet of one file, which the human and HTML reports show a few of
/// and count: (file, sheet, code).
type Kind = (std::sync::Arc<str>, Option<std::sync::Arc<str>>, String);

/// How a run's findings are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// miette's graphical report, for people.
    Human,
    /// One JSON document, as the submission contract describes.
    Json,
    /// GitHub Actions workflow commands (`::error file=…::…`), and the job summary.
    Github,
    /// JUnit XML, for GitLab and Jenkins: a test case per workbook, a failure per error.
    Junit,
    /// One self-contained HTML page, to open, forward and print.
    Html,
}

/// A part of a report that another room makes (the comparison with last round), shown in each
/// format: as text after the problems, under its key in the JSON report, as a section of the page.
pub trait Section {
    fn write_text(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()>;
    fn to_json(&self) -> serde_json::Value;
    fn write_html(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()>;
}

/// What a run found, ready to print.
pub struct Report<'a> {
    pub files: usize,
    pub diagnostics: &'a Findings,
    /// The round at a glance, where the run read one.
    pub round: Option<Summary>,
    /// What changed since last round, where the run was given its master.
    pub comparison: Option<Box<dyn Section + 'a>>,
    pub lang: Lang,
}

impl Report<'_> {
    pub fn tally(&self) -> Tally {
        self.diagnostics.tally()
    }

    /// `6 files checked: 1 error, 0 warnings`.
    pub fn summary(&self) -> String {
        let Tally { errors, warnings } = self.tally();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        Text::new(
            format!(
                "{} checked: {}, {}",
                plural(self.files, "file"),
                plural(errors, "error"),
                plural(warnings, "warning")
            ),
            format!(
                "{} ファイルを確認: エラー {errors} 件、警告 {warnings} 件",
                self.files
            ),
        )
        .get(self.lang)
        .to_string()
    }

    /// Print the report. `styled` allows colour (a terminal that wants it); `width` bounds the
    /// graphical report's lines.
    pub fn write(
        &self,
        format: Format,
        out: &mut dyn Write,
        styled: bool,
        width: usize,
    ) -> io::Result<()> {
        match format {
            Format::Human => graphical::write(self, out, styled, width),
            Format::Json => json::write(self, out),
            Format::Github => github::write(self, out),
            Format::Junit => junit::write(self, out),
            Format::Html => html::write(self, out),
        }
    }
}
