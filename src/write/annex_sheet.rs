//! The print-ready sheets of `annex.xlsx`: 別添 (the annex as the council hands it out: A4
//! landscape, fitted to the page width, header row on every page, page numbers) and 指標 (the
//! figures per measure, with a native chart of each part beside its whole).

use rust_xlsxwriter::{
    Chart, ChartType, Color, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde_json::Value;

use super::annex_doc::{grouped, AnnexDoc, MeasureDoc};
use super::fit;
use super::markdown::TITLE;
use super::master::nodes_at;
use crate::records::display_value;

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
            text: wrapped,
            bold: Format::new().set_bold(),
            plain: Format::new(),
        }
    }
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

pub fn write_annex(workbook: &mut Workbook, doc: &AnnexDoc) -> Result<(), XlsxError> {
    let styles = Styles::new();
    let sheet = workbook.add_worksheet().set_name("別添")?;
    for (column, width) in WIDTHS.iter().enumerate() {
        sheet.set_column_width(column as u16, *width)?;
    }
    for (column, header) in ["論点", "取組", "担当府省"].iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &styles.header)?;
    }
    sheet.set_row_height(0, 22)?;
    let mut row = 1;
    let banner = |sheet: &mut Worksheet,
                  row: &mut u32,
                  text: &str,
                  format: &Format|
     -> Result<(), XlsxError> {
        sheet.merge_range(*row, 0, *row, 2, &fit(text, 0), format)?;
        sheet.set_row_height(*row, height(lines(text, WIDTHS.iter().sum())))?;
        *row += 1;
        Ok(())
    };
    for challenge in &doc.challenges {
        banner(sheet, &mut row, &challenge.heading, &styles.challenge)?;
        if let Some(direction) = &challenge.direction {
            banner(
                sheet,
                &mut row,
                &format!("目指す方向: {direction}"),
                &styles.direction,
            )?;
        }
        for section in &challenge.sections {
            banner(sheet, &mut row, &section.heading, &styles.section)?;
            for group in &section.groups {
                if let Some(theme) = &group.theme {
                    banner(sheet, &mut row, theme, &styles.theme)?;
                }
                for issue in &group.issues {
                    row = write_issue(sheet, row, &issue.question, &issue.measures, &styles)?;
                }
            }
        }
    }
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
        sheet.write_string_with_format(first, 0, fit(question, 0), &styles.text)?;
        sheet.write_string_with_format(first, 1, "（取組なし）", &styles.text)?;
        sheet.write_blank(first, 2, &styles.text)?;
        sheet.set_row_height(first, height(lines(question, WIDTHS[0])))?;
        return Ok(first + 1);
    }
    let mut heights = Vec::new();
    for (offset, measure) in measures.iter().enumerate() {
        let row = first + offset as u32;
        let mut body = format!("\n{}", measure.text);
        for figure in &measure.figures {
            body.push_str(&format!("\n・{figure}"));
        }
        let title = fit(&measure.title, RICH_TEXT_MARKUP);
        let markup =
            RICH_TEXT_MARKUP + escaped_chars(&title) + escaped_chars(&body) - body.chars().count();
        let body = fit(&body, markup);
        let segments = [
            (&styles.bold, title.as_ref()),
            (&styles.plain, body.as_ref()),
        ];
        sheet.write_rich_string_with_format(row, 1, &segments, &styles.text)?;
        let ministries = measure.ministries.join("\n");
        sheet.write_string_with_format(row, 2, fit(&ministries, 0), &styles.text)?;
        let needed = lines(&format!("{}{body}", measure.title), WIDTHS[1])
            .max(lines(&ministries, WIDTHS[2]));
        heights.push(height(needed));
    }
    let last = first + measures.len() as u32 - 1;
    if last > first {
        sheet.merge_range(first, 0, last, 0, &fit(question, 0), &styles.text)?;
    } else {
        sheet.write_string_with_format(first, 0, fit(question, 0), &styles.text)?;
    }
    let question_height = height(lines(question, WIDTHS[0]));
    let total: f64 = heights.iter().sum();
    if let Some(last_height) = heights.last_mut() {
        *last_height += (question_height - total).max(0.0);
    }
    for (offset, h) in heights.iter().enumerate() {
        sheet.set_row_height(first + offset as u32, *h)?;
    }
    Ok(last + 1)
}

fn text<'a>(node: &'a Value, key: &str) -> &'a str {
    node.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// 指標: one row per KPI under its measure, then a chart of every part beside its whole.
pub fn write_figures(workbook: &mut Workbook, master: &Value) -> Result<(), XlsxError> {
    let styles = Styles::new();
    let sheet = workbook.add_worksheet().set_name("指標")?;
    let headers = [
        "取組",
        "指標",
        "値",
        "単位",
        "対象年度",
        "時点",
        "累計",
        "内数元",
    ];
    let widths = [36.0, 40.0, 10.0, 7.0, 12.0, 11.0, 6.0, 16.0];
    for (column, (header, width)) in headers.iter().zip(widths).enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &styles.header)?;
        sheet.set_column_width(column as u16, width)?;
    }
    let number = styles.text.clone().set_num_format("#,##0.##");
    let measures = nodes_at(master, &["challenges", "sections", "issues", "measures"]);
    let mut row = 1;
    let mut pairs = Vec::new();
    for measure in measures {
        let kpis = measure
            .get("kpis")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for kpi in kpis {
            let years = match (kpi.get("fy_from"), kpi.get("fy_to")) {
                (Some(from), Some(to)) if from == to => display_value(from),
                (Some(from), Some(to)) => format!("{}～{}", display_value(from), display_value(to)),
                (Some(from), None) => format!("{}～", display_value(from)),
                (None, Some(to)) => format!("～{}", display_value(to)),
                (None, None) => String::new(),
            };
            let whole = kpi
                .get("part_of")
                .and_then(Value::as_str)
                .and_then(|whole| kpis.iter().find(|k| text(k, "id") == whole));
            let cells = [
                format!("【{}】", text(measure, "title")),
                text(kpi, "name").to_string(),
                String::new(),
                text(kpi, "unit").to_string(),
                years,
                text(kpi, "as_of").to_string(),
                if kpi.get("cumulative") == Some(&Value::Bool(true)) {
                    "○".into()
                } else {
                    String::new()
                },
                whole
                    .map(|w| text(w, "name").to_string())
                    .unwrap_or_default(),
            ];
            for (column, value) in cells.iter().enumerate() {
                sheet.write_string_with_format(row, column as u16, fit(value, 0), &styles.text)?;
            }
            let value = kpi.get("value").and_then(Value::as_f64).unwrap_or_default();
            sheet.write_number_with_format(row, 2, value, &number)?;
            if let Some(whole) = whole {
                let whole_value = whole
                    .get("value")
                    .and_then(Value::as_f64)
                    .unwrap_or_default();
                let label = format!("{}（{}）", text(whole, "name"), text(kpi, "name"));
                pairs.push((
                    label,
                    whole_value,
                    value,
                    grouped(whole.get("value").unwrap_or(&Value::Null)),
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
    for (offset, (label, whole, part, _)) in pairs.iter().enumerate() {
        let r = table + 1 + offset as u32;
        sheet.write_string_with_format(r, 0, fit(label, 0), &styles.text)?;
        sheet.write_number_with_format(r, 2, *whole, &number)?;
        sheet.write_number_with_format(r, 3, *part, &number)?;
    }
    let last = table + pairs.len() as u32;
    let mut chart = Chart::new(ChartType::Bar);
    chart.title().set_name("内数と全体の対比（例: 採択と上市）");
    for (column, name) in [(2u16, "全体"), (3u16, "内数")] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("指標", table + 1, 0, last, 0))
            .set_values(("指標", table + 1, column, last, column));
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
