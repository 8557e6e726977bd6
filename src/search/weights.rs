//! Every ranking constant, in one table.
//!
//! A card's rank is a list of rules, compared in order; each rule only
//! breaks the ties the one before it left (see `rules`):
//!
//! 1. **words** — how many of the query's words match (more first), a
//!    word also matching as the synonyms it stands for (a synonym counts
//!    one field lower, see [`synonym_field`]); a lone character beside
//!    other words (带 · 猫 · 银行, unless the synonyms name it) and the
//!    characters of a word that matched nothing as a whole (机 of an
//!    unknown 取款机) are not counted here but in *characters*;
//! 2. **typo** — how many words matched only tolerantly: a homophone, a
//!    pinyin typo (fewer first);
//! 3. **proximity** — how many matched scattered: characters in order with
//!    gaps, or pinyin skipping syllables (fewer first);
//! 4. **attribute** — the sum of the matched fields' weights (title >
//!    alias > script > body);
//! 5. **rarity** — the sum of the matched words' rarity: a word that
//!    finds few cards says more than one that finds many (see [`rarity`]);
//!    cards that match the same words tie here, so it only orders cards
//!    that matched different words of the query;
//! 6. **characters** — how many lone characters matched (more first): they
//!    never outrank a word;
//! 7. **exactness** — the sum of each word's match quality (whole field,
//!    at the start, after a separator, coverage; a synonym's
//!    [`SYNONYM_PENALTY`] less);
//! 8. chapter order.
//!
//! Each rule's value has its own bits in one `u64` (see `rules::Rank::key`);
//! the checks at the end of this file prove at compile time that the
//! largest possible value of each fits its bits.

/// At most this many words of a query are ranked (the rest are ignored).
pub const MAX_WORDS: usize = 16;

// --- attribute: which field a word matched in -----------------------------

/// A word in the title.
pub const TITLE: u32 = 10;
/// A word in an alias (the words customers say).
pub const ALIAS: u32 = 7;
/// A word in a speech script (what the manager says).
pub const SCRIPT: u32 = 3;
/// A word in the scene, a step or the author's view.
pub const BODY: u32 = 2;
/// The largest attribute weight.
pub const MAX_ATTRIBUTE: u32 = TITLE;

/// The weight of a title, or else of an alias.
pub const fn title_or_alias(title: bool) -> u32 {
    if title { TITLE } else { ALIAS }
}

/// The weight of short field `f` of a card: the title (0) or an alias.
pub const fn short_field(f: usize) -> u32 {
    title_or_alias(f == 0)
}

// --- exactness: how well one word matched in its field --------------------

/// A substring of a title or alias.
pub const SUBSTRING: u32 = 1000;
/// … starting the field.
pub const AT_START: u32 = 300;
/// … right after punctuation or a space.
pub const AFTER_SEPARATOR: u32 = 150;
/// … up to this much more for covering the whole field.
pub const COVERS_FIELD: u32 = 200;

/// A substring of a script or body paragraph (no position bonus: long text).
pub const IN_LONG_TEXT: u32 = 1000;

/// Characters in order with gaps (fuzzy-matcher's indices) in a title or
/// alias: a base…
pub const SCATTERED: u32 = 400;
/// … up to this much for compactness (matched characters / span)…
pub const SCATTERED_COMPACT: u32 = 300;
/// … this much when the first character starts the field…
pub const SCATTERED_AT_START: u32 = 100;
/// … and up to this much for covering the field.
pub const SCATTERED_COVERS: u32 = 100;

/// Pinyin letters: adjacent syllables from the field's first one…
pub const PINYIN_FROM_START: u32 = 1200;
/// … adjacent syllables elsewhere, or skipping from the first one…
pub const PINYIN_ADJACENT: u32 = 900;
/// … skipping syllables elsewhere…
pub const PINYIN_SKIPPING: u32 = 600;
/// … plus up to this much for covering the field's letters.
pub const PINYIN_COVERS: u32 = 200;

/// A homophone (`差平` for 差评): the same readings as part of a title or
/// alias. Ranked as a typo; this is its quality within that rule…
pub const HOMOPHONE: u32 = 800;
/// … plus up to this much for covering the field.
pub const HOMOPHONE_COVERS: u32 = 200;

/// Pinyin with one letter wrong, missing or extra scores its pinyin
/// quality less this much (and counts as a typo).
pub const TYPO_PENALTY: u32 = 300;

/// A synonym's match counts one field lower than the word itself would
/// (a synonym in the title as the word in an alias, …) and scores this
/// much less quality: the word itself in a field ranks above its synonym
/// there, a synonym in the title still above the word in a script.
pub const SYNONYM_PENALTY: u32 = 300;

/// The weight a synonym's match in a field of weight `attribute` counts.
pub const fn synonym_field(attribute: u32) -> u32 {
    match attribute {
        TITLE => ALIAS,
        ALIAS => SCRIPT,
        _ => BODY,
    }
}

/// Pinyin terms shorter than this get no typo tolerance.
pub const TYPO_MIN_LETTERS: usize = 4;

/// The best quality any single word can have.
pub const MAX_QUALITY: u32 = max(
    SUBSTRING + AT_START + COVERS_FIELD,
    max(
        PINYIN_FROM_START + PINYIN_COVERS,
        max(
            IN_LONG_TEXT,
            max(
                SCATTERED + SCATTERED_COMPACT + SCATTERED_AT_START + SCATTERED_COVERS,
                HOMOPHONE + HOMOPHONE_COVERS,
            ),
        ),
    ),
);

const fn max(a: u32, b: u32) -> u32 {
    if a > b { a } else { b }
}

/// `points × part / whole`, at most `points`.
pub fn coverage(points: u32, part: usize, whole: usize) -> u32 {
    let part = u32::try_from(part).unwrap_or(u32::MAX);
    let whole = u32::try_from(whole.max(1)).unwrap_or(u32::MAX);
    points * part.min(whole) / whole
}

// --- rarity: how many cards a word finds ----------------------------------

/// The most a word's rarity can be.
pub const MAX_RARITY: u8 = 3;

/// How rare a word is that finds `matched` of `cards` cards: 3 for one card
/// or up to 2 % of them, 2 up to 10 %, 1 up to 30 %, else 0. Coarse, so
/// that only clearly different words are told apart.
pub fn rarity(matched: usize, cards: usize) -> u8 {
    if matched <= (cards / 50).max(1) {
        MAX_RARITY
    } else if matched * 10 <= cards {
        2
    } else {
        u8::from(matched * 10 <= cards * 3)
    }
}

// --- the bits of a rank (see `rules::Rank::key`) --------------------------

/// Bits for the number of words, characters, typos and scattered words
/// each.
pub const COUNT_BITS: u32 = 5;
/// Bits for the rarity sum.
pub const RARITY_BITS: u32 = 6;
/// Bits for the attribute sum.
pub const ATTRIBUTE_BITS: u32 = 12;
/// Bits for the exactness sum.
pub const EXACTNESS_BITS: u32 = 20;
/// Bits for one word's quality in the short-field postings.
pub const QUALITY_BITS: u32 = 12;

const _: () = {
    assert!(4 * COUNT_BITS + RARITY_BITS + ATTRIBUTE_BITS + EXACTNESS_BITS <= 64);
    assert!((MAX_WORDS as u64) * (MAX_RARITY as u64) < 1 << RARITY_BITS);
    assert!(MAX_WORDS < 1 << COUNT_BITS);
    assert!((MAX_WORDS as u64) * (MAX_ATTRIBUTE as u64) < 1 << ATTRIBUTE_BITS);
    assert!((MAX_WORDS as u64) * (MAX_QUALITY as u64) < 1 << EXACTNESS_BITS);
    // A posting's packed (title?, quality) fits a u16.
    assert!(MAX_QUALITY < 1 << QUALITY_BITS);
    assert!(QUALITY_BITS < 16);
    assert!(TYPO_PENALTY < PINYIN_SKIPPING);
    // Within one field a match at the start beats one inside.
    assert!(TITLE > ALIAS && ALIAS > SCRIPT && SCRIPT > BODY);
    assert!(AT_START > AFTER_SEPARATOR);
    assert!(PINYIN_FROM_START > PINYIN_ADJACENT && PINYIN_ADJACENT > PINYIN_SKIPPING);
    assert!(MAX_QUALITY == SUBSTRING + AT_START + COVERS_FIELD);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rarity_in_buckets() {
        assert_eq!(rarity(1, 7), 3);
        assert_eq!(rarity(2, 7), 1);
        assert_eq!(rarity(4, 7), 0);
        assert_eq!(rarity(200, 10_000), 3);
        assert_eq!(rarity(1000, 10_000), 2);
        assert_eq!(rarity(3000, 10_000), 1);
        assert_eq!(rarity(3001, 10_000), 0);
    }

    #[test]
    fn coverage_is_proportional_and_capped() {
        assert_eq!(coverage(200, 2, 4), 100);
        assert_eq!(coverage(200, 9, 4), 200);
        assert_eq!(coverage(200, 1, 0), 200);
    }
}
