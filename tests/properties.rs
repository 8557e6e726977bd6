//! Properties: any valid card written out and loaded again is the same
//! card; the search takes any Unicode query without panicking, quickly.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use huashu::content::{build, write};
use huashu::model::{
    Card, CardId, Chapter, FillField, Library, Meta, Origin, Section, Status, Step,
};
use huashu::search::Searcher;
use proptest::prelude::*;

/// Text as editors write it: Chinese, ASCII, punctuation of both widths,
/// quotes, backslashes and braces (escaped by the writer), no blanks at
/// the ends.
fn text() -> impl Strategy<Value = String> {
    "[\\p{Han}a-zA-Z0-9，。！？“”、：；（）\"'\\\\{}:,()\\[\\] ～\u{3000}😀]{1,40}"
        .prop_map(|s| s.trim().to_owned())
        .prop_filter("not blank", |s| !s.is_empty())
}

fn card(n: usize) -> impl Strategy<Value = Card> {
    (
        text(),
        prop::collection::vec(text(), 0..3),
        prop::collection::vec((text(), prop::collection::vec(text(), 0..3)), 0..4),
        prop::collection::vec(text(), 0..3),
        prop::option::of(text()),
        any::<bool>(),
    )
        .prop_map(move |(title, scene, steps, view, note, draft)| Card {
            id: CardId::parse(&format!("card-{n}")).unwrap(),
            title,
            aliases: Vec::new(),
            section: 0,
            scene,
            steps: steps
                .into_iter()
                .map(|(action, scripts)| Step::plain(action, &scripts))
                .collect(),
            view,
            links: Vec::new(),
            fields: BTreeMap::<String, FillField>::new(),
            meta: Meta {
                status: draft.then_some(Status::Draft),
                note,
                ..Meta::default()
            },
            origin: Origin {
                file: 0,
                line: 1,
                col: 1,
            },
        })
}

fn library(cards: Vec<Card>) -> Library {
    Library {
        files: vec![PathBuf::from("p.ron")],
        chapters: vec![Chapter {
            title: Some("第一章 测试".into()),
            note: None,
            file: 0,
        }],
        sections: vec![Section {
            chapter: 0,
            title: None,
        }],
        cards,
        synonyms: huashu::model::Synonyms::default(),
        shadowed: BTreeMap::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn a_written_card_loads_back_the_same(a in card(1), b in card(2)) {
        let original = library(vec![a, b]);
        let text = write::chapter_file(&original, 0, &["property test".into()], &|_| Vec::new());
        let mut diagnostics = Vec::new();
        let again = build(&[(PathBuf::from("p.ron"), text.clone().into_bytes())], &mut diagnostics);
        prop_assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}\n{text}");
        prop_assert_eq!(again.cards.len(), 2);
        for (x, y) in again.cards.iter().zip(&original.cards) {
            prop_assert_eq!(&x.id, &y.id);
            prop_assert_eq!(&x.title, &y.title);
            prop_assert_eq!(&x.scene, &y.scene);
            prop_assert_eq!(&x.steps, &y.steps);
            prop_assert_eq!(&x.view, &y.view);
            prop_assert_eq!(&x.meta, &y.meta);
        }
    }

    #[test]
    fn any_query_is_answered_quickly(query in any::<String>()) {
        let mut searcher = searcher();
        let t = Instant::now();
        let found = searcher.search(&query, 3);
        prop_assert!(t.elapsed() < Duration::from_millis(500), "{:?} for {query:?}", t.elapsed());
        // The best first, and the counts agree with the hits.
        prop_assert!(found.hits.windows(2).all(|w| w[0].score >= w[1].score), "{query:?}");
        prop_assert!(found.complete <= found.total && found.hits.len() <= found.total.min(3));
        for hit in &found.hits {
            prop_assert_eq!(hit.partial, usize::from(hit.tally.words) < found.words.len());
        }
    }
}

fn searcher() -> Searcher {
    Searcher::new(Arc::new(huashu::content::load_builtin().library))
}

#[test]
fn awkward_queries_are_answered_quickly() {
    let mut searcher = searcher();
    let long_chinese = "客户取号错误".repeat(600);
    let long_ascii = "qhcw".repeat(2600);
    let queries = [
        "😀👍🏽",
        "e\u{301}\u{302}\u{303}",
        "\u{202E}qhcw\u{202C}",
        "مرحبا بالعالم",
        "שלום",
        "\u{0}\u{1}\u{7f}",
        "\u{FEFF}证件",
        "   ",
        "ＡＴＭ（１）",
        long_chinese.as_str(),
        long_ascii.as_str(),
        "\u{10FFFF}\u{E000}",
    ];
    for q in queries {
        // Each keystroke, as typed.
        let mut typed = String::new();
        let t = Instant::now();
        for c in q.chars().take(200) {
            typed.push(c);
            searcher.search(&typed, 50);
        }
        searcher.search(q, 50);
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "{:?} for {:?}",
            t.elapsed(),
            q.chars().take(20).collect::<String>()
        );
    }
    // 10 KB queries: the whole thing at once.
    assert!(long_ascii.len() > 10_000 && long_chinese.len() > 10_000);
}

/// An edit a content editor makes in the form.
#[derive(Clone, Debug)]
enum Edit {
    Title(String),
    AddStep(String, Vec<String>),
    RemoveStep,
    Scene(Vec<String>),
    SwapSteps,
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        text().prop_map(Edit::Title),
        (text(), prop::collection::vec(text(), 0..2)).prop_map(|(a, s)| Edit::AddStep(a, s)),
        Just(Edit::RemoveStep),
        prop::collection::vec(text(), 0..3).prop_map(Edit::Scene),
        Just(Edit::SwapSteps),
    ]
}

fn apply(card: &mut Card, edit: &Edit) {
    match edit {
        Edit::Title(t) => card.title.clone_from(t),
        Edit::AddStep(action, scripts) => card.steps.push(Step::plain(action.clone(), scripts)),
        Edit::RemoveStep => {
            if card.steps.len() > 1 {
                card.steps.pop();
            }
        }
        Edit::Scene(s) => card.scene.clone_from(s),
        Edit::SwapSteps => {
            if card.steps.len() > 1 {
                card.steps.swap(0, 1);
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Random edits of a random card of a bundled file, written back in
    /// place and loaded again: the card is the edited one, every other card
    /// is unchanged, and every byte outside the card's span is the same.
    #[test]
    fn an_edited_card_is_written_in_place_and_nothing_else_changes(
        file in prop::sample::select(vec!["data/00-earlier-chapter.ron", "data/04-business-area.ron"]),
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        use huashu::content::edit::{card_span, card_text, patch_card, splice, validate};
        let text = std::fs::read_to_string(file).unwrap();
        let path = PathBuf::from(file);
        let before = validate(&path, &text).unwrap();
        let n = pick.index(before.cards.len());
        let mut card = before.cards[n].clone();
        for e in &edits {
            apply(&mut card, e);
        }
        let pos = huashu::content::Pos::new(card.origin.line as usize, card.origin.col as usize);
        let span = card_span(&text, pos).unwrap();
        // The whole card written anew, and only its changed fields (the
        // bundled files are written one field a line, so that applies).
        let patched = patch_card(&text[span.range.clone()], &before.cards[n], &card, span.indent);
        prop_assert!(patched.is_some());
        let patched = splice(&text, &span.range, &patched.unwrap());
        for new in [splice(&text, &span.range, &card_text(&card, span.indent)), patched] {
            prop_assert_eq!(&new[..span.range.start], &text[..span.range.start]);
            let tail = text.len() - span.range.end;
            prop_assert_eq!(&new[new.len() - tail..], &text[span.range.end..]);
            let after = validate(&path, &new).unwrap();
            prop_assert_eq!(after.cards.len(), before.cards.len());
            for (k, (a, b)) in after.cards.iter().zip(&before.cards).enumerate() {
                let expected = if k == n { &card } else { b };
                prop_assert_eq!((&a.id, &a.title, &a.aliases), (&expected.id, &expected.title, &expected.aliases));
                prop_assert_eq!((&a.scene, &a.steps, &a.view), (&expected.scene, &expected.steps, &expected.view));
                prop_assert_eq!((&a.links, &a.fields, &a.meta), (&expected.links, &expected.fields, &expected.meta));
            }
        }
    }
}
