//! `id.duplicate`: every row's id (its `x-key`) is unique across all workbooks.
//!
//! Why: the master nests and references rows by id; two rows with one id would make every
//! reference to it ambiguous. The later row is reported, pointing at the first.

use super::Rule;
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "id.duplicate",
    check,
    reads: |entity, field| field.key == entity.key,
};

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    for (entity_index, entity) in index.schemas.entities.iter().enumerate() {
        let header = entity.field(&entity.key).map_or("", |f| f.header.as_str());
        for (record, first) in index.repeated_keys(entity_index) {
            let Some(id) = record.text(&entity.key) else {
                continue;
            };
            // Two workbooks of one sender are one finding of the round's, not one per row.
            if (index.round).same_sender(&record.layout().file, &first.layout().file) {
                continue;
            }
            let first_at = first.location(index.schemas, &entity.key);
            diagnostics.push(
                Diagnostic::error(
                    RULE.code,
                    record.location(index.schemas, &entity.key),
                    Text::new(
                        format!("{header} {id} is used twice; it was first used at {}", first_at.display()),
                        format!("{header}「{id}」が重複しています（最初の使用: {}）", first_at.display()),
                    ),
                    Text::new(
                        format!("Give each row of {} its own {header}. A measure repeated under another issue is a re-listing (再掲): give it a new id and put the original's id in 再掲元取組ID.", entity.sheet),
                        format!("シート「{}」の各行に別々の{header}を付けてください。同じ取組を別の論点に載せる場合は再掲として新しいIDを付け、再掲元取組IDに元のIDを入れてください。", entity.sheet),
                    ),
                )
                .with_found(id)
                .with_snippet(index.snippet(&record, &entity.key))
                .with_related(first_at, Text::new("first used here", "最初の使用箇所")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule};
    use serde_json::json;

    #[test]
    fn the_second_use_of_an_id_is_reported() {
        let rows = records(&[
            ("measure", json!({"id": "METI-001"})),
            ("measure", json!({"id": "METI-002"})),
            ("measure", json!({"id": "METI-001"})),
            ("kpi", json!({"id": "METI-001-K1"})),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [(
                "id.duplicate".to_string(),
                "meti.xlsx › 取組 › A4".to_string()
            )]
        );
    }

    /// The rows, each in the file named beside it.
    fn in_files(rows: &[(&str, &str)]) -> Vec<crate::records::ReadRow> {
        let measures: Vec<_> = (rows.iter())
            .map(|(_, id)| ("measure", json!({ "id": id })))
            .collect();
        let mut read = records(&measures);
        for (row, (file, _)) in read.iter_mut().zip(rows) {
            let mut layout = (*row.layout).clone();
            layout.file = (*file).into();
            row.layout = std::sync::Arc::new(layout);
        }
        read
    }

    #[test]
    fn two_copies_of_one_submission_are_left_to_the_round() {
        let rows = in_files(&[
            ("meti.xlsx", "METI-001"),
            ("meti - コピー.xlsx", "METI-001"),
        ]);
        assert!(
            run_rule(&RULE, &rows).is_empty(),
            "round.duplicate says it once"
        );
        let rows = in_files(&[
            ("meti.xlsx", "METI-001"),
            ("mhlw.xlsx", "MHLW-001"),
            ("mhlw.xlsx", "MHLW-002"),
            ("mhlw.xlsx", "METI-001"),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [(
                "id.duplicate".to_string(),
                "mhlw.xlsx › 取組 › A5".to_string()
            )],
            "an id of one sender's in another's workbook is a duplicate"
        );
    }

    #[test]
    fn the_same_text_in_two_sheets_is_no_duplicate() {
        let rows = records(&[
            ("challenge", json!({"id": "1"})),
            ("section", json!({"id": "1"})),
        ]);
        assert!(run_rule(&RULE, &rows).is_empty());
    }
}
