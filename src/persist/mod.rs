//! Everything huashu writes for itself, in one place: the settings, the
//! usage counts (merged with other processes' under a lock), the card
//! form's unsaved changes, and the log.
//! The window calls these; `ui` itself opens no file.

pub mod draft_file;
pub mod log;
pub mod report;
pub mod settings_file;
pub mod storage;
pub mod store;
pub mod usage_file;

pub use storage::{Disk, Storage};
pub use store::{StoreError, backup_path};
