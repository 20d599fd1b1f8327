//! The report people read: miette's graphical rendering. A workbook has no source text, so each
//! diagnostic brings its row written out as one line, numbered with the sheet's row number, and
//! the label sits under the exact cell at fault.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{Diagnostic, Report, Severity};
use crate::lang::Lang;

pub fn write(report: &Report, out: &mut dyn Write, styled: bool, width: usize) -> io::Result<()> {
    let theme = if styled {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .without_primary_span_start()
        .with_links(false);
    for diagnostic in report.diagnostics {
        let shown = Shown::new(diagnostic, report.lang);
        let mut text = String::new();
        handler
            .render_report(&mut text, &shown)
            .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
        writeln!(out, "{}", text.trim_end())?;
        writeln!(out)?;
    }
    if let Some(round) = &report.round {
        round.write_table(out, report.lang)?;
    }
    writeln!(out, "{}", report.summary())
}

/// One diagnostic, in one language, as miette wants it.
#[derive(Debug)]
struct Shown {
    message: String,
    code: String,
    severity: miette::Severity,
    help: String,
    source: Option<RowSource>,
    label: Option<LabeledSpan>,
}

impl Shown {
    fn new(d: &Diagnostic, lang: Lang) -> Shown {
        let at = &d.location;
        let source = d.snippet.as_ref().map(|snippet| RowSource {
            name: at.display(),
            text: snippet.text.clone(),
            row: snippet.row,
        });
        let label = d.snippet.as_ref().map(|snippet| {
            let name = at.cell().unwrap_or_default();
            let header = at.header.as_deref().unwrap_or_default();
            LabeledSpan::new(
                Some(format!("{name} {header}").trim().to_string()),
                snippet.span.0,
                snippet.span.1,
            )
        });
        let message = match &d.snippet {
            Some(_) => d.message.get(lang).to_string(),
            None => format!("{}: {}", at.display(), d.message.get(lang)),
        };
        let mut help = d.help.get(lang).to_string();
        for related in &d.related {
            help.push_str(&format!(
                "\n{}: {}",
                related.note.get(lang),
                related.location.display()
            ));
        }
        Shown {
            message,
            code: d.code.clone(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            help,
            source,
            label,
        }
    }
}

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Shown {}

impl miette::Diagnostic for Shown {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.help.is_empty()).then(|| Box::new(&self.help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.label
            .clone()
            .map(|label| Box::new(std::iter::once(label)) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}

/// A row as a one-line source text whose line number is the sheet's row number.
#[derive(Debug)]
struct RowSource {
    name: String,
    text: String,
    row: u32,
}

impl SourceCode for RowSource {
    fn read_span<'a>(
        &'a self,
        _span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            self.text.as_bytes(),
            SourceSpan::from((0, self.text.len())),
            self.row.saturating_sub(1) as usize,
            0,
            1,
        )))
    }
}
