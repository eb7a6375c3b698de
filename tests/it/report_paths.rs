//! Reports name files relative to the scan root, however the root was spelt: relative, absolute or
//! through a symlink; the root itself is recorded once (SARIF `originalUriBaseIds`, JSON `root`).

use std::path::Path;

use serde_json::Value;

use crate::support::{TestDir, assert_valid_sarif, ferret};

const TOKEN: &str = "ghp_Zp4Vq8Rt2Lx6Nw9Bk3Hy7Cm1Df5Gs0Ja2Ke4";

/// A tree whose secret sits under a directory with a space and a non-ASCII name.
fn tree() -> TestDir {
    let dir = TestDir::new();
    dir.write(
        "work/repo/conf files/réglages.env",
        format!("GITHUB_TOKEN={TOKEN}\n"),
    );
    dir.write("work/repo/src/app.py", format!("token = '{TOKEN}'\n"));
    std::os::unix::fs::symlink(dir.join("work/repo"), dir.join("link")).unwrap();
    dir
}

/// Runs `scan dir ROOT` from `cwd` in `format` and returns the parsed report.
fn report(cwd: &Path, root: &Path, format: &str, out_dir: &TestDir, name: &str) -> Value {
    let out = out_dir.join(name);
    let run = ferret()
        .current_dir(cwd)
        .args(["scan", "dir"])
        .arg(root)
        .args(["--format", format, "--output"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    if format == "sarif" {
        assert_valid_sarif(&out);
    }
    serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap()
}

/// The report with the recorded roots taken out, and the roots.
fn without_roots(mut doc: Value) -> (Value, Vec<Value>) {
    let mut roots = Vec::new();
    if let Some(runs) = doc.get_mut("runs").and_then(Value::as_array_mut) {
        for run in runs {
            if let Some(ids) = run.as_object_mut().unwrap().remove("originalUriBaseIds") {
                roots.push(ids);
            }
        }
    } else {
        for finding in doc.as_array_mut().unwrap() {
            roots.push(finding.as_object_mut().unwrap().remove("root").unwrap());
        }
    }
    (doc, roots)
}

#[test]
fn sarif_and_json_do_not_depend_on_how_the_root_was_spelt() {
    let dir = tree();
    let outs = TestDir::new();
    let spellings = [
        (dir.join("work"), "repo".into()),
        (dir.path().to_path_buf(), dir.join("work/repo")),
        (dir.path().to_path_buf(), "link".into()),
    ];
    for format in ["sarif", "json"] {
        let mut first: Option<Value> = None;
        for (i, (cwd, root)) in spellings.iter().enumerate() {
            let doc = report(cwd, root, format, &outs, &format!("{format}{i}"));
            let (doc, roots) = without_roots(doc);
            assert!(!roots.is_empty(), "{format}: the root is recorded");
            match &first {
                None => first = Some(doc),
                Some(first) => assert_eq!(first, &doc, "{format} via {}", root.display()),
            }
        }
        let doc = first.unwrap();
        let paths: Vec<String> = if format == "sarif" {
            doc["runs"][0]["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
                    assert_eq!(loc["uriBaseId"], "%SRCROOT%");
                    loc["uri"].as_str().unwrap().to_string()
                })
                .collect()
        } else {
            doc.as_array()
                .unwrap()
                .iter()
                .map(|f| f["path"].as_str().unwrap().to_string())
                .collect()
        };
        let expected = if format == "sarif" {
            ["conf%20files/r%C3%A9glages.env", "src/app.py"]
        } else {
            ["conf files/réglages.env", "src/app.py"]
        };
        assert_eq!(paths, expected, "{format}");
    }
}

#[test]
fn the_sarif_root_is_an_absolute_file_uri_ending_in_a_slash() {
    let dir = tree();
    let outs = TestDir::new();
    let doc = report(
        &dir.join("work"),
        Path::new("repo"),
        "sarif",
        &outs,
        "r.sarif",
    );
    let root = doc["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap()
        .to_string();
    let real = std::fs::canonicalize(dir.join("work/repo")).unwrap();
    assert_eq!(root, format!("file://{}/", real.display()));
}

#[test]
fn text_says_the_root_once_and_shows_relative_paths() {
    let dir = tree();
    let out = ferret()
        .current_dir(dir.path())
        .args(["scan", "dir"])
        .arg(dir.join("work/repo"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let real = std::fs::canonicalize(dir.join("work/repo")).unwrap();
    assert!(
        text.starts_with(&format!("root: {}/\n", real.display())),
        "{text}"
    );
    // The same token is in both files: the second is listed under the first, path relative too.
    assert!(
        text.lines().any(|l| l == "conf files/réglages.env"),
        "{text}"
    );
    assert!(text.lines().any(|l| l == "      src/app.py:1:10"), "{text}");
    assert!(
        !text.contains(&format!("{}/src", dir.path().display())),
        "{text}"
    );
}

#[test]
fn two_roots_get_two_base_ids() {
    let dir = tree();
    dir.write("other/k.env", format!("GITHUB_TOKEN={TOKEN}\n"));
    let out = dir.join("two.sarif");
    let run = ferret()
        .current_dir(dir.path())
        .args([
            "scan",
            "dir",
            "work/repo",
            "other",
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "{run:?}");
    assert_valid_sarif(&out);
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let ids = doc["runs"][0]["originalUriBaseIds"].as_object().unwrap();
    assert_eq!(ids.len(), 2, "{ids:?}");
    let k = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k.env")
        .expect("other/k.env is reported relative to its root");
    let id = k["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"]
        .as_str()
        .unwrap();
    assert!(ids[id]["uri"].as_str().unwrap().ends_with("/other/"));
}
