//! `--mark DIR`: each workbook comes back marked, as the ministry that filled it will open it.
//! Checked on workbooks written by openpyxl and by LibreOffice (each with a dozen typical
//! mistakes, tests/fixtures/fill_mistakes.py), by `annex template`, and on an .xls and an .ods:
//! every problem is marked at its cell, filled and noted; 確認結果 comes first and links to each;
//! every cell of every sheet reads back (calamine) as it was.

mod support;

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use calamine::{open_workbook_auto, Data, Range, Reader};
use quick_xml::events::Event;
use support::Workdir;

const ERROR_FILL: &str = "FFFFC7CE";
const WARNING_FILL: &str = "FFFFEB9C";

/// Every sheet of a workbook, by name, in order, as calamine reads it; a whole number is a
/// number however the file stores it (an .xls's 48.0 is an .xlsx's 48).
fn sheets(path: &Path) -> Vec<(String, Range<Data>)> {
    let mut book = open_workbook_auto(path).unwrap();
    book.sheet_names()
        .into_iter()
        .map(|name| {
            let mut range = book.worksheet_range(&name).unwrap();
            let (top, left) = range.start().unwrap_or((0, 0));
            let cells: Vec<_> = range
                .used_cells()
                .map(|(r, c, v)| (r, c, v.clone()))
                .collect();
            for (row, column, value) in cells {
                if let Data::Int(n) = value {
                    range.set_value(
                        (top + row as u32, left + column as u32),
                        Data::Float(n as f64),
                    );
                }
            }
            (name, range)
        })
        .collect()
}

/// The parts of an xlsx, by name.
fn parts(path: &Path) -> HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut parts = HashMap::new();
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).unwrap();
        let mut text = String::new();
        if part.read_to_string(&mut text).is_ok() {
            parts.insert(part.name().unwrap().to_string(), text);
        }
    }
    parts
}

/// Each element named `name` of an XML text, as its attributes, in order.
fn elements(xml: &str, name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == name => {
                found.push(
                    e.attributes()
                        .flatten()
                        .map(|a| {
                            let value = quick_xml::escape::unescape(&a.value).unwrap().into_owned();
                            (a.key.as_ref().to_string(), value)
                        })
                        .collect(),
                );
            }
            Event::Eof => return found,
            _ => {}
        }
    }
}

/// A relationship's target, resolved from the folder of the part that has it.
fn resolve(dir: &str, target: &str) -> String {
    let mut path: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for segment in target.trim_start_matches('/').split('/') {
        match segment {
            ".." => {
                path.pop();
            }
            segment => path.push(segment),
        }
    }
    if target.starts_with('/') {
        return target.trim_start_matches('/').to_string();
    }
    path.join("/")
}

/// What a marked copy says of one sheet: each cell's fill colour and note text.
struct MarkedSheet {
    fills: HashMap<String, String>,
    notes: HashMap<String, String>,
}

fn marked_sheets(path: &Path) -> (HashMap<String, MarkedSheet>, String) {
    let parts = parts(path);
    let workbook = &parts["xl/workbook.xml"];
    let rels = elements(&parts["xl/_rels/workbook.xml.rels"], "Relationship");
    let styles = &parts["xl/styles.xml"];
    // The fill of each cell format, as its colour.
    let (mut fills, mut cell_formats) = (Vec::<String>::new(), Vec::<usize>::new());
    let (mut in_fills, mut in_cell_formats) = (false, false);
    let mut reader = quick_xml::Reader::from_str(styles);
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "fills" => in_fills = true,
                "cellXfs" => in_cell_formats = true,
                "fill" if in_fills => fills.push(String::new()),
                "fgColor" if in_fills => {
                    let rgb = e.attributes().flatten().find(|a| a.key.as_ref() == "rgb");
                    if let (Some(last), Some(rgb)) = (fills.last_mut(), rgb) {
                        *last = rgb.value.to_string();
                    }
                }
                "xf" if in_cell_formats => {
                    let fill = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == "fillId");
                    cell_formats.push(fill.map_or(0, |f| f.value.parse().unwrap()));
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "fills" => in_fills = false,
                "cellXfs" => in_cell_formats = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let mut sheets = HashMap::new();
    let mut results = String::new();
    for sheet in elements(workbook, "sheet") {
        let rel = rels.iter().find(|r| r["Id"] == sheet["r:id"]).unwrap();
        let part = resolve("xl", &rel["Target"]);
        let xml = &parts[&part];
        if sheet["name"] == "確認結果" {
            results = xml.clone();
            continue;
        }
        let mut fill_of = HashMap::new();
        for cell in elements(xml, "c") {
            let format: usize = cell.get("s").map_or(0, |s| s.parse().unwrap());
            let fill = &fills[cell_formats[format]];
            if fill == ERROR_FILL || fill == WARNING_FILL {
                fill_of.insert(cell["r"].clone(), fill.clone());
            }
        }
        let (dir, file) = part.rsplit_once('/').unwrap();
        let mut notes = HashMap::new();
        if let Some(sheet_rels) = parts.get(&format!("{dir}/_rels/{file}.rels")) {
            for rel in elements(sheet_rels, "Relationship") {
                if rel["Type"].ends_with("/comments") {
                    let comments = &parts[&resolve(dir, &rel["Target"])];
                    for comment in comments.split("<comment ").skip(1) {
                        let reference = comment.split('"').nth(1).unwrap().to_string();
                        notes.insert(reference, comment.to_string());
                    }
                }
            }
        }
        sheets.insert(
            sheet["name"].clone(),
            MarkedSheet {
                fills: fill_of,
                notes,
            },
        );
    }
    (sheets, results)
}

/// Checks a workbook with --mark and holds the marked copy up against the original and the
/// JSON report, problem by problem.
fn marks_every_problem(fixture: &str) {
    let work = Workdir::new();
    let name = Path::new(fixture)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let copy = work.fixture(fixture, &name);
    let before = std::fs::read(&copy).unwrap();
    let report = work
        .run(&["check", "--format", "json", "--lang", "ja", &name])
        .json();
    let run = work.run(&["check", "--lang", "ja", "--mark", "marked", &name]);
    run.expect_code(1);
    assert!(
        run.stdout().contains("確認用のブックを書き出しました"),
        "{}",
        run.stdout()
    );
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        before,
        "the original is never written"
    );
    let marked = work.path("marked").join(&name);

    // Every sheet and every cell, as they were; 確認結果 first.
    let (was, now) = (sheets(&copy), sheets(&marked));
    assert_eq!(now[0].0, "確認結果");
    assert_eq!(now.len(), was.len() + 1);
    for ((name, range), (marked_name, marked_range)) in was.iter().zip(&now[1..]) {
        assert_eq!(name, marked_name);
        assert_eq!(range, marked_range, "sheet {name} reads back as it was");
    }

    let (marked_sheets, results) = marked_sheets(&marked);
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(
        diagnostics.len() >= 10,
        "a dozen mistakes: {diagnostics:#?}"
    );
    let links = elements(&results, "hyperlink");
    let listed = elements(&results, "row")
        .iter()
        .filter(|r| r["r"].parse::<u32>().unwrap() > 4)
        .count();
    assert_eq!(listed, diagnostics.len(), "確認結果 lists every problem");
    for diagnostic in diagnostics {
        let (Some(sheet), Some(cell)) = (diagnostic["sheet"].as_str(), diagnostic["cell"].as_str())
        else {
            continue;
        };
        let code = diagnostic["code"].as_str().unwrap();
        let at = &marked_sheets[sheet];
        let fill = match diagnostic["severity"].as_str().unwrap() {
            "error" => ERROR_FILL,
            _ => WARNING_FILL,
        };
        // An error and a warning in one cell: the cell has the error's colour.
        let shared_with_error = diagnostics.iter().any(|d| {
            d["sheet"] == diagnostic["sheet"]
                && d["cell"] == diagnostic["cell"]
                && d["severity"] == "error"
        });
        let expected = if shared_with_error { ERROR_FILL } else { fill };
        assert_eq!(
            at.fills.get(cell).map(String::as_str),
            Some(expected),
            "{code} at {sheet}!{cell} is filled"
        );
        let note = at
            .notes
            .get(cell)
            .unwrap_or_else(|| panic!("{code} at {sheet}!{cell} has a note"));
        let message = annex::report::escape(diagnostic["message"].as_str().unwrap());
        assert!(
            note.contains(&message),
            "{code}: the note says {message}: {note}"
        );
        let location = format!("'{sheet}'!{cell}");
        assert!(
            links.iter().any(|l| l["location"] == location),
            "{code}: 確認結果 links to {location}"
        );
    }
    // A workbook's text is text in the copy: no formula that the copy did not have.
    let formulas = |path: &Path| {
        parts(path)
            .values()
            .map(|p| p.matches("<f>").count() + p.matches("<f ").count())
            .sum::<usize>()
    };
    assert_eq!(formulas(&marked), formulas(&copy));
    assert!(!results.contains("<f"), "確認結果 has no formula");
}

#[test]
fn a_workbook_filled_by_openpyxl_comes_back_marked() {
    marks_every_problem("tests/fixtures/mistakes/meti-openpyxl.xlsx");
}

#[test]
fn a_workbook_saved_by_libreoffice_comes_back_marked() {
    marks_every_problem("tests/fixtures/mistakes/meti-libreoffice.xlsx");
}

#[test]
fn a_template_annex_wrote_comes_back_as_it_was() {
    let work = Workdir::seeded(|_| {});
    work.run(&["build", "--lang", "ja"]).expect_code(0);
    work.run(&[
        "template",
        "--org",
        "METI",
        "--from",
        "output/annex.json",
        "-o",
        "meti.xlsx",
    ])
    .expect_code(0);
    let run = work.run(&["check", "--lang", "ja", "--mark", "marked", "meti.xlsx"]);
    let marked = work.path("marked/meti.xlsx");
    assert!(marked.exists(), "{}", run.stdout());
    let (was, now) = (sheets(&work.path("meti.xlsx")), sheets(&marked));
    assert_eq!(now[0].0, "確認結果");
    assert_eq!(&now[1..], &was[..]);
    // The template's drop-downs and its protection stay.
    let template = parts(&work.path("meti.xlsx"));
    let copy = parts(&marked);
    for (name, xml) in template
        .iter()
        .filter(|(n, _)| n.starts_with("xl/worksheets/sheet"))
    {
        for element in ["dataValidation", "sheetProtection", "col"] {
            assert_eq!(
                elements(xml, element),
                elements(&copy[name], element),
                "{name}: its {element}s"
            );
        }
    }
}

#[test]
fn an_xls_or_ods_comes_back_as_an_xlsx_of_its_values() {
    for fixture in ["tests/fixtures/xls/meti.xls", "tests/fixtures/ods/meti.ods"] {
        let work = Workdir::new();
        let name = Path::new(fixture)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let original = work.fixture(fixture, &name);
        let run = work.run(&[
            "check",
            "--lang",
            "ja",
            "--deny-warnings",
            "--mark",
            "marked",
            &name,
        ]);
        assert!(
            run.stdout().contains("を .xlsx に変換し"),
            "{}",
            run.stdout()
        );
        let marked = work.path("marked/meti.xlsx");
        let (was, now) = (sheets(&original), sheets(&marked));
        assert_eq!(now[0].0, "確認結果");
        assert_eq!(&now[1..], &was[..], "{fixture}");
        let (_, results) = marked_sheets(&marked);
        assert!(
            results.contains("を .xlsx に変換したもので"),
            "{fixture}: 確認結果 says so"
        );
    }
}

#[test]
fn copies_never_land_among_the_workbooks_read() {
    let work = Workdir::seeded(|_| {});
    let run = work.run(&["check", "--lang", "ja", "--mark", "input/marked", "input"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("別のフォルダを指定してください"),
        "{}",
        run.stderr()
    );
    assert!(!work.path("input/marked").exists());
    work.run(&["check", "--mark", "marked", "input"])
        .expect_code(0);
    assert_eq!(std::fs::read_dir(work.path("marked")).unwrap().count(), 6);
}

#[test]
fn a_workbook_that_cannot_be_opened_has_no_copy() {
    let work = Workdir::new();
    work.fixture("tests/fixtures/encrypted/amed.xlsx", "amed.xlsx");
    let run = work.run(&["check", "--lang", "ja", "--mark", "marked", "amed.xlsx"]);
    run.expect_code(1);
    assert!(
        run.stdout().contains("amed.xlsx は開けなかったため"),
        "{}",
        run.stdout()
    );
    assert!(!work.path("marked/amed.xlsx").exists());
}

#[test]
fn the_japanese_report_has_no_english_but_codes_ids_sheets_and_values() {
    let work = Workdir::new();
    work.fixture("tests/fixtures/mistakes/meti-openpyxl.xlsx", "meti.xlsx");
    let report = work
        .run(&["check", "--format", "json", "--lang", "ja", "meti.xlsx"])
        .json();
    let human = work.run(&["check", "--lang", "ja", "meti.xlsx"]).stdout();
    // What may be in Latin letters: the codes, the file, the sheets, the values as typed, the ids
    // and organisation codes, the few words staff type as answers (yes, true…), and the names
    // of the programs they open workbooks in.
    let mut allowed: Vec<String> = ["meti", "xlsx", "json", "format", "excel", "libreoffice"]
        .map(String::from)
        .to_vec();
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_ascii_alphabetic())
            .map(str::to_lowercase)
            .collect()
    };
    for d in report["diagnostics"].as_array().unwrap() {
        // A message may quote the schema's allowed answers (yes, true…).
        for key in ["code", "sheet", "found", "message"] {
            allowed.extend(words(d[key].as_str().unwrap_or_default()));
        }
    }
    // Context lines show the row's cells as typed, a long one cut short.
    for (_, range) in sheets(&work.path("meti.xlsx")) {
        for cell in range.used_cells() {
            allowed.extend(words(&cell.2.to_string()));
        }
    }
    let english: Vec<&str> = human
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| w.len() > 1)
        .filter(|w| !w.chars().all(|c| c.is_ascii_uppercase()))
        .filter(|w| !allowed.iter().any(|a| a.starts_with(&w.to_lowercase())))
        .collect();
    assert!(
        english.is_empty(),
        "English in the Japanese report: {english:?}\n{human}"
    );
}

/// Whether an XML part is well-formed with every prefix it uses declared, as a namespace-aware
/// parser (Excel's, LibreOffice's) reads it.
fn resolves(xml: &str) -> Result<(), String> {
    use quick_xml::name::ResolveResult;
    let mut reader = quick_xml::NsReader::from_str(xml);
    loop {
        match reader.read_resolved_event() {
            Err(error) => return Err(error.to_string()),
            Ok((ResolveResult::Unknown(prefix), _)) => {
                return Err(format!("undeclared prefix {}", prefix))
            }
            Ok((_, Event::Start(e) | Event::Empty(e))) => {
                for attribute in e.attributes() {
                    let attribute = attribute.map_err(|e| e.to_string())?;
                    if let (ResolveResult::Unknown(prefix), _) =
                        reader.resolver().resolve_attribute(attribute.key)
                    {
                        return Err(format!("undeclared prefix {}", prefix));
                    }
                }
            }
            Ok((_, Event::Eof)) => return Ok(()),
            Ok(_) => {}
        }
    }
}

/// Every element of an XML part given `prefix`, its root declaring it in place of the default
/// namespace, as ClosedXML, PhpSpreadsheet and the Open XML SDK write parts.
fn prefixed(xml: &str, prefix: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix('/') {
            out.push('/');
            rest = after;
        }
        if rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
            out.push_str(prefix);
            out.push(':');
        }
    }
    out.push_str(rest);
    out.replacen(" xmlns=\"", &format!(" xmlns:{prefix}=\""), 1)
}

/// Cell references in lowercase (`<c r="d1">`), as some writers leave them.
fn lowercase_references(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<c r=\"") {
        let (before, after) = rest.split_at(at + 6);
        out.push_str(before);
        let letters = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(0);
        out.push_str(&after[..letters].to_ascii_lowercase());
        rest = &after[letters..];
    }
    out.push_str(rest);
    out
}

/// The openpyxl workbook with its parts as other writers shape them: r: declared on each
/// <sheet> (openpyxl with lxml, the Open XML SDK), styles and relationships prefixed, each
/// relationship with an end tag, a calculation chain, lowercase cell references, and the styles
/// part named with a backslash.
fn as_other_writers_write_it(original: &Path, copy: &Path) {
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut archive = zip::ZipArchive::new(std::fs::File::open(original).unwrap()).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(copy).unwrap());
    let options = zip::write::SimpleFileOptions::default();
    for index in 0..archive.len() {
        let mut part = archive.by_index(index).unwrap();
        let name = part.name().unwrap().to_string();
        let mut xml = String::new();
        part.read_to_string(&mut xml).unwrap();
        let (name, xml) = match name.as_str() {
            "xl/workbook.xml" => (
                name,
                xml.replacen(&format!(" xmlns:r=\"{REL}\""), "", 1)
                    .replace("<sheet ", &format!("<sheet xmlns:r=\"{REL}\" ")),
            ),
            "xl/styles.xml" => ("xl\\styles.xml".to_string(), prefixed(&xml, "x")),
            "xl/_rels/workbook.xml.rels" => {
                let calc = r#"<Relationship Id="rIdCalc" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="/xl/calcChain.xml"/>"#;
                let xml = xml.replace("</Relationships>", &format!("{calc}</Relationships>"));
                let xml = prefixed(&xml.replace(" />", "/>").replace("/>", "></Relationship>"), "ns3");
                (name, xml)
            }
            "[Content_Types].xml" => (
                name,
                xml.replace("</Types>", r#"<Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>"#),
            ),
            other if other.starts_with("xl/worksheets/sheet") => {
                let xml = lowercase_references(&xml);
                (name, xml)
            }
            _ => (name, xml),
        };
        out.start_file(name, options).unwrap();
        std::io::Write::write_all(&mut out, xml.as_bytes()).unwrap();
    }
    out.start_file("xl/calcChain.xml", options).unwrap();
    std::io::Write::write_all(
        &mut out,
        br#"<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="A2" i="1"/></calcChain>"#,
    )
    .unwrap();
    out.finish().unwrap();
}

#[test]
fn a_copy_writes_into_each_part_in_that_part_s_own_names() {
    let work = Workdir::new();
    as_other_writers_write_it(
        &support::repo().join("tests/fixtures/mistakes/meti-openpyxl.xlsx"),
        &work.path("meti.xlsx"),
    );
    let report = work.run(&["check", "--format", "json", "meti.xlsx"]).json();
    let run = work.run(&["check", "--mark", "marked", "meti.xlsx"]);
    run.expect_code(1);
    let marked = work.path("marked/meti.xlsx");
    assert!(marked.exists(), "{}", run.explain());
    for (name, xml) in parts(&marked) {
        if name.ends_with(".xml") || name.ends_with(".rels") {
            resolves(&xml).unwrap_or_else(|e| panic!("{name}: {e}\n{xml}"));
        }
    }
    let parts = parts(&marked);
    assert!(!parts.contains_key("xl/calcChain.xml"));
    let styles = &parts["xl\\styles.xml"];
    assert!(
        styles.contains(&format!("<x:fgColor rgb=\"{ERROR_FILL}\"/>")),
        "{styles}"
    );
    // Every sheet reads back as it was, 確認結果 first.
    let (was, now) = (sheets(&work.path("meti.xlsx")), sheets(&marked));
    assert_eq!(now[0].0, "確認結果");
    assert_eq!(&now[1..], &was[..]);
    // Every cell at fault is marked: its format is one with a fill of a mark.
    let marked_cells: usize = (parts.iter())
        .filter(|(name, _)| name.starts_with("xl/worksheets/sheet"))
        .map(|(_, xml)| xml.matches("<c r=\"").count())
        .sum();
    assert!(marked_cells > 0);
    let cells = (report["diagnostics"].as_array().unwrap().iter())
        .filter(|d| d["cell"].is_string())
        .count();
    assert!(cells >= 10, "{report:#}");
}

#[test]
fn a_marked_copy_marked_again_has_one_results_sheet() {
    let work = Workdir::new();
    work.fixture("tests/fixtures/mistakes/meti-openpyxl.xlsx", "meti.xlsx");
    work.run(&["check", "--mark", "once", "meti.xlsx"])
        .expect_code(1);
    std::fs::create_dir_all(work.path("again")).unwrap();
    std::fs::copy(work.path("once/meti.xlsx"), work.path("again/meti.xlsx")).unwrap();
    work.run(&["check", "--mark", "twice", "again/meti.xlsx"])
        .expect_code(1);
    let (once, twice) = (
        sheets(&work.path("once/meti.xlsx")),
        sheets(&work.path("twice/meti.xlsx")),
    );
    let names = |sheets: &[(String, Range<Data>)]| -> Vec<String> {
        sheets.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(
        names(&twice),
        names(&once),
        "確認結果 replaced, not added again"
    );
    assert_eq!(
        &twice[1..],
        &once[1..],
        "the ministry's sheets as they were"
    );
}

#[test]
fn a_workbook_of_another_format_under_an_xlsx_name_gets_a_copy() {
    let work = Workdir::new();
    work.fixture("tests/fixtures/ods/meti.ods", "meti.xlsx");
    let run = work.run(&["check", "--mark", "marked", "meti.xlsx"]);
    assert!(work.path("marked/meti.xlsx").exists(), "{}", run.explain());
    assert!(run.stdout().contains("values only"), "{}", run.explain());
    let (was, now) = (
        sheets(&support::repo().join("tests/fixtures/ods/meti.ods")),
        sheets(&work.path("marked/meti.xlsx")),
    );
    assert_eq!(now.len(), was.len() + 1);
}

#[test]
fn notes_are_bounded_and_every_cell_at_fault_is_still_filled() {
    let work = Workdir::new();
    let mut kpis = vec![["指標ID", "取組ID", "指標名", "値", "単位"]
        .map(support::Cell::Text)
        .to_vec()];
    let ids: Vec<String> = (1..=300).map(|n| format!("METI-001-K{n}")).collect();
    for id in &ids {
        kpis.push(vec![
            support::Cell::Text(id),
            support::Cell::Text("METI-001"),
            support::Cell::Text("件数"),
            support::Cell::Text("多数"),
            support::Cell::Text("件"),
        ]);
    }
    let measures = vec![
        ["取組ID", "論点ID", "取組名", "内容", "担当府省"]
            .map(support::Cell::Text)
            .to_vec(),
        ["METI-001", "1-2-01", "【支援】", "支援した。", "経産省"]
            .map(support::Cell::Text)
            .to_vec(),
    ];
    work.write(
        "meti.xlsx",
        &support::workbook(&[("取組", measures), ("KPI", kpis)]),
    );
    work.run(&["check", "--mark", "marked", "meti.xlsx"])
        .expect_code(1);
    let parts = parts(&work.path("marked/meti.xlsx"));
    let notes: usize = (parts.iter())
        .filter(|(name, _)| name.contains("comments"))
        .map(|(_, xml)| {
            xml.split("<comment ")
                .filter(|c| c.contains("多数"))
                .count()
        })
        .sum();
    assert_eq!(notes, 50, "the first 50 of a code in a sheet get a note");
    let (sheets, results) = marked_sheets(&work.path("marked/meti.xlsx"));
    assert_eq!(
        sheets["KPI"].fills.len(),
        300,
        "every cell at fault is filled"
    );
    assert!(
        results.contains("250"),
        "確認結果 counts the cells without a note"
    );
}
