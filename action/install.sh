#!/usr/bin/env bash
# Installs ferret into $FERRET_ROOT (cached between runs) and puts it on the job's PATH.
#
# By default it downloads the release binary that this version of the action pins in
# action/release.txt (the release version and the SHA-256 of each target's archive, written when
# a release is made) and refuses the download unless its SHA-256 is the pinned one: a cold run
# starts in seconds and runs exactly the reviewed binary. It builds from the action's own source
# with cargo when FERRET_BUILD_FROM_SOURCE is `true`, or when no release is pinned for the
# runner's platform (as before the first release).
#
# FERRET_RELEASE_URL replaces the download base (a mirror; the tests' local server). The checksum
# is pinned either way, so what is downloaded is never trusted for what it claims to be.
set -euo pipefail
: "${FERRET_SOURCE:?set FERRET_SOURCE to the action source directory}"
: "${FERRET_ROOT:?set FERRET_ROOT to the install directory}"
exe=""
case "${RUNNER_OS:-$(uname -s)}" in Windows | MINGW* | MSYS*) exe=".exe" ;; esac
bin="$FERRET_ROOT/bin/ferret$exe"

# The release target of this runner, or nothing when ferret publishes no binary for it.
runner_target() {
  case "${RUNNER_OS:-$(uname -s)}/${RUNNER_ARCH:-$(uname -m)}" in
    Linux/X64 | Linux/x86_64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) echo aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum -- "$1" | cut -d' ' -f1
  else
    shasum -a 256 -- "$1" | cut -d' ' -f1
  fi
}

# Downloads, checks and installs the archive of target $1 of release $2 whose SHA-256 is $3.
install_release() {
  local target=$1 version=$2 pinned=$3
  local archive="ferret-$target.tar.gz"
  [ -n "$exe" ] && archive="ferret-$target.zip"
  local base=${FERRET_RELEASE_URL:-https://github.com/ferret-scanner/ferret/releases/download}
  local proto="=https"
  [ -n "${FERRET_RELEASE_URL:-}" ] && proto="=https,http"
  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $tmp is local to this function
  trap "rm -rf -- '$tmp'" RETURN
  echo "ferret: downloading $archive of v$version"
  curl --fail --silent --show-error --location --proto "$proto" --proto-redir "$proto" \
    --retry 3 --max-time 120 --output "$tmp/$archive" -- "$base/v$version/$archive"
  local actual
  actual=$(sha256_of "$tmp/$archive")
  if [ "$actual" != "$pinned" ]; then
    echo "ferret: $archive has SHA-256 $actual, not the $pinned this action pins: refusing it" >&2
    return 1
  fi
  if [ -n "$exe" ]; then
    (cd "$tmp" && 7z x -y "$archive" >/dev/null)
  else
    tar -xzf "$tmp/$archive" -C "$tmp"
  fi
  mkdir -p "$FERRET_ROOT/bin"
  cp -- "$tmp/ferret-$target/ferret$exe" "$bin"
  chmod 0755 "$bin"
}

if [ ! -x "$bin" ]; then
  target=$(runner_target)
  pins="$FERRET_SOURCE/action/release.txt"
  version=$(awk '$1 == "version" { print $2 }' "$pins")
  pinned=""
  [ -n "$target" ] && pinned=$(awk -v t="$target" '$1 == t { print $2 }' "$pins")
  if [ "${FERRET_BUILD_FROM_SOURCE:-false}" != true ] && [ -n "$pinned" ]; then
    install_release "$target" "$version" "$pinned"
  else
    [ "${FERRET_BUILD_FROM_SOURCE:-false}" = true ] ||
      echo "ferret: no release binary is pinned for ${target:-this runner}; building from source"
    cargo install --locked --quiet --path "$FERRET_SOURCE" --root "$FERRET_ROOT"
  fi
fi
"$bin" --version
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$FERRET_ROOT/bin" >>"$GITHUB_PATH"
fi
