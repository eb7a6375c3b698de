//! Container images without a Docker engine: `docker save` tars (all Docker versions and the
//! containerd store), OCI layouts and `oci-archive` tars, and registries. Every layer is scanned,
//! including files a later layer deletes (reported "removed in layer N"), and the image metadata
//! (config, history, annotations, attestations) is scanned as its own origin.

pub mod auth;
pub mod credentials;
pub mod digest;
pub mod layer;
pub mod manifest;
pub mod metadata;
pub mod registry;
pub mod store;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, Result};
use rayon::prelude::*;

use self::layer::{LayerClaims, LayerContext, LayerScan, scan_layer_checked};
use self::manifest::{
    ImageDesc, ImageWalker, LayerDesc, MAX_METADATA_SIZE, ManifestSource, Platform, Walk,
};
use self::registry::{Reference, RegistryOptions, RegistryStore};
use self::store::{BlobKey, BlobStore, DirNaming, DirStore, TarStore};
use crate::pipeline::Origin;
use crate::pipeline::Sink;
use crate::source::archive::ArchiveLimits;

/// Options for `ferret scan image`.
#[derive(Debug, Clone, Default)]
pub struct ImageOptions {
    /// Tars, layout directories or registry references.
    pub targets: Vec<String>,
    /// Only this platform of multi-platform images (default: all).
    pub platform: Option<Platform>,
    /// Registry access.
    pub registry: RegistryOptions,
    /// Limits for archives found inside layers.
    pub limits: ArchiveLimits,
}

/// A store of blobs found in a layout (tar or directory).
struct LayoutSource {
    store: Box<dyn BlobStore>,
}

impl ManifestSource for LayoutSource {
    fn store(&self) -> &dyn BlobStore {
        self.store.as_ref()
    }
}

/// A skopeo `dir:` directory: the root manifest in `manifest.json`, the instances of a copied
/// manifest list in `<hex>.manifest.json`, blobs named by their hex digest.
struct SkopeoDirSource {
    store: DirStore,
}

impl ManifestSource for SkopeoDirSource {
    fn store(&self) -> &dyn BlobStore {
        &self.store
    }

    fn manifest(&self, digest: &str) -> Result<Vec<u8>> {
        digest::Algorithm::of(digest)?;
        let hex = digest.split_once(':').map_or(digest, |(_, hex)| hex);
        self.store.read_small(
            &BlobKey::Path(format!("{hex}.manifest.json")),
            MAX_METADATA_SIZE,
        )
    }
}

/// The first line skopeo writes into a `dir:` directory's `version` file.
const SKOPEO_DIR_VERSION: &str = "Directory Transport Version:";

/// Something images are read from, shared by the layer-scanning threads.
type Source = Box<dyn ManifestSource + Send + Sync>;

/// Scans every image of every target. A target that cannot be read is recorded as an error and
/// the others are still scanned.
pub fn scan_images<S: Sink>(opts: &ImageOptions, sink: &S) -> Result<()> {
    let mut sources: Vec<Source> = Vec::new();
    let mut images: Vec<(usize, ImageDesc)> = Vec::new();
    for target in &opts.targets {
        match open_target(target, opts) {
            Ok((source, walk)) => {
                for problem in walk.problems {
                    sink.stats().error(problem.subject, problem.message);
                }
                let index = sources.len();
                sources.push(source);
                images.extend(walk.images.into_iter().map(|image| (index, image)));
            }
            Err(err) => sink.stats().error(target.clone(), format!("{err:#}")),
        }
    }

    images
        .par_iter()
        .for_each_init(S::Thread::default, |state, (_, image)| {
            metadata::scan_metadata(image, sink, state)
        });

    // A layer is read once per store location and claimed diff_id, however many images list it:
    // the same key in the same store is the same bytes, and the digests are checked as they are
    // read. Two layers that merely claim one diff_id are both read.
    let mut distinct: Vec<(usize, &ImageDesc, usize, &LayerDesc)> = Vec::new();
    let mut slot_of: HashMap<LayerSlot, usize> = HashMap::new();
    for (source, image) in &images {
        for (index, layer) in image.layers.iter().enumerate() {
            slot_of
                .entry(LayerSlot::of(*source, layer))
                .or_insert_with(|| {
                    distinct.push((*source, image, index, layer));
                    distinct.len() - 1
                });
        }
    }
    let scans: Vec<LayerScan> = distinct
        .par_iter()
        .map_init(
            S::Thread::default,
            |state, (source, image, index, layer)| {
                let template = layer_origin(image, *index, layer, None, String::new(), None);
                let subject = format!("{} layer {index} ({})", image.name, layer.key.as_str());
                let claims = LayerClaims {
                    blob_digest: match &layer.key {
                        BlobKey::Digest(digest) => Some(digest.as_str()),
                        BlobKey::Path(_) => None,
                    },
                    diff_id: layer.diff_id.as_deref(),
                };
                let context = LayerContext {
                    template: &template,
                    sink,
                    limits: &opts.limits,
                };
                match sources[*source].store().open(&layer.key) {
                    Ok(blob) => scan_layer_checked(blob, claims, &context, &subject, state),
                    Err(err) => {
                        sink.stats().error(subject, format!("{err:#}"));
                        LayerScan::default()
                    }
                }
            },
        )
        .collect();

    for (source, image) in &images {
        let layer_scans: Vec<&LayerScan> = image
            .layers
            .iter()
            .map(|l| &scans[slot_of[&LayerSlot::of(*source, l)]])
            .collect();
        for (index, layer) in image.layers.iter().enumerate() {
            let scan = layer_scans[index];
            for finding in &scan.findings {
                let path = finding.origin.path();
                let removed = (index + 1..image.layers.len())
                    .find(|&later| layer_scans[later].changes.removes(path));
                let mut finding = finding.clone();
                finding.origin = Arc::new(layer_origin(
                    image,
                    index,
                    layer,
                    scan.diff_id.as_deref(),
                    path.to_string(),
                    removed,
                ));
                sink.report_finding(finding);
            }
        }
    }
    Ok(())
}

/// Which reads of a layer are the same: one store, one blob key, one claimed diff_id.
#[derive(Debug, PartialEq, Eq, Hash)]
struct LayerSlot {
    source: usize,
    key: BlobKey,
    diff_id: Option<String>,
}

impl LayerSlot {
    fn of(source: usize, layer: &LayerDesc) -> Self {
        Self {
            source,
            key: layer.key.clone(),
            diff_id: layer.diff_id.clone(),
        }
    }
}

/// The origin of a layer's file. `read_diff_id` is the digest of the uncompressed bytes actually
/// read, which names the layer in reports in preference to the config's claim.
fn layer_origin(
    image: &ImageDesc,
    index: usize,
    layer: &LayerDesc,
    read_diff_id: Option<&str>,
    path: String,
    removed_in_layer: Option<usize>,
) -> Origin {
    Origin::ImageLayer {
        image: image.name.clone(),
        image_digest: image.manifest_digest.clone(),
        layer_index: index,
        layer_digest: layer.key.as_str().to_string(),
        diff_id: read_diff_id
            .map(str::to_string)
            .or_else(|| layer.diff_id.clone())
            .unwrap_or_else(|| layer.key.as_str().to_string()),
        path,
        removed_in_layer,
    }
}

/// Opens a target: an existing path (tar, OCI layout directory or skopeo `dir:` directory,
/// optionally prefixed with `oci:`, `oci-archive:`, `docker-archive:` or `dir:`) or else a
/// registry reference.
fn open_target(target: &str, opts: &ImageOptions) -> Result<(Source, Walk)> {
    let platform = opts.platform.as_ref();
    let path_text = ["oci:", "oci-archive:", "docker-archive:", "dir:"]
        .iter()
        .find_map(|prefix| target.strip_prefix(prefix))
        .unwrap_or(target);
    let path = Path::new(path_text);
    if path.exists() {
        if path.is_dir() && is_skopeo_dir(path) {
            let source = Box::new(SkopeoDirSource {
                store: DirStore::with_naming(path, DirNaming::Skopeo),
            });
            let bytes = source
                .store
                .read_small(&BlobKey::Path("manifest.json".into()), MAX_METADATA_SIZE)?;
            let digest = digest::digest_of(digest::Algorithm::Sha256, &bytes);
            let walk = ImageWalker::new(source.as_ref(), target, platform)
                .walk_root_with_problems(&bytes, &digest)?;
            return Ok((source, walk));
        }
        let store: Box<dyn BlobStore> = if path.is_dir() {
            Box::new(DirStore::new(path))
        } else {
            Box::new(TarStore::open(path)?)
        };
        let source = Box::new(LayoutSource { store });
        let walk =
            ImageWalker::new(source.as_ref(), target, platform).walk_layout_with_problems()?;
        return Ok((source, walk));
    }
    let reference =
        Reference::parse(target).with_context(|| format!("no such file or directory: {target}"))?;
    let store = Box::new(RegistryStore::new(&reference, &opts.registry)?);
    let (bytes, digest) = store.root_manifest(&reference.reference)?;
    let walk = ImageWalker::new(store.as_ref(), target, platform)
        .walk_root_with_problems(&bytes, &digest)?;
    Ok((store, walk))
}

/// Whether `dir` is a skopeo `dir:` directory: a `version` file saying so, and no OCI
/// `index.json`.
fn is_skopeo_dir(dir: &Path) -> bool {
    if dir.join("index.json").exists() {
        return false;
    }
    let store = DirStore::new(dir);
    store
        .read_small(&BlobKey::Path("version".into()), 4096)
        .is_ok_and(|v| v.starts_with(SKOPEO_DIR_VERSION.as_bytes()))
}
