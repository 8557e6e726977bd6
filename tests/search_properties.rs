//! Search properties over a generated corpus: typing (with deletions,
//! pastes, spaces and pinyin separators) gives after every keystroke what
//! a fresh search of the same text gives; a hit not marked partial has
//! every word of the query; highlights lie inside their field, on
//! character boundaries, on characters of the query.

#![allow(clippy::unwrap_used, reason = "in tests a panic is a failed test")]

#[path = "../examples/corpus/mod.rs"]
#[allow(dead_code, reason = "shared with the benchmarks")]
mod corpus;

use std::sync::{Arc, LazyLock};

use huashu::model::{Card, Library};
use huashu::search::{Field, Results, Searcher, fold, fold_query};
use proptest::prelude::*;

static LIBRARY: LazyLock<Arc<Library>> = LazyLock::new(|| Arc::new(corpus::generate(300, 7)));

/// Characters a manager's keystrokes can bring: the corpus's own title
/// and alias characters, fillers, pinyin letters, separators.
static POOL: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut pool: Vec<char> = LIBRARY
        .cards
        .iter()
        .flat_map(|c| {
            c.title
                .chars()
                .chain(c.aliases.iter().flat_map(|a| a.chars()))
        })
        .collect();
    pool.extend("的了很吗怎么办qhcwzjbsygkuoai'' 　差平曲號".chars());
    pool.sort_unstable();
    pool.dedup();
    pool
});

#[derive(Clone, Debug)]
enum Key {
    Type(usize),
    Backspace,
    /// A piece of a card's title (an input method commits a whole phrase).
    Paste {
        card: usize,
        start: usize,
        len: usize,
    },
}

fn key() -> impl Strategy<Value = Key> {
    prop_oneof![
        6 => any::<usize>().prop_map(Key::Type),
        2 => Just(Key::Backspace),
        2 => (any::<usize>(), 0usize..8, 1usize..6)
            .prop_map(|(card, start, len)| Key::Paste { card, start, len }),
    ]
}

fn press(text: &mut String, key: &Key) {
    match key {
        Key::Type(n) => text.push(POOL[n % POOL.len()]),
        Key::Backspace => {
            text.pop();
        }
        Key::Paste { card, start, len } => {
            let title: Vec<char> = LIBRARY.cards[card % LIBRARY.cards.len()]
                .title
                .chars()
                .collect();
            let start = start % title.len();
            text.extend(&title[start..(start + len).min(title.len())]);
        }
    }
}

fn field_text(card: &Card, field: Field) -> String {
    match field {
        Field::Title => card.title.clone(),
        Field::Alias { index } => card.aliases[index].clone(),
        Field::Scene { index } => card.scene[index].clone(),
        Field::Step { index } => card.steps[index].action.clone(),
        Field::Script { step, index } => card.steps[step].scripts[index].default_text(&card.fields),
        Field::View { index } => card.view[index].clone(),
    }
}

/// Every text of a card, folded, one per line.
fn whole(card: &Card) -> String {
    fold(&corpus::whole_text(card))
}

/// `word`'s characters in order (with gaps) in the title or an alias.
fn scattered_in_short(card: &Card, word: &str) -> bool {
    std::iter::once(&card.title).chain(&card.aliases).any(|f| {
        let mut rest = fold(f).chars().collect::<Vec<_>>().into_iter();
        word.chars().all(|w| rest.any(|c| c == w))
    })
}

fn check(searcher: &mut Searcher, text: &str, results: &Results) -> Result<(), TestCaseError> {
    let library = searcher.library().clone();
    let query_chars: Vec<char> = fold_query(text).chars().collect();
    for hit in &results.hits {
        let card = &library.cards[hit.card];
        // Partial: fewer words matched than typed (a lone character beside
        // other words counts; the characters of an unknown word make one
        // word that no card has).
        prop_assert_eq!(
            hit.partial,
            hit.tally.matched() < results.word_count,
            "{}",
            text
        );
        // Exact (no typo) complete hits hold every Chinese word, literally
        // or scattered in a title or alias.
        if !hit.partial && hit.tally.typos == 0 {
            let all = whole(card);
            for word in &results.words {
                if word.chars().all(|c| !c.is_ascii()) {
                    prop_assert!(
                        all.contains(word.as_str()) || scattered_in_short(card, word),
                        "{text:?}: {word} not in {}",
                        card.title
                    );
                }
            }
        }
        for h in searcher.highlights(hit.card, text) {
            let field = field_text(card, h.field);
            for r in &h.ranges {
                prop_assert!(r.start < r.end && r.end <= field.len(), "{text:?} {r:?}");
                prop_assert!(field.is_char_boundary(r.start) && field.is_char_boundary(r.end));
                // Chinese characters highlighted are the query's own,
                // except for pinyin and homophones (other characters).
                let pinyin = results
                    .words
                    .iter()
                    .any(|w| w.chars().any(|c| c.is_ascii_alphabetic()));
                if !pinyin && hit.tally.typos == 0 {
                    for c in fold(&field[r.clone()]).chars() {
                        prop_assert!(
                            query_chars.contains(&c),
                            "{text:?}: {c} highlighted in {field}"
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn typing_gives_what_a_fresh_search_gives(keys in proptest::collection::vec(key(), 1..24)) {
        let mut typing = Searcher::new(LIBRARY.clone());
        let mut fresh = Searcher::new(LIBRARY.clone());
        let mut text = String::new();
        for k in &keys {
            press(&mut text, k);
            let typed = typing.search(&text, 20);
            fresh.clear_cache();
            let again = fresh.search(&text, 20);
            prop_assert_eq!(&typed, &again, "after {:?}: {:?}", k, text);
            check(&mut typing, &text, &typed)?;
        }
    }
}
