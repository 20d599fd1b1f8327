//! The merged ranges of `.xlsx`/`.xlsm` sheets. They are listed after the cells, at the end of
//! the sheet's XML, yet a merge's value must be carried down its rows as they stream; calamine
//! finds them by parsing the whole sheet a second time, which costs as much as reading its cells.
//! Here the sheet is only inflated and searched for `mergeCell` elements, a fraction of that.

use std::io::Read;

use calamine::Dimensions;
use memchr::memmem::Finder;

/// How much of the inflated XML is searched at a time.
const CHUNK: usize = 256 * 1024;
/// Longest `mergeCell` element looked at; a longer one is not a merge anyone can use.
const MAX_ELEMENT: usize = 1024;

/// The merged ranges a sheet's XML lists.
pub(crate) fn scan(mut part: impl Read) -> Vec<Dimensions> {
    let finder = Finder::new(b"mergeCell");
    let mut merges = Vec::new();
    let mut buffer: Vec<u8> = Vec::with_capacity(CHUNK + MAX_ELEMENT);
    loop {
        let filled = buffer.len();
        buffer.resize(filled + CHUNK, 0);
        // A part that fails to inflate half-way gives the merges found so far; reading its
        // cells reports the failure.
        let read = part.read(&mut buffer[filled..]).unwrap_or_default();
        buffer.truncate(filled + read);
        let mut searched = 0;
        let mut keep_from = buffer.len().saturating_sub(b"mergeCell".len() - 1);
        while let Some(at) = finder.find(&buffer[searched..]).map(|at| searched + at) {
            let Some(length) = memchr::memchr(b'>', &buffer[at..]) else {
                keep_from = at;
                break;
            };
            let element = &buffer[at..at + length];
            if is_merge_element(&buffer[..at], element) {
                merges.extend(reference(element).and_then(parse_range));
            }
            searched = at + length + 1;
            keep_from = keep_from.max(searched);
        }
        if read == 0 {
            break;
        }
        if buffer.len() - keep_from > MAX_ELEMENT {
            keep_from = buffer.len() - MAX_ELEMENT;
        }
        buffer.drain(..keep_from);
    }
    merges
}

/// `mergeCell` opens an element (`<mergeCell ` or `<x:mergeCell `), not `mergeCells` or text.
fn is_merge_element(before: &[u8], element: &[u8]) -> bool {
    let opened = match before.last() {
        Some(b'<') => true,
        Some(b':') => before
            .iter()
            .rev()
            .skip(1)
            .find(|b| !b.is_ascii_alphanumeric())
            .is_some_and(|b| *b == b'<'),
        _ => false,
    };
    let whole_name = element
        .get(b"mergeCell".len())
        .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/');
    opened && whole_name
}

/// The value of the element's `ref` attribute.
fn reference(element: &[u8]) -> Option<&str> {
    let at = memchr::memmem::find(element, b"ref=")? + b"ref=".len();
    let quote = *element.get(at)?;
    let value = element.get(at + 1..)?;
    let end = memchr::memchr(quote, value)?;
    std::str::from_utf8(value.get(..end)?).ok()
}

/// `B2:C5` as 0-based (row, column) corners.
fn parse_range(range: &str) -> Option<Dimensions> {
    let (start, end) = range.split_once(':').unwrap_or((range, range));
    Some(Dimensions {
        start: parse_cell(start)?,
        end: parse_cell(end)?,
    })
}

fn parse_cell(cell: &str) -> Option<(u32, u32)> {
    let cell = cell.trim().trim_start_matches('$');
    let letters = cell.find(|c: char| !c.is_ascii_alphabetic())?;
    let (column, row) = cell.split_at(letters);
    let column = column.bytes().try_fold(0u32, |n, letter| {
        n.checked_mul(26)?
            .checked_add(u32::from(letter.to_ascii_uppercase() - b'A') + 1)
    })?;
    let row: u32 = row.trim_start_matches('$').parse().ok()?;
    Some((row.checked_sub(1)?, column.checked_sub(1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dimensions(start: (u32, u32), end: (u32, u32)) -> Dimensions {
        Dimensions { start, end }
    }

    #[test]
    fn merge_elements_are_found_and_nothing_else() {
        let xml = br#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>mergeCell ref="Z9"</t></is></c></row></sheetData>
            <mergeCells count="2"><mergeCell ref="A2:A4"/><x:mergeCell ref='$B$10:C12' /></mergeCells></worksheet>"#;
        assert_eq!(
            scan(&xml[..]),
            [dimensions((1, 0), (3, 0)), dimensions((9, 1), (11, 2))]
        );
    }

    #[test]
    fn an_element_split_across_chunks_is_still_found() {
        let mut xml = vec![b' '; CHUNK - 8];
        xml.extend_from_slice(br#"<mergeCell ref="AA1:AB2"/>"#);
        assert_eq!(scan(&xml[..]), [dimensions((0, 26), (1, 27))]);
    }

    #[test]
    fn nonsense_references_are_left_out() {
        for reference in ["", "A0", "1A", "A1:", "ZZZZZZZZZ1", "A99999999999"] {
            let xml = format!(r#"<mergeCell ref="{reference}"/>"#);
            assert_eq!(scan(xml.as_bytes()), [], "{reference}");
        }
    }

    #[test]
    fn workbooks_made_by_rust_xlsxwriter_are_scanned() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet().set_name("取組").unwrap();
        sheet
            .merge_range(1, 1, 3, 1, "merged", &Default::default())
            .unwrap();
        book.add_worksheet().set_name("KPI").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        let mut package = crate::Package::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(
            package.merged_ranges("取組"),
            vec![dimensions((1, 1), (3, 1))]
        );
        assert_eq!(package.merged_ranges("KPI"), []);
    }
}
