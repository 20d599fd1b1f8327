//! Limits that keep a hostile workbook from exhausting memory or time: a zip workbook (xlsx,
//! xlsm, xlsb, ods) whose parts would unpack to more than the limit is refused before it is
//! opened. Sheets themselves are streamed (see `rows`), so their size is bounded by this too.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use zip::ZipArchive;

use super::discover::Input;
use crate::lang::Text;
use crate::report::{Diagnostic, Location};

/// What a run accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most a zip workbook may unpack to, in bytes.
    pub max_unpacked: u64,
}

/// Real submissions unpack to a few megabytes; 512 MiB leaves room for a whole government's.
pub const DEFAULT_MAX_UNPACKED_MB: u64 = 512;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_unpacked: DEFAULT_MAX_UNPACKED_MB * 1024 * 1024,
        }
    }
}

/// What the zip's directory says its parts unpack to; `None` for a file that is not a zip.
fn unpacked_size(path: &Path) -> Option<u64> {
    let mut head = [0u8; 4];
    File::open(path).ok()?.read_exact(&mut head).ok()?;
    if head != *b"PK\x03\x04" {
        return None;
    }
    let mut archive = ZipArchive::new(BufReader::new(File::open(path).ok()?)).ok()?;
    let mut total: u64 = 0;
    for index in 0..archive.len() {
        let size = archive
            .by_index_raw(index)
            .map(|part| part.size())
            .unwrap_or(0);
        total = total.saturating_add(size);
    }
    Some(total)
}

/// A diagnostic when the file would unpack to more than the limit allows.
pub fn check(input: &Input, limits: Limits) -> Option<Diagnostic> {
    let size = unpacked_size(&input.path)?;
    if size <= limits.max_unpacked {
        return None;
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
    use std::io::Write;

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
