//! Sources: where bytes come from. Each source takes its own options, pushes blobs with their
//! [`Origin`](crate::pipeline::Origin) into a [`Sink`](crate::pipeline::Sink) and knows nothing
//! about rules, the scanner or the command line.

pub mod api;
pub mod archive;
pub mod cilog;
pub mod fs;
pub mod git;
pub mod image;
pub mod org;
pub mod stdin;
