//! Where the records of a run are kept once each has been read and checked: compactly, because a
//! run may hold a million of them. A row keeps only the fields it will be asked for (all of them
//! for a master; for a check, only those the cross-record rules read), each in a typed slot
//! (text, a number, a boolean, a list), one after another in the byte buffer of the stretch of rows
//! it was read with, and read in place.

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

/// How a kept field is written: a tag byte, then what the tag says.
const ABSENT: u8 = 0;
/// Found invalid: reported once, absent to every later check, but known to have been filled in.
const REJECTED: u8 = 1;
/// Text: its length, then its UTF-8.
const TEXT: u8 = 2;
/// A whole number: 8 bytes, little-endian (`INT` signed, `UINT` past `i64::MAX`).
const INT: u8 = 3;
const UINT: u8 = 4;
/// A number with a fraction: an `f64`, 8 bytes, little-endian.
const FLOAT: u8 = 5;
const TRUE: u8 = 6;
const FALSE: u8 = 7;
/// A list: the length of its items' encoding, then each item as a field is encoded.
const LIST: u8 = 8;
/// A shape no schema field is read into (an object): its JSON, after its length.
const OTHER: u8 = 9;

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

/// The bytes after a length written by [`push_length`], after its own bytes.
fn split_length(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let (mut length, mut shift, mut bytes) = (0usize, 0u32, bytes);
    loop {
        let (&byte, rest) = bytes.split_first()?;
        bytes = rest;
        length |= usize::from(byte & 0x7f).checked_shl(shift)?;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some((length, bytes));
        }
    }
}

/// Writes `payload` after its length, which is known only once it is written and takes one byte
/// but for long payloads.
fn push_sized(bytes: &mut Vec<u8>, payload: impl FnOnce(&mut Vec<u8>)) {
    let at = bytes.len();
    bytes.push(0);
    payload(bytes);
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

/// A value in its typed slot.
fn push_value(bytes: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => bytes.push(ABSENT),
        Value::String(text) => {
            bytes.push(TEXT);
            push_length(bytes, text.len());
            bytes.extend_from_slice(text.as_bytes());
        }
        Value::Bool(true) => bytes.push(TRUE),
        Value::Bool(false) => bytes.push(FALSE),
        Value::Number(number) => match (number.as_i64(), number.as_u64(), number.as_f64()) {
            (Some(int), _, _) => {
                bytes.push(INT);
                bytes.extend_from_slice(&int.to_le_bytes());
            }
            (None, Some(uint), _) => {
                bytes.push(UINT);
                bytes.extend_from_slice(&uint.to_le_bytes());
            }
            (None, None, float) => {
                bytes.push(FLOAT);
                bytes.extend_from_slice(&float.unwrap_or_default().to_le_bytes());
            }
        },
        Value::Array(items) => {
            bytes.push(LIST);
            push_sized(bytes, |bytes| {
                items.iter().for_each(|item| push_value(bytes, item))
            });
        }
        Value::Object(_) => {
            bytes.push(OTHER);
            // Serialising a `Value` into a `Vec` cannot fail.
            push_sized(bytes, |bytes| drop(serde_json::to_writer(bytes, value)));
        }
    }
}

/// A kept field's value, read in place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field<'a> {
    Text(&'a str),
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    List(List<'a>),
    /// A shape no schema field is read into, as JSON.
    Other(&'a [u8]),
}

/// A list field's items, read in place.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct List<'a>(&'a [u8]);

impl<'a> List<'a> {
    pub fn iter(&self) -> impl Iterator<Item = Field<'a>> + 'a {
        let mut bytes = self.0;
        std::iter::from_fn(move || {
            let (slot, rest) = split_slot(bytes)?;
            bytes = rest;
            Field::of(slot)
        })
    }
}

/// One encoded field: its tag and its payload.
type Slot<'a> = (u8, &'a [u8]);

/// The first field encoded in `bytes`, and the bytes after it.
fn split_slot(bytes: &[u8]) -> Option<(Slot<'_>, &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    let (payload, rest) = match tag {
        ABSENT | REJECTED | TRUE | FALSE => rest.split_at_checked(0)?,
        INT | UINT | FLOAT => rest.split_at_checked(8)?,
        _ => {
            let (length, rest) = split_length(rest)?;
            rest.split_at_checked(length)?
        }
    };
    Some(((tag, payload), rest))
}

impl<'a> Field<'a> {
    fn of((tag, payload): Slot<'a>) -> Option<Field<'a>> {
        let eight = || <[u8; 8]>::try_from(payload).ok();
        Some(match tag {
            TEXT => Field::Text(std::str::from_utf8(payload).ok()?),
            INT => Field::Int(i64::from_le_bytes(eight()?)),
            UINT => Field::UInt(u64::from_le_bytes(eight()?)),
            FLOAT => Field::Float(f64::from_le_bytes(eight()?)),
            TRUE => Field::Bool(true),
            FALSE => Field::Bool(false),
            LIST => Field::List(List(payload)),
            OTHER => Field::Other(payload),
            _ => return None,
        })
    }

    /// The value as JSON.
    pub fn to_value(&self) -> Value {
        match *self {
            Field::Text(text) => Value::from(text),
            Field::Int(int) => Value::from(int),
            Field::UInt(uint) => Value::from(uint),
            Field::Float(float) => Value::from(float),
            Field::Bool(boolean) => Value::Bool(boolean),
            Field::List(list) => Value::Array(list.iter().map(|item| item.to_value()).collect()),
            Field::Other(json) => serde_json::from_slice(json).unwrap_or_default(),
        }
    }

    /// The number, if the field is one.
    pub fn number(&self) -> Option<f64> {
        match *self {
            Field::Int(int) => Some(int as f64),
            Field::UInt(uint) => Some(uint as f64),
            Field::Float(float) => Some(float),
            _ => None,
        }
    }
}

impl serde::Serialize for Field<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match *self {
            Field::Text(text) => serializer.serialize_str(text),
            Field::Int(int) => serializer.serialize_i64(int),
            Field::UInt(uint) => serializer.serialize_u64(uint),
            Field::Float(float) => serializer.serialize_f64(float),
            Field::Bool(boolean) => serializer.serialize_bool(boolean),
            Field::List(list) => serializer.collect_seq(list.iter()),
            Field::Other(_) => self.to_value().serialize(serializer),
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
                Some(value) => push_value(bytes, value),
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

/// A kept field of a row: what it is, and its encoding.
type KeptSlot<'a> = (&'a Kept, Slot<'a>);

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
    fn slots(&self) -> impl Iterator<Item = KeptSlot<'a>> + 'a {
        let batch = self.batch;
        let start = match self.at {
            0 => 0,
            at => batch.rows.get(at - 1).map_or(0, |(_, end)| *end as usize),
        };
        let end = batch.rows.get(self.at).map_or(0, |(_, end)| *end as usize);
        let mut bytes = batch.bytes.get(start..end).unwrap_or_default();
        batch.kept.iter().map_while(move |field| {
            let (slot, rest) = split_slot(bytes)?;
            bytes = rest;
            Some((field, slot))
        })
    }

    fn slot(&self, key: &str) -> Option<Slot<'a>> {
        self.slots()
            .find(|(kept, _)| &*kept.key == key)
            .map(|(_, slot)| slot)
    }

    /// A field's value, typed, unless it is empty, was found invalid, or was not kept.
    pub fn field(&self, key: &str) -> Option<Field<'a>> {
        Field::of(self.slot(key)?)
    }

    /// A field's value as JSON, as [`Record::field`] gives it.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.field(key).map(|field| field.to_value())
    }

    /// A text field's value, as [`Record::field`] gives it.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        match self.field(key)? {
            Field::Text(text) => Some(text),
            _ => None,
        }
    }

    /// A number field's value, as [`Record::field`] gives it.
    pub fn number(&self, key: &str) -> Option<f64> {
        self.field(key)?.number()
    }

    /// A field's value as a person reads it ([`display_value`]), borrowed when it is text.
    pub fn display(&self, key: &str) -> Option<Cow<'a, str>> {
        match self.field(key)? {
            Field::Text(text) => Some(Cow::Borrowed(text)),
            field => Some(Cow::Owned(display_value(&field.to_value()))),
        }
    }

    /// The kept, valid fields, in the schema's order, each with its key.
    pub fn fields(&self) -> impl Iterator<Item = (&'a str, Field<'a>)> + 'a {
        self.slots()
            .filter_map(|(kept, slot)| Some((&*kept.key, Field::of(slot)?)))
    }

    /// The kept, valid fields, in the schema's order, each with its index in the entity's
    /// fields: every field in one pass, where asking for each by key would walk the row again.
    pub fn indexed_fields(&self) -> impl Iterator<Item = (usize, Field<'a>)> + 'a {
        self.slots()
            .filter_map(|(kept, slot)| Some((kept.field, Field::of(slot)?)))
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
        self.fields()
            .map(|(key, field)| (key.to_string(), field.to_value()))
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
            .filter_map(|(kept, slot)| Some((kept.key.to_string(), Field::of(slot)?.to_value())))
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
    slot.filter(|(tag, _)| !matches!(*tag, ABSENT | REJECTED))
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

    #[test]
    fn fields_are_read_typed_in_place() {
        let values = json!({"id": "METI-001-K1", "value": 48, "fy_from": 2024, "cumulative": false, "name": "採択件数"});
        let (schemas, mut row) = kpi_row(values, &[]);
        row.values["value"] = json!(48.5);
        let records = Records::from_rows(&[row], &Keep::all(&schemas));
        let record = records.iter().next().unwrap();
        assert_eq!(record.field("value"), Some(Field::Float(48.5)));
        assert_eq!(record.field("fy_from"), Some(Field::Int(2024)));
        assert_eq!(record.field("cumulative"), Some(Field::Bool(false)));
        assert_eq!(record.field("name"), Some(Field::Text("採択件数")));
        assert_eq!(record.field("unit"), None);
        let keys: Vec<&str> = record.fields().map(|(key, _)| key).collect();
        assert_eq!(keys, ["id", "name", "value", "fy_from", "cumulative"]);
    }

    fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            ".{0,40}".prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
        ];
        leaf.prop_recursive(2, 16, 8, |inner| {
            proptest::collection::vec(inner, 0..8).prop_map(Value::from)
        })
    }

    proptest::proptest! {
        #[test]
        fn any_value_comes_back_as_it_went_in(value in any_value(), long in any_value()) {
            let values = json!({"id": "METI-001-K1", "name": value, "note": [long.clone(), long]});
            let (schemas, row) = kpi_row(values.clone(), &[]);
            let records = Records::from_rows(&[row], &Keep::all(&schemas));
            let record = records.iter().next().unwrap();
            proptest::prop_assert_eq!(Value::Object(record.values()), values.clone());
            let written = serde_json::to_value(record.field("note").unwrap()).unwrap();
            proptest::prop_assert_eq!(&written, &values["note"]);
        }
    }
}
