#!/usr/bin/env bash
# Prints the cache key of the ferret install for this action's source: it changes with ferret's
# version, the pinned release binary, how ferret is installed, and every file a build reads. (`hashFiles` sees only the workspace, not the
# action's own directory, so the key is computed here.) With GITHUB_OUTPUT set, also writes
# `key=...` there.
set -euo pipefail
src=${1:-${FERRET_SOURCE:?set FERRET_SOURCE to the action source directory}}
cd "$src"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
digest=$(
  {
    printf '%s\n' Cargo.toml Cargo.lock build.rs action/release.txt
    find src rules -type f
  } | LC_ALL=C sort | while IFS= read -r f; do
    [ -f "$f" ] && printf '%s\0' "$f" && sha256sum <"$f"
  done | sha256sum | cut -c1-32
)
how=release
[ "${FERRET_BUILD_FROM_SOURCE:-false}" = true ] && how=source
key="ferret-${RUNNER_OS:-$(uname -s)}-${RUNNER_ARCH:-$(uname -m)}-${version}-${how}-${digest}"
echo "$key"
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "key=$key" >>"$GITHUB_OUTPUT"
fi
