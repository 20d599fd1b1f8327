//! `annex build`: the council's data in, a master out that matches the seed document; nothing
//! written when anything is wrong; exit status 2 when the command itself is wrong.

mod support;

use annex::schema::Schemas;
use serde_json::{json, Value};
use support::{read_json, repo, row, Workdir};

fn all<'a>(master: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    let mut level = vec![master];
    for key in path {
        level = level
            .into_iter()
            .flat_map(|node| node[*key].as_array().into_iter().flatten())
            .collect();
    }
    level
}

fn kpi<'a>(master: &'a Value, id: &str) -> &'a Value {
    all(
        master,
        &["challenges", "sections", "issues", "measures", "kpis"],
    )
    .into_iter()
    .find(|k| k["id"] == id)
    .unwrap_or_else(|| panic!("no KPI {id}"))
}

#[test]
fn the_council_data_becomes_a_master_that_matches_the_seed() {
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "-o", "out"]).expect_code(0);
    let master = read_json(&work.path("out/annex.json"));
    let schemas = Schemas::embedded().unwrap();
    assert_eq!(schemas.master_errors(&master), Vec::<String>::new());

    let count = |path: &[&str]| all(&master, path).len();
    assert_eq!(count(&["challenges"]), 2);
    assert_eq!(count(&["challenges", "sections"]), 10);
    assert_eq!(count(&["challenges", "sections", "issues"]), 19);
    let measures = all(&master, &["challenges", "sections", "issues", "measures"]);
    assert_eq!(measures.len(), 31);
    assert_eq!(
        count(&["challenges", "sections", "issues", "measures", "kpis"]),
        19
    );
    assert_eq!(
        measures
            .iter()
            .filter(|m| m.get("relisted_from").is_some())
            .count(),
        2
    );

    assert_eq!(
        (
            &kpi(&master, "METI-001-K1")["value"],
            &kpi(&master, "METI-001-K1")["unit"]
        ),
        (&json!(48), &json!("件"))
    );
    assert_eq!(kpi(&master, "METI-001-K2")["value"], 8);
    assert_eq!(kpi(&master, "METI-001-K2")["part_of"], "METI-001-K1");
    let visitors = kpi(&master, "MHLW-003-K1");
    assert_eq!(
        (&visitors["value"], &visitors["unit"], &visitors["as_of"]),
        (&json!(1010), &json!("人"), &json!("2024-12"))
    );
    assert_eq!(kpi(&master, "MHLW-003-K3")["value"], 327);
    let provided = kpi(&master, "CAO-001-K2");
    assert_eq!(
        (
            &provided["value"],
            &provided["cumulative"],
            &provided["as_of"]
        ),
        (&json!(67), &json!(true), &json!("2025-03"))
    );
    let approvals = kpi(&master, "MHLW-001-K1");
    assert_eq!(
        (&approvals["fy_from"], &approvals["fy_to"]),
        (&json!(2020), &json!(2024))
    );

    let data = measures.iter().find(|m| m["id"] == "CAO-001").unwrap();
    assert_eq!(data["ministries"], json!(["CAO", "MEXT", "MHLW", "METI"]));
    assert_eq!(data["title"], "次世代医療基盤法に基づく医療情報の活用");
    let amed = &master["challenges"][1]["sections"][6];
    assert_eq!(
        (&amed["id"], &amed["issues"][0]["measures"][0]["id"]),
        (&json!("2-7"), &json!("AMED-002"))
    );
    assert_eq!(
        master["organisations"][3],
        json!({"code": "METI", "short_name": "経産省", "name": "経済産業省"})
    );
    assert!(work.path("out/annex.xlsx").is_file());
}

#[test]
fn the_committed_master_is_what_build_writes_from_input() {
    let work = Workdir::new();
    let run = assert_cmd::Command::cargo_bin("annex")
        .unwrap()
        .current_dir(repo())
        .args(["build", "--format", "json", "-o"])
        .arg(work.path("out"))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stdout)
    );
    let fresh = std::fs::read_to_string(work.path("out/annex.json")).unwrap();
    let committed = std::fs::read_to_string(repo().join("output/annex.json")).unwrap();
    assert!(
        fresh == committed,
        "output/annex.json is stale: run `cargo run --release -- build` and commit it"
    );
}

#[test]
fn nothing_is_written_when_there_are_errors() {
    let work = Workdir::seeded(|f| row(f, "meti", "KPI", "METI-001-K2")["value"] = json!("abc"));
    work.write("out/annex.json", b"previous master");
    let run = work.run(&["build", "-o", "out"]);
    run.expect_code(1);
    assert_eq!(
        std::fs::read(work.path("out/annex.json")).unwrap(),
        b"previous master"
    );
    assert!(!work.path("out/annex.xlsx").exists(), "{}", run.explain());
}

#[test]
fn nothing_is_written_on_warnings_when_they_are_denied() {
    let work = Workdir::seeded(|f| row(f, "meti", "KPI", "METI-001-K2")["value"] = json!("8件"));
    work.run(&["build", "--deny-warnings", "-o", "out"])
        .expect_code(1);
    assert!(!work.path("out").exists());
    work.run(&["build", "-o", "out"]).expect_code(0);
    assert_eq!(
        support::read_json(&work.path("out/annex.json"))["format"],
        "annex/1"
    );
}

#[test]
fn a_wrong_command_exits_with_2() {
    let work = Workdir::seeded(|_| {});
    let missing = work.run(&["check", "no-such-folder"]);
    missing.expect_code(2);
    assert!(
        missing.stderr().contains("no-such-folder"),
        "{}",
        missing.explain()
    );
    work.run(&["check", "--no-such-flag"]).expect_code(2);
    work.run(&["check", "--format", "xml"]).expect_code(2);
    work.write("schemas/kpi.schema.json", b"{ not json");
    let schemas = work.run(&["check", "--schemas", "schemas", "input"]);
    schemas.expect_code(2);
    assert!(
        schemas.stderr().contains("kpi.schema.json"),
        "{}",
        schemas.explain()
    );
}

#[test]
fn another_schema_folder_changes_the_rules() {
    let work = Workdir::seeded(|_| {});
    work.schemas_with("schemas", "kpi.schema.json", |kpi| {
        kpi["properties"]["value"]["maximum"] = json!(1000)
    });
    let (status, report) = {
        let run = work.run(&["check", "--format", "json", "--schemas", "schemas", "input"]);
        (run.code(), run.json())
    };
    assert_eq!(status, 1);
    assert_eq!(
        report["diagnostics"][0]["code"], "kpi.value.maximum",
        "{report:#}"
    );
    assert_eq!(report["diagnostics"][0]["cell"], "D3");
}

#[test]
fn help_shows_examples() {
    let work = Workdir::new();
    let help = work.run(&["--help"]);
    help.expect_code(0);
    assert!(
        help.stdout().contains("annex check --format json"),
        "{}",
        help.explain()
    );
}

#[test]
fn the_same_round_builds_the_same_bytes() {
    // The workbook's sheets are written side by side; nothing of that may show in the files.
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "-o", "first"]).expect_code(0);
    work.run(&["build", "-o", "second"]).expect_code(0);
    for file in ["annex.json", "annex.xlsx", "annex.md"] {
        let read = |dir: &str| std::fs::read(work.path(dir).join(file)).unwrap();
        assert!(
            read("first") == read("second"),
            "{file} differs between two builds"
        );
    }
}

/// A title as the seed document prints it: NFKC, no white space, no （再掲） mark.
fn normalised_title(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let title = title.trim_start_matches('【').trim_end_matches('】');
    let title = title.replace("】（再掲）", "");
    title.nfkc().filter(|c| !c.is_whitespace()).collect()
}

/// The 【titles】 of a text, in order, as [`normalised_title`] makes them.
fn titles_in(text: &str) -> Vec<String> {
    text.split('【')
        .skip(1)
        .filter_map(|rest| rest.split_once('】'))
        .map(|(title, _)| normalised_title(title))
        .collect()
}

#[test]
fn the_annex_lists_measures_in_the_order_of_the_councils_document() {
    let seed: Vec<String> = std::fs::read_to_string(repo().join("tests/fixtures/seed_titles.txt"))
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(str::to_string)
        .collect();
    assert_eq!(seed.len(), 31);
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "input"]).expect_code(0);
    let markdown = std::fs::read_to_string(work.path("output/annex.md")).unwrap();
    assert_eq!(titles_in(&markdown), seed, "annex.md");
    let master = read_json(&work.path("output/annex.json"));
    let measures = all(&master, &["challenges", "sections", "issues", "measures"]);
    let titles: Vec<String> = (measures.iter())
        .map(|m| normalised_title(m["title"].as_str().unwrap()))
        .collect();
    assert_eq!(titles, seed, "annex.json");
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> = calamine::open_workbook(work.path("output/annex.xlsx")).unwrap();
    let sheet = workbook.worksheet_range("別添").unwrap();
    let text: String = (sheet.rows().flatten())
        .map(|cell| format!("{cell}\n"))
        .collect();
    assert_eq!(titles_in(&text), seed, "別添");
}

#[test]
fn without_an_order_the_measures_of_an_issue_follow_their_ids() {
    let work = Workdir::seeded(|files| {
        let council = &mut files
            .iter_mut()
            .find(|(stem, _)| stem == "council")
            .unwrap()
            .1;
        for issue in council["sheets"]["論点"].as_array_mut().unwrap() {
            issue.as_object_mut().unwrap().remove("measure_order");
        }
    });
    work.run(&["build", "input"]).expect_code(0);
    let master = read_json(&work.path("output/annex.json"));
    let issue = all(&master, &["challenges", "sections", "issues"])
        .into_iter()
        .find(|i| i["id"] == "1-2-04")
        .unwrap();
    let ids: Vec<_> = (issue["measures"].as_array().unwrap().iter())
        .map(|m| m["id"].clone())
        .collect();
    assert_eq!(
        ids,
        [json!("METI-003"), json!("METI-004"), json!("MHLW-002")]
    );
}
