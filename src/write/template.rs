//! The workbooks people fill in, made from the schemas: an organisation's submission (取組, KPI)
//! or the council master (課題, 項目, 論点). Headers, input messages, drop-down lists, number
//! formats and protected header rows all come from the schemas; `--from annex.json` pre-fills
//! last round's rows. A hidden sheet records the template version and the schemas' fingerprint,
//! so that `annex check` can tell a submission made from an older template.

use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, Format, FormatAlign,
    FormatBorder, Formula, ProtectionOptions, Workbook, Worksheet, XlsxError,
};
use serde_json::Value;

use super::fit;
use super::xlsx::stable_properties;
use crate::compare::nodes_at;
use crate::records::display_value;
use crate::schema::{column_list, Entity, Field, Schemas, ValueKind, INFO_SHEET, TEMPLATE_VERSION};

/// Data rows that get drop-down lists and input messages.
const ROWS: u32 = 2000;
/// Excel's limit on the length of an input message.
const MESSAGE_LIMIT: usize = 250;

/// What a template is for.
pub enum Audience<'a> {
    /// An organisation's submission, by code.
    Organisation(&'a str),
    /// The secretariat's council master.
    Council,
}

impl Audience<'_> {
    pub fn workbook(&self) -> &'static str {
        match self {
            Audience::Organisation(_) => "submission",
            Audience::Council => "council",
        }
    }
}

/// `master` supplies the 論点 to choose from and, when `prefill` is set, the rows to start from.
pub fn template_bytes(
    schemas: &Schemas,
    audience: &Audience,
    master: &Value,
    prefill: bool,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&stable_properties("annex template")?);
    let entities: Vec<&Entity> = schemas
        .entities
        .iter()
        .filter(|e| e.workbook == audience.workbook())
        .collect();
    let lists = Lists::new(schemas, &entities, master);
    for entity in &entities {
        let rows = if prefill {
            rows_for(entity, schemas, audience, master)
        } else {
            Vec::new()
        };
        let sheet = workbook.add_worksheet().set_name(&entity.sheet)?;
        write_entry_sheet(sheet, entity, schemas, &rows, &lists)?;
    }
    if let Audience::Organisation(_) = audience {
        write_issue_list(workbook.add_worksheet(), master, schemas)?;
    }
    let info = workbook.add_worksheet().set_name(INFO_SHEET)?;
    write_info(info, schemas, audience, &entities, &lists)?;
    info.set_hidden(true);
    workbook.save_to_buffer()
}

/// The rows of an entity a template starts from: for an organisation, the rows whose key starts
/// with its code (the measures it leads and their KPIs); for the council, all of them.
fn rows_for<'a>(
    entity: &Entity,
    schemas: &Schemas,
    audience: &Audience,
    master: &'a Value,
) -> Vec<&'a Value> {
    let mut rows = nodes_at(master, &schemas.master_path(entity));
    if let Audience::Organisation(code) = audience {
        let prefix = format!("{code}-");
        rows.retain(|row| {
            row.get(&entity.key)
                .and_then(Value::as_str)
                .is_some_and(|id| id.starts_with(&prefix))
        });
    }
    rows
}

/// The drop-down lists, written to the hidden sheet and referred to by the entry sheets: the
/// keys of every entity a template's fields refer to, and the organisations' names.
struct Lists {
    columns: Vec<(String, Vec<String>)>,
}

const ORGANISATIONS: &str = "organisation";

impl Lists {
    fn new(schemas: &Schemas, entities: &[&Entity], master: &Value) -> Lists {
        let mut columns = vec![(
            ORGANISATIONS.to_string(),
            schemas
                .organisations
                .iter()
                .map(|o| o.short_name.clone())
                .collect(),
        )];
        for target in entities
            .iter()
            .flat_map(|e| &e.fields)
            .filter_map(|f| f.references.as_deref())
        {
            let Some(entity) = schemas.entity(target) else {
                continue;
            };
            if columns.iter().any(|(name, _)| name == target) {
                continue;
            }
            let keys = nodes_at(master, &schemas.master_path(entity))
                .into_iter()
                .filter_map(|row| row.get(&entity.key).and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            columns.push((target.to_string(), keys));
        }
        Lists { columns }
    }

    /// `=annex_template!$D$2:$D$20` for a named list; lists start in column D.
    fn formula(&self, name: &str) -> Option<Formula> {
        let (index, (_, values)) = self
            .columns
            .iter()
            .enumerate()
            .find(|(_, (n, _))| n == name)?;
        if values.is_empty() {
            return None;
        }
        let column = crate::report::column_name(3 + index as u32);
        Some(Formula::new(format!(
            "={INFO_SHEET}!${column}$2:${column}${}",
            values.len() + 1
        )))
    }
}

/// The drop-down list a field gets, if any. A reference into the other kind of workbook (a
/// measure's 論点ID) must be one of the list; a reference within the same workbook may be new,
/// so its list only suggests.
fn validation_for(
    field: &Field,
    entity: &Entity,
    schemas: &Schemas,
    lists: &Lists,
) -> Result<Option<DataValidation>, XlsxError> {
    let from_list = |name: &str| {
        lists
            .formula(name)
            .map(|formula| DataValidation::new().allow_list_formula(formula))
    };
    if let Some(target) = field.references.as_deref() {
        let strict = schemas
            .entity(target)
            .is_some_and(|t| t.workbook != entity.workbook);
        let style = if strict {
            DataValidationErrorStyle::Stop
        } else {
            DataValidationErrorStyle::Information
        };
        return Ok(from_list(target).map(|v| v.set_error_style(style)));
    }
    let validation = match &field.kind {
        ValueKind::Organisations { .. } => from_list(ORGANISATIONS)
            .map(|v| v.set_error_style(DataValidationErrorStyle::Information)),
        ValueKind::YesNo { yes, no } => {
            let choices: Vec<&String> = yes.iter().take(1).chain(no.iter().take(1)).collect();
            Some(DataValidation::new().allow_list_strings(&choices)?)
        }
        ValueKind::Number { .. } => Some(
            DataValidation::new()
                .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0))
                .set_error_style(DataValidationErrorStyle::Warning),
        ),
        _ if !field.allowed.is_empty() => {
            let choices: Vec<String> = field.allowed.iter().map(display_value).collect();
            Some(DataValidation::new().allow_list_strings(&choices)?)
        }
        _ => None,
    };
    Ok(validation)
}

fn input_message(validation: DataValidation, field: &Field) -> Result<DataValidation, XlsxError> {
    let required = if field.required { "【必須】" } else { "" };
    let mut message: String = format!("{required}{}", field.description.ja)
        .chars()
        .take(MESSAGE_LIMIT)
        .collect();
    if let Some(example) = &field.example {
        let with_example = format!("{message}（例: {example}）");
        if with_example.chars().count() <= MESSAGE_LIMIT {
            message = with_example;
        }
    }
    let title: String = field.header.chars().take(30).collect();
    validation
        .set_input_title(title)?
        .set_input_message(message)
}

/// The number format a field's cells get, so that typed numbers and dates show as they mean.
fn number_format(field: &Field) -> Option<&'static str> {
    match field.kind {
        ValueKind::FiscalYear => Some("0\"年度\""),
        ValueKind::YearMonth => Some("yyyy\"年\"m\"月\""),
        ValueKind::Number { integer: true } => Some("#,##0"),
        ValueKind::Number { integer: false } => Some("General"),
        _ => None,
    }
}

fn write_entry_sheet(
    sheet: &mut Worksheet,
    entity: &Entity,
    schemas: &Schemas,
    rows: &[&Value],
    lists: &Lists,
) -> Result<(), XlsxError> {
    let header = Format::new()
        .set_bold()
        .set_background_color(rust_xlsxwriter::Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap()
        .set_locked();
    // A field's column, counting the read-only columns of last round's values before it.
    let mut column: u16 = 0;
    for field in &entity.fields {
        let mut cells = Format::new().set_unlocked().set_align(FormatAlign::Top);
        if let Some(format) = number_format(field) {
            cells = cells.set_num_format(format);
        }
        if matches!(field.kind, ValueKind::Text) {
            cells = cells.set_text_wrap();
        }
        sheet.set_column_format(column, &cells)?;
        sheet.set_column_width(
            column,
            if matches!(field.kind, ValueKind::Text) {
                40.0
            } else {
                16.0
            },
        )?;
        sheet.write_string_with_format(0, column, &field.header, &header)?;
        sheet.add_data_validation(
            0,
            column,
            0,
            column,
            &input_message(DataValidation::new().allow_any_value(), field)?,
        )?;
        let data = validation_for(field, entity, schemas, lists)?
            .unwrap_or_else(|| DataValidation::new().allow_any_value());
        sheet.add_data_validation(1, column, ROWS, column, &input_message(data, field)?)?;
        for (offset, row) in rows.iter().enumerate() {
            if let Some(value) = row.get(&field.key) {
                write_value(
                    sheet,
                    offset as u32 + 1,
                    column,
                    value,
                    field,
                    schemas,
                    &cells,
                )?;
            }
        }
        column += 1;
        if let (Some(previous), false) = (&field.previous_header, rows.is_empty()) {
            write_previous_column(sheet, column, previous, field, rows, &header)?;
            column += 1;
        }
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    let options = ProtectionOptions {
        insert_rows: true,
        delete_rows: true,
        format_columns: true,
        format_rows: true,
        sort: true,
        use_autofilter: true,
        ..ProtectionOptions::default()
    };
    sheet.protect_with_options(&options);
    Ok(())
}

/// The read-only column beside a field that shows each row's value in last round's master
/// (前回値), so that staff see what they are updating; a check passes over it.
fn write_previous_column(
    sheet: &mut Worksheet,
    column: u16,
    title: &str,
    field: &Field,
    rows: &[&Value],
    header: &Format,
) -> Result<(), XlsxError> {
    let mut cells = Format::new()
        .set_locked()
        .set_align(FormatAlign::Top)
        .set_background_color(rust_xlsxwriter::Color::RGB(0xEDEDED))
        .set_font_color(rust_xlsxwriter::Color::RGB(0x595959));
    if let Some(format) = number_format(field) {
        cells = cells.set_num_format(format);
    }
    sheet.set_column_format(column, &cells)?;
    sheet.set_column_width(column, 12.0)?;
    sheet.write_string_with_format(0, column, title, header)?;
    let message = format!(
        "前回の統合結果（--from）の{}。参考のための表示で、読み込みません",
        field.header
    );
    let note = DataValidation::new()
        .allow_any_value()
        .set_input_title(title.chars().take(30).collect::<String>())?
        .set_input_message(message.chars().take(MESSAGE_LIMIT).collect::<String>())?;
    sheet.add_data_validation(0, column, ROWS, column, &note)?;
    for (offset, row) in rows.iter().enumerate() {
        let at = offset as u32 + 1;
        match row.get(&field.key) {
            Some(Value::Number(n)) => {
                sheet.write_number_with_format(
                    at,
                    column,
                    n.as_f64().unwrap_or_default(),
                    &cells,
                )?;
            }
            Some(value) => {
                sheet.write_string_with_format(
                    at,
                    column,
                    fit(&display_value(value), 0),
                    &cells,
                )?;
            }
            None => {}
        }
    }
    Ok(())
}

/// A master value as a person would type it, so that reading it back gives the same value.
fn write_value(
    sheet: &mut Worksheet,
    row: u32,
    column: u16,
    value: &Value,
    field: &Field,
    schemas: &Schemas,
    format: &Format,
) -> Result<(), XlsxError> {
    match (value, &field.kind) {
        (Value::Number(n), _) => {
            sheet.write_number_with_format(row, column, n.as_f64().unwrap_or_default(), format)?;
        }
        (Value::Bool(answer), ValueKind::YesNo { yes, no }) => {
            let spelling = if *answer { yes.first() } else { no.first() };
            sheet.write_string_with_format(
                row,
                column,
                spelling.map_or("", String::as_str),
                format,
            )?;
        }
        (Value::Bool(answer), _) => {
            sheet.write_boolean_with_format(row, column, *answer, format)?;
        }
        (Value::Array(codes), _) => {
            sheet.write_string_with_format(
                row,
                column,
                fit(&schemas.short_names(codes).join("、"), 0),
                format,
            )?;
        }
        (other, _) => {
            sheet.write_string_with_format(row, column, fit(&display_value(other), 0), format)?;
        }
    }
    Ok(())
}

fn header_of<'a>(entity: &'a Entity, key: &str) -> &'a str {
    entity.field(key).map_or("", |f| f.header.as_str())
}

/// 論点一覧: the issues to answer, read-only, with their section; every name, header and path
/// from the schemas (the entities playing the roles `section` and `issue`).
fn write_issue_list(
    sheet: &mut Worksheet,
    master: &Value,
    schemas: &Schemas,
) -> Result<(), XlsxError> {
    let entity = |role: &str| {
        schemas
            .entity_role(role)
            .and_then(|e| schemas.entities.get(e))
    };
    let (Some(section), Some(issue)) = (entity("section"), entity("issue")) else {
        return Ok(());
    };
    sheet.set_name(issue.list_sheet())?;
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color(rust_xlsxwriter::Color::RGB(0xF2F2F2));
    let wrapped = Format::new()
        .set_text_wrap()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Hair);
    let columns = [
        (header_of(issue, &issue.key), 10.0),
        (section.sheet.as_str(), 40.0),
        (header_of(issue, issue.role_key("theme")), 20.0),
        (header_of(issue, issue.role_key("question")), 70.0),
    ];
    for (column, (title, width)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *title, &header)?;
        sheet.set_column_width(column as u16, *width)?;
    }
    let mut row = 1;
    for node in nodes_at(master, &schemas.master_path(section)) {
        let issues = node.get(&issue.plural).and_then(Value::as_array);
        for issue_node in issues.into_iter().flatten() {
            let text = |node: &Value, key: &str| {
                node.get(key)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let cells = [
                text(issue_node, &issue.key),
                text(node, section.role_key("title")),
                text(issue_node, issue.role_key("theme")),
                text(issue_node, issue.role_key("question")),
            ];
            for (column, value) in cells.iter().enumerate() {
                sheet.write_string_with_format(row, column as u16, fit(value, 0), &wrapped)?;
            }
            row += 1;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.protect();
    Ok(())
}

fn write_info(
    sheet: &mut Worksheet,
    schemas: &Schemas,
    audience: &Audience,
    entities: &[&Entity],
    lists: &Lists,
) -> Result<(), XlsxError> {
    let mut entries = vec![
        ("template_version".to_string(), TEMPLATE_VERSION.to_string()),
        (
            "schema_fingerprint".to_string(),
            schemas.fingerprint(audience.workbook()),
        ),
        (
            "organisation".to_string(),
            match audience {
                Audience::Organisation(code) => (*code).to_string(),
                Audience::Council => "council".to_string(),
            },
        ),
    ];
    for entity in entities {
        entries.push((format!("columns.{}", entity.sheet), column_list(entity)));
    }
    for (row, (key, value)) in entries.iter().enumerate() {
        sheet.write_string(row as u32, 0, key)?;
        sheet.write_string(row as u32, 1, value)?;
    }
    for (index, (name, values)) in lists.columns.iter().enumerate() {
        let column = 3 + index as u16;
        sheet.write_string(0, column, name.as_str())?;
        for (offset, value) in values.iter().enumerate() {
            sheet.write_string(offset as u32 + 1, column, value)?;
        }
    }
    Ok(())
}
