//! Which files a run reads: the files it is given, and the workbooks under the folders it is given.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::lang::Text;
use crate::report::{Diagnostic, Location};

/// The extensions of the workbooks annex reads from a folder.
pub const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// A file to read, and its path as reports show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
    pub shown: Arc<str>,
}

#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("{0} does not exist; give a workbook or a folder of workbooks")]
    Missing(PathBuf),
    #[error("cannot list the folder {path}: {source}")]
    Folder {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Every file given, and every workbook under every folder given, each once, folders sorted.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Input>, DiscoverError> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut inputs)?;
        } else if path.is_file() {
            inputs.push(input(path.clone()));
        } else {
            return Err(DiscoverError::Missing(path.clone()));
        }
    }
    let mut seen = std::collections::HashSet::new();
    inputs.retain(|input| {
        seen.insert(
            input
                .path
                .canonicalize()
                .unwrap_or_else(|_| input.path.clone()),
        )
    });
    Ok(inputs)
}

fn input(path: PathBuf) -> Input {
    Input {
        shown: path.to_string_lossy().into(),
        path,
    }
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) -> Result<(), DiscoverError> {
    let folder_error = |source| DiscoverError::Folder {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(folder_error)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(folder_error)?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if !is_hidden(&path) {
                walk(&path, inputs)?;
            }
        } else if is_workbook(&path) {
            inputs.push(input(path));
        }
    }
    Ok(())
}

/// Dot files (LibreOffice's `.~lock.name.xlsx#` among them), and the `~$name.xlsx` lock files
/// Excel leaves beside an open workbook.
fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with('.') || name.starts_with("~$"))
}

fn is_workbook(path: &Path) -> bool {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    !is_hidden(path) && extension.is_some_and(|e| WORKBOOK_EXTENSIONS.contains(&e.as_str()))
}

/// The names of the lock files Excel (`~$meti.xlsx`) and LibreOffice (`.~lock.meti.xlsx#`)
/// keep beside a workbook while it is open.
fn lock_file_names(name: &str) -> [String; 2] {
    [format!("~${name}"), format!(".~lock.{name}#")]
}

/// A note for each workbook beside which a lock file says it is open in Excel or LibreOffice:
/// what was read is the workbook as last saved, without changes made since.
pub fn open_elsewhere(inputs: &[Input]) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    for input in inputs {
        let (Some(folder), Some(name)) = (
            input.path.parent(),
            input.path.file_name().and_then(|n| n.to_str()),
        ) else {
            continue;
        };
        let lock = lock_file_names(name)
            .into_iter()
            .find(|lock| folder.join(lock).is_file());
        if let Some(lock) = lock {
            found.push(Diagnostic::warning(
                "file.open_elsewhere",
                Location::file(&input.shown),
                Text::new(
                    format!("the lock file {lock} beside it says the workbook is open in Excel or LibreOffice: changes not yet saved are not in what annex read"),
                    format!("同じフォルダのロックファイル {lock} から、このブックは Excel などで開かれているようです。保存されていない変更は読み込まれていません"),
                ),
                Text::new(
                    "Save and close the workbook, then run again. If nobody has it open, the lock file is left over from a crash and can be deleted.",
                    "ブックを保存して閉じてから、もう一度実行してください。誰も開いていない場合、ロックファイルは異常終了の残りなので削除してかまいません。",
                ),
            ));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_yield_their_workbooks_sorted_and_skip_lock_files() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "b.xlsx",
            "a.ODS",
            "~$b.xlsx",
            ".hidden.xlsx",
            "notes.txt",
            "sub/c.xls",
        ] {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, b"").unwrap();
        }
        let found = discover(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(dir.path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["a.ODS", "b.xlsx", "sub/c.xls"]);
    }

    #[test]
    fn a_lock_file_beside_a_workbook_says_it_is_open_elsewhere() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "meti.xlsx",
            "~$meti.xlsx",
            "mhlw.xlsx",
            ".~lock.mhlw.xlsx#",
            "cao.xlsx",
        ] {
            std::fs::write(dir.path().join(name), b"").unwrap();
        }
        let found = discover(&[dir.path().to_path_buf()]).unwrap();
        let notes = open_elsewhere(&found);
        let noted: Vec<_> = notes
            .iter()
            .map(|d| {
                (
                    d.code.as_str(),
                    d.location.file.rsplit('/').next().unwrap_or(""),
                )
            })
            .collect();
        assert_eq!(
            noted,
            [
                ("file.open_elsewhere", "meti.xlsx"),
                ("file.open_elsewhere", "mhlw.xlsx")
            ]
        );
        assert!(notes[0].message.ja.contains("~$meti.xlsx"));
    }

    #[test]
    fn a_file_named_twice_is_read_once_and_a_missing_path_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("x.xlsx");
        std::fs::write(&file, b"").unwrap();
        let found = discover(&[file.clone(), dir.path().to_path_buf()]).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(&*found[0].shown, file.to_string_lossy());
        let missing = discover(&[dir.path().join("nope")]).unwrap_err();
        assert!(matches!(missing, DiscoverError::Missing(_)));
    }
}
