//! `previous.lead_changed`: a measure found again under another organisation's id (the same
//! title under the same issue, `METI-003` last round, `MHLW-010` now) is a warning at its id,
//! naming last round's row.
//!
//! Why: a change of lead moves the measure to another ministry's workbook and another place in
//! the annex; the secretariat must confirm that both ministries agreed, not find it in print.

use super::{Across, RoundRule, MEASURE};
use crate::compare::Kind;
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::validate::round::{sender_name, Sender};

pub const RULE: RoundRule = RoundRule {
    code: "previous.lead_changed",
    check,
};

fn check(across: &Across, diagnostics: &mut Vec<Diagnostic>) {
    let schemas = across.schemas;
    let Some(index) = schemas.entity_role(MEASURE) else {
        return;
    };
    let entity = &schemas.entities[index];
    let previous = &across.previous.file;
    for change in (across.comparison.changes.iter())
        .filter(|c| c.entity == index && c.kind == Kind::Renumbered)
    {
        let Some(old) = change.before.as_ref().and_then(|v| v.as_str()) else {
            continue;
        };
        let (then, now) = (schemas.lead_of(old), schemas.lead_of(&change.key));
        let (Some(then), Some(now)) = (then, now) else {
            continue;
        };
        let Some(row) = (then != now)
            .then(|| across.current.find(index, &change.key))
            .flatten()
        else {
            continue;
        };
        let name = |org| sender_name(schemas, Sender::Organisation(org));
        let (from, to) = (name(then), name(now));
        let (key, title) = (&change.key, &change.name);
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                across.at(row, &entity.key),
                Text::new(
                    format!("measure {key} \"{title}\" was {old} last round ({previous}): its lead changed from {} to {}", from.en, to.en),
                    format!("取組「{key}」{title}は前回（{previous}）の「{old}」です。主担当が{}から{}に変わっています", from.ja, to.ja),
                ),
                Text::new(
                    format!("Confirm with {} that the measure moved; if it did not, give it back its id {old}.", from.en),
                    format!("{}と主担当の変更を確認してください。変更でなければ取組IDを「{old}」に戻してください。", from.ja),
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
    fn a_measure_under_another_lead_names_last_round_s_id() {
        let before = master(measure("METI-003", "ロボット介護機器開発"), &[]);
        let after = master(measure("MHLW-010", "ロボット介護機器開発"), &[]);
        let found = run(&RULE, &before, &after);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "previous.lead_changed");
        assert!(
            found[0].1.contains("前回（last.json）の「METI-003」"),
            "{}",
            found[0].1
        );
        assert!(
            found[0].1.contains("経産省（METI）から厚労省（MHLW）"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn a_measure_renumbered_within_its_organisation_keeps_its_lead() {
        let before = master(measure("METI-003", "ロボット介護機器開発"), &[]);
        let after = master(measure("METI-010", "ロボット介護機器開発"), &[]);
        assert!(run(&RULE, &before, &after).is_empty());
    }
}
