//! The integration tests, one binary: each module runs the real `ferret` binary (or the library's
//! rule examples) the way users and their tools do. One binary links once instead of once per file.

mod support;

mod architecture;
mod assign;
mod cilog;
mod completions;
mod corpus;
mod credfiles;
mod fingerprints;
mod fuzz_smoke;
mod generic;
mod git;
mod gitleaks;
mod hooks;
mod http_decode;
mod image;
mod image_trust;
mod junit;
mod org;
mod org_examples;
mod progress;
mod project;
mod ranking;
mod readme;
mod recheck;
mod release;
mod report_merge;
mod report_paths;
mod rules;
mod scan_dir;
mod schema;
mod security;
mod skips;
mod targets;
mod terminal;
mod text_report;
mod verifier_answers;
mod verify;
mod verify_access;
mod verify_gcp;
mod verify_scale;
mod verify_servers;
mod workflow;
