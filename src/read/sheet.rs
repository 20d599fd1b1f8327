//! One workbook through the pipeline: its sheets found and shaped, its rows read in stretches,
//! each cell converted to its value and each row checked against its schema as soon as it is
//! whole, one stretch on whichever core is free while the next is read; what passes is kept as
//! records. Nothing in a file can make this panic: every problem becomes a diagnostic and the rest
//! of the file is still read.

use std::collections::HashMap;
use std::sync::Arc;

use calamine::{Data, Dimensions};
use serde_json::{Map, Value};

use super::ReadWith;
use crate::input::{self, is_blank, Input, Row, SheetRows, Workbook};
use crate::lang::Text;
use crate::records::{row_snippet, Batch, ReadRow, SheetLayout};
use crate::report::{Diagnostic, Findings, Location, Severity, SHOWN_PER_CODE};
use crate::schema::{normalize_label, INFO_SHEET};
use crate::validate::{profile, sheet, template_version, Profile, TemplateIdentity};
use crate::values;

/// What reading one file gave.
#[derive(Debug, Default)]
pub struct FileOutcome {
    pub sheets: Vec<Arc<SheetLayout>>,
    /// What the template's hidden sheet says, for a workbook made by `annex template`.
    pub template: Option<TemplateIdentity>,
    pub records: Vec<Batch>,
    pub diagnostics: Findings,
    /// Whether the file could not be opened at all (damaged, encrypted, locked, too large).
    pub unopened: bool,
}

/// Read one file: opened once, measured, then its sheets.
pub fn read_file(input: &Input, with: ReadWith) -> FileOutcome {
    let mut outcome = FileOutcome::default();
    let calamine_view = with.options.profile == Profile::MachineReadable;
    match input::open(input, with.options.limits, calamine_view) {
        Ok(mut workbook) => read_sheets(&mut workbook, input, with, &mut outcome),
        Err(refused) => {
            outcome.diagnostics.push(*refused);
            outcome.unopened = true;
        }
    }
    outcome
}

/// Reads the council's sheets of an open workbook.
fn read_sheets(workbook: &mut Workbook, input: &Input, with: ReadWith, outcome: &mut FileOutcome) {
    let (schemas, profile) = (with.schemas, with.options.profile);
    let by_label: HashMap<String, String> = workbook
        .sheet_names()
        .into_iter()
        .map(|name| (normalize_label(&name), name))
        .collect();
    let mut found: Vec<(usize, String)> = schemas
        .entities
        .iter()
        .enumerate()
        .filter_map(|(index, entity)| {
            by_label
                .get(&normalize_label(&entity.sheet))
                .map(|name| (index, name.clone()))
        })
        .collect();
    tables_under_other_names(
        workbook,
        input,
        schemas,
        &mut found,
        &mut outcome.diagnostics,
    );
    if found.is_empty() {
        outcome.diagnostics.push(sheet::unrecognised(
            &input.shown,
            schemas,
            by_label.values(),
        ));
        return;
    }
    sheet::missing_sheets(&input.shown, schemas, &found, &mut outcome.diagnostics);
    let wants_profile = profile == Profile::MachineReadable;
    if let Some(name) = by_label.get(&normalize_label(INFO_SHEET)) {
        if let Ok(rows) = workbook.rows(name) {
            let sheet: Arc<str> = name.as_str().into();
            let entries = template_version::entries(rows.map(|row| row.cells));
            outcome.template = Some(template_version::identity(&entries));
            outcome.diagnostics.extend(template_version::check(
                &input.shown,
                &sheet,
                &entries,
                schemas,
            ));
        }
    }
    if wants_profile && !workbook.knows_hidden_sheets_and_formulas() {
        outcome.diagnostics.push(profile::unchecked(&input.shown));
    }
    if wants_profile {
        outcome.diagnostics.extend(profile::hidden_sheets(
            &input.shown,
            &workbook.hidden_sheets(),
        ));
    }
    for (entity, name) in found {
        let sheet: Arc<str> = name.as_str().into();
        let merges = workbook.merged_ranges(&name);
        let layout = match workbook.rows(&name) {
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
            diagnostics.extend(profile::merged_cells(&layout, &merges));
            let (rows, columns) = workbook.hidden_rows_and_columns(&name);
            diagnostics.extend(profile::hidden_rows_and_columns(&layout, &rows, &columns));
            diagnostics.extend(profile::formulas(&layout, &workbook.formulas(&name)));
        }
    }
}

/// The sheets not named as any of the contract's whose header row is a contract table's (「KPI」
/// renamed 「KPI一覧」, a copy 「取組 (2)」): one that stands for a missing sheet is read as it,
/// with an error for its name; one beside the sheet read for its table is an error, so that no
/// table is left unread without a word.
fn tables_under_other_names(
    workbook: &mut Workbook,
    input: &Input,
    schemas: &crate::schema::Schemas,
    found: &mut Vec<(usize, String)>,
    diagnostics: &mut Findings,
) {
    // The sheets annex's own templates add for reference (論点一覧, the issues to answer).
    let reference = (schemas.entity_role("issue"))
        .and_then(|index| schemas.entities.get(index))
        .map(|issue| normalize_label(&issue.list_sheet()));
    let others: Vec<String> = (workbook.sheet_names().into_iter())
        .filter(|name| !found.iter().any(|(_, read)| read == name))
        .filter(|name| {
            let label = normalize_label(name);
            label != normalize_label(INFO_SHEET) && Some(&label) != reference.as_ref()
        })
        .collect();
    // A workbook with sheets of one kind (a submission's) holds only that kind's tables.
    let kinds: Vec<&str> = (found.iter())
        .filter_map(|(index, _)| schemas.entities.get(*index))
        .map(|entity| entity.workbook.as_str())
        .collect();
    for name in others {
        let Ok(rows) = workbook.rows(&name) else {
            continue;
        };
        // The header row, or a row a little below a title.
        let table = (rows.take(sheet::HEADER_SEARCH_ROWS + 1))
            .find_map(|row| sheet::table_of(&row.cells, schemas));
        let Some(entity) = table.and_then(|index| Some((index, schemas.entities.get(index)?)))
        else {
            continue;
        };
        if !kinds.is_empty() && !kinds.contains(&entity.1.workbook.as_str()) {
            continue;
        }
        match found.iter().find(|(index, _)| *index == entity.0) {
            Some((_, read)) => {
                diagnostics.push(sheet::table_not_read(&input.shown, &name, entity.1, read))
            }
            None => {
                diagnostics.push(sheet::renamed(&input.shown, &name, entity.1));
                found.push((entity.0, name));
            }
        }
    }
    found.sort_by_key(|(index, _)| *index);
}

fn sheet_unreadable(input: &Input, sheet: &Arc<str>, error: &str) -> Diagnostic {
    Diagnostic::error(
        "sheet.unreadable",
        Location::sheet(&input.shown, sheet),
        Text::new(
            format!("cannot read the sheet: {error}"),
            "シートを最後まで読み込めません（シートの内容が壊れています）".to_string(),
        ),
        Text::new(
            "Open the workbook in Excel or LibreOffice and save it again as .xlsx.",
            "Excel または LibreOffice で開いて .xlsx として保存し直してください。",
        ),
    )
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
    let mut found = Vec::new();
    let columns = sheet::match_headers(
        header_cells,
        entity,
        &input.shown,
        &target.sheet,
        &mut found,
    );
    // No header in row 1: a title row above the table, most often. Where the headers are is
    // said once, at row 1; the sheet is not read as if its headers were data.
    let mut ahead = Vec::new();
    if columns.iter().all(Option::is_none) {
        ahead.extend(rows.by_ref().take(sheet::HEADER_SEARCH_ROWS));
        let below = (ahead.iter()).find(|row| sheet::headers_matched(&row.cells, entity) >= 2);
        if let Some(row) = below {
            let diagnostic = sheet::headers_below_row_1(&input.shown, &target.sheet, row.index + 1);
            outcome.diagnostics.push(diagnostic);
            return None;
        }
    }
    outcome.diagnostics.extend(found);
    let mut rows = ahead.into_iter().chain(rows);
    let layout = Arc::new(SheetLayout {
        file: input.shown.clone(),
        sheet: target.sheet.clone(),
        entity: target.entity,
        columns,
    });
    sheet::missing_columns(&layout, entity, &mut outcome.diagnostics);
    outcome.sheets.push(layout.clone());
    let mut headed = (header.as_ref()).and_then(|row| sheet::Headed::of(&row.cells, entity));
    let mut carry = MergeCarry::new(merges);
    // One stretch of rows is checked while the next is read, by whichever core is free.
    let mut batch = next_batch(&mut rows, &mut carry);
    // Problems of a code beyond the few a report draws keep no snippet: a sheet with a million
    // of them should not hold a million rows written out.
    let mut per_code: HashMap<String, usize> = HashMap::new();
    let mut helps = HashMap::new();
    while !batch.is_empty() {
        if let Some(headed) = headed.as_mut() {
            let mut unheaded = Vec::new();
            for row in &batch {
                headed.check(&layout, row, &mut unheaded);
            }
            outcome.diagnostics.extend(unheaded);
        }
        let (next, (records, mut diagnostics)) = rayon::join(
            || next_batch(&mut rows, &mut carry),
            || check_batch(batch, &layout, target),
        );
        for diagnostic in &mut diagnostics {
            // Counted by code without a new string for each of a million problems.
            let seen = match per_code.get_mut(&diagnostic.code) {
                Some(seen) => seen,
                None => per_code.entry(diagnostic.code.clone()).or_default(),
            };
            *seen += 1;
            if *seen > SHOWN_PER_CODE {
                diagnostic.snippet = None;
            }
            if let Some(lang) = target.with.options.lang {
                diagnostic.keep_only(lang);
            }
            diagnostic.share_help(&mut helps);
        }
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
        if row.is_empty() {
            continue;
        }
        batch.push(row);
        if batch.len() == BATCH_ROWS {
            break;
        }
    }
    batch
}

/// A row's cells as the person typed them, by field key: what a problem's snippet shows
/// (令和7年度, はい), rather than what annex read them as (2025, true).
fn typed_values(cells: &Row, layout: &SheetLayout, entity: &crate::schema::Entity) -> Value {
    Value::Object(
        (entity.fields.iter().enumerate())
            .filter_map(|(index, field)| {
                let column = layout.columns.get(index).copied().flatten()?;
                let cell = cells.get(column).filter(|cell| !is_blank(cell))?;
                Some((field.key.clone(), Value::String(values::display(cell))))
            })
            .collect(),
    )
}

/// The row checks' snippets, drawn again from the cells as typed.
fn shown_as_typed(
    problems: &mut [Diagnostic],
    row: &Row,
    layout: &Arc<SheetLayout>,
    target: &SheetTarget,
) {
    let Some(entity) = target.with.schemas.entities.get(layout.entity) else {
        return;
    };
    let typed = typed_values(row, layout, entity);
    for problem in problems {
        let Some(snippet) = &problem.snippet else {
            continue;
        };
        let field = (problem.location.column)
            .and_then(|column| layout.columns.iter().position(|c| *c == Some(column)));
        if let Some(field) = field {
            // The cell as typed, whole, even where the problem is in one item of its list.
            let typed_cell = entity.fields.get(field).and_then(|f| typed.get(&f.key));
            let found = problem.found.clone().filter(|_| typed_cell.is_none());
            let row = snippet.row;
            problem.snippet =
                row_snippet(layout, entity, row, &typed, field, found.as_deref()).map(Box::new);
        }
    }
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
        let (mut problems, invalid) = (target.with.check)(&record, target.with.schemas);
        if !problems.is_empty() {
            shown_as_typed(&mut problems, &row, layout, target);
        }
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
    // The row's unit as typed, for a number typed with a unit after it.
    let unit_cell = (entity.fields.iter())
        .find_map(|field| field.unit_field.as_deref())
        .and_then(|key| entity.field_index(key))
        .and_then(|index| layout.columns.get(index).copied().flatten())
        .and_then(|column| cells.get(column));
    let unit_in_row = match unit_cell {
        Some(Data::String(unit)) if !unit.trim().is_empty() => Some(unit.as_str()),
        _ => None,
    };
    for (index, field) in entity.fields.iter().enumerate() {
        let column = layout.columns.get(index).copied().flatten();
        let cell = column.and_then(|c| cells.get(c)).unwrap_or(&Data::Empty);
        if let (Profile::MachineReadable, Some(column), Data::String(text)) =
            (profile, column, cell)
        {
            diagnostics.extend(profile::text_cell(layout, field, row, column, text));
        }
        let uncomputed = column.and_then(|c| cells.uncomputed(c));
        let converted = match uncomputed {
            Some(formula) => values::Converted::error(values::uncomputed_formula(field, formula)),
            None => values::convert(
                cell,
                &values::Target {
                    schemas,
                    entity,
                    field,
                    unit_in_row,
                    shown_as_percent: (cells.formats_known)
                        .then(|| column.is_some_and(|c| cells.percent.contains(&c))),
                },
            ),
        };
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
            let found = match uncomputed {
                Some(formula) if !formula.is_empty() => format!("={formula}"),
                _ => values::display(cell),
            };
            problems.push((index, found, problem));
        }
    }
    let values = Value::Object(values);
    let typed = match problems.is_empty() {
        true => Value::Null,
        false => typed_values(cells, layout, entity),
    };
    for (index, found, problem) in problems {
        let location = layout.location(entity, row, index);
        let snippet = row_snippet(layout, entity, row, &typed, index, Some(&found));
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
