//! `annex.xlsx`: the master for people. After the annex and the figures, one flat, filterable sheet per entity with the contract's
//! Japanese headers, styled and frozen; long text wrapped. Every text is written as a string, so
//! text that looks like a formula (`=HYPERLINK(…)`) stays text.

use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde_json::Value;

use super::annex_doc::AnnexDoc;
use super::annex_sheet::{write_annex, write_figures};
use super::{fit, natural_order};
use crate::records::{display_value, Record, Records};
use crate::schema::{Entity, Schemas, ValueKind};

/// Narrowest and widest column, in Excel's character units.
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;
/// Columns whose longest text is wider than this are wrapped.
const WRAP_FROM: usize = 40;

/// The master for people: the annex (別添), the figures (指標), then one flat sheet per entity.
pub fn workbook_bytes(
    records: &Records,
    master: &Value,
    schemas: &Schemas,
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    workbook.set_properties(&stable_properties(
        "医療機器・ヘルスケア協議会 取組・KPI 一覧",
    )?);
    write_annex(&mut workbook, &AnnexDoc::from_master(master, schemas))?;
    write_figures(&mut workbook, master)?;
    let header = Format::new()
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F4E79))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell = Format::new()
        .set_align(FormatAlign::Top)
        .set_border(FormatBorder::Hair);
    let wrapped = cell.clone().set_text_wrap();
    for (index, entity) in schemas.entities.iter().enumerate() {
        let mut rows: Vec<Record> = records.iter().filter(|r| r.entity() == index).collect();
        rows.sort_by(|a, b| {
            natural_order(
                a.text(&entity.key).unwrap_or(""),
                b.text(&entity.key).unwrap_or(""),
            )
        });
        let sheet = workbook.add_worksheet();
        sheet.set_name(&entity.sheet)?;
        write_sheet(sheet, entity, schemas, &rows, [&header, &cell, &wrapped])?;
    }
    workbook.save_to_buffer()
}

fn write_sheet(
    sheet: &mut Worksheet,
    entity: &Entity,
    schemas: &Schemas,
    rows: &[Record],
    [header, cell, wrapped]: [&Format; 3],
) -> Result<(), XlsxError> {
    for (column, field) in entity.fields.iter().enumerate() {
        let column = column as u16;
        sheet.write_string_with_format(0, column, &field.header, header)?;
        let shown: Vec<Option<String>> = rows
            .iter()
            .map(|record| {
                record
                    .get(&field.key)
                    .map(|value| shown_value(&value, &field.kind, schemas))
            })
            .collect();
        let widest = shown
            .iter()
            .flatten()
            .chain(std::iter::once(&field.header))
            .map(|text| text.lines().map(display_width).max().unwrap_or(0))
            .max()
            .unwrap_or(0);
        let wrap = widest > WRAP_FROM;
        let format = if wrap { wrapped } else { cell };
        for (offset, (record, text)) in rows.iter().zip(&shown).enumerate() {
            let row = offset as u32 + 1;
            match (record.get(&field.key), text) {
                (Some(Value::Number(n)), _) => {
                    sheet.write_number_with_format(
                        row,
                        column,
                        n.as_f64().unwrap_or_default(),
                        format,
                    )?;
                }
                (Some(Value::Bool(b)), _) => {
                    sheet.write_boolean_with_format(row, column, b, format)?;
                }
                (_, Some(text)) => {
                    sheet.write_string_with_format(row, column, fit(text, 0), format)?;
                }
                (_, None) => {
                    sheet.write_blank(row, column, format)?;
                }
            }
        }
        let width = (widest as f64 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(column, width)?;
    }
    sheet.set_row_height(0, 30)?;
    sheet.set_freeze_panes(1, 0)?;
    let last_column = entity.fields.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, rows.len() as u32, last_column)?;
    Ok(())
}

/// Document properties with a fixed creation time, so that the same master gives the same bytes.
pub fn stable_properties(title: &str) -> Result<DocProperties, XlsxError> {
    Ok(DocProperties::new()
        .set_title(title)
        .set_author("annex")
        .set_creation_datetime(&rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1)?))
}

/// Organisations by their short names (what people write); everything else as it reads.
fn shown_value(value: &Value, kind: &ValueKind, schemas: &Schemas) -> String {
    match (kind, value) {
        (ValueKind::Organisations { .. }, Value::Array(codes)) => {
            schemas.short_names(codes).join("、")
        }
        _ => display_value(value),
    }
}

/// Width in Excel character units: East Asian wide characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_characters_count_double() {
        assert_eq!(display_width("METI-001"), 8);
        assert_eq!(display_width("経産省"), 6);
    }
}
