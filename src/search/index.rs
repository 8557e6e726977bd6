//! The search index: each card's folded text, posting lists of its
//! characters and character pairs (see `postings`: a one- or two-character
//! term is ranked from the lists alone), and the pinyin of its titles and
//! aliases as bit masks (see `pinyin::PinyinTable`).

use std::collections::HashMap;

use super::pinyin::{PinyinTable, Syllables};
pub use super::postings::{BODY, NO_POS, Postings, SCRIPT, long_card, long_kinds};
use super::postings::{PostingBuilder, PostingStore, char_key, pair_key, part_of};
use super::weights::{self, AFTER_SEPARATOR, AT_START, COVERS_FIELD, QUALITY_BITS, SUBSTRING};
use crate::content::fold::{fold, fold_into};
use crate::model::{Card, Library};

/// At most 2^28 cards (the long postings keep a kind mask in 4 bits).
pub const MAX_CARDS: usize = 1 << 28;

/// One short field (title or alias), folded, with its pinyin.
#[derive(Debug)]
pub struct ShortField {
    pub folded: Box<str>,
    pub chars: usize,
    pub syllables: Syllables,
}

impl ShortField {
    fn new(text: &str) -> Self {
        let folded = fold(text);
        Self {
            chars: folded.chars().count(),
            syllables: Syllables::of(&folded),
            folded: folded.into_boxed_str(),
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
        let body = || {
            card.scene
                .iter()
                .chain(card.steps.iter().map(|s| &s.action))
                .chain(&card.view)
        };
        let mut long = String::with_capacity(body().map(|p| p.len() + 1).sum::<usize>() + 256);
        for script in card.scripts() {
            fold_into(&mut long, &script.default_text(&card.fields));
            long.push('\n');
        }
        // Other choices of fill-in fields are searchable too (女士, 漂亮).
        for field in card.fields.values() {
            for choice in field.choices.iter().skip(1) {
                fold_into(&mut long, choice);
                long.push('\n');
            }
        }
        let scripts_bytes = long.len();
        for p in body() {
            fold_into(&mut long, p);
            long.push('\n');
        }
        // Kept for the content's lifetime: no room left over.
        long.shrink_to_fit();
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
    /// and the score of that letter typed alone (see [`pack_short`]).
    initials: [Vec<(u32, u16)>; 26],
    /// Per syllable (see [`syllable_key`]): cards with it in a title or
    /// alias, ascending (for homophones).
    syllables: HashMap<u64, Vec<u32>>,
    /// The posting lists, split by key (see `postings::part_of`).
    postings: Vec<PostingStore>,
}

/// A syllable of up to eight letters as a number (longer ones: `None`).
pub fn syllable_key(letters: &[u8]) -> Option<u64> {
    (letters.len() <= 8).then(|| {
        letters
            .iter()
            .fold(0u64, |key, &b| (key << 8) | u64::from(b))
    })
}

/// The quality of a substring match at character `at` of a short field.
pub fn short_quality(field_chars: usize, at: usize, prev: Option<char>, len: usize) -> u32 {
    let start = if at == 0 {
        AT_START
    } else if prev.is_some_and(|c| !c.is_alphanumeric()) {
        AFTER_SEPARATOR
    } else {
        0
    };
    SUBSTRING + start + weights::coverage(COVERS_FIELD, len, field_chars)
}

/// A short-field match as kept in the postings: the title bit above the
/// quality, so that the larger value is the better match.
pub fn pack_short(title: bool, quality: u32) -> u16 {
    let q = quality.min((1 << QUALITY_BITS) - 1);
    u16::try_from((u32::from(title) << QUALITY_BITS) | q).unwrap_or(u16::MAX)
}

/// `(title?, quality)` of a value made by [`pack_short`].
pub fn unpack_short(packed: u16) -> (bool, u32) {
    let packed = u32::from(packed);
    (
        packed >> QUALITY_BITS != 0,
        packed & ((1 << QUALITY_BITS) - 1),
    )
}

/// Below this many cards the index is built on the calling thread.
const PARALLEL_FROM: usize = 2000;

impl Index {
    /// Indexes the library. Large libraries use two (named) threads: first
    /// each prepares half of the cards, then each builds the posting lists
    /// of half of the keys (so nothing needs merging).
    pub fn build(library: &Library) -> Self {
        let cards = &library.cards[..library.cards.len().min(MAX_CARDS)];
        if cards.len() < PARALLEL_FROM {
            let prepared = prepare(cards, 0);
            let store = build_postings(&prepared, 0, 1);
            let mut index = prepared.index;
            index.postings = vec![store];
            index.shrink_to_fit();
            return index;
        }
        let spawn = |name: &str| std::thread::Builder::new().name(name.into());
        let (a, b) = cards.split_at(cards.len() / 2);
        let offset = u32::try_from(a.len()).unwrap_or(u32::MAX);
        let prepared = std::thread::scope(|scope| {
            let second = spawn("search-prepare").spawn_scoped(scope, || prepare(b, offset));
            let mut prepared = prepare(a, 0);
            match second.map(std::thread::ScopedJoinHandle::join) {
                Ok(Ok(rest)) => prepared.append(rest),
                // No thread (or it panicked): do it here.
                _ => prepared.append(prepare(b, offset)),
            }
            prepared
        });
        let stores = std::thread::scope(|scope| {
            let prepared = &prepared;
            let other =
                spawn("search-postings").spawn_scoped(scope, || build_postings(prepared, 1, 2));
            let first = build_postings(prepared, 0, 2);
            let second = match other.map(std::thread::ScopedJoinHandle::join) {
                Ok(Ok(store)) => store,
                _ => build_postings(prepared, 1, 2),
            };
            vec![first, second]
        });
        let mut index = prepared.index;
        index.postings = stores;
        index.shrink_to_fit();
        index
    }

    /// Gives back what the build left over: the index is kept as long as
    /// its content.
    fn shrink_to_fit(&mut self) {
        self.pinyin.shrink_to_fit();
        self.card_fields.shrink_to_fit();
        for list in &mut self.initials {
            list.shrink_to_fit();
        }
        for cards in self.syllables.values_mut() {
            cards.shrink_to_fit();
        }
        self.syllables.shrink_to_fit();
        for store in &mut self.postings {
            store.shrink_to_fit();
        }
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    fn postings(&self, key: u64) -> Option<Postings<'_>> {
        self.postings
            .get(part_of(key, self.postings.len()))?
            .get(key)
    }

    pub(super) fn char_postings(&self, c: char) -> Option<Postings<'_>> {
        self.postings(char_key(c))
    }

    pub(super) fn pair_postings(&self, a: char, b: char) -> Option<Postings<'_>> {
        self.postings(pair_key(a, b))
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

    /// Cards with syllable `letters` in a title or alias, ascending.
    pub(super) fn cards_with_syllable(&self, letters: &[u8]) -> &[u32] {
        syllable_key(letters)
            .and_then(|key| self.syllables.get(&key))
            .map_or(&[], Vec::as_slice)
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
        self.memory_parts().iter().map(|(_, b)| b).sum()
    }

    /// [`Self::memory_bytes`] by part: the cards' folded text, their
    /// titles' and aliases' pinyin, and the posting lists.
    pub fn memory_parts(&self) -> [(&'static str, usize); 3] {
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
                                + f.folded.len()
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
                .map(|v| v.capacity() * 8)
                .sum::<usize>()
            + self
                .syllables
                .values()
                .map(|v| 32 + v.capacity() * 4)
                .sum::<usize>();
        let postings = self.postings.iter().map(PostingStore::heap_bytes).sum();
        [("texts", cards), ("pinyin", pinyin), ("postings", postings)]
    }
}

/// Everything about the cards but the posting lists: texts, pinyin,
/// single-letter scores, and each card's title/alias grams.
#[derive(Default)]
struct Prepared {
    index: Index,
    /// Per card: `(key, weighted score, field bits)`, one entry per key.
    short: Vec<Vec<(u64, u16, u8)>>,
}

impl Prepared {
    /// Appends the cards that follow this one's.
    fn append(&mut self, rest: Prepared) {
        let fields = u32::try_from(self.index.pinyin.len()).unwrap_or(u32::MAX);
        let mine = &mut self.index;
        mine.cards.extend(rest.index.cards);
        mine.pinyin.append(rest.index.pinyin);
        mine.card_fields
            .extend(rest.index.card_fields.iter().skip(1).map(|&f| f + fields));
        for (a, b) in mine.initials.iter_mut().zip(rest.index.initials) {
            a.extend(b);
        }
        for (key, cards) in rest.index.syllables {
            mine.syllables.entry(key).or_default().extend(cards);
        }
        self.short.extend(rest.short);
    }
}

/// Prepares `cards`, numbering them from `first`.
fn prepare(cards: &[Card], first: u32) -> Prepared {
    let mut prepared = Prepared::default();
    let index = &mut prepared.index;
    index.cards.reserve(cards.len());
    index.card_fields.push(0);
    prepared.short.reserve(cards.len());
    index
        .pinyin
        .reserve(cards.iter().map(|c| 1 + c.aliases.len()).sum());
    let mut grams = Vec::new();
    for (card_no, card) in (first..).zip(cards) {
        let text = CardText::new(card);
        grams.clear();
        let mut initials = [0u16; 26];
        for (f, field) in text.short.iter().enumerate() {
            collect_short(field, f == 0, field_bit(f), &mut grams);
            let n = index.pinyin.push(&field.syllables);
            let present = field.syllables.initials;
            for (letter, best) in (b'a'..=b'z').zip(initials.iter_mut()) {
                if present & (1 << (letter - b'a')) == 0 {
                    continue;
                }
                // One letter matches where a syllable starts: never scattered.
                if let Some((_, q)) = index.pinyin.quality(n, index.pinyin.begin(n, letter), 1) {
                    *best = (*best).max(pack_short(f == 0, q));
                }
            }
        }
        for (cards, score) in index.initials.iter_mut().zip(initials) {
            if score > 0 {
                cards.push((card_no, score));
            }
        }
        for field in &text.short {
            for s in 0..field.syllables.len() {
                if let Some(key) = syllable_key(field.syllables.syllable(s)) {
                    let cards = index.syllables.entry(key).or_default();
                    if cards.last() != Some(&card_no) {
                        cards.push(card_no);
                    }
                }
            }
        }
        index
            .card_fields
            .push(u32::try_from(index.pinyin.len()).unwrap_or(u32::MAX));
        prepared.short.push(merge_short(&mut grams));
        index.cards.push(text);
    }
    prepared
}

/// The posting lists of the keys in part `part` of `parts` (see
/// `postings::part_of`), for all prepared cards.
fn build_postings(prepared: &Prepared, part: usize, parts: usize) -> PostingStore {
    let cards = &prepared.index.cards;
    let mut postings = PostingBuilder::new(0, cards.len());
    // Each character of scripts/body gives about one distinct pair (3 bytes
    // a character); this part gets its share.
    let text_bytes: usize = cards.iter().map(|c| c.long.len()).sum();
    postings.reserve(text_bytes / 3 / parts.max(1));
    let mine = |key: u64| part_of(key, parts) == part;
    for ((card_no, text), short) in (0u32..).zip(cards).zip(&prepared.short) {
        for &(key, score, fields) in short {
            if mine(key) {
                postings.add_short(card_no, key, score, fields);
            }
        }
        add_long(&mut postings, card_no, text, mine);
    }
    postings.seal();
    postings.finish()
}

/// A card's title/alias grams `(key, score, field bits)`, one per key
/// (best score, all fields).
fn merge_short(grams: &mut [(u64, u16, u8)]) -> Vec<(u64, u16, u8)> {
    grams.sort_unstable();
    let distinct = 1 + grams.windows(2).filter(|w| w[0].0 != w[1].0).count();
    let mut merged: Vec<(u64, u16, u8)> = Vec::with_capacity(distinct);
    for &(key, score, fields) in &*grams {
        match merged.last_mut() {
            Some(last) if last.0 == key => {
                last.1 = last.1.max(score);
                last.2 |= fields;
            }
            _ => merged.push((key, score, fields)),
        }
    }
    merged
}

/// Adds every character and pair of a card's scripts and body whose key
/// is `mine`.
fn add_long(postings: &mut PostingBuilder, card: u32, text: &CardText, mine: impl Fn(u64) -> bool) {
    let mut prev: Option<(usize, char)> = None;
    for (byte, c) in text.long.char_indices() {
        if c == '\n' {
            prev = None;
            continue;
        }
        let kind = text.kind_at_byte(byte);
        if mine(char_key(c)) {
            postings.add_long_char(c, card, kind);
        }
        let entry = (card << 4) | u32::from(kind);
        if let Some((at, p)) = prev
            && mine(pair_key(p, c))
        {
            // A pair starting beyond 64 KiB has no known position.
            let at = u16::try_from(at)
                .ok()
                .filter(|&a| a != NO_POS)
                .unwrap_or(NO_POS);
            postings.add_long(pair_key(p, c), entry, at);
        }
        prev = Some((byte, c));
    }
}

/// The bit of short field `f` (0 = title) in `Postings::short_fields`.
pub fn field_bit(f: usize) -> u8 {
    1 << f.min(7)
}

/// Every character and pair of a short field with the score a word equal
/// to it gets at that place (see [`pack_short`]): `(key, score, field bit)`.
fn collect_short(field: &ShortField, title: bool, bit: u8, out: &mut Vec<(u64, u16, u8)>) {
    let chars: Vec<char> = field.folded.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let score = |len| pack_short(title, short_quality(field.chars, i, prev, len));
        out.push((char_key(c), score(1), bit));
        if let Some(&next) = chars.get(i + 1) {
            out.push((pair_key(c, next), score(2), bit));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::CardId;

    /// A library of copies of the seed cards, big enough to build in parallel.
    fn big_library() -> Library {
        let seed = crate::content::load_builtin().library;
        let mut library = seed.clone();
        library.cards.clear();
        for copy in 0..=PARALLEL_FROM / seed.cards.len() {
            for card in &seed.cards {
                let mut card = card.clone();
                card.id = CardId::parse(&format!("{}-{copy}", card.id)).unwrap();
                library.cards.push(card);
            }
        }
        library
    }

    #[test]
    fn parallel_build_equals_serial() {
        let library = big_library();
        assert!(library.cards.len() >= PARALLEL_FROM);
        let parallel = Index::build(&library);
        assert_eq!(parallel.postings.len(), 2, "built in two parts");
        let prepared = prepare(&library.cards, 0);
        let store = build_postings(&prepared, 0, 1);
        let mut serial = prepared.index;
        serial.postings = vec![store];

        assert_eq!(parallel.len(), serial.len());
        assert_eq!(parallel.card_fields, serial.card_fields);
        assert_eq!(parallel.initials, serial.initials);
        assert_eq!(parallel.pinyin.len(), serial.pinyin.len());
        let keys = [
            char_key('客'),
            char_key('证'),
            char_key('v'),
            pair_key('客', '户'),
            pair_key('证', '件'),
            pair_key('大', '堂'),
        ];
        for key in keys {
            let p = parallel.postings(key).unwrap();
            assert_eq!(Some(p), serial.postings(key), "{key:x}");
            assert!(p.long.windows(2).all(|w| long_card(w[0]) < long_card(w[1])));
            assert!(p.short_cards.windows(2).all(|w| w[0] < w[1]));
        }
        let all = |key| parallel.postings(key).unwrap().long.len();
        assert_eq!(all(char_key('客')), library.cards.len());
        assert!(all(pair_key('大', '堂')) > PARALLEL_FROM / 2);
    }

    #[test]
    fn postings_of_a_pair_know_kinds_and_first_position() {
        let library = crate::content::load_builtin().library;
        let index = Index::build(&library);
        // 客户取号错误 (card 0): VIP in a script, 大堂经理 in its view.
        let vip = index.pair_postings('v', 'i').unwrap();
        assert_eq!(vip.long.len(), 1);
        assert_eq!(long_card(vip.long[0]), 0);
        assert_eq!(long_kinds(vip.long[0]), SCRIPT);
        let text = &index.cards[0].long;
        assert_eq!(&text[usize::from(vip.long_pos[0])..][..3], "vip");
        let manager = index.pair_postings('经', '理').unwrap();
        assert!(manager.long.iter().any(|&l| long_kinds(l) & BODY != 0));
    }
}
