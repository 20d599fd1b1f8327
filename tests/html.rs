//! `--format html`: one self-contained page, checked as its readers see it, in a real browser
//! (headless Chromium, which `.ci/run` installs): the headline, the round, every problem at its
//! cell, and a workbook's text shown as text, never run as markup.

mod support;

use std::process::Command;

use serde_json::json;
use support::{row, rows, Workdir};

/// The page as Chromium has it once loaded, scripts and all: its DOM.
fn rendered(page: &std::path::Path) -> String {
    let output = Command::new(std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into()))
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs (apt-get install chromium)");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_page_shows_every_problem_and_a_hostile_cell_stays_text() {
    let work = Workdir::seeded(|files| {
        for kpi in rows(files, "meti", "KPI") {
            kpi["value"] = json!("abc");
        }
        row(files, "meti", "KPI", "METI-001-K1")["value"] =
            json!("<script>document.title='pwned'</script>");
        row(files, "meti", "KPI", "METI-001-K2")["name"] =
            json!("<img src=x onerror=\"document.title='pwned'\">");
        row(files, "meti", "KPI", "METI-001-K2")["unit"] = json!("個");
    });
    let run = work.run(&["check", "--format", "html", "--lang", "ja", "input"]);
    run.expect_code(1);
    let html = run.stdout();
    assert!(
        !html.contains("<script") && !html.contains("<img"),
        "no markup from a cell"
    );
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing external"
    );
    let page = work.path("report.html");
    std::fs::write(&page, &html).unwrap();
    let dom = rendered(&page);
    assert!(
        dom.contains("<title>annex 確認結果</title>"),
        "no script ran: {}",
        &dom[..400.min(dom.len())]
    );
    assert!(dom.contains("不合格"));
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"),
        "shown as text"
    );
    assert!(!dom.contains("<img"));
    assert!(dom.contains("提出状況") && dom.contains("経産省（METI）"));
    let (_, report) = work.check_json(&["input"]);
    for d in report["diagnostics"].as_array().unwrap() {
        let code = d["code"].as_str().unwrap();
        assert!(dom.contains(code), "{code} is not on the page");
    }
    // METI's nine values typed wrong: the first five shown, the other four counted.
    assert_eq!(
        dom.matches("<span class=\"code\">kpi.value.type</span>")
            .count(),
        5
    );
    assert!(dom.contains("ほか 4 行も同じ問題です（kpi.value.type）"));
}

/// The check: the openpyxl workbook with a dozen typical mistakes, as a page in Chromium.
#[test]
fn every_mistake_of_a_ministry_s_workbook_is_on_the_page() {
    let work = Workdir::new();
    work.fixture("tests/fixtures/mistakes/meti-openpyxl.xlsx", "meti.xlsx");
    let run = work.run(&["check", "--format", "html", "--lang", "ja", "meti.xlsx"]);
    run.expect_code(1);
    let page = work.path("report.html");
    std::fs::write(&page, run.stdout()).unwrap();
    let dom = rendered(&page);
    assert!(
        !dom.contains("<img") && !dom.contains("<script>alert"),
        "a hostile cell stays text"
    );
    assert!(
        dom.contains("&lt;img src=x onerror=alert(1)&gt;") || dom.contains("&lt;img src=x onerr")
    );
    let report = work
        .run(&["check", "--format", "json", "--lang", "ja", "meti.xlsx"])
        .json();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(diagnostics.len() >= 10);
    for d in diagnostics {
        let message = annex::report::escape(d["message"].as_str().unwrap())
            .replace("&#39;", "'")
            .replace("&quot;", "\"");
        assert!(dom.contains(&message), "not on the page: {message}");
    }
}
