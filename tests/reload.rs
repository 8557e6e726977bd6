//! Live reload: the `Loader` keeps each file's last good version, and the
//! `Watch` thread reloads after edits, deletions, renames and new files.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "in tests a panic is a failed test"
)]

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use huashu::content::watch::Watch;
use huashu::content::{Loaded, Loader};

/// A copy of `data/` in a temporary directory.
fn data_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("data").unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let path = dir.path().to_path_buf();
    (dir, path)
}

const FILE: &str = "04-business-area.ron";
const TITLE: &str = "title: \"柜员业务不熟练\",";

fn edit(dir: &Path, from: &str, to: &str) {
    let path = dir.join(FILE);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in {FILE}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn titles(loaded: &Loaded) -> Vec<&str> {
    loaded
        .library
        .cards
        .iter()
        .map(|c| c.title.as_str())
        .collect()
}

#[test]
fn a_broken_file_keeps_its_last_good_version_until_fixed() {
    let (_tmp, dir) = data_copy();
    let dirs = [dir.clone()];
    let mut loader = Loader::default();
    let first = loader.load(&dirs);
    assert_eq!(first.error_count(), 0);
    assert_eq!(first.library.cards.len(), 7);

    // A full-width comma breaks the whole file.
    edit(&dir, TITLE, "title: \"柜员业务不熟练（新）\"，");
    let broken = loader.load(&dirs);
    assert_eq!(broken.library.cards.len(), 7, "nothing disappears");
    assert!(
        titles(&broken).contains(&"柜员业务不熟练"),
        "old text shown"
    );
    assert_eq!(broken.kept, vec![dir.join(FILE)]);
    let errors: Vec<String> = broken
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(ToString::to_string)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(errors[0].contains(&format!("{FILE}:12:40: error: 这里不能用中文标点")));
    let error = broken.diagnostics.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(
        error.excerpt.as_deref().map(str::trim),
        Some("title: \"柜员业务不熟练（新）\"，")
    );
    assert!(
        broken
            .diagnostics
            .iter()
            .any(|d| d.message.contains("仍在使用它上次没有错误的版本")),
        "{:?}",
        broken.diagnostics
    );

    // A broken card (not the whole file) also keeps the old version.
    edit(
        &dir,
        "title: \"柜员业务不熟练（新）\"，",
        "titel: \"柜员业务不熟练\",",
    );
    let card_broken = loader.load(&dirs);
    assert_eq!(card_broken.library.cards.len(), 7);
    assert_eq!(card_broken.kept.len(), 1);

    edit(
        &dir,
        "titel: \"柜员业务不熟练\",",
        "title: \"柜员业务不熟练（新）\",",
    );
    let fixed = loader.load(&dirs);
    assert!(fixed.kept.is_empty());
    assert_eq!(fixed.error_count(), 0);
    assert!(titles(&fixed).contains(&"柜员业务不熟练（新）"));
}

#[test]
fn deleted_files_go_renamed_files_stay_and_a_vanished_directory_keeps_all() {
    let (_tmp, dir) = data_copy();
    let dirs = [dir.clone()];
    let mut loader = Loader::default();
    assert_eq!(loader.load(&dirs).library.cards.len(), 7);

    std::fs::rename(dir.join(FILE), dir.join("05-renamed.ron")).unwrap();
    let renamed = loader.load(&dirs);
    assert_eq!(renamed.library.cards.len(), 7);
    assert!(renamed.diagnostics.iter().all(|d| !d.is_error()));

    std::fs::remove_file(dir.join("05-renamed.ron")).unwrap();
    let deleted = loader.load(&dirs);
    assert_eq!(titles(&deleted), vec!["客户取号错误"]);
    assert!(deleted.kept.is_empty(), "a deleted file is not kept");

    // The whole directory goes away (a network share drops): keep showing.
    let moved = dir.with_extension("away");
    std::fs::rename(&dir, &moved).unwrap();
    let gone = loader.load(&dirs);
    assert_eq!(titles(&gone), vec!["客户取号错误"]);
    assert_eq!(gone.kept.len(), 2, "the chapter and the synonyms file");
    assert!(gone.error_count() > 0, "the missing directory is reported");
    std::fs::rename(&moved, &dir).unwrap();
}

/// Starts a watch whose loads arrive on a channel.
fn watch(dir: &Path) -> (Watch, mpsc::Receiver<(Instant, Loaded)>) {
    let dirs = vec![dir.to_path_buf()];
    let mut loader = Loader::default();
    loader.load(&dirs);
    let (tx, rx) = mpsc::channel();
    let (watch, failed) = Watch::start(&dirs.clone(), None, move || {
        let _ = tx.send((Instant::now(), loader.load(&dirs)));
        None
    })
    .unwrap();
    assert!(failed.is_empty());
    (watch, rx)
}

/// The next load after a change, and how long it took from `since`.
fn next_load(rx: &mpsc::Receiver<(Instant, Loaded)>, since: Instant) -> (Duration, Loaded) {
    let (at, loaded) = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("a reload after the change");
    (at - since, loaded)
}

#[test]
fn the_watcher_reloads_after_edits_new_files_and_deletions() {
    let (_tmp, dir) = data_copy();
    let (watch, rx) = watch(&dir);

    let t = Instant::now();
    edit(&dir, TITLE, "title: \"柜员业务不熟练（新）\",");
    let (took, loaded) = next_load(&rx, t);
    assert!(titles(&loaded).contains(&"柜员业务不熟练（新）"));
    eprintln!("edit → reloaded in {took:?}");
    assert!(took >= huashu::content::watch::DEBOUNCE);

    let t = Instant::now();
    let sub = dir.join("more");
    std::fs::create_dir(&sub).unwrap();
    std::fs::copy(
        "tests/fixtures/multi/a/01-first.ron",
        sub.join("01-first.ron"),
    )
    .unwrap();
    let mut loaded = next_load(&rx, t).1;
    // Creating the directory and the file may come as two reloads.
    while loaded.library.cards.len() == 7 {
        loaded = next_load(&rx, t).1;
    }
    assert!(loaded.library.cards.len() > 7);

    let t = Instant::now();
    std::fs::remove_dir_all(&sub).unwrap();
    let mut loaded = next_load(&rx, t).1;
    while loaded.library.cards.len() != 7 {
        loaded = next_load(&rx, t).1;
    }

    // Reading files is not a change: no reload follows our own loads.
    std::thread::sleep(huashu::content::watch::DEBOUNCE * 3);
    while rx.try_recv().is_ok() {}
    let _ = std::fs::read(dir.join(FILE)).unwrap();
    assert!(
        rx.recv_timeout(huashu::content::watch::DEBOUNCE * 3)
            .is_err(),
        "a read caused a reload"
    );

    // Dropping the watch stops the thread (the channel closes).
    drop(watch);
    assert!(matches!(
        rx.recv_timeout(Duration::from_secs(5)),
        Err(mpsc::RecvTimeoutError::Disconnected)
    ));
}

#[test]
fn a_single_file_is_watched_across_save_by_rename() {
    let (_tmp, dir) = data_copy();
    let file = dir.join(FILE);
    let dirs = vec![file.clone()];
    let mut loader = Loader::default();
    assert_eq!(loader.load(&dirs).library.cards.len(), 6);
    let (tx, rx) = mpsc::channel();
    let _watch = Watch::start(&dirs.clone(), None, move || {
        let _ = tx.send((Instant::now(), loader.load(&dirs)));
        None
    })
    .unwrap();
    // Save the way many editors do: write a new file, rename it over.
    for (n, title) in ["柜员业务不熟练（一）", "柜员业务不熟练（二）"]
        .iter()
        .enumerate()
    {
        let text = std::fs::read_to_string("data/04-business-area.ron").unwrap();
        let tmp = dir.join(format!(".save-{n}.tmp"));
        std::fs::write(&tmp, text.replacen("柜员业务不熟练", title, 1)).unwrap();
        std::fs::rename(&tmp, &file).unwrap();
        let t = Instant::now();
        let mut reloaded = next_load(&rx, t).1;
        while !titles(&reloaded).contains(title) {
            reloaded = next_load(&rx, t).1;
        }
    }
}

/// A save that was cut off leaves a zero-byte file: its cards stay.
#[test]
fn a_file_emptied_by_an_interrupted_save_keeps_its_cards() {
    let (_tmp, dir) = data_copy();
    let dirs = [dir.clone()];
    let mut loader = Loader::default();
    assert_eq!(loader.load(&dirs).library.cards.len(), 7);
    std::fs::write(dir.join(FILE), b"").unwrap();
    let emptied = loader.load(&dirs);
    assert_eq!(emptied.library.cards.len(), 7, "nothing disappears");
    assert_eq!(emptied.kept, vec![dir.join(FILE)]);
    assert_eq!(emptied.error_count(), 1);
}
