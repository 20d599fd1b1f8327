//! `issue.no_measures` (warning): when the run holds a whole round and reads submissions, every
//! issue (論点) has at least one measure.
//!
//! Why: an issue nobody answered leaves a blank in the council's annex; the secretariat wants to
//! know before the meeting, not at it. Without any 取組 sheet in the run there is nothing to say,
//! and while some measure's 論点ID is itself in error, the blank may be that error's doing: the
//! rule waits until it is fixed. A ministry checking its own workbook is not told of the issues
//! other ministries answer.

use super::Rule;
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "issue.no_measures",
    check,
    reads: |entity, field| {
        (entity.is(MEASURE) && entity.parent.as_ref() == Some(&field.key))
            || (entity.is(ISSUE) && field.key == entity.key)
    },
};

/// The roles the rule reads (`x-role` in the schemas): the issues, and the measures, each of which
/// names its issue in its parent field (`x-parent`).
const ISSUE: &str = "issue";
const MEASURE: &str = "measure";

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    let schemas = index.schemas;
    let (Some(issue), Some(measure)) = (schemas.entity_role(ISSUE), schemas.entity_role(MEASURE))
    else {
        return;
    };
    let issue_key = schemas.entities[issue].key.as_str();
    let issue_id = schemas.entities[measure]
        .parent
        .as_deref()
        .unwrap_or_default();
    if !index.sheet_read(measure) || !index.round.read_whole() {
        return;
    }
    let misfiled = index.records(measure).any(|record| {
        record.is_filled(issue_id)
            && record
                .text(issue_id)
                .is_none_or(|id| index.find(issue, id).is_none())
    });
    if misfiled {
        return;
    }
    let answered: std::collections::HashSet<&str> = index
        .records(measure)
        .filter_map(|record| record.text(issue_id))
        .collect();
    for record in index.records(issue) {
        let Some(id) = record.text(issue_key) else {
            continue;
        };
        if answered.contains(id) {
            continue;
        }
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                record.location(index.schemas, issue_key),
                Text::new(format!("no measure answers issue {id}"), format!("論点「{id}」に対応する取組がありません")),
                Text::new(
                    "Check that every ministry's workbook is in the run and that their 論点ID are right.",
                    "全府省のブックが対象に含まれているか、各取組の論点IDが正しいかを確認してください。",
                ),
            )
            .with_found(id)
            .with_snippet(index.snippet(&record, "id")),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule, run_rule_in};
    use crate::validate::Scope;
    use serde_json::json;

    #[test]
    fn unanswered_issues_are_warned_about() {
        let rows = records(&[
            ("issue", json!({"id": "1-1-01"})),
            ("issue", json!({"id": "1-1-02"})),
            ("measure", json!({"id": "METI-001", "issue_id": "1-1-01"})),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [(
                "issue.no_measures".to_string(),
                "council.xlsx › 論点 › A3".to_string()
            )]
        );
    }

    #[test]
    fn nothing_is_said_while_a_measure_names_an_unknown_issue() {
        let rows = records(&[
            ("issue", json!({"id": "1-1-01"})),
            ("issue", json!({"id": "1-1-02"})),
            ("measure", json!({"id": "METI-001", "issue_id": "1-1-01"})),
            ("measure", json!({"id": "METI-002", "issue_id": "1-1-2"})),
        ]);
        assert!(run_rule(&RULE, &rows).is_empty());
    }

    #[test]
    fn nothing_is_said_to_part_of_a_round() {
        let rows = records(&[
            ("issue", json!({"id": "1-1-01"})),
            ("issue", json!({"id": "1-1-02"})),
            ("measure", json!({"id": "METI-001", "issue_id": "1-1-01"})),
        ]);
        assert!(run_rule_in(Scope::Part, &RULE, &rows).is_empty());
    }

    #[test]
    fn nothing_is_said_without_submissions() {
        let rows = records(&[("issue", json!({"id": "1-1-01"}))]);
        assert!(run_rule(&RULE, &rows).is_empty());
    }
}
