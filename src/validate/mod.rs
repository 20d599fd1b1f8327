//! Rows → problems: each row against its schema, then the rules that span rows, sheets and files.

mod row;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::read::{Record, SheetLayout};
use crate::report::Diagnostic;
use crate::schema::Schemas;

/// Check every record; returns the problems found, in no particular order. Fields that break
/// their schema are marked rejected, so that the cross-record rules do not report them again.
pub fn validate(
    records: &mut [Record],
    sheets: &[Arc<SheetLayout>],
    schemas: &Schemas,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let checked: Vec<_> = records
        .par_iter()
        .map(|record| row::check(record, schemas))
        .collect();
    for (record, (found, invalid)) in records.iter_mut().zip(checked) {
        diagnostics.extend(found);
        record.rejected.extend(invalid);
    }
    let index = Index::new(records, sheets, schemas);
    for rule in rules::RULES {
        (rule.check)(&index, &mut diagnostics);
    }
    diagnostics
}

/// The records of a run, looked up by entity and key, for the cross-record rules.
pub struct Index<'a> {
    pub schemas: &'a Schemas,
    by_entity: Vec<Vec<&'a Record>>,
    by_key: Vec<HashMap<&'a str, &'a Record>>,
    sheet_read: Vec<bool>,
}

impl<'a> Index<'a> {
    pub fn new(
        records: &'a [Record],
        sheets: &[Arc<SheetLayout>],
        schemas: &'a Schemas,
    ) -> Index<'a> {
        let count = schemas.entities.len();
        let mut by_entity = vec![Vec::new(); count];
        let mut by_key = vec![HashMap::new(); count];
        for record in records {
            let entity = record.entity();
            let (Some(list), Some(keys), Some(spec)) = (
                by_entity.get_mut(entity),
                by_key.get_mut(entity),
                schemas.entities.get(entity),
            ) else {
                continue;
            };
            list.push(record);
            if let Some(key) = record.text(&spec.key) {
                keys.entry(key).or_insert(record);
            }
        }
        let mut sheet_read = vec![false; count];
        for sheet in sheets {
            if let Some(read) = sheet_read.get_mut(sheet.entity) {
                *read = true;
            }
        }
        Index {
            schemas,
            by_entity,
            by_key,
            sheet_read,
        }
    }

    pub fn entity(&self, name: &str) -> Option<usize> {
        self.schemas.entity_index(name)
    }

    /// The records of an entity, in reading order.
    pub fn records(&self, entity: usize) -> &[&'a Record] {
        self.by_entity.get(entity).map_or(&[], Vec::as_slice)
    }

    /// The first record of an entity with this key.
    pub fn find(&self, entity: usize, key: &str) -> Option<&'a Record> {
        self.by_key.get(entity)?.get(key).copied()
    }

    /// Whether the run read a sheet of this entity, with rows or without.
    pub fn sheet_read(&self, entity: usize) -> bool {
        self.sheet_read.get(entity).copied().unwrap_or(false)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::Value;
    use std::sync::OnceLock;

    pub fn schemas() -> &'static Schemas {
        static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| Schemas::embedded().expect("embedded schemas compile"))
    }

    /// Records as if read from sheets with every field in its own column, in schema order, rows
    /// numbered from 2 per sheet. Submission rows come from `meti.xlsx`, council rows from
    /// `council.xlsx`.
    pub fn records(rows: &[(&str, Value)]) -> Vec<Record> {
        let schemas = schemas();
        let mut layouts: HashMap<usize, (Arc<SheetLayout>, u32)> = HashMap::new();
        rows.iter()
            .map(|(name, values)| {
                let entity = schemas.entity_index(name).expect("a known entity");
                let spec = &schemas.entities[entity];
                let (layout, next_row) = layouts.entry(entity).or_insert_with(|| {
                    let file = if spec.workbook == "council" {
                        "council.xlsx"
                    } else {
                        "meti.xlsx"
                    };
                    let layout = SheetLayout {
                        file: file.into(),
                        sheet: spec.sheet.as_str().into(),
                        entity,
                        columns: (0..spec.fields.len() as u32).map(Some).collect(),
                    };
                    (Arc::new(layout), 2)
                });
                let record = Record {
                    layout: layout.clone(),
                    row: *next_row,
                    values: values.clone(),
                    rejected: Vec::new(),
                };
                *next_row += 1;
                record
            })
            .collect()
    }

    pub fn layouts(records: &[Record]) -> Vec<Arc<SheetLayout>> {
        let mut layouts: Vec<Arc<SheetLayout>> = Vec::new();
        for record in records {
            if !layouts.iter().any(|l| Arc::ptr_eq(l, &record.layout)) {
                layouts.push(record.layout.clone());
            }
        }
        layouts
    }

    pub fn run_rows(records: &[Record]) -> Vec<Diagnostic> {
        records
            .iter()
            .flat_map(|r| row::check(r, schemas()).0)
            .collect()
    }

    /// The diagnostics one rule gives on these records, as (code, file › sheet › cell).
    pub fn run_rule(rule: &rules::Rule, records: &[Record]) -> Vec<(String, String)> {
        let sheets = layouts(records);
        let index = Index::new(records, &sheets, schemas());
        let mut diagnostics = Vec::new();
        (rule.check)(&index, &mut diagnostics);
        diagnostics
            .into_iter()
            .map(|d| (d.code, d.location.display()))
            .collect()
    }
}
