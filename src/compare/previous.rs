//! Last round's master read back: an `annex.json` that `annex build` wrote, in this annex's format
//! (`annex.schema.json` fixes the tag, `annex/1`), by this annex or an older one. Anything else
//! is refused naming the file, and the run stops (exit status 2): a comparison with the wrong
//! file would report every row as changed.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::lang::Text;
use crate::schema::Schemas;

/// Why a file cannot serve as last round's master.
#[derive(Debug, thiserror::Error)]
pub enum PreviousError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not JSON ({detail}); give the annex.json that annex build wrote")]
    NotJson {
        path: PathBuf,
        detail: String,
        /// Where the JSON goes wrong: line and column, 1-based.
        line: usize,
        column: usize,
        /// Whether the file ends before the JSON does (a copy cut short).
        cut_short: bool,
    },
    #[error("{path} is not a master written by annex build: it has no \"format\": \"{expected}\"")]
    NotAMaster { path: PathBuf, expected: String },
    #[error("{path} is a master of format {found}, which this annex does not read (it reads {expected}); use the annex that wrote it, or a newer one")]
    OtherFormat {
        path: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{path} cannot be compared: {}", detail.en)]
    Unusable { path: PathBuf, detail: Text },
}

impl PreviousError {
    pub fn path(&self) -> &Path {
        match self {
            PreviousError::Read { path, .. }
            | PreviousError::NotJson { path, .. }
            | PreviousError::NotAMaster { path, .. }
            | PreviousError::OtherFormat { path, .. }
            | PreviousError::Unusable { path, .. } => path,
        }
    }

    /// What went wrong, in both languages; `io` says an I/O error's kind in Japanese.
    pub fn text(&self, io: fn(&std::io::Error) -> &'static str) -> Text {
        let shown = self.path().display();
        let ja = match self {
            PreviousError::Read { source, .. } => {
                format!("{shown} を読めません（{}）", io(source))
            }
            PreviousError::NotJson {
                line,
                column,
                cut_short,
                ..
            } => {
                let what = match cut_short {
                    true => format!("{line}行{column}文字目でファイルが途中で終わっています"),
                    false => format!("{line}行{column}文字目が JSON の書き方になっていません"),
                };
                format!("{shown} は JSON として読めません（{what}）。annex build が書き出した annex.json を指定してください")
            }
            PreviousError::NotAMaster { expected, .. } => format!(
                "{shown} は annex build が書き出した統合結果ではありません（\"format\": \"{expected}\" がありません）"
            ),
            PreviousError::OtherFormat {
                found, expected, ..
            } => format!(
                "{shown} は形式 {found} の統合結果で、この annex は読めません（読めるのは {expected}）。書き出した annex か、より新しい annex を使ってください"
            ),
            PreviousError::Unusable { detail, .. } => {
                format!("{shown} は比較に使えません（{}）", detail.ja)
            }
        };
        Text::new(self.to_string(), ja)
    }
}

/// Read a master file: JSON, with this annex's format tag and the list of the master's roots.
/// Its nodes are not held to today's schemas, so that a master of an older annex, written before
/// a field was added or tightened, is still read; [`super::Snapshot::of_master`] takes from it
/// what it needs.
pub fn read(path: &Path, schemas: &Schemas) -> Result<Value, PreviousError> {
    let text = std::fs::read_to_string(path).map_err(|source| PreviousError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let master: Value = serde_json::from_str(&text).map_err(|e| PreviousError::NotJson {
        path: path.to_path_buf(),
        detail: e.to_string(),
        line: e.line(),
        column: e.column(),
        cut_short: e.is_eof(),
    })?;
    let expected = &schemas.master_format;
    match master.get("format").and_then(Value::as_str) {
        Some(found) if found == expected => {}
        Some(found) if found.starts_with("annex/") => {
            return Err(PreviousError::OtherFormat {
                path: path.to_path_buf(),
                found: found.to_string(),
                expected: expected.clone(),
            })
        }
        _ => {
            return Err(PreviousError::NotAMaster {
                path: path.to_path_buf(),
                expected: expected.clone(),
            })
        }
    }
    let roots = (schemas.entities.iter()).filter(|e| e.parent.is_none());
    for root in roots {
        if !master.get(&root.plural).is_some_and(Value::is_array) {
            return Err(PreviousError::Unusable {
                path: path.to_path_buf(),
                detail: Text::new(
                    format!("it has no list \"{}\"", root.plural),
                    format!("\"{}\"（{}の一覧）がありません", root.plural, root.sheet),
                ),
            });
        }
    }
    Ok(master)
}

/// The nodes at the end of a path of list names: `["challenges", "sections"]` gives every
/// section of every challenge, in order.
pub fn nodes_at<'a>(master: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    path.iter().fold(vec![master], |level, key| {
        level
            .into_iter()
            .flat_map(|node| {
                node.get(*key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::tests::schemas;

    fn read_text(text: &str) -> Result<Value, PreviousError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("annex.json");
        std::fs::write(&path, text).unwrap();
        read(&path, schemas())
    }

    #[test]
    fn only_a_master_of_this_format_is_read() {
        assert!(read_text(r#"{"format": "annex/1", "challenges": []}"#).is_ok());
        assert!(matches!(
            read_text(r#"{"format": "annex/2", "challenges": []}"#),
            Err(PreviousError::OtherFormat { found, .. }) if found == "annex/2"
        ));
        assert!(matches!(
            read_text(r#"{"files": 6, "diagnostics": []}"#),
            Err(PreviousError::NotAMaster { .. })
        ));
        assert!(matches!(
            read_text("{\"format\": "),
            Err(PreviousError::NotJson { .. })
        ));
        assert!(matches!(
            read_text(r#"{"format": "annex/1", "challenges": {}}"#),
            Err(PreviousError::Unusable { .. })
        ));
    }
}
