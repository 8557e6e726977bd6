//! Stage 3: the ranking rules. Each card's word hits are tallied; each
//! rule turns the tally into one number, and the numbers are compared in
//! the rules' order (see `weights` for why this order).

use super::candidates::{Hits, WordHit};
use super::weights::{ATTRIBUTE_BITS, COUNT_BITS, EXACTNESS_BITS, MAX_WORDS, RARITY_BITS};

/// What a card's matched words add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Tally {
    /// Query words that matched.
    pub words: u8,
    /// Sum of their rarity (`weights::rarity`).
    pub rarity: u8,
    /// Lone characters that matched: of unknown words (see
    /// `Word::fallback`), or alone beside other words (see [`Kind`]).
    pub characters: u8,
    /// … of which lone words (they make a match complete).
    pub singles: u8,
    /// … of which only tolerantly (homophone, pinyin typo).
    pub typos: u8,
    /// … of which scattered (characters with gaps, skipped syllables).
    pub scattered: u8,
    /// Sum of the matched fields' weights.
    pub attribute: u16,
    /// Sum of the matches' qualities.
    pub exactness: u32,
}

impl Tally {
    /// A word that matched, of the given rarity.
    pub fn add(&mut self, hit: WordHit, rarity: u8) {
        self.words = self.words.saturating_add(1);
        self.rarity = self.rarity.saturating_add(rarity);
        self.add_details(hit);
    }

    /// A lone character: counted apart from words, and not in the field
    /// weights (a character says little about where a card is about it).
    pub fn add_character(&mut self, hit: WordHit, single: bool) {
        self.characters = self.characters.saturating_add(1);
        self.singles = self.singles.saturating_add(u8::from(single));
        self.exactness = self.exactness.saturating_add(hit.quality());
    }

    /// Words matched, lone words included: as many as the query has is a
    /// complete match.
    pub fn matched(&self) -> usize {
        usize::from(self.words) + usize::from(self.singles)
    }

    fn add_details(&mut self, hit: WordHit) {
        self.typos = self.typos.saturating_add(u8::from(hit.typo()));
        self.scattered = self.scattered.saturating_add(u8::from(hit.scattered()));
        let attribute = u16::try_from(hit.attribute()).unwrap_or(u16::MAX);
        self.attribute = self.attribute.saturating_add(attribute);
        self.exactness = self.exactness.saturating_add(hit.quality());
    }
}

/// One ranking rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Words,
    Rarity,
    Typo,
    Proximity,
    Attribute,
    Characters,
    Exactness,
}

/// The rules, most important first.
pub const RULES: [Rule; 7] = [
    Rule::Words,
    Rule::Typo,
    Rule::Proximity,
    Rule::Attribute,
    Rule::Rarity,
    Rule::Characters,
    Rule::Exactness,
];

const MAX_COUNT: u64 = MAX_WORDS as u64;

impl Rule {
    /// The rule's value for a tally: larger is better.
    pub fn value(self, t: &Tally) -> u64 {
        match self {
            Rule::Words => u64::from(t.words).min(MAX_COUNT),
            Rule::Rarity => u64::from(t.rarity),
            Rule::Characters => u64::from(t.characters).min(MAX_COUNT),
            Rule::Typo => MAX_COUNT - u64::from(t.typos).min(MAX_COUNT),
            Rule::Proximity => MAX_COUNT - u64::from(t.scattered).min(MAX_COUNT),
            Rule::Attribute => u64::from(t.attribute),
            Rule::Exactness => u64::from(t.exactness).min((1 << EXACTNESS_BITS) - 1),
        }
    }

    /// Bits the rule's value takes in a [`key`].
    pub fn bits(self) -> u32 {
        match self {
            Rule::Words | Rule::Characters | Rule::Typo | Rule::Proximity => COUNT_BITS,
            Rule::Rarity => RARITY_BITS,
            Rule::Attribute => ATTRIBUTE_BITS,
            Rule::Exactness => EXACTNESS_BITS,
        }
    }
}

/// The rules' values in one number: comparing keys compares the rules in
/// order.
pub fn key(t: &Tally) -> u64 {
    RULES
        .iter()
        .fold(0, |key, rule| (key << rule.bits()) | rule.value(t))
}

/// How a word of the query counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Word,
    /// A character alone beside other words, which the synonyms do not
    /// name: counted in *characters*, but it makes a match complete.
    Single,
    /// A character of a word that matched nothing as a whole.
    Character,
}

/// Each card's tally over the words' hits; `kinds[n]`: how word `n`
/// counts and its rarity (a word of rarity 0 when missing). Cards nothing
/// matched are left out. Ascending by card.
pub fn tally<H: AsRef<Hits>>(cards: usize, words: &[H], kinds: &[(Kind, u8)]) -> Vec<(u32, Tally)> {
    let mut tallies = vec![Tally::default(); cards];
    for (n, hits) in words.iter().enumerate() {
        let (kind, rare) = kinds.get(n).copied().unwrap_or((Kind::Word, 0));
        for &(card, hit) in hits.as_ref() {
            if let Some(t) = tallies.get_mut(card as usize) {
                match kind {
                    Kind::Word => t.add(hit, rare),
                    Kind::Single => t.add_character(hit, true),
                    Kind::Character => t.add_character(hit, false),
                }
            }
        }
    }
    (0u32..)
        .zip(tallies)
        .filter(|(_, t)| t.words > 0 || t.characters > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::weights::{ALIAS, BODY, SCRIPT, TITLE};
    use super::*;

    fn tally_of(hits: &[WordHit]) -> Tally {
        let mut t = Tally::default();
        for &h in hits {
            t.add(h, 0);
        }
        t
    }

    fn exact(attribute: u32, quality: u32) -> WordHit {
        WordHit::new(false, false, attribute, quality)
    }

    #[test]
    fn more_words_first() {
        let two_in_body = tally_of(&[exact(BODY, 1000), exact(BODY, 1000)]);
        let one_in_title = tally_of(&[exact(TITLE, 1500)]);
        assert!(Rule::Words.value(&two_in_body) > Rule::Words.value(&one_in_title));
        assert!(key(&two_in_body) > key(&one_in_title));
    }

    #[test]
    fn typos_after_words() {
        let exact_body = tally_of(&[exact(BODY, 1000)]);
        let homophone_title = tally_of(&[WordHit::new(true, false, TITLE, 1000)]);
        assert!(Rule::Typo.value(&exact_body) > Rule::Typo.value(&homophone_title));
        assert!(key(&exact_body) > key(&homophone_title));
    }

    #[test]
    fn proximity_before_attribute() {
        // `kz`: 口罩 whole in an alias beats k…z scattered in a title.
        let contiguous_alias = tally_of(&[exact(ALIAS, 1400)]);
        let scattered_title = tally_of(&[WordHit::new(false, true, TITLE, 900)]);
        assert!(Rule::Proximity.value(&contiguous_alias) > Rule::Proximity.value(&scattered_title));
        assert!(key(&contiguous_alias) > key(&scattered_title));
    }

    #[test]
    fn attribute_before_exactness() {
        let title = tally_of(&[exact(TITLE, 1000)]);
        let script_start = tally_of(&[exact(SCRIPT, 1500)]);
        assert!(Rule::Attribute.value(&title) > Rule::Attribute.value(&script_start));
        assert!(key(&title) > key(&script_start));
    }

    #[test]
    fn a_word_anywhere_beats_lone_characters_in_titles() {
        let mut characters = Tally::default();
        for _ in 0..3 {
            characters.add_character(exact(TITLE, 1500), false);
        }
        let word_in_body = tally_of(&[WordHit::new(true, true, BODY, 100)]);
        assert!(key(&word_in_body) > key(&characters));
    }

    #[test]
    fn rarity_orders_cards_that_matched_different_words() {
        let mut rare = Tally::default();
        rare.add(exact(BODY, 1000), 3);
        let mut common = Tally::default();
        common.add(exact(BODY, 1000), 0);
        assert!(key(&rare) > key(&common));
        // But not against the field weights.
        let mut common_title = Tally::default();
        common_title.add(exact(TITLE, 1000), 0);
        assert!(key(&common_title) > key(&rare));
    }

    #[test]
    fn exactness_last() {
        let start = tally_of(&[exact(TITLE, 1300)]);
        let inside = tally_of(&[exact(TITLE, 1000)]);
        assert!(key(&start) > key(&inside));
    }

    #[test]
    fn the_largest_tally_fits_its_key() {
        let best = WordHit::new(false, false, TITLE, super::super::weights::MAX_QUALITY);
        let mut t = tally_of(&[best; MAX_WORDS]);
        let words = u8::try_from(MAX_WORDS).unwrap();
        t.rarity = super::super::weights::MAX_RARITY * words;
        t.characters = words;
        let mut bits: u32 = RULES.iter().map(|r| r.bits()).sum();
        assert!(bits <= 64);
        for rule in RULES {
            bits -= rule.bits();
            let v = rule.value(&t);
            assert!(v < 1 << rule.bits(), "{rule:?}");
            assert_eq!((key(&t) >> bits) & ((1 << rule.bits()) - 1), v, "{rule:?}");
        }
    }

    #[test]
    fn tally_leaves_out_unmatched_cards() {
        let a = vec![(0, exact(TITLE, 1000)), (2, exact(BODY, 1000))];
        let b = vec![(2, exact(ALIAS, 1000))];
        let t = tally(4, &[a, b], &[]);
        assert_eq!(t.iter().map(|x| x.0).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(t[1].1.words, 2);
        assert_eq!(u32::from(t[1].1.attribute), BODY + ALIAS);
    }
}
