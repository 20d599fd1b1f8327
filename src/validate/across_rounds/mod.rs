//! The rules that span rounds: what this round's rows say beside last round's master. Each is a
//! small unit in a file of its own, like the rules within a round, with a stable code (all start
//! `previous.`), a message and help in both languages, and tests of what it refuses and accepts.
//! They read what [`crate::compare`] found changed, and the rows of both rounds.

mod large_change;
mod lead_changed;
mod measure_removed;
mod total_fell;
mod unchanged;

use std::sync::Arc;

use hashbrown::HashMap;

use super::round::{Round, Sender};
use crate::compare::{compare, Change, Comparison, Coverage, Kind, Owner, Row, Snapshot};
use crate::records::Records;
use crate::report::{Diagnostic, Location};
use crate::schema::{Entity, Schemas};

/// What the rules across rounds look at.
pub struct Across<'a> {
    pub schemas: &'a Schemas,
    pub previous: &'a Snapshot<'a>,
    pub current: &'a Snapshot<'a>,
    pub comparison: &'a Comparison,
    /// How far a figure may move from last round's value, in percent of it, before its 備考 is
    /// asked for the reason (`--change-threshold`).
    pub threshold: f64,
}

/// The threshold `--change-threshold` starts from: a figure that grows by half or shrinks by
/// half asks for its reason, as statistical surveys ask for 変動要因.
pub const DEFAULT_THRESHOLD: f64 = 50.0;

pub struct RoundRule {
    /// The code, or the start of the codes, of the diagnostics the rule gives.
    pub code: &'static str,
    pub check: fn(&Across, &mut Vec<Diagnostic>),
}

/// Every rule across rounds, in the order their findings are most useful to read.
pub const RULES: &[RoundRule] = &[
    total_fell::RULE,
    large_change::RULE,
    measure_removed::RULE,
    lead_changed::RULE,
    unchanged::RULE,
];

/// This round's records beside last round's master: what changed, for the owners whose workbooks
/// the run holds, and what the rules across rounds find in it.
pub fn against_previous(
    previous: &Snapshot,
    records: &Records,
    given: Arc<str>,
    round: &Round,
    schemas: &Schemas,
    threshold: f64,
) -> (Comparison, Vec<Diagnostic>) {
    let mut current = Snapshot::of_records(records, given, schemas);
    let mut coverage = Coverage {
        council: false,
        organisations: vec![false; schemas.organisations.len()],
    };
    for workbook in &round.workbooks {
        let owner = match workbook.sender {
            Sender::Council => Owner::Council,
            Sender::Organisation(org) => Owner::Organisation(org),
            Sender::Unknown => continue,
        };
        match owner {
            Owner::Organisation(org) => {
                if let Some(covered) = coverage.organisations.get_mut(org) {
                    *covered = true;
                }
            }
            _ => coverage.council = true,
        }
        current = current.with_home(owner, workbook.file.clone());
    }
    let comparison = compare(previous, &current, schemas, &coverage);
    let found = validate_across(&Across {
        schemas,
        previous,
        current: &current,
        comparison: &comparison,
        threshold,
    });
    (comparison, found)
}

/// The findings of every rule across rounds, in no particular order.
pub fn validate_across(across: &Across) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for rule in RULES {
        (rule.check)(across, &mut found);
    }
    found
}

/// The roles (`x-role`) the rules read: the figures, their value, unit, running-total flag and
/// note; the measures.
const FIGURE: &str = "figure";
const MEASURE: &str = "measure";
const VALUE: &str = "value";
const UNIT: &str = "unit";
const CUMULATIVE: &str = "cumulative";
const NOTE: &str = "note";

/// A figure's value change, with the figure in both rounds.
struct Moved<'a> {
    change: &'a Change,
    before: &'a Row,
    after: &'a Row,
    before_value: f64,
    after_value: f64,
}

impl<'a> Across<'a> {
    /// Where a row of this round's field is: its cell, for a row the run read; this round's
    /// master file otherwise.
    fn at(&self, row: &Row, field: &str) -> Location {
        match self.current.record(row) {
            Some(record) => record.location(self.schemas, field),
            None => Location::file(&self.current.file),
        }
    }

    /// Where an owner's rows are this round: its workbook (at the entity's sheet, given one), for
    /// a run that read it; this round's master file otherwise.
    fn home(&self, owner: Owner, entity: Option<usize>) -> Location {
        let sheet = entity.and_then(|e| self.schemas.entities.get(e));
        match (self.current.home(owner), sheet) {
            (Some(file), Some(entity)) => Location::sheet(file, &entity.sheet.as_str().into()),
            (Some(file), None) => Location::file(file),
            (None, _) => Location::file(&self.current.file),
        }
    }

    /// The figures' entity, by index, and its schema.
    fn figures(&self) -> Option<(usize, &'a Entity)> {
        let index = self.schemas.entity_role(FIGURE)?;
        Some((index, self.schemas.entities.get(index)?))
    }

    /// Every figure whose value changed, in a unit that did not, with both rows.
    fn moved_figures(&self) -> Vec<Moved<'a>> {
        let Some((index, entity)) = self.figures() else {
            return Vec::new();
        };
        let (value, unit) = (entity.role_key(VALUE), entity.role_key(UNIT));
        let of_figures = |kind: Kind| {
            (self.comparison.changes.iter()).filter(move |c| c.entity == index && c.kind == kind)
        };
        // A figure renumbered was last round under its old key.
        let old_keys: HashMap<&str, &str> = of_figures(Kind::Renumbered)
            .filter_map(|c| Some((c.key.as_str(), c.before.as_ref()?.as_str()?)))
            .collect();
        of_figures(Kind::Value)
            .filter_map(|change| {
                let after = self.current.find(index, &change.key)?;
                let key = change.key.as_str();
                let before = self
                    .previous
                    .find(index, old_keys.get(key).unwrap_or(&key))?;
                if before.fields.get(unit) != after.fields.get(unit) {
                    return None;
                }
                Some(Moved {
                    change,
                    before,
                    after,
                    before_value: before.fields.get(value)?.as_f64()?,
                    after_value: after.fields.get(value)?.as_f64()?,
                })
            })
            .collect()
    }

    /// Whether a figure's 備考 gives a reason this round: it is filled in, and not last round's
    /// 備考 carried over (a template made with `--from` starts with it).
    fn explained(&self, moved: &Moved) -> bool {
        let Some((_, entity)) = self.figures() else {
            return false;
        };
        let note = entity.role_key(NOTE);
        let now = moved.after.fields.get(note).and_then(|v| v.as_str());
        let then = moved.before.fields.get(note).and_then(|v| v.as_str());
        now.is_some_and(|n| !n.trim().is_empty()) && now != then
    }

    /// Whether a figure is a running total this round.
    fn cumulative(&self, row: &Row) -> bool {
        let Some((_, entity)) = self.figures() else {
            return false;
        };
        row.fields.get(entity.role_key(CUMULATIVE)) == Some(&serde_json::Value::Bool(true))
    }

    /// The header of a figure's field with this role, as people know the column.
    fn figure_header(&self, role: &str) -> &'a str {
        (self.figures())
            .and_then(|(_, entity)| entity.role(role))
            .map_or("", |f| f.header.as_str())
    }
}

/// A figure's value, its unit after it: `67件`.
fn amount(value: f64, row: &Row, entity: &Entity) -> String {
    let unit = row
        .fields
        .get(entity.role_key(UNIT))
        .and_then(|v| v.as_str());
    format!(
        "{}{}",
        crate::values::format_number(value),
        unit.unwrap_or_default()
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::compare::Coverage;
    use crate::validate::tests::schemas;
    use serde_json::{json, Value};

    /// A master of one measure of METI's, under one issue, with these KPIs.
    pub fn master(measure: Value, kpis: &[Value]) -> Value {
        let mut measure = measure;
        measure["kpis"] = json!(kpis);
        json!({"format": "annex/1", "challenges": [
            {"id": "1", "title": "T", "direction": "D", "sections": [
                {"id": "1-1", "challenge_id": "1", "title": "S", "issues": [
                    {"id": "1-1-01", "section_id": "1-1", "question": "Q", "measures": [measure]}
                ]}
            ]}
        ]})
    }

    pub fn measure(id: &str, title: &str) -> Value {
        json!({"id": id, "issue_id": "1-1-01", "title": title, "description": "D", "ministries": [&id[..id.find('-').unwrap()]]})
    }

    pub fn kpi(id: &str, value: f64, cumulative: bool, note: Option<&str>) -> Value {
        let mut kpi = json!({"id": id, "measure_id": &id[..id.rfind('-').unwrap()], "name": "採択件数",
            "value": value, "unit": "件", "cumulative": cumulative});
        if let Some(note) = note {
            kpi["note"] = json!(note);
        }
        kpi
    }

    /// The codes a rule gives, with where, comparing last round's master with this round's.
    pub fn run(rule: &RoundRule, before: &Value, after: &Value) -> Vec<(String, String)> {
        run_with(rule, before, after, DEFAULT_THRESHOLD)
    }

    pub fn run_with(
        rule: &RoundRule,
        before: &Value,
        after: &Value,
        threshold: f64,
    ) -> Vec<(String, String)> {
        let schemas = schemas();
        let previous = Snapshot::of_master(before, "last.json".into(), schemas).unwrap();
        let current = Snapshot::of_master(after, "this.json".into(), schemas).unwrap();
        let comparison = compare(&previous, &current, schemas, &Coverage::all(schemas));
        let across = Across {
            schemas,
            previous: &previous,
            current: &current,
            comparison: &comparison,
            threshold,
        };
        let mut found = Vec::new();
        (rule.check)(&across, &mut found);
        for diagnostic in &found {
            assert!(
                diagnostic.code.starts_with(rule.code),
                "{}",
                diagnostic.code
            );
        }
        found.into_iter().map(|d| (d.code, d.message.ja)).collect()
    }

    #[test]
    fn rule_codes_are_unique_and_of_the_previous_round() {
        let mut codes: Vec<_> = RULES.iter().map(|rule| rule.code).collect();
        assert!(codes.iter().all(|c| c.starts_with("previous.")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), RULES.len());
    }
}
