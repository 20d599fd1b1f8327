//! `previous.removed`: a measure in last round's master that no workbook of this round has (and
//! that was not renumbered) is a warning at its organisation's 取組 sheet, naming last round's
//! row.
//!
//! Why: a measure ends, or a row was deleted by mistake while the workbook was updated; only the
//! organisation can say which, and the annex should not lose a measure silently.

use super::{Across, RoundRule, MEASURE};
use crate::compare::{Kind, Owner};
use crate::lang::Text;
use crate::report::Diagnostic;

pub const RULE: RoundRule = RoundRule {
    code: "previous.removed",
    check,
};

fn check(across: &Across, diagnostics: &mut Vec<Diagnostic>) {
    let Some(index) = across.schemas.entity_role(MEASURE) else {
        return;
    };
    let entity = &across.schemas.entities[index];
    let parent = entity.parent_link(across.schemas).map(|(field, _)| field);
    let previous = &across.previous.file;
    for change in
        (across.comparison.changes.iter()).filter(|c| c.entity == index && c.kind == Kind::Removed)
    {
        let (key, title) = (&change.key, &change.name);
        let under = (parent.zip(across.previous.find(index, key)))
            .and_then(|(field, row)| Some((&field.header, row.fields.get(&field.key)?.as_str()?)));
        let (under_en, under_ja) = match under {
            Some((header, parent)) => (
                format!(", {header} {parent}"),
                format!("（{header} {parent}）"),
            ),
            None => (String::new(), String::new()),
        };
        let owner = Owner::of(across.schemas, index, key);
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                across.home(owner, Some(index)),
                Text::new(
                    format!("measure {key} \"{title}\"{under_en} is in last round's master ({previous}) but not in this round"),
                    format!("前回（{previous}）の取組「{key}」{title}{under_ja}が今回はありません"),
                ),
                Text::new(
                    "If the measure has ended, nothing needs fixing; if it goes on, add its row again (a template made with --from has it).",
                    "取組が終了した場合は対応不要です。継続している場合は行を戻してください（--from で作ったテンプレートに前回の行があります）。",
                ),
            )
            .with_found(key.clone()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::across_rounds::tests::{master, measure, run};

    #[test]
    fn a_measure_gone_is_named_with_its_issue() {
        let before = master(measure("METI-001", "医工連携"), &[]);
        let after = master(measure("METI-002", "別の取組"), &[]);
        let found = run(&RULE, &before, &after);
        assert_eq!(
            found,
            [(
                "previous.removed".to_string(),
                "前回（last.json）の取組「METI-001」医工連携（論点ID 1-1-01）が今回はありません"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_measure_kept_or_renumbered_is_not_gone() {
        let before = master(measure("METI-001", "医工連携"), &[]);
        assert!(run(&RULE, &before, &before).is_empty());
        let renumbered = master(measure("MHLW-001", "医工連携"), &[]);
        assert!(run(&RULE, &before, &renumbered).is_empty());
    }
}
