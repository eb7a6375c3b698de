#!/usr/bin/env bash
# The history measurement, reproducible on any repository: how long reading every object once
# takes (`git cat-file --batch-all-objects`, the floor), and what a whole-history scan by ferret,
# and by betterleaks and kingfisher when they are installed, costs on top of it.
#
# usage: benches/history.sh REPO [RUNS]
#   REPO   a bare repository, a .git directory or a work tree
#   RUNS   runs per tool (default 1); the median run is printed
#   FERRET=BIN        ferret to run (default target/release/ferret; `cargo build --release`)
#   GITLEAKS=BIN      gitleaks to run (default: `gitleaks` on PATH, else left out)
#   BETTERLEAKS=BIN   betterleaks to run (default: `betterleaks` on PATH, else left out)
#   KINGFISHER=BIN    kingfisher to run (default: `kingfisher` on PATH, else left out)
# Prints per tool: wall seconds, CPU seconds (user + system), peak RSS and MB/s of unique blob
# bytes (the sum of the sizes of every blob in the object database, each counted once, over the
# wall time), then each tool's wall and CPU as a ratio to ferret's, all from this one run. Timed by GNU time (/usr/bin/time) when present, else by python3's resource module.
# Nothing is downloaded; the tools' reports go to a temporary directory.
set -euo pipefail

repo=${1:?usage: history.sh REPO [RUNS]}
runs=${2:-1}
here=$(cd "$(dirname "$0")/.." && pwd)
ferret=${FERRET:-$here/target/release/ferret}
gitleaks=${GITLEAKS:-$(command -v gitleaks || true)}
betterleaks=${BETTERLEAKS:-$(command -v betterleaks || true)}
kingfisher=${KINGFISHER:-$(command -v kingfisher || true)}
[ -d "$repo" ] || { echo "not a directory: $repo" >&2; exit 2; }
[ -x "$ferret" ] || { echo "ferret not found: $ferret (cargo build --release, or FERRET=BIN)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Runs the command once, its output discarded; prints "wall user sys peak_rss_kib".
measure() {
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "%e %U %S %M" -o "$out/time" "$@" >/dev/null 2>"$out/stderr" || true
    # GNU time puts "Command exited with non-zero status N" first when a tool reports findings.
    tail -n 1 "$out/time"
  else
    python3 - "$@" <<'EOF'
import resource, subprocess, sys, time
start = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.monotonic() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
# ru_maxrss is in KiB on Linux.
print(f"{wall:.2f} {usage.ru_utime:.2f} {usage.ru_stime:.2f} {usage.ru_maxrss}")
EOF
  fi
}

# Blob bytes are the work every tool shares, so throughput is quoted over them.
blob_bytes=$(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
  awk '$1 == "blob" { n++; s += $2 } END { printf "%d %d\n", n, s }')
read -r blobs bytes <<<"$blob_bytes"

echo "repository: $repo"
echo "  $(git -C "$repo" rev-list --all --count) commits, $blobs unique blobs, $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') MB of blob bytes"
echo "  $(nproc) cores, $runs run(s) per tool, timed by $([ -x /usr/bin/time ] && echo 'GNU time' || echo 'python3 resource')"
echo
printf '%-12s %9s %9s %13s %9s\n' tool "wall (s)" "cpu (s)" "peak RSS MB" "MB/s"

# Times `runs` runs of the command and prints the median one (by wall time).
bench() {
  local name=$1
  shift
  for _ in $(seq "$runs"); do
    measure "$@"
  done | sort -n | awk -v n="$runs" -v name="$name" -v bytes="$bytes" '
    { wall[NR] = $1; cpu[NR] = $2 + $3; rss[NR] = $4 }
    END {
      m = int((n + 1) / 2)
      rate = 0
      if (wall[m] > 0) rate = bytes / 1e6 / wall[m]
      printf "%-12s %9.2f %9.2f %13.0f %9.1f\n", name, wall[m], cpu[m], rss[m] / 1024, rate
    }' | tee -a "$out/medians"
}

bench cat-file git -C "$repo" cat-file --batch-all-objects --batch --unordered
bench ferret "$ferret" scan git "$repo" --format json -o /dev/null --quiet
if [ -n "$gitleaks" ] && [ -x "$gitleaks" ]; then
  bench gitleaks "$gitleaks" git "$repo" --no-banner --exit-code 0 --report-format json \
    --report-path "$out/gitleaks.json"
else
  echo "gitleaks     (not installed or not executable: put it on PATH or set GITLEAKS)"
fi
if [ -n "$betterleaks" ] && [ -x "$betterleaks" ]; then
  bench betterleaks "$betterleaks" git "$repo" --no-banner -o "$out/betterleaks.json" --exit-code 0
else
  echo "betterleaks  (not installed or not executable: put it on PATH or set BETTERLEAKS)"
fi
if [ -n "$kingfisher" ] && [ -x "$kingfisher" ]; then
  bench kingfisher "$kingfisher" scan "$repo" --no-validate --no-update-check \
    --format json --output "$out/kingfisher.json"
else
  echo "kingfisher   (not installed or not executable: put it on PATH or set KINGFISHER)"
fi

# Ratios from the medians above: a peer's time over ferret's (above 1: ferret is faster).
echo
awk '
  { wall[$1] = $2; cpu[$1] = $3; order[NR] = $1 }
  END {
    for (i = 1; i <= NR; i++) {
      t = order[i]
      if (t != "ferret" && wall["ferret"] > 0 && cpu["ferret"] > 0)
        printf "%-12s / ferret: wall %.2fx, cpu %.2fx\n", t, wall[t] / wall["ferret"], cpu[t] / cpu["ferret"]
    }
  }' "$out/medians"
