//! What Excel, scripts and people do that annex must neither misread nor misadvise: dates of
//! the 1904 system, formulas with no saved result, values under no header, a renamed sheet,
//! lock files, a template written over a filled one, a reader that stops reading.

mod support;

use std::process::{Command, Stdio};

use serde_json::Value;
use support::{places, workbook, Cell, Workdir};

/// Every value of `key` anywhere in a JSON document.
fn values_of<'a>(document: &'a Value, key: &str, found: &mut Vec<&'a Value>) {
    match document {
        Value::Object(map) => {
            for (name, value) in map {
                if name == key {
                    found.push(value);
                }
                values_of(value, key, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|item| values_of(item, key, found)),
        _ => {}
    }
}

fn codes(report: &Value) -> Vec<String> {
    places(report).into_iter().map(|(code, ..)| code).collect()
}

#[test]
fn dates_of_a_workbook_saved_with_the_1904_date_system_are_the_days_it_shows() {
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem == "council"));
    work.fixture("tests/fixtures/suites/meti-1904.xlsx", "input/meti.xlsx");
    work.run(&["build", "--partial", "-o", "out", "input"])
        .expect_code(0);
    let master = support::read_json(&work.path("out/annex.json"));
    let mut dates = Vec::new();
    values_of(&master, "as_of", &mut dates);
    assert!(dates.len() >= 3, "{dates:?}");
    assert!(
        dates.iter().all(|date| *date == "2024-12-01"),
        "every 時点 was typed as 2024-12-01: {dates:?}"
    );
}

#[test]
fn a_formula_with_no_saved_result_is_reported_at_its_cell_never_read_as_empty() {
    let work = Workdir::new();
    work.fixture("tests/fixtures/suites/meti-uncomputed.xlsx", "meti.xlsx");
    let (code, report) = work.check_json(&["meti.xlsx"]);
    assert_eq!(code, 1, "{report:#}");
    let found: Vec<_> = (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["code"] == "cell.formula_not_computed")
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
            (text("sheet"), text("cell"), text("message"), text("help"))
        })
        .collect();
    assert_eq!(found.len(), 2, "{report:#}");
    assert_eq!((&*found[0].0, &*found[0].1), ("KPI", "H4"));
    assert_eq!((&*found[1].0, &*found[1].1), ("KPI", "I4"));
    assert!(
        found[1].2.contains("=IF(D4>0,\"○\",\"×\")"),
        "{}",
        found[1].2
    );
    assert!(found[1].3.contains("Excel"), "{}", found[1].3);
    // Values nobody knows never reach a master.
    let build = work.run(&["build", "--partial", "-o", "out", "meti.xlsx"]);
    assert!(!work.path("out/annex.json").exists(), "{}", build.explain());
}

#[test]
fn values_typed_under_no_header_are_a_warning_at_the_first_of_them() {
    let work = Workdir::new();
    let header = |extra: &'static str| {
        let mut row: Vec<Cell> = ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
            .into_iter()
            .map(Cell::Text)
            .collect();
        row.push(Cell::Empty);
        row.push(Cell::Text(extra));
        row
    };
    let row = |id: &'static str, note: Option<&'static str>| {
        let mut row: Vec<Cell> = [id, "1-2-01", "【開発支援】", "開発を支援した。", "経産省"]
            .into_iter()
            .map(Cell::Text)
            .collect();
        row.push(note.map_or(Cell::Empty, Cell::Text));
        row
    };
    let kpi = vec!["指標ID", "取組ID", "指標名", "値", "単位"]
        .into_iter()
        .map(Cell::Text)
        .collect();
    // Column F has no header; column G is headed 備考 but nothing is typed in it.
    let sheets = [
        (
            "取組",
            vec![
                header("備考"),
                row("METI-001", None),
                row("METI-002", Some("要確認")),
                row("METI-003", Some("来年度も継続")),
            ],
        ),
        ("KPI", vec![kpi]),
    ];
    work.write("meti.xlsx", &workbook(&sheets));
    let (code, report) = work.check_json(&["meti.xlsx"]);
    let unheaded: Vec<_> = (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["code"] == "column.no_header")
        .collect();
    assert_eq!(unheaded.len(), 1, "{report:#}");
    assert_eq!(unheaded[0]["severity"], "warning");
    assert_eq!(unheaded[0]["cell"], "F3");
    assert!(unheaded[0]["message"]
        .as_str()
        .unwrap()
        .contains("column F"));
    assert!(unheaded[0]["help"].as_str().unwrap().contains("備考"));
    assert_eq!(code, 0, "a warning only: {report:#}");
}

/// METI's workbook with its KPI sheet named `kpi_sheet`, and, if given, a second sheet.
fn renamed_kpi(kpi_sheet: &str, also: Option<&str>) -> Vec<u8> {
    let measure = vec![
        ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
            .map(Cell::Text)
            .to_vec(),
        [
            "METI-001",
            "1-2-01",
            "【開発支援】",
            "48件を採択した。",
            "経産省",
        ]
        .map(Cell::Text)
        .to_vec(),
    ];
    let kpi = vec![
        ["指標ID", "取組ID", "指標名", "値", "単位"]
            .map(Cell::Text)
            .to_vec(),
        vec![
            Cell::Text("METI-001-K1"),
            Cell::Text("METI-001"),
            Cell::Text("採択件数"),
            Cell::Text("多数"),
            Cell::Text("件"),
        ],
    ];
    let header_only = vec![["指標ID", "取組ID", "指標名", "値", "単位"]
        .map(Cell::Text)
        .to_vec()];
    let mut sheets = vec![("取組", measure), (kpi_sheet, kpi)];
    if let Some(name) = also {
        sheets.push((name, header_only));
    }
    workbook(&sheets)
}

#[test]
fn a_renamed_sheet_is_read_and_named_and_its_advice_never_loses_rows() {
    let work = Workdir::new();
    work.write("meti.xlsx", &renamed_kpi("KPI一覧", None));
    let (code, report) = work.check_json(&["meti.xlsx"]);
    assert_eq!(code, 1);
    let found = codes(&report);
    assert!(found.contains(&"sheet.renamed".to_string()), "{report:#}");
    assert!(!found.contains(&"sheet.missing".to_string()), "{report:#}");
    // The rows of the renamed sheet are read and checked: 多数 is no number.
    let value = (report["diagnostics"].as_array().unwrap().iter())
        .find(|d| d["code"] == "kpi.value.type")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        (&value["sheet"], &value["cell"]),
        (&"KPI一覧".into(), &"D2".into())
    );
    let renamed = (report["diagnostics"].as_array().unwrap().iter())
        .find(|d| d["code"] == "sheet.renamed")
        .unwrap();
    assert!(renamed["help"]
        .as_str()
        .unwrap()
        .contains("Rename the sheet KPI一覧 to KPI"));

    // The old advice, followed literally — an empty KPI sheet added — is no clean run.
    work.write("meti.xlsx", &renamed_kpi("KPI一覧", Some("KPI")));
    let (code, report) = work.check_json(&["meti.xlsx"]);
    assert_eq!(code, 1, "{report:#}");
    assert!(
        codes(&report).contains(&"sheet.table_not_read".to_string()),
        "{report:#}"
    );

    // The advice given, followed literally: the sheet renamed, its rows read where they were.
    work.write("meti.xlsx", &renamed_kpi("KPI", None));
    let (_, report) = work.check_json(&["meti.xlsx"]);
    let found = codes(&report);
    assert!(!found.iter().any(|c| c.starts_with("sheet.")), "{report:#}");
    assert!(found.contains(&"kpi.value.type".to_string()), "{report:#}");
}

#[test]
fn a_lock_file_says_the_workbook_is_open_in_excel() {
    let work = Workdir::seeded(|_| {});
    work.write("input/~$meti.xlsx", b"\x0bsomeone");
    work.write("input/.~lock.mhlw.xlsx#", b"someone,host,2026-12-04");
    let (code, report) = work.check_json(&["input"]);
    let locks: Vec<_> = places(&report)
        .into_iter()
        .filter(|(code, ..)| code == "file.open_elsewhere")
        .map(|(_, file, ..)| file)
        .collect();
    assert_eq!(locks, ["input/meti.xlsx", "input/mhlw.xlsx"], "{report:#}");
    assert_eq!(code, 0, "a note, not an error: {report:#}");
    assert_eq!(report["files"], 6, "lock files are not read as workbooks");
}

#[test]
fn a_reader_that_stops_reading_is_no_error() {
    for args in [
        &["explain"][..],
        &["check", "--format", "json", "input"][..],
    ] {
        let work = Workdir::seeded(|_| {});
        let mut child = Command::new(env!("CARGO_BIN_EXE_annex"))
            .current_dir(work.path(""))
            .args(args)
            .env("LANG", "C")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader goes away before annex writes a line (as `| head -0` would).
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "annex {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn a_template_is_not_written_over_a_filled_workbook_unless_forced() {
    let work = Workdir::seeded(|_| {});
    let filled = work.fixture(
        "tests/fixtures/template/meti-filled-by-openpyxl.xlsx",
        "meti.xlsx",
    );
    let before = std::fs::read(&filled).unwrap();
    let refused = work.run(&["template", "--org", "METI", "-o", "meti.xlsx", "input"]);
    refused.expect_code(2);
    assert!(
        refused.stderr().contains("--force"),
        "{}",
        refused.explain()
    );
    assert_eq!(
        std::fs::read(&filled).unwrap(),
        before,
        "the filled workbook is kept"
    );
    // A blank template may be made again over itself; a filled one with --force.
    work.run(&["template", "--org", "METI", "-o", "blank.xlsx", "input"])
        .expect_code(0);
    work.run(&["template", "--org", "METI", "-o", "blank.xlsx", "input"])
        .expect_code(0);
    work.run(&[
        "template",
        "--org",
        "METI",
        "-o",
        "meti.xlsx",
        "--force",
        "input",
    ])
    .expect_code(0);
    assert_ne!(std::fs::read(&filled).unwrap(), before);
}

/// The source of one workbook of the seeded round, taken out of it.
fn taken_out(files: &mut Vec<(String, Value)>, stem: &str) -> Value {
    let at = files.iter().position(|(s, _)| s == stem).unwrap();
    files.remove(at).1
}

#[test]
fn an_organisation_s_rows_in_two_workbooks_that_share_none_are_both_read() {
    let whole = Workdir::seeded(|_| {});
    whole.run(&["build", "-o", "out", "input"]).expect_code(0);
    // METI's measures sent by two bureaus, each with its measures' KPIs.
    let split = Workdir::seeded(|files| {
        let meti = taken_out(files, "meti");
        let measures = meti["sheets"]["取組"].as_array().unwrap();
        let (first, second) = measures.split_at(measures.len() / 2);
        for (stem, part) in [("meti-局A", first), ("meti-局B", second)] {
            let ids: Vec<&Value> = part.iter().map(|m| &m["id"]).collect();
            let kpis: Vec<Value> = (meti["sheets"]["KPI"].as_array().unwrap().iter())
                .filter(|k| ids.contains(&&k["measure_id"]))
                .cloned()
                .collect();
            let sheets = serde_json::json!({"sheets": {"取組": part, "KPI": kpis}});
            files.push((stem.to_string(), sheets));
        }
    });
    let run = split.run(&["build", "--format", "json", "-o", "out", "input"]);
    run.expect_code(0);
    let found: Vec<_> = places(&run.json())
        .into_iter()
        .map(|(code, file, ..)| (code, file))
        .collect();
    assert_eq!(
        found,
        [("round.split".to_string(), "input/meti-局B.xlsx".to_string())]
    );
    assert_eq!(
        support::read_json(&split.path("out/annex.json")),
        support::read_json(&whole.path("out/annex.json")),
        "the master of the two parts is the master of the whole"
    );
    // A copy of the same rows stays one error, as before.
    std::fs::copy(
        split.path("input/meti-局A.xlsx"),
        split.path("input/meti-局A - コピー.xlsx"),
    )
    .unwrap();
    let (code, report) = split.check_json(&["input"]);
    assert_eq!(code, 1);
    assert!(
        codes(&report).contains(&"round.duplicate".to_string()),
        "{report:#}"
    );
}

#[test]
fn a_workbook_holding_the_council_s_sheets_and_an_organisation_s_is_read_as_both() {
    let whole = Workdir::seeded(|_| {});
    whole.run(&["build", "-o", "out", "input"]).expect_code(0);
    let joined = Workdir::seeded(|files| {
        let meti = taken_out(files, "meti");
        let (_, council) = files
            .iter_mut()
            .find(|(stem, _)| stem == "council")
            .unwrap();
        for (sheet, rows) in meti["sheets"].as_object().unwrap() {
            council["sheets"][sheet] = rows.clone();
        }
    });
    let run = joined.run(&["build", "--format", "json", "-o", "out", "input"]);
    run.expect_code(0);
    assert_eq!(
        support::read_json(&joined.path("out/annex.json")),
        support::read_json(&whole.path("out/annex.json"))
    );
    let senders: Vec<_> = (run.json()["round"]["senders"].as_array().unwrap().iter())
        .map(|s| s["files"][0].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        senders
            .iter()
            .filter(|f| *f == "input/council.xlsx")
            .count(),
        2,
        "{senders:?}"
    );
}

#[test]
fn a_ministry_s_mistake_is_reported_in_its_own_workbook_only() {
    let work = Workdir::seeded(|files| {
        let measures = support::rows(files, "mhlw", "取組");
        let measure = measures.iter_mut().find(|m| m["id"] == "MHLW-003").unwrap();
        measure["issue_id"] = "2-1-2".into();
    });
    let (code, report) = work.check_json(&["input"]);
    assert_eq!(code, 1);
    let errors: Vec<_> = places(&report)
        .into_iter()
        .filter(|(code, ..)| !code.starts_with("issue.") && code != "file.open_elsewhere")
        .collect();
    assert!(
        errors.iter().all(|(_, file, ..)| file == "input/mhlw.xlsx"),
        "the council master lists MHLW-003 rightly; only 厚労省's 論点ID is wrong: {errors:?}"
    );
    assert!(!errors.is_empty());
    // The council master's list that names the measure is cited with 厚労省's own finding.
    let own = (report["diagnostics"].as_array().unwrap().iter())
        .find(|d| d["file"] == "input/mhlw.xlsx" && d["column"] == "論点ID")
        .unwrap_or_else(|| panic!("{report:#}"));
    let related = own["related"]
        .as_array()
        .unwrap_or_else(|| panic!("{own:#}"));
    assert!(
        related
            .iter()
            .any(|r| r["file"] == "input/council.xlsx" && r["sheet"] == "論点"),
        "{own:#}"
    );
}

#[test]
fn an_unreadable_workbook_is_received_not_missing() {
    let work = Workdir::seeded(|_| {});
    work.fixture("tests/fixtures/encrypted/amed.xlsx", "input/amed.xlsx");
    let (code, report) = work.check_json(&["input"]);
    assert_eq!(code, 1);
    let found: Vec<_> = places(&report)
        .into_iter()
        .map(|(code, file, ..)| (code, file))
        .collect();
    assert_eq!(
        found,
        [("file.encrypted".to_string(), "input/amed.xlsx".to_string())],
        "one finding, in the workbook at fault: {report:#}"
    );
    let round = &report["round"];
    assert_eq!(round["missing"], serde_json::json!([]), "{round:#}");
    let amed = (round["senders"].as_array().unwrap().iter())
        .find(|s| s["organisation"] == "AMED")
        .unwrap_or_else(|| panic!("{round:#}"));
    assert_eq!(amed["unreadable"], true);
    let human = work.run(&["check", "--lang", "ja", "input"]).stdout();
    assert!(human.contains("提出あり（読めません）"), "{human}");
    assert!(!human.contains("未提出"), "{human}");
}

/// annex as a Japanese locale runs it: the output of `args`, with its exit status.
fn in_japanese(work: &Workdir, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_annex"))
        .current_dir(work.path(""))
        .args(args)
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "ja_JP.UTF-8")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

#[test]
fn a_japanese_reader_meets_japanese_everywhere() {
    let work = Workdir::seeded(|_| {});
    let (code, help, _) = in_japanese(&work, &["--help"]);
    assert_eq!(code, Some(0));
    assert!(
        help.contains("使い方: annex <コマンド>") && help.contains("例:"),
        "{help}"
    );
    assert!(
        !help.contains("Usage") && !help.contains("Print help"),
        "{help}"
    );
    let (code, _, error) = in_japanese(&work, &["check", "--fromat", "json"]);
    assert_eq!(code, Some(2));
    assert!(
        error.contains("「--fromat」というオプションはありません"),
        "{error}"
    );
    let (_, explained, _) = in_japanese(&work, &["explain", "sheet.renamed"]);
    assert!(
        explained.contains("例: KPI を KPI一覧 に改名"),
        "{explained}"
    );
    work.write("last.json", b"{\"format\": \"annex/1\",");
    let (code, _, error) = in_japanese(&work, &["check", "--previous", "last.json", "input"]);
    assert_eq!(code, Some(2));
    assert!(
        error.contains("1行") && error.contains("途中で終わっています"),
        "{error}"
    );
    assert!(!error.contains("EOF while parsing"), "{error}");
}
