#!/usr/bin/env bash
# Installs ferret from the action's own source with cargo, into $FERRET_ROOT (cached between runs),
# and puts it on the job's PATH.
set -euo pipefail
: "${FERRET_SOURCE:?set FERRET_SOURCE to the action source directory}"
: "${FERRET_ROOT:?set FERRET_ROOT to the install directory}"
bin="$FERRET_ROOT/bin/ferret"
if [ ! -x "$bin" ]; then
  cargo install --locked --quiet --path "$FERRET_SOURCE" --root "$FERRET_ROOT"
fi
"$bin" --version
if [ -n "${GITHUB_PATH:-}" ]; then
  echo "$FERRET_ROOT/bin" >>"$GITHUB_PATH"
fi
