//! Workbooks written by other programs — LibreOffice's .ods and .xls, openpyxl's .xlsx — in the
//! contract's layout give exactly the master annex builds from `input/`.
//! The fixtures are made by `tests/fixtures/regenerate.sh`.

mod support;

use support::{repo, Workdir};

fn builds_the_same_master(fixtures: &str) {
    let work = Workdir::new();
    let folder = repo().join("tests/fixtures").join(fixtures);
    let run = work.run(&[
        "build",
        "--format",
        "json",
        "-o",
        "out",
        folder.to_str().unwrap(),
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["warnings"], 0, "{}", run.explain());
    let built = std::fs::read_to_string(work.path("out/annex.json")).unwrap();
    let expected = std::fs::read_to_string(repo().join("output/annex.json")).unwrap();
    assert!(
        built == expected,
        "{fixtures} reads differently from input/ (or is stale: run tests/fixtures/regenerate.sh)"
    );
}

#[test]
fn libreoffice_ods() {
    builds_the_same_master("ods");
}

#[test]
fn libreoffice_xls() {
    builds_the_same_master("xls");
}

#[test]
fn openpyxl_xlsx() {
    builds_the_same_master("openpyxl");
}
