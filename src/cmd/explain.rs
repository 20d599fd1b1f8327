//! `annex explain`: what a code means and how to fix it, from the catalogue of codes.

use std::io::Write;
use std::process::ExitCode;

use super::{unless_closed, Fatal};
use crate::cli::ExplainConfig;
use crate::lang::{Lang, Text};
use crate::report::catalogue::{self, Entry, CATALOGUE};

pub fn run(config: ExplainConfig) -> Result<ExitCode, Fatal> {
    // A code of a family is shown as asked (kpi.value.type), with its family (*.type).
    let entries: Vec<(String, &Entry)> = match &config.code {
        Some(code) => {
            let code = code.trim();
            let entry = catalogue::entry(code).ok_or_else(|| Fatal::UnknownCode {
                code: code.to_string(),
                near: near(code),
            })?;
            let shown = match entry.code == code {
                true => code.to_string(),
                false => format!("{code} [{}]", entry.code),
            };
            vec![(shown, entry)]
        }
        None => CATALOGUE.iter().map(|e| (e.code.to_string(), e)).collect(),
    };
    let mut out = std::io::stdout().lock();
    let printed = (entries.iter())
        .try_for_each(|(shown, entry)| write_entry(&mut out, shown, entry, config.lang))
        .and_then(|()| out.flush());
    unless_closed(printed)?;
    Ok(ExitCode::SUCCESS)
}

fn write_entry(out: &mut impl Write, code: &str, entry: &Entry, lang: Lang) -> std::io::Result<()> {
    let label = |en: &str, ja: &str| Text::new(en, ja).get(lang).to_string();
    let severity = match entry.severity {
        crate::report::Severity::Error => label("error", "エラー"),
        crate::report::Severity::Warning => label("warning", "警告"),
    };
    writeln!(out, "{code} ({severity})")?;
    writeln!(out, "  {}: {}", label("means", "意味"), entry.means(lang))?;
    writeln!(out, "  {}: {}", label("example", "例"), entry.example(lang))?;
    writeln!(out, "  {}: {}", label("fix", "直し方"), entry.fix(lang))?;
    writeln!(out)
}

/// The codes that share a part with one not found, to suggest.
fn near(code: &str) -> String {
    let parts: Vec<&str> = code.split('.').filter(|p| !p.is_empty()).collect();
    let near: Vec<&str> = (CATALOGUE.iter())
        .map(|entry| entry.code)
        .filter(|known| known.split('.').any(|part| parts.contains(&part)))
        .collect();
    match near.is_empty() {
        true => "run `annex explain` for the list".to_string(),
        false => near.join(", "),
    }
}
