//! `kpi.part_of.*`: a KPI that is part of another (上市 8件 of 採択 48件) names a KPI of the same
//! measure (`kpi.part_of.measure`), in the same unit (`kpi.part_of.unit`), whose value is not
//! smaller than its own (`kpi.part_of.larger`), and not itself (`kpi.part_of.self`).
//!
//! Why: a part larger than its whole is always a typing error, and parts of another measure or in
//! another unit cannot be compared at all. Whether the named KPI exists is `ref.unresolved`'s job.

use super::Rule;
use crate::lang::Text;
use crate::records::Record;
use crate::report::Diagnostic;
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "kpi.part_of",
    check,
    reads: |entity, field| {
        entity.is(FIGURE)
            && (field.key == entity.key
                || entity.parent.as_ref() == Some(&field.key)
                || matches!(field.role.as_deref(), Some(PART_OF | UNIT | VALUE)))
    },
};

/// The roles the rule reads (`x-role` in the schemas): the figures, the field that names a
/// figure's whole, and its unit and value; a figure's measure is its parent (`x-parent`).
const FIGURE: &str = "figure";
const PART_OF: &str = "part-of";
const UNIT: &str = "unit";
const VALUE: &str = "value";

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    let Some(kpi) = index.schemas.entity_role(FIGURE) else {
        return;
    };
    let entity = &index.schemas.entities[kpi];
    let (key, part_of) = (entity.key.as_str(), entity.role_key(PART_OF));
    let (unit, value) = (entity.role_key(UNIT), entity.role_key(VALUE));
    let measure = entity.parent.as_deref().unwrap_or_default();
    let part_of_header = entity.role(PART_OF).map_or("", |f| f.header.as_str());
    for part in index.records(kpi) {
        let (Some(id), Some(whole_id)) = (part.text(key), part.text(part_of)) else {
            continue;
        };
        if id == whole_id {
            diagnostics.push(RULE.finding(
                index,
                part,
                part_of,
                "self",
                Text::new(
                    format!("{id} names itself as its whole"),
                    format!("「{id}」が自分自身を内数元にしています"),
                ),
                Text::new(
                    "Name the KPI this figure is a part of, or leave the cell empty.",
                    "この値を内数として含む指標IDを入れるか、空欄にしてください。",
                ),
            ));
            continue;
        }
        let Some(whole) = index.find(kpi, whole_id) else {
            continue;
        };
        let whole_at = || whole.location(index.schemas, key).display();
        let show =
            |record: Record<'_>, key: &str| record.display(key).unwrap_or_default().into_owned();
        if part.differs(&whole, measure) {
            let (mine, theirs) = (show(part, measure), show(whole, measure));
            let whole_at = whole_at();
            diagnostics.push(RULE.finding(
                index,
                part,
                part_of,
                "measure",
                Text::new(
                    format!("{id} (measure {mine}) is said to be part of {whole_id}, which belongs to measure {theirs}"),
                    format!("「{id}」（取組 {mine}）の内数元「{whole_id}」は別の取組 {theirs} の指標です"),
                ),
                Text::new(
                    format!("A part must belong to the same measure as its whole ({whole_at})."),
                    format!("内数元は同じ取組の指標にしてください（{whole_at}）。"),
                ),
            ));
            continue;
        }
        if part.differs(&whole, unit) {
            let (mine, theirs) = (show(part, unit), show(whole, unit));
            let whole_at = whole_at();
            diagnostics.push(RULE.finding(
                index,
                part,
                part_of,
                "unit",
                Text::new(
                    format!("{id} is counted in {mine} but its whole {whole_id} in {theirs}"),
                    format!("「{id}」の単位（{mine}）が内数元「{whole_id}」の単位（{theirs}）と異なります"),
                ),
                Text::new(
                    format!("A part and its whole ({whole_at}) must have the same unit."),
                    format!("内数と内数元（{whole_at}）は同じ単位にしてください。"),
                ),
            ));
            continue;
        }
        let (Some(amount), Some(whole_amount)) = (part.number(value), whole.number(value)) else {
            continue;
        };
        if amount > whole_amount {
            let (mine, theirs) = (show(part, value), show(whole, value));
            let whole_at = whole_at();
            diagnostics.push(RULE.finding(
                index,
                part,
                value,
                "larger",
                Text::new(
                    format!("{id} ({mine}) is larger than {whole_id} ({theirs}), which it is a part of"),
                    format!("「{id}」の値（{mine}）が内数元「{whole_id}」の値（{theirs}）より大きくなっています"),
                ),
                Text::new(
                    format!("A part cannot exceed its whole ({whole_at}): check both values, and that {part_of_header} names the right KPI."),
                    format!("内数は内数元（{whole_at}）を超えられません。両方の値と、{part_of_header}が正しいかを確認してください。"),
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule};
    use serde_json::json;

    fn kpi(
        id: &str,
        measure: &str,
        value: f64,
        unit: &str,
        part_of: Option<&str>,
    ) -> (&'static str, serde_json::Value) {
        let mut row = json!({"id": id, "measure_id": measure, "value": value, "unit": unit});
        if let Some(whole) = part_of {
            row["part_of"] = json!(whole);
        }
        ("kpi", row)
    }

    #[test]
    fn a_part_within_its_whole_passes() {
        let rows = records(&[
            kpi("METI-001-K1", "METI-001", 48.0, "件", None),
            kpi("METI-001-K2", "METI-001", 8.0, "件", Some("METI-001-K1")),
            kpi("METI-001-K3", "METI-001", 48.0, "件", Some("METI-001-K1")),
        ]);
        assert!(run_rule(&RULE, &rows).is_empty());
    }

    #[test]
    fn parts_larger_than_their_whole_or_not_comparable_are_reported() {
        let rows = records(&[
            kpi("METI-001-K1", "METI-001", 48.0, "件", None),
            kpi("METI-001-K2", "METI-001", 80.0, "件", Some("METI-001-K1")),
            kpi("METI-001-K3", "METI-001", 8.0, "社", Some("METI-001-K1")),
            kpi("METI-002-K1", "METI-002", 8.0, "件", Some("METI-001-K1")),
            kpi("METI-002-K2", "METI-002", 8.0, "件", Some("METI-002-K2")),
        ]);
        let at = |code: &str, cell: &str| (code.to_string(), format!("meti.xlsx › KPI › {cell}"));
        assert_eq!(
            run_rule(&RULE, &rows),
            [
                at("kpi.part_of.larger", "D3"),
                at("kpi.part_of.unit", "J4"),
                at("kpi.part_of.measure", "J5"),
                at("kpi.part_of.self", "J6"),
            ]
        );
    }
}
