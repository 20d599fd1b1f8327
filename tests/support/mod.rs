//! Test helpers: a fresh folder per test holding the council's data (or a changed copy of it),
//! workbooks built with rust_xlsxwriter, and the binary run on them with everything shown on
//! failure.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use annex::schema::Schemas;
use annex::write::workbook_from_rows;
use assert_cmd::Command;
use rust_xlsxwriter::{Formula, Workbook};
use serde_json::Value;
use tempfile::TempDir;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The readable source of `input/`: file stem → `{"sheets": {...}}`.
pub fn seed() -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(repo().join("input/source"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            (
                stem,
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap(),
            )
        })
        .collect()
}

/// A temporary folder the binary runs in.
pub struct Workdir {
    pub dir: TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The council's data under `input/`, each workbook built from the source after `change`.
    pub fn seeded(change: impl FnOnce(&mut Vec<(String, Value)>)) -> Workdir {
        let work = Workdir::new();
        let mut files = seed();
        change(&mut files);
        let schemas = Schemas::embedded().unwrap();
        for (stem, document) in &files {
            let bytes =
                workbook_from_rows(document["sheets"].as_object().unwrap(), &schemas).unwrap();
            work.write(&format!("input/{stem}.xlsx"), &bytes);
        }
        work
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// A copy of the repository's file `fixture` (a path from the repository's root), here as
    /// `name`; its path.
    pub fn fixture(&self, fixture: &str, name: &str) -> PathBuf {
        let path = self.path(name);
        std::fs::copy(repo().join(fixture), &path).unwrap();
        path
    }

    pub fn write(&self, relative: &str, bytes: &[u8]) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Run annex here, in English, with no colour.
    pub fn run(&self, args: &[&str]) -> Run {
        let output = Command::cargo_bin("annex")
            .unwrap()
            .current_dir(self.dir.path())
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .env("LANG", "C")
            .env("NO_COLOR", "1")
            .env_remove("COLUMNS")
            .args(args)
            .output()
            .unwrap();
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            output,
        }
    }

    /// `annex check --format json` on `paths`: the exit status and the report.
    pub fn check_json(&self, paths: &[&str]) -> (i32, Value) {
        let mut args = vec!["check", "--format", "json"];
        args.extend_from_slice(paths);
        let run = self.run(&args);
        let report = run.json();
        (run.code(), report)
    }
}

pub struct Run {
    pub args: Vec<String>,
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.output.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.explain()))
    }

    pub fn explain(&self) -> String {
        format!(
            "annex {}\nstatus: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }

    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(self.code(), code, "{}", self.explain());
        self
    }
}

/// A cell of a hand-built workbook.
#[derive(Clone)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Bool(bool),
    /// A formula with the result Excel cached for it, e.g. `#REF!`.
    Formula(&'a str, &'a str),
    Empty,
}

/// A workbook with the given sheets, each a list of rows, written with rust_xlsxwriter.
pub fn workbook(sheets: &[(&str, Vec<Vec<Cell>>)]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c, *t).unwrap();
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c, *n).unwrap();
                    }
                    Cell::Bool(b) => {
                        sheet.write_boolean(r, c, *b).unwrap();
                    }
                    Cell::Formula(f, result) => {
                        sheet
                            .write_formula(r, c, Formula::new(*f).set_result(*result))
                            .unwrap();
                    }
                    Cell::Empty => {}
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

/// The rows of one sheet of one source file, to change before the workbooks are built.
pub fn rows<'a>(files: &'a mut [(String, Value)], stem: &str, sheet: &str) -> &'a mut Vec<Value> {
    let (_, document) = files.iter_mut().find(|(s, _)| s == stem).unwrap();
    document["sheets"][sheet].as_array_mut().unwrap()
}

/// The row of a sheet whose `id` is `id`.
pub fn row<'a>(
    files: &'a mut [(String, Value)],
    stem: &str,
    sheet: &str,
    id: &str,
) -> &'a mut Value {
    rows(files, stem, sheet)
        .iter_mut()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no row {id} in {stem} {sheet}"))
}

/// The diagnostics of a JSON report as (code, file, sheet, cell) tuples.
pub fn places(report: &Value) -> Vec<(String, String, String, String)> {
    report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
            (text("code"), text("file"), text("sheet"), text("cell"))
        })
        .collect()
}

/// A part of an xlsx file (a zip), as text: `xl/workbook.xml`.
pub fn xlsx_part(xlsx: &Path, name: &str) -> String {
    use std::io::Read;
    let mut archive = zip::ZipArchive::new(std::fs::File::open(xlsx).unwrap()).unwrap();
    let mut text = String::new();
    archive
        .by_name(name)
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    text
}

impl Workdir {
    /// A copy of the repository's schemas in `relative`, with `change` applied to one of them.
    pub fn schemas_with(&self, relative: &str, file: &str, change: impl FnOnce(&mut Value)) {
        let folder = self.path(relative);
        std::fs::create_dir_all(&folder).unwrap();
        for entry in std::fs::read_dir(repo().join("schemas")).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, folder.join(path.file_name().unwrap())).unwrap();
        }
        let path = folder.join(file);
        let mut schema = read_json(&path);
        change(&mut schema);
        std::fs::write(&path, serde_json::to_vec(&schema).unwrap()).unwrap();
    }
}

pub fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
