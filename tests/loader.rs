//! Loader integration tests: every kind of broken input, with the exact
//! diagnostics a content editor sees (insta snapshots in `snapshots/`).

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

mod support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use huashu::content::{self, Loaded};

/// Diagnostics, then the ids that loaded, as one text for a snapshot.
fn report(loaded: &Loaded, strip: Option<&Path>) -> String {
    let mut out = String::new();
    for d in &loaded.diagnostics {
        let line = d.to_string();
        let line = match strip {
            Some(prefix) => line.replace(&prefix.display().to_string(), "<tmp>"),
            None => line,
        };
        let _ = writeln!(out, "{line}");
    }
    let ids: Vec<&str> = loaded.library.cards.iter().map(|c| c.id.as_str()).collect();
    let _ = writeln!(
        out,
        "-- {} files, {} errors, {} warnings, loaded: {ids:?}",
        loaded.file_count,
        loaded.error_count(),
        loaded.warning_count()
    );
    support::forward_slashes(&out)
}

/// Loads one fixture file from `tests/fixtures/broken/` on its own.
fn load_fixture(name: &str) -> Loaded {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new("tests/fixtures/broken").join(name);
    std::fs::copy(&src, dir.path().join(name)).unwrap();
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    // Report with the fixture's stable path instead of the temp dir.
    let mut loaded = loaded;
    for d in &mut loaded.diagnostics {
        d.path.clone_from(&src);
    }
    loaded
}

macro_rules! fixture_test {
    ($test:ident, $file:literal) => {
        #[test]
        fn $test() {
            let loaded = load_fixture($file);
            insta::assert_snapshot!(report(&loaded, None));
        }
    };
}

fixture_test!(missing_comma, "missing-comma.ron");
fixture_test!(full_width_punctuation, "full-width-punctuation.ron");
fixture_test!(chinese_quotes, "chinese-quotes.ron");
fixture_test!(unclosed_string, "unclosed-string.ron");
fixture_test!(unknown_chapter_field, "unknown-chapter-field.ron");
fixture_test!(
    unknown_card_field_spares_other_cards,
    "unknown-card-field.ron"
);
fixture_test!(missing_field, "missing-field.ron");
fixture_test!(wrong_types_are_all_reported, "wrong-types.ron");
fixture_test!(bad_values, "bad-values.ron");
fixture_test!(fill_in_fields, "fill-in-fields.ron");
fixture_test!(trailing_characters, "trailing-characters.ron");
fixture_test!(draft_and_empty_section, "draft-and-empty.ron");
fixture_test!(
    unknown_section_field_spares_other_sections,
    "unknown-section-field.ron"
);

#[test]
fn several_directories_duplicate_ids_and_a_broken_file() {
    let dirs = [
        PathBuf::from("tests/fixtures/multi/a"),
        PathBuf::from("tests/fixtures/multi/b"),
    ];
    let loaded = content::load_dirs(&dirs);
    insta::assert_snapshot!(report(&loaded, None));
    // The broken file does not stop the others; the link across directories resolves.
    let first = &loaded.library.cards[0];
    assert_eq!(first.title, "第一张");
    assert_eq!(first.links.len(), 1);
}

#[test]
fn missing_directory_is_an_error() {
    let loaded = content::load_dirs(&[PathBuf::from("tests/fixtures/no-such-dir")]);
    let text = report(&loaded, None);
    assert!(
        text.starts_with("tests/fixtures/no-such-dir: error: 找不到内容目录：不存在"),
        "{text}"
    );
    assert_eq!(loaded.error_count(), 1);
}

#[test]
fn empty_directory_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not content").unwrap();
    std::fs::write(dir.path().join(".hidden.ron"), "garbage").unwrap();
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
}

/// A minimal valid file, as Notepad might write it.
const CARD: &str = "Chapter(\n    title: \"第九章 测试\",\n    sections: [Section(cards: [\n        Card(id: \"notepad\", title: \"记事本保存的卡片\", steps: [Step(action: \"做\", scripts: [\"您好\"])]),\n    ])],\n)\n";

fn load_bytes(name: &str, bytes: &[u8]) -> (tempfile::TempDir, Loaded) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    (dir, loaded)
}

#[test]
fn utf8_bom_and_crlf_load_cleanly() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(CARD.replace('\n', "\r\n").as_bytes());
    let (_dir, loaded) = load_bytes("bom.ron", &bytes);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let card = &loaded.library.cards[0];
    assert_eq!(card.title, "记事本保存的卡片");
    // No stray carriage returns in the text, and positions are editor lines.
    assert_eq!(card.origin.line, 4);
}

#[test]
fn crlf_positions_match_the_editor() {
    let text = CARD
        .replace("title: \"第九章 测试\",", "title: \"第九章 测试\"")
        .replace('\n', "\r\n");
    let (dir, loaded) = load_bytes("crlf.ron", text.as_bytes());
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
}

#[test]
fn gbk_file_loads_with_a_warning() {
    let text = CARD.replace('\n', "\r\n");
    let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
    let (dir, loaded) = load_bytes("gbk.ron", &bytes);
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
    assert_eq!(loaded.library.cards[0].title, "记事本保存的卡片");
}

#[test]
fn utf16_file_loads_with_a_warning() {
    let mut bytes = vec![0xFF, 0xFE];
    for unit in CARD.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let (dir, loaded) = load_bytes("utf16.ron", &bytes);
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
    assert_eq!(loaded.library.cards.len(), 1);
}

#[test]
fn invalid_bytes_name_the_line() {
    let mut bytes = CARD.as_bytes().to_vec();
    let at = CARD.find("记事本").unwrap() + 3;
    bytes[at] = 0xFF;
    let (dir, loaded) = load_bytes("broken.ron", &bytes);
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
}

#[test]
fn oversized_file_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = std::fs::File::create(dir.path().join("big.ron")).unwrap();
    big.set_len(content::MAX_FILE_BYTES + 1).unwrap();
    drop(big);
    std::fs::write(dir.path().join("ok.ron"), CARD).unwrap();
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
    assert_eq!(loaded.library.cards.len(), 1, "the other file still loads");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!(
        "Chapter(sections: [Section(cards: [{}{}])])",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    std::fs::write(dir.path().join("deep.ron"), deep).unwrap();
    let fields = format!(
        "Chapter(sections: [Section(cards: [Card(id: \"x\", title: \"t\", scene: {})])])",
        "[".repeat(100_000)
    );
    std::fs::write(dir.path().join("deep2.ron"), fields).unwrap();
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    insta::assert_snapshot!(report(&loaded, Some(dir.path())));
}

#[test]
fn load_order_is_stable_and_sorted() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.ron", "a.ron", "sub/c.ron"] {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let id = name.trim_end_matches(".ron").replace('/', "-");
        std::fs::write(&path, CARD.replace("notepad", &id)).unwrap();
    }
    let loaded = content::load_dirs(&[dir.path().to_path_buf()]);
    let ids: Vec<&str> = loaded.library.cards.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["a", "b", "sub-c"]);
}

/// A closing quote or bracket of a bundled content file, found by a
/// scanner of this test's own (strings with `\\` escapes, `//` comments).
struct Closer {
    /// Byte offset of the character.
    at: usize,
    /// 1-based line of the character.
    line: usize,
    /// For a bracket, the 1-based line of the bracket it closes.
    opened_on: Option<usize>,
}

fn closers(text: &str) -> (Vec<Closer>, Vec<Closer>) {
    let (mut quotes, mut brackets) = (Vec::new(), Vec::new());
    let mut stack = Vec::new();
    let mut in_string = false;
    for (line_no, line) in text.lines().enumerate() {
        let base = line.as_ptr() as usize - text.as_ptr() as usize;
        let mut escaped = false;
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            let here = Closer {
                at: base + i,
                line: line_no + 1,
                opened_on: None,
            };
            if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        in_string = false;
                        quotes.push(here);
                    }
                    _ => {}
                }
                continue;
            }
            match c {
                '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => break,
                '"' => in_string = true,
                '(' | '[' | '{' => stack.push(line_no + 1),
                ')' | ']' | '}' => brackets.push(Closer {
                    opened_on: stack.pop(),
                    ..here
                }),
                _ => {}
            }
        }
    }
    (quotes, brackets)
}

/// Makes a mistake at each closer in turn (`mistake` edits the text) in
/// the bundled chapter files and loads the result: (cases, cases whose first
/// error is on the mistake's line, cases whose first error also names the
/// line of the bracket it belonged to).
fn localise(
    pick: fn(&str) -> Vec<Closer>,
    mistake: fn(&mut String, usize),
) -> (usize, usize, usize) {
    let (mut total, mut on_line, mut names_opener) = (0, 0, 0);
    let mut misses = Vec::new();
    for name in ["data/00-earlier-chapter.ron", "data/04-business-area.ron"] {
        let text = std::fs::read_to_string(name).unwrap();
        for closer in pick(&text) {
            let mut broken = text.clone();
            mistake(&mut broken, closer.at);
            let mut diagnostics = Vec::new();
            content::build(
                &[(PathBuf::from(name), broken.into_bytes())],
                &mut diagnostics,
            );
            total += 1;
            let first = diagnostics.iter().find(|d| d.is_error());
            let line = first.and_then(|d| d.pos).map(|p| p.line as usize);
            if line == Some(closer.line) {
                on_line += 1;
            } else {
                misses.push(format!(
                    "{name}:{} → {:?}",
                    closer.line,
                    first.map(ToString::to_string)
                ));
            }
            if let (Some(opened), Some(d)) = (closer.opened_on, first)
                && d.message.contains(&format!("第 {opened} 行"))
            {
                names_opener += 1;
            }
        }
    }
    eprintln!("{}", misses.join("\n"));
    (total, on_line, names_opener)
}

fn delete(text: &mut String, at: usize) {
    text.remove(at);
}

/// The commonest typing mistake, made everywhere it can be: each closing
/// quote of the bundled chapter files deleted in turn. The first error must
/// name the line of the mistake in at least 90 % of cases (the figure is
/// printed).
#[test]
fn a_deleted_closing_quote_is_reported_on_its_own_line() {
    let (total, on_line, _) = localise(|text| closers(text).0, delete);
    let percent = 100 * on_line / total.max(1);
    println!(
        "closing quotes deleted: {total}; first error on the mistake's line: {on_line} ({percent} %)"
    );
    assert!(percent >= 90, "{percent} %");
}

/// Each closing bracket of the bundled chapter files deleted in turn: the
/// first error must be on the mistake's line and name where the unclosed
/// bracket opened, in at least 90 % of cases.
#[test]
fn a_deleted_closing_bracket_names_its_opener() {
    let (total, on_line, named) = localise(|text| closers(text).1, delete);
    let percent = 100 * on_line / total.max(1);
    let named_percent = 100 * named / total.max(1);
    println!(
        "closing brackets deleted: {total}; first error on the mistake's line: {on_line} ({percent} %); \
         names the opener's line: {named} ({named_percent} %)"
    );
    assert!(percent >= 90, "{percent} %");
    assert!(named_percent >= 90, "{named_percent} %");
}

/// Each closing bracket typed twice: the first error must be on that line
/// in at least 90 % of cases.
#[test]
fn a_doubled_closing_bracket_is_reported_on_its_line() {
    let (total, on_line, _) = localise(
        |text| closers(text).1,
        |text, at| {
            let c = text[at..].chars().next().unwrap();
            text.insert(at, c);
        },
    );
    let percent = 100 * on_line / total.max(1);
    println!(
        "closing brackets doubled: {total}; first error on the mistake's line: {on_line} ({percent} %)"
    );
    assert!(percent >= 90, "{percent} %");
}

/// A live reload keeps what it parsed of unchanged files. Each step is
/// compared with a fresh load: one file changed (the other taken as
/// parsed), a file added before the others (every file's number moves),
/// then a rules file (unchanged files are checked against the new rules).
#[test]
fn a_reload_after_changes_matches_a_fresh_load() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["00-earlier-chapter.ron", "04-business-area.ron"] {
        std::fs::copy(Path::new("data").join(name), dir.path().join(name)).unwrap();
    }
    let dirs = [dir.path().to_path_buf()];
    let mut loader = content::Loader::default();
    assert_eq!(loader.load(&dirs).error_count(), 0);
    let same_as_fresh = |loader: &mut content::Loader| {
        let reloaded = loader.load(&dirs);
        let fresh = content::load_dirs(&dirs);
        assert_eq!(
            report(&reloaded, Some(dir.path())),
            report(&fresh, Some(dir.path()))
        );
        assert_eq!(reloaded.library, fresh.library);
        for card in &reloaded.library.cards {
            let file = reloaded.library.file_of(card);
            let text = std::fs::read_to_string(file).unwrap();
            assert!(
                text.contains(card.id.as_str()),
                "{} in {}",
                card.id,
                file.display()
            );
        }
        reloaded
    };

    let edited = dir.path().join("04-business-area.ron");
    let text = std::fs::read_to_string(&edited)
        .unwrap()
        .replace("柜员业务不熟练", "柜员业务不熟练（改）")
        .replacen("scripts: [\"", "scripts: [\"零风险。", 1);
    std::fs::write(&edited, text).unwrap();
    let reloaded = same_as_fresh(&mut loader);
    assert!(
        reloaded
            .library
            .cards
            .iter()
            .any(|c| c.title == "柜员业务不熟练（改）")
    );

    let first = std::fs::read_to_string(dir.path().join("00-earlier-chapter.ron"))
        .unwrap()
        .replace("wrong-queue-ticket", "another-ticket");
    std::fs::write(dir.path().join("000-first.ron"), first).unwrap();
    same_as_fresh(&mut loader);

    std::fs::copy("docs/rules-example.ron", dir.path().join("rules.ron")).unwrap();
    let reloaded = same_as_fresh(&mut loader);
    assert!(
        reloaded
            .diagnostics
            .iter()
            .any(|d| d.path.ends_with("04-business-area.ron") && d.message.contains("零风险")),
        "{}",
        report(&reloaded, Some(dir.path()))
    );
}
