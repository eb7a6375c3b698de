//! Secret-bearing names bound to literal values across many languages and file formats
//! (tests/corpus/assign): shell and .env, docker-compose, GitHub Actions, Helm, Ansible, Spring
//! properties, appsettings.json, web.config, XML, HCL, TOML, INI, Python, JS, TS, Go, Java, Kotlin,
//! C#, Ruby, PHP, Rust, Swift, keyword arguments, map literals, setters, CLI flags, SQL, connection
//! strings, Dockerfile, Kubernetes and notebook cells. Beside each positive sit hard negatives
//! (references, templating, labels, i18n strings, types, calls, paths, URLs, versions, hashes,
//! UUIDs, integrity strings, enum constants, minified code, keyboard-typed doc values, published
//! specification examples). The exact list below is the spec; the test also prints precision and
//! recall at the default confidence against the hand-labelled leaks.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::support::{ferret, json_findings};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/assign")
}

/// (rule, path, line, confidence) of every assignment finding at `--confidence low`. Connection
/// strings in `config/appsettings.json`, `src/Shop/Services/Mailer.cs` and `web/Web.config` and
/// the `define('DB_PASSWORD', ..)` in `config/services.php` belong to specific rules, which win.
const EXPECTED: &[(&str, &str, u64, &str)] = &[
    ("generic-secret", ".github/workflows/deploy.yml", 5, "high"),
    ("generic-secret", ".github/workflows/deploy.yml", 15, "high"),
    ("generic-secret", "Dockerfile", 3, "high"),
    ("generic-password", "Dockerfile", 4, "high"),
    ("generic-secret", "Dockerfile", 5, "high"),
    ("generic-secret", "Sources/App/Secrets.swift", 4, "high"),
    ("generic-secret", "Sources/App/Secrets.swift", 5, "high"),
    ("generic-password", "ansible/group_vars/all.yml", 3, "high"),
    (
        "generic-password",
        "ansible/group_vars/all.yml",
        7,
        "medium",
    ),
    ("generic-secret", "app/clients.py", 6, "high"),
    ("generic-password", "app/clients.py", 17, "high"),
    ("generic-password", "app/clients.py", 21, "medium"),
    ("generic-password", "app/notify/mailer.py", 13, "high"),
    ("generic-password", "app/notify/mailer.py", 25, "high"),
    ("generic-secret", "app/clients.py", 25, "high"),
    (
        "generic-secret",
        "app/src/main/kotlin/shop/Keys.kt",
        4,
        "high",
    ),
    (
        "generic-secret",
        "app/src/main/kotlin/shop/Keys.kt",
        5,
        "high",
    ),
    ("generic-password", "charts/api/values.yaml", 10, "high"),
    ("generic-secret", "charts/api/values.yaml", 21, "high"),
    ("generic-password", "conf/server.xml", 4, "high"),
    ("generic-password", "conf/settings.xml", 6, "high"),
    (
        "generic-password",
        "config/application.properties",
        3,
        "high",
    ),
    ("generic-secret", "config/application.properties", 7, "high"),
    ("generic-secret", "config/appsettings.json", 7, "high"),
    ("generic-secret", "config/appsettings.json", 13, "high"),
    ("generic-password", "config/database.toml", 4, "high"),
    ("generic-secret", "config/database.toml", 9, "high"),
    (
        "generic-secret",
        "config/initializers/payment.rb",
        2,
        "high",
    ),
    (
        "generic-password",
        "config/initializers/payment.rb",
        7,
        "high",
    ),
    (
        "generic-password",
        "config/initializers/payment.rb",
        8,
        "high",
    ),
    ("generic-secret", "config/services.php", 10, "high"),
    ("generic-password", "config/services.php", 14, "high"),
    ("generic-password", "config/settings.ini", 4, "medium"),
    ("generic-password", "db/roles.sql", 1, "high"),
    ("generic-password", "db/roles.sql", 2, "high"),
    ("generic-password", "db/roles.sql", 3, "medium"),
    ("generic-password", "db/roles.sql", 4, "high"),
    ("generic-password", "deploy/prod.env", 3, "high"),
    ("generic-password", "deploy/prod.env", 4, "medium"),
    ("generic-secret", "deploy/prod.env", 6, "high"),
    ("generic-secret", "deploy/prod.env", 8, "high"),
    ("generic-password", "deploy/prod.env", 12, "high"),
    ("generic-secret", "deploy/prod.env", 13, "high"),
    ("generic-secret", "deploy/prod.env", 14, "medium"),
    ("generic-password", "docker-compose.yml", 6, "high"),
    ("generic-secret", "docker-compose.yml", 13, "high"),
    ("generic-password", "docker-compose.yml", 15, "medium"),
    ("generic-password", "docs/setup.md", 6, "medium"),
    ("generic-password", "internal/store/db.go", 5, "high"),
    ("generic-secret", "internal/store/db.go", 7, "high"),
    ("generic-password", "internal/store/db.go", 16, "high"),
    ("generic-password", "k8s/secret.yaml", 7, "high"),
    ("generic-secret", "k8s/secret.yaml", 9, "high"),
    ("generic-secret", "lib/oauth_docs.py", 5, "low"),
    ("generic-secret", "lib/oauth_docs.py", 9, "low"),
    ("generic-secret", "lib/oauth_docs.py", 10, "low"),
    ("generic-secret", "lib/oauth_docs.py", 13, "low"),
    ("generic-secret", "lib/oauth_docs.py", 14, "low"),
    ("generic-secret", "notebooks/explore.ipynb", 10, "high"),
    ("generic-secret", "notebooks/explore.ipynb", 12, "high"),
    ("generic-password", "scripts/backup.sh", 3, "high"),
    ("generic-password", "scripts/backup.sh", 5, "high"),
    ("generic-password", "scripts/backup.sh", 6, "high"),
    ("generic-secret", "scripts/backup.sh", 7, "high"),
    ("generic-password", "scripts/backup.sh", 8, "high"),
    ("generic-secret", "src/Shop/Services/Mailer.cs", 5, "high"),
    (
        "generic-password",
        "src/Shop/Services/Mailer.cs",
        10,
        "high",
    ),
    ("generic-secret", "src/Shop/Services/Mailer.cs", 12, "high"),
    ("generic-secret", "src/client.rs", 3, "high"),
    ("generic-password", "src/client.rs", 10, "high"),
    ("generic-password", "src/conn/opts.rs", 19, "medium"),
    ("generic-password", "src/conn/opts.rs", 20, "low"),
    (
        "generic-password",
        "src/main/java/com/shop/MailConfig.java",
        8,
        "high",
    ),
    (
        "generic-password",
        "src/main/java/com/shop/MailConfig.java",
        16,
        "high",
    ),
    (
        "generic-password",
        "src/main/java/com/shop/MailConfig.java",
        23,
        "high",
    ),
    ("generic-password", "terraform/main.tf", 4, "high"),
    ("generic-secret", "terraform/main.tf", 27, "high"),
    ("generic-password", "tests/test_api.py", 2, "low"),
    ("generic-secret", "tests/test_api.py", 4, "medium"),
    ("generic-secret", "web/Web.config", 4, "high"),
    ("generic-password", "web/Web.config", 6, "high"),
    ("generic-password", "web/src/salesforce.js", 6, "high"),
    ("generic-secret", "web/src/api.js", 1, "high"),
    ("generic-secret", "web/src/api.js", 5, "high"),
    ("generic-secret", "web/src/config.ts", 7, "high"),
    ("generic-secret", "web/src/config.ts", 10, "high"),
];

/// (path, line) of every line a person labels a leaked credential (whatever its confidence).
const LEAKS: &[(&str, u64)] = &[
    (".github/workflows/deploy.yml", 5),
    (".github/workflows/deploy.yml", 15),
    ("Dockerfile", 3),
    ("Dockerfile", 4),
    ("Dockerfile", 5),
    ("Sources/App/Secrets.swift", 4),
    ("Sources/App/Secrets.swift", 5),
    ("ansible/group_vars/all.yml", 3),
    ("ansible/group_vars/all.yml", 7),
    ("app/clients.py", 6),
    ("app/clients.py", 17),
    ("app/clients.py", 21),
    ("app/clients.py", 25),
    ("app/notify/mailer.py", 13),
    ("app/notify/mailer.py", 25),
    ("app/src/main/kotlin/shop/Keys.kt", 4),
    ("app/src/main/kotlin/shop/Keys.kt", 5),
    ("charts/api/values.yaml", 10),
    ("charts/api/values.yaml", 21),
    ("conf/server.xml", 4),
    ("conf/settings.xml", 6),
    ("config/application.properties", 3),
    ("config/application.properties", 7),
    ("config/appsettings.json", 7),
    ("config/appsettings.json", 13),
    ("config/database.toml", 4),
    ("config/database.toml", 9),
    ("config/initializers/payment.rb", 2),
    ("config/initializers/payment.rb", 7),
    ("config/initializers/payment.rb", 8),
    ("config/services.php", 10),
    ("config/services.php", 14),
    ("config/settings.ini", 4),
    ("db/roles.sql", 1),
    ("db/roles.sql", 2),
    ("db/roles.sql", 3),
    ("db/roles.sql", 4),
    ("deploy/prod.env", 3),
    ("deploy/prod.env", 4),
    ("deploy/prod.env", 6),
    ("deploy/prod.env", 8),
    ("deploy/prod.env", 12),
    ("deploy/prod.env", 13),
    ("deploy/prod.env", 14),
    ("docker-compose.yml", 6),
    ("docker-compose.yml", 13),
    ("docker-compose.yml", 15),
    ("docs/setup.md", 6),
    ("internal/store/db.go", 5),
    ("internal/store/db.go", 7),
    ("internal/store/db.go", 16),
    ("k8s/secret.yaml", 7),
    ("k8s/secret.yaml", 9),
    ("notebooks/explore.ipynb", 10),
    ("notebooks/explore.ipynb", 12),
    ("scripts/backup.sh", 3),
    ("scripts/backup.sh", 5),
    ("scripts/backup.sh", 6),
    ("scripts/backup.sh", 7),
    ("scripts/backup.sh", 8),
    ("src/Shop/Services/Mailer.cs", 5),
    ("src/Shop/Services/Mailer.cs", 10),
    ("src/Shop/Services/Mailer.cs", 12),
    ("src/client.rs", 3),
    ("src/client.rs", 10),
    // `passphrase("password123")`: a weak password bound to a passphrase is one, like `admin123`.
    ("src/conn/opts.rs", 19),
    ("src/main/java/com/shop/MailConfig.java", 8),
    ("src/main/java/com/shop/MailConfig.java", 16),
    ("src/main/java/com/shop/MailConfig.java", 23),
    ("terraform/main.tf", 4),
    ("terraform/main.tf", 27),
    ("tests/test_api.py", 2),
    ("tests/test_api.py", 4),
    ("web/Web.config", 4),
    ("web/Web.config", 6),
    ("web/src/salesforce.js", 6),
    ("web/src/api.js", 1),
    ("web/src/api.js", 5),
    ("web/src/config.ts", 7),
    ("web/src/config.ts", 10),
];

type Found = (String, String, u64, String);

fn scan(args: &[&str]) -> Vec<Found> {
    let out = ferret()
        .current_dir(corpus_dir())
        .args(["scan", "dir", ".", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut found: Vec<Found> = json_findings(&out)
        .iter()
        .filter(|f| {
            matches!(
                f["rule_id"].as_str(),
                Some("generic-password" | "generic-secret")
            )
        })
        .map(|f| {
            (
                f["rule_id"].as_str().unwrap().to_string(),
                f["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                f["line"].as_u64().unwrap(),
                f["confidence"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

fn expected(floor: &[&str]) -> Vec<Found> {
    let mut e: Vec<Found> = EXPECTED
        .iter()
        .filter(|(_, _, _, c)| floor.contains(c))
        .map(|(r, p, l, c)| (r.to_string(), p.to_string(), *l, c.to_string()))
        .collect();
    e.sort();
    e
}

#[test]
fn every_syntax_and_format_is_found_with_its_confidence_and_no_hard_negative_is() {
    assert_eq!(
        scan(&["--confidence", "low"]),
        expected(&["high", "medium", "low"])
    );
}

#[test]
fn the_default_confidence_measures_precision_and_recall_on_the_labelled_leaks() {
    let shown = scan(&[]);
    assert_eq!(shown, expected(&["high", "medium"]));
    let found: BTreeSet<(String, u64)> = shown.iter().map(|f| (f.1.clone(), f.2)).collect();
    let leaks: BTreeSet<(String, u64)> = LEAKS.iter().map(|&(p, l)| (p.to_string(), l)).collect();
    let hits = found.intersection(&leaks).count() as f64;
    let (precision, recall) = (hits / found.len() as f64, hits / leaks.len() as f64);
    println!(
        "assign corpus at the default confidence: precision {precision:.3}, recall {recall:.3} \
         ({} shown, {} labelled leaks)",
        found.len(),
        leaks.len()
    );
    // The one leak below the default is a weak password in a test file: ranked low, not hidden.
    assert_eq!(
        leaks.difference(&found).collect::<Vec<_>>(),
        vec![&("tests/test_api.py".to_string(), 2)]
    );
    assert_eq!(precision, 1.0);
}

#[test]
fn reasons_say_why_a_value_was_ranked_low() {
    let out = ferret()
        .current_dir(corpus_dir())
        .args([
            "scan",
            "dir",
            "lib",
            "--format",
            "json",
            "--confidence",
            "low",
        ])
        .output()
        .unwrap();
    let findings = json_findings(&out);
    let reasons = |line: u64| {
        findings
            .iter()
            .filter(|f| f["path"].as_str().unwrap().ends_with("oauth_docs.py") && f["line"] == line)
            .map(|f| f["confidence_reasons"].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        reasons(5),
        vec![serde_json::json!(["published example", "example line"])]
    );
    assert_eq!(
        reasons(14),
        vec![serde_json::json!(["weak value", "typed value"])]
    );
}
