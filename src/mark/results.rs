//! The 確認結果 sheet a marked copy opens on: every problem annex found in the workbook, one row
//! each, errors first, each with a link to its cell. Its text goes in as inline strings, so no
//! value from the workbook can become a formula.

use std::fmt::Write as _;

use super::styles::Own;
use crate::lang::{Lang, Text};
use crate::report::escape as xml_text;
use crate::report::{Diagnostic, Severity};
use crate::write::text_lines;

/// Rows a sheet can hold (Excel's limit), less the rows above the list and one to say the rest
/// were left out.
const MAX_LISTED: usize = 1_048_576 - HEADER_ROW as usize - 1;
/// The row of the column headings; the list starts below it.
const HEADER_ROW: u32 = 4;

/// The columns: heading, width (Excel's character units).
fn columns(lang: Lang) -> [(&'static str, f64); 9] {
    let t = |en, ja| match lang {
        Lang::En => en,
        Lang::Ja => ja,
    };
    [
        ("No.", 5.0),
        (t("Severity", "重要度"), 8.0),
        (t("Sheet", "シート"), 14.0),
        (t("Cell", "セル"), 8.0),
        (t("Column", "列"), 16.0),
        (t("What was found", "内容"), 48.0),
        (t("Value", "入力値"), 16.0),
        (t("What to do", "対応"), 48.0),
        (t("Code", "コード"), 22.0),
    ]
}

/// What the sheet says of a workbook: its name, and the format it came in if it was converted.
pub struct About<'a> {
    pub file: &'a str,
    pub converted_from: Option<&'a str>,
    pub lang: Lang,
}

/// What the copy leaves out, past the first findings of each code in a sheet: the cells filled
/// without a note, and the errors and warnings not listed.
#[derive(Clone, Copy, Default)]
pub struct LeftOut {
    pub unnoted: usize,
    pub unlisted: (usize, usize),
}

/// Where a problem's link goes: the sheet's name as the workbook has it, and the cell.
pub type Target = Option<(String, String)>;

/// The sheet's XML. `listed` holds each problem with the place its link goes to.
pub fn sheet(
    about: &About,
    listed: &[(&Diagnostic, Target)],
    left_out: LeftOut,
    own: Own,
) -> String {
    let lang = about.lang;
    let listed_errors = listed
        .iter()
        .filter(|(d, _)| d.severity == Severity::Error)
        .count();
    let errors = listed_errors + left_out.unlisted.0;
    let warnings = listed.len() - listed_errors + left_out.unlisted.1;
    let columns = columns(lang);
    let mut xml = String::with_capacity(4096 + listed.len() * 400);
    xml.push_str(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" "#,
        r#"xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        r#"<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>"#,
        r#"<sheetViews><sheetView tabSelected="1" workbookViewId="0">"#,
        r#"<pane ySplit="4" topLeftCell="A5" activePane="bottomLeft" state="frozen"/>"#,
        r#"<selection pane="bottomLeft" activeCell="D5" sqref="D5"/></sheetView></sheetViews>"#,
        r#"<sheetFormatPr defaultRowHeight="15"/><cols>"#
    ));
    for (index, (_, width)) in columns.iter().enumerate() {
        let n = index + 1;
        let _ = write!(
            xml,
            r#"<col min="{n}" max="{n}" width="{width}" customWidth="1"/>"#
        );
    }
    xml.push_str("</cols><sheetData>");
    let title = Text::new(
        format!("Findings: {}", about.file),
        format!("確認結果：{}", about.file),
    );
    push_row(
        &mut xml,
        1,
        24.0,
        &[(0, Cell::Text(title.get(lang)), own.title)],
    );
    let counts = Text::new(
        format!(
            "{errors} error(s), {warnings} warning(s). The link in the Cell column takes you to the cell; \
             the coloured cells (errors red, warnings yellow) carry the same words in their notes."
        ),
        format!(
            "エラー {errors} 件、警告 {warnings} 件。セル欄のリンクから該当のセルへ移動できます。\
             色を付けたセル（エラーは赤、警告は黄）のメモにも同じ内容があります。"
        ),
    );
    let mut counts = counts.get(lang).to_string();
    if left_out.unnoted > 0 {
        let unnoted = left_out.unnoted;
        let more = Text::new(
            format!(
                " {unnoted} of the cells are coloured without a note: in each sheet the first {} of a problem carry one, and the list below has the others.",
                super::notes::NOTES_PER_CODE
            ),
            format!(
                "色を付けたセルのうち {unnoted} 件にはメモがありません（メモは各シートで同じ問題の最初の {} 件まで。それ以外は下の一覧をご覧ください）。",
                super::notes::NOTES_PER_CODE
            ),
        );
        counts.push_str(more.get(lang));
    }
    push_row(&mut xml, 2, 15.0, &[(0, Cell::Text(&counts), own.note)]);
    if let Some(format) = about.converted_from {
        let converted = Text::new(
            format!(
                "This copy was converted from .{format} to .xlsx and holds the values alone: \
                 make the corrections in the original workbook."
            ),
            format!(
                "この確認用ブックは .{format} を .xlsx に変換したもので、値だけを写しています。\
                 修正は元のブックで行ってください。"
            ),
        );
        push_row(
            &mut xml,
            3,
            15.0,
            &[(0, Cell::Text(converted.get(lang)), own.note)],
        );
    }
    let headings: Vec<_> = (0..columns.len() as u32)
        .map(|c| (c, Cell::Text(columns[c as usize].0), own.header))
        .collect();
    push_row(&mut xml, HEADER_ROW, 18.0, &headings);
    let mut links = String::new();
    for (index, (diagnostic, target)) in listed.iter().take(MAX_LISTED).enumerate() {
        let row = HEADER_ROW + 1 + index as u32;
        let location = &diagnostic.location;
        let severity = match diagnostic.severity {
            Severity::Error => (Text::new("Error", "エラー"), own.error),
            Severity::Warning => (Text::new("Warning", "警告"), own.warning),
        };
        let place = match (location.cell(), location.row) {
            (Some(cell), _) => cell,
            (None, Some(row)) => Text::new(format!("row {row}"), format!("{row}行目"))
                .get(lang)
                .to_string(),
            (None, None) => String::new(),
        };
        let message = diagnostic.message.get(lang);
        let help = diagnostic.help.get(lang);
        let found = diagnostic.found.as_deref().unwrap_or("");
        let link_format = match target {
            Some(_) => own.link,
            None => own.body,
        };
        let cells = [
            (0, Cell::Number(index + 1), own.body),
            (1, Cell::Text(severity.0.get(lang)), severity.1),
            (
                2,
                Cell::Text(location.sheet.as_deref().unwrap_or("")),
                own.body,
            ),
            (3, Cell::Text(&place), link_format),
            (
                4,
                Cell::Text(location.header.as_deref().unwrap_or("")),
                own.body,
            ),
            (5, Cell::Text(message), own.body),
            (6, Cell::Text(found), own.body),
            (7, Cell::Text(help), own.body),
            (8, Cell::Text(&diagnostic.code), own.body),
        ];
        let lines = cells
            .iter()
            .map(|(column, cell, _)| match cell {
                Cell::Text(text) => text_lines(text, columns[*column as usize].1),
                Cell::Number(_) => 1.0,
            })
            .fold(1.0, f64::max);
        push_row(&mut xml, row, lines * 13.5 + 4.0, &cells);
        if let Some((sheet, cell)) = target {
            let _ = write!(
                links,
                r#"<hyperlink ref="D{row}" location="{}" display="{}"/>"#,
                xml_text(&format!("'{}'!{cell}", sheet.replace('\'', "''"))),
                xml_text(&format!("{sheet}!{cell}"))
            );
        }
    }
    let more = listed.len().saturating_sub(MAX_LISTED) + left_out.unlisted.0 + left_out.unlisted.1;
    if more > 0 {
        let rest = Text::new(
            format!(
                "… and {more} more: the JSON report (annex check --format json) lists them all."
            ),
            format!(
                "… ほか {more} 件（すべては JSON 形式の報告 annex check --format json にあります）"
            ),
        );
        push_row(
            &mut xml,
            1_048_576,
            15.0,
            &[(5, Cell::Text(rest.get(lang)), own.body)],
        );
    }
    xml.push_str("</sheetData>");
    if !links.is_empty() {
        let _ = write!(xml, "<hyperlinks>{links}</hyperlinks>");
    }
    xml.push_str(concat!(
        r#"<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.5" header="0.3" footer="0.3"/>"#,
        r#"<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>"#,
        "</worksheet>"
    ));
    xml
}

/// Whether a sheet's XML is a 確認結果 annex wrote: its first cell is the title, in either
/// language, as [`sheet`] writes it.
pub fn is_results_sheet(xml: &str) -> bool {
    let Some(first) = xml.find(r#"<c r="A1""#).and_then(|at| xml.get(at..)) else {
        return false;
    };
    let cell = first
        .get(..first.find("</c>").unwrap_or(first.len()))
        .unwrap_or_default();
    ["確認結果：", "Findings: "]
        .iter()
        .any(|title| cell.contains(&format!(r#"<t xml:space="preserve">{title}"#)))
}

/// What a cell of the sheet holds.
enum Cell<'a> {
    Text(&'a str),
    Number(usize),
}

/// A row of cells: (0-based column, content, format). A text is an inline string.
fn push_row(xml: &mut String, row: u32, height: f64, cells: &[(u32, Cell, u32)]) {
    let _ = write!(xml, r#"<row r="{row}" ht="{height:.1}" customHeight="1">"#);
    for (column, content, format) in cells {
        let cell = crate::report::cell_name(row, *column);
        let _ = match content {
            Cell::Text("") => write!(xml, r#"<c r="{cell}" s="{format}"/>"#),
            Cell::Text(text) => write!(
                xml,
                r#"<c r="{cell}" s="{format}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                xml_text(&crate::write::fit(text, 0))
            ),
            Cell::Number(number) => {
                write!(xml, r#"<c r="{cell}" s="{format}"><v>{number}</v></c>"#)
            }
        };
    }
    xml.push_str("</row>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Location;

    fn own() -> Own {
        Own {
            title: 1,
            note: 2,
            header: 3,
            body: 4,
            link: 5,
            error: 6,
            warning: 7,
        }
    }

    #[test]
    fn every_problem_is_a_row_with_a_link_to_its_cell() {
        let file = "meti.xlsx".into();
        let mut at_cell = Location::sheet(&file, &"取組".into());
        at_cell.row = Some(7);
        at_cell.column = Some(3);
        let error = Diagnostic::error(
            "measure.id.pattern",
            at_cell,
            Text::new("", "取組IDの形式が違います"),
            Text::new("", "=HYPERLINK(\"x\") <b>"),
        );
        let missing = Diagnostic::warning(
            "sheet.missing",
            Location::sheet(&file, &"KPI".into()),
            Text::new("", "KPI シートがありません"),
            Text::new("", "追加してください"),
        );
        let about = About {
            file: "meti.xlsx",
            converted_from: Some("xls"),
            lang: Lang::Ja,
        };
        let target = Some(("O'Brien 取組".to_string(), "D7".to_string()));
        let xml = sheet(
            &about,
            &[(&error, target), (&missing, None)],
            LeftOut::default(),
            own(),
        );
        assert!(
            xml.contains(r#"<hyperlink ref="D5" location="&#39;O&#39;&#39;Brien 取組&#39;!D7""#),
            "{xml}"
        );
        assert_eq!(
            xml.matches("<hyperlink ").count(),
            1,
            "a missing sheet has nowhere to link to"
        );
        assert!(xml.contains("エラー 1 件、警告 1 件"));
        assert!(xml.contains(".xls を .xlsx に変換"));
        assert!(
            xml.contains("<t xml:space=\"preserve\">=HYPERLINK(&quot;x&quot;) &lt;b&gt;</t>"),
            "text stays text: {xml}"
        );
        assert!(!xml.contains("<f>"));
        assert!(
            xml.contains(r#"<c r="A5" s="4"><v>1</v></c>"#),
            "numbered: {xml}"
        );
        assert!(xml.contains(r#"<c r="D5" s="5" t="inlineStr"><is><t xml:space="preserve">D7</t>"#));
    }
}
