//! Throughput of the detector (prefilter + matcher) on a large mixed input: source code, config
//! files, minified JavaScript and logs, with a few secrets planted.
//!
//! Run with `cargo bench` in benches/detector/.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ferret::detect::rules::embedded_rules;
use ferret::detect::{Detector, Scratch};

/// Deterministic pseudo-random generator so every run benchmarks the same bytes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        (0..len)
            .map(|_| ALPHABET[(self.next() % ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

fn mixed_input(target_len: usize) -> Vec<u8> {
    let mut rng = Lcg(42);
    let mut out = String::with_capacity(target_len + 4096);
    let snippets = [
        "fn handle(req: &Request) -> Result<Response> {\n    let token = req.header(\"Authorization\")?;\n    authorize(token)\n}\n",
        "def get_user(session, user_id):\n    password_hash = session.query(User).get(user_id).password\n    return password_hash\n",
        "database:\n  host: db.internal\n  port: 5432\n  password: ${DB_PASSWORD}\n",
        "2024-01-01T00:00:00Z INFO request completed status=200 duration=12ms path=/api/v1/items\n",
        "!function(e){var t={};function n(r){if(t[r])return t[r].exports;var o=t[r]={i:r,l:!1,exports:{}};return e[r].call(o.exports,o,o.exports,n),o.l=!0,o.exports}}\n",
        "import { secretManager } from './secrets';\nconst apiKey = secretManager.get('stripe');\n",
        "<dependency><groupId>org.example</groupId><artifactId>auth-token-client</artifactId></dependency>\n",
    ];
    let mut i = 0;
    while out.len() < target_len {
        out.push_str(snippets[i % snippets.len()]);
        if i % 500 == 0 {
            out.push_str(&format!(
                "SLACK_TOKEN=xoxb-{}-{}-{}\n",
                1000000000 + rng.next() % 999999999,
                1000000000 + rng.next() % 999999999,
                rng.token(24)
            ));
            out.push_str(&format!("api_key = \"{}\"\n", rng.token(32)));
        }
        i += 1;
    }
    out.into_bytes()
}

fn bench_detector(c: &mut Criterion) {
    let detector = Detector::new(embedded_rules().expect("rules parse")).expect("rules compile");
    let input = mixed_input(32 << 20);
    let mut group = c.benchmark_group("detector");
    group.throughput(Throughput::Bytes(input.len() as u64));
    group.sample_size(10);
    group.bench_function("scan_32MiB_mixed", |b| {
        let mut scratch = Scratch::default();
        let mut matches = Vec::new();
        b.iter(|| {
            detector.scan(&input, &mut scratch, &mut matches);
            matches.len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench_detector);
criterion_main!(benches);
