//! Every check annex makes, as diagnostics: a sheet's shape ([`sheet`]), a template's version
//! ([`template_version`]), each row against its schema ([`row`]), the machine-readability profile
//! ([`profile`]), and the rules that span rows, sheets and files ([`rules`]).

pub mod across_rounds;
pub mod profile;
pub mod round;
mod row;
pub mod rules;
pub mod sheet;
pub mod template_version;

use std::hash::BuildHasher;
use std::sync::Arc;

use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};
use rayon::prelude::*;

use crate::records::{Keep, Record, Records, SheetLayout};
use crate::report::{Diagnostic, Snippet};
use crate::schema::Schemas;

pub use profile::Profile;
pub use round::{Round, Scope, TemplateIdentity};
pub use row::check as check_row;

/// The rules that span rows, sheets and files, over records already checked one by one
/// ([`check_row`]) of the round they belong to; returns the problems found, in no particular
/// order.
pub fn validate(
    records: &Records,
    sheets: &[Arc<SheetLayout>],
    schemas: &Schemas,
    round: &Round,
) -> (Vec<Diagnostic>, Vec<Consequence>) {
    let index = Index::new(records, sheets, schemas, round);
    let found = rules::RULES
        .par_iter()
        .flat_map_iter(|rule| {
            let mut found = Vec::new();
            (rule.check)(&index, &mut found);
            found
        })
        .collect();
    let consequences = index.consequences.into_inner().unwrap_or_default();
    (found, consequences)
}

/// What a rule found that is the consequence of a finding made elsewhere (a council master's
/// list naming a measure whose own 論点ID was refused): no finding of its own, but a place to
/// cite with the finding at `at`, so that it is fixed where the mistake is.
#[derive(Debug)]
pub struct Consequence {
    pub at: crate::report::Location,
    pub related: crate::report::Related,
}

/// The fields the cross-record rules read, and every entity's key, by which [`Index`] finds
/// rows: all a check needs to keep of a row once it is checked.
pub fn rule_fields(schemas: &Schemas) -> Keep {
    Keep::matching(schemas, |entity, field| {
        let field = &entity.fields[field];
        field.key == entity.key || rules::RULES.iter().any(|rule| (rule.reads)(entity, field))
    })
}

/// The records of a run, looked up by entity and key, for the cross-record rules.
pub struct Index<'a> {
    pub schemas: &'a Schemas,
    /// Whose each workbook is, and whether the run holds the whole round.
    pub round: &'a Round,
    records: &'a Records,
    /// For each entity, the numbers of its records by key (the first of each key): four bytes a
    /// record, as a run may hold millions.
    by_key: Vec<HashTable<u32>>,
    /// For each entity, every record whose key an earlier record has, with that earlier record's
    /// number, in reading order: met while `by_key` is built.
    repeated: Vec<Vec<(u32, u32)>>,
    hasher: DefaultHashBuilder,
    sheet_read: Vec<bool>,
    /// What a finding's snippet shows: the fields the rules read, whatever the run kept.
    shown: Keep,
    /// The consequences the rules met, for the findings they follow from.
    consequences: std::sync::Mutex<Vec<Consequence>>,
}

impl<'a> Index<'a> {
    pub fn new(
        records: &'a Records,
        sheets: &[Arc<SheetLayout>],
        schemas: &'a Schemas,
        round: &'a Round,
    ) -> Index<'a> {
        let hasher = DefaultHashBuilder::default();
        let key_of = |number: u32| -> &'a str {
            let record = records.get(number);
            let key = schemas
                .entities
                .get(record.map_or(usize::MAX, |r| r.entity()))
                .map(|e| e.key.as_str());
            record
                .zip(key)
                .and_then(|(record, key)| record.text(key))
                .unwrap_or_default()
        };
        let by_key = (0..schemas.entities.len())
            .into_par_iter()
            .map(|entity| {
                let in_entity = || {
                    records
                        .numbered()
                        .filter(move |(_, batch)| batch.layout().entity == entity)
                };
                let count = in_entity().map(|(_, batch)| batch.len()).sum();
                let mut table = HashTable::with_capacity(count);
                let mut repeated = Vec::new();
                let key_field = &schemas.entities[entity].key;
                for (first, batch) in in_entity() {
                    for (at, record) in batch.records().enumerate() {
                        let Some(key) = record.text(key_field) else {
                            continue;
                        };
                        let number = first.saturating_add(at as u32);
                        let hash = hasher.hash_one(key);
                        let entry = table.entry(
                            hash,
                            |&other| key_of(other) == key,
                            |&other| hasher.hash_one(key_of(other)),
                        );
                        match entry {
                            Entry::Occupied(first) => repeated.push((number, *first.get())),
                            Entry::Vacant(slot) => {
                                slot.insert(number);
                            }
                        }
                    }
                }
                (table, repeated)
            })
            .collect::<Vec<_>>();
        let (by_key, repeated) = by_key.into_iter().unzip();
        let mut sheet_read = vec![false; schemas.entities.len()];
        for sheet in sheets {
            if let Some(read) = sheet_read.get_mut(sheet.entity) {
                *read = true;
            }
        }
        Index {
            schemas,
            round,
            records,
            by_key,
            repeated,
            hasher,
            sheet_read,
            shown: rule_fields(schemas),
            consequences: Default::default(),
        }
    }

    /// Notes that what a rule met follows from the finding at `at`, made elsewhere.
    pub fn follows_from(&self, consequence: Consequence) {
        if let Ok(mut consequences) = self.consequences.lock() {
            consequences.push(consequence);
        }
    }

    pub fn entity(&self, name: &str) -> Option<usize> {
        self.schemas.entity_index(name)
    }

    /// The records of an entity, in reading order.
    pub fn records(&self, entity: usize) -> impl Iterator<Item = Record<'a>> + 'a {
        self.records
            .batches()
            .iter()
            .filter(move |batch| batch.layout().entity == entity)
            .flat_map(|batch| batch.records())
    }

    /// The records of an entity whose key an earlier record has, each with that earlier record,
    /// in reading order.
    pub fn repeated_keys(
        &self,
        entity: usize,
    ) -> impl Iterator<Item = (Record<'a>, Record<'a>)> + '_ {
        let records = self.records;
        (self.repeated.get(entity).into_iter().flatten())
            .filter_map(move |&(later, first)| Some((records.get(later)?, records.get(first)?)))
    }

    /// The first record of an entity with this key.
    pub fn find(&self, entity: usize, key: &str) -> Option<Record<'a>> {
        let key_field = &self.schemas.entities.get(entity)?.key;
        let number = self
            .by_key
            .get(entity)?
            .find(self.hasher.hash_one(key), |&number| {
                self.records.get(number).and_then(|r| r.text(key_field)) == Some(key)
            })?;
        self.records.get(*number)
    }

    /// Whether the run read a sheet of this entity, with rows or without.
    pub fn sheet_read(&self, entity: usize) -> bool {
        self.sheet_read.get(entity).copied().unwrap_or(false)
    }

    /// A finding's snippet: the record's row as far as the fields the rules read, whatever the
    /// run kept, so that `check` and `build` show the same.
    pub fn snippet(&self, record: &Record, key: &str) -> Option<Snippet> {
        let entity = record.entity();
        record.snippet(self.schemas, key, |field| self.shown.keeps(entity, field))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::records::ReadRow;
    use serde_json::Value;
    use std::collections::HashMap;
    use std::sync::OnceLock;

    pub fn schemas() -> &'static Schemas {
        static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
        SCHEMAS.get_or_init(|| Schemas::embedded().expect("embedded schemas compile"))
    }

    /// Records as if read from sheets with every field in its own column, in schema order, rows
    /// numbered from 2 per sheet. Submission rows come from `meti.xlsx`, council rows from
    /// `council.xlsx`.
    pub fn records(rows: &[(&str, Value)]) -> Vec<ReadRow> {
        let schemas = schemas();
        let mut layouts: HashMap<usize, (Arc<SheetLayout>, u32)> = HashMap::new();
        rows.iter()
            .map(|(name, values)| {
                let entity = schemas.entity_index(name).expect("a known entity");
                let spec = &schemas.entities[entity];
                let (layout, next_row) = layouts.entry(entity).or_insert_with(|| {
                    let file = if spec.is_council() {
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
                let record = ReadRow {
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

    pub fn layouts(records: &[ReadRow]) -> Vec<Arc<SheetLayout>> {
        let mut layouts: Vec<Arc<SheetLayout>> = Vec::new();
        for record in records {
            if !layouts.iter().any(|l| Arc::ptr_eq(l, &record.layout)) {
                layouts.push(record.layout.clone());
            }
        }
        layouts
    }

    pub fn run_rows(records: &[ReadRow]) -> Vec<Diagnostic> {
        records
            .iter()
            .flat_map(|r| row::check(r, schemas()).0)
            .collect()
    }

    /// The diagnostics one rule gives on these rows, as (code, file › sheet › cell), with only
    /// the fields the rules say they read kept, as `annex check` keeps them.
    pub fn run_rule(rule: &rules::Rule, rows: &[ReadRow]) -> Vec<(String, String)> {
        run_rule_in(Scope::Whole, rule, rows)
    }

    /// [`run_rule`] in a run that holds the whole round, or part of it.
    pub fn run_rule_in(
        scope: Scope,
        rule: &rules::Rule,
        rows: &[ReadRow],
    ) -> Vec<(String, String)> {
        let sheets = layouts(rows);
        let records = Records::from_rows(rows, &rule_fields(schemas()));
        let files: Vec<Arc<str>> = sheets.iter().map(|s| s.file.clone()).collect();
        let round = Round::survey(schemas(), scope, &files, &sheets, &records, &[], &[]);
        let index = Index::new(&records, &sheets, schemas(), &round);
        let mut diagnostics = Vec::new();
        (rule.check)(&index, &mut diagnostics);
        diagnostics
            .into_iter()
            .map(|d| (d.code, d.location.display()))
            .collect()
    }
}
