//! Compatibility with gitleaks, so a project can switch without relearning or rewriting: its
//! `.gitleaks.toml` ([`import`]) and its `--log-opts` ([`log_opts`]). Its `.gitleaksignore`,
//! baseline reports and `gitleaks:allow` comments are honoured by [`crate::filter`]
//! ([`crate::filter::gitleaks_ignore`]).

pub mod import;
pub mod log_opts;
mod regex_translate;
