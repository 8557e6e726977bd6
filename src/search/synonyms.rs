//! The content's synonyms as the search uses them: what each typed word
//! also stands for, and the synonyms as words for the segmenter (取款机
//! stays one word though the content only says ATM).

use std::collections::{HashMap, HashSet};

use super::index::Index;
use super::segment::Vocabulary;
use crate::content::fold::fold_query;
use crate::model::Synonyms;

/// Each word's expansions, looked up per keystroke.
#[derive(Debug, Default)]
pub struct Thesaurus {
    /// Folded word → its expansions, `(folded, as written)`.
    expansions: HashMap<String, Vec<(String, String)>>,
    /// Every word that has expansions, by its characters.
    words: HashSet<Vec<char>>,
    /// Their first characters (two or more, short of the whole word).
    prefixes: HashSet<Vec<char>>,
}

impl Thesaurus {
    pub fn new(synonyms: &Synonyms) -> Self {
        let mut expansions: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for word in synonyms.typed_words() {
            let folded = fold_query(word);
            let to = expansions.entry(folded.clone()).or_default();
            for written in synonyms.expansions(word) {
                let f = fold_query(written);
                if f != folded && !to.iter().any(|(t, _)| *t == f) {
                    to.push((f, written.to_owned()));
                }
            }
        }
        let words: HashSet<Vec<char>> = expansions.keys().map(|w| w.chars().collect()).collect();
        // Single characters too (猫, 吃): `knows` says they are words.
        let prefixes = words
            .iter()
            .flat_map(|w| (2..w.len()).map(|n| w[..n].to_vec()))
            .collect();
        Self {
            expansions,
            words,
            prefixes,
        }
    }

    /// The words `word` (folded) also stands for, `(folded, as written)`.
    pub fn expand(&self, word: &str) -> &[(String, String)] {
        self.expansions.get(word).map_or(&[], Vec::as_slice)
    }

    pub fn knows(&self, word: &[char]) -> bool {
        self.words.contains(word)
    }

    pub fn starts(&self, prefix: &[char]) -> bool {
        self.prefixes.contains(prefix)
    }
}

/// What the segmenter cuts a phrase by: the content's words and the
/// synonyms' words.
pub struct Words<'a> {
    pub index: &'a Index,
    pub thesaurus: &'a Thesaurus,
}

impl Vocabulary for Words<'_> {
    fn occurs(&self, word: &[char]) -> bool {
        self.index.occurs(word) || self.thesaurus.knows(word)
    }

    fn continues(&self, prefix: &[char]) -> bool {
        self.thesaurus.starts(prefix)
    }

    fn declared(&self, word: &[char]) -> bool {
        self.thesaurus.knows(word)
    }
}
