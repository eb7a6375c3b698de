//! Files ferret writes (reports, baselines, the verify cache, the git hook): created under an
//! unpredictable temporary name in the destination's directory, readable by the owner only, and
//! renamed over the destination when complete. A symlink planted at the destination is replaced,
//! never followed, and a failed run leaves the old file (or none) rather than half a report.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::sync::Mutex;

use anyhow::{Context, Result};
use tempfile::NamedTempFile;

/// (device, inode) of the temporary files this process is writing: a report written into the
/// tree being scanned must not be scanned itself (it is renamed away before the walk reaches it).
/// Identified by inode, not by name, so a file in the tree that merely looks like one is scanned.
static BEING_WRITTEN: Mutex<Vec<(u64, u64)>> = Mutex::new(Vec::new());

/// Whether the directory entry `name` with inode `ino` is a temporary file this process is writing
/// a report or cache into. The walk knows the inode from the directory listing, before the file may
/// have been renamed away; the name must also be one of ours.
pub fn is_being_written(name: &std::ffi::OsStr, ino: u64) -> bool {
    let name = name.to_string_lossy();
    name.starts_with(".ferret-")
        && name.ends_with(".tmp")
        && BEING_WRITTEN
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|&(_, i)| i == ino)
}

fn note_being_written(file: &std::fs::File) {
    #[cfg(unix)]
    if let Ok(meta) = file.metadata() {
        use std::os::unix::fs::MetadataExt;
        BEING_WRITTEN
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((meta.dev(), meta.ino()));
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// A file being written; it appears at its destination only on [`AtomicFile::commit`].
pub struct AtomicFile {
    target: Target,
    dest: PathBuf,
}

/// Where the bytes go until commit.
enum Target {
    /// A temporary file renamed over the destination on commit.
    Temp(NamedTempFile),
    /// The destination itself, when it is a device, a pipe or a socket (`/dev/null`,
    /// `/dev/stdout`, a FIFO): renaming a file over one would replace the device node, not write
    /// to it. Opened without creating anything, so only an existing special file is written.
    Special(std::fs::File),
}

/// Opens `dest` for writing if it is (or a symlink leads to) an existing special file.
fn open_special(dest: &Path) -> Option<std::fs::File> {
    let is_special = |meta: &std::fs::Metadata| !meta.is_file() && !meta.is_dir();
    if !std::fs::metadata(dest).is_ok_and(|m| is_special(&m)) {
        return None;
    }
    let file = std::fs::OpenOptions::new().write(true).open(dest).ok()?;
    // Checked again on the open file: a regular file swapped in meanwhile goes the atomic way.
    file.metadata()
        .is_ok_and(|m| is_special(&m))
        .then_some(file)
}

impl AtomicFile {
    /// Starts writing `dest`: a new, empty, owner-only (0600) temporary file beside it.
    pub fn create(dest: &Path) -> Result<Self> {
        if let Some(file) = open_special(dest) {
            return Ok(Self {
                target: Target::Special(file),
                dest: dest.to_path_buf(),
            });
        }
        let dir = match dest.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        // tempfile creates with O_EXCL and mode 0600 under a random name: nothing planted in the
        // directory can be opened in its place.
        let tmp = tempfile::Builder::new()
            .prefix(".ferret-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create {}", dest.display()))?;
        note_being_written(tmp.as_file());
        Ok(Self {
            target: Target::Temp(tmp),
            dest: dest.to_path_buf(),
        })
    }

    /// Sets the permission bits the file will have (the default is 0600).
    #[cfg(unix)]
    pub fn set_mode(&self, mode: u32) -> Result<()> {
        use std::os::unix::fs::PermissionsExt;
        let Target::Temp(tmp) = &self.target else {
            // A device or pipe keeps its own permissions.
            return Ok(());
        };
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("cannot set the permissions of {}", self.dest.display()))
    }

    /// Flushes the content to disk and renames it over the destination (a symlink there is
    /// replaced, its target untouched).
    pub fn commit(self) -> Result<()> {
        let dest = self.dest;
        let mut tmp = match self.target {
            Target::Special(mut file) => {
                return file
                    .flush()
                    .with_context(|| format!("cannot write {}", dest.display()));
            }
            Target::Temp(tmp) => tmp,
        };
        tmp.flush()
            .and_then(|()| tmp.as_file().sync_all())
            .with_context(|| format!("cannot write {}", dest.display()))?;
        tmp.persist(&dest)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot write {}", dest.display()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Temp(tmp) => tmp.write(buf),
            Target::Special(file) => file.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Temp(tmp) => tmp.flush(),
            Target::Special(file) => file.flush(),
        }
    }
}

/// Writes `contents` to `path` as an [`AtomicFile`].
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(contents)
        .with_context(|| format!("cannot write {}", path.display()))?;
    file.commit()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn replaces_a_planted_symlink_and_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        let dest = dir.path().join("report.json");
        std::os::unix::fs::symlink(&victim, &dest).unwrap();
        write_atomic(&dest, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
        assert!(!std::fs::symlink_metadata(&dest).unwrap().is_symlink());
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new");
        let mode = std::fs::metadata(&dest).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    /// `--output /dev/null` (or a FIFO, or `/dev/stdout`) writes to the device: renaming a
    /// temporary file over it would replace the device node, which as root breaks the machine.
    #[test]
    fn a_device_or_pipe_is_written_to_not_replaced() {
        // A FIFO stands in for /dev/null here: a broken version must not damage the machine.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        write_atomic(&fifo, b"through the pipe").unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(!std::fs::symlink_metadata(&fifo).unwrap().is_file());
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file is left beside the pipe");
    }
}
