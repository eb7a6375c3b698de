//! One image layer: detect its compression by magic bytes, stream its tar entries into the
//! sink, and record what it deletes or replaces (whiteouts, opaque directories, new files) so
//! that findings in lower layers can be marked "removed in layer N". The layer is identified by
//! what is read: the compressed bytes and the uncompressed tar stream are hashed as they stream
//! and checked against the digests the manifest and the config claim.

use std::collections::HashSet;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;

use super::digest::{Algorithm, DigestingRead};
use crate::pipeline::Finding;
use crate::pipeline::Origin;
use crate::pipeline::{ScanStats, Sink};
use crate::source::archive::{ArchiveLimits, clean_member_name, open_member};

const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// What a layer changes in the layers below it.
#[derive(Debug, Default)]
pub struct LayerChanges {
    /// Paths deleted by `.wh.<name>` entries (a directory's whole subtree).
    whiteouts: HashSet<String>,
    /// Directories whose lower content is hidden by `.wh..wh..opq`.
    opaque_dirs: HashSet<String>,
    /// Non-directory paths this layer writes (they replace a lower file or directory).
    files: HashSet<String>,
}

impl LayerChanges {
    /// Whether this layer deletes or replaces `path` of a lower layer. `path` may name a member of
    /// an archive (`a.jar!x`); the archive's own path decides.
    pub fn removes(&self, path: &str) -> bool {
        let path = path.split('!').next().unwrap_or(path);
        if self.files.contains(path) || self.whiteouts.contains(path) {
            return true;
        }
        let mut end = path.len();
        while let Some(slash) = path[..end].rfind('/') {
            let ancestor = &path[..slash];
            if self.opaque_dirs.contains(ancestor)
                || self.whiteouts.contains(ancestor)
                || self.files.contains(ancestor)
            {
                return true;
            }
            end = slash;
        }
        self.opaque_dirs.contains("")
    }
}

/// What scanning a layer produced.
#[derive(Debug, Default)]
pub struct LayerScan {
    /// Findings, held until the layers above are known. Their origin's path is the file's path.
    pub findings: Vec<Finding>,
    /// What the layer deletes or replaces.
    pub changes: LayerChanges,
    /// Digest of the uncompressed tar stream as read (its true `diff_id`), once read to the end.
    pub diff_id: Option<String>,
}

/// What a manifest and a config claim a layer's bytes hash to.
#[derive(Debug, Clone, Copy, Default)]
pub struct LayerClaims<'a> {
    /// The descriptor digest: the blob as stored or pulled (compressed).
    pub blob_digest: Option<&'a str>,
    /// The config's `rootfs.diff_ids` entry: the uncompressed tar stream.
    pub diff_id: Option<&'a str>,
}

/// Scans the layer read from `blob`. Files get `template` as origin with their path filled in.
/// Anything unreadable is recorded in the sink's errors under `subject`; findings made before
/// stay in the result.
pub fn scan_layer<S: Sink>(
    blob: Box<dyn Read + Send + '_>,
    template: &Origin,
    subject: &str,
    sink: &S,
    limits: &ArchiveLimits,
    state: &mut S::Thread,
) -> LayerScan {
    let context = LayerContext {
        template,
        sink,
        limits,
    };
    scan_layer_checked(blob, LayerClaims::default(), &context, subject, state)
}

/// Where a layer's findings go and how deep its archives are opened.
pub struct LayerContext<'a, S: Sink> {
    /// The origin every file of the layer gets, with its path filled in.
    pub template: &'a Origin,
    /// The sink findings and errors go to.
    pub sink: &'a S,
    /// Limits for archives inside the layer.
    pub limits: &'a ArchiveLimits,
}

/// Scans the layer read from `blob` like [`scan_layer`], and checks that the bytes read hash to
/// what `claims` say. A mismatch is recorded as an error under `subject`; the findings stay.
pub fn scan_layer_checked<S: Sink>(
    blob: Box<dyn Read + Send + '_>,
    claims: LayerClaims,
    context: &LayerContext<'_, S>,
    subject: &str,
    state: &mut S::Thread,
) -> LayerScan {
    let mut scan = LayerScan::default();
    if let Err(err) = read_layer(blob, claims, context, state, &mut scan) {
        context.sink.stats().error(subject, format!("{err:#}"));
    }
    scan
}

/// Streams the layer through both hashes and the tar walk, then compares the digests.
fn read_layer<S: Sink>(
    blob: Box<dyn Read + Send + '_>,
    claims: LayerClaims,
    context: &LayerContext<'_, S>,
    state: &mut S::Thread,
    scan: &mut LayerScan,
) -> Result<()> {
    let algorithm = |claim: Option<&str>| claim.map_or(Ok(Algorithm::Sha256), Algorithm::of);
    let mut compressed = DigestingRead::new(blob, algorithm(claims.blob_digest)?);
    let mut uncompressed = DigestingRead::new(
        decompress(Box::new(&mut compressed))?,
        algorithm(claims.diff_id)?,
    );
    walk_layer(&mut uncompressed, context, state, scan)?;
    // The tar walk stops at the end-of-archive blocks. Reading on to the end hashes every byte
    // and makes the decompressor check its trailers (gzip CRC32 and size, zstd checksums).
    io::copy(&mut uncompressed, &mut io::sink())
        .context("corrupt or truncated layer after its last entry")?;
    let diff_id = uncompressed.finish();
    // Bytes after the compressed stream belong to the blob too.
    io::copy(&mut compressed, &mut io::sink()).context("cannot read the end of the layer")?;
    let blob_digest = compressed.finish();
    scan.diff_id = Some(diff_id.clone());
    let mut mismatches = Vec::new();
    if let Some(claimed) = claims.blob_digest
        && claimed != blob_digest
    {
        mismatches.push(format!(
            "the manifest names the layer {claimed}, but its bytes hash to {blob_digest}"
        ));
    }
    if let Some(claimed) = claims.diff_id
        && claimed != diff_id
    {
        mismatches.push(format!(
            "the config names its uncompressed content (diff_id) {claimed}, but it hashes to \
             {diff_id}"
        ));
    }
    if !mismatches.is_empty() {
        bail!(
            "layer content does not match its digests: {}",
            mismatches.join("; ")
        );
    }
    Ok(())
}

/// Wraps `blob` in the decompressor its first bytes call for.
fn decompress<'a>(blob: Box<dyn Read + Send + 'a>) -> Result<Box<dyn Read + Send + 'a>> {
    let mut buffered = BufReader::with_capacity(256 << 10, blob);
    let head = buffered.fill_buf().context("cannot read the layer")?;
    if head.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(MultiGzDecoder::new(buffered)))
    } else if head.starts_with(&ZSTD_MAGIC) || is_zstd_skippable(head) {
        Ok(Box::new(
            zstd::stream::read::Decoder::with_buffer(buffered)
                .context("cannot start zstd decompression")?,
        ))
    } else if head.starts_with(b"BZh") || head.starts_with(b"\xfd7zXZ\0") {
        bail!("bzip2 and xz layers are not supported")
    } else {
        Ok(Box::new(buffered))
    }
}

/// A zstd skippable frame starts with 0x184D2A50..=0x184D2A5F, little-endian.
fn is_zstd_skippable(head: &[u8]) -> bool {
    head.len() >= 4 && head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18]
}

fn walk_layer<S: Sink>(
    reader: &mut dyn Read,
    context: &LayerContext<'_, S>,
    state: &mut S::Thread,
    scan: &mut LayerScan,
) -> Result<()> {
    let LayerContext {
        template,
        sink,
        limits,
    } = *context;
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().context("not a tar layer")?;
    for entry in entries {
        let mut entry = entry.context("corrupt or truncated layer")?;
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = clean_member_name(&raw_name);
        let (dir, base) = match path.rsplit_once('/') {
            Some((dir, base)) => (dir, base),
            None => ("", path.as_str()),
        };
        if base == OPAQUE_MARKER {
            scan.changes.opaque_dirs.insert(dir.to_string());
            continue;
        }
        if let Some(deleted) = base.strip_prefix(WHITEOUT_PREFIX) {
            // `.wh..wh.*` other than the opaque marker are aufs bookkeeping, not deletions.
            if !deleted.starts_with(WHITEOUT_PREFIX) {
                let deleted = if dir.is_empty() {
                    deleted.to_string()
                } else {
                    format!("{dir}/{deleted}")
                };
                scan.changes.whiteouts.insert(deleted);
            }
            continue;
        }
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        scan.changes.files.insert(path.clone());
        if kind.is_symlink() {
            // Recorded as a change, never followed: its target may lie outside the layer.
            ScanStats::bump(&sink.stats().skipped_symlinks);
            continue;
        }
        // Hard links have no body here; the body was scanned where it is stored (this or a lower
        // layer).
        if !kind.is_file() {
            continue;
        }
        let size = entry.size();
        let mut counted = CountingRead {
            inner: &mut entry,
            count: 0,
        };
        let subject = subject_of(template);
        let mut scan_member =
            |member: &str, size: Option<u64>, reader: &mut dyn Read| -> Result<()> {
                if let Some(size) = size.filter(|&s| s > sink.max_blob_size()) {
                    sink.stats().skip(crate::pipeline::Skip::too_large(
                        format!("{subject} {member}"),
                        Some(size),
                        sink.max_blob_size(),
                    ));
                    return Ok(());
                }
                let origin = Arc::new(with_path(template, member));
                sink.scan_reader_holding(reader, origin, state, &mut scan.findings)
            };
        // Members the archive limits stop are listed like any other skip, not made an error.
        let mut skips = |mut skip: crate::pipeline::Skip| {
            skip.subject = format!("{subject} {}", skip.subject);
            sink.stats().skip(skip)
        };
        let opened = open_member(
            &path,
            Some(size),
            &mut counted,
            0,
            limits,
            &mut scan_member,
            &mut skips,
        );
        if let Err(err) = opened {
            if counted.count < size && is_eof(&err) {
                return Err(err);
            }
            // A bad nested archive is this file's problem, not the layer's: keep going.
            sink.stats().error(
                format!("{} {path}", subject_of(template)),
                format!("{err:#}"),
            );
        }
        // Read whatever the sink left (a binary file stops early) to find a truncated body.
        io::copy(&mut counted, &mut io::sink()).with_context(|| format!("cannot read {path}"))?;
        if counted.count < size {
            bail!(
                "layer is truncated: {path} has {} of {size} bytes",
                counted.count
            );
        }
    }
    Ok(())
}

fn is_eof(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::UnexpectedEof)
    })
}

/// The layer an origin template names, for error subjects.
fn subject_of(template: &Origin) -> String {
    match template {
        Origin::ImageLayer {
            image, layer_index, ..
        } => format!("{image} layer {layer_index}:"),
        other => other.path().to_string(),
    }
}

/// `template` (an image layer origin) with `path` filled in.
fn with_path(template: &Origin, member: &str) -> Origin {
    let mut origin = template.clone();
    if let Origin::ImageLayer { path, .. } = &mut origin {
        *path = member.to_string();
    }
    origin
}

/// Counts the bytes read through it.
struct CountingRead<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for CountingRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(whiteouts: &[&str], opaque: &[&str], files: &[&str]) -> LayerChanges {
        let set = |items: &[&str]| items.iter().map(|s| s.to_string()).collect();
        LayerChanges {
            whiteouts: set(whiteouts),
            opaque_dirs: set(opaque),
            files: set(files),
        }
    }

    #[test]
    fn whiteouts_opaque_dirs_and_replacements_remove() {
        let c = changes(
            &["etc/secret", "var/cache"],
            &["opt/app"],
            &["usr/bin/tool"],
        );
        assert!(c.removes("etc/secret"));
        assert!(c.removes("var/cache/x/y"));
        assert!(c.removes("opt/app/config.yml"));
        assert!(!c.removes("opt/app"));
        assert!(c.removes("usr/bin/tool"));
        assert!(c.removes("usr/bin/tool!inner.txt"));
        assert!(!c.removes("etc/secret2"));
        assert!(!c.removes("etc/other"));
    }

    #[test]
    fn zstd_skippable_frames_are_recognised() {
        assert!(is_zstd_skippable(&[0x5e, 0x2a, 0x4d, 0x18, 0, 0]));
        assert!(!is_zstd_skippable(&[0x28, 0xb5, 0x2f, 0xfd]));
    }
}
