//! Partial clones (`git clone --filter=...`): their remote promised the blobs it did not send,
//! so a blob missing from such a repository is expected rather than corruption. ferret never
//! fetches promised objects (a scan must not reach the network, nor hand the remote a list of
//! what it reads); it counts them so the report can say the history was not scanned whole.

/// Whether `repo` is a partial clone: a remote marked as promisor, the `partialClone` extension,
/// or a pack that came from a promisor remote (`.promisor` next to it).
pub fn is_partial_clone(repo: &gix::Repository) -> bool {
    let config = repo.config_snapshot();
    if config.string("extensions.partialClone").is_some() {
        return true;
    }
    let promisor_remote = repo.remote_names().iter().any(|name| {
        config
            .boolean(format!("remote.{name}.promisor").as_str())
            .unwrap_or(false)
    });
    promisor_remote || has_promisor_pack(&repo.objects.store_ref().path().join("pack"))
}

fn has_promisor_pack(pack_dir: &std::path::Path) -> bool {
    std::fs::read_dir(pack_dir).is_ok_and(|entries| {
        entries
            .filter_map(Result::ok)
            .any(|e| e.path().extension().is_some_and(|ext| ext == "promisor"))
    })
}
