//! The round at a glance: for each sender, its workbooks, their template version, the rows of
//! each submission sheet, and the errors and warnings in its files; then whoever sent nothing.
//! Every format carries it: a table for people, the `round` key in JSON, log lines on GitHub.

use std::io::{self, Write};
use std::sync::Arc;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use super::html::escape;
use crate::lang::{Lang, Text};

/// The round's summary, ready to print.
#[derive(Debug)]
pub struct Summary {
    /// Whether the run holds the whole round (so the missing are missing, not just elsewhere).
    pub whole: bool,
    /// The submission sheets counted, as (sheet name, the entity's plural key).
    pub sheets: Vec<(String, String)>,
    pub senders: Vec<SenderLine>,
    /// Organisations with no workbook, as (code, name people use).
    pub missing: Vec<(String, Text)>,
}

/// One sender's line.
#[derive(Debug)]
pub struct SenderLine {
    /// Whether its workbook is there but could not be read (提出あり（読めません）).
    pub unreadable: bool,
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
            match (&line.rows, line.unreadable) {
                (_, true) => {
                    cells.extend((self.sheets.iter().enumerate()).map(|(at, _)| match at {
                        0 => tr("received, unreadable", "提出あり（読めません）"),
                        _ => "—".to_string(),
                    }))
                }
                (Some(rows), false) => cells.extend(rows.iter().map(usize::to_string)),
                (None, false) => cells.extend(self.sheets.iter().map(|_| "—".to_string())),
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
        let said = match (self.whole, lang) {
            (true, Lang::En) => "No workbook from",
            (false, Lang::En) => "Not in this run",
            (true, Lang::Ja) => "未提出",
            (false, Lang::Ja) => "今回の対象外",
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
        let scope = match self.whole {
            true => "whole",
            false => "part",
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
        if line.unreadable {
            map.serialize_entry("unreadable", &true)?;
        }
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
