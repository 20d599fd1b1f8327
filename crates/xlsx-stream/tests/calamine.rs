//! The differential test: every workbook read by this crate gives exactly the cells calamine's
//! own streaming reader gives, sheet by sheet, or fails where calamine fails.
use std::fs::File;
use std::io::{BufReader, Cursor, Read, Write};
use std::path::{Path, PathBuf};

use calamine::{open_workbook, Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, FormatScript, Formula, Workbook};
use xlsx_stream::{Package, MAX_TOKEN};
use zip::write::SimpleFileOptions;
use zip::ZipArchive;

fn open(path: &Path) -> Package<BufReader<File>> {
    Package::new(BufReader::new(File::open(path).unwrap())).unwrap()
}

type Cell = (u32, u32, Data);

/// Every sheet's cells as calamine reads them, or that it fails.
fn by_calamine(path: &Path) -> Vec<(String, Result<Vec<Cell>, ()>)> {
    let mut workbook: Xlsx<_> = open_workbook(path).unwrap();
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let cells = workbook
            .worksheet_cells_reader(&name)
            .map_err(|_| ())
            .and_then(|mut reader| {
                let mut cells = Vec::new();
                while let Some(cell) = reader.next_cell().map_err(|_| ())? {
                    let (row, column) = cell.get_position();
                    cells.push((row, column, Data::from(cell.get_value().clone())));
                }
                Ok(cells)
            });
        sheets.push((name, cells));
    }
    sheets
}

/// The same, read by this module.
fn by_package(path: &Path) -> Vec<(String, Result<Vec<Cell>, ()>)> {
    let workbook: Xlsx<_> = open_workbook(path).unwrap();
    let mut package = open(path);
    assert!(
        package.reads_cells(),
        "{}: read by this reader",
        path.display()
    );
    assert_eq!(package.sheet_names(), workbook.sheet_names());
    let mut sheets = Vec::new();
    for name in workbook.sheet_names() {
        let Ok(mut reader) = package.cells(&name).expect("the sheet's part") else {
            sheets.push((name, Err(())));
            continue;
        };
        let mut cells = Vec::new();
        let read = loop {
            match reader.next_cell() {
                Ok(Some(cell)) => cells.push(cell),
                Ok(None) => break Ok(cells),
                Err(_) => break Err(()),
            }
        };
        sheets.push((name, read));
    }
    sheets
}

fn assert_read_alike(path: &Path) {
    let (expected, found) = (by_calamine(path), by_package(path));
    assert!(!expected.is_empty(), "{}: no sheets", path.display());
    for ((sheet, expected), (_, found)) in expected.iter().zip(&found) {
        assert_eq!(found, expected, "{}, sheet {sheet}", path.display());
    }
}

#[test]
fn every_workbook_in_the_repository_reads_as_calamine_reads_it() {
    // The workbooks of the project this crate was written for: its input and its test fixtures.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut checked = 0;
    let mut folders = vec![root.join("input"), root.join("tests/fixtures")];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "xlsx" || e == "xlsm")
                && open_workbook::<Xlsx<_>, _>(&path).is_ok()
            {
                assert_read_alike(&path);
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "only {checked} workbooks");
}

/// Text that tests every rule a string is read by.
const AWKWARD: [&str; 9] = [
    "  leading and trailing  ",
    "line\r\nbreaks\rand\nmore",
    "<tag> & \"quotes\" 'apostrophes'",
    "literal _x000D_ and _x005F_x000D_",
    "絵文字 🏥 と全角　スペース",
    "\ttab",
    "",
    "=HYPERLINK(\"x\")",
    "_x",
];

fn awkward_workbook(path: &Path, constant_memory: bool) {
    let mut workbook = Workbook::new();
    let sheet = match constant_memory {
        true => workbook.add_worksheet_with_constant_memory().unwrap(),
        false => workbook.add_worksheet(),
    };
    let date = Format::new().set_num_format("yyyy\"年\"m\"月\"d\"日\"");
    let builtin_date = Format::new().set_num_format_index(14);
    let duration = Format::new().set_num_format("[h]:mm:ss");
    let count = Format::new().set_num_format("#,##0\"件\"");
    for (row, text) in (0u32..).zip(AWKWARD) {
        sheet.write_string(row, 0, text).unwrap();
        sheet
            .write_number(row, 1, f64::from(row) * 1.5 - 3.0)
            .unwrap();
        let formatted = [
            (45000.25, &date),
            (45001.0, &builtin_date),
            (1.75, &duration),
            (1234.0, &count),
        ];
        for (column, (number, format)) in (2u16..).zip(formatted) {
            sheet
                .write_number_with_format(row, column, number, format)
                .unwrap();
        }
        sheet.write_boolean(row, 6, row % 2 == 0).unwrap();
        sheet
            .write_formula(
                row,
                7,
                Formula::new("=A1&\"x\"").set_result(format!("{text}x")),
            )
            .unwrap();
        sheet.write_blank(row, 8, &date).unwrap();
    }
    let superscript = Format::new().set_font_script(FormatScript::Superscript);
    let plain = Format::new();
    sheet
        .write_rich_string(20, 0, &[(&plain, " rich "), (&superscript, "text\r\n")])
        .unwrap();
    sheet
        .write_string(1_048_575, 16_383, "the last cell")
        .unwrap();
    workbook.save(path).unwrap();
}

#[test]
fn strings_numbers_dates_formulas_and_rich_text_read_as_calamine_reads_them() {
    let folder = tempfile::tempdir().unwrap();
    for constant_memory in [false, true] {
        let path = folder
            .path()
            .join(format!("awkward-{constant_memory}.xlsx"));
        awkward_workbook(&path, constant_memory);
        assert_read_alike(&path);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    #[test]
    fn any_text_reads_as_calamine_reads_it(
        texts in proptest::collection::vec("[ \\t\\r\\n_x0-9A-Fa-z&<>\"'\u{3000}-\u{30ff}\u{1f3e5}\u{1}-\u{1f}]{0,24}", 1..12)
    ) {
        let folder = tempfile::tempdir().unwrap();
        for constant_memory in [false, true] {
            let path = folder.path().join(format!("any-{constant_memory}.xlsx"));
            let mut workbook = Workbook::new();
            let sheet = match constant_memory {
                true => workbook.add_worksheet_with_constant_memory().unwrap(),
                false => workbook.add_worksheet(),
            };
            for (row, text) in (0u32..).zip(&texts) {
                sheet.write_string(row, 0, text).unwrap();
                sheet.write_string(row, 1, format!(" {text}\r\n")).unwrap();
            }
            workbook.save(&path).unwrap();
            assert_read_alike(&path);
        }
    }
}

/// A workbook written by rust_xlsxwriter with its first sheet's XML (and, if given, its
/// shared strings) replaced.
fn with_parts(path: &Path, edit: impl Fn(&str, String) -> String) {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "x").unwrap();
    let date = Format::new().set_num_format_index(14);
    sheet
        .write_number_with_format(0, 1, 45000.5, &date)
        .unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    let mut original = ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut copy = zip::ZipWriter::new(File::create(path).unwrap());
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for index in 0..original.len() {
        let mut part = original.by_index(index).unwrap();
        let name = part.name().unwrap().into_owned();
        let mut content = String::new();
        part.read_to_string(&mut content).unwrap();
        copy.start_file(&name, options).unwrap();
        copy.write_all(edit(&name, content).as_bytes()).unwrap();
    }
    copy.finish().unwrap();
}

/// A sheet's XML, and the shared strings if given, in place of those written.
fn sheet_and_strings<'a>(
    sheet: &'a str,
    shared: Option<&'a str>,
) -> impl Fn(&str, String) -> String + 'a {
    move |name, content| match name {
        "xl/worksheets/sheet1.xml" => sheet.to_string(),
        "xl/sharedStrings.xml" => shared.map_or(content, str::to_string),
        _ => content,
    }
}

#[test]
fn dates_of_a_workbook_counting_from_1904_read_as_calamine_reads_them() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("1904.xlsx");
    with_parts(&path, |name, content| match name {
        "xl/workbook.xml" => content.replace("<workbookPr", "<workbookPr date1904=\"1\""),
        _ => content,
    });
    assert!(open(&path).is_1904());
    assert_read_alike(&path);
}

#[test]
fn hand_written_sheet_xml_reads_as_calamine_reads_it() {
    let shared = r#"<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si><si><r><t xml:space="preserve"> 東京 </t></r><r><rPr><b/></rPr><t>都</t></r><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si><si/><si><t>a&amp;b&#10;</t></si></sst>"#;
    let sheets = [
        // Cells and rows without references, prefixes, every type, CDATA and entities.
        r#"<?xml version="1.0"?><x:worksheet xmlns:x="main"><x:dimension ref="A1:F9"/><x:sheetData>
<x:row r="2"><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c t="s"><x:v>zz</x:v></x:c></x:row>
<x:row><x:c t="b"><x:v>1</x:v></x:c><x:c t="b"><x:v> FALSE </x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c><x:c t="d"><x:v>2024-04-01T00:00:00</x:v></x:c></x:row>
<x:row r="7"><x:c r="C7" t="str"><x:f>A1</x:f><x:v>a &lt;b&gt;_x000D_&#13;</x:v></x:c><x:c t="inlineStr"><x:is><x:t><![CDATA[<raw> & ]]></x:t></x:is></x:c><x:c><x:v>1e3</x:v></x:c><x:c><x:v>text?</x:v></x:c><x:c s="99"><x:v>5</x:v></x:c><x:c s="x"><x:v>6</x:v></x:c><x:c t="str"><x:v/></x:c><x:c t="n"><x:v></x:v></x:c><x:c t="inlineStr"><x:is/></x:c><x:c t="inlineStr"><x:v>ignored</x:v></x:c></x:row>
<x:row r="9"/><x:row r="10"><x:c r="B10"/><x:c r="C10" t="s"/></x:row>
</x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A2:A3"/></x:mergeCells></x:worksheet>"#,
        // A value calamine cannot read: the sheet fails for both.
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="b"><v>maybe</v></c></row></sheetData></worksheet>"#,
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="zz"><v>1</v></c></row></sheetData></worksheet>"#,
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>9</v></c></row></sheetData></worksheet>"#,
        r#"<worksheet><sheetData><row r="1"><c r="A1"><extLst/></c></row></sheetData></worksheet>"#,
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>cut"#,
        r#"<worksheet><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>"#,
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="str"><v>&nbsp;</v></c></row></sheetData></worksheet>"#,
    ];
    let folder = tempfile::tempdir().unwrap();
    for (index, sheet) in sheets.iter().enumerate() {
        let path = folder.path().join(format!("hand-{index}.xlsx"));
        with_parts(&path, sheet_and_strings(sheet, Some(shared)));
        assert_read_alike(&path);
    }
    // Many runs of one string add up to more than any cell holds: refused, not gathered.
    let runs = "<r><t>0123456789</t></r>".repeat(MAX_TOKEN / 10 + 1);
    let long = format!(
        r#"<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is>{runs}</is></c></row></sheetData></worksheet>"#
    );
    let path = folder.path().join("long.xlsx");
    with_parts(&path, sheet_and_strings(&long, None));
    let read = by_package(&path);
    assert!(read[0].1.is_err());
    let first = by_package(&folder.path().join("hand-0.xlsx"));
    assert!(
        matches!(&first[0].1, Ok(cells) if cells.len() == 20),
        "{first:?}"
    );
    for index in 1..sheets.len() {
        let read = by_package(&folder.path().join(format!("hand-{index}.xlsx")));
        assert!(read[0].1.is_err(), "sheet {index} should fail");
    }
}

#[test]
fn a_formula_without_a_saved_result_is_told_apart_from_an_empty_cell() {
    let sheet = r#"<worksheet><sheetData><row r="1">
<c r="A1"><f>IF(B1&gt;0,"○","×")</f></c>
<c r="B1"><f>SUM(C1:C9)</f><v>3</v></c>
<c r="C1" t="str"><f>""</f><v></v></c>
<c r="D1"><f t="shared" si="0" ref="D1:D2">C1*2</f></c>
<c r="E1"/>
<c r="F1"><f>1+1</f><v></v></c>
</row><row r="2"><c r="D2"><f t="shared" si="0"/></c></row></sheetData></worksheet>"#;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("script.xlsx");
    with_parts(&path, sheet_and_strings(sheet, None));
    assert_read_alike(&path);
    let mut package = open(&path);
    let mut cells = package.cells("Sheet1").unwrap().unwrap();
    let mut seen = Vec::new();
    while let Some((row, column, value)) = cells.next_cell().unwrap() {
        let formula = cells.uncomputed_formula().map(str::to_string);
        seen.push((row, column, value, formula));
    }
    assert_eq!(
        seen,
        [
            (0, 0, Data::Empty, Some("IF(B1>0,\"○\",\"×\")".to_string())),
            (0, 1, Data::Float(3.0), None),
            (0, 2, Data::String(String::new()), None),
            (0, 3, Data::Empty, Some("C1*2".to_string())),
            (0, 4, Data::Empty, None),
            (0, 5, Data::Empty, Some("1+1".to_string())),
            (1, 3, Data::Empty, Some(String::new())),
        ]
    );
}
