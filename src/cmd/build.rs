//! `annex build`: check the round, then, if nothing is wrong, write the master: `annex.json` for
//! machines, `annex.xlsx` and `annex.md` for people.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::check::examine;
use super::{failed, finish, load_schemas, Fatal};
use crate::cli::BuildConfig;
use crate::lang::Text;
use crate::records::{Keep, Records};
use crate::report::{Diagnostic, Location, Report};
use crate::schema::Schemas;
use crate::write::{build_master, markdown, workbook_bytes, write_atomic, AnnexDoc};

pub fn run(config: BuildConfig) -> Result<ExitCode, Fatal> {
    let BuildConfig { check, output } = config;
    let schemas = load_schemas(check.schemas.as_deref())?;
    // A master is built from every field.
    let mut examined = examine(&check, &schemas, &Keep::all(&schemas))?;
    let mut written = Vec::new();
    if !failed(&examined.diagnostics, check.deny_warnings) {
        match consolidate(&examined.reading.records, &schemas, &output)? {
            Ok(paths) => written = paths,
            Err(problem) => examined.diagnostics.push(problem),
        }
    }
    let report = Report {
        files: examined.inputs.len(),
        diagnostics: &examined.diagnostics,
        lang: check.lang,
    };
    finish(report, check.format, &written, check.deny_warnings)
}

/// Build the master and write it; a master that breaks its own schema is reported, not written.
fn consolidate(
    records: &Records,
    schemas: &Schemas,
    output: &Path,
) -> Result<Result<Vec<PathBuf>, Diagnostic>, Fatal> {
    let master = build_master(records, schemas);
    let errors = schemas.master_errors(&master);
    if !errors.is_empty() {
        return Ok(Err(Diagnostic::error(
            "master.schema",
            Location::file(&output.join("annex.json").to_string_lossy().into()),
            Text::new(
                format!("the consolidated master breaks annex.schema.json: {}", errors.join("; ")),
                format!("統合結果が annex.schema.json に適合しません: {}", errors.join("; ")),
            ),
            Text::new(
                "The row schemas and annex.schema.json disagree; make them describe the same fields.",
                "行のスキーマと annex.schema.json の内容を一致させてください。",
            ),
        )));
    }
    let json_path = output.join("annex.json");
    let xlsx_path = output.join("annex.xlsx");
    let mut json = serde_json::to_vec_pretty(&master).map_err(|e| Fatal::Write {
        path: json_path.clone(),
        source: e.into(),
    })?;
    json.push(b'\n');
    let xlsx = workbook_bytes(records, &master, schemas).map_err(|e| Fatal::Write {
        path: xlsx_path.clone(),
        source: std::io::Error::other(e),
    })?;
    let md_path = output.join("annex.md");
    let md = markdown(&AnnexDoc::from_master(&master, schemas)).into_bytes();
    for (path, bytes) in [(&json_path, &json), (&xlsx_path, &xlsx), (&md_path, &md)] {
        write_atomic(path, bytes).map_err(|source| Fatal::Write {
            path: path.clone(),
            source,
        })?;
    }
    Ok(Ok(vec![json_path, xlsx_path, md_path]))
}
