//! `measure.relisting.*`: a re-listing (再掲) names, in 再掲元取組ID, a measure that is not itself
//! a re-listing (`measure.relisting.chain`) and is not the row itself (`measure.relisting.self`);
//! a re-listing whose title differs from the original's is a warning (`measure.relisting.title`).
//!
//! Why: the annex prints a re-listing as "the same measure, again"; a chain of re-listings or a
//! changed title means the reader cannot tell which text is the measure's own.

use super::Rule;
use crate::lang::Text;
use crate::report::Diagnostic;
use crate::validate::Index;

pub const RULE: Rule = Rule {
    code: "measure.relisting",
    check,
    reads: |entity, field| {
        entity.name == "measure" && ["id", RELISTED_FROM, TITLE].contains(&field.key.as_str())
    },
};

const RELISTED_FROM: &str = "relisted_from";
const TITLE: &str = "title";

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    let Some(measure) = index.entity("measure") else {
        return;
    };
    for relisting in index.records(measure) {
        let (Some(id), Some(original_id)) = (relisting.text("id"), relisting.text(RELISTED_FROM))
        else {
            continue;
        };
        if id == original_id {
            diagnostics.push(RULE.finding(
                index,
                relisting,
                RELISTED_FROM,
                "self",
                Text::new(
                    format!("{id} names itself as the measure it re-lists"),
                    format!("「{id}」が自分自身を再掲元にしています"),
                ),
                Text::new(
                    "Put the id of the original measure in 再掲元取組ID.",
                    "再掲元取組IDには元の取組のIDを入れてください。",
                ),
            ));
            continue;
        }
        let Some(original) = index.find(measure, original_id) else {
            continue;
        };
        let original_at = original.location(index.schemas, "id").display();
        if let Some(further) = original.text(RELISTED_FROM) {
            diagnostics.push(RULE.finding(
                index,
                relisting,
                RELISTED_FROM,
                "chain",
                Text::new(
                    format!("{original_id} is itself a re-listing of {further}; a re-listing must name the original"),
                    format!("「{original_id}」自体が「{further}」の再掲です。再掲元には元の取組を指定してください"),
                ),
                Text::new(
                    format!("Put {further} in 再掲元取組ID (see {original_at})."),
                    format!("再掲元取組IDを「{further}」にしてください（{original_at} を参照）。"),
                ),
            ));
        }
        if let (Some(title), Some(original_title)) = (relisting.text(TITLE), original.text(TITLE)) {
            if title != original_title {
                diagnostics.push(
                    RULE.finding(
                        index,
                        relisting,
                        TITLE,
                        "title",
                        Text::new(
                            format!("the re-listing's title differs from the original {original_id}'s: {original_title}"),
                            format!("再掲の取組名が再掲元「{original_id}」の取組名（{original_title}）と異なります"),
                        ),
                        Text::new(
                            format!("Copy the title from {original_at}, or drop 再掲元取組ID if this is a different measure."),
                            format!("{original_at} の取組名に合わせるか、別の取組であれば再掲元取組IDを空欄にしてください。"),
                        ),
                    )
                    .into_warning(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::RULE;
    use crate::validate::tests::{records, run_rule};
    use serde_json::json;

    #[test]
    fn re_listings_name_an_original_with_the_same_title() {
        let rows = records(&[
            ("measure", json!({"id": "MEXT-003", "title": "拠点支援"})),
            (
                "measure",
                json!({"id": "MEXT-004", "title": "拠点支援", "relisted_from": "MEXT-003"}),
            ),
            (
                "measure",
                json!({"id": "MEXT-005", "title": "拠点支援", "relisted_from": "MEXT-004"}),
            ),
            (
                "measure",
                json!({"id": "MEXT-006", "title": "別の名前", "relisted_from": "MEXT-003"}),
            ),
            (
                "measure",
                json!({"id": "MEXT-007", "title": "x", "relisted_from": "MEXT-007"}),
            ),
        ]);
        let at = |code: &str, cell: &str| (code.to_string(), format!("meti.xlsx › 取組 › {cell}"));
        assert_eq!(
            run_rule(&RULE, &rows),
            [
                at("measure.relisting.chain", "F4"),
                at("measure.relisting.title", "C5"),
                at("measure.relisting.self", "F6"),
            ]
        );
    }
}
