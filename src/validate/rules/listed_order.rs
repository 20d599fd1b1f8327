//! `order.unknown`: every id in a list that orders a row's children (`x-orders`, the 論点's
//! 取組の掲載順) names one of that row's children.
//!
//! Why: the secretariat orders the measures under an issue by listing their 取組ID; an id typed
//! wrong, or one of a measure filed under another issue, would leave the order silently other than
//! the one meant. A measure the run does not hold is only an error when the run holds the whole
//! round: a ministry checking its own workbook beside the council master does not have the others'.
//! While the measure's own 論点ID, or a repeated 取組ID, is in error, the rule waits: one mistake,
//! one finding.

use super::Rule;
use crate::lang::Text;
use crate::records::Field;
use crate::report::{Diagnostic, Related};
use crate::validate::{Consequence, Index};

pub const RULE: Rule = Rule {
    code: "order",
    check,
    reads: |entity, field| {
        field.orders.is_some()
            || field.key == entity.key
            || entity.parent.as_ref() == Some(&field.key)
    },
};

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    let schemas = index.schemas;
    for (parent, entity) in schemas.entities.iter().enumerate() {
        for field in &entity.fields {
            let Some(child) = field.orders.as_deref() else {
                continue;
            };
            let (Some(child), Some(child_entity)) = (index.entity(child), schemas.entity(child))
            else {
                continue;
            };
            let Some(parent_field) = child_entity.parent.as_deref() else {
                continue;
            };
            // An id missing while another is used twice is most likely a rename half done:
            // `id.duplicate` says so, once.
            let renaming = index.repeated_keys(child).next().is_some();
            let whole = index.round.read_whole() && index.sheet_read(child);
            for record in index.records(parent) {
                let Some(Field::List(list)) = record.field(&field.key) else {
                    continue;
                };
                let own = record.text(&entity.key).unwrap_or_default();
                for item in list.iter() {
                    let Field::Text(id) = item else {
                        continue;
                    };
                    let found = index.find(child, id);
                    let under = found.as_ref().and_then(|c| c.text(parent_field));
                    let (message, help) = match under {
                        // The child is there but its own reference was refused (a 論点ID typed
                        // wrong): that error, in the child's workbook, is the one to fix.
                        None if found.is_some() => {
                            if let Some(child) = &found {
                                index.follows_from(Consequence {
                                    at: child.location(schemas, parent_field),
                                    related: Related {
                                        location: record.location(schemas, &field.key),
                                        note: Text::new(
                                            format!("{} of {own} lists {id} too; it is right once {id}'s own {} is", field.header, parent_header(child_entity)),
                                            format!("{own}の{}にもこの取組（{id}）が載っています。この取組の{}を直せば解消します", field.header, parent_header(child_entity)),
                                        ),
                                    },
                                });
                            }
                            continue;
                        }
                        Some(under) if under == own => continue,
                        // The child's own reference is wrong: that error is the one to fix.
                        Some(under) if index.find(parent, under).is_none() => continue,
                        Some(under) => elsewhere(&field.header, id, own, under),
                        None if whole && !renaming && !index.round.lacks_sender_of(schemas, id) => {
                            unknown(&field.header, id, &child_entity.sheet)
                        }
                        None => continue,
                    };
                    diagnostics
                        .push(RULE.finding(index, record, &field.key, "unknown", message, help));
                }
            }
        }
    }
}

/// The header of the field by which a child names its parent (論点ID).
fn parent_header(child: &crate::schema::Entity) -> &str {
    (child.parent.as_deref())
        .and_then(|key| child.field(key))
        .map_or("", |field| field.header.as_str())
}

fn elsewhere(header: &str, id: &str, own: &str, under: &str) -> (Text, Text) {
    (
        Text::new(
            format!("{header} lists {id}, which answers {under}, not {own}"),
            format!("{header}の「{id}」は{own}ではなく{under}の取組です"),
        ),
        Text::new(
            format!("List here only the measures of {own}; put {id} in the list of {under}."),
            format!("ここには{own}の取組だけを並べてください。「{id}」は{under}の行に書きます。"),
        ),
    )
}

fn unknown(header: &str, id: &str, sheet: &str) -> (Text, Text) {
    (
        Text::new(
            format!("{header} lists {id}, which no {sheet} sheet of the round holds"),
            format!("{header}の「{id}」は、どの提出ブックの{sheet}シートにもありません"),
        ),
        Text::new(
            "Correct the id, or remove it from the list.",
            "取組IDを直すか、一覧から除いてください。",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule, run_rule_in};
    use crate::validate::Scope;
    use serde_json::json;

    fn rows(order: serde_json::Value) -> Vec<crate::records::ReadRow> {
        records(&[
            ("issue", json!({"id": "1-1-01", "measure_order": order})),
            ("issue", json!({"id": "1-1-02"})),
            ("measure", json!({"id": "METI-001", "issue_id": "1-1-01"})),
            ("measure", json!({"id": "METI-002", "issue_id": "1-1-02"})),
        ])
    }

    #[test]
    fn a_list_of_the_issues_own_measures_is_accepted() {
        assert!(run_rule(&RULE, &rows(json!(["METI-001"]))).is_empty());
    }

    #[test]
    fn a_measure_of_another_issue_or_of_none_is_refused() {
        let found = run_rule(&RULE, &rows(json!(["METI-002", "METI-001", "METI-099"])));
        let cell = "council.xlsx › 論点 › E2".to_string();
        assert_eq!(
            found,
            [
                ("order.unknown".to_string(), cell.clone()),
                ("order.unknown".to_string(), cell)
            ]
        );
    }

    #[test]
    fn part_of_a_round_is_not_asked_for_the_others_measures() {
        let found = run_rule_in(Scope::Part, &RULE, &rows(json!(["METI-001", "CAO-001"])));
        assert!(found.is_empty(), "{found:?}");
    }
}
