//! `--format github`: one workflow command per diagnostic, so that problems show as annotations on
//! the pull request, then the summary. GitHub shows only the first ten error and ten warning
//! annotations of a step: a notice says how many more there are, and the whole report goes to the
//! job summary (`$GITHUB_STEP_SUMMARY`) as Markdown when the run has one.

use std::io::{self, Write};

use super::{markdown, Report, Severity, Tally};
use crate::lang::Text;

/// How many annotations of each severity GitHub shows for a step.
const SHOWN: usize = 10;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let mut summary = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        markdown::write(report, &mut summary)?;
    }
    for d in report.diagnostics.iter() {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = match (&d.location.sheet, d.location.cell(), d.location.row) {
            (Some(sheet), Some(cell), _) => format!(" ({sheet}!{cell})"),
            (Some(sheet), None, Some(row)) => format!(" ({sheet} row {row})"),
            (Some(sheet), None, None) => format!(" ({sheet})"),
            (None, _, _) => String::new(),
        };
        writeln!(
            out,
            "::{command} file={},title={}::{}",
            escape_property(&d.location.file),
            escape_property(&format!("{}{place}", d.code)),
            escape_data(&format!(
                "{} — {}",
                d.message.get(report.lang),
                d.help.get(report.lang)
            )),
        )?;
    }
    let Tally { errors, warnings } = report.tally();
    let (more_errors, more_warnings) =
        (errors.saturating_sub(SHOWN), warnings.saturating_sub(SHOWN));
    if more_errors + more_warnings > 0 {
        let more = Text::new(
            format!("GitHub shows the first {SHOWN} errors and {SHOWN} warnings: {more_errors} more errors and {more_warnings} more warnings are in this log and the job summary"),
            format!("GitHub に表示されるのはエラー・警告それぞれ最初の {SHOWN} 件です。ほかにエラー {more_errors} 件、警告 {more_warnings} 件があり、このログとジョブの概要に載っています"),
        );
        writeln!(
            out,
            "::notice title=annex::{}",
            escape_data(more.get(report.lang))
        )?;
    }
    if let Some(round) = &report.round {
        round.write_table(out, report.lang)?;
    }
    writeln!(out, "{}", report.summary())
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_text_is_escaped() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
