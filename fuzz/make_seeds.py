#!/usr/bin/env python3
"""Writes the hand-made seed corpus of every fuzz target into fuzz/corpus/<target>/.

Each seed is a small, realistic instance of what the parser reads in the wild (a `docker save`
tar, a GitLab trace, a rule file). Run from anywhere; the output is deterministic except for the
gzip/tar timestamps, which are fixed to 0 here. Secrets in seeds are made up.
"""
import gzip
import io
import json
import hashlib
import os
import subprocess
import tarfile
import zipfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
FAKE_TOKEN = "ghp_" + "k3Jd8sLq0PzX7vBn2MwR5tYc9HaE4gUf1NiO"


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def tar_of(files, fmt=tarfile.GNU_FORMAT):
    """files: list of (name, bytes) or (name, None, linkname, type)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as t:
        for item in files:
            info = tarfile.TarInfo(item[0])
            info.mtime = 0
            if len(item) == 2:
                info.size = len(item[1])
                info.mode = 0o644
                t.addfile(info, io.BytesIO(item[1]))
            else:
                info.type = item[3]
                info.linkname = item[2]
                if item[3] == tarfile.DIRTYPE:
                    info.mode = 0o755
                t.addfile(info)
    return buf.getvalue()


def gz(data):
    return gzip.compress(data, mtime=0)


def zstd(data):
    return subprocess.run(["zstd", "-q", "-c"], input=data, stdout=subprocess.PIPE, check=True).stdout


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


env = f"GITHUB_TOKEN={FAKE_TOKEN}\nDEBUG=false\n".encode()

# --- archive: first byte picks tar / tar.gz / gz / zip -------------------------------------
inner = tar_of([("config/.env", env), ("README", b"plain text\n")])
write("archive", "tar-two-files", b"\x00" + inner)
write("archive", "targz-nested-tar", b"\x01" + gz(tar_of([("inner.tar", inner), ("./notes.txt", b"hi\n")])))
write("archive", "gz-single-file", b"\x02" + gz(env))
jar = zip_of([("META-INF/MANIFEST.MF", b"Manifest-Version: 1.0\n"),
              ("BOOT-INF/classes/application.properties", b"spring.datasource.password=Xq7#pLm2vR9s\n"),
              ("lib/bundle.tgz", gz(inner))])
write("archive", "zip-jar-with-tgz", b"\x03" + jar)
write("archive", "zip-empty", b"\x03PK\x05\x06" + b"\x00" * 18)
write("archive", "targz-small-bomb", b"\x01" + gz(tar_of([("zeros.bin", b"\x00" * (2 << 20))])))

# --- cilog_normalize -------------------------------------------------------------------------
write("cilog_normalize", "github-actions.log",
      "\ufeff2024-03-01T10:00:00.1234567Z ##[group]Run npm ci\n"
      "2024-03-01T10:00:00.2234567Z npm ci --ignore-scripts\n"
      "2024-03-01T10:00:01.0000000Z ##[endgroup]\n"
      f"2024-03-01T10:00:02.0000000Z export TOKEN={FAKE_TOKEN}\r\n"
      "2024-03-01T10:00:03.0000000Z ##[error]Process completed with exit code 1.\n")
write("cilog_normalize", "gitlab-trace.log",
      b"\x1b[0KRunning with gitlab-runner 16.9.1 (abc123)\x1b[0;m\n"
      b"\x1b[0Ksection_start:1709287200:prepare_script[collapsed=true]\r\x1b[0K\x1b[36;1mPreparing\x1b[0;m\n"
      b"10%\r55%\r100%\n"
      b"\x1b[0Ksection_end:1709287201:prepare_script\r\x1b[0K\n"
      b"$ echo $DEPLOY_KEY\n" + f"DEPLOY_KEY={FAKE_TOKEN}\n".encode() +
      b"\x1b]8;;https://gitlab.example/job/1\x07link\x1b]8;;\x07\n")
write("cilog_normalize", "gitlab-timestamped.log",
      "2024-05-03T12:00:00.123456Z 00O $ make deploy\n"
      f"2024-05-03T12:00:00.223456Z 00O+TOKEN={FAKE_TOKEN}\n"
      "2024-05-03T12:00:01.000000Z 01E warning: something\n")
write("cilog_normalize", "jenkins-console.log",
      b"Started by user admin\n"
      b"\x1b[8mha:////4PbQqL0Ar+abcdefghijk/lmnop==\x1b[0m[Pipeline] sh\n"
      b"[2024-01-01T10:00:00.000Z] + curl -H 'Authorization: token " + FAKE_TOKEN.encode() + b"'\n"
      b"[10:00:01] Finished: SUCCESS\n")
write("cilog_normalize", "circleci-step.log",
      "#!/bin/bash -eo pipefail\nnpm test\n\n> app@1.0.0 test\n\x1b[32m\u2713\x1b[39m 12 passing\n")

# --- image_layer -----------------------------------------------------------------------------
layer_files = [
    ("etc", None, "", tarfile.DIRTYPE),
    ("etc/app.env", env),
    ("etc/.wh.old-secret", b""),
    ("opt/app/.wh..wh..opq", b""),
    ("opt/app/config.yml", b"api_key: sk_live_51Hq9vQ2eZvKYlo2CkP8xXyZ\n"),
    ("usr/bin/tool", None, "/usr/local/bin/tool", tarfile.SYMTYPE),
    ("usr/bin/tool2", None, "etc/app.env", tarfile.LNKTYPE),
]
write("image_layer", "layer-plain.tar", tar_of(layer_files))
write("image_layer", "layer-gzip.tar.gz", gz(tar_of(layer_files)))
write("image_layer", "layer-zstd.tar.zst", zstd(tar_of(layer_files)))
write("image_layer", "layer-with-jar.tar.gz",
      gz(tar_of([("app/lib/service.jar", jar), ("app/data.tgz", gz(inner))])))
write("image_layer", "layer-pax.tar",
      tar_of([("very/long/" + "d" * 120 + "/secret.txt", env)], fmt=tarfile.PAX_FORMAT))

# --- image_manifest: `=== name` sections packed into a tar by the harness ---------------------
config = json.dumps({"architecture": "amd64", "os": "linux",
                     "config": {"Env": ["PATH=/usr/bin", f"TOKEN={FAKE_TOKEN}"]},
                     "rootfs": {"type": "layers", "diff_ids": [sha(b"layer0")]},
                     "history": [{"created_by": "RUN echo hi"}]}).encode()
layer_blob = gz(tar_of([("etc/app.env", env)]))


def oci_manifest(cfg, layers, media="application/vnd.oci.image.manifest.v1+json"):
    return json.dumps({"schemaVersion": 2, "mediaType": media,
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": sha(cfg), "size": len(cfg)},
                       "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                                   "digest": sha(l), "size": len(l)} for l in layers]}).encode()


def sections(members):
    out = b""
    for name, body in members:
        out += b"=== " + name.encode() + b"\n" + body + b"\n"
    return out


def blob(data):
    return "blobs/sha256/" + hashlib.sha256(data).hexdigest()


manifest = oci_manifest(config, [layer_blob])
index = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(manifest),
     "size": len(manifest), "annotations": {"org.opencontainers.image.ref.name": "1.0"},
     "platform": {"os": "linux", "architecture": "amd64"}}]}).encode()
# Sections are text: layer blobs are given as short text here (the walker only names them).
write("image_manifest", "oci-layout.txt", sections([
    ("oci-layout", b'{"imageLayoutVersion":"1.0.0"}'), ("index.json", index),
    (blob(manifest), manifest), (blob(config), config), (blob(layer_blob), b"layer bytes")]))

attest_stmt = json.dumps({"_type": "https://in-toto.io/Statement/v0.1",
                          "predicateType": "https://slsa.dev/provenance/v0.2",
                          "predicate": {"invocation": {"environment": {"NPM_TOKEN": FAKE_TOKEN}}}}).encode()
attest = json.dumps({"schemaVersion": 2, "config": {"digest": sha(b"{}")},
                     "layers": [{"mediaType": "application/vnd.in-toto+json",
                                 "digest": sha(attest_stmt)}]}).encode()
arm_manifest = oci_manifest(config, [layer_blob])
nested = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                     "manifests": [
                         {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "digest": sha(manifest), "platform": {"os": "linux", "architecture": "amd64"}},
                         {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                          "digest": sha(arm_manifest) , "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
                         {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": sha(attest),
                          "annotations": {"vnd.docker.reference.type": "attestation-manifest",
                                          "vnd.docker.reference.digest": sha(manifest)},
                          "platform": {"os": "unknown", "architecture": "unknown"}}]}).encode()
top = json.dumps({"schemaVersion": 2, "manifests": [
    {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": sha(nested),
     "annotations": {"io.containerd.image.name": "docker.io/library/app:latest"}}]}).encode()
write("image_manifest", "nested-index-attestation.txt", sections([
    ("index.json", top), (blob(nested), nested), (blob(manifest), manifest),
    (blob(attest), attest), (blob(attest_stmt), attest_stmt), (blob(config), config),
    (blob(b"{}"), b"{}")]))

docker_manifest = json.dumps([{"Config": hashlib.sha256(config).hexdigest() + ".json",
                               "RepoTags": ["app:1.0"],
                               "Layers": ["0a1b2c/layer.tar"]}]).encode()
write("image_manifest", "docker-save-v1.txt", sections([
    ("manifest.json", docker_manifest), (hashlib.sha256(config).hexdigest() + ".json", config),
    ("0a1b2c/layer.tar", b"layer bytes"), ("repositories", b'{"app":{"1.0":"0a1b2c"}}')]))
# A real `docker save` tar with a symlinked layer, as some writers store it.
write("image_manifest", "docker-save-symlink.tar", tar_of([
    ("manifest.json", docker_manifest),
    (hashlib.sha256(config).hexdigest() + ".json", config),
    ("blobs/sha256/" + hashlib.sha256(b"L").hexdigest(), tar_of([("etc/app.env", env)])),
    ("0a1b2c/layer.tar", None, "../blobs/sha256/" + hashlib.sha256(b"L").hexdigest(), tarfile.SYMTYPE)]))

# --- registry_challenge -------------------------------------------------------------------------
write("registry_challenge", "docker-hub",
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",'
      'scope="repository:library/alpine:pull"')
write("registry_challenge", "basic", 'Basic realm="Registry Realm"')
write("registry_challenge", "ghcr-unquoted", 'Bearer realm=https://ghcr.io/token,service=ghcr.io,scope=repository:o/r:pull')
write("registry_challenge", "error-param",
      'Bearer realm="https://gcr.io/v2/token",service="gcr.io",error="insufficient_scope",'
      'scope="repository:p/i:pull,push"')
write("registry_challenge", "plain-http-port", 'bearer realm="http://127.0.0.1:5001/token", service="local"')

# --- report_read -----------------------------------------------------------------------------------
# Reports read back by `report merge` and `recheck`: every JSON format and SARIF, every origin kind,
# and a tampered one (escape sequences in a path).
_FP = "fp2_" + "0123456789abcdef" * 2
def _finding(origin, path, root=None, **extra):
    f = {"rule_id": "github-pat-classic", "rule_name": "GitHub personal access token (classic)",
         "severity": "high", "path": path, "line": 2, "column": 5, "end_line": 2,
         "secret": "ghp_k3Jd*****", "redacted": True, "fingerprint": _FP, "entropy": 4.9,
         "confidence": "high", "confidence_reasons": [], "origin": origin, "provider": "GitHub"}
    if root is not None:
        f["root"] = root
    f.update(extra)
    return f
_GIT = {"kind": "git", "repository": "/srv/repos/app", "path": "deploy.env", "commit": "a" * 40,
        "author": "Dev", "email": "dev@example.com", "date": "2026-11-01T10:00:00Z",
        "summary": "add deploy settings", "blob": "b" * 40, "still_in_head": True}
_LAYER = {"kind": "image_layer", "image": "/tmp/oci:img", "image_digest": "sha256:" + "c" * 64,
          "layer_index": 0, "layer_digest": "sha256:" + "d" * 64, "diff_id": "sha256:" + "e" * 64,
          "path": "app/.env", "removed_in_layer": None}
_LOG = {"kind": "ci_log", "path": "logs_42.zip!build/3_Run tests.txt", "provider": "github-actions",
        "repository": "acme/api", "run": "42"}
_FILE = _finding({"kind": "file", "path": ".env"}, ".env", root="/work/app/",
                 verification={"status": "invalid", "detail": "rejected (HTTP 401)"})
write("report_read", "json-array.json", json.dumps([_FILE, _finding(_GIT, "deploy.env")], indent=2))
write("report_read", "json-report.json", json.dumps({
    "findings": [_finding(_LAYER, "app/.env")],
    "not_scanned": [{"path": "big.bin", "reason": "too_large", "detail": "over 256MiB", "size": 300000000}],
    "errors": [{"subject": "vendor/x.zip", "message": "corrupt archive"}],
    "summary": {"blobs": 3, "bytes": 120}}, indent=2))
write("report_read", "shard.jsonl", json.dumps(_finding(_LOG, _LOG["path"])) + "\n"
      + json.dumps({"type": "skipped", "path": "big.bin", "reason": "too_large", "detail": "x", "size": 9}) + "\n")
write("report_read", "tampered-escapes.json", json.dumps([_finding(
    {"kind": "file", "path": "\x1b]0;owned\x07../../etc/\x1b[2Jpasswd"}, "x", root="/tmp/\x1b[31m/")]))
write("report_read", "scan.sarif", json.dumps({"version": "2.1.0", "runs": [{
    "tool": {"driver": {"name": "ferret", "rules": [
        {"id": "github-pat-classic", "shortDescription": {"text": "GitHub personal access token (classic)"}}]}},
    "results": [{"ruleId": "github-pat-classic",
                 "message": {"text": "GitHub personal access token (classic) detected: ghp_k3Jd***** (verification: verified)"},
                 "locations": [{"physicalLocation": {"artifactLocation": {"uri": "deploy.env"},
                                                     "region": {"startLine": 2, "startColumn": 5, "endLine": 2}}}],
                 "properties": {"fingerprint": _FP, "origin": _GIT, "severity": "high", "confidence": "high",
                                "verification": "verified", "verificationDetail": "login=octocat"}}]}]}, indent=2))

# --- rule_file ------------------------------------------------------------------------------------
write("rule_file", "provider-rule.toml", '''[[rule]]
id = "example-service-token"
name = "Example Service API token"
severity = "high"
keywords = ["exs_"]
pattern = \'\'\'\\b(?P<secret>exs_[A-Za-z0-9]{32})\\b\'\'\'
min_entropy = 3.5
rotate = "https://example.com/settings/tokens"
examples = ["EXS_TOKEN=exs_a8Kd93LmQp02ZxVb7NcR4tYw6HsJ1eUf"]
negative_examples = ["exs_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"]
verify = { url = "https://api.example.com/v1/whoami", headers = { Authorization = "Bearer {secret}" }, live_status = [200], dead_status = [401] }
''')
write("rule_file", "generic-with-allow.toml", '''[[rule]]
id = "generic-password"
name = "Password assignment"
severity = "medium"
keywords = ["password", "passwd"]
pattern = \'\'\'(?i)(?:password|passwd)\\s*[:=]\\s*["']?(?P<secret>[^\\s"']{8,64})\'\'\'
min_char_classes = 3
must_contain = ["digit"]
allow = ["^\\\\$\\\\{", "(?i)^changeme"]
allow_paths = ["(^|/)test/"]
window = 256
examples = ["password = 'Tr0ub4dor&3x'"]
negative_examples = ["password = ${DB_PASSWORD}"]

[[rule]]
id = "partner-secret"
name = "Partner pair"
keywords = ["pair_"]
pattern = \'\'\'pair_(?P<secret>[a-f0-9]{24})(?P<host>[a-z]+\\.example\\.com)?\'\'\'
companion = true
''')
write("rule_file", "verify-file.toml", '''[verifier."example-service-token"]
provider = "example"
also = ["example-service-token-v2"]
method = "POST"
url = "https://{host}.example.com/api/{secret|url_path}"
hosts = ["*.example.com"]
headers = { Content-Type = "application/json" }
body = \'{"token": "{secret}", "query": "{ viewer { login } }"}\'
live_status = [200]
dead_status = [401, 403]
''')
with open(os.path.join(os.path.dirname(ROOT), "..", "rules", "jwt.toml"), "rb") as f:
    write("rule_file", "project-jwt-rules.toml", f.read())

# --- verify_template ------------------------------------------------------------------------------
write("verify_template", "url-path-secret", f"u\nhttps://api.example.com/v1/tokens/{{secret}}?verbose=1\nsecret={FAKE_TOKEN}")
write("verify_template", "url-host-label", "u\nhttps://{shop}.myshopify.example/admin/api/2024-01/shop.json\nshop=acme-store\nsecret=shpat_x")
write("verify_template", "url-path-filter", "u\nhttps://hooks.example.com{secret|url_path}\nsecret=https://hooks.example.com/services/T0/B1/xyz")
write("verify_template", "header-bearer", f"H\nBearer {{secret}}\nsecret={FAKE_TOKEN}")
write("verify_template", "json-body-graphql", 'j\n{"query": "{ viewer { login } }", "token": "{secret}"}\nsecret=a"b\\c')
write("verify_template", "form-body", "f\ngrant_type=client_credentials&client_id={partner}&client_secret={secret}\npartner=abc&x=1\nsecret=s3cr=t")
write("verify_template", "after-dash-filter", "R\n{secret|after_dash}\nsecret=us1-0123456789abcdef")
write("verify_template", "missing-value", "u\nhttps://api.example.com/{account}/{secret}\nsecret=AKIA0123456789ABCDEF")

# --- detector --------------------------------------------------------------------------------------
# First line: the file's path (credential-store readers are chosen by name); the rest: its content.
AWS_KEY = "AKIA" + "Q3EXAMPLE7PLANTED1"
write("detector", "netrc", "home/dev/.netrc\nmachine api.acme-corp.io login deploy password Tr0ub4dor&3\n")
write("detector", "docker-config", 'home/dev/.docker/config.json\n{"auths": {"registry.acme-corp.io": {"auth": "ZGVwbG95OlMzY3JldFBhc3M5OQ=="}}}\n')
write("detector", "kubeconfig", "home/dev/.kube/config\napiVersion: v1\nusers:\n- name: admin\n  user:\n    token: kx8Q2mZ7vR4tW9pL3nB6cY1hF5jD0sAe\n")
write("detector", "dotenv-assignments", f"app/.env\nexport DB_PASSWORD='hunter2!'\nAWS_ACCESS_KEY_ID={AWS_KEY}\nAPI_KEY=\"{FAKE_TOKEN}\"\nAPP_KEY=base64:q8Xr2mV7tZ4wP9kL3nB6cY1hF5jD0sAeG2uR8iO4yT0=\n")
write("detector", "code-and-xml", 'src/Config.java\nString password = "S3cr3t-Pass";\nconn = login(user="svc", password="p@ss w0rd");\n<password>xml-Secret-77</password>\n<add key="ApiKey" value="' + FAKE_TOKEN + '"/>\n')
write("detector", "http-auth-base64", "fixtures/recorded.http\nGET /v1/me HTTP/1.1\nAuthorization: Basic YWRtaW46czNjcjN0LXBhc3N3b3Jk\nX-Api-Key: " + FAKE_TOKEN + "\n")
write("detector", "escaped-json", 'logs/event.json\n{"body": "{\\"password\\":\\"Qw3rty!Zx9\\",\\"url\\":\\"https:\\/\\/u:p4ss@db.acme-corp.io\\/x\\"}"}\n')
write("detector", "nested-base64", "k8s/secret.yaml\ndata:\n  config: " + __import__("base64").b64encode(("token: " + __import__("base64").b64encode(FAKE_TOKEN.encode()).decode()).encode()).decode() + "\n")
_key_body = __import__("base64").b64encode(b"".join(hashlib.sha256(b"ferret seed %d" % i).digest() for i in range(20))).decode()
write("detector", "private-key", "deploy/id_rsa\n-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(_key_body[k:k + 64] for k in range(0, len(_key_body), 64)) + "\n-----END RSA PRIVATE KEY-----\n")
write("detector", "connection-strings", "appsettings.json\n{\"ConnectionStrings\": {\"Main\": \"Server=db.acme-corp.io;Database=shop;User Id=sa;Password=Str0ng!Pass;\"}, \"Db\": \"postgres://app:pg-S3cret9@db.acme-corp.io:5432/app\"}\n")
