//! Live reload: watches content directories and loads them again, on a
//! named thread, once the files have been quiet for [`DEBOUNCE`].
//!
//! The thread sleeps on a channel between changes (no polling, no CPU
//! while nothing changes). Central sources on network shares get no change
//! notifications, so their directories are also looked at every
//! [`Recheck::every`] (a directory listing; default once a minute). A
//! reload may ask to run again after a while (a central source's new state
//! waiting to settle); only then does the thread wake without a change.
//! Dropping the [`Watch`] stops the thread.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode};
use notify::{EventKind, RecursiveMode, Watcher as _};

use crate::content::central::fingerprint;
use crate::content::web::Mirror;

/// How long the files must be quiet before a reload: editors save in
/// several steps (truncate, write, rename), and one reload should see the
/// finished file.
pub const DEBOUNCE: Duration = Duration::from_millis(200);
/// The longest wait for quiet after a change.
pub const MAX_DEBOUNCE: Duration = Duration::from_secs(2);

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

/// Directories looked at every `every` (network shares send no change
/// notifications): a change of names, sizes or times, or the directory
/// appearing or vanishing, is a change.
#[derive(Debug)]
pub struct Recheck {
    pub every: Duration,
    pub dirs: Vec<PathBuf>,
    /// Reload once after this long even if nothing changed (the load made
    /// before the watch found a state still settling).
    pub soon: Option<Duration>,
    /// Web sources' mirrors (their folders are among `dirs`): brought up to
    /// date before each look, so a new version changes its folder; a new
    /// failure to reach one is a change too.
    pub mirrors: Vec<Mirror>,
}

impl Recheck {
    /// The re-checked folders' fingerprints.
    fn fingerprints(&self) -> Vec<u64> {
        self.dirs.iter().map(|d| fingerprint(d)).collect()
    }

    /// Brings the mirrors up to date (on the watch thread only: it asks the
    /// network); for each, 0 or its error's hash.
    fn sync(&self) -> Vec<u64> {
        self.mirrors
            .iter()
            .map(|m| match m.sync() {
                Ok(_) => 0,
                // Never 0: that is a sync that worked.
                Err(e) => crate::hash::fnv1a(crate::hash::FNV_START, e.to_string().as_bytes()) | 1,
            })
            .collect()
    }
}

impl Watch {
    /// Watches `paths` (recursively; a file through its directory) and,
    /// with `recheck`, looks at those directories now and then. After each
    /// change, `reload` runs on the watch thread; when it returns a
    /// duration it runs again after that long even if nothing changed.
    /// Paths that cannot be watched are returned (the others are still
    /// watched).
    pub fn start(
        paths: &[PathBuf],
        recheck: Option<Recheck>,
        mut reload: impl FnMut() -> Option<Duration> + Send + 'static,
    ) -> Result<(Self, Vec<WatchError>), WatchError> {
        let (tx, rx) = mpsc::channel();
        let mut watcher = notify::recommended_watcher(tx)?;
        let mut failed = Vec::new();
        let rechecked = recheck.as_ref().map_or(&[][..], |r| r.dirs.as_slice());
        for dir in paths.iter().chain(rechecked) {
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
            if let Err(source) = watcher.watch(path, mode) {
                // Re-checked directories may well be unreachable now.
                if !rechecked.contains(dir) {
                    failed.push(WatchError::Watch {
                        path: dir.clone(),
                        source,
                    });
                }
            }
        }
        // Taken now, not when the thread gets to run: a change made right
        // after `start` returns must be seen as one.
        let mut seen = recheck.as_ref().map(Recheck::fingerprints);
        let thread = std::thread::Builder::new()
            .name("content-watch".into())
            .spawn(move || {
                // Each mirror's last sync: a new failure is a change.
                let mut failures = recheck.as_ref().map(|r| vec![0; r.mirrors.len()]);
                let mut again: Option<Instant> = recheck
                    .as_ref()
                    .and_then(|r| r.soon)
                    .map(|after| Instant::now() + after);
                loop {
                    let every = recheck.as_ref().map(|r| r.every);
                    let until_again = again.map(|at| at.saturating_duration_since(Instant::now()));
                    let timeout = match (every, until_again) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    match wait_for_change(&rx, timeout) {
                        Wait::Closed => break,
                        Wait::Change => {}
                        Wait::Quiet => {
                            let due = again.is_some_and(|at| Instant::now() >= at);
                            let synced = recheck.as_ref().map(Recheck::sync);
                            let failed_before = std::mem::replace(&mut failures, synced);
                            let now = recheck.as_ref().map(Recheck::fingerprints);
                            if now == seen && failures == failed_before && !due {
                                continue;
                            }
                        }
                    }
                    again = reload().map(|after| Instant::now() + after);
                    seen = recheck.as_ref().map(Recheck::fingerprints);
                }
            })?;
        Ok((
            Self {
                watcher: Some(watcher),
                thread: Some(thread),
            },
            failed,
        ))
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

/// What waiting ended with.
#[derive(Debug, PartialEq, Eq)]
enum Wait {
    /// Something changed and the files have been quiet for [`DEBOUNCE`].
    Change,
    /// `recheck` passed without a notification.
    Quiet,
    /// The watcher is gone.
    Closed,
}

/// Blocks until a change has happened and the files have been quiet for
/// [`DEBOUNCE`], or for `timeout` without any change.
fn wait_for_change(
    rx: &Receiver<notify::Result<notify::Event>>,
    timeout: Option<Duration>,
) -> Wait {
    loop {
        let event = match timeout {
            Some(every) => match rx.recv_timeout(every) {
                Ok(event) => event,
                Err(RecvTimeoutError::Timeout) => return Wait::Quiet,
                Err(RecvTimeoutError::Disconnected) => return Wait::Closed,
            },
            None => match rx.recv() {
                Ok(event) => event,
                Err(_) => return Wait::Closed,
            },
        };
        if is_change(&event) {
            break;
        }
    }
    // Quiet for DEBOUNCE — but never wait longer than MAX_DEBOUNCE: a
    // stream of events without a pause (a long copy into the folder, or a
    // watch reporting errors for a folder that went away) must not hold the
    // reload back for ever.
    let started = std::time::Instant::now();
    loop {
        if started.elapsed() > MAX_DEBOUNCE {
            return Wait::Change;
        }
        match rx.recv_timeout(DEBOUNCE) {
            Ok(_) => {}
            Err(RecvTimeoutError::Timeout) => return Wait::Change,
            Err(RecvTimeoutError::Disconnected) => return Wait::Closed,
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
        assert_eq!(wait_for_change(&rx, None), Wait::Change);
        assert!(t.elapsed() >= DEBOUNCE);
        assert!(rx.try_recv().is_err(), "both events were taken");
        let every = Duration::from_millis(50);
        assert_eq!(wait_for_change(&rx, Some(every)), Wait::Quiet);
        drop(tx);
        assert_eq!(wait_for_change(&rx, None), Wait::Closed);
    }
}
