//! `annex template`: the workbook an organisation or the secretariat fills in, made from the
//! schemas, pre-filled with last round's rows if asked.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{load_schemas, say, wrote, Fatal};
use crate::cli::TemplateConfig;
use crate::compare::previous;
use crate::input::{discover, Input};
use crate::read::{read_all, ReadOptions, ReadWith};
use crate::records::Keep;
use crate::schema::Schemas;
use crate::validate::check_row;
use crate::write::{build_master, template_bytes, write_atomic, Audience};

pub fn run(config: TemplateConfig) -> Result<ExitCode, Fatal> {
    let schemas = load_schemas(config.schemas.as_deref())?;
    let code = match &config.org {
        Some(written) => Some(
            schemas
                .organisation(written)
                .map(|org| org.code.clone())
                .ok_or_else(|| Fatal::UnknownOrganisation {
                    written: written.clone(),
                    known: schemas
                        .organisations
                        .iter()
                        .map(|o| format!("{} ({})", o.code, o.short_name))
                        .collect::<Vec<_>>()
                        .join(", "),
                })?,
        ),
        None => None,
    };
    let audience = match &code {
        Some(code) => Audience::Organisation(code),
        None => Audience::Council,
    };
    let master = match &config.from {
        Some(path) => {
            // A template is pre-filled from a master today's schemas hold whole.
            let master = previous::read(path, &schemas)?;
            let errors = schemas.master_errors(&master);
            if let Some(first) = errors.first() {
                return Err(Fatal::NotAMaster {
                    path: path.clone(),
                    reason: first.clone(),
                });
            }
            master
        }
        None => master_of(&discover(&config.paths)?, &schemas),
    };
    let output = config.output.unwrap_or_else(|| {
        PathBuf::from(format!(
            "template-{}.xlsx",
            code.as_deref().unwrap_or("council").to_lowercase()
        ))
    });
    let bytes =
        template_bytes(&schemas, &audience, &master, config.from.is_some()).map_err(|e| {
            Fatal::Write {
                path: output.clone(),
                source: std::io::Error::other(e),
            }
        })?;
    if !config.force {
        keep_filled(&output, &schemas)?;
    }
    write_atomic(&output, &bytes).map_err(|source| Fatal::Write {
        path: output.clone(),
        source,
    })?;
    say(&wrote(&output), config.lang)?;
    Ok(ExitCode::SUCCESS)
}

/// Refuses to overwrite a file that holds rows someone filled in, or that annex cannot read
/// as a workbook (it cannot tell it holds none): a template written over it would lose them.
fn keep_filled(output: &Path, schemas: &Schemas) -> Result<(), Fatal> {
    if !output.exists() {
        return Ok(());
    }
    let input = Input {
        path: output.to_path_buf(),
        shown: output.display().to_string().into(),
    };
    let with = ReadWith {
        schemas,
        options: ReadOptions::default(),
        check: &check_row,
        keep: &Keep::all(schemas),
    };
    let reading = read_all(std::slice::from_ref(&input), with);
    let rows = reading.records.len();
    let unreadable = reading.sheets.is_empty();
    match (rows, unreadable) {
        (0, false) => Ok(()),
        _ => Err(Fatal::WouldOverwrite {
            path: output.to_path_buf(),
            rows,
        }),
    }
}

/// The master of what some workbooks hold (the council master's, for the 論点 a template offers).
pub(super) fn master_of(inputs: &[Input], schemas: &Schemas) -> serde_json::Value {
    let with = ReadWith {
        schemas,
        options: ReadOptions::default(),
        check: &check_row,
        keep: &Keep::all(schemas),
    };
    build_master(&read_all(inputs, with).records, schemas)
}
