//! What ministry staff type, round two: cells whose format changes what they mean, years written
//! both ways, look-alike characters, sheets with a title above the table and awkward files. Each
//! is read as the person meant it, or refused at its cell, never read as something else.

mod support;

use rust_xlsxwriter::{Format, Workbook, Worksheet};
use serde_json::{json, Value};
use support::{read_json, Workdir};

/// A cell of the KPI sheet: text, a number, or a number in a format.
enum Typed<'a> {
    Text(&'a str),
    Number(f64),
    Formatted(f64, &'a str),
}

const KPI_HEADERS: [&str; 7] = [
    "指標ID",
    "取組ID",
    "指標名",
    "値",
    "単位",
    "対象年度（開始）",
    "時点",
];

fn write_row(sheet: &mut Worksheet, row: u32, cells: &[Typed]) {
    for (column, cell) in cells.iter().enumerate() {
        let column = column as u16;
        match cell {
            Typed::Text("") => {}
            Typed::Text(text) => {
                sheet.write_string(row, column, *text).unwrap();
            }
            Typed::Number(n) => {
                sheet.write_number(row, column, *n).unwrap();
            }
            Typed::Formatted(n, code) => {
                let format = Format::new().set_num_format(*code);
                sheet
                    .write_number_with_format(row, column, *n, &format)
                    .unwrap();
            }
        }
    }
}

/// METI's workbook: one measure under 1-2-01 and these KPI rows.
fn meti_with(kpis: &[Vec<Typed>]) -> Vec<u8> {
    let mut book = Workbook::new();
    let measures = book.add_worksheet().set_name("取組").unwrap();
    let header = ["取組ID", "論点ID", "取組名", "内容", "担当府省"];
    let measure = [
        "METI-001",
        "1-2-01",
        "【先進的な医療機器の開発支援】",
        "支援を行った。",
        "経産省",
    ];
    for (column, (h, v)) in header.iter().zip(measure).enumerate() {
        measures.write_string(0, column as u16, *h).unwrap();
        measures.write_string(1, column as u16, v).unwrap();
    }
    let sheet = book.add_worksheet().set_name("KPI").unwrap();
    let headers: Vec<Typed> = KPI_HEADERS.iter().map(|h| Typed::Text(h)).collect();
    write_row(sheet, 0, &headers);
    for (at, row) in kpis.iter().enumerate() {
        write_row(sheet, at as u32 + 1, row);
    }
    book.save_to_buffer().unwrap()
}

/// A KPI row: its id, its measure and a name, then the cells given (値, 単位, ...).
fn kpi<'a>(rest: Vec<Typed<'a>>, id: &'a str) -> Vec<Typed<'a>> {
    let mut row = vec![
        Typed::Text(id),
        Typed::Text("METI-001"),
        Typed::Text("指標"),
    ];
    row.extend(rest);
    row
}

/// The council master of `input/` and `meti.xlsx` as given, checked as METI checks its own.
fn checked(meti: &[u8]) -> (i32, Value) {
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem == "council"));
    work.write("meti.xlsx", meti);
    work.check_json(&["input/council.xlsx", "meti.xlsx"])
}

fn codes_at(report: &Value) -> Vec<(String, String)> {
    (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
            (text("code"), text("cell"))
        })
        .collect()
}

#[test]
fn cells_whose_format_or_unit_leaves_annex_unsure_are_refused_at_the_cell() {
    use Typed::*;
    let meti = meti_with(&[
        kpi(vec![Formatted(0.25, "0%"), Text("件")], "METI-001-K1"),
        kpi(vec![Text("48人"), Text("件")], "METI-001-K2"),
        kpi(
            vec![Number(5.0), Text("件"), Text("令和6（2025）年度")],
            "METI-001-K3",
        ),
        kpi(
            vec![Number(3.0), Text("件"), Text(""), Number(2024.12)],
            "METI-001-K4",
        ),
        kpi(vec![Number(3.0), Text("件")], "METIー001-K5"),
    ]);
    let (status, report) = checked(&meti);
    assert_eq!(status, 1, "{report:#}");
    let found = codes_at(&report);
    let expected = [
        ("kpi.value.percent_conflict", "D2"),
        ("kpi.value.unit_conflict", "D3"),
        ("kpi.fy_from.years_disagree", "F4"),
        ("kpi.as_of.not_a_date", "G5"),
        ("kpi.id.lookalike", "A6"),
    ];
    for (code, cell) in expected {
        assert!(
            found.contains(&(code.to_string(), cell.to_string())),
            "{code} at {cell} missing: {found:?}"
        );
    }
    let message = |code: &str| {
        (report["diagnostics"].as_array().unwrap().iter())
            .find(|d| d["code"] == code)
            .map(|d| d["message"].as_str().unwrap().to_string())
            .unwrap()
    };
    let disagree = message("kpi.fy_from.years_disagree");
    assert!(
        disagree.contains("令和6年") && disagree.contains("2025"),
        "{disagree}"
    );
    assert!(message("kpi.id.lookalike").contains("long-vowel mark ー"));
}

#[test]
fn cells_as_people_see_them_are_the_values_in_the_master() {
    use Typed::*;
    let meti = meti_with(&[
        kpi(vec![Number(48.00000000000001), Text("件")], "METI-001-K1"),
        kpi(vec![Formatted(0.25, "0%"), Text("％")], "METI-001-K2"),
        kpi(
            vec![Number(10.0), Text("件　"), Text("令和6（2024）年度")],
            "METI-001-K3",
        ),
        kpi(
            vec![
                Number(3.0),
                Text(" 社"),
                Formatted(45383.0, r#"[$-ja-JP-x-gannen]ggge"年度""#),
                Formatted(45627.0, r#"ggge"年"m"月""#),
            ],
            "METI-001-K4",
        ),
    ]);
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem == "council"));
    work.write("meti.xlsx", &meti);
    let run = work.run(&[
        "build",
        "--partial",
        "--format",
        "json",
        "input/council.xlsx",
        "meti.xlsx",
    ]);
    run.expect_code(0);
    let master = read_json(&work.path("output/annex.json"));
    let kpis = &master["challenges"][0]["sections"][1]["issues"][0]["measures"][0]["kpis"];
    let figure = |at: usize, key: &str| kpis[at][key].clone();
    assert_eq!(figure(0, "value"), json!(48), "formula noise");
    assert_eq!(
        (figure(1, "value"), figure(1, "unit")),
        (json!(25), json!("%")),
        "25% is 25"
    );
    assert_eq!(
        (figure(2, "unit"), figure(2, "fy_from")),
        (json!("件"), json!(2024))
    );
    assert_eq!(
        (figure(3, "unit"), figure(3, "fy_from"), figure(3, "as_of")),
        (json!("社"), json!(2024), json!("2024-12-01")),
        "era-formatted date cells are dates"
    );
}

#[test]
fn a_title_above_the_table_is_one_finding_that_says_where_the_headers_are() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("取組").unwrap();
    sheet
        .write_string(0, 0, "令和6年度 経済産業省 取組一覧")
        .unwrap();
    for (column, header) in ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
        .iter()
        .enumerate()
    {
        sheet.write_string(2, column as u16, *header).unwrap();
    }
    for (column, value) in ["METI-001", "1-2-01", "支援", "支援を行った。", "経産省"]
        .iter()
        .enumerate()
    {
        sheet.write_string(3, column as u16, *value).unwrap();
    }
    let kpis = book.add_worksheet().set_name("KPI").unwrap();
    for (column, header) in KPI_HEADERS.iter().enumerate() {
        kpis.write_string(0, column as u16, *header).unwrap();
    }
    let (status, report) = checked(&book.save_to_buffer().unwrap());
    assert_eq!(status, 1);
    let findings: Vec<_> = (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["file"] == "meti.xlsx")
        .collect();
    assert_eq!(findings.len(), 1, "{report:#}");
    let finding = findings[0];
    assert_eq!(
        (&finding["code"], &finding["sheet"], &finding["row"]),
        (
            &json!("sheet.headers_not_in_row_1"),
            &json!("取組"),
            &json!(1)
        )
    );
    assert!(finding["message"].as_str().unwrap().contains("row 3"));
}

#[test]
fn a_missing_sheet_is_named_and_a_marked_re_listing_is_marked_once() {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("取組").unwrap();
    for (column, header) in ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    let (_, report) = checked(&book.save_to_buffer().unwrap());
    let missing = (report["diagnostics"].as_array().unwrap().iter())
        .find(|d| d["code"] == "sheet.missing")
        .unwrap();
    assert_eq!(missing["sheet"], "KPI");

    let work = Workdir::seeded(|files| {
        let relisting = support::row(files, "mext", "取組", "MEXT-004");
        relisting["title"] = json!("【拠点におけるアーリーフェーズのスタートアップ支援】（再掲）");
    });
    work.run(&["build", "input"]).expect_code(0);
    let markdown = std::fs::read_to_string(work.path("output/annex.md")).unwrap();
    assert!(markdown.contains("**【拠点におけるアーリーフェーズのスタートアップ支援】（再掲）**"));
    assert!(
        !markdown.contains("（再掲）】"),
        "no mark inside the brackets"
    );
    assert!(!markdown.contains("（再掲）（再掲）"), "one mark");
}

#[test]
fn an_xls_obfuscated_by_a_password_is_encrypted_not_too_large() {
    use std::io::Write;
    let work = Workdir::new();
    let path = work.path("amed.xls");
    let mut file = cfb::create(&path).unwrap();
    let mut stream = file.create_stream("Workbook").unwrap();
    let record = |typ: u16, data: &[u8]| {
        let mut bytes = typ.to_le_bytes().to_vec();
        bytes.extend((data.len() as u16).to_le_bytes());
        bytes.extend(data);
        bytes
    };
    // BOF, then FILEPASS with wEncryptionType 0 (XOR obfuscation), then scrambled records.
    stream
        .write_all(&record(0x0809, &[0, 6, 5, 0, 0, 0, 0, 0]))
        .unwrap();
    stream
        .write_all(&record(0x002F, &[0, 0, 0x34, 0x12, 0x78, 0x56]))
        .unwrap();
    stream.write_all(&record(0x0200, &[0xFF; 14])).unwrap();
    drop(stream);
    file.flush().unwrap();
    drop(file);
    let (status, report) = work.check_json(&["amed.xls"]);
    assert_eq!(status, 1);
    let codes: Vec<_> = codes_at(&report)
        .into_iter()
        .map(|(code, _)| code)
        .collect();
    assert!(codes.contains(&"file.encrypted".to_string()), "{report:#}");
    assert!(!codes.contains(&"file.too_large".to_string()));
}

#[test]
fn a_problems_row_is_shown_as_it_was_typed() {
    let work = Workdir::seeded(|files| {
        let kpi = support::row(files, "meti", "KPI", "METI-001-K2");
        kpi["unit"] = json!("個");
        kpi["fy_from"] = json!("令和6年度");
    });
    let run = work.run(&["check", "input"]);
    run.expect_code(1);
    let out = run.stdout();
    assert!(out.contains("対象年度（開始）: 令和6年度"), "{out}");
    assert!(!out.contains("対象年度（開始）: 2024"), "{out}");
}
