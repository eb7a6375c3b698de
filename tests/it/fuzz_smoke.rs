//! The fuzz harnesses (`ferret::fuzzing`) on stable, as part of `cargo test`: each runs over its
//! committed seed corpus (`fuzz/corpus/<target>/`) plus a fixed number of deterministic mutations
//! of it, so CI catches a parser regression without a nightly toolchain. Bounded by count, not
//! time, so a run is the same everywhere. The real fuzzing is `cargo +nightly fuzz run` (see
//! fuzz/README.md).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use ferret::fuzzing::{Harness, TARGETS};

/// A xorshift64 generator: deterministic, seeded per target.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Bytes that make parsers take their edge cases: quotes, braces, separators, escapes, magic.
const INTERESTING: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\"",
    b"{",
    b"}",
    b"{secret}",
    b"|url_path}",
    b"=",
    b",",
    b"\r",
    b"\n",
    b"\x1b[",
    b"\x1b]",
    b"\x1b[8mha:",
    b"section_start:1:",
    b"##[",
    b"../",
    b"!",
    b"\x1f\x8b",
    b"PK\x03\x04",
    b"ustar\x00",
    b".wh.",
    b"sha256:",
    b"\"manifests\":[",
    b"'''",
    b"[[rule]]",
];

/// One mutant of `input`: 1 to 4 of flips, overwrites, inserts, deletions, duplications,
/// truncations and splices with `other`.
fn mutate(rng: &mut XorShift, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut data = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = data.len();
        match rng.below(7) {
            0 if len > 0 => {
                let at = rng.below(len);
                data[at] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let at = rng.below(len);
                data[at] = rng.next() as u8;
            }
            2 => {
                let at = rng.below(len + 1);
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                data.splice(at..at, piece.iter().copied());
            }
            3 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(16)).min(len);
                data.drain(at..end);
            }
            4 if len > 0 => {
                let at = rng.below(len);
                let end = (at + 1 + rng.below(64)).min(len);
                let copy = data[at..end].to_vec();
                let to = rng.below(len + 1);
                data.splice(to..to, copy);
            }
            5 => data.truncate(rng.below(len + 1)),
            _ if !other.is_empty() => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len());
                data.truncate(cut);
                data.extend_from_slice(&other[from..]);
            }
            _ => {}
        }
    }
    data
}

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target)
}

fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(target);
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(!seeds.is_empty(), "{} has no seeds", dir.display());
    seeds
}

/// Runs `input` through `harness`; a panic names the input and keeps a copy for reproduction.
fn run_one(target: &str, harness: Harness, label: &str, input: &[u8]) -> usize {
    let outcome = catch_unwind(AssertUnwindSafe(|| harness(input)));
    let Ok(seen) = outcome else {
        let keep = std::env::temp_dir().join(format!("ferret-fuzz-{target}-{label}"));
        let _ = std::fs::write(&keep, input);
        panic!(
            "fuzz harness {target} failed on {label}; input saved to {} \
             (reproduce: cargo +nightly fuzz run {target} {})",
            keep.display(),
            keep.display()
        );
    };
    seen
}

/// Every seed, then `mutations` mutants of them, through the harness of `target`.
fn smoke(target: &str, mutations: usize) {
    let harness = TARGETS
        .iter()
        .find(|(name, _)| *name == target)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no harness {target}"));
    let seeds = seeds(target);
    for (name, data) in &seeds {
        let seen = run_one(target, harness, name, data);
        // A seed the parser rejects at the door fuzzes nothing; only a few are meant to.
        let meant_empty = ["empty", "missing", "bomb"]
            .iter()
            .any(|w| name.contains(w));
        assert!(
            seen > 0 || meant_empty,
            "seed {target}/{name} does not get past the parser's entry"
        );
    }
    // FNV-1a of the name: each target gets its own, fixed sequence of mutants.
    let seed = target.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut rng = XorShift(seed);
    for i in 0..mutations {
        let (name, base) = &seeds[i % seeds.len()];
        let other = &seeds[rng.below(seeds.len())].1;
        let mutant = mutate(&mut rng, base, other);
        let _ = run_one(target, harness, &format!("{name}-mutant-{i}"), &mutant);
    }
}

#[test]
fn every_cargo_fuzz_target_has_a_harness_and_seeds() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/fuzz_targets");
    let mut targets: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            path.file_stem().unwrap().to_string_lossy().into_owned()
        })
        .collect();
    targets.sort();
    let harnesses: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(targets, harnesses);
    for target in harnesses {
        assert!(!seeds(target).is_empty());
    }
}

#[test]
fn archive() {
    smoke("archive", 3000);
}

#[test]
fn cilog_normalize() {
    smoke("cilog_normalize", 5000);
}

#[test]
fn detector() {
    smoke("detector", 1500);
}

#[test]
fn image_layer() {
    smoke("image_layer", 1500);
}

#[test]
fn image_manifest() {
    smoke("image_manifest", 3000);
}

#[test]
fn registry_challenge() {
    smoke("registry_challenge", 20000);
}

#[test]
fn report_read() {
    smoke("report_read", 3000);
}

#[test]
fn rule_file() {
    smoke("rule_file", 600);
}

#[test]
fn verify_template() {
    smoke("verify_template", 20000);
}

/// Replays a fuzzer finding kept under `fuzz/regressions/<target>/`.
fn replay(target: &str, name: &str) -> usize {
    let harness = TARGETS
        .iter()
        .find(|(t, _)| *t == target)
        .map(|(_, f)| *f)
        .unwrap_or_else(|| panic!("no harness {target}"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target)
        .join(name);
    let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    run_one(target, harness, name, &data)
}

/// Eight index levels, each listing the next 16 times: within the depth limit, yet 16^8
/// visits (and as many images) before the walker remembered what it visited and capped fan-out;
/// now the walk is cut and named (issue 15 item 5).
#[test]
fn image_index_fan_out_does_not_hang() {
    replay("image_manifest", "index-fan-out.txt");
}

/// A URL template whose scheme was written `https:/` took its second `/` from a `url_path`
/// value, which then named the host (found by a 10-minute libFuzzer run); a value before the
/// template's own `://` is now refused.
#[test]
fn a_path_value_cannot_complete_a_urls_scheme() {
    replay("verify_template", "scheme-completed-by-a-path-value");
}
