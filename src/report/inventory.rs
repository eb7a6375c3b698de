//! The secret-sprawl inventory: findings grouped by secret (their fingerprint), one entry per
//! distinct secret with every place it was seen, when, whether it is still there and what to do
//! about it. `--format inventory-json` writes it; the HTML report shows it.
//!
//! What "still present" means is derived from each origin, and only where the origin can say:
//! a git finding whose secret is still in HEAD's tree, a file on disk, a staged blob, an image
//! layer file that no later layer deletes and an image's metadata are present; a git finding
//! no longer in HEAD and an image file a later layer deletes are history only (still readable
//! from the history or the layer); a CI log or standard input is unknown.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;

use anyhow::Result;
use serde_json::{Value, json};

use super::ReportOptions;
use crate::pipeline::{Confidence, Finding, Origin, Severity, VerificationStatus};

/// Version of the `inventory-json` layout, bumped when a field changes meaning.
pub const INVENTORY_VERSION: u32 = 1;

/// Whether a secret is still where it was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// In the current state of at least one place (HEAD, the file system, the image).
    Present,
    /// Only in history (earlier commits, a layer a later one deletes).
    HistoryOnly,
    /// The origin does not say (CI logs, standard input).
    Unknown,
}

impl Presence {
    /// The name reports use.
    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Present => "present",
            Presence::HistoryOnly => "history_only",
            Presence::Unknown => "unknown",
        }
    }

    /// What one origin says.
    pub fn of(origin: &Origin) -> Self {
        match origin {
            Origin::Git { still_in_head, .. } if *still_in_head => Presence::Present,
            Origin::Git { .. } => Presence::HistoryOnly,
            Origin::ImageLayer {
                removed_in_layer: Some(_),
                ..
            } => Presence::HistoryOnly,
            Origin::File { .. }
            | Origin::GitStaged { .. }
            | Origin::ImageLayer { .. }
            | Origin::ImageMetadata { .. } => Presence::Present,
            Origin::CiLog(_) | Origin::Stdin { .. } => Presence::Unknown,
        }
    }

    /// A secret's presence from its places': present anywhere wins; history only when every
    /// place says so; otherwise (some place cannot tell) unknown.
    fn combine(places: impl IntoIterator<Item = Presence>) -> Self {
        let mut all_history = true;
        let mut any = false;
        for p in places {
            any = true;
            match p {
                Presence::Present => return Presence::Present,
                Presence::HistoryOnly => {}
                Presence::Unknown => all_history = false,
            }
        }
        if any && all_history {
            Presence::HistoryOnly
        } else {
            Presence::Unknown
        }
    }
}

/// One distinct secret and everywhere it was seen.
#[derive(Debug)]
pub struct Secret<'a> {
    /// Its findings, in report order; the first names the rule.
    pub findings: Vec<&'a Finding>,
    /// The highest severity among them.
    pub severity: Severity,
    /// The highest confidence among them.
    pub confidence: Confidence,
    /// The strongest verification result: live beats dead beats unknown; `None`: not checked.
    pub verification: Option<VerificationStatus>,
    /// Whether it is still where it was found.
    pub presence: Presence,
    /// The earliest and latest commit dates among its git places, as written there.
    pub first_seen: Option<&'a str>,
    /// See `first_seen`.
    pub last_seen: Option<&'a str>,
}

impl<'a> Secret<'a> {
    /// The finding that names the rule, provider and rotation link.
    pub fn first(&self) -> &'a Finding {
        self.findings[0]
    }
}

/// Findings grouped by secret.
#[derive(Debug)]
pub struct Inventory<'a> {
    /// Most urgent first: severity, then live ones, then by rule and fingerprint.
    pub secrets: Vec<Secret<'a>>,
}

impl<'a> Inventory<'a> {
    /// Groups `findings` by fingerprint.
    pub fn of(findings: &'a [Finding]) -> Self {
        let mut order: Vec<&str> = Vec::new();
        let mut groups: HashMap<&str, Vec<&Finding>> = HashMap::new();
        for f in findings {
            groups
                .entry(&f.fingerprint)
                .or_insert_with(|| {
                    order.push(&f.fingerprint);
                    Vec::new()
                })
                .push(f);
        }
        let mut secrets: Vec<Secret> = order
            .into_iter()
            .filter_map(|fp| groups.remove(fp))
            .map(secret_of)
            .collect();
        secrets.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(a.verification.cmp(&b.verification))
                .then(a.first().rule_id.cmp(&b.first().rule_id))
                .then(a.first().fingerprint.cmp(&b.first().fingerprint))
        });
        Inventory { secrets }
    }

    /// Distinct secrets by severity, most severe first.
    pub fn by_severity(&self) -> Vec<(&'static str, usize)> {
        let mut counts: BTreeMap<std::cmp::Reverse<Severity>, usize> = BTreeMap::new();
        for s in &self.secrets {
            *counts.entry(std::cmp::Reverse(s.severity)).or_default() += 1;
        }
        counts.into_iter().map(|(s, n)| (s.0.as_str(), n)).collect()
    }

    /// Distinct secrets by provider (`generic` for rules without one), by name.
    pub fn by_provider(&self) -> Vec<(&'a str, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &self.secrets {
            *counts
                .entry(s.first().provider.as_deref().unwrap_or("generic"))
                .or_default() += 1;
        }
        counts.into_iter().collect()
    }

    /// Places (findings) by the kind of source they came from, by kind.
    pub fn by_source_kind(&self) -> Vec<(&'static str, usize)> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for f in self.secrets.iter().flat_map(|s| &s.findings) {
            *counts.entry(f.origin.kind()).or_default() += 1;
        }
        counts.into_iter().collect()
    }
}

fn secret_of(findings: Vec<&Finding>) -> Secret<'_> {
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or_default();
    let confidence = findings
        .iter()
        .map(|f| f.confidence)
        .max()
        .unwrap_or_default();
    // VerificationStatus orders verified < invalid < unknown: the least is the strongest.
    let verification = findings
        .iter()
        .filter_map(|f| f.verification.as_ref().map(|v| v.status))
        .min();
    let presence = Presence::combine(findings.iter().map(|f| Presence::of(&f.origin)));
    // A git finding stands for every version that held the secret: the last seen is the date
    // of its latest one.
    let mut dates: Vec<(jiff::Timestamp, &str)> = findings
        .iter()
        .flat_map(|f| match &*f.origin {
            Origin::Git {
                date, occurrences, ..
            } => std::iter::once(date.as_str())
                .chain(occurrences.iter().map(|o| o.date.as_str()))
                .collect(),
            _ => Vec::new(),
        })
        .filter_map(|date| date.parse().ok().map(|t| (t, date)))
        .collect();
    dates.sort();
    Secret {
        severity,
        confidence,
        verification,
        presence,
        first_seen: dates.first().map(|d| d.1),
        last_seen: dates.last().map(|d| d.1),
        findings,
    }
}

/// The JSON of one place a secret was seen: the finding's origin and position.
pub fn location_json(f: &Finding) -> Value {
    let mut obj = json!({
        "kind": f.origin.kind(),
        "path": f.path(),
        "line": f.line,
        "column": f.column,
        "presence": Presence::of(&f.origin).as_str(),
        "origin": &*f.origin,
    });
    if let (Some(root), Value::Object(map)) = (f.origin.root(), &mut obj) {
        map.insert("root".into(), json!(super::roots::absolute_root(root)));
    }
    obj
}

/// The JSON of one inventory entry.
pub fn secret_json(s: &Secret, opts: &ReportOptions) -> Value {
    let first = s.first();
    let mut obj = json!({
        "fingerprint": &first.fingerprint,
        "rule_id": &*first.rule_id,
        "rule_name": &*first.rule_name,
        "severity": s.severity.as_str(),
        "confidence": s.confidence.as_str(),
        "secret": first.display_secret(opts.show_secrets),
        "redacted": !opts.show_secrets || first.secret_redacted,
        "verification": s.verification.map_or("not_checked", VerificationStatus::as_str),
        "presence": s.presence.as_str(),
        "locations": s.findings.iter().map(|f| location_json(f)).collect::<Vec<_>>(),
    });
    let map = obj
        .as_object_mut()
        .expect("json! of an object literal is an object");
    if let Some(provider) = &first.provider {
        map.insert("provider".into(), json!(&**provider));
    }
    if let Some(rotate) = &first.rotate {
        map.insert("rotate".into(), json!(&**rotate));
    }
    if let (Some(first_seen), Some(last_seen)) = (s.first_seen, s.last_seen) {
        map.insert("first_seen".into(), json!(first_seen));
        map.insert("last_seen".into(), json!(last_seen));
    }
    obj
}

/// Writes `--format inventory-json`: the counts and one entry per distinct secret.
pub fn write_inventory_json(
    out: &mut dyn Write,
    findings: &[Finding],
    opts: &ReportOptions,
) -> Result<()> {
    let inventory = Inventory::of(findings);
    let counts = |pairs: Vec<(&str, usize)>| -> Value {
        Value::Object(
            pairs
                .into_iter()
                .map(|(k, n)| (k.into(), n.into()))
                .collect(),
        )
    };
    let doc = json!({
        "ferret_inventory": INVENTORY_VERSION,
        "summary": {
            "secrets": inventory.secrets.len(),
            "findings": findings.len(),
            "secrets_by_severity": counts(inventory.by_severity()),
            "secrets_by_provider": counts(inventory.by_provider()),
            "locations_by_kind": counts(inventory.by_source_kind()),
        },
        "secrets": inventory.secrets.iter().map(|s| secret_json(s, opts)).collect::<Vec<_>>(),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(still_in_head: bool) -> Origin {
        Origin::Git {
            repository: "/r".into(),
            path: "a".into(),
            commit: "c".into(),
            author: String::new(),
            email: String::new(),
            date: String::new(),
            summary: String::new(),
            blob: String::new(),
            still_in_head,
            versions: 1,
            last_commit: "c".into(),
            occurrences: Vec::new(),
            walk_order: 0,
        }
    }

    #[test]
    fn presence_is_derived_only_where_an_origin_can_tell() {
        use Presence::*;
        assert_eq!(Presence::of(&git(true)), Present);
        assert_eq!(Presence::of(&git(false)), HistoryOnly);
        let log = Origin::CiLog(Default::default());
        assert_eq!(Presence::of(&log), Unknown);
        assert_eq!(Presence::combine([HistoryOnly, Present]), Present);
        assert_eq!(Presence::combine([HistoryOnly, HistoryOnly]), HistoryOnly);
        assert_eq!(Presence::combine([HistoryOnly, Unknown]), Unknown);
        assert_eq!(Presence::combine([]), Unknown);
    }

    #[test]
    fn kind_is_the_tag_reports_write() {
        for origin in [git(true), Origin::CiLog(Default::default())] {
            let value = serde_json::to_value(&origin).unwrap();
            assert_eq!(value["kind"], origin.kind());
        }
    }
}
