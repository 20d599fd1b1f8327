//! Finding a workbook's parts in its zip package: part names whatever their case, and the sheets
//! `xl/workbook.xml` lists with the part of each.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use zip::ZipArchive;

/// An attribute of an element, by local name.
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

/// The zip path of each part, by its name in lower case with forward slashes: how calamine finds
/// a part whatever case or slashes its writer gave it.
pub struct Parts(HashMap<String, String>);

impl Parts {
    pub fn of<R: Read + Seek>(archive: &ZipArchive<R>) -> Parts {
        Parts(
            archive
                .file_names()
                .filter_map(|name| name.ok())
                .map(|name| (key(&name), name.into_owned()))
                .collect(),
        )
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(&key(name)).map(String::as_str)
    }
}

fn key(name: &str) -> String {
    name.replace('\\', "/").to_ascii_lowercase()
}

/// A workbook's sheets as `xl/workbook.xml` lists them, in order, each with the zip path of its
/// part if the package has it, and whether its dates count from 1904.
pub struct SheetParts {
    pub sheets: Vec<(String, Option<String>)>,
    pub is_1904: bool,
}

impl SheetParts {
    /// The part of the named sheet.
    pub fn part(&self, sheet: &str) -> Option<&str> {
        let (_, part) = self.sheets.iter().find(|(name, _)| name == sheet)?;
        part.as_deref()
    }
}

/// Reads the sheets the workbook lists, and their parts from its relationships.
pub fn sheet_parts<R: Read + Seek>(archive: &mut ZipArchive<R>, parts: &Parts) -> SheetParts {
    // Names and targets are attribute values: entities in them are decoded, as calamine does.
    let decoded = |value: String| match quick_xml::escape::unescape(&value) {
        Ok(text) => text.into_owned(),
        Err(_) => value,
    };
    let mut listed = Vec::new();
    let mut is_1904 = false;
    if let Some(part) = parts
        .get("xl/workbook.xml")
        .and_then(|p| archive.by_name(p).ok())
    {
        each_element(BufReader::new(part), |name, element| match name {
            "sheet" => {
                if let (Some(sheet), Some(id)) =
                    (attribute(element, "name"), attribute(element, "id"))
                {
                    listed.push((decoded(sheet), id));
                }
            }
            "workbookPr" => {
                if let Some(date1904) = attribute(element, "date1904") {
                    is_1904 = date1904 == "1" || date1904 == "true";
                }
            }
            _ => {}
        });
    }
    let mut targets = HashMap::new();
    let rels = parts.get("xl/_rels/workbook.xml.rels");
    if let Some(part) = rels.and_then(|p| archive.by_name(p).ok()) {
        each_element(BufReader::new(part), |name, element| {
            if name == "Relationship" {
                if let (Some(id), Some(target)) =
                    (attribute(element, "Id"), attribute(element, "Target"))
                {
                    let target = decoded(target);
                    let path = match target.strip_prefix('/') {
                        Some(absolute) => absolute.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
        });
    }
    let sheets = listed
        .into_iter()
        .map(|(sheet, id)| {
            let part = targets.get(&id).and_then(|path| parts.get(path));
            (sheet, part.map(str::to_string))
        })
        .collect();
    SheetParts { sheets, is_1904 }
}
