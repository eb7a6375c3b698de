#!/usr/bin/env bash
# Whole-process timing of `ferret scan dir` against gitleaks and kingfisher on the same tree, in the
# same run, alternating the tools so machine drift hits them alike.
#
# usage: benches/compare_dir.sh TREE [RUNS]
#   GITLEAKS=/path/to/gitleaks KINGFISHER=/path/to/kingfisher benches/compare_dir.sh ~/src/big-tree 5
# Needs GNU time (/usr/bin/time). Prints the median wall time, CPU use and peak RSS of each tool and
# the ratios against ferret. Peers that are not given are left out.
set -euo pipefail
tree=${1:?usage: compare_dir.sh TREE [RUNS]}
runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
ferret=${FERRET:-$here/target/release/ferret}
[ -x "$ferret" ] || (cd "$here" && cargo build --release --quiet)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

declare -A cmd
cmd[ferret]="$ferret scan dir $tree --format json --output $out/ferret.json --quiet"
[ -n "${GITLEAKS:-}" ] && cmd[gitleaks]="$GITLEAKS dir $tree --report-path $out/gitleaks.json --no-banner --log-level error --exit-code 0"
[ -n "${KINGFISHER:-}" ] && cmd[kingfisher]="$KINGFISHER scan $tree --format json --output $out/kingfisher.json --no-update-check --no-validate"

for ((i = 0; i < runs; i++)); do
  for tool in "${!cmd[@]}"; do
    /usr/bin/time -f "%e %P %M" -o "$out/$tool.$i.time" ${cmd[$tool]} >/dev/null 2>&1 || true
  done
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A wall
printf '%-11s %10s %8s %12s\n' tool "wall (s)" "cpu" "peak RSS MB"
for tool in "${!cmd[@]}"; do
  # GNU time prepends "Command exited with non-zero status N" when a tool reports findings.
  times() { for f in "$out/$tool".*.time; do tail -n 1 "$f"; done; }
  wall[$tool]=$(times | awk '{print $1}' | median)
  cpu=$(times | awk '{print $2}' | tr -d % | median)
  rss=$(times | awk '{print $3}' | median)
  printf '%-11s %10s %7s%% %12d\n' "$tool" "${wall[$tool]}" "$cpu" $((rss / 1024))
done
for tool in "${!cmd[@]}"; do
  [ "$tool" = ferret ] && continue
  awk -v a="${wall[$tool]}" -v b="${wall[ferret]}" -v t="$tool" 'BEGIN {printf "%s / ferret: %.1fx\n", t, a / b}'
done
