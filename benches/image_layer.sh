#!/usr/bin/env bash
# Whole-process benchmark of `ferret scan image` on a `docker save` tar whose one layer is larger
# than 1 GB: wall time and peak RSS (which must stay bounded whatever the layer size), next to
# kingfisher's `scan docker --archive` on the same tar in the same run when --kingfisher is given.
#
# Usage: benches/image_layer.sh [--out DIR] [--layer-mb N] [--tree DIR] [--runs N]
#                               [--ferret BIN] [--kingfisher BIN]
#   --out DIR      where the tar and reports go (default /tmp/ferret-image-bench); an existing
#                  tar there is reused, so delete it after changing --layer-mb or --tree.
#   --layer-mb N   layer size in MiB (default 1200).
#   --tree DIR     fill the layer with DIR's files (e.g. checked-out source trees), repeated under
#                  copy0/, copy1/, ... until the layer reaches N MB; default: generated
#                  source-like text. Either way one GitHub token (valid checksum) is planted per
#                  copy or per 500 files, and the run checks that each tool reports every one.
#   --ferret BIN   default target/release/ferret (build it first with `cargo build --release`).
#   --kingfisher BIN  e.g. kingfisher 2.14; run with --no-limits (otherwise it stops reading a
#                  layer after 10,000 entries), --no-validate and --no-update-check.
# The tar has the shape `skopeo copy ... docker-archive:` and Docker up to 24 write:
# `<id>/layer.tar` (uncompressed), a config blob and `manifest.json`. Generated here, never
# committed. Times come from /usr/bin/time (elapsed and maximum resident set size).
set -euo pipefail
cd "$(dirname "$0")/.."

out=/tmp/ferret-image-bench
layer_mb=1200
tree=
runs=3
ferret=target/release/ferret
kingfisher=
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --layer-mb) layer_mb=$2; shift 2 ;;
    --tree) tree=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --ferret) ferret=$2; shift 2 ;;
    --kingfisher) kingfisher=$2; shift 2 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -x "$ferret" ] || { echo "ferret binary not found: $ferret (cargo build --release)" >&2; exit 2; }
mkdir -p "$out"
archive="$out/big-layer.tar"

if [ ! -f "$archive" ]; then
  python3 - "$out" "$layer_mb" "$tree" <<'PY'
import hashlib, io, json, os, random, sys, tarfile, zlib

out, layer_mb, tree = sys.argv[1], int(sys.argv[2]), sys.argv[3]
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

def github_token(seed):
    rnd = random.Random(seed)
    body = "".join(rnd.choice(BASE62) for _ in range(30))
    crc = zlib.crc32(body.encode()) & 0xffffffff
    check = ""
    for _ in range(6):
        check = BASE62[crc % 62] + check
        crc //= 62
    return "ghp_" + body + check

limit = layer_mb << 20
planted = []

def plant(layer, name, seed):
    token = github_token(seed)
    planted.append(token)
    data = f"# deployment settings\nGITHUB_TOKEN={token}\n".encode()
    info = tarfile.TarInfo(name)
    info.size = len(data)
    layer.addfile(info, io.BytesIO(data))

def generated_files():
    """Source-like text: varied lines so the keyword prefilter sees realistic input."""
    rnd = random.Random(1)
    words = ["config", "value", "user", "path", "return", "import", "function", "struct",
             "token_count", "password_hint", "key_id", "server", "secret_name", "data", "cache",
             "buffer", "http"]
    lines = [" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14)))
             + f" = {rnd.getrandbits(48):x};" for _ in range(4096)]
    chunk = ("\n".join(lines) + "\n").encode()
    file_size = 256 << 10
    body = (chunk * (file_size // len(chunk) + 1))[:file_size]
    i = 0
    while True:
        yield f"srv/app/module{i // 100}/file{i}.txt", None, body
        i += 1

def tree_files():
    paths = []
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            if os.path.isfile(p) and not os.path.islink(p):
                paths.append(p)
    if not paths:
        sys.exit(f"no files under {tree}")
    copy = 0
    while True:
        for p in paths:
            yield f"copy{copy}/" + os.path.relpath(p, tree), p, None
        copy += 1

layer_path = os.path.join(out, "layer.tar")
size = 0
with tarfile.open(layer_path, "w", format=tarfile.PAX_FORMAT) as layer:
    for n, (name, path, data) in enumerate(tree_files() if tree else generated_files()):
        if size >= limit:
            break
        if (tree and name.startswith("copy") and n % 20000 == 0) or (not tree and n % 500 == 0):
            plant(layer, os.path.join(os.path.dirname(name), f"planted{n}.env"), n)
        if path:
            layer.add(path, arcname=name, recursive=False)
        else:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            layer.addfile(info, io.BytesIO(data))
        size = layer.offset

sha = hashlib.sha256()
with open(layer_path, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        sha.update(block)
diff_id = "sha256:" + sha.hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": [diff_id]}, "history": []}).encode()
config_name = hashlib.sha256(config).hexdigest() + ".json"
layer_dir = sha.hexdigest()[:32]
with tarfile.open(os.path.join(out, "big-layer.tar"), "w") as save:
    save.add(layer_path, arcname=f"{layer_dir}/layer.tar")
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["bench:big"],
                            "Layers": [f"{layer_dir}/layer.tar"]}]).encode()
    for name, data in [(config_name, config), ("manifest.json", manifest)]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        save.addfile(info, io.BytesIO(data))
os.remove(layer_path)
with open(os.path.join(out, "planted.txt"), "w") as f:
    f.write("\n".join(planted) + "\n")
print(f"layer: {size >> 20} MiB in {n} files, {len(planted)} tokens planted")
PY
fi

echo "archive: $archive ($(du -m "$archive" | cut -f1) MB); cores: $(nproc); runs per tool: $runs"

median() {
  sort -n | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'
}

declare -A medians
# Runs a tool $runs times; prints each run's wall seconds and peak RSS, and the medians.
bench() {
  local name=$1 report=$2; shift 2
  local times=() rss=()
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" >"$out/$name.stdout" 2>"$out/$name.stderr" || true
    read -r secs kb <"$out/$name.time"
    times+=("$secs")
    rss+=("$kb")
  done
  medians[$name]=$(printf '%s\n' "${times[@]}" | median)
  local rss_mb=$(( $(printf '%s\n' "${rss[@]}" | median | cut -d. -f1) / 1024 ))
  local found
  found=$(grep -o -F -f "$out/planted.txt" "$report" 2>/dev/null | sort -u | wc -l)
  printf '%-11s median %8.2fs   peak RSS median %6d MB   planted tokens reported %s/%s   runs: %s\n' \
    "$name" "${medians[$name]}" "$rss_mb" "$found" "$(wc -l <"$out/planted.txt")" "${times[*]}"
}

bench ferret "$out/ferret.json" \
  "$ferret" scan image --format json --show-secrets --quiet --output "$out/ferret.json" "$archive"
if [ -n "$kingfisher" ]; then
  bench kingfisher "$out/kingfisher.json" \
    "$kingfisher" scan docker --archive "$archive" --no-validate --no-update-check --no-limits \
    --format json --output "$out/kingfisher.json"
  printf 'kingfisher / ferret = %.2fx\n' "$(echo "${medians[kingfisher]} / ${medians[ferret]}" | bc -l)"
fi
