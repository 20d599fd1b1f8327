//! The parts of a workbook's zip package (`.xlsx`, `.xlsm`, `.ods`) that calamine does not
//! expose, found by scanning their XML directly.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek};
use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

/// The zip archive of a workbook; nothing for a file that is not one.
pub fn open_package(path: &Path) -> Option<ZipArchive<BufReader<File>>> {
    ZipArchive::new(BufReader::new(File::open(path).ok()?)).ok()
}

pub fn attribute(element: &BytesStart, name: &str) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .map(|a| a.value.into_owned())
}

/// Every start or empty element of an XML part, by local name.
pub fn each_element<R: BufRead>(reader: R, mut visit: impl FnMut(&str, &BytesStart)) {
    let mut xml = Reader::from_reader(reader);
    let mut buffer = Vec::new();
    loop {
        match xml.read_event_into(&mut buffer) {
            Ok(Event::Start(element) | Event::Empty(element)) => {
                visit(element.local_name().as_ref(), &element);
            }
            Ok(Event::Eof) | Err(_) => break,
            Ok(_) => {}
        }
        buffer.clear();
    }
}

/// Sheet name → the zip path of its XML part, from the workbook and its relationships.
pub fn sheet_targets<R: Read + Seek>(archive: &mut ZipArchive<R>) -> HashMap<String, String> {
    let mut ids = Vec::new();
    if let Ok(part) = archive.by_name("xl/workbook.xml") {
        each_element(BufReader::new(part), |name, element| {
            if name == "sheet" {
                if let (Some(sheet), Some(id)) =
                    (attribute(element, "name"), attribute(element, "id"))
                {
                    ids.push((sheet, id));
                }
            }
        });
    }
    let mut targets = HashMap::new();
    if let Ok(part) = archive.by_name("xl/_rels/workbook.xml.rels") {
        each_element(BufReader::new(part), |name, element| {
            if name == "Relationship" {
                if let (Some(id), Some(target)) =
                    (attribute(element, "Id"), attribute(element, "Target"))
                {
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
        });
    }
    ids.into_iter()
        .filter_map(|(sheet, id)| targets.get(&id).map(|path| (sheet, path.clone())))
        .collect()
}
