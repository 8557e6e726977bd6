//! Posting lists of characters and character pairs.
//!
//! Each gram (a character, or two adjacent characters) has a *short* part
//! — cards with it in the title or an alias, which of those fields, and the
//! weighted score a term equal to the gram gets there — and a *long* part:
//! cards with it in scripts or body (`card << 4 | kinds`), and for pairs the
//! byte offset of the first occurrence in the card's long text.
//!
//! Lists are built in blocks inside one arena (no per-list reallocation,
//! lists touched once per batch of cards), then copied once into flat
//! arrays; each gram keeps ranges into them.

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

/// Hash of a gram key; its top bits place it in the pair table and in a
/// batch bucket, so one bucket's keys sit in one region of the table.
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

const BLOCK: usize = 8;
const NONE: u32 = u32::MAX;

/// One gram's title/alias list while building.
#[derive(Debug, Default)]
struct Building {
    cards: Vec<u32>,
    fields: Vec<u8>,
    scores: Vec<u16>,
}

/// One gram's long list while building: first and last block in the
/// arena (`NONE` if empty) and its length. Kept apart from [`Building`] so
/// that the hot loop touches 12 bytes per gram.
#[derive(Clone, Copy, Debug)]
struct Chain {
    head: u32,
    tail: u32,
    len: u32,
}

impl Default for Chain {
    fn default() -> Self {
        Self {
            head: NONE,
            tail: NONE,
            len: 0,
        }
    }
}

/// Blocks of `BLOCK` long entries (and positions), chained per gram.
#[derive(Debug, Default)]
struct Arena {
    entries: Vec<u32>,
    pos: Vec<u16>,
    next: Vec<u32>,
    fill: Vec<u8>,
}

impl Arena {
    fn new_block(&mut self) -> u32 {
        let block = u32::try_from(self.fill.len()).unwrap_or(NONE);
        self.entries.extend_from_slice(&[0; BLOCK]);
        self.pos.extend_from_slice(&[NO_POS; BLOCK]);
        self.next.push(NONE);
        self.fill.push(0);
        block
    }

    /// Appends `entry` to the gram's list, merging kinds when its last
    /// entry is the same card.
    fn push(&mut self, g: &mut Chain, entry: u32, pos: u16) {
        if g.tail != NONE {
            let t = g.tail as usize;
            let last = t * BLOCK + usize::from(self.fill[t]) - 1;
            if long_card(self.entries[last]) == long_card(entry) {
                self.entries[last] |= entry;
                return;
            }
        }
        if g.tail == NONE || usize::from(self.fill[g.tail as usize]) == BLOCK {
            let block = self.new_block();
            if g.tail == NONE {
                g.head = block;
            } else {
                self.next[g.tail as usize] = block;
            }
            g.tail = block;
        }
        let t = g.tail as usize;
        let at = t * BLOCK + usize::from(self.fill[t]);
        self.entries[at] = entry;
        self.pos[at] = pos;
        self.fill[t] += 1;
        g.len += 1;
    }
}

/// `pos` of a character (not pair) gram in a batch.
const CHAR_GRAM: u16 = u16::MAX;
/// Cards per batch.
const BATCH_CARDS: usize = 256;

/// Builds the posting lists of cards added in ascending order.
#[derive(Debug, Default)]
pub struct PostingBuilder {
    slots: Slots,
    grams: Vec<Building>,
    /// Pairs' long lists, in the arena.
    chains: Vec<Chain>,
    arena: Arena,
    /// Characters' long lists, first as bit sets over this builder's cards
    /// (`SCRIPT` words, then `BODY` words), then as lists (`seal`).
    char_bits: Vec<Vec<u64>>,
    char_long: Vec<Vec<u32>>,
    first_card: u32,
    words: usize,
    /// Long-text grams of the last few hundred cards, partitioned by key
    /// hash, so each list is touched once per batch rather than once per
    /// occurrence: `(key, card << 4 | kind, pair position or CHAR_GRAM)`.
    buckets: Vec<Vec<(u64, u32, u16)>>,
    batched: usize,
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
            self.chains.push(Chain::default());
        }
        slot
    }

    /// Reserves room for about `entries` more long entries.
    pub fn reserve(&mut self, entries: usize) {
        let blocks = entries / BLOCK;
        self.arena.entries.reserve(blocks * BLOCK);
        self.arena.pos.reserve(blocks * BLOCK);
        self.arena.next.reserve(blocks);
        self.arena.fill.reserve(blocks);
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
        let slot = self.slot(char_key(c));
        if self.char_bits.len() <= slot {
            self.char_bits.resize_with(slot + 1, Vec::new);
        }
        let bits = &mut self.char_bits[slot];
        if bits.is_empty() {
            *bits = vec![0; 2 * self.words];
        }
        let local = (card - self.first_card) as usize;
        let word = local / 64 + if kind == BODY { self.words } else { 0 };
        if let Some(w) = bits.get_mut(word) {
            *w |= 1 << (local % 64);
        }
    }

    /// Turns the characters' bit sets into lists (call once, at the end).
    pub fn seal(&mut self) {
        self.char_long = self
            .char_bits
            .iter()
            .map(|bits| {
                let mut list = Vec::new();
                if bits.is_empty() {
                    return list;
                }
                let (script, body) = bits.split_at(self.words);
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
                        let card =
                            self.first_card + u32::try_from(w * 64).unwrap_or(u32::MAX) + bit;
                        list.push((card << 4) | kinds);
                        any &= any - 1;
                    }
                }
                list
            })
            .collect();
        self.char_bits = Vec::new();
    }

    /// Adds one occurrence of a pair in a card's long text.
    pub fn add_long(&mut self, key: u64, entry: u32, pos: Option<u16>) {
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); 256];
        }
        let bucket = usize::try_from(key_hash(key) >> 56).unwrap_or(0);
        self.buckets[bucket].push((key, entry, pos.unwrap_or(CHAR_GRAM)));
    }

    /// Call after each card's long text.
    pub fn end_card(&mut self) {
        self.batched += 1;
        if self.batched == BATCH_CARDS {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let mut buckets = std::mem::take(&mut self.buckets);
        for bucket in &mut buckets {
            for &(key, entry, pos) in bucket.iter() {
                let slot = self.slot(key);
                self.arena.push(&mut self.chains[slot], entry, pos);
            }
            bucket.clear();
        }
        self.buckets = buckets;
        self.batched = 0;
    }

    /// Copies every list into flat arrays.
    pub fn finish(mut self) -> PostingStore {
        self.flush();
        let short: usize = self.grams.iter().map(|g| g.cards.len()).sum();
        let long: usize = self.chains.iter().map(|c| c.len as usize).sum::<usize>()
            + self.char_long.iter().map(Vec::len).sum::<usize>();
        let mut store = PostingStore {
            ranges: Vec::with_capacity(self.grams.len()),
            short_cards: Vec::with_capacity(short),
            short_fields: Vec::with_capacity(short),
            short_scores: Vec::with_capacity(short),
            long: Vec::with_capacity(long),
            long_pos: Vec::new(),
            ..PostingStore::default()
        };
        let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        for (slot, ((key, g), chain)) in self
            .slots
            .keys
            .iter()
            .zip(&self.grams)
            .zip(&self.chains)
            .enumerate()
        {
            let pair = is_pair(*key);
            let chars = self.char_long.get(slot).map_or(&[][..], Vec::as_slice);
            let r = Ranges {
                short_start: to_u32(store.short_cards.len()),
                short_len: to_u32(g.cards.len()),
                long_start: to_u32(store.long.len()),
                long_len: chain.len + to_u32(chars.len()),
                pos_start: to_u32(store.long_pos.len()),
            };
            store.long.extend_from_slice(chars);
            store.short_cards.extend_from_slice(&g.cards);
            store.short_fields.extend_from_slice(&g.fields);
            store.short_scores.extend_from_slice(&g.scores);
            let mut block = chain.head;
            while block != NONE {
                let b = block as usize;
                let range = b * BLOCK..b * BLOCK + usize::from(self.arena.fill[b]);
                store
                    .long
                    .extend_from_slice(&self.arena.entries[range.clone()]);
                if pair {
                    store.long_pos.extend_from_slice(&self.arena.pos[range]);
                }
                block = self.arena.next[b];
            }
            store.ranges.push(r);
        }
        store.slots = self.slots;
        store
    }
}
