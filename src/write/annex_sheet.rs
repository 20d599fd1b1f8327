//! The print-ready sheets of `annex.xlsx`: 別添 (the annex as the council hands it out: A4
//! landscape fitted to the page width, header row on every page, page numbers) and 指標 (the figures per
//! measure, with a native chart of each part beside its whole).
//!
//! Print is laid out here, not left to the application: every row's height follows its wrapped
//! text (the application cannot fit merged cells), and the pages are cut here too, so that a
//! heading is never the last thing on a page and an issue that fits on one page is not split.

use std::collections::BTreeMap;

use rust_xlsxwriter::{
    Chart, ChartFont, ChartType, Color, Format, FormatAlign, FormatBorder, Worksheet, XlsxError,
};

use super::annex_doc::{partial_note, walk, written_date, Figure, Layout, MeasureDoc, Part};
use super::fit;
use super::markdown::{self, TITLE};
use super::master::Master;
use super::sheet_rows::{FormatIndices, Rows, SheetRows};
use crate::values::{written_fiscal_year, written_fiscal_years};

/// Column widths of 別添, in characters: 論点, 取組, 担当府省. At full size they fill the width of
/// A4 landscape inside its margins.
const WIDTHS: [f64; 3] = [30.0, 84.0, 11.0];
/// A font that Japanese Office (Windows 10 and later) and LibreOffice both have; where it is
/// missing, the character set and family make the application take another Japanese Gothic.
pub const FONT: &str = "BIZ UDゴシック";
const FONT_SIZE: f64 = 10.0;
/// Shift-JIS and a fixed-pitch family: what the application falls back on without [`FONT`].
const FONT_CHARSET: u8 = 128;
const FONT_FAMILY: u8 = 3;
/// Height of one line of text, in points: the tallest line spacing of the Japanese fonts the
/// text may be shown in (Noto Sans CJK's is 1.45 em).
const LINE_HEIGHT: f64 = 15.0;
pub(super) const A4: u8 = 9;
/// Page margins, in inches: left, right, top, bottom, header, footer.
const MARGINS: (f64, f64, f64, f64, f64, f64) = (0.6, 0.6, 0.75, 0.75, 0.3, 0.3);
/// The height of A4 landscape in points, less the margins, the repeated header row and a margin
/// of safety for rounding: what the rows of one page may take.
const PAGE_HEIGHT: f64 = 595.0 - (0.75 + 0.75) * 72.0 - HEADER_HEIGHT - 10.0;
const HEADER_HEIGHT: f64 = 22.0;
/// The most page breaks a sheet may hold (Excel's limit); a longer annex is cut by the
/// application from there on.
const MAX_PAGE_BREAKS: usize = 1023;
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
        let wrapped = font(Format::new())
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
            direction: wrapped.clone(),
            section: banner(0xDDEBF7),
            theme: banner(0xF2F2F2),
            partial: banner(0xFFF2CC).set_font_color(Color::RGB(0x9C0006)),
            text: wrapped,
            bold: font(Format::new()).set_bold(),
            plain: font(Format::new()),
        }
    }
}

impl Styles {
    fn number(&self) -> Format {
        self.text.clone().set_num_format("#,##0.##")
    }
}

/// A format in the annex's font: Japanese, upright, at the annex's size.
pub fn font(format: Format) -> Format {
    format
        .set_font_name(FONT)
        .set_font_size(FONT_SIZE)
        .set_font_charset(FONT_CHARSET)
        .set_font_family(FONT_FAMILY)
}

/// The column formats of 指標: text, and the figures.
fn figure_columns() -> [Format; 2] {
    let column = font(Format::new())
        .set_text_wrap()
        .set_align(FormatAlign::Top);
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

/// Lines a text takes in a column of `width` characters (wide characters count two). A wide
/// character at the annex's size takes 1.9 of Excel's character units, a narrow one under one;
/// two are left for the cell's padding and for a line the application breaks early (kinsoku, a
/// word that does not fit).
pub fn lines(text: &str, width: f64) -> f64 {
    let usable = (width - 2.0).max(1.0);
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

pub fn height(lines: f64) -> f64 {
    lines * LINE_HEIGHT + 4.0
}

/// Where the pages of 別添 break, as its rows are laid down.
#[derive(Default)]
struct Pages {
    /// Points taken on the current page.
    used: f64,
    /// Rows that start a page.
    breaks: Vec<u32>,
}

impl Pages {
    /// Keep rows together: when `kept` points from `row` on would not fit on what is left of the
    /// page, the page breaks before `row`.
    fn keep(&mut self, row: u32, kept: f64) {
        if self.used > 0.0 && self.used + kept.min(PAGE_HEIGHT) > PAGE_HEIGHT {
            self.breaks.push(row);
            self.used = 0.0;
        }
    }

    /// A row of `height` points at `row`, on this page if it fits, else at the top of the next.
    fn lay(&mut self, row: u32, height: f64) {
        self.keep(row, height);
        self.used += height;
    }
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
    sheet.set_row_height(0, HEADER_HEIGHT)?;
    let headers = [
        layout.header(layout.issue(), "question"),
        layout.measure_sheet(),
        layout.header(layout.measure(), "organisations"),
    ];
    for (column, header) in headers.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, *header, &styles.header)?;
    }
    let mut row = 1;
    let mut pages = Pages::default();
    // Headings wait for the first rows under them, so that they go onto a page together.
    let mut headings: Vec<(String, &Format)> = Vec::new();
    if let Some(note) = &partial {
        headings.push((note.clone(), &styles.partial));
    }
    walk(master, layout, |part| {
        markdown::part(markdown, &part)?;
        match part {
            Part::Challenge { heading, direction } => {
                headings.push((heading, &styles.challenge));
                if let Some(direction) = direction {
                    headings.push((format!("目指す方向: {direction}"), &styles.direction));
                }
            }
            Part::Section { heading } => headings.push((heading, &styles.section)),
            Part::Group { theme: Some(theme) } => headings.push((theme, &styles.theme)),
            Part::Group { theme: None } => {}
            Part::Issue(issue) => {
                let cells = issue_cells(&issue.measures);
                let heights = issue_heights(&issue.question, &cells);
                let banners: Vec<f64> = (headings.iter())
                    .map(|(text, _)| height(lines(text, WIDTHS.iter().sum())))
                    .collect();
                // The headings with the whole issue when it fits on a page, else its first row.
                let issue_height: f64 = heights.iter().sum();
                let first = heights.first().copied().unwrap_or_default();
                let with = match issue_height <= PAGE_HEIGHT {
                    true => issue_height,
                    false => first,
                };
                pages.keep(row, banners.iter().sum::<f64>() + with);
                for ((text, format), banner_height) in headings.drain(..).zip(banners) {
                    pages.lay(row, banner_height);
                    sheet.set_row_height(row, banner_height)?;
                    sheet.merge_range(row, 0, row, 2, &fit(&text, 0), format)?;
                    row += 1;
                }
                if issue_height <= PAGE_HEIGHT {
                    pages.keep(row, issue_height);
                }
                for (offset, row_height) in heights.iter().enumerate() {
                    pages.lay(row + offset as u32, *row_height);
                }
                row = write_issue(sheet, row, &issue.question, &cells, &heights, &styles)?;
            }
        }
        Ok::<(), XlsxError>(())
    })?;
    for (text, format) in headings {
        sheet.set_row_height(row, height(lines(&text, WIDTHS.iter().sum())))?;
        sheet.merge_range(row, 0, row, 2, &fit(&text, 0), format)?;
        row += 1;
    }
    pages.breaks.truncate(MAX_PAGE_BREAKS);
    sheet.set_page_breaks(&pages.breaks)?;
    let (left, right, top, bottom, header, footer) = MARGINS;
    sheet
        .set_landscape()
        .set_paper_size(A4)
        // Full size where the application measures columns as Excel does; smaller where its
        // substitute for the workbook's default font is wider. Smaller only ever leaves the
        // pages cut here room to spare.
        .set_print_fit_to_pages(1, 0)
        .set_margins(left, right, top, bottom, header, footer)
        .set_repeat_rows(0, 0)?
        .set_header(format!("&C&\"-,Bold\"{TITLE}"))
        .set_footer("&C&P / &N")
        .set_freeze_panes(1, 0)?;
    Ok(())
}

/// Each measure's cells in 別添: its title, its text with its figures, its organisations.
fn issue_cells(measures: &[MeasureDoc]) -> Vec<(String, String, String)> {
    measures
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
        .collect()
}

/// The height of each row of an issue: each measure's text, and the last row enough taller that
/// the issue's cell, spanning them all, shows its question whole.
fn issue_heights(question: &str, cells: &[(String, String, String)]) -> Vec<f64> {
    let question_height = height(lines(question, WIDTHS[0]));
    if cells.is_empty() {
        return vec![question_height];
    }
    let mut heights: Vec<f64> = (cells.iter())
        .map(|(title, body, ministries)| {
            let needed =
                lines(&format!("{title}{body}"), WIDTHS[1]).max(lines(ministries, WIDTHS[2]));
            height(needed)
        })
        .collect();
    let total: f64 = heights.iter().sum();
    if let Some(last_height) = heights.last_mut() {
        *last_height += (question_height - total).max(0.0);
    }
    heights
}

/// An issue beside its measures, in rows of the heights given; the issue's cell spans them all.
/// Returns the next free row.
fn write_issue(
    sheet: &mut Worksheet,
    first: u32,
    question: &str,
    cells: &[(String, String, String)],
    heights: &[f64],
    styles: &Styles,
) -> Result<u32, XlsxError> {
    if cells.is_empty() {
        sheet.set_row_height(first, heights.first().copied().unwrap_or(LINE_HEIGHT))?;
        sheet.write_string_with_format(first, 0, fit(question, 0), &styles.text)?;
        sheet.write_string_with_format(first, 1, "（取組なし）", &styles.text)?;
        sheet.write_blank(first, 2, &styles.text)?;
        return Ok(first + 1);
    }
    let last = first + cells.len() as u32 - 1;
    for (offset, ((title, body, ministries), row_height)) in cells.iter().zip(heights).enumerate() {
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

/// The most part/whole pairs the charts of 指標 compare: more would be bars no one can read.
const CHARTED_PAIRS: usize = 50;

/// The width of a chart's labels in its table: the columns before the figures' (取組 to 指標名).
const LABEL_WIDTH: f64 = 32.0 + 12.0 + 14.0 + 36.0;

/// How many of 指標's first rows choose the sheet's default row height.
const SAMPLED_ROWS: usize = 1024;

/// The texts of a figure's row of 指標 that are made, not taken as they are.
struct FigureTexts {
    years: String,
    as_of: String,
}

impl FigureTexts {
    fn of(kpi: &Figure) -> FigureTexts {
        let years = match (kpi.fy_from, kpi.fy_to) {
            (Some(from), Some(to)) => written_fiscal_years(from as i32, to as i32),
            (Some(from), None) => format!("{}～", written_fiscal_year(from as i32)),
            (None, Some(to)) => format!("～{}", written_fiscal_year(to as i32)),
            (None, None) => String::new(),
        };
        let as_of = kpi.as_of.map(written_date).unwrap_or_default();
        FigureTexts { years, as_of }
    }

    /// The row's text cells, by column: its measure's title and organisations, then its own.
    fn cells<'a>(
        &'a self,
        title: &'a str,
        organisations: &'a str,
        kpi: &'a Figure,
        siblings: &'a [Figure],
    ) -> [(u16, &'a str); 9] {
        let whole = (kpi.part_of).and_then(|whole| siblings.iter().find(|k| k.id == whole));
        [
            (0, title),
            (1, organisations),
            (2, kpi.id),
            (3, kpi.name),
            (5, kpi.unit),
            (6, self.years.as_str()),
            (7, self.as_of.as_str()),
            (8, if kpi.cumulative { "○" } else { "" }),
            (9, whole.map(|w| w.name).unwrap_or_default()),
        ]
    }
}

/// A part beside its whole, for a chart: (label, whole, part).
type Pair = (String, f64, f64);

/// 指標: one row per KPI, grouped under its measure with the measure's organisations (the rows
/// made here and returned, to be put in the sheet when the workbook is saved), then, for each
/// unit, a chart of parts beside their wholes: 件 is compared with 件, never with 人.
pub fn write_figures(
    sheet: &mut Worksheet,
    master: &Master,
    layout: &Layout,
    indices: &FormatIndices,
) -> Result<Rows, XlsxError> {
    let styles = Styles::new();
    // The columns are the schemas' headers but for 対象年度, which joins the first and last year.
    let figure = |role: &str| layout.header(&layout.figure, role);
    let headers = [
        layout.measure_sheet(),
        layout.header(layout.measure(), "organisations"),
        layout.figure_id_header(),
        figure("name"),
        figure("value"),
        figure("unit"),
        "対象年度",
        figure("as-of"),
        figure("cumulative"),
        figure("part-of"),
    ];
    const VALUE_COLUMN: u16 = 4;
    let widths = [32.0, 12.0, 14.0, 36.0, 10.0, 7.0, 26.0, 20.0, 6.0, 16.0];
    let number = styles.number();
    // Cells take their column's format: looking one up for each of a million cells costs more
    // than writing them.
    let [column, number_column] = figure_columns();
    for (at, (header, width)) in headers.iter().zip(widths).enumerate() {
        let format = if at == VALUE_COLUMN as usize {
            &number_column
        } else {
            &column
        };
        sheet.set_column_format(at as u16, format)?;
        sheet.write_string_with_format(0, at as u16, *header, &styles.header)?;
        sheet.set_column_width(at as u16, width)?;
    }
    let styles_of = |at: usize| {
        indices.of(if at == VALUE_COLUMN as usize {
            &number_column
        } else {
            &column
        })
    };
    let column_styles = (0..headers.len())
        .map(styles_of)
        .collect::<Result<Vec<_>, _>>()?;
    let mut row = 1;
    // Pairs by unit, in the order units first appear.
    let mut pairs: Vec<(String, Vec<Pair>)> = Vec::new();
    let mut charted = 0usize;
    let mut more_pairs = 0usize;
    let title_key = layout.measure_title_key();
    let rows = || {
        layout.measures(master).map(move |(measure, kpis)| {
            let title = format!("【{}】", measure.record.text(title_key).unwrap_or_default());
            let organisations = layout.organisations(&measure.record).join("、");
            (title, organisations, kpis)
        })
    };
    let lines_of = |cells: &[(u16, &str)]| {
        (cells.iter())
            .map(|(at, text)| lines(text, widths[*at as usize]))
            .fold(1.0, f64::max) as u32
    };
    // The height most rows need is the sheet's default (what a row added by hand gets), and only
    // the others get a height of their own. The first rows tell which height that is; every row
    // gets the height it needs whatever they tell.
    let mut needs: BTreeMap<u32, usize> = BTreeMap::new();
    'sample: for (title, organisations, kpis) in rows() {
        for kpi in &kpis {
            let texts = FigureTexts::of(kpi);
            let needed = lines_of(&texts.cells(&title, &organisations, kpi, &kpis));
            *needs.entry(needed).or_default() += 1;
            if needs.values().sum::<usize>() >= SAMPLED_ROWS {
                break 'sample;
            }
        }
    }
    let usual = (needs.iter()).max_by_key(|&(lines, count)| (count, std::cmp::Reverse(lines)));
    let usual = usual.map_or(1, |(lines, _)| *lines);
    sheet.set_default_row_height(height(f64::from(usual)));
    let mut made = SheetRows::new(&column_styles, Some(height(f64::from(usual))))?;
    for (title, organisations, kpis) in rows() {
        for kpi in &kpis {
            let texts = FigureTexts::of(kpi);
            let cells = texts.cells(&title, &organisations, kpi, &kpis);
            let whole = (kpi.part_of).and_then(|whole| kpis.iter().find(|k| k.id == whole));
            let needed = lines_of(&cells);
            made.row(row, (needed != usual).then(|| height(f64::from(needed))))?;
            for (at, value) in cells {
                made.string(at, &fit(value, 0))?;
            }
            let value = kpi.value.and_then(|v| v.number()).unwrap_or_default();
            made.number(VALUE_COLUMN, value)?;
            match whole {
                Some(_) if charted == CHARTED_PAIRS => more_pairs += 1,
                Some(whole) => {
                    let whole_value = whole.value.and_then(|v| v.number()).unwrap_or_default();
                    let label = format!("{}（{}）", whole.name, kpi.name);
                    let at = match pairs.iter().position(|(unit, _)| unit == kpi.unit) {
                        Some(at) => at,
                        None => {
                            pairs.push((kpi.unit.to_string(), Vec::new()));
                            pairs.len() - 1
                        }
                    };
                    pairs[at].1.push((label, whole_value, value));
                    charted += 1;
                }
                None => {}
            }
            row += 1;
        }
    }
    sheet.autofilter(0, 0, row.saturating_sub(1), headers.len() as u16 - 1)?;
    sheet.set_freeze_panes(1, 0)?;
    let mut next = row + 2;
    for (unit, unit_pairs) in &pairs {
        next = write_pair_chart(sheet, next, unit, unit_pairs, &styles, &number)?;
    }
    if more_pairs > 0 {
        let note = format!("ほか {more_pairs} 件の内数は上の表を参照");
        sheet.write_string_with_format(next, 0, &note, &styles.text)?;
    }
    sheet
        .set_landscape()
        .set_paper_size(A4)
        .set_print_fit_to_pages(1, 0)
        .set_repeat_rows(0, 0)?;
    made.finish()
}

/// The table and chart of one unit's parts beside their wholes, from row `first`; returns the
/// first row below them.
fn write_pair_chart(
    sheet: &mut Worksheet,
    first: u32,
    unit: &str,
    pairs: &[Pair],
    styles: &Styles,
    number: &Format,
) -> Result<u32, XlsxError> {
    let (label_column, whole_column, part_column) = (0u16, 4u16, 5u16);
    let heading = format!("内数の対比（{unit}）");
    sheet.merge_range(
        first,
        label_column,
        first,
        whole_column - 1,
        &heading,
        &styles.header,
    )?;
    sheet.write_string_with_format(first, whole_column, "全体", &styles.header)?;
    sheet.write_string_with_format(first, part_column, "内数", &styles.header)?;
    for (offset, (label, whole, part)) in pairs.iter().enumerate() {
        let r = first + 1 + offset as u32;
        // The label spans the columns up to the figures.
        sheet.set_row_height(r, height(lines(label, LABEL_WIDTH)))?;
        sheet.merge_range(
            r,
            label_column,
            r,
            whole_column - 1,
            &fit(label, 0),
            &styles.text,
        )?;
        sheet.write_number_with_format(r, whole_column, *whole, number)?;
        sheet.write_number_with_format(r, part_column, *part, number)?;
    }
    let last = first + pairs.len() as u32;
    let mut chart = Chart::new(ChartType::Bar);
    chart
        .title()
        .set_name(&format!(
            "全体のうち内数がどれだけかを、{unit}で比べています"
        ))
        .set_font(ChartFont::new().set_size(11).set_name(FONT));
    for (column, name) in [(whole_column, "全体"), (part_column, "内数")] {
        chart
            .add_series()
            .set_name(name)
            .set_categories(("指標", first + 1, label_column, last, label_column))
            .set_values(("指標", first + 1, column, last, column));
    }
    let height = 120 + 60 * pairs.len() as u32;
    chart.set_width(720).set_height(height);
    sheet.insert_chart(last + 2, 0, &chart)?;
    // The chart's rows at the default height (20 px), and two spare.
    Ok(last + 2 + height.div_ceil(20) + 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_text_takes_more_lines() {
        assert_eq!(lines("abc", 10.0), 1.0);
        assert_eq!(lines("あいうえおかきくけこ", 12.0), 2.0);
        assert_eq!(
            lines("あいうえおかきくけこ", 11.0),
            3.0,
            "two units of slack"
        );
        assert_eq!(lines("a\nb", 10.0), 2.0);
    }
}
