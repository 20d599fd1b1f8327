//! One round's rows, entity by entity, found by key: last round's as its `annex.json` nests them,
//! this round's as the run read them, each remembering where it came from so that a finding
//! about it can point there.

use std::sync::Arc;

use hashbrown::HashMap;
use serde_json::{Map, Value};

use crate::lang::Text;
use crate::records::{Record, Records};
use crate::schema::Schemas;

/// Whose a row is: the council master's (a row of a council sheet), or the organisation's whose
/// code leads its key (`METI` of `METI-003-K1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Owner {
    Council,
    /// Index into [`Schemas::organisations`].
    Organisation(usize),
    /// A key that starts with no organisation's code.
    Unknown,
}

impl Owner {
    pub fn of(schemas: &Schemas, entity: usize, key: &str) -> Owner {
        match schemas.entities.get(entity) {
            Some(entity) if entity.is_council() => Owner::Council,
            _ => schemas
                .lead_of(key)
                .map_or(Owner::Unknown, Owner::Organisation),
        }
    }
}

/// One row: its key and its own fields (its children's lists left out).
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub key: String,
    pub fields: Map<String, Value>,
    /// The run's record the row was read from; none for a row of a master file.
    record: Option<u32>,
}

/// Where a snapshot's rows are.
#[derive(Clone, Copy)]
enum Source<'a> {
    /// A master file.
    File,
    /// The workbooks the run read.
    Records(&'a Records),
}

/// One round's rows.
pub struct Snapshot<'a> {
    /// The master file, or what the run was given.
    pub file: Arc<str>,
    source: Source<'a>,
    /// For each entity, in the schemas' order, its rows in the order met.
    rows: Vec<Vec<Row>>,
    /// For each entity, the place in `rows` of each key's first row.
    by_key: Vec<HashMap<String, usize>>,
    /// The organisations a partial round's master lacks (`missing_organisations`), by index into
    /// [`Schemas::organisations`]: their rows are not this round's to compare.
    pub lacking: Vec<usize>,
    /// The workbook each owner's rows came from, for a finding about a row it no longer has.
    homes: HashMap<Owner, Arc<str>>,
}

/// The key of a master that names, in a partial round's master, whom it lacks.
const LACKS: &str = "missing_organisations";

impl<'a> Snapshot<'a> {
    fn new(file: Arc<str>, source: Source<'a>, schemas: &Schemas) -> Snapshot<'a> {
        let count = schemas.entities.len();
        Snapshot {
            file,
            source,
            rows: vec![Vec::new(); count],
            by_key: vec![HashMap::new(); count],
            lacking: Vec::new(),
            homes: HashMap::new(),
        }
    }

    fn push(&mut self, entity: usize, row: Row) {
        let (Some(rows), Some(by_key)) = (self.rows.get_mut(entity), self.by_key.get_mut(entity))
        else {
            return;
        };
        by_key.entry(row.key.clone()).or_insert(rows.len());
        rows.push(row);
    }

    /// The rows of a master as `annex.json` nests them. Only the fields the schemas know are
    /// kept, so that a master of an older annex compares by what both rounds have; a node
    /// without its key is named, as the master cannot be compared by keys it lacks.
    pub fn of_master(
        master: &Value,
        file: Arc<str>,
        schemas: &Schemas,
    ) -> Result<Snapshot<'static>, Text> {
        let mut snapshot = Snapshot::new(file, Source::File, schemas);
        for (index, entity) in schemas.entities.iter().enumerate() {
            let path = schemas.master_path(entity);
            for (at, node) in super::nodes_at(master, &path).into_iter().enumerate() {
                let key = node
                    .get(&entity.key)
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        Text::new(
                            format!(
                                "{} {} of {} has no \"{}\"",
                                entity.plural,
                                at + 1,
                                path.join(" › "),
                                entity.key
                            ),
                            format!(
                                "{} の {}件目の{}に \"{}\"（{}）がありません",
                                path.join(" › "),
                                at + 1,
                                entity.sheet,
                                entity.key,
                                entity.field(&entity.key).map_or("", |f| f.header.as_str())
                            ),
                        )
                    })?;
                let fields = (entity.fields.iter())
                    .filter_map(|f| Some((f.key.clone(), node.get(&f.key)?.clone())))
                    .collect();
                snapshot.push(
                    index,
                    Row {
                        key: key.to_string(),
                        fields,
                        record: None,
                    },
                );
            }
        }
        let lacking = master.get(LACKS).and_then(Value::as_array);
        snapshot.lacking = (lacking.into_iter().flatten())
            .filter_map(Value::as_str)
            .filter_map(|code| schemas.organisations.iter().position(|o| o.code == code))
            .collect();
        Ok(snapshot)
    }

    /// The rows the run read, in reading order. `file` names what the run was given.
    pub fn of_records(records: &'a Records, file: Arc<str>, schemas: &Schemas) -> Snapshot<'a> {
        let mut snapshot = Snapshot::new(file, Source::Records(records), schemas);
        for (first, batch) in records.numbered() {
            let entity = batch.layout().entity;
            let Some(key_field) = schemas.entities.get(entity).map(|e| &e.key) else {
                continue;
            };
            for (at, record) in batch.records().enumerate() {
                let Some(key) = record.text(key_field) else {
                    continue;
                };
                let owner = Owner::of(schemas, entity, key);
                (snapshot.homes.entry(owner)).or_insert_with(|| batch.layout().file.clone());
                let fields = (record.fields())
                    .map(|(key, field)| (key.to_string(), field.to_value()))
                    .collect();
                let row = Row {
                    key: key.to_string(),
                    fields,
                    record: Some(first.saturating_add(at as u32)),
                };
                snapshot.push(entity, row);
            }
        }
        snapshot
    }

    /// Says which workbook holds an owner's rows, for an owner whose workbook has none.
    pub fn with_home(mut self, owner: Owner, file: Arc<str>) -> Snapshot<'a> {
        self.homes.entry(owner).or_insert(file);
        self
    }

    pub fn rows(&self, entity: usize) -> &[Row] {
        self.rows.get(entity).map_or(&[], Vec::as_slice)
    }

    pub fn find(&self, entity: usize, key: &str) -> Option<&Row> {
        let at = *self.by_key.get(entity)?.get(key)?;
        self.rows.get(entity)?.get(at)
    }

    /// The run's record a row was read from; none for a row of a master file.
    pub fn record(&self, row: &Row) -> Option<Record<'a>> {
        match (self.source, row.record) {
            (Source::Records(records), Some(number)) => records.get(number),
            _ => None,
        }
    }

    /// The workbook an owner's rows came from this round, for a run that read workbooks.
    pub fn home(&self, owner: Owner) -> Option<&Arc<str>> {
        match self.source {
            Source::Records(_) => self.homes.get(&owner),
            Source::File => None,
        }
    }

    /// Whether this round has the owner's workbook, or, for a master, any of its rows.
    pub fn holds(&self, owner: Owner) -> bool {
        match self.source {
            Source::Records(_) => self.homes.contains_key(&owner),
            Source::File => !matches!(owner, Owner::Organisation(o) if self.lacking.contains(&o)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::schemas;
    use serde_json::json;

    #[test]
    fn a_master_is_read_entity_by_entity_and_its_children_left_out() {
        let schemas = schemas();
        let master = json!({"format": "annex/1", "missing_organisations": ["AMED"], "challenges": [
            {"id": "1", "title": "T", "sections": [
                {"id": "1-1", "challenge_id": "1", "title": "S", "issues": [
                    {"id": "1-1-01", "section_id": "1-1", "question": "Q", "measures": [
                        {"id": "METI-001", "issue_id": "1-1-01", "title": "M", "unknown": 1, "kpis": [
                            {"id": "METI-001-K1", "measure_id": "METI-001", "value": 3}
                        ]}
                    ]}
                ]}
            ]}
        ]});
        let snapshot = Snapshot::of_master(&master, "last.json".into(), schemas).unwrap();
        let measure = schemas.entity_index("measure").unwrap();
        let row = snapshot.find(measure, "METI-001").unwrap();
        assert_eq!(
            Value::Object(row.fields.clone()),
            json!({"id": "METI-001", "issue_id": "1-1-01", "title": "M"})
        );
        let kpi = schemas.entity_index("kpi").unwrap();
        assert_eq!(snapshot.rows(kpi).len(), 1);
        assert_eq!(snapshot.lacking, [4]);
        assert!(snapshot.record(row).is_none());
    }

    #[test]
    fn a_node_without_its_key_is_named() {
        let master = json!({"challenges": [{"title": "T", "sections": []}]});
        let error = Snapshot::of_master(&master, "x.json".into(), schemas()).err();
        let error = error.unwrap();
        assert_eq!(error.en, "challenges 1 of challenges has no \"id\"");
        assert!(error.ja.contains("1件目"), "{}", error.ja);
    }

    #[test]
    fn an_owner_is_the_council_or_the_organisation_leading_the_key() {
        let schemas = schemas();
        let issue = schemas.entity_index("issue").unwrap();
        let kpi = schemas.entity_index("kpi").unwrap();
        assert_eq!(Owner::of(schemas, issue, "1-1-01"), Owner::Council);
        assert_eq!(
            Owner::of(schemas, kpi, "METI-001-K1"),
            Owner::Organisation(3)
        );
        assert_eq!(Owner::of(schemas, kpi, "XYZ-001-K1"), Owner::Unknown);
    }
}
