//! Compatibility with gitleaks, so a project can switch without relearning or rewriting: its
//! `.gitleaksignore` and baseline reports ([`ignore`]), its `.gitleaks.toml` ([`import`]) and its
//! `--log-opts` ([`log_opts`]). `gitleaks:allow` comments are honoured by [`crate::filter`].

pub mod ignore;
pub mod import;
pub mod log_opts;
mod regex_translate;
