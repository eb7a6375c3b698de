//! Nothing is skipped silently: every file, archive member or special file that is not scanned
//! fully is listed by name with the reason in every report format, the rest is still scanned, and
//! `--strict` turns any such skip into exit status 2. Also the hostile-input tree, scanned with
//! default flags (its 200 MB file lives in `benches/hostile_tree.sh`; here it is 20 MiB).

use std::io::{Cursor, Write};
use std::path::Path;
use std::process::{Command as StdCommand, Output};
use std::time::Duration;

use serde_json::Value;

use crate::support::{TestDir, ferret};

const TOKEN: &str = "tst_Qm3kV8zR1tW6yB0nC4xL7pJ2";
const TOKEN2: &str = "tst_Zp9Rt4VbN8wKc2Lm5Xq7Hs3D";
const TOKEN3: &str = "tst_Hq3nV9xTz2Lk8WbR5pYc7Dm1";
const TOKEN4: &str = "tst_Wc4Lp8Rn2Xv6Tk9Bq3Zm7Yd5";

/// Long enough to get past the bomb guard's floor (16 MiB) and highly compressible: text, so the
/// scanner reads on instead of stopping at a binary sniff.
const BOMB_LEN: usize = 64 << 20;

/// Runs `ferret scan dir . --rules test-rules.toml <extra>` in `dir`, never for longer than a
/// minute: a FIFO opened for reading would block forever.
fn scan(dir: &Path, extra: &[&str]) -> Output {
    ferret()
        .current_dir(dir)
        .args([
            "scan",
            "dir",
            ".",
            "--rules",
            &crate::support::test_rules_file(),
        ])
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

/// Runs a `--format json-report` scan and parses the report.
fn scan_report(dir: &Path, extra: &[&str]) -> (Output, Value) {
    let out = scan(dir, &[&["--format", "json-report"], extra].concat());
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not a JSON report ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out, report)
}

/// The paths of a report's findings, sorted.
fn finding_paths(report: &Value) -> Vec<String> {
    let mut paths: Vec<String> = report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    paths.sort();
    paths
}

/// `(path, reason)` of everything a report lists as not scanned fully, in report order.
fn not_scanned(report: &Value) -> Vec<(String, String)> {
    report["not_scanned"]
        .as_array()
        .expect("not_scanned is an array")
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
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

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A zip whose middle member is a decompression bomb, between two members holding secrets.
fn zip_with_bomb_between_secrets() -> Vec<u8> {
    zip_of(&[
        ("first.txt", format!("key = {TOKEN2}\n").as_bytes()),
        ("bomb.txt", &vec![b'A'; BOMB_LEN]),
        ("last.txt", format!("key = {TOKEN3}\n").as_bytes()),
    ])
}

fn mkfifo(path: &Path) {
    let status = StdCommand::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn a_bomb_member_is_listed_and_the_secrets_around_it_are_found() {
    let dir = TestDir::new().file("bundle.zip", zip_with_bomb_between_secrets());
    let (out, report) = scan_report(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(
        finding_paths(&report),
        ["bundle.zip!first.txt", "bundle.zip!last.txt"]
    );
    assert_eq!(
        not_scanned(&report),
        pairs(&[("bundle.zip!bomb.txt", "decompression_limit")])
    );
    let skip = &report["not_scanned"][0];
    assert_eq!(skip["size"], BOMB_LEN as u64);
    assert!(
        skip["detail"]
            .as_str()
            .unwrap()
            .contains("decompression bomb"),
        "{skip}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("1 decompression bombs"), "{stderr}");
}

#[test]
fn strict_makes_any_skip_exit_2_and_binary_files_do_not_count() {
    let dir = TestDir::new()
        .file("big.txt", "x".repeat(4096))
        .file("image.bin", b"\x00\x01binary")
        .file("clean.txt", "nothing here\n");
    let out = scan(dir.path(), &["--max-file-size", "1K"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "a skip alone does not fail: {out:?}"
    );
    let out = scan(dir.path(), &["--max-file-size", "1K", "--strict"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    std::fs::remove_file(dir.join("big.txt")).unwrap();
    let out = scan(dir.path(), &["--max-file-size", "1K", "--strict"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "binary is skipped by choice: {out:?}"
    );
}

#[test]
fn files_over_the_size_limit_are_listed_with_their_size() {
    let dir = TestDir::new()
        .file("big.txt", format!("{}\n{TOKEN}\n", "x".repeat(4096)))
        .file("small.txt", format!("{TOKEN2}\n"));
    let (out, report) = scan_report(dir.path(), &["--max-file-size", "1K"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(finding_paths(&report), ["small.txt"]);
    assert_eq!(not_scanned(&report), pairs(&[("big.txt", "too_large")]));
    assert_eq!(report["not_scanned"][0]["size"], 4096 + 30);
    assert_eq!(report["summary"]["not_scanned_fully"], 1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("skipped 1 too large"), "{stderr}");
}

#[test]
fn a_file_larger_than_the_old_64_mib_default_is_scanned_by_default() {
    let mut data = vec![b'a'; 70 << 20];
    let at = data.len() - 1000;
    data[at - 1] = b'"';
    data[at..at + TOKEN.len()].copy_from_slice(TOKEN.as_bytes());
    data[at + TOKEN.len()] = b'"';
    let dir = TestDir::new().file("dump.sql", data);
    let (out, report) = scan_report(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(finding_paths(&report), ["dump.sql"]);
    assert!(not_scanned(&report).is_empty());
    // One line of 70 MiB: the column counts from the line's start, across chunks.
    assert_eq!(report["findings"][0]["line"], 1);
    assert_eq!(report["findings"][0]["column"], at as u64 + 1);
}

#[test]
fn a_fifo_is_listed_and_never_opened() {
    let dir = TestDir::new().file("a.txt", format!("{TOKEN}\n"));
    mkfifo(&dir.join("pipe"));
    let out = scan(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not scanned fully:"), "{text}");
    assert!(
        text.contains("pipe: named pipe (FIFO): not opened [special file]"),
        "{text}"
    );
    let out = scan(dir.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn jsonl_ends_with_one_skipped_line_per_skip() {
    let dir = TestDir::new()
        .file("a.txt", format!("{TOKEN}\n"))
        .file("big.txt", "y".repeat(2048));
    for extra in [&[][..], &["--verify"][..]] {
        // Without --verify findings stream as they are made; with it they are written at the end.
        let out = scan(
            dir.path(),
            &[&["--format", "jsonl", "--max-file-size", "1K"], extra].concat(),
        );
        let lines: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2, "{out:?}");
        assert_eq!(lines[0]["path"], "a.txt");
        assert!(lines[0].get("type").is_none());
        assert_eq!(lines[1]["type"], "skipped");
        assert_eq!(lines[1]["path"], "big.txt");
        assert_eq!(lines[1]["reason"], "too_large");
    }
}

#[test]
fn plain_json_stays_an_array_and_skips_go_to_stderr() {
    let dir = TestDir::new().file("big.txt", "y".repeat(2048));
    let out = scan(dir.path(), &["--format", "json", "--max-file-size", "1K"]);
    let findings: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(findings, serde_json::json!([]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ferret: not scanned fully: big.txt: 2048 bytes, over --max-file-size"),
        "{stderr}"
    );
}

#[test]
fn github_format_warns_about_each_skip() {
    let dir = TestDir::new().file("big.txt", "y".repeat(2048));
    let out = scan(dir.path(), &["--format", "github", "--max-file-size", "1K"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("::warning title=ferret%3A not scanned fully::big.txt: 2048 bytes"),
        "{stdout}"
    );
}

#[test]
fn sarif_lists_skips_as_notifications_and_stays_valid() {
    let dir = TestDir::new()
        .file("a.txt", format!("{TOKEN}\n"))
        .file("big file.txt", "y".repeat(2048));
    mkfifo(&dir.join("pipe"));
    let sarif = dir.join("out.sarif");
    let out = scan(
        dir.path(),
        &[
            "--format",
            "sarif",
            "--max-file-size",
            "1K",
            "--output",
            sarif.to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let check = StdCommand::new("python3")
        .arg("-c")
        .arg(
            "import json,sys,jsonschema\n\
             schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))\n\
             jsonschema.validate(doc, schema, cls=jsonschema.Draft4Validator)",
        )
        .arg(&schema)
        .arg(&sarif)
        .output()
        .expect("python3 runs");
    assert!(
        check.status.success(),
        "SARIF does not validate:\n{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let doc: Value = serde_json::from_slice(&std::fs::read(&sarif).unwrap()).unwrap();
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    let listed: Vec<(&str, &str)> = notes
        .iter()
        .map(|n| {
            (
                n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap(),
                n["properties"]["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [("big%20file.txt", "too_large"), ("pipe", "special_file")]
    );
    assert!(notes.iter().all(|n| n["level"] == "warning"));
}

/// The tree an attacker would hand ferret: a minified-JS-like single line of `big_len` bytes with
/// a secret near its end, a zip bomb between secrets, a gzip bomb, archives nested past the depth
/// limit, a corrupt zip, file names that look like options or hold control characters, a symlink
/// loop, a FIFO and deep directories. Returns the paths a scan must find secrets at and what it
/// must list as not scanned fully (sorted, as reports list them).
pub fn write_hostile_tree(root: &Path, big_len: usize) -> (Vec<String>, Vec<(String, String)>) {
    let write = |rel: &str, data: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, data).unwrap();
    };
    let mut found = Vec::new();
    let secret_line = |token: &str| format!("const key = \"{token}\";\n");

    let chunk = b"function(a,b){return a.map(function(c){return c*b})};var x=\"0af3\";";
    let mut big: Vec<u8> = chunk.iter().copied().cycle().take(big_len).collect();
    let at = big_len - 4096;
    let assignment = format!("k=\"{TOKEN4}\";");
    big[at..at + assignment.len()].copy_from_slice(assignment.as_bytes());
    write("dist/app.min.js", &big);
    found.push("dist/app.min.js".to_string());

    write("bundle.zip", &zip_with_bomb_between_secrets());
    found.push("bundle.zip!first.txt".into());
    found.push("bundle.zip!last.txt".into());

    write("logs/app.log.gz", &gzip(&vec![b'A'; BOMB_LEN]));

    // nested.tar!n2.tar!n3.tar!n4.tar opens four deep, the default limit: its inside.txt is
    // found; n5.tar is one deeper and listed (its bytes are handed on as they are, and a tar's
    // headers make them binary).
    let line = secret_line(TOKEN);
    let n5 = tar_of(&[("secret.txt", line.as_bytes())]);
    let mut nested = tar_of(&[("inside.txt", line.as_bytes()), ("n5.tar", &n5)]);
    for name in ["n4.tar", "n3.tar", "n2.tar"] {
        nested = tar_of(&[(name, &nested)]);
    }
    write("nested.tar", &nested);
    found.push("nested.tar!n2.tar!n3.tar!n4.tar!inside.txt".into());

    write("broken.zip", b"PK\x03\x04 truncated right after the magic");

    for name in [
        "--output=.git/hooks/pre-commit",
        "-rf",
        "evil\nname.txt",
        "\x1b[31mred\x1b[0m.txt",
        "::error file=x::forged.txt",
    ] {
        write(name, secret_line(TOKEN2).as_bytes());
        found.push(name.to_string());
    }

    std::os::unix::fs::symlink("loop_b", root.join("loop_a")).unwrap();
    std::os::unix::fs::symlink("loop_a", root.join("loop_b")).unwrap();
    std::os::unix::fs::symlink(".", root.join("self")).unwrap();
    mkfifo(&root.join("pipe"));

    let deep = (0..100).map(|_| "d").collect::<Vec<_>>().join("/") + "/deep.env";
    write(&deep, secret_line(TOKEN3).as_bytes());
    found.push(deep);

    found.sort();
    let skipped = pairs(&[
        ("broken.zip", "unsupported"),
        ("bundle.zip!bomb.txt", "decompression_limit"),
        ("logs/app.log.gz!app.log", "decompression_limit"),
        ("nested.tar!n2.tar!n3.tar!n4.tar!n5.tar", "archive_depth"),
        ("pipe", "special_file"),
    ]);
    (found, skipped)
}

#[test]
fn the_hostile_tree_is_scanned_with_default_flags() {
    let dir = TestDir::new();
    let (found, skipped) = write_hostile_tree(dir.path(), 20 << 20);
    let (out, report) = scan_report(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert_eq!(finding_paths(&report), found);
    assert_eq!(not_scanned(&report), skipped);
    assert!(report["errors"].as_array().unwrap().is_empty(), "{report}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("3 symlinks"), "{stderr}");
    let out = scan(dir.path(), &["--strict", "--quiet"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

#[test]
fn git_blobs_and_ci_logs_over_the_size_limit_are_listed_too() {
    let repo = crate::support::test_repo::TestRepo::new();
    repo.write("big.txt", "z".repeat(2048));
    repo.commit("big file");
    let blob = repo.rev("HEAD:big.txt");
    let out = ferret()
        .current_dir(repo.path())
        .args([
            "scan",
            "git",
            ".",
            "--format",
            "json-report",
            "--max-file-size",
            "1K",
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        not_scanned(&report),
        pairs(&[(&format!("blob {blob}"), "too_large")]),
        "{out:?}"
    );

    let dir = TestDir::new().file("build.log", "w".repeat(2048));
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "ci-log", "build.log", "--format", "json-report"])
        .args(["--max-file-size", "1K", "--strict"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(not_scanned(&report), pairs(&[("build.log", "too_large")]));
}
