//! A central source: one folder that many counters read (a network share,
//! or a checkout IT keeps updated), written by other programs at any time.
//!
//! Two things set it apart from a trainer's own folder:
//! - **A new state is accepted only once it has settled**: the same files
//!   with the same bytes, names, sizes and times, seen on reads at least
//!   the settle interval apart, with the folder unchanged across each read.
//!   A copy in progress (a file missing, cut short, emptied) is a new state
//!   at every look, so it is never accepted; until a state settles the
//!   counter keeps showing the one accepted last. The first sighting of a
//!   state is kept in `pending.ron` beside the offline copy, so one-shot
//!   commands (`list`, `search`, `check`) settle across runs as the window
//!   does within one.
//! - **An offline copy** ([`Cache`]) of the accepted state, used while the
//!   folder is away or broken, refreshed only from an accepted state.
//!
//! A file that lost every card while staying in the folder (comments only,
//! or a chapter with no cards where it had some) is taken for an
//! interrupted copy: the accepted state is kept for as long as it stays so.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::content::Diagnostic;
use crate::content::load::{Files, Read, read_dirs};
use crate::content::publish::{self, PublicKey, Rejected};
use crate::content::web::{Mirror, Synced, WebError};
use crate::hash::{FNV_START, fnv1a};

/// Default seconds a new state of a central folder must stay unchanged
/// before counters take it (config `settle_seconds`). Longer than the
/// pauses of the copies seen (Explorer, `robocopy`, `git checkout`, sync
/// tools: well under a second between one file's writes and the next),
/// short beside the minute a share is re-checked, so a published change
/// still shows within about a minute.
pub const DEFAULT_SETTLE_SECONDS: u64 = 10;

/// A central folder, what this counter accepted from it last, and its
/// offline copy.
#[derive(Debug)]
pub struct Central {
    dir: PathBuf,
    cache: Cache,
    settle: Duration,
    /// The accepted state, once known (from the offline copy, or accepted
    /// by this run).
    accepted: Option<Accepted>,
    /// The first sighting of a new state, when `pending.ron` cannot be
    /// written.
    pending: Option<Pending>,
    /// Whether the offline copy's time was renewed by this run.
    stamped: bool,
    /// The keys a published version must be signed by (`None`: none
    /// configured, unsigned content is taken).
    trust: Option<Vec<PublicKey>>,
    /// The published version the last look verified.
    verified: Option<Release>,
    /// Why the last look's published version was not taken.
    rejected: Option<Rejected>,
    /// A web source: its local mirror, read as a published folder.
    web: Option<Mirror>,
    /// A web source may be taken without `trust` (and is said to be).
    allow_unsigned: bool,
}

/// A published version a look verified: what runs, said by `sources` and
/// the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    pub version: u64,
    pub publisher: String,
    /// Local time, `YYYY-MM-DD HH:MM`.
    pub published: String,
    /// Its signature was checked against the trusted keys.
    pub signed: bool,
}

/// What one look at a central folder makes of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The same files as the state accepted last.
    Same,
    /// A new state, seen unchanged for the settle interval: it is taken
    /// if it loads without errors and empties no file.
    Settled,
    /// A new state not settled yet: look again after this long.
    Settling(Duration),
    /// The folder cannot be read.
    Unreachable,
    /// A published version that passed every check (complete by
    /// construction: taken if it loads without errors).
    Verified,
    /// A published version that failed a check (see [`Central::rejected`]).
    Rejected,
}

impl Verdict {
    /// Whether the accepted state (the offline copy) is shown instead of
    /// what was read: `clean` — the read loads without errors; `emptied` —
    /// a file in it lost every card.
    pub fn holds(self, clean: bool, emptied: bool) -> bool {
        match self {
            Self::Unreachable | Self::Settling(_) | Self::Rejected => true,
            Self::Same | Self::Verified => !clean,
            Self::Settled => !clean || emptied,
        }
    }
}

/// The state a counter accepted: a hash of its files and the cards of each
/// file (paths relative to the folder, with `/`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub state: u64,
    pub cards: BTreeMap<String, usize>,
    /// The published version, for a published folder: a counter never
    /// takes an older one.
    #[serde(default)]
    pub version: Option<u64>,
}

/// The first sighting of a new state (`None`: the folder changed while it
/// was read, which never settles).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Pending {
    state: Option<u64>,
    /// Milliseconds since 1970, by this machine's clock.
    since_ms: u64,
}

const PENDING: &str = "pending.ron";

impl Central {
    pub fn new(dir: PathBuf, cache_dir: &Path, settle: Duration) -> Self {
        let cache = Cache::new(cache_dir, &dir);
        Self {
            dir,
            cache,
            settle,
            accepted: None,
            pending: None,
            stamped: false,
            trust: None,
            verified: None,
            rejected: None,
            web: None,
            allow_unsigned: false,
        }
    }

    /// A web source (`dir` is its address): read through a mirror in the
    /// cache folder; `allow_unsigned` takes it without `trust`.
    #[must_use]
    pub fn with_web(mut self, mirror: Mirror, allow_unsigned: bool) -> Self {
        self.web = Some(mirror);
        self.allow_unsigned = allow_unsigned;
        self
    }

    /// A web source taken without signatures (`allow_unsigned: true`).
    pub fn unsigned_web(&self) -> bool {
        self.web.is_some() && self.trust.is_none()
    }

    /// Where the files are read: the folder, or a web source's mirror.
    fn root(&self) -> &Path {
        self.web.as_ref().map_or(&self.dir, Mirror::dir)
    }

    /// Published versions must be signed by one of `trust` (`None`: no
    /// keys configured).
    #[must_use]
    pub fn with_trust(mut self, trust: Option<Vec<PublicKey>>) -> Self {
        self.trust = trust;
        self
    }

    /// The published version the last look verified.
    pub fn release(&self) -> Option<&Release> {
        self.verified.as_ref()
    }

    /// Why the last look did not take the published version.
    pub fn rejected(&self) -> Option<&Rejected> {
        self.rejected.as_ref()
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn cache(&self) -> &Cache {
        &self.cache
    }

    pub fn settle(&self) -> Duration {
        self.settle
    }

    /// Reads the folder and judges what was read against the accepted
    /// state and the pending sighting (which it updates).
    pub(crate) fn look(&mut self, now: SystemTime) -> (Read, Verdict) {
        // Known before the folder is read (the offline copy's stamp).
        self.accepted();
        if let Some(web) = &self.web {
            let synced = (self.trust.is_some() || self.allow_unsigned).then(|| web.sync());
            return self.look_web(synced, now);
        }
        if publish::is_published(&self.dir) {
            return self.look_published(now);
        }
        self.verified = None;
        self.rejected = None;
        let before = fingerprint(&self.dir);
        let read = read_dirs(std::slice::from_ref(&self.dir));
        let after = fingerprint(&self.dir);
        if !read.failed_dirs.is_empty() {
            return (read, Verdict::Unreachable);
        }
        let state = state_hash(&self.dir, &read.files);
        if self.accepted().is_some_and(|a| a.state == state) {
            self.forget_pending();
            return (read, Verdict::Same);
        }
        // The names, sizes and times are part of a sighting: the same
        // bytes written again (a file deleted and copied back) are a new
        // sighting, so a state that keeps coming back mid-copy never
        // settles.
        let sighting = (before == after).then(|| mix(state, after));
        let now_ms = millis(now);
        let since = match self.read_pending() {
            Some(p) if sighting.is_some() && p.state == sighting && p.since_ms <= now_ms => {
                p.since_ms
            }
            _ => {
                self.write_pending(Pending {
                    state: sighting,
                    since_ms: now_ms,
                });
                now_ms
            }
        };
        let waited = Duration::from_millis(now_ms - since);
        let verdict = match sighting {
            Some(_) if waited >= self.settle => Verdict::Settled,
            Some(_) => Verdict::Settling(self.settle.saturating_sub(waited)),
            None => Verdict::Settling(self.settle.max(Duration::from_millis(100))),
        };
        (read, verdict)
    }

    /// A web source after `synced` (`None`: not asked, as it may not be
    /// taken unsigned): its mirror, verified as a published folder.
    fn look_web(
        &mut self,
        synced: Option<Result<Synced, WebError>>,
        now: SystemTime,
    ) -> (Read, Verdict) {
        let Some(synced) = synced else {
            self.verified = None;
            self.rejected = Some(Rejected::WebUnsigned);
            return (Read::default(), Verdict::Rejected);
        };
        match synced {
            Ok(synced) => {
                if let Synced::Fetched {
                    version,
                    files,
                    bytes,
                } = synced
                {
                    log::info!(
                        "{}: took version {version} ({files} files, {bytes} bytes downloaded)",
                        self.dir.display()
                    );
                }
                self.look_published(now)
            }
            Err(WebError::Rejected(why)) => {
                self.verified = None;
                self.rejected = Some(why);
                (Read::default(), Verdict::Rejected)
            }
            Err(e) => {
                self.verified = None;
                self.rejected = None;
                let read = Read {
                    diagnostics: vec![Diagnostic::error(
                        &self.dir,
                        None,
                        format!("无法从网络来源取得内容：{e}"),
                    )],
                    failed_dirs: vec![self.dir.clone()],
                    ..Read::default()
                };
                (read, Verdict::Unreachable)
            }
        }
    }

    /// A published folder: the version its pointer names, verified.
    fn look_published(&mut self, now: SystemTime) -> (Read, Verdict) {
        let have = self.accepted.as_ref().and_then(|a| a.version);
        let now_unix = i64::try_from(millis(now) / 1000).unwrap_or(i64::MAX);
        let root = self.root().to_path_buf();
        match publish::read_verified(&root, self.trust.as_deref(), have, now_unix) {
            Err(why) => {
                self.verified = None;
                self.rejected = Some(why);
                (Read::default(), Verdict::Rejected)
            }
            Ok(v) => {
                self.rejected = None;
                self.verified = Some(Release {
                    version: v.manifest.version,
                    publisher: v.manifest.publisher.clone(),
                    published: v.manifest.published.clone(),
                    signed: v.signed_by.is_some(),
                });
                let state = state_hash(&root, &v.files);
                let verdict = if self.accepted.as_ref().is_some_and(|a| a.state == state) {
                    Verdict::Same
                } else {
                    Verdict::Verified
                };
                let diagnostics = v
                    .unlisted
                    .iter()
                    .map(|p| {
                        Diagnostic::warning(p, None, "这个文件不在发布清单里，柜台不读它")
                            .with_help("要让柜台看到，请把它放进内容目录后重新发布")
                    })
                    .collect();
                let read = Read {
                    file_count: v.files.len(),
                    files: v.files,
                    diagnostics,
                    failed_dirs: Vec::new(),
                };
                (read, verdict)
            }
        }
    }

    /// Files of a read that lost every card since the accepted state (as
    /// known at the last [`Self::look`]): `(path, cards it had)`. `cards`:
    /// each file's cards as read.
    pub fn emptied(&self, cards: &BTreeMap<PathBuf, usize>) -> Vec<(PathBuf, usize)> {
        let Some(accepted) = &self.accepted else {
            return Vec::new();
        };
        cards
            .iter()
            .filter(|(_, n)| **n == 0)
            .filter_map(|(path, _)| {
                let had = *accepted.cards.get(&relative_name(self.root(), path)?)?;
                (had > 0).then(|| (path.clone(), had))
            })
            .collect()
    }

    /// Takes `files` (read from the folder, loaded without errors) as the
    /// accepted state, with each file's `cards`, and makes the offline copy
    /// equal to it. Returns whether the copy's files were written.
    pub fn accept(
        &mut self,
        files: &[(PathBuf, Vec<u8>)],
        cards: &BTreeMap<PathBuf, usize>,
    ) -> std::io::Result<bool> {
        let accepted = Accepted {
            state: state_hash(self.root(), files),
            cards: cards
                .iter()
                .filter_map(|(p, n)| Some((relative_name(self.root(), p)?, *n)))
                .collect(),
            version: self.verified.as_ref().map(|r| r.version),
        };
        self.forget_pending();
        let renew = !self.stamped;
        self.accepted = Some(accepted.clone());
        let written = self.cache.refresh(self.root(), files, &accepted, renew)?;
        self.stamped = true;
        Ok(written)
    }

    /// The accepted state: this run's, else the offline copy's.
    fn accepted(&mut self) -> Option<&Accepted> {
        if self.accepted.is_none() {
            self.accepted = self.cache.accepted();
        }
        self.accepted.as_ref()
    }

    fn read_pending(&self) -> Option<Pending> {
        std::fs::read_to_string(self.cache.root.join(PENDING))
            .ok()
            .and_then(|text| ron::from_str(&text).ok())
            .or(self.pending)
    }

    fn write_pending(&mut self, pending: Pending) {
        self.pending = Some(pending);
        if let Ok(text) = ron::to_string(&pending) {
            // Unwritable: this run still settles by its own sightings.
            let _ = crate::atomic::write(&self.cache.root.join(PENDING), text.as_bytes());
        }
    }

    fn forget_pending(&mut self) {
        if self.pending.take().is_some() || self.cache.root.join(PENDING).exists() {
            let _ = std::fs::remove_file(self.cache.root.join(PENDING));
        }
    }
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `path` under `dir`, with `/` between names.
fn relative_name(dir: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(dir).ok()?;
    let names: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(names.join("/"))
}

/// A hash of files under `dir`: their names relative to it and their bytes.
pub fn state_hash(dir: &Path, files: &[(PathBuf, Vec<u8>)]) -> u64 {
    let sorted: BTreeMap<String, &[u8]> = files
        .iter()
        .filter_map(|(p, b)| Some((relative_name(dir, p)?, b.as_slice())))
        .collect();
    sorted.iter().fold(FNV_START, |h, (name, bytes)| {
        let h = fnv1a(h, name.as_bytes());
        let h = fnv1a(h, &(bytes.len() as u64).to_le_bytes());
        mix(h, crate::hash::text_hash(bytes))
    })
}

fn mix(a: u64, b: u64) -> u64 {
    fnv1a(a, &b.to_le_bytes())
}

/// A local copy of one central source's accepted state:
/// `<cache>/central-<hash>/current/`, the source's files plus `.stamp`
/// (written last: a copy without it is incomplete). Refreshing writes a
/// copy `next-<tag>` of its own, then renames `current` → `previous-<tag>`,
/// `next-<tag>` → `current`, and removes `previous-<tag>`; reading takes the
/// first complete copy of `current`, any `next-*`, any `previous-*`, so a
/// crash at any step leaves the old copy or the new one, and two processes
/// refreshing at once each leave an accepted copy.
#[derive(Debug)]
pub struct Cache {
    pub root: PathBuf,
    /// Fail at this step of a refresh.
    #[cfg(test)]
    fail_at: Option<CacheStep>,
}

/// The steps of a cache refresh (tests fail at each).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CacheStep {
    WriteFiles,
    WriteStamp,
    MoveCurrentAway,
    MoveNextIn,
    RemovePrevious,
}

/// Hidden, so the loader does not take it for content.
const STAMP: &str = ".stamp";

#[derive(Debug, Serialize, Deserialize)]
struct Stamp {
    /// Local time, `YYYY-MM-DD HH:MM`.
    updated: String,
    source: String,
    /// The accepted state (absent in copies written before it was kept).
    #[serde(default)]
    accepted: Option<Accepted>,
}

/// Looks at the copies while others swap them before giving up.
const READ_TRIES: usize = 5;

/// Copies left by a refresh that stopped are removed after this long.
const LEFTOVER_AGE: Duration = Duration::from_secs(600);

impl Cache {
    pub fn new(cache_dir: &Path, source: &Path) -> Self {
        // One cache per central source.
        let key = central_key(source, cfg!(windows));
        let hash = fnv1a(FNV_START, key.as_bytes());
        Self {
            root: cache_dir.join(format!("central-{hash:016x}")),
            #[cfg(test)]
            fail_at: None,
        }
    }

    /// Makes a refresh fail at `step`.
    #[cfg(test)]
    #[must_use]
    fn failing_at(mut self, step: CacheStep) -> Self {
        self.fail_at = Some(step);
        self
    }

    /// Where a test makes a refresh fail.
    #[cfg(test)]
    fn step(&self, step: CacheStep) -> std::io::Result<()> {
        if self.fail_at == Some(step) {
            Err(std::io::Error::other(format!(
                "simulated failure at {step:?}"
            )))
        } else {
            Ok(())
        }
    }

    #[cfg(not(test))]
    #[expect(
        clippy::unnecessary_wraps,
        clippy::unused_self,
        reason = "the test build fails here"
    )]
    fn step(&self, _step: CacheStep) -> std::io::Result<()> {
        Ok(())
    }

    /// The complete copies, newest first by kind: `current`, then copies
    /// being swapped in, then copies being swapped out.
    fn copies(&self) -> Vec<PathBuf> {
        let mut named: Vec<(u8, PathBuf)> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let rank = if name == "current" {
                    0
                } else if name.starts_with("next") {
                    1
                } else if name.starts_with("previous") {
                    2
                } else {
                    return None;
                };
                Some((rank, e.path()))
            })
            .collect();
        named.sort();
        named.into_iter().map(|(_, p)| p).collect()
    }

    fn stamp_of(dir: &Path) -> Option<Stamp> {
        ron::from_str(&std::fs::read_to_string(dir.join(STAMP)).ok()?).ok()
    }

    /// The newest complete copy: its files (paths inside the copy) and when
    /// it was taken.
    pub fn read(&self) -> Option<(Files, String)> {
        // Another process may swap copies while this one reads (`current`
        // renamed away between two of its files): a copy is taken only if
        // the files read are the state its stamp names; else the next copy,
        // and the whole look again.
        for _ in 0..READ_TRIES {
            let whole = self.copies().into_iter().find_map(|dir| {
                let stamp = Self::stamp_of(&dir)?;
                let files = read_dirs(std::slice::from_ref(&dir)).files;
                let intact = match &stamp.accepted {
                    Some(accepted) => state_hash(&dir, &files) == accepted.state,
                    // A copy from before the state was kept: its stamp
                    // still there, and the same, after the read.
                    None => {
                        Self::stamp_of(&dir).is_some_and(|again| again.updated == stamp.updated)
                    }
                };
                intact.then_some((files, stamp.updated))
            });
            if whole.is_some() {
                return whole;
            }
        }
        None
    }

    /// The state the newest complete copy holds.
    pub fn accepted(&self) -> Option<Accepted> {
        self.copies().into_iter().find_map(|dir| {
            let stamp = Self::stamp_of(&dir)?;
            Some(stamp.accepted.unwrap_or_else(|| {
                // A copy from before the state was kept: its files' hash
                // (card counts unknown until the next refresh).
                Accepted {
                    state: state_hash(&dir, &read_dirs(std::slice::from_ref(&dir)).files),
                    cards: BTreeMap::new(),
                    version: None,
                }
            }))
        })
    }

    /// Makes the copy equal to `files` (read from `source`), the state
    /// `accepted`; when they are equal already, only rewrites the stamp if
    /// `renew` (once per run). Returns whether the files were copied.
    pub fn refresh(
        &self,
        source: &Path,
        files: &[(PathBuf, Vec<u8>)],
        accepted: &Accepted,
        renew: bool,
    ) -> std::io::Result<bool> {
        let relative: BTreeMap<PathBuf, &[u8]> = files
            .iter()
            .filter_map(|(p, b)| Some((p.strip_prefix(source).ok()?.to_path_buf(), b.as_slice())))
            .collect();
        let current = self.root.join("current");
        let unchanged = self.read_current().is_some_and(|have| {
            have.len() == relative.len()
                && have
                    .iter()
                    .all(|(p, b)| relative.get(p).is_some_and(|r| *r == b.as_slice()))
        });
        if unchanged {
            if renew {
                // Same content: only note that it was seen now.
                crate::atomic::write(
                    &current.join(STAMP),
                    Self::stamp_text(source, accepted)?.as_bytes(),
                )?;
            }
            return Ok(false);
        }
        let tag = crate::atomic::unique_tag();
        let next = self.root.join(format!("next-{tag}"));
        let previous = self.root.join(format!("previous-{tag}"));
        let result = self.swap_in(source, &relative, accepted, &next, &previous);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&next);
        }
        result?;
        self.remove_leftovers();
        Ok(true)
    }

    fn swap_in(
        &self,
        source: &Path,
        relative: &BTreeMap<PathBuf, &[u8]>,
        accepted: &Accepted,
        next: &Path,
        previous: &Path,
    ) -> std::io::Result<()> {
        let current = self.root.join("current");
        std::fs::create_dir_all(next)?;
        self.step(CacheStep::WriteFiles)?;
        for (rel, bytes) in relative {
            let path = next.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(path, bytes)?;
        }
        self.step(CacheStep::WriteStamp)?;
        let text = Self::stamp_text(source, accepted)?;
        let mut file = std::fs::File::create(next.join(STAMP))?;
        std::io::Write::write_all(&mut file, text.as_bytes())?;
        file.sync_all()?;
        drop(file);
        self.step(CacheStep::MoveCurrentAway)?;
        match std::fs::rename(&current, previous) {
            // Not there: a first copy, or another process is swapping.
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        self.step(CacheStep::MoveNextIn)?;
        if let Err(e) = std::fs::rename(next, &current) {
            // Another process put its copy in first: an accepted state too.
            if Self::stamp_of(&current).is_none() {
                return Err(e);
            }
            let _ = std::fs::remove_dir_all(next);
        }
        self.step(CacheStep::RemovePrevious)?;
        let _ = std::fs::remove_dir_all(previous);
        Ok(())
    }

    /// Removes copies that a refresh which stopped long ago left behind.
    fn remove_leftovers(&self) {
        for dir in self.copies() {
            let old = std::fs::metadata(&dir)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > LEFTOVER_AGE);
            if old && !dir.ends_with("current") {
                let _ = std::fs::remove_dir_all(&dir);
            }
        }
    }

    fn stamp_text(source: &Path, accepted: &Accepted) -> std::io::Result<String> {
        let stamp = Stamp {
            updated: chrono::Local::now().format("%Y-%m-%d %H:%M").to_string(),
            source: source.display().to_string(),
            accepted: Some(accepted.clone()),
        };
        ron::ser::to_string_pretty(&stamp, ron::ser::PrettyConfig::default())
            .map_err(std::io::Error::other)
    }

    fn read_current(&self) -> Option<BTreeMap<PathBuf, Vec<u8>>> {
        let dir = self.root.join("current");
        std::fs::metadata(dir.join(STAMP)).ok()?;
        Some(
            read_dirs(std::slice::from_ref(&dir))
                .files
                .into_iter()
                .filter_map(|(p, b)| Some((p.strip_prefix(&dir).ok()?.to_path_buf(), b)))
                .collect(),
        )
    }
}

/// The cache's key for a central folder: the same folder written with
/// other letter case or a trailing separator is the same share (Windows
/// rules — case-insensitive, `/` as `\` — where `windows`).
pub fn central_key(path: &Path, windows: bool) -> String {
    let text = path.to_string_lossy();
    if windows {
        let mut key = text.replace('/', "\\").to_lowercase();
        while key.len() > 3 && key.ends_with('\\') {
            key.pop();
        }
        key
    } else {
        let mut key = text.into_owned();
        while key.len() > 1 && key.ends_with('/') {
            key.pop();
        }
        key
    }
}

/// A cheap fingerprint of a directory tree (names, sizes, modification
/// times of files and folders; `0` when missing), to notice changes where
/// no notification comes.
pub fn fingerprint(dir: &Path) -> u64 {
    fn walk(dir: &Path, depth: usize, h: &mut u64) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut entries: Vec<_> = entries.flatten().collect();
        entries.sort_by_key(std::fs::DirEntry::file_name);
        for entry in entries {
            let Ok(meta) = entry.metadata() else { continue };
            *h = fnv1a(*h, entry.file_name().to_string_lossy().as_bytes());
            *h = fnv1a(*h, &meta.len().to_le_bytes());
            if let Ok(modified) = meta.modified()
                && let Ok(since) = modified.duration_since(std::time::UNIX_EPOCH)
            {
                *h = fnv1a(*h, &since.as_nanos().to_le_bytes());
            }
            if meta.is_dir() && depth < 8 {
                walk(&entry.path(), depth + 1, h);
            }
        }
    }
    let mut h = FNV_START;
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {
            h ^= 1;
            // The folder's own time changes when a name in it is removed
            // or added, even if it comes back the same.
            if let Ok(since) = meta
                .modified()
                .map(|t| t.duration_since(std::time::UNIX_EPOCH))
                && let Ok(since) = since
            {
                h = fnv1a(h, &since.as_nanos().to_le_bytes());
            }
            walk(dir, 0, &mut h);
        }
        _ => h = 0,
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes of a content file (their meaning does not matter here).
    fn chapter(cards: &[(&str, &str)]) -> String {
        format!("Chapter({cards:?})")
    }

    fn central(tmp: &Path, settle: Duration) -> Central {
        Central::new(tmp.join("central"), &tmp.join("cache"), settle)
    }

    #[test]
    fn a_new_state_settles_only_when_seen_unchanged_for_the_interval() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("central");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.ron"), chapter(&[("a", "甲")])).unwrap();
        let settle = Duration::from_secs(10);
        let mut c = central(tmp.path(), settle);
        let t0 = SystemTime::now();
        let (_, v) = c.look(t0);
        assert_eq!(v, Verdict::Settling(settle));
        let (_, v) = c.look(t0 + Duration::from_secs(4));
        assert_eq!(v, Verdict::Settling(Duration::from_secs(6)));
        let (read, v) = c.look(t0 + settle);
        assert_eq!(v, Verdict::Settled);
        let cards = read.files.iter().map(|(p, _)| (p.clone(), 1)).collect();
        assert!(c.accept(&read.files, &cards).unwrap());
        assert_eq!(c.look(t0 + settle).1, Verdict::Same);

        // Another process (a one-shot command) knows it too.
        let mut other = central(tmp.path(), settle);
        assert_eq!(other.look(t0).1, Verdict::Same);

        // A change starts the wait again; a change in between restarts it.
        std::fs::write(dir.join("a.ron"), chapter(&[("a", "甲二")])).unwrap();
        let t1 = t0 + Duration::from_secs(100);
        assert_eq!(c.look(t1).1, Verdict::Settling(settle));
        // Seen by a one-shot command 9 s later: not yet.
        assert_eq!(
            other.look(t1 + Duration::from_secs(9)).1,
            Verdict::Settling(Duration::from_secs(1))
        );
        std::fs::write(dir.join("b.ron"), chapter(&[("b", "乙")])).unwrap();
        assert_eq!(
            c.look(t1 + Duration::from_secs(10)).1,
            Verdict::Settling(settle)
        );
        assert_eq!(other.look(t1 + Duration::from_secs(20)).1, Verdict::Settled);
    }

    #[test]
    fn the_same_bytes_written_again_are_a_new_sighting() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("central");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.ron"), chapter(&[("a", "甲")])).unwrap();
        std::fs::write(dir.join("b.ron"), chapter(&[("b", "乙")])).unwrap();
        let mut c = central(tmp.path(), Duration::from_secs(5));
        let t0 = SystemTime::now();
        let (read, _) = c.look(t0);
        c.accept(&read.files, &BTreeMap::new()).unwrap();
        // b.ron is deleted: a state with fewer files, seen once…
        let b = std::fs::read(dir.join("b.ron")).unwrap();
        std::fs::remove_file(dir.join("b.ron")).unwrap();
        assert!(matches!(c.look(t0).1, Verdict::Settling(_)));
        // …comes back, and is deleted again (a sync tool's loop): the
        // state without b.ron looks the same but is a new sighting.
        std::fs::write(dir.join("b.ron"), &b).unwrap();
        assert_eq!(c.look(t0 + Duration::from_secs(1)).1, Verdict::Same);
        std::thread::sleep(Duration::from_millis(20));
        std::fs::remove_file(dir.join("b.ron")).unwrap();
        assert_eq!(
            c.look(t0 + Duration::from_secs(6)).1,
            Verdict::Settling(Duration::from_secs(5))
        );
    }

    #[test]
    fn a_file_that_lost_all_its_cards_is_found() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("central");
        let mut c = central(tmp.path(), Duration::ZERO);
        let a = dir.join("sub").join("a.ron");
        let b = dir.join("b.ron");
        let accepted: BTreeMap<PathBuf, usize> = [(a.clone(), 3), (b.clone(), 0)].into();
        c.accept(&[(a.clone(), b"x".to_vec())], &accepted).unwrap();
        let now: BTreeMap<PathBuf, usize> =
            [(a.clone(), 0), (b.clone(), 0), (dir.join("c.ron"), 0)].into();
        assert_eq!(c.emptied(&now), vec![(a.clone(), 3)]);
        // Known to a later run, through the offline copy's stamp.
        let mut later = central(tmp.path(), Duration::ZERO);
        later.look(SystemTime::now());
        assert_eq!(later.emptied(&now), vec![(a, 3)]);
    }

    #[test]
    fn holding_follows_the_verdict() {
        for (verdict, clean, emptied, holds) in [
            (Verdict::Same, true, false, false),
            (Verdict::Same, false, false, true),
            (Verdict::Settled, true, false, false),
            (Verdict::Settled, false, false, true),
            (Verdict::Settled, true, true, true),
            (Verdict::Settling(Duration::ZERO), true, false, true),
            (Verdict::Unreachable, true, false, true),
        ] {
            assert_eq!(verdict.holds(clean, emptied), holds, "{verdict:?}");
        }
    }

    #[test]
    fn cache_swap_leaves_the_old_or_the_new_copy_at_every_step() {
        let tmp = tempfile::tempdir().unwrap();
        let source = tmp.path().join("central");
        let old = vec![(source.join("01.ron"), chapter(&[("a", "旧")]).into_bytes())];
        let new = vec![
            (source.join("01.ron"), chapter(&[("a", "新")]).into_bytes()),
            (
                source.join("sub/02.ron"),
                chapter(&[("b", "新二")]).into_bytes(),
            ),
        ];
        let cache_dir = tmp.path().join("cache");
        // The state a refresh copies, as its stamp names it.
        let whole = |files: &[(PathBuf, Vec<u8>)]| Accepted {
            state: state_hash(&source, files),
            ..Accepted::default()
        };
        let contents = |cache: &Cache| -> Vec<Vec<u8>> {
            let (files, _) = cache.read().expect("a complete copy");
            files.into_iter().map(|(_, b)| b).collect()
        };
        let bytes = |files: &[(PathBuf, Vec<u8>)]| -> Vec<Vec<u8>> {
            files.iter().map(|(_, b)| b.clone()).collect()
        };
        for step in [
            CacheStep::WriteFiles,
            CacheStep::WriteStamp,
            CacheStep::MoveCurrentAway,
            CacheStep::MoveNextIn,
            CacheStep::RemovePrevious,
        ] {
            let _ = std::fs::remove_dir_all(&cache_dir);
            let cache = Cache::new(&cache_dir, &source);
            assert!(cache.refresh(&source, &old, &whole(&old), true).unwrap());
            let failing = Cache::new(&cache_dir, &source).failing_at(step);
            assert!(
                failing.refresh(&source, &new, &whole(&new), true).is_err(),
                "{step:?}"
            );
            let seen = contents(&cache);
            assert!(
                seen == bytes(&old) || seen == bytes(&new),
                "after a failure at {step:?} the cache holds a mixture"
            );
            // The next refresh repairs it.
            assert!(
                cache.refresh(&source, &new, &whole(&new), false).unwrap()
                    || contents(&cache) == bytes(&new)
            );
            assert_eq!(contents(&cache), bytes(&new), "{step:?}");
        }
    }
}
