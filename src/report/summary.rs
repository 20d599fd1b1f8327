//! The round at a glance: for each sender, its workbooks, their template version, the rows of
//! each submission sheet, and the errors and warnings in its files; then whoever sent nothing.
//! Every format carries it: a table for people, the `round` key in JSON, log lines on GitHub.

use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::html::escape;
use super::{Diagnostic, Severity};
use crate::lang::{Lang, Text};
use crate::schema::Schemas;
use crate::validate::round::{sender_name, Round, Scope, Sender};

/// The round's summary, ready to print.
#[derive(Debug)]
pub struct Summary {
    pub scope: Scope,
    /// The submission sheets counted, as (sheet name, the entity's plural key).
    sheets: Vec<(String, String)>,
    pub senders: Vec<SenderLine>,
    /// Organisations with no workbook, as (code, name people use).
    pub missing: Vec<(String, Text)>,
}

/// One sender's line.
#[derive(Debug)]
pub struct SenderLine {
    /// The organisation's code; `None` for the council master or an unknown sender.
    pub code: Option<String>,
    pub name: Text,
    /// The name alone, as `annex.json` names organisations (経産省).
    pub short_name: String,
    pub files: Vec<Arc<str>>,
    pub templates: Vec<String>,
    /// Rows of each of [`Summary::sheets`], summed over the sender's files; `None` for the
    /// council master, which has none of them.
    pub rows: Option<Vec<usize>>,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    pub fn of(round: &Round, schemas: &Schemas, diagnostics: &[Diagnostic]) -> Summary {
        let mut by_file: HashMap<&str, (usize, usize)> = HashMap::new();
        for d in diagnostics {
            let tally = by_file.entry(&d.location.file).or_default();
            match d.severity {
                Severity::Error => tally.0 += 1,
                Severity::Warning => tally.1 += 1,
            }
        }
        let submission: Vec<usize> = (0..schemas.entities.len())
            .filter(|&e| schemas.entities[e].workbook != "council")
            .collect();
        let sheets = (submission.iter())
            .map(|&e| &schemas.entities[e])
            .map(|e| (e.sheet.clone(), e.plural.clone()))
            .collect();
        let senders = std::iter::once(Sender::Council)
            .chain((0..schemas.organisations.len()).map(Sender::Organisation))
            .chain(std::iter::once(Sender::Unknown));
        let senders = senders
            .filter_map(|sender| {
                let workbooks: Vec<_> = round.of(sender).collect();
                if workbooks.is_empty() {
                    return None;
                }
                let mut templates: Vec<String> = (workbooks.iter())
                    .filter_map(|w| w.template.clone())
                    .collect();
                templates.dedup();
                let rows = (sender != Sender::Council).then(|| {
                    (submission.iter())
                        .map(|&e| workbooks.iter().map(|w| w.rows[e]).sum())
                        .collect()
                });
                let tally = |pick: fn(&(usize, usize)) -> usize| {
                    (workbooks.iter())
                        .filter_map(|w| by_file.get(&*w.file))
                        .map(pick)
                        .sum()
                };
                Some(SenderLine {
                    code: match sender {
                        Sender::Organisation(org) => {
                            schemas.organisations.get(org).map(|o| o.code.clone())
                        }
                        _ => None,
                    },
                    name: sender_name(schemas, sender),
                    short_name: match sender {
                        Sender::Organisation(org) => (schemas.organisations.get(org))
                            .map_or_else(String::new, |o| o.short_name.clone()),
                        _ => sender_name(schemas, sender).ja,
                    },
                    files: workbooks.iter().map(|w| w.file.clone()).collect(),
                    templates,
                    rows,
                    errors: tally(|t| t.0),
                    warnings: tally(|t| t.1),
                })
            })
            .collect();
        let missing = (round.missing.iter())
            .filter_map(|&org| {
                let code = schemas.organisations.get(org)?.code.clone();
                Some((code, sender_name(schemas, Sender::Organisation(org))))
            })
            .collect();
        Summary {
            scope: round.scope,
            sheets,
            senders,
            missing,
        }
    }

    /// The table as rows of cells, the header first.
    fn rows(&self, lang: Lang) -> Vec<Vec<String>> {
        let tr = |en: &str, ja: &str| Text::new(en, ja).get(lang).to_string();
        let mut header = vec![
            tr("sender", "提出元"),
            tr("file", "ファイル"),
            tr("template", "テンプレート版"),
        ];
        header.extend(self.sheets.iter().map(|(sheet, _)| sheet.clone()));
        header.extend([tr("errors", "エラー"), tr("warnings", "警告")]);
        let mut table = vec![header];
        for line in &self.senders {
            let files: Vec<&str> = line.files.iter().map(|f| &**f).collect();
            let mut cells = vec![
                line.name.get(lang).to_string(),
                files.join(", "),
                match line.templates.is_empty() {
                    true => "—".to_string(),
                    false => line.templates.join(", "),
                },
            ];
            match &line.rows {
                Some(rows) => cells.extend(rows.iter().map(usize::to_string)),
                None => cells.extend(self.sheets.iter().map(|_| "—".to_string())),
            }
            cells.extend([line.errors.to_string(), line.warnings.to_string()]);
            table.push(cells);
        }
        table
    }

    /// Who has sent nothing, as one line: "No workbook from: 厚労省 (MHLW)".
    fn missing_line(&self, lang: Lang) -> Option<String> {
        if self.missing.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.missing.iter().map(|(_, n)| n.get(lang)).collect();
        let said = match (self.scope, lang) {
            (Scope::Whole, Lang::En) => "No workbook from",
            (Scope::Part, Lang::En) => "Not in this run",
            (Scope::Whole, Lang::Ja) => "未提出",
            (Scope::Part, Lang::Ja) => "今回の対象外",
        };
        let separator = Text::new(", ", "、").get(lang).to_string();
        Some(format!("{said}: {}", names.join(&separator)))
    }

    /// The table as HTML, every text escaped.
    pub fn write_html(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()> {
        if !self.senders.is_empty() {
            let rows = self.rows(lang);
            writeln!(out, "<table class=\"round\">")?;
            for (at, row) in rows.iter().enumerate() {
                let tag = if at == 0 { "th" } else { "td" };
                let cells: String = (row.iter())
                    .map(|cell| format!("<{tag}>{}</{tag}>", escape(cell)))
                    .collect();
                writeln!(out, "<tr>{cells}</tr>")?;
            }
            writeln!(out, "</table>")?;
        }
        if let Some(line) = self.missing_line(lang) {
            writeln!(out, "<p class=\"missing\">{}</p>", escape(&line))?;
        }
        Ok(())
    }

    /// The table people read, aligned by display width (a kanji is two columns).
    pub fn write_table(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()> {
        if self.senders.is_empty() {
            return Ok(());
        }
        let tr = |en: &str, ja: &str| Text::new(en, ja).get(lang).to_string();
        let table = self.rows(lang);
        let widths: Vec<usize> = (0..table[0].len())
            .map(|c| table.iter().map(|row| row[c].width()).max().unwrap_or(0))
            .collect();
        writeln!(out, "{}", tr("The round:", "提出状況:"))?;
        for row in &table {
            let mut line = String::from(" ");
            for (cell, width) in row.iter().zip(&widths) {
                line.push_str("  ");
                line.push_str(cell);
                line.push_str(&" ".repeat(width - cell.width()));
            }
            writeln!(out, "{}", line.trim_end())?;
        }
        if let Some(line) = self.missing_line(lang) {
            writeln!(out, "   {line}")?;
        }
        Ok(())
    }
}

impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut round = serializer.serialize_map(Some(3))?;
        let scope = match self.scope {
            Scope::Whole => "whole",
            Scope::Part => "part",
        };
        round.serialize_entry("scope", scope)?;
        let senders: Vec<_> = self.senders.iter().map(|s| Line(s, self)).collect();
        round.serialize_entry("senders", &senders)?;
        let missing: Vec<&str> = self.missing.iter().map(|(code, _)| code.as_str()).collect();
        round.serialize_entry("missing", &missing)?;
        round.end()
    }
}

struct Line<'a>(&'a SenderLine, &'a Summary);

impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (line, summary) = (self.0, self.1);
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("organisation", &line.code)?;
        map.serialize_entry("name", &line.short_name)?;
        let files: Vec<&str> = line.files.iter().map(|f| &**f).collect();
        map.serialize_entry("files", &files)?;
        map.serialize_entry("template_version", &line.templates.first())?;
        if let Some(rows) = &line.rows {
            for ((_, plural), count) in summary.sheets.iter().zip(rows) {
                map.serialize_entry(plural, count)?;
            }
        }
        map.serialize_entry("errors", &line.errors)?;
        map.serialize_entry("warnings", &line.warnings)?;
        map.end()
    }
}
