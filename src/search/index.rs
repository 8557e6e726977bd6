//! The search index: each card's folded text, posting lists of its
//! characters and character pairs (see `postings`: a one- or two-character
//! term is ranked from the lists alone), and the pinyin of its titles and
//! aliases as bit masks (see `pinyin::PinyinTable`).

use super::fold::{fold, fold_into};
use super::pinyin::{PinyinTable, Syllables};
pub use super::postings::{BODY, NO_POS, Postings, SCRIPT, long_card, long_kinds};
use super::postings::{PostingBuilder, PostingStore, char_key, pair_key};
use crate::model::{Card, Library};

/// Field weights: title > aliases > scripts > body.
pub const W_TITLE: u32 = 10;
pub const W_ALIAS: u32 = 7;
pub const W_SCRIPT: u32 = 3;
pub const W_BODY: u32 = 2;
/// Quality of a substring match in a long field.
pub const LONG_MATCH: u32 = 1000;

/// At most 2^28 cards (the long postings keep a kind mask in 4 bits).
pub const MAX_CARDS: usize = 1 << 28;

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
    postings: PostingStore,
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

/// Below this many cards the index is built on the calling thread.
const PARALLEL_FROM: usize = 2000;

impl Index {
    /// Indexes the library; large libraries are split over two (named)
    /// threads.
    pub fn build(library: &Library) -> Self {
        let cards = &library.cards[..library.cards.len().min(MAX_CARDS)];
        let part = if cards.len() < PARALLEL_FROM {
            Self::build_part(cards, 0)
        } else {
            let (a, b) = cards.split_at(cards.len() / 2);
            let offset = u32::try_from(a.len()).unwrap_or(u32::MAX);
            std::thread::scope(|scope| {
                let second = std::thread::Builder::new()
                    .name("search-index".into())
                    .spawn_scoped(scope, || Self::build_part(b, offset));
                let mut part = Self::build_part(a, 0);
                match second.map(std::thread::ScopedJoinHandle::join) {
                    Ok(Ok(rest)) => part.append(rest),
                    // No thread (or it panicked): build the rest here.
                    _ => part.append(Self::build_part(b, offset)),
                }
                part
            })
        };
        let mut index = part.index;
        index.postings = part.postings.finish();
        index
    }

    /// Indexes `cards`, numbering them from `first`.
    fn build_part(cards: &[Card], first: u32) -> Part {
        let mut part = Part {
            index: Index::default(),
            postings: PostingBuilder::new(first, cards.len()),
        };
        part.index.cards.reserve(cards.len());
        // Each character of scripts/body gives about one distinct pair and
        // half a distinct character (3 bytes a character).
        let text_bytes: usize = cards
            .iter()
            .map(|c| {
                c.scene
                    .iter()
                    .chain(&c.view)
                    .map(String::len)
                    .sum::<usize>()
                    + c.steps.iter().map(|s| s.action.len() + 40).sum::<usize>()
            })
            .sum();
        part.postings.reserve(text_bytes / 2);
        part.index.card_fields.push(0);
        let mut short_grams: Vec<(u64, u16, u8)> = Vec::new();
        for (card_no, card) in (first..).zip(cards) {
            let text = CardText::new(card);
            let index = &mut part.index;
            short_grams.clear();
            let mut initials = [0u16; 26];
            for (f, field) in text.short.iter().enumerate() {
                let weight = if f == 0 { W_TITLE } else { W_ALIAS };
                collect_short(field, weight, field_bit(f), &mut short_grams);
                let n = index.pinyin.push(&field.syllables);
                let present = field.syllables.initials;
                for (letter, best) in (b'a'..=b'z').zip(initials.iter_mut()) {
                    if present & (1 << (letter - b'a')) == 0 {
                        continue;
                    }
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
            add_short(&mut part.postings, card_no, &mut short_grams);
            add_long(&mut part.postings, card_no, &text);
            index.cards.push(text);
        }
        part.postings.seal();
        part
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    pub(super) fn char_postings(&self, c: char) -> Option<Postings<'_>> {
        self.postings.get(char_key(c))
    }

    pub(super) fn pair_postings(&self, a: char, b: char) -> Option<Postings<'_>> {
        self.postings.get(pair_key(a, b))
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
                .map(|v| v.capacity() * 8)
                .sum::<usize>();
        self.postings.heap_bytes() + cards + pinyin
    }
}

/// One thread's share of the index while building.
#[derive(Default)]
struct Part {
    index: Index,
    postings: PostingBuilder,
}

impl Part {
    /// Appends the part for the cards that follow this one's.
    fn append(&mut self, rest: Part) {
        let fields = u32::try_from(self.index.pinyin.len()).unwrap_or(u32::MAX);
        let mine = &mut self.index;
        mine.cards.extend(rest.index.cards);
        mine.pinyin.append(rest.index.pinyin);
        mine.card_fields
            .extend(rest.index.card_fields.iter().skip(1).map(|&f| f + fields));
        for (a, b) in mine.initials.iter_mut().zip(rest.index.initials) {
            a.extend(b);
        }
        self.postings.append(rest.postings);
    }
}

/// Adds a card's title/alias grams `(key, score, field bits)`, merging
/// repeats of a key (best score, all fields).
fn add_short(postings: &mut PostingBuilder, card: u32, grams: &mut [(u64, u16, u8)]) {
    grams.sort_unstable();
    let mut i = 0;
    while i < grams.len() {
        let key = grams[i].0;
        let mut best = 0;
        let mut fields = 0;
        while i < grams.len() && grams[i].0 == key {
            best = best.max(grams[i].1);
            fields |= grams[i].2;
            i += 1;
        }
        postings.add_short(card, key, best, fields);
    }
}

/// Adds every character and pair of a card's scripts and body.
fn add_long(postings: &mut PostingBuilder, card: u32, text: &CardText) {
    let mut prev: Option<(usize, char)> = None;
    for (byte, c) in text.long.char_indices() {
        if c == '\n' {
            prev = None;
            continue;
        }
        let kind = text.kind_at_byte(byte);
        postings.add_long_char(c, card, kind);
        let entry = (card << 4) | u32::from(kind);
        if let Some((at, p)) = prev {
            // A pair starting beyond 64 KiB has no known position.
            let at = u16::try_from(at)
                .ok()
                .filter(|&a| a != NO_POS)
                .unwrap_or(NO_POS);
            postings.add_long(pair_key(p, c), entry, Some(at));
        }
        prev = Some((byte, c));
    }
    postings.end_card();
}

/// The bit of short field `f` (0 = title) in `Postings::short_fields`.
pub fn field_bit(f: usize) -> u8 {
    1 << f.min(7)
}

/// Every character and pair of a short field with the weighted score a
/// term equal to it gets at that place: `(key, score, field bit)`.
fn collect_short(field: &ShortField, weight: u32, bit: u8, out: &mut Vec<(u64, u16, u8)>) {
    let chars: Vec<char> = field.folded.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let score = |len| {
            u16::try_from(weight * short_quality(field.chars, i, prev, len)).unwrap_or(u16::MAX)
        };
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
        let part = Index::build_part(&library.cards, 0);
        let mut serial = part.index;
        serial.postings = part.postings.finish();

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
            let p = parallel.postings.get(key).unwrap();
            assert_eq!(Some(p), serial.postings.get(key), "{key:x}");
            assert!(p.long.windows(2).all(|w| long_card(w[0]) < long_card(w[1])));
            assert!(p.short_cards.windows(2).all(|w| w[0] < w[1]));
        }
        let all = |key| parallel.postings.get(key).unwrap().long.len();
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
