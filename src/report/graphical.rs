//! The report people read: miette's graphical rendering. A workbook has no source text, so each
//! diagnostic brings its row written out as one line, numbered with the sheet's row number, and
//! the label sits under the exact cell at fault.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use std::collections::HashMap;

use super::{Diagnostic, Kind, Report, Severity, SHOWN_PER_CODE};
use crate::lang::{Lang, Text};

pub fn write(report: &Report, out: &mut dyn Write, styled: bool, width: usize) -> io::Result<()> {
    let theme = if styled {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_word_separator(textwrap::WordSeparator::Custom(phrases))
        .without_primary_span_start()
        .with_links(false);
    // The first few of a code in a sheet are shown; the rest are counted, said after them.
    let mut seen: HashMap<Kind, usize> = HashMap::new();
    let mut groups: Vec<Kind> = Vec::new();
    for diagnostic in report.diagnostics.iter() {
        let at = &diagnostic.location;
        let group = (at.file.clone(), at.sheet.clone(), diagnostic.code.clone());
        let count = seen.entry(group.clone()).or_insert_with(|| {
            groups.push(group);
            0
        });
        *count += 1;
        if *count > SHOWN_PER_CODE {
            continue;
        }
        let shown = Shown::new(&diagnostic, report.lang);
        let mut text = String::new();
        handler
            .render_report(&mut text, &shown)
            .map_err(|_| io::Error::other("cannot render a diagnostic"))?;
        if report.lang == Lang::Ja {
            text = help_in_japanese(&text);
        }
        writeln!(out, "{}", text.trim_end())?;
        writeln!(out)?;
    }
    for group in groups {
        let more = seen
            .get(&group)
            .copied()
            .unwrap_or(0)
            .saturating_sub(SHOWN_PER_CODE);
        if more == 0 {
            continue;
        }
        let (file, sheet, code) = group;
        let place = match sheet {
            Some(sheet) => format!("{file} › {sheet}"),
            None => file.to_string(),
        };
        let text = Text::new(
            format!("… and {more} more rows like this ({code}) in {place}; --format json lists every one"),
            format!("… {place} にはほか {more} 行、同じ問題（{code}）があります。--format json ですべて表示されます"),
        );
        writeln!(out, "{}\n", text.get(report.lang))?;
    }
    if let Some(comparison) = &report.comparison {
        comparison.write_text(out, report.lang)?;
        writeln!(out)?;
    }
    if let Some(round) = &report.round {
        round.write_table(out, report.lang)?;
    }
    writeln!(out, "{}", report.summary())
}

/// miette labels the advice `help:`; a Japanese report says 対応, which takes the same four
/// columns, so the lines wrapped under it stay aligned. Only a label at the start of a line (after
/// spaces and colour codes) is one.
fn help_in_japanese(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let label = line.find("help: ").filter(|&at| {
            let before = &line[..at];
            let mut in_escape = false;
            before.chars().all(|c| match c {
                '\u{1b}' => {
                    in_escape = true;
                    true
                }
                'm' if in_escape => {
                    in_escape = false;
                    true
                }
                _ if in_escape => true,
                c => c == ' ',
            })
        });
        match label {
            Some(at) => {
                out.push_str(&line[..at]);
                out.push_str("対応: ");
                out.push_str(&line[at + "help: ".len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

/// Where a line may wrap: at spaces, as in English, and in Japanese between phrases — after
/// punctuation, before an opening bracket, and where a run of hiragana (the particles and endings
/// that close a phrase) gives way to another script — so that 「してください。」 is not cut in two.
fn phrases(line: &str) -> Box<dyn Iterator<Item = textwrap::core::Word<'_>> + '_> {
    let mut starts = vec![0];
    let mut previous: Option<char> = None;
    for (at, c) in line.char_indices() {
        if let Some(before) = previous {
            let after_space = before == ' ' && c != ' ';
            let after_punctuation = matches!(
                before,
                '、' | '。' | '，' | '．' | '」' | '）' | '』' | '】' | '・' | ':' | '：'
            );
            let before_bracket = matches!(c, '「' | '（' | '『' | '【') && before != ' ';
            let phrase_ends = is_hiragana(before) && !is_hiragana(c) && !is_closing(c);
            if after_space
                || ((after_punctuation || phrase_ends) && !is_closing(c))
                || before_bracket
            {
                starts.push(at);
            }
        }
        previous = Some(c);
    }
    starts.dedup();
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([line.len()]).collect();
    Box::new(
        starts
            .into_iter()
            .zip(ends)
            .filter(|(start, end)| start < end)
            .map(move |(start, end)| textwrap::core::Word::from(&line[start..end])),
    )
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}')
}

/// Characters a line may not start with (禁則): closing punctuation and the like.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '」'
            | '）'
            | '』'
            | '】'
            | 'ー'
            | '・'
            | ':'
            | '：'
            | ')'
            | ','
            | '.'
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_advice_is_labelled_in_japanese_only_where_miette_put_the_label() {
        let rendered = "  × 値が違います help: これは本文\n  \u{1b}[36mhelp: \u{1b}[0m数値を入力\n        してください\n";
        let text = help_in_japanese(rendered);
        assert_eq!(
            text,
            "  × 値が違います help: これは本文\n  \u{1b}[36m対応: \u{1b}[0m数値を入力\n        してください\n"
        );
    }

    fn words(line: &str) -> Vec<String> {
        phrases(line)
            .map(|w| format!("{}{}", w.word, w.whitespace))
            .collect()
    }

    #[test]
    fn japanese_wraps_between_phrases_never_inside_one() {
        assert_eq!(
            words("セルが数値になるよう、数字だけを入力してください。"),
            [
                "セルが",
                "数値になるよう、",
                "数字だけを",
                "入力してください。"
            ]
        );
        assert_eq!(words("Type the number"), ["Type ", "the ", "number"]);
        let text = "「値」には数値を入力してください（入力値: abc）";
        assert_eq!(words(text).concat(), text, "nothing lost");
    }
}
