//! Content: files → raw RON → validated [`Library`](crate::model::Library),
//! with a [`Diagnostic`] for every problem. No egui here.

/// A central folder many counters read: new states settle before they
/// are shown; the offline copy.
pub mod assemble;
pub mod central;
/// The config file, where huashu keeps its files, and why the content
/// sources are the ones loaded.
pub mod config;
pub mod decode;
pub mod diagnostic;
/// Writing one edited card back into its file.
pub mod edit;
/// Printable HTML handouts.
pub mod export;
/// Text as it is compared: full-width to half-width, lower case,
/// traditional to simplified (queries).
pub mod fold;
pub mod import;
mod load;
mod outline;
/// Signed, versioned content for the branch network.
pub mod publish;
pub mod raw;
/// Importing into content that already has the manual's cards.
pub mod reimport;
mod ron_error;
pub mod rules;
pub mod snapshot;
pub mod sources;
/// Words a search takes for one another.
pub mod synonyms;
/// Finding the real mistake in RON text that does not parse.
mod syntax;
pub mod validate;
/// Which files under a content directory are content: the one walker,
/// shared with `build.rs` (which `include!`s it to embed `data/`).
pub mod walk;
pub mod watch;
pub mod web;
pub mod write;

pub use diagnostic::{Diagnostic, Pos, Severity};
pub use load::{
    BUILTIN_PREFIX, Loaded, LoadedFrom, Loader, MAX_FILE_BYTES, build, build_layers, builtin_files,
    load_builtin, load_dirs,
};
