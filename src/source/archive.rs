//! Archives found inside scanned files (`.tar`, `.tar.gz`, `.tgz`, `.gz`, `.zip`, `.jar`), opened
//! recursively with limits on depth, size and expansion ratio so that a decompression bomb is
//! reported, not obeyed. Members are streamed to a caller-supplied sink; nothing is written to disk.

use std::io::{self, Cursor, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use flate2::read::MultiGzDecoder;

use crate::pipeline::{Skip, SkipReason};

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

/// Receives each member or archive that was not scanned fully.
pub type SkipSink<'a> = dyn FnMut(Skip) + 'a;

/// Opens the archive `path` of `kind` read from `reader` and hands every member to `sink`,
/// recursing into archives within it up to `limits.max_depth`. Anything not scanned fully (a
/// bomb, an archive past the depth limit, a corrupt member) is reported as one error naming each,
/// after the rest of the archive was scanned. Sources that can list skips use [`open_archive`].
pub fn scan_archive(
    kind: ArchiveKind,
    reader: &mut dyn Read,
    path: &str,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
) -> Result<()> {
    let mut skipped = Vec::new();
    open_archive(kind, reader, path, depth, limits, sink, &mut |s| {
        skipped.push(s)
    })?;
    skips_as_error(&skipped)
}

/// Hands one member to `sink`, or opens it when it is itself an archive and depth allows; like
/// [`scan_archive`], skips become one error. Sources that can list skips use [`open_member`].
pub fn scan_member(
    path: &str,
    size: Option<u64>,
    reader: &mut dyn Read,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
) -> Result<()> {
    let mut skipped = Vec::new();
    open_member(path, size, reader, depth, limits, sink, &mut |s| {
        skipped.push(s)
    })?;
    skips_as_error(&skipped)
}

/// For callers without a skip channel: what was skipped, as one error.
fn skips_as_error(skipped: &[Skip]) -> Result<()> {
    if skipped.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = skipped
        .iter()
        .map(|s| format!("{}: {}", s.subject, s.detail))
        .collect();
    bail!("not scanned fully: {}", list.join("; "))
}

/// Opens the archive `path` of `kind` read from `reader` and hands every member to `sink`,
/// recursing into archives within it up to `limits.max_depth`. `depth` is how deep `path` already
/// is (1 for an archive found directly in a scanned tree). A member that cannot be scanned fully
/// (a bomb, an archive past the depth limit, a corrupt nested archive) goes to `skips` and the
/// rest of the archive is still scanned; a corrupt or truncated archive is itself a skip, after
/// the members before the damage. An error is returned only when `sink` fails for a member.
pub fn open_archive(
    kind: ArchiveKind,
    reader: &mut dyn Read,
    path: &str,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
    skips: &mut SkipSink<'_>,
) -> Result<()> {
    let result = match kind {
        ArchiveKind::Tar => scan_tar(reader, path, depth, limits, sink, skips),
        ArchiveKind::TarGz => {
            let mut guarded = BombGuard::gunzip(reader, limits);
            let result = scan_tar(&mut guarded, path, depth, limits, sink, skips);
            if let Some(limit) = guarded.tripped.take() {
                skips(Skip::new(path, SkipReason::DecompressionLimit, limit));
                return Ok(());
            }
            match result {
                Err(ArchiveError::Sink(err)) if guarded.read_failed => {
                    Err(ArchiveError::Damaged(err))
                }
                other => other,
            }
        }
        ArchiveKind::Gz => {
            let mut guarded = BombGuard::gunzip(reader, limits);
            let inner = path
                .rsplit_once('!')
                .map_or(path, |(_, last)| last)
                .trim_end_matches(".gz")
                .trim_end_matches(".GZ");
            let inner_path = format!("{path}!{}", base_name(inner));
            let result = open_member(&inner_path, None, &mut guarded, depth, limits, sink, skips);
            if let Some(limit) = guarded.tripped.take() {
                skips(Skip::new(inner_path, SkipReason::DecompressionLimit, limit));
                return Ok(());
            }
            match result {
                // The decoder failed, not the sink: a corrupt or truncated gzip stream.
                Err(err) if guarded.read_failed => {
                    skips(Skip::new(path, SkipReason::Unsupported, format!("{err:#}")));
                    return Ok(());
                }
                other => return other,
            }
        }
        ArchiveKind::Zip => scan_zip(reader, path, depth, limits, sink, skips),
    };
    match result {
        Err(ArchiveError::Damaged(err)) => {
            skips(Skip::new(path, SkipReason::Unsupported, format!("{err:#}")));
            Ok(())
        }
        Err(ArchiveError::Sink(err)) => Err(err),
        Ok(()) => Ok(()),
    }
}

/// Hands one member to `sink`, or opens it when it is itself an archive and depth allows. A file
/// named like an archive that does not start like one (a test fixture, a text file called
/// `notes.gz`) is handed to `sink` as it is: its bytes are scanned, not reported unreadable. An
/// archive at the depth limit is reported to `skips` and its bytes handed to `sink` as they are
/// (an uncompressed tar still shows its members' text).
pub fn open_member(
    path: &str,
    size: Option<u64>,
    reader: &mut dyn Read,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
    skips: &mut SkipSink<'_>,
) -> Result<()> {
    let Some(kind) = archive_kind(path) else {
        return sink(path, size, reader);
    };
    let mut head = [0u8; 512];
    let len = read_head(reader, &mut head[..kind.magic_len()])
        .with_context(|| format!("{path}: cannot read"))?;
    let mut whole = (&head[..len]).chain(reader);
    if !kind.starts_like(&head[..len]) {
        return sink(path, size, &mut whole);
    }
    if depth >= limits.max_depth {
        skips(
            Skip::new(
                path,
                SkipReason::ArchiveDepth,
                format!(
                    "archive nested {} deep, past the limit of {}: not opened",
                    depth + 1,
                    limits.max_depth
                ),
            )
            .with_size(size),
        );
        return sink(path, size, &mut whole);
    }
    open_archive(kind, &mut whole, path, depth + 1, limits, sink, skips)
}

/// Why opening an archive stopped: the archive itself is damaged (a skip), or the sink failed.
enum ArchiveError {
    Damaged(anyhow::Error),
    Sink(anyhow::Error),
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
    skips: &mut SkipSink<'_>,
) -> Result<(), ArchiveError> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive
        .entries()
        .map_err(|e| ArchiveError::Damaged(anyhow::Error::new(e).context("not a tar archive")))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| {
            ArchiveError::Damaged(anyhow::Error::new(e).context("corrupt or truncated tar"))
        })?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let member = format!("{path}!{}", clean_member_name(&name));
        let size = entry.size();
        // A tar member's body is the archive's own stream: if it cannot be read, neither can the
        // members after it, and the next header read says so.
        open_member(&member, Some(size), &mut entry, depth, limits, sink, skips)
            .map_err(ArchiveError::Sink)?;
    }
    Ok(())
}

fn scan_zip(
    reader: &mut dyn Read,
    path: &str,
    depth: usize,
    limits: &ArchiveLimits,
    sink: &mut MemberSink<'_>,
    skips: &mut SkipSink<'_>,
) -> Result<(), ArchiveError> {
    let mut bytes = Vec::new();
    reader
        .take(limits.max_in_memory + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{path}: cannot read"))
        .map_err(ArchiveError::Sink)?;
    if bytes.len() as u64 > limits.max_in_memory {
        skips(Skip::new(
            path,
            SkipReason::TooLarge,
            format!(
                "zip archive larger than {} bytes (zip is read into memory): not opened",
                limits.max_in_memory
            ),
        ));
        return Ok(());
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ArchiveError::Damaged(anyhow::Error::new(e).context("not a readable zip")))?;
    let mut expanded_total = 0u64;
    for index in 0..zip.len() {
        let mut file = match zip.by_index(index) {
            Ok(file) => file,
            Err(err) => {
                // The central directory names each entry independently: the others stay readable.
                skips(Skip::new(
                    format!("{path}!(entry {index})"),
                    SkipReason::Unsupported,
                    format!("cannot open zip entry: {err}"),
                ));
                continue;
            }
        };
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
        let result = open_member(
            &member,
            Some(declared),
            &mut guarded,
            depth,
            limits,
            sink,
            skips,
        );
        // Drain what the sink left unread so the bomb check sees the whole member.
        let drained = match &result {
            Ok(()) => io::copy(&mut guarded, &mut io::sink()).map(|_| ()),
            Err(_) => Ok(()),
        };
        expanded_total += guarded.output;
        if let Some(limit) = guarded.tripped.take() {
            skips(
                Skip::new(member, SkipReason::DecompressionLimit, limit).with_size(Some(declared)),
            );
            continue;
        }
        // With random access, a member whose compressed data is bad does not spoil the next one.
        if let Some(err) = result
            .err()
            .or_else(|| drained.err().map(anyhow::Error::new))
        {
            skips(
                Skip::new(member, SkipReason::Unsupported, format!("{err:#}"))
                    .with_size(Some(declared)),
            );
        }
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

/// A reader that fails once its output exceeds a size or an expansion-ratio limit, and remembers
/// why it failed so the caller can tell a bomb or a corrupt stream from a failing sink.
struct BombGuard<R> {
    inner: R,
    /// Compressed bytes consumed so far (shared with a counting reader under the decoder).
    input: Arc<AtomicU64>,
    output: u64,
    budget: u64,
    limits: ArchiveLimits,
    /// The limit that stopped the stream, once one has.
    tripped: Option<String>,
    /// Whether the stream underneath (the decoder) failed.
    read_failed: bool,
}

impl<R: Read> BombGuard<R> {
    fn new(inner: R, limits: &ArchiveLimits, budget: u64) -> Self {
        Self {
            inner,
            input: Arc::new(AtomicU64::new(0)),
            output: 0,
            budget,
            limits: *limits,
            tripped: None,
            read_failed: false,
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
        if let Some(limit) = &self.tripped {
            return Err(io::Error::other(limit.clone()));
        }
        let n = self
            .inner
            .read(buf)
            .inspect_err(|_| self.read_failed = true)?;
        self.output += n as u64;
        let input = self.input.load(Ordering::Relaxed).max(1);
        let limit = if self.output > self.budget {
            format!(
                "decompression bomb: expands beyond {} bytes; not opened further",
                self.budget
            )
        } else if self.output > self.limits.ratio_floor
            && self.output / input > self.limits.max_ratio
        {
            format!(
                "decompression bomb: {} bytes expand to over {} (ratio over {}); not opened further",
                input, self.output, self.limits.max_ratio
            )
        } else {
            return Ok(n);
        };
        self.tripped = Some(limit.clone());
        Err(io::Error::other(limit))
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

    type Collected = (Vec<(String, Vec<u8>)>, Vec<Skip>, Result<()>);

    fn collect(kind: ArchiveKind, data: &[u8], limits: &ArchiveLimits) -> Collected {
        let mut seen = Vec::new();
        let mut skipped = Vec::new();
        let result = open_archive(
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
            &mut |skip| skipped.push(skip),
        );
        (seen, skipped, result)
    }

    fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, data) in files {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(data).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    fn reasons(skipped: &[Skip]) -> Vec<(&str, SkipReason)> {
        skipped
            .iter()
            .map(|s| (s.subject.as_str(), s.reason))
            .collect()
    }

    #[test]
    fn nested_tar_in_tgz_in_zip_is_opened() {
        let inner = tar_of(&[("a/secret.txt", b"token")]);
        let tgz = gzip(&tar_of(&[("inner.tar", &inner), ("./plain.txt", b"hello")]));
        let zip = zip_of(&[("lib/bundle.tgz", &tgz)]);
        let (seen, skipped, result) = collect(ArchiveKind::Zip, &zip, &ArchiveLimits::default());
        result.unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
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
    fn a_bomb_is_listed_not_obeyed() {
        let zeros = vec![0u8; 64 << 20];
        let bomb = gzip(&zeros);
        let (_, skipped, result) = collect(ArchiveKind::Gz, &bomb, &ArchiveLimits::default());
        result.unwrap();
        assert_eq!(
            reasons(&skipped),
            [("outer!outer", SkipReason::DecompressionLimit)]
        );
        assert!(
            skipped[0].detail.contains("decompression bomb"),
            "{skipped:?}"
        );
    }

    #[test]
    fn a_bomb_member_is_skipped_and_the_members_around_it_are_scanned() {
        let text_bomb = vec![b'A'; 64 << 20];
        let zip = zip_of(&[
            ("first.txt", b"one"),
            ("bomb.txt", &text_bomb),
            ("last.txt", b"two"),
        ]);
        let (seen, skipped, result) = collect(ArchiveKind::Zip, &zip, &ArchiveLimits::default());
        result.unwrap();
        let paths: Vec<_> = seen.iter().map(|(p, _)| p.as_str()).collect();
        // The bomb's first bytes reach the sink before the limit trips; the rest never do.
        assert_eq!(paths.first(), Some(&"outer!first.txt"));
        assert_eq!(paths.last(), Some(&"outer!last.txt"));
        assert!(seen.iter().all(|(_, b)| b.len() < 64 << 20));
        assert_eq!(
            reasons(&skipped),
            [("outer!bomb.txt", SkipReason::DecompressionLimit)]
        );
        assert_eq!(skipped[0].size, Some(64 << 20));
    }

    #[test]
    fn depth_limit_stops_recursion_and_is_listed() {
        let inner = tar_of(&[("x.txt", b"x")]);
        let outer = tar_of(&[("in.tar", &inner)]);
        let limits = ArchiveLimits {
            max_depth: 1,
            ..ArchiveLimits::default()
        };
        let (seen, skipped, result) = collect(ArchiveKind::Tar, &outer, &limits);
        result.unwrap();
        assert_eq!(seen[0].0, "outer!in.tar");
        assert_eq!(
            reasons(&skipped),
            [("outer!in.tar", SkipReason::ArchiveDepth)]
        );
    }

    #[test]
    fn a_corrupt_nested_archive_is_listed_and_the_next_member_scanned() {
        let mut broken = gzip(&tar_of(&[("x.txt", b"x")]));
        broken.truncate(broken.len() / 2);
        let outer = tar_of(&[("broken.tgz", &broken), ("after.txt", b"after")]);
        let (seen, skipped, result) = collect(ArchiveKind::Tar, &outer, &ArchiveLimits::default());
        result.unwrap();
        assert_eq!(
            reasons(&skipped),
            [("outer!broken.tgz", SkipReason::Unsupported)]
        );
        assert_eq!(
            seen.last().map(|(p, _)| p.as_str()),
            Some("outer!after.txt")
        );
    }

    #[test]
    fn callers_without_a_skip_channel_get_one_error_after_the_whole_archive() {
        let inner = tar_of(&[("x.txt", b"x")]);
        let outer = tar_of(&[("in.tar", &inner), ("after.txt", b"after")]);
        let limits = ArchiveLimits {
            max_depth: 1,
            ..ArchiveLimits::default()
        };
        let mut seen = Vec::new();
        let result = scan_archive(
            ArchiveKind::Tar,
            &mut &outer[..],
            "outer",
            1,
            &limits,
            &mut |path, _, _| {
                seen.push(path.to_string());
                Ok(())
            },
        );
        let message = format!("{:#}", result.unwrap_err());
        assert!(message.contains("outer!in.tar"), "{message}");
        assert_eq!(seen, ["outer!in.tar", "outer!after.txt"]);
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
        let (seen, skipped, result) = collect(ArchiveKind::Tar, &outer, &ArchiveLimits::default());
        result.unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
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
