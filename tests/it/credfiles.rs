//! Credential-store files read by structure (tests/corpus/credfiles/): every password or token
//! field of every supported format is found with its rule, line, column and confidence, weak values
//! included; the hard negatives beside them (empty fields, environment references, placeholders,
//! user names, hosts, encrypted values) are not; the same text under an ordinary name is not read
//! as a credential file; git history reads a blob by the path it was committed at.

use std::path::{Path, PathBuf};

use crate::support::test_repo::TestRepo;
use crate::support::{ferret, json_findings};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/credfiles")
}

type Place = (String, String, u64, u64, String);

/// (rule, path, line, column, confidence) of every finding at `--confidence low`.
const EXPECTED: &[(&str, &str, u64, u64, &str)] = &[
    ("laravel-app-key", "app/.env", 3, 9, "high"),
    ("laravel-app-key", "app/.env.sample", 2, 9, "medium"),
    ("rails-master-key", "app/config/master.key", 1, 1, "high"),
    (
        "rails-secret-key-base",
        "app/config/secrets.yml",
        2,
        21,
        "high",
    ),
    (
        "django-secret-key",
        "app/mysite/settings/production.py",
        6,
        15,
        "high",
    ),
    ("wordpress-db-password", "app/wp-config.php", 5, 25, "high"),
    (
        "wordpress-auth-keys-salts",
        "app/wp-config.php",
        8,
        30,
        "high",
    ),
    ("password-hash", "db/dump.sql", 4, 52, "high"),
    ("password-hash", "db/dump.sql", 4, 137, "high"),
    ("password-hash", "etc/.htpasswd", 2, 7, "high"),
    ("password-hash", "etc/.htpasswd", 3, 8, "high"),
    ("password-hash", "etc/shadow", 1, 6, "high"),
    ("password-hash", "etc/shadow", 3, 6, "high"),
    ("password-hash", "etc/proftpd/ftpd.passwd", 1, 8, "high"),
    (
        "aws-credentials-file",
        "home/.aws/credentials",
        7,
        25,
        "high",
    ),
    (
        "aws-credentials-file",
        "home/.aws/credentials",
        11,
        25,
        "high",
    ),
    (
        "git-credentials",
        "home/.config/git/credentials",
        1,
        17,
        "high",
    ),
    (
        "docker-config-auth",
        "home/.docker/config.json",
        4,
        13,
        "high",
    ),
    ("kubeconfig-credential", "home/.kube/config", 11, 12, "high"),
    ("kubeconfig-credential", "home/.kube/config", 15, 15, "high"),
    ("msmtp-password", "home/.msmtprc", 8, 10, "high"),
    ("mysql-cnf-password", "home/.my.cnf", 3, 11, "high"),
    ("netrc-password", "home/.netrc", 4, 12, "high"),
    ("netrc-password", "home/.netrc", 5, 44, "high"),
    ("npm-npmrc-auth-token", "home/.npmrc", 2, 31, "high"),
    ("npm-npmrc-password", "home/.npmrc", 5, 34, "high"),
    ("pgpass-password", "home/.pgpass", 2, 32, "high"),
    ("pgpass-password", "home/.pgpass", 3, 24, "high"),
    // `password` is what a template holds, but also what people log in with: ranked, not dropped.
    ("pgpass-password", "home/.pgpass", 6, 30, "medium"),
    ("pypi-pypirc-password", "home/.pypirc", 13, 12, "high"),
    ("s3cfg-secret", "home/.s3cfg", 3, 14, "high"),
    (
        "dbeaver-password",
        "proj/.dbeaver/data-sources.json",
        14,
        18,
        "high",
    ),
    (
        "vscode-sftp-password",
        "proj/.vscode/sftp.json",
        7,
        18,
        "high",
    ),
    ("robomongo-password", "proj/robo3t.json", 12, 38, "high"),
    (
        "vscode-sftp-password",
        "proj/sftp-config.json",
        7,
        18,
        "high",
    ),
    ("password-hash", "tests/fixtures/seeds.rb", 1, 63, "medium"),
    (
        "jetbrains-datasource-password",
        "win/.idea/dataSources.xml",
        8,
        22,
        "high",
    ),
    (
        "filezilla-password",
        "win/FileZilla/sitemanager.xml",
        8,
        28,
        "high",
    ),
    ("winscp-password", "win/WinSCP.ini", 7, 10, "high"),
    (
        "firefox-saved-password",
        "home/.mozilla/firefox/t7qk2v1m.default-release/logins.json",
        1,
        313,
        "high",
    ),
];

fn places(findings: &[serde_json::Value]) -> Vec<Place> {
    let mut found: Vec<Place> = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn scan_corpus(args: &[&str]) -> Vec<serde_json::Value> {
    let out = ferret()
        .current_dir(corpus_dir())
        .args(["scan", "dir", ".", "--format", "json", "--show-secrets"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json_findings(&out)
}

#[test]
fn every_format_yields_its_fields_and_no_hard_negative() {
    let mut expected: Vec<Place> = EXPECTED
        .iter()
        .map(|(r, p, l, c, conf)| (r.to_string(), p.to_string(), *l, *c, conf.to_string()))
        .collect();
    expected.sort();
    assert_eq!(places(&scan_corpus(&["--confidence", "low"])), expected);
}

#[test]
fn weak_passwords_are_reported_as_passwords_and_decoded_values_say_so() {
    let findings = scan_corpus(&[]);
    let secret_at = |path: &str, line: u64| {
        let f = findings
            .iter()
            .find(|f| f["path"] == path && f["line"] == line)
            .unwrap_or_else(|| panic!("no finding at {path}:{line}"));
        (
            f["secret"].as_str().unwrap().to_string(),
            f.get("decoded")
                .and_then(|d| d.as_str())
                .map(str::to_string),
        )
    };
    // A weak password is still the password the format names: shown by default.
    assert_eq!(secret_at("home/.netrc", 5), ("hunter22".into(), None));
    assert_eq!(secret_at("home/.pgpass", 3), ("postgres1".into(), None));
    assert_eq!(
        secret_at("app/wp-config.php", 5),
        ("wordpress1".into(), None)
    );
    // Base64 fields report the password they decode to, located at the encoded text.
    assert_eq!(
        secret_at("home/.docker/config.json", 4),
        ("Vq7#nL2xPz".into(), Some("base64".into()))
    );
    assert_eq!(
        secret_at("win/FileZilla/sitemanager.xml", 8),
        ("Fz9!mQ2wLk".into(), Some("base64".into()))
    );
    // Escapes in the file are undone: `%21` in a credential URL is `!`.
    assert_eq!(
        secret_at("home/.config/git/credentials", 1),
        ("Wq7!zLm2xP".into(), None)
    );
}

/// A blob is read as a credential file at the paths that name one, and only there: the same
/// `.netrc` committed under another name is not reported, though it keeps the password in HEAD
/// after the `.netrc` itself is deleted.
#[test]
fn git_history_reads_a_blob_by_the_path_it_was_committed_at() {
    let repo = TestRepo::new();
    let netrc = "machine ci.example.com login deploy password hunter22\n";
    repo.write("README.md", "# app\n");
    repo.write("home/.netrc", netrc);
    repo.write("docs/netrc.txt", netrc);
    repo.commit("add credentials");
    repo.remove("home/.netrc");
    repo.commit("remove credentials");
    let out = ferret()
        .args(["scan", "git", repo.path().to_str().unwrap()])
        .args(["--format", "json", "--show-secrets"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = json_findings(&out);
    let got: Vec<(String, String, u64, u64, bool)> = findings
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["origin"]["still_in_head"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![(
            "netrc-password".to_string(),
            "home/.netrc".to_string(),
            1,
            46,
            true
        )]
    );
    assert_eq!(findings[0]["secret"], "hunter22");
    assert_eq!(findings[0]["confidence"], "high");
}

/// Standard input named by `--path-name` is read by the format its name says.
#[test]
fn stdin_is_read_by_the_name_it_is_given() {
    let out = ferret()
        .args([
            "scan",
            "stdin",
            "--path-name",
            "home/.pgpass",
            "--format",
            "json",
        ])
        .write_stdin("db:5432:shop:app:shop2024\n")
        .output()
        .unwrap();
    let findings = json_findings(&out);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule_id"], "pgpass-password");
    assert_eq!(
        (findings[0]["line"].as_u64(), findings[0]["column"].as_u64()),
        (Some(1), Some(18))
    );
}

/// Archive members are read by their own name inside the archive.
#[test]
fn archive_members_are_read_by_their_names() {
    let dir = crate::support::TestDir::new();
    let mut tar = tar::Builder::new(Vec::new());
    let body = b"[client]\npassword=backup2024\n";
    let mut header = tar::Header::new_gnu();
    header.set_size(body.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    tar.append_data(&mut header, "root/.my.cnf", &body[..])
        .unwrap();
    dir.write("backup.tar", tar.into_inner().unwrap());
    let out = ferret()
        .args([
            "scan",
            "dir",
            dir.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let got: Vec<(String, String, u64, u64)> = json_findings(&out)
        .iter()
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![(
            "mysql-cnf-password".to_string(),
            "backup.tar!root/.my.cnf".to_string(),
            2,
            10
        )]
    );
}
