//! Where an image's blobs are read from: an OCI layout directory, a tar (`docker save`,
//! `oci-archive`) or a registry. Every store opens a blob as a stream.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::source::archive::clean_member_name;

/// How a manifest names a blob.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BlobKey {
    /// A content digest such as `sha256:...`.
    Digest(String),
    /// A path inside the archive (`docker save` before Docker 25 names layers by path).
    Path(String),
}

impl BlobKey {
    /// The digest or path, for messages and reports.
    pub fn as_str(&self) -> &str {
        match self {
            BlobKey::Digest(d) | BlobKey::Path(d) => d,
        }
    }

    /// The path of a blob in skopeo's `dir:` layout: the hex digest (sha256) or
    /// `<algorithm>-<hex>`.
    fn skopeo_path(&self) -> Result<String> {
        let path = self.layout_path()?;
        Ok(match (self, path.strip_prefix("blobs/")) {
            (BlobKey::Digest(_), Some(rest)) => match rest.split_once('/') {
                Some(("sha256", hex)) => hex.to_string(),
                Some((algorithm, hex)) => format!("{algorithm}-{hex}"),
                None => rest.to_string(),
            },
            _ => path,
        })
    }

    /// The path of a blob in an OCI layout (`blobs/<algorithm>/<hex>`).
    fn layout_path(&self) -> Result<String> {
        match self {
            BlobKey::Path(p) => Ok(clean_member_name(p)),
            BlobKey::Digest(d) => {
                let Some((algorithm, hex)) = d.split_once(':') else {
                    bail!("malformed digest {d:?}");
                };
                if algorithm.is_empty()
                    || hex.is_empty()
                    || !hex.bytes().all(|b| b.is_ascii_alphanumeric())
                    || !algorithm
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'+')
                {
                    bail!("malformed digest {d:?}");
                }
                Ok(format!("blobs/{algorithm}/{hex}"))
            }
        }
    }
}

/// A source of blobs, shared by the threads scanning layers.
pub trait BlobStore: Send + Sync {
    /// Opens a blob as a stream.
    fn open(&self, key: &BlobKey) -> Result<Box<dyn Read + Send + '_>>;

    /// Whether a file exists at `path` (tars and directories only).
    fn has_path(&self, path: &str) -> bool;

    /// Reads a small blob (a manifest, a config) whole, refusing more than `limit` bytes.
    fn read_small(&self, key: &BlobKey, limit: u64) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.open(key)?
            .take(limit + 1)
            .read_to_end(&mut out)
            .with_context(|| format!("cannot read {}", key.as_str()))?;
        if out.len() as u64 > limit {
            bail!("{} is larger than {limit} bytes", key.as_str());
        }
        Ok(out)
    }
}

/// How a directory names blobs by digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirNaming {
    /// An OCI image layout: `blobs/<algorithm>/<hex>`.
    OciLayout,
    /// skopeo's `dir:` transport: `<hex>` next to `manifest.json` and `version`.
    Skopeo,
}

/// An image directory: an OCI layout or a skopeo `dir:`. Only regular files inside it are read;
/// a symlink (which could lead out of the directory) or a FIFO (which could block forever) is
/// refused with an error naming it.
pub struct DirStore {
    root: PathBuf,
    naming: DirNaming,
}

impl DirStore {
    /// A store reading the OCI layout at `root`.
    pub fn new(root: &Path) -> Self {
        Self::with_naming(root, DirNaming::OciLayout)
    }

    /// A store reading the directory at `root`, whose blobs are named as `naming` says.
    pub fn with_naming(root: &Path, naming: DirNaming) -> Self {
        Self {
            root: root.to_path_buf(),
            naming,
        }
    }

    /// `rel` under the root, if every component is a real directory and the last a regular file.
    fn regular_file(&self, rel: &str) -> Result<PathBuf> {
        let mut path = self.root.clone();
        for part in rel.split('/').filter(|p| !p.is_empty() && *p != ".") {
            path.push(part);
            let meta = std::fs::symlink_metadata(&path)
                .with_context(|| format!("cannot open {}", path.display()))?;
            if meta.file_type().is_symlink() {
                bail!("{} is a symlink: not followed", path.display());
            }
        }
        let meta = std::fs::symlink_metadata(&path)
            .with_context(|| format!("cannot open {}", path.display()))?;
        if !meta.is_file() {
            bail!("{} is not a regular file", path.display());
        }
        Ok(path)
    }
}

impl BlobStore for DirStore {
    fn open(&self, key: &BlobKey) -> Result<Box<dyn Read + Send + '_>> {
        let rel = match self.naming {
            DirNaming::OciLayout => key.layout_path()?,
            DirNaming::Skopeo => key.skopeo_path()?,
        };
        let path = self.regular_file(&rel)?;
        let file = File::open(&path).with_context(|| format!("cannot open {}", path.display()))?;
        Ok(Box::new(file))
    }

    fn has_path(&self, path: &str) -> bool {
        self.regular_file(&clean_member_name(path)).is_ok()
    }
}

/// Where a member's body lies in a tar file.
#[derive(Debug, Clone)]
enum TarMember {
    File {
        offset: u64,
        size: u64,
    },
    /// A symbolic or hard link to another member (some writers store `layer.tar` as a symlink).
    Link(String),
}

/// A tar file (`docker save`, `oci-archive`), indexed once by its headers and then read at offsets.
pub struct TarStore {
    path: PathBuf,
    members: HashMap<String, TarMember>,
}

impl TarStore {
    /// Indexes the tar at `path` (headers only; bodies are skipped by seeking).
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let mut archive = tar::Archive::new(file);
        let mut members = HashMap::new();
        let entries = archive
            .entries_with_seek()
            .with_context(|| format!("{} is not a tar archive", path.display()))?;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("{}: corrupt or truncated tar", path.display()))?;
            let name = clean_member_name(&String::from_utf8_lossy(&entry.path_bytes()));
            let kind = entry.header().entry_type();
            let member = if kind.is_file() {
                TarMember::File {
                    offset: entry.raw_file_position(),
                    size: entry.size(),
                }
            } else if kind.is_symlink() || kind.is_hard_link() {
                let Some(target) = entry.link_name_bytes() else {
                    continue;
                };
                let target = String::from_utf8_lossy(&target).into_owned();
                let resolved = if kind.is_symlink() && !target.starts_with('/') {
                    let dir = name.rsplit_once('/').map_or("", |(dir, _)| dir);
                    clean_member_name(&format!("{dir}/{target}"))
                } else {
                    clean_member_name(&target)
                };
                TarMember::Link(resolved)
            } else {
                continue;
            };
            members.insert(name, member);
        }
        if members.is_empty() {
            bail!("{} is empty or not a tar archive", path.display());
        }
        Ok(Self {
            path: path.to_path_buf(),
            members,
        })
    }

    fn resolve(&self, name: &str) -> Result<(u64, u64)> {
        let mut name = clean_member_name(name);
        // A bounded walk: link cycles end in an error instead of a hang.
        for _ in 0..16 {
            match self.members.get(&name) {
                Some(TarMember::File { offset, size }) => return Ok((*offset, *size)),
                Some(TarMember::Link(target)) => name = target.clone(),
                None => bail!("{} has no member {name}", self.path.display()),
            }
        }
        bail!("{}: too many links resolving {name}", self.path.display())
    }
}

impl BlobStore for TarStore {
    fn open(&self, key: &BlobKey) -> Result<Box<dyn Read + Send + '_>> {
        let (offset, size) = self.resolve(&key.layout_path()?)?;
        let mut file = File::open(&self.path)
            .with_context(|| format!("cannot open {}", self.path.display()))?;
        file.seek(SeekFrom::Start(offset))
            .with_context(|| format!("cannot seek in {}", self.path.display()))?;
        Ok(Box::new(file.take(size)))
    }

    fn has_path(&self, path: &str) -> bool {
        self.resolve(path).is_ok()
    }
}
