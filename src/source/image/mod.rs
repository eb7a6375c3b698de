//! Container images without a Docker engine: `docker save` tars (all Docker versions and the
//! containerd store), OCI layouts and `oci-archive` tars, and registries. Every layer is scanned,
//! including files a later layer deletes (reported "removed in layer N"), and the image metadata
//! (config, history, annotations, attestations) is scanned as its own origin.

pub mod auth;
pub mod credentials;
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

use self::layer::{LayerScan, scan_layer};
use self::manifest::{ImageDesc, ImageWalker, LayerDesc, ManifestSource, Platform};
use self::registry::{Reference, RegistryOptions, RegistryStore};
use self::store::{BlobStore, DirStore, TarStore};
use crate::scan::{Scanner, ThreadState};
use crate::source::Origin;
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

/// Something images are read from, shared by the layer-scanning threads.
type Source = Box<dyn ManifestSource + Send + Sync>;

/// Scans every image of every target. A target that cannot be read is recorded as an error and
/// the others are still scanned.
pub fn scan_images(opts: &ImageOptions, scanner: &Scanner) -> Result<()> {
    let mut sources: Vec<Source> = Vec::new();
    let mut images: Vec<(usize, ImageDesc)> = Vec::new();
    for target in &opts.targets {
        match open_target(target, opts) {
            Ok((source, found)) => {
                let index = sources.len();
                sources.push(source);
                images.extend(found.into_iter().map(|image| (index, image)));
            }
            Err(err) => scanner.stats.error(target.clone(), format!("{err:#}")),
        }
    }

    images
        .par_iter()
        .for_each_init(ThreadState::default, |state, (_, image)| {
            metadata::scan_metadata(image, scanner, state)
        });

    // Each distinct layer (by uncompressed digest) is read once, whichever images share it.
    let mut distinct: Vec<(usize, &ImageDesc, usize, &LayerDesc)> = Vec::new();
    let mut slot_of: HashMap<&str, usize> = HashMap::new();
    for (source, image) in &images {
        for (index, layer) in image.layers.iter().enumerate() {
            slot_of.entry(&layer.diff_id).or_insert_with(|| {
                distinct.push((*source, image, index, layer));
                distinct.len() - 1
            });
        }
    }
    let scans: Vec<LayerScan> = distinct
        .par_iter()
        .map_init(
            ThreadState::default,
            |state, (source, image, index, layer)| {
                let template = layer_origin(image, *index, layer, String::new(), None);
                let subject = format!("{} layer {index} ({})", image.name, layer.key.as_str());
                match sources[*source].store().open(&layer.key) {
                    Ok(blob) => scan_layer(blob, &template, &subject, scanner, &opts.limits, state),
                    Err(err) => {
                        scanner.stats.error(subject, format!("{err:#}"));
                        LayerScan::default()
                    }
                }
            },
        )
        .collect();

    for (_, image) in &images {
        let layer_scans: Vec<&LayerScan> = image
            .layers
            .iter()
            .map(|l| &scans[slot_of[l.diff_id.as_str()]])
            .collect();
        for (index, layer) in image.layers.iter().enumerate() {
            for finding in &layer_scans[index].findings {
                let path = finding.origin.path();
                let removed = (index + 1..image.layers.len())
                    .find(|&later| layer_scans[later].changes.removes(path));
                let mut finding = finding.clone();
                finding.origin =
                    Arc::new(layer_origin(image, index, layer, path.to_string(), removed));
                scanner.report_finding(finding);
            }
        }
    }
    Ok(())
}

fn layer_origin(
    image: &ImageDesc,
    index: usize,
    layer: &LayerDesc,
    path: String,
    removed_in_layer: Option<usize>,
) -> Origin {
    Origin::ImageLayer {
        image: image.name.clone(),
        image_digest: image.manifest_digest.clone(),
        layer_index: index,
        layer_digest: layer.key.as_str().to_string(),
        diff_id: layer.diff_id.clone(),
        path,
        removed_in_layer,
    }
}

/// Opens a target: an existing path (tar or OCI layout directory, optionally prefixed with
/// `oci:`, `oci-archive:` or `docker-archive:`) or else a registry reference.
fn open_target(target: &str, opts: &ImageOptions) -> Result<(Source, Vec<ImageDesc>)> {
    let platform = opts.platform.as_ref();
    let path_text = ["oci:", "oci-archive:", "docker-archive:"]
        .iter()
        .find_map(|prefix| target.strip_prefix(prefix))
        .unwrap_or(target);
    let path = Path::new(path_text);
    if path.exists() {
        let store: Box<dyn BlobStore> = if path.is_dir() {
            Box::new(DirStore::new(path))
        } else {
            Box::new(TarStore::open(path)?)
        };
        let source = Box::new(LayoutSource { store });
        let images = ImageWalker::new(source.as_ref(), target, platform).walk_layout()?;
        return Ok((source, images));
    }
    let reference =
        Reference::parse(target).with_context(|| format!("no such file or directory: {target}"))?;
    let store = Box::new(RegistryStore::new(&reference, &opts.registry)?);
    let (bytes, digest) = store.root_manifest(&reference.reference)?;
    let images = ImageWalker::new(store.as_ref(), target, platform).walk_root(&bytes, &digest)?;
    Ok((store, images))
}
