//! `annex template`: the workbook an organisation or the secretariat fills in, made from the
//! schemas, pre-filled with last round's rows if asked.

use std::path::PathBuf;
use std::process::ExitCode;

use super::{load_schemas, wrote, Fatal};
use crate::cli::TemplateConfig;
use crate::compare::previous;
use crate::input::{discover, Input};
use crate::lang::Lang;
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
    write_atomic(&output, &bytes).map_err(|source| Fatal::Write {
        path: output.clone(),
        source,
    })?;
    println!("{}", wrote(&output).get(Lang::from_env()));
    Ok(ExitCode::SUCCESS)
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
