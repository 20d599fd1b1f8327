//! The print-ready sheets of `annex.xlsx`: 別添 (the annex as the council hands it out: A4
//! landscape, fitted to the page width, header row on every page, page numbers) and 指標 (the
//! figures per measure, with a native chart of each part beside its whole).

use rust_xlsxwriter::{
    Chart, ChartType, Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError,
};

use super::annex_doc::{partial_note, walk, Layout, MeasureDoc, Part};
use super::fit;
use super::markdown::{self, TITLE};
use super::master::Master;

/// Column widths of 別添, in characters: 論点, 取組, 担当府省.
const WIDTHS: [f64; 3] = [30.0, 84.0, 11.0];
/// Height of one line of text, in points.
const LINE_HEIGHT: f64 = 15.0;
const A4: u8 = 9;
/// Room for the XML around a two-run rich string, which counts towards Excel's cell limit.
const RICH_TEXT_MARKUP: usize = 512;

/// The characters text takes once escaped for XML (`&` is `&amp;`), as the cell limit counts it.
fn escaped_chars(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '&' => 5,
            '<' | '>' => 4,
            '"' | '\'' => 6,
            _ => 1,
        })
        .sum()
}

struct Styles {
    header: Format,
    challenge: Format,
    direction: Format,
    section: Format,
    theme: Format,
    partial: Format,
    text: Format,
    bold: Format,
    plain: Format,
}

impl Styles {
    fn new() -> Styles {
        let wrapped = Format::new()
            .set_text_wrap()
            .set_align(FormatAlign::Top)
            .set_border(FormatBorder::Thin);
        let banner = |color: u32| {
            wrapped
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(color))
                .set_align(FormatAlign::VerticalCenter)
        };
        Styles {
            header: banner(0x1F4E79)
                .set_font_color(Color::White)
                .set_align(FormatAlign::Center),
            challenge: banner(0x2E75B6)
                .set_font_color(Color::White)
                .set_font_size(12),
            direction: wrapped.clone().set_italic(),
            section: banner(0xDDEBF7),
            theme: banner(0xF2F2F2).set_italic(),
            partial: banner(0xFFF2CC).set_font_color(Color::RGB(0x9C0006)),
            text: wrapped,
            bold: Format::new().set_bold(),
            plain: Format::new(),
        }
    }
}

impl Styles {
    fn number(&self) -> Format {
        self.text.clone().set_num_format("#,##0.##")
    }
}

/// The column formats of 指標: text, and the figures.
fn figure_columns() -> [Format; 2] {
    let column = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let number_column = column.clone().set_num_format("#,##0.##");
    [column, number_column]
}

/// Every format 別添 and 指標 use, in one order.
pub fn formats() -> Vec<Format> {
    let styles = Styles::new();
    let number = styles.number();
    let Styles {
        header,
        challenge,
        direction,
        section,
        theme,
        partial,
        text,
        bold,
        plain,
    } = styles;
    let [column, number_column] = figure_columns();
    vec![
        header,
        challenge,
        direction,
        section,
        theme,
        partial,
        text,
        bold,
        plain,
        number,
        column,
        number_column,
    ]
}

/// Lines a text takes in a column of `width` characters (wide characters count two).
fn lines(text: &str, width: f64) -> f64 {
    let usable = (width - 1.0).max(1.0);
    text.split('\n')
        .map(|line| {
            let w: usize = line
                .chars()
                .map(|c| if (c as u32) < 0x1100 { 1 } else { 2 })
                .sum();
            (w as f64 / usable).ceil().max(1.0)
        })
        .sum()
}

fn height(lines: f64) -> f64 {
    lines * LINE_HEIGHT + 4.0
}

/// 別添, written row by row as the master is walked (a constant-memory sheet), and `annex.md`
/// from the same walk: the annex document is made once, a part at a time.
pub fn write_annex(
    sheet: &mut Worksheet,
    master: &Master,
    layout: &Layout,
    markdown: &mut impl std::io::Write,
) -> Result<(), XlsxError> {
    let styles = Styles::new();
    let partial = partial_note(master);
    markdown::heading(markdown, partial.as_deref())?;
    for (column, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    sheet.set_row_height(0, 22)?;
    let headers = [
        layout.header(layout.issue(), "question"),
        layout.measure_sheet(),
        layout.header(layout.measure(), "organisations"),
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &styles.header)?;
    }
    let mut row = 1;
    let banner = |sheet: &mut Worksheet,
                  row: &mut u32,
                  text: &str,
                  format: &Format|
     -> Result<(), XlsxError> {
        sheet.set_row_height(*row, height(lines(text, WIDTHS.iter().sum())))?;
        sheet.merge_range(*row, 0, *row, 2, &fit(text, 0), format)?;
        *row += 1;
        Ok(())
    };
    if let Some(note) = &partial {
        banner(sheet, &mut row, note, &styles.partial)?;
    }
    walk(master, layout, |part| {
        markdown::part(markdown, &part)?;
        match part {
            Part::Challenge { heading, direction } => {
                banner(sheet, &mut row, &heading, &styles.challenge)?;
                match direction {
                    Some(direction) => banner(
                        sheet,
                        &mut row,
                        &format!("目指す方向: {direction}"),
                        &styles.direction,
                    ),
                    None => Ok(()),
                }
            }
            Part::Section { heading } => banner(sheet, &mut row, &heading, &styles.section),
            Part::Group { theme: Some(theme) } => banner(sheet, &mut row, &theme, &styles.theme),
            Part::Group { theme: None } => Ok(()),
            Part::Issue(issue) => {
                row = write_issue(sheet, row, &issue.question, &issue.measures, &styles)?;
                Ok(())
            }
        }
    })?;
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(0, 0)?
        .set_header(format!("&C&\"-,Bold\"{TITLE}"))
        .set_footer("&C&P / &N")
        .set_freeze_panes(1, 0)?;
    Ok(())
}

/// An issue beside its measures; the issue's cell spans them all. Returns the next free row.
fn write_issue(
    sheet: &mut Worksheet,
    first: u32,
    question: &str,
    measures: &[MeasureDoc],
    styles: &Styles,
) -> Result<u32, XlsxError> {
    if measures.is_empty() {
        sheet.set_row_height(first, height(lines(question, WIDTHS[0])))?;
        sheet.write_string_with_format(first, 0, fit(question, 0), &styles.text)?;
        sheet.write_string_with_format(first, 1, "（取組なし）", &styles.text)?;
        sheet.write_blank(first, 2, &styles.text)?;
        return Ok(first + 1);
    }
    // The sheet is written row by row, so every row's height is known before the first is.
    let cells: Vec<(String, String, String)> = measures
        .iter()
        .map(|measure| {
            let mut body = format!("\n{}", measure.text);
            for figure in &measure.figures {
                body.push_str(&format!("\n・{figure}"));
            }
            let title = fit(&measure.title, RICH_TEXT_MARKUP).into_owned();
            let markup = RICH_TEXT_MARKUP + escaped_chars(&title) + escaped_chars(&body)
                - body.chars().count();
            let body = fit(&body, markup).into_owned();
            (title, body, measure.ministries.join("\n"))
        })
        .collect();
    let mut heights: Vec<f64> = (cells.iter().zip(measures))
        .map(|((_, body, ministries), measure)| {
            let needed = lines(&format!("{}{body}", measure.title), WIDTHS[1])
                .max(lines(ministries, WIDTHS[2]));
            height(needed)
        })
        .collect();
    let question_height = height(lines(question, WIDTHS[0]));
    let total: f64 = heights.iter().sum();
    if let Some(last_height) = heights.last_mut() {
        *last_height += (question_height - total).max(0.0);
    }
    let last = first + measures.len() as u32 - 1;
    for (offset, ((title, body, ministries), row_height)) in cells.iter().zip(&heights).enumerate()
    {
        let row = first + offset as u32;
        sheet.set_row_height(row, *row_height)?;
        if offset == 0 {
            match last > first {
                true => sheet.merge_range(first, 0, last, 0, &fit(question, 0), &styles.text)?,
                false => {
                    sheet.write_string_with_format(first, 0, fit(question, 0), &styles.text)?
                }
            };
        }
        let segments = [
            (&styles.bold, title.as_str()),
            (&styles.plain, body.as_str()),
        ];
        sheet.write_rich_string_with_format(row, 1, &segments, &styles.text)?;
        sheet.write_string_with_format(row, 2, fit(ministries, 0), &styles.text)?;
    }
    Ok(last + 1)
}

/// The most part/whole pairs the chart of 指標 compares: more would be bars no one can read.
const CHARTED_PAIRS: usize = 50;

/// 指標: one row per KPI under its measure (a constant-memory sheet), then a chart of parts
/// beside their wholes.
pub fn write_figures(
    sheet: &mut Worksheet,
    master: &Master,
    layout: &Layout,
) -> Result<(), XlsxError> {
    let styles = Styles::new();
    // The columns are the schemas' headers but for 対象年度, which joins the first and last year.
    let figure = |role: &str| layout.header(&layout.figure, role);
    let headers = [
        layout.measure_sheet(),
        figure("name"),
        figure("value"),
        figure("unit"),
        "対象年度",
        figure("as-of"),
        figure("cumulative"),
        figure("part-of"),
    ];
    let widths = [36.0, 40.0, 10.0, 7.0, 12.0, 11.0, 6.0, 16.0];
    let number = styles.number();
    // Cells take their column's format: looking one up for each of a million cells costs more
    // than writing them.
    let [column, number_column] = figure_columns();
    for (at, (header, width)) in headers.iter().zip(widths).enumerate() {
        let format = if at == 2 { &number_column } else { &column };
        sheet.set_column_format(at as u16, format)?;
        sheet.write_string_with_format(0, at as u16, *header, &styles.header)?;
        sheet.set_column_width(at as u16, width)?;
    }
    let mut row = 1;
    let mut pairs = Vec::new();
    let mut more_pairs = 0usize;
    let title_key = layout.measure_title_key();
    for (measure, kpis) in layout.measures(master) {
        let title = format!("【{}】", measure.record.text(title_key).unwrap_or_default());
        for kpi in &kpis {
            let years = match (kpi.fy_from, kpi.fy_to) {
                (Some(from), Some(to)) if from == to => from.to_string(),
                (Some(from), Some(to)) => format!("{from}～{to}"),
                (Some(from), None) => format!("{from}～"),
                (None, Some(to)) => format!("～{to}"),
                (None, None) => String::new(),
            };
            let whole = (kpi.part_of).and_then(|whole| kpis.iter().find(|k| k.id == whole));
            let cells = [
                (0, title.as_str()),
                (1, kpi.name),
                (3, kpi.unit),
                (4, years.as_str()),
                (5, kpi.as_of.unwrap_or_default()),
                (6, if kpi.cumulative { "○" } else { "" }),
                (7, whole.map(|w| w.name).unwrap_or_default()),
            ];
            for (at, value) in cells {
                if !value.is_empty() {
                    sheet.write_string(row, at, fit(value, 0))?;
                }
            }
            let value = kpi.value.and_then(|v| v.number()).unwrap_or_default();
            sheet.write_number(row, 2, value)?;
            if let (Some(_), true) = (whole, pairs.len() == CHARTED_PAIRS) {
                more_pairs += 1;
            } else if let Some(whole) = whole {
                let whole_value = whole.value.and_then(|v| v.number()).unwrap_or_default();
                pairs.push((
                    format!("{}（{}）", whole.name, kpi.name),
                    whole_value,
                    value,
                ));
            }
            row += 1;
        }
    }
    sheet.autofilter(0, 0, row.saturating_sub(1), headers.len() as u16 - 1)?;
    sheet.set_freeze_panes(1, 0)?;
    if pairs.is_empty() {
        return Ok(());
    }
    let table = row + 2;
    sheet.write_string_with_format(table, 0, "内数の対比", &styles.header)?;
    sheet.write_string_with_format(table, 2, "全体", &styles.header)?;
    sheet.write_string_with_format(table, 3, "内数", &styles.header)?;
    for (offset, (label, whole, part)) in pairs.iter().enumerate() {
        let r = table + 1 + offset as u32;
        sheet.write_string_with_format(r, 0, fit(label, 0), &styles.text)?;
        sheet.write_number_with_format(r, 2, *whole, &number)?;
        sheet.write_number_with_format(r, 3, *part, &number)?;
    }
    let mut last = table + pairs.len() as u32;
    if more_pairs > 0 {
        last += 1;
        let note = format!("ほか {more_pairs} 件の内数は上の表を参照");
        sheet.write_string_with_format(last, 0, &note, &styles.text)?;
    }
    let charted = table + pairs.len() as u32;
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name("内数と全体の対比（例: 採択と上市）");
    for (column, name) in [(2u16, "全体"), (3u16, "内数")] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("指標", table + 1, 0, charted, 0))
            .set_values(("指標", table + 1, column, charted, column));
    }
    chart
        .set_width(720)
        .set_height(120 + 60 * pairs.len() as u32);
    sheet.insert_chart(last + 2, 0, &chart)?;
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_text_takes_more_lines() {
        assert_eq!(lines("abc", 10.0), 1.0);
        assert_eq!(lines("あいうえおかきくけこ", 11.0), 2.0);
        assert_eq!(lines("a\nb", 10.0), 2.0);
    }
}
