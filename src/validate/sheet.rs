//! The shape of a sheet, before its rows: a workbook has all the sheets of its kind, each
//! header names a field (once), and every required field has a column.

use std::sync::Arc;

use calamine::Data;

use crate::lang::Text;
use crate::records::SheetLayout;
use crate::report::{cell_name, Diagnostic, Findings, Location};
use crate::schema::{normalize_label, Entity, Schemas};
use crate::values::{display, field_help};

/// A workbook with none of the contract's sheets: not one annex reads.
pub fn unrecognised<'a>(
    file: &Arc<str>,
    schemas: &Schemas,
    sheets: impl Iterator<Item = &'a String>,
) -> Diagnostic {
    let mut present: Vec<&str> = sheets.map(String::as_str).collect();
    present.sort_unstable();
    let expected = expected_sheets(schemas);
    Diagnostic::warning(
        "workbook.unrecognised",
        Location::file(file),
        Text::new(
            format!(
                "the workbook has none of the council's sheets (it has: {})",
                present.join(", ")
            ),
            format!("協議会のシートがありません（あるシート: {}）", present.join("、")),
        ),
        Text::new(
            format!("annex reads workbooks with these sheets: {}. Rename the sheets, or leave the file out.", expected.join("; ")),
            format!("次のシートを持つブックを読み込みます: {}。シート名を直すか、このファイルを対象から外してください。", expected.join("／")),
        ),
    )
}

/// `council: 課題, 項目, 論点`, one entry per kind of workbook.
fn expected_sheets(schemas: &Schemas) -> Vec<String> {
    let mut kinds: Vec<(&str, Vec<&str>)> = Vec::new();
    for entity in &schemas.entities {
        match kinds.iter_mut().find(|(kind, _)| *kind == entity.workbook) {
            Some((_, sheets)) => sheets.push(&entity.sheet),
            None => kinds.push((&entity.workbook, vec![&entity.sheet])),
        }
    }
    kinds
        .into_iter()
        .map(|(kind, sheets)| format!("{kind}: {}", sheets.join(", ")))
        .collect()
}

/// A workbook that has one sheet of its kind must have all of them.
pub fn missing_sheets(
    file: &Arc<str>,
    schemas: &Schemas,
    found: &[(usize, String)],
    diagnostics: &mut Findings,
) {
    for (index, entity) in schemas.entities.iter().enumerate() {
        let kind_present = found
            .iter()
            .any(|(other, _)| schemas.entities[*other].workbook == entity.workbook);
        let sheet_present = found.iter().any(|(other, _)| *other == index);
        if kind_present && !sheet_present {
            diagnostics.push(Diagnostic::error(
                "sheet.missing",
                Location::sheet(file, &entity.sheet.as_str().into()),
                Text::new(
                    format!("the workbook has no sheet named {}", entity.sheet),
                    format!("シート「{}」がありません", entity.sheet),
                ),
                Text::new(
                    format!(
                        "Add a sheet named {} with its header row, even if it has no rows yet.",
                        entity.sheet
                    ),
                    format!(
                        "行がない場合も、見出し行だけのシート「{}」を追加してください。",
                        entity.sheet
                    ),
                ),
            ));
        }
    }
}

/// How many rows below the first are searched for headers, when row 1 has none.
pub const HEADER_SEARCH_ROWS: usize = 10;

/// How many of the entity's headers a row holds.
pub fn headers_matched(cells: &[(u32, Data)], entity: &Entity) -> usize {
    let labels: Vec<String> = cells
        .iter()
        .map(|(_, cell)| normalize_label(&display(cell)))
        .collect();
    (entity.fields.iter())
        .filter(|field| {
            let (header, key) = (normalize_label(&field.header), normalize_label(&field.key));
            labels.iter().any(|label| *label == header || *label == key)
        })
        .count()
}

/// The sheet's headers are in a row below the first (a title above the table).
pub fn headers_below_row_1(file: &Arc<str>, sheet: &Arc<str>, row: u32) -> Diagnostic {
    Diagnostic::error(
        "sheet.headers_not_in_row_1",
        Location {
            row: Some(1),
            ..Location::sheet(file, sheet)
        },
        Text::new(
            format!("row 1 holds no headers; they seem to be in row {row}, so the sheet was not read"),
            format!("1行目に見出しがありません。見出しは{row}行目にあるようです。このシートは読み込んでいません"),
        ),
        Text::new(
            format!("Delete the rows above row {row} (a title, blank rows), so that the headers are in row 1 and the data starts in row 2."),
            format!("{row}行目より上の行（表題や空行）を削除し、見出しを1行目、データを2行目からにしてください。"),
        ),
    )
}

/// Find each field's column in the header row; warn about headers no field has.
pub fn match_headers(
    headers: &[(u32, Data)],
    entity: &Entity,
    file: &Arc<str>,
    sheet: &Arc<str>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Option<u32>> {
    let labels: Vec<(String, String)> = entity
        .fields
        .iter()
        .map(|field| (normalize_label(&field.header), normalize_label(&field.key)))
        .collect();
    let mut columns = vec![None; entity.fields.len()];
    for (column, header) in headers {
        let column = *column;
        let written = display(header);
        if written.trim().is_empty() {
            continue;
        }
        let label = normalize_label(&written);
        // Last round's value, which a template made with --from shows for reference only.
        let for_reference = (entity.fields.iter())
            .filter_map(|f| f.previous_header.as_deref())
            .any(|h| normalize_label(h) == label);
        if for_reference {
            continue;
        }
        let at = Location {
            row: Some(1),
            column: Some(column),
            ..Location::sheet(file, sheet)
        };
        let matched = labels
            .iter()
            .position(|(header, key)| *header == label || *key == label);
        match matched.and_then(|field| columns.get_mut(field).map(|slot| (field, slot))) {
            Some((_, slot @ None)) => *slot = Some(column),
            Some((field, Some(first))) => {
                let first_cell = cell_name(1, *first);
                let header = entity.fields.get(field).map_or("", |f| f.header.as_str());
                diagnostics.push(
                    Diagnostic::warning(
                        "column.duplicate",
                        at,
                        Text::new(
                            format!("a second {header} column; annex reads the first one, at {first_cell}"),
                            format!("「{header}」の列が2つあります。最初の列（{first_cell}）を読みます"),
                        ),
                        Text::new("Delete or rename one of the two columns.", "どちらかの列を削除するか、見出しを直してください。"),
                    )
                    .with_found(written),
                );
            }
            None => diagnostics.push(
                Diagnostic::warning(
                    "column.unknown",
                    at,
                    Text::new(
                        format!(
                            "the {} sheet has no column {written:?}; its cells are not read",
                            entity.sheet
                        ),
                        format!(
                            "「{written}」はシート「{}」の列ではないため、読み込みません",
                            entity.sheet
                        ),
                    ),
                    Text::new(
                        format!(
                            "The columns are: {}. Fix the header, or delete the column.",
                            headers_list(entity, ", ")
                        ),
                        format!(
                            "列は次のとおりです: {}。見出しを直すか、列を削除してください。",
                            headers_list(entity, "、")
                        ),
                    ),
                )
                .with_found(written),
            ),
        }
    }
    columns
}

fn headers_list(entity: &Entity, separator: &str) -> String {
    entity
        .fields
        .iter()
        .map(|field| field.header.as_str())
        .collect::<Vec<_>>()
        .join(separator)
}

/// A required field with no column.
pub fn missing_columns(layout: &SheetLayout, entity: &Entity, diagnostics: &mut Findings) {
    for (index, field) in entity.fields.iter().enumerate() {
        if !field.required || layout.columns.get(index).copied().flatten().is_some() {
            continue;
        }
        let header = &field.header;
        diagnostics.push(Diagnostic::error(
            "column.missing",
            Location {
                row: Some(1),
                header: Some(header.clone()),
                ..Location::sheet(&layout.file, &layout.sheet)
            },
            Text::new(
                format!("the required column {header} ({}) is missing", field.key),
                format!("必須の列「{header}」がありません"),
            ),
            {
                let mut help = Text::new(
                    format!("Add a column headed {header} in row 1. "),
                    format!("1行目に見出し「{header}」の列を追加してください。"),
                );
                let about = field_help(field);
                help.en.push_str(&about.en);
                help.ja.push_str(&about.ja);
                help
            },
        ));
    }
}
