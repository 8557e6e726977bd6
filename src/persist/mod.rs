//! Everything huashu writes for itself, in one place: the settings, the
//! usage counts (merged with other processes' under a lock), and the log.
//! The window calls these; `ui` itself opens no file.

pub mod log;
pub mod settings_file;
pub mod store;
pub mod usage_file;

pub use store::{StoreError, backup_path};
