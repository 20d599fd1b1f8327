//! `previous.total_fell`: a running total (累計) smaller than last round's is an error — a total of
//! everything so far cannot fall — unless its 備考 says why this round
//! (`previous.total_fell_explained`, a warning, for the secretariat to read the reason).
//!
//! Why: 累計67件 last round and 累計60件 now is either a typing error or a recount, and a recount
//! must be explained in the annex's notes, never found by the council.

use super::{amount, Across, RoundRule, CUMULATIVE, NOTE, VALUE};
use crate::lang::Text;
use crate::report::Diagnostic;

pub const RULE: RoundRule = RoundRule {
    code: "previous.total_fell",
    check,
};

fn check(across: &Across, diagnostics: &mut Vec<Diagnostic>) {
    let Some((_, entity)) = across.figures() else {
        return;
    };
    let (cumulative, note) = (across.figure_header(CUMULATIVE), across.figure_header(NOTE));
    for moved in across.moved_figures() {
        if !across.cumulative(moved.after) || moved.after_value >= moved.before_value {
            continue;
        }
        let key = &moved.change.key;
        let then = amount(moved.before_value, moved.before, entity);
        let now = amount(moved.after_value, moved.after, entity);
        let previous = &across.previous.file;
        let at = across.at(moved.after, entity.role_key(VALUE));
        let diagnostic = match across.explained(&moved) {
            false => Diagnostic::error(
                RULE.code,
                at,
                Text::new(
                    format!("{key} is a running total ({cumulative}) but fell from {then} last round ({previous}) to {now}"),
                    format!("「{key}」は{cumulative}ですが、前回（{previous}）の {then} から {now} に減っています"),
                ),
                Text::new(
                    format!("A running total cannot fall: correct the value, or, if it was recounted, say why in {note}."),
                    format!("累計は減りません。値を直すか、数え直した場合はその理由を{note}に書いてください。"),
                ),
            ),
            true => Diagnostic::warning(
                format!("{}_explained", RULE.code),
                at,
                Text::new(
                    format!("{key} is a running total ({cumulative}) and fell from {then} last round ({previous}) to {now}; {note} gives the reason"),
                    format!("「{key}」は{cumulative}で、前回（{previous}）の {then} から {now} に減っています。理由は{note}にあります"),
                ),
                Text::new(
                    format!("Check that the reason in {note} explains the fall; it will be read with the annex."),
                    format!("{note}の理由で減少が説明できているか確認してください。"),
                ),
            ),
        };
        diagnostics.push(diagnostic.with_found(crate::values::format_number(moved.after_value)));
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::across_rounds::tests::{kpi, master, measure, run};

    fn round(value: f64, cumulative: bool, note: Option<&str>) -> serde_json::Value {
        master(
            measure("CAO-001", "次世代医療基盤法"),
            &[kpi("CAO-001-K2", value, cumulative, note)],
        )
    }

    #[test]
    fn a_running_total_that_fell_is_an_error() {
        let found = run(&RULE, &round(70.0, true, None), &round(67.0, true, None));
        assert_eq!(
            found,
            [(
                "previous.total_fell".to_string(),
                "「CAO-001-K2」は累計ですが、前回（last.json）の 70件 から 67件 に減っています"
                    .to_string()
            )]
        );
    }

    #[test]
    fn a_fall_the_note_explains_is_a_warning_but_last_round_s_note_explains_nothing() {
        let before = round(70.0, true, Some("前回の備考"));
        let explained = run(
            &RULE,
            &before,
            &round(67.0, true, Some("集計方法を見直したため")),
        );
        assert_eq!(explained.len(), 1);
        assert_eq!(explained[0].0, "previous.total_fell_explained");
        let carried = run(&RULE, &before, &round(67.0, true, Some("前回の備考")));
        assert_eq!(carried[0].0, "previous.total_fell");
    }

    #[test]
    fn a_total_that_grew_or_a_figure_that_is_no_total_passes() {
        assert!(run(&RULE, &round(67.0, true, None), &round(70.0, true, None)).is_empty());
        assert!(run(&RULE, &round(70.0, false, None), &round(67.0, false, None)).is_empty());
        assert!(run(&RULE, &round(67.0, true, None), &round(67.0, true, None)).is_empty());
    }
}
