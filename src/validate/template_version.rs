//! A workbook made from `annex template` carries, in a hidden sheet, the template version and the
//! fingerprint of the schemas it was made from. When they differ from the schemas of this run,
//! the submission was made from an older template: say so, and which columns changed.

use std::sync::Arc;

use calamine::Data;

use crate::lang::Text;
use crate::report::{Diagnostic, Location};
use crate::schema::{column_list, Schemas, TEMPLATE_VERSION};
use crate::validate::TemplateIdentity;
use crate::values::display;

/// How many rows of the hidden sheet hold the template's identity; the lists follow.
const IDENTITY_ROWS: usize = 16;

/// The identity a template's hidden sheet records: its first rows' key in column A and value in
/// column B, from the sheet's rows of (0-based column, cell).
pub fn entries(rows: impl Iterator<Item = Vec<(u32, Data)>>) -> Vec<(String, String)> {
    let cell = |row: &[(u32, Data)], column: u32| {
        (row.iter().find(|(c, _)| *c == column)).map(|(_, value)| display(value))
    };
    rows.take(IDENTITY_ROWS)
        .filter_map(|row| Some((cell(&row, 0)?, cell(&row, 1)?)))
        .collect()
}

/// What the entries say the workbook is: whose template, of which version.
pub fn identity(entries: &[(String, String)]) -> TemplateIdentity {
    let value = |key: &str| (entries.iter().find(|(k, _)| k == key)).map(|(_, v)| v.clone());
    TemplateIdentity {
        organisation: value("organisation"),
        version: value("template_version"),
    }
}

/// Whether a submission was made from the template of these schemas; a warning naming the
/// changed columns when it was not.
pub fn check(
    file: &Arc<str>,
    sheet: &Arc<str>,
    entries: &[(String, String)],
    schemas: &Schemas,
) -> Option<Diagnostic> {
    let value = |key: &str| {
        entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let kind = if value("organisation")? == "council" {
        "council"
    } else {
        "submission"
    };
    let version = value("template_version").unwrap_or("?");
    if value("schema_fingerprint") == Some(schemas.fingerprint(kind).as_str())
        && version == TEMPLATE_VERSION
    {
        return None;
    }
    let mut changes_en = Vec::new();
    let mut changes_ja = Vec::new();
    for entity in schemas.entities.iter().filter(|e| e.workbook == kind) {
        let Some(stored) = value(&format!("columns.{}", entity.sheet)) else {
            continue;
        };
        if stored == column_list(entity) {
            continue;
        }
        let stored: Vec<&str> = stored.split(',').collect();
        let added: Vec<&str> = entity
            .fields
            .iter()
            .filter(|f| !stored.contains(&f.key.as_str()))
            .map(|f| f.header.as_str())
            .collect();
        let removed: Vec<&str> = stored
            .iter()
            .filter(|key| entity.field(key).is_none())
            .copied()
            .collect();
        if !added.is_empty() {
            changes_en.push(format!("{} gained {}", entity.sheet, added.join(", ")));
            changes_ja.push(format!("{}に{}が追加", entity.sheet, added.join("、")));
        }
        if !removed.is_empty() {
            changes_en.push(format!("{} lost {}", entity.sheet, removed.join(", ")));
            changes_ja.push(format!("{}から{}が削除", entity.sheet, removed.join("、")));
        }
    }
    let (since_en, since_ja) = if changes_en.is_empty() {
        (
            "the rules of some columns changed".to_string(),
            "一部の列の規則が変わりました".to_string(),
        )
    } else {
        (changes_en.join("; "), changes_ja.join("、"))
    };
    Some(Diagnostic::warning(
        "template.outdated",
        Location::sheet(file, sheet),
        Text::new(
            format!("the workbook was made from an older template (version {version}); since then {since_en}"),
            format!("古いテンプレート（版 {version}）から作成されたブックです。その後、{since_ja}"),
        ),
        Text::new(
            "Make a new template with `annex template` and copy the rows into it.",
            "`annex template` で新しいテンプレートを作成し、行を写してください。",
        ),
    ))
}
