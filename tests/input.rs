//! The workbooks in `input/` are generated from `input/source/`: they must say exactly what the
//! source says (`cargo run --example generate_input` regenerates them).

mod support;

use annex::input::discover;
use annex::read::{read_all, ReadOptions, ReadWith};
use annex::records::Keep;
use annex::schema::Schemas;
use serde_json::Value;
use support::{repo, Workdir};

fn rows_of(folder: &std::path::Path) -> Vec<(String, String, u32, Value)> {
    let schemas = Schemas::embedded().unwrap();
    let inputs = discover(&[folder.to_path_buf()]).unwrap();
    let reading = read_all(
        &inputs,
        ReadWith {
            schemas: &schemas,
            options: ReadOptions::default(),
            check: &annex::validate::check_row,
            keep: &Keep::all(&schemas),
        },
    );
    assert!(reading.diagnostics.is_empty(), "{:?}", reading.diagnostics);
    reading
        .records
        .iter()
        .map(|r| {
            let file = std::path::Path::new(&*r.layout().file)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (
                file,
                r.layout().sheet.to_string(),
                r.row(),
                Value::Object(r.values()),
            )
        })
        .collect()
}

#[test]
fn input_workbooks_match_their_source() {
    let generated = Workdir::seeded(|_| {});
    let expected = rows_of(&generated.path("input"));
    let committed = rows_of(&repo().join("input"));
    assert_eq!(
        expected.len(),
        committed.len(),
        "run `cargo run --example generate_input`"
    );
    for (want, got) in expected.iter().zip(&committed) {
        assert_eq!(
            want, got,
            "input/ is stale: run `cargo run --example generate_input`"
        );
    }
}
