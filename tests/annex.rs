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
}
