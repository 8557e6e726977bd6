//! The parsed content kept on disk between starts (`Sources::with_snapshot`):
//! a start over unchanged files gives exactly what a full load gives —
//! cards, problems, search results — without parsing them again; each kind
//! of change (a file edited, added, removed, renamed; the rules; another
//! program version) and each kind of damage to the snapshot falls back to
//! parsing, never to a wrong result.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use huashu::content::Diagnostic;
use huashu::content::assemble::ParseCache;
use huashu::content::sources::{SourceSpec, Sources};
use huashu::model::Library;
use huashu::search::Searcher;

/// A content folder as a branch has it: the bundled chapters, a rules
/// file, a file of its own with a mistake in it.
fn content(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for name in [
        "00-earlier-chapter.ron",
        "04-business-area.ron",
        "synonyms.ron",
    ] {
        std::fs::copy(Path::new("data").join(name), dir.join(name)).unwrap();
    }
    std::fs::copy("docs/rules-example.ron", dir.join("rules.ron")).unwrap();
    std::fs::write(
        dir.join("05-branch.ron"),
        "Chapter(title: \"第五章 本行\", sections: [Section(title: \"第一节\", cards: [Card(\n    id: \"branch-promise\",\n    title: \"客户问理财稳不稳\",\n    steps: [Step(action: \"说明风险。\", scripts: [\"这款产品保本保息。\"])],\n    links: [Link(to: \"no-such-card\")],\n)])])\n",
    )
    .unwrap();
}

/// What a counter would see: cards, problems, and the first results of a
/// few searches the way managers type them.
fn seen(dir: &Path, kept: Option<&Path>) -> (Library, Vec<Diagnostic>, Vec<Vec<String>>) {
    let mut sources = Sources::new(
        vec![SourceSpec::Local(dir.to_path_buf())],
        dir.parent().unwrap().join("cache"),
    );
    if let Some(kept) = kept {
        sources = sources.with_snapshot(kept.to_path_buf());
    }
    let loaded = sources.load().loaded;
    let library = Arc::new(loaded.library.clone());
    let mut searcher = Searcher::new(library.clone());
    let results = ["取号错了", "qhcw", "理财稳不稳", "柜员太慢", "身份证"]
        .iter()
        .map(|q| {
            searcher
                .search(q, 5)
                .hits
                .iter()
                .map(|h| library.cards[h.card].id.as_str().to_owned())
                .collect()
        })
        .collect();
    (loaded.library, loaded.diagnostics, results)
}

fn modified(path: &Path) -> SystemTime {
    std::fs::metadata(path).unwrap().modified().unwrap()
}

struct Counter {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    kept: PathBuf,
}

fn counter() -> Counter {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    content(&dir);
    let kept = tmp.path().join("cache").join("parsed.bin");
    Counter {
        _tmp: tmp,
        dir,
        kept,
    }
}

impl Counter {
    /// A start with the snapshot, checked against a full load of the same
    /// files; whether the snapshot was written again (something parsed).
    fn start(&self) -> bool {
        let before = self.kept.exists().then(|| modified(&self.kept));
        // Times on disk are coarse: a rewrite must be visible.
        std::thread::sleep(std::time::Duration::from_millis(20));
        let with = seen(&self.dir, Some(&self.kept));
        let full = seen(&self.dir, None);
        assert!(with == full, "the snapshot changed what a counter sees");
        before != Some(modified(&self.kept))
    }
}

#[test]
fn an_unchanged_start_parses_nothing_and_sees_the_same() {
    let c = counter();
    assert!(c.start(), "the first start parses and keeps the files");
    assert!(!c.start(), "the second start parses nothing");
    // The problems of unchanged files come from the snapshot too.
    let (_, problems, _) = seen(&c.dir, Some(&c.kept));
    let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(said.iter().any(|p| p.contains("保本保息")), "{said:#?}");
    assert!(said.iter().any(|p| p.contains("no-such-card")), "{said:#?}");
}

#[test]
fn each_kind_of_change_is_parsed_again() {
    let c = counter();
    c.start();
    let branch = c.dir.join("05-branch.ron");
    let text = std::fs::read_to_string(&branch).unwrap();
    // Edited (same length: only the hash tells).
    std::fs::write(&branch, text.replace("稳不稳", "安全吗")).unwrap();
    assert!(c.start(), "an edited file");
    assert_eq!(
        seen(&c.dir, Some(&c.kept)).2[2].first().map(String::as_str),
        Some("branch-promise")
    );
    // Added, renamed, removed.
    std::fs::write(
        c.dir.join("06-more.ron"),
        text.replace("branch-promise", "branch-more"),
    )
    .unwrap();
    assert!(c.start(), "an added file");
    std::fs::rename(c.dir.join("06-more.ron"), c.dir.join("07-more.ron")).unwrap();
    assert!(c.start(), "a renamed file");
    std::fs::remove_file(c.dir.join("07-more.ron")).unwrap();
    assert!(c.start(), "a removed file");
    // The rules: every file is checked against them again.
    std::fs::write(
        c.dir.join("rules.ron"),
        "Rules(rules: [Rule(phrase: \"取错号\", why: \"不要说客户取错了\")])",
    )
    .unwrap();
    assert!(c.start(), "other rules");
    let (_, problems, _) = seen(&c.dir, Some(&c.kept));
    let said: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(!said.iter().any(|p| p.contains("保本保息")), "{said:#?}");
    // The synonyms.
    let synonyms = c.dir.join("synonyms.ron");
    let text = std::fs::read_to_string(&synonyms).unwrap();
    std::fs::write(
        &synonyms,
        text.replacen('[', "[[\"稳不稳\", \"安全吗\"], ", 1),
    )
    .unwrap();
    assert!(c.start(), "other synonyms");
    assert!(!c.start());
}

#[test]
fn a_damaged_or_foreign_snapshot_is_a_full_load() {
    let c = counter();
    c.start();
    let good = std::fs::read(&c.kept).unwrap();
    let damaged: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("cut in half", good[..good.len() / 2].to_vec()),
        ("cut by one byte", good[..good.len() - 1].to_vec()),
        ("a bit flipped in the middle", {
            let mut b = good.clone();
            let mid = b.len() / 2;
            b[mid] ^= 0x01;
            b
        }),
        ("another program version", {
            let mut b = good.clone();
            // The version follows magic, format and its length.
            b[16] = b'9';
            b
        }),
        ("not a snapshot", b"Chapter(sections: [])".to_vec()),
    ];
    for (what, bytes) in damaged {
        std::fs::write(&c.kept, &bytes).unwrap();
        assert!(c.start(), "{what}: parsed again and kept anew");
        assert!(!c.start(), "{what}: then used");
    }
    // A snapshot that is a directory, or cannot be written: still loads.
    std::fs::remove_file(&c.kept).unwrap();
    std::fs::create_dir_all(&c.kept).unwrap();
    let (library, _, _) = seen(&c.dir, Some(&c.kept));
    assert_eq!(library.cards.len(), 8);
}

/// Random bytes, random cuts and flips of a real snapshot: the reader
/// never panics and never takes anything but the snapshot as written.
#[test]
fn the_reader_takes_only_what_was_written() {
    let c = counter();
    c.start();
    let good = std::fs::read(&c.kept).unwrap();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut bytes = good.clone();
        match next() % 3 {
            0 => bytes.truncate(usize::try_from(next()).unwrap() % good.len()),
            1 => {
                let at = usize::try_from(next()).unwrap() % good.len();
                bytes[at] ^= 1 << (next() % 8);
            }
            _ => {
                bytes = (0..next() % 4096)
                    .map(|_| u8::try_from(next() % 256).unwrap())
                    .collect();
            }
        }
        let path = c.kept.with_extension("try");
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(ParseCache::read(&path).is_ok(), bytes == good);
    }
}
