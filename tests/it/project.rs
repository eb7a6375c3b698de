//! The project as a newcomer meets it: licence files, the Rust version it claims.

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
