//! A central folder rewritten the ways real tools do — a copy in 2 KB
//! chunks, truncate then write, delete then write again (`git checkout`,
//! some sync tools), half the file with garbage then the whole file, a
//! temporary file renamed over, a copy stopped inside the header comments
//! and left so, the share going away — while counters read it through the
//! same code the window uses: a long-lived `Sources` (the window's watch)
//! and a new one per read (`huashu list --config`). No read may show fewer
//! cards than the accepted state, or a mixture of two versions, and the
//! offline copy may only ever hold a version that was written whole.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use huashu::content::central::Cache;
use huashu::content::sources::{SourceSpec, Sources};

const FILES: [&str; 2] = ["00-earlier-chapter.ron", "04-business-area.ron"];
/// The first card of each file carries the version in its title.
const MARKED: [&str; 2] = ["客户取号错误", "柜员业务不熟练"];
const SETTLE: Duration = Duration::from_millis(400);

/// The bundled chapters with version `n` in a title of each.
fn version(n: usize) -> Vec<Vec<u8>> {
    FILES
        .iter()
        .zip(MARKED)
        .map(|(file, title)| {
            let text = std::fs::read_to_string(Path::new("data").join(file)).unwrap();
            let marked = format!("\"{title}（第{n}版）\"");
            text.replacen(&format!("\"{title}\""), &marked, 1)
                .into_bytes()
        })
        .collect()
}

/// The version in a text: the number after a marked title.
fn version_in(text: &str) -> Option<usize> {
    MARKED.iter().find_map(|title| {
        let at = text.find(&format!("{title}（第"))? + title.len() + "（第".len();
        let digits: String = text[at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse().ok()
    })
}

/// The version a set of titles shows, if both marked cards show the same.
fn shown_version<'a>(titles: impl Iterator<Item = &'a str>) -> Option<usize> {
    let found: Vec<usize> = titles.filter_map(version_in).collect();
    (found.len() == 2 && found[0] == found[1]).then(|| found[0])
}

/// Whether the offline copy, if there is one, holds one version written
/// whole.
fn cache_is_whole(cache: &Cache) -> bool {
    let Some((files, _)) = cache.read() else {
        return true;
    };
    let versions: Vec<Option<usize>> = files
        .iter()
        .map(|(_, bytes)| version_in(&String::from_utf8_lossy(bytes)))
        .collect();
    files.len() == 2
        && versions[0].is_some()
        && versions[0] == versions[1]
        && files
            .iter()
            .zip(version(versions[0].unwrap_or(0)))
            .all(|((_, have), want)| *have == want)
}

/// A small generator (xorshift), seeded from the clock and printed, so a
/// failure can be replayed.
struct Rng(u64);

impl Rng {
    fn pick(&mut self, n: usize) -> usize {
        usize::try_from(self.below(n as u64)).unwrap()
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }

    fn pause(&mut self, max_ms: u64) {
        std::thread::sleep(Duration::from_millis(self.below(max_ms + 1)));
    }
}

/// The ways a file is rewritten.
const WAYS: [&str; 7] = [
    "chunks",
    "truncate",
    "delete",
    "garbage",
    "rename",
    "cut-and-left",
    "share-away",
];

fn rewrite(dir: &Path, file: &str, bytes: &[u8], way: &str, rng: &mut Rng) {
    let path = dir.join(file);
    match way {
        "chunks" => {
            let mut out = std::fs::File::create(&path).unwrap();
            for chunk in bytes.chunks(2048) {
                std::io::Write::write_all(&mut out, chunk).unwrap();
                rng.pause(15);
            }
        }
        "truncate" => {
            std::fs::File::create(&path).unwrap();
            rng.pause(50);
            std::fs::write(&path, bytes).unwrap();
        }
        "delete" => {
            let _ = std::fs::remove_file(&path);
            rng.pause(80);
            std::fs::write(&path, bytes).unwrap();
        }
        "garbage" => {
            let mut half = bytes[..bytes.len() / 2].to_vec();
            half.extend_from_slice(b"\x00\xff garbage \xfe");
            std::fs::write(&path, &half).unwrap();
            rng.pause(50);
            std::fs::write(&path, bytes).unwrap();
        }
        "rename" => {
            let tmp = dir.join(format!("{file}.part"));
            std::fs::write(&tmp, bytes).unwrap();
            std::fs::rename(&tmp, &path).unwrap();
        }
        "cut-and-left" => {
            // A copy stopped inside the header comments, for longer than
            // the settle time, then copied again.
            std::fs::write(&path, &bytes[..97]).unwrap();
            std::thread::sleep(SETTLE * 3);
            std::fs::write(&path, bytes).unwrap();
        }
        _ => {
            // The share goes away for a while mid-copy.
            std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
            let away = dir.with_extension("away");
            std::fs::rename(dir, &away).unwrap();
            std::thread::sleep(SETTLE * 2);
            std::fs::rename(&away, dir).unwrap();
            std::fs::write(&path, bytes).unwrap();
        }
    }
}

/// What the writer and the readers share.
struct Run {
    central: PathBuf,
    cache_dir: PathBuf,
    /// The writer has finished.
    done: AtomicBool,
    /// The last version written whole.
    written: AtomicUsize,
    reads: AtomicUsize,
}

impl Run {
    fn sources(&self) -> Sources {
        Sources::new(
            vec![SourceSpec::Central(self.central.clone())],
            self.cache_dir.clone(),
        )
        .with_settle(SETTLE)
    }
}

/// Publishes versions 2, 3, … for 12 s, each file rewritten one of the
/// ways at random; returns the ways used.
fn write_versions(run: &Run, seed: u64) -> Vec<&'static str> {
    let mut rng = Rng(seed);
    let mut used = Vec::new();
    let started = Instant::now();
    let mut n = 1;
    while started.elapsed() < Duration::from_secs(12) {
        n += 1;
        let files = version(n);
        let mut order = [0, 1];
        if rng.below(2) == 1 {
            order.swap(0, 1);
        }
        for k in order {
            let way = WAYS[rng.pick(WAYS.len())];
            used.push(way);
            rewrite(&run.central, FILES[k], &files[k], way, &mut rng);
            // Between two files of one copy: shorter than the settle time.
            rng.pause(100);
        }
        run.written.store(n, Ordering::SeqCst);
        // Between two publications: sometimes long enough to settle.
        rng.pause(1000);
    }
    run.done.store(true, Ordering::SeqCst);
    used
}

/// Reads until the last version written shows, checking every read;
/// `fresh`: a new `Sources` per read (a one-shot command), else one kept
/// (the window). Returns the versions shown, in order.
fn read_versions(run: &Run, fresh: bool) -> Vec<usize> {
    let cache = Cache::new(&run.cache_dir, &run.central);
    let mut sources = run.sources();
    let mut shown_so_far = vec![1];
    let mut finished_at: Option<Instant> = None;
    loop {
        if fresh {
            sources = run.sources();
        }
        let loaded = sources.load();
        run.reads.fetch_add(1, Ordering::Relaxed);
        let cards = &loaded.loaded.library.cards;
        assert_eq!(
            cards.len(),
            7,
            "a read showed {} cards ({:?})",
            cards.len(),
            loaded.reports[0].state
        );
        let Some(shown) = shown_version(cards.iter().map(|c| c.title.as_str())) else {
            panic!(
                "a read showed a mixture of versions: {:?}",
                cards.iter().map(|c| &c.title).collect::<Vec<_>>()
            );
        };
        let last = *shown_so_far.last().unwrap();
        assert!(shown >= last, "went back from {shown_so_far:?} to {shown}");
        if shown != last {
            shown_so_far.push(shown);
        }
        assert!(
            cache_is_whole(&cache),
            "the offline copy holds a state never written whole"
        );
        // The last version is taken within a few settle times.
        if run.done.load(Ordering::SeqCst) {
            let at = *finished_at.get_or_insert_with(Instant::now);
            let written = run.written.load(Ordering::SeqCst);
            if shown == written {
                return shown_so_far;
            }
            assert!(
                at.elapsed() < SETTLE * 8,
                "the final version {written} was not taken (shows {shown})"
            );
        }
        std::thread::sleep(Duration::from_millis(if fresh { 40 } else { 15 }));
    }
}

#[test]
fn no_read_shows_less_than_the_accepted_state_while_the_folder_is_rewritten() {
    let tmp = tempfile::tempdir().unwrap();
    let run = Arc::new(Run {
        central: tmp.path().join("central"),
        cache_dir: tmp.path().join("cache"),
        done: AtomicBool::new(false),
        written: AtomicUsize::new(1),
        reads: AtomicUsize::new(0),
    });
    std::fs::create_dir_all(&run.central).unwrap();
    for (file, bytes) in FILES.iter().zip(version(1)) {
        std::fs::write(run.central.join(file), bytes).unwrap();
    }
    // Accepted once: seen, and seen again after the settle time.
    let mut window = run.sources();
    window.load();
    std::thread::sleep(SETTLE + Duration::from_millis(50));
    assert!(window.load().reports[0].cache_refreshed);

    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let seed = (clock.as_secs() ^ u64::from(clock.subsec_nanos()) << 20) | 1;
    println!("seed {seed}");
    let spawn = |name: &str, f: Box<dyn FnOnce() -> Vec<usize> + Send>| {
        std::thread::Builder::new()
            .name(name.into())
            .spawn(f)
            .unwrap()
    };
    let writer = {
        let run = run.clone();
        std::thread::Builder::new()
            .name("writer".into())
            .spawn(move || write_versions(&run, seed))
            .unwrap()
    };
    let window = {
        let run = run.clone();
        spawn("window", Box::new(move || read_versions(&run, false)))
    };
    let command = {
        let run = run.clone();
        spawn("command", Box::new(move || read_versions(&run, true)))
    };
    let ways = writer.join().unwrap();
    let window_versions = window.join().unwrap();
    let command_versions = command.join().unwrap();
    println!(
        "{} reads; versions written {}; taken by the window {window_versions:?}, by commands {command_versions:?}; ways {ways:?}",
        run.reads.load(Ordering::Relaxed),
        run.written.load(Ordering::SeqCst)
    );
    // The test can fail the other way too: settled versions are taken.
    assert!(window_versions.len() >= 3, "{window_versions:?}");
}
