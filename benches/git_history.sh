#!/usr/bin/env bash
# Whole-history scan of one repository: ferret against gitleaks, betterleaks and kingfisher, and
# against the floor of decompressing every object once (`git cat-file --batch-all-objects`).
#
# Usage: benches/git_history.sh REPO [--runs N] [--ferret BIN] [--gitleaks BIN] [--betterleaks BIN]
#                                     [--kingfisher BIN]
#   REPO is a git directory (bare or .git) or a work tree. Peers left out are not run.
#   ferret defaults to target/release/ferret (build it first with `cargo build --release`).
# Prints each tool's wall times, the median, and the ratios to ferret's median; all measured in
# this one run. Nothing is downloaded.
set -euo pipefail

repo=${1:?usage: git_history.sh REPO [--runs N] [--ferret BIN] [--gitleaks BIN] [--betterleaks BIN] [--kingfisher BIN]}
shift
runs=3
ferret=target/release/ferret
gitleaks=
betterleaks=
kingfisher=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --ferret) ferret=$2; shift 2 ;;
    --gitleaks) gitleaks=$2; shift 2 ;;
    --betterleaks) betterleaks=$2; shift 2 ;;
    --kingfisher) kingfisher=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -d "$repo" ] || { echo "not a directory: $repo" >&2; exit 2; }
[ -x "$ferret" ] || { echo "ferret binary not found: $ferret (cargo build --release)" >&2; exit 2; }

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Wall-clock seconds of one run of the command; its output goes to $out.
time_one() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$out/stdout" 2>"$out/stderr" || true
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

median() {
  sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'
}

declare -A medians
bench() {
  local name=$1; shift
  local times=()
  for _ in $(seq "$runs"); do
    times+=("$(time_one "$@")")
  done
  medians[$name]=$(printf '%s\n' "${times[@]}" | median)
  printf '%-12s median %8.2fs   runs: %s\n' "$name" "${medians[$name]}" "${times[*]}"
}

echo "repository: $repo ($(git -C "$repo" rev-list --all --count) commits, $(git -C "$repo" count-objects -v | awk '/size-pack/ {print $2}') KiB packed)"
echo "cores: $(nproc); runs per tool: $runs"
bench cat-file git -C "$repo" cat-file --batch-all-objects --batch --unordered
bench ferret "$ferret" scan git "$repo" --format json --output "$out/ferret.json" --quiet
[ -n "$gitleaks" ] && bench gitleaks "$gitleaks" git "$repo" --no-banner --exit-code 0 --report-format json --report-path "$out/gitleaks.json"
[ -n "$betterleaks" ] && bench betterleaks "$betterleaks" git "$repo" --no-banner --exit-code=0 --output "$out/betterleaks.json"
[ -n "$kingfisher" ] && bench kingfisher "$kingfisher" scan "$repo" --no-validate --no-update-check --format json --output "$out/kingfisher.json"

echo
f=${medians[ferret]}
for name in "${!medians[@]}"; do
  [ "$name" = ferret ] && continue
  printf '%-12s / ferret = %.2fx\n' "$name" "$(echo "${medians[$name]} / $f" | bc -l)"
done
