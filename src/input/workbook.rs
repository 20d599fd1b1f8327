//! One workbook file, opened once whatever its format: its sheets as streams of rows, and what
//! else the file says of them (merged ranges, hidden rows, columns and sheets, formulas). The file
//! is measured against the limits before any reader loads it; a file that cannot be opened is a
//! diagnostic for that file, never a stop.
//!
//! An `.xlsx` or `.xlsm` is read by annex's own streaming reader (the `xlsx-stream` crate) from the
//! file itself. Every other format, and an `.xlsx` of which the run needs what only calamine tells
//! (hidden sheets, formulas) or whose parts that reader does not find, is read by calamine from the
//! file's bytes, read once; a zip package's parts are then found in the same bytes.

use std::fs::File;
use std::io::{BufReader, Cursor, Read, Seek};
use std::sync::Arc;

use calamine::{
    open_workbook_auto_from_rs, Dimensions, Ods, Reader, SheetVisible, Sheets, Xls, Xlsb, Xlsx,
};
use xlsx_stream::Package;

use super::discover::Input;
use super::limits::{self, Limits};
use super::rows::{formulas, sheet_rows, SheetRows};
use crate::lang::Text;
use crate::report::{Diagnostic, Location};

/// The first bytes of an OLE compound file: an `.xls`, or an encrypted `.xlsx`.
const COMPOUND_FILE_MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// A file's bytes, for readers that each need their own cursor over them.
type Bytes = Cursor<Arc<[u8]>>;

/// Why a file was not opened: its diagnostic (boxed: it is the rare path).
pub type Refused = Box<Diagnostic>;

/// An open workbook.
pub struct Workbook {
    source: Source,
}

enum Source {
    /// Read by annex's own streaming reader alone, from the file.
    Stream(Package<BufReader<File>>),
    /// Read by calamine from the file's bytes; `package` is the same bytes' zip package, if they
    /// are one.
    Calamine {
        sheets: Box<Sheets<Bytes>>,
        package: Option<Package<Bytes>>,
    },
    /// A package calamine cannot open but annex's reader can, in a run that wanted calamine's
    /// view too: its cells are read all the same, and what only calamine tells is not known.
    Package(Package<Bytes>),
}

/// Opens the file of `input` once and measures it; `calamine_view` says the run needs what only
/// calamine tells of a sheet (hidden sheets, formulas).
pub fn open(input: &Input, limits: Limits, calamine_view: bool) -> Result<Workbook, Refused> {
    let mut file = File::open(&input.path).map_err(|e| Box::new(not_opened(input, &e)))?;
    let mut head = [0u8; 8];
    let compound = file.read_exact(&mut head).is_ok() && head == COMPOUND_FILE_MAGIC;
    file.rewind()
        .map_err(|e| Box::new(unreadable(input, &e.to_string())))?;
    if compound {
        let bytes = read_bytes(input, file)?;
        if let Some(refused) = limits::compound_file(input, Cursor::new(&bytes[..]), limits) {
            return Err(Box::new(refused));
        }
        return with_calamine(input, bytes, None, true);
    }
    // A second handle on the same open file, for calamine if the file is not a zip package.
    let spare = file.try_clone();
    match Package::new(BufReader::new(file)) {
        Ok(mut package) => {
            if let Some(refused) = limits::zip_package(input, &mut package, limits) {
                return Err(Box::new(refused));
            }
            if package.reads_cells() && !calamine_view {
                return Ok(Workbook {
                    source: Source::Stream(package),
                });
            }
            let mut file = package.into_inner();
            file.rewind()
                .map_err(|e| Box::new(unreadable(input, &e.to_string())))?;
            let bytes = read_bytes(input, file)?;
            let package = Package::new(Cursor::new(bytes.clone())).ok();
            let readable = package.as_ref().is_some_and(Package::reads_cells);
            match with_calamine(input, bytes.clone(), package, false) {
                Err(_) if readable => match Package::new(Cursor::new(bytes)) {
                    Ok(package) => Ok(Workbook {
                        source: Source::Package(package),
                    }),
                    Err(error) => Err(Box::new(unreadable(input, &error.to_string()))),
                },
                opened => opened,
            }
        }
        Err(_) => {
            let mut file = spare.map_err(|e| Box::new(unreadable(input, &e.to_string())))?;
            file.rewind()
                .map_err(|e| Box::new(unreadable(input, &e.to_string())))?;
            let bytes = read_bytes(input, file)?;
            with_calamine(input, bytes, None, false)
        }
    }
}

fn read_bytes(input: &Input, file: impl Read) -> Result<Arc<[u8]>, Refused> {
    let mut bytes = Vec::new();
    let mut file = file;
    file.read_to_end(&mut bytes)
        .map_err(|e| Box::new(not_opened(input, &e)))?;
    Ok(bytes.into())
}

/// calamine's reader for the file's extension, or, when that fails, for what its content is (an
/// `.xls` saved as `.xlsx`). `compound` says the bytes are a compound file: one that no reader
/// opens and whose name says Office Open XML is a workbook saved with a password.
fn with_calamine(
    input: &Input,
    bytes: Arc<[u8]>,
    package: Option<Package<Bytes>>,
    compound: bool,
) -> Result<Workbook, Refused> {
    let cursor = || Cursor::new(bytes.clone());
    let by_extension = match extension(input).as_str() {
        "xls" | "xla" => Xls::new(cursor())
            .map(Sheets::Xls)
            .map_err(calamine::Error::Xls),
        "xlsx" | "xlsm" | "xlam" => Xlsx::new(cursor())
            .map(Sheets::Xlsx)
            .map_err(calamine::Error::Xlsx),
        "xlsb" => Xlsb::new(cursor())
            .map(Sheets::Xlsb)
            .map_err(calamine::Error::Xlsb),
        "ods" => Ods::new(cursor())
            .map(Sheets::Ods)
            .map_err(calamine::Error::Ods),
        _ => open_workbook_auto_from_rs(cursor()),
    };
    let sheets = by_extension
        .or_else(|first| open_workbook_auto_from_rs(cursor()).map_err(|_| first))
        .map_err(
            |error| match is_password_error(&error) || (compound && is_ooxml(input)) {
                true => limits::encrypted(input),
                false => unreadable(input, &error.to_string()),
            },
        )?;
    Ok(Workbook {
        source: Source::Calamine {
            sheets: Box::new(sheets),
            package,
        },
    })
}

impl Workbook {
    /// The workbook's sheet names, in order.
    pub fn sheet_names(&self) -> Vec<String> {
        match &self.source {
            Source::Stream(package) => package.sheet_names(),
            Source::Package(package) => package.sheet_names(),
            Source::Calamine { sheets, .. } => sheets.sheet_names(),
        }
    }

    /// The rows of the named sheet, streamed where its format allows.
    pub fn rows(&mut self, sheet: &str) -> Result<SheetRows<'_>, String> {
        match &mut self.source {
            Source::Stream(package) => sheet_rows::<Bytes, _>(None, Some(package), sheet),
            Source::Package(package) => sheet_rows::<Bytes, _>(None, Some(package), sheet),
            Source::Calamine { sheets, package } => sheet_rows(
                Some(sheets.as_mut()),
                package.as_mut().filter(|p| p.reads_cells()),
                sheet,
            ),
        }
    }

    /// The merged ranges of the named sheet (`.xlsx`, `.xlsm` and `.xls`).
    pub fn merged_ranges(&mut self, sheet: &str) -> Vec<Dimensions> {
        match &mut self.source {
            Source::Stream(package) => package.merged_ranges(sheet),
            Source::Package(package)
            | Source::Calamine {
                package: Some(package),
                ..
            } => package.merged_ranges(sheet),
            Source::Calamine { sheets, .. } => match sheets.as_mut() {
                Sheets::Xls(xls) => xls.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
                _ => Vec::new(),
            },
        }
    }

    /// The 1-based hidden rows and 0-based hidden columns of the named sheet (`.xlsx`, `.xlsm`).
    pub fn hidden_rows_and_columns(&mut self, sheet: &str) -> (Vec<u32>, Vec<u32>) {
        let hidden = match &mut self.source {
            Source::Stream(package) => package.hidden(sheet),
            Source::Package(package)
            | Source::Calamine {
                package: Some(package),
                ..
            } => package.hidden(sheet),
            Source::Calamine { package: None, .. } => return (Vec::new(), Vec::new()),
        };
        (hidden.rows, hidden.columns)
    }

    /// Whether what only calamine tells of a workbook (hidden sheets, formulas) is known: not
    /// where calamine could not open the package and annex's reader read its cells alone.
    pub fn knows_hidden_sheets_and_formulas(&self) -> bool {
        matches!(self.source, Source::Calamine { .. })
    }

    /// The names of the sheets hidden from view, as far as calamine reads the workbook.
    pub fn hidden_sheets(&self) -> Vec<String> {
        match &self.source {
            Source::Stream(_) | Source::Package(_) => Vec::new(),
            Source::Calamine { sheets, .. } => (sheets.sheets_metadata().iter())
                .filter(|sheet| sheet.visible != SheetVisible::Visible)
                .map(|sheet| sheet.name.clone())
                .collect(),
        }
    }

    /// The formulas of the named sheet, as (0-based row, 0-based column, formula), as far as
    /// calamine reads the workbook.
    pub fn formulas(&mut self, sheet: &str) -> Vec<(u32, u32, String)> {
        match &mut self.source {
            Source::Stream(_) | Source::Package(_) => Vec::new(),
            Source::Calamine { sheets, .. } => formulas(sheets.as_mut(), sheet),
        }
    }
}

fn extension(input: &Input) -> String {
    (input.path.extension().and_then(|e| e.to_str()))
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn is_ooxml(input: &Input) -> bool {
    ["xlsx", "xlsm", "xlsb"].contains(&extension(input).as_str())
}

fn is_password_error(error: &calamine::Error) -> bool {
    matches!(
        error,
        calamine::Error::Xls(calamine::XlsError::Password)
            | calamine::Error::Xlsx(calamine::XlsxError::Password)
            | calamine::Error::Ods(calamine::OdsError::Password)
    )
}

/// A file the system would not let annex open or read: locked is not damaged, and is told apart.
fn not_opened(input: &Input, error: &std::io::Error) -> Diagnostic {
    // Windows refuses a file another program holds with a sharing or lock violation.
    let held = cfg!(windows) && matches!(error.raw_os_error(), Some(32 | 33));
    if error.kind() != std::io::ErrorKind::PermissionDenied && !held {
        return unreadable(input, &error.to_string());
    }
    Diagnostic::error(
        "file.locked",
        Location::file(&input.shown),
        Text::new(
            format!("cannot open the file: the system refuses access to it ({error}); it is not damaged"),
            "ファイルを開けません（アクセスが拒否されました）。ファイルが壊れているのではありません".to_string(),
        ),
        Text::new(
            "Close the workbook in Excel or any other program that has it open, or ask whoever manages the folder for permission to read it, then run again.",
            "Excel など、このブックを開いているプログラムを閉じるか、フォルダの管理者に読み取りの権限を付けてもらってから、もう一度実行してください。",
        ),
    )
}

fn unreadable(input: &Input, error: &str) -> Diagnostic {
    Diagnostic::error(
        "file.unreadable",
        Location::file(&input.shown),
        Text::new(
            format!("cannot read the file as a workbook: {error}"),
            "ブックとして読み込めません（壊れているか、ブックではないファイルです）".to_string(),
        ),
        Text::new(
            "Open it in Excel or LibreOffice and save it again as .xlsx; if it does not open, ask the sender for a new copy.",
            "Excel または LibreOffice で開いて .xlsx として保存し直してください。開けない場合は提出元に再送を依頼してください。",
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_the_system_refuses_is_locked_not_damaged() {
        let input = Input {
            path: "meti.xlsx".into(),
            shown: "meti.xlsx".into(),
        };
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let locked = not_opened(&input, &denied);
        assert_eq!(locked.code, "file.locked");
        assert!(
            !locked.message.ja.contains("壊れ")
                || locked.message.ja.contains("壊れているのではありません")
        );
        let cut = std::io::Error::from(std::io::ErrorKind::UnexpectedEof);
        assert_eq!(not_opened(&input, &cut).code, "file.unreadable");
    }
}
