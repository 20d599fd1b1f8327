//! The master: every row nested under its parent (challenges → sections → issues → measures →
//! KPIs, as the schemas' `x-parent` say), each list in the order the schemas give it — the rows'
//! own (`x-order: rows`), the parent's list (`x-orders`), else natural id order (`1-2` before
//! `1-10`) — the order computed once and walked by every output; `annex.json` is serialised from it as it
//! is written, never built as one tree.

use std::cmp::Ordering;
use std::ops::Range;

use hashbrown::HashMap;
use rayon::prelude::*;
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{json, Value};

use crate::records::{Field, Record, Records};
use crate::schema::Schemas;

/// The key of `annex.json` that names, in a partial round's master only, whom it lacks.
const LACKS: &str = "missing_organisations";

/// The master's order, computed once from the records: each entity's records sorted under their
/// parent's place, then as the schemas say (rows, the parent's list, natural id order). Every
/// output walks it.
pub struct Master<'a> {
    pub records: &'a Records,
    pub schemas: &'a Schemas,
    /// For each entity, its child entities.
    children: Vec<Vec<usize>>,
    /// For each entity, its records' numbers in the master's order.
    ordered: Vec<Vec<u32>>,
    /// For each entity with a parent, the stretch of `ordered` under each place of the parent's.
    under: Vec<Vec<Range<usize>>>,
    /// Records whose parent is not in the master: none in a round without errors.
    orphans: usize,
    /// The organisations a partial round lacks, by index into `schemas.organisations`.
    lacking: Vec<usize>,
}

/// One record at its place in the master.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    master: &'a Master<'a>,
    pub entity: usize,
    place: usize,
    pub record: Record<'a>,
}

impl<'a> Master<'a> {
    pub fn new(records: &'a Records, schemas: &'a Schemas) -> Master<'a> {
        let count = schemas.entities.len();
        let mut by_entity: Vec<Vec<(u32, Record)>> = vec![Vec::new(); count];
        for (first, batch) in records.numbered() {
            if let Some(list) = by_entity.get_mut(batch.layout().entity) {
                list.extend((first..).zip(batch.records()));
            }
        }
        let mut master = Master {
            records,
            schemas,
            children: vec![Vec::new(); count],
            ordered: vec![Vec::new(); count],
            under: vec![Vec::new(); count],
            orphans: 0,
            lacking: Vec::new(),
        };
        // Parents come before their children in `schemas.entities`, so a parent is placed first.
        for (index, entity) in schemas.entities.iter().enumerate() {
            let rows = std::mem::take(&mut by_entity[index]);
            let parent = entity.parent_link(schemas);
            let places: Option<HashMap<&str, usize>> = parent.map(|(_, parent)| {
                let key = &schemas.entities[parent].key;
                (master.ordered[parent].iter().enumerate())
                    .filter_map(|(place, &n)| Some((records.get(n)?.text(key)?, place)))
                    .collect()
            });
            let listed = parent.and_then(|(_, parent)| master.listed(parent, &entity.name));
            let mut keyed: Vec<(usize, u64, &str, u32)> = rows
                .iter()
                .filter_map(|(number, record)| {
                    let place = match (&places, parent) {
                        (Some(places), Some((field, _))) => {
                            *places.get(record.text(&field.key)?)?
                        }
                        _ => 0,
                    };
                    let key = record.text(&entity.key).unwrap_or_default();
                    let rank = match (&listed, entity.in_row_order) {
                        (_, true) => u64::from(*number),
                        (Some(listed), false) => {
                            (listed.get(&(place, key))).map_or(u64::MAX, |&at| at as u64)
                        }
                        (None, false) => 0,
                    };
                    Some((place, rank, key, *number))
                })
                .collect();
            master.orphans += rows.len() - keyed.len();
            keyed.par_sort_unstable_by(|a, b| {
                (a.0.cmp(&b.0))
                    .then(a.1.cmp(&b.1))
                    .then_with(|| natural_order(a.2, b.2))
                    .then(a.3.cmp(&b.3))
            });
            if let Some((_, parent)) = parent {
                master.children[parent].push(index);
                let mut under = vec![0..0; master.ordered[parent].len()];
                let mut start = 0;
                for (at, (place, _, _, _)) in keyed.iter().enumerate() {
                    let next = keyed.get(at + 1).map(|(p, _, _, _)| *p);
                    if next != Some(*place) {
                        if let Some(slot) = under.get_mut(*place) {
                            *slot = start..at + 1;
                        }
                        start = at + 1;
                    }
                }
                master.under[index] = under;
            }
            master.ordered[index] = keyed.into_iter().map(|(_, _, _, n)| n).collect();
        }
        master
    }

    /// Where the parent's own list (`x-orders`) puts each child, by the parent's place and the
    /// child's key; `None` when the parent has no list for this child entity.
    fn listed(&self, parent: usize, child: &str) -> Option<HashMap<(usize, &'a str), usize>> {
        let schemas = self.schemas;
        let field = (schemas.entities[parent].fields.iter())
            .find(|f| f.orders.as_deref() == Some(child))?;
        let mut listed = HashMap::new();
        for (place, &number) in self.ordered[parent].iter().enumerate() {
            let Some(Field::List(list)) =
                self.records.get(number).and_then(|r| r.field(&field.key))
            else {
                continue;
            };
            for (at, item) in list.iter().enumerate() {
                if let Field::Text(key) = item {
                    listed.entry((place, key)).or_insert(at);
                }
            }
        }
        Some(listed)
    }

    /// The master of a partial round, which lacks these organisations' workbooks.
    pub fn lacking(mut self, organisations: &[usize]) -> Self {
        self.lacking = organisations.to_vec();
        self
    }

    /// The organisations the round lacks, as (code, short name).
    pub fn lacks(&self) -> impl Iterator<Item = (&str, &str)> {
        (self.lacking.iter())
            .filter_map(|&org| self.schemas.organisations.get(org))
            .map(|org| (org.code.as_str(), org.short_name.as_str()))
    }

    /// Records the master leaves out because their parent is not in it; a master that would
    /// leave any out is not written.
    pub fn orphans(&self) -> usize {
        self.orphans
    }

    /// The entities at the top of the master.
    pub fn roots(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.schemas.entities.len()).filter(|&e| self.schemas.entities[e].parent.is_none())
    }

    /// Every node of an entity, in the master's order.
    pub fn all(&self, entity: usize) -> impl Iterator<Item = Node<'_>> + Clone + '_ {
        self.nodes(entity, 0..self.count(entity))
    }

    /// How many nodes an entity has.
    pub fn count(&self, entity: usize) -> usize {
        self.ordered.get(entity).map_or(0, Vec::len)
    }

    /// The nodes at these places of an entity's order, made as they are asked for.
    fn nodes(
        &self,
        entity: usize,
        places: Range<usize>,
    ) -> impl Iterator<Item = Node<'_>> + Clone + '_ {
        let numbers = self.ordered.get(entity).and_then(|o| o.get(places.clone()));
        (places.zip(numbers.into_iter().flatten())).filter_map(move |(place, &number)| {
            Some(Node {
                master: self,
                entity,
                place,
                record: self.records.get(number)?,
            })
        })
    }

    /// The master as one JSON value: for templates and tests, whose masters are small.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

impl<'a> Node<'a> {
    /// The entities whose nodes sit under this one's.
    pub fn child_entities(&self) -> impl Iterator<Item = usize> + 'a {
        self.master
            .children
            .get(self.entity)
            .into_iter()
            .flatten()
            .copied()
    }

    /// The nodes of one child entity under this node, in the master's order.
    pub fn children_of(&self, entity: usize) -> impl Iterator<Item = Node<'a>> + Clone + 'a {
        let master = self.master;
        let range = (master.under.get(entity))
            .and_then(|under| under.get(self.place))
            .cloned()
            .unwrap_or(0..0);
        master.nodes(entity, range)
    }

    /// The node's own fields, its children's lists empty: what is checked of each node against
    /// `annex.schema.json`.
    pub fn shallow(&self) -> Value {
        let mut node = self.record.values();
        for child in self.child_entities() {
            let plural = &self.master.schemas.entities[child].plural;
            node.insert(plural.clone(), Value::Array(Vec::new()));
        }
        Value::Object(node)
    }
}

impl Master<'_> {
    /// The master's top level, its lists empty: what is checked of it beside each node.
    pub fn top(&self) -> Value {
        let mut top = serde_json::Map::new();
        top.insert("format".into(), self.schemas.master_format.as_str().into());
        top.insert("organisations".into(), self.organisations());
        let lacks: Vec<Value> = self.lacks().map(|(code, _)| code.into()).collect();
        if !lacks.is_empty() {
            top.insert(LACKS.into(), Value::Array(lacks));
        }
        for entity in self.roots() {
            let plural = self.schemas.entities[entity].plural.clone();
            top.insert(plural, Value::Array(Vec::new()));
        }
        Value::Object(top)
    }

    fn organisations(&self) -> Value {
        (self.schemas.organisations.iter())
            .map(|org| json!({"code": org.code, "short_name": org.short_name, "name": org.name}))
            .collect()
    }
}

impl Serialize for Master<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("format", &self.schemas.master_format)?;
        map.serialize_entry("organisations", &self.organisations())?;
        let lacks: Vec<&str> = self.lacks().map(|(code, _)| code).collect();
        if !lacks.is_empty() {
            map.serialize_entry(LACKS, &lacks)?;
        }
        for entity in self.roots() {
            let nodes = Nodes(self.all(entity), self.count(entity));
            map.serialize_entry(&self.schemas.entities[entity].plural, &nodes)?;
        }
        map.end()
    }
}

/// A run of nodes and how many there are, serialised with everything under them.
struct Nodes<I>(I, usize);

impl<'a, I: Iterator<Item = Node<'a>> + Clone> Serialize for Nodes<I> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.1))?;
        for node in self.0.clone() {
            seq.serialize_element(&node)?;
        }
        seq.end()
    }
}

impl Serialize for Node<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, field) in self.record.fields() {
            map.serialize_entry(key, &field)?;
        }
        for child in self.child_entities() {
            let nodes = self.children_of(child);
            let count = nodes.clone().count();
            let plural = &self.master.schemas.entities[child].plural;
            map.serialize_entry(plural, &Nodes(nodes, count))?;
        }
        map.end()
    }
}

/// The master as one JSON value (see [`Master::to_value`]).
pub fn build_master(records: &Records, schemas: &Schemas) -> Value {
    Master::new(records, schemas).to_value()
}

/// Compares ids the way people count: runs of digits by their value, the rest as text.
pub fn natural_order(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (a.chars().next(), b.chars().next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let (x_digits, x_rest) = split_digits(a);
                let (y_digits, y_rest) = split_digits(b);
                let x_value = x_digits.trim_start_matches('0');
                let y_value = y_digits.trim_start_matches('0');
                let order = x_value
                    .len()
                    .cmp(&y_value.len())
                    .then_with(|| x_value.cmp(y_value))
                    .then_with(|| x_digits.len().cmp(&y_digits.len()));
                if order != Ordering::Equal {
                    return order;
                }
                (a, b) = (x_rest, y_rest);
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(&y);
                }
                (a, b) = (&a[x.len_utf8()..], &b[y.len_utf8()..]);
            }
        }
    }
}

fn split_digits(text: &str) -> (&str, &str) {
    let end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    text.split_at(end)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Keep;
    use crate::validate::tests::{records, schemas};

    #[test]
    fn ids_sort_as_people_count() {
        let mut ids = vec![
            "1-10", "1-2", "1-2-04", "1-2-10", "10", "2", "METI-010", "METI-002", "AMED-001",
        ];
        ids.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            ids,
            ["1-2", "1-2-04", "1-2-10", "1-10", "2", "10", "AMED-001", "METI-002", "METI-010"]
        );
    }

    #[test]
    fn rows_nest_under_their_parents_in_the_councils_order() {
        let measure = |id: &str| json!({"id": id, "issue_id": "1-2-01", "title": "m", "description": "d", "ministries": ["METI"]});
        let rows = records(&[
            ("challenge", json!({"id": "1", "title": "c"})),
            (
                "section",
                json!({"id": "1-10", "challenge_id": "1", "title": "s10"}),
            ),
            (
                "section",
                json!({"id": "1-2", "challenge_id": "1", "title": "s2"}),
            ),
            (
                "issue",
                json!({"id": "1-2-01", "section_id": "1-2", "question": "q", "measure_order": ["MHLW-001"]}),
            ),
            ("measure", measure("METI-010")),
            ("measure", measure("MHLW-001")),
            ("measure", measure("METI-002")),
            (
                "kpi",
                json!({"id": "METI-002-K1", "measure_id": "METI-002", "name": "n", "value": 48, "unit": "件", "cumulative": false}),
            ),
        ]);
        let records = Records::from_rows(&rows, &Keep::all(schemas()));
        let master = build_master(&records, schemas());
        let sections = &master["challenges"][0]["sections"];
        assert_eq!(
            (&sections[0]["id"], &sections[1]["id"]),
            (&json!("1-10"), &json!("1-2")),
            "sections as the council master lists them"
        );
        assert_eq!(sections[0]["issues"], json!([]));
        let measures = &sections[1]["issues"][0]["measures"];
        let ids: Vec<_> = (measures.as_array().unwrap().iter())
            .map(|m| m["id"].clone())
            .collect();
        assert_eq!(
            ids,
            [json!("MHLW-001"), json!("METI-002"), json!("METI-010")],
            "the issue's list first, then the rest in natural id order"
        );
        assert_eq!(measures[1]["kpis"][0]["value"], 48);
        assert_eq!(schemas().master_errors(&master), Vec::<String>::new());
    }
}
