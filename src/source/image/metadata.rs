//! Image metadata as its own origin: config `Env`, `Cmd`, `Entrypoint`, `Labels`, the build
//! history (`created_by`, where BuildKit records build args as `RUN |N KEY=value ...`), manifest
//! annotations and in-toto attestations (provenance can record `build-arg:` values).

use std::sync::Arc;

use serde_json::Value;

use super::manifest::{ImageDesc, string_list, string_map};
use crate::pipeline::Origin;
use crate::pipeline::Sink;

/// Scans every metadata field of `image`; each field is one blob with one item per line.
pub fn scan_metadata<S: Sink>(image: &ImageDesc, sink: &S, state: &mut S::Thread) {
    let config: Value = match serde_json::from_slice(&image.config) {
        Ok(config) => config,
        Err(err) => {
            sink.stats().error(
                format!("{} config", image.name),
                format!("config is not JSON: {err}"),
            );
            Value::Null
        }
    };
    let scan = |field: &str, lines: Vec<String>, state: &mut S::Thread| {
        if lines.is_empty() {
            return;
        }
        let origin = Arc::new(Origin::ImageMetadata {
            image: image.name.clone(),
            image_digest: image.manifest_digest.clone(),
            field: field.to_string(),
        });
        sink.scan_blob(lines.join("\n").as_bytes(), &origin, state);
    };
    // Old Docker builders also fill `container_config` with the build step's environment.
    for section in ["config", "container_config"] {
        let Some(c) = config.get(section) else {
            continue;
        };
        scan(&format!("{section}.Env"), string_list(c.get("Env")), state);
        for field in ["Cmd", "Entrypoint"] {
            let words = string_list(c.get(field));
            let line = if words.is_empty() {
                vec![]
            } else {
                vec![words.join(" ")]
            };
            scan(&format!("{section}.{field}"), line, state);
        }
        let labels = string_map(c.get("Labels"))
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        scan(&format!("{section}.Labels"), labels, state);
    }
    let history: Vec<String> = config
        .get("history")
        .and_then(Value::as_array)
        .map(|entries| {
            entries
                .iter()
                .map(|h| {
                    let created_by = h.get("created_by").and_then(Value::as_str).unwrap_or("");
                    let comment = h.get("comment").and_then(Value::as_str).unwrap_or("");
                    // One line per entry so that the line number is the history index + 1.
                    format!("{created_by} {comment}").trim().replace('\n', " ")
                })
                .collect()
        })
        .unwrap_or_default();
    scan("history.created_by", history, state);
    let annotations = image
        .annotations
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    scan("manifest.annotations", annotations, state);
    for (digest, bytes) in &image.attestations {
        let field = format!("attestation {digest}");
        match serde_json::from_slice::<Value>(bytes) {
            Ok(statement) => {
                let mut lines = Vec::new();
                flatten(&statement, "", &mut lines);
                scan(&field, lines, state);
            }
            Err(_) => {
                let origin = Arc::new(Origin::ImageMetadata {
                    image: image.name.clone(),
                    image_digest: image.manifest_digest.clone(),
                    field,
                });
                sink.scan_blob(bytes, &origin, state);
            }
        }
    }
}

/// One `key=value` line per string or number in `value`, keyed by its last object key, so that
/// `{"build-arg:TOKEN": "..."}` reads as `build-arg:TOKEN=...` to the rules.
fn flatten(value: &Value, key: &str, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(v, k, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                flatten(item, key, out);
            }
        }
        Value::String(s) => out.push(format!("{key}={}", s.replace('\n', " "))),
        Value::Number(n) => out.push(format!("{key}={n}")),
        Value::Bool(_) | Value::Null => {}
    }
}
