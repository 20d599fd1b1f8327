//! Replacing a file so that a reader, or a run killed half-way, only ever sees the old file or the
//! new one, never a part of either: the new file is written beside the old one under a temporary
//! name and renamed into place only once it is whole. A staged file that is dropped instead of
//! committed is deleted. The new file gets the old one's permissions, or, where there was none,
//! the usual ones for a new file (the umask's), so that colleagues on a shared drive can open it.

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
        let mut builder = tempfile::Builder::new();
        builder.prefix(".annex-").suffix(".tmp");
        // A temporary file is private by default; this one is to be shared once in place.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temporary = builder.tempfile_in(dir)?;
        if let Ok(existing) = std::fs::metadata(path) {
            temporary
                .as_file()
                .set_permissions(existing.permissions())?;
        }
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

    /// The temporary file emptied, to write the content anew after an attempt that failed.
    pub fn restart(&mut self) -> io::Result<&mut File> {
        use std::io::Seek;
        let file = self.temporary.as_file_mut();
        file.set_len(0)?;
        file.rewind()?;
        Ok(file)
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

    #[cfg(unix)]
    #[test]
    fn a_new_file_has_the_usual_permissions_and_a_replaced_one_keeps_its_own() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("annex.xlsx");
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        // SAFETY: umask only reads and sets this process's file-creation mask.
        let umask = unsafe { libc::umask(0o022) };
        unsafe { libc::umask(umask) };
        write_atomic(&path, b"new").unwrap();
        assert_eq!(mode(&path), 0o666 & !(umask as u32));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, b"newer").unwrap();
        assert_eq!(mode(&path), 0o640);
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
