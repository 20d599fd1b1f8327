//! A diagnostic is data: what is wrong, where, and how to fix it. Rendering it is another module's job.

use std::collections::HashMap;
use std::sync::Arc;

use crate::lang::{Lang, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// Where a problem is: a file, and where they apply a sheet, a row and a column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub file: Arc<str>,
    pub sheet: Option<Arc<str>>,
    /// 1-based, as the spreadsheet shows it.
    pub row: Option<u32>,
    /// 0-based column index; `A` is 0.
    pub column: Option<u32>,
    /// The column's header as the schema names it.
    pub header: Option<String>,
}

impl Location {
    pub fn file(file: &Arc<str>) -> Location {
        Location {
            file: file.clone(),
            ..Location::default()
        }
    }

    pub fn sheet(file: &Arc<str>, sheet: &Arc<str>) -> Location {
        Location {
            sheet: Some(sheet.clone()),
            ..Location::file(file)
        }
    }

    /// The cell reference, e.g. `D7`, when both row and column are known.
    pub fn cell(&self) -> Option<String> {
        Some(cell_name(self.row?, self.column?))
    }

    /// `file › sheet › D7`, as far as it is known.
    pub fn display(&self) -> String {
        let mut text = self.file.to_string();
        if let Some(sheet) = &self.sheet {
            text.push_str(" › ");
            text.push_str(sheet);
            match (self.cell(), self.row) {
                (Some(cell), _) => {
                    text.push_str(" › ");
                    text.push_str(&cell);
                }
                (None, Some(row)) => text.push_str(&format!(" › {row}")),
                (None, None) => {}
            }
        }
        text
    }
}

/// `A`, `B`, ..., `Z`, `AA`, ... for a 0-based column index.
pub fn column_name(column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

pub fn cell_name(row: u32, column: u32) -> String {
    format!("{}{row}", column_name(column))
}

/// The row a problem sits in, written out as text, with the span of the cell at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub row: u32,
    pub text: String,
    pub span: (usize, usize),
    /// The cells shown, one by one, for a report that draws the row as a grid.
    pub cells: Vec<SnippetCell>,
}

/// One cell of a snippet: its column letter, header and value as shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnippetCell {
    pub column: String,
    pub header: String,
    pub value: String,
    /// The cell the problem is in.
    pub at_fault: bool,
}

/// A second place that explains the first, e.g. where a duplicated id was first defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    pub location: Location,
    pub note: Text,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Stable and dotted, e.g. `kpi.value.type`; the same in every language.
    pub code: String,
    pub message: Text,
    /// Shared by the many problems of one kind that give the same advice.
    pub help: Arc<Text>,
    pub location: Location,
    /// The value as it was found in the cell, when there is one.
    pub found: Option<String>,
    pub snippet: Option<Box<Snippet>>,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn error(code: impl Into<String>, location: Location, message: Text, help: Text) -> Self {
        Diagnostic::new(Severity::Error, code.into(), location, message, help)
    }

    pub fn warning(code: impl Into<String>, location: Location, message: Text, help: Text) -> Self {
        Diagnostic::new(Severity::Warning, code.into(), location, message, help)
    }

    fn new(
        severity: Severity,
        code: String,
        location: Location,
        message: Text,
        help: Text,
    ) -> Self {
        debug_assert!(
            super::catalogue::entry(&code).is_some(),
            "the code {code} is not in src/report/catalogue.rs"
        );
        Diagnostic {
            severity,
            code,
            message,
            help: Arc::new(help),
            location,
            found: None,
            snippet: None,
            related: Vec::new(),
        }
    }

    pub fn into_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Keeps the message in one language only: a run reports in one, and a run with a million
    /// problems should not hold them in two.
    pub fn keep_only(&mut self, lang: Lang) {
        self.message.keep_only(lang);
        if let Some(help) = Arc::get_mut(&mut self.help) {
            help.keep_only(lang);
        }
    }

    /// Shares its help with an earlier problem's that says the same.
    pub fn share_help(&mut self, earlier: &mut HashMap<String, Arc<Text>>) {
        match earlier.get(&self.code) {
            Some(help) if **help == *self.help => self.help = help.clone(),
            _ => {
                earlier.insert(self.code.clone(), self.help.clone());
            }
        }
    }

    pub fn with_found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(found.into());
        self
    }

    pub fn with_snippet(mut self, snippet: Option<Snippet>) -> Self {
        self.snippet = snippet.map(Box::new);
        self
    }

    pub fn with_related(mut self, location: Location, note: Text) -> Self {
        self.related.push(Related { location, note });
        self
    }

    /// Report order: by file, sheet, row, column, then code.
    pub fn sort_key(&self) -> Key<'_> {
        let at = &self.location;
        (&at.file, at.sheet.as_deref(), at.row, at.column, &self.code)
    }
}

/// Where a problem comes in report order: (file, sheet, row, column, code).
pub type Key<'a> = (&'a str, Option<&'a str>, Option<u32>, Option<u32>, &'a str);

/// What a run found, counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub errors: usize,
    pub warnings: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_like_a_spreadsheet() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(cell_name(7, 3), "D7");
    }

    #[test]
    fn a_location_shows_as_far_as_it_is_known() {
        let file: Arc<str> = "input/meti.xlsx".into();
        let sheet: Arc<str> = "KPI".into();
        assert_eq!(Location::file(&file).display(), "input/meti.xlsx");
        let mut at = Location::sheet(&file, &sheet);
        assert_eq!(at.display(), "input/meti.xlsx › KPI");
        at.row = Some(7);
        assert_eq!(at.display(), "input/meti.xlsx › KPI › 7");
        at.column = Some(3);
        assert_eq!(at.display(), "input/meti.xlsx › KPI › D7");
    }
}
