//! `--format json`: one document on stdout, exactly as the submission contract describes, plus
//! `found` and `related` where a diagnostic has them.

use std::io::{self, Write};

use serde_json::{json, Map, Value};

use super::{Diagnostic, Location, Report};
use crate::lang::Lang;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let tally = report.tally();
    let document = json!({
        "files": report.files,
        "errors": tally.errors,
        "warnings": tally.warnings,
        "diagnostics": report.diagnostics.iter().map(|d| diagnostic(d, report.lang)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

fn diagnostic(d: &Diagnostic, lang: Lang) -> Value {
    let mut object = Map::new();
    object.insert("severity".into(), d.severity.as_str().into());
    object.insert("code".into(), d.code.clone().into());
    object.insert("message".into(), d.message.get(lang).into());
    object.insert("help".into(), d.help.get(lang).into());
    location(&d.location, &mut object);
    if let Some(found) = &d.found {
        object.insert("found".into(), found.clone().into());
    }
    if !d.related.is_empty() {
        let related = d
            .related
            .iter()
            .map(|r| {
                let mut place = Map::new();
                location(&r.location, &mut place);
                place.insert("note".into(), r.note.get(lang).into());
                Value::Object(place)
            })
            .collect();
        object.insert("related".into(), Value::Array(related));
    }
    Value::Object(object)
}

fn location(at: &Location, object: &mut Map<String, Value>) {
    object.insert("file".into(), at.file.to_string().into());
    if let Some(sheet) = &at.sheet {
        object.insert("sheet".into(), sheet.to_string().into());
    }
    if let Some(cell) = at.cell() {
        object.insert("cell".into(), cell.into());
    }
    if let Some(row) = at.row {
        object.insert("row".into(), row.into());
    }
    if let Some(header) = &at.header {
        object.insert("column".into(), header.clone().into());
    }
}
