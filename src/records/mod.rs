//! Checked records: a row of a sheet as read (its values by English key, and enough of its sheet
//! to point back at every cell), and the compact store that keeps every record of a run once it
//! is checked, for the cross-record rules and the outputs.

mod store;

use std::sync::Arc;

use serde_json::Value;

use crate::report::{Location, Snippet, SnippetCell};
use crate::schema::{Entity, Schemas};

pub use store::{Batch, Field, Keep, List, Record, Records};

/// How one sheet of one workbook is laid out: which column holds which field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SheetLayout {
    pub file: Arc<str>,
    pub sheet: Arc<str>,
    /// Index into [`Schemas::entities`].
    pub entity: usize,
    /// For each field of the entity, by field index, the 0-based column that holds it.
    pub columns: Vec<Option<u32>>,
}

impl SheetLayout {
    /// Where a field's cell is in a row, as far as the sheet has the column.
    pub fn location(&self, entity: &Entity, row: u32, field: usize) -> Location {
        Location {
            row: Some(row),
            column: self.columns.get(field).copied().flatten(),
            header: entity.fields.get(field).map(|f| f.header.clone()),
            ..Location::sheet(&self.file, &self.sheet)
        }
    }
}

/// Placeholder shown in a snippet for a cell with nothing in it.
const EMPTY_CELL: &str = "（空欄）";
/// How many filled cells on each side of the cell at fault a snippet shows.
const NEIGHBOURS: usize = 1;
/// Longest stretch of a neighbouring cell shown in a snippet.
const NEIGHBOUR_CHARS: usize = 16;
/// Longest stretch of the cell at fault shown in a snippet.
const TARGET_CHARS: usize = 60;

/// A row as read: all its values, before it is checked and stored.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadRow {
    pub layout: Arc<SheetLayout>,
    /// 1-based row number.
    pub row: u32,
    /// A JSON object, keys in the schema's order.
    pub values: Value,
    /// Keys of the fields found invalid, when read or against the schema. They were reported
    /// once; every later check sees them as absent, so one mistake gives one diagnostic.
    pub rejected: Vec<String>,
}

impl ReadRow {
    pub fn entity(&self) -> usize {
        self.layout.entity
    }

    pub fn is_rejected(&self, key: &str) -> bool {
        self.rejected.iter().any(|k| k == key)
    }

    /// The cell that holds `key` in this row.
    pub fn location(&self, schemas: &Schemas, key: &str) -> Location {
        let entity = &schemas.entities[self.entity()];
        match entity.field_index(key) {
            Some(field) => self.layout.location(entity, self.row, field),
            None => Location {
                row: Some(self.row),
                ..Location::sheet(&self.layout.file, &self.layout.sheet)
            },
        }
    }

    /// The row written out, with the span of the cell that holds `key`.
    pub fn snippet(&self, schemas: &Schemas, key: &str) -> Option<Snippet> {
        let entity = &schemas.entities[self.entity()];
        let target = entity.field_index(key)?;
        row_snippet(&self.layout, entity, self.row, &self.values, target, None)
    }
}

/// The row as one line of `header: value` pairs in column order, with the span of the value of
/// field `target`; `found` replaces that value when the cell could not be read.
pub fn row_snippet(
    layout: &SheetLayout,
    entity: &Entity,
    row: u32,
    values: &Value,
    target: usize,
    found: Option<&str>,
) -> Option<Snippet> {
    layout.columns.get(target).copied().flatten()?;
    let mut present: Vec<(u32, usize)> = layout
        .columns
        .iter()
        .enumerate()
        .filter(|(field, _)| {
            *field == target
                || entity
                    .fields
                    .get(*field)
                    .is_some_and(|f| values.get(&f.key).is_some())
        })
        .filter_map(|(field, column)| column.map(|c| (c, field)))
        .collect();
    present.sort_unstable();
    let at = present
        .iter()
        .position(|(_, field)| *field == target)
        .unwrap_or(0);
    let key = entity.field_index(&entity.key);
    let shown = present
        .iter()
        .enumerate()
        .filter(|(i, (_, field))| i.abs_diff(at) <= NEIGHBOURS || Some(*field) == key)
        .map(|(_, cell)| *cell);
    let mut text = String::new();
    let mut span = (0, 0);
    let mut cells = Vec::new();
    for (column, field) in shown {
        let Some(spec) = entity.fields.get(field) else {
            continue;
        };
        let value = values.get(&spec.key);
        if !text.is_empty() {
            text.push_str("  │  ");
        }
        text.push_str(&crate::report::column_name(column));
        text.push(' ');
        text.push_str(&spec.header);
        text.push_str(": ");
        let shown_value = match (field == target, found) {
            (true, Some(found)) => found.to_string(),
            _ => value
                .map(display_value)
                .unwrap_or_else(|| EMPTY_CELL.into()),
        };
        let limit = if field == target {
            TARGET_CHARS
        } else {
            NEIGHBOUR_CHARS
        };
        let start = text.len();
        let value = one_line(&shown_value, limit);
        text.push_str(&value);
        if field == target {
            span = (start, text.len() - start);
        }
        cells.push(SnippetCell {
            column: crate::report::column_name(column),
            header: spec.header.clone(),
            value,
            at_fault: field == target,
        });
    }
    Some(Snippet {
        row,
        text,
        span,
        cells,
    })
}

/// A value as a person reads it: text without quotes, lists joined with 、.
pub fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => items
            .iter()
            .map(display_value)
            .collect::<Vec<_>>()
            .join("、"),
        Value::Bool(true) => "TRUE".into(),
        Value::Bool(false) => "FALSE".into(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Text on one line, cut at `limit` characters with an ellipsis.
fn one_line(text: &str, limit: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let flat = flat.trim();
    if flat.is_empty() {
        return EMPTY_CELL.into();
    }
    if flat.chars().count() <= limit {
        return flat.to_string();
    }
    let mut cut: String = flat.chars().take(limit).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_snippet_shows_the_row_and_spans_the_cell_at_fault() {
        let schemas = Schemas::embedded().unwrap();
        let kpi = schemas.entity_index("kpi").unwrap();
        let entity = &schemas.entities[kpi];
        let mut columns = vec![None; entity.fields.len()];
        columns[entity.field_index("id").unwrap()] = Some(0);
        columns[entity.field_index("value").unwrap()] = Some(3);
        columns[entity.field_index("unit").unwrap()] = Some(4);
        columns[entity.field_index("fy_from").unwrap()] = Some(5);
        let layout = SheetLayout {
            file: "meti.xlsx".into(),
            sheet: "KPI".into(),
            entity: kpi,
            columns,
        };
        let values = json!({"id": "METI-001-K2", "unit": "件", "fy_from": 2024});
        let target = entity.field_index("value").unwrap();
        let snippet = row_snippet(&layout, entity, 7, &values, target, Some("abc")).unwrap();
        assert_eq!(
            snippet.text,
            "A 指標ID: METI-001-K2  │  D 値: abc  │  E 単位: 件"
        );
        let (start, len) = snippet.span;
        assert_eq!(&snippet.text[start..start + len], "abc");
        let missing = row_snippet(&layout, entity, 7, &values, target, None).unwrap();
        let (start, len) = missing.span;
        assert_eq!(&missing.text[start..start + len], EMPTY_CELL);
        let name = entity.field_index("name").unwrap();
        assert_eq!(row_snippet(&layout, entity, 7, &values, name, None), None);
    }

    #[test]
    fn long_text_is_cut_to_one_line() {
        assert_eq!(one_line("a\nb", 10), "a b");
        assert_eq!(one_line("あいうえお", 3), "あいう…");
        assert_eq!(one_line("  ", 3), EMPTY_CELL);
    }
}
