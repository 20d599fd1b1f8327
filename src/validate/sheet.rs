//! The shape of a sheet, before its rows: a workbook has all the sheets of its kind, each
//! header names a field (once), and every required field has a column.

use std::sync::Arc;

use calamine::Data;

use crate::input::{is_blank, Row};
use crate::lang::Text;
use crate::records::SheetLayout;
use crate::report::{cell_name, column_name, Diagnostic, Findings, Location};
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
    headers_matched_where(cells, entity, |_| true)
}

/// How many of the headers of the entity's fields that pass `counted` a row holds.
fn headers_matched_where(
    cells: &[(u32, Data)],
    entity: &Entity,
    counted: impl Fn(&crate::schema::Field) -> bool,
) -> usize {
    let labels: Vec<String> = cells
        .iter()
        .map(|(_, cell)| normalize_label(&display(cell)))
        .collect();
    (entity.fields.iter())
        .filter(|field| counted(field))
        .filter(|field| {
            let (header, key) = (normalize_label(&field.header), normalize_label(&field.key));
            labels.iter().any(|label| *label == header || *label == key)
        })
        .count()
}

/// The entity whose table a header row holds, when it clearly holds one: at least two of its
/// headers and half of its required ones, more headers than of any other entity's.
pub fn table_of(cells: &[(u32, Data)], schemas: &Schemas) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    let mut tied = false;
    for (index, entity) in schemas.entities.iter().enumerate() {
        let matched = headers_matched(cells, entity);
        let required = entity.fields.iter().filter(|f| f.required).count();
        let required_matched = headers_matched_where(cells, entity, |f| f.required);
        if matched < 2 || required_matched * 2 < required {
            continue;
        }
        match best {
            Some((_, most)) if most == matched => tied = true,
            Some((_, most)) if most > matched => {}
            _ => (best, tied) = (Some((index, matched)), false),
        }
    }
    best.filter(|_| !tied).map(|(index, _)| index)
}

/// A sheet of another name holding the table of a sheet the workbook lacks: it is read as that
/// sheet, and the name is an error until it is put right.
pub fn renamed(file: &Arc<str>, sheet: &str, entity: &Entity) -> Diagnostic {
    let expected = &entity.sheet;
    Diagnostic::error(
        "sheet.renamed",
        Location::sheet(file, &sheet.into()),
        Text::new(
            format!("the sheet {sheet} holds the {expected} table, but the sheet must be named {expected}; annex read it as {expected} this time"),
            format!("シート「{sheet}」は「{expected}」の表ですが、シート名は「{expected}」である必要があります（今回は「{expected}」として読み込みました）"),
        ),
        Text::new(
            format!("Rename the sheet {sheet} to {expected} (double-click its tab). Do not add another sheet: its rows would not be read."),
            format!("シート「{sheet}」の名前を「{expected}」に変えてください（シート見出しをダブルクリック）。別のシートを追加すると、この表の行が読み込まれません。"),
        ),
    )
}

/// A sheet holding a table of the contract beside the sheet that is read for it: its rows
/// would be lost without a word.
pub fn table_not_read(file: &Arc<str>, sheet: &str, entity: &Entity, read: &str) -> Diagnostic {
    Diagnostic::error(
        "sheet.table_not_read",
        Location::sheet(file, &sheet.into()),
        Text::new(
            format!("the sheet {sheet} holds a {} table, but annex reads that table from the sheet {read}; the rows of {sheet} are not read", entity.sheet),
            format!("シート「{sheet}」は「{}」の表ですが、この表はシート「{read}」から読み込むため、「{sheet}」の行は読み込まれていません", entity.sheet),
        ),
        Text::new(
            format!("Move the rows of {sheet} into {read} (below its rows, under the same headers), then delete the sheet {sheet}."),
            format!("「{sheet}」の行を「{read}」の行の下（同じ見出しの列）に移してから、シート「{sheet}」を削除してください。"),
        ),
    )
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
                        Text::new(
                            format!("This column's cells are not read: move any values in it into {first_cell}'s column, then delete it (or give it the header it was meant to have)."),
                            format!("この列のセルは読み込まれません。値があれば {first_cell} の列に移してから、この列を削除してください（別の列のつもりなら見出しを直してください）。"),
                        ),
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

/// Which columns of a sheet have a header, to find values typed under none: they would be
/// dropped without a word.
pub struct Headed {
    headed: Vec<bool>,
    /// The header of the sheet's column for notes, where it has one.
    notes: Option<String>,
    /// The columns already reported, so that a column is reported once, at its first value.
    reported: Vec<u32>,
}

impl Headed {
    /// The columns of a header row; `None` where the sheet has no header row at all (it is
    /// reported as such, and every column would be headless).
    pub fn of(headers: &[(u32, Data)], entity: &Entity) -> Option<Headed> {
        let columns: Vec<u32> = (headers.iter())
            .filter(|(_, cell)| !display(cell).trim().is_empty())
            .map(|(column, _)| *column)
            .collect();
        let width = columns.iter().max().map(|last| *last as usize + 1)?;
        let mut headed = vec![false; width];
        for column in columns {
            if let Some(slot) = headed.get_mut(column as usize) {
                *slot = true;
            }
        }
        Some(Headed {
            headed,
            notes: entity.role("note").map(|field| field.header.clone()),
            reported: Vec::new(),
        })
    }

    /// A warning for each column first found holding a value without a header, in `row`.
    pub fn check(&mut self, layout: &SheetLayout, row: &Row, diagnostics: &mut Vec<Diagnostic>) {
        let values = (row.cells.iter())
            .filter(|(_, cell)| !is_blank(cell))
            .map(|(column, _)| *column);
        let formulas = row.uncomputed.iter().map(|(column, _)| *column);
        // Nearly every row has nothing outside its headers: nothing is collected for it.
        let unheaded: Vec<u32> = values
            .chain(formulas)
            .filter(|column| !self.is_headed(*column) && !self.reported.contains(column))
            .collect();
        for column in unheaded {
            self.reported.push(column);
            let notes = self.notes.as_deref();
            diagnostics.push(unheaded_column(layout, row.index + 1, column, notes));
        }
    }

    fn is_headed(&self, column: u32) -> bool {
        self.headed.get(column as usize).copied().unwrap_or(false)
    }
}

/// Values in a column whose header cell is empty: not read, and said so at the first one.
fn unheaded_column(layout: &SheetLayout, row: u32, column: u32, notes: Option<&str>) -> Diagnostic {
    let letter = column_name(column);
    let (notes_en, notes_ja) = match notes {
        Some(header) => (
            format!("if they are notes, move them into the {header} column"),
            format!("メモであれば「{header}」列に移してください"),
        ),
        None => (
            "if they are notes, keep them in a workbook of your own".to_string(),
            "メモであれば別のブックに控えてください".to_string(),
        ),
    };
    Diagnostic::warning(
        "column.no_header",
        Location {
            row: Some(row),
            column: Some(column),
            ..Location::sheet(&layout.file, &layout.sheet)
        },
        Text::new(
            format!("column {letter} holds values but has no header in row 1, so they are not read"),
            format!("{letter}列に値がありますが、1行目に見出しがないため読み込んでいません"),
        ),
        Text::new(
            format!("If the values belong to a column of the sheet, type its header in {letter}1; {notes_en}."),
            format!("シートの列の値であれば {letter}1 にその見出しを入力してください。{notes_ja}。"),
        ),
    )
}
