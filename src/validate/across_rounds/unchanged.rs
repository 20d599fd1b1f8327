//! `previous.unchanged`: an organisation whose rows this round are exactly last round's — the
//! same measures and KPIs, every field the same — has sent last round's submission again; a
//! warning at its workbook says nothing was updated.
//!
//! Why: a figure (累計, 年度) that did not move in a year is rare; a workbook sent back unchanged
//! is usually last year's file attached by mistake.

use super::{Across, RoundRule};
use crate::compare::Owner;
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::validate::round::{sender_name, Sender};

pub const RULE: RoundRule = RoundRule {
    code: "previous.unchanged",
    check,
};

fn check(across: &Across, diagnostics: &mut Vec<Diagnostic>) {
    let schemas = across.schemas;
    let submissions: Vec<usize> = (0..schemas.entities.len())
        .filter(|&e| !schemas.entities[e].is_council())
        .collect();
    let previous = &across.previous.file;
    for org in 0..schemas.organisations.len() {
        let owner = Owner::Organisation(org);
        if !across.current.holds(owner) {
            continue;
        }
        let rows_of = |snapshot: &crate::compare::Snapshot| {
            (submissions.iter())
                .map(|&e| {
                    (snapshot.rows(e).iter())
                        .filter(|row| Owner::of(schemas, e, &row.key) == owner)
                        .count()
                })
                .sum::<usize>()
        };
        let changed = (across.comparison.changes.iter()).any(|c| {
            !schemas.entities[c.entity].is_council()
                && Owner::of(schemas, c.entity, &c.key) == owner
        });
        if changed || rows_of(across.current) == 0 || rows_of(across.previous) == 0 {
            continue;
        }
        let name = sender_name(schemas, Sender::Organisation(org));
        diagnostics.push(Diagnostic::warning(
            RULE.code,
            across.home(owner, None),
            Text::new(
                format!("{}'s rows are exactly those of last round's master ({previous}): nothing was updated", name.en),
                format!("{}の行が前回（{previous}）とすべて同じです。更新されていません", name.ja),
            ),
            Text::new(
                "Check that this is this round's workbook, and update its figures (値, 時点) where they have moved.",
                "今回のブックか確認し、値や時点など変わったところを更新してください。",
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::across_rounds::tests::{kpi, master, measure, run};

    fn round(value: f64) -> serde_json::Value {
        master(
            measure("METI-001", "医工連携"),
            &[kpi("METI-001-K1", value, false, None)],
        )
    }

    #[test]
    fn a_submission_sent_again_unchanged_is_noted() {
        let found = run(&RULE, &round(48.0), &round(48.0));
        assert_eq!(
            found,
            [(
                "previous.unchanged".to_string(),
                "経産省（METI）の行が前回（last.json）とすべて同じです。更新されていません"
                    .to_string()
            )]
        );
    }

    #[test]
    fn one_figure_updated_is_an_update() {
        assert!(run(&RULE, &round(48.0), &round(50.0)).is_empty());
    }
}
