//! The bad-input catalogue: each input beside a good file, through
//! `huashu check`, with the exact report and exit code. Each either loads
//! (BOM, CRLF, GB18030, a huge string…) or is named with its file and
//! line:col — never a panic or a hang — and the good file always loads.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A valid chapter with one card, `good-card`, loaded beside every bad input.
const GOOD: &str = "Chapter(sections: [Section(cards: [Card(id: \"good-card\", title: \"好的卡片\", steps: [Step(action: \"照常显示。\")])])])\n";

/// A directory with `good.ron` and the bad input(s).
fn dir_with(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("00-good.ron"), GOOD).unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    dir
}

/// `huashu check --data DIR`: the report (temp path replaced) and exit code.
fn check(dir: &Path) -> (String, i32) {
    let out = Command::cargo_bin("huashu")
        .unwrap()
        .env("NO_COLOR", "1")
        .env_remove("HUASHU_CONFIG")
        .arg("--data")
        .arg(dir)
        .arg("check")
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout)
        .unwrap()
        .replace(&dir.display().to_string(), "<dir>");
    (
        support::forward_slashes(&report),
        out.status.code().unwrap(),
    )
}

/// Checks `files` beside the good file: snapshot of the report, the exit
/// code, and that the good card loaded.
fn case(name: &str, files: &[(&str, &[u8])], exit: i32) {
    let dir = dir_with(files);
    let (report, code) = check(dir.path());
    assert_eq!(code, exit, "{name}:\n{report}");
    assert!(
        huashu::content::load_dirs(&[dir.path().to_path_buf()])
            .library
            .cards
            .iter()
            .any(|c| c.id.as_str() == "good-card"),
        "{name}: the good file did not load"
    );
    insta::assert_snapshot!(name, report);
}

fn real_file() -> String {
    std::fs::read_to_string("data/04-business-area.ron").unwrap()
}

/// A zero-byte file (an interrupted copy) is an error: its last good
/// version stays in use; a file of only comments is a new file (warning).
#[test]
fn empty_file() {
    case("empty_file", &[("empty.ron", b"")], 1);
}

#[test]
fn whitespace_only() {
    case("blanks_only", &[("blank.ron", b"  \r\n\t\n \n")], 1);
}

#[test]
fn whitespace_and_comments_only() {
    case(
        "whitespace_only",
        &[("blank.ron", b"  \n\t\n// nothing yet\n")],
        0,
    );
}

#[test]
fn binary_junk() {
    // The same junk every run: a simple generator.
    let mut x = 0x2545_f491_u32;
    let junk: Vec<u8> = (0..300)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    case("binary_junk", &[("junk.ron", &junk)], 1);
}

#[test]
fn truncated_at_every_tenth() {
    let text = real_file();
    let mut report = String::new();
    for tenth in 1..=9 {
        let cut = (0..=text.len() * tenth / 10)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap();
        let dir = dir_with(&[("cut.ron", &text.as_bytes()[..cut])]);
        let (r, code) = check(dir.path());
        assert_eq!(code, 1, "cut at {tenth}0%: {r}");
        let _ = write!(report, "-- cut at {tenth}0% (byte {cut})\n{r}");
    }
    insta::assert_snapshot!("truncated", report);
}

#[test]
fn unbalanced_brackets() {
    case(
        "unbalanced_brackets",
        &[(
            "brackets.ron",
            "Chapter(sections: [Section(cards: [\n  Card(id: \"a\", title: \"甲\"]\n])])"
                .as_bytes(),
        )],
        1,
    );
}

#[test]
fn nesting_100000_deep() {
    let deep = format!("Chapter(sections: {})", "[".repeat(100_000));
    case("nesting_deep", &[("deep.ron", deep.as_bytes())], 1);
}

#[test]
fn a_20_mb_file_is_refused_unread() {
    let mut big = GOOD.replace("good-card", "big-card").into_bytes();
    big.extend(std::iter::repeat_n(b' ', 20 * 1024 * 1024));
    case("file_20_mb", &[("big.ron", &big)], 1);
}

#[test]
fn a_1_mb_single_line_string_loads() {
    let long = "客户很着急。".repeat(1024 * 1024 / 18);
    let text = format!(
        "Chapter(sections: [Section(cards: [Card(id: \"long\", title: \"很长的场景\", scene: [\"{long}\"], steps: [])])])"
    );
    let dir = dir_with(&[("long.ron", text.as_bytes())]);
    let (report, code) = check(dir.path());
    assert_eq!(code, 0, "{report}");
    insta::assert_snapshot!("string_1_mb", report);
    // And the search copes with it.
    let loaded = huashu::content::load_dirs(&[dir.path().to_path_buf()]);
    let mut searcher = huashu::search::Searcher::new(std::sync::Arc::new(loaded.library));
    assert_eq!(searcher.search("着急", 10).hits.len(), 1);
}

#[test]
fn invalid_utf8_that_is_not_gbk() {
    let mut bytes = "Chapter(sections: [Section(title: \"客户"
        .as_bytes()
        .to_vec();
    bytes.extend([0xE5, 0xAE]); // half a character
    bytes.extend("\", cards: [])])".as_bytes());
    case("invalid_utf8", &[("bad.ron", &bytes)], 1);
}

#[test]
fn gb18030_text_loads_with_a_note() {
    let text = real_file();
    let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
    case("gb18030", &[("gbk.ron", &gbk)], 0);
}

#[test]
fn bom_and_crlf_load_cleanly() {
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(real_file().replace('\n', "\r\n").into_bytes());
    case("bom_crlf", &[("bom.ron", &bom)], 0);
}

#[test]
fn a_nul_byte() {
    let mut text = real_file().into_bytes();
    let at = text.iter().position(|&b| b == b'\n').unwrap() + 5;
    text[at] = 0;
    case("nul_byte", &[("nul-byte.ron", &text)], 1);
}

#[test]
fn wrong_types_missing_and_unknown_fields() {
    let step = "steps: [Step(action: \"一步。\")]";
    let text = format!(
        "Chapter(sections: [Section(cards: [\n  Card(id: \"a\", title: 3, {step}),\n  Card(id: \"b\", {step}),\n  Card(id: \"c\", title: \"丙\", titel: \"丙\", {step}),\n])])"
    );
    case("fields", &[("fields.ron", text.as_bytes())], 1);
}

#[test]
fn duplicate_ids_across_two_files() {
    let other = GOOD.replace("好的卡片", "重复的卡片");
    case("duplicate_ids", &[("01-again.ron", other.as_bytes())], 1);
}

#[test]
fn a_link_to_a_missing_id_and_an_undeclared_fill_in() {
    let text = "Chapter(sections: [Section(cards: [\n  Card(id: \"a\", title: \"甲\", steps: [Step(action: \"问候。\", scripts: [\"{称呼}您好。\"])]),\n  Card(id: \"b\", title: \"乙\", steps: [Step(action: \"看相关卡片。\")], links: [Link(to: \"good-crad\", why: \"相关\")]),\n])])";
    case("link_and_fill_in", &[("links.ron", text.as_bytes())], 1);
}

#[test]
fn a_file_that_is_a_directory() {
    let dir = dir_with(&[]);
    std::fs::create_dir(dir.path().join("folder.ron")).unwrap();
    let (report, code) = check(dir.path());
    assert_eq!(code, 0, "{report}");
    insta::assert_snapshot!("directory_named_ron", report);
}

#[cfg(unix)]
#[test]
fn a_file_without_read_permission() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = dir_with(&[("secret.ron", GOOD.replace("good-card", "secret").as_bytes())]);
    let path = dir.path().join("secret.ron");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Running as root (as CI does): permissions do not stop reading.
        eprintln!("skipped: root can read any file");
        return;
    }
    let (report, code) = check(dir.path());
    assert_eq!(code, 1, "{report}");
    assert!(
        report.contains("<dir>/secret.ron: error: 无法读取文件：没有权限"),
        "{report}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops() {
    let dir = dir_with(&[]);
    std::os::unix::fs::symlink("loop.ron", dir.path().join("loop.ron")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("again")).unwrap();
    let (report, code) = check(dir.path());
    assert_eq!(code, 1, "{report}");
    insta::assert_snapshot!(
        "symlink_loops",
        report.replace("Too many levels of symbolic links", "<ELOOP>")
    );
}

#[test]
fn a_directory_that_vanishes_while_loading() {
    let dir = dir_with(&[("01.ron", real_file().as_bytes())]);
    let path = dir.path().to_path_buf();
    let away = path.with_extension("away");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flipper = {
        let (path, away, stop) = (path.clone(), away.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = std::fs::rename(&path, &away);
                let _ = std::fs::rename(&away, &path);
            }
        })
    };
    let started = std::time::Instant::now();
    let mut outcomes = std::collections::BTreeSet::new();
    while started.elapsed() < std::time::Duration::from_secs(2) {
        let loaded = huashu::content::load_dirs(std::slice::from_ref(&path));
        let cards = loaded.library.cards.len();
        // Whole files (1 card and 6 cards) or clear errors: never half a file.
        assert!([0, 1, 6, 7].contains(&cards), "{cards} cards");
        if cards < 7 {
            assert!(
                loaded
                    .diagnostics
                    .iter()
                    .any(huashu::content::Diagnostic::is_error),
                "cards missing without an error"
            );
        }
        outcomes.insert(cards);
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    flipper.join().unwrap();
    if !path.exists() {
        std::fs::rename(&away, &path).unwrap();
    }
    assert!(outcomes.contains(&7), "{outcomes:?}");
}

/// All of it at once in the window: never blank.
#[test]
fn the_window_shows_the_good_cards_among_all_the_bad_ones() {
    let dir = dir_with(&[
        ("empty.ron", b""),
        ("nul-byte.ron", b"Chapter(\0)"),
        (
            "bad.ron",
            b"Chapter(sections: [Section(cards: [Card(id: \"a\", title: 3)])])",
        ),
    ]);
    let loaded = huashu::content::load_dirs(&[PathBuf::from(dir.path())]);
    let state = huashu::app::AppState::new(loaded, huashu::app::Settings::default());
    assert_eq!(state.library().cards.len(), 1);
    assert_eq!(state.rows().len(), 1, "the list is not blank");
    assert_eq!(state.content_problems().0, 3);
}

#[cfg(unix)]
#[test]
fn a_pipe_named_ron_is_skipped_not_waited_for() {
    let dir = dir_with(&[]);
    let fifo = dir.path().join("pipe.ron");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: no mkfifo");
        return;
    }
    let (report, code) = check(dir.path());
    assert_eq!(code, 0, "{report}");
    insta::assert_snapshot!("pipe", report);
}

/// Files a trainer meant as cards but that are not read are named:
/// Notepad's `.ron.txt`, and a card file saved under another extension;
/// `check` fails, as their cards are missing.
#[test]
fn files_meant_as_cards_are_named_not_ignored() {
    case(
        "meant_as_cards",
        &[
            (
                "05-新卡片.ron.txt",
                GOOD.replace("good-card", "new-card").as_bytes(),
            ),
            (
                "06-notes.txt",
                b"// \xe5\x8d\xa1\xe7\x89\x87\nChapter(sections: [])",
            ),
            ("README.txt", "说明".as_bytes()),
        ],
        1,
    );
}
