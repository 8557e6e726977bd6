//! Stage 3: the ranking rules. Each card's word hits are tallied; each
//! rule turns the tally into one number, and the numbers are compared in
//! the rules' order (see `weights` for why this order).

use super::candidates::{Hits, WordHit};
use super::weights::{ATTRIBUTE_BITS, COUNT_BITS, EXACTNESS_BITS, MAX_WORDS, RARITY_BITS};

/// What a card's matched words add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Matched {
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

impl Matched {
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
pub enum RankingRule {
    Words,
    Rarity,
    Typo,
    Proximity,
    Attribute,
    Characters,
    Exactness,
}

/// The rules, most important first.
pub const RULES: [RankingRule; 7] = [
    RankingRule::Words,
    RankingRule::Typo,
    RankingRule::Proximity,
    RankingRule::Attribute,
    RankingRule::Rarity,
    RankingRule::Characters,
    RankingRule::Exactness,
];

const MAX_COUNT: u64 = MAX_WORDS as u64;

impl RankingRule {
    /// The rule's value for a tally: larger is better.
    pub fn value(self, t: &Matched) -> u64 {
        match self {
            RankingRule::Words => u64::from(t.words).min(MAX_COUNT),
            RankingRule::Rarity => u64::from(t.rarity),
            RankingRule::Characters => u64::from(t.characters).min(MAX_COUNT),
            RankingRule::Typo => MAX_COUNT - u64::from(t.typos).min(MAX_COUNT),
            RankingRule::Proximity => MAX_COUNT - u64::from(t.scattered).min(MAX_COUNT),
            RankingRule::Attribute => u64::from(t.attribute),
            RankingRule::Exactness => u64::from(t.exactness).min((1 << EXACTNESS_BITS) - 1),
        }
    }

    /// Bits the rule's value takes in a [`key`].
    pub fn bits(self) -> u32 {
        match self {
            RankingRule::Words
            | RankingRule::Characters
            | RankingRule::Typo
            | RankingRule::Proximity => COUNT_BITS,
            RankingRule::Rarity => RARITY_BITS,
            RankingRule::Attribute => ATTRIBUTE_BITS,
            RankingRule::Exactness => EXACTNESS_BITS,
        }
    }
}

/// The rules' values in one number: comparing keys compares the rules in
/// order.
pub fn key(t: &Matched) -> u64 {
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
pub fn tally<H: AsRef<Hits>>(
    cards: usize,
    words: &[H],
    kinds: &[(Kind, u8)],
) -> Vec<(u32, Matched)> {
    let mut tallies = vec![Matched::default(); cards];
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

    fn tally_of(hits: &[WordHit]) -> Matched {
        let mut t = Matched::default();
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
        assert!(RankingRule::Words.value(&two_in_body) > RankingRule::Words.value(&one_in_title));
        assert!(key(&two_in_body) > key(&one_in_title));
    }

    #[test]
    fn typos_after_words() {
        let exact_body = tally_of(&[exact(BODY, 1000)]);
        let homophone_title = tally_of(&[WordHit::new(true, false, TITLE, 1000)]);
        assert!(RankingRule::Typo.value(&exact_body) > RankingRule::Typo.value(&homophone_title));
        assert!(key(&exact_body) > key(&homophone_title));
    }

    #[test]
    fn proximity_before_attribute() {
        // `kz`: 口罩 whole in an alias beats k…z scattered in a title.
        let contiguous_alias = tally_of(&[exact(ALIAS, 1400)]);
        let scattered_title = tally_of(&[WordHit::new(false, true, TITLE, 900)]);
        assert!(
            RankingRule::Proximity.value(&contiguous_alias)
                > RankingRule::Proximity.value(&scattered_title)
        );
        assert!(key(&contiguous_alias) > key(&scattered_title));
    }

    #[test]
    fn attribute_before_exactness() {
        let title = tally_of(&[exact(TITLE, 1000)]);
        let script_start = tally_of(&[exact(SCRIPT, 1500)]);
        assert!(RankingRule::Attribute.value(&title) > RankingRule::Attribute.value(&script_start));
        assert!(key(&title) > key(&script_start));
    }

    #[test]
    fn a_word_anywhere_beats_lone_characters_in_titles() {
        let mut characters = Matched::default();
        for _ in 0..3 {
            characters.add_character(exact(TITLE, 1500), false);
        }
        let word_in_body = tally_of(&[WordHit::new(true, true, BODY, 100)]);
        assert!(key(&word_in_body) > key(&characters));
    }

    #[test]
    fn rarity_orders_cards_that_matched_different_words() {
        let mut rare = Matched::default();
        rare.add(exact(BODY, 1000), 3);
        let mut common = Matched::default();
        common.add(exact(BODY, 1000), 0);
        assert!(key(&rare) > key(&common));
        // But not against the field weights.
        let mut common_title = Matched::default();
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
