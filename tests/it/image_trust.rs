//! `ferret scan image` reads images by content, not by claims, and no image or log directory can
//! hang it: hand-made hostile layouts (wrong digests, duplicate diff_ids, bad gzip trailers,
//! index cycles and deep chains), skopeo's `dir:` layout, and `scan ci-log` on a directory with
//! symlink loops and links leading out of it.

use std::io::Write;
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::test_image::{HandTar, LayerEntry, TestImage, digest, github_token, layer_tar};
use crate::support::{TestDir, ferret, json_findings};

/// A layer of a hand-made image: what is stored, and what the manifest and config claim.
struct HandLayer {
    stored: Vec<u8>,
    blob_digest: String,
    diff_id: String,
}

impl HandLayer {
    /// An honest uncompressed layer holding `token={secret}` at `path`.
    fn plain(path: &str, secret: &str) -> Self {
        let tar = layer_tar(&[LayerEntry::File(
            path,
            format!("token={secret}\n").as_bytes(),
        )]);
        Self {
            blob_digest: digest(&tar),
            diff_id: digest(&tar),
            stored: tar,
        }
    }

    /// An honest single-member gzip layer; `tamper` may then change the stored bytes.
    fn gzip(path: &str, secret: &str, tamper: impl FnOnce(&mut Vec<u8>)) -> Self {
        let tar = layer_tar(&[LayerEntry::File(
            path,
            format!("token={secret}\n").as_bytes(),
        )]);
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(&tar).unwrap();
        let mut stored = enc.finish().unwrap();
        tamper(&mut stored);
        Self {
            blob_digest: digest(&stored),
            diff_id: digest(&tar),
            stored,
        }
    }
}

/// Adds an image of `layers` to `tar`; returns its manifest descriptor.
fn hand_image(tar: &mut HandTar, layers: &[HandLayer]) -> Value {
    let diff_ids: Vec<&str> = layers.iter().map(|l| l.diff_id.as_str()).collect();
    let config = tar.json_blob(
        "application/vnd.oci.image.config.v1+json",
        &json!({"architecture": "amd64", "os": "linux",
                "rootfs": {"type": "layers", "diff_ids": diff_ids}}),
    );
    let descs: Vec<Value> = layers
        .iter()
        .map(|l| {
            let hex = l.blob_digest.trim_start_matches("sha256:");
            tar.file(&format!("blobs/sha256/{hex}"), l.stored.clone());
            json!({"mediaType": "application/vnd.oci.image.layer.v1.tar",
                   "digest": l.blob_digest, "size": l.stored.len()})
        })
        .collect();
    tar.json_blob(
        "application/vnd.oci.image.manifest.v1+json",
        &json!({"schemaVersion": 2, "config": config, "layers": descs}),
    )
}

/// Writes `tar` with `index.json` listing `entries` and returns the archive's directory.
fn write_layout(mut tar: HandTar, entries: Vec<Value>) -> (TestDir, String) {
    tar.file(
        "index.json",
        serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": entries})).unwrap(),
    );
    tar.file("oci-layout", r#"{"imageLayoutVersion":"1.0.0"}"#);
    let dir = TestDir::new();
    let path = dir.join("image.tar");
    tar.write_to(&path);
    let shown = path.display().to_string();
    (dir, shown)
}

fn scan(target: &str) -> (Output, Vec<String>) {
    let output = ferret()
        .args([
            "scan",
            "image",
            "--format",
            "json",
            "--show-secrets",
            target,
        ])
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    let secrets = json_findings(&output)
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    (output, secrets)
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Asserts exit status 2, every phrase in the output, and every secret found.
fn assert_error_keeping(output: &Output, secrets: &[String], found: &[String], phrases: &[&str]) {
    let all = text(output);
    assert_eq!(output.status.code(), Some(2), "{all}");
    for phrase in phrases {
        assert!(all.contains(phrase), "{phrase:?} not in:\n{all}");
    }
    for secret in found {
        assert!(secrets.contains(secret), "{secret} not found:\n{all}");
    }
    assert!(!all.contains("panicked"), "{all}");
}

#[test]
fn a_layer_stored_under_another_digest_is_an_error_and_its_findings_are_kept() {
    let secret = github_token("wrong-blob-digest");
    let mut layer = HandLayer::plain("etc/app.env", &secret);
    layer.blob_digest = digest(b"some other layer");
    let mut tar = HandTar::new();
    let image = hand_image(&mut tar, &[layer]);
    let (_dir, path) = write_layout(tar, vec![image]);
    let (output, secrets) = scan(&path);
    let claimed = digest(b"some other layer");
    assert_error_keeping(
        &output,
        &secrets,
        &[secret],
        &["layer 0", &claimed, "does not match", "bytes hash to"],
    );
}

#[test]
fn a_wrong_diff_id_is_an_error_and_the_reported_diff_id_is_the_one_read() {
    let secret = github_token("wrong-diff-id");
    let mut layer = HandLayer::plain("etc/app.env", &secret);
    let true_diff_id = layer.diff_id.clone();
    layer.diff_id = digest(b"claimed content");
    let mut tar = HandTar::new();
    let image = hand_image(&mut tar, &[layer]);
    let (_dir, path) = write_layout(tar, vec![image]);
    let (output, secrets) = scan(&path);
    assert_error_keeping(&output, &secrets, &[secret], &["diff_id", "layer 0"]);
    let findings = json_findings(&output);
    assert_eq!(findings[0]["origin"]["diff_id"], true_diff_id.as_str());
}

#[test]
fn two_layers_claiming_one_diff_id_are_both_scanned() {
    let first = github_token("dup-diff-id-first");
    let second = github_token("dup-diff-id-second");
    let a = HandLayer::plain("etc/a.env", &first);
    let mut b = HandLayer::plain("etc/b.env", &second);
    b.diff_id = a.diff_id.clone();
    let mut tar = HandTar::new();
    let image = hand_image(&mut tar, &[a, b]);
    let (_dir, path) = write_layout(tar, vec![image]);
    let (output, secrets) = scan(&path);
    assert_error_keeping(&output, &secrets, &[first, second], &["layer 1", "diff_id"]);
}

#[test]
fn a_gzip_layer_with_a_bad_crc_or_no_trailer_is_an_error() {
    let crc = github_token("bad-crc");
    let bad_crc = HandLayer::gzip("etc/crc.env", &crc, |bytes| {
        let at = bytes.len() - 8; // CRC32, then ISIZE
        bytes[at] ^= 0xff;
    });
    let cut = github_token("cut-trailer");
    let cut_trailer = HandLayer::gzip("etc/cut.env", &cut, |bytes| {
        bytes.truncate(bytes.len() - 8);
    });
    for (layer, secret) in [(bad_crc, crc), (cut_trailer, cut)] {
        let mut tar = HandTar::new();
        let image = hand_image(&mut tar, &[layer]);
        let (_dir, path) = write_layout(tar, vec![image]);
        let (output, secrets) = scan(&path);
        assert_error_keeping(&output, &secrets, &[secret], &["layer 0"]);
    }
}

#[test]
fn an_index_listing_itself_ends_with_a_named_error() {
    let secret = github_token("beside-a-cycle");
    let mut tar = HandTar::new();
    let image = hand_image(&mut tar, &[HandLayer::plain("etc/app.env", &secret)]);
    // An index stored under a digest it lists fifty times: followed blindly, 50^8 reads.
    let claimed = digest(b"the index's own name");
    let entry = json!({"mediaType": "application/vnd.oci.image.index.v1+json", "digest": claimed});
    let index = json!({"schemaVersion": 2, "manifests": vec![entry.clone(); 50]});
    tar.file(
        &format!("blobs/sha256/{}", claimed.trim_start_matches("sha256:")),
        serde_json::to_vec(&index).unwrap(),
    );
    let (_dir, path) = write_layout(tar, vec![image, entry]);
    let (output, secrets) = scan(&path);
    assert_error_keeping(&output, &secrets, &[secret], &[&claimed, "does not match"]);
}

#[test]
fn a_deep_chain_of_indexes_is_cut_with_a_named_error_and_siblings_are_scanned() {
    let top = github_token("sibling-of-a-deep-chain");
    let bottom = github_token("bottom-of-a-deep-chain");
    let mut tar = HandTar::new();
    let sibling = hand_image(&mut tar, &[HandLayer::plain("etc/top.env", &top)]);
    let mut desc = hand_image(&mut tar, &[HandLayer::plain("etc/bottom.env", &bottom)]);
    let mut chain = Vec::new();
    for _ in 0..12 {
        desc = tar.json_blob(
            "application/vnd.oci.image.index.v1+json",
            &json!({"schemaVersion": 2, "manifests": [desc]}),
        );
        chain.push(desc["digest"].as_str().unwrap().to_string());
    }
    let (_dir, path) = write_layout(tar, vec![sibling, desc]);
    let (output, secrets) = scan(&path);
    assert_error_keeping(&output, &secrets, &[top], &["nest more than 8 deep"]);
    assert!(!secrets.contains(&bottom));
    // The cut is reported once, where it happens.
    let all = text(&output);
    assert_eq!(all.matches("nest more than").count(), 1, "{all}");
}

#[test]
fn skopeo_dir_layouts_are_scanned() {
    let secret = github_token("skopeo-dir");
    let image = TestImage::new();
    image
        .write("etc/app.env", format!("token={secret}\n"))
        .commit("COPY app.env");
    let dir = image.path("skopeo-dir");
    image.copy_to(&format!("dir:{}", dir.display()), &[]);
    assert!(dir.join("version").is_file() && dir.join("manifest.json").is_file());
    for target in [dir.display().to_string(), format!("dir:{}", dir.display())] {
        let (output, secrets) = scan(&target);
        assert_eq!(output.status.code(), Some(1), "{}", text(&output));
        assert_eq!(secrets, std::slice::from_ref(&secret), "{target}");
    }
}

#[test]
fn image_directories_are_read_without_following_symlinks() {
    let secret = github_token("layout-symlink");
    let outside = TestDir::new();
    let mut tar = HandTar::new();
    let image = hand_image(&mut tar, &[HandLayer::plain("etc/app.env", &secret)]);
    let (dir, path) = write_layout(tar, vec![image.clone()]);
    let layout = dir.join("layout");
    std::fs::create_dir(&layout).unwrap();
    crate::support::test_image::run("tar", &["-xf", &path, "-C", layout.to_str().unwrap()]);
    // The layer blob becomes a symlink to a file outside the layout.
    let manifest: Value = serde_json::from_slice(
        &std::fs::read(
            layout.join("blobs/sha256").join(
                image["digest"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("sha256:"),
            ),
        )
        .unwrap(),
    )
    .unwrap();
    let layer_hex = manifest["layers"][0]["digest"].as_str().unwrap()[7..].to_string();
    let blob = layout.join("blobs/sha256").join(&layer_hex);
    std::fs::rename(&blob, outside.join("layer")).unwrap();
    std::os::unix::fs::symlink(outside.join("layer"), &blob).unwrap();
    let (output, secrets) = scan(layout.to_str().unwrap());
    assert_error_keeping(&output, &secrets, &[], &["symlink", &layer_hex]);
    assert!(secrets.is_empty());
}

#[test]
fn ci_log_directories_never_follow_symlinks_out_or_round_in_loops() {
    let inside = github_token("ci-log-inside");
    let outside = github_token("ci-log-outside");
    let elsewhere = TestDir::new().file("secret.log", format!("token: {outside}\n"));
    let logs = TestDir::new().file("job/build.log", format!("token: {inside}\n"));
    std::os::unix::fs::symlink(logs.path(), logs.join("job/loop")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), logs.join("out")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("secret.log"), logs.join("job/linked.log")).unwrap();
    let output = ferret()
        .args(["scan", "ci-log", "--format", "json", "--show-secrets"])
        .arg(logs.path())
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let secrets: Vec<String> = json_findings(&output)
        .iter()
        .map(|f| f["secret"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(secrets, [inside]);
}

#[test]
fn a_bomb_inside_an_archive_in_a_layer_is_listed_and_the_rest_is_scanned() {
    let (first, last) = (
        github_token("zip-in-layer-1"),
        github_token("zip-in-layer-2"),
    );
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in [
        ("first.env", format!("token={first}\n").into_bytes()),
        ("bomb.txt", vec![b'A'; 64 << 20]),
        ("last.env", format!("token={last}\n").into_bytes()),
    ] {
        zip.start_file(name, deflated).unwrap();
        zip.write_all(&data).unwrap();
    }
    let zip = zip.finish().unwrap().into_inner();
    let tar = layer_tar(&[LayerEntry::File("app/bundle.zip", &zip)]);
    let layer = HandLayer {
        blob_digest: digest(&tar),
        diff_id: digest(&tar),
        stored: tar,
    };
    let mut hand = HandTar::new();
    let image = hand_image(&mut hand, &[layer]);
    let (_dir, path) = write_layout(hand, vec![image]);
    let (output, mut secrets) = scan(&path);
    secrets.sort();
    let stderr = String::from_utf8_lossy(&output.stderr);
    // Listed as not scanned fully, not an error: the scan still exits 1 for its findings.
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let mut expected = vec![first, last];
    expected.sort();
    assert_eq!(secrets, expected);
    assert!(
        stderr.contains("not scanned fully") && stderr.contains("bomb.txt"),
        "{stderr}"
    );
}
