//! `ref.unresolved`: every field marked `x-references` names a row that exists (a section's
//! 課題ID, an issue's 項目ID, a measure's 論点ID, a KPI's 取組ID, 内数元指標ID, 再掲元取組ID).
//!
//! Why: a measure filed under an issue that does not exist would vanish from the council's annex.
//! When a run reads no sheet of the referenced kind at all (a ministry checking its own
//! submission without the council master), one warning says the references were not checked.

use super::Rule;
use crate::lang::Text;
use crate::records::Record;
use crate::report::{Diagnostic, Location};
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "ref.unresolved",
    check,
    reads: |_, field| field.references.is_some(),
};

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    for (entity_index, entity) in index.schemas.entities.iter().enumerate() {
        for field in &entity.fields {
            let Some(target_name) = field.references.as_deref() else {
                continue;
            };
            let (Some(target), Some(target_entity)) =
                (index.entity(target_name), index.schemas.entity(target_name))
            else {
                continue;
            };
            if !index.sheet_read(target) {
                let mut records = index.records(entity_index);
                if let Some(first) = records.find(|r| r.display(&field.key).is_some()) {
                    diagnostics.push(unchecked(
                        first,
                        index,
                        &field.key,
                        &field.header,
                        &target_entity.sheet,
                        target_entity.workbook != entity.workbook,
                    ));
                }
                continue;
            }
            for record in index.records(entity_index) {
                let Some(wanted) = record.display(&field.key) else {
                    continue;
                };
                if index.find(target, &wanted).is_some() {
                    continue;
                }
                let header = &field.header;
                let target_header = target_entity
                    .field(&target_entity.key)
                    .map_or("", |f| f.header.as_str());
                diagnostics.push(
                    Diagnostic::error(
                        RULE.code,
                        record.location(index.schemas, &field.key),
                        Text::new(
                            format!("{header} {wanted} names no row of the {} sheet", target_entity.sheet),
                            format!("{header}「{wanted}」はシート「{}」にありません", target_entity.sheet),
                        ),
                        match target_entity.workbook == entity.workbook {
                            true => Text::new(
                                format!("Use a {target_header} that exists in the {} sheet, or add the missing row there.", target_entity.sheet),
                                format!("シート「{}」にある{target_header}を入れるか、そのシートに行を追加してください。", target_entity.sheet),
                            ),
                            // A ministry has no council sheet to add a row to: it chooses.
                            false => Text::new(
                                format!("Choose a {target_header} from the {} sheet of your template, or from the cell's drop-down list; if the one you need is not there, ask the secretariat.", target_entity.list_sheet()),
                                format!("テンプレートのシート「{}」か、セルのプルダウンから{target_header}を選んでください。該当するものがない場合は事務局に問い合わせてください。", target_entity.list_sheet()),
                            ),
                        },
                    )
                    .with_found(wanted.into_owned())
                    .with_snippet(index.snippet(&record, &field.key)),
                );
            }
        }
    }
}

/// `in_council`: the sheet not read is the council master's (a ministry checking alone).
fn unchecked(
    first: Record,
    index: &Index,
    key: &str,
    header: &str,
    sheet: &str,
    in_council: bool,
) -> Diagnostic {
    let at: Location = first.location(index.schemas, key);
    Diagnostic::warning(
        "ref.unchecked",
        Location {
            row: Some(1),
            ..at
        },
        Text::new(
            format!("no {sheet} sheet was read, so {header} was not checked"),
            format!("シート「{sheet}」が読み込まれていないため、{header}は確認していません"),
        ),
        match in_council {
            true => Text::new(
                format!("Check this workbook together with the council master, which has the {sheet} sheet."),
                format!("シート「{sheet}」のある協議会マスターと一緒に確認してください。"),
            ),
            false => Text::new(
                format!("Add the {sheet} sheet to this workbook (or check it together with the workbook that has it)."),
                format!("このブックにシート「{sheet}」を追加するか、そのシートのあるブックと一緒に確認してください。"),
            ),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule};
    use serde_json::json;

    #[test]
    fn references_to_rows_that_do_not_exist_are_reported() {
        let rows = records(&[
            ("issue", json!({"id": "1-1-01"})),
            ("measure", json!({"id": "METI-001", "issue_id": "1-1-01"})),
            (
                "measure",
                json!({"id": "METI-002", "issue_id": "9-9-99", "relisted_from": "METI-001"}),
            ),
            (
                "kpi",
                json!({"id": "METI-002-K1", "measure_id": "METI-002", "part_of": "METI-002-K9"}),
            ),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [
                (
                    "ref.unresolved".to_string(),
                    "meti.xlsx › 取組 › B3".to_string()
                ),
                (
                    "ref.unresolved".to_string(),
                    "meti.xlsx › KPI › J2".to_string()
                ),
            ]
        );
    }

    #[test]
    fn without_the_referenced_sheet_one_warning_says_so() {
        let rows = records(&[
            ("measure", json!({"id": "METI-001", "issue_id": "1-1-01"})),
            ("measure", json!({"id": "METI-002", "issue_id": "1-1-02"})),
        ]);
        assert_eq!(
            run_rule(&RULE, &rows),
            [(
                "ref.unchecked".to_string(),
                "meti.xlsx › 取組 › B1".to_string()
            )]
        );
    }
}
