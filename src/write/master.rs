//! The master: every row nested under its parent (challenges → sections → issues → measures →
//! KPIs, as the schemas' `x-parent` say), each list in natural id order (`1-2` before `1-10`).

use std::cmp::Ordering;
use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::records::{Record, Records};
use crate::schema::Schemas;

/// The format tag of `annex.json`; changes when its shape does.
pub const FORMAT: &str = "annex/1";

pub fn build_master(records: &Records, schemas: &Schemas) -> Value {
    let mut by_entity: Vec<Vec<Record>> = vec![Vec::new(); schemas.entities.len()];
    for record in records.iter() {
        if let Some(list) = by_entity.get_mut(record.entity()) {
            list.push(record);
        }
    }
    for (list, entity) in by_entity.iter_mut().zip(&schemas.entities) {
        list.sort_by(|a, b| {
            natural_order(
                a.text(&entity.key).unwrap_or(""),
                b.text(&entity.key).unwrap_or(""),
            )
        });
    }
    let nest = Nest::new(&by_entity, schemas);
    let mut master = Map::new();
    master.insert("format".into(), FORMAT.into());
    let organisations = schemas
        .organisations
        .iter()
        .map(|org| json!({"code": org.code, "short_name": org.short_name, "name": org.name}))
        .collect();
    master.insert("organisations".into(), Value::Array(organisations));
    for (index, entity) in schemas.entities.iter().enumerate() {
        if entity.parent.is_none() {
            let roots = by_entity[index]
                .iter()
                .map(|record| nest.node(index, record))
                .collect();
            master.insert(entity.plural.clone(), Value::Array(roots));
        }
    }
    Value::Object(master)
}

/// For each entity, its child entities and, per parent key, the children's records.
struct Nest<'a> {
    schemas: &'a Schemas,
    children: Vec<Vec<usize>>,
    by_parent: Vec<HashMap<&'a str, Vec<Record<'a>>>>,
}

impl<'a> Nest<'a> {
    fn new(by_entity: &[Vec<Record<'a>>], schemas: &'a Schemas) -> Nest<'a> {
        let count = schemas.entities.len();
        let mut children = vec![Vec::new(); count];
        let mut by_parent = vec![HashMap::new(); count];
        for (index, entity) in schemas.entities.iter().enumerate() {
            let Some((field, parent)) = entity.parent_link(schemas) else {
                continue;
            };
            children[parent].push(index);
            for record in &by_entity[index] {
                if let Some(parent_key) = record.text(&field.key) {
                    by_parent[index]
                        .entry(parent_key)
                        .or_insert_with(Vec::new)
                        .push(*record);
                }
            }
        }
        Nest {
            schemas,
            children,
            by_parent,
        }
    }

    fn node(&self, entity: usize, record: &Record) -> Value {
        let spec = &self.schemas.entities[entity];
        let mut node = record.values();
        let key = record.text(&spec.key).unwrap_or_default();
        for &child in &self.children[entity] {
            let nodes = self.by_parent[child]
                .get(key)
                .map(|records| records.iter().map(|r| self.node(child, r)).collect())
                .unwrap_or_default();
            node.insert(
                self.schemas.entities[child].plural.clone(),
                Value::Array(nodes),
            );
        }
        Value::Object(node)
    }
}

/// The nodes at the end of a path of list names: `["challenges", "sections"]` gives every
/// section of every challenge, in order.
pub fn nodes_at<'a>(master: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    path.iter().fold(vec![master], |level, key| {
        level
            .into_iter()
            .flat_map(|node| {
                node.get(*key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .collect()
    })
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
    fn rows_nest_under_their_parents_in_id_order() {
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
                json!({"id": "1-2-01", "section_id": "1-2", "question": "q"}),
            ),
            (
                "measure",
                json!({"id": "METI-001", "issue_id": "1-2-01", "title": "m", "description": "d", "ministries": ["METI"]}),
            ),
            (
                "kpi",
                json!({"id": "METI-001-K1", "measure_id": "METI-001", "name": "n", "value": 48, "unit": "件", "cumulative": false}),
            ),
        ]);
        let records = Records::from_rows(&rows, &Keep::all(schemas()));
        let master = build_master(&records, schemas());
        let sections = &master["challenges"][0]["sections"];
        assert_eq!(sections[0]["id"], "1-2");
        assert_eq!(sections[1]["id"], "1-10");
        assert_eq!(sections[1]["issues"], json!([]));
        assert_eq!(
            sections[0]["issues"][0]["measures"][0]["kpis"][0]["value"],
            48
        );
        assert_eq!(schemas().master_errors(&master), Vec::<String>::new());
    }
}
