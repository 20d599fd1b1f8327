//! Every problem of a run, held so that a million of them cost little. A diagnostic that carries
//! a snippet or related places (the first few of a kind in a sheet, which the reports draw) is
//! kept whole; every other one is packed into one buffer as it arrives: its file, sheet, code,
//! header and help by number from tables of the distinct ones, its place as integers, its message
//! and value as bytes. A packed problem takes about a fifth of a whole one, and no allocation of
//! its own; it is unpacked, one at a time, when a report or a marked copy reads it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::diagnostic::Key;
use super::{Diagnostic, Location, Severity, Tally};
use crate::lang::Text;

/// The problems of a run, in the order they were added until [`Findings::sort`] puts them in
/// report order.
#[derive(Debug, Default)]
pub struct Findings {
    whole: Vec<Diagnostic>,
    packed: Vec<u8>,
    /// Where each packed problem starts in `packed`.
    starts: Vec<usize>,
    /// Every problem in order: an index into `whole`, or into `starts` with [`PACKED`] set.
    order: Vec<u32>,
    files: Table<Arc<str>>,
    codes: Table<Arc<str>>,
    headers: Table<Arc<str>>,
    helps: Table<Arc<Text>>,
}

const PACKED: u32 = 1 << 31;
/// What a packed problem has: flags of its first byte after the severity.
const HAS_SHEET: u8 = 1;
const HAS_ROW: u8 = 2;
const HAS_COLUMN: u8 = 4;
const HAS_HEADER: u8 = 8;
const HAS_FOUND: u8 = 16;

/// Distinct values, each numbered once.
#[derive(Debug, Default)]
struct Table<T> {
    values: Vec<T>,
    index: HashMap<T, u32>,
}

impl<T: Clone + Eq + std::hash::Hash> Table<T> {
    /// The number of `value`, looked up as it is (a `&str` for an `Arc<str>`): only a value not
    /// seen before is `made` into a `T`.
    fn number<Q>(&mut self, value: &Q, made: impl FnOnce(&Q) -> T) -> u32
    where
        T: std::borrow::Borrow<Q>,
        Q: Eq + std::hash::Hash + ?Sized,
    {
        if let Some(&n) = self.index.get(value) {
            return n;
        }
        let n = self.values.len() as u32;
        let value = made(value);
        self.values.push(value.clone());
        self.index.insert(value, n);
        n
    }
}

impl Findings {
    pub fn new() -> Findings {
        Findings::default()
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        let index = match diagnostic.snippet.is_none() && diagnostic.related.is_empty() {
            true => self.pack(diagnostic) | PACKED,
            false => {
                self.whole.push(diagnostic);
                (self.whole.len() - 1) as u32
            }
        };
        self.order.push(index);
    }

    /// Cites `related` with the finding at `at` (a place in a sheet), if there is one: it is kept
    /// whole from then on. Says whether one was found.
    pub fn relate(&mut self, at: &Location, related: super::Related) -> bool {
        let same = |d: &Diagnostic| {
            d.location.file == at.file
                && d.location.sheet == at.sheet
                && d.location.row == at.row
                && d.location.column == at.column
        };
        let Some(slot) = self.order.iter().position(|&index| match index & PACKED {
            0 => self.whole.get(index as usize).is_some_and(same),
            _ => same(&self.unpack(index & !PACKED)),
        }) else {
            return false;
        };
        let index = self.order[slot];
        match index & PACKED {
            0 => {
                if let Some(finding) = self.whole.get_mut(index as usize) {
                    finding.related.push(related);
                }
            }
            _ => {
                let mut finding = self.unpack(index & !PACKED);
                finding.related.push(related);
                self.whole.push(finding);
                self.order[slot] = (self.whole.len() - 1) as u32;
            }
        }
        true
    }

    /// Adds another run's problems after these.
    pub fn append(&mut self, other: Findings) {
        if self.is_empty() {
            // Taken as they are: a file's million problems are not packed twice.
            *self = other;
            return;
        }
        for diagnostic in other.iter() {
            self.push(diagnostic.into_owned());
        }
    }

    /// Every problem, in order; a packed one unpacked.
    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, Diagnostic>> + '_ {
        self.order.iter().map(|&index| match index & PACKED {
            0 => Cow::Borrowed(&self.whole[index as usize]),
            _ => Cow::Owned(self.unpack(index & !PACKED)),
        })
    }

    /// Every problem's file and severity, in order, without unpacking any.
    pub fn places(&self) -> impl Iterator<Item = (&str, Severity)> + '_ {
        self.order.iter().map(|&index| self.place(index))
    }

    pub fn tally(&self) -> Tally {
        let errors = self
            .places()
            .filter(|(_, severity)| *severity == Severity::Error)
            .count();
        Tally {
            errors,
            warnings: self.len() - errors,
        }
    }

    /// Puts the problems in report order (file, sheet, row, column, code); problems at one place
    /// keep the order they came in.
    pub fn sort(&mut self) {
        let mut order = std::mem::take(&mut self.order);
        order.sort_by(|&a, &b| self.key(a).cmp(&self.key(b)));
        self.order = order;
    }

    fn place(&self, index: u32) -> (&str, Severity) {
        match index & PACKED {
            0 => {
                let d = &self.whole[index as usize];
                (&d.location.file, d.severity)
            }
            _ => {
                let mut reader = self.reader(index & !PACKED);
                let severity = reader.severity();
                let file = &self.files.values[reader.head().file as usize];
                (file, severity)
            }
        }
    }

    fn key(&self, index: u32) -> Key<'_> {
        if index & PACKED == 0 {
            return self.whole[index as usize].sort_key();
        }
        let mut reader = self.reader(index & !PACKED);
        let _ = reader.severity();
        let head = reader.head();
        let file = &self.files.values[head.file as usize];
        let sheet = head.sheet.map(|s| &*self.files.values[s as usize]);
        let code = &self.codes.values[head.code as usize];
        (file, sheet, head.row, head.column, code)
    }

    fn reader(&self, packed: u32) -> Reader<'_> {
        let start = self.starts[packed as usize];
        Reader {
            bytes: &self.packed,
            at: start,
        }
    }

    fn pack(&mut self, d: Diagnostic) -> u32 {
        let at = &d.location;
        let mut flags = 0;
        for (has, flag) in [
            (at.sheet.is_some(), HAS_SHEET),
            (at.row.is_some(), HAS_ROW),
            (at.column.is_some(), HAS_COLUMN),
            (at.header.is_some(), HAS_HEADER),
            (d.found.is_some(), HAS_FOUND),
        ] {
            if has {
                flags |= flag;
            }
        }
        let file = self.files.number(&*at.file, |_| at.file.clone());
        let sheet = (at.sheet.as_ref()).map(|s| self.files.number(&**s, |_| s.clone()));
        let code = self.codes.number(d.code.as_str(), |c| Arc::from(c));
        let header = at
            .header
            .as_deref()
            .map(|h| self.headers.number(h, |h| Arc::from(h)));
        let help = self.helps.number(&d.help, Arc::clone);
        self.starts.push(self.packed.len());
        let out = &mut self.packed;
        out.push(match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
        });
        out.push(flags);
        for number in [
            Some(file),
            sheet,
            at.row,
            at.column,
            Some(code),
            header,
            Some(help),
        ]
        .into_iter()
        .flatten()
        {
            out.extend_from_slice(&number.to_le_bytes());
        }
        for text in [Some(&d.message.en), Some(&d.message.ja), d.found.as_ref()]
            .into_iter()
            .flatten()
        {
            out.extend_from_slice(&(text.len() as u32).to_le_bytes());
            out.extend_from_slice(text.as_bytes());
        }
        (self.starts.len() - 1) as u32
    }

    fn unpack(&self, packed: u32) -> Diagnostic {
        let mut reader = self.reader(packed);
        let severity = reader.severity();
        let head = reader.head();
        let help = reader.u32();
        let en = reader.text().to_string();
        let ja = reader.text().to_string();
        let found = (head.flags & HAS_FOUND != 0).then(|| reader.text().to_string());
        Diagnostic {
            severity,
            code: self.codes.values[head.code as usize].to_string(),
            message: Text { en, ja },
            help: self.helps.values[help as usize].clone(),
            location: Location {
                file: self.files.values[head.file as usize].clone(),
                sheet: head.sheet.map(|s| self.files.values[s as usize].clone()),
                row: head.row,
                column: head.column,
                header: head
                    .header
                    .map(|h| self.headers.values[h as usize].to_string()),
            },
            found,
            snippet: None,
            related: Vec::new(),
        }
    }
}

/// A packed problem's place and names, by number.
struct Head {
    flags: u8,
    file: u32,
    sheet: Option<u32>,
    row: Option<u32>,
    column: Option<u32>,
    code: u32,
    header: Option<u32>,
}

/// Reads a packed problem. The buffer is written only by [`Findings::pack`], so its layout holds.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let slice = self.bytes.get(self.at..self.at + n).unwrap_or_default();
        self.at += n;
        slice
    }

    fn severity(&mut self) -> Severity {
        match self.take(1) {
            [0] => Severity::Error,
            _ => Severity::Warning,
        }
    }

    fn u32(&mut self) -> u32 {
        let mut bytes = [0; 4];
        bytes.copy_from_slice(self.take(4).get(..4).unwrap_or(&[0; 4]));
        u32::from_le_bytes(bytes)
    }

    fn text(&mut self) -> &'a str {
        let len = self.u32() as usize;
        std::str::from_utf8(self.take(len)).unwrap_or_default()
    }

    fn head(&mut self) -> Head {
        let flags = self.take(1).first().copied().unwrap_or(0);
        let optional = |flag: u8, reader: &mut Reader| (flags & flag != 0).then(|| reader.u32());
        let file = self.u32();
        let sheet = optional(HAS_SHEET, self);
        let row = optional(HAS_ROW, self);
        let column = optional(HAS_COLUMN, self);
        let code = self.u32();
        let header = optional(HAS_HEADER, self);
        Head {
            flags,
            file,
            sheet,
            row,
            column,
            code,
            header,
        }
    }
}

impl Extend<Diagnostic> for Findings {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        for diagnostic in iter {
            self.push(diagnostic);
        }
    }
}

impl FromIterator<Diagnostic> for Findings {
    fn from_iter<I: IntoIterator<Item = Diagnostic>>(iter: I) -> Findings {
        let mut findings = Findings::new();
        findings.extend(iter);
        findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Snippet;
    use proptest::prelude::*;

    fn at(file: &str, sheet: Option<&str>, row: Option<u32>, column: Option<u32>) -> Location {
        Location {
            file: file.into(),
            sheet: sheet.map(Into::into),
            row,
            column,
            header: column.map(|c| format!("列{c}")),
        }
    }

    fn problem(code: &str, location: Location, found: Option<&str>) -> Diagnostic {
        let mut d = Diagnostic::error(
            code,
            location,
            Text::new(format!("{code} en"), format!("{code}（日本語）")),
            Text::new("help", "直し方"),
        );
        d.found = found.map(str::to_string);
        d
    }

    #[test]
    fn a_place_elsewhere_is_cited_with_the_finding_it_follows_from() {
        let mut findings = Findings::new();
        let cell = at("mhlw.xlsx", Some("取組"), Some(4), Some(1));
        findings.push(problem(
            "measure.issue_id.pattern",
            cell.clone(),
            Some("2-1-2"),
        ));
        findings.push(problem(
            "kpi.value.type",
            at("mhlw.xlsx", Some("KPI"), Some(2), Some(3)),
            None,
        ));
        let related = crate::report::Related {
            location: at("council.xlsx", Some("論点"), Some(9), Some(4)),
            note: Text::new("listed there", "そこにも載っています"),
        };
        assert!(findings.relate(&cell, related.clone()));
        assert!(!findings.relate(&at("cao.xlsx", None, None, None), related.clone()));
        let all: Vec<_> = findings.iter().collect();
        assert_eq!(all[0].related, [related], "the packed finding now cites it");
        assert_eq!(
            all[0].found.as_deref(),
            Some("2-1-2"),
            "and is otherwise as it was"
        );
        assert!(all[1].related.is_empty());
    }

    #[test]
    fn a_packed_problem_unpacks_as_it_was_and_all_come_out_in_report_order() {
        let drawn = problem(
            "kpi.value.type",
            at("b.xlsx", Some("KPI"), Some(3), Some(3)),
            Some("abc"),
        )
        .with_snippet(Some(Snippet {
            row: 3,
            text: "D 値: abc".into(),
            span: (0, 3),
            cells: Vec::new(),
        }));
        let given = vec![
            drawn,
            problem(
                "kpi.value.type",
                at("b.xlsx", Some("KPI"), Some(2), Some(3)),
                Some("約50"),
            ),
            problem("round.missing", at("input", None, None, None), None).into_warning(),
            problem(
                "measure.id.pattern",
                at("a.xlsx", Some("取組"), Some(9), Some(0)),
                Some(""),
            ),
            problem("sheet.missing", at("a.xlsx", Some("KPI"), None, None), None),
        ];
        let mut findings: Findings = given.iter().cloned().collect();
        assert_eq!(findings.whole.len(), 1, "the one with a snippet is whole");
        let unpacked: Vec<Diagnostic> = findings.iter().map(Cow::into_owned).collect();
        assert_eq!(unpacked, given);
        findings.sort();
        let mut sorted = given.clone();
        sorted.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        assert_eq!(
            findings.iter().map(Cow::into_owned).collect::<Vec<_>>(),
            sorted
        );
        assert_eq!(
            findings.tally(),
            Tally {
                errors: 4,
                warnings: 1
            }
        );
        let files: Vec<_> = findings.places().map(|(file, _)| file).collect();
        assert_eq!(files, ["a.xlsx", "a.xlsx", "b.xlsx", "b.xlsx", "input"]);
    }

    #[test]
    fn problems_that_share_a_help_share_it_packed() {
        let help = Arc::new(Text::new("help", "直し方"));
        let findings: Findings = (0..1000u32)
            .map(|row| {
                let mut d = problem(
                    "kpi.value.type",
                    at("a.xlsx", Some("KPI"), Some(row + 2), Some(3)),
                    Some("x"),
                );
                d.help = help.clone();
                d
            })
            .collect();
        assert_eq!(findings.helps.values.len(), 1);
        assert_eq!(findings.files.values.len(), 2, "the file and the sheet");
        // A packed problem is its message and value, and a few numbers.
        let text = "kpi.value.type en".len() + "kpi.value.type（日本語）".len() + "x".len();
        let each = findings.packed.len() / 1000;
        assert!(
            each <= text + 45,
            "{each} bytes each for {text} bytes of text"
        );
    }

    proptest! {
        #[test]
        fn any_problem_packs_and_unpacks(
            file in "[a-z]{1,8}\\.xlsx",
            sheet in proptest::option::of("[取組KPI論点]{1,3}"),
            row in proptest::option::of(1u32..2_000_000),
            column in proptest::option::of(0u32..16_384),
            found in proptest::option::of(".{0,20}"),
            warning in any::<bool>(),
        ) {
            let mut d = problem("kpi.value.type", at(&file, sheet.as_deref(), row, column), found.as_deref());
            if warning {
                d = d.into_warning();
            }
            let findings: Findings = std::iter::once(d.clone()).collect();
            prop_assert_eq!(findings.iter().next().map(Cow::into_owned), Some(d));
        }
    }
}
