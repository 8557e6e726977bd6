//! The "straightforward design" baseline for `search_bench`: what a
//! competent developer would write with the design card's crate
//! (fuzzy-matcher) in an afternoon, doing the same work as huashu's search:
//! per card, skim over the title and aliases and over their pinyin (full
//! and initials), substring over the long fields; every query term must
//! match (AND); the top `limit` by score, with the matched character
//! indices for highlighting.

use fuzzy_matcher::FuzzyMatcher as _;
use fuzzy_matcher::skim::SkimMatcherV2;
use huashu::model::{Card, Library};
use pinyin::ToPinyin as _;

/// What a long-field match scores: below any fuzzy match of a title or
/// alias worth showing (skim gives ~16 per matched character).
const LONG_FIELD_SCORE: i64 = 1;

/// One card, prepared once.
struct Entry {
    /// Title, aliases, and each one's pinyin (full, then initials).
    short: Vec<String>,
    /// Scene, actions, scripts and view, lower case, one string.
    long: String,
}

pub struct Fair {
    entries: Vec<Entry>,
    matcher: SkimMatcherV2,
}

/// A card found, with the matched indices of its best short field (empty
/// when only long fields matched).
#[allow(
    dead_code,
    reason = "score and indices are the work timed, as huashu's highlights are; the bench shows neither"
)]
pub struct FairHit {
    pub card: usize,
    pub score: i64,
    pub indices: Vec<usize>,
}

/// (full pinyin, initials) of `text`; characters without a reading kept.
fn pinyin_of(text: &str) -> (String, String) {
    let mut full = String::new();
    let mut initials = String::new();
    for (c, p) in text.chars().zip(text.to_pinyin()) {
        if let Some(p) = p {
            full.push_str(p.plain());
            initials.push_str(p.first_letter());
        } else {
            full.extend(c.to_lowercase());
            initials.extend(c.to_lowercase());
        }
    }
    (full, initials)
}

fn entry(card: &Card) -> Entry {
    let mut short = Vec::new();
    for text in std::iter::once(&card.title).chain(&card.aliases) {
        let (full, initials) = pinyin_of(text);
        short.push(text.to_lowercase());
        short.push(full);
        short.push(initials);
    }
    let mut long = String::new();
    for part in card
        .scene
        .iter()
        .chain(card.steps.iter().map(|s| &s.action))
        .chain(&card.view)
    {
        long.push_str(&part.to_lowercase());
        long.push('\n');
    }
    for script in card.scripts() {
        long.push_str(&script.default_text(&card.fields).to_lowercase());
        long.push('\n');
    }
    Entry { short, long }
}

impl Fair {
    pub fn new(library: &Library) -> Self {
        Self {
            entries: library.cards.iter().map(entry).collect(),
            matcher: SkimMatcherV2::default(),
        }
    }

    /// The cards matching every term of `query` (input-method separators
    /// `'` dropped, split at spaces): how many, and the best `limit`.
    pub fn search(&self, query: &str, limit: usize) -> (usize, Vec<FairHit>) {
        let query = query.to_lowercase().replace('\'', "");
        let terms: Vec<&str> = query.split_whitespace().collect();
        if terms.is_empty() {
            return (0, Vec::new());
        }
        let mut found: Vec<(i64, usize)> = Vec::new();
        for (n, e) in self.entries.iter().enumerate() {
            let mut total = 0;
            let all = terms.iter().all(|term| {
                let best = e
                    .short
                    .iter()
                    .filter_map(|field| self.matcher.fuzzy_match(field, term))
                    .max()
                    .or_else(|| e.long.contains(term).then_some(LONG_FIELD_SCORE));
                best.inspect(|s| total += s).is_some()
            });
            if all {
                found.push((total, n));
            }
        }
        let count = found.len();
        found.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found.truncate(limit);
        let hits = found
            .into_iter()
            .map(|(score, card)| {
                // Highlights for what is shown: the best short field's.
                let indices = terms
                    .iter()
                    .filter_map(|term| {
                        self.entries[card]
                            .short
                            .iter()
                            .filter_map(|field| self.matcher.fuzzy_indices(field, term))
                            .max_by_key(|(s, _)| *s)
                    })
                    .flat_map(|(_, indices)| indices)
                    .collect();
                FairHit {
                    card,
                    score,
                    indices,
                }
            })
            .collect();
        (count, hits)
    }
}
