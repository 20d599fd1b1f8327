//! The notes on marked cells: a comments part (what Excel calls a note, and LibreOffice a
//! comment) and the VML drawing Excel needs to show each one when the cell is pointed at.
//! A sheet that has notes already keeps them: annex's are added to its parts, and where a cell
//! has a note of its own, annex's text follows it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};

use crate::report::escape as xml_text;

/// How many cells of one code in one sheet get a note, and how many notes a sheet gets at most:
/// every cell at fault is filled, but a note a cell is enough to see what the rest of its kind
/// mean, and LibreOffice takes minutes to open a workbook with tens of thousands of them.
pub const NOTES_PER_CODE: usize = 50;
pub const NOTES_PER_SHEET: usize = 1_000;

/// Shape ids a VML drawing block holds: Excel numbers each drawing's shapes from block × 1024.
const BLOCK: u32 = 1024;

/// A cell's note: its 0-based row and column, and its text.
pub type Notes = BTreeMap<(u32, u32), String>;

const NOTE_FONT: &str =
    r#"<rPr><sz val="9"/><rFont val="BIZ UDゴシック"/><family val="3"/><charset val="128"/></rPr>"#;

/// The comments part of a sheet that had none.
pub fn comments(notes: &Notes) -> String {
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
        r#"<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        "<authors><author>annex</author></authors><commentList>"
    ));
    for (&(row, column), text) in notes {
        push_comment(&mut xml, row, column, 0, text);
    }
    xml.push_str("</commentList></comments>");
    xml
}

fn push_comment(xml: &mut String, row: u32, column: u32, author: usize, text: &str) {
    let cell = crate::report::cell_name(row + 1, column);
    let _ = write!(
        xml,
        r#"<comment ref="{cell}" authorId="{author}"><text><r>{NOTE_FONT}<t xml:space="preserve">{}</t></r></text></comment>"#,
        xml_text(text)
    );
}

/// A sheet's comments part with annex's notes added: a cell that has a note gets annex's text
/// after its own. Gives the notes that were new, for the drawing.
pub fn add_to_comments(existing: &str, notes: &Notes) -> Result<(Vec<u8>, Notes), String> {
    let mut pending = notes.clone();
    // What is added is written with the part's own prefix (`<x:comments xmlns:x=…>`).
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    let prefix = super::names::naming(existing, main, &super::names::root_prefix(existing)).0;
    let mut reader = Reader::from_str(existing);
    let mut out = Writer::new(Vec::with_capacity(existing.len() * 2));
    let (mut authors, mut in_comment) = (0usize, None::<(u32, u32)>);
    let io = |e: std::io::Error| e.to_string();
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        match &event {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "author" => {
                authors += 1;
            }
            Event::Start(e) if e.local_name().as_ref() == "comment" => {
                in_comment = reference(e);
            }
            Event::End(e) => {
                let mut added = String::new();
                match e.local_name().as_ref() {
                    "authors" => added.push_str("<author>annex</author>"),
                    "text" => {
                        if let Some(text) = in_comment.and_then(|cell| pending.remove(&cell)) {
                            let _ = write!(
                                added,
                                r#"<r>{NOTE_FONT}<t xml:space="preserve">{}{}</t></r>"#,
                                "\n\n",
                                xml_text(&text)
                            );
                        }
                    }
                    "commentList" => {
                        for (&(row, column), text) in &pending {
                            push_comment(&mut added, row, column, authors, text);
                        }
                    }
                    _ => {}
                }
                let added = super::names::with_prefix(&added, &prefix);
                out.get_mut().extend_from_slice(added.as_bytes());
            }
            _ => {}
        }
        out.write_event(event).map_err(io)?;
    }
    // What is still pending was written as new comments: those need shapes.
    Ok((out.into_inner(), pending))
}

fn reference(comment: &BytesStart) -> Option<(u32, u32)> {
    let value = comment
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == "ref")?
        .value;
    let (row, column) = super::worksheet::cell_position(&value)?;
    Some((row, column))
}

/// The VML drawing of a sheet that had none, its shapes numbered from drawing block `block`;
/// `None` when the numbers would run past what a drawing can hold (an existing drawing of the
/// workbook numbered its own near the end).
pub fn drawing(notes: &Notes, block: u32) -> Option<String> {
    let blocks = blocks_for(notes.len());
    let data: Vec<String> = (block..block.checked_add(blocks)?)
        .map(|b| b.to_string())
        .collect();
    let mut vml = format!(
        concat!(
            r#"<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">"#,
            r#"<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{}"/></o:shapelayout>"#,
            "{}"
        ),
        data.join(","),
        SHAPE_TYPE
    );
    push_shapes(&mut vml, notes, block.checked_mul(BLOCK)?.checked_add(1)?)?;
    vml.push_str("</xml>");
    Some(vml)
}

/// How many drawing blocks `shapes` shapes take.
pub fn blocks_for(shapes: usize) -> u32 {
    (shapes as u32).div_ceil(BLOCK).max(1)
}

const SHAPE_TYPE: &str = concat!(
    r#"<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">"#,
    r#"<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>"#
);

/// The namespaces of VML and the prefixes annex's shapes are written with.
const VML_NAMESPACES: [(&str, &str); 3] = [
    ("v", "urn:schemas-microsoft-com:vml"),
    ("o", "urn:schemas-microsoft-com:office:office"),
    ("x", "urn:schemas-microsoft-com:office:excel"),
];

/// A sheet's VML drawing with shapes for annex's new notes added at its end. VML is not always
/// well-formed XML (Excel writes `<br>`), so the shapes go in before its last `</xml>` as text,
/// with the prefixes the drawing's root declares for VML's namespaces; a namespace it does not
/// declare is declared on its root.
pub fn add_to_drawing(existing: &str, notes: &Notes) -> Option<String> {
    let end = existing.rfind("</xml>")?;
    let root_start = existing.find("<xml")?;
    let root_end = root_start + existing.get(root_start..)?.find('>')?;
    let root = existing.get(root_start..root_end)?;
    let declared = |uri: &str| {
        let at = root
            .find(&format!("=\"{uri}\""))
            .or_else(|| root.find(&format!("='{uri}'")))?;
        let name = root.get(..at)?.rsplit(|c: char| c.is_whitespace()).next()?;
        name.strip_prefix("xmlns:").map(str::to_string)
    };
    let mut declarations = String::new();
    let mut renamed = Vec::new();
    for (usual, uri) in VML_NAMESPACES {
        let prefix = match declared(uri) {
            Some(prefix) => prefix,
            None => {
                // The usual letter, unless the root binds it to something else.
                let taken = root.contains(&format!("xmlns:{usual}="));
                let prefix = match taken {
                    true => format!("annex{usual}"),
                    false => usual.to_string(),
                };
                declarations.push_str(&format!(r#" xmlns:{prefix}="{uri}""#));
                prefix
            }
        };
        renamed.push((usual, prefix));
    }
    let first_id = highest_shape_id(existing).checked_add(1)?;
    let mut added = String::new();
    if !existing.contains("_x0000_t202") {
        added.push_str(SHAPE_TYPE);
    }
    push_shapes(&mut added, notes, first_id)?;
    let added = renamed.iter().fold(added, |text, (usual, prefix)| {
        with_prefix_renamed(&text, usual, prefix)
    });
    Some(format!(
        "{}{declarations}{}{added}{}",
        existing.get(..root_end)?,
        existing.get(root_end..end)?,
        existing.get(end..)?
    ))
}

/// annex's own VML with the prefix `from` written as `to`, in tags and attribute names.
fn with_prefix_renamed(vml: &str, from: &str, to: &str) -> String {
    if from == to {
        return vml.to_string();
    }
    ["<", "</", " "]
        .iter()
        .fold(vml.to_string(), |text, before| {
            text.replace(&format!("{before}{from}:"), &format!("{before}{to}:"))
        })
}

fn highest_shape_id(vml: &str) -> u32 {
    vml.match_indices("_x0000_s")
        .filter_map(|(at, tag)| {
            let digits: String = vml[at + tag.len()..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .max()
        .unwrap_or(BLOCK)
}

/// The highest drawing block an existing VML drawing declares (`o:idmap data="1,2"`).
pub fn highest_block(vml: &str) -> u32 {
    let mut highest = 0;
    for (at, tag) in vml.match_indices("data=\"") {
        let list = &vml[at + tag.len()..];
        let list = &list[..list.find('"').unwrap_or(0)];
        for number in list.split(',') {
            highest = highest.max(number.trim().parse().unwrap_or(0));
        }
    }
    highest.max(highest_shape_id(vml) / BLOCK)
}

/// Writes a shape for each note, numbered from `first_id`; `None`, writing nothing, when the
/// numbers would not fit.
fn push_shapes(vml: &mut String, notes: &Notes, first_id: u32) -> Option<()> {
    first_id.checked_add(u32::try_from(notes.len()).ok()?)?;
    for (index, (&(row, column), text)) in notes.iter().enumerate() {
        // A box four columns wide, as tall as its text, beside the cell.
        let lines = crate::write::text_lines(text, 38.0);
        let rows = ((lines * 12.0 / 15.0).ceil() as u32 + 1).clamp(4, 40);
        let top = row.saturating_sub(1);
        let _ = write!(
            vml,
            concat!(
                r##"<v:shape id="_x0000_s{id}" type="#_x0000_t202" style="position:absolute;margin-left:80pt;margin-top:2pt;width:200pt;height:{height}pt;z-index:{z};visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto">"##,
                r##"<v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>"##,
                r#"<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>"#,
                r#"<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>"#,
                r#"<x:Anchor>{left}, 15, {top}, 10, {right}, 15, {bottom}, 4</x:Anchor>"#,
                r#"<x:AutoFill>False</x:AutoFill><x:Row>{row}</x:Row><x:Column>{column}</x:Column></x:ClientData></v:shape>"#
            ),
            id = first_id + index as u32,
            height = rows * 15,
            z = index + 1,
            left = column + 1,
            right = column + 5,
            top = top,
            bottom = top + rows,
            row = row,
            column = column,
        );
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes() -> Notes {
        Notes::from([
            ((6, 3), "エラー：値が数値ではありません <b>".to_string()),
            ((0, 0), "x".into()),
        ])
    }

    #[test]
    fn a_new_comments_part_has_one_note_per_cell_in_order() {
        let xml = comments(&notes());
        let a1 = xml.find(r#"ref="A1""#).unwrap();
        let d7 = xml.find(r#"ref="D7""#).unwrap();
        assert!(a1 < d7);
        assert!(xml.contains("値が数値ではありません &lt;b&gt;"), "{xml}");
    }

    #[test]
    fn notes_join_the_ones_a_sheet_has() {
        let existing = concat!(
            r#"<comments xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
            r#"<authors><author>山田</author></authors><commentList>"#,
            r#"<comment ref="D7" authorId="0"><text><t>確認中</t></text></comment>"#,
            r#"</commentList></comments>"#
        );
        let (xml, new) = add_to_comments(existing, &notes()).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(
            xml.contains("<author>山田</author><author>annex</author>"),
            "{xml}"
        );
        assert!(
            xml.contains("<t>確認中</t><r>"),
            "the cell's note is kept, annex's after it: {xml}"
        );
        assert!(xml.contains(r#"<comment ref="A1" authorId="1">"#), "{xml}");
        assert_eq!(
            new.keys().collect::<Vec<_>>(),
            [&(0, 0)],
            "only A1 needs a shape"
        );
    }

    #[test]
    fn shapes_added_to_a_drawing_use_its_own_prefixes_or_declare_theirs() {
        let drawing = concat!(
            r#"<xml xmlns:vml="urn:schemas-microsoft-com:vml" xmlns:x="urn:other">"#,
            r#"<vml:shape id="_x0000_s1025"/></xml>"#
        );
        let added = add_to_drawing(drawing, &notes()).unwrap();
        assert!(added.contains("<vml:shape id=\"_x0000_s1026\""), "{added}");
        assert!(!added.contains("<v:"), "{added}");
        assert!(
            added.starts_with(r#"<xml xmlns:vml="urn:schemas-microsoft-com:vml" xmlns:x="urn:other" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:annexx="urn:schemas-microsoft-com:office:excel">"#),
            "{added}"
        );
        assert!(
            added.contains("<annexx:ClientData ObjectType=\"Note\">"),
            "{added}"
        );
        assert!(added.contains(" o:spt=\"202\""), "{added}");
    }

    #[test]
    fn shapes_are_numbered_in_their_block_and_after_the_drawing_s_own() {
        let vml = drawing(&notes(), 3).unwrap();
        assert!(
            vml.contains(r#"data="3""#) && vml.contains("_x0000_s3073"),
            "{vml}"
        );
        assert_eq!(highest_block(&vml), 3);
        let added = add_to_drawing(&vml, &Notes::from([((1, 1), "y".into())])).unwrap();
        assert!(added.contains("_x0000_s3075") && added.ends_with("</xml>"));
        assert_eq!(
            added.matches("id=\"_x0000_t202\"").count(),
            1,
            "one shape type"
        );
        assert_eq!(blocks_for(1025), 2);
        // A drawing numbered at the very end leaves no room: no copy, never a wrapped number.
        assert_eq!(drawing(&notes(), u32::MAX / BLOCK + 1), None);
        let last = format!(r#"<xml><v:shape id="_x0000_s{}"/></xml>"#, u32::MAX);
        assert_eq!(add_to_drawing(&last, &notes()), None);
    }
}
