//! Fuzz harnesses: one function per parser of untrusted input, taking raw bytes, running the
//! parser with tight limits and checking what must hold for every input (besides "never panics,
//! never hangs"). `fuzz/fuzz_targets/*.rs` wrap them for cargo-fuzz on nightly, and the
//! `fuzz_smoke` integration test runs them on stable over the seed corpus, so the harness logic
//! lives here, once. Not part of ferret's API.
//!
//! A violated invariant panics on purpose: that is how a fuzzer learns of it. Each harness
//! returns how much structure it got through (members, images, rules...), so a test can tell a
//! seed that reaches the parser's core from one rejected at the door.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::LazyLock;
use std::sync::atomic::Ordering;

use crossbeam_channel::{Receiver, unbounded};

use crate::detect::Detector;
use crate::detect::examples::check_examples;
use crate::detect::matcher::Match;
use crate::detect::rules::{check_unique_ids, embedded_rules, parse_rule_file};
use crate::filter::Filter;
use crate::pipeline::{Finding, Origin, Sink};
use crate::scan::{Scanner, ThreadState};
use crate::source::archive::{ArchiveKind, ArchiveLimits, scan_archive};
use crate::source::cilog::format::{LogFormat, detect_format};
use crate::source::cilog::normalize::normalize;
use crate::source::image::auth::{parse_params, split_challenge, url_host};
use crate::source::image::layer::scan_layer;
use crate::source::image::manifest::{ImageWalker, MAX_METADATA_SIZE, ManifestSource, Platform};
use crate::source::image::store::{BlobStore, TarStore};
use crate::verify::spec::{
    Place, VerifySpec, expand, host_matches, parse_verify_file, placeholders, split_url,
};

/// Largest input a harness looks at: parsers are linear, so more bytes only slow the fuzzer.
const MAX_INPUT: usize = 256 << 10;
/// Layers are not expansion-limited (a real one may be gigabytes), so a compressed input is kept
/// small enough that the largest possible expansion still scans within the fuzzer's timeout.
const MAX_LAYER_INPUT: usize = 64 << 10;
/// Rule files compile regexes; keep them small so each run stays fast.
const MAX_RULE_FILE: usize = 16 << 10;

/// Archive limits small enough that a bomb trips them within milliseconds.
fn tight_limits() -> ArchiveLimits {
    ArchiveLimits {
        max_depth: 3,
        max_expanded: 1 << 20,
        max_ratio: 50,
        ratio_floor: 64 << 10,
        max_in_memory: 1 << 20,
    }
}

/// The CI-log normaliser, in every format: each normalised byte maps back into the input, to the
/// byte it was copied from (a `\r` turned into a line break maps to that `\r`), on the line and
/// column the map claims, in increasing order; the map's other queries never panic.
pub fn cilog_normalize(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_INPUT)];
    // Line starts of the input, to check the reported line and column independently.
    let mut line_starts = vec![0usize];
    line_starts.extend(memchr::memchr_iter(b'\n', data).map(|i| i + 1));
    let formats = [
        detect_format(data),
        LogFormat::GithubActions,
        LogFormat::GitlabCi,
        LogFormat::CircleCi,
        LogFormat::Jenkins,
        LogFormat::Plain,
    ];
    let mut normalised = 0;
    for format in formats {
        let n = normalize(data, format);
        normalised += n.text.len();
        assert!(
            n.text.len() <= data.len() + 1,
            "{format:?}: normalised text longer than the log"
        );
        let mut previous: Option<usize> = None;
        for (i, &byte) in n.text.iter().enumerate() {
            let p = n.position(i);
            assert!(
                p.offset < data.len(),
                "{format:?}: offset {i} maps past the log"
            );
            let original = data[p.offset];
            assert!(
                original == byte || (byte == b'\n' && original == b'\r'),
                "{format:?}: normalised byte {i} ({byte:#x}) maps to {original:#x} at {}",
                p.offset
            );
            let line = line_starts.partition_point(|&s| s <= p.offset);
            assert_eq!(p.line, line, "{format:?}: wrong line for offset {i}");
            assert_eq!(
                p.column,
                p.offset - line_starts[line - 1] + 1,
                "{format:?}: wrong column for offset {i}"
            );
            assert!(
                previous.is_none_or(|prev| prev < p.offset),
                "{format:?}: normalised byte {i} maps before its predecessor"
            );
            previous = Some(p.offset);
            let _ = n.is_original_line_break(i);
            let _ = n.section_at(i);
        }
        let _ = n.position(n.text.len());
    }
    normalised
}

/// The registry `WWW-Authenticate` challenge parser: it ends, every parameter is a `key=value`
/// of the input (a quoted value holds no quote, a bare value no comma), and the realm's host is
/// extracted without panicking.
pub fn registry_challenge(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_INPUT)];
    let challenge = String::from_utf8_lossy(data);
    let (scheme, params) = split_challenge(&challenge);
    assert!(!scheme.contains(' '), "the scheme {scheme:?} holds a space");
    let pairs = parse_params(params);
    assert!(
        pairs.len() <= params.matches('=').count(),
        "more parameters than '=' signs"
    );
    for (key, value) in &pairs {
        assert!(!key.contains('='), "key {key:?} holds '='");
        assert!(
            params.contains(value.as_str()),
            "value {value:?} is not in the challenge"
        );
        if key == "realm" {
            let _ = url_host(value);
        }
    }
    pairs.len()
}

/// Verifier template expansion. Input: a place letter (`h` host, `u` URL, `H` header, `j` JSON
/// body, `f` form body, anything else raw), a newline, the template, then `name=value` lines.
/// Checked: an expansion that succeeds used a value for every placeholder of the template; a
/// value never moves a URL's literal host, puts a line break in a header or breaks out of a JSON
/// string; errors never contain a value.
pub fn verify_template(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_INPUT)];
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let place = match lines.next().unwrap_or("").as_bytes().first() {
        Some(b'h') => Place::Host,
        Some(b'u') => Place::Url,
        Some(b'H') => Place::Header,
        Some(b'j') => Place::JsonBody,
        Some(b'f') => Place::FormBody,
        _ => Place::Raw,
    };
    let template = lines.next().unwrap_or("");
    let values: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let wanted = placeholders(template);
    let split = split_url(template);
    let _ = host_matches(
        template,
        &["*.example.com".to_string(), template.to_string()],
    );
    match expand(template, &values, place) {
        Ok(out) => {
            for p in &wanted {
                assert!(
                    values.contains_key(&p.name),
                    "{{{}}} expanded without a value",
                    p.name
                );
            }
            if place == Place::Url
                && let Ok((_, host, _)) = split
                && !host.contains('{')
            {
                let expanded = split_url(&out).map(|(_, h, _)| h.to_string());
                assert_eq!(
                    expanded.as_deref(),
                    Ok(host),
                    "a value moved the URL's host"
                );
            }
            if place == Place::Header && !template.contains(['\r', '\n', '\0']) {
                assert!(
                    !out.contains(['\r', '\n', '\0']),
                    "a value put a line break into a header"
                );
            }
            if place == Place::JsonBody && !template.contains(['"', '\\']) {
                let no_controls = !template.chars().any(char::is_control);
                if no_controls {
                    let parsed: Result<String, _> = serde_json::from_str(&format!("\"{out}\""));
                    assert!(parsed.is_ok(), "a value broke out of a JSON string");
                }
            }
        }
        Err(err) => {
            let message = format!("{err:#}");
            for value in values.values() {
                // Long, mixed values cannot occur in ferret's own wording by chance.
                let distinctive = value.len() >= 12
                    && value.bytes().any(|b| b.is_ascii_uppercase())
                    && value.bytes().any(|b| b.is_ascii_digit());
                if distinctive && !template.contains(value.as_str()) {
                    assert!(
                        !message.contains(value.as_str()),
                        "an expansion error shows a value"
                    );
                }
            }
        }
    }
    wanted.len()
}

/// The rule file parser: parse and validate a rule TOML (and the same text as a verify file);
/// whatever compiles has a valid id and `secret` group, and its examples can be checked.
pub fn rule_file(data: &[u8]) -> usize {
    if data.len() > MAX_RULE_FILE {
        return 0;
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let mut parsed = 0;
    if let Ok(specs) = parse_verify_file("fuzz-verify.toml", text) {
        parsed += specs.len();
        for (id, spec) in specs {
            let _ = spec.used_names();
            let _ = spec.check_against_rule(&["secret", "host"]);
            let _ = spec.provider_name(&id);
        }
    }
    let Ok(rules) = parse_rule_file("fuzz.toml", text) else {
        return parsed;
    };
    parsed += rules.len();
    for rule in &rules {
        assert!(
            !rule.id.is_empty()
                && rule
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
            "rule id {:?} accepted",
            rule.id
        );
        // A rule file's rules are compiled when loaded, so an accepted rule has its regexes.
        let compiled = rule
            .compiled()
            .unwrap_or_else(|e| panic!("rule {:?} accepted but does not compile: {e}", rule.id));
        assert!(
            compiled.secret_group < compiled.regex.captures_len(),
            "rule {:?}: secret group out of range",
            rule.id
        );
        if let Some(table) = &rule.verify_table
            && let Ok(spec) = toml::Value::Table((**table).clone()).try_into::<VerifySpec>()
        {
            let names: Vec<&str> = compiled.regex.capture_names().flatten().collect();
            let _ = spec.check_against_rule(&names);
        }
    }
    if check_unique_ids(&rules).is_err() {
        return parsed;
    }
    if let Ok(detector) = Detector::new(rules) {
        let _ = check_examples(&detector, false);
    }
    parsed
}

/// A scanner with the built-in rules, built once; each run drains what the previous one left.
struct FuzzScanner {
    scanner: Scanner,
    findings: Receiver<Finding>,
}

static SCANNER: LazyLock<FuzzScanner> = LazyLock::new(|| {
    let mut rules = embedded_rules().expect("the built-in rules compile");
    crate::verify::Verifiers::attach(&mut rules).expect("the built-in verifiers attach");
    let detector = Detector::new(rules).expect("the built-in rules make a detector");
    let filter = Filter::new(&[]).expect("an empty filter");
    let (tx, rx) = unbounded();
    FuzzScanner {
        scanner: Scanner::new(detector, filter, 1 << 20, tx),
        findings: rx,
    }
});

impl FuzzScanner {
    fn reset(&self) {
        while self.findings.try_recv().is_ok() {}
        self.scanner
            .stats
            .errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

/// The image layer reader: a layer (tar, gzip or zstd) is scanned with tight archive limits;
/// it never panics, every problem becomes a recorded error with a message, and the whiteout
/// bookkeeping answers for every path the layer named.
pub fn image_layer(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_LAYER_INPUT)];
    let fuzz = &*SCANNER;
    fuzz.reset();
    let template = Origin::ImageLayer {
        image: "fuzz".into(),
        image_digest: "sha256:0".into(),
        layer_index: 0,
        layer_digest: "sha256:1".into(),
        diff_id: "sha256:2".into(),
        path: String::new(),
        removed_in_layer: None,
    };
    let mut state = ThreadState::default();
    let blobs_before = fuzz.scanner.stats.blobs.load(Ordering::Relaxed);
    let scan = scan_layer(
        Box::new(data),
        &template,
        "fuzz layer 0",
        &fuzz.scanner,
        &tight_limits(),
        &mut state,
    );
    for finding in &scan.findings {
        let path = finding.origin.path();
        let _ = scan.changes.removes(path);
    }
    let _ = scan.changes.removes("");
    let _ = scan.changes.removes("a/b/c");
    for error in fuzz.scanner.stats.error_list() {
        assert!(!error.message.is_empty(), "an error without a message");
    }
    fuzz.reset();
    let blobs = fuzz.scanner.stats.blobs.load(Ordering::Relaxed) - blobs_before;
    blobs as usize + scan.findings.len()
}

/// Archive recursion: the input as a tar, tar.gz, gzip and zip (first byte picks which), opened
/// with tight limits. Every member handed on has a clean name under the archive and no more bytes
/// than the expansion limit (or the input, for stored members) allows.
pub fn archive(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_INPUT)];
    let Some((&selector, body)) = data.split_first() else {
        return 0;
    };
    let kind = match selector % 4 {
        0 => ArchiveKind::Tar,
        1 => ArchiveKind::TarGz,
        2 => ArchiveKind::Gz,
        _ => ArchiveKind::Zip,
    };
    let limits = tight_limits();
    let most = limits.max_expanded.max(body.len() as u64);
    let mut members = 0usize;
    let mut sink = |path: &str, _size: Option<u64>, reader: &mut dyn Read| -> anyhow::Result<()> {
        assert!(
            path.starts_with("outer.bin!"),
            "member {path:?} escaped its archive"
        );
        // `!` is only a display separator (a member name may hold one), so `/` splits here.
        for component in path.split('/') {
            assert!(component != "..", "member {path:?} keeps a '..'");
        }
        let mut buf = Vec::new();
        reader.take(most + 1).read_to_end(&mut buf)?;
        assert!(
            buf.len() as u64 <= most,
            "member {path:?} expanded past the limit"
        );
        members += 1;
        Ok(())
    };
    let _ = scan_archive(kind, &mut &body[..], "outer.bin", 1, &limits, &mut sink);
    members
}

/// `ManifestSource` over a tar store, as the image source builds for `docker save` tars.
struct TarManifests {
    store: TarStore,
}

impl ManifestSource for TarManifests {
    fn store(&self) -> &dyn BlobStore {
        &self.store
    }
}

/// The manifest/index walker over a tar blob store. Input: a tar (`docker save`, `oci-archive`),
/// or text made of `=== <member name>` lines each followed by that member's content, which is
/// packed into a tar first (so a fuzzer mutates the JSON, not tar headers). The walk ends; every
/// image's config fits the metadata limit; a layer the walk names reads no more bytes than the
/// tar holds.
pub fn image_manifest(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_INPUT)];
    let packed;
    let tar_bytes = if data.starts_with(b"=== ") {
        let Some(bytes) = pack_members(data) else {
            return 0;
        };
        packed = bytes;
        &packed[..]
    } else {
        data
    };
    let Ok(mut file) = tempfile::NamedTempFile::new() else {
        return 0;
    };
    if file
        .write_all(tar_bytes)
        .and_then(|()| file.flush())
        .is_err()
    {
        return 0;
    }
    let Ok(store) = TarStore::open(file.path()) else {
        return 0;
    };
    let source = TarManifests { store };
    let platform: Platform = "linux/amd64".parse().expect("a valid platform");
    let mut walks = vec![
        ImageWalker::new(&source, "fuzz", None).walk_layout(),
        ImageWalker::new(&source, "fuzz", Some(&platform)).walk_layout(),
    ];
    if let Ok(root) = source.store.read_small(
        &crate::source::image::store::BlobKey::Path("index.json".into()),
        MAX_METADATA_SIZE,
    ) {
        walks.push(ImageWalker::new(&source, "fuzz", None).walk_root(&root, "sha256:root"));
    }
    let mut found = 0;
    for images in walks.into_iter().flatten() {
        found += images.len();
        for image in images {
            assert!(
                image.config.len() as u64 <= MAX_METADATA_SIZE,
                "config over the metadata limit"
            );
            for layer in &image.layers {
                let Ok(blob) = source.store.open(&layer.key) else {
                    continue;
                };
                let mut read = 0u64;
                let mut limited = blob.take(tar_bytes.len() as u64 + 1);
                let mut buf = [0u8; 8192];
                while let Ok(n) = limited.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    read += n as u64;
                }
                assert!(
                    read <= tar_bytes.len() as u64,
                    "layer {} reads past the tar",
                    layer.key.as_str()
                );
            }
        }
    }
    found
}

/// Packs `=== name` sections into a tar; `None` when a name cannot be stored.
fn pack_members(data: &[u8]) -> Option<Vec<u8>> {
    let mut builder = tar::Builder::new(Vec::new());
    let text = data.strip_prefix(b"=== ")?;
    for section in memchr::memmem::find_iter(text, b"\n=== ")
        .chain(std::iter::once(text.len()))
        .scan(0usize, |start, end| {
            let section = &text[*start..end];
            *start = (end + 5).min(text.len());
            Some(section)
        })
    {
        let (name, body) = match memchr::memchr(b'\n', section) {
            Some(nl) => (&section[..nl], &section[nl + 1..]),
            None => (section, &[][..]),
        };
        let name = String::from_utf8_lossy(name);
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        builder.append_data(&mut header, name.trim(), body).ok()?;
    }
    builder.into_inner().ok()
}

/// The whole detector on one file: the input's first line is the file's path (so credential-store
/// readers are chosen by name, as in a scan), the rest its content. Every match lies inside the
/// content on the line it claims; the cached search used for histories finds exactly what the
/// plain one finds, on a cold cache and again on a warm one; every finding reported from the
/// matches has a line within the file.
pub fn detector(data: &[u8]) -> usize {
    let data = &data[..data.len().min(MAX_INPUT)];
    let (path, content) = match memchr::memchr(b'\n', data) {
        Some(nl) if nl <= 256 => (
            String::from_utf8_lossy(&data[..nl]).into_owned(),
            &data[nl + 1..],
        ),
        _ => ("fuzz.txt".to_string(), data),
    };
    let fuzz = &*SCANNER;
    fuzz.reset();
    let scanner = &fuzz.scanner;
    let mut state = ThreadState::default();
    let plain: Vec<Match> = scanner.find_matches_at(content, &path, &mut state).to_vec();
    let lines = 1 + memchr::memchr_iter(b'\n', content).count();
    for m in &plain {
        assert!(
            m.start <= m.end && m.end <= content.len(),
            "match {}..{} outside the {} bytes",
            m.start,
            m.end,
            content.len()
        );
        assert!(
            (1..=lines).contains(&m.line) && m.line <= m.end_line && m.end_line <= lines,
            "match on lines {}..{} of {lines}",
            m.line,
            m.end_line
        );
        let line_start = content[..m.start]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = 1 + memchr::memchr_iter(b'\n', &content[..m.start]).count();
        assert_eq!(
            m.line, line,
            "match at byte {} claims line {}",
            m.start, m.line
        );
        assert!(m.column >= 1 && m.column <= m.start - line_start + 1);
    }
    // The history path: detect cached, without the credential-file readers (a history adds them
    // per path afterwards), against the plain search without them.
    let bare: Vec<Match> = scanner.find_matches(content, &mut state).to_vec();
    let cache = scanner.new_memory();
    for round in ["cold", "warm"] {
        let cached = scanner
            .find_matches_remembering(content, &mut state, &cache)
            .to_vec();
        assert_eq!(
            summary(&bare),
            summary(&cached),
            "the {round} cached search differs from the plain one"
        );
    }
    let origin = std::sync::Arc::new(Origin::File {
        root: "".into(),
        path: path.clone(),
    });
    scanner.scan_blob(content, &origin, &mut state);
    let mut findings = 0;
    while let Ok(finding) = fuzz.findings.try_recv() {
        findings += 1;
        assert!(
            (1..=lines).contains(&finding.line),
            "finding on line {} of {lines}",
            finding.line
        );
    }
    plain.len() + findings
}

/// What a match says, for comparing two searches.
fn summary(matches: &[Match]) -> Vec<(usize, usize, usize, Vec<u8>)> {
    let mut s: Vec<_> = matches
        .iter()
        .map(|m| (m.rule, m.start, m.end, m.secret.clone()))
        .collect();
    s.sort();
    s
}

/// A harness: bytes in, how much structure the parser got through out.
pub type Harness = fn(&[u8]) -> usize;

/// Reports read back (`report merge`, `recheck`): json, json-report, jsonl and SARIF. What is
/// read holds only ferret fingerprints, planning its recheck touches nothing on disk, and the
/// recheck's text record of it puts no control character on a terminal, whatever the report says.
pub fn report_read(data: &[u8]) -> usize {
    use crate::recheck::locate::Absence;
    use crate::recheck::outcome::{Evidence, decide};
    use crate::recheck::record::{RecordHeader, write_text};
    let Some(text) = (data.len() <= MAX_INPUT)
        .then(|| std::str::from_utf8(data).ok())
        .flatten()
    else {
        return 0;
    };
    let Ok(report) = crate::report::read::read_report("fuzz.json", text) else {
        return 0;
    };
    assert!(
        report
            .findings
            .iter()
            .all(|f| crate::fingerprint::is_current(&f.fingerprint)),
        "a foreign fingerprint was read"
    );
    let plan = crate::recheck::plan::plan(report.findings.iter().map(|f| &*f.origin));
    let planned: usize = plan.targets.iter().map(|(_, found)| found.len()).sum();
    assert_eq!(planned + plan.unreadable.len(), report.findings.len());
    let absence = Absence::Unknown("fuzzed".into());
    let evidence = Evidence {
        here: None,
        elsewhere: None,
        absence: Some(&absence),
    };
    let rechecked: Vec<_> = report
        .findings
        .iter()
        .map(|f| decide(f, &evidence))
        .collect();
    let header = RecordHeader {
        report: "fuzz.json",
        report_sha256: "",
        checked_at: "2026-01-01T00:00:00Z",
    };
    let mut out = Vec::new();
    write_text(&mut out, &header, &rechecked).expect("writing to memory succeeds");
    let shown = String::from_utf8_lossy(&out);
    assert!(
        !shown.chars().any(|c| c.is_control() && c != '\n'),
        "a control character reached the text record: {shown:?}"
    );
    report.findings.len() + report.skips.len() + report.errors.len()
}

/// Every harness by the name of its cargo-fuzz target and seed-corpus directory.
pub const TARGETS: &[(&str, Harness)] = &[
    ("archive", archive),
    ("cilog_normalize", cilog_normalize),
    ("detector", detector),
    ("image_layer", image_layer),
    ("image_manifest", image_manifest),
    ("registry_challenge", registry_challenge),
    ("report_read", report_read),
    ("rule_file", rule_file),
    ("verify_template", verify_template),
];
