//! A real git smart-HTTP server on https://127.0.0.1: `git http-backend` behind a small Python
//! front that asks for HTTP Basic credentials (as GitHub and GitLab do for private repositories)
//! and records the user name and password of every request, so a test can say who was sent what.
//! Its certificate is made for the test by `openssl`; point `SSL_CERT_FILE` at [`GitHttp::ca`]
//! for ferret to trust it.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The front: 401 with a Basic challenge until the expected credentials come, then CGI to
/// `git http-backend` (request bodies may be chunked), logging each request's credentials.
const FRONT: &str = r#"
import base64, http.server, os, subprocess, sys
import ssl
root, user, password, log, cert, key = sys.argv[1:7]
expected = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

class Front(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *args):
        pass
    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))
    def serve(self, method):
        auth = self.headers.get("Authorization", "")
        with open(log, "a") as f:
            f.write((base64.b64decode(auth[6:]).decode() if auth.startswith("Basic ") else "-") + "\n")
        body = self.body() if method == "POST" else b""
        if auth != expected:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="git"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        path, _, query = self.path.partition("?")
        env = dict(os.environ, GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path,
                   QUERY_STRING=query, REQUEST_METHOD=method, REMOTE_USER=user,
                   CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(len(body)),
                   HTTP_CONTENT_ENCODING=self.headers.get("Content-Encoding", ""),
                   GIT_PROTOCOL=self.headers.get("Git-Protocol", ""))
        out = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True).stdout
        head, _, rest = out.partition(b"\r\n\r\n")
        status, headers = 200, []
        for line in head.decode().split("\r\n"):
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(rest)))
        self.end_headers()
        self.wfile.write(rest)
    def do_GET(self):
        self.serve("GET")
    def do_POST(self):
        self.serve("POST")

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Front)
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.load_cert_chain(cert, key)
server.socket = tls.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
"#;

/// A running server; stopped on drop.
pub struct GitHttp {
    child: Child,
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
    log: tempfile::NamedTempFile,
    tls: tempfile::TempDir,
}

impl GitHttp {
    /// Serves the repositories under `root` to `user` with `password` only.
    pub fn serve(root: &Path, user: &str, password: &str) -> Self {
        let log = tempfile::NamedTempFile::new().unwrap();
        let tls = tempfile::tempdir().unwrap();
        let dir = tls.path();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        std::fs::write(
            dir.join("leaf.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
        )
        .unwrap();
        // A throwaway authority and the server's certificate, signed by it.
        for args in [
            "req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=ferret-test-ca -keyout ca.key \
             -out ca.pem -addext basicConstraints=critical,CA:TRUE \
             -addext keyUsage=critical,keyCertSign",
            "req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout key.pem -out leaf.csr",
            "x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
             -extfile leaf.ext -out cert.pem",
        ] {
            let made = Command::new("openssl")
                .args(args.split_whitespace())
                .current_dir(dir)
                .output()
                .expect("openssl runs");
            assert!(
                made.status.success(),
                "{}",
                String::from_utf8_lossy(&made.stderr)
            );
        }
        let mut child = Command::new("python3")
            .args(["-c", FRONT])
            .arg(root)
            .args([user, password])
            .arg(log.path())
            .arg(&cert)
            .arg(&key)
            .stdout(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line.trim().parse().expect("the server prints its port");
        Self {
            child,
            port,
            log,
            tls,
        }
    }

    /// The authority to trust for the server's certificate.
    pub fn ca(&self) -> std::path::PathBuf {
        self.tls.path().join("ca.pem")
    }

    /// `user:password` of every request received (`-` when it carried none).
    pub fn credentials_seen(&self) -> Vec<String> {
        std::fs::read_to_string(self.log.path())
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for GitHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
