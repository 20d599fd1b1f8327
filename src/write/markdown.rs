//! `annex.md`: the council's annex as Markdown, readable on any code-hosting site.

use std::io::{self, Write};

use super::annex_doc::Part;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc <d>"), "a\\|b<br>c &lt;d&gt;");
    }
}
