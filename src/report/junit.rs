//! `--format junit`: JUnit XML, which CI systems show in their test tabs. Each scanned file with
//! findings is a `<testsuite>`, each finding a failed `<testcase>` (secret redacted unless
//! `--show-secrets`); anything not scanned fully is a skipped test case and anything that could
//! not be read an errored one, so a partial scan cannot pass for a clean one.
//!
//! Text from the input goes through [`escape_control`]: XML 1.0 cannot carry most control
//! characters at all, escaped or not, and the XML writer escapes markup.

use std::io::Write;

use anyhow::Result;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{ReportOptions, Summary};
use crate::escape::escape_control;
use crate::pipeline::Finding;

/// Writes the findings as JUnit XML.
pub fn write_junit(
    out: &mut dyn Write,
    findings: &[Finding],
    summary: &Summary,
    opts: &ReportOptions,
) -> Result<()> {
    let mut xml = Writer::new_with_indent(&mut *out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let tests = findings.len() + summary.skips.len() + summary.errors.len();
    let time = format!("{:.3}", summary.elapsed.as_secs_f64());
    xml.create_element("testsuites")
        .with_attribute(("name", "ferret"))
        .with_attribute(("tests", tests.to_string().as_str()))
        .with_attribute(("failures", findings.len().to_string().as_str()))
        .with_attribute(("errors", summary.errors.len().to_string().as_str()))
        .with_attribute(("skipped", summary.skips.len().to_string().as_str()))
        .with_attribute(("time", time.as_str()))
        .write_inner_content(|xml| {
            // Findings arrive sorted by path, so each file's are adjacent.
            for group in findings.chunk_by(|a, b| a.path() == b.path()) {
                write_file_suite(xml, group, opts)?;
            }
            if !summary.skips.is_empty() {
                suite(xml, "not scanned fully", summary.skips.len(), 0, 0).write_inner_content(
                    |xml| {
                        for skip in &summary.skips {
                            let name = escape_control(&skip.subject);
                            let detail = escape_control(&skip.detail);
                            xml.create_element("testcase")
                                .with_attribute(("name", &*name))
                                .with_attribute(("classname", "ferret.not-scanned"))
                                .write_inner_content(|xml| {
                                    xml.create_element("skipped")
                                        .with_attribute(("message", &*detail))
                                        .write_empty()?;
                                    Ok(())
                                })?;
                        }
                        Ok(())
                    },
                )?;
            }
            if !summary.errors.is_empty() {
                suite(
                    xml,
                    "could not be read",
                    summary.errors.len(),
                    0,
                    summary.errors.len(),
                )
                .write_inner_content(|xml| {
                    for error in &summary.errors {
                        let name = escape_control(&error.subject);
                        let message = escape_control(&error.message);
                        xml.create_element("testcase")
                            .with_attribute(("name", &*name))
                            .with_attribute(("classname", "ferret.error"))
                            .write_inner_content(|xml| {
                                xml.create_element("error")
                                    .with_attribute(("message", &*message))
                                    .write_empty()?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            }
            Ok(())
        })?;
    writeln!(out)?;
    Ok(())
}

fn suite<'a, W: Write>(
    xml: &'a mut Writer<W>,
    name: &str,
    tests: usize,
    failures: usize,
    errors: usize,
) -> quick_xml::writer::ElementWriter<'a, W> {
    xml.create_element("testsuite")
        .with_attribute(("name", name))
        .with_attribute(("tests", tests.to_string().as_str()))
        .with_attribute(("failures", failures.to_string().as_str()))
        .with_attribute(("errors", errors.to_string().as_str()))
}

/// One file's findings: a suite named after the file, a failed case per finding.
fn write_file_suite<W: Write>(
    xml: &mut Writer<W>,
    findings: &[Finding],
    opts: &ReportOptions,
) -> std::io::Result<()> {
    let path = escape_control(findings[0].path()).into_owned();
    suite(xml, &path, findings.len(), findings.len(), 0).write_inner_content(|xml| {
        for f in findings {
            let suffix = escape_control(&f.origin.text_suffix()).into_owned();
            let name = format!("{} at {path}:{}:{}{suffix}", f.rule_id, f.line, f.column);
            let message = format!(
                "{} ({}): {}",
                f.rule_name,
                f.severity.as_str(),
                f.display_secret(opts.show_secrets)
            );
            xml.create_element("testcase")
                .with_attribute(("name", escape_control(&name).as_ref()))
                .with_attribute(("classname", format!("ferret.{}", f.rule_id).as_str()))
                .with_attribute(("file", path.as_str()))
                .with_attribute(("line", f.line.to_string().as_str()))
                .write_inner_content(|xml| {
                    xml.create_element("failure")
                        .with_attribute(("message", escape_control(&message).as_ref()))
                        .with_attribute(("type", f.severity.as_str()))
                        .write_text_content(BytesText::new(&details(f, opts)))?;
                    Ok(())
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The failure's body: what a person needs to find, judge and rotate the secret.
fn details(f: &Finding, opts: &ReportOptions) -> String {
    let mut lines = vec![
        format!("rule: {} ({})", f.rule_id, f.rule_name),
        format!(
            "location: {}:{}:{}{}",
            f.path(),
            f.line,
            f.column,
            f.origin.text_suffix()
        ),
        format!("secret: {}", f.display_secret(opts.show_secrets)),
        format!("fingerprint: {}", f.fingerprint),
        format!(
            "severity: {}, confidence: {}",
            f.severity.as_str(),
            f.confidence.as_str()
        ),
    ];
    if !f.confidence_reasons.is_empty() {
        lines.push(format!(
            "confidence lowered by: {}",
            f.confidence_reasons.join(", ")
        ));
    }
    if let Some(v) = &f.verification {
        lines.push(format!(
            "verification: {} ({})",
            v.status.as_str(),
            v.detail
        ));
    }
    if let Some(rotate) = &f.rotate {
        lines.push(format!("rotate: {rotate}"));
    }
    lines
        .iter()
        .map(|l| escape_control(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}
