//! Search: what a lobby manager types → ranked cards, one call per
//! keystroke. No egui, no I/O; used by the window and `huashu search`.
//!
//! A query goes through five stages, one file each:
//! 1. `query` (+ `segment`, `content::fold`): fold, split, cut Chinese runs into the
//!    content's words, drop fillers; each word gets its pinyin letters or
//!    its characters' readings;
//! 2. `candidates`: per word, the cards it matches and how (literal,
//!    scattered via fuzzy-matcher, pinyin, homophone, pinyin typo), from
//!    the posting lists in `index` (`postings`, `pinyin`);
//! 3. `rules`: each card's hits tallied and ranked by words → typo →
//!    proximity → attribute → exactness (constants in `weights`);
//! 4. `top`: the best `limit` cards, ties in chapter order;
//! 5. `highlight`: where the words matched, for the listed cards and the
//!    shown one.
//!
//! Cards that match only some of the words are listed after those that
//! match all of them, marked [`Hit::partial`].

mod candidates;
mod highlight;
mod index;
pub mod pinyin;
mod postings;
mod query;
mod rules;
mod segment;
mod synonyms;
mod top;
pub mod weights;

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

pub use crate::content::fold::{fold, fold_char, fold_query};
pub use index::Index;
pub use query::{Query, Word};
pub use rules::Matched;

use crate::model::Library;

/// Which text of a card a highlight is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum Field {
    Title,
    Alias {
        index: usize,
    },
    Scene {
        index: usize,
    },
    Step {
        index: usize,
    },
    /// In the script's text as copied with default fill-ins.
    Script {
        step: usize,
        index: usize,
    },
    View {
        index: usize,
    },
}

/// Matched bytes of one field, as ranges into that field's text.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Highlight {
    #[serde(flatten)]
    pub field: Field,
    /// Byte ranges, sorted, not overlapping.
    pub ranges: Vec<Range<usize>>,
}

/// One ranked card.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index into `Library::cards`.
    pub card: usize,
    /// The ranking rules' values in one number (larger ranks higher).
    pub score: u64,
    /// What the score is made of.
    pub tally: Matched,
    /// Not every word of the query matched.
    pub partial: bool,
    /// Matches in the title and aliases (what a result list shows), sorted
    /// by field. [`Searcher::highlights`] gives those of the whole card.
    pub highlights: Vec<Highlight>,
}

impl Hit {
    pub fn ranges_in(&self, field: Field) -> &[Range<usize>] {
        self.highlights
            .iter()
            .find(|h| h.field == field)
            .map_or(&[], |h| h.ranges.as_slice())
    }
}

/// The best hits, best first, and how many cards matched in all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results {
    pub hits: Vec<Hit>,
    /// Cards matching at least one word.
    pub total: usize,
    /// Cards matching every word.
    pub complete: usize,
    /// The words the query was read as.
    pub words: Vec<String>,
    /// For each word, the synonyms it also matched as (as written).
    pub synonyms: Vec<Vec<String>>,
    /// How many words were typed (an unknown word read character by
    /// character counts once): a hit with fewer is partial.
    pub word_count: usize,
}

/// At most this many synonym hits are kept (8 bytes each); past that they
/// are dropped and looked up again when typed.
const MAX_SYNONYM_HITS_KEPT: usize = 1 << 20;

/// A library with its index. Remembers the last query's word hits, so
/// that a keystroke only computes the words it changed (a cache: results
/// are the same as from a new `Searcher`).
pub struct Searcher {
    library: Arc<Library>,
    index: Index,
    matcher: candidates::Matcher,
    dp: pinyin::Scratch,
    thesaurus: synonyms::Thesaurus,
    /// `(word, short only, hits)` of the last query.
    last: Vec<(String, bool, Arc<candidates::Hits>)>,
    /// Each synonym's hits (as the word it stands for) once looked up, by
    /// `(synonym, short only)`: a fixed set of words over fixed content,
    /// typed again and again.
    synonym_hits: HashMap<(String, bool), Arc<candidates::Hits>>,
    /// The last input and how it was read (the shown card's highlights
    /// follow each search with the same input).
    read: Option<(String, Query)>,
}

impl Searcher {
    pub fn new(library: Arc<Library>) -> Self {
        let index = Index::build(&library);
        let thesaurus = synonyms::Thesaurus::new(&library.synonyms);
        Self {
            library,
            index,
            matcher: candidates::Matcher::default(),
            dp: pinyin::Scratch::default(),
            thesaurus,
            synonym_hits: HashMap::new(),
            last: Vec::new(),
            read: None,
        }
    }

    pub fn library(&self) -> &Arc<Library> {
        &self.library
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Forgets the last query, so that the next search computes every word
    /// (to compare with, in tests and benchmarks).
    pub fn clear_cache(&mut self) {
        self.last.clear();
        self.synonym_hits.clear();
        self.read = None;
        self.matcher = candidates::Matcher::default();
    }

    /// How `input` is read: its words, in order.
    pub fn parse(&self, input: &str) -> Query {
        Query::parse(input, &self.words())
    }

    /// What phrases are cut by: the content's words and the synonyms'.
    fn words(&self) -> synonyms::Words<'_> {
        synonyms::Words {
            index: &self.index,
            thesaurus: &self.thesaurus,
        }
    }

    /// How `input` is searched for: its words, each with its hits. A word
    /// also matches as the synonyms it stands for (one field lower than
    /// its own matches, see `candidates::as_synonym`). An unknown word (not in the content) is first looked for
    /// as a whole (a wrong homophone: 差平); if nothing has it, its
    /// characters are looked for one by one.
    fn resolve(&mut self, input: &str) -> (Query, Vec<Arc<candidates::Hits>>) {
        let parsed = self.parse(input);
        let several = parsed.words.len() > 1;
        let mut previous = std::mem::take(&mut self.last);
        let mut hits_of = |word: &Word, short_only: bool, synonym: bool| {
            if synonym {
                let key = (word.text.clone(), short_only);
                if let Some(hits) = self.synonym_hits.get(&key) {
                    return hits.clone();
                }
                let hits = self.matcher.word_hits(&self.index, word, short_only);
                let hits = Arc::new(candidates::as_synonym(&hits));
                let kept: usize = self.synonym_hits.values().map(|h| h.len()).sum();
                if kept + hits.len() > MAX_SYNONYM_HITS_KEPT {
                    self.synonym_hits.clear();
                }
                self.synonym_hits.insert(key, hits.clone());
                return hits;
            }
            let cached = previous
                .iter()
                .position(|(t, s, _)| *t == word.text && *s == short_only);
            let hits = match cached {
                Some(at) => {
                    self.matcher.reuse(word);
                    previous.swap_remove(at).2
                }
                None => Arc::new(self.matcher.word_hits(&self.index, word, short_only)),
            };
            self.last
                .push((word.text.clone(), short_only, hits.clone()));
            hits
        };
        // Beside other words, one Chinese character in a paragraph is
        // chance: it counts only in a title or alias.
        let short_only = |w: &Word| several && w.is_lone_character();
        let mut query = Query::default();
        let mut hits: Vec<Arc<candidates::Hits>> = Vec::new();
        let tolerant = |hits: &candidates::Hits| hits.iter().any(|(_, h)| h.typo());
        for (n, mut word) in parsed.words.into_iter().enumerate() {
            let own = hits_of(&word, short_only(&word), false);
            word.tolerant = tolerant(&own);
            word.own_cards = own.len();
            let mut found = own;
            for (folded, written) in self.thesaurus.expand(&word.text) {
                let synonym = Word::literal(folded);
                let theirs = hits_of(&synonym, short_only(&synonym), true);
                if !theirs.is_empty() {
                    word.synonyms.push((folded.clone(), written.clone()));
                    found = Arc::new(candidates::merge(&found, &theirs));
                }
            }
            if found.is_empty() && !word.known && word.chars.len() >= 2 {
                let words = synonyms::Words {
                    index: &self.index,
                    thesaurus: &self.thesaurus,
                };
                for mut c in word.characters(n, &words) {
                    let found = hits_of(&c, true, false);
                    c.tolerant = tolerant(&found);
                    hits.push(found);
                    query.words.push(c);
                }
            } else {
                hits.push(found);
                query.words.push(word);
            }
        }
        self.matcher.end_query();
        query.words.truncate(weights::MAX_WORDS);
        hits.truncate(weights::MAX_WORDS);
        self.read = Some((input.to_owned(), query.clone()));
        (query, hits)
    }

    /// Ranks the cards for `input`; highlights are computed for the
    /// returned `limit` hits only. A blank query returns every card in
    /// chapter order.
    pub fn search(&mut self, input: &str, limit: usize) -> Results {
        if input.trim().is_empty() {
            return self.everything(limit);
        }
        let (query, hits) = self.resolve(input);
        let several = query.words.len() > 1;
        let cards = self.index.len();
        let kinds: Vec<(rules::Kind, u8)> = query
            .words
            .iter()
            .zip(&hits)
            .map(|(w, h)| {
                let kind = if w.fallback.is_some() {
                    rules::Kind::Character
                } else if several && w.is_lone_character() && !self.thesaurus.knows(&w.chars) {
                    rules::Kind::Single
                } else {
                    rules::Kind::Word
                };
                // The word's own cards, where it has any: adding a synonym
                // does not make a word that finds its cards less rare.
                let found = if w.own_cards > 0 {
                    w.own_cards
                } else {
                    h.len()
                };
                (kind, weights::rarity(found, cards))
            })
            .collect();
        let tallies = rules::tally(cards, &hits, &kinds);
        let n_words = query.word_count();
        let total = tallies.len();
        let complete = tallies
            .iter()
            .filter(|(_, t)| t.matched() >= n_words)
            .count();
        let hits = top::top(tallies, limit)
            .into_iter()
            .filter_map(|(card, tally, score)| {
                let c = self.library.cards.get(card as usize)?;
                let text = self.index.cards.get(card as usize)?;
                Some(Hit {
                    card: card as usize,
                    score,
                    tally,
                    partial: tally.matched() < n_words,
                    highlights: highlight::highlights(
                        c,
                        text,
                        &query,
                        false,
                        self.matcher.skim(),
                        &mut self.dp,
                    ),
                })
            })
            .collect();
        Results {
            hits,
            total,
            complete,
            word_count: n_words,
            synonyms: query
                .words
                .iter()
                .map(|w| {
                    w.synonyms
                        .iter()
                        .map(|(_, written)| written.clone())
                        .collect()
                })
                .collect(),
            words: query.words.into_iter().map(|w| w.text).collect(),
        }
    }

    fn everything(&self, limit: usize) -> Results {
        let n = self.library.cards.len().min(self.index.len());
        Results {
            hits: (0..n.min(limit))
                .map(|card| Hit {
                    card,
                    score: 0,
                    tally: Matched::default(),
                    partial: false,
                    highlights: Vec::new(),
                })
                .collect(),
            total: n,
            complete: n,
            words: Vec::new(),
            synonyms: Vec::new(),
            word_count: 0,
        }
    }

    /// Where `query` matches in every field of card `card` (for the card
    /// being shown), sorted by field.
    pub fn highlights(&mut self, card: usize, query: &str) -> Vec<Highlight> {
        if query.trim().is_empty() {
            return Vec::new();
        }
        let query = match &self.read {
            Some((input, read)) if input == query => read.clone(),
            _ => self.resolve(query).0,
        };
        match (self.library.cards.get(card), self.index.cards.get(card)) {
            (Some(c), Some(text)) => {
                highlight::highlights(c, text, &query, true, self.matcher.skim(), &mut self.dp)
            }
            _ => Vec::new(),
        }
    }
}
