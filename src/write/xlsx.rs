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
use super::package::{self, Spliced};
use super::sheet_rows::{FormatIndices, Rows, SheetRows};
use crate::compare::Comparison;
use crate::records::{display_value, Field as RecordField};
use crate::schema::{Entity, Schemas, ValueKind};

/// Narrowest and widest column, in Excel's character units.
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;

/// The master for people, filled and waiting to be saved.
pub struct FilledWorkbook {
    workbook: Workbook,
    spliced: Vec<Spliced>,
}

impl FilledWorkbook {
    /// Saves the workbook with the rows made beside it in their sheets.
    pub fn save(mut self, out: impl std::io::Write) -> Result<(), XlsxError> {
        package::save(&mut self.workbook, self.spliced, out)
    }
}

/// The master for people: the annex (別添), the figures (指標), then one flat sheet per entity,
/// every sheet written row by row, the sheets side by side on every core; `markdown` gets
/// `annex.md` from the same walk as 別添. The rows of 指標 and the flat sheets are made and
/// compressed here ([`SheetRows`]), what is around them by rust_xlsxwriter. `beside` is the
/// caller's own work (`annex.json`), taken up by the cores with the sheets, so that neither
/// waits for the other's last sheet.
pub fn fill_workbook(
    master: &Master,
    comparison: Option<&Comparison>,
    markdown: &mut (impl std::io::Write + Send),
    beside: impl FnOnce() + Send,
) -> Result<FilledWorkbook, XlsxError> {
    let schemas = master.schemas;
    let mut workbook = Workbook::new();
    workbook.set_properties(&stable_properties(
        "医療機器・ヘルスケア協議会 取組・KPI 一覧",
    )?);
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
    // each is registered first, in one order, so that the file is the same from run to run and
    // the rows made here know their formats' indices.
    // (rust_xlsxwriter documents `register_format` for multi-threaded constant-memory writing.)
    let mut registered = annex_sheet::formats();
    registered.extend([header.clone(), cell.clone()]);
    registered.extend(
        comparison
            .map(|_| comparison_sheet::formats())
            .into_iter()
            .flatten(),
    );
    for format in &registered {
        workbook.register_format(format);
    }
    let indices = FormatIndices::new(&registered);
    let indices = &indices;
    let [annex, figures, rest @ ..] = workbook.worksheets_mut().as_mut_slice() else {
        return Err(XlsxError::ParameterError(
            "the sheets were not added".into(),
        ));
    };
    let (before, flat) = match (comparison, rest) {
        (Some(comparison), [sheet, flat @ ..]) => (Some((sheet, comparison)), flat),
        (_, flat) => (None, flat),
    };
    let first_flat = 2 + usize::from(before.is_some());
    let layout = Layout::new(schemas)
        .ok_or_else(|| XlsxError::ParameterError("the schemas lack a role of the annex".into()))?;
    let layout = &layout;
    let (mut wrote_annex, mut wrote_comparison) = (Ok(()), Ok(()));
    let mut wrote_figures = Err(XlsxError::ParameterError("指標 was not written".into()));
    let mut wrote_flat: Vec<Result<Rows, XlsxError>> = (flat.iter())
        .map(|_| Err(XlsxError::ParameterError("a sheet was not written".into())))
        .collect();
    // The jobs are taken up in the order they are handed out, the longest first (別添, 指標,
    // the longest flat sheet, the caller's, then the other flat sheets by their rows), so that
    // the cores finish close together.
    let mut beside = Some(beside);
    rayon::scope_fifo(|scope| {
        scope.spawn_fifo(|_| wrote_annex = write_annex(annex, master, layout, markdown));
        scope.spawn_fifo(|_| wrote_figures = write_figures(figures, master, layout, indices));
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
                *wrote = write_sheet(sheet, entity, schemas, master, index, formats, indices)
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
    wrote_comparison?;
    let mut spliced = vec![Spliced {
        position: 1,
        rows: wrote_figures?,
    }];
    for (offset, rows) in wrote_flat.into_iter().enumerate() {
        spliced.push(Spliced {
            position: first_flat + offset,
            rows: rows?,
        });
    }
    Ok(FilledWorkbook { workbook, spliced })
}

/// One flat sheet: the entity's rows in the master's order, returned to be put in the sheet.
/// Cells take their column's format; text wraps, which shows only where a text is wider than its
/// column (as wide as its longest text, up to a limit).
fn write_sheet(
    sheet: &mut Worksheet,
    entity: &Entity,
    schemas: &Schemas,
    master: &Master,
    index: usize,
    [header, cell]: [&Format; 2],
    indices: &FormatIndices,
) -> Result<Rows, XlsxError> {
    sheet.set_row_height(0, 30)?;
    let mut widest: Vec<usize> = (entity.fields.iter())
        .map(|field| display_width(&field.header))
        .collect();
    for (column, field) in entity.fields.iter().enumerate() {
        sheet.set_column_format(column as u16, cell)?;
        sheet.write_string_with_format(0, column as u16, &field.header, header)?;
    }
    let mut rows = SheetRows::new(&vec![indices.of(cell)?; entity.fields.len()], None)?;
    for (offset, node) in master.all(index).enumerate() {
        rows.row(offset as u32 + 1, None)?;
        for (column, value) in node.record.indexed_fields() {
            let (at, Some(field)) = (column as u16, entity.fields.get(column)) else {
                continue;
            };
            let text = match value {
                RecordField::Int(n) => {
                    rows.number(at, n as f64)?;
                    continue;
                }
                RecordField::UInt(n) => {
                    rows.number(at, n as f64)?;
                    continue;
                }
                RecordField::Float(n) => {
                    rows.number(at, n)?;
                    continue;
                }
                RecordField::Bool(b) => {
                    rows.boolean(at, b)?;
                    continue;
                }
                RecordField::Text(text) => std::borrow::Cow::Borrowed(text),
                other => shown_value(&other.to_value(), &field.kind, schemas).into(),
            };
            if let Some(width) = widest.get_mut(column) {
                let longest = text.lines().map(display_width).max().unwrap_or(0);
                *width = (*width).max(longest);
            }
            rows.string(at, &fit(&text, 0))?;
        }
    }
    for (column, width) in widest.iter().enumerate() {
        let width = (*width as f64 + 2.0).clamp(MIN_WIDTH, MAX_WIDTH);
        sheet.set_column_width(column as u16, width)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_column = entity.fields.len().saturating_sub(1) as u16;
    sheet.autofilter(0, 0, master.count(index) as u32, last_column)?;
    rows.finish()
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
