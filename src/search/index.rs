//! The search index.
//!
//! - Posting lists for every character and every adjacent pair of
//!   characters. Each list has a *short* part (cards with the gram in the
//!   title or an alias, with the score a term equal to the gram gets there,
//!   precomputed) and a *long* part (cards with it in scripts or body, the
//!   kinds of field, and for pairs the first position). So a one- or
//!   two-character term is ranked from the lists alone, and a longer term
//!   is confirmed by checking that its pairs' first positions line up.
//! - Pinyin of the short fields as bit masks, for a bit-parallel matcher.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::fold::fold;
use super::pinyin::{PinyinTable, Syllables};
use crate::model::{Card, Library};

/// Field kinds of the long part of a posting.
pub const SCRIPT: u8 = 1;
pub const BODY: u8 = 2;

/// Field weights: title > aliases > scripts > body.
pub const W_TITLE: u32 = 10;
pub const W_ALIAS: u32 = 7;
pub const W_SCRIPT: u32 = 3;
pub const W_BODY: u32 = 2;
/// Quality of a substring match in a long field.
pub const LONG_MATCH: u32 = 1000;

/// At most 2^28 cards (the long postings keep a kind mask in 4 bits).
pub const MAX_CARDS: usize = 1 << 28;
/// Position not known (beyond `u16`).
pub const NO_POS: u16 = u16::MAX;

/// Postings of one character or pair, card numbers ascending.
#[derive(Debug, Default)]
pub struct Postings {
    pub short_cards: Vec<u32>,
    /// Which short fields have it: bit 0 the title, bit `i` alias `i`
    /// (aliases from the 7th share bit 7).
    pub short_fields: Vec<u8>,
    /// Weighted score of a term equal to this gram in the card's title or aliases.
    pub short_scores: Vec<u16>,
    /// `card << 4 | kinds` (`SCRIPT`, `BODY`).
    pub long: Vec<u32>,
    /// Pairs only: byte offset of the first occurrence in the card's long
    /// text, or `NO_POS`.
    pub long_pos: Vec<u16>,
}

impl Postings {
    fn heap_bytes(&self) -> usize {
        self.short_cards.capacity() * 4
            + self.short_fields.capacity()
            + self.short_scores.capacity() * 2
            + self.long.capacity() * 4
            + self.long_pos.capacity() * 2
    }
}

pub fn long_card(p: u32) -> u32 {
    p >> 4
}
pub fn long_kinds(p: u32) -> u8 {
    // Masked to 4 bits, the cast cannot truncate.
    (p & 0xF) as u8
}

/// A fast hasher for `u64` keys (multiplicative, as in `FxHash`).
#[derive(Default)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

fn pair_key(a: char, b: char) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(u32::from(b))
}

/// One short field (title or alias), folded, with its pinyin.
#[derive(Debug)]
pub struct ShortField {
    pub folded: String,
    pub chars: usize,
    pub syllables: Syllables,
}

impl ShortField {
    fn new(text: &str) -> Self {
        let folded = fold(text);
        Self {
            chars: folded.chars().count(),
            syllables: Syllables::of(&folded),
            folded,
        }
    }
}

/// What the index keeps of one card's text.
#[derive(Debug)]
pub struct CardText {
    /// `short[0]` is the title, then the aliases.
    pub short: Vec<ShortField>,
    /// Scripts (with every fill-in choice) then scene, steps and view,
    /// folded, one paragraph per line.
    pub long: String,
    /// `long[..scripts_bytes]` are the scripts.
    pub scripts_bytes: usize,
}

impl CardText {
    fn new(card: &Card) -> Self {
        let short = std::iter::once(card.title.as_str())
            .chain(card.aliases.iter().map(String::as_str))
            .map(ShortField::new)
            .collect();
        let mut long = String::new();
        for script in card.scripts() {
            long.push_str(&fold(&script.default_text(&card.fields)));
            long.push('\n');
        }
        // Other choices of fill-in fields are searchable too (女士, 漂亮).
        for field in card.fields.values() {
            for choice in field.choices.iter().skip(1) {
                long.push_str(&fold(choice));
                long.push('\n');
            }
        }
        let scripts_bytes = long.len();
        let body = card
            .scene
            .iter()
            .chain(card.steps.iter().map(|s| &s.action))
            .chain(&card.view);
        for p in body {
            long.push_str(&fold(p));
            long.push('\n');
        }
        Self {
            short,
            long,
            scripts_bytes,
        }
    }

    /// `SCRIPT` or `BODY` for a byte offset into `long`.
    pub fn kind_at_byte(&self, pos: usize) -> u8 {
        if pos < self.scripts_bytes {
            SCRIPT
        } else {
            BODY
        }
    }
}

/// The searchable form of a [`Library`]. Rebuild it when the content changes.
#[derive(Debug, Default)]
pub struct Index {
    pub(super) cards: Vec<CardText>,
    /// Pinyin bit masks of all short fields; `card_fields[c]..card_fields[c + 1]`
    /// are card `c`'s (title first).
    pub(super) pinyin: PinyinTable,
    pub(super) card_fields: Vec<u32>,
    /// Per letter: cards with a title or alias syllable starting with it,
    /// and the score of that letter typed alone.
    initials: [Vec<(u32, u16)>; 26],
    chars: KeyMap<Postings>,
    pairs: KeyMap<Postings>,
}

/// The weighted quality of a substring match at character `at` of a short
/// field: 1000, +300 at the start, +150 after a separator, up to +200 for
/// covering the field.
pub fn short_quality(field_chars: usize, at: usize, prev: Option<char>, len: usize) -> u32 {
    let start = if at == 0 {
        300
    } else if prev.is_some_and(|c| !c.is_alphanumeric()) {
        150
    } else {
        0
    };
    1000 + start + coverage(200, len, field_chars)
}

/// `points × part / whole`, at most `points`.
pub fn coverage(points: u32, part: usize, whole: usize) -> u32 {
    // A table for the common small cases (divisions are slow in hot loops).
    if points == 200 && whole < 64 && part < 64 {
        return u32::from(COVERAGE_200[whole][part]);
    }
    let part = u32::try_from(part).unwrap_or(u32::MAX);
    let whole = u32::try_from(whole.max(1)).unwrap_or(u32::MAX);
    points * part.min(whole) / whole
}

/// `COVERAGE_200[whole][part]` = `200 × min(part, whole) / max(whole, 1)`.
static COVERAGE_200: [[u8; 64]; 64] = {
    let mut t = [[0u8; 64]; 64];
    let mut whole = 0;
    while whole < 64 {
        let w = if whole == 0 { 1 } else { whole };
        let mut part = 0;
        while part < 64 {
            let p = if part < w { part } else { w };
            // At most 200, fits in u8.
            #[allow(clippy::cast_possible_truncation)]
            {
                t[whole][part] = (200 * p / w) as u8;
            }
            part += 1;
        }
        whole += 1;
    }
    t
};

impl Index {
    pub fn build(library: &Library) -> Self {
        let mut index = Index::default();
        index.cards.reserve(library.cards.len());
        index.card_fields.push(0);
        let mut short_grams: Vec<(u64, bool, u16, u8)> = Vec::new();
        for (n, card) in library.cards.iter().enumerate().take(MAX_CARDS) {
            let card_no = u32::try_from(n).unwrap_or(u32::MAX);
            let text = CardText::new(card);
            short_grams.clear();
            let mut initials = [0u16; 26];
            for (f, field) in text.short.iter().enumerate() {
                let weight = if f == 0 { W_TITLE } else { W_ALIAS };
                collect_short(field, weight, field_bit(f), &mut short_grams);
                let n = index.pinyin.push(&field.syllables);
                for (letter, best) in (b'a'..=b'z').zip(initials.iter_mut()) {
                    if let Some(q) = index.pinyin.quality(n, index.pinyin.begin(n, letter), 1) {
                        *best = (*best).max(u16::try_from(weight * q).unwrap_or(u16::MAX));
                    }
                }
            }
            for (cards, score) in index.initials.iter_mut().zip(initials) {
                if score > 0 {
                    cards.push((card_no, score));
                }
            }
            index
                .card_fields
                .push(u32::try_from(index.pinyin.len()).unwrap_or(u32::MAX));
            index.add_short(card_no, &mut short_grams);
            index.add_long(card_no, &text);
            index.cards.push(text);
        }
        for p in index.chars.values_mut().chain(index.pairs.values_mut()) {
            p.short_cards.shrink_to_fit();
            p.short_fields.shrink_to_fit();
            p.short_scores.shrink_to_fit();
            p.long.shrink_to_fit();
            p.long_pos.shrink_to_fit();
        }
        index
    }

    fn add_short(&mut self, card: u32, grams: &mut [(u64, bool, u16, u8)]) {
        grams.sort_unstable();
        let mut i = 0;
        while i < grams.len() {
            let (key, is_pair, _, _) = grams[i];
            let mut best = 0;
            let mut fields = 0;
            while i < grams.len() && grams[i].0 == key && grams[i].1 == is_pair {
                best = best.max(grams[i].2);
                fields |= grams[i].3;
                i += 1;
            }
            let map = if is_pair {
                &mut self.pairs
            } else {
                &mut self.chars
            };
            let p = map.entry(key).or_default();
            p.short_cards.push(card);
            p.short_fields.push(fields);
            p.short_scores.push(best);
        }
    }

    fn add_long(&mut self, card: u32, text: &CardText) {
        let mut prev: Option<(usize, char)> = None;
        for (byte, c) in text.long.char_indices() {
            if c == '\n' {
                prev = None;
                continue;
            }
            let kind = text.kind_at_byte(byte);
            push_long(
                self.chars.entry(u64::from(u32::from(c))).or_default(),
                card,
                kind,
                None,
            );
            if let Some((at, p)) = prev {
                let at = u16::try_from(at).unwrap_or(NO_POS);
                push_long(
                    self.pairs.entry(pair_key(p, c)).or_default(),
                    card,
                    kind,
                    Some(at),
                );
            }
            prev = Some((byte, c));
        }
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    pub(super) fn char_postings(&self, c: char) -> Option<&Postings> {
        self.chars.get(&u64::from(u32::from(c)))
    }

    pub(super) fn pair_postings(&self, a: char, b: char) -> Option<&Postings> {
        self.pairs.get(&pair_key(a, b))
    }

    /// Cards with a title or alias syllable starting with letter `c`, and
    /// the score of `c` typed alone.
    pub(super) fn cards_with_initial(&self, c: u8) -> &[(u32, u16)] {
        if c.is_ascii_lowercase() {
            &self.initials[usize::from(c - b'a')]
        } else {
            &[]
        }
    }

    /// The pinyin field numbers of card `card`'s short fields (title first).
    pub(super) fn pinyin_fields(&self, card: u32) -> std::ops::Range<usize> {
        let c = card as usize;
        match (self.card_fields.get(c), self.card_fields.get(c + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        }
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let per_entry = std::mem::size_of::<Postings>() + 8 + 8;
        let postings: usize = self
            .chars
            .values()
            .chain(self.pairs.values())
            .map(|p| p.heap_bytes() + per_entry)
            .sum();
        let cards: usize = self
            .cards
            .iter()
            .map(|c| {
                std::mem::size_of::<CardText>()
                    + c.long.capacity()
                    + c.short
                        .iter()
                        .map(|f| {
                            std::mem::size_of::<ShortField>()
                                + f.folded.capacity()
                                + f.syllables.heap_bytes()
                        })
                        .sum::<usize>()
            })
            .sum();
        let pinyin = self.pinyin.heap_bytes()
            + self.card_fields.capacity() * 4
            + self
                .initials
                .iter()
                .map(|v| v.capacity() * 4)
                .sum::<usize>();
        postings + cards + pinyin
    }
}

/// Adds the card to a long posting list, merging with its last entry when
/// the card is already there (cards are added in order).
fn push_long(p: &mut Postings, card: u32, kind: u8, pos: Option<u16>) {
    if p.long.last().is_some_and(|&l| long_card(l) == card) {
        if let Some(last) = p.long.last_mut() {
            *last |= u32::from(kind);
        }
        return;
    }
    p.long.push((card << 4) | u32::from(kind));
    if let Some(pos) = pos {
        p.long_pos.push(pos);
    }
}

/// Every character and pair of a short field with the weighted score a
/// term equal to it gets at that place: `(key, is_pair, score, field bit)`.
/// The bit of short field `f` (0 = title) in `Postings::short_fields`.
pub fn field_bit(f: usize) -> u8 {
    1 << f.min(7)
}

fn collect_short(field: &ShortField, weight: u32, bit: u8, out: &mut Vec<(u64, bool, u16, u8)>) {
    let chars: Vec<char> = field.folded.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let score = |len| {
            u16::try_from(weight * short_quality(field.chars, i, prev, len)).unwrap_or(u16::MAX)
        };
        out.push((u64::from(u32::from(c)), false, score(1), bit));
        if let Some(&next) = chars.get(i + 1) {
            out.push((pair_key(c, next), true, score(2), bit));
        }
    }
}
