//! What each counter reports to the trainers' share (`reports:` in the
//! config): one file per counter and day, `<share>/<counter>/<day>.json`,
//! holding exactly what the counter's own `usage.ron` and `searches.ron`
//! keep for that day (cards opened, scripts copied, flags with their
//! reasons, searches with digits masked). A day's file is written whole
//! (a temporary name, then renamed), never appended to, so writing it
//! again after the share was away counts nothing twice; the local files
//! stay the truth, and a day not yet on the share goes when it is back.
//!
//! [`gather`] reads a share (or several counters' folders) back.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::usage_file;
use crate::model::CardId;
use crate::usage::{Counts, Flag, Searched, Searches, Usage};

/// The format of the day files; a newer one is skipped with a warning.
pub const FORMAT: u32 = 1;

/// One counter's day.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayReport {
    pub format: u32,
    pub counter: String,
    #[serde(default)]
    pub branch: Option<String>,
    /// `YYYY-MM-DD`.
    pub day: String,
    #[serde(default)]
    pub cards: BTreeMap<CardId, Counts>,
    #[serde(default)]
    pub flags: Vec<Flag>,
    #[serde(default)]
    pub searches: Vec<Searched>,
}

impl DayReport {
    /// How many things it counts: a day's counts only grow, so of two
    /// reports of one counter's day the larger is the later.
    pub fn events(&self) -> u64 {
        let cards: u64 = self
            .cards
            .values()
            .map(|c| u64::from(c.opened) + u64::from(c.copied_total()))
            .sum();
        let searches: u64 = self.searches.iter().map(|s| u64::from(s.count)).sum();
        cards + self.flags.len() as u64 + searches
    }
}

/// Who reports: the counter's name (`counter:` in the config, else the
/// machine's) and its branch (`branch:`, optional).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reporter {
    pub counter: String,
    pub branch: Option<String>,
}

impl Reporter {
    /// `counter` as configured, else this machine's name.
    pub fn new(counter: Option<&str>, branch: Option<&str>) -> Self {
        let counter = counter
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map_or_else(machine_name, str::to_owned);
        Self {
            counter,
            branch: branch.map(str::to_owned).filter(|b| !b.trim().is_empty()),
        }
    }

    /// The day reports of this counter's local files.
    pub fn days(&self, usage: &Usage, searches: &Searches) -> Vec<DayReport> {
        let days: BTreeSet<&String> = usage
            .days
            .keys()
            .chain(usage.flags.keys())
            .chain(searches.days.keys())
            .collect();
        days.into_iter()
            .map(|day| DayReport {
                format: FORMAT,
                counter: self.counter.clone(),
                branch: self.branch.clone(),
                day: day.clone(),
                cards: usage.days.get(day).cloned().unwrap_or_default(),
                flags: usage.flags.get(day).cloned().unwrap_or_default(),
                searches: searches.days.get(day).cloned().unwrap_or_default(),
            })
            .collect()
    }
}

/// This machine's name (`COMPUTERNAME`, the host name), or `柜台`.
pub fn machine_name() -> String {
    std::env::var("COMPUTERNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "柜台".to_owned())
}

/// A name usable as one folder (no separators, no reserved characters).
fn folder_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || r#"\/:*?"<>|"#.contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_matches('.').to_owned();
    if cleaned.is_empty() {
        "_".to_owned()
    } else {
        cleaned
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("报告目录 {} 现在访问不了", .0.display())]
    Away(PathBuf),
    #[error("无法写入报告目录 {path}：{source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Local(#[from] super::StoreError),
}

/// What was last written to the share: per day, a hash of the file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Sent {
    /// The share they went to (another share: everything again).
    share: PathBuf,
    counter: String,
    days: BTreeMap<String, u64>,
}

/// The file a counter keeps of what it has sent (beside `usage.ron`).
pub fn sent_in(data_dir: &Path) -> PathBuf {
    data_dir.join("reported.ron")
}

/// Writes to `share` each day of the local counts (`usage.ron`,
/// `searches.ron` in `data_dir`) that is not there as it is now; returns
/// how many files were written. On an error the days not written are
/// tried again at the next call.
pub fn send(share: &Path, reporter: &Reporter, data_dir: &Path) -> Result<usize, ReportError> {
    let (usage, _): (Usage, _) = usage_file::load(&usage_file::path_in(data_dir))?;
    let (searches, _): (Searches, _) = usage_file::load(&usage_file::searches_in(data_dir))?;
    let sent_file = sent_in(data_dir);
    let mut sent: Sent = super::store::load(&sent_file)?.0;
    if sent.share != share || sent.counter != reporter.counter {
        sent = Sent {
            share: share.to_path_buf(),
            counter: reporter.counter.clone(),
            days: BTreeMap::new(),
        };
    }
    // The share's own folder is never made here: missing, it is away.
    if !share.is_dir() {
        return Err(ReportError::Away(share.to_path_buf()));
    }
    let dir = share.join(folder_name(&reporter.counter));
    let mut written = 0;
    let mut result = Ok(());
    for report in reporter.days(&usage, &searches) {
        let Ok(bytes) = serde_json::to_vec(&report) else {
            continue;
        };
        let hash = crate::hash::text_hash(&bytes);
        if sent.days.get(&report.day) == Some(&hash) {
            continue;
        }
        let path = dir.join(format!("{}.json", report.day));
        let made = if dir.is_dir() {
            Ok(())
        } else {
            std::fs::create_dir(&dir)
        };
        match made.and_then(|()| crate::atomic::write(&path, &bytes)) {
            Ok(()) => {
                sent.days.insert(report.day.clone(), hash);
                written += 1;
            }
            Err(source) => {
                result = Err(ReportError::Write { path, source });
                break;
            }
        }
    }
    if written > 0 {
        super::store::save(&sent_file, &sent)?;
    }
    result.map(|()| written)
}

/// How long after a change the day goes to the share (changes close
/// together go as one).
pub const SEND_AFTER: Duration = Duration::from_secs(5);
/// How long to wait before trying a share that was away again.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);

/// Sends this counter's days to the share on its own thread
/// (`huashu-reports`): at start (what an earlier run could not send), a
/// few seconds after each change, again every minute while the share is
/// away, and once more when the window closes. It sleeps on a channel in
/// between: no timer while nothing waits to be sent.
/// Dropping it ends the thread at its next wait (a send to a share that
/// hangs is not waited for).
pub struct Courier {
    tx: std::sync::mpsc::Sender<Note>,
}

enum Note {
    Changed,
    /// Send now; say when done.
    Flush(std::sync::mpsc::Sender<()>),
}

impl Courier {
    pub fn start(share: PathBuf, reporter: Reporter, data_dir: PathBuf) -> std::io::Result<Self> {
        Self::start_with(share, reporter, data_dir, (SEND_AFTER, RETRY_AFTER))
    }

    /// The same, sending `after` a change and retrying `every` while the
    /// share is away.
    pub fn start_with(
        share: PathBuf,
        reporter: Reporter,
        data_dir: PathBuf,
        (after, every): (Duration, Duration),
    ) -> std::io::Result<Self> {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::Builder::new()
            .name("huashu-reports".into())
            .spawn(move || {
                let mut due = Some(Instant::now());
                let mut failing = false;
                loop {
                    let note = match due {
                        None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                        Some(at) => rx.recv_timeout(at.saturating_duration_since(Instant::now())),
                    };
                    let done = match note {
                        Ok(Note::Changed) => {
                            let soon = Instant::now() + after;
                            due = Some(due.map_or(soon, |d| d.min(soon)));
                            continue;
                        }
                        Ok(Note::Flush(done)) => Some(done),
                        Err(RecvTimeoutError::Timeout) => None,
                        Err(RecvTimeoutError::Disconnected) => break,
                    };
                    match send(&share, &reporter, &data_dir) {
                        Ok(n) => {
                            if n > 0 || failing {
                                log::info!("{n} day report(s) sent to {}", share.display());
                            }
                            failing = false;
                            due = None;
                        }
                        Err(e) => {
                            // Said once while it lasts.
                            if !failing {
                                log::warn!("{e}; the counts wait on this computer and go when the share is back");
                            }
                            failing = true;
                            due = Some(Instant::now() + every);
                        }
                    }
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
            })?;
        Ok(Self { tx })
    }

    /// The local counts changed: they go to the share soon.
    pub fn changed(&self) {
        let _ = self.tx.send(Note::Changed);
    }

    /// Sends now and waits up to `wait` for it (a share that hangs does
    /// not keep the window from closing: what is not sent goes next time).
    pub fn flush(&self, wait: Duration) {
        let (done, sent) = std::sync::mpsc::channel();
        if self.tx.send(Note::Flush(done)).is_ok() {
            let _ = sent.recv_timeout(wait);
        }
    }
}

/// Every counter's days, as read from some folders.
#[derive(Debug, Default)]
pub struct Gathered {
    pub days: Vec<DayReport>,
    /// Files skipped (damaged, half-written, a newer format, not a
    /// report) and doubts (two folders for one counter), each naming the
    /// file.
    pub warnings: Vec<String>,
}

/// Reads every `<dir>/<counter>/<day>.json` under `dirs`. A counter's day
/// reported twice (a folder copied under another name) counts once: the
/// larger report, the later, with a warning.
pub fn gather(dirs: &[PathBuf]) -> Gathered {
    gather_parts(dirs, Parts::default())
}

/// Which parts of the day files a reader wants (the others are read past
/// without being built: a network's search log is most of its bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    pub cards: bool,
    pub searches: bool,
}

impl Default for Parts {
    fn default() -> Self {
        Self {
            cards: true,
            searches: true,
        }
    }
}

/// [`gather`], building only `parts` of each day (flags always).
pub fn gather_parts(dirs: &[PathBuf], parts: Parts) -> Gathered {
    let mut gathered = Gathered::default();
    // Counter folders, and each file with its folder's number, in order.
    let mut folders: Vec<PathBuf> = Vec::new();
    let mut files: Vec<(usize, PathBuf)> = Vec::new();
    for dir in dirs {
        let Ok(counters) = std::fs::read_dir(dir) else {
            gathered
                .warnings
                .push(format!("{}：读不到这个目录，跳过", dir.display()));
            continue;
        };
        // Sorted by name, not by path components (a network's 180,000
        // paths compare slowly).
        let mut counters: Vec<(std::ffi::OsString, PathBuf)> = counters
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) || e.path().is_dir())
            .map(|e| (e.file_name(), e.path()))
            .collect();
        counters.sort_unstable();
        for (_, folder) in counters {
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            let mut names: Vec<std::ffi::OsString> = entries
                .flatten()
                .map(|e| e.file_name())
                .filter(|name| {
                    let name = name.to_string_lossy();
                    // A file being written (`.<name>.tmp`) and other programs'.
                    !name.starts_with('.') && name.ends_with(".json")
                })
                .collect();
            names.sort_unstable();
            files.extend(names.into_iter().map(|f| (folders.len(), folder.join(f))));
            folders.push(folder);
        }
    }
    let read = read_all(&files, parts);
    // Each (counter, day) once: the number of the report kept.
    let mut kept: crate::hash::FnvMap<(&str, &str), usize> = crate::hash::FnvMap::default();
    let mut claimed: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for (n, ((folder, file), report)) in files.iter().zip(&read).enumerate() {
        let report = match report {
            Ok(report) => report,
            Err(why) => {
                gathered
                    .warnings
                    .push(format!("{}：{why}，跳过", file.display()));
                continue;
            }
        };
        claimed.entry(&report.counter).or_default().insert(*folder);
        match kept.entry((&report.counter, &report.day)) {
            std::collections::hash_map::Entry::Occupied(mut other) => {
                let (other_file, other_report) = (&files[*other.get()].1, &read[*other.get()]);
                gathered.warnings.push(format!(
                    "{} 和 {} 都是柜台“{}”{} 的报告：只算一份（记录多的那份）",
                    other_file.display(),
                    file.display(),
                    report.counter,
                    report.day
                ));
                if other_report
                    .as_ref()
                    .is_ok_and(|o| report.events() > o.events())
                {
                    other.insert(n);
                }
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(n);
            }
        }
    }
    for (counter, places) in claimed {
        if places.len() > 1 {
            let places: Vec<String> = places
                .iter()
                .map(|p| folders[*p].display().to_string())
                .collect();
            gathered.warnings.push(format!(
                "有 {} 个目录都自称柜台“{counter}”（{}）：可能是两台电脑用了同一个名字（配置文件里的 counter），或者目录被复制过",
                places.len(),
                places.join("、")
            ));
        }
    }
    let mut keep = vec![false; read.len()];
    for n in kept.into_values() {
        keep[n] = true;
    }
    // In the files' order (counter folders by name, days by date).
    gathered.days = read
        .into_iter()
        .zip(keep)
        .filter_map(|(report, keep)| report.ok().filter(|_| keep))
        .collect();
    gathered
}

/// Reads and parses `files`, on as many named threads as there are cores
/// (a network's 180,000 day files are mostly waiting on the disk and
/// parsing); results in `files`' order.
fn read_all(files: &[(usize, PathBuf)], parts: Parts) -> Vec<Result<DayReport, String>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .clamp(1, 8);
    let one_by_one = |files: &[(usize, PathBuf)]| {
        let mut buffer = Vec::new();
        files
            .iter()
            .map(|(_, f)| read_report(f, parts, &mut buffer))
            .collect::<Vec<_>>()
    };
    if threads == 1 || files.len() < 256 {
        return one_by_one(files);
    }
    let chunk = files.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = files
            .chunks(chunk)
            .enumerate()
            .map(|(n, part)| {
                std::thread::Builder::new()
                    .name(format!("reports-read-{n}"))
                    .spawn_scoped(scope, move || {
                        let mut buffer = Vec::new();
                        part.iter()
                            .map(|(_, f)| read_report(f, parts, &mut buffer))
                            .collect::<Vec<_>>()
                    })
            })
            .collect();
        let mut all = Vec::with_capacity(files.len());
        for (handle, part) in handles.into_iter().zip(files.chunks(chunk)) {
            match handle
                .map_err(|e| e.to_string())
                .and_then(|h| h.join().map_err(|_| "读报告的线程出错".to_owned()))
            {
                Ok(read) => all.extend(read),
                // No thread: read here.
                Err(_) => all.extend(one_by_one(part)),
            }
        }
        all
    })
}

/// A day file with its cards and searches not read yet.
#[derive(Deserialize)]
struct Envelope<'a> {
    format: u32,
    counter: String,
    #[serde(default)]
    branch: Option<String>,
    day: String,
    #[serde(borrow, default)]
    cards: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    flags: Vec<Flag>,
    #[serde(borrow, default)]
    searches: Option<&'a serde_json::value::RawValue>,
}

/// Reads one day file into `buffer` (kept between files: one allocation
/// per thread, not per file) and parses it.
fn read_report(path: &Path, parts: Parts, buffer: &mut Vec<u8>) -> Result<DayReport, String> {
    use std::io::Read as _;
    buffer.clear();
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_end(buffer))
        .map_err(|e| format!("读不出来（{e}）"))?;
    let bytes = &buffer[..];
    let parsed = serde_json::from_slice::<Envelope<'_>>(bytes).and_then(|e| {
        fn part(raw: Option<&serde_json::value::RawValue>, wanted: bool) -> Option<&str> {
            raw.filter(|_| wanted).map(serde_json::value::RawValue::get)
        }
        Ok(DayReport {
            format: e.format,
            cards: match part(e.cards, parts.cards) {
                Some(json) => serde_json::from_str(json)?,
                None => BTreeMap::new(),
            },
            searches: match part(e.searches, parts.searches) {
                Some(json) => serde_json::from_str(json)?,
                None => Vec::new(),
            },
            counter: e.counter,
            branch: e.branch,
            day: e.day,
            flags: e.flags,
        })
    });
    let report = match parsed {
        Ok(report) => report,
        // Why not: cut short, another format, or not a report at all.
        Err(e) => {
            let value: serde_json::Value =
                serde_json::from_slice(bytes).map_err(|_| "不完整或者不是报告文件".to_owned())?;
            return Err(
                match value.get("format").and_then(serde_json::Value::as_u64) {
                    Some(format) if format > u64::from(FORMAT) => newer(format),
                    Some(_) => format!("不是报告文件（{e}）"),
                    None => "不是报告文件".to_owned(),
                },
            );
        }
    };
    if report.format > FORMAT {
        return Err(newer(u64::from(report.format)));
    }
    if report.day.parse::<crate::model::Date>().is_err() {
        return Err(format!("日期“{}”不对", report.day));
    }
    Ok(report)
}

fn newer(format: u64) -> String {
    format!("是新版本程序写的（格式 {format}），这个版本读不了；请升级培训部电脑上的 huashu")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usage::UsageEvent;

    fn id(s: &str) -> CardId {
        CardId::parse(s).unwrap()
    }

    fn local(dir: &Path, events: &[(&str, UsageEvent)]) {
        let mut usage = Usage::default();
        for (day, e) in events {
            usage.record(e, day);
        }
        usage_file::add(&usage_file::path_in(dir), &usage).unwrap();
    }

    #[test]
    fn a_day_is_sent_once_and_again_only_when_it_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let (data, share) = (tmp.path().join("data"), tmp.path().join("share"));
        std::fs::create_dir_all(&share).unwrap();
        let me = Reporter::new(Some("一号柜台"), Some("城东支行"));
        local(&data, &[("2026-12-05", UsageEvent::Opened(id("a")))]);
        assert_eq!(send(&share, &me, &data).unwrap(), 1);
        assert_eq!(send(&share, &me, &data).unwrap(), 0, "nothing new");
        local(&data, &[("2026-12-06", UsageEvent::Copied(id("a"), 0))]);
        assert_eq!(send(&share, &me, &data).unwrap(), 1, "only the new day");
        let gathered = gather(&[share]);
        assert!(gathered.warnings.is_empty(), "{:?}", gathered.warnings);
        assert_eq!(gathered.days.len(), 2);
        assert_eq!(gathered.days[0].branch.as_deref(), Some("城东支行"));
    }

    #[test]
    fn a_share_away_loses_nothing_and_counts_nothing_twice() {
        let tmp = tempfile::tempdir().unwrap();
        let (data, share) = (tmp.path().join("data"), tmp.path().join("share"));
        std::fs::create_dir_all(&share).unwrap();
        let me = Reporter::new(Some("a"), None);
        local(&data, &[("2026-12-06", UsageEvent::Opened(id("a")))]);
        send(&share, &me, &data).unwrap();
        // The share away (a file where the folder should be).
        std::fs::rename(&share, tmp.path().join("away")).unwrap();
        std::fs::write(&share, "").unwrap();
        local(&data, &[("2026-12-06", UsageEvent::Opened(id("a")))]);
        assert!(send(&share, &me, &data).is_err());
        std::fs::remove_file(&share).unwrap();
        std::fs::rename(tmp.path().join("away"), &share).unwrap();
        assert_eq!(send(&share, &me, &data).unwrap(), 1);
        let gathered = gather(&[share]);
        assert_eq!(gathered.days[0].cards[&id("a")].opened, 2, "each once");
    }

    #[test]
    fn one_counters_day_twice_counts_once_and_bad_files_are_named() {
        let tmp = tempfile::tempdir().unwrap();
        let share = tmp.path().join("share");
        let report = |events: u32| DayReport {
            format: FORMAT,
            counter: "a".into(),
            day: "2026-12-06".into(),
            cards: [(
                id("x"),
                Counts {
                    opened: events,
                    ..Counts::default()
                },
            )]
            .into(),
            ..DayReport::default()
        };
        // The folder copied, and the PC's clock since set back: the copy's
        // file is newer on disk but has fewer events.
        for (folder, events) in [("a", 5), ("a - 副本", 3)] {
            std::fs::create_dir_all(share.join(folder)).unwrap();
            std::fs::write(
                share.join(folder).join("2026-12-06.json"),
                serde_json::to_vec(&report(events)).unwrap(),
            )
            .unwrap();
        }
        std::fs::write(
            share.join("a").join("2026-12-07.json"),
            "{\"format\": 1, \"coun",
        )
        .unwrap();
        let newer = DayReport {
            format: FORMAT + 1,
            ..report(1)
        };
        std::fs::write(
            share.join("a").join("2026-12-08.json"),
            serde_json::to_vec(&newer).unwrap(),
        )
        .unwrap();
        std::fs::write(share.join("a").join("notes.json"), "[1, 2]").unwrap();
        let gathered = gather(&[share]);
        assert_eq!(gathered.days.len(), 1);
        assert_eq!(gathered.days[0].cards[&id("x")].opened, 5);
        let all = gathered.warnings.join("\n");
        assert!(all.contains("只算一份"), "{all}");
        assert!(all.contains("2026-12-07.json：不完整"), "{all}");
        assert!(all.contains("2026-12-08.json：是新版本程序写的"), "{all}");
        assert!(all.contains("notes.json：不是报告文件"), "{all}");
        assert!(all.contains("自称柜台“a”"), "{all}");
    }
}
