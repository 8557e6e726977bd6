//! The bundled cards are a faithful transcription of the seed manual, and the
//! copy built into the binary equals `data/`.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::path::{Path, PathBuf};

use huashu::content;
use huashu::model::Card;

/// The seed with its two visibly corrupted spots repaired, as the cards have it.
fn repaired_seed() -> String {
    std::fs::read_to_string("tests/fixtures/manual-excerpt.txt")
        .unwrap()
        .replace("有点常客户", "有点长。客户")
        .replace("员梗演讲", "员工。演讲")
}

/// Every text of the card appears verbatim in the seed.
fn assert_faithful(card: &Card, seed: &str) {
    let mut texts: Vec<String> = Vec::new();
    texts.extend(card.scene.iter().cloned());
    texts.extend(card.view.iter().cloned());
    for step in &card.steps {
        texts.push(step.action.trim_end_matches('…').to_owned());
        for script in &step.scripts {
            // The seed writes the choice inline: 帅(漂亮), 先生.
            texts.push(script.template.render(|name| match name {
                "夸赞" => Some("帅(漂亮)"),
                "称呼" => Some("先生"),
                _ => None,
            }));
        }
    }
    for text in texts {
        assert!(
            seed.contains(&text),
            "{}: not in the seed: {text}",
            card.title
        );
    }
    assert!(seed.contains(&card.title), "{}", card.title);
}

#[test]
fn every_card_text_is_in_the_seed() {
    let seed = repaired_seed();
    let loaded = content::load_dirs(&[PathBuf::from("data")]);
    assert_eq!(loaded.error_count(), 0, "{:?}", loaded.diagnostics);
    assert_eq!(loaded.library.cards.len(), 7);
    for card in &loaded.library.cards {
        assert_faithful(card, &seed);
    }
}

#[test]
fn scripts_carry_no_translated_labels() {
    let loaded = content::load_dirs(&[PathBuf::from("data")]);
    for card in &loaded.library.cards {
        for script in card.scripts() {
            let text = script.default_text(&card.fields);
            for label in ["演讲", "脚本", "文字:", "话术"] {
                assert!(!text.contains(label), "{}: {text}", card.title);
            }
            assert!(!text.ends_with(';'), "{}: {text}", card.title);
        }
        for step in &card.steps {
            assert!(!step.action.starts_with('('), "{}", step.action);
        }
    }
}

#[test]
fn draft_card_is_the_truncated_one() {
    let loaded = content::load_dirs(&[PathBuf::from("data")]);
    let drafts: Vec<&str> = loaded
        .library
        .cards
        .iter()
        .filter(|c| c.meta.status == Some(huashu::model::Status::Draft))
        .map(|c| c.title.as_str())
        .collect();
    assert_eq!(drafts, ["客户不配合证件核实"]);
    let card = loaded.library.cards.last().unwrap();
    let note = card.meta.note.as_deref().unwrap();
    assert!(note.contains("不摘也可以核对"), "{note}");
}

#[test]
fn builtin_content_equals_data_dir() {
    // The loader's own walker: what it would read from data/.
    let (files, skipped) = content::walk::walk(Path::new("data")).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let on_disk: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|path| {
            let rel = path
                .strip_prefix("data")
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (rel, std::fs::read(path).unwrap())
        })
        .collect();
    let builtin: Vec<(String, Vec<u8>)> = content::builtin_files()
        .iter()
        .map(|(p, b)| ((*p).to_owned(), b.to_vec()))
        .collect();
    assert_eq!(builtin, on_disk);

    let from_disk = content::load_dirs(&[PathBuf::from("data")]).library;
    let embedded = content::load_builtin().library;
    assert_eq!(embedded.cards, from_disk.cards);
    assert_eq!(embedded.chapters, from_disk.chapters);
}
