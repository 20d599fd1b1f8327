//! 前回比, the sheet of `annex.xlsx` that sets this round beside the last (`--previous`): every
//! figure with its value last round and now, the difference and the percentage, and every other
//! change (rows added, removed, renumbered, moved, renamed, fields changed), one per line; the
//! lines that changed are filled, and the sheet filters on any column (変化, 区分, …).

use std::borrow::Cow;

use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use super::annex_sheet::{font, A4};
use super::fit;
use crate::compare::{percent, Change, Comparison, Figure, Kind};
use crate::schema::Schemas;

/// The sheet's name, where the annex's other sheets are named.
pub const SHEET: &str = "前回比";

const HEADERS: [&str; 10] = [
    "区分",
    "ID",
    "名称",
    "変化",
    "項目",
    "単位",
    "前回",
    "今回",
    "増減",
    "増減率",
];
const WIDTHS: [f64; 10] = [8.0, 14.0, 40.0, 10.0, 12.0, 8.0, 14.0, 14.0, 10.0, 10.0];
/// What the 変化 column says of a figure whose value did not change.
const SAME: &str = "変化なし";

/// The sheet's formats: header, text, number, percentage, each plain and filled (a line that
/// changed). Registered before the sheets are written side by side, so that every run gives the
/// same file.
pub fn formats() -> [Format; 7] {
    let header = font(Format::new())
        .set_bold()
        .set_font_color(Color::White)
        .set_background_color(Color::RGB(0x1F4E79))
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let text = font(Format::new())
        .set_align(FormatAlign::Top)
        .set_text_wrap();
    let number = font(Format::new())
        .set_align(FormatAlign::Top)
        .set_num_format("General");
    let percentage = font(Format::new())
        .set_align(FormatAlign::Top)
        .set_num_format("+0.0%;-0.0%;0.0%");
    let filled = |format: &Format| format.clone().set_background_color(Color::RGB(0xFFF2CC));
    let changed = [filled(&text), filled(&number), filled(&percentage)];
    let [changed_text, changed_number, changed_percentage] = changed;
    [
        header,
        text,
        number,
        percentage,
        changed_text,
        changed_number,
        changed_percentage,
    ]
}

/// One cell of a line, as it is written.
enum Cell<'a> {
    Text(Cow<'a, str>),
    Number(Option<f64>),
    Percent(Option<f64>),
}

fn text<'a>(value: impl Into<Cow<'a, str>>) -> Cell<'a> {
    Cell::Text(value.into())
}

/// A line of the sheet for a change other than a figure's value.
fn change_line<'a>(change: &'a Change, schemas: &'a Schemas) -> Vec<Cell<'a>> {
    let sheet = schemas
        .entities
        .get(change.entity)
        .map_or("", |e| e.sheet.as_str());
    let (before, after) = change.shown_values();
    vec![
        text(sheet),
        text(change.key.as_str()),
        text(change.name.as_str()),
        text(change.kind.ja()),
        text(change.field_header(schemas)),
        text(""),
        text(before),
        text(after),
        Cell::Number(None),
        Cell::Percent(None),
    ]
}

/// A figure's line, and whether its value changed (or it was added or removed).
fn figure_line<'a>(figure: &'a Figure, sheet: &'a str, header: &'a str) -> (Vec<Cell<'a>>, bool) {
    let Figure {
        key,
        name,
        unit,
        before,
        after,
    } = figure;
    let kind = match (before, after) {
        (None, _) => Kind::Added.ja(),
        (_, None) => Kind::Removed.ja(),
        (Some(b), Some(a)) if b == a => SAME,
        _ => Kind::Value.ja(),
    };
    let both = before.zip(*after);
    let cells = vec![
        text(sheet),
        text(key.as_str()),
        text(name.as_str()),
        text(kind),
        text(header),
        text(unit.as_str()),
        Cell::Number(*before),
        Cell::Number(*after),
        Cell::Number(both.map(|(b, a)| a - b)),
        Cell::Percent(both.and_then(|(b, a)| percent(b, a))),
    ];
    (cells, kind != SAME)
}

/// The sheet: the changes to the council's and the measures' rows, every figure, then the other
/// changes to figures.
pub fn write_comparison(
    sheet: &mut Worksheet,
    comparison: &Comparison,
    schemas: &Schemas,
) -> Result<(), XlsxError> {
    let [header, plain, number, percentage, changed_text, changed_number, changed_percentage] =
        formats();
    for (column, (title, width)) in HEADERS.iter().zip(WIDTHS).enumerate() {
        sheet.set_column_width(column as u16, width)?;
        sheet.write_string_with_format(0, column as u16, *title, &header)?;
    }
    let figures = schemas.entity_role("figure");
    let figure_sheet = figures.map_or("", |f| schemas.entities[f].sheet.as_str());
    let value_header = (figures.and_then(|f| schemas.entities[f].role("value")))
        .map_or("", |field| field.header.as_str());
    let others = |in_figures: bool| {
        (comparison.changes.iter())
            .filter(move |c| (Some(c.entity) == figures) == in_figures && c.kind != Kind::Value)
            .map(|change| (change_line(change, schemas), true))
    };
    let lines = others(false)
        .chain(
            comparison
                .figures
                .iter()
                .map(|f| figure_line(f, figure_sheet, value_header)),
        )
        .chain(others(true));
    let mut row = 0;
    for (cells, changed) in lines {
        row += 1;
        let [text, number, percentage] = match changed {
            true => [&changed_text, &changed_number, &changed_percentage],
            false => [&plain, &number, &percentage],
        };
        for (column, cell) in cells.iter().enumerate() {
            let column = column as u16;
            match cell {
                Cell::Text(value) => {
                    sheet.write_string_with_format(row, column, fit(value, 0), text)?
                }
                Cell::Number(Some(value)) => {
                    sheet.write_number_with_format(row, column, *value, number)?
                }
                Cell::Percent(Some(value)) => {
                    sheet.write_number_with_format(row, column, *value / 100.0, percentage)?
                }
                Cell::Number(None) | Cell::Percent(None) => sheet.write_blank(row, column, text)?,
            };
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, row, HEADERS.len() as u16 - 1)?;
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(0, 0)?
        .set_footer("&C&P / &N");
    Ok(())
}
