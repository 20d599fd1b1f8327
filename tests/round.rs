//! A round the secretariat can trust: an incomplete round refuses and leaves the last master as
//! it was, a ministry checking its own workbook sees only its own problems, and every report says
//! who has sent what.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::Workdir;

/// Every file under `dir`, with its bytes, sorted by path.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    files
}

fn codes(report: &Value) -> Vec<String> {
    (report["diagnostics"].as_array().unwrap().iter())
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// A round whose last build left `output/`, to see that a refused build leaves it alone.
fn built_round() -> (Workdir, Vec<(String, Vec<u8>)>) {
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "input"]).expect_code(0);
    let before = snapshot(&work.path("output"));
    assert_eq!(before.len(), 3);
    (work, before)
}

#[test]
fn an_incomplete_round_refuses_and_leaves_the_last_master_byte_for_byte() {
    let (work, before) = built_round();
    std::fs::create_dir(work.path("empty")).unwrap();
    let refused = [
        (vec!["build", "--format", "json", "empty"], "round.empty"),
        (
            vec!["build", "--format", "json", "input/meti.xlsx"],
            "round.no_council",
        ),
        (
            vec!["build", "--format", "json", "input/council.xlsx"],
            "round.no_submissions",
        ),
    ];
    for (args, code) in refused {
        let run = work.run(&args);
        run.expect_code(1);
        assert!(
            codes(&run.json()).contains(&code.to_string()),
            "{}",
            run.explain()
        );
        assert_eq!(snapshot(&work.path("output")), before, "{args:?}");
    }
    std::fs::remove_file(work.path("input/mhlw.xlsx")).unwrap();
    let run = work.run(&["build", "--format", "json", "--lang", "ja", "input"]);
    run.expect_code(1);
    let report = run.json();
    let missing: Vec<_> = (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["code"] == "round.missing")
        .map(|d| d["message"].clone())
        .collect();
    assert_eq!(missing, [json!("厚労省（MHLW）の提出ブックがありません")]);
    assert_eq!(report["round"]["missing"], json!(["MHLW"]));
    assert_eq!(snapshot(&work.path("output")), before);
}

#[test]
fn a_partial_round_builds_and_says_whom_it_lacks() {
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem != "mhlw"));
    let run = work.run(&["build", "--partial", "input"]);
    run.expect_code(0);
    let master = support::read_json(&work.path("output/annex.json"));
    assert_eq!(master["missing_organisations"], json!(["MHLW"]));
    let markdown = std::fs::read_to_string(work.path("output/annex.md")).unwrap();
    let first_lines: Vec<&str> = markdown.lines().take(3).collect();
    assert!(
        first_lines
            .iter()
            .any(|line| line.contains("厚労省（MHLW）の提出ブックがないまま")),
        "{first_lines:?}"
    );
    let whole = Workdir::seeded(|_| {});
    whole.run(&["build", "input"]).expect_code(0);
    let master = support::read_json(&whole.path("output/annex.json"));
    assert!(master.get("missing_organisations").is_none());
}

#[test]
fn a_ministry_checking_its_own_workbook_sees_only_its_own_problems() {
    let work = Workdir::seeded(|_| {});
    let run = work.run(&[
        "check",
        "--deny-warnings",
        "input/meti.xlsx",
        "input/council.xlsx",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout().contains("Not in this run: 内閣府 (CAO)"),
        "{}",
        run.explain()
    );
    // The same files as a folder are a round: the issues others answer, the others' absence.
    std::fs::create_dir(work.path("two")).unwrap();
    for name in ["meti.xlsx", "council.xlsx"] {
        std::fs::copy(
            work.path(&format!("input/{name}")),
            work.path(&format!("two/{name}")),
        )
        .unwrap();
    }
    let (status, report) = work.check_json(&["two"]);
    assert_eq!(status, 1);
    let found = codes(&report);
    assert_eq!(found.iter().filter(|c| *c == "round.missing").count(), 4);
    assert!(found.contains(&"issue.no_measures".to_string()));
}

#[test]
fn two_copies_of_one_submission_are_one_finding_naming_both() {
    let work = Workdir::seeded(|_| {});
    std::fs::copy(
        work.path("input/meti.xlsx"),
        work.path("input/meti - コピー.xlsx"),
    )
    .unwrap();
    let (status, report) = work.check_json(&["input"]);
    assert_eq!(
        (status, codes(&report)),
        (1, vec!["round.duplicate".to_string()])
    );
    let finding = &report["diagnostics"][0];
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("input/meti.xlsx") && message.contains("input/meti - コピー.xlsx"),
        "{message}"
    );
    let line = (report["round"]["senders"].as_array().unwrap().iter())
        .find(|s| s["organisation"] == "METI")
        .unwrap();
    assert_eq!(line["files"].as_array().unwrap().len(), 2);
}

#[test]
fn every_report_carries_the_round_at_a_glance() {
    let work = Workdir::seeded(|files| files.retain(|(stem, _)| stem != "cao"));
    let (_, report) = work.check_json(&["input"]);
    let senders = report["round"]["senders"].as_array().unwrap();
    let meti = senders
        .iter()
        .find(|s| s["organisation"] == "METI")
        .unwrap();
    assert_eq!(
        (
            &meti["name"],
            &meti["files"],
            &meti["measures"],
            &meti["kpis"]
        ),
        (
            &json!("経産省"),
            &json!(["input/meti.xlsx"]),
            &json!(10),
            &json!(9)
        )
    );
    assert_eq!(senders[0]["name"], "協議会マスター");
    assert_eq!(report["round"]["missing"], json!(["CAO"]));
    for format in ["human", "github"] {
        let run = work.run(&["check", "--format", format, "input"]);
        let out = run.stdout();
        assert!(out.contains("The round:"), "{out}");
        assert!(
            out.contains("経産省 (METI)") && out.contains("No workbook from: 内閣府 (CAO)"),
            "{out}"
        );
    }
}

#[cfg(unix)]
#[test]
fn outputs_are_created_with_the_usual_permissions_and_keep_their_own() {
    use std::os::unix::fs::PermissionsExt;
    let work = Workdir::seeded(|_| {});
    // The tests run under the umask they were started with; so does annex.
    // SAFETY: umask only reads and sets this process's file-creation mask.
    let umask = unsafe {
        let mask = libc::umask(0o022);
        libc::umask(mask);
        mask
    } as u32;
    work.run(&["build", "input"]).expect_code(0);
    let mode = |name: &str| {
        let path = work.path(&format!("output/{name}"));
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    };
    for name in ["annex.json", "annex.xlsx", "annex.md"] {
        assert_eq!(mode(name), 0o666 & !umask, "{name}");
    }
    let xlsx = work.path("output/annex.xlsx");
    std::fs::set_permissions(&xlsx, std::fs::Permissions::from_mode(0o664)).unwrap();
    work.run(&["build", "input"]).expect_code(0);
    assert_eq!(mode("annex.xlsx"), 0o664);
}
