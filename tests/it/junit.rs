//! `--format junit`: valid XML (parsed here with quick-xml), a suite per file and a failed case
//! per finding, secrets redacted, skips and errors as their own cases.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::support::test_image::github_token;
use crate::support::{TestDir, ferret};

/// One element as parsed: name, attributes, and its text.
#[derive(Debug, Default, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    depth: usize,
}

impl Element {
    fn attr(&self, key: &str) -> &str {
        self.attrs
            .iter()
            .find(|(k, _)| k == key)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// Parses `xml` fully (any syntax error fails the test) into its elements in document order.
fn parse(xml: &str) -> Vec<Element> {
    let mut reader = Reader::from_str(xml);
    let mut elements: Vec<Element> = Vec::new();
    let mut open: Vec<usize> = Vec::new();
    loop {
        let event = reader.read_event().expect("well-formed XML");
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let mut element = Element {
                    name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                    depth: open.len(),
                    ..Element::default()
                };
                for attr in e.attributes() {
                    let attr = attr.expect("valid attribute");
                    element.attrs.push((
                        String::from_utf8(attr.key.as_ref().to_vec()).unwrap(),
                        attr.unescape_value().expect("valid escapes").into_owned(),
                    ));
                }
                elements.push(element);
                if matches!(event, Event::Start(_)) {
                    open.push(elements.len() - 1);
                }
            }
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    elements[i].text.push_str(&t.decode().unwrap());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(&i) = open.last() {
                    let name = r.decode().unwrap();
                    let c = quick_xml::escape::resolve_predefined_entity(&name)
                        .expect("only predefined entities");
                    elements[i].text.push_str(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    elements
}

#[test]
fn junit_has_a_suite_per_file_and_a_failed_case_per_finding() {
    let tokens = [
        github_token("junit-a"),
        github_token("junit-b"),
        github_token("junit-c"),
    ];
    let dir = TestDir::new()
        .file("a & b/.env", format!("A={}\nB={}\n", tokens[0], tokens[1]))
        .file("src/<app>.py", format!("TOKEN = '{}'\n", tokens[2]))
        .file("big.log", "x".repeat(4096));
    let out = ferret()
        .args(["scan", "dir", "--format", "junit", "--max-file-size", "1K"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    for token in &tokens {
        assert!(
            !xml.contains(token.as_str()),
            "a secret is in the report:\n{xml}"
        );
    }
    // Literal markup characters in file names are escaped, not markup.
    assert!(
        xml.contains("a &amp; b/.env") && xml.contains("src/&lt;app&gt;.py"),
        "{xml}"
    );

    let big = dir.join("big.log").display().to_string();
    let elements = parse(&xml);
    let root = &elements[0];
    assert_eq!(root.name, "testsuites");
    assert_eq!(
        (
            root.attr("tests"),
            root.attr("failures"),
            root.attr("skipped"),
            root.attr("errors")
        ),
        ("4", "3", "1", "0")
    );
    let suites: Vec<&Element> = elements.iter().filter(|e| e.name == "testsuite").collect();
    let names: Vec<(&str, &str)> = suites
        .iter()
        .map(|s| (s.attr("name"), s.attr("tests")))
        .collect();
    assert_eq!(
        names,
        [
            ("a & b/.env", "2"),
            ("src/<app>.py", "1"),
            ("not scanned fully", "1")
        ]
    );
    let cases: Vec<(&str, &str, &str)> = elements
        .iter()
        .filter(|e| e.name == "testcase")
        .map(|e| (e.attr("name"), e.attr("classname"), e.attr("line")))
        .collect();
    assert_eq!(
        cases,
        [
            (
                "github-pat-classic at a & b/.env:1:3",
                "ferret.github-pat-classic",
                "1"
            ),
            (
                "github-pat-classic at a & b/.env:2:3",
                "ferret.github-pat-classic",
                "2"
            ),
            (
                "github-pat-classic at src/<app>.py:1:10",
                "ferret.github-pat-classic",
                "1"
            ),
            (big.as_str(), "ferret.not-scanned", ""),
        ]
    );
    let failures: Vec<&Element> = elements.iter().filter(|e| e.name == "failure").collect();
    assert_eq!(failures.len(), 3);
    let first = failures[0];
    assert_eq!(first.attr("type"), "high");
    assert!(
        first
            .attr("message")
            .starts_with("GitHub personal access token (classic) (high): ghp_"),
        "{first:?}"
    );
    assert!(first.attr("message").ends_with("*****"), "{first:?}");
    assert!(first.text.contains("location: a & b/.env:1:3"), "{first:?}");
    assert!(first.text.contains("confidence: high"), "{first:?}");
    assert!(first.text.contains("fingerprint: fp2_"), "{first:?}");
    let skipped = elements.iter().find(|e| e.name == "skipped").unwrap();
    assert_eq!(
        elements.iter().filter(|e| e.depth == 3).count(),
        4,
        "failures and skip nest in cases"
    );
    assert!(!skipped.attr("message").is_empty(), "{skipped:?}");

    // A clean scan is an empty, valid document.
    let clean = TestDir::new().file("readme.txt", "nothing here\n");
    let out = ferret()
        .args(["scan", "dir", "-f", "junit"])
        .arg(clean.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let elements = parse(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(elements.len(), 1);
    assert_eq!(elements[0].attr("tests"), "0");
}
