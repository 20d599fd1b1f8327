//! Which files a run reads: the files it is given, and the workbooks under the folders it is given.

use std::path::{Path, PathBuf};
use std::sync::Arc;

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

/// Dot files, and the `~$name.xlsx` lock files Excel leaves beside an open workbook.
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
