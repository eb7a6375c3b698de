#!/usr/bin/env bash
# Whole-process check of the hostile-input tree (issue 15, "Done when"): `ferret scan dir` with
# default flags must find every secret, including the one near the end of a 200 MB single-line
# file, list what it did not scan fully, and finish under 60 s and 1 GiB of peak RSS.
#
# Usage: benches/hostile_tree.sh [--out DIR] [--big-mb N] [--ferret BIN] [-- EXTRA FERRET ARGS]
#   --out DIR     where the tree and the report go (default /tmp/ferret-hostile-tree); the tree is
#                 generated afresh on every run, never committed.
#   --big-mb N    size of the single-line minified-JS-like file in MB (default 200).
#   --ferret BIN  default target/release/ferret (build it with `cargo build --release`).
# The tree mirrors `write_hostile_tree` in tests/it/skips.rs (which uses a 20 MiB file so that the
# debug test stays quick): a zip bomb between two secrets, a gzip bomb, tars nested past the
# depth limit, a corrupt zip, file names that look like options or hold control characters, a
# symlink loop, a FIFO and 100 nested directories. Times and RSS come from /usr/bin/time -v.
# Then the text report of one file holding 100,000 matches (each finding shows its line with
# every secret on it masked, which must not cost findings x matches) must finish under 20 s.
set -euo pipefail
cd "$(dirname "$0")/.."

out=/tmp/ferret-hostile-tree
big_mb=200
ferret=target/release/ferret
extra=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    --big-mb) big_mb=$2; shift 2 ;;
    --ferret) ferret=$2; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
[ -x "$ferret" ] || { echo "ferret binary not found: $ferret (cargo build --release)" >&2; exit 2; }
ferret=$(realpath "$ferret")
rules=$PWD/tests/corpus/rules/test-rules.toml
tree=$out/tree
rm -rf "$tree"
mkdir -p "$tree"

python3 - "$tree" "$big_mb" > "$out/expected.txt" <<'PY'
import gzip, io, os, sys, tarfile, zipfile

root, big_mb = sys.argv[1], int(sys.argv[2])
T1, T2, T3, T4 = ("tst_Qm3kV8zR1tW6yB0nC4xL7pJ2", "tst_Zp9Rt4VbN8wKc2Lm5Xq7Hs3D",
                  "tst_Hq3nV9xTz2Lk8WbR5pYc7Dm1", "tst_Wc4Lp8Rn2Xv6Tk9Bq3Zm7Yd5")
found = []

def write(rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)

def line(token):
    return f'const key = "{token}";\n'.encode()

def tar_of(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()

chunk = b'function(a,b){return a.map(function(c){return c*b})};var x="0af3";'
size = big_mb * 1000 * 1000
big = bytearray((chunk * (size // len(chunk) + 1))[:size])
at = size - 4096
assignment = f'k="{T4}";'.encode()
big[at:at + len(assignment)] = assignment
write("dist/app.min.js", bytes(big))
found.append("dist/app.min.js")

bomb = b"A" * (64 << 20)
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("first.txt", f"key = {T2}\n")
    z.writestr("bomb.txt", bomb)
    z.writestr("last.txt", f"key = {T3}\n")
write("bundle.zip", buf.getvalue())
found += ["bundle.zip!first.txt", "bundle.zip!last.txt"]

write("logs/app.log.gz", gzip.compress(bomb))

nested = tar_of([("inside.txt", line(T1)), ("n5.tar", tar_of([("secret.txt", line(T1))]))])
for name in ["n4.tar", "n3.tar", "n2.tar"]:
    nested = tar_of([(name, nested)])
write("nested.tar", nested)
found.append("nested.tar!n2.tar!n3.tar!n4.tar!inside.txt")

write("broken.zip", b"PK\x03\x04 truncated right after the magic")

for name in ["--output=.git/hooks/pre-commit", "-rf", "evil\nname.txt",
             "\x1b[31mred\x1b[0m.txt", "::error file=x::forged.txt"]:
    write(name, line(T2))
    found.append(name)

os.symlink("loop_b", os.path.join(root, "loop_a"))
os.symlink("loop_a", os.path.join(root, "loop_b"))
os.symlink(".", os.path.join(root, "self"))
os.mkfifo(os.path.join(root, "pipe"))

deep = "/".join(["d"] * 100) + "/deep.env"
write(deep, line(T3))
found.append(deep)

for path in sorted(found):
    print(path.encode("unicode_escape").decode())
PY

# A binary from before `--format json-report` (e.g. main's) writes the plain findings array.
format=json-report
"$ferret" scan dir --help | grep -q json-report || format=json
report=$out/report.json
timing=$out/time.txt
rm -f "$report"
set +e
( cd "$tree" && /usr/bin/time -v "$ferret" scan dir . --rules "$rules" --format "$format" \
    --output "$report" "${extra[@]}" ) 2> "$timing"
status=$?
set -e
grep -E "^ferret:" "$timing" || true
elapsed=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$timing")
rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$timing")
echo "exit status $status; wall $elapsed; peak RSS $((rss_kb / 1024)) MiB"

python3 - "$report" "$out/expected.txt" "$rss_kb" "$timing" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
expected = [l.rstrip("\n") for l in open(sys.argv[2])]
if isinstance(report, list):
    report = {"findings": report, "not_scanned": []}
got = sorted(f["path"].encode("unicode_escape").decode() for f in report["findings"])
missing = sorted(set(expected) - set(got))
print(f"{len(got)} findings, {len(expected)} expected; missing: {missing or 'none'}")
print("not scanned fully:")
for s in report["not_scanned"]:
    print(f"  {s['path']}: {s['reason']} ({s['detail']})")
wall = open(sys.argv[4]).read()
m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)", wall)
seconds = int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
ok = not missing and seconds < 60 and int(sys.argv[3]) < 1024 * 1024
print("PASS" if ok else "FAIL", f"({seconds:.1f} s, limit 60 s; {int(sys.argv[3]) // 1024} MiB, limit 1024 MiB)")
sys.exit(0 if ok else 1)
PY

many=$out/many
rm -rf "$many"
mkdir -p "$many"
python3 -c 'import sys; open(sys.argv[1], "w").write("key = tst_Qm3kV8zR1tW6yB0nC4xL7pJ2\n" * 100000)' "$many/generated.env"
started=$(date +%s.%N)
set +e
"$ferret" scan dir "$many" --rules "$rules" --format text --output "$out/many.txt" --quiet
many_status=$?
set -e
seconds=$(echo "$(date +%s.%N) - $started" | bc)
count=$(grep -c "^100000 findings of 1 distinct secret" "$out/many.txt" || true)
echo "text report of 100000 matches in one file: exit status $many_status; ${seconds}s"
if [ "$many_status" != 1 ] || [ "$count" != 1 ] || [ "$(echo "$seconds >= 20" | bc)" = 1 ]; then
  echo "FAIL (limit 20 s, all 100000 findings counted)"
  exit 1
fi
echo PASS
