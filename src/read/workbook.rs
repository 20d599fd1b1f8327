//! One workbook → its records and what was wrong with it. Nothing in a file can make this panic:
//! every problem becomes a diagnostic and the rest of the file is still read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::path::Path;
use std::sync::Arc;

use calamine::{open_workbook_auto, open_workbook_auto_from_rs, Data, Dimensions, Reader, Sheets};
use serde_json::{Map, Value};

use super::cell::{self, field_help, Target};
use super::discover::Input;
use super::hidden::hidden_rows_and_columns;
use super::merges::merged_ranges;
use super::profile::{self as machine_readable, Profile};
use super::record::{row_snippet, ReadRow, SheetLayout};
use super::rows::{formulas, sheet_rows, Row, SheetRows};
use super::store::{Batch, Keep};
use super::template_info;
use super::xlsx::Package;
use super::{ReadOptions, RowCheck};
use crate::lang::Text;
use crate::report::{cell_name, Diagnostic, Location, Severity};
use crate::schema::{normalize_label, Entity, Schemas, INFO_SHEET};

/// What reading one file gave.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub sheets: Vec<Arc<SheetLayout>>,
    pub records: Vec<Batch>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The first bytes of an OLE compound file: an `.xls`, or an encrypted `.xlsx`.
const COMPOUND_FILE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// How files are read: against which schemas, with which options, which check of each row, and
/// which fields kept once it is checked.
#[derive(Clone, Copy)]
pub struct ReadWith<'a> {
    pub schemas: &'a Schemas,
    pub options: ReadOptions,
    pub check: &'a RowCheck,
    pub keep: &'a Keep,
}

pub fn read_file(input: &Input, with: ReadWith) -> FileOutcome {
    let mut outcome = FileOutcome::default();
    match Package::open(&input.path) {
        // calamine reads all of an `.xlsx` as it opens it, a copy of every shared string
        // included, and annex's own reader needs none of that: a workbook that reader can read
        // whole goes to calamine only for what calamine alone tells (hidden sheets, formulas).
        Some(package) if with.options.profile == Profile::Contract => {
            read_sheets::<BufReader<File>>(None, Some(package), input, with, &mut outcome)
        }
        package => match open_workbook_auto(&input.path) {
            Ok(workbook) => read_sheets(Some(workbook), package, input, with, &mut outcome),
            Err(first_error) => match open_by_content(&input.path) {
                Some(workbook) => read_sheets(Some(workbook), package, input, with, &mut outcome),
                None => outcome
                    .diagnostics
                    .push(unreadable(input, &input.path, &first_error)),
            },
        },
    }
    outcome
}

/// A workbook whose extension does not say what it is (an `.xls` saved as `.xlsx`).
fn open_by_content(path: &Path) -> Option<Sheets<Cursor<Vec<u8>>>> {
    let bytes = std::fs::read(path).ok()?;
    open_workbook_auto_from_rs(Cursor::new(bytes)).ok()
}

fn unreadable(input: &Input, path: &Path, error: &calamine::Error) -> Diagnostic {
    let at = Location::file(&input.shown);
    if is_encrypted(path, error) {
        return Diagnostic::error(
            "file.encrypted",
            at,
            Text::new(
                "the workbook is protected by a password, so annex cannot read it",
                "ブックにパスワードが設定されているため読み込めません",
            ),
            Text::new(
                "Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it) and save it again.",
                "Excel で開き、パスワードを解除して（ファイル › 情報 › ブックの保護 › パスワードを使用して暗号化 を空にする）保存し直してください。",
            ),
        );
    }
    Diagnostic::error(
        "file.unreadable",
        at,
        Text::new(
            format!("cannot read the file as a workbook: {error}"),
            format!("ブックとして読み込めません: {error}"),
        ),
        Text::new(
            "Open it in Excel or LibreOffice and save it again as .xlsx; if it does not open, ask the sender for a new copy.",
            "Excel または LibreOffice で開いて .xlsx として保存し直してください。開けない場合は提出元に再送を依頼してください。",
        ),
    )
}

fn is_encrypted(path: &Path, error: &calamine::Error) -> bool {
    let said_so = matches!(
        error,
        calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    );
    let is_ooxml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["xlsx", "xlsm", "xlsb"].contains(&e.to_ascii_lowercase().as_str()));
    said_so || (is_ooxml && starts_with_compound_magic(path))
}

fn starts_with_compound_magic(path: &Path) -> bool {
    let mut head = [0u8; 8];
    File::open(path)
        .and_then(|mut file| file.read_exact(&mut head))
        .is_ok()
        && head == COMPOUND_FILE_MAGIC
}

/// Reads the sheets of a workbook opened by calamine, by annex's `.xlsx` reader, or both.
fn read_sheets<RS: Read + Seek + Send>(
    mut workbook: Option<Sheets<RS>>,
    mut package: Option<Package>,
    input: &Input,
    with: ReadWith,
    outcome: &mut FileOutcome,
) {
    let (schemas, profile) = (with.schemas, with.options.profile);
    let names = match (&workbook, &package) {
        (Some(workbook), _) => workbook.sheet_names(),
        (None, Some(package)) => package.sheet_names(),
        (None, None) => return,
    };
    let by_label: HashMap<String, String> = names
        .into_iter()
        .map(|name| (normalize_label(&name), name))
        .collect();
    let found: Vec<(usize, String)> = schemas
        .entities
        .iter()
        .enumerate()
        .filter_map(|(index, entity)| {
            by_label
                .get(&normalize_label(&entity.sheet))
                .map(|name| (index, name.clone()))
        })
        .collect();
    if found.is_empty() {
        outcome
            .diagnostics
            .push(unrecognised(input, schemas, by_label.values()));
        return;
    }
    report_missing_sheets(input, schemas, &found, &mut outcome.diagnostics);
    let wants_profile = profile == Profile::MachineReadable;
    let is_xlsx = package.is_some() || matches!(workbook, Some(Sheets::Xlsx(_)));
    let info_sheet = by_label.get(&normalize_label(INFO_SHEET));
    if let Some(name) = info_sheet {
        if let Ok(rows) = sheet_rows(workbook.as_mut(), package.as_mut(), name) {
            let sheet: Arc<str> = name.as_str().into();
            outcome
                .diagnostics
                .extend(template_info::check(&input.shown, &sheet, rows, schemas));
        }
    }
    if let (true, Some(workbook)) = (wants_profile, &workbook) {
        outcome.diagnostics.extend(machine_readable::hidden_sheets(
            &input.shown,
            workbook.sheets_metadata(),
        ));
    }
    let names = || {
        found
            .iter()
            .map(|(_, name)| name.as_str())
            .collect::<Vec<_>>()
    };
    let hidden = match is_xlsx && wants_profile {
        true => hidden_rows_and_columns(&input.path, &names()),
        false => HashMap::new(),
    };
    let mut xlsx_merges = match is_xlsx {
        true => merged_ranges(&input.path, &names()),
        false => HashMap::new(),
    };
    for (entity, name) in found {
        let sheet: Arc<str> = name.as_str().into();
        let merges = match workbook.as_mut() {
            _ if is_xlsx => xlsx_merges.remove(&name).unwrap_or_default(),
            Some(Sheets::Xls(xls)) => xls.merge_cells_by_sheet_name(&name).unwrap_or_default(),
            _ => Vec::new(),
        };
        let layout = match sheet_rows(workbook.as_mut(), package.as_mut(), &name) {
            Ok(mut rows) => {
                let target = SheetTarget {
                    input,
                    sheet: sheet.clone(),
                    entity,
                    with,
                };
                let layout = read_sheet(&mut rows, &merges, &target, outcome);
                if let Some(error) = rows.error() {
                    outcome
                        .diagnostics
                        .push(sheet_unreadable(input, &sheet, error));
                }
                layout
            }
            Err(error) => {
                outcome
                    .diagnostics
                    .push(sheet_unreadable(input, &sheet, &error));
                None
            }
        };
        if let (true, Some(layout)) = (wants_profile, layout) {
            let diagnostics = &mut outcome.diagnostics;
            diagnostics.extend(machine_readable::merged_cells(&layout, &merges));
            if let Some(hidden) = hidden.get(&name) {
                diagnostics.extend(machine_readable::hidden_rows_and_columns(&layout, hidden));
            }
            if let Some(workbook) = workbook.as_mut() {
                diagnostics.extend(machine_readable::formulas(
                    &layout,
                    &formulas(workbook, &name),
                ));
            }
        }
    }
}

fn sheet_unreadable(input: &Input, sheet: &Arc<str>, error: &str) -> Diagnostic {
    Diagnostic::error(
        "sheet.unreadable",
        Location::sheet(&input.shown, sheet),
        Text::new(
            format!("cannot read the sheet: {error}"),
            format!("シートを読み込めません: {error}"),
        ),
        Text::new(
            "Open the workbook in Excel or LibreOffice and save it again as .xlsx.",
            "Excel または LibreOffice で開いて .xlsx として保存し直してください。",
        ),
    )
}

fn unrecognised<'a>(
    input: &Input,
    schemas: &Schemas,
    sheets: impl Iterator<Item = &'a String>,
) -> Diagnostic {
    let mut present: Vec<&str> = sheets.map(String::as_str).collect();
    present.sort_unstable();
    let expected = expected_sheets(schemas);
    Diagnostic::warning(
        "workbook.unrecognised",
        Location::file(&input.shown),
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
fn report_missing_sheets(
    input: &Input,
    schemas: &Schemas,
    found: &[(usize, String)],
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (index, entity) in schemas.entities.iter().enumerate() {
        let kind_present = found
            .iter()
            .any(|(other, _)| schemas.entities[*other].workbook == entity.workbook);
        let sheet_present = found.iter().any(|(other, _)| *other == index);
        if kind_present && !sheet_present {
            diagnostics.push(Diagnostic::error(
                "sheet.missing",
                Location::file(&input.shown),
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

/// A merged range's value belongs to every row the range spans: it is carried down the range's
/// first column. Other columns of the range stay empty, and merges in the header row are left
/// alone, so a merge never invents a column.
struct MergeCarry<'a> {
    merges: &'a [Dimensions],
    /// (column, last row, value) of the merges the stream is inside.
    active: Vec<(u32, u32, Data)>,
}

impl<'a> MergeCarry<'a> {
    fn new(merges: &'a [Dimensions]) -> Self {
        MergeCarry {
            merges,
            active: Vec::new(),
        }
    }

    fn apply(&mut self, row: &mut Row) {
        self.active.retain(|(_, last, _)| *last >= row.index);
        for (column, _, value) in &self.active {
            if row.get(*column).is_none_or(is_blank) {
                row.set(*column, value.clone());
            }
        }
        for merge in self.merges {
            let (top, column) = merge.start;
            if top == 0 || top != row.index || merge.end.0 <= top {
                continue;
            }
            if let Some(value) = row.get(column) {
                self.active.push((column, merge.end.0, value.clone()));
            }
        }
    }
}

/// What one sheet is read for.
struct SheetTarget<'a> {
    input: &'a Input,
    sheet: Arc<str>,
    entity: usize,
    with: ReadWith<'a>,
}

/// Read one sheet's rows into records; returns its layout.
fn read_sheet(
    rows: &mut SheetRows,
    merges: &[Dimensions],
    target: &SheetTarget,
    outcome: &mut FileOutcome,
) -> Option<Arc<SheetLayout>> {
    let (input, schemas) = (target.input, target.with.schemas);
    let entity = schemas.entities.get(target.entity)?;
    let mut rows = rows.peekable();
    let header = rows.next_if(|row| row.index == 0);
    let header_cells = header.as_ref().map_or(&[][..], |row| row.cells.as_slice());
    let columns = match_headers(
        header_cells,
        entity,
        input,
        &target.sheet,
        &mut outcome.diagnostics,
    );
    let layout = Arc::new(SheetLayout {
        file: input.shown.clone(),
        sheet: target.sheet.clone(),
        entity: target.entity,
        columns,
    });
    report_missing_columns(&layout, entity, &mut outcome.diagnostics);
    outcome.sheets.push(layout.clone());
    let mut carry = MergeCarry::new(merges);
    // One stretch of rows is checked while the next is read, by whichever core is free.
    let mut batch = next_batch(&mut rows, &mut carry);
    while !batch.is_empty() {
        let (next, (records, diagnostics)) = rayon::join(
            || next_batch(&mut rows, &mut carry),
            || check_batch(batch, &layout, target),
        );
        outcome.records.push(records);
        outcome.diagnostics.extend(diagnostics);
        batch = next;
    }
    Some(layout)
}

/// Rows read and checked at a time: enough to be worth handing to another core, few enough to
/// keep memory flat.
const BATCH_ROWS: usize = 1024;

/// The next rows of the sheet that have something in them, merges carried down.
fn next_batch(rows: &mut impl Iterator<Item = Row>, carry: &mut MergeCarry) -> Vec<Row> {
    let mut batch = Vec::with_capacity(BATCH_ROWS);
    for mut row in rows.by_ref() {
        carry.apply(&mut row);
        if row.cells.iter().all(|(_, cell)| is_blank(cell)) {
            continue;
        }
        batch.push(row);
        if batch.len() == BATCH_ROWS {
            break;
        }
    }
    batch
}

/// Rows → records, each converted field by field and checked as soon as it is whole.
fn check_batch(
    rows: Vec<Row>,
    layout: &Arc<SheetLayout>,
    target: &SheetTarget,
) -> (Batch, Vec<Diagnostic>) {
    let mut records = Batch::new(layout.clone(), target.with.keep);
    let mut diagnostics = Vec::new();
    for row in rows {
        let mut record = to_record(&row, layout, target, &mut diagnostics);
        let (problems, invalid) = (target.with.check)(&record, target.with.schemas);
        diagnostics.extend(problems);
        record.rejected.extend(invalid);
        records.push(&record);
    }
    (records, diagnostics)
}

/// One row's cells as the entity's fields; what cannot be converted is reported.
fn to_record(
    cells: &Row,
    layout: &Arc<SheetLayout>,
    target: &SheetTarget,
    diagnostics: &mut Vec<Diagnostic>,
) -> ReadRow {
    let (schemas, profile) = (target.with.schemas, target.with.options.profile);
    let entity = &schemas.entities[layout.entity];
    let row = cells.index.saturating_add(1);
    let mut values = Map::with_capacity(entity.fields.len());
    let mut problems = Vec::new();
    let mut rejected = Vec::new();
    for (index, field) in entity.fields.iter().enumerate() {
        let column = layout.columns.get(index).copied().flatten();
        let cell = column.and_then(|c| cells.get(c)).unwrap_or(&Data::Empty);
        if let (Profile::MachineReadable, Some(column), Data::String(text)) =
            (profile, column, cell)
        {
            diagnostics.extend(machine_readable::text_cell(
                layout, field, row, column, text,
            ));
        }
        let converted = cell::convert(
            cell,
            &Target {
                schemas,
                entity,
                field,
            },
        );
        match (converted.value, &converted.problem, &field.default) {
            (Some(value), _, _) => {
                values.insert(field.key.clone(), value);
            }
            (None, None, Some(default)) => {
                values.insert(field.key.clone(), default.clone());
            }
            _ => {}
        }
        if let Some(problem) = converted.problem {
            if problem.severity == Severity::Error {
                rejected.push(field.key.clone());
            }
            problems.push((index, cell::display(cell), problem));
        }
    }
    let values = Value::Object(values);
    for (index, found, problem) in problems {
        let location = layout.location(entity, row, index);
        let snippet = row_snippet(layout, entity, row, &values, index, Some(&found));
        let diagnostic = match problem.severity {
            Severity::Error => {
                Diagnostic::error(problem.code, location, problem.message, problem.help)
            }
            Severity::Warning => {
                Diagnostic::warning(problem.code, location, problem.message, problem.help)
            }
        };
        diagnostics.push(diagnostic.with_found(found).with_snippet(snippet));
    }
    ReadRow {
        layout: layout.clone(),
        row,
        values,
        rejected,
    }
}

fn is_blank(cell: &Data) -> bool {
    match cell {
        Data::Empty => true,
        Data::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// Find each field's column in the header row; warn about headers no field has.
fn match_headers(
    headers: &[(u32, Data)],
    entity: &Entity,
    input: &Input,
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
        let written = cell::display(header);
        if written.trim().is_empty() {
            continue;
        }
        let label = normalize_label(&written);
        let at = Location {
            row: Some(1),
            column: Some(column),
            ..Location::sheet(&input.shown, sheet)
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

fn report_missing_columns(
    layout: &SheetLayout,
    entity: &Entity,
    diagnostics: &mut Vec<Diagnostic>,
) {
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
