//! The search index: folded text per card, pinyin for the short fields, and
//! posting lists of characters and character pairs, each entry tagged with
//! the kinds of field the character (pair) occurs in.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::fold::fold;
use super::pinyin::Syllables;
use crate::model::{Card, Library};

/// Field kinds, as bits of a posting's mask.
pub const TITLE: u8 = 1;
pub const ALIAS: u8 = 2;
pub const SCRIPT: u8 = 4;
pub const BODY: u8 = 8;
pub const SHORT: u8 = TITLE | ALIAS;

/// A posting: card index in the high bits, field-kind mask in the low 4.
pub type Posting = u32;
pub const MASK_BITS: u32 = 4;
/// At most 2^28 cards.
pub const MAX_CARDS: usize = 1 << (32 - MASK_BITS);

pub fn posting(card: u32, mask: u8) -> Posting {
    (card << MASK_BITS) | u32::from(mask)
}
pub fn card_of(p: Posting) -> u32 {
    p >> MASK_BITS
}
pub fn mask_of(p: Posting) -> u8 {
    // Masked to the low 4 bits, so the cast cannot truncate.
    (p & 0xF) as u8
}

/// Key of a character (second = `NO_CHAR`) or of a pair of characters.
pub fn key(a: char, b: Option<char>) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(b.map_or(NO_CHAR, u32::from))
}
const NO_CHAR: u32 = 0x11_0000;

/// A fast hasher for the u64 keys above (multiplicative, as in `FxHash`).
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

pub type KeyMap<V> = HashMap<u64, V, BuildHasherDefault<KeyHasher>>;

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

/// What the index keeps of one card.
#[derive(Debug)]
pub struct CardText {
    /// `short[0]` is the title, then the aliases.
    pub short: Vec<ShortField>,
    /// The folded aliases, one per line, so one substring search covers all.
    pub alias_blob: String,
    /// Byte offset in `alias_blob` where each alias starts.
    pub alias_starts: Vec<u32>,
    /// Union of the short fields' pinyin initials / letters.
    pub initials: u32,
    pub letter_set: u32,
    /// Scripts (with every fill-in choice), folded, one per line.
    pub scripts: String,
    /// Scene, steps and view, folded, one paragraph per line.
    pub body: String,
}

impl CardText {
    fn new(card: &Card) -> Self {
        let short: Vec<ShortField> = std::iter::once(card.title.as_str())
            .chain(card.aliases.iter().map(String::as_str))
            .map(ShortField::new)
            .collect();
        let mut alias_blob = String::new();
        let mut alias_starts = Vec::with_capacity(card.aliases.len());
        for alias in &short[1..] {
            alias_starts.push(u32::try_from(alias_blob.len()).unwrap_or(u32::MAX));
            alias_blob.push_str(&alias.folded);
            alias_blob.push('\n');
        }
        let mut scripts = String::new();
        for script in card.scripts() {
            scripts.push_str(&fold(&script.default_text(&card.fields)));
            scripts.push('\n');
        }
        // Other choices of fill-in fields are searchable too (女士, 漂亮).
        for field in card.fields.values() {
            for choice in field.choices.iter().skip(1) {
                scripts.push_str(&fold(choice));
                scripts.push('\n');
            }
        }
        let mut body = String::new();
        let paragraphs = card
            .scene
            .iter()
            .chain(card.steps.iter().map(|s| &s.action))
            .chain(&card.view);
        for p in paragraphs {
            body.push_str(&fold(p));
            body.push('\n');
        }
        Self {
            initials: short.iter().fold(0, |m, f| m | f.syllables.initials),
            letter_set: short.iter().fold(0, |m, f| m | f.syllables.letter_set),
            short,
            alias_blob,
            alias_starts,
            scripts,
            body,
        }
    }

    pub fn title(&self) -> &ShortField {
        &self.short[0]
    }
}

/// The searchable form of a [`Library`]. Rebuild it when the content changes.
#[derive(Debug, Default)]
pub struct Index {
    pub(super) cards: Vec<CardText>,
    pub(super) postings: KeyMap<Vec<Posting>>,
}

impl Index {
    pub fn build(library: &Library) -> Self {
        let mut index = Index {
            cards: Vec::with_capacity(library.cards.len()),
            postings: KeyMap::default(),
        };
        let mut scratch: Vec<(u64, u8)> = Vec::new();
        for (n, card) in library.cards.iter().enumerate().take(MAX_CARDS) {
            let text = CardText::new(card);
            scratch.clear();
            for field in &text.short {
                let kind = if std::ptr::eq(field, text.title()) {
                    TITLE
                } else {
                    ALIAS
                };
                grams(&field.folded, kind, &mut scratch);
            }
            grams(&text.scripts, SCRIPT, &mut scratch);
            grams(&text.body, BODY, &mut scratch);
            scratch.sort_unstable_by_key(|&(k, _)| k);
            let card_no = u32::try_from(n).unwrap_or(u32::MAX >> MASK_BITS);
            let mut i = 0;
            while i < scratch.len() {
                let k = scratch[i].0;
                let mut mask = 0;
                while i < scratch.len() && scratch[i].0 == k {
                    mask |= scratch[i].1;
                    i += 1;
                }
                index
                    .postings
                    .entry(k)
                    .or_default()
                    .push(posting(card_no, mask));
            }
            index.cards.push(text);
        }
        for list in index.postings.values_mut() {
            list.shrink_to_fit();
        }
        index
    }

    pub fn len(&self) -> usize {
        self.cards.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cards.is_empty()
    }

    pub(super) fn postings(&self, a: char, b: Option<char>) -> &[Posting] {
        self.postings.get(&key(a, b)).map_or(&[], Vec::as_slice)
    }

    /// Approximate heap memory held by the index, in bytes.
    pub fn memory_bytes(&self) -> usize {
        let postings: usize = self
            .postings
            .values()
            .map(|v| v.capacity() * 4 + std::mem::size_of::<Vec<Posting>>() + 8 + 8)
            .sum();
        let cards: usize = self
            .cards
            .iter()
            .map(|c| {
                std::mem::size_of::<CardText>()
                    + c.scripts.capacity()
                    + c.body.capacity()
                    + c.alias_blob.capacity()
                    + c.alias_starts.capacity() * 4
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
        postings + cards
    }
}

/// Every character and adjacent pair of `text`, tagged with `kind`.
fn grams(text: &str, kind: u8, out: &mut Vec<(u64, u8)>) {
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if c == '\n' {
            prev = None;
            continue;
        }
        out.push((key(c, None), kind));
        if let Some(p) = prev {
            out.push((key(p, Some(c)), kind));
        }
        prev = Some(c);
    }
}
