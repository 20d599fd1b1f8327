//! Workbooks as people really shape them: merged cells, hidden sheets, formulas, spaces for
//! layout; read as the contract says, and flagged by `--profile machine-readable`.

mod support;

use rust_xlsxwriter::{Format, Formula, Workbook};
use serde_json::json;
use support::{places, Workdir};

/// The council's data, with METI's measures rewritten by hand: 論点ID merged over two rows,
/// a hidden helper sheet, a formula for a value, spaces for layout and a circled number.
fn hand_made(work: &Workdir) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("取組").unwrap();
    for (column, header) in ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, column as u16, *header).unwrap();
    }
    let rows = [
        [
            "METI-003",
            "1-2-04",
            "【介護】",
            "ロボット介護機器の開発①",
            "経産省",
        ],
        [
            "METI-004",
            "",
            "【安定供給の確保】",
            "医療機器の開発・改良を支援した。",
            "経　産　省",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, text) in row.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32 + 1, c as u16, *text).unwrap();
            }
        }
    }
    sheet
        .merge_range(1, 1, 2, 1, "1-2-04", &Format::new())
        .unwrap();
    let kpi = book.add_worksheet().set_name("KPI").unwrap();
    for (column, header) in ["指標ID", "取組ID", "指標名", "値", "単位"]
        .iter()
        .enumerate()
    {
        kpi.write_string(0, column as u16, *header).unwrap();
    }
    for (c, text) in ["METI-003-K1", "METI-003", "採択件数"].iter().enumerate() {
        kpi.write_string(1, c as u16, *text).unwrap();
    }
    kpi.write_formula(1, 3, Formula::new("=100+28").set_result("128"))
        .unwrap();
    kpi.write_string(1, 4, "件").unwrap();
    kpi.set_row_hidden(1).unwrap();
    book.add_worksheet()
        .set_name("作業用")
        .unwrap()
        .set_hidden(true);
    work.write("meti.xlsx", &book.save_to_buffer().unwrap());
}

#[test]
fn a_merged_value_applies_to_every_row_it_spans() {
    let work = Workdir::new();
    hand_made(&work);
    // Without the council master its measures would have no issue to sit under: no master.
    work.run(&["build", "-o", "out", "meti.xlsx"])
        .expect_code(1);
    assert!(!work.path("out/annex.json").exists());
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem == "council"));
    hand_made(&work);
    work.run(&["build", "--partial", "-o", "out", "input", "meti.xlsx"])
        .expect_code(0);
    let master = support::read_json(&work.path("out/annex.json"));
    let issue = &master["challenges"][0]["sections"][1]["issues"][3];
    assert_eq!(issue["id"], "1-2-04");
    let measures: Vec<_> = issue["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(measures, [json!("METI-003"), json!("METI-004")]);
    assert_eq!(issue["measures"][0]["kpis"][0]["value"], 128);
}

#[test]
fn the_machine_readable_profile_names_each_rule_broken() {
    let work = Workdir::new();
    hand_made(&work);
    let run = work.run(&[
        "check",
        "--format",
        "json",
        "--profile",
        "machine-readable",
        "meti.xlsx",
    ]);
    run.expect_code(0);
    let report = run.json();
    let found: Vec<_> = places(&report)
        .into_iter()
        .map(|(code, _, sheet, cell)| format!("{code} {sheet} {cell}"))
        .collect();
    assert_eq!(
        found,
        [
            "mr.hidden KPI ",
            "mr.formula KPI D2",
            "mr.hidden 作業用 ",
            "ref.unchecked 取組 B1",
            "mr.merged 取組 B2",
            "mr.platform_character 取組 D2",
            "mr.spacing 取組 E3",
        ],
        "{report:#}"
    );
    for diagnostic in report["diagnostics"].as_array().unwrap() {
        if diagnostic["code"].as_str().unwrap().starts_with("mr.") {
            assert!(
                diagnostic["message"]
                    .as_str()
                    .unwrap()
                    .contains("デジタル庁"),
                "{diagnostic}"
            );
        }
    }
    let plain = work.run(&["check", "--format", "json", "meti.xlsx"]);
    assert_eq!(plain.json()["warnings"], 1, "{}", plain.explain());
}

/// A package calamine refuses (its `_rels/.rels` cut short) whose cells annex's own reader reads:
/// under the machine-readability profile its rows are checked all the same, and the report says
/// which of that profile's checks it could not make, never passing over them in silence.
#[test]
fn a_package_only_annex_s_reader_opens_is_read_and_says_what_was_not_checked() {
    use std::io::{Read, Write};
    let work = Workdir::seeded(|_| {});
    let original = std::fs::read(work.path("input/meti.xlsx")).unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).unwrap();
    let mut damaged = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).unwrap();
        let name = part.name().unwrap().to_string();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        if name == "_rels/.rels" {
            bytes = b"<Relationships><Relationship Id=\"x\" Target=".to_vec();
        }
        damaged
            .start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        damaged.write_all(&bytes).unwrap();
    }
    work.write("meti.xlsx", &damaged.finish().unwrap().into_inner());
    let args = [
        "check",
        "--format",
        "json",
        "--lang",
        "ja",
        "--profile",
        "machine-readable",
        "meti.xlsx",
    ];
    let report = work.run(&args).json();
    let codes: Vec<&str> = (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"mr.unchecked"), "{codes:?}");
    assert!(!codes.iter().any(|c| c.starts_with("file.")), "{codes:?}");
    let meti = &report["round"]["senders"][0];
    assert_eq!(
        (meti["measures"].as_u64(), meti["kpis"].as_u64()),
        (Some(10), Some(9)),
        "{meti}"
    );
    // Without the profile nothing was left out.
    let report = work.run(&["check", "--format", "json", "meti.xlsx"]).json();
    assert!(!report.to_string().contains("mr.unchecked"));
}
