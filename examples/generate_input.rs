//! Regenerates the workbooks in `input/` from their readable source in `input/source/`:
//! `cargo run --example generate_input`. Nobody edits the workbooks by hand.

use std::path::Path;
use std::process::ExitCode;

use annex::schema::Schemas;
use annex::write::{workbook_from_rows, write_atomic};
use serde_json::Value;

fn main() -> ExitCode {
    match generate(Path::new("input/source"), Path::new("input")) {
        Ok(count) => {
            println!("wrote {count} workbooks to input/");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("generate_input: {error}");
            ExitCode::FAILURE
        }
    }
}

fn generate(source: &Path, target: &Path) -> Result<usize, Box<dyn std::error::Error>> {
    let schemas = Schemas::embedded()?;
    let mut sources: Vec<_> = std::fs::read_dir(source)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    sources.retain(|path| path.extension().is_some_and(|e| e == "json"));
    sources.sort();
    for path in &sources {
        let document: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        let sheets = document
            .get("sheets")
            .and_then(Value::as_object)
            .ok_or_else(|| format!("{}: no \"sheets\" object", path.display()))?;
        let bytes = workbook_from_rows(sheets, &schemas)?;
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("workbook");
        write_atomic(&target.join(format!("{stem}.xlsx")), &bytes)?;
    }
    Ok(sources.len())
}
