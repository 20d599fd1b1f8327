//! A build killed at any moment leaves the previous outputs whole: each output is either the old
//! one or the new one, never a part of either.

mod support;

use std::time::Instant;

use serde_json::json;
use support::{rows, Workdir};

/// The council's data with many more figures, so that writing the outputs takes a while.
fn large() -> Workdir {
    Workdir::seeded(|files| {
        let kpis = rows(files, "meti", "KPI");
        for n in 3..1500 {
            kpis.push(json!({"id": format!("METI-001-K{n}"), "measure_id": "METI-001", "name": format!("指標{n}"), "value": n, "unit": "件"}));
        }
    })
}

#[test]
fn a_killed_build_leaves_the_old_outputs_or_the_new_ones() {
    let work = large();
    let old = work.path("old");
    work.run(&["build", "-o", "out"]).expect_code(0);
    std::fs::rename(work.path("out"), &old).unwrap();
    // The new outputs differ from the old ones: a measure's title changes.
    let changed = Workdir::seeded(|files| {
        support::row(files, "meti", "取組", "METI-001")["title"] = json!("改題した取組");
        let kpis = rows(files, "meti", "KPI");
        for n in 3..1500 {
            kpis.push(json!({"id": format!("METI-001-K{n}"), "measure_id": "METI-001", "name": format!("指標{n}"), "value": n, "unit": "件"}));
        }
    });
    std::fs::copy(
        changed.path("input/meti.xlsx"),
        work.path("input/meti.xlsx"),
    )
    .unwrap();
    work.run(&["build", "-o", "new"]).expect_code(0);

    let read = |dir: &str, file: &str| std::fs::read(work.path(dir).join(file)).unwrap();
    let versions = |file: &str| [read("old", file), read("new", file)];
    let (json_versions, xlsx_versions) = (versions("annex.json"), versions("annex.xlsx"));
    assert_ne!(json_versions[0], json_versions[1]);

    let started = Instant::now();
    work.run(&["build", "-o", "new"]).expect_code(0);
    let full = started.elapsed();
    let mut killed_mid_run = 0;
    for attempt in 0..12u32 {
        std::fs::remove_dir_all(work.path("out")).ok();
        copy_dir(&old, &work.path("out"));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("annex"))
            .current_dir(work.path(""))
            .args(["build", "--format", "json", "-o", "out"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(f64::from(attempt) / 10.0));
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        child.kill().ok();
        child.wait().unwrap();
        let json_now = read("out", "annex.json");
        let xlsx_now = read("out", "annex.xlsx");
        assert!(
            json_versions.contains(&json_now),
            "attempt {attempt}: annex.json is neither the old nor the new one"
        );
        assert!(
            xlsx_versions.contains(&xlsx_now),
            "attempt {attempt}: annex.xlsx is neither the old nor the new one"
        );
    }
    assert!(killed_mid_run > 0, "no build was killed while it ran");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}
