#!/usr/bin/env bash
# Verification of many distinct secrets against local provider stand-ins: N GitHub and N GitLab
# tokens (each in two files), two stand-ins on 127.0.0.1 that answer live after a short think.
# Prints the whole process's wall time, peak RSS, requests per host and the most a host had in
# flight at once, and whether any secret was asked twice.
#
# Usage: benches/verify_scale.sh [--secrets N] [--concurrency N] [--ferret BIN]
#   defaults: 500 per provider (1,000 distinct), --verify-concurrency 8, target/release/ferret.
set -euo pipefail

per=500
concurrency=8
ferret=target/release/ferret
while [ $# -gt 0 ]; do
  case $1 in
    --secrets) per=$2; shift 2 ;;
    --concurrency) concurrency=$2; shift 2 ;;
    --ferret) ferret=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -x "$ferret" ] || { echo "ferret binary not found: $ferret (cargo build --release)" >&2; exit 2; }
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

python3 - "$work/tree" "$per" <<'PY'
import os, random, string, sys
root, per = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
alnum = string.ascii_letters + string.digits
for i in range(per):
    gh = "ghp_" + "".join(rng.choice(alnum) for _ in range(36))
    gl = "glpat-" + "".join(rng.choice(alnum) for _ in range(20))
    for copy in ("a", "b"):
        os.makedirs(f"{root}/svc-{i}", exist_ok=True)
        with open(f"{root}/svc-{i}/{copy}.env", "w") as f:
            f.write(f"GITHUB_TOKEN={gh}\nGITLAB_TOKEN={gl}\n")
PY

# One stand-in per provider: counts requests per secret and the most in flight at once.
serve() {
  python3 - "$1" "$2" <<'PY' &
import http.server, json, sys, threading, time
port_file, header = sys.argv[1], sys.argv[2]
lock, state = threading.Lock(), {"in_flight": 0, "max": 0, "asked": {}}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        secret = self.headers.get(header, "")
        if self.path == "/__stats":
            body = json.dumps({"max_in_flight": state["max"], "requests": sum(state["asked"].values()),
                               "distinct": len(state["asked"]), "twice": sum(1 for v in state["asked"].values() if v > 1)}).encode()
        else:
            with lock:
                state["in_flight"] += 1
                state["max"] = max(state["max"], state["in_flight"])
                state["asked"][secret] = state["asked"].get(secret, 0) + 1
            time.sleep(0.01)
            with lock:
                state["in_flight"] -= 1
            body = b'{"login": "ci-bot", "username": "ci-bot", "id": 7}'
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
  pids+=($!)
}
serve "$work/github.port" authorization
serve "$work/gitlab.port" private-token
for _ in $(seq 100); do [ -s "$work/github.port" ] && [ -s "$work/gitlab.port" ] && break; sleep 0.05; done
gh_url="http://127.0.0.1:$(cat "$work/github.port")"
gl_url="http://127.0.0.1:$(cat "$work/gitlab.port")"

/usr/bin/time -f '%e %M' -o "$work/time" "$ferret" scan dir "$work/tree" --format json \
  -o "$work/out.json" --quiet --fail-on never --verify --verify-concurrency "$concurrency" \
  --verify-endpoint "github=$gh_url" --verify-endpoint "gitlab=$gl_url"
read -r wall rss <"$work/time"
verified=$(python3 -c 'import json,sys; f=json.load(open(sys.argv[1])); print(sum(1 for x in f if (x.get("verification") or {}).get("status")=="verified"), len(f))' "$work/out.json")
echo "distinct secrets: $((2 * per)), findings verified/total: $verified"
echo "wall ${wall} s, peak RSS $((rss / 1024)) MiB, --verify-concurrency $concurrency"
for p in github gitlab; do
  url=$([ $p = github ] && echo "$gh_url" || echo "$gl_url")
  echo "$p: $(python3 -c 'import sys,urllib.request; print(urllib.request.urlopen(sys.argv[1]+"/__stats").read().decode())' "$url")"
done
