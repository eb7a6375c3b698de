//! The pipeline's one direction of flow, read from the source tree's imports: sources push into
//! the contract and know nothing of the scanner, detection or the command line; detection knows
//! nothing of verification, reports, sources or the command line; reports do not reach into the
//! scanner; and no two modules import each other. Test code (after `#[cfg(test)]`) is left out:
//! a module's tests may drive it with the real scanner.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::{TestDir, files_under};

/// A module path (`["source", "git", "blobs"]`) and the module paths its code refers to.
type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

/// The module of a file under `src`: `a/b.rs` and `a/b/mod.rs` are `["a", "b"]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut parts: Vec<String> = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().expect("a file name");
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" && stem != "main" {
        parts.push(stem.to_string());
    }
    parts
}

/// The code of a file without its test module and comments.
fn code_of(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path written after `crate::` or `super::` in `code`, as segments relative to the crate
/// root; `use crate::{a::b, c}` groups are expanded (one level of nesting is enough here).
fn referenced_paths(code: &str, module: &[String]) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for (keyword, base) in [("crate::", Vec::new()), ("super::", parent(module))] {
        let mut from = 0;
        while let Some(found) = code[from..].find(keyword) {
            let at = from + found;
            from = at + keyword.len();
            let before = at.checked_sub(1).map(|i| bytes[i]);
            if before.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b':') {
                continue;
            }
            let rest = &code[from..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let mut path = base.clone();
                    path.extend(segments(item.trim()));
                    out.push(path);
                }
            } else {
                let mut path = base.clone();
                path.extend(segments(rest));
                out.push(path);
            }
        }
    }
    out
}

/// The module `super` names from `module` (from `a/mod.rs`, module `a`, it is the root).
fn parent(module: &[String]) -> Vec<String> {
    module[..module.len().saturating_sub(1)].to_vec()
}

/// The leading `a::b::c` identifiers of `text`.
fn segments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        out.push(rest[..len].to_string());
        match rest[len..].strip_prefix("::") {
            Some(next) if !next.starts_with('{') => rest = next,
            _ => break,
        }
    }
    out
}

/// The import graph of the crate whose sources are under `src`.
fn import_graph(src: &Path) -> Graph {
    let files: Vec<_> = files_under(src)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .map(|f| module_of(f.strip_prefix(src).unwrap()))
        .collect();
    let mut graph = Graph::new();
    for file in &files {
        let module = module_of(file.strip_prefix(src).unwrap());
        let text = std::fs::read_to_string(file).unwrap();
        let targets = graph.entry(module.clone()).or_default();
        for path in referenced_paths(&code_of(&text), &module) {
            // The longest prefix that names a module is the module referred to.
            let target = (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|prefix| modules.contains(prefix));
            if let Some(target) = target
                && target != module
            {
                targets.insert(target);
            }
        }
    }
    graph
}

/// The module of the crate's top level that `module` belongs to.
fn top(module: &[String]) -> &str {
    module.first().map_or("", String::as_str)
}

/// `(importer, imported)` between modules under different top-level modules, by top level.
fn top_level_edges(graph: &Graph) -> BTreeSet<(String, String)> {
    let mut edges = BTreeSet::new();
    for (from, targets) in graph {
        for to in targets {
            if !from.is_empty() && top(from) != top(to) {
                edges.insert((top(from).to_string(), top(to).to_string()));
            }
        }
    }
    edges
}

/// What breaks the layering rules in `graph`, one line per problem.
fn violations(graph: &Graph) -> Vec<String> {
    let mut problems = Vec::new();
    let forbidden: &[(&str, &[&str])] = &[
        ("source", &["scan", "detect", "cli", "app"]),
        (
            "detect",
            &["verify", "report", "source", "cli", "app", "scan", "filter"],
        ),
        (
            "report",
            &["scan", "source", "cli", "app", "verify", "filter"],
        ),
        (
            "pipeline",
            &[
                "scan", "source", "detect", "filter", "verify", "report", "cli", "app", "config",
            ],
        ),
    ];
    for (from, targets) in graph {
        for (stage, banned) in forbidden {
            if top(from) != *stage {
                continue;
            }
            for to in targets {
                if banned.contains(&top(to)) {
                    problems.push(format!("{} imports {}", from.join("::"), to.join("::")));
                }
            }
        }
    }
    // No two top-level modules import each other, directly or round a longer cycle.
    let edges = top_level_edges(graph);
    for (a, b) in &edges {
        if a != "fuzzing"
            && b != "fuzzing"
            && let Some(back) = path_between(&edges, b, a)
        {
            problems.push(format!("cycle: {a} -> {}", back.join(" -> ")));
        }
    }
    // Nor do two files of one folder (its `mod.rs`, which declares them, aside).
    for (from, targets) in graph {
        for to in targets {
            let siblings = from.len() == to.len()
                && from.len() >= 2
                && from[..from.len() - 1] == to[..to.len() - 1];
            if siblings && from < to && graph.get(to).is_some_and(|t| t.contains(from)) {
                problems.push(format!(
                    "{} and {} import each other",
                    from.join("::"),
                    to.join("::")
                ));
            }
        }
    }
    problems
}

/// A path of top-level modules from `from` to `to` along `edges`, if there is one.
fn path_between(edges: &BTreeSet<(String, String)>, from: &str, to: &str) -> Option<Vec<String>> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![vec![from.to_string()]];
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap().clone();
        if last == to {
            return Some(path);
        }
        if !seen.insert(last.clone()) {
            continue;
        }
        for (a, b) in edges {
            if *a == last && b != "fuzzing" {
                let mut next = path.clone();
                next.push(b.clone());
                stack.push(next);
            }
        }
    }
    None
}

#[test]
fn the_pipeline_flows_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = import_graph(&src);
    // The reader must see the edges that exist, or the rules below prove nothing.
    let edges = top_level_edges(&graph);
    for (a, b) in [
        ("scan", "detect"),
        ("scan", "pipeline"),
        ("source", "pipeline"),
        ("app", "source"),
    ] {
        assert!(
            edges.contains(&(a.to_string(), b.to_string())),
            "{a} -> {b} not seen"
        );
    }
    let problems = violations(&graph);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_source_reaching_into_the_scanner_or_a_cycle_is_caught() {
    let dir = TestDir::new();
    let src = dir.path().join("src");
    let write = |path: &str, text: &str| {
        let path = src.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "lib.rs",
        "pub mod scan; pub mod source; pub mod pipeline;\n",
    );
    write(
        "scan.rs",
        "use crate::pipeline::Sink;\nuse crate::source::fs;\n",
    );
    write("pipeline/mod.rs", "pub mod sink;\n");
    write("pipeline/sink.rs", "pub trait Sink {}\n");
    write("source/mod.rs", "pub mod fs;\npub mod git;\n");
    write(
        "source/fs.rs",
        "use crate::{pipeline::Sink, scan::Scanner};\n// crate::detect in a comment is no import\nuse super::git::walk;\n",
    );
    write(
        "source/git.rs",
        "use super::fs::open;\n#[cfg(test)]\nmod tests { use crate::scan::Scanner; }\n",
    );
    let problems = violations(&import_graph(&src));
    assert!(
        problems.contains(&"source::fs imports scan".to_string()),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("cycle: scan -> source")),
        "{problems:?}"
    );
    assert!(
        problems.contains(&"source::fs and source::git import each other".to_string()),
        "{problems:?}"
    );
    // Neither comments nor test modules count.
    assert!(
        !problems.iter().any(|p| p.contains("detect")),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 4, "{problems:?}");
}
