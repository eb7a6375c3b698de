//! Archives found inside scanned files (`.tar`, `.tar.gz`, `.tgz`, `.gz`, `.zip`, `.jar`), opened
//! recursively with limits on depth, size and expansion ratio so that a decompression bomb is
//! reported, not obeyed. Members are streamed to a caller-supplied sink; nothing is written to disk.

use std::io::{self, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;

/// Limits applied while opening nested archives.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// How many archives deep to open (an archive at the limit is scanned as a plain file).
    pub max_depth: usize,
    /// Bytes one compressed stream may expand to.
    pub max_expanded: u64,
    /// Expansion ratio (output / input) beyond which a stream is a bomb, once past `ratio_floor`.
    pub max_ratio: u64,
    /// Output below which the ratio is not checked (small, highly compressible files are normal).
    pub ratio_floor: u64,
    /// Largest zip or jar read into memory (zip needs random access).
    pub max_in_memory: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        Self {
            max_depth: 4,
            max_expanded: 1 << 30,
            max_ratio: 200,
            ratio_floor: 16 << 20,
            max_in_memory: 256 << 20,
        }
    }
}

/// The archive formats opened recursively.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    /// Uncompressed tar.
    Tar,
    /// Gzip-compressed tar (`.tar.gz`, `.tgz`).
    TarGz,
    /// A single gzip-compressed file.
    Gz,
    /// Zip, including Java archives.
    Zip,
}

/// The archive kind a file name announces, if any.
pub fn archive_kind(name: &str) -> Option<ArchiveKind> {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tar.gz") || lower.ends_with(".tgz") {
        Some(ArchiveKind::TarGz)
    } else if lower.ends_with(".tar") {
        Some(ArchiveKind::Tar)
    } else if lower.ends_with(".gz") {
        Some(ArchiveKind::Gz)
    } else if [".zip", ".jar", ".war", ".ear"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        Some(ArchiveKind::Zip)
    } else {
        None
    }
}

/// Receives each non-archive member: its path (`outer!inner`), its size when known, and its bytes.
pub type MemberSink<'a> = dyn FnMut(&str, Option<u64>, &mut dyn Read) -> Result<()> + 'a;

/// Opens the archive `path` of `kind` read from `reader` and hands every member to `sink`,
/// recursing into archives within it up to `limits.max_depth`. `depth` is how deep `path` already
/// is (1 for an archive found directly in a scanned tree). An error names the member concerned;
/// members handed to `sink` before it stay handed.
pub fn scan_archive(
    kind: ArchiveKind,
    reader: &mut dyn Read,
    path: &str,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
) -> Result<()> {
    match kind {
        ArchiveKind::Tar => scan_tar(reader, path, depth, limits, sink),
        ArchiveKind::TarGz => {
            let mut guarded = BombGuard::gunzip(reader, limits);
            scan_tar(&mut guarded, path, depth, limits, sink)
        }
        ArchiveKind::Gz => {
            let mut guarded = BombGuard::gunzip(reader, limits);
            let inner = path
                .rsplit_once('!')
                .map_or(path, |(_, last)| last)
                .trim_end_matches(".gz")
                .trim_end_matches(".GZ");
            let inner_path = format!("{path}!{}", base_name(inner));
            scan_member(&inner_path, None, &mut guarded, depth, limits, sink)
        }
        ArchiveKind::Zip => scan_zip(reader, path, depth, limits, sink),
    }
}

/// Hands one member to `sink`, or opens it when it is itself an archive and depth allows. A file
/// named like an archive that does not start like one (a test fixture, a text file called
/// `notes.gz`) is handed to `sink` as it is: its bytes are scanned, not reported unreadable.
pub fn scan_member(
    path: &str,
    size: Option<u64>,
    reader: &mut dyn Read,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
) -> Result<()> {
    match archive_kind(path) {
        Some(kind) if depth < limits.max_depth => {
            let mut head = [0u8; 512];
            let len = read_head(reader, &mut head[..kind.magic_len()])
                .with_context(|| format!("{path}: cannot read"))?;
            let mut whole = (&head[..len]).chain(reader);
            if kind.starts_like(&head[..len]) {
                scan_archive(kind, &mut whole, path, depth + 1, limits, sink)
            } else {
                sink(path, size, &mut whole)
            }
        }
        _ => sink(path, size, reader),
    }
}

impl ArchiveKind {
    /// How many leading bytes [`Self::starts_like`] looks at.
    fn magic_len(self) -> usize {
        match self {
            ArchiveKind::Tar => 512,
            ArchiveKind::TarGz | ArchiveKind::Gz => 2,
            ArchiveKind::Zip => 4,
        }
    }

    /// Whether `head` starts like this format: the ustar magic, gzip's `1f 8b`, or a zip local
    /// header (`PK\x03\x04`, or `PK\x05\x06` for an empty archive). A pre-POSIX tar without the
    /// magic is scanned as a plain file, which still shows its members' bytes.
    fn starts_like(self, head: &[u8]) -> bool {
        match self {
            ArchiveKind::Tar => head.get(257..262) == Some(b"ustar"),
            ArchiveKind::TarGz | ArchiveKind::Gz => head.starts_with(&[0x1f, 0x8b]),
            ArchiveKind::Zip => head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06"),
        }
    }
}

/// Fills `buf` as far as the stream allows; returns how many bytes were read.
fn read_head(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

fn scan_tar(
    reader: &mut dyn Read,
    path: &str,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
) -> Result<()> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .with_context(|| format!("{path}: not a tar archive"))?;
    for entry in entries {
        let mut entry = entry.with_context(|| format!("{path}: corrupt or truncated tar"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let member = format!("{path}!{}", clean_member_name(&name));
        let size = entry.size();
        scan_member(&member, Some(size), &mut entry, depth, limits, sink)?;
    }
    Ok(())
}

fn scan_zip(
    reader: &mut dyn Read,
    path: &str,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
) -> Result<()> {
    let mut bytes = Vec::new();
    reader
        .take(limits.max_in_memory + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{path}: cannot read"))?;
    if bytes.len() as u64 > limits.max_in_memory {
        bail!(
            "{path}: zip archive larger than {} bytes, not opened",
            limits.max_in_memory
        );
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).with_context(|| format!("{path}: not a zip"))?;
    let mut expanded_total = 0u64;
    for index in 0..zip.len() {
        let mut file = zip
            .by_index(index)
            .with_context(|| format!("{path}: corrupt zip entry {index}"))?;
        if !file.is_file() {
            continue;
        }
        let name = file
            .name()
            .map(|n| n.into_owned())
            .unwrap_or_else(|_| format!("(entry {index})"));
        let member = format!("{path}!{}", clean_member_name(&name));
        let compressed = file.compressed_size();
        let declared = file.size();
        let budget = limits.max_expanded.saturating_sub(expanded_total);
        let mut guarded = BombGuard::new(&mut file, limits, budget);
        guarded.input.fetch_add(compressed, Ordering::Relaxed);
        scan_member(&member, Some(declared), &mut guarded, depth, limits, sink)?;
        // Drain what the sink left unread so the bomb check sees the whole member.
        io::copy(&mut guarded, &mut io::sink())
            .with_context(|| format!("{member}: cannot read"))?;
        expanded_total += guarded.output;
    }
    Ok(())
}

/// The last component of a slash-separated path.
fn base_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// A member name without `./`, leading slashes or `..` components: names only, never written.
pub fn clean_member_name(name: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            part => parts.push(part),
        }
    }
    parts.join("/")
}

/// A reader that fails once its output exceeds a size or an expansion-ratio limit.
struct BombGuard<R> {
    inner: R,
    /// Compressed bytes consumed so far (shared with a counting reader under the decoder).
    input: Arc<AtomicU64>,
    output: u64,
    budget: u64,
    limits: ArchiveLimits,
}

impl<R: Read> BombGuard<R> {
    fn new(inner: R, limits: &ArchiveLimits, budget: u64) -> Self {
        Self {
            inner,
            input: Arc::new(AtomicU64::new(0)),
            output: 0,
            budget,
            limits: *limits,
        }
    }
}

impl<'a> BombGuard<MultiGzDecoder<CountingReader<&'a mut dyn Read>>> {
    fn gunzip(reader: &'a mut dyn Read, limits: &ArchiveLimits) -> Self {
        let input = Arc::new(AtomicU64::new(0));
        let counting = CountingReader {
            inner: reader,
            count: input.clone(),
        };
        let mut guard = BombGuard::new(MultiGzDecoder::new(counting), limits, limits.max_expanded);
        guard.input = input;
        guard
    }
}

impl<R: Read> Read for BombGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.output += n as u64;
        if self.output > self.budget {
            return Err(io::Error::other(format!(
                "decompression bomb: expands beyond {} bytes; not opened further",
                self.budget
            )));
        }
        let input = self.input.load(Ordering::Relaxed).max(1);
        if self.output > self.limits.ratio_floor && self.output / input > self.limits.max_ratio {
            return Err(io::Error::other(format!(
                "decompression bomb: {} bytes expand to over {} (ratio over {}); not opened further",
                input, self.output, self.limits.max_ratio
            )));
        }
        Ok(n)
    }
}

/// Counts the bytes read through it.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, name, *data).unwrap();
        }
        builder.into_inner().unwrap()
    }

    fn collect(
        kind: ArchiveKind,
        data: &[u8],
        limits: &ArchiveLimits,
    ) -> (Vec<(String, Vec<u8>)>, Result<()>) {
        let mut seen = Vec::new();
        let result = scan_archive(
            kind,
            &mut &data[..],
            "outer",
            1,
            limits,
            &mut |path, _, r| {
                let mut buf = Vec::new();
                r.read_to_end(&mut buf)?;
                seen.push((path.to_string(), buf));
                Ok(())
            },
        );
        (seen, result)
    }

    #[test]
    fn nested_tar_in_tgz_in_zip_is_opened() {
        let inner = tar_of(&[("a/secret.txt", b"token")]);
        let tgz = gzip(&tar_of(&[("inner.tar", &inner), ("./plain.txt", b"hello")]));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("lib/bundle.tgz", zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(&tgz).unwrap();
        let zip = zip.finish().unwrap().into_inner();
        let (seen, result) = collect(ArchiveKind::Zip, &zip, &ArchiveLimits::default());
        result.unwrap();
        let paths: Vec<_> = seen.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            paths,
            [
                "outer!lib/bundle.tgz!inner.tar!a/secret.txt",
                "outer!lib/bundle.tgz!plain.txt"
            ]
        );
        assert_eq!(seen[0].1, b"token");
    }

    #[test]
    fn a_bomb_is_reported_not_obeyed() {
        let zeros = vec![0u8; 64 << 20];
        let bomb = gzip(&zeros);
        let (_, result) = collect(ArchiveKind::Gz, &bomb, &ArchiveLimits::default());
        let message = format!("{:#}", result.unwrap_err());
        assert!(message.contains("decompression bomb"), "{message}");
    }

    #[test]
    fn depth_limit_stops_recursion() {
        let inner = tar_of(&[("x.txt", b"x")]);
        let outer = tar_of(&[("in.tar", &inner)]);
        let limits = ArchiveLimits {
            max_depth: 1,
            ..ArchiveLimits::default()
        };
        let (seen, result) = collect(ArchiveKind::Tar, &outer, &limits);
        result.unwrap();
        assert_eq!(seen[0].0, "outer!in.tar");
    }

    #[test]
    fn files_named_like_archives_but_not_archives_are_scanned_as_they_are() {
        let fake_zip = b"this is not a zip: token".as_slice();
        let fake_gz = b"plain text named .gz".as_slice();
        let real = gzip(b"inside");
        let outer = tar_of(&[
            ("fixtures/invalid.zip", fake_zip),
            ("notes.gz", fake_gz),
            ("empty.tar", b""),
            ("real.gz", &real),
        ]);
        let (seen, result) = collect(ArchiveKind::Tar, &outer, &ArchiveLimits::default());
        result.unwrap();
        let seen: Vec<_> = seen
            .iter()
            .map(|(p, b)| (p.as_str(), b.as_slice()))
            .collect();
        assert_eq!(
            seen,
            [
                ("outer!fixtures/invalid.zip", fake_zip),
                ("outer!notes.gz", fake_gz),
                ("outer!empty.tar", b"".as_slice()),
                ("outer!real.gz!real", b"inside".as_slice()),
            ]
        );
    }

    #[test]
    fn member_names_never_escape() {
        assert_eq!(clean_member_name("../../etc/passwd"), "etc/passwd");
        assert_eq!(clean_member_name("/abs/./x"), "abs/x");
    }
}
