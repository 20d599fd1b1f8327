//! The whole read → validate path on arbitrary bytes, as any of the formats annex reads: no
//! input may make it panic, abort or run away.
#![no_main]

use std::sync::OnceLock;

use annex::read::{read_all, Input, Profile};
use annex::schema::Schemas;
use annex::validate::validate;
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

fuzz_target!(|data: &[u8]| {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| Schemas::embedded().expect("schemas"));
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"));
    // The last byte picks the extension, so that every reader sees every input.
    let extension = EXTENSIONS[usize::from(data.last().copied().unwrap_or(0)) % EXTENSIONS.len()];
    let path = dir.path().join(format!("input.{extension}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let input = Input {
        shown: "input".into(),
        path,
    };
    let mut reading = read_all(std::slice::from_ref(&input), schemas, Profile::MachineReadable);
    let _ = validate(&mut reading.records, &reading.sheets, schemas);
});
