//! Live reload: watches content directories and loads them again, on a
//! named thread, once the files have been quiet for [`DEBOUNCE`].
//!
//! The thread sleeps on a channel between changes (no polling, no CPU
//! while nothing changes). Dropping the [`Watch`] stops it.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::content::load::{Loaded, Loader};

/// How long the files must be quiet before a reload: editors save in
/// several steps (truncate, write, rename), and one reload should see the
/// finished file.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path} for changes: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
    #[error("cannot start the content watcher: {0}")]
    Start(#[from] notify::Error),
    #[error("cannot start the content-watch thread: {0}")]
    Thread(#[from] std::io::Error),
}

/// Watches while alive.
pub struct Watch {
    watcher: Option<notify::RecommendedWatcher>,
    thread: Option<JoinHandle<()>>,
}

impl Watch {
    /// Watches `dirs` (recursively). After each change, `loader` loads
    /// them again and `on_load` receives the result, on the watch thread.
    pub fn start(
        dirs: Vec<PathBuf>,
        mut loader: Loader,
        mut on_load: impl FnMut(Loaded) + Send + 'static,
    ) -> Result<Self, WatchError> {
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        for dir in &dirs {
            // A single file is watched through its directory: editors that
            // save by writing a new file and renaming it would end a watch
            // on the file itself.
            let (path, mode) = match dir.parent() {
                Some(parent) if dir.is_file() => (
                    if parent.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        parent
                    },
                    RecursiveMode::NonRecursive,
                ),
                _ => (dir.as_path(), RecursiveMode::Recursive),
            };
            watcher
                .watch(path, mode)
                .map_err(|source| WatchError::Watch {
                    path: dir.clone(),
                    source,
                })?;
        }
        let thread = std::thread::Builder::new()
            .name("content-watch".into())
            .spawn(move || {
                while wait_for_change(&rx) {
                    on_load(loader.load(&dirs));
                }
            })?;
        Ok(Self {
            watcher: Some(watcher),
            thread: Some(thread),
        })
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Dropping the watcher closes the channel, which ends the thread.
        drop(self.watcher.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            log::error!("the content-watch thread panicked");
        }
    }
}

/// Blocks until a change has happened and the files have been quiet for
/// [`DEBOUNCE`]; false when the watcher is gone.
fn wait_for_change(rx: &Receiver<notify::Result<notify::Event>>) -> bool {
    loop {
        match rx.recv() {
            Ok(event) if is_change(&event) => break,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    loop {
        match rx.recv_timeout(DEBOUNCE) {
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return true,
            Err(RecvTimeoutError::Disconnected) => return false,
        }
    }
}

/// Whether an event may change what loads: not a file being opened or read
/// (the reload itself opens every file), not a change to a file that is
/// not content (an editor's swap file). Errors count, to be safe.
fn is_change(event: &notify::Result<notify::Event>) -> bool {
    let Ok(event) = event else {
        return true;
    };
    match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
        EventKind::Access(_) => return false,
        _ => {}
    }
    event.paths.is_empty() || event.paths.iter().any(|p| may_be_content(p))
}

/// A `.ron` file, or something without an extension (a directory).
fn may_be_content(path: &Path) -> bool {
    path.extension()
        .is_none_or(|e| e.eq_ignore_ascii_case("ron"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{CreateKind, ModifyKind};

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn reads_are_not_changes_and_other_files_are_ignored() {
        let open = EventKind::Access(AccessKind::Open(AccessMode::Any));
        assert!(!is_change(&Ok(event(open, "data/a.ron"))));
        let closed = EventKind::Access(AccessKind::Close(AccessMode::Write));
        assert!(is_change(&Ok(event(closed, "data/a.ron"))));
        let modify = EventKind::Modify(ModifyKind::Any);
        assert!(is_change(&Ok(event(modify, "data/a.RON"))));
        assert!(!is_change(&Ok(event(modify, "data/.a.ron.swp"))));
        let folder = EventKind::Create(CreateKind::Folder);
        assert!(is_change(&Ok(event(folder, "data/new"))));
        assert!(is_change(&Err(notify::Error::generic("overflow"))));
    }

    #[test]
    fn debounce_waits_for_quiet_and_stops_when_the_sender_goes() {
        let (tx, rx) = mpsc::channel();
        let modify = || Ok(event(EventKind::Modify(ModifyKind::Any), "a.ron"));
        tx.send(modify()).unwrap();
        tx.send(modify()).unwrap();
        let t = std::time::Instant::now();
        assert!(wait_for_change(&rx));
        assert!(t.elapsed() >= DEBOUNCE);
        assert!(rx.try_recv().is_err(), "both events were taken");
        drop(tx);
        assert!(!wait_for_change(&rx));
    }
}
