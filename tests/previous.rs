//! Rounds over time: `--previous last/annex.json` on check and build, `annex diff`, and the
//! templates that show last round's values. The council's own data is this round; last round is
//! its master with one figure changed, as the issue describes (累計67件 was 70).

mod support;

use serde_json::{json, Value};
use support::{read_json, repo, row, Workdir};

/// The council's master, as the repository's build wrote it from `input/`.
fn council_master() -> Value {
    read_json(&repo().join("output/annex.json"))
}

/// Every node of a master at the end of `path`, to change.
fn nodes<'a>(master: &'a mut Value, path: &[&str]) -> Vec<&'a mut Value> {
    let mut level = vec![master];
    for key in path {
        level = level
            .into_iter()
            .flat_map(|node| node[*key].as_array_mut().into_iter().flatten())
            .collect();
    }
    level
}

const KPIS: &[&str] = &["challenges", "sections", "issues", "measures", "kpis"];
const MEASURES: &[&str] = &["challenges", "sections", "issues", "measures"];

/// Last round's master: this round's, with one change made to it.
fn last_round(work: &Workdir, change: impl FnOnce(&mut Value)) -> String {
    let mut master = council_master();
    change(&mut master);
    work.write(
        "last/annex.json",
        &serde_json::to_vec_pretty(&master).unwrap(),
    );
    "last/annex.json".to_string()
}

/// Last round, when 匿名加工医療情報の提供件数 (累計) was 70.
fn was_70(master: &mut Value) {
    for kpi in nodes(master, KPIS) {
        if kpi["id"] == "CAO-001-K2" {
            kpi["value"] = json!(70);
        }
    }
}

fn diagnostics_with<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["code"] == code)
        .collect()
}

#[test]
fn a_running_total_that_fell_stops_the_build_at_its_cell() {
    let work = Workdir::seeded(|_| {});
    let previous = last_round(&work, was_70);
    let run = work.run(&[
        "build",
        "--previous",
        &previous,
        "--format",
        "json",
        "-o",
        "out",
    ]);
    run.expect_code(1);
    let report = run.json();
    let fell = diagnostics_with(&report, "previous.total_fell");
    assert_eq!(fell.len(), 1, "{}", run.explain());
    let at = |key: &str| fell[0][key].as_str().unwrap_or_default().to_string();
    assert_eq!(
        (
            at("severity"),
            at("file"),
            at("sheet"),
            at("cell"),
            at("column")
        ),
        (
            "error".into(),
            "input/cao.xlsx".into(),
            "KPI".into(),
            "D3".into(),
            "値".into()
        )
    );
    assert!(
        at("message").contains("70件") && at("message").contains("67件"),
        "{}",
        at("message")
    );
    assert!(
        !work.path("out/annex.json").exists(),
        "a build with errors writes nothing"
    );
    let change = &report["comparison"]["changes"][0];
    assert_eq!(
        (
            &change["id"],
            &change["change"],
            &change["before"],
            &change["after"]
        ),
        (
            &json!("CAO-001-K2"),
            &json!("value"),
            &json!(70),
            &json!(67)
        )
    );
    assert_eq!(change["difference"], json!(-3.0));
    assert_eq!(change["percent"], json!(-4.3));
}

#[test]
fn a_fall_that_its_note_explains_builds_with_a_warning_and_shows_in_the_outputs() {
    let work = Workdir::seeded(|files| {
        row(files, "cao", "KPI", "CAO-001-K2")["note"] = json!("集計方法を見直したため");
    });
    let previous = last_round(&work, was_70);
    let run = work.run(&[
        "build",
        "--previous",
        &previous,
        "--format",
        "json",
        "-o",
        "out",
    ]);
    run.expect_code(0);
    let report = run.json();
    let explained = diagnostics_with(&report, "previous.total_fell_explained");
    assert_eq!(explained.len(), 1, "{}", run.explain());
    assert_eq!(explained[0]["severity"], "warning");
    assert_eq!(explained[0]["cell"], "D3");
    assert!(diagnostics_with(&report, "previous.total_fell").is_empty());

    let markdown = std::fs::read_to_string(work.path("out/annex.md")).unwrap();
    let section = &markdown[markdown.find("## 前回比").expect("a 前回比 section")..];
    assert!(
        section.contains("| KPI | CAO-001-K2 | 匿名加工医療情報の提供件数 | 値の変化 | 値 | 70 | 67 | -3（-4.3%） |"),
        "{section}"
    );
    // The note changed too: a field change of its own.
    assert!(section.contains("| KPI | CAO-001-K2 | 匿名加工医療情報の提供件数 | 変更 | 備考 | （空欄） | 集計方法を見直したため |"), "{section}");

    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook(work.path("out/annex.xlsx")).unwrap();
    let names = workbook.sheet_names();
    assert_eq!(names[..3], ["別添", "指標", "前回比"]);
    let sheet = workbook.worksheet_range("前回比").unwrap();
    let lines: Vec<Vec<Data>> = sheet.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(
        lines[0].iter().map(|d| d.to_string()).collect::<Vec<_>>(),
        [
            "区分",
            "ID",
            "名称",
            "変化",
            "項目",
            "単位",
            "前回",
            "今回",
            "増減",
            "増減率"
        ]
    );
    let line = (lines.iter())
        .find(|l| {
            l[1] == Data::String("CAO-001-K2".into()) && l[3] == Data::String("値の変化".into())
        })
        .expect("CAO-001-K2's value line");
    assert_eq!(
        line[6..],
        [
            Data::Float(70.0),
            Data::Float(67.0),
            Data::Float(-3.0),
            Data::Float(-3.0 / 70.0)
        ]
    );
    // Every figure has its line; the unchanged ones say so.
    let figures = lines
        .iter()
        .filter(|l| l[0] == Data::String("KPI".into()) && l[4] == Data::String("値".into()));
    assert_eq!(figures.count(), 19);
    let same = lines
        .iter()
        .filter(|l| l[3] == Data::String("変化なし".into()))
        .count();
    assert_eq!(same, 18);
    // The lines that changed are filled; the sheet filters.
    let sheet_xml = support::xlsx_part(&work.path("out/annex.xlsx"), "xl/worksheets/sheet3.xml");
    assert!(sheet_xml.contains("<autoFilter ref=\"A1:J"), "{sheet_xml}");
    let styles = support::xlsx_part(&work.path("out/annex.xlsx"), "xl/styles.xml");
    assert!(styles.contains("FFFFF2CC"), "the highlight fill");
}

#[test]
fn a_large_change_asks_for_its_reason_at_the_threshold_the_run_sets() {
    let work = Workdir::seeded(|_| {});
    // METI-001-K1 (採択件数) is 48 this round.
    let previous = last_round(&work, |master| {
        for kpi in nodes(master, KPIS) {
            if kpi["id"] == "METI-001-K1" {
                kpi["value"] = json!(40);
            }
        }
    });
    let large = |threshold: &str| {
        let run = work.run(&[
            "check",
            "--previous",
            &previous,
            "--change-threshold",
            threshold,
            "--format",
            "json",
        ]);
        run.expect_code(0);
        let report = run.json();
        (diagnostics_with(&report, "previous.large_change").iter())
            .map(|d| {
                format!(
                    "{} {}",
                    d["file"].as_str().unwrap(),
                    d["cell"].as_str().unwrap()
                )
            })
            .collect::<Vec<_>>()
    };
    assert!(large("50").is_empty(), "+20% is within ±50%");
    assert_eq!(large("10"), ["input/meti.xlsx D2"]);
    work.run(&[
        "check",
        "--previous",
        &previous,
        "--change-threshold",
        "lots",
    ])
    .expect_code(2);
}

#[test]
fn a_measure_gone_or_under_another_lead_is_named_with_last_round_s_row() {
    let work = Workdir::seeded(|_| {});
    let previous = last_round(&work, |master| {
        for issue in nodes(master, &["challenges", "sections", "issues"]) {
            if issue["id"] == "1-2-01" {
                let measures = issue["measures"].as_array_mut().unwrap();
                measures.push(
                    json!({"id": "METI-099", "issue_id": "1-2-01", "title": "終了した取組",
                    "description": "前回まで", "ministries": ["METI"], "kpis": []}),
                );
            }
        }
        for measure in nodes(master, MEASURES) {
            if measure["id"] == "MEXT-001" {
                measure["id"] = json!("AMED-050");
                measure["ministries"] = json!(["AMED"]);
            }
        }
    });
    let (code, report) = {
        let run = work.run(&[
            "check",
            "--previous",
            &previous,
            "--format",
            "json",
            "--lang",
            "ja",
        ]);
        (run.code(), run.json())
    };
    assert_eq!(code, 0);
    let removed = diagnostics_with(&report, "previous.removed");
    assert_eq!(removed.len(), 1);
    assert_eq!(
        (&removed[0]["file"], &removed[0]["sheet"]),
        (&json!("input/meti.xlsx"), &json!("取組"))
    );
    let message = removed[0]["message"].as_str().unwrap();
    assert!(
        message.contains("「METI-099」終了した取組（論点ID 1-2-01）"),
        "{message}"
    );
    let moved = diagnostics_with(&report, "previous.lead_changed");
    assert_eq!(moved.len(), 1, "{report:#}");
    assert_eq!(
        (&moved[0]["file"], &moved[0]["column"]),
        (&json!("input/mext.xlsx"), &json!("取組ID"))
    );
    assert!(moved[0]["message"]
        .as_str()
        .unwrap()
        .contains("「AMED-050」"));
}

#[test]
fn one_ministry_s_check_compares_its_own_rows_only() {
    let work = Workdir::seeded(|_| {});
    let previous = last_round(&work, was_70);
    let run = work.run(&[
        "check",
        "--previous",
        &previous,
        "--format",
        "json",
        "input/meti.xlsx",
        "input/council.xlsx",
    ]);
    run.expect_code(0);
    let report = run.json();
    assert_eq!(
        report["comparison"]["changes"],
        json!([]),
        "CAO's change is not METI's"
    );
    let codes: Vec<&str> = (report["diagnostics"].as_array().unwrap().iter())
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["previous.unchanged"],
        "METI sent last round's rows again"
    );
}

#[test]
fn a_previous_file_that_is_no_master_stops_the_run_naming_it() {
    let work = Workdir::seeded(|_| {});
    work.write(
        "report.json",
        br#"{"files": 6, "errors": 0, "diagnostics": []}"#,
    );
    let run = work.run(&["build", "--previous", "report.json", "-o", "out"]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("report.json is not a master written by annex build"),
        "{}",
        run.explain()
    );
    let mut newer = council_master();
    newer["format"] = json!("annex/2");
    work.write("newer.json", &serde_json::to_vec(&newer).unwrap());
    let run = work.run(&["check", "--previous", "newer.json"]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("newer.json is a master of format annex/2"),
        "{}",
        run.explain()
    );
    work.run(&["check", "--previous", "nowhere.json"])
        .expect_code(2);
    assert!(!work.path("out").exists());
}

#[test]
fn a_master_made_by_an_older_annex_is_read() {
    // The master the first version of annex wrote (commit aa63a56), from the council data of then.
    let work = Workdir::new();
    work.fixture("tests/fixtures/previous/annex-aa63a56.json", "old.json");
    work.fixture("output/annex.json", "new.json");
    let run = work.run(&["diff", "old.json", "new.json", "--format", "json"]);
    run.expect_code(0);
    let comparison = &run.json()["comparison"];
    // 取組の掲載順, added to the council master since, is the only difference: a field the old
    // master lacks reads as empty, and nothing else is taken for a change.
    assert_eq!(comparison["counts"]["changed"], 7, "{comparison:#}");
    let changes = comparison["changes"].as_array().unwrap();
    assert!(changes
        .iter()
        .all(|c| c["entity"] == "issue" && c.get("before").is_none()));
    assert_eq!(
        changes[0]["after"],
        json!(["MHLW-002", "METI-003", "METI-004"])
    );
}

#[test]
fn annex_diff_compares_any_two_masters() {
    let work = Workdir::new();
    work.fixture("output/annex.json", "this.json");
    let this = std::path::Path::new("this.json");
    let previous = last_round(&work, was_70);
    let same = work.run(&["diff", this.to_str().unwrap(), this.to_str().unwrap()]);
    same.expect_code(0);
    assert!(
        same.stdout().contains("nothing changed"),
        "{}",
        same.explain()
    );
    let fell = work.run(&["diff", &previous, this.to_str().unwrap()]);
    fell.expect_code(1);
    assert!(
        fell.stdout()
            .contains("KPI CAO-001-K2 \"匿名加工医療情報の提供件数\": 値 70 → 67 (-3, -4.3%)"),
        "{}",
        fell.explain()
    );
    assert!(fell.stdout().contains("previous.total_fell"));
    let json = work.run(&[
        "diff",
        &previous,
        this.to_str().unwrap(),
        "--format",
        "json",
    ]);
    json.expect_code(1);
    let report = json.json();
    assert_eq!(report["comparison"]["counts"]["value"], 1);
    assert_eq!(report["errors"], 1);
    assert_eq!(report["diagnostics"][0]["file"], "this.json");
    let grew = work.run(&["diff", this.to_str().unwrap(), &previous]);
    grew.expect_code(0);
}

#[test]
fn a_template_from_last_round_shows_its_values_read_only_and_checks_clean() {
    let work = Workdir::seeded(|_| {});
    let previous = last_round(&work, was_70);
    work.run(&[
        "template", "--org", "CAO", "--from", &previous, "-o", "cao.xlsx",
    ])
    .expect_code(0);
    use calamine::{Data, Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook(work.path("cao.xlsx")).unwrap();
    let sheet = workbook.worksheet_range("KPI").unwrap();
    let header: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|d| d.to_string())
        .collect();
    let at = header
        .iter()
        .position(|h| h == "前回値")
        .expect("a 前回値 column");
    assert_eq!(header[at - 1], "値");
    let k2 = sheet
        .rows()
        .find(|r| r[0] == Data::String("CAO-001-K2".into()))
        .unwrap();
    assert_eq!(
        (&k2[at - 1], &k2[at]),
        (&Data::Float(70.0), &Data::Float(70.0))
    );
    let sheet_xml = support::xlsx_part(&work.path("cao.xlsx"), "xl/worksheets/sheet2.xml");
    assert!(
        sheet_xml.contains("<sheetProtection"),
        "the sheet is protected, 前回値 locked"
    );
    // Read back beside the council master, it checks clean: the column is passed over.
    std::fs::copy(work.path("cao.xlsx"), work.path("input/cao.xlsx")).unwrap();
    let (code, report) = work.check_json(&["input/cao.xlsx", "input/council.xlsx"]);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["diagnostics"], json!([]));
}

/// This round with a few changes from the last: a total that fell with its reason, a figure that
/// grew by more than half, a measure renamed, one gone.
fn changed_round() -> (Workdir, String) {
    let work = Workdir::seeded(|files| {
        row(files, "cao", "KPI", "CAO-001-K2")["note"] = json!("集計方法を見直したため");
        row(files, "meti", "取組", "METI-003")["title"] = json!("ロボット介護機器の開発・導入促進");
    });
    let previous = last_round(&work, |master| {
        was_70(master);
        for kpi in nodes(master, KPIS) {
            if kpi["id"] == "METI-001-K1" {
                kpi["value"] = json!(30);
            }
        }
        for issue in nodes(master, &["challenges", "sections", "issues"]) {
            if issue["id"] == "1-2-01" {
                let measures = issue["measures"].as_array_mut().unwrap();
                measures.push(
                    json!({"id": "METI-099", "issue_id": "1-2-01", "title": "終了した取組",
                    "description": "前回まで", "ministries": ["METI"], "kpis": []}),
                );
            }
        }
    });
    (work, previous)
}

#[test]
fn the_round_beside_the_last_as_people_read_it() {
    let (work, previous) = changed_round();
    let run = work.run(&["check", "--previous", &previous, "--lang", "ja"]);
    run.expect_code(0);
    insta::assert_snapshot!(run.stdout());
}

#[test]
fn the_report_page_shows_the_changes_as_text() {
    let work = Workdir::seeded(|files| {
        row(files, "meti", "取組", "METI-003")["title"] = json!("<img src=x onerror=alert(1)>");
    });
    let previous = last_round(&work, |_| {});
    let run = work.run(&[
        "check",
        "--previous",
        &previous,
        "--format",
        "html",
        "--lang",
        "ja",
    ]);
    run.expect_code(0);
    let page = run.stdout();
    let section = &page[page.find("<h2>前回比</h2>").expect("a 前回比 section")..];
    assert!(section.contains("<td>名称変更</td>"), "{section}");
    assert!(
        section.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{section}"
    );
    assert!(!page.contains("<img"), "no markup from a workbook");
}
