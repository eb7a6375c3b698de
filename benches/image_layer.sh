#!/usr/bin/env bash
# Whole-process benchmark of `ferret scan image` on a `docker save` tar with one layer larger than
# 1 GB: peak RSS (must stay bounded whatever the layer size) and throughput, optionally next to a
# peer scanner given as $PEER (e.g. PEER="kingfisher scan docker --archive").
#
# Usage: benches/image_layer.sh [OUT_DIR] [LAYER_MB]
# The input is generated here, never committed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/ferret-image-bench}
layer_mb=${2:-1100}
mkdir -p "$out"
archive="$out/big-layer.tar"

if [ ! -f "$archive" ]; then
  python3 - "$out" "$layer_mb" <<'PY'
import hashlib, io, json, os, random, sys, tarfile, zlib

out, layer_mb = sys.argv[1], int(sys.argv[2])
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

# Source-like text: varied lines so the keyword prefilter sees realistic input.
rnd = random.Random(1)
words = ["config", "value", "user", "path", "return", "import", "function", "struct", "token_count",
         "password_hint", "key_id", "server", "secret_name", "data", "cache", "buffer", "http"]
lines = []
for i in range(4096):
    lines.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(4, 14))) + f" = {rnd.getrandbits(48):x};")
chunk = ("\n".join(lines) + "\n").encode()
file_size = 256 << 10
body = (chunk * (file_size // len(chunk) + 1))[:file_size]
files = layer_mb * (1 << 20) // file_size

layer_path = os.path.join(out, "layer.tar")
secrets = 0
with tarfile.open(layer_path, "w", format=tarfile.PAX_FORMAT) as layer:
    for i in range(files):
        data = body
        if i % 500 == 0:
            data = body[:-200] + f"\nGITHUB_TOKEN={github_token(i)}\n".encode().ljust(200, b"#")
            secrets += 1
        info = tarfile.TarInfo(f"srv/app/module{i // 100}/file{i}.txt")
        info.size = len(data)
        layer.addfile(info, io.BytesIO(data))

sha = hashlib.sha256()
with open(layer_path, "rb") as f:
    for block in iter(lambda: f.read(1 << 20), b""):
        sha.update(block)
diff_id = "sha256:" + sha.hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": [diff_id]}, "history": []}).encode()
with tarfile.open(os.path.join(out, "big-layer.tar"), "w") as save:
    save.add(layer_path, arcname="0001/layer.tar")
    for name, data in [("cfg.json", config),
                       ("manifest.json", json.dumps([{"Config": "cfg.json", "RepoTags": ["bench:big"],
                                                       "Layers": ["0001/layer.tar"]}]).encode())]:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        save.addfile(info, io.BytesIO(data))
os.remove(layer_path)
print(f"{files} files, {secrets} secrets planted")
PY
fi

ls -l "$archive"
cargo build --release --quiet
echo "== ferret"
/usr/bin/time -v target/release/ferret scan image --format json -o "$out/ferret.json" "$archive" \
  2>&1 | grep -E "summary|scanned|Elapsed|Maximum resident" || true
if [ -n "${PEER:-}" ]; then
  echo "== $PEER"
  # shellcheck disable=SC2086
  /usr/bin/time -v $PEER "$archive" --format json -o "$out/peer.json" \
    2>&1 | grep -E "Elapsed|Maximum resident" || true
fi
