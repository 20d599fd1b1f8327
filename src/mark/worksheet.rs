//! A worksheet's XML copied event by event, with each marked cell given the format of its mark
//! (a cell that does not exist, such as a required value left empty, is added), and the sheet
//! pointed at the drawing of its notes. Everything else is written back as it was read.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::{Reader, Writer};

use super::styles::StyleSheet;
use crate::report::{cell_name, Severity};

const RELATIONSHIPS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// The elements a worksheet lists after `legacyDrawing` (ECMA-376 CT_Worksheet), before the
/// first of which a new one goes.
const AFTER_LEGACY_DRAWING: &[&str] = &[
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
    "AlternateContent",
];

/// What to change in one sheet.
pub struct SheetEdit<'a> {
    /// Marked cells by 0-based row and column.
    pub marks: &'a BTreeMap<(u32, u32), Severity>,
    /// The relationship of a drawing to add, for a sheet that had none.
    pub legacy_drawing: Option<String>,
    /// Whether the sheet should stop being the selected one (the 確認結果 sheet is).
    pub unselect: bool,
}

/// The 0-based row and column of a reference such as `D7` (or `d7`, as some programs write it).
pub fn cell_position(reference: &str) -> Option<(u32, u32)> {
    let split = reference.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let column = letters
        .bytes()
        .map(|b| b.to_ascii_uppercase())
        .fold(0u32, |n, b| n * 26 + u32::from(b - b'A') + 1)
        - 1;
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, column))
}

/// Copies a worksheet from `reader` to `writer` with `edit`'s changes.
pub fn copy_sheet<R: BufRead, W: Write>(
    reader: R,
    writer: W,
    edit: &SheetEdit,
    styles: &mut StyleSheet,
) -> Result<(), String> {
    let mut rows: Vec<(u32, Vec<(u32, Severity)>)> = Vec::new();
    for (&(row, column), &severity) in edit.marks {
        match rows.last_mut() {
            Some((last, columns)) if *last == row => columns.push((column, severity)),
            _ => rows.push((row, vec![(column, severity)])),
        }
    }
    let mut copy = Copy {
        out: Writer::new(writer),
        styles,
        rows: rows.into_iter().rev().collect(),
        columns: Vec::new(),
        column_formats: Vec::new(),
        row_format: None,
        prefix: String::new(),
        next_row: 0,
        next_column: 0,
        drawing: edit.legacy_drawing.clone(),
        drawing_prefix: None,
    };
    let mut xml = Reader::from_reader(reader);
    let mut buffer = Vec::new();
    let mut depth = 0usize;
    let mut in_sheet_data = false;
    loop {
        let event = xml
            .read_event_into(&mut buffer)
            .map_err(|e| e.to_string())?;
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                let local = e.local_name().as_ref().to_string();
                if depth == 0 {
                    copy.root(&e);
                } else if depth == 1 {
                    copy.before_top_level(&local)?;
                }
                depth += 1;
                match local.as_str() {
                    "sheetData" if depth == 2 => {
                        in_sheet_data = true;
                        copy.write(Event::Start(e))?;
                    }
                    "row" if in_sheet_data => copy.row(&e, false)?,
                    "c" if in_sheet_data => copy.cell(&e, false)?,
                    "sheetView" if edit.unselect => copy.write(Event::Start(unselected(&e)))?,
                    _ => copy.write(Event::Start(e))?,
                }
            }
            Event::Empty(e) => {
                let local = e.local_name().as_ref().to_string();
                if depth == 1 {
                    copy.before_top_level(&local)?;
                }
                match local.as_str() {
                    "sheetData" if depth == 1 => {
                        copy.write(Event::Start(e.to_owned()))?;
                        copy.rows_before(u32::MAX)?;
                        copy.write(Event::End(e.to_end().into_owned()))?;
                    }
                    "row" if in_sheet_data => copy.row(&e, true)?,
                    "c" if in_sheet_data => copy.cell(&e, true)?,
                    "col" => {
                        copy.column_format(&e);
                        copy.write(Event::Empty(e))?;
                    }
                    "sheetView" if edit.unselect => copy.write(Event::Empty(unselected(&e)))?,
                    _ => copy.write(Event::Empty(e))?,
                }
            }
            Event::End(e) => {
                depth = depth.saturating_sub(1);
                match e.local_name().as_ref() {
                    "row" if in_sheet_data => copy.cells_before(u32::MAX)?,
                    "sheetData" if depth == 1 => {
                        copy.rows_before(u32::MAX)?;
                        in_sheet_data = false;
                    }
                    _ if depth == 0 => copy.before_top_level("")?,
                    _ => {}
                }
                copy.write(Event::End(e))?;
            }
            other => copy.write(other)?,
        }
        buffer.clear();
    }
    Ok(())
}

struct Copy<'s, W: Write> {
    out: Writer<W>,
    styles: &'s mut StyleSheet,
    /// Rows with marks still to come, the next last.
    rows: Vec<(u32, Vec<(u32, Severity)>)>,
    /// The current row's marked columns still to come, the next last.
    columns: Vec<(u32, Severity)>,
    /// Column formats from `<cols>`: (first, last, format), 0-based.
    column_formats: Vec<(u32, u32, u32)>,
    /// The current row's own format, when it has one.
    row_format: Option<u32>,
    /// The prefix of the sheet's elements (`x:` where the writer named the namespace so).
    prefix: String,
    next_row: u32,
    next_column: u32,
    /// The relationship of the drawing still to be written, if any.
    drawing: Option<String>,
    /// How the root names the relationships namespace, if it does.
    drawing_prefix: Option<String>,
}

impl<W: Write> Copy<'_, W> {
    fn write(&mut self, event: Event) -> Result<(), String> {
        self.out.write_event(event).map_err(|e| e.to_string())
    }

    fn raw(&mut self, text: &str) -> Result<(), String> {
        self.out
            .get_mut()
            .write_all(text.as_bytes())
            .map_err(|e| e.to_string())
    }

    fn root(&mut self, root: &BytesStart) {
        let name = root.name();
        if let Some(prefix) = name.prefix() {
            self.prefix = format!("{}:", prefix.as_ref());
        }
        for attribute in root.attributes().flatten() {
            let key = attribute.key.as_ref();
            if let (Some(prefix), true) = (
                key.strip_prefix("xmlns:"),
                *attribute.value == *RELATIONSHIPS,
            ) {
                self.drawing_prefix = Some(prefix.to_string());
            }
        }
    }

    /// Writes the drawing's element before the first top-level element that follows it (or the
    /// end of the sheet, `""`).
    fn before_top_level(&mut self, local: &str) -> Result<(), String> {
        if !(local.is_empty() || AFTER_LEGACY_DRAWING.contains(&local)) {
            return Ok(());
        }
        let Some(id) = self.drawing.take() else {
            return Ok(());
        };
        let element = match &self.drawing_prefix {
            Some(r) => format!(r#"<{}legacyDrawing {r}:id="{id}"/>"#, self.prefix),
            None => format!(
                r#"<{}legacyDrawing xmlns:r="{}" r:id="{id}"/>"#,
                self.prefix, RELATIONSHIPS
            ),
        };
        self.raw(&element)
    }

    fn column_format(&mut self, col: &BytesStart) {
        let number = |name: &str| attribute(col, name).and_then(|v| v.parse::<u32>().ok());
        if let (Some(min), Some(max), Some(style)) = (number("min"), number("max"), number("style"))
        {
            self.column_formats
                .push((min.saturating_sub(1), max.saturating_sub(1), style));
        }
    }

    /// A row's start (or the whole of an empty row): every marked row before it is written
    /// first, and its own marks are taken up.
    fn row(&mut self, row: &BytesStart, empty: bool) -> Result<(), String> {
        let written = attribute(row, "r")
            .and_then(|r| r.parse::<u32>().ok())
            .and_then(|r| r.checked_sub(1));
        let index = written.unwrap_or(self.next_row);
        self.rows_before(index)?;
        self.next_row = index.saturating_add(1);
        self.next_column = 0;
        self.columns = match self.rows.last() {
            Some((next, _)) if *next == index => {
                self.rows.pop().map(|(_, c)| c).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        self.columns.reverse();
        self.row_format = match attribute(row, "customFormat").as_deref() {
            Some("1" | "true") => attribute(row, "s").and_then(|s| s.parse().ok()),
            _ => None,
        };
        let marked = !self.columns.is_empty();
        // Every row says where it is, so that a row added before it cannot move it; the
        // `spans` hint no longer holds where cells are added.
        let mut start = row.to_owned();
        if marked {
            start = rebuilt(row, |key| key == "spans");
        }
        if written.is_none() {
            // A reference that says nothing is replaced, never written twice.
            start = rebuilt(&start, |key| key == "r");
            start.push_attribute(("r", index.saturating_add(1).to_string().as_str()));
        }
        match (empty, marked) {
            (true, false) => self.write(Event::Empty(start)),
            (true, true) => {
                self.write(Event::Start(start.borrow()))?;
                self.cells_before(u32::MAX)?;
                self.write(Event::End(BytesEnd::new(format!("{}row", self.prefix))))
            }
            (false, _) => self.write(Event::Start(start)),
        }
    }

    fn cell(&mut self, cell: &BytesStart, empty: bool) -> Result<(), String> {
        let written = attribute(cell, "r").and_then(|r| cell_position(&r));
        let (row, column) = written.unwrap_or((self.next_row.saturating_sub(1), self.next_column));
        self.next_column = column.saturating_add(1);
        self.cells_before(column)?;
        let mut start = cell.to_owned();
        if written.is_none() {
            // A cell after an added one must say where it is; a reference that says nothing is
            // replaced, never written twice.
            start = rebuilt(&start, |key| key == "r");
            start.push_attribute(("r", cell_name(row + 1, column).as_str()));
        }
        if let Some(&(next, severity)) = self.columns.last() {
            if next == column {
                self.columns.pop();
                let own = attribute(cell, "s")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                let marked = self.styles.marked(own, severity);
                start = rebuilt(&start, |key| key == "s");
                start.push_attribute(("s", marked.to_string().as_str()));
            }
        }
        match empty {
            true => self.write(Event::Empty(start)),
            false => self.write(Event::Start(start)),
        }
    }

    /// Adds the marked cells of the current row that come before `column` and do not exist.
    fn cells_before(&mut self, column: u32) -> Result<(), String> {
        let row = self.next_row.saturating_sub(1);
        while let Some(&(next, severity)) = self.columns.last() {
            if next >= column {
                break;
            }
            self.columns.pop();
            let own = self
                .row_format
                .unwrap_or_else(|| self.column_format_of(next));
            let format = self.styles.marked(own, severity);
            let cell = format!(
                r#"<{}c r="{}" s="{format}"/>"#,
                self.prefix,
                cell_name(row + 1, next)
            );
            self.raw(&cell)?;
        }
        Ok(())
    }

    /// Adds the marked rows that come before `row` and do not exist.
    fn rows_before(&mut self, row: u32) -> Result<(), String> {
        while self.rows.last().is_some_and(|(next, _)| *next < row) {
            let Some((index, mut columns)) = self.rows.pop() else {
                break;
            };
            columns.reverse();
            self.columns = columns;
            self.row_format = None;
            self.next_row = index + 1;
            self.raw(&format!(r#"<{}row r="{}">"#, self.prefix, index + 1))?;
            self.cells_before(u32::MAX)?;
            self.raw(&format!("</{}row>", self.prefix))?;
        }
        Ok(())
    }

    fn column_format_of(&self, column: u32) -> u32 {
        self.column_formats
            .iter()
            .find(|(first, last, _)| (*first..=*last).contains(&column))
            .map_or(0, |(_, _, format)| *format)
    }
}

fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.to_string())
}

/// The element with its attributes but those `dropped` says.
fn rebuilt(element: &BytesStart, dropped: impl Fn(&str) -> bool) -> BytesStart<'static> {
    let name = element.name().as_ref().to_string();
    let mut start = BytesStart::new(name);
    for attribute in element.attributes().flatten() {
        if !dropped(attribute.key.as_ref()) {
            start.push_attribute(attribute);
        }
    }
    start
}

fn unselected(view: &BytesStart) -> BytesStart<'static> {
    rebuilt(view, |key| key == "tabSelected")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mark::styles::{StyleSheet, EMPTY};

    fn copied(xml: &str, marks: &[((u32, u32), Severity)], drawing: bool) -> String {
        let marks = marks.iter().copied().collect();
        let edit = SheetEdit {
            marks: &marks,
            legacy_drawing: drawing.then(|| "rId9".to_string()),
            unselect: true,
        };
        let mut styles = StyleSheet::parse(EMPTY.to_string()).unwrap();
        let mut out = Vec::new();
        copy_sheet(xml.as_bytes(), &mut out, &edit, &mut styles).unwrap();
        String::from_utf8(out).unwrap()
    }

    const SHEET: &str = concat!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        r#"<sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews>"#,
        r#"<cols><col min="3" max="3" width="20" style="0" customWidth="1"/></cols>"#,
        r#"<sheetData><row r="2" spans="1:2"><c r="A2" t="s"><v>0</v></c><c r="B2" s="0"><v>1</v></c></row>"#,
        r#"<row r="5"><c r="A5"><f>1+1</f><v>2</v></c></row></sheetData>"#,
        r#"<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>"#,
        r#"<tableParts count="0"/></worksheet>"#
    );

    #[test]
    fn a_marked_cell_gets_its_mark_s_format_and_keeps_its_value() {
        // Format 0's copies come after the 7 of 確認結果 and the 1 the styles had.
        let xml = copied(
            SHEET,
            &[((1, 1), Severity::Error), ((4, 0), Severity::Warning)],
            false,
        );
        assert!(xml.contains(r#"<c r="B2" s="8"><v>1</v></c>"#), "{xml}");
        assert!(
            xml.contains(r#"<c r="A5" s="9"><f>1+1</f><v>2</v></c>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<row r="2">"#),
            "spans dropped where cells may be added: {xml}"
        );
        assert!(
            xml.contains(r#"<c r="A2" t="s"><v>0</v></c>"#),
            "an unmarked cell is as it was: {xml}"
        );
        assert!(xml.contains(r#"<sheetView workbookViewId="0"/>"#), "{xml}");
    }

    #[test]
    fn a_lowercase_reference_is_read_and_kept_once() {
        let sheet = SHEET.replace(r#"<c r="B2" s="0">"#, r#"<c r="b2" s="0">"#);
        let xml = copied(&sheet, &[((1, 1), Severity::Error)], false);
        assert!(xml.contains(r#"<c r="b2" s="8"><v>1</v></c>"#), "{xml}");
        let garbled = SHEET.replace(r#"<c r="B2" s="0">"#, r#"<c r="?" s="0">"#);
        let xml = copied(&garbled, &[((1, 1), Severity::Error)], false);
        assert!(xml.contains(r#"<c r="B2" s="8"><v>1</v></c>"#), "{xml}");
    }

    #[test]
    fn a_cell_or_row_that_does_not_exist_is_added_in_order() {
        let marks = [
            ((0, 0), Severity::Error),
            ((1, 0), Severity::Error),
            ((1, 2), Severity::Error),
            ((1, 5), Severity::Error),
            ((6, 3), Severity::Warning),
        ];
        let xml = copied(SHEET, &marks, true);
        assert!(
            xml.contains(r#"<sheetData><row r="1"><c r="A1" s="8"/></row><row r="2">"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<c r="B2" s="0"><v>1</v></c><c r="C2" s="8"/><c r="F2" s="8"/></row>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"</row><row r="7"><c r="D7" s="9"/></row></sheetData>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<legacyDrawing r:id="rId9"/><tableParts"#),
            "{xml}"
        );
    }

    #[test]
    fn rows_and_cells_without_references_get_them() {
        let sheet = r#"<worksheet><sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row/></sheetData></worksheet>"#;
        let xml = copied(
            sheet,
            &[((0, 1), Severity::Error), ((1, 0), Severity::Error)],
            true,
        );
        assert!(
            xml.contains(r#"<row r="1"><c r="A1"><v>1</v></c><c r="B1" s="8"><v>2</v></c></row>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<row r="2"><c r="A2" s="8"/></row>"#),
            "{xml}"
        );
        assert!(
            xml.contains(r#"<legacyDrawing xmlns:r="#) && xml.ends_with("/></worksheet>"),
            "{xml}"
        );
    }

    #[test]
    fn a_reference_names_its_row_and_column() {
        assert_eq!(cell_position("A1"), Some((0, 0)));
        assert_eq!(cell_position("AB12"), Some((11, 27)));
        assert_eq!(cell_position("d7"), Some((6, 3)));
        assert_eq!(cell_position("A0"), None);
        assert_eq!(cell_position("12"), None);
    }
}
