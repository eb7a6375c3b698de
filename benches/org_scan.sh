#!/usr/bin/env bash
# An organisation of many small repositories, served on loopback: a `git daemon` for the
# repositories and a stand-in for the GitHub API's listing. Times `ferret scan github-org` one
# repository after another (--jobs 1) against concurrent runs (--jobs N), whole process, with
# peak RSS.
#
# Usage: benches/org_scan.sh [--repos N] [--jobs LIST] [--runs N] [--ferret BIN]
#   defaults: 50 repositories, jobs "1 4 8", 3 runs each, target/release/ferret.
set -euo pipefail

repos=50
jobs_list="1 4 8"
runs=3
ferret=target/release/ferret
while [ $# -gt 0 ]; do
  case $1 in
    --repos) repos=$2; shift 2 ;;
    --jobs) jobs_list=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ferret) ferret=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -x "$ferret" ] || { echo "ferret binary not found: $ferret (cargo build --release)" >&2; exit 2; }
ferret=$(realpath "$ferret")

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
git_port=$(free_port)
api_port=$(free_port)

echo "building $repos repositories ..." >&2
export GIT_CONFIG_GLOBAL=/dev/null GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com \
  GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
mkdir -p "$work/served/acme" "$work/src"
listing="["
for i in $(seq 1 "$repos"); do
  src="$work/src/r$i"
  git init -q "$src"
  # A few files and commits each, one planted fake credential per repository.
  for c in 1 2 3; do
    mkdir -p "$src/app"
    printf 'def handler_%s_%s():\n    return "%s"\n' "$i" "$c" "$(head -c 600 /dev/urandom | base64 -w0)" >"$src/app/mod_$c.py"
    git -C "$src" add -A && git -C "$src" commit -qm "change $c"
  done
  printf 'DB_PASSWORD=Tr0ub4dor-%s-horse!\n' "$i" >"$src/.env"
  git -C "$src" add -A && git -C "$src" commit -qm "settings"
  git clone -q --bare "$src" "$work/served/acme/r$i.git"
  [ "$i" -gt 1 ] && listing+=","
  listing+="{\"full_name\":\"acme/r$i\",\"clone_url\":\"git://127.0.0.1:$git_port/acme/r$i.git\",\"fork\":false,\"archived\":false}"
done
listing+="]"
printf '%s' "$listing" >"$work/listing.json"

"$(git --exec-path)/git-daemon" --export-all --reuseaddr --listen=127.0.0.1 --port="$git_port" \
  --base-path="$work/served" "$work/served" 2>/dev/null &
pids+=($!)
python3 - "$api_port" "$work/listing.json" <<'PY' &
import http.server, sys
body = open(sys.argv[2], "rb").read()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200 if self.path.startswith("/orgs/acme/repos") else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
pids+=($!)
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.0.0.1/$api_port") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$git_port") 2>/dev/null && break
  sleep 0.1
done

echo "jobs  wall_s(min/median/max)  peak_rss_mib(median)  findings" >&2
for jobs in $jobs_list; do
  walls=()
  rsss=()
  findings=0
  for _ in $(seq "$runs"); do
    /usr/bin/time -f '%e %M' -o "$work/time" "$ferret" scan github-org acme \
      --api-url "http://127.0.0.1:$api_port" --jobs "$jobs" --format json -o "$work/out.json" \
      --quiet --fail-on never
    read -r wall rss <"$work/time"
    walls+=("$wall")
    rsss+=("$rss")
    findings=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/out.json")
  done
  python3 - "$jobs" "$findings" "${walls[*]}" "${rsss[*]}" <<'PY'
import statistics, sys
jobs, findings, walls, rss = sys.argv[1], sys.argv[2], [float(x) for x in sys.argv[3].split()], [int(x) for x in sys.argv[4].split()]
print(f"{jobs:>4}  {min(walls):.2f}/{statistics.median(walls):.2f}/{max(walls):.2f}  {statistics.median(rss)/1024:.0f}  {findings}")
PY
done
