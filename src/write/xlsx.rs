//! `annex.xlsx`: the master for people. After the annex and the figures, one flat, filterable sheet per entity with the contract's
//! Japanese headers, styled and frozen; long text wrapped. Every text is written as a string, so
//! text that looks like a formula (`=HYPERLINK(…)`) stays text.

use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde_json::Value;

use super::annex_doc::Layout;
use super::annex_sheet::{self, write_annex, write_figures};
use super::comparison_sheet::{self, write_comparison};
use super::fit;
use super::master::Master;
use crate::compare::Comparison;
use crate::records::{display_value, Field as RecordField};
use crate::schema::{Entity, Schemas, ValueKind};

/// Narrowest and widest column, in Excel's character units.
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;

/// The master for people: the annex (別添), the figures (指標), then one flat sheet per entity,
/// every sheet written row by row, the sheets side by side on every core; `markdown` gets
/// `annex.md` from the same walk as 別添. `beside` is the caller's own work (`annex.json`), taken
/// up by the cores with the sheets, so that neither waits for the other's last sheet. What is
/// left is to save the workbook (`Workbook::save_to_writer`), which compresses every sheet on
/// one core.
pub fn fill_workbook(
    master: &Master,
    comparison: Option<&Comparison>,
    markdown: &mut (impl std::io::Write + Send),
    beside: impl FnOnce() + Send,
) -> Result<Workbook, XlsxError> {
    let schemas = master.schemas;
    let mut workbook = Workbook::new();
    workbook.set_properties(&stable_properties(
        "医療機器・ヘルスケア協議会 取組・KPI 一覧",
    )?);
    // Most of a large workbook's time is spent compressing its sheets' XML: the fastest level
    // costs a fraction of the default's time for a file a little larger.
    workbook.set_zip_compression_level(1);
    let names = ["別添", "指標"]
        .into_iter()
        .chain(comparison.map(|_| comparison_sheet::SHEET))
        .chain(schemas.entities.iter().map(|entity| entity.sheet.as_str()));
    for name in names {
        workbook
            .add_worksheet_with_constant_memory()?
            .set_name(name)?;
    }
    let header = annex_sheet::font(Format::new())
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F4E79))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let cell = annex_sheet::font(Format::new())
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    // The sheets are written side by side and a format's index is given when it is first used:
    // each is registered first, in one order, so that the file is the same from run to run.
    // (rust_xlsxwriter documents `register_format` for multi-threaded constant-memory writing.)
    let compared = comparison
        .map(|_| comparison_sheet::formats())
        .into_iter()
        .flatten();
    for format in
        (annex_sheet::formats().iter().chain([&header, &cell])).chain(&compared.collect::<Vec<_>>())
    {
        workbook.register_format(format);
    }
    let [annex, figures, rest @ ..] = workbook.worksheets_mut().as_mut_slice() else {
        return Err(XlsxError::ParameterError(
            "the sheets were not added".into(),
        ));
    };
    let (before, flat) = match (comparison, rest) {
        (Some(comparison), [sheet, flat @ ..]) => (Some((sheet, comparison)), flat),
        (_, flat) => (None, flat),
    };
    let layout = Layout::new(schemas)
        .ok_or_else(|| XlsxError::ParameterError("the schemas lack a role of the annex".into()))?;
    let layout = &layout;
    let (mut wrote_annex, mut wrote_figures, mut wrote_comparison) = (Ok(()), Ok(()), Ok(()));
    let mut wrote_flat: Vec<Result<(), XlsxError>> = flat.iter().map(|_| Ok(())).collect();
    // The jobs are taken up in the order they are handed out, the longest first (指標, 別添,
    // the longest flat sheet, the caller's, then the other flat sheets by their rows), so that
    // the cores finish close together.
    let mut beside = Some(beside);
    rayon::scope_fifo(|scope| {
        scope.spawn_fifo(|_| wrote_figures = write_figures(figures, master, layout));
        scope.spawn_fifo(|_| wrote_annex = write_annex(annex, master, layout, markdown));
        if let Some((sheet, comparison)) = before {
            let wrote = &mut wrote_comparison;
            scope.spawn_fifo(move |_| *wrote = write_comparison(sheet, comparison, schemas));
        }
        let mut sheets: Vec<_> = (flat.iter_mut())
            .zip(&schemas.entities)
            .zip(&mut wrote_flat)
            .enumerate()
            .collect();
        sheets.sort_by_key(|(index, _)| std::cmp::Reverse(master.count(*index)));
        for (index, ((sheet, entity), wrote)) in sheets {
            let formats = [&header, &cell];
            scope.spawn_fifo(move |_| {
                *wrote = write_sheet(sheet, entity, schemas, master, index, formats)
            });
            if let Some(job) = beside.take() {
                scope.spawn_fifo(move |_| job());
            }
        }
        if let Some(job) = beside.take() {
            scope.spawn_fifo(move |_| job());
        }
    });
    wrote_annex?;
    wrote_figures?;
    wrote_comparison?;
    wrote_flat.into_iter().collect::<Result<(), _>>()?;
    Ok(workbook)
}

/// One flat sheet: the entity's rows in the master's order. Cells take their column's format
/// (looking a format up for each of a million cells is most of the cost of writing them); text
/// wraps, which shows only where a text is wider than its column (as wide as its longest text,
/// up to a limit).
fn write_sheet(
    sheet: &mut Worksheet,
    entity: &Entity,
    schemas: &Schemas,
    master: &Master,
    index: usize,
    [header, cell]: [&Format; 2],
) -> Result<(), XlsxError> {
    sheet.set_row_height(0, 30)?;
    let mut widest: Vec<usize> = (entity.fields.iter())
        .map(|field| display_width(&field.header))
        .collect();
    for (column, field) in entity.fields.iter().enumerate() {
        sheet.set_column_format(column as u16, cell)?;
        sheet.write_string_with_format(0, column as u16, &field.header, header)?;
    }
    for (offset, node) in master.all(index).enumerate() {
        let row = offset as u32 + 1;
        for (column, value) in node.record.indexed_fields() {
            let (at, Some(field)) = (column as u16, entity.fields.get(column)) else {
                continue;
            };
            let text = match value {
                RecordField::Int(n) => {
                    sheet.write_number(row, at, n as f64)?;
                    continue;
                }
                RecordField::UInt(n) => {
                    sheet.write_number(row, at, n as f64)?;
                    continue;
                }
                RecordField::Float(n) => {
                    sheet.write_number(row, at, n)?;
                    continue;
                }
                RecordField::Bool(b) => {
                    sheet.write_boolean(row, at, b)?;
                    continue;
                }
                RecordField::Text(text) => std::borrow::Cow::Borrowed(text),
                other => shown_value(&other.to_value(), &field.kind, schemas).into(),
            };
            if let Some(width) = widest.get_mut(column) {
                let longest = text.lines().map(display_width).max().unwrap_or(0);
                *width = (*width).max(longest);
            }
            sheet.write_string(row, at, fit(&text, 0))?;
        }
    }
    for (column, width) in widest.iter().enumerate() {
        let width = (*width as f64 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(column as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_column = entity.fields.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, master.count(index) as u32, last_column)?;
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
