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
        entity.is(MEASURE)
            && (field.key == entity.key || matches!(field.role.as_deref(), Some(RELISTS | TITLE)))
    },
};

/// The roles the rule reads (`x-role` in the schemas): the measures, the field that names the
/// measure a row re-lists, and the title.
const MEASURE: &str = "measure";
const RELISTS: &str = "relists";
const TITLE: &str = "title";

fn check(index: &Index, diagnostics: &mut Vec<Diagnostic>) {
    let Some(measure) = index.schemas.entity_role(MEASURE) else {
        return;
    };
    let entity = &index.schemas.entities[measure];
    let (key, relists, title) = (
        entity.key.as_str(),
        entity.role_key(RELISTS),
        entity.role_key(TITLE),
    );
    let relists_header = entity.role(RELISTS).map_or("", |f| f.header.as_str());
    for relisting in index.records(measure) {
        let (Some(id), Some(original_id)) = (relisting.text(key), relisting.text(relists)) else {
            continue;
        };
        if id == original_id {
            diagnostics.push(RULE.finding(
                index,
                relisting,
                relists,
                "self",
                Text::new(
                    format!("{id} names itself as the measure it re-lists"),
                    format!("「{id}」が自分自身を再掲元にしています"),
                ),
                Text::new(
                    format!("Put the id of the original measure in {relists_header}."),
                    format!("{relists_header}には元の取組のIDを入れてください。"),
                ),
            ));
            continue;
        }
        let Some(original) = index.find(measure, original_id) else {
            continue;
        };
        let original_at = original.location(index.schemas, key).display();
        if let Some(further) = original.text(relists) {
            diagnostics.push(RULE.finding(
                index,
                relisting,
                relists,
                "chain",
                Text::new(
                    format!("{original_id} is itself a re-listing of {further}; a re-listing must name the original"),
                    format!("「{original_id}」自体が「{further}」の再掲です。再掲元には元の取組を指定してください"),
                ),
                Text::new(
                    format!("Put {further} in {relists_header} (see {original_at})."),
                    format!("{relists_header}を「{further}」にしてください（{original_at} を参照）。"),
                ),
            ));
        }
        if let (Some(own_title), Some(original_title)) =
            (relisting.text(title), original.text(title))
        {
            if own_title != original_title {
                diagnostics.push(
                    RULE.finding(
                        index,
                        relisting,
                        title,
                        "title",
                        Text::new(
                            format!("the re-listing's title differs from the original {original_id}'s: {original_title}"),
                            format!("再掲の取組名が再掲元「{original_id}」の取組名（{original_title}）と異なります"),
                        ),
                        Text::new(
                            format!("Copy the title from {original_at}, or drop {relists_header} if this is a different measure."),
                            format!("{original_at} の取組名に合わせるか、別の取組であれば{relists_header}を空欄にしてください。"),
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
