//! `--format github`: one workflow command per diagnostic, so that problems show as annotations on
//! the pull request, then the summary.

use std::io::{self, Write};

use super::{Report, Severity};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in report.diagnostics {
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
