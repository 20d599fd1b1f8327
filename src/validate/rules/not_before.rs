//! `<entity>.<field>.not_before`: a field marked `x-not-before` is not smaller than the field it
//! names; 対象年度（終了） is not before 対象年度（開始）.
//!
//! Why: a period that ends before it starts is a typing slip, and the annex would print it.

use super::Rule;
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "not_before",
    check,
    reads: |entity, field| {
        field.not_before.is_some()
            || (entity.fields.iter()).any(|f| f.not_before.as_deref() == Some(&field.key))
    },
};

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    for (entity_index, entity) in index.schemas.entities.iter().enumerate() {
        for field in &entity.fields {
            let Some(earlier_key) = field.not_before.as_deref() else {
                continue;
            };
            let earlier_header = entity.field(earlier_key).map_or("", |f| f.header.as_str());
            for record in index.records(entity_index) {
                let in_order = match (record.number(&field.key), record.number(earlier_key)) {
                    (Some(later), Some(earlier)) => later >= earlier,
                    _ => match (record.text(&field.key), record.text(earlier_key)) {
                        (Some(later), Some(earlier)) => later >= earlier,
                        _ => true,
                    },
                };
                if in_order {
                    continue;
                }
                let show = |key| record.display(key).unwrap_or_default().into_owned();
                let (later, earlier) = (show(&field.key), show(earlier_key));
                let header = &field.header;
                diagnostics.push(
                    Diagnostic::error(
                        format!("{}.{}.{}", entity.name, field.key, RULE.code),
                        record.location(index.schemas, &field.key),
                        Text::new(
                            format!("{header} ({later}) is before {earlier_header} ({earlier})"),
                            format!("{header}（{later}）が{earlier_header}（{earlier}）より前になっています"),
                        ),
                        Text::new(
                            format!("Make {header} the same as or later than {earlier_header}; they may have been swapped."),
                            format!("{header}は{earlier_header}と同じかそれ以降にしてください（入れ替わっていないか確認してください）。"),
                        ),
                    )
                    .with_found(later)
                    .with_snippet(index.snippet(&record, &field.key)),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule};
    use serde_json::json;

    #[test]
    fn a_period_that_ends_before_it_starts_is_reported_at_its_end() {
        let rows = records(&[
            (
                "kpi",
                json!({"id": "METI-001-K1", "fy_from": 2020, "fy_to": 2024}),
            ),
            (
                "kpi",
                json!({"id": "METI-001-K2", "fy_from": 2024, "fy_to": 2024}),
            ),
            (
                "kpi",
                json!({"id": "METI-001-K3", "fy_from": 2024, "fy_to": 2020}),
            ),
            ("kpi", json!({"id": "METI-001-K4", "fy_to": 2020})),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [(
                "kpi.fy_to.not_before".to_string(),
                "meti.xlsx › KPI › G4".to_string()
            )]
        );
    }
}
