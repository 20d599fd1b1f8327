//! The pipeline that reads a round: every file, in parallel, through input (files → cells),
//! values (cells → values) and the row checks into records, with the diagnostics of each step. One
//! file that cannot be read never stops the others.

mod sheet;

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use rayon::prelude::*;

use crate::input::{Input, Limits};
use crate::records::{Keep, ReadRow, Records, SheetLayout};
use crate::validate::{Profile, TemplateIdentity};
use sheet::FileOutcome;

use crate::lang::Text;
use crate::report::{Diagnostic, Findings, Location};
use crate::schema::Schemas;

/// Everything read from a run's files.
#[derive(Debug, Default)]
pub struct Reading {
    /// Every sheet read, rows or not.
    pub sheets: Vec<Arc<SheetLayout>>,
    pub records: Records,
    pub diagnostics: Findings,
    /// The files made from `annex template`, with what their hidden sheet says.
    pub templates: Vec<(Arc<str>, TemplateIdentity)>,
    /// The files that are there but could not be read at all.
    pub unopened: Vec<Arc<str>>,
}

thread_local! {
    /// Whether this thread is inside a workbook reader, whose panics become diagnostics.
    static READING: Cell<bool> = const { Cell::new(false) };
}

/// Keep the panics of workbook readers off the terminal: each is caught and reported as a
/// diagnostic for its file. Any other panic is shown as usual.
pub fn quiet_reader_panics() {
    let usual = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !READING.with(Cell::get) {
            usual(info);
        }
    }));
}

/// Read one file; a panic in the readers becomes a diagnostic for that file.
fn read_guarded(input: &Input, read: impl FnOnce() -> FileOutcome) -> FileOutcome {
    READING.with(|reading| reading.set(true));
    let outcome =
        catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|panic| crashed(input, panic.as_ref()));
    READING.with(|reading| reading.set(false));
    outcome
}

/// How files are read: against which schemas, with which options, which check of each row, and
/// which fields kept once it is checked.
#[derive(Clone, Copy)]
pub struct ReadWith<'a> {
    pub schemas: &'a Schemas,
    pub options: ReadOptions,
    pub check: &'a RowCheck,
    pub keep: &'a Keep,
}

/// How a run reads its files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    pub profile: Profile,
    pub limits: Limits,
    /// The one language the run reports in, where it is known: problems keep their messages in
    /// it alone. `None` keeps both.
    pub lang: Option<crate::lang::Lang>,
}

/// The check each row gets as soon as it is read, on the thread that read it: the caller's
/// schema check, so that rows are checked in parallel with reading and reading knows nothing of
/// validation. It returns the row's problems and the keys of the fields they make invalid.
pub type RowCheck = dyn Fn(&ReadRow, &Schemas) -> (Vec<Diagnostic>, Vec<String>) + Sync;

/// Read every input, in parallel, keeping the inputs' order in the result.
pub fn read_all(inputs: &[Input], with: ReadWith) -> Reading {
    read_all_with_progress(inputs, with, &|_| {})
}

/// [`read_all`], calling `done` as each file is read (from whichever thread read it).
pub fn read_all_with_progress(
    inputs: &[Input],
    with: ReadWith,
    done: &(dyn Fn(&Input) + Sync),
) -> Reading {
    let outcomes: Vec<_> = inputs
        .par_iter()
        .map(|input| {
            let outcome = read_guarded(input, || sheet::read_file(input, with));
            done(input);
            outcome
        })
        .collect();
    let mut reading = Reading::default();
    for (input, outcome) in inputs.iter().zip(outcomes) {
        if outcome.unopened {
            reading.unopened.push(input.shown.clone());
        }
        if let Some(template) = outcome.template {
            reading.templates.push((input.shown.clone(), template));
        }
        reading.sheets.extend(outcome.sheets);
        reading.records.extend(outcome.records);
        reading.diagnostics.append(outcome.diagnostics);
    }
    reading
}

/// A reader that panicked on a file: the file is reported, the run goes on.
fn crashed(input: &Input, panic: &(dyn std::any::Any + Send)) -> FileOutcome {
    let reason = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown");
    FileOutcome {
        sheets: Vec::new(),
        template: None,
        records: Vec::new(),
        unopened: true,
        diagnostics: Findings::from_iter([Diagnostic::error(
            "file.unreadable",
            Location::file(&input.shown),
            Text::new(
                format!("the workbook reader failed on this file ({reason})"),
                "このファイルの読み込み中に失敗しました".to_string(),
            ),
            Text::new(
                "Open it in Excel or LibreOffice and save it again as .xlsx; if it still fails, ask the sender for a new copy.",
                "Excel または LibreOffice で開いて .xlsx として保存し直してください。直らない場合は提出元に再送を依頼してください。",
            ),
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_reader_becomes_a_diagnostic_for_its_file() {
        let input = Input {
            path: "broken.xlsx".into(),
            shown: "broken.xlsx".into(),
        };
        let outcome = read_guarded(&input, || panic!("index out of bounds"));
        assert_eq!(outcome.diagnostics.len(), 1);
        let diagnostic = outcome.diagnostics.iter().next().unwrap();
        assert_eq!(
            (diagnostic.code.as_str(), &*diagnostic.location.file),
            ("file.unreadable", "broken.xlsx")
        );
        assert!(diagnostic.message.en.contains("index out of bounds"));
        assert!(
            !READING.with(Cell::get),
            "the guard is lifted after a panic"
        );
    }
}
