//! Search: field-weighted fuzzy, substring and pinyin matching over cards.
//! No egui; used by the window (one call per keystroke) and `huashu search`.
//!
//! Ranking, per whitespace-separated term (every term must match somewhere):
//! - short fields (title ×10, aliases ×7): substring, fuzzy (characters in
//!   order with gaps, via fuzzy-matcher) or, for letter-only terms, pinyin;
//!   a match at the start or after a separator and one covering more of the
//!   field score higher; contiguous beats scattered;
//! - long fields (scripts ×3, scene/steps/view ×2): substring only.
//!
//! A term's score is its best field; the card's score is the sum over terms;
//! ties keep chapter order. Speed comes from posting lists of characters and
//! character pairs (only cards containing the term are looked at), from
//! narrowing (typing forward only rescans the previous hits) and from
//! computing highlights for the shown hits only.

mod fold;
mod index;
pub mod pinyin;
mod postings;
mod query;
mod rank;

use std::ops::Range;
use std::sync::Arc;

pub use fold::{fold, fold_char};
pub use index::Index;
pub use query::Query;

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
    pub score: u32,
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
    pub total: usize,
}

/// A library with its index, remembering the last query so that typing
/// forward only rescans the previous hits.
pub struct Searcher {
    library: Arc<Library>,
    index: Index,
    last: Option<rank::Matched>,
    scratch: rank::Scratch,
}

impl Searcher {
    pub fn new(library: Arc<Library>) -> Self {
        let index = Index::build(&library);
        Self {
            library,
            index,
            last: None,
            scratch: rank::Scratch::default(),
        }
    }

    pub fn library(&self) -> &Arc<Library> {
        &self.library
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Ranks the cards for `query`; highlights are computed for the
    /// returned `limit` hits only. An empty query returns every card in
    /// chapter order.
    pub fn search(&mut self, query: &str, limit: usize) -> Results {
        let query = Query::parse(query);
        let matched = rank::score(&self.index, query, self.last.take());
        let results = rank::top(
            &self.library,
            &self.index,
            &matched,
            limit,
            &mut self.scratch,
        );
        self.last = Some(matched);
        results
    }

    /// Where `query` matches in every field of card `card` (for the card
    /// being shown), sorted by field.
    pub fn highlights(&mut self, card: usize, query: &str) -> Vec<Highlight> {
        let query = Query::parse(query);
        match (self.library.cards.get(card), self.index.cards.get(card)) {
            (Some(c), Some(text)) => rank::highlights(c, text, &query, true, &mut self.scratch),
            _ => Vec::new(),
        }
    }

    /// Like [`Self::search`], without narrowing from the previous query.
    pub fn search_fresh(&mut self, query: &str, limit: usize) -> Results {
        self.last = None;
        self.search(query, limit)
    }
}
