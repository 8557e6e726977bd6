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
    fn add(&self, path: &Path, new: Counted<'_>) -> Result<Option<String>, StoreError>;
}

/// Counts to add to a file.
#[derive(Clone, Copy, Debug)]
pub enum Counted<'a> {
    Usage(&'a Usage),
    /// The search log.
    Searches(&'a Searches),
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

    fn add(&self, path: &Path, new: Counted<'_>) -> Result<Option<String>, StoreError> {
        match new {
            Counted::Usage(usage) => usage_file::add(path, usage),
            Counted::Searches(searches) => usage_file::add(path, searches),
        }
    }
}
