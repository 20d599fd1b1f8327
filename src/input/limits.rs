//! Limits that keep a hostile workbook from exhausting memory or time, checked on a file before
//! any reader loads it: a zip workbook (xlsx, xlsm, xlsb, ods) whose parts would unpack to more than the limit,
//! an `.xls` whose file structure is damaged, and an `.xls` or `.ods` one of whose sheets spans
//! more cells than the limit (their reader loads a sheet whole, and an absurd number would abort
//! the process; see `xls` and `ods`). The sheets of other zip workbooks are streamed (see
//! `rows`), so their size is bounded by the first limit.

use std::io::{BufReader, Read, Seek};

use xlsx_stream::Package;

use super::discover::Input;
use super::ods;
use super::xls::{self, Damaged, Measured};
use crate::lang::Text;
use crate::report::{Diagnostic, Location};

/// What a run accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most a zip workbook may unpack to, in bytes.
    pub max_unpacked: u64,
    /// The most cells one `.xls` or `.ods` sheet may span.
    pub max_cells: u64,
}

/// Real submissions unpack to a few megabytes; 512 MiB leaves room for a whole government's.
pub const DEFAULT_MAX_UNPACKED_MB: u64 = 512;
/// Real submissions use a few thousand cells a sheet; 4 million (about 128 MB once loaded)
/// leaves room for a large one.
pub const DEFAULT_MAX_CELLS: u64 = 4_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked: DEFAULT_MAX_UNPACKED_MB * 1024 * 1024,
            max_cells: DEFAULT_MAX_CELLS,
        }
    }
}

/// An `.xls` (a compound file) that is damaged, or one of whose sheets spans more cells than the
/// limit.
pub fn compound_file(input: &Input, file: impl Read + Seek, limits: Limits) -> Option<Diagnostic> {
    let cells = match xls::largest_sheet(file) {
        Ok(Measured::Cells(cells)) => cells,
        Ok(Measured::Encrypted) => return Some(encrypted(input)),
        Err(Damaged(why)) => {
            return Some(Diagnostic::error(
                "file.unreadable",
                Location::file(&input.shown),
                Text::new(
                    format!("the workbook's file structure is damaged ({why}); it was not opened"),
                    "ブックのファイル構造が壊れているため開きませんでした".to_string(),
                ),
                Text::new(
                    "Open it in Excel or LibreOffice and save it again as .xlsx; if it does not open, ask the sender for a new copy.",
                    "Excel または LibreOffice で開いて .xlsx として保存し直してください。開けない場合は提出元に再送を依頼してください。",
                ),
            ))
        }
    };
    spans_too_many(input, cells, limits)
}

/// A workbook that needs a password to open: what the measuring found, and what calamine says.
pub(super) fn encrypted(input: &Input) -> Diagnostic {
    Diagnostic::error(
        "file.encrypted",
        Location::file(&input.shown),
        Text::new(
            "the workbook is protected by a password, so annex cannot read it",
            "ブックにパスワードが設定されているため読み込めません",
        ),
        Text::new(
            "Open it in Excel, remove the password (File › Info › Protect Workbook › Encrypt with Password, clear it) and save it again.",
            "Excel で開き、パスワードを解除して（ファイル › 情報 › ブックの保護 › パスワードを使用して暗号化 を空にする）保存し直してください。",
        ),
    )
}

fn spans_too_many(input: &Input, cells: u64, limits: Limits) -> Option<Diagnostic> {
    if cells <= limits.max_cells {
        return None;
    }
    Some(Diagnostic::error(
        "file.too_large",
        Location::file(&input.shown),
        Text::new(
            format!("a sheet of the workbook spans {cells} cells, more than the limit of {}; it was not opened", limits.max_cells),
            format!("ブックのシートが {cells} 個のセルにわたっており、上限 {} を超えるため開きませんでした", limits.max_cells),
        ),
        Text::new(
            "Delete what lies far beyond the table (or save it again as .xlsx); if the workbook is genuine, raise the limit with --max-cells.",
            "表から遠く離れたセルを削除するか .xlsx として保存し直してください。正当なブックであれば --max-cells で上限を上げてください。",
        ),
    ))
}

/// A zip package (xlsx, xlsm, xlsb, ods) that would unpack to more than the limit, or an `.ods`
/// whose tables, repeats expanded, span more cells than the limit.
pub fn zip_package<R: Read + Seek>(
    input: &Input,
    package: &mut Package<R>,
    limits: Limits,
) -> Option<Diagnostic> {
    let size = package.unpacked_size();
    if size <= limits.max_unpacked {
        // Unpacked within the limit, its content can be scanned.
        let content = package.part("content.xml")?;
        return spans_too_many(input, ods::largest_table(BufReader::new(content)), limits);
    }
    let (mb, limit) = (size / (1024 * 1024), limits.max_unpacked / (1024 * 1024));
    Some(Diagnostic::error(
        "file.too_large",
        Location::file(&input.shown),
        Text::new(
            format!("the workbook would unpack to {mb} MB, more than the limit of {limit} MB; it was not opened"),
            format!("ブックを展開すると {mb} MB になり、上限 {limit} MB を超えるため開きませんでした"),
        ),
        Text::new(
            "If the workbook is genuine, raise the limit with --max-unpacked-mb; otherwise ask the sender for a new copy.",
            "正当なブックであれば --max-unpacked-mb で上限を上げてください。そうでなければ提出元に再送を依頼してください。",
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::File;
    use std::io::Write;

    /// Whether opening the file refuses it as too large.
    fn check(input: &Input, limits: Limits) -> Option<Diagnostic> {
        let refused = crate::input::workbook::open(input, limits, false).err();
        refused.map(|d| *d).filter(|d| d.code == "file.too_large")
    }

    #[test]
    fn the_council_data_as_xls_is_within_the_limits() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xls");
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let input = Input {
                shown: "x.xls".into(),
                path,
            };
            assert!(check(&input, Limits::default()).is_none());
        }
    }

    #[test]
    fn a_zip_that_unpacks_beyond_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.xlsx");
        let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file("xl/worksheets/sheet1.xml", options).unwrap();
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..3 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
        assert!(std::fs::metadata(&path).unwrap().len() < 64 * 1024);
        let input = Input {
            shown: "bomb.xlsx".into(),
            path,
        };
        let tight = Limits {
            max_unpacked: 2 * 1024 * 1024,
            ..Limits::default()
        };
        assert_eq!(
            check(&input, tight).map(|d| d.code),
            Some("file.too_large".to_string())
        );
        assert!(check(&input, Limits::default()).is_none());
        let not_zip = dir.path().join("plain.xls");
        std::fs::write(&not_zip, b"not a zip").unwrap();
        assert!(check(
            &Input {
                shown: "plain.xls".into(),
                path: not_zip
            },
            tight
        )
        .is_none());
    }
}
