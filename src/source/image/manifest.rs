//! Finds the images in a store by following `index.json` / `manifest.json` (or a registry's
//! manifest): nested indexes, platforms, attestation manifests, configs and layer lists. Paths are
//! never guessed.

use std::collections::{HashMap, HashSet};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::digest::check_bytes;
use super::store::{BlobKey, BlobStore};

/// Largest manifest, index or config read into memory.
pub const MAX_METADATA_SIZE: u64 = 16 << 20;
/// How deeply image indexes may nest.
pub const MAX_INDEX_DEPTH: usize = 8;
/// Most entries read from one index (real multi-platform indexes list a few dozen).
pub const MAX_INDEX_ENTRIES: usize = 1024;
/// Most manifests and indexes read for one target, however they are nested or shared.
pub const MAX_MANIFESTS: usize = 4096;

const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
const ANNOTATION_CONTAINERD_NAME: &str = "io.containerd.image.name";
const ANNOTATION_REFERENCE_TYPE: &str = "vnd.docker.reference.type";
const ANNOTATION_REFERENCE_DIGEST: &str = "vnd.docker.reference.digest";
const IN_TOTO_MEDIA_TYPE: &str = "application/vnd.in-toto+json";

/// One layer of an image.
#[derive(Debug, Clone)]
pub struct LayerDesc {
    /// How the manifest names the blob.
    pub key: BlobKey,
    /// Declared media type (may be empty); the bytes' magic decides the compression.
    pub media_type: String,
    /// Digest of the uncompressed layer the config claims (`rootfs.diff_ids`), if it has one.
    pub diff_id: Option<String>,
}

/// One image (one platform) with everything needed to scan it.
#[derive(Debug, Clone)]
pub struct ImageDesc {
    /// Name shown in reports: a tag, or the target plus platform.
    pub name: String,
    /// Digest of the manifest (or, for `docker save` before Docker 25, of the config).
    pub manifest_digest: String,
    /// The config JSON.
    pub config: Vec<u8>,
    /// The manifest's annotations.
    pub annotations: Vec<(String, String)>,
    /// The layers, lowest first.
    pub layers: Vec<LayerDesc>,
    /// In-toto attestation statements attached to the image: (blob digest, JSON bytes).
    pub attestations: Vec<(String, Vec<u8>)>,
}

/// A platform filter, `os/arch[/variant]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

impl std::str::FromStr for Platform {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: Some(variant.to_string()),
            }),
            _ => Err(format!("{s:?} is not os/arch[/variant], e.g. linux/amd64")),
        }
    }
}

impl Platform {
    fn matches(&self, value: &Value) -> bool {
        let field = |name: &str| value.get(name).and_then(Value::as_str).unwrap_or("");
        field("os") == self.os
            && field("architecture") == self.architecture
            && self
                .variant
                .as_deref()
                .is_none_or(|v| field("variant") == v)
    }
}

/// `os/arch[/variant]` of a descriptor's platform, if it has one.
fn platform_text(desc: &Value) -> Option<String> {
    let p = desc.get("platform")?;
    let os = p.get("os")?.as_str()?;
    let arch = p.get("architecture")?.as_str()?;
    Some(match p.get("variant").and_then(Value::as_str) {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    })
}

/// Reads manifests: layout stores read them as blobs, registries from their manifest endpoint.
pub trait ManifestSource {
    /// The blob store the images' configs and layers come from.
    fn store(&self) -> &dyn BlobStore;
    /// Reads the manifest or index with `digest`.
    fn manifest(&self, digest: &str) -> Result<Vec<u8>> {
        self.store()
            .read_small(&BlobKey::Digest(digest.to_string()), MAX_METADATA_SIZE)
    }
}

/// Something the walk could not follow; the images it found are still scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkProblem {
    /// The manifest, index or config concerned.
    pub subject: String,
    /// What is wrong and what was left out.
    pub message: String,
}

/// What a walk found: the images, and what it could not follow.
#[derive(Debug, Default)]
pub struct Walk {
    /// The images, in the order the layout or registry lists them.
    pub images: Vec<ImageDesc>,
    /// Entries not followed (limits, cycles, digests that do not match).
    pub problems: Vec<WalkProblem>,
}

/// Walks indexes and manifests, collecting images and attestations.
pub struct ImageWalker<'a> {
    source: &'a dyn ManifestSource,
    platform: Option<&'a Platform>,
    target: String,
    /// Config digest -> tags, from a `docker save` manifest.json next to index.json.
    repo_tags: HashMap<String, String>,
    images: Vec<ImageDesc>,
    /// Attestations by the digest of the manifest they describe.
    attestations: Vec<(Option<String>, String, Vec<u8>)>,
    /// Indexes on the path from the root to the one being walked (a repeat is a cycle).
    ancestors: Vec<String>,
    /// Indexes walked already (a second visit would only repeat their images).
    walked_indexes: HashSet<String>,
    /// Manifests and indexes read so far, against [`MAX_MANIFESTS`].
    manifests_read: usize,
    /// Manifests that could not be read or did not match their digest (reported once).
    failed: HashSet<String>,
    problems: Vec<WalkProblem>,
}

impl<'a> ImageWalker<'a> {
    /// A walker for images of `target` (as named on the command line).
    pub fn new(
        source: &'a dyn ManifestSource,
        target: &str,
        platform: Option<&'a Platform>,
    ) -> Self {
        Self {
            source,
            platform,
            target: target.to_string(),
            repo_tags: HashMap::new(),
            images: Vec::new(),
            attestations: Vec::new(),
            ancestors: Vec::new(),
            walked_indexes: HashSet::new(),
            manifests_read: 0,
            failed: HashSet::new(),
            problems: Vec::new(),
        }
    }

    fn problem(&mut self, subject: impl Into<String>, message: impl Into<String>) {
        self.problems.push(WalkProblem {
            subject: subject.into(),
            message: message.into(),
        });
    }

    /// The images of a layout, as [`walk_layout_with_problems`](Self::walk_layout_with_problems)
    /// finds them, without the list of what it could not follow.
    pub fn walk_layout(self) -> Result<Vec<ImageDesc>> {
        self.walk_layout_with_problems().map(|walk| walk.images)
    }

    /// The images reached from a manifest or index, as
    /// [`walk_root_with_problems`](Self::walk_root_with_problems) finds them, without the list of
    /// what it could not follow.
    pub fn walk_root(self, bytes: &[u8], digest: &str) -> Result<Vec<ImageDesc>> {
        self.walk_root_with_problems(bytes, digest)
            .map(|walk| walk.images)
    }

    /// Follows `index.json` when there is one (OCI layouts, Docker 25+, containerd), otherwise the
    /// `manifest.json` of `docker save` up to Docker 24.
    pub fn walk_layout_with_problems(mut self) -> Result<Walk> {
        let store = self.source.store();
        let has_manifest_json = store.has_path("manifest.json");
        if has_manifest_json {
            let entries = read_docker_manifest(store)?;
            for entry in &entries {
                if let Some(name) = entry.repo_tags.first()
                    && let Some(hex) = entry.config.rsplit('/').next()
                {
                    let hex = hex.trim_end_matches(".json");
                    self.repo_tags.insert(format!("sha256:{hex}"), name.clone());
                }
            }
            if !store.has_path("index.json") {
                for entry in entries {
                    self.visit_docker_entry(entry)?;
                }
                return Ok(self.finish());
            }
        }
        if !store.has_path("index.json") {
            bail!("neither index.json nor manifest.json found: not an image archive or layout");
        }
        let index = store.read_small(&BlobKey::Path("index.json".into()), MAX_METADATA_SIZE)?;
        let index: Value = serde_json::from_slice(&index).context("index.json is not JSON")?;
        self.visit_index(&index, None, 0)?;
        Ok(self.finish())
    }

    /// Walks from a manifest or index fetched by reference (a registry, a skopeo `dir:`).
    pub fn walk_root_with_problems(mut self, bytes: &[u8], digest: &str) -> Result<Walk> {
        let value: Value = serde_json::from_slice(bytes)
            .with_context(|| format!("manifest {digest} is not JSON"))?;
        if value.get("manifests").is_some() {
            self.ancestors.push(digest.to_string());
            self.walked_indexes.insert(digest.to_string());
            self.visit_index(&value, None, 0)?;
        } else {
            self.visit_manifest(&value, digest, None, &Value::Null)?;
        }
        Ok(self.finish())
    }

    fn finish(mut self) -> Walk {
        for (subject, digest, bytes) in std::mem::take(&mut self.attestations) {
            let image = match &subject {
                Some(subject) => self
                    .images
                    .iter_mut()
                    .find(|i| &i.manifest_digest == subject),
                None => self.images.first_mut(),
            };
            // An attestation of a platform not selected is left out with its image.
            if let Some(image) = image {
                image.attestations.push((digest, bytes));
            }
        }
        Walk {
            images: self.images,
            problems: self.problems,
        }
    }

    /// Reads the manifest or index `digest` names and checks that its bytes have that digest.
    fn read_manifest(&mut self, digest: &str) -> Result<Value> {
        self.manifests_read += 1;
        let bytes = self
            .source
            .manifest(digest)
            .with_context(|| format!("cannot read manifest {digest}"))?;
        check_bytes("manifest", digest, &bytes)?;
        serde_json::from_slice(&bytes).with_context(|| format!("manifest {digest} is not JSON"))
    }

    /// Follows an index's entries. Depth, fan-out, the total number of manifests and cycles are
    /// bounded; an entry not followed is recorded as a problem and the others are still walked.
    fn visit_index(&mut self, index: &Value, name: Option<String>, depth: usize) -> Result<()> {
        let Some(manifests) = index.get("manifests").and_then(Value::as_array) else {
            bail!("image index has no \"manifests\" list");
        };
        let here = self
            .ancestors
            .last()
            .cloned()
            .unwrap_or_else(|| "index.json".into());
        if manifests.len() > MAX_INDEX_ENTRIES {
            self.problem(
                format!("{} index {here}", self.target),
                format!(
                    "lists {} manifests, more than {MAX_INDEX_ENTRIES}: the rest are not scanned",
                    manifests.len()
                ),
            );
        }
        for desc in manifests.iter().take(MAX_INDEX_ENTRIES) {
            let digest = str_field(desc, "digest")
                .with_context(|| "index entry has no digest".to_string())?
                .to_string();
            let annotations = desc.get("annotations").unwrap_or(&Value::Null);
            let name = annotation_name(annotations)
                .map(|n| self.qualify(n))
                .or_else(|| name.clone());
            let media_type = str_field(desc, "mediaType").unwrap_or("");
            let is_index =
                media_type.contains("image.index") || media_type.contains("manifest.list");
            if !is_index
                && annotations
                    .get(ANNOTATION_REFERENCE_TYPE)
                    .and_then(Value::as_str)
                    != Some("attestation-manifest")
                && let (Some(filter), Some(platform)) = (self.platform, desc.get("platform"))
                && !filter.matches(platform)
            {
                continue;
            }
            let subject = format!("{} manifest {digest}", self.target);
            if self.ancestors.contains(&digest) {
                self.problem(
                    subject,
                    format!("index {here} lists an index that contains it (a cycle): not followed"),
                );
                continue;
            }
            if self.walked_indexes.contains(&digest) || self.failed.contains(&digest) {
                // Shared by two parents: collected, or reported, the first time.
                continue;
            }
            if self.manifests_read >= MAX_MANIFESTS {
                self.problem(
                    subject,
                    format!("more than {MAX_MANIFESTS} manifests and indexes: not read"),
                );
                continue;
            }
            let value = match self.read_manifest(&digest) {
                Ok(value) => value,
                Err(err) => {
                    self.failed.insert(digest);
                    self.problem(subject, format!("{err:#}"));
                    continue;
                }
            };
            if is_index || value.get("manifests").is_some() {
                if depth + 1 > MAX_INDEX_DEPTH {
                    self.problem(
                        subject,
                        format!(
                            "image indexes nest more than {MAX_INDEX_DEPTH} deep: not followed"
                        ),
                    );
                    continue;
                }
                self.walked_indexes.insert(digest.clone());
                self.ancestors.push(digest.clone());
                let walked = self.visit_index(&value, name, depth + 1);
                self.ancestors.pop();
                if let Err(err) = walked {
                    self.problem(subject, format!("{err:#}"));
                }
            } else {
                let name = match (name, platform_text(desc)) {
                    (Some(n), Some(p)) => Some(format!("{n} [{p}]")),
                    (Some(n), None) => Some(n),
                    (None, Some(p)) => Some(format!("{} [{p}]", self.target)),
                    (None, None) => None,
                };
                if let Err(err) = self.visit_manifest(&value, &digest, name, annotations) {
                    self.problem(subject, format!("{err:#}"));
                }
            }
        }
        Ok(())
    }

    fn qualify(&self, name: &str) -> String {
        if name.contains(':') || name.contains('/') {
            name.to_string()
        } else {
            format!("{}:{name}", self.target)
        }
    }

    fn visit_manifest(
        &mut self,
        manifest: &Value,
        digest: &str,
        name: Option<String>,
        desc_annotations: &Value,
    ) -> Result<()> {
        let layers = manifest
            .get("layers")
            .and_then(Value::as_array)
            .with_context(|| format!("manifest {digest} has no layers list"))?;
        let is_attestation = desc_annotations
            .get(ANNOTATION_REFERENCE_TYPE)
            .and_then(Value::as_str)
            == Some("attestation-manifest")
            || (!layers.is_empty()
                && layers
                    .iter()
                    .all(|l| str_field(l, "mediaType") == Some(IN_TOTO_MEDIA_TYPE)));
        if is_attestation {
            let subject = desc_annotations
                .get(ANNOTATION_REFERENCE_DIGEST)
                .and_then(Value::as_str)
                .map(str::to_string);
            for layer in layers {
                if str_field(layer, "mediaType") != Some(IN_TOTO_MEDIA_TYPE) {
                    continue;
                }
                let blob = str_field(layer, "digest")
                    .with_context(|| format!("attestation {digest} has a layer without digest"))?;
                let bytes = self
                    .source
                    .store()
                    .read_small(&BlobKey::Digest(blob.to_string()), MAX_METADATA_SIZE)
                    .with_context(|| format!("cannot read attestation {blob}"))?;
                check_bytes("attestation", blob, &bytes)?;
                self.attestations
                    .push((subject.clone(), blob.to_string(), bytes));
            }
            return Ok(());
        }
        let config_digest = manifest
            .get("config")
            .and_then(|c| str_field(c, "digest"))
            .with_context(|| format!("manifest {digest} has no config"))?;
        let config = self
            .source
            .store()
            .read_small(
                &BlobKey::Digest(config_digest.to_string()),
                MAX_METADATA_SIZE,
            )
            .with_context(|| format!("cannot read config {config_digest}"))?;
        let name = name
            .or_else(|| self.repo_tags.get(config_digest).cloned())
            .unwrap_or_else(|| self.target.clone());
        if let Err(err) = check_bytes("config", config_digest, &config) {
            // The layers are still scanned; their own digests are checked as they are read.
            self.problem(format!("{name} config"), format!("{err:#}"));
        }
        let diff_ids = diff_ids(&config);
        self.check_diff_id_count(&name, diff_ids.len(), layers.len());
        let mut descs = Vec::new();
        for (i, layer) in layers.iter().enumerate() {
            let blob = str_field(layer, "digest")
                .with_context(|| format!("manifest {digest}: layer {i} has no digest"))?;
            descs.push(LayerDesc {
                key: BlobKey::Digest(blob.to_string()),
                media_type: str_field(layer, "mediaType").unwrap_or("").to_string(),
                diff_id: diff_ids.get(i).cloned(),
            });
        }
        self.images.push(ImageDesc {
            name,
            manifest_digest: digest.to_string(),
            config,
            annotations: string_map(manifest.get("annotations")),
            layers: descs,
            attestations: Vec::new(),
        });
        Ok(())
    }

    fn visit_docker_entry(&mut self, entry: DockerManifestEntry) -> Result<()> {
        let store = self.source.store();
        let config = store
            .read_small(&BlobKey::Path(entry.config.clone()), MAX_METADATA_SIZE)
            .with_context(|| format!("cannot read config {}", entry.config))?;
        let image_id = format!("sha256:{}", hex::encode(Sha256::digest(&config)));
        let name = entry
            .repo_tags
            .first()
            .cloned()
            .unwrap_or_else(|| self.target.clone());
        let diff_ids = diff_ids(&config);
        self.check_diff_id_count(&name, diff_ids.len(), entry.layers.len());
        let layers = entry
            .layers
            .iter()
            .enumerate()
            .map(|(i, path)| LayerDesc {
                key: BlobKey::Path(path.clone()),
                media_type: String::new(),
                diff_id: diff_ids.get(i).cloned(),
            })
            .collect();
        self.images.push(ImageDesc {
            name,
            manifest_digest: image_id,
            config,
            annotations: Vec::new(),
            layers,
            attestations: Vec::new(),
        });
        Ok(())
    }
}

impl ImageWalker<'_> {
    /// A config must name one diff_id per layer; layers without one cannot be checked.
    fn check_diff_id_count(&mut self, image: &str, diff_ids: usize, layers: usize) {
        if diff_ids != layers {
            self.problem(
                format!("{image} config"),
                format!(
                    "rootfs.diff_ids lists {diff_ids} layers but the manifest {layers}: the \
                     layers without one are scanned, their content unchecked"
                ),
            );
        }
    }
}

/// One image in a `docker save` manifest.json.
struct DockerManifestEntry {
    config: String,
    repo_tags: Vec<String>,
    layers: Vec<String>,
}

fn read_docker_manifest(store: &dyn BlobStore) -> Result<Vec<DockerManifestEntry>> {
    let bytes = store.read_small(&BlobKey::Path("manifest.json".into()), MAX_METADATA_SIZE)?;
    let value: Value = serde_json::from_slice(&bytes).context("manifest.json is not JSON")?;
    let Some(entries) = value.as_array() else {
        bail!("manifest.json is not a list of images");
    };
    entries
        .iter()
        .map(|e| {
            Ok(DockerManifestEntry {
                config: str_field(e, "Config")
                    .context("manifest.json entry has no Config")?
                    .to_string(),
                repo_tags: string_list(e.get("RepoTags")),
                layers: string_list(e.get("Layers")),
            })
        })
        .collect()
}

/// The name an index entry's annotations give it: containerd's full name, else the OCI ref name.
fn annotation_name(annotations: &Value) -> Option<&str> {
    annotations
        .get(ANNOTATION_CONTAINERD_NAME)
        .or_else(|| annotations.get(ANNOTATION_REF_NAME))
        .and_then(Value::as_str)
}

fn diff_ids(config: &[u8]) -> Vec<String> {
    serde_json::from_slice::<Value>(config)
        .ok()
        .map(|c| string_list(c.get("rootfs").and_then(|r| r.get("diff_ids"))))
        .unwrap_or_default()
}

fn str_field<'v>(value: &'v Value, name: &str) -> Option<&'v str> {
    value.get(name).and_then(Value::as_str)
}

/// A JSON list of strings (missing or null: empty).
pub fn string_list(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON object of strings as sorted pairs (missing or null: empty).
pub fn string_map(value: Option<&Value>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = value
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}
