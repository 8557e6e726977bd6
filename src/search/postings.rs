//! Posting lists of characters and character pairs.
//!
//! Each gram (a character, or two adjacent characters) has a *short* part
//! — cards with it in the title or an alias, which of those fields, and the
//! weighted score a term equal to the gram gets there — and a *long* part:
//! cards with it in scripts or body (`card << 4 | kinds`), and for pairs the
//! byte offset of the first occurrence in the card's long text.
//!
//! Characters' long lists are built as bit sets over the cards; pairs'
//! long lists as a counting sort (occurrences appended in card order and
//! counted per pair, then scattered once into place). All lists end up in
//! flat arrays; each gram keeps ranges into them.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Field kinds of the long part of a posting.
pub const SCRIPT: u8 = 1;
pub const BODY: u8 = 2;
/// Position not known (beyond `u16`).
pub const NO_POS: u16 = u16::MAX;

pub fn long_card(p: u32) -> u32 {
    p >> 4
}

pub fn long_kinds(p: u32) -> u8 {
    // Masked to 4 bits, the cast cannot truncate.
    (p & 0xF) as u8
}

/// The postings of one gram, card numbers ascending.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Postings<'a> {
    pub short_cards: &'a [u32],
    /// Which short fields have it: see `index::field_bit`.
    pub short_fields: &'a [u8],
    /// Weighted score of a term equal to this gram in the card's title or aliases.
    pub short_scores: &'a [u16],
    /// `card << 4 | kinds` (`SCRIPT`, `BODY`).
    pub long: &'a [u32],
    /// Pairs only: byte offset of the first occurrence in the card's long
    /// text, or `NO_POS`.
    pub long_pos: &'a [u16],
}

/// A fast hasher for `u64` keys (multiplicative, as in `FxHash`).
#[derive(Default)]
struct KeyHasher(u64);

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

/// Hash of a gram key; its top bits place it in the pair table and pick
/// its part (see `part_of`).
fn key_hash(key: u64) -> u64 {
    (key ^ (key >> 29)).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Which of `parts` (1 or 2) posting stores holds `key`.
pub fn part_of(key: u64, parts: usize) -> usize {
    if parts < 2 {
        0
    } else {
        usize::from(key_hash(key) >> 63 != 0)
    }
}

/// A gram's key: a character, or a pair (`a << 32 | b`, never a char).
pub fn char_key(c: char) -> u64 {
    u64::from(u32::from(c))
}

pub fn pair_key(a: char, b: char) -> u64 {
    (u64::from(u32::from(a)) << 32) | u64::from(u32::from(b))
}

fn is_pair(key: u64) -> bool {
    key > u64::from(u32::MAX)
}

/// Gram keys → slot numbers: a direct table for characters of the Basic
/// Multilingual Plane, open addressing (small, dense) for pairs, a map for
/// the rest.
#[derive(Debug)]
struct Slots {
    /// Slot + 1 for each BMP character; 0 when absent.
    bmp: Vec<u32>,
    other: KeyMap<u32>,
    pair_keys: Vec<u64>,
    /// Slot + 1 of each pair place; 0 when empty.
    pair_places: Vec<u32>,
    pair_bits: u32,
    pairs: usize,
    /// The key of each slot, in slot order.
    keys: Vec<u64>,
}

impl Default for Slots {
    fn default() -> Self {
        Self {
            bmp: vec![0; 0x1_0000],
            other: KeyMap::default(),
            pair_keys: vec![0; 1 << 12],
            pair_places: vec![0; 1 << 12],
            pair_bits: 12,
            pairs: 0,
            keys: Vec::new(),
        }
    }
}

impl Slots {
    fn pair_place(&self, key: u64) -> usize {
        let mask = self.pair_places.len() - 1;
        let mut at = usize::try_from(key_hash(key) >> (64 - self.pair_bits)).unwrap_or(0);
        while self.pair_places[at] != 0 && self.pair_keys[at] != key {
            at = (at + 1) & mask;
        }
        at
    }

    fn get(&self, key: u64) -> Option<usize> {
        let slot = if is_pair(key) {
            self.pair_places[self.pair_place(key)]
        } else if key < 0x1_0000 {
            self.bmp[usize::try_from(key).unwrap_or(0)]
        } else {
            self.other.get(&key).copied().unwrap_or(0)
        };
        (slot > 0).then(|| slot as usize - 1)
    }

    /// The slot of `key`, and whether it is new.
    fn get_or_insert(&mut self, key: u64) -> (usize, bool) {
        if let Some(slot) = self.get(key) {
            return (slot, false);
        }
        self.keys.push(key);
        let slot = self.keys.len();
        let stored = u32::try_from(slot).unwrap_or(u32::MAX);
        if is_pair(key) {
            if (self.pairs + 1) * 8 > self.pair_places.len() * 7 {
                self.grow_pairs();
            }
            let at = self.pair_place(key);
            self.pair_keys[at] = key;
            self.pair_places[at] = stored;
            self.pairs += 1;
        } else if key < 0x1_0000 {
            self.bmp[usize::try_from(key).unwrap_or(0)] = stored;
        } else {
            self.other.insert(key, stored);
        }
        (slot - 1, true)
    }

    fn grow_pairs(&mut self) {
        self.pair_bits += 1;
        let old_keys = std::mem::replace(&mut self.pair_keys, vec![0; 1 << self.pair_bits]);
        let old_slots = std::mem::replace(&mut self.pair_places, vec![0; 1 << self.pair_bits]);
        for (key, slot) in old_keys.into_iter().zip(old_slots) {
            if slot != 0 {
                let at = self.pair_place(key);
                self.pair_keys[at] = key;
                self.pair_places[at] = slot;
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.bmp.capacity() * 4
            + self.other.capacity() * 16
            + self.pair_keys.capacity() * 8
            + self.pair_places.capacity() * 4
            + self.keys.capacity() * 8
    }
}

/// Where a gram's lists are in the flat arrays.
#[derive(Clone, Copy, Debug, Default)]
struct Ranges {
    short_start: u32,
    short_len: u32,
    long_start: u32,
    long_len: u32,
    /// Start in `long_pos` (pairs only).
    pos_start: u32,
}

/// The finished posting lists.
#[derive(Debug, Default)]
pub struct PostingStore {
    slots: Slots,
    ranges: Vec<Ranges>,
    short_cards: Vec<u32>,
    short_fields: Vec<u8>,
    short_scores: Vec<u16>,
    long: Vec<u32>,
    long_pos: Vec<u16>,
}

impl PostingStore {
    /// Gives back the room its lists grew into while being built.
    pub fn shrink_to_fit(&mut self) {
        self.ranges.shrink_to_fit();
        self.short_cards.shrink_to_fit();
        self.short_fields.shrink_to_fit();
        self.short_scores.shrink_to_fit();
        self.long.shrink_to_fit();
        self.long_pos.shrink_to_fit();
    }

    pub fn get(&self, key: u64) -> Option<Postings<'_>> {
        let r = self.ranges.get(self.slots.get(key)?)?;
        let span = |start: u32, len: u32| start as usize..(start + len) as usize;
        let short = span(r.short_start, r.short_len);
        let long = span(r.long_start, r.long_len);
        let pos = if is_pair(key) {
            self.long_pos
                .get(span(r.pos_start, r.long_len))
                .unwrap_or(&[])
        } else {
            &[]
        };
        Some(Postings {
            short_cards: self.short_cards.get(short.clone()).unwrap_or(&[]),
            short_fields: self.short_fields.get(short.clone()).unwrap_or(&[]),
            short_scores: self.short_scores.get(short).unwrap_or(&[]),
            long: self.long.get(long).unwrap_or(&[]),
            long_pos: pos,
        })
    }

    pub fn heap_bytes(&self) -> usize {
        self.slots.heap_bytes()
            + self.ranges.capacity() * std::mem::size_of::<Ranges>()
            + self.short_cards.capacity() * 4
            + self.short_fields.capacity()
            + self.short_scores.capacity() * 2
            + self.long.capacity() * 4
            + self.long_pos.capacity() * 2
    }
}

/// One gram's title/alias list while building.
#[derive(Debug, Default)]
struct Building {
    cards: Vec<u32>,
    fields: Vec<u8>,
    scores: Vec<u16>,
}

/// Per slot, while building pair lists: how many cards have the pair, and
/// the last card seen (+ 1, 0 = none) with the number of its occurrence,
/// so repeats within a card merge into one entry.
#[derive(Clone, Copy, Debug, Default)]
struct PairCount {
    cards: u32,
    last_card: u32,
    last_occurrence: u32,
}

/// Builds the posting lists of cards added in ascending order.
///
/// Pair lists are built as a counting sort: each card's pairs are appended
/// to one occurrence list (tagged with their slot) and counted per slot;
/// `finish` places every list and scatters the occurrences into it once.
#[derive(Debug, Default)]
pub struct PostingBuilder {
    slots: Slots,
    grams: Vec<Building>,
    pair_counts: Vec<PairCount>,
    /// Pair occurrences in card order: slot, `card << 4 | kinds`, position.
    occurrence_slots: Vec<u32>,
    occurrence_entries: Vec<u32>,
    occurrence_pos: Vec<u16>,
    /// Characters' long lists, first as bit sets over this builder's cards
    /// (one row per character: `SCRIPT` words, then `BODY` words), then as
    /// lists by slot (`seal`).
    char_bits: Vec<u64>,
    /// Row + 1 of each BMP character in `char_bits` (0 = none); other
    /// characters in `char_rows_other`.
    char_rows: Vec<u32>,
    char_rows_other: KeyMap<u32>,
    /// The character of each row.
    row_chars: Vec<char>,
    char_long: Vec<Vec<u32>>,
    first_card: u32,
    words: usize,
}

impl PostingBuilder {
    /// A builder for `cards` cards numbered from `first_card`.
    pub fn new(first_card: u32, cards: usize) -> Self {
        Self {
            first_card,
            words: cards.div_ceil(64),
            ..Self::default()
        }
    }

    fn slot(&mut self, key: u64) -> usize {
        let (slot, new) = self.slots.get_or_insert(key);
        if new {
            self.grams.push(Building::default());
            self.pair_counts.push(PairCount::default());
        }
        slot
    }

    /// Reserves room for about `entries` more pair occurrences.
    pub fn reserve(&mut self, entries: usize) {
        self.occurrence_slots.reserve(entries);
        self.occurrence_entries.reserve(entries);
        self.occurrence_pos.reserve(entries);
    }

    /// Adds a card's title/alias grams: `(key, score, field bits)`, one
    /// entry per key (the caller merges repeats).
    pub fn add_short(&mut self, card: u32, key: u64, score: u16, fields: u8) {
        let slot = self.slot(key);
        let g = &mut self.grams[slot];
        g.cards.push(card);
        g.fields.push(fields);
        g.scores.push(score);
    }

    /// Adds one occurrence of a character in a card's long text.
    pub fn add_long_char(&mut self, c: char, card: u32, kind: u8) {
        let code = u32::from(c) as usize;
        let known = match self.char_rows.get(code) {
            Some(&row) => row,
            None if code < 0x1_0000 => {
                self.char_rows = vec![0; 0x1_0000];
                0
            }
            None => self.char_rows_other.get(&char_key(c)).copied().unwrap_or(0),
        };
        let row = if known > 0 {
            known as usize - 1
        } else {
            let row = self.row_chars.len();
            self.row_chars.push(c);
            self.char_bits
                .resize(self.char_bits.len() + 2 * self.words, 0);
            let stored = u32::try_from(row + 1).unwrap_or(u32::MAX);
            match self.char_rows.get_mut(code) {
                Some(r) => *r = stored,
                None => {
                    self.char_rows_other.insert(char_key(c), stored);
                }
            }
            row
        };
        let local = (card - self.first_card) as usize;
        let word = row * 2 * self.words + local / 64 + if kind == BODY { self.words } else { 0 };
        if let Some(w) = self.char_bits.get_mut(word) {
            *w |= 1 << (local % 64);
        }
    }

    /// Turns the characters' bit sets into lists (call once, at the end).
    pub fn seal(&mut self) {
        let bits = std::mem::take(&mut self.char_bits);
        let rows = std::mem::take(&mut self.row_chars);
        let words = self.words;
        for (c, row) in rows.into_iter().zip(bits.chunks_exact(2 * words.max(1))) {
            let slot = self.slot(char_key(c));
            if self.char_long.len() <= slot {
                self.char_long.resize_with(slot + 1, Vec::new);
            }
            let list = &mut self.char_long[slot];
            let (script, body) = row.split_at(words);
            for (w, (&s, &b)) in script.iter().zip(body).enumerate() {
                let mut any = s | b;
                while any != 0 {
                    let bit = any.trailing_zeros();
                    let mut kinds = 0;
                    if (s >> bit) & 1 != 0 {
                        kinds |= u32::from(SCRIPT);
                    }
                    if (b >> bit) & 1 != 0 {
                        kinds |= u32::from(BODY);
                    }
                    let card = self.first_card + u32::try_from(w * 64).unwrap_or(u32::MAX) + bit;
                    list.push((card << 4) | kinds);
                    any &= any - 1;
                }
            }
        }
        self.char_rows = Vec::new();
    }

    /// Adds one occurrence of a pair in a card's long text: `entry` is
    /// `card << 4 | kind`, `pos` its byte offset (`NO_POS` if unknown).
    /// Repeats within a card keep the first position and merge kinds.
    pub fn add_long(&mut self, key: u64, entry: u32, pos: u16) {
        let slot = self.slot(key);
        let count = &mut self.pair_counts[slot];
        let card = long_card(entry) + 1;
        if count.last_card == card {
            self.occurrence_entries[count.last_occurrence as usize] |= entry;
            return;
        }
        count.cards += 1;
        count.last_card = card;
        count.last_occurrence = u32::try_from(self.occurrence_slots.len()).unwrap_or(u32::MAX);
        self.occurrence_slots
            .push(u32::try_from(slot).unwrap_or(u32::MAX));
        self.occurrence_entries.push(entry);
        self.occurrence_pos.push(pos);
    }

    /// Copies every list into flat arrays.
    pub fn finish(self) -> PostingStore {
        let short: usize = self.grams.iter().map(|g| g.cards.len()).sum();
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        // Place every list: its characters' or pairs' entries, in slot order.
        let mut ranges = Vec::with_capacity(self.grams.len());
        let (mut short_at, mut long_at, mut pos_at) = (0u32, 0u32, 0u32);
        for (slot, (g, count)) in self.grams.iter().zip(&self.pair_counts).enumerate() {
            let chars = self.char_long.get(slot).map_or(0, Vec::len);
            let r = Ranges {
                short_start: short_at,
                short_len: to_u32(g.cards.len()),
                long_start: long_at,
                long_len: count.cards + to_u32(chars),
                pos_start: pos_at,
            };
            short_at += r.short_len;
            long_at += r.long_len;
            pos_at += count.cards;
            ranges.push(r);
        }
        let mut store = PostingStore {
            short_cards: Vec::with_capacity(short),
            short_fields: Vec::with_capacity(short),
            short_scores: Vec::with_capacity(short),
            long: vec![0; long_at as usize],
            long_pos: vec![NO_POS; pos_at as usize],
            ..PostingStore::default()
        };
        for ((g, chars), r) in self
            .grams
            .iter()
            .zip(
                self.char_long
                    .iter()
                    .map(Vec::as_slice)
                    .chain(std::iter::repeat(&[][..])),
            )
            .zip(&ranges)
        {
            store.short_cards.extend_from_slice(&g.cards);
            store.short_fields.extend_from_slice(&g.fields);
            store.short_scores.extend_from_slice(&g.scores);
            let at = r.long_start as usize;
            if let Some(place) = store.long.get_mut(at..at + chars.len()) {
                place.copy_from_slice(chars);
            }
        }
        // Scatter the pair occurrences; card order is kept within each list.
        let mut next: Vec<(u32, u32)> =
            ranges.iter().map(|r| (r.long_start, r.pos_start)).collect();
        for ((&slot, &entry), &pos) in self
            .occurrence_slots
            .iter()
            .zip(&self.occurrence_entries)
            .zip(&self.occurrence_pos)
        {
            if let Some((long, at)) = next.get_mut(slot as usize) {
                if let Some(e) = store.long.get_mut(*long as usize) {
                    *e = entry;
                }
                if let Some(p) = store.long_pos.get_mut(*at as usize) {
                    *p = pos;
                }
                *long += 1;
                *at += 1;
            }
        }
        store.ranges = ranges;
        store.slots = self.slots;
        store
    }
}
