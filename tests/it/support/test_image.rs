//! Builds real container images without a Docker engine: `umoci` for layered OCI images,
//! `skopeo` to convert between transports, and hand-written tars (the `tar` crate) for the shapes
//! no tool here writes (Docker's own `docker save` formats, containerd's store, attestations).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

/// A GitHub classic token with a valid checksum, different for every `seed`.
pub fn github_token(seed: &str) -> String {
    const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let hash = Sha256::digest(seed.as_bytes());
    let random: String = hash
        .iter()
        .chain(hash.iter())
        .take(30)
        .map(|b| BASE62[*b as usize % 62] as char)
        .collect();
    let check = ferret::detect::checksum::encode_base62_6(crc32fast::hash(random.as_bytes()));
    format!("ghp_{random}{}", std::str::from_utf8(&check).unwrap())
}

/// Runs a command and panics with its output if it fails.
pub fn run(program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program} (see .ci/setup): {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// An OCI image built layer by layer with umoci, in a temporary directory.
pub struct TestImage {
    dir: tempfile::TempDir,
}

impl TestImage {
    /// An image `img:latest` with no layers yet, unpacked into a bundle for editing.
    pub fn new() -> Self {
        let image = Self {
            dir: tempfile::tempdir().unwrap(),
        };
        run("umoci", &["init", "--layout", &image.s("oci")]);
        run("umoci", &["new", "--image", &image.image_ref()]);
        run(
            "umoci",
            &[
                "unpack",
                "--rootless",
                "--image",
                &image.image_ref(),
                &image.s("bundle"),
            ],
        );
        image
    }

    fn s(&self, rel: &str) -> String {
        self.dir.path().join(rel).display().to_string()
    }

    fn image_ref(&self) -> String {
        format!("{}:img", self.s("oci"))
    }

    /// The OCI layout directory.
    pub fn layout(&self) -> PathBuf {
        self.dir.path().join("oci")
    }

    /// `oci:<layout>:img`, for skopeo.
    pub fn skopeo_ref(&self) -> String {
        format!("oci:{}", self.image_ref())
    }

    /// A path in the image's temporary directory (for converted copies).
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writes a file into the next layer.
    pub fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> &Self {
        let path = self.dir.path().join("bundle/rootfs").join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    /// Deletes a file or directory in the next layer (umoci writes a whiteout).
    pub fn remove(&self, rel: &str) -> &Self {
        let path = self.dir.path().join("bundle/rootfs").join(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(path).unwrap();
        } else {
            std::fs::remove_file(path).unwrap();
        }
        self
    }

    /// Commits the changes so far as a new layer with `created_by` in its history.
    pub fn commit(&self, created_by: &str) -> &Self {
        run(
            "umoci",
            &[
                "repack",
                "--refresh-bundle",
                "--history.created_by",
                created_by,
                "--image",
                &self.image_ref(),
                &self.s("bundle"),
            ],
        );
        self
    }

    /// Changes the config (`--config.env=K=V`, `--config.label=...`, `--config.cmd=...`).
    pub fn config(&self, args: &[&str]) -> &Self {
        let image = self.image_ref();
        let mut all = vec!["config", "--image", &image];
        all.extend_from_slice(args);
        run("umoci", &all);
        self
    }

    /// Copies the image with skopeo to `dest` (`docker-archive:...`, `oci-archive:...`, ...).
    pub fn copy_to(&self, dest: &str, extra: &[&str]) {
        let source = self.skopeo_ref();
        let mut args = vec!["copy", "--quiet"];
        args.extend_from_slice(extra);
        args.push(&source);
        args.push(dest);
        run("skopeo", &args);
    }
}

/// Content addressed blobs plus `index.json`/`manifest.json`, written into a tar by hand: the
/// shapes `docker save` produces (Docker 25+, the containerd store) and attestations.
#[derive(Default)]
pub struct HandTar {
    files: Vec<(String, Vec<u8>)>,
    symlinks: Vec<(String, String)>,
}

impl HandTar {
    /// An empty archive.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a file at `path`.
    pub fn file(&mut self, path: &str, data: impl Into<Vec<u8>>) -> &mut Self {
        self.files.push((path.to_string(), data.into()));
        self
    }

    /// Adds a symlink at `path` pointing at `target`.
    pub fn symlink(&mut self, path: &str, target: &str) -> &mut Self {
        self.symlinks.push((path.to_string(), target.to_string()));
        self
    }

    /// Adds a blob under `blobs/sha256/` and returns its digest.
    pub fn blob(&mut self, data: impl Into<Vec<u8>>) -> String {
        let data = data.into();
        let hex = hex::encode(Sha256::digest(&data));
        self.file(&format!("blobs/sha256/{hex}"), data);
        format!("sha256:{hex}")
    }

    /// Adds a JSON blob; returns its descriptor (`mediaType`, `digest`, `size`).
    pub fn json_blob(&mut self, media_type: &str, value: &serde_json::Value) -> serde_json::Value {
        let bytes = serde_json::to_vec(value).unwrap();
        let size = bytes.len();
        let digest = self.blob(bytes);
        serde_json::json!({"mediaType": media_type, "digest": digest, "size": size})
    }

    /// Writes the archive to `path`.
    pub fn write_to(&self, path: &Path) {
        let mut builder = tar::Builder::new(std::fs::File::create(path).unwrap());
        for (name, data) in &self.files {
            let mut header = tar::Header::new_ustar();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, &data[..]).unwrap();
        }
        for (name, target) in &self.symlinks {
            let mut header = tar::Header::new_ustar();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            header.set_mode(0o777);
            builder.append_link(&mut header, name, target).unwrap();
        }
        builder.finish().unwrap();
    }
}

/// An entry of a hand-written layer.
pub enum LayerEntry<'a> {
    /// A regular file (the name is written as given: `./`, `/` and `../` names are allowed).
    File(&'a str, &'a [u8]),
    /// A directory.
    Dir(&'a str),
    /// A hard link at the first name to the second.
    HardLink(&'a str, &'a str),
    /// A symlink at the first name to the second.
    Symlink(&'a str, &'a str),
}

/// A layer tar (uncompressed) written entry by entry; long names become PAX/GNU extensions.
pub fn layer_tar(entries: &[LayerEntry]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        match entry {
            LayerEntry::File(name, data) => {
                header.set_size(data.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                set_raw_name(&mut builder, &mut header, name);
                header.set_cksum();
                builder.append(&header, *data).unwrap();
            }
            LayerEntry::Dir(name) => {
                header.set_entry_type(tar::EntryType::Directory);
                header.set_size(0);
                set_raw_name(&mut builder, &mut header, name);
                header.set_cksum();
                builder.append(&header, &[][..]).unwrap();
            }
            LayerEntry::HardLink(name, target) => {
                header.set_entry_type(tar::EntryType::Link);
                header.set_size(0);
                builder.append_link(&mut header, name, target).unwrap();
            }
            LayerEntry::Symlink(name, target) => {
                header.set_entry_type(tar::EntryType::Symlink);
                header.set_size(0);
                builder.append_link(&mut header, name, target).unwrap();
            }
        }
    }
    builder.into_inner().unwrap()
}

/// Sets a name verbatim (the tar crate refuses `..` in `set_path`); long names get a PAX record.
fn set_raw_name(builder: &mut tar::Builder<Vec<u8>>, header: &mut tar::Header, name: &str) {
    if name.len() > 99 {
        builder
            .append_pax_extensions([("path", name.as_bytes())])
            .unwrap();
    }
    let short = &name.as_bytes()[..name.len().min(99)];
    let gnu = header.as_gnu_mut().unwrap();
    gnu.name = [0; 100];
    gnu.name[..short.len()].copy_from_slice(short);
}

/// Gzip in several members (as some layer writers produce).
pub fn gzip_multi(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for part in data.chunks(data.len().div_ceil(3).max(1)) {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(part).unwrap();
        out.extend(enc.finish().unwrap());
    }
    out
}

/// Zstd in two frames with a skippable frame in front, as seekable/chunked writers produce.
pub fn zstd_multi(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4];
    let half = data.len() / 2;
    out.extend(zstd::encode_all(&data[..half], 3).unwrap());
    out.extend(zstd::encode_all(&data[half..], 3).unwrap());
    out
}

/// sha256 digest string of `data`.
pub fn digest(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}
