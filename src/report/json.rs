//! `--format json`: one document on stdout, exactly as the submission contract describes, plus
//! `found` and `related` where a diagnostic has them. The document is serialised as it is
//! written, never built as a tree: a run with ten thousand findings should not need a second copy
//! of them in memory.

use std::borrow::Cow;
use std::io::{self, Write};

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{Diagnostic, Findings, Location, Related, Report};
use crate::lang::Lang;

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut out = io::BufWriter::new(out);
    report.serialize(&mut serde_json::Serializer::pretty(&mut out))?;
    writeln!(out)?;
    out.flush()
}

impl Serialize for Report<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let tally = self.tally();
        let mut document = serializer.serialize_map(None)?;
        document.serialize_entry("files", &self.files)?;
        document.serialize_entry("errors", &tally.errors)?;
        document.serialize_entry("warnings", &tally.warnings)?;
        document.serialize_entry("diagnostics", &Diagnostics(self.diagnostics, self.lang))?;
        if let Some(round) = &self.round {
            document.serialize_entry("round", round)?;
        }
        if let Some(comparison) = &self.comparison {
            document.serialize_entry("comparison", &comparison.to_json())?;
        }
        document.end()
    }
}

struct Diagnostics<'a>(&'a Findings, Lang);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|d| Unpacked(d, self.1)))
    }
}

/// A diagnostic as [`Findings`] gives it, unpacked for the moment it is written.
struct Unpacked<'a>(Cow<'a, Diagnostic>, Lang);

impl Serialize for Unpacked<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        InLang(&*self.0, self.1).serialize(serializer)
    }
}

/// A diagnostic, or one of its related places, in the report's language.
struct InLang<'a, T>(&'a T, Lang);

impl Serialize for InLang<'_, Diagnostic> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (d, lang) = (self.0, self.1);
        let mut object = serializer.serialize_map(None)?;
        object.serialize_entry("severity", d.severity.as_str())?;
        object.serialize_entry("code", &d.code)?;
        object.serialize_entry("message", d.message.get(lang))?;
        object.serialize_entry("help", d.help.get(lang))?;
        location(&d.location, &mut object)?;
        if let Some(found) = &d.found {
            object.serialize_entry("found", found)?;
        }
        if !d.related.is_empty() {
            let related: Vec<_> = d.related.iter().map(|r| InLang(r, lang)).collect();
            object.serialize_entry("related", &related)?;
        }
        object.end()
    }
}

impl Serialize for InLang<'_, Related> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut place = serializer.serialize_map(None)?;
        location(&self.0.location, &mut place)?;
        place.serialize_entry("note", self.0.note.get(self.1))?;
        place.end()
    }
}

fn location<M: SerializeMap>(at: &Location, object: &mut M) -> Result<(), M::Error> {
    object.serialize_entry("file", &*at.file)?;
    if let Some(sheet) = &at.sheet {
        object.serialize_entry("sheet", &**sheet)?;
    }
    if let Some(cell) = at.cell() {
        object.serialize_entry("cell", &cell)?;
    }
    if let Some(row) = at.row {
        object.serialize_entry("row", &row)?;
    }
    if let Some(header) = &at.header {
        object.serialize_entry("column", header)?;
    }
    Ok(())
}
