//! `id.prefix`: a row's id starts with the value of each field marked `x-id-prefix`, then `-`.
//! 項目ID `1-2` starts with its 課題ID `1`; 論点ID `1-2-04` with its 項目ID; 指標ID
//! `METI-001-K2` with its 取組ID; and 取組ID `METI-003` with its lead organisation, which must be
//! among its 担当府省.
//!
//! Why: the ids are read by people as addresses; one that contradicts its parent misleads them.
//! The problem is reported at the parent field, the one the rule is written on. A parent that
//! does not exist at all is `ref.unresolved`'s to report, not this rule's.

use serde_json::Value;

use super::Rule;
use crate::lang::Text;
use crate::records::display_value;
use crate::report::Diagnostic;
use crate::schema::Field;
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "id.prefix",
    check,
    reads: |entity, field| field.id_prefix || field.key == entity.key,
};

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    for (entity_index, entity) in index.schemas.entities.iter().enumerate() {
        let id_header = entity.field(&entity.key).map_or("", |f| f.header.as_str());
        for field in entity.fields.iter().filter(|f| f.id_prefix) {
            for record in index.records(entity_index) {
                let (Some(id), Some(value)) = (record.text(&entity.key), record.get(&field.key))
                else {
                    continue;
                };
                let Some((prefix, _)) = id.rsplit_once('-') else {
                    continue;
                };
                let matches = match &value {
                    Value::Array(items) => items.iter().any(|item| item.as_str() == Some(prefix)),
                    other => other.as_str() == Some(prefix),
                };
                if matches || names_missing_row(index, field, &value) {
                    continue;
                }
                let found = display_value(&value);
                let header = &field.header;
                let (message, help) = match &value {
                    Value::Array(_) => (
                        Text::new(
                            format!("{id_header} {id} names {prefix} as lead, but {header} ({found}) does not include it"),
                            format!("{id_header}「{id}」の主担当 {prefix} が{header}（{found}）に含まれていません"),
                        ),
                        Text::new(
                            format!("Add {prefix} to {header}, or correct {id_header}."),
                            format!("{header}に {prefix} を加えるか、{id_header}を直してください。"),
                        ),
                    ),
                    _ => (
                        Text::new(
                            format!("{id_header} {id} starts with {prefix}, but {header} is {found}"),
                            format!("{id_header}「{id}」の先頭は {prefix} ですが、{header}は「{found}」です"),
                        ),
                        Text::new(
                            format!("Make {header} and the start of {id_header} the same."),
                            format!("{header}と{id_header}の先頭を一致させてください。"),
                        ),
                    ),
                };
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        record.location(index.schemas, &field.key),
                        message,
                        help,
                    )
                    .with_found(found)
                    .with_snippet(index.snippet(&record, &field.key)),
                );
            }
        }
    }
}

/// Whether `value` is a reference to a row the run read no such row for.
fn names_missing_row(index: &Index, field: &Field, value: &Value) -> bool {
    let Some(target) = field
        .references
        .as_deref()
        .and_then(|name| index.entity(name))
    else {
        return false;
    };
    index.sheet_read(target)
        && value
            .as_str()
            .is_some_and(|key| index.find(target, key).is_none())
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule};
    use serde_json::json;

    #[test]
    fn ids_that_contradict_their_parent_are_reported_at_the_parent_field() {
        let rows = records(&[
            ("section", json!({"id": "1-2", "challenge_id": "1"})),
            ("section", json!({"id": "1-3", "challenge_id": "2"})),
            ("issue", json!({"id": "1-2-04", "section_id": "1-2"})),
            (
                "measure",
                json!({"id": "METI-003", "ministries": ["MHLW", "METI"]}),
            ),
            ("measure", json!({"id": "METI-004", "ministries": ["MHLW"]})),
            (
                "kpi",
                json!({"id": "METI-001-K2", "measure_id": "METI-002"}),
            ),
            (
                "kpi",
                json!({"id": "METI-001-K3", "measure_id": "METI-009"}),
            ),
            ("measure", json!({"id": "METI-002", "ministries": ["METI"]})),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [
                (
                    "id.prefix".to_string(),
                    "council.xlsx › 項目 › B3".to_string()
                ),
                ("id.prefix".to_string(), "meti.xlsx › 取組 › E3".to_string()),
                ("id.prefix".to_string(), "meti.xlsx › KPI › B2".to_string()),
            ]
        );
    }
}
