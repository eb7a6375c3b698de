//! `ferret scan image`: real images built with umoci/skopeo and hand-written `docker save` tars,
//! plus a real registry (Debian's docker-registry) on 127.0.0.1.


use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};
use crate::support::test_image::{
    HandTar, LayerEntry, TestImage, digest, github_token, gzip_multi, layer_tar, zstd_multi,
};
use crate::support::test_registry::{Registry, TokenPolicy, TokenRegistry};
use crate::support::{TestDir, ferret, json_findings};

/// What each finding says: (secret, where, removed-in-layer).
type Seen = BTreeSet<(String, String, Option<u64>)>;

fn scan(args: &[&str]) -> (std::process::Output, Vec<Value>) {
    let output = ferret()
        .args(["scan", "image", "--format", "json", "--show-secrets"])
        .args(args)
        .output()
        .unwrap();
    let findings = json_findings(&output);
    (output, findings)
}

/// Every finding as (secret, layer path or metadata field, removed_in_layer).
fn seen(findings: &[Value]) -> Seen {
    findings
        .iter()
        .map(|f| {
            let origin = &f["origin"];
            let place = match origin["kind"].as_str() {
                Some("image_layer") => origin["path"].as_str().unwrap().to_string(),
                _ => origin["field"].as_str().unwrap().to_string(),
            };
            (
                f["secret"].as_str().unwrap().to_string(),
                place,
                origin["removed_in_layer"].as_u64(),
            )
        })
        .collect()
}

/// Standard error and, for text reports (which list what could not be read), standard output.
fn stderr(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A three-layer image: a secret added, a nested archive, the secret deleted, config secrets.
struct Planted {
    image: TestImage,
    expected: Seen,
}

fn build_layered_image() -> Planted {
    let deleted = github_token("deleted-in-layer-2");
    let kept = github_token("kept");
    let nested = github_token("in-nested-tgz");
    let history = github_token("build-arg-history");
    let env = github_token("config-env");
    let label = github_token("config-label");
    let cmd = github_token("config-cmd");

    let mut inner = tar::Builder::new(Vec::new());
    let body = format!("deploy_token: {nested}\n");
    let mut header = tar::Header::new_gnu();
    header.set_size(body.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    inner
        .append_data(&mut header, "conf/deploy.yml", body.as_bytes())
        .unwrap();
    let tgz = crate::support::test_image::gzip_multi(&inner.into_inner().unwrap());

    let image = TestImage::new();
    image
        .write("app/.env", format!("GITHUB_TOKEN={deleted}\n"))
        .write("etc/app/keep.conf", format!("# config\ntoken = {kept}\n"))
        .write("opt/bundle.tgz", tgz)
        .commit("COPY . /app");
    image
        .remove("app/.env")
        .write("app/README", "nothing here\n")
        .commit(&format!(
            "RUN |1 GITHUB_TOKEN={history} /bin/sh -c rm /app/.env"
        ));
    image.config(&[
        &format!("--config.env=GH_TOKEN={env}"),
        &format!("--config.label=org.example.token={label}"),
        &format!("--config.cmd=deploy --token {cmd}"),
    ]);
    let expected = [
        (deleted, "app/.env".to_string(), Some(1)),
        (kept, "etc/app/keep.conf".to_string(), None),
        (nested, "opt/bundle.tgz!conf/deploy.yml".to_string(), None),
        (history, "history.created_by".to_string(), None),
        (env, "config.Env".to_string(), None),
        (label, "config.Labels".to_string(), None),
        (cmd, "config.Cmd".to_string(), None),
    ]
    .into_iter()
    .collect();
    Planted { image, expected }
}

#[test]
fn every_planted_secret_is_found_in_every_image_format() {
    let Planted { image, expected } = build_layered_image();
    let archive = image.path("docker.tar");
    let oci_archive = image.path("oci.tar");
    let zstd_layout = image.path("zstd");
    let plain_layout = image.path("plain");
    image.copy_to(&format!("docker-archive:{}:app:v1", archive.display()), &[]);
    image.copy_to(&format!("oci-archive:{}:v1", oci_archive.display()), &[]);
    image.copy_to(
        &format!("oci:{}:v1", zstd_layout.display()),
        &["--dest-compress-format", "zstd"],
    );
    crate::support::test_image::run(
        "skopeo",
        &[
            "copy",
            "--quiet",
            "--dest-oci-accept-uncompressed-layers",
            &format!("docker-archive:{}", archive.display()),
            &format!("oci:{}:v1", plain_layout.display()),
        ],
    );
    for target in [
        image.layout(),
        archive.clone(),
        oci_archive,
        zstd_layout,
        plain_layout,
    ] {
        let target = target.display().to_string();
        let (output, findings) = scan(&[&target]);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{target}: {}",
            stderr(&output)
        );
        assert_eq!(seen(&findings), expected, "{target}");
        let layer = findings
            .iter()
            .find(|f| f["origin"]["path"] == "app/.env")
            .unwrap();
        assert_eq!(layer["origin"]["layer_index"], 0, "{target}");
        assert!(
            layer["origin"]["diff_id"]
                .as_str()
                .unwrap()
                .starts_with("sha256:"),
            "{target}"
        );
    }

    // Text and SARIF carry the layer and the deletion.
    let text = ferret()
        .args(["scan", "image", "--color", "never"])
        .arg(&archive)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("app/.env")
            && text.contains("layer 0")
            && text.contains("removed in layer 1"),
        "{text}"
    );
    let sarif = ferret()
        .args(["scan", "image", "--format", "sarif"])
        .arg(&archive)
        .output()
        .unwrap();
    let sarif: Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["removedInLayer"] == 1
                && r["properties"]["diffId"].as_str().is_some()),
        "{sarif:#}"
    );
}

/// Layers used by the hand-written archives.
struct HandLayers {
    base: Vec<u8>,
    top: Vec<u8>,
    expected: Seen,
}

fn hand_layers() -> HandLayers {
    let removed = github_token("hand-removed");
    let opaque = github_token("hand-opaque");
    let long = github_token("hand-long-name");
    let dotdot = github_token("hand-dotdot");
    let top_secret = github_token("hand-top");
    let long_name = format!("srv/{}settings.ini", "deep/".repeat(30));
    let removed_body = format!("token={removed}\n");
    let opaque_body = format!("token={opaque}\n");
    let long_body = format!("token={long}\n");
    let dotdot_body = format!("token={dotdot}\n");
    let base = layer_tar(&[
        LayerEntry::Dir("./etc/"),
        LayerEntry::File("./etc/secret.env", removed_body.as_bytes()),
        LayerEntry::File("/var/cache/app/token", opaque_body.as_bytes()),
        LayerEntry::File(&long_name, long_body.as_bytes()),
        LayerEntry::File("../../escape/creds", dotdot_body.as_bytes()),
        LayerEntry::HardLink("etc/secret-link.env", "etc/secret.env"),
        LayerEntry::Symlink("etc/passwd-link", "/etc/passwd"),
    ]);
    let top_body = format!("token={top_secret}\n");
    let top = layer_tar(&[
        LayerEntry::File("etc/.wh.secret.env", b""),
        LayerEntry::File("var/cache/app/.wh..wh..opq", b""),
        LayerEntry::File("usr/local/top.txt", top_body.as_bytes()),
    ]);
    let expected = [
        (removed, "etc/secret.env".to_string(), Some(1)),
        (opaque, "var/cache/app/token".to_string(), Some(1)),
        (long, long_name.clone(), None),
        (dotdot, "escape/creds".to_string(), None),
        (top_secret, "usr/local/top.txt".to_string(), None),
    ]
    .into_iter()
    .collect();
    HandLayers {
        base,
        top,
        expected,
    }
}

fn config_json(diff_ids: &[String], env: &[String], history: &[String]) -> Value {
    json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {"Env": env},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history.iter().map(|h| json!({"created_by": h})).collect::<Vec<_>>(),
    })
}

#[test]
fn docker_24_save_with_symlinked_layer_tar() {
    let layers = hand_layers();
    let env = github_token("docker24-env");
    let dir = TestDir::new();
    let mut tar = HandTar::new();
    let diff_ids = vec![digest(&layers.base), digest(&layers.top)];
    let config =
        serde_json::to_vec(&config_json(&diff_ids, &[format!("TOKEN={env}")], &[])).unwrap();
    tar.file("aaaa/layer.tar", layers.base.clone());
    tar.file("aaaa/VERSION", "1.0");
    // Docker writes a layer shared with an earlier image as a symlink to that layer's tar.
    tar.file("cccc/layer.tar", layers.top.clone());
    tar.symlink("bbbb/layer.tar", "../cccc/layer.tar");
    tar.file("0123abcd.json", config);
    tar.file(
        "manifest.json",
        serde_json::to_vec(&json!([{
            "Config": "0123abcd.json",
            "RepoTags": ["legacy/app:1"],
            "Layers": ["aaaa/layer.tar", "bbbb/layer.tar"],
        }]))
        .unwrap(),
    );
    let path = dir.join("save.tar");
    tar.write_to(&path);
    let (output, findings) = scan(&[path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let mut expected = layers.expected;
    expected.insert((env, "config.Env".into(), None));
    assert_eq!(seen(&findings), expected);
    assert!(
        findings
            .iter()
            .all(|f| f["origin"]["image"] == "legacy/app:1")
    );
    assert!(
        stderr(&output).contains("1 symlinks"),
        "{}",
        stderr(&output)
    );
}

/// An OCI image index entry for a manifest.
fn oci_image(tar: &mut HandTar, layers: &[Vec<u8>], env: &[String], history: &[String]) -> Value {
    let diff_ids: Vec<String> = layers.iter().map(|l| digest(l)).collect();
    let config = tar.json_blob(
        "application/vnd.oci.image.config.v1+json",
        &config_json(&diff_ids, env, history),
    );
    let mut descs = Vec::new();
    for (i, layer) in layers.iter().enumerate() {
        // Alternate encodings: multi-member gzip, zstd with a skippable frame, uncompressed.
        let (media_type, data) = match i % 3 {
            0 => (
                "application/vnd.oci.image.layer.v1.tar+gzip",
                gzip_multi(layer),
            ),
            1 => (
                "application/vnd.oci.image.layer.v1.tar+zstd",
                zstd_multi(layer),
            ),
            _ => ("application/vnd.oci.image.layer.v1.tar", layer.clone()),
        };
        let size = data.len();
        descs.push(json!({"mediaType": media_type, "digest": tar.blob(data), "size": size}));
    }
    tar.json_blob(
        "application/vnd.oci.image.manifest.v1+json",
        &json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": config,
            "layers": descs,
            "annotations": {"org.opencontainers.image.source": "https://example.com/app"},
        }),
    )
}

#[test]
fn docker_25_save_is_an_oci_layout_in_a_tar() {
    let layers = hand_layers();
    let dir = TestDir::new();
    let mut tar = HandTar::new();
    let manifest = oci_image(
        &mut tar,
        &[layers.base.clone(), layers.top.clone()],
        &[],
        &[],
    );
    let config_digest = {
        // Docker 25 manifest.json points into blobs/sha256/.
        let bytes = std::fs::read(dir.path()).ok();
        drop(bytes);
        manifest["digest"].as_str().unwrap().to_string()
    };
    let mut index_entry = manifest.clone();
    index_entry["annotations"] = json!({
        "io.containerd.image.name": "docker.io/library/app:25",
        "org.opencontainers.image.ref.name": "25",
    });
    tar.file(
        "index.json",
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [index_entry]})).unwrap(),
    );
    tar.file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
    tar.file(
        "manifest.json",
        serde_json::to_vec(&json!([{
            "Config": format!("blobs/sha256/{}", config_digest.trim_start_matches("sha256:")),
            "RepoTags": ["app:25"],
            "Layers": [],
        }]))
        .unwrap(),
    );
    let path = dir.join("save25.tar");
    tar.write_to(&path);
    let (output, findings) = scan(&[path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(seen(&findings), layers.expected);
    assert!(
        findings
            .iter()
            .all(|f| f["origin"]["image"] == "docker.io/library/app:25")
    );
}

#[test]
fn containerd_store_with_platforms_and_attestations() {
    let layers = hand_layers();
    let arm_secret = github_token("arm-only");
    let arm_layer = layer_tar(&[LayerEntry::File(
        "etc/arm.conf",
        format!("token={arm_secret}\n").as_bytes(),
    )]);
    let build_arg = github_token("provenance-build-arg");
    let history_arg = github_token("history-build-arg");
    let dir = TestDir::new();
    let mut tar = HandTar::new();
    let amd = oci_image(
        &mut tar,
        &[layers.base.clone(), layers.top.clone()],
        &[],
        &[format!("RUN |1 NPM_TOKEN={history_arg} /bin/sh -c npm ci")],
    );
    let arm = oci_image(&mut tar, &[layers.base.clone(), arm_layer], &[], &[]);
    let provenance = json!({
        "_type": "https://in-toto.io/Statement/v0.1",
        "predicateType": "https://slsa.dev/provenance/v0.2",
        "subject": [{"name": "pkg:docker/app", "digest": {"sha256": amd["digest"].as_str().unwrap().trim_start_matches("sha256:")}}],
        "predicate": {"invocation": {"parameters": {"args": {"build-arg:GH_TOKEN": build_arg}}}},
    });
    let statement = tar.json_blob("application/vnd.in-toto+json", &provenance);
    let empty_config = tar.json_blob("application/vnd.oci.image.config.v1+json", &json!({}));
    let mut statement_layer = statement.clone();
    statement_layer["annotations"] =
        json!({"in-toto.io/predicate-type": "https://slsa.dev/provenance/v0.2"});
    let attestation = tar.json_blob(
        "application/vnd.oci.image.manifest.v1+json",
        &json!({"schemaVersion": 2, "config": empty_config, "layers": [statement_layer]}),
    );
    let mut amd_entry = amd.clone();
    amd_entry["platform"] = json!({"os": "linux", "architecture": "amd64"});
    let mut arm_entry = arm.clone();
    arm_entry["platform"] = json!({"os": "linux", "architecture": "arm64", "variant": "v8"});
    let mut att_entry = attestation.clone();
    att_entry["platform"] = json!({"os": "unknown", "architecture": "unknown"});
    att_entry["annotations"] = json!({
        "vnd.docker.reference.type": "attestation-manifest",
        "vnd.docker.reference.digest": amd["digest"],
    });
    let image_index = tar.json_blob(
        "application/vnd.oci.image.index.v1+json",
        &json!({"schemaVersion": 2, "manifests": [amd_entry, arm_entry, att_entry]}),
    );
    let mut top_entry = image_index.clone();
    top_entry["annotations"] = json!({"io.containerd.image.name": "registry.example/app:multi"});
    tar.file(
        "index.json",
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [top_entry]})).unwrap(),
    );
    tar.file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
    let path = dir.join("containerd.tar");
    tar.write_to(&path);

    let (output, findings) = scan(&[path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let all = seen(&findings);
    for expected in &layers.expected {
        assert!(all.contains(expected), "{expected:?} missing from {all:#?}");
    }
    assert!(all.contains(&(arm_secret.clone(), "etc/arm.conf".into(), None)));
    assert!(all.contains(&(history_arg.clone(), "history.created_by".into(), None)));
    let attested = findings
        .iter()
        .find(|f| f["secret"] == build_arg.as_str())
        .expect("the provenance build arg is found");
    assert!(
        attested["origin"]["field"]
            .as_str()
            .unwrap()
            .starts_with("attestation sha256:")
    );
    assert_eq!(
        attested["origin"]["image"],
        "registry.example/app:multi [linux/amd64]"
    );
    // The base layer is shared by both platforms: reported for each, but only in the two images.
    let base_hits = findings
        .iter()
        .filter(|f| f["origin"]["path"] == "escape/creds")
        .count();
    assert_eq!(base_hits, 2);

    let (_, arm_only) = scan(&["--platform", "linux/arm64", path.to_str().unwrap()]);
    let arm_seen = seen(&arm_only);
    assert!(arm_seen.contains(&(arm_secret, "etc/arm.conf".into(), None)));
    assert!(
        !arm_seen
            .iter()
            .any(|(s, _, _)| s == &build_arg || s == &history_arg)
    );
}

#[test]
fn truncated_layer_keeps_earlier_findings_and_fails() {
    let first = github_token("before-truncation");
    let second = github_token("after-truncation");
    let layer = layer_tar(&[
        LayerEntry::File("a/first.txt", format!("token={first}\n").as_bytes()),
        LayerEntry::File(
            "b/second.txt",
            format!("token={second}\n{}", "x".repeat(20000)).as_bytes(),
        ),
    ]);
    let diff_id = digest(&layer);
    let cut = &layer[..layer.len() - 12000];
    let dir = TestDir::new();
    let mut tar = HandTar::new();
    tar.file("layer/layer.tar", cut.to_vec());
    tar.file(
        "cfg.json",
        serde_json::to_vec(&config_json(&[diff_id], &[], &[])).unwrap(),
    );
    tar.file(
        "manifest.json",
        serde_json::to_vec(
            &json!([{"Config": "cfg.json", "RepoTags": ["cut:1"], "Layers": ["layer/layer.tar"]}]),
        )
        .unwrap(),
    );
    let path = dir.join("cut.tar");
    tar.write_to(&path);
    let (output, findings) = scan(&[path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("truncated"), "{}", stderr(&output));
    let secrets: Vec<_> = findings
        .iter()
        .map(|f| f["secret"].as_str().unwrap())
        .collect();
    assert!(secrets.contains(&first.as_str()), "{secrets:?}");
}

#[test]
fn unreadable_targets_are_named_errors() {
    let dir = TestDir::new().file("not-an-image.tar", "hello");
    let output = ferret()
        .args(["scan", "image"])
        .arg(dir.join("not-an-image.tar"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not-an-image.tar"),
        "{}",
        stderr(&output)
    );
    let output = ferret()
        .args(["scan", "image", "Not An Image"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("Not An Image"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn registry_images_are_pulled_and_scanned() {
    let Planted { image, expected } = build_layered_image();

    let open = Registry::start(None);
    open.push(&image, "team/app:v1", None);
    let reference = format!("{}/team/app:v1", open.host());
    let (output, findings) = scan(&["--insecure-registry", &open.host(), &reference]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(seen(&findings), expected);
    let digest = findings[0]["origin"]["image_digest"]
        .as_str()
        .unwrap()
        .to_string();
    let by_digest = format!("{}/team/app@{digest}", open.host());
    let (output, findings) = scan(&["--insecure-registry", &open.host(), &by_digest]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(seen(&findings), expected);

    let locked = Registry::start(Some(("scanner", "s3cret-pass")));
    locked.push(&image, "team/app:v1", Some("scanner:s3cret-pass"));
    let reference = format!("{}/team/app:v1", locked.host());
    let denied = ferret()
        .args([
            "scan",
            "image",
            "--insecure-registry",
            &locked.host(),
            &reference,
        ])
        .env("DOCKER_CONFIG", "/nonexistent")
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(2), "{}", stderr(&denied));
    assert!(
        stderr(&denied).contains("credentials"),
        "{}",
        stderr(&denied)
    );

    let output = ferret()
        .args(["scan", "image", "--format", "json", "--show-secrets"])
        .args(["--insecure-registry", &locked.host(), &reference])
        .args(["--registry-user", "scanner", "--registry-password-stdin"])
        .write_stdin("s3cret-pass\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(seen(&json_findings(&output)), expected);

    // Credentials from a docker config file.
    let docker_config = TestDir::new().file(
        "config.json",
        serde_json::to_vec(
            &json!({"auths": {locked.host(): {"auth": "c2Nhbm5lcjpzM2NyZXQtcGFzcw=="}}}),
        )
        .unwrap(),
    );
    let output = ferret()
        .args(["scan", "image", "--format", "json", "--show-secrets"])
        .args(["--insecure-registry", &locked.host(), &reference])
        .env("DOCKER_CONFIG", docker_config.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(seen(&json_findings(&output)), expected);
}

/// `ferret scan image --format json --show-secrets ARGS` with `HOME` set to `home` and no
/// `DOCKER_CONFIG`, so only `home/.docker/config.json` is consulted.
fn scan_from_home(home: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut cmd = ferret();
    cmd.args(["scan", "image", "--format", "json", "--show-secrets"])
        .args(args)
        .env("HOME", home)
        .env_remove("DOCKER_CONFIG");
    cmd
}

/// A home directory whose `.docker/config.json` is `config`.
fn docker_home(config: Value) -> TestDir {
    TestDir::new().file(".docker/config.json", config.to_string())
}

/// Asserts a run found exactly the planted secrets and never printed the registry password.
fn assert_found(output: &std::process::Output, expected: &Seen) {
    assert_eq!(output.status.code(), Some(1), "{}", stderr(output));
    assert_eq!(&seen(&json_findings(output)), expected);
    assert!(!stderr(output).contains(PASSWORD), "{}", stderr(output));
}

/// Asserts a run failed with exit status 2 and a message containing every one of `phrases`.
fn assert_error(output: &std::process::Output, phrases: &[&str]) {
    let text = stderr(output);
    assert_eq!(output.status.code(), Some(2), "{text}");
    for phrase in phrases {
        assert!(text.contains(phrase), "{phrase:?} not in:\n{text}");
    }
    assert!(
        !text.contains("panicked") && !text.contains(PASSWORD),
        "{text}"
    );
}

const PASSWORD: &str = "s3cret-pass";

fn scanner_policy() -> TokenPolicy {
    TokenPolicy {
        user: Some(("scanner".into(), PASSWORD.into())),
        ..TokenPolicy::default()
    }
}

#[test]
fn bearer_token_registries_are_pulled_anonymously_or_with_credentials() {
    let Planted { image, expected } = build_layered_image();
    let upstream = Registry::start(None);
    upstream.push(&image, "team/app:v1", None);
    let home = TestDir::new();

    // A public repository: the token service hands anonymous tokens that allow pulling.
    let public = TokenRegistry::start(&upstream.host(), TokenPolicy::default());
    let reference = format!("{}/team/app:v1", public.host());
    let output = scan_from_home(
        home.path(),
        &["--insecure-registry", &public.host(), &reference],
    )
    .output()
    .unwrap();
    assert_found(&output, &expected);
    let token_requests = public.token_requests();
    assert!(!token_requests.is_empty());
    for request in &token_requests {
        let query = crate::support::test_registry::query_pairs(&request.target);
        assert!(
            query.contains(&("service".into(), "test-registry".into())),
            "{query:?}"
        );
        assert!(
            query.contains(&("scope".into(), "repository:team/app:pull".into())),
            "{query:?}"
        );
        assert_eq!(request.header("authorization"), None);
    }

    // A private repository whose token service answers OAuth2-style (`access_token` only).
    let private = TokenRegistry::start(
        &upstream.host(),
        TokenPolicy {
            access_token_only: true,
            ..scanner_policy()
        },
    );
    let insecure = ["--insecure-registry".to_string(), private.host()];
    let reference = format!("{}/team/app:v1", private.host());
    let args = [&insecure[0], &insecure[1], &reference].map(String::as_str);
    let anonymous = scan_from_home(home.path(), &args).output().unwrap();
    assert_error(
        &anonymous,
        &[&private.host(), "requires credentials", "team/app"],
    );

    let output = scan_from_home(home.path(), &args)
        .args(["--registry-user", "scanner", "--registry-password-stdin"])
        .write_stdin(format!("{PASSWORD}\n"))
        .output()
        .unwrap();
    assert_found(&output, &expected);
    assert!(
        private.token_requests().iter().any(|r| r
            .header("authorization")
            .is_some_and(|a| a.starts_with("Basic "))),
        "the token request carries the credentials"
    );

    let auth = base64_of(&format!("scanner:{PASSWORD}"));
    let configured = docker_home(json!({"auths": {private.host(): {"auth": auth}}}));
    let output = scan_from_home(configured.path(), &args).output().unwrap();
    assert_found(&output, &expected);

    let wrong = scan_from_home(home.path(), &args)
        .args(["--registry-user", "scanner", "--registry-password-stdin"])
        .write_stdin("not-the-password\n")
        .output()
        .unwrap();
    assert_error(
        &wrong,
        &[&private.host(), "rejected the credentials of user scanner"],
    );
    assert!(!stderr(&wrong).contains("not-the-password"));

    // The registry itself only ever sees the bearer token, never the password.
    for request in private.front_requests() {
        let auth = request.header("authorization");
        if request.path() != "/token" {
            assert!(auth.is_none_or(|a| a.starts_with("Bearer ")), "{auth:?}");
        }
    }
}

#[test]
fn a_token_service_on_another_origin_gets_credentials_only_over_https_or_when_allowed() {
    let Planted { image, expected } = build_layered_image();
    let upstream = Registry::start(None);
    upstream.push(&image, "team/app:v1", None);
    let registry = TokenRegistry::start(
        &upstream.host(),
        TokenPolicy {
            separate_realm: true,
            ..scanner_policy()
        },
    );
    assert_ne!(registry.host(), registry.realm_host());
    let home = TestDir::new();
    let reference = format!("{}/team/app:v1", registry.host());
    let with_password = |extra: &[&str]| {
        scan_from_home(home.path(), extra)
            .args(["--registry-user", "scanner", "--registry-password-stdin"])
            .arg(&reference)
            .write_stdin(format!("{PASSWORD}\n"))
            .output()
            .unwrap()
    };

    // Only the registry is declared plain-http: the password is not sent to the realm over http.
    let withheld = with_password(&["--insecure-registry", &registry.host()]);
    let realm_flag = format!("--insecure-registry {}", registry.realm_host());
    assert_error(&withheld, &[&registry.host(), "not sent", &realm_flag]);
    assert!(
        registry
            .token_requests()
            .iter()
            .all(|r| r.header("authorization").is_none())
    );

    // Declared too: the realm gets Basic credentials, the registry only the token.
    let output = with_password(&[
        "--insecure-registry",
        &registry.host(),
        "--insecure-registry",
        &registry.realm_host(),
    ]);
    assert_found(&output, &expected);
    let token_auth: Vec<_> = registry
        .token_requests()
        .iter()
        .filter_map(|r| r.header("authorization").map(str::to_string))
        .collect();
    assert!(!token_auth.is_empty());
    assert!(
        token_auth.iter().all(|a| a.starts_with("Basic ")),
        "{token_auth:?}"
    );
    assert!(registry.front_requests().iter().all(|r| {
        r.header("authorization")
            .is_none_or(|a| a.starts_with("Bearer "))
    }));
}

#[test]
fn docker_credential_helpers_supply_registry_credentials() {
    let Planted { image, expected } = build_layered_image();
    let upstream = Registry::start(None);
    upstream.push(&image, "team/app:v1", None);
    let private = TokenRegistry::start(&upstream.host(), scanner_policy());
    let public = TokenRegistry::start(&upstream.host(), TokenPolicy::default());

    // A helper that knows the private registry's password and logs what it was asked.
    let bin = TestDir::new();
    let asked = bin.join("asked.log");
    bin.write(
        "docker-credential-ferret-test",
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread -r server || true\n\
             echo \"$server\" >> '{}'\n\
             if [ \"$server\" = '{host}' ]; then\n\
               printf '{{\"ServerURL\":\"%s\",\"Username\":\"scanner\",\"Secret\":\"{PASSWORD}\"}}' \"$server\"\n\
             else\n  echo 'credentials not found in native keychain'\n  exit 1\nfi\n",
            asked.display(),
            host = private.host(),
        ),
    );
    bin.write(
        "docker-credential-broken",
        "#!/bin/sh\necho 'keychain is locked' >&2\nexit 3\n",
    );
    for helper in ["docker-credential-ferret-test", "docker-credential-broken"] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(bin.join(helper), std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let scan_with = |config: Value, registry: &TokenRegistry| {
        let home = docker_home(config);
        let reference = format!("{}/team/app:v1", registry.host());
        scan_from_home(
            home.path(),
            &["--insecure-registry", &registry.host(), &reference],
        )
        .env("PATH", &path)
        .output()
        .unwrap()
    };

    let by_helper = scan_with(
        json!({"credHelpers": {private.host(): "ferret-test"}, "auths": {private.host(): {}}}),
        &private,
    );
    assert_found(&by_helper, &expected);
    let asked_for = std::fs::read_to_string(&asked).unwrap();
    assert_eq!(asked_for.lines().collect::<Vec<_>>(), [private.host()]);

    let by_store = scan_with(json!({"credsStore": "ferret-test"}), &private);
    assert_found(&by_store, &expected);

    // The helper has nothing for the public registry: a note, then an anonymous pull.
    let not_found = scan_with(json!({"credsStore": "ferret-test"}), &public);
    assert_found(&not_found, &expected);
    assert!(
        stderr(&not_found).contains("has no credentials for")
            && stderr(&not_found).contains("anonymously"),
        "{}",
        stderr(&not_found)
    );

    let broken = scan_with(json!({"credsStore": "broken"}), &public);
    assert_found(&broken, &expected);
    assert!(
        stderr(&broken).contains("keychain is locked"),
        "{}",
        stderr(&broken)
    );

    let missing = scan_with(
        json!({"credHelpers": {private.host(): "not-installed"}, "credsStore": "ferret-test"}),
        &private,
    );
    assert_error(
        &missing,
        &[
            "docker-credential-not-installed is not on PATH",
            "requires credentials",
        ],
    );
}

fn base64_of(text: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(text)
}
