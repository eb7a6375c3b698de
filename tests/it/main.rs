//! The integration tests, one binary: each module runs the real `ferret` binary (or the library's
//! rule examples) the way users and their tools do. One binary links once instead of once per file.

mod support;

mod cilog;
mod corpus;
mod git;
mod hooks;
mod image;
mod image_trust;
mod rules;
mod scan_dir;
mod verify;
mod verify_servers;
mod workflow;
