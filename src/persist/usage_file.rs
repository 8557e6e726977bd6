//! `usage.ron` in the app's data directory. Several processes may count at
//! once (two windows, a window and `huashu usage`): each adds its new
//! counts to the file under a lock file, so the counts add up instead of
//! the last save winning.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::store::{self, StoreError};
use crate::usage::Tally;
#[cfg(test)]
use crate::usage::Usage;

/// The counts file of a data directory.
pub fn path_in(data_dir: &Path) -> PathBuf {
    data_dir.join("usage.ron")
}

/// The search log of a data directory (only with `log_searches: true`).
pub fn searches_in(data_dir: &Path) -> PathBuf {
    data_dir.join("searches.ron")
}

/// Reads the counts; none yet → empty. A damaged file is kept as
/// `usage.ron.bak` and counting starts again; the message says so once.
pub fn load<T: Tally>(path: &Path) -> Result<(T, Option<String>), StoreError> {
    store::load(path)
}

/// How long a save waits for another process's lock.
const LOCK_WAIT: Duration = Duration::from_secs(3);
/// A lock older than this was left by a process that died: taken over.
const STALE_LOCK: Duration = Duration::from_secs(30);
const LOCK_RETRY: Duration = Duration::from_millis(15);

/// Adds `new` to the counts in `path` (read, add, written atomically, all
/// under `usage.ron.lock`). Returns the message of a damaged file, once.
pub fn add<T: Tally>(path: &Path, new: &T) -> Result<Option<String>, StoreError> {
    let _lock = Lock::take(&lock_path(path))?;
    let (mut counts, message): (T, _) = load(path)?;
    counts.add(new);
    store::save(path, &counts)?;
    Ok(message)
}

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".lock");
    path.with_file_name(name)
}

/// A lock file, removed on drop.
struct Lock(PathBuf);

impl Lock {
    fn take(path: &Path) -> Result<Self, StoreError> {
        let err = |source| StoreError::Write {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(err)?;
        }
        let start = Instant::now();
        loop {
            match OpenOptions::new().write(true).create_new(true).open(path) {
                Ok(_) => return Ok(Self(path.to_owned())),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let age = std::fs::metadata(path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok());
                    if age.is_some_and(|a| a > STALE_LOCK) {
                        log::warn!("{}: a stale lock, taken over", path.display());
                        let _ = std::fs::remove_file(path);
                        continue;
                    }
                    if start.elapsed() > LOCK_WAIT {
                        return Err(err(std::io::Error::new(
                            std::io::ErrorKind::WouldBlock,
                            "another huashu holds the lock",
                        )));
                    }
                    std::thread::sleep(LOCK_RETRY);
                }
                Err(e) => return Err(err(e)),
            }
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CardId;
    use crate::usage::UsageEvent;

    fn one_copy() -> Usage {
        let mut u = Usage::default();
        u.record(
            &UsageEvent::Copied(CardId::parse("a").unwrap(), 2),
            "2026-11-29",
        );
        u
    }

    #[test]
    fn adds_up_and_a_damaged_file_is_kept_aside() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        assert_eq!(add(&path, &one_copy()).unwrap(), None);
        add(&path, &one_copy()).unwrap();
        let (u, _): (Usage, _) = load(&path).unwrap();
        assert_eq!(
            u.days["2026-11-29"][&CardId::parse("a").unwrap()].copied[&2],
            2
        );
        assert!(!lock_path(&path).exists(), "the lock is released");

        std::fs::write(&path, "Usage(days: {").unwrap();
        let message = add(&path, &one_copy()).unwrap();
        assert!(message.unwrap().contains("usage.ron.bak"));
        assert_eq!(
            std::fs::read_to_string(dir.path().join("usage.ron.bak")).unwrap(),
            "Usage(days: {"
        );
        assert_eq!(load::<Usage>(&path).unwrap().0, one_copy());
    }

    #[test]
    fn threads_adding_at_once_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        std::thread::scope(|s| {
            for n in 0..4 {
                let path = &path;
                std::thread::Builder::new()
                    .name(format!("adder-{n}"))
                    .spawn_scoped(s, move || {
                        for _ in 0..25 {
                            add(path, &one_copy()).unwrap();
                        }
                    })
                    .unwrap();
            }
        });
        let (u, _): (Usage, _) = load(&path).unwrap();
        assert_eq!(
            u.days["2026-11-29"][&CardId::parse("a").unwrap()].copied[&2],
            100
        );
    }

    #[test]
    fn a_stale_lock_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = path_in(dir.path());
        let lock = lock_path(&path);
        std::fs::write(&lock, "").unwrap();
        let old = SystemTime::now() - Duration::from_secs(120);
        std::fs::File::options()
            .write(true)
            .open(&lock)
            .unwrap()
            .set_modified(old)
            .unwrap();
        add(&path, &one_copy()).unwrap();
        assert_eq!(load::<Usage>(&path).unwrap().0, one_copy());
    }
}
