//! The whole read → validate path on arbitrary bytes, as any of the formats annex reads: no
//! input may make it panic, abort or run away.
#![no_main]

use std::sync::OnceLock;

use annex::input::Input;
use annex::read::{read_all, ReadOptions, ReadWith};
use annex::records::Keep;
use annex::schema::Schemas;
use annex::validate::{check_row, validate, Profile};
use libfuzzer_sys::fuzz_target;

const EXTENSIONS: [&str; 5] = ["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// annex catches a panic inside a dependency's reader and reports it for its file (tested in
/// tests/check.rs with the inputs this target found); the fuzzer is after everything else, so
/// only panics raised outside the dependencies abort.
fn abort_on_our_own_panics() {
    let libfuzzer = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_dependency = info.location().is_some_and(|l| l.file().contains("/.cargo/registry/"));
        if !in_dependency {
            libfuzzer(info);
        }
    }));
}

fuzz_target!(|data: &[u8]| {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let schemas = SCHEMAS.get_or_init(|| {
        abort_on_our_own_panics();
        Schemas::embedded().expect("schemas")
    });
    let dir = DIR.get_or_init(|| tempfile::tempdir().expect("a temporary folder"));
    // The last byte picks the extension, so that every reader sees every input, and the
    // profile: the machine-readability profile has calamine open an `.xlsx` that annex's own
    // reader would otherwise read alone.
    let last = usize::from(data.last().copied().unwrap_or(0));
    let extension = EXTENSIONS[last % EXTENSIONS.len()];
    let profile = match (last / EXTENSIONS.len()) % 2 {
        0 => Profile::Contract,
        _ => Profile::MachineReadable,
    };
    let path = dir.path().join(format!("input.{extension}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let input = Input {
        shown: "input".into(),
        path,
    };
    let reading = read_all(
        std::slice::from_ref(&input),
        ReadWith {
            schemas,
            options: ReadOptions {
                profile,
                ..ReadOptions::default()
            },
            check: &check_row,
            keep: &Keep::all(schemas),
        },
    );
    let _ = validate(&reading.records, &reading.sheets, schemas);
});
