//! `--format html`: the report as one page a secretariat can open, forward and print: no script,
//! no external resource. A pass/fail headline, the round at a glance, then the problems, errors
//! before warnings, grouped by file, sheet and code, each with its row drawn as a small grid and
//! the cell at fault marked. The first few of a code in a sheet are shown, then how many more
//! rows are like them. Every text from a workbook goes through [`escape`].

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use super::{Diagnostic, Kind, Report, Severity, Snippet, SHOWN_PER_CODE};
use crate::lang::{Lang, Text};

/// Text as HTML (or XML: the JUnit report) shows it, never as markup; control characters, which
/// XML 1.0 does not allow, are dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
body { font-family: "BIZ UDPGothic", "BIZ UDPゴシック", "Yu Gothic", "Noto Sans CJK JP", sans-serif;
  margin: 2em auto; max-width: 60em; padding: 0 1em; color: #1a1a1a; line-height: 1.6; }
header { padding: 0.8em 1.2em; border-radius: 6px; margin-bottom: 1.5em; }
header.pass { background: #e6f4ea; border: 2px solid #1e7e34; }
header.fail { background: #fdecea; border: 2px solid #b3261e; }
h1 { margin: 0; font-size: 1.6em; }
h2 { border-bottom: 2px solid #1f4e79; padding-bottom: 0.2em; margin-top: 2em; }
h3 { background: #1f4e79; color: #fff; padding: 0.3em 0.6em; margin-top: 1.5em; }
h4 { border-left: 6px solid #1f4e79; padding-left: 0.5em; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #999; padding: 0.2em 0.5em; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
.problem { border: 1px solid #ccc; border-left: 6px solid #b3261e; padding: 0.5em 1em; margin: 0.7em 0;
  break-inside: avoid; }
.problem.warning { border-left-color: #b26a00; }
.code { font-family: monospace; color: #555; }
.where { font-weight: bold; }
.help::before { content: "→ "; }
td.fault { background: #fde7b0; outline: 2px solid #b3261e; font-weight: bold; }
.more { color: #555; font-style: normal; }
@media print { body { margin: 0; max-width: none; } h3 { break-after: avoid; } h4 { break-after: avoid; } }
"#;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let lang = report.lang;
    let tr = |en: &str, ja: &str| Text::new(en, ja).get(lang).to_string();
    let tally = report.tally();
    let mut page = String::new();
    let html_lang = match lang {
        Lang::Ja => "ja",
        Lang::En => "en",
    };
    page.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"{html_lang}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(&tr("annex: check report", "annex 確認結果"))
    ));
    let (class, verdict) = match tally.errors {
        0 => ("pass", tr("Passed", "合格")),
        _ => ("fail", tr("Not passed", "不合格")),
    };
    page.push_str(&format!(
        "<header class=\"{class}\"><h1>{}: {}</h1></header>\n",
        escape(&verdict),
        escape(&report.summary())
    ));
    if let Some(round) = &report.round {
        page.push_str(&format!(
            "<h2>{}</h2>\n",
            escape(&tr("The round", "提出状況"))
        ));
        let mut table = Vec::new();
        round.write_html(&mut table, lang)?;
        page.push_str(&String::from_utf8_lossy(&table));
    }
    out.write_all(page.as_bytes())?;
    for (severity, title) in [
        (Severity::Error, tr("Errors", "エラー")),
        (Severity::Warning, tr("Warnings", "警告")),
    ] {
        let (groups, total) = grouped(report, severity);
        if total == 0 {
            continue;
        }
        writeln!(out, "<h2>{} ({total})</h2>", escape(&title))?;
        write_grouped(out, &groups, lang)?;
    }
    if let Some(comparison) = &report.comparison {
        comparison.write_html(out, lang)?;
    }
    writeln!(out, "</body>\n</html>")
}

/// The problems of one code in one sheet of one file: the first few, and how many there are.
struct Group {
    file: Arc<str>,
    sheet: Option<Arc<str>>,
    code: String,
    shown: Vec<Diagnostic>,
    count: usize,
}

/// The problems of one severity in groups, in report order (a file's, then a sheet's, problems
/// come together), keeping only the few of each group the page shows; and their number.
fn grouped(report: &Report, severity: Severity) -> (Vec<Group>, usize) {
    let mut groups: Vec<Group> = Vec::new();
    let mut index: HashMap<Kind, usize> = HashMap::new();
    let mut total = 0;
    for d in report.diagnostics.iter().filter(|d| d.severity == severity) {
        total += 1;
        let at = &d.location;
        let key = (at.file.clone(), at.sheet.clone(), d.code.clone());
        let n = *index.entry(key).or_insert_with(|| {
            groups.push(Group {
                file: at.file.clone(),
                sheet: at.sheet.clone(),
                code: d.code.clone(),
                shown: Vec::new(),
                count: 0,
            });
            groups.len() - 1
        });
        let group = &mut groups[n];
        group.count += 1;
        if group.shown.len() < SHOWN_PER_CODE {
            group.shown.push(d.into_owned());
        }
    }
    (groups, total)
}

/// Problems of one severity by file, sheet and code, in report order.
fn write_grouped(out: &mut dyn Write, groups: &[Group], lang: Lang) -> io::Result<()> {
    let mut file: Option<&str> = None;
    let mut sheet: Option<Option<&str>> = None;
    for group in groups {
        if file != Some(&*group.file) {
            writeln!(out, "<h3>{}</h3>", escape(&group.file))?;
            file = Some(&group.file);
            sheet = None;
        }
        if sheet != Some(group.sheet.as_deref()) {
            if let Some(name) = &group.sheet {
                let label = Text::new(format!("sheet {name}"), format!("シート「{name}」"));
                writeln!(out, "<h4>{}</h4>", escape(label.get(lang)))?;
            }
            sheet = Some(group.sheet.as_deref());
        }
        for d in &group.shown {
            write_problem(out, d, lang)?;
        }
        let more = group.count.saturating_sub(SHOWN_PER_CODE);
        if more > 0 {
            let code = &group.code;
            let text = Text::new(
                format!("… and {more} more rows like this ({code}); the JSON report lists every one."),
                format!("… ほか {more} 行も同じ問題です（{code}）。JSON形式の報告にはすべて載っています。"),
            );
            writeln!(out, "<p class=\"more\">{}</p>", escape(text.get(lang)))?;
        }
    }
    Ok(())
}

fn write_problem(out: &mut dyn Write, d: &Diagnostic, lang: Lang) -> io::Result<()> {
    let class = match d.severity {
        Severity::Error => "problem error",
        Severity::Warning => "problem warning",
    };
    let at = &d.location;
    let place = match (at.cell(), &at.header, at.row) {
        (Some(cell), Some(header), _) => format!("{cell}（{header}）"),
        (Some(cell), None, _) => cell,
        (None, Some(header), Some(row)) => format!("{row}: {header}"),
        (None, None, Some(row)) => row.to_string(),
        (None, _, None) => String::new(),
    };
    writeln!(out, "<article class=\"{class}\">")?;
    writeln!(
        out,
        "<p><span class=\"where\">{}</span> <span class=\"code\">{}</span></p>",
        escape(&place),
        escape(&d.code)
    )?;
    writeln!(
        out,
        "<p class=\"message\">{}</p>",
        escape(d.message.get(lang))
    )?;
    if let Some(snippet) = &d.snippet {
        write_grid(out, snippet)?;
    }
    writeln!(out, "<p class=\"help\">{}</p>", escape(d.help.get(lang)))?;
    for related in &d.related {
        writeln!(
            out,
            "<p class=\"related\">{}: {}</p>",
            escape(related.note.get(lang)),
            escape(&related.location.display())
        )?;
    }
    writeln!(out, "</article>")
}

/// The problem's row as a small grid: a header of column letters and headers, then the cells,
/// the one at fault marked.
fn write_grid(out: &mut dyn Write, snippet: &Snippet) -> io::Result<()> {
    write!(out, "<table class=\"row\"><tr><th></th>")?;
    for cell in &snippet.cells {
        write!(
            out,
            "<th>{} {}</th>",
            escape(&cell.column),
            escape(&cell.header)
        )?;
    }
    write!(out, "</tr><tr><th>{}</th>", snippet.row)?;
    for cell in &snippet.cells {
        match cell.at_fault {
            true => write!(out, "<td class=\"fault\">{}</td>", escape(&cell.value))?,
            false => write!(out, "<td>{}</td>", escape(&cell.value))?,
        }
    }
    writeln!(out, "</tr></table>")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_from_a_workbook_is_never_markup() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & <img onerror='y'>"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img onerror=&#39;y&#39;&gt;"
        );
    }
}
