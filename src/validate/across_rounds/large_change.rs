//! `previous.large_change`: a figure that moved further from last round's value than the
//! threshold (±50 % unless `--change-threshold` says otherwise), or away from 0, with no reason
//! in its 備考 this round, is a warning asking for the reason (変動要因), as statistical surveys
//! ask. A running total that fell is `previous.total_fell`'s, not this rule's.
//!
//! Why: a figure that doubles is news or a typing error (480 for 48); either way the secretariat
//! must be able to say why before the council asks.

use super::{amount, Across, RoundRule, NOTE, VALUE};
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::values::format_number;

pub const RULE: RoundRule = RoundRule {
    code: "previous.large_change",
    check,
};

fn check(across: &Across, diagnostics: &mut Vec<Diagnostic>) {
    let Some((_, entity)) = across.figures() else {
        return;
    };
    let note = across.figure_header(NOTE);
    let limit = format_number(across.threshold);
    for moved in across.moved_figures() {
        let fell = moved.after_value < moved.before_value;
        if (fell && across.cumulative(moved.after)) || across.explained(&moved) {
            continue;
        }
        let percent = moved.change.percent();
        if percent.is_some_and(|p| p.abs() <= across.threshold) {
            continue;
        }
        let key = &moved.change.key;
        let then = amount(moved.before_value, moved.before, entity);
        let now = amount(moved.after_value, moved.after, entity);
        let by = Text::new(
            percent.map_or_else(String::new, |p| format!(" ({p:+.1}%)")),
            percent.map_or_else(|| " ".to_string(), |p| format!("（{p:+.1}%）")),
        );
        let previous = &across.previous.file;
        let at = across.at(moved.after, entity.role_key(VALUE));
        diagnostics.push(
            Diagnostic::warning(
                RULE.code,
                at,
                Text::new(
                    format!("{key} changed from {then} last round ({previous}) to {now}{}, more than ±{limit}%, and {note} gives no reason", by.en),
                    format!("「{key}」が前回（{previous}）の {then} から {now}{}に変わり、±{limit}% を超えていますが、{note}に理由がありません", by.ja),
                ),
                Text::new(
                    format!("If the value is right, write the reason for the change in {note}; otherwise correct it."),
                    format!("値が正しければ変動の理由（変動要因）を{note}に書いてください。誤りなら値を直してください。"),
                ),
            )
            .with_found(format_number(moved.after_value)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::across_rounds::tests::{kpi, master, measure, run, run_with};

    fn round(value: f64, note: Option<&str>) -> serde_json::Value {
        master(
            measure("METI-001", "医工連携"),
            &[kpi("METI-001-K1", value, false, note)],
        )
    }

    #[test]
    fn a_figure_that_more_than_doubled_without_a_reason_is_asked_for_one() {
        let found = run(&RULE, &round(48.0, None), &round(480.0, None));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "previous.large_change");
        assert!(
            found[0].1.contains("48件 から 480件（+900.0%）に"),
            "{}",
            found[0].1
        );
        let from_zero = run(&RULE, &round(0.0, None), &round(5.0, None));
        assert_eq!(from_zero.len(), 1);
    }

    #[test]
    fn a_change_within_the_threshold_or_with_a_reason_passes() {
        assert!(run(&RULE, &round(48.0, None), &round(70.0, None)).is_empty());
        assert!(run(
            &RULE,
            &round(48.0, None),
            &round(480.0, Some("大型補正予算"))
        )
        .is_empty());
        assert!(
            run(
                &RULE,
                &round(48.0, Some("同じ")),
                &round(480.0, Some("同じ"))
            )
            .len()
                == 1
        );
    }

    #[test]
    fn the_threshold_is_the_run_s() {
        assert_eq!(
            run_with(&RULE, &round(48.0, None), &round(70.0, None), 20.0).len(),
            1
        );
        assert!(run_with(&RULE, &round(48.0, None), &round(24.0, None), 50.0).is_empty());
        assert_eq!(
            run_with(&RULE, &round(48.0, None), &round(23.0, None), 50.0).len(),
            1
        );
    }
}
