//! `--format junit`: the report as JUnit XML, which GitLab and Jenkins show as test results: one
//! test case per workbook (and one for the round), a failure per error, warnings in its output.

use std::io::{self, Write};

use super::html::escape;
use super::{Diagnostic, Report, Severity};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let lang = report.lang;
    // Workbooks in the order the report first names them.
    let mut files: Vec<&str> = Vec::new();
    if let Some(round) = &report.round {
        for line in &round.senders {
            files.extend(line.files.iter().map(|f| &**f));
        }
    }
    for (file, _) in report.diagnostics.places() {
        if !files.contains(&file) {
            files.push(file);
        }
    }
    let tally = report.tally();
    let mut out = io::BufWriter::new(out);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="annex" tests="{}" failures="{}">"#,
        files.len(),
        tally.errors
    )?;
    writeln!(
        out,
        r#"  <testsuite name="annex check" tests="{}" failures="{}">"#,
        files.len(),
        tally.errors
    )?;
    for file in files {
        let of_file = || {
            report
                .diagnostics
                .iter()
                .filter(move |d| &*d.location.file == file)
        };
        writeln!(
            out,
            r#"    <testcase classname="annex" name="{}">"#,
            escape(file)
        )?;
        for d in of_file().filter(|d| d.severity == Severity::Error) {
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape(&d.code),
                escape(d.message.get(lang)),
                escape(&details(&d, lang))
            )?;
        }
        let warnings: Vec<String> = of_file()
            .filter(|d| d.severity == Severity::Warning)
            .map(|d| format!("warning {}: {}", d.code, details(&d, lang)))
            .collect();
        if !warnings.is_empty() {
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&warnings.join("\n"))
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>\n</testsuites>")?;
    out.flush()
}

/// Where a problem is, what it is and what to do, on lines of their own.
fn details(d: &Diagnostic, lang: crate::lang::Lang) -> String {
    format!(
        "{}\n{}\n{}",
        d.location.display(),
        d.message.get(lang),
        d.help.get(lang)
    )
}
