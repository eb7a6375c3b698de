//! Prebuilt binaries: the release workflow, the names of what it publishes, and the size of the
//! binary the release profile makes.

use std::path::Path;
use std::process::Command;

fn project_file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The targets a release must cover: Linux (static), macOS on both architectures, Windows.
const TARGETS: &[&str] = &[
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
];

/// The `target:` values of the workflow's build matrix.
fn matrix_targets(workflow: &str) -> Vec<String> {
    workflow
        .lines()
        .filter_map(|line| line.trim().strip_prefix("- { target: "))
        .filter_map(|rest| rest.split(',').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_release_workflow_builds_every_target_and_passes_actionlint() {
    let workflow = project_file(".github/workflows/release.yml");
    assert_eq!(matrix_targets(&workflow), TARGETS);
    assert!(
        workflow.contains("sha256sum -- * > SHA256SUMS"),
        "checksums are published"
    );
    // Each build job also packages its binary as the ferret-scanner wheel, from pypi/, for the
    // same target; the wheels go to PyPI only after the GitHub release is published.
    assert!(
        workflow.contains("cd pypi\n")
            && workflow
                .contains("maturin build --release --locked --target \"${{ matrix.target }}\""),
        "wheels are built per target"
    );
    let pypi = workflow.split("\n  pypi:\n").nth(1).expect("a pypi job");
    assert!(
        pypi.contains("needs: publish") && pypi.contains("maturin upload"),
        "{pypi}"
    );

    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(repo.path().join(".github/workflows")).unwrap();
    let lint = |text: &str| {
        std::fs::write(repo.path().join(".github/workflows/release.yml"), text).unwrap();
        Command::new("actionlint")
            .current_dir(repo.path())
            .arg("-color=false")
            .output()
            .expect("actionlint is installed (.ci/setup does it)")
    };
    assert!(
        Command::new("git")
            .current_dir(repo.path())
            .args(["init", "-q"])
            .status()
            .unwrap()
            .success()
    );
    let good = lint(&workflow);
    let bad = lint(&workflow.replace("runs-on: ${{ matrix.os }}", "runs-on: ${{ matrix.oss }}"));
    assert_linter_passes_and_catches("actionlint", &good, &bad, "an unknown matrix key");
}

/// `good` is a linter's run on the real file and `bad` its run on the file with `mistake` put
/// in: the first must pass and the second fail, so that the first check can fail.
fn assert_linter_passes_and_catches(
    linter: &str,
    good: &std::process::Output,
    bad: &std::process::Output,
    mistake: &str,
) {
    assert!(
        good.status.success(),
        "{linter}:\n{}{}",
        String::from_utf8_lossy(&good.stdout),
        String::from_utf8_lossy(&good.stderr)
    );
    assert!(!bad.status.success(), "{linter} accepts {mistake}");
}

/// `cargo binstall` finds the asset the workflow uploads for each target, and the binary inside it.
#[test]
fn binstall_metadata_names_the_published_assets() {
    let manifest: toml::Table = project_file("Cargo.toml").parse().unwrap();
    let package = manifest["package"].as_table().unwrap();
    let version = package["version"].as_str().unwrap();
    let repo = package["repository"].as_str().unwrap();
    let binstall = package["metadata"]["binstall"].as_table().unwrap();
    let workflow = project_file(".github/workflows/release.yml");
    for target in TARGETS {
        let overrides = binstall
            .get("overrides")
            .and_then(|o| o.get(*target))
            .and_then(|o| o.as_table());
        let format = overrides
            .and_then(|o| o.get("pkg-fmt"))
            .or_else(|| binstall.get("pkg-fmt"))
            .and_then(|f| f.as_str())
            .unwrap();
        let (suffix, binary_ext) = match format {
            "tgz" => (".tar.gz", ""),
            "zip" => (".zip", ".exe"),
            other => panic!("unexpected pkg-fmt {other}"),
        };
        assert_eq!(format == "zip", target.contains("windows"), "{target}");
        let render = |template: &str| {
            template
                .replace("{ repo }", repo)
                .replace("{ version }", version)
                .replace("{ target }", target)
                .replace("{ archive-suffix }", suffix)
                .replace("{ bin }", "ferret")
                .replace("{ binary-ext }", binary_ext)
        };
        let url = render(binstall["pkg-url"].as_str().unwrap());
        assert_eq!(
            url,
            format!("{repo}/releases/download/v{version}/ferret-{target}{suffix}")
        );
        assert_eq!(
            render(binstall["bin-dir"].as_str().unwrap()),
            format!("ferret-{target}/ferret{binary_ext}")
        );
    }
    // The workflow packs `ferret-<target>/ferret[.exe]` into `ferret-<target>.tar.gz|.zip`.
    for needle in [
        r#"name="ferret-$target""#,
        r#"tar -C dist -czf "dist/$name.tar.gz" "$name""#,
        r#"7z a -tzip "$name.zip" "$name""#,
        r#"cp "$out/ferret.exe" "dist/$name/""#,
        r#"cp "$out/ferret" "dist/$name/""#,
    ] {
        assert!(workflow.contains(needle), "the workflow packs: {needle}");
    }
}

/// The release profile strips the debug line tables (three quarters of an unstripped binary)
/// and keeps the symbol table, so a backtrace still names functions; code that runs once a scan
/// is built for size. The budget is 25 MB (24.5 MB on Linux x86_64 when this was written): a
/// dependency or rule set that grows the binary past it has to be paid for somewhere else.
/// Only meaningful for a release build: a debug build is large by design.
#[test]
fn the_release_binary_is_stripped_of_line_tables_but_keeps_its_symbols() {
    if cfg!(debug_assertions) {
        return;
    }
    let binary = Path::new(env!("CARGO_BIN_EXE_ferret"));
    let size = std::fs::metadata(binary).unwrap().len();
    // The budget is 25 MiB, as the packaging goal set it (stop 31: 24.45 MiB).
    assert!(
        size <= 25 << 20,
        "ferret is {size} bytes, over the 25 MiB budget: is the release profile stripping?"
    );
    if !cfg!(target_os = "linux") {
        return;
    }
    let out = Command::new("readelf")
        .args(["-S", "-W"])
        .arg(binary)
        .output()
        .expect("readelf (binutils, beside the C compiler the build needs) is installed");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(".symtab"),
        "function names stay for backtraces"
    );
    assert!(!text.contains(".debug_line"), "line tables are stripped");
}

fn hadolint(dockerfile: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, dockerfile).unwrap();
    Command::new("hadolint")
        .arg("--no-color")
        .arg(&path)
        .output()
        .expect("hadolint is installed (.ci/setup does it)")
}

/// The container image: a build stage and a small final stage that runs ferret as an unprivileged
/// user with git beside it, and a Dockerfile hadolint finds nothing in.
#[test]
fn the_dockerfile_builds_a_small_non_root_image_and_passes_hadolint() {
    let dockerfile = project_file("Dockerfile");
    let stages: Vec<&str> = dockerfile
        .lines()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(stages.len(), 2, "a build stage and the image: {stages:?}");
    assert!(stages[0].ends_with(" AS build"), "{stages:?}");
    let last = dockerfile.rsplit("\nFROM ").next().unwrap();
    assert!(last.contains("COPY --from=build /usr/local/bin/ferret /usr/local/bin/ferret"));
    assert!(
        last.contains("apk add --no-cache git"),
        "git is there for `scan git`"
    );
    let user = last
        .lines()
        .find_map(|l| l.strip_prefix("USER "))
        .expect("the image sets a user");
    assert!(
        user.split(':')
            .all(|id| id.parse::<u32>().is_ok_and(|id| id >= 1000)),
        "an unprivileged numeric user: {user}"
    );
    assert!(last.contains("ENTRYPOINT [\"ferret\"]"));
    // Everything the build copies is there, and nothing else is sent to the builder.
    let ignore = project_file(".dockerignore");
    for copied in ["Cargo.toml", "Cargo.lock", "build.rs", "src/", "rules/"] {
        assert!(
            ignore.contains(&format!("!{copied}")),
            "{copied} reaches the build"
        );
    }

    let good = hadolint(&dockerfile);
    let bad = hadolint(&dockerfile.replace("FROM alpine:3.22", "FROM alpine"));
    assert_linter_passes_and_catches("hadolint", &good, &bad, "an untagged base image");
}
