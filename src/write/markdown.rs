//! `annex.md`: the council's annex as Markdown, readable on any code-hosting site.

use std::io::{self, Write};

use super::annex_doc::Part;
use crate::compare::{Comparison, Kind};
use crate::schema::Schemas;

pub const TITLE: &str = "医療機器・ヘルスケア協議会 これまでの取組（別添）";

/// Text safe inside a Markdown table cell: pipes escaped, line breaks as `<br>`.
fn cell(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace("\r\n", "\n")
        .replace('\n', "<br>")
}

/// The first lines of `annex.md`: the title, and what a partial round lacks.
pub fn heading(out: &mut impl Write, partial: Option<&str>) -> io::Result<()> {
    writeln!(out, "# {TITLE}")?;
    match partial {
        Some(note) => writeln!(out, "\n> {}", cell(note)),
        None => Ok(()),
    }
}

/// One part of the annex as Markdown, as the master is walked.
pub fn part(out: &mut impl Write, part: &Part) -> io::Result<()> {
    match part {
        Part::Challenge { heading, direction } => {
            write!(out, "\n## {}\n", cell(heading))?;
            match direction {
                Some(direction) => write!(out, "\n目指す方向: {}\n", cell(direction)),
                None => Ok(()),
            }
        }
        Part::Section { heading } => write!(out, "\n### {}\n", cell(heading)),
        Part::Group { theme } => {
            if let Some(theme) = theme {
                write!(out, "\n#### {}\n", cell(theme))?;
            }
            write!(out, "\n| 論点 | 取組 | 担当府省 |\n|---|---|---|\n")
        }
        Part::Issue(issue) => {
            if issue.measures.is_empty() {
                writeln!(out, "| {} | （取組なし） | |", cell(&issue.question))?;
            }
            for (n, measure) in issue.measures.iter().enumerate() {
                let question = match n {
                    0 => cell(&issue.question),
                    _ => String::new(),
                };
                let mut body = format!("**{}**<br>{}", cell(&measure.title), cell(&measure.text));
                for figure in &measure.figures {
                    body.push_str(&format!("<br>・{}", cell(figure)));
                }
                let ministries = cell(&measure.ministries.join("\n"));
                writeln!(out, "| {question} | {body} | {ministries} |")?;
            }
            Ok(())
        }
    }
}

/// The section of `annex.md` that sets this round beside the last: how much changed, then a line
/// per change.
pub fn comparison(
    out: &mut impl Write,
    comparison: &Comparison,
    schemas: &Schemas,
) -> io::Result<()> {
    writeln!(out, "\n## 前回比\n")?;
    let counts: Vec<String> = (Kind::ALL.iter().zip(comparison.counts()))
        .filter(|(_, n)| *n > 0)
        .map(|(kind, n)| format!("{} {n} 件", kind.ja()))
        .collect();
    let previous = cell(&comparison.previous);
    if counts.is_empty() {
        return writeln!(out, "前回（{previous}）から変化はありません。");
    }
    writeln!(out, "前回（{previous}）との比較: {}\n", counts.join("、"))?;
    writeln!(out, "| 区分 | ID | 名称 | 変化 | 項目 | 前回 | 今回 | 増減 |\n|---|---|---|---|---|---|---|---|")?;
    for change in &comparison.changes {
        let entity = &schemas.entities[change.entity];
        let header = change.field_header(schemas);
        let (before, after) = change.shown_values();
        let by = change.shown_difference().ja;
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {by} |",
            cell(&entity.sheet),
            cell(&change.key),
            cell(&change.name),
            change.kind.ja(),
            cell(header),
            cell(&before),
            cell(&after),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc <d>"), "a\\|b<br>c &lt;d&gt;");
    }
}
