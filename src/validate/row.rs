//! Each row against its JSON Schema. Every failure the validator reports is mapped back to the cell
//! of the field it concerns, and said in words a person who has never seen JSON Schema understands.

use jsonschema::error::ValidationErrorKind;
use jsonschema::ValidationError;
use serde_json::Value;

use crate::lang::Text;
use crate::records::{display_value, ReadRow};
use crate::report::Diagnostic;
use crate::schema::{Field, Schemas, ValueKind};
use crate::values::{field_help, type_message};

/// The row's schema failures, and the keys of the fields they concern.
pub fn check(record: &ReadRow, schemas: &Schemas) -> (Vec<Diagnostic>, Vec<String>) {
    let mut diagnostics = Vec::new();
    let mut invalid = Vec::new();
    let Some(entity) = schemas.entities.get(record.entity()) else {
        return (diagnostics, invalid);
    };
    // Most rows are valid, and the yes/no answer is much cheaper than collecting errors.
    if entity.validator.is_valid(&record.values) {
        return (diagnostics, invalid);
    }
    for error in entity.validator.iter_errors(&record.values) {
        let Some(key) = field_key(&error) else {
            continue;
        };
        let Some(index) = entity.field_index(&key) else {
            continue;
        };
        if record.is_rejected(&key) {
            continue;
        }
        invalid.push(key.clone());
        let column_missing = record
            .layout
            .columns
            .get(index)
            .copied()
            .flatten()
            .is_none();
        if matches!(error.kind(), ValidationErrorKind::Required { .. }) && column_missing {
            // The missing column is reported once, for the sheet, not once per row.
            continue;
        }
        let field = &entity.fields[index];
        let found = match error.kind() {
            ValidationErrorKind::Required { .. } => String::new(),
            _ => display_value(error.instance()),
        };
        let keyword = error.kind().keyword();
        let message = match (error.kind(), &field.kind) {
            (ValidationErrorKind::Enum { .. }, ValueKind::Organisations { .. }) => {
                unknown_organisation(schemas, field, &found)
            }
            (kind, _) => message(kind, field, &found),
        };
        let diagnostic = Diagnostic::error(
            format!("{}.{}.{keyword}", entity.name, field.key),
            record.location(schemas, &key),
            message,
            help(error.kind(), field),
        );
        let diagnostic = match found.is_empty() {
            true => diagnostic,
            false => diagnostic.with_found(found),
        };
        diagnostics.push(diagnostic.with_snippet(record.snippet(schemas, &key)));
    }
    (diagnostics, invalid)
}

/// The field an error is about: the property a `required` names, or the first step of the path.
fn field_key(error: &ValidationError) -> Option<String> {
    if let ValidationErrorKind::Required { property } = error.kind() {
        return property.as_str().map(str::to_string);
    }
    error
        .instance_path()
        .segments()
        .next()
        .map(|segment| segment.to_string())
}

/// An organisation annex does not know, with the names people use for those it does, and the
/// one it most likely is: a name that holds one of theirs (経済産業省 商務・サービスグループ is
/// 経産省), or one that a name of theirs holds.
fn unknown_organisation(schemas: &Schemas, field: &Field, found: &str) -> Text {
    let header = &field.header;
    let written = crate::schema::normalize_label(found);
    let guess = schemas.organisations.iter().find(|org| {
        [&org.name, &org.short_name, &org.code].iter().any(|name| {
            let name = crate::schema::normalize_label(name);
            !name.is_empty()
                && (written.contains(&name) || (written.len() > 3 && name.contains(&written)))
        })
    });
    let known = |separator: &str| {
        (schemas.organisations.iter())
            .map(|org| match org.short_name == org.code {
                true => org.code.clone(),
                false => format!("{}（{}）", org.short_name, org.code),
            })
            .collect::<Vec<_>>()
            .join(separator)
    };
    let (mean_en, mean_ja) = match guess {
        Some(org) => (
            format!(" Did you mean {} ({})?", org.short_name, org.name),
            format!("「{}」（{}）のことですか。", org.short_name, org.name),
        ),
        None => (String::new(), String::new()),
    };
    Text::new(
        format!("{header}: {found:?} is no organisation annex knows; write one of {}.{mean_en}", known(", ")),
        format!("「{header}」の「{found}」は府省名として使えません。次のいずれかで書いてください: {}。{mean_ja}", known("、")),
    )
}

fn list(values: &Value, separator: &str) -> String {
    values
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(display_value)
                .collect::<Vec<_>>()
                .join(separator)
        })
        .unwrap_or_default()
}

/// What to do, in the words of the failure: the action first, then what the column holds (its
/// description and example from the schema), never the description alone.
fn help(kind: &ValidationErrorKind, field: &Field) -> Text {
    let header = &field.header;
    let action = match kind {
        ValidationErrorKind::Required { .. } => Text::new(
            format!("Fill in {header}."),
            format!("「{header}」を入力してください。"),
        ),
        ValidationErrorKind::Enum { options } => Text::new(
            format!(
                "Type one of: {} (the cell's drop-down lists them).",
                list(options, ", ")
            ),
            format!(
                "次のいずれかを入力してください: {}（セルのドロップダウンから選べます）。",
                list(options, "、")
            ),
        ),
        ValidationErrorKind::Pattern { .. } => Text::new(
            format!("Write {header} in the form of the example."),
            format!("「{header}」を例の形式で入力してください。"),
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Text::new(
            format!("Type a value of at least {limit}, or check the cell for a typing slip."),
            format!("{limit} 以上の値を入力するか、入力の誤りがないか確かめてください。"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => Text::new(
            format!("Type a value of at most {limit}, or check the cell for a typing slip."),
            format!("{limit} 以下の値を入力するか、入力の誤りがないか確かめてください。"),
        ),
        ValidationErrorKind::MultipleOf { .. } => Text::new(
            "Type the count as a whole number, or check the unit.",
            "数を整数で入力するか、単位が正しいか確かめてください。",
        ),
        ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MinItems { .. } => Text::new(
            format!("Fill in {header}."),
            format!("「{header}」を入力してください。"),
        ),
        ValidationErrorKind::MaxLength { .. } | ValidationErrorKind::MaxItems { .. } => Text::new(
            format!("Shorten {header}."),
            format!("「{header}」を短くしてください。"),
        ),
        _ => Text::new(
            format!("Correct {header}."),
            format!("「{header}」を直してください。"),
        ),
    };
    let about = field_help(field);
    Text::new(
        format!("{} {}", action.en, about.en),
        format!("{}{}", action.ja, about.ja),
    )
}

fn message(kind: &ValidationErrorKind, field: &Field, found: &str) -> Text {
    let header = &field.header;
    match kind {
        ValidationErrorKind::Required { .. } => Text::new(
            format!("{header} is required, but the cell is empty"),
            format!("「{header}」は必須ですが、空欄です"),
        ),
        ValidationErrorKind::Type { .. } => type_message(field, found),
        ValidationErrorKind::Pattern { .. } => Text::new(
            format!("{found:?} is not in the form {header} takes"),
            format!("「{header}」の形式が正しくありません（入力値: {found}）"),
        ),
        ValidationErrorKind::Enum { options } => Text::new(
            format!(
                "{found:?} is not one of the values {header} allows: {}",
                list(options, ", ")
            ),
            format!(
                "「{found}」は「{header}」に使えない値です。使える値: {}",
                list(options, "、")
            ),
        ),
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => Text::new(
            format!("{header} must be at least {limit}, but is {found}"),
            format!("「{header}」は {limit} 以上にしてください（入力値: {found}）"),
        ),
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => Text::new(
            format!("{header} must be at most {limit}, but is {found}"),
            format!("「{header}」は {limit} 以下にしてください（入力値: {found}）"),
        ),
        ValidationErrorKind::MultipleOf { multiple_of } if *multiple_of == 1.0 => Text::new(
            format!("{header} must be a whole number for this unit, but is {found}"),
            format!("この単位では「{header}」は整数にしてください（入力値: {found}）"),
        ),
        ValidationErrorKind::MultipleOf { multiple_of } => Text::new(
            format!("{header} must be a multiple of {multiple_of}, but is {found}"),
            format!("「{header}」は {multiple_of} の倍数にしてください（入力値: {found}）"),
        ),
        ValidationErrorKind::MinLength { .. } | ValidationErrorKind::MinItems { .. } => Text::new(
            format!("{header} must not be empty"),
            format!("「{header}」を入力してください"),
        ),
        ValidationErrorKind::MaxLength { limit } | ValidationErrorKind::MaxItems { limit } => {
            Text::new(
                format!("{header} is too long: at most {limit} allowed"),
                format!("「{header}」が長すぎます（上限 {limit}）"),
            )
        }
        ValidationErrorKind::Constant { expected_value } => Text::new(
            format!("{header} must be {}", display_value(expected_value)),
            format!(
                "「{header}」は {} にしてください",
                display_value(expected_value)
            ),
        ),
        other => Text::new(
            format!(
                "{header} ({found:?}) does not satisfy the schema's {} rule",
                other.keyword()
            ),
            format!(
                "「{header}」（入力値: {found}）がスキーマの {} 規則を満たしません",
                other.keyword()
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{records, run_rows};
    use serde_json::json;

    #[test]
    fn each_schema_failure_lands_on_its_cell_with_a_stable_code() {
        let rows = records(&[(
            "kpi",
            json!({"id": "METI-001-K1", "measure_id": "METI-001", "name": "採択件数", "value": -2, "unit": "個"}),
        )]);
        let found: Vec<_> = run_rows(&rows)
            .into_iter()
            .map(|d| (d.code, d.location.cell().unwrap_or_default()))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.contains(&("kpi.value.minimum".into(), "D2".into())));
        assert!(found.contains(&("kpi.unit.enum".into(), "E2".into())));
    }

    #[test]
    fn an_unknown_organisation_lists_the_names_people_use_and_guesses_the_one_meant() {
        let rows = records(&[(
            "measure",
            json!({"id": "METI-001", "issue_id": "1-1-01", "title": "t", "description": "d", "ministries": ["経済産業省商務サービスグループ"]}),
        )]);
        let diagnostics = run_rows(&rows);
        let message = &diagnostics[0].message;
        assert!(message.ja.contains("経産省（METI）、"), "{}", message.ja);
        assert!(
            message.ja.contains("「経産省」（経済産業省）のことですか"),
            "{}",
            message.ja
        );
        assert!(!message.ja.contains("enum"));
    }

    #[test]
    fn whole_number_units_refuse_fractions() {
        let rows = records(&[
            (
                "kpi",
                json!({"id": "METI-001-K1", "measure_id": "METI-001", "name": "a", "value": 2.5, "unit": "件"}),
            ),
            (
                "kpi",
                json!({"id": "METI-001-K2", "measure_id": "METI-001", "name": "b", "value": 2.5, "unit": "%"}),
            ),
        ]);
        let codes: Vec<_> = run_rows(&rows).into_iter().map(|d| d.code).collect();
        assert_eq!(codes, ["kpi.value.multipleOf"]);
    }

    #[test]
    fn a_required_empty_cell_is_named_by_its_header() {
        let rows = records(&[(
            "measure",
            json!({"id": "METI-001", "issue_id": "1-1-01", "title": "t", "ministries": ["METI"]}),
        )]);
        let diagnostics = run_rows(&rows);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "measure.description.required");
        assert_eq!(diagnostics[0].message.ja, "「内容」は必須ですが、空欄です");
    }

    #[test]
    fn an_unknown_organisation_is_refused_at_the_ministries_cell() {
        let rows = records(&[(
            "measure",
            json!({"id": "METI-001", "issue_id": "1-1-01", "title": "t", "description": "d", "ministries": ["METI", "財務省"]}),
        )]);
        let diagnostics = run_rows(&rows);
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].code, "measure.ministries.enum");
        assert_eq!(diagnostics[0].found.as_deref(), Some("財務省"));
    }
}
