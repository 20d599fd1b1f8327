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

/// `input/`'s workbooks with their parts under `excel/` rather than `xl/`: valid, but not where
/// annex's own `.xlsx` reader looks, so calamine reads them.
#[test]
fn xlsx_whose_parts_are_elsewhere_is_read_by_calamine_alike() {
    use std::io::{Read, Write};
    let work = Workdir::new();
    for stem in ["amed", "cao", "council", "meti", "mext", "mhlw"] {
        let bytes = std::fs::read(repo().join(format!("input/{stem}.xlsx"))).unwrap();
        let mut original = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut moved = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for index in 0..original.len() {
            let mut part = original.by_index(index).unwrap();
            let name = part.name().unwrap().replacen("xl/", "excel/", 1);
            let mut content = Vec::new();
            part.read_to_end(&mut content).unwrap();
            let content = String::from_utf8(content).unwrap();
            let content = content
                .replace("/xl/", "/excel/")
                .replace("\"xl/", "\"excel/");
            moved
                .start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            moved.write_all(content.as_bytes()).unwrap();
        }
        let moved = moved.finish().unwrap().into_inner();
        work.write(&format!("moved/{stem}.xlsx"), &moved);
    }
    let run = work.run(&["build", "--format", "json", "-o", "out", "moved"]);
    run.expect_code(0);
    let built = std::fs::read_to_string(work.path("out/annex.json")).unwrap();
    let expected = std::fs::read_to_string(repo().join("output/annex.json")).unwrap();
    assert!(built == expected, "the moved workbooks read differently");
}
