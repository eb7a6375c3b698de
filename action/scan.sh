#!/usr/bin/env bash
# The action's scan step. Inputs come as FERRET_* environment variables (see action.yml); it writes
# `findings` and `sarif-path` to $GITHUB_OUTPUT and exits 1 on findings when asked to.
set -euo pipefail
ferret=${FERRET_BIN:-ferret}
command -v "$ferret" >/dev/null || ferret="${FERRET_ROOT:-}/bin/ferret"
mode=${FERRET_MODE:-changes}
path=${FERRET_PATH:-.}
sarif=${FERRET_SARIF:-ferret.sarif}
zero=0000000000000000000000000000000000000000

target=()
case "$mode" in
  changes)
    base=${FERRET_BASE:-}
    head=${FERRET_HEAD:-HEAD}
    if [ -n "$base" ] && [ "$base" != "$zero" ]; then
      # The base may be absent from a shallow checkout; fetch it so the range resolves.
      git -C "$path" cat-file -e "$base^{commit}" 2>/dev/null || git -C "$path" fetch --quiet --no-tags origin -- "$base" || true
      target=(git --range "$base..$head")
    else
      # A new branch or a first push: there is no "before"; scan everything reachable from head.
      target=(git --branch "$head")
    fi
    ;;
  history) target=(git) ;;
  dir) target=(dir) ;;
  *) echo "::error title=ferret::unknown mode '$mode' (changes, history or dir)"; exit 2 ;;
esac

common=()
[ -n "${FERRET_CONFIG:-}" ] && common+=(--config "$FERRET_CONFIG")
# shellcheck disable=SC2206 # extra arguments are split on purpose
[ -n "${FERRET_ARGS:-}" ] && common+=(${FERRET_ARGS})

status=0
# The path goes last, after `--`, so a path that looks like an option is still read as a path.
"$ferret" scan "${target[@]}" "${common[@]}" --format sarif --output "$sarif" -- "$path" 2>ferret.log || status=$?
cat ferret.log >&2
findings=$(sed -n 's/.*: \([0-9][0-9]*\) findings (.*/\1/p' ferret.log | tail -n 1)
findings=${findings:-0}
if [ "$findings" -gt 0 ] && [ "${FERRET_ANNOTATIONS:-true}" = true ]; then
  "$ferret" scan "${target[@]}" "${common[@]}" --format github --quiet -- "$path" || true
fi
# The outputs are written whatever the status: after an error (exit 2) the SARIF still holds the
# findings made before it, and the upload step must get to see them.
sarif_out=""
[ -s "$sarif" ] && sarif_out=$sarif
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "findings=$findings"
    echo "sarif-path=$sarif_out"
  } >>"$GITHUB_OUTPUT"
fi
if [ "$status" -ge 2 ]; then
  echo "::error title=ferret::the scan failed (exit status $status) after $findings findings; see the log above"
  exit "$status"
fi
echo "ferret: $findings findings; SARIF written to $sarif"
if [ "$status" -eq 1 ] && [ "${FERRET_FAIL_ON_FINDINGS:-true}" = true ]; then
  exit 1
fi
exit 0
