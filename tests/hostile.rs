//! Hostile and odd workbooks: each gets a clear diagnostic in bounded memory and time, and text
//! that looks like a formula never becomes one in a workbook annex writes.

mod support;

use rust_xlsxwriter::{Format, Workbook};
use serde_json::json;
use support::{row, xlsx_part, Workdir};

const FORMULAS: [&str; 3] = [
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
];

#[test]
fn text_that_looks_like_a_formula_is_written_as_text() {
    let work = Workdir::seeded(|f| {
        row(f, "meti", "取組", "METI-002")["description"] = json!(FORMULAS[0]);
        row(f, "meti", "取組", "METI-004")["note"] = json!(FORMULAS[1]);
        row(f, "meti", "KPI", "METI-001-K1")["name"] = json!(FORMULAS[2]);
    });
    work.run(&["build", "-o", "out"]).expect_code(0);
    work.run(&[
        "template",
        "--org",
        "METI",
        "--from",
        "out/annex.json",
        "-o",
        "meti-template.xlsx",
    ])
    .expect_code(0);
    for book in ["out/annex.xlsx", "meti-template.xlsx"] {
        let path = work.path(book);
        let archive = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        let names: Vec<String> = archive
            .file_names()
            .map(|name| name.unwrap().into_owned())
            .collect();
        let sheets: Vec<_> = names
            .iter()
            .filter(|n| n.starts_with("xl/worksheets/sheet"))
            .collect();
        for sheet in &sheets {
            let xml = xlsx_part(&path, sheet);
            for formula in FORMULAS {
                let body = formula.trim_start_matches(['=', '+', '@']);
                assert!(
                    !xml.contains(&format!("<f>{}", body.split('(').next().unwrap())),
                    "{book} {sheet} has a formula"
                );
            }
            assert!(
                !xml.contains("<f>HYPERLINK") && !xml.contains("<f>cmd"),
                "{book} {sheet}"
            );
        }
        // Text is kept in the shared strings table, or inline in a sheet written row by row.
        let mut strings: String = sheets.iter().map(|sheet| xlsx_part(&path, sheet)).collect();
        if names.iter().any(|n| n == "xl/sharedStrings.xml") {
            strings.push_str(&xlsx_part(&path, "xl/sharedStrings.xml"));
        }
        for formula in FORMULAS {
            let escaped = formula
                .replace('&', "&amp;")
                .replace('"', "&quot;")
                .replace('\'', "&apos;");
            assert!(
                strings.contains(formula) || strings.contains(&escaped),
                "{book}: {formula} is not kept as text"
            );
        }
    }
}

#[test]
fn a_cell_far_away_does_not_make_annex_allocate_the_sheet() {
    let work = Workdir::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("KPI").unwrap();
    for (column, header) in ["指標ID", "取組ID", "指標名", "値", "単位"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    sheet.write_string(1_048_575, 16_383, "far away").unwrap();
    book.add_worksheet().set_name("取組").unwrap();
    work.write("far.xlsx", &book.save_to_buffer().unwrap());
    let run = work.run(&["check", "--format", "json", "far.xlsx"]);
    run.expect_code(1);
    let report = run.json();
    assert_eq!(
        report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["code"] == "kpi.id.required")
            .count(),
        1,
        "{report:#}"
    );
}

#[test]
fn a_million_empty_formatted_rows_are_skipped() {
    let work = Workdir::new();
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("取組").unwrap();
    for (column, header) in ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    let bold = Format::new().set_bold();
    for row in 1..1_000_000 {
        sheet.set_row_format(row, &bold).unwrap();
    }
    book.add_worksheet().set_name("KPI").unwrap();
    work.write("formatted.xlsx", &book.save_to_buffer().unwrap());
    let run = work.run(&["check", "--format", "json", "formatted.xlsx"]);
    let report = run.json();
    let codes: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(
        codes.iter().all(|c| c == "column.missing"),
        "only the KPI sheet's missing columns: {codes:?}"
    );
}

#[test]
fn a_cell_of_32767_characters_is_read_and_shown_cut() {
    let long = "あ".repeat(32_767);
    let work = Workdir::seeded(|f| {
        row(f, "meti", "取組", "METI-002")["description"] = json!(long);
        row(f, "meti", "取組", "METI-002")["issue_id"] = json!("9-9-99");
    });
    let run = work.run(&["check", "--lang", "en", "input"]);
    run.expect_code(1);
    let report = run.stdout();
    assert!(report.contains("ref.unresolved"), "{report}");
    assert!(
        report.lines().all(|line| line.chars().count() < 400),
        "a line of the report is too long"
    );
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_opened_and_the_limit_is_configurable() {
    use std::io::Write;
    let work = Workdir::seeded(|_| {});
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut bytes);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
    let zeros = vec![b' '; 1024 * 1024];
    for _ in 0..40 {
        zip.write_all(&zeros).unwrap();
    }
    zip.finish().unwrap();
    work.write("input/bomb.xlsx", bytes.get_ref());
    let run = work.run(&[
        "check",
        "--format",
        "json",
        "--max-unpacked-mb",
        "16",
        "input",
    ]);
    run.expect_code(1);
    let report = run.json();
    let codes: Vec<_> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].clone(), d["file"].clone()))
        .collect();
    assert_eq!(
        codes,
        [(json!("file.too_large"), json!("input/bomb.xlsx"))],
        "{report:#}"
    );
    assert_eq!(report["files"], 7);
}

/// An `.ods` whose one table repeats a filled cell `columns` times in each of `rows` rows.
fn ods_with_repeats(rows: u32, columns: u32) -> Vec<u8> {
    use std::io::Write;
    let mut bytes = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut bytes);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    zip.start_file("content.xml", stored).unwrap();
    write!(
        zip,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>
<table:table table:name="KPI"><table:table-row table:number-rows-repeated="{rows}"><table:table-cell table:number-columns-repeated="{columns}" office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row></table:table>
</office:spreadsheet></office:body></office:document-content>"#
    )
    .unwrap();
    zip.finish().unwrap();
    bytes.into_inner()
}

/// An `.ods` is read a sheet at a time, whole, with every repeat expanded: a few hundred bytes
/// can ask for a hundred million cells. It is measured before it is opened.
#[test]
fn an_ods_whose_repeats_expand_beyond_the_limit_is_refused_and_the_limit_is_configurable() {
    let work = Workdir::seeded(|_| {});
    work.write("input/repeats.ods", &ods_with_repeats(9_900, 10_000));
    work.write("input/small.ods", &ods_with_repeats(10, 10));
    let codes = |args: &[&str]| {
        let run = work.run(&[&["check", "--format", "json"], args, &["input"]].concat());
        run.expect_code(1);
        let report = run.json();
        assert_eq!(report["files"], 8, "{report:#}");
        (report["diagnostics"].as_array().unwrap().iter())
            .filter(|d| d["code"] == "file.too_large")
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&[]), ["input/repeats.ods"]);
    assert_eq!(
        codes(&["--max-cells", "50"]),
        ["input/repeats.ods", "input/small.ods"]
    );
}

#[test]
fn a_full_cell_still_fits_the_annex_where_it_is_joined_with_other_text() {
    let long = "あ".repeat(32_767);
    let work = Workdir::seeded(|f| row(f, "meti", "取組", "METI-001")["description"] = json!(long));
    work.run(&["build", "-o", "out"]).expect_code(0);
    let master = support::read_json(&work.path("out/annex.json"));
    let measure = &master["challenges"][0]["sections"][1]["issues"][0]["measures"][0];
    assert_eq!(
        measure["description"].as_str().unwrap().chars().count(),
        32_767,
        "the master keeps it whole"
    );
}
