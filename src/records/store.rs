//! Where the records of a run are kept once each has been read and checked: compactly, because a
//! run may hold a million of them. A row keeps only the fields it will be asked for (all of them
//! for a master; for a check, only those the cross-record rules read), encoded one after another
//! in the byte buffer of the stretch of rows it was read with.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{display_value, row_snippet, ReadRow, SheetLayout};
use crate::report::{Location, Snippet};
use crate::schema::{Entity, Schemas};

/// Which fields of each entity are kept.
#[derive(Clone, Debug)]
pub struct Keep(Vec<Arc<[Kept]>>);

/// A kept field: its index in the entity, and its key.
#[derive(Debug)]
struct Kept {
    field: usize,
    key: Box<str>,
}

impl Keep {
    /// Every field: what a master is built from.
    pub fn all(schemas: &Schemas) -> Keep {
        Keep::matching(schemas, |_, _| true)
    }

    /// The fields for which `wanted` says yes.
    pub fn matching(schemas: &Schemas, wanted: impl Fn(&Entity, usize) -> bool) -> Keep {
        Keep(
            schemas
                .entities
                .iter()
                .map(|entity| {
                    (entity.fields.iter().enumerate())
                        .filter(|(field, _)| wanted(entity, *field))
                        .map(|(field, spec)| Kept {
                            field,
                            key: spec.key.as_str().into(),
                        })
                        .collect()
                })
                .collect(),
        )
    }

    pub fn keeps(&self, entity: usize, field: usize) -> bool {
        self.0
            .get(entity)
            .is_some_and(|kept| kept.iter().any(|k| k.field == field))
    }

    fn of(&self, entity: usize) -> Arc<[Kept]> {
        self.0.get(entity).cloned().unwrap_or_else(|| Arc::new([]))
    }
}

/// How a kept field is written, after its tag byte.
const ABSENT: u8 = 0;
/// Found invalid: reported once, absent to every later check, but known to have been filled in.
const REJECTED: u8 = 1;
/// Text, as UTF-8 after its length.
const TEXT: u8 = 2;
/// Any other value, as JSON after its length.
const JSON: u8 = 3;

/// A length as LEB128: seven bits a byte, most lengths in one.
fn push_length(bytes: &mut Vec<u8>, mut length: usize) {
    loop {
        let low = (length & 0x7f) as u8;
        length >>= 7;
        if length == 0 {
            bytes.push(low);
            return;
        }
        bytes.push(low | 0x80);
    }
}

/// A value as JSON after its length, serialised in place: its length, known only once it is
/// written, takes one byte but for long values.
fn push_json(bytes: &mut Vec<u8>, value: &Value) {
    bytes.push(JSON);
    let at = bytes.len();
    bytes.push(0);
    // Serialising a `Value` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(&mut *bytes, value);
    let length = bytes.len() - at - 1;
    match (u8::try_from(length), bytes.get_mut(at)) {
        (Ok(short @ 0..=0x7f), Some(slot)) => *slot = short,
        _ => {
            let mut prefix = Vec::new();
            push_length(&mut prefix, length);
            bytes.splice(at..at + 1, prefix);
        }
    }
}

/// The rows read together from one stretch of one sheet.
#[derive(Debug)]
pub struct Batch {
    layout: Arc<SheetLayout>,
    kept: Arc<[Kept]>,
    /// Each row's number (1-based) and where its encoding ends in `bytes`.
    rows: Vec<(u32, u32)>,
    bytes: Vec<u8>,
}

impl Batch {
    pub fn new(layout: Arc<SheetLayout>, keep: &Keep) -> Batch {
        Batch {
            kept: keep.of(layout.entity),
            layout,
            rows: Vec::new(),
            bytes: Vec::new(),
        }
    }

    pub fn push(&mut self, row: &ReadRow) {
        let bytes = &mut self.bytes;
        for kept in self.kept.iter() {
            match row.values.get(&*kept.key) {
                _ if row.is_rejected(&kept.key) => bytes.push(REJECTED),
                None => bytes.push(ABSENT),
                Some(Value::String(text)) => {
                    bytes.push(TEXT);
                    push_length(bytes, text.len());
                    bytes.extend_from_slice(text.as_bytes());
                }
                Some(value) => push_json(bytes, value),
            }
        }
        let end = u32::try_from(self.bytes.len()).unwrap_or(u32::MAX);
        self.rows.push((row.row, end));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn layout(&self) -> &Arc<SheetLayout> {
        &self.layout
    }

    pub fn records(&self) -> impl Iterator<Item = Record<'_>> {
        (0..self.rows.len()).map(|at| Record { batch: self, at })
    }

    pub fn get(&self, at: usize) -> Option<Record<'_>> {
        (at < self.rows.len()).then_some(Record { batch: self, at })
    }
}

/// Every record of a run, in reading order.
#[derive(Debug, Default)]
pub struct Records {
    batches: Vec<Batch>,
    /// The number of each batch's first record.
    starts: Vec<u32>,
    /// For every [`WINDOW`] record numbers, the batch that holds the first: where finding a
    /// record's batch starts, so that it takes a step or two, not a search of every batch.
    windows: Vec<u32>,
    count: u32,
}

/// Record numbers per entry of [`Records::windows`].
const WINDOW: u32 = 1024;

impl Records {
    pub fn extend(&mut self, batches: impl IntoIterator<Item = Batch>) {
        for batch in batches.into_iter().filter(|b| !b.is_empty()) {
            let index = u32::try_from(self.batches.len()).unwrap_or(u32::MAX);
            self.starts.push(self.count);
            self.count = self
                .count
                .saturating_add(u32::try_from(batch.len()).unwrap_or(u32::MAX));
            while (self.windows.len() as u64) * u64::from(WINDOW) < u64::from(self.count) {
                self.windows.push(index);
            }
            self.batches.push(batch);
        }
    }

    pub fn batches(&self) -> &[Batch] {
        &self.batches
    }

    /// Each batch with the number of its first record: a record's number is that plus its
    /// place in the batch.
    pub fn numbered(&self) -> impl Iterator<Item = (u32, &Batch)> {
        self.starts.iter().copied().zip(&self.batches)
    }

    /// The record with this number.
    pub fn get(&self, number: u32) -> Option<Record<'_>> {
        let window = (number / WINDOW) as usize;
        let first = *self.windows.get(window)? as usize;
        let last = (self.windows.get(window + 1)).map_or(self.batches.len(), |&b| b as usize + 1);
        let candidates = self.starts.get(first..last)?;
        let batch = first
            + candidates
                .partition_point(|&start| start <= number)
                .checked_sub(1)?;
        let start = *self.starts.get(batch)?;
        self.batches.get(batch)?.get((number - start) as usize)
    }

    pub fn iter(&self) -> impl Iterator<Item = Record<'_>> {
        self.batches.iter().flat_map(Batch::records)
    }

    pub fn len(&self) -> usize {
        self.batches.iter().map(Batch::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.batches.is_empty()
    }

    /// The records of a run built from rows already read, each keeping what `keep` says.
    pub fn from_rows(rows: &[ReadRow], keep: &Keep) -> Records {
        let mut batches: Vec<Batch> = Vec::new();
        for row in rows {
            match batches.last_mut() {
                Some(batch) if Arc::ptr_eq(&batch.layout, &row.layout) => batch.push(row),
                _ => {
                    let mut batch = Batch::new(row.layout.clone(), keep);
                    batch.push(row);
                    batches.push(batch);
                }
            }
        }
        let mut records = Records::default();
        records.extend(batches);
        records
    }
}

/// One kept record.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    batch: &'a Batch,
    at: usize,
}

/// A kept field's encoding: its tag and its bytes.
type Slot<'a> = (u8, &'a [u8]);

/// A kept field of a row: what it is, and its encoding.
type Field<'a> = (&'a Kept, Slot<'a>);

impl<'a> Record<'a> {
    pub fn layout(&self) -> &'a Arc<SheetLayout> {
        &self.batch.layout
    }

    pub fn entity(&self) -> usize {
        self.batch.layout.entity
    }

    /// 1-based row number.
    pub fn row(&self) -> u32 {
        self.batch.rows.get(self.at).map_or(0, |(row, _)| *row)
    }

    /// The kept fields of this row, as encoded.
    fn slots(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        let batch = self.batch;
        let start = match self.at {
            0 => 0,
            at => batch.rows.get(at - 1).map_or(0, |(_, end)| *end as usize),
        };
        let end = batch.rows.get(self.at).map_or(0, |(_, end)| *end as usize);
        let mut bytes = batch.bytes.get(start..end).unwrap_or_default();
        batch.kept.iter().map_while(move |field| {
            let (&tag, rest) = bytes.split_first()?;
            bytes = rest;
            if tag == ABSENT || tag == REJECTED {
                return Some((field, (tag, &[][..])));
            }
            let mut length = 0usize;
            let mut shift = 0;
            loop {
                let (&byte, rest) = bytes.split_first()?;
                bytes = rest;
                length |= usize::from(byte & 0x7f).checked_shl(shift)?;
                shift += 7;
                if byte & 0x80 == 0 {
                    break;
                }
            }
            let (value, rest) = bytes.split_at_checked(length)?;
            bytes = rest;
            Some((field, (tag, value)))
        })
    }

    fn slot(&self, key: &str) -> Option<Slot<'a>> {
        self.slots()
            .find(|(kept, _)| &*kept.key == key)
            .map(|(_, slot)| slot)
    }

    /// A field's value, unless it is empty, was found invalid, or was not kept.
    pub fn get(&self, key: &str) -> Option<Value> {
        decode(self.slot(key)?)
    }

    /// A text field's value, as [`Record::get`] gives it.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        match self.slot(key)? {
            (TEXT, bytes) => std::str::from_utf8(bytes).ok(),
            _ => None,
        }
    }

    /// A number field's value, as [`Record::get`] gives it.
    pub fn number(&self, key: &str) -> Option<f64> {
        match self.slot(key)? {
            (JSON, bytes) => std::str::from_utf8(bytes).ok()?.parse().ok(),
            _ => None,
        }
    }

    /// A field's value as a person reads it ([`display_value`]), borrowed when it is text.
    pub fn display(&self, key: &str) -> Option<Cow<'a, str>> {
        match self.slot(key)? {
            (TEXT, bytes) => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
            slot => decode(slot).map(|value| Cow::Owned(display_value(&value))),
        }
    }

    /// Whether both rows hold a valid value for `key`, and the values differ.
    pub fn differs(&self, other: &Record, key: &str) -> bool {
        match (valid(self.slot(key)), valid(other.slot(key))) {
            (Some(mine), Some(theirs)) => mine != theirs,
            _ => false,
        }
    }

    /// Whether the field was filled in, validly or not.
    pub fn is_filled(&self, key: &str) -> bool {
        self.slot(key).is_some_and(|(tag, _)| tag != ABSENT)
    }

    /// The kept, valid values, keys in the schema's order.
    pub fn values(&self) -> Map<String, Value> {
        self.slots()
            .filter_map(|(kept, slot)| Some((kept.key.to_string(), decode(slot)?)))
            .collect()
    }

    /// The cell that holds `key` in this row.
    pub fn location(&self, schemas: &Schemas, key: &str) -> Location {
        let layout = self.layout();
        let entity = &schemas.entities[self.entity()];
        match entity.field_index(key) {
            Some(field) => layout.location(entity, self.row(), field),
            None => Location {
                row: Some(self.row()),
                ..Location::sheet(&layout.file, &layout.sheet)
            },
        }
    }

    /// The row written out, as far as `shown` fields go, with the span of the cell that holds
    /// `key`.
    pub fn snippet(
        &self,
        schemas: &Schemas,
        key: &str,
        shown: impl Fn(usize) -> bool,
    ) -> Option<Snippet> {
        let entity = schemas.entities.get(self.entity())?;
        let target = entity.field_index(key)?;
        let values: Map<String, Value> = self
            .slots()
            .filter(|(kept, _)| shown(kept.field))
            .filter_map(|(kept, slot)| Some((kept.key.to_string(), decode(slot)?)))
            .collect();
        row_snippet(
            self.layout(),
            entity,
            self.row(),
            &Value::Object(values),
            target,
            None,
        )
    }
}

fn valid(slot: Option<Slot<'_>>) -> Option<Slot<'_>> {
    slot.filter(|(tag, _)| matches!(*tag, TEXT | JSON))
}

fn decode((tag, bytes): Slot) -> Option<Value> {
    match tag {
        TEXT => std::str::from_utf8(bytes).ok().map(Value::from),
        JSON => serde_json::from_slice(bytes).ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn kpi_row(values: Value, rejected: &[&str]) -> (Schemas, ReadRow) {
        let schemas = Schemas::embedded().unwrap();
        let entity = schemas.entity_index("kpi").unwrap();
        let layout = SheetLayout {
            file: "meti.xlsx".into(),
            sheet: "KPI".into(),
            entity,
            columns: (0..schemas.entities[entity].fields.len() as u32)
                .map(Some)
                .collect(),
        };
        let row = ReadRow {
            layout: Arc::new(layout),
            row: 7,
            values,
            rejected: rejected.iter().map(|k| k.to_string()).collect(),
        };
        (schemas, row)
    }

    #[test]
    fn kept_values_come_back_as_they_went_in() {
        let long = "長い説明".repeat(100);
        let values = json!({"id": "METI-001-K1", "name": long, "value": 48.5, "cumulative": true, "fy_from": 2024});
        let (schemas, row) = kpi_row(values.clone(), &[]);
        let records = Records::from_rows(&[row], &Keep::all(&schemas));
        let record = records.iter().next().unwrap();
        assert_eq!(record.row(), 7);
        assert_eq!(Value::Object(record.values()), values);
        assert_eq!(record.text("name"), Some(long.as_str()));
        assert_eq!(record.get("value"), Some(json!(48.5)));
        assert_eq!(record.text("value"), None);
        assert_eq!(record.display("value").as_deref(), Some("48.5"));
        assert_eq!(record.number("value"), Some(48.5));
        assert_eq!(record.number("fy_from"), Some(2024.0));
        assert_eq!(record.number("name"), None);
        assert_eq!(record.number("cumulative"), None);
        assert_eq!(record.display("cumulative").as_deref(), Some("TRUE"));
        assert_eq!(record.display("name").as_deref(), Some(long.as_str()));
        assert_eq!(record.get("unit"), None);
    }

    #[test]
    fn a_value_whose_json_is_long_keeps_its_length() {
        let long: Vec<u32> = (1000..1100).collect();
        let values = json!({"id": "METI-001-K1", "value": long, "unit": "件"});
        let (schemas, row) = kpi_row(values.clone(), &[]);
        let records = Records::from_rows(&[row.clone(), row], &Keep::all(&schemas));
        for record in records.iter() {
            assert_eq!(Value::Object(record.values()), values);
        }
    }

    #[test]
    fn rejected_fields_are_absent_but_filled_and_unkept_fields_are_absent() {
        let (schemas, row) = kpi_row(
            json!({"id": "METI-001-K1", "value": -1, "unit": "件"}),
            &["value"],
        );
        let kpi = schemas.entity_index("kpi").unwrap();
        let unit = schemas.entities[kpi].field_index("unit").unwrap();
        let keep = Keep::matching(&schemas, |_, field| field != unit);
        let records = Records::from_rows(&[row.clone(), row], &keep);
        assert_eq!(records.len(), 2);
        for record in records.iter() {
            assert_eq!(record.get("value"), None);
            assert!(record.is_filled("value"));
            assert!(!record.is_filled("name"));
            assert_eq!(record.get("unit"), None, "not kept");
            assert_eq!(record.text("id"), Some("METI-001-K1"));
        }
    }

    #[test]
    fn records_are_found_by_number_across_batches() {
        let (schemas, row) = kpi_row(json!({"id": "METI-001-K1"}), &[]);
        let (_, mut other) = kpi_row(json!({"id": "METI-001-K2"}), &[]);
        other.row = 8;
        let records = Records::from_rows(&[row.clone(), row, other], &Keep::all(&schemas));
        assert_eq!(records.batches().len(), 2);
        let rows: Vec<Option<u32>> = (0..4).map(|n| records.get(n).map(|r| r.row())).collect();
        assert_eq!(rows, [Some(7), Some(7), Some(8), None]);
        let firsts: Vec<u32> = records.numbered().map(|(first, _)| first).collect();
        assert_eq!(firsts, [0, 2]);
    }

    #[test]
    fn numbers_find_their_record_in_batches_of_any_size() {
        let mut rows = Vec::new();
        for run in [1, 1500, 2, 1, 1023, 1024, 1025, 3, 2100] {
            let (_, row) = kpi_row(json!({"id": "METI-001-K1"}), &[]);
            for _ in 0..run {
                let mut row = row.clone();
                row.row = rows.len() as u32;
                rows.push(row);
            }
        }
        let schemas = Schemas::embedded().unwrap();
        let records = Records::from_rows(&rows, &Keep::all(&schemas));
        for number in 0..rows.len() as u32 {
            assert_eq!(records.get(number).map(|r| r.row()), Some(number));
        }
        assert!(records.get(rows.len() as u32).is_none());
        assert!(records.get(u32::MAX).is_none());
    }

    #[test]
    fn values_differ_only_when_both_are_valid_and_unequal() {
        let row = |values: Value, rejected: &[&str]| kpi_row(values, rejected).1;
        let schemas = Schemas::embedded().unwrap();
        let rows = [
            row(json!({"unit": "件", "value": 48}), &[]),
            row(json!({"unit": "件", "value": 48.5}), &[]),
            row(json!({"unit": "人", "value": 48}), &["unit"]),
            row(json!({"unit": "人"}), &[]),
        ];
        let records = Records::from_rows(&rows, &Keep::all(&schemas));
        let [a, b, rejected, c] = [0, 1, 2, 3].map(|n| records.get(n).unwrap());
        assert!(!a.differs(&b, "unit"));
        assert!(a.differs(&b, "value"));
        assert!(a.differs(&c, "unit"));
        assert!(
            !a.differs(&rejected, "unit"),
            "a rejected value is no value"
        );
        assert!(!a.differs(&c, "value"), "an empty value is no value");
    }
}
