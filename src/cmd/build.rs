//! `annex build`: check the round, then, if nothing is wrong, write the master: `annex.json` for
//! machines, `annex.xlsx` and `annex.md` for people.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use rayon::prelude::*;
use serde::Serialize;

use super::check::{examine, mark_copies, Examined};
use super::{failed, finish, load_schemas, wrote, Fatal};
use crate::cli::{BuildConfig, Config};
use crate::compare::Comparison;
use crate::lang::Text;
use crate::mark::Marked;
use crate::records::{Keep, Records};
use crate::report::{Diagnostic, Location};
use crate::schema::Schemas;
use crate::write::{comparison_markdown, fill_workbook, Master, Staged, WRITE_BUFFER};

pub fn run(config: BuildConfig) -> Result<ExitCode, Fatal> {
    let BuildConfig { check, output } = config;
    let schemas = load_schemas(check.schemas.as_deref())?;
    let (examined, written) = build_round(&check, &schemas, &output)?;
    let marked = mark_copies(&check, &examined)?;
    let incomplete = marked.iter().any(|m| matches!(m, Marked::Failed { .. }));
    let mut notices: Vec<Text> = written.iter().map(|path| wrote(path)).collect();
    notices.extend(marked.iter().map(Marked::text));
    let report = examined.report(&schemas, check.lang);
    finish(
        report,
        check.format,
        &notices,
        incomplete,
        check.deny_warnings,
    )
}

/// Check the round and, if nothing is wrong, write the master into `output`: the round as it
/// was examined, and the files written (none when it had errors).
pub(super) fn build_round(
    check: &Config,
    schemas: &Schemas,
    output: &Path,
) -> Result<(Examined, Vec<PathBuf>), Fatal> {
    // A master is built from every field.
    let mut examined = examine(check, schemas, &Keep::all(schemas), true)?;
    let mut written = Vec::new();
    if !failed(&examined.diagnostics, check.deny_warnings) {
        let lacking = &examined.round.missing;
        let records = &examined.reading.records;
        let comparison = examined.comparison.as_ref();
        match consolidate(records, comparison, schemas, lacking, output)? {
            Ok(paths) => written = paths,
            Err(problem) => examined.diagnostics.push(problem),
        }
    }
    Ok((examined, written))
}

/// The three outputs, each staged beside its place.
const JSON: &str = "annex.json";
const XLSX: &str = "annex.xlsx";
const MARKDOWN: &str = "annex.md";

/// Build the master and write it. The files are written side by side, on every core (the
/// workbook's sheets, `annex.md` with 別添, `annex.json`, the master's check), and put in place only
/// when all three are whole and every node of the master meets `annex.schema.json`; otherwise a
/// diagnostic says why and the files already there stay as they were.
fn consolidate(
    records: &Records,
    comparison: Option<&Comparison>,
    schemas: &Schemas,
    lacking: &[usize],
    output: &Path,
) -> Result<Result<Vec<PathBuf>, Diagnostic>, Fatal> {
    let master = Master::new(records, schemas).lacking(lacking);
    let json_path = output.join(JSON);
    let at = Location::file(&json_path.to_string_lossy().into());
    if master.orphans() > 0 {
        return Ok(Err(incomplete(at, master.orphans())));
    }
    let stage = |name: &str| {
        let path = output.join(name);
        Staged::new(&path).map_err(|source| Fatal::Write { path, source })
    };
    let (mut json, mut xlsx, mut md) = (stage(JSON)?, stage(XLSX)?, stage(MARKDOWN)?);
    // The sheets, 別添 with annex.md from one walk, annex.json and the master's check are done
    // side by side on every core; then the workbook is put together.
    let mut markdown = BufWriter::with_capacity(WRITE_BUFFER, md.file());
    let (mut problems, mut wrote_json) = (Vec::new(), Ok(()));
    let filled = fill_workbook(&master, comparison, &mut markdown, || {
        problems = master_errors(&master);
        wrote_json = write_json(&master, json.file()).and_then(|()| json.sync());
    })
    .map_err(std::io::Error::other);
    let wrote_markdown = match comparison {
        Some(comparison) => comparison_markdown(&mut markdown, comparison, schemas),
        None => Ok(()),
    }
    .and_then(|()| markdown.flush());
    drop(markdown);
    let wrote_xlsx = filled.and_then(|workbook| {
        let out = BufWriter::with_capacity(WRITE_BUFFER, xlsx.file());
        workbook.save(out).map_err(std::io::Error::other)
    });
    let wrote_xlsx = wrote_xlsx.and_then(|()| xlsx.sync());
    let wrote_markdown = wrote_markdown.and_then(|()| md.sync());
    for (result, file) in [
        (wrote_xlsx, &xlsx),
        (wrote_json, &json),
        (wrote_markdown, &md),
    ] {
        result.map_err(|source| Fatal::Write {
            path: file.path().to_path_buf(),
            source,
        })?;
    }
    if !problems.is_empty() {
        return Ok(Err(Diagnostic::error(
            "master.schema",
            at,
            Text::new(
                format!("the consolidated master breaks annex.schema.json: {}", problems.join("; ")),
                format!("統合結果が annex.schema.json に適合しません: {}", problems.join("; ")),
            ),
            Text::new(
                "The row schemas and annex.schema.json disagree; make them describe the same fields.",
                "行のスキーマと annex.schema.json の内容を一致させてください。",
            ),
        )));
    }
    let mut paths = Vec::new();
    for file in [json, xlsx, md] {
        let path = file.path().to_path_buf();
        file.commit().map_err(|source| Fatal::Write {
            path: path.clone(),
            source,
        })?;
        paths.push(path);
    }
    Ok(Ok(paths))
}

/// `annex.json`, serialised as it is written: a field to a line, to read and to compare, indented
/// with tabs (a KPI's fields sit twelve levels deep, where two spaces a level would make most of
/// a large master's bytes).
fn write_json(master: &Master, file: &mut std::fs::File) -> std::io::Result<()> {
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, file);
    let indented = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    master.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out, indented,
    ))?;
    out.write_all(b"\n")?;
    out.flush()
}

/// How the master breaks `annex.schema.json`: its top level, and the first node of each entity
/// that breaks it at its place. Where the master's schema asks nothing of a node beyond its row
/// schema (met by every row as it was read) and its children's lists, one node stands for all.
fn master_errors(master: &Master) -> Vec<String> {
    let schemas = master.schemas;
    let mut errors = schemas.master_errors(&master.top());
    for entity in 0..schemas.entities.len() {
        let wanted = match schemas.master_adds_to_rows(entity) {
            true => master.count(entity),
            false => 1,
        };
        let nodes: Vec<_> = master.all(entity).take(wanted).collect();
        let first = nodes.into_par_iter().find_map_first(|node| {
            schemas
                .master_node_errors(entity, &node.shallow())
                .into_iter()
                .next()
        });
        errors.extend(first);
    }
    errors
}

fn incomplete(at: Location, orphans: usize) -> Diagnostic {
    Diagnostic::error(
        "master.incomplete",
        at,
        Text::new(
            format!("{orphans} rows have no parent in the master, so it would leave them out; nothing was written"),
            format!("{orphans} 行の親が統合結果にないため、書き出すと欠落します。何も書き出していません"),
        ),
        Text::new(
            "Fix the references the report names, then build again.",
            "報告された参照の誤りを直してから、もう一度実行してください。",
        ),
    )
}
