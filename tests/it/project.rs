//! The project as a newcomer meets it: licence files, the Rust version it claims, one TLS stack.

use std::path::Path;
use std::process::Command;

fn project_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// `1.89` or `1.89.0` as comparable numbers.
fn version(text: &str) -> (u64, u64, u64) {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().unwrap_or(0));
    (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    )
}

#[test]
fn licence_files_match_the_manifest() {
    let manifest = project_file("Cargo.toml");
    assert!(manifest.contains("license = \"MIT OR Apache-2.0\""));
    assert!(project_file("LICENSE-MIT").contains("Permission is hereby granted"));
    assert!(project_file("LICENSE-APACHE").contains("Apache License"));
}

#[test]
fn rust_version_is_the_one_the_readme_claims_and_no_dependency_needs_more() {
    let metadata = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(metadata.status.success(), "{metadata:?}");
    let doc: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let packages = doc["packages"].as_array().unwrap();
    let ours = packages
        .iter()
        .find(|p| p["name"] == "ferret")
        .and_then(|p| p["rust_version"].as_str())
        .expect("Cargo.toml sets rust-version");
    let readme = project_file("README.md");
    assert!(
        readme.contains(&format!("a Rust toolchain ({ours} or newer)")),
        "the README names rust-version {ours}"
    );
    let too_new: Vec<String> = packages
        .iter()
        .filter_map(|p| {
            let needs = p["rust_version"].as_str()?;
            (version(needs) > version(ours))
                .then(|| format!("{} {} needs {needs}", p["name"], p["version"]))
        })
        .collect();
    assert!(
        too_new.is_empty(),
        "rust-version {ours} is too old for: {too_new:?}"
    );
}

/// Crates of which ferret may compile one version only: the one TLS stack (rustls, its
/// certificate checks and tokio glue) and its one crypto provider (aws-lc-rs).
const TLS_STACK: &[&str] = &[
    "rustls",
    "rustls-webpki",
    "tokio-rustls",
    "aws-lc-rs",
    "aws-lc-sys",
];

/// Crates that would be a second TLS stack or a second crypto provider beside it: `ring` and the
/// old `webpki` came with the previous MySQL client, the rest with native-tls style clients.
const SECOND_TLS_STACK: &[&str] = &[
    "ring",
    "webpki",
    "openssl",
    "openssl-sys",
    "native-tls",
    "boring",
    "boring-sys",
];

#[test]
fn one_tls_stack_is_compiled_in() {
    let tree = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["tree", "-e", "normal,build", "--locked", "--offline"])
        .args(["--prefix", "none", "--format", "{p}"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(tree.status.success(), "{tree:?}");
    let mut versions: std::collections::BTreeMap<String, std::collections::BTreeSet<String>> =
        Default::default();
    for line in String::from_utf8(tree.stdout).unwrap().lines() {
        let mut words = line.split_whitespace();
        if let (Some(name), Some(version)) = (words.next(), words.next()) {
            versions
                .entry(name.to_string())
                .or_default()
                .insert(version.to_string());
        }
    }
    for name in TLS_STACK {
        let found = versions.get(*name).map(|v| v.len()).unwrap_or(0);
        assert_eq!(found, 1, "{name}: {:?}", versions.get(*name));
    }
    assert!(
        versions["rustls"].iter().all(|v| v.starts_with("v0.23.")),
        "{:?}",
        versions["rustls"]
    );
    let second: Vec<_> = SECOND_TLS_STACK
        .iter()
        .filter_map(|name| Some((name, versions.get(*name)?)))
        .collect();
    assert!(second.is_empty(), "a second TLS stack: {second:?}");
}
