//! A marked copy of an `.xlsx`/`.xlsm` package, made part by part: every part annex does not
//! change is copied as its compressed bytes, so what annex does not understand (drop-downs,
//! protection, macros, pictures, pivot tables) comes through untouched. Changed are the sheets
//! (marks, and each stops being the selected one), the styles (the marks' formats), the workbook
//! (確認結果 first; sheet-local names follow their sheets), its relationships and the content
//! types; added are the notes and the 確認結果 sheet. The calculation chain, a cache Excel
//! rebuilds, is left out, since it names sheets by position.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufReader, Read, Seek, Write};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, Writer};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use super::names::{naming, root_prefix};
use super::notes::{self, Notes, NOTES_PER_CODE, NOTES_PER_SHEET};
use super::results::{self, About, Target};
use super::styles::{self, StyleSheet};
use super::worksheet::{copy_sheet, SheetEdit};
use crate::lang::Lang;
use crate::report::{Diagnostic, Severity};

const RELS_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";
const TYPES_NS: &str = "http://schemas.openxmlformats.org/package/2006/content-types";
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const DOC_REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const WORKSHEET_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
const COMMENTS_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
const STYLES_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml";
const VML_TYPE: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";

/// The name of the sheet a marked copy opens on.
pub const RESULTS_SHEET: &str = "確認結果";

/// One problem of the workbook, for the copy: the diagnostic, and the cell it marks if any.
pub struct Finding<'a> {
    pub diagnostic: &'a Diagnostic,
    /// 0-based row and column.
    pub cell: Option<(u32, u32)>,
    /// The language of the cell's note.
    pub lang: Lang,
}

/// How many findings of one code in one sheet 確認結果 lists; the rest are counted there, and the
/// JSON report lists every one.
const LISTED_PER_CODE: usize = 500;

/// A finding's note: what was found and what to do, in the reader's language.
fn note_of(finding: &Finding) -> String {
    let (diagnostic, lang) = (finding.diagnostic, finding.lang);
    let label = match diagnostic.severity {
        Severity::Error => crate::lang::Text::new("[Error]", "【エラー】"),
        Severity::Warning => crate::lang::Text::new("[Warning]", "【警告】"),
    };
    format!(
        "{} {}\n{}",
        label.get(lang),
        diagnostic.message.get(lang),
        diagnostic.help.get(lang)
    )
}

/// A relationship as a `.rels` part lists it.
struct Relationship {
    id: String,
    kind: String,
    /// The part it points to, resolved to a path in the package.
    part: String,
}

/// Writes the marked copy of the package `source` to `target`.
pub fn mark<R: Read + Seek, W: Write + Seek>(
    source: R,
    target: W,
    findings: &[Finding],
    about: &About,
) -> Result<(), String> {
    let mut archive = ZipArchive::new(source).map_err(|e| e.to_string())?;
    let names: Vec<String> = archive
        .file_names()
        .filter_map(|n| n.ok())
        .map(|n| n.into_owned())
        .collect();
    // Parts are found whatever case or slashes their writer gave them (`xl\workbook.xml`).
    let key = |name: &str| name.replace('\\', "/").to_ascii_lowercase();
    let lookup: HashMap<String, String> = names.iter().map(|n| (key(n), n.clone())).collect();
    let find = |path: &str| lookup.get(&key(path)).cloned();
    let mut read = |path: &str| -> Option<String> {
        let mut text = String::new();
        archive
            .by_name(&find(path)?)
            .ok()?
            .read_to_string(&mut text)
            .ok()?;
        Some(text)
    };
    let content_types = read("[Content_Types].xml").ok_or("it has no [Content_Types].xml")?;
    let root_rels = relationships(&read("_rels/.rels").unwrap_or_default(), "");
    let workbook_path = root_rels
        .iter()
        .find(|r| r.kind.ends_with("/officeDocument"))
        .map_or_else(|| "xl/workbook.xml".to_string(), |r| r.part.clone());
    let workbook_path = find(&workbook_path).ok_or("it has no workbook part")?;
    let workbook_dir = directory(&workbook_path);
    let workbook_rels_path = rels_of(&workbook_path);
    let workbook_xml = read(&workbook_path).ok_or("its workbook part cannot be read")?;
    let workbook_rels_xml = read(&workbook_rels_path).ok_or("its workbook has no relationships")?;
    let workbook_rels = relationships(&workbook_rels_xml, &workbook_dir);
    let listed = listed_sheets(&workbook_xml)?;
    let styles_rel = workbook_rels.iter().find(|r| r.kind.ends_with("/styles"));
    let styles_path = styles_rel.and_then(|r| find(&r.part));
    let styles_xml = match &styles_path {
        Some(path) => read(path).ok_or("its styles cannot be read")?,
        None => styles::EMPTY.to_string(),
    };
    let mut styles = StyleSheet::parse(styles_xml).map_err(|e| format!("its styles: {e}"))?;
    let calc_chain = workbook_rels
        .iter()
        .find(|r| r.kind.ends_with("/calcChain"))
        .and_then(|r| find(&r.part));

    // A copy marked before opens on annex's 確認結果: this one replaces it, in its place.
    let earlier_results = (listed.sheets.first())
        .filter(|(name, _)| name == RESULTS_SHEET)
        .and_then(|(_, id)| workbook_rels.iter().find(|r| &r.id == id))
        .and_then(|rel| find(&rel.part))
        .filter(|part| read(part).is_some_and(|xml| results::is_results_sheet(&xml)));
    let listed = match &earlier_results {
        Some(_) => Listed {
            sheets: listed.sheets.into_iter().skip(1).collect(),
        },
        None => listed,
    };
    // Where each sheet's part is, and what each marked sheet needs.
    let sheet_parts: HashMap<&str, String> = listed
        .sheets
        .iter()
        .filter_map(|(name, id)| {
            let rel = workbook_rels.iter().find(|r| &r.id == id)?;
            Some((name.as_str(), find(&rel.part)?))
        })
        .collect();
    let mut taken: HashSet<String> = lookup.keys().cloned().collect();
    let mut new_part = |stem: &str, extension: &str| -> String {
        let path = (1..)
            .map(|n| format!("{stem}{n}.{extension}"))
            .find(|p| !taken.contains(&p.to_ascii_lowercase()))
            .unwrap_or_default();
        taken.insert(path.to_ascii_lowercase());
        path
    };
    let mut marks: HashMap<&str, BTreeMap<(u32, u32), Severity>> = HashMap::new();
    let mut cell_notes: HashMap<&str, Notes> = HashMap::new();
    let mut noted: HashMap<(&str, &str), usize> = HashMap::new();
    let mut unnoted = 0usize;
    for finding in findings {
        let (Some(sheet), Some(cell)) =
            (finding.diagnostic.location.sheet.as_deref(), finding.cell)
        else {
            continue;
        };
        let Some(part) = sheet_parts.get(sheet) else {
            continue;
        };
        let severity = marks
            .entry(part.as_str())
            .or_default()
            .entry(cell)
            .or_insert(Severity::Warning);
        *severity = (*severity).min(finding.diagnostic.severity);
        let of_code = noted
            .entry((part.as_str(), finding.diagnostic.code.as_str()))
            .or_default();
        let sheet_notes = cell_notes.entry(part.as_str()).or_default();
        let has_note = sheet_notes.contains_key(&cell);
        if !has_note && (*of_code >= NOTES_PER_CODE || sheet_notes.len() >= NOTES_PER_SHEET) {
            unnoted += 1;
            continue;
        }
        *of_code += 1;
        let note = sheet_notes.entry(cell).or_default();
        if !note.is_empty() {
            note.push_str("\n\n");
        }
        note.push_str(&note_of(finding));
    }
    let mut highest_block = 0;
    for name in names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".vml"))
    {
        highest_block = highest_block.max(read(name).map_or(0, |vml| notes::highest_block(&vml)));
    }
    let mut plans: HashMap<String, NotesPlan> = HashMap::new();
    let mut overrides: Vec<(String, &str)> = Vec::new();
    let mut sorted_parts: Vec<&str> = cell_notes.keys().copied().collect();
    sorted_parts.sort();
    for part in sorted_parts {
        let notes_here = &cell_notes[part];
        let rels_path = rels_of(part);
        let rels_xml = find(&rels_path).and_then(|p| read(&p));
        let rels = relationships(rels_xml.as_deref().unwrap_or(""), &directory(part));
        let comments = rels
            .iter()
            .find(|r| r.kind.ends_with("/comments"))
            .and_then(|r| find(&r.part));
        let drawing = rels
            .iter()
            .find(|r| r.kind.ends_with("/vmlDrawing"))
            .and_then(|r| find(&r.part));
        let mut plan = NotesPlan {
            rels_path: find(&rels_path).unwrap_or(rels_path),
            rels_xml,
            added_rels: Vec::new(),
            comments: None,
            drawing: None,
            legacy_drawing: None,
        };
        let shapes = match &comments {
            Some(path) => {
                let existing = read(path).ok_or("a sheet's notes cannot be read")?;
                let (xml, new) = notes::add_to_comments(&existing, notes_here)?;
                plan.comments = Some((path.clone(), xml));
                new
            }
            None => {
                let path = new_part(&format!("{workbook_dir}comments"), "xml");
                plan.added_rels.push((
                    rel_id(&plan, "Comments"),
                    format!("{DOC_REL}/comments"),
                    relative(part, &path),
                ));
                overrides.push((path.clone(), COMMENTS_TYPE));
                plan.comments = Some((path, notes::comments(notes_here).into_bytes()));
                notes_here.clone()
            }
        };
        match &drawing {
            Some(path) => {
                let existing = read(path).ok_or("a sheet's drawing cannot be read")?;
                let vml = notes::add_to_drawing(&existing, &shapes).ok_or(
                    "a sheet's drawing is not VML, or numbers its shapes past what it can hold",
                )?;
                plan.drawing = Some((path.clone(), vml.into_bytes()));
            }
            None => {
                let path = new_part(&format!("{workbook_dir}drawings/vmlDrawing"), "vml");
                let id = rel_id(&plan, "Notes");
                plan.added_rels.push((
                    id.clone(),
                    format!("{DOC_REL}/vmlDrawing"),
                    relative(part, &path),
                ));
                plan.legacy_drawing = Some(id);
                const NUMBERED: &str =
                    "its drawings number their shapes past what a workbook can hold";
                let block = highest_block.checked_add(1).ok_or(NUMBERED)?;
                highest_block = block.saturating_add(notes::blocks_for(shapes.len()) - 1);
                let vml = notes::drawing(&shapes, block).ok_or(NUMBERED)?;
                plan.drawing = Some((path, vml.into_bytes()));
            }
        }
        plans.insert(part.to_string(), plan);
    }

    // The 確認結果 sheet, and the links of its rows.
    let results_path = new_part(&format!("{workbook_dir}worksheets/sheet"), "xml");
    overrides.push((results_path.clone(), WORKSHEET_TYPE));
    let results_id = unused_id(&workbook_rels, "Results");
    let styles_id = unused_id(&workbook_rels, "Styles");
    let results_name = (1..)
        .map(|n| match n {
            1 => RESULTS_SHEET.to_string(),
            n => format!("{RESULTS_SHEET} ({n})"),
        })
        .find(|name| {
            !listed
                .sheets
                .iter()
                .any(|(s, _)| s.eq_ignore_ascii_case(name))
        })
        .unwrap_or_default();
    let mut listed_of: HashMap<(Option<&str>, &str), usize> = HashMap::new();
    let mut unlisted = (0, 0);
    let listed_findings: Vec<(&Diagnostic, Target)> = findings
        .iter()
        .filter(|f| {
            let d = f.diagnostic;
            let seen = listed_of
                .entry((d.location.sheet.as_deref(), d.code.as_str()))
                .or_default();
            *seen += 1;
            let listed = *seen <= LISTED_PER_CODE;
            if !listed {
                match d.severity {
                    Severity::Error => unlisted.0 += 1,
                    Severity::Warning => unlisted.1 += 1,
                }
            }
            listed
        })
        .map(|f| {
            let location = &f.diagnostic.location;
            let target = location
                .sheet
                .as_deref()
                .filter(|sheet| sheet_parts.contains_key(sheet))
                .map(|sheet| {
                    let cell = match (location.row, location.column) {
                        (Some(row), Some(column)) => crate::report::cell_name(row, column),
                        (Some(row), None) => format!("A{row}"),
                        _ => "A1".to_string(),
                    };
                    (sheet.to_string(), cell)
                });
            (f.diagnostic, target)
        })
        .collect();
    let left_out = results::LeftOut { unnoted, unlisted };
    let results_xml = results::sheet(about, &listed_findings, left_out, styles.own());

    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let mut zip = ZipWriter::new(target);
    let io = |e: zip::result::ZipError| e.to_string();
    let write_part = |zip: &mut ZipWriter<W>, name: &str, bytes: &[u8]| -> Result<(), String> {
        zip.start_file(name, options).map_err(io)?;
        zip.write_all(bytes).map_err(|e| e.to_string())
    };
    let dropped: Vec<&str> = [calc_chain.as_deref(), earlier_results.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let content_types = edited_content_types(
        &content_types,
        &overrides,
        &dropped,
        styles_path
            .is_none()
            .then_some(format!("{workbook_dir}styles.xml"))
            .as_deref(),
    )?;
    let mut added_workbook_rels = vec![(
        results_id.clone(),
        format!("{DOC_REL}/worksheet"),
        relative(&workbook_path, &results_path),
    )];
    if styles_path.is_none() {
        added_workbook_rels.push((
            styles_id,
            format!("{DOC_REL}/styles"),
            "styles.xml".to_string(),
        ));
    }
    let workbook_rels_xml = edited_rels(
        &workbook_rels_xml,
        &added_workbook_rels,
        &dropped,
        &workbook_dir,
    )?;
    let workbook_xml = edited_workbook(
        &workbook_xml,
        &results_name,
        &results_id,
        earlier_results.is_some(),
    )?;
    let sheet_part_names: HashSet<&str> = sheet_parts.values().map(String::as_str).collect();
    let mut changed_parts: HashMap<String, Vec<u8>> = HashMap::new();
    for plan in plans.values_mut() {
        if let Some((path, xml)) = plan.comments.take() {
            changed_parts.insert(path, xml);
        }
        if let Some((path, xml)) = plan.drawing.take() {
            changed_parts.insert(path, xml);
        }
        let rels = match &plan.rels_xml {
            Some(xml) => edited_rels(xml, &plan.added_rels, &[], "")?,
            None => new_rels(&plan.added_rels)?,
        };
        changed_parts.insert(plan.rels_path.clone(), rels);
    }
    let no_marks = BTreeMap::new();
    for index in 0..archive.len() {
        let name = archive
            .by_index_raw(index)
            .map_err(io)?
            .name()
            .map_err(io)?
            .into_owned();
        let earlier = earlier_results.as_ref().map(|part| rels_of(part));
        if Some(&name) == calc_chain.as_ref()
            || Some(&name) == styles_path.as_ref()
            || Some(&name) == earlier_results.as_ref()
            || earlier.is_some_and(|rels| find(&rels).as_ref() == Some(&name))
        {
            continue;
        }
        if name.eq_ignore_ascii_case("[Content_Types].xml") {
            write_part(&mut zip, &name, &content_types)?;
        } else if name == workbook_path {
            write_part(&mut zip, &name, &workbook_xml)?;
        } else if name == workbook_rels_path || find(&workbook_rels_path).as_ref() == Some(&name) {
            write_part(&mut zip, &name, &workbook_rels_xml)?;
        } else if let Some(bytes) = changed_parts.remove(&name) {
            write_part(&mut zip, &name, &bytes)?;
        } else if sheet_part_names.contains(name.as_str()) {
            let edit = SheetEdit {
                marks: marks.get(name.as_str()).unwrap_or(&no_marks),
                legacy_drawing: plans.get(&name).and_then(|p| p.legacy_drawing.clone()),
                unselect: true,
            };
            zip.start_file(name.as_str(), options).map_err(io)?;
            let part = archive.by_name(&name).map_err(io)?;
            copy_sheet(BufReader::new(part), &mut zip, &edit, &mut styles)
                .map_err(|e| format!("the sheet {name}: {e}"))?;
        } else {
            zip.raw_copy_file(archive.by_index_raw(index).map_err(io)?)
                .map_err(io)?;
        }
    }
    let mut added: Vec<_> = changed_parts.into_iter().collect();
    added.sort();
    for (name, bytes) in added {
        write_part(&mut zip, &name, &bytes)?;
    }
    write_part(&mut zip, &results_path, results_xml.as_bytes())?;
    let styles_name = styles_path.unwrap_or_else(|| format!("{workbook_dir}styles.xml"));
    write_part(&mut zip, &styles_name, &styles.write()?)?;
    zip.finish().map_err(io)?;
    Ok(())
}

/// What a marked sheet's notes take: its relationships, and the parts of its notes.
struct NotesPlan {
    rels_path: String,
    rels_xml: Option<String>,
    /// (id, type, target) of each relationship added.
    added_rels: Vec<(String, String, String)>,
    comments: Option<(String, Vec<u8>)>,
    drawing: Option<(String, Vec<u8>)>,
    /// The id of the drawing's relationship, for a sheet that had no drawing.
    legacy_drawing: Option<String>,
}

fn rel_id(plan: &NotesPlan, what: &str) -> String {
    let existing = relationships(plan.rels_xml.as_deref().unwrap_or(""), "");
    unused_id(&existing, what)
}

fn unused_id(existing: &[Relationship], what: &str) -> String {
    (1..)
        .map(|n| format!("rIdAnnex{what}{n}"))
        .find(|id| !existing.iter().any(|r| &r.id == id))
        .unwrap_or_default()
}

/// A part's name with forward slashes, as paths inside a package are resolved.
fn slashed(part: &str) -> String {
    part.replace('\\', "/")
}

/// The folder of a part, with its trailing slash (`xl/` for `xl/workbook.xml`).
fn directory(part: &str) -> String {
    let part = slashed(part);
    match part.rfind('/') {
        Some(at) => part[..=at].to_string(),
        None => String::new(),
    }
}

/// The relationships part of a part: `xl/_rels/workbook.xml.rels` for `xl/workbook.xml`.
fn rels_of(part: &str) -> String {
    let part = slashed(part);
    let (dir, file) = part.rsplit_once('/').unwrap_or(("", &part));
    match dir {
        "" => format!("_rels/{file}.rels"),
        dir => format!("{dir}/_rels/{file}.rels"),
    }
}

/// A relationship's target resolved against the folder of its source.
fn resolve(dir: &str, target: &str) -> String {
    let joined = match target.strip_prefix('/') {
        Some(absolute) => absolute.to_string(),
        None => format!("{dir}{target}"),
    };
    let mut parts: Vec<&str> = Vec::new();
    for segment in joined.split('/') {
        match segment {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            segment => parts.push(segment),
        }
    }
    parts.join("/")
}

/// The target that leads from the part `from` to the part `to`.
fn relative(from: &str, to: &str) -> String {
    let from_dir = directory(from);
    let from_dir: Vec<&str> = from_dir.split('/').filter(|s| !s.is_empty()).collect();
    let to = slashed(to);
    let to_parts: Vec<&str> = to.split('/').collect();
    let common = from_dir
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut path: Vec<&str> = vec![".."; from_dir.len() - common];
    path.extend(&to_parts[common..]);
    path.join("/")
}

fn relationships(xml: &str, dir: &str) -> Vec<Relationship> {
    let mut found = Vec::new();
    xlsx_stream::each_element(xml.as_bytes(), |name, e| {
        if name != "Relationship" || value(e, "TargetMode").as_deref() == Some("External") {
            return;
        }
        if let (Some(id), Some(kind), Some(target)) =
            (value(e, "Id"), value(e, "Type"), value(e, "Target"))
        {
            found.push(Relationship {
                id,
                kind,
                part: resolve(dir, &target),
            });
        }
    });
    found
}

/// An attribute's value, decoded.
fn value(element: &BytesStart, name: &str) -> Option<String> {
    let attribute = element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)?;
    Some(
        quick_xml::escape::unescape(&attribute.value)
            .map_or_else(|_| attribute.value.to_string(), |v| v.into_owned()),
    )
}

/// The sheets `workbook.xml` lists (name, relationship id).
struct Listed {
    sheets: Vec<(String, String)>,
}

fn listed_sheets(xml: &str) -> Result<Listed, String> {
    let mut listed = Listed { sheets: Vec::new() };
    let mut reader = Reader::from_str(xml);
    loop {
        match reader
            .read_event()
            .map_err(|e| format!("its workbook part: {e}"))?
        {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "sheet" => {
                let id = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.local_name().as_ref() == "id");
                if let (Some(name), Some(id)) = (value(&e, "name"), id) {
                    listed.sheets.push((name, id.value.to_string()));
                }
            }
            _ => {}
        }
    }
    if listed.sheets.is_empty() {
        return Err("its workbook lists no sheets".into());
    }
    Ok(listed)
}

/// An XML part copied event by event, `edit` deciding what becomes of each event; its second
/// argument is where to write what goes before the event.
fn copied(
    xml: &str,
    mut edit: impl FnMut(Event<'_>, &mut Vec<u8>) -> Option<Event<'static>>,
) -> Result<Vec<u8>, String> {
    let mut reader = Reader::from_str(xml);
    let mut out = Writer::new(Vec::with_capacity(xml.len() + 1024));
    loop {
        let event = reader.read_event().map_err(|e| e.to_string())?;
        if matches!(event, Event::Eof) {
            break;
        }
        let mut before = Vec::new();
        let kept = edit(event, &mut before);
        out.get_mut().extend_from_slice(&before);
        if let Some(event) = kept {
            out.write_event(event).map_err(|e| e.to_string())?;
        }
    }
    Ok(out.into_inner())
}

fn edited_content_types(
    xml: &str,
    overrides: &[(String, &str)],
    dropped: &[&str],
    styles: Option<&str>,
) -> Result<Vec<u8>, String> {
    let has_vml = xml.to_ascii_lowercase().contains("extension=\"vml\"");
    let dropped: Vec<String> = (dropped.iter())
        .map(|p| format!("/{}", slashed(p)).to_ascii_lowercase())
        .collect();
    let (p, declared) = naming(xml, TYPES_NS, "");
    copied(xml, |event, before| match event {
        Event::Start(e) | Event::Empty(e)
            if e.local_name().as_ref() == "Override"
                && value(&e, "PartName")
                    .is_some_and(|p| dropped.contains(&p.to_ascii_lowercase())) =>
        {
            None
        }
        Event::End(e) if e.local_name().as_ref() == "Types" => {
            let mut added = String::new();
            if !has_vml {
                added.push_str(&format!(
                    r#"<{p}Default{declared} Extension="vml" ContentType="{VML_TYPE}"/>"#
                ));
            }
            for (part, kind) in overrides {
                added.push_str(&format!(
                    r#"<{p}Override{declared} PartName="/{}" ContentType="{kind}"/>"#,
                    crate::report::escape(part)
                ));
            }
            if let Some(styles) = styles {
                added.push_str(&format!(
                    r#"<{p}Override{declared} PartName="/{styles}" ContentType="{STYLES_TYPE}"/>"#
                ));
            }
            before.extend_from_slice(added.as_bytes());
            Some(Event::End(e.into_owned()))
        }
        other => Some(other.into_owned()),
    })
}

fn new_rels(added: &[(String, String, String)]) -> Result<Vec<u8>, String> {
    let xml = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{RELS_NS}"></Relationships>"#
    );
    edited_rels(&xml, added, &[], "")
}

fn edited_rels(
    xml: &str,
    added: &[(String, String, String)],
    dropped: &[&str],
    dir: &str,
) -> Result<Vec<u8>, String> {
    let (p, declared) = naming(xml, RELS_NS, "");
    let dropped: Vec<String> = dropped.iter().map(|d| slashed(d)).collect();
    let dropped_here = |e: &BytesStart| {
        e.local_name().as_ref() == "Relationship"
            && value(e, "Target").is_some_and(|t| dropped.contains(&resolve(dir, &t)))
    };
    // Inside a relationship being dropped that was written with an end tag: its depth.
    let mut dropping = 0usize;
    copied(xml, |event, before| match event {
        Event::Start(_) if dropping > 0 => {
            dropping += 1;
            None
        }
        Event::End(_) if dropping > 0 => {
            dropping -= 1;
            None
        }
        _ if dropping > 0 => None,
        Event::Start(e) if dropped_here(&e) => {
            dropping = 1;
            None
        }
        Event::Empty(e) if dropped_here(&e) => None,
        Event::End(e) if e.local_name().as_ref() == "Relationships" => {
            for (id, kind, target) in added {
                before.extend_from_slice(
                    format!(
                        r#"<{p}Relationship{declared} Id="{id}" Type="{kind}" Target="{}"/>"#,
                        crate::report::escape(target)
                    )
                    .as_bytes(),
                );
            }
            Some(Event::End(e.into_owned()))
        }
        other => Some(other.into_owned()),
    })
}

/// The workbook with 確認結果 as its first sheet, shown when it opens; a name local to a sheet
/// follows its sheet one place on. With `replacing`, the first sheet is an earlier 確認結果,
/// which the new one takes the place of (so no name moves).
fn edited_workbook(xml: &str, name: &str, id: &str, replacing: bool) -> Result<Vec<u8>, String> {
    let next_sheet_id = 1 + sheet_ids(xml).into_iter().max().unwrap_or(0);
    // The names the root declares, or declared on the element itself where the workbook
    // declares them further in (openpyxl with lxml, the Open XML SDK: on each <sheet>).
    let (prefix, main_declared) = naming(xml, MAIN_NS, &root_prefix(xml));
    let (r, rel_declared) = match naming(xml, DOC_REL, "r:") {
        // An attribute in a namespace needs a prefix: the default namespace names none.
        (prefix, _) if prefix.is_empty() => ("r:".to_string(), format!(r#" xmlns:r="{DOC_REL}""#)),
        named => named,
    };
    let element = format!(
        r#"<{prefix}sheet{main_declared}{rel_declared} name="{}" sheetId="{next_sheet_id}" {r}id="{id}"/>"#,
        crate::report::escape(name),
    );
    let mut after_sheets_start = false;
    // The earlier 確認結果 to leave out: its element, and where it has one, its end.
    let (mut earlier, mut inside_earlier) = (replacing, false);
    copied(xml, |event, before| {
        if std::mem::take(&mut after_sheets_start) {
            before.extend_from_slice(element.as_bytes());
        }
        match event {
            _ if inside_earlier => {
                inside_earlier =
                    !matches!(&event, Event::End(e) if e.local_name().as_ref() == "sheet");
                None
            }
            Event::Empty(e) if earlier && e.local_name().as_ref() == "sheet" => {
                earlier = false;
                None
            }
            Event::Start(e) if earlier && e.local_name().as_ref() == "sheet" => {
                (earlier, inside_earlier) = (false, true);
                None
            }
            Event::Start(e) if e.local_name().as_ref() == "sheets" => {
                after_sheets_start = true;
                Some(Event::Start(e.into_owned()))
            }
            Event::Start(e) if e.local_name().as_ref() == "definedName" && !replacing => {
                Some(Event::Start(shifted(&e)))
            }
            Event::Empty(e) if e.local_name().as_ref() == "workbookView" => {
                Some(Event::Empty(without(&e, &["activeTab", "firstSheet"])))
            }
            Event::Start(e) if e.local_name().as_ref() == "workbookView" => {
                Some(Event::Start(without(&e, &["activeTab", "firstSheet"])))
            }
            other => Some(other.into_owned()),
        }
    })
}

fn sheet_ids(xml: &str) -> Vec<u32> {
    let mut ids = Vec::new();
    xlsx_stream::each_element(xml.as_bytes(), |name, e| {
        if name == "sheet" {
            ids.extend(value(e, "sheetId").and_then(|v| v.parse::<u32>().ok()));
        }
    });
    ids
}

fn without(element: &BytesStart, dropped: &[&str]) -> BytesStart<'static> {
    let mut start = BytesStart::new(element.name().as_ref().to_string());
    for attribute in element.attributes().flatten() {
        if !dropped.contains(&attribute.key.as_ref()) {
            start.push_attribute(attribute);
        }
    }
    start
}

/// A defined name, local to the sheet one place on if it was local to one.
fn shifted(name: &BytesStart) -> BytesStart<'static> {
    let local = value(name, "localSheetId").and_then(|v| v.parse::<u32>().ok());
    let mut start = without(name, &["localSheetId"]);
    if let Some(local) = local {
        start.push_attribute(("localSheetId", (local + 1).to_string().as_str()));
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_between_parts() {
        assert_eq!(
            rels_of("xl/worksheets/sheet1.xml"),
            "xl/worksheets/_rels/sheet1.xml.rels"
        );
        assert_eq!(
            resolve("xl/worksheets/", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(
            resolve("xl/", "/xl/worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            relative("xl/worksheets/sheet1.xml", "xl/comments1.xml"),
            "../comments1.xml"
        );
        assert_eq!(
            relative("xl/workbook.xml", "xl/worksheets/sheet9.xml"),
            "worksheets/sheet9.xml"
        );
        // Some writers name parts with backslashes.
        assert_eq!(rels_of("xl\\workbook.xml"), "xl/_rels/workbook.xml.rels");
        assert_eq!(directory("xl\\worksheets\\sheet1.xml"), "xl/worksheets/");
    }

    /// Whether `xml` is well-formed with every prefix declared, as a namespace-aware parser
    /// reads it.
    fn resolves(xml: &str) -> bool {
        let mut reader = quick_xml::NsReader::from_str(xml);
        loop {
            match reader.read_resolved_event() {
                Ok((quick_xml::name::ResolveResult::Unknown(_), _)) | Err(_) => return false,
                Ok((_, Event::Start(e) | Event::Empty(e))) => {
                    for attribute in e.attributes().flatten() {
                        let (resolved, _) = reader.resolver().resolve_attribute(attribute.key);
                        if matches!(resolved, quick_xml::name::ResolveResult::Unknown(_)) {
                            return false;
                        }
                    }
                }
                Ok((_, Event::Eof)) => return true,
                Ok(_) => {}
            }
        }
    }

    #[test]
    fn an_added_sheet_names_its_namespaces_as_the_workbook_does_or_declares_them() {
        // openpyxl with lxml and the Open XML SDK declare r: on each <sheet>, not on the root.
        let local = concat!(
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets>"#,
            r#"<sheet xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" name="取組" sheetId="1" r:id="rId1"/>"#,
            r#"</sheets></workbook>"#
        );
        let edited =
            String::from_utf8(edited_workbook(local, "確認結果", "rIdR", false).unwrap()).unwrap();
        assert!(resolves(&edited), "{edited}");
        // A prefixed workbook gets a prefixed sheet, in the root's own names.
        let prefixed = concat!(
            r#"<x:workbook xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:rel="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:sheets>"#,
            r#"<x:sheet name="取組" sheetId="1" rel:id="rId1"/></x:sheets></x:workbook>"#
        );
        let edited =
            String::from_utf8(edited_workbook(prefixed, "確認結果", "rIdR", false).unwrap())
                .unwrap();
        assert!(
            edited.contains(r#"<x:sheet name="確認結果" sheetId="2" rel:id="rIdR"/>"#),
            "{edited}"
        );
    }

    #[test]
    fn relationships_with_prefixes_stay_whole_when_one_is_dropped_and_one_added() {
        let xml = concat!(
            r#"<ns3:Relationships xmlns:ns3="http://schemas.openxmlformats.org/package/2006/relationships">"#,
            r#"<ns3:Relationship Id="rId1" Type="t/worksheet" Target="worksheets/sheet1.xml"></ns3:Relationship>"#,
            r#"<ns3:Relationship Id="rId2" Type="t/calcChain" Target="calcChain.xml"></ns3:Relationship>"#,
            r#"</ns3:Relationships>"#
        );
        let added = [(
            "rIdR".to_string(),
            "t/worksheet".to_string(),
            "worksheets/sheet2.xml".to_string(),
        )];
        let edited =
            String::from_utf8(edited_rels(xml, &added, &["xl/calcChain.xml"], "xl/").unwrap())
                .unwrap();
        assert!(resolves(&edited), "{edited}");
        assert!(!edited.contains("calcChain"), "{edited}");
        assert!(
            edited.contains(r#"<ns3:Relationship Id="rIdR""#),
            "{edited}"
        );
        let types = r#"<t:Types xmlns:t="http://schemas.openxmlformats.org/package/2006/content-types"><t:Default Extension="xml" ContentType="application/xml"/></t:Types>"#;
        let overrides = [("xl/comments1.xml".to_string(), COMMENTS_TYPE)];
        let edited =
            String::from_utf8(edited_content_types(types, &overrides, &[], None).unwrap()).unwrap();
        assert!(resolves(&edited), "{edited}");
        assert!(
            edited.contains("<t:Override PartName=\"/xl/comments1.xml\""),
            "{edited}"
        );
    }

    #[test]
    fn the_results_sheet_comes_first_and_local_names_follow_their_sheets() {
        let xml = concat!(
            r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
            r#"<bookViews><workbookView activeTab="1" firstSheet="1"/></bookViews>"#,
            r#"<sheets><sheet name="取組" sheetId="3" r:id="rId1"/><sheet name="KPI" sheetId="7" r:id="rId2"/></sheets>"#,
            r#"<definedNames><definedName name="_xlnm.Print_Area" localSheetId="1">KPI!$A$1:$B$2</definedName></definedNames></workbook>"#
        );
        assert_eq!(listed_sheets(xml).unwrap().sheets.len(), 2);
        let edited =
            String::from_utf8(edited_workbook(xml, "確認結果", "rIdAnnexResults1", false).unwrap())
                .unwrap();
        assert!(edited.contains(r#"<sheets><sheet name="確認結果" sheetId="8" r:id="rIdAnnexResults1"/><sheet name="取組""#), "{edited}");
        assert!(
            edited.contains(r#"<definedName name="_xlnm.Print_Area" localSheetId="2">"#),
            "{edited}"
        );
        assert!(edited.contains("<workbookView/>"), "{edited}");
    }
}
