//! The report as Markdown, for a CI's job summary (`$GITHUB_STEP_SUMMARY`): the headline, the
//! round at a glance, then every problem, errors first, each with its place, message and help.

use std::io::{self, Write};

use super::html::escape;
use super::{Report, Severity};
use crate::lang::Text;

/// The most bytes a job summary may hold (GitHub's limit is 1 MiB); the rest is left to the log.
const MOST_BYTES: usize = 900 * 1024;

/// Text safe in a Markdown table cell: no markup, no line breaks, pipes escaped.
fn cell(text: &str) -> String {
    escape(text).replace('|', "\\|").replace(['\r', '\n'], " ")
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let lang = report.lang;
    let tr = |en: &str, ja: &str| Text::new(en, ja).get(lang).to_string();
    let tally = report.tally();
    let headline = match tally.errors {
        0 => tr("annex: passed", "annex: 合格"),
        _ => tr("annex: failed", "annex: 不合格"),
    };
    let mut text = format!("## {headline}\n\n{}\n\n", report.summary());
    if let Some(round) = &report.round {
        text.push_str("```text\n");
        let mut table = Vec::new();
        round.write_table(&mut table, lang)?;
        text.push_str(&String::from_utf8_lossy(&table));
        text.push_str("```\n\n");
    }
    if report.diagnostics.is_empty() {
        return out.write_all(text.as_bytes());
    }
    text.push_str(&format!(
        "| {} | {} | {} | {} | {} |\n|---|---|---|---|---|\n",
        tr("severity", "重大度"),
        tr("where", "場所"),
        tr("code", "コード"),
        tr("problem", "問題"),
        tr("what to do", "直し方"),
    ));
    let ordered = (report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error))
    .chain(
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning),
    );
    for (shown, d) in ordered.enumerate() {
        if text.len() > MOST_BYTES {
            let left = report.diagnostics.len() - shown;
            text.push_str(&format!(
                "\n{}\n",
                Text::new(
                    format!("… and {left} more: see the log, or run annex check --format json."),
                    format!(
                        "… ほか {left} 件はログか annex check --format json を参照してください。"
                    ),
                )
                .get(lang)
            ));
            break;
        }
        let severity = match d.severity {
            Severity::Error => tr("error", "エラー"),
            Severity::Warning => tr("warning", "警告"),
        };
        text.push_str(&format!(
            "| {severity} | {} | `{}` | {} | {} |\n",
            cell(&d.location.display()),
            cell(&d.code),
            cell(d.message.get(lang)),
            cell(d.help.get(lang)),
        ));
    }
    out.write_all(text.as_bytes())
}
