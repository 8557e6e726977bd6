//! What the window's runtime reads and writes, behind one trait, so its
//! flows (the card form, drafts, usage counts, the search log, settings)
//! run in tests without a disk: [`Disk`] is the real one.

use std::path::Path;

use super::store::StoreError;
use super::usage_file;
use crate::usage::{Searches, Usage};

pub trait Storage: Send {
    /// The bytes of a file (a card file, the draft).
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>>;
    /// Replaces `path` with `bytes`, whole or not at all.
    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()>;
    /// Removes `path`; already gone is fine.
    fn remove(&self, path: &Path) -> std::io::Result<()>;
    /// Adds `new` to the counts kept in `path` (other processes add theirs
    /// too); the message of a damaged file, once.
    fn add_usage(&self, path: &Path, new: &Usage) -> Result<Option<String>, StoreError>;
    /// The same for the search log.
    fn add_searches(&self, path: &Path, new: &Searches) -> Result<Option<String>, StoreError>;
}

/// The files on this computer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Disk;

impl Storage for Disk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        std::fs::read(path)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        crate::atomic::write(path, bytes)
    }

    fn remove(&self, path: &Path) -> std::io::Result<()> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }

    fn add_usage(&self, path: &Path, new: &Usage) -> Result<Option<String>, StoreError> {
        usage_file::add(path, new)
    }

    fn add_searches(&self, path: &Path, new: &Searches) -> Result<Option<String>, StoreError> {
        usage_file::add(path, new)
    }
}
