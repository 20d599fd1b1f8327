//! The council's annex: `annex.md` as people read it (snapshot), and the print settings, merged
//! issue cells and chart of `annex.xlsx`, read from the written XML.

mod support;

use support::{xlsx_part, Workdir};

#[test]
fn the_annex_in_markdown() {
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "-o", "out"]).expect_code(0);
    let markdown = std::fs::read_to_string(work.path("out/annex.md")).unwrap();
    insta::assert_snapshot!(markdown);
}

#[test]
fn the_annex_sheet_prints_like_a_council_document() {
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "-o", "out"]).expect_code(0);
    let xlsx = work.path("out/annex.xlsx");
    let workbook = xlsx_part(&xlsx, "xl/workbook.xml");
    let first = workbook.find("<sheet ").unwrap();
    assert!(
        workbook[first..].starts_with(r#"<sheet name="別添""#),
        "{workbook}"
    );
    assert!(
        workbook.contains(
            r#"<definedName name="_xlnm.Print_Titles" localSheetId="0">別添!$1:$1</definedName>"#
        ),
        "{workbook}"
    );
    let annex = xlsx_part(&xlsx, "xl/worksheets/sheet1.xml");
    for expected in [
        r#"orientation="landscape""#,
        r#"paperSize="9""#,
        r#"fitToHeight="0""#,
        "<oddFooter>&amp;C&amp;P / &amp;N</oddFooter>",
    ] {
        assert!(annex.contains(expected), "{expected} missing");
    }
    // 1-2-04 has three measures: its question spans them.
    assert!(
        annex.contains("<mergeCell ref=\"A"),
        "no merged issue cells"
    );
    let figures = xlsx_part(&xlsx, "xl/worksheets/sheet2.xml");
    assert!(
        figures.contains("<drawing "),
        "the figures sheet has no chart"
    );
    let chart = xlsx_part(&xlsx, "xl/charts/chart1.xml");
    assert!(
        chart.contains("<c:barChart>") && chart.contains("内数"),
        "{chart}"
    );
    // Like with like: one chart per unit, each titled with a sentence naming it.
    let titles: Vec<String> = (1..=2)
        .map(|n| xlsx_part(&xlsx, &format!("xl/charts/chart{n}.xml")))
        .map(|chart| {
            let start = chart.find("全体のうち").unwrap();
            chart[start..].split('<').next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        titles,
        [
            "全体のうち内数がどれだけかを、件で比べています",
            "全体のうち内数がどれだけかを、拠点で比べています"
        ]
    );
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let figures = workbook.worksheet_range("指標").unwrap();
    let header: Vec<String> = figures
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[..4], ["取組", "担当府省", "指標ID", "指標名"]);
    let second: Vec<String> = figures
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        second[..3],
        [
            "【先進的な医療機器やシステムの開発支援】",
            "経産省",
            "METI-001-K2"
        ]
    );
}

/// The values of `attribute` in every `<tag …>` of an XML part, with the tag's text.
fn tags<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag} ");
    xml.match_indices(&open)
        .filter_map(|(at, _)| xml[at..].split_once('>').map(|(element, _)| element))
        .collect()
}

fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    element[start..].split('"').next()
}

/// A1-style `A12` as (0-based column, 1-based row).
fn cell_ref(reference: &str) -> (usize, u32) {
    let letters: String = reference
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .collect();
    let column = letters
        .bytes()
        .fold(0, |n, b| n * 26 + usize::from(b - b'A') + 1)
        - 1;
    (column, reference[letters.len()..].parse().unwrap())
}

/// Points a text needs in a cell `width` characters wide, by a model independent of annex's: a
/// wide character takes 1.9 character units at 10 pt, a narrow one at most 1, one unit is the
/// cell's padding, and a line is 1.45 em (Noto Sans CJK's spacing, the widest of the fonts the
/// annex may be shown in).
fn needed_points(text: &str, width: f64) -> f64 {
    let lines: f64 = text
        .split('\n')
        .map(|line| {
            let units: f64 = line
                .chars()
                .map(|c| if (c as u32) < 0x1100 { 1.0 } else { 1.9 })
                .sum();
            (units / (width - 1.0)).ceil().max(1.0)
        })
        .sum();
    lines * 14.5
}

#[test]
fn every_row_of_the_annex_is_tall_enough_for_its_text_and_no_heading_ends_a_page() {
    use calamine::{Reader, Xlsx};
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "-o", "out"]).expect_code(0);
    let xlsx = work.path("out/annex.xlsx");
    let sheet = xlsx_part(&xlsx, "xl/worksheets/sheet1.xml");
    let widths: Vec<f64> = tags(&sheet, "col")
        .iter()
        .map(|col| attribute(col, "width").unwrap().parse().unwrap())
        .collect();
    assert_eq!(widths.len(), 3);
    let heights: std::collections::HashMap<u32, f64> = tags(&sheet, "row")
        .iter()
        .filter_map(|row| {
            let r = attribute(row, "r")?.parse().ok()?;
            Some((r, attribute(row, "ht")?.parse().ok()?))
        })
        .collect();
    // Each merged range, as (first column, last column, first row, last row).
    let merges: Vec<(usize, usize, u32, u32)> = tags(&sheet, "mergeCell")
        .iter()
        .map(|m| {
            let (from, to) = attribute(m, "ref").unwrap().split_once(':').unwrap();
            let ((c1, r1), (c2, r2)) = (cell_ref(from), cell_ref(to));
            (c1, c2, r1, r2)
        })
        .collect();
    let mut workbook: Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let range = workbook.worksheet_range("別添").unwrap();
    let mut checked = 0;
    for (r, row) in range.rows().enumerate() {
        let r = r as u32 + 1;
        for (c, cell) in row.iter().enumerate() {
            let text = cell.to_string();
            if text.is_empty() {
                continue;
            }
            let (c1, c2, r1, r2) = (merges.iter())
                .find(|&&(c1, c2, r1, r2)| (c1..=c2).contains(&c) && (r1..=r2).contains(&r))
                .copied()
                .unwrap_or((c, c, r, r));
            let width: f64 = widths[c1..=c2].iter().sum();
            let height: f64 = (r1..=r2)
                .map(|r| heights.get(&r).copied().unwrap_or(15.0))
                .sum();
            let needed = needed_points(&text, width);
            assert!(
                height >= needed,
                "row {r}, column {c}: {height} pt for a text that needs {needed}: {text:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 90, "only {checked} cells checked");
    let headings: Vec<u32> = (merges.iter())
        .filter(|&&(c1, c2, r1, r2)| c1 == 0 && c2 == 2 && r1 == r2)
        .map(|m| m.2)
        .collect();
    let breaks: Vec<u32> = tags(&sheet, "brk")
        .iter()
        .map(|brk| attribute(brk, "id").unwrap().parse().unwrap())
        .collect();
    assert!(breaks.len() > 3, "the annex is cut into pages: {breaks:?}");
    for last_on_page in breaks {
        assert!(
            !headings.contains(&last_on_page),
            "row {last_on_page}, a heading, ends a page"
        );
    }
    let styles = xlsx_part(&xlsx, "xl/styles.xml");
    assert!(!styles.contains("<i/>"), "Japanese print has no italics");
    assert!(styles.contains("BIZ UDゴシック"), "{styles}");
}
