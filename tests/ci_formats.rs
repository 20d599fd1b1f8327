//! What CI shows: GitHub annotations with a note of those GitHub does not show and the whole
//! report in the job summary; JUnit XML for GitLab and Jenkins.

mod support;

use serde_json::json;
use support::{rows, Workdir};

/// The council's round with every KPI value of METI and MHLW typed as text: 14 errors.
fn broken() -> Workdir {
    Workdir::seeded(|files| {
        for stem in ["meti", "mhlw"] {
            for kpi in rows(files, stem, "KPI") {
                kpi["value"] = json!("abc");
            }
        }
    })
}

fn annex(work: &Workdir, args: &[&str], summary: Option<&std::path::Path>) -> std::process::Output {
    let mut command = assert_cmd::Command::cargo_bin("annex").unwrap();
    command
        .current_dir(work.path("."))
        .env("LANG", "C")
        .env_remove("LC_ALL")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(args);
    if let Some(summary) = summary {
        command.env("GITHUB_STEP_SUMMARY", summary);
    }
    command.output().unwrap()
}

#[test]
fn github_says_how_many_annotations_it_hides_and_the_job_summary_has_them_all() {
    let work = broken();
    let summary = work.path("summary.md");
    let run = annex(
        &work,
        &["check", "--format", "github", "input"],
        Some(&summary),
    );
    assert_eq!(run.status.code(), Some(1));
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        14
    );
    let notice = stdout.lines().find(|l| l.starts_with("::notice ")).unwrap();
    assert!(
        notice.contains("4 more errors and 0 more warnings"),
        "{notice}"
    );
    let markdown = std::fs::read_to_string(&summary).unwrap();
    assert!(markdown.starts_with("## annex: failed"), "{markdown}");
    assert_eq!(markdown.matches("`kpi.value.type`").count(), 14);
    assert!(markdown.contains("経産省 (METI)"), "the round at a glance");

    let clean = Workdir::seeded(|_| {});
    let run = annex(&clean, &["check", "--format", "github", "input"], None);
    assert_eq!(run.status.code(), Some(0));
    assert!(!String::from_utf8(run.stdout).unwrap().contains("::notice"));
}

#[test]
fn junit_has_a_test_case_per_workbook_and_a_failure_per_error() {
    use quick_xml::events::Event;
    let work = broken();
    let run = annex(&work, &["check", "--format", "junit", "input"], None);
    assert_eq!(run.status.code(), Some(1));
    let xml = String::from_utf8(run.stdout).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut cases, mut failures, mut failing) = (Vec::new(), 0, Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(tag) if tag.name().0 == "testcase" => {
                let name = tag.try_get_attribute("name").unwrap().unwrap();
                cases.push(name.value.to_string());
            }
            Event::Start(tag) if tag.name().0 == "failure" => {
                failures += 1;
                failing.push(cases.last().cloned().unwrap());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(cases.len(), 6, "{cases:?}");
    assert_eq!(failures, 14);
    failing.dedup();
    assert_eq!(failing, ["input/mhlw.xlsx", "input/meti.xlsx"]);
}

#[test]
fn the_human_report_shows_a_few_of_a_code_in_a_sheet_then_counts_the_rest() {
    let work = broken();
    let run = work.run(&["check", "input"]);
    run.expect_code(1);
    let out = run.stdout();
    assert_eq!(
        out.matches("  × 値 should be a number").count(),
        10,
        "five in each sheet"
    );
    assert!(
        out.contains("… and 4 more rows like this (kpi.value.type) in input/meti.xlsx › KPI"),
        "{out}"
    );
    let (_, report) = work.check_json(&["input"]);
    assert_eq!(
        report["diagnostics"].as_array().unwrap().len(),
        14,
        "JSON lists every one"
    );
}
