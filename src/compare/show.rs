//! The comparison with last round (`--previous`, `annex diff`) as a report shows it: a count of
//! each kind of change and a line for each, after the problems; the JSON report carries it whole
//! under `comparison`, the HTML report as a table.

use std::io::{self, Write};

use serde_json::Value;

use super::{Comparison, Kind};
use crate::lang::{Lang, Text};
use crate::report::{escape, Section};
use crate::schema::Schemas;

/// A comparison with the schemas that name its rows and fields.
#[derive(Clone, Copy)]
pub struct Compared<'a> {
    pub comparison: &'a Comparison,
    pub schemas: &'a Schemas,
    /// How many changes a person's report lists before it counts the rest; none for all.
    pub limit: Option<usize>,
}

/// How many changes the report of a check or a build lists before it counts the rest.
pub const LISTED: usize = 20;

impl Compared<'_> {
    /// `前回比（last/annex.json）: 値の変化 3 件、追加 1 件`, or that nothing changed.
    pub fn headline(&self) -> Text {
        let previous = &self.comparison.previous;
        let counts: Vec<(Kind, usize)> = (Kind::ALL.iter().copied())
            .zip(self.comparison.counts())
            .filter(|(_, n)| *n > 0)
            .collect();
        if counts.is_empty() {
            return Text::new(
                format!("Compared with {previous}: nothing changed"),
                format!("前回比（{previous}）: 変化なし"),
            );
        }
        let join = |each: &dyn Fn(Kind, usize) -> String, by: &str| {
            (counts.iter())
                .map(|&(k, n)| each(k, n))
                .collect::<Vec<_>>()
                .join(by)
        };
        Text::new(
            format!(
                "Compared with {previous}: {}",
                join(&|k, n| format!("{n} {}", k.en()), ", ")
            ),
            format!(
                "前回比（{previous}）: {}",
                join(&|k, n| format!("{} {n} 件", k.ja()), "、")
            ),
        )
    }
}

impl Section for Compared<'_> {
    /// The headline and a line per change, up to `limit` of them.
    fn write_text(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()> {
        let limit = self.limit;
        writeln!(out, "{}", self.headline().get(lang))?;
        let changes = &self.comparison.changes;
        let shown = limit.unwrap_or(changes.len()).min(changes.len());
        for change in &changes[..shown] {
            writeln!(out, "  • {}", change.describe(self.schemas).get(lang))?;
        }
        if shown < changes.len() {
            let rest = changes.len() - shown;
            let more = Text::new(
                format!("  … and {rest} more (all of them: --format json, or annex diff)"),
                format!("  … ほか {rest} 件（すべては --format json または annex diff で）"),
            );
            writeln!(out, "{}", more.get(lang))?;
        }
        Ok(())
    }

    /// The comparison as a section of the HTML report: the headline, and a table of every change
    /// (a page is read in full, then printed).
    fn write_html(&self, out: &mut dyn Write, lang: Lang) -> io::Result<()> {
        let title = Text::new("Compared with last round", "前回比");
        writeln!(out, "<h2>{}</h2>", escape(title.get(lang)))?;
        writeln!(out, "<p>{}</p>", escape(self.headline().get(lang)))?;
        if self.comparison.is_empty() {
            return Ok(());
        }
        let headers = match lang {
            Lang::Ja => ["区分", "ID", "名称", "変化", "項目", "前回", "今回", "増減"],
            Lang::En => [
                "Sheet",
                "ID",
                "Name",
                "Change",
                "Column",
                "Before",
                "After",
                "Difference",
            ],
        };
        write!(out, "<table class=\"comparison\">\n<tr>")?;
        for header in headers {
            write!(out, "<th>{}</th>", escape(header))?;
        }
        writeln!(out, "</tr>")?;
        for change in &self.comparison.changes {
            let entity = &self.schemas.entities[change.entity];
            let header = change.field_header(self.schemas);
            let (before, after) = change.shown_values();
            let by = change.shown_difference();
            let kind = match lang {
                Lang::Ja => change.kind.ja(),
                Lang::En => change.kind.en(),
            };
            write!(out, "<tr>")?;
            for cell in [
                entity.sheet.as_str(),
                &change.key,
                &change.name,
                kind,
                header,
                &before,
                &after,
                by.get(lang),
            ] {
                write!(out, "<td>{}</td>", escape(cell))?;
            }
            writeln!(out, "</tr>")?;
        }
        writeln!(out, "</table>")
    }

    fn to_json(&self) -> Value {
        self.comparison.to_json(self.schemas)
    }
}
