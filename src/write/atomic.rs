//! Replacing a file so that a reader, or a run killed half-way, only ever sees the old file or the
//! new one, never a part of either: the new file is written beside the old one under a temporary
//! name and renamed into place only once it is whole. A staged file that is dropped instead of
//! committed is deleted.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

/// A file being written beside the one it will replace.
pub struct Staged {
    temporary: NamedTempFile,
    path: PathBuf,
    synced: bool,
}

impl Staged {
    pub fn new(path: &Path) -> io::Result<Staged> {
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        std::fs::create_dir_all(dir)?;
        let temporary = tempfile::Builder::new()
            .prefix(".annex-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        Ok(Staged {
            temporary,
            path: path.to_path_buf(),
            synced: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The temporary file, to write the new content to.
    pub fn file(&mut self) -> &mut File {
        self.temporary.as_file_mut()
    }

    /// Says the content is all written: it is put on disk now, where the writer can wait for it
    /// beside other work, rather than when the file is committed.
    pub fn sync(&mut self) -> io::Result<()> {
        self.temporary.as_file().sync_all()?;
        self.synced = true;
        Ok(())
    }

    /// Puts the file in its place, whole.
    pub fn commit(mut self) -> io::Result<()> {
        if !self.synced {
            self.sync()?;
        }
        self.temporary
            .persist(&self.path)
            .map_err(|error| error.error)?;
        Ok(())
    }
}

pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut staged = Staged::new(path)?;
    staged.file().write_all(bytes)?;
    staged.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_replaced_whole_and_no_temporary_file_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/annex.json");
        write_atomic(&path, b"old").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["annex.json"]);
    }

    #[test]
    fn a_staged_file_dropped_uncommitted_leaves_the_old_one_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("annex.json");
        write_atomic(&path, b"old").unwrap();
        let mut staged = Staged::new(&path).unwrap();
        staged.file().write_all(b"half of the new").unwrap();
        drop(staged);
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
