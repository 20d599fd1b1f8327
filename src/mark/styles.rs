//! The workbook's `xl/styles.xml`, with what a marked copy adds: two fills (errors, warnings), a
//! copy of each cell format a marked cell had with the fill of its mark, and the few formats of
//! the 確認結果 sheet. Everything the workbook had stays where it was, so every format index its
//! sheets use still means what it meant.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

use super::names::{element_prefix, with_prefix};
use crate::report::Severity;

/// Fill colours of a marked cell: Excel's own "Bad" and "Neutral" cell styles.
const ERROR_FILL: &str = "FFFFC7CE";
const WARNING_FILL: &str = "FFFFEB9C";
const HEADER_FILL: &str = "FFD9D9D9";
/// The 確認結果 sheet's font: the annex's, which every Japanese Windows has.
const FACE: &str = r#"<name val="BIZ UDゴシック"/><family val="3"/><charset val="128"/>"#;

/// A styles part with no formats of its own, for a package that has none.
pub const EMPTY: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>"#,
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill>"#,
    r#"<fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>"#,
    r#"</styleSheet>"#
);

/// The formats the 確認結果 sheet uses, by their index in `cellXfs`.
#[derive(Clone, Copy, Debug)]
pub struct Own {
    pub title: u32,
    /// A line under the title, running across the columns.
    pub note: u32,
    pub header: u32,
    pub body: u32,
    pub link: u32,
    pub error: u32,
    pub warning: u32,
}

/// The lists a styles part holds, in the order ECMA-376 gives them (CT_Stylesheet): a list the
/// part lacks is added before the first that follows it.
const LISTS: &[&str] = &[
    "numFmts",
    "fonts",
    "fills",
    "borders",
    "cellStyleXfs",
    "cellXfs",
    "cellStyles",
    "dxfs",
    "tableStyles",
    "colors",
    "extLst",
];

/// What a list the part lacks starts with: the defaults every workbook has (font 0, fills 0
/// and 1, format 0), so that what annex adds keeps the indexes Excel expects.
const DEFAULT_FONT: &str = r#"<font><sz val="11"/><name val="Calibri"/></font>"#;
const DEFAULT_FILLS: &str = r#"<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#;
const DEFAULT_FORMAT: &str = r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#;

/// A styles part being added to.
pub struct StyleSheet {
    xml: String,
    /// The prefix the part writes its elements with (`x:` in `<x:styleSheet xmlns:x=…>`), which
    /// every element annex adds takes too.
    prefix: String,
    /// The lists among fonts, fills and cellXfs that the part lacks.
    missing: Vec<&'static str>,
    fonts: u32,
    fills: u32,
    /// Each cell format of `cellXfs` as written, an empty element or a start, children and end.
    formats: Vec<String>,
    /// Formats added for marked cells, in order, after the sheet's own: (format copied, mark).
    marked: Vec<(u32, Severity)>,
    index: HashMap<(u32, Severity), u32>,
}

impl StyleSheet {
    /// Reads a styles part; an error when it is not XML. A part without fonts, fills or cell
    /// formats gets them, starting with the defaults.
    pub fn parse(xml: String) -> Result<StyleSheet, String> {
        let mut reader = Reader::from_str(&xml);
        let (mut fonts, mut fills, mut formats) = (None, None, Vec::new());
        let (mut in_cell_xfs, mut has_cell_xfs) = (false, false);
        let mut prefix = None;
        let mut current: Option<Writer<Vec<u8>>> = None;
        loop {
            let event = reader.read_event().map_err(|e| e.to_string())?;
            let local = |e: &BytesStart| e.local_name().as_ref().to_string();
            if let (None, Event::Start(e) | Event::Empty(e)) = (&prefix, &event) {
                prefix = Some(element_prefix(e));
            }
            match &event {
                Event::Start(e) if local(e) == "fonts" => {
                    fonts = Some(count_children(reader.clone(), "font"));
                }
                Event::Start(e) if local(e) == "fills" => {
                    fills = Some(count_children(reader.clone(), "fill"));
                }
                Event::Empty(e) if local(e) == "fonts" => fonts = Some(0),
                Event::Empty(e) if local(e) == "fills" => fills = Some(0),
                Event::Start(e) if local(e) == "cellXfs" => {
                    (in_cell_xfs, has_cell_xfs) = (true, true)
                }
                Event::Empty(e) if local(e) == "cellXfs" => has_cell_xfs = true,
                Event::End(e) if e.local_name().as_ref() == "cellXfs" => in_cell_xfs = false,
                Event::Eof => break,
                _ => {}
            }
            if !in_cell_xfs {
                continue;
            }
            match &event {
                Event::Empty(e) if current.is_none() && local(e) == "xf" => {
                    let mut one = Writer::new(Vec::new());
                    one.write_event(event.clone()).map_err(|e| e.to_string())?;
                    formats.push(String::from_utf8_lossy(&one.into_inner()).into_owned());
                }
                Event::Start(e) if current.is_none() && local(e) == "xf" => {
                    let mut one = Writer::new(Vec::new());
                    one.write_event(event.clone()).map_err(|e| e.to_string())?;
                    current = Some(one);
                }
                Event::End(e) if e.local_name().as_ref() == "xf" => {
                    if let Some(mut one) = current.take() {
                        one.write_event(event.clone()).map_err(|e| e.to_string())?;
                        formats.push(String::from_utf8_lossy(&one.into_inner()).into_owned());
                    }
                }
                _ => {
                    if let Some(one) = current.as_mut() {
                        one.write_event(event.clone()).map_err(|e| e.to_string())?;
                    }
                }
            }
        }
        let prefix = prefix.ok_or("it is empty")?;
        let mut missing = Vec::new();
        let fonts = fonts.unwrap_or_else(|| {
            missing.push("fonts");
            1
        });
        let fills = fills.unwrap_or_else(|| {
            missing.push("fills");
            2
        });
        if !has_cell_xfs {
            missing.push("cellXfs");
        }
        if formats.is_empty() {
            formats.push(with_prefix(DEFAULT_FORMAT, &prefix));
        }
        Ok(StyleSheet {
            xml,
            prefix,
            missing,
            fonts,
            fills,
            formats,
            marked: Vec::new(),
            index: HashMap::new(),
        })
    }

    /// The formats of the 確認結果 sheet: the first ones after the workbook's own.
    pub fn own(&self) -> Own {
        let first = self.formats.len() as u32;
        Own {
            title: first,
            note: first + 1,
            header: first + 2,
            body: first + 3,
            link: first + 4,
            error: first + 5,
            warning: first + 6,
        }
    }

    /// The format of a marked cell whose own format was `format`.
    pub fn marked(&mut self, format: u32, severity: Severity) -> u32 {
        if let Some(&index) = self.index.get(&(format, severity)) {
            return index;
        }
        let index = self.formats.len() as u32 + OWN_FORMATS + self.marked.len() as u32;
        self.marked.push((format, severity));
        self.index.insert((format, severity), index);
        index
    }

    /// The styles part with every addition.
    pub fn write(&self) -> Result<Vec<u8>, String> {
        let (fonts, fills) = (self.fonts, self.fills);
        let added_fills = [ERROR_FILL, WARNING_FILL, HEADER_FILL].map(|rgb| {
            format!(
                r#"<fill><patternFill patternType="solid"><fgColor rgb="{rgb}"/><bgColor indexed="64"/></patternFill></fill>"#
            )
        });
        let added_fonts = [
            format!(r#"<font><b/><sz val="10"/>{FACE}</font>"#),
            format!(r#"<font><sz val="10"/>{FACE}</font>"#),
            format!(r#"<font><u/><sz val="10"/><color rgb="FF0563C1"/>{FACE}</font>"#),
            format!(r#"<font><b/><sz val="14"/>{FACE}</font>"#),
        ];
        let (bold, plain, link, title) = (fonts, fonts + 1, fonts + 2, fonts + 3);
        let (error_fill, warning_fill, header_fill) = (fills, fills + 1, fills + 2);
        let top = r#"<alignment vertical="top" wrapText="1"/>"#;
        let own = [
            format!(
                r#"<xf numFmtId="0" fontId="{title}" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
            ),
            format!(
                r#"<xf numFmtId="0" fontId="{plain}" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#
            ),
            format!(
                r#"<xf numFmtId="0" fontId="{bold}" fillId="{header_fill}" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">{top}</xf>"#
            ),
            format!(
                r#"<xf numFmtId="49" fontId="{plain}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1">{top}</xf>"#
            ),
            format!(
                r#"<xf numFmtId="49" fontId="{link}" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyAlignment="1">{top}</xf>"#
            ),
            format!(
                r#"<xf numFmtId="49" fontId="{plain}" fillId="{error_fill}" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyAlignment="1">{top}</xf>"#
            ),
            format!(
                r#"<xf numFmtId="49" fontId="{plain}" fillId="{warning_fill}" borderId="0" xfId="0" applyNumberFormat="1" applyFont="1" applyFill="1" applyAlignment="1">{top}</xf>"#
            ),
        ];
        let mut marked = String::new();
        for &(format, severity) in &self.marked {
            let fill = match severity {
                Severity::Error => error_fill,
                Severity::Warning => warning_fill,
            };
            let original = self
                .formats
                .get(format as usize)
                .or(self.formats.first())
                .map_or("<xf/>", String::as_str);
            marked.push_str(&with_fill(original, fill)?);
        }
        let cell_formats = self.formats.len() + own.len() + self.marked.len();
        let p = self.prefix.as_str();
        let (added_fonts, added_fills) = (
            with_prefix(&added_fonts.concat(), p),
            with_prefix(&added_fills.concat(), p),
        );
        let own = with_prefix(&own.concat(), p);
        // A list the part lacks, whole: the defaults, then what annex adds.
        let whole_list = |list: &str| -> String {
            let (count, children) = match list {
                "fonts" => (5, with_prefix(DEFAULT_FONT, p) + &added_fonts),
                "fills" => (5, with_prefix(DEFAULT_FILLS, p) + &added_fills),
                _ => (cell_formats, self.formats.concat() + &own + &marked),
            };
            format!(r#"<{p}{list} count="{count}">{children}</{p}{list}>"#)
        };
        let mut missing = self.missing.clone();
        let mut insert_before = |out: &mut Writer<Vec<u8>>, list: Option<&str>| {
            let position = list.and_then(|l| LISTS.iter().position(|name| *name == l));
            let due: Vec<&str> = (missing.iter().copied())
                .filter(|m| match position {
                    Some(at) => LISTS
                        .iter()
                        .position(|name| name == m)
                        .is_some_and(|m| m < at),
                    None => true,
                })
                .collect();
            missing.retain(|m| !due.contains(m));
            for list in due {
                out.get_mut().extend_from_slice(whole_list(list).as_bytes());
            }
        };
        let mut reader = Reader::from_str(&self.xml);
        let mut out = Writer::new(Vec::with_capacity(self.xml.len() + marked.len() + 4096));
        let io = |e: std::io::Error| e.to_string();
        let mut depth = 0usize;
        loop {
            let event = reader.read_event().map_err(|e| e.to_string())?;
            match &event {
                Event::Start(e) | Event::Empty(e) if depth == 1 => {
                    insert_before(&mut out, Some(e.local_name().as_ref()));
                }
                Event::End(_) if depth == 1 => insert_before(&mut out, None),
                _ => {}
            }
            match &event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            match event {
                Event::Eof => break,
                Event::Start(e) => match e.local_name().as_ref() {
                    "fonts" => out.write_event(Event::Start(counted(&e, fonts + 4))),
                    "fills" => out.write_event(Event::Start(counted(&e, fills + 3))),
                    "cellXfs" => out.write_event(Event::Start(counted(&e, cell_formats as u32))),
                    _ => out.write_event(Event::Start(e)),
                }
                .map_err(io)?,
                Event::Empty(e)
                    if matches!(e.local_name().as_ref(), "fonts" | "fills" | "cellXfs") =>
                {
                    // An empty list (no fonts, no fills) is a list of what annex adds alone.
                    let (count, children) = match e.local_name().as_ref() {
                        "fonts" => (4, added_fonts.clone()),
                        "fills" => (3, added_fills.clone()),
                        _ => (cell_formats as u32, self.formats.concat() + &own + &marked),
                    };
                    let name = e.name().as_ref().to_string();
                    out.write_event(Event::Start(counted(&e, count)))
                        .map_err(io)?;
                    out.get_mut().extend_from_slice(children.as_bytes());
                    out.get_mut()
                        .extend_from_slice(format!("</{name}>").as_bytes());
                }
                Event::End(e) => {
                    let added = match e.local_name().as_ref() {
                        "fonts" => added_fonts.clone(),
                        "fills" => added_fills.clone(),
                        "cellXfs" => own.clone() + &marked,
                        _ => String::new(),
                    };
                    out.get_mut().extend_from_slice(added.as_bytes());
                    out.write_event(Event::End(e)).map_err(io)?;
                }
                other => out.write_event(other).map_err(io)?,
            }
        }
        Ok(out.into_inner())
    }
}

/// How many formats the 確認結果 sheet adds ([`Own`]).
const OWN_FORMATS: u32 = 7;

/// The number of `child` elements directly inside the list whose start `reader` has just read.
fn count_children(mut reader: Reader<&[u8]>, child: &str) -> u32 {
    let (mut depth, mut count) = (0usize, 0);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                count += u32::from(depth == 0 && e.local_name().as_ref() == child);
                depth += 1;
            }
            Ok(Event::Empty(e)) => {
                count += u32::from(depth == 0 && e.local_name().as_ref() == child);
            }
            Ok(Event::End(_)) if depth == 0 => return count,
            Ok(Event::End(_)) => depth -= 1,
            Ok(Event::Eof) | Err(_) => return count,
            Ok(_) => {}
        }
    }
}

/// A list's start with its `count` set to `count`.
fn counted(list: &BytesStart, count: u32) -> BytesStart<'static> {
    let name = list.name().as_ref().to_string();
    let mut start = BytesStart::new(name);
    for attribute in list.attributes().flatten() {
        if attribute.key.local_name().as_ref() != "count" {
            start.push_attribute(attribute);
        }
    }
    start.push_attribute(("count", count.to_string().as_str()));
    start
}

/// A cell format as written, with `fill` as its fill.
fn with_fill(format: &str, fill: u32) -> Result<String, String> {
    let mut reader = Reader::from_str(format);
    let mut out = Writer::new(Vec::new());
    let mut first = true;
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        let event = match event {
            Event::Eof => break,
            Event::Start(e) if first => Event::Start(filled(&e, fill)),
            Event::Empty(e) if first => Event::Empty(filled(&e, fill)),
            other => other,
        };
        first = false;
        out.write_event(event).map_err(|e| e.to_string())?;
    }
    Ok(String::from_utf8_lossy(&out.into_inner()).into_owned())
}

fn filled(format: &BytesStart, fill: u32) -> BytesStart<'static> {
    let name = format.name().as_ref().to_string();
    let mut start = BytesStart::new(name);
    for attribute in format.attributes().flatten() {
        if !matches!(attribute.key.local_name().as_ref(), "fillId" | "applyFill") {
            start.push_attribute(attribute);
        }
    }
    start.push_attribute(("fillId", fill.to_string().as_str()));
    start.push_attribute(("applyFill", "1"));
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    fn styles() -> StyleSheet {
        StyleSheet::parse(EMPTY.replace(
            r#"<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>"#,
            r#"<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="1" borderId="0" xfId="0" applyNumberFormat="1"><alignment wrapText="1"/></xf></cellXfs>"#,
        ))
        .unwrap()
    }

    #[test]
    fn a_marked_cell_keeps_its_format_with_the_fill_of_its_mark() {
        let mut sheet = styles();
        assert_eq!(sheet.own().title, 2);
        let date_error = sheet.marked(1, Severity::Error);
        assert_eq!(date_error, 2 + OWN_FORMATS);
        assert_eq!(sheet.marked(1, Severity::Error), date_error, "made once");
        let plain_warning = sheet.marked(0, Severity::Warning);
        assert_eq!(plain_warning, date_error + 1);
        let xml = String::from_utf8(sheet.write().unwrap()).unwrap();
        assert!(xml.contains(r#"<fonts count="5">"#), "{xml}");
        assert!(xml.contains(r#"<fills count="5">"#), "{xml}");
        assert!(xml.contains(r#"<cellXfs count="11">"#), "{xml}");
        // Fills 2 and 3 are the error's and the warning's; the copies come last, in order.
        assert!(xml.contains(concat!(
            r#"<xf numFmtId="14" fontId="0" borderId="0" xfId="0" applyNumberFormat="1" fillId="2" applyFill="1"><alignment wrapText="1"/></xf>"#,
            r#"<xf numFmtId="0" fontId="0" borderId="0" xfId="0" fillId="3" applyFill="1"/></cellXfs>"#
        )), "{xml}");
        assert!(xml.contains("FFFFC7CE") && xml.contains("FFFFEB9C"));
        // The workbook's own formats are where they were.
        let original = xml
            .find(r#"<xf numFmtId="14" fontId="0" fillId="1""#)
            .unwrap();
        assert!(
            original
                < xml
                    .find(r#"<xf numFmtId="0" fontId="4" fillId="0""#)
                    .unwrap()
        );
    }

    #[test]
    fn what_a_prefixed_styles_part_gets_is_prefixed_too() {
        // As ClosedXML, PhpSpreadsheet and the Open XML SDK write it.
        let xml = concat!(
            r#"<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
            r#"<x:fonts count="1"><x:font><x:sz val="11"/></x:font></x:fonts>"#,
            r#"<x:fills count="2"><x:fill><x:patternFill patternType="none"/></x:fill>"#,
            r#"<x:fill><x:patternFill patternType="gray125"/></x:fill></x:fills>"#,
            r#"<x:cellXfs count="1"><x:xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></x:cellXfs>"#,
            r#"</x:styleSheet>"#
        )
        .to_string();
        let mut sheet = StyleSheet::parse(xml).unwrap();
        sheet.marked(0, Severity::Error);
        let written = String::from_utf8(sheet.write().unwrap()).unwrap();
        let unprefixed: Vec<&str> = (written.split('<').skip(1))
            .filter(|tag| {
                !tag.starts_with("x:") && !tag.starts_with("/x:") && !tag.starts_with('?')
            })
            .collect();
        assert!(unprefixed.is_empty(), "{unprefixed:?} in {written}");
        assert!(written.contains(
            "<x:fill><x:patternFill patternType=\"solid\"><x:fgColor rgb=\"FFFFC7CE\"/>"
        ));
    }

    #[test]
    fn a_styles_part_without_fonts_fills_or_formats_gets_them() {
        let mut sheet = StyleSheet::parse(
            r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><borders count="1"><border/></borders><cellStyles count="0"/></styleSheet>"#.into(),
        )
        .unwrap();
        let error = sheet.marked(0, Severity::Error);
        assert_eq!(error, 1 + OWN_FORMATS);
        let written = String::from_utf8(sheet.write().unwrap()).unwrap();
        let fonts = written
            .find("<fonts count=\"5\"><font><sz val=\"11\"/>")
            .unwrap();
        let fills = written
            .find("<fills count=\"5\"><fill><patternFill patternType=\"none\"/>")
            .unwrap();
        let borders = written.find("<borders").unwrap();
        let formats = written
            .find("<cellXfs count=\"9\"><xf numFmtId=\"0\"")
            .unwrap();
        let styles = written.find("<cellStyles").unwrap();
        assert!(
            fonts < fills && fills < borders && borders < formats && formats < styles,
            "{written}"
        );
        // The error's fill is the first after the two defaults.
        assert!(
            written.contains(r#"fillId="2" applyFill="1"/></cellXfs>"#),
            "{written}"
        );
        assert!(StyleSheet::parse("not xml <".into()).is_err());
    }
}
