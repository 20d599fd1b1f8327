//! `--mark DIR`: each workbook of the run returned to whoever fills it in, marked where annex
//! found a problem. The copy opens on a first sheet, 確認結果, that lists every problem with a
//! link to its cell; each cell at fault is filled (errors red, warnings yellow) and carries a note
//! with the message and what to do. Everything else is the ministry's workbook as it was: an
//! `.xlsx` or `.xlsm` is copied part by part ([`package`]); an `.xls`, `.xlsb` or `.ods`, which
//! cannot be, comes back as an `.xlsx` of its values ([`convert`]), and its 確認結果 says so.
//! A copy is never written over a workbook the run reads, nor where the next run would read it.

mod convert;
mod names;
mod notes;
mod package;
mod results;
mod styles;
mod worksheet;

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::input::Input;
use crate::lang::{Lang, Text};
use crate::report::{Diagnostic, Findings};
use crate::write::Staged;
use package::Finding;
pub use package::RESULTS_SHEET;

/// Why `--mark` cannot be done.
#[derive(Debug, thiserror::Error)]
pub enum MarkError {
    #[error("--mark {dir} is among the workbooks read ({input}): the marked copies would be read as submissions next time; give a folder outside them")]
    AmongInputs { dir: PathBuf, input: PathBuf },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What became of one workbook.
#[derive(Debug)]
pub enum Marked {
    /// Its copy was written; `converted_from` is the format it came in if that was not `.xlsx`.
    Written {
        path: PathBuf,
        converted_from: Option<String>,
    },
    /// It could not be opened (its problem is in the report), so it has no copy.
    NotOpened { file: String },
    /// Its copy could not be made: what it is, and why.
    Failed { file: String, reason: String },
}

impl Marked {
    /// What to tell the person who ran the check.
    pub fn text(&self) -> Text {
        match self {
            Marked::Written { path, converted_from: None } => Text::new(
                format!("marked copy: {}", path.display()),
                format!("確認用のブックを書き出しました: {}", path.display()),
            ),
            Marked::Written { path, converted_from: Some(format) } => Text::new(
                format!("marked copy: {} (converted from .{format} to .xlsx, values only)", path.display()),
                format!("確認用のブックを書き出しました: {}（.{format} を .xlsx に変換し、値だけを写しました）", path.display()),
            ),
            Marked::NotOpened { file } => Text::new(
                format!("no marked copy of {file}: it could not be opened (see its problem above)"),
                format!("{file} は開けなかったため、確認用のブックはありません（上の問題をご覧ください）"),
            ),
            Marked::Failed { file, reason } => Text::new(
                format!("no marked copy of {file}: {reason}"),
                format!("{file} の確認用のブックを作れませんでした（{reason}）"),
            ),
        }
    }
}

/// Refuses a folder for the copies that is, or is inside, a folder the run reads, or that would
/// put a copy where a workbook the run reads is.
pub fn check_destination(dir: &Path, paths: &[PathBuf], inputs: &[Input]) -> Result<(), MarkError> {
    let absolute = |path: &Path| {
        std::path::absolute(path)
            .map(|p| normalized(&p))
            .unwrap_or_else(|_| path.to_path_buf())
    };
    let canonical = |path: &Path| path.canonicalize().unwrap_or_else(|_| absolute(path));
    let dir_canonical = canonical(dir);
    for path in paths.iter().filter(|p| p.is_dir()) {
        if dir_canonical.starts_with(canonical(path)) {
            return Err(MarkError::AmongInputs {
                dir: dir.to_path_buf(),
                input: path.clone(),
            });
        }
    }
    for (input, target) in inputs.iter().zip(targets(dir, inputs)) {
        if canonical(&target) == canonical(&input.path) {
            return Err(MarkError::AmongInputs {
                dir: dir.to_path_buf(),
                input: input.path.clone(),
            });
        }
    }
    Ok(())
}

/// A path with its `.` and `..` taken out.
fn normalized(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Writes a marked copy of every workbook of the run into `dir`.
pub fn mark_all(
    inputs: &[Input],
    diagnostics: &Findings,
    dir: &Path,
    lang: Lang,
) -> Result<Vec<Marked>, MarkError> {
    std::fs::create_dir_all(dir).map_err(|source| MarkError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut marked = Vec::with_capacity(inputs.len());
    for (input, target) in inputs.iter().zip(targets(dir, inputs)) {
        let mut own: Vec<Diagnostic> = (diagnostics.iter())
            .filter(|d| d.location.file == input.shown)
            .map(std::borrow::Cow::into_owned)
            .collect();
        if own.iter().any(|d| d.code.starts_with("file.")) {
            marked.push(Marked::NotOpened {
                file: input.shown.to_string(),
            });
            continue;
        }
        own.sort_by_key(|d| d.severity);
        let findings: Vec<Finding> = own.iter().map(|d| finding(d, lang)).collect();
        marked.push(mark_one(input, &target, &findings, lang)?);
    }
    Ok(marked)
}

fn finding(diagnostic: &Diagnostic, lang: Lang) -> Finding<'_> {
    let location = &diagnostic.location;
    Finding {
        diagnostic,
        cell: location
            .row
            .zip(location.column)
            .and_then(|(row, column)| Some((row.checked_sub(1)?, column))),
        lang,
    }
}

fn mark_one(
    input: &Input,
    target: &Path,
    findings: &[Finding],
    lang: Lang,
) -> Result<Marked, MarkError> {
    let failed = |reason: String| Marked::Failed {
        file: input.shown.to_string(),
        reason,
    };
    let extension = extension(&input.path);
    let mut head = [0u8; 2];
    let is_zip = File::open(&input.path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && &head == b"PK";
    let mut converted_from = match (is_zip, extension.as_str()) {
        (true, "xlsx" | "xlsm") => None,
        _ => Some(extension.clone()),
    };
    let about = |converted_from| results::About {
        file: &input.shown,
        converted_from,
        lang,
    };
    let mut staged = Staged::new(target).map_err(|source| MarkError::Write {
        path: target.to_path_buf(),
        source,
    })?;
    // An .xlsx or .xlsm is edited part by part. Any other format, or a package that cannot be
    // edited (an .ods saved as .xlsx, parts where no workbook keeps them), comes back as an
    // .xlsx of its values.
    let mut edit_failed = None;
    if converted_from.is_none() {
        let edited = File::open(&input.path)
            .map_err(|e| e.to_string())
            .and_then(|file| {
                let file = std::io::BufReader::new(file);
                package::mark(file, staged.file(), findings, &about(None))
            });
        if let Err(reason) = edited {
            edit_failed = Some(reason);
            converted_from = Some(extension.clone());
        }
    }
    if converted_from.is_some() {
        let restart = staged.restart().map_err(|source| MarkError::Write {
            path: target.to_path_buf(),
            source,
        })?;
        let converted = convert::to_xlsx(&input.path).and_then(|bytes| {
            let about = about(converted_from.as_deref());
            package::mark(std::io::Cursor::new(bytes), restart, findings, &about)
        });
        if let Err(reason) = converted {
            return Ok(failed(edit_failed.unwrap_or(reason)));
        }
    }
    staged.commit().map_err(|source| MarkError::Write {
        path: target.to_path_buf(),
        source,
    })?;
    Ok(Marked::Written {
        path: target.to_path_buf(),
        converted_from,
    })
}

fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// Where each workbook's copy goes: its own name in `dir` (an `.xlsx` for a format that is
/// converted), numbered where two workbooks share a name.
fn targets(dir: &Path, inputs: &[Input]) -> Vec<PathBuf> {
    let mut taken = HashSet::new();
    inputs
        .iter()
        .map(|input| {
            let stem = input
                .path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let extension = match extension(&input.path).as_str() {
                "xlsm" => "xlsm",
                _ => "xlsx",
            };
            let name = (1..)
                .map(|n| match n {
                    1 => format!("{stem}.{extension}"),
                    n => format!("{stem} ({n}).{extension}"),
                })
                .find(|name| taken.insert(name.to_lowercase()))
                .unwrap_or_default();
            dir.join(name)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(path: &str) -> Input {
        Input {
            path: path.into(),
            shown: path.into(),
        }
    }

    #[test]
    fn copies_keep_their_names_numbered_where_two_share_one() {
        let inputs = [
            input("a/meti.xlsx"),
            input("b/meti.xls"),
            input("b/amed.xlsm"),
            input("c/METI.ods"),
        ];
        let names: Vec<_> = targets(Path::new("out"), &inputs);
        assert_eq!(
            names,
            [
                "out/meti.xlsx",
                "out/meti (2).xlsx",
                "out/amed.xlsm",
                "out/METI (3).xlsx"
            ]
            .map(PathBuf::from)
        );
    }

    #[test]
    fn copies_go_nowhere_a_run_reads() {
        let dir = tempfile::tempdir().unwrap();
        let given = dir.path().join("input");
        std::fs::create_dir(&given).unwrap();
        let inputs = [Input {
            path: given.join("meti.xlsx"),
            shown: "meti.xlsx".into(),
        }];
        std::fs::write(&inputs[0].path, "").unwrap();
        let paths = [given.clone()];
        assert!(check_destination(&given, &paths, &inputs).is_err());
        assert!(check_destination(&given.join("marked"), &paths, &inputs).is_err());
        assert!(check_destination(&given.join("../marked"), &paths, &inputs).is_ok());
        // A file given by name: the copy may not land on it.
        let files = [inputs[0].path.clone()];
        assert!(check_destination(&given, &files, &inputs).is_err());
        assert!(check_destination(&dir.path().join("marked"), &files, &inputs).is_ok());
    }
}
