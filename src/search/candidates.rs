//! Stage 2: for one word of the query, the cards it matches and how well
//! (its best [`WordHit`] in each card).
//!
//! Candidates come from the posting lists (see `index`), so only cards
//! that can match are looked at:
//! - literally: one- and two-character words are ranked from the lists
//!   alone; longer ones intersect their pairs' lists and look where they
//!   line up;
//! - scattered (characters in order with gaps) in a title or alias:
//!   fields holding every character are aligned by fuzzy-matcher;
//! - pinyin letters in a title or alias: the bit-parallel matcher
//!   (`pinyin::PinyinTable`) over cards with a syllable starting with the
//!   first letter;
//! - tolerantly: a Chinese word that matched nothing at all by its
//!   characters' readings (homophones); letters that matched no title or
//!   alias exactly with one letter wrong, missing or extra.

use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem::Finder;

use super::index::{
    BODY, CardText, Index, NO_POS, Postings, SCRIPT, field_bit, long_card, long_kinds,
    short_quality, unpack_short,
};
use super::pinyin::{PinyinState, Syllables, WILDCARD};
use super::query::Word;
use super::segment::Vocabulary;
use super::weights::{
    self, ALIAS, BODY as W_BODY, HOMOPHONE, HOMOPHONE_COVERS, IN_LONG_TEXT, SCATTERED,
    SCATTERED_AT_START, SCATTERED_COMPACT, SCATTERED_COVERS, SCRIPT as W_SCRIPT, TYPO_MIN_LETTERS,
    TYPO_PENALTY, short_field, title_or_alias,
};

/// How one word matched in one card, packed so that a larger value is a
/// better match (the rules' order: exact before typo, contiguous before
/// scattered, then the field's weight, then the quality).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WordHit(u32);

impl WordHit {
    pub fn new(typo: bool, scattered: bool, attribute: u32, quality: u32) -> Self {
        Self(
            (u32::from(!typo) << 31)
                | (u32::from(!scattered) << 30)
                | (attribute.min(0xFF) << 16)
                | quality.min(0xFFFF),
        )
    }

    pub fn typo(self) -> bool {
        self.0 >> 31 == 0
    }

    pub fn scattered(self) -> bool {
        (self.0 >> 30) & 1 == 0
    }

    pub fn attribute(self) -> u32 {
        (self.0 >> 16) & 0xFF
    }

    pub fn quality(self) -> u32 {
        self.0 & 0xFFFF
    }

    /// A word equal to a gram of the short-field postings, as they score it
    /// (see `index::pack_short`).
    fn from_posting(packed: u16) -> Self {
        let (title, quality) = unpack_short(packed);
        Self::new(false, false, title_or_alias(title), quality)
    }

    /// An exact match in a title or alias.
    pub fn exact_short(self) -> bool {
        !self.typo() && self.attribute() >= ALIAS
    }
}

/// `(card, best hit)`, ascending by card, one entry per card.
pub type Hits = Vec<(u32, WordHit)>;

/// Hits of a synonym, as hits of the word it stands for: the same kind
/// of match, one field lower and a little less exact (see
/// `weights::synonym_field`).
pub fn as_synonym(hits: &[(u32, WordHit)]) -> Hits {
    hits.iter()
        .map(|&(card, h)| {
            (
                card,
                WordHit::new(
                    h.typo(),
                    h.scattered(),
                    weights::synonym_field(h.attribute()),
                    h.quality().saturating_sub(weights::SYNONYM_PENALTY),
                ),
            )
        })
        .collect()
}

/// The pinyin states of the title/alias fields still matching some typed
/// letters: typing one more letter only steps these.
#[derive(Clone, Debug, Default)]
struct PinyinScan {
    letters: Vec<u8>,
    /// `(card, field, state)`, ascending by card and field.
    alive: Vec<(u32, u32, PinyinState)>,
}

/// Matches words against an index. Keeps the pinyin scans of the last
/// query's letters so that typing on steps them (a cache: the hits are
/// the same as from scratch).
#[derive(Default)]
pub struct Matcher {
    skim: SkimMatcherV2,
    scans: Vec<PinyinScan>,
    next_scans: Vec<PinyinScan>,
}

impl Matcher {
    pub fn skim(&self) -> &SkimMatcherV2 {
        &self.skim
    }

    /// A word's hits were taken from a cache: keep its scan for the next
    /// query too.
    pub fn reuse(&mut self, word: &Word) {
        if let Some(letters) = word.letters.as_deref()
            && let Some(at) = self.scans.iter().position(|s| s.letters == letters)
        {
            let scan = self.scans.swap_remove(at);
            self.next_scans.push(scan);
        }
    }

    /// Call after each query: its scans are kept for the next one.
    pub fn end_query(&mut self) {
        self.scans = std::mem::take(&mut self.next_scans);
    }

    /// Every card `word` matches, with its best hit there. With
    /// `short_only`, only titles and aliases are looked at.
    pub fn word_hits(&mut self, index: &Index, word: &Word, short_only: bool) -> Hits {
        let mut out = literal_and_scattered(index, word, short_only, &self.skim);
        if let Some(letters) = word.letters.as_deref() {
            let pinyin = if let [c] = letters {
                index
                    .cards_with_initial(*c)
                    .iter()
                    .map(|&(card, packed)| (card, WordHit::from_posting(packed)))
                    .collect()
            } else {
                let from = self
                    .scans
                    .iter()
                    .filter(|s| letters.starts_with(&s.letters))
                    .max_by_key(|s| s.letters.len());
                let scan = pinyin_scan(index, letters, from);
                let hits = scan_hits(index, &scan, false);
                self.next_scans.push(scan);
                hits
            };
            out = merge(&out, &pinyin);
        }
        // Tolerance only where exactness found nothing: a Chinese word found
        // nowhere (a wrong homophone is not in the content), letters that
        // match no title or alias.
        if word.has_readings() && out.is_empty() {
            return homophone_hits(index, word);
        }
        if let Some(l) = word.letters.as_deref()
            && l.len() >= TYPO_MIN_LETTERS
            && !out.iter().any(|(_, h)| h.exact_short())
        {
            out = merge(&out, &typo_hits(index, l));
        }
        out
    }
}

/// A word's literal matches, and for Chinese words of two or more
/// characters its scattered ones in titles and aliases.
fn literal_and_scattered(
    index: &Index,
    word: &Word,
    short_only: bool,
    skim: &SkimMatcherV2,
) -> Hits {
    let mut literal = Literal::new(index, word);
    if short_only {
        literal.long.clear();
    }
    let scattered = if word.scatters() {
        scattered_candidates(index, word)
    } else {
        Vec::new()
    };
    let scattered_cards: Vec<u32> = scattered.iter().map(|&(c, _)| c).collect();
    let mut walk = Walk::default();
    let mut out = Vec::new();
    for card in union(
        &[
            &literal.short_cards(),
            &literal.long_cards(),
            &scattered_cards,
        ],
        index.len(),
    ) {
        let text = &index.cards[card as usize];
        let mut best = literal.hit(card, text, &mut walk);
        if best.is_none()
            && let Some(fields) = value_of(&scattered, &mut walk.scattered, card)
        {
            best = scattered_hit(text, word, fields, skim);
        }
        if let Some(hit) = best {
            out.push((card, hit));
        }
    }
    out
}

/// The fields matching `letters`, stepped on from `from` (a scan of a
/// prefix of them) when there is one.
fn pinyin_scan(index: &Index, letters: &[u8], from: Option<&PinyinScan>) -> PinyinScan {
    let table = &index.pinyin;
    let mut alive = Vec::new();
    match from {
        Some(prev) if !prev.letters.is_empty() => {
            let rest = &letters[prev.letters.len()..];
            for &(card, field, st) in &prev.alive {
                let f = field as usize;
                let st = rest.iter().fold(st, |st, &c| table.step(f, st, c));
                if st.alive() {
                    alive.push((card, field, st));
                }
            }
        }
        _ => {
            if let Some(&first) = letters.first() {
                for &(card, _) in index.cards_with_initial(first) {
                    for f in index.pinyin_fields(card) {
                        let st = table.run(f, letters);
                        if st.alive() {
                            alive.push((card, u32::try_from(f).unwrap_or(u32::MAX), st));
                        }
                    }
                }
            }
        }
    }
    PinyinScan {
        letters: letters.to_vec(),
        alive,
    }
}

/// The best pinyin hit per card of a scan.
fn scan_hits(index: &Index, scan: &PinyinScan, typo: bool) -> Hits {
    let mut out: Hits = Vec::new();
    for &(card, field, st) in &scan.alive {
        let f = field as usize;
        let Some((scattered, q)) = index.pinyin.quality(f, st, scan.letters.len()) else {
            continue;
        };
        let q = if typo {
            q.saturating_sub(TYPO_PENALTY)
        } else {
            q
        };
        let title = index.pinyin_fields(card).start;
        let hit = WordHit::new(typo, scattered, short_field(f - title), q);
        match out.last_mut() {
            Some((c, best)) if *c == card => *best = (*best).max(hit),
            _ => out.push((card, hit)),
        }
    }
    out
}

/// Two hit lists merged, keeping the better hit of a card in both.
pub fn merge(left: &[(u32, WordHit)], right: &[(u32, WordHit)]) -> Hits {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut l, mut r) = (0, 0);
    while let (Some(&x), Some(&y)) = (left.get(l), right.get(r)) {
        match x.0.cmp(&y.0) {
            std::cmp::Ordering::Equal => {
                out.push((x.0, x.1.max(y.1)));
                l += 1;
                r += 1;
            }
            std::cmp::Ordering::Less => {
                out.push(x);
                l += 1;
            }
            std::cmp::Ordering::Greater => {
                out.push(y);
                r += 1;
            }
        }
    }
    out.extend_from_slice(&left[l..]);
    out.extend_from_slice(&right[r..]);
    out
}

/// The union of card lists, ascending, without repeats.
fn union(lists: &[&[u32]], cards: usize) -> Vec<u32> {
    let mut bits = vec![0u64; cards.div_ceil(64)];
    for list in lists {
        for &c in *list {
            if let Some(word) = bits.get_mut(c as usize / 64) {
                *word |= 1 << (c % 64);
            }
        }
    }
    let mut out = Vec::new();
    for (w, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            let bit = word.trailing_zeros();
            out.push(u32::try_from(w * 64).unwrap_or(u32::MAX) + bit);
            word &= word - 1;
        }
    }
    out
}

/// Positions in sorted lists, advanced alongside ascending card numbers.
#[derive(Default)]
struct Walk {
    short: usize,
    long: usize,
    scattered: usize,
}

/// The value `card` has in `list` (ascending by card), searching on from
/// `*at` and leaving `*at` there for the next, larger card.
fn value_of<V: Copy>(list: &[(u32, V)], at: &mut usize, card: u32) -> Option<V> {
    *at = seek(list, *at, |(c, _)| c < card);
    list.get(*at).filter(|&&(c, _)| c == card).map(|&(_, v)| v)
}

/// First index at or after `from` where `before` is false (galloping search).
fn seek<T: Copy>(list: &[T], from: usize, before: impl Fn(T) -> bool) -> usize {
    let mut step = 1;
    let mut lo = from;
    let mut hi = from;
    while hi < list.len() && before(list[hi]) {
        lo = hi + 1;
        hi += step;
        step *= 2;
    }
    let hi = hi.min(list.len());
    lo + list[lo..hi].partition_point(|&x| before(x))
}

/// A word's literal (substring) matches, from the posting lists.
struct Literal<'i> {
    word: &'i Word,
    finder: Finder<'i>,
    /// `(card, (packed hit, fields))` in titles/aliases; the hit is exact
    /// for ≤ 2 characters, longer words are looked for in `fields` (see
    /// `index::field_bit`).
    short: Vec<(u32, (u16, u8))>,
    /// Cards with it (or, for longer words, all its pairs) in scripts/body.
    long: Vec<(u32, Long)>,
}

/// What the postings tell about a word in a card's scripts/body.
#[derive(Clone, Copy, Debug)]
enum Long {
    /// In these kinds of field (`SCRIPT`, `BODY`).
    Kinds(u8),
    /// Found at this byte of the card's long text; with `maybe_script`,
    /// another occurrence may be in the scripts.
    At { byte: u16, maybe_script: bool },
    /// Its pairs are there, but not found at their first places: look.
    Unknown,
}

impl<'i> Literal<'i> {
    fn new(index: &'i Index, word: &'i Word) -> Self {
        let finder = Finder::new(word.text.as_bytes());
        let empty = |finder| Self {
            word,
            finder,
            short: Vec::new(),
            long: Vec::new(),
        };
        let (short, long) = match word.chars.as_slice() {
            [] => return empty(finder),
            [c] => from_postings(index.char_postings(*c)),
            [a, b] => from_postings(index.pair_postings(*a, *b)),
            chars => {
                let Some(lists) = pair_lists(index, chars) else {
                    return empty(finder);
                };
                let short = intersect_short(&lists)
                    .into_iter()
                    .map(|(c, fields)| (c, (0, fields)))
                    .collect();
                (short, intersect_long(index, word, &lists))
            }
        };
        Self {
            word,
            finder,
            short,
            long,
        }
    }

    fn short_cards(&self) -> Vec<u32> {
        self.short.iter().map(|&(c, _)| c).collect()
    }

    fn long_cards(&self) -> Vec<u32> {
        self.long.iter().map(|&(c, _)| c).collect()
    }

    fn hit(&self, card: u32, text: &CardText, walk: &mut Walk) -> Option<WordHit> {
        if let Some((packed, fields)) = value_of(&self.short, &mut walk.short, card) {
            let hit = if self.word.chars.len() <= 2 {
                Some(WordHit::from_posting(packed))
            } else {
                short_fields_hit(text, self.word, fields)
            };
            if hit.is_some() {
                return hit; // a title or alias beats any long field
            }
        }
        let long = value_of(&self.long, &mut walk.long, card)?;
        let kinds = match long {
            Long::Kinds(kinds) => kinds,
            Long::At { byte, maybe_script } => {
                let kind = text.kind_at_byte(usize::from(byte));
                let scripts = &text.long.as_bytes()[..text.scripts_bytes];
                if kind == BODY && maybe_script && self.finder.find(scripts).is_some() {
                    SCRIPT
                } else {
                    kind
                }
            }
            Long::Unknown => self
                .finder
                .find(text.long.as_bytes())
                .map_or(0, |pos| text.kind_at_byte(pos)),
        };
        if kinds & SCRIPT != 0 {
            Some(WordHit::new(false, false, W_SCRIPT, IN_LONG_TEXT))
        } else if kinds & BODY != 0 {
            Some(WordHit::new(false, false, W_BODY, IN_LONG_TEXT))
        } else {
            None
        }
    }
}

fn pair_lists<'i>(index: &'i Index, chars: &[char]) -> Option<Vec<Postings<'i>>> {
    chars
        .windows(2)
        .map(|w| index.pair_postings(w[0], w[1]))
        .collect()
}

/// A word's title/alias candidates `(card, (packed hit, fields))` and its
/// scripts/body candidates.
type Candidates = (Vec<(u32, (u16, u8))>, Vec<(u32, Long)>);

fn from_postings(p: Option<Postings<'_>>) -> Candidates {
    let Some(p) = p else {
        return (Vec::new(), Vec::new());
    };
    let short = p
        .short_cards
        .iter()
        .zip(p.short_scores)
        .zip(p.short_fields)
        .map(|((&c, &s), &f)| (c, (s, f)))
        .collect();
    let long = p
        .long
        .iter()
        .map(|&l| (long_card(l), Long::Kinds(long_kinds(l))))
        .collect();
    (short, long)
}

/// Cards with one title or alias holding every gram of `lists`, with a
/// mask of those fields (see `index::field_bit`).
fn intersect_short(lists: &[Postings<'_>]) -> Vec<(u32, u8)> {
    let mut order: Vec<Postings<'_>> = lists.to_vec();
    order.sort_by_key(|p| p.short_cards.len());
    let Some((first, rest)) = order.split_first() else {
        return Vec::new();
    };
    let mut out: Vec<(u32, u8)> = first
        .short_cards
        .iter()
        .copied()
        .zip(first.short_fields.iter().copied())
        .collect();
    for p in rest {
        let mut at = 0;
        out.retain_mut(|(c, fields)| {
            at = seek(p.short_cards, at, |x| x < *c);
            if p.short_cards.get(at) != Some(c) {
                return false;
            }
            *fields &= p.short_fields.get(at).copied().unwrap_or(0);
            *fields != 0
        });
    }
    out
}

/// Where a word of three or more characters may be in one card's
/// scripts/body: `Some(Long)` when the card has every pair.
struct LongWalk<'a, 'i> {
    lists: &'a [Postings<'i>],
    offsets: Vec<usize>,
    at: Vec<usize>,
    starts: Vec<Option<usize>>,
}

impl<'a, 'i> LongWalk<'a, 'i> {
    fn new(word: &str, lists: &'a [Postings<'i>]) -> Self {
        Self {
            lists,
            // Byte offset of each pair's first character within the word.
            offsets: word.char_indices().map(|(i, _)| i).collect(),
            at: vec![0; lists.len()],
            starts: vec![None; lists.len()],
        }
    }

    /// `None` when some pair is not in `card`; else where the pairs' first
    /// occurrences say the word starts (aligned), or `Some(None)`.
    fn visit(&mut self, card: u32) -> Option<(u8, Option<usize>)> {
        let mut kinds = SCRIPT | BODY;
        for (i, p) in self.lists.iter().enumerate() {
            self.at[i] = seek(p.long, self.at[i], |l| long_card(l) < card);
            let l = *p.long.get(self.at[i])?;
            if long_card(l) != card {
                return None;
            }
            kinds &= long_kinds(l);
            let pos = p.long_pos.get(self.at[i]).copied().unwrap_or(NO_POS);
            self.starts[i] = (pos != NO_POS)
                .then(|| usize::from(pos).checked_sub(self.offsets.get(i).copied().unwrap_or(0)))
                .flatten();
        }
        let aligned = self.starts[0].is_some() && self.starts.iter().all(|s| *s == self.starts[0]);
        Some((kinds, if aligned { self.starts[0] } else { None }))
    }
}

/// Cards with every pair in scripts/body. Where the pairs' first
/// occurrences line up, the word is there; else it is looked for where each
/// pair first occurs (enough for phrases); if not found there, `Unknown`.
fn intersect_long(index: &Index, word: &Word, lists: &[Postings<'_>]) -> Vec<(u32, Long)> {
    let Some(shortest) = lists.iter().min_by_key(|p| p.long.len()) else {
        return Vec::new();
    };
    let needle = word.text.as_bytes();
    let mut walk = LongWalk::new(&word.text, lists);
    let mut out = Vec::new();
    for &entry in shortest.long {
        let card = long_card(entry);
        let Some((kinds, aligned)) = walk.visit(card) else {
            continue;
        };
        let found = aligned.or_else(|| {
            let long = index
                .cards
                .get(card as usize)
                .map_or(&[][..], |c| c.long.as_bytes());
            walk.starts
                .iter()
                .flatten()
                .copied()
                .find(|&s| long.get(s..).is_some_and(|rest| rest.starts_with(needle)))
        });
        let long = match found.and_then(|b| u16::try_from(b).ok()) {
            Some(byte) => Long::At {
                byte,
                maybe_script: kinds & SCRIPT != 0,
            },
            None => Long::Unknown,
        };
        out.push((card, long));
    }
    out
}

/// At most this many cards are searched through to decide whether a piece
/// of a query occurs in the content (where the posting lists do not
/// already show it).
const OCCURS_LOOKS: usize = 16;

impl Vocabulary for Index {
    fn occurs(&self, word: &[char]) -> bool {
        match word {
            [] => false,
            [c] => self.char_postings(*c).is_some(),
            [a, b] => self.pair_postings(*a, *b).is_some(),
            chars => {
                let Some(lists) = pair_lists(self, chars) else {
                    return false;
                };
                let text: String = chars.iter().collect();
                let in_short = intersect_short(&lists).into_iter().any(|(card, fields)| {
                    self.cards.get(card as usize).is_some_and(|t| {
                        t.short.iter().enumerate().any(|(f, field)| {
                            fields & field_bit(f) != 0 && field.folded.contains(&text)
                        })
                    })
                });
                if in_short {
                    return true;
                }
                let Some(shortest) = lists.iter().min_by_key(|p| p.long.len()) else {
                    return false;
                };
                let finder = Finder::new(text.as_bytes());
                let mut walk = LongWalk::new(&text, &lists);
                let mut looks = 0;
                for &entry in shortest.long {
                    let card = long_card(entry);
                    match walk.visit(card) {
                        None => {}
                        Some((_, Some(_))) => return true,
                        Some((_, None)) => {
                            looks += 1;
                            if looks > OCCURS_LOOKS {
                                return false;
                            }
                            let found = self
                                .cards
                                .get(card as usize)
                                .is_some_and(|c| finder.find(c.long.as_bytes()).is_some());
                            if found {
                                return true;
                            }
                        }
                    }
                }
                false
            }
        }
    }
}

/// A word of three or more characters in the title or aliases (only the
/// `fields` that hold all its pairs are looked at).
fn short_fields_hit(text: &CardText, word: &Word, fields: u8) -> Option<WordHit> {
    let mut best = None;
    for (f, field) in text.short.iter().enumerate() {
        if fields & field_bit(f) == 0 {
            continue;
        }
        for (pos, _) in field.folded.match_indices(word.text.as_str()) {
            let before = &field.folded[..pos];
            let at = before.chars().count();
            let q = short_quality(
                field.chars,
                at,
                before.chars().next_back(),
                word.chars.len(),
            );
            best = best.max(Some(WordHit::new(false, false, short_field(f), q)));
        }
    }
    best
}

/// Cards with a title or alias containing every character of the word,
/// with a mask of those fields (see `index::field_bit`).
fn scattered_candidates(index: &Index, word: &Word) -> Vec<(u32, u8)> {
    let mut chars = word.chars.clone();
    chars.sort_unstable();
    chars.dedup();
    match chars
        .iter()
        .map(|&c| index.char_postings(c))
        .collect::<Option<Vec<_>>>()
    {
        Some(lists) => intersect_short(&lists),
        None => Vec::new(),
    }
}

/// Characters in order with gaps in a title or alias (fuzzy-matcher
/// aligns them), scored by compactness, start and coverage.
fn scattered_hit(
    text: &CardText,
    word: &Word,
    fields: u8,
    skim: &SkimMatcherV2,
) -> Option<WordHit> {
    let mut best = None;
    for (f, field) in text.short.iter().enumerate() {
        if fields & field_bit(f) == 0 {
            continue;
        }
        if let Some(indices) = scattered_indices(skim, &field.folded, &word.text) {
            let q = scattered_quality(&indices, word.chars.len(), field.chars);
            best = best.max(Some(WordHit::new(false, true, short_field(f), q)));
        }
    }
    best
}

/// Character indices where `word`'s characters occur in order in `field`
/// (fuzzy-matcher's alignment), or `None`.
pub fn scattered_indices(skim: &SkimMatcherV2, field: &str, word: &str) -> Option<Vec<usize>> {
    use fuzzy_matcher::FuzzyMatcher as _;
    skim.fuzzy_indices(field, word).map(|(_, indices)| indices)
}

/// `SCATTERED` + compactness + start + coverage.
fn scattered_quality(indices: &[usize], word_chars: usize, field_chars: usize) -> u32 {
    let (Some(&first), Some(&last)) = (indices.first(), indices.last()) else {
        return 0;
    };
    let span = last - first + 1;
    SCATTERED
        + weights::coverage(SCATTERED_COMPACT, word_chars, span)
        + if first == 0 { SCATTERED_AT_START } else { 0 }
        + weights::coverage(SCATTERED_COVERS, word_chars, field_chars)
}

/// Homophones: titles and aliases with the word's readings on adjacent
/// syllables (`差平` → 客户给柜员差评).
fn homophone_hits(index: &Index, word: &Word) -> Hits {
    // Candidates: cards with a syllable read like each character.
    let mut cards: Option<Vec<u32>> = None;
    for readings in &word.readings {
        let mut these: Vec<u32> = readings
            .iter()
            .flat_map(|r| index.cards_with_syllable(r.as_bytes()).iter().copied())
            .collect();
        these.sort_unstable();
        these.dedup();
        cards = Some(match cards {
            None => these,
            Some(so_far) => {
                let mut at = 0;
                so_far
                    .into_iter()
                    .filter(|&c| {
                        at = seek(&these, at, |x| x < c);
                        these.get(at) == Some(&c)
                    })
                    .collect()
            }
        });
    }
    let cards = cards.unwrap_or_default();
    let mut out = Vec::new();
    for card in cards {
        let Some(text) = index.cards.get(card as usize) else {
            continue;
        };
        let mut best = None;
        for (f, field) in text.short.iter().enumerate() {
            if homophone_at(&field.syllables, &word.readings).is_some() {
                let q =
                    HOMOPHONE + weights::coverage(HOMOPHONE_COVERS, word.chars.len(), field.chars);
                best = best.max(Some(WordHit::new(true, false, short_field(f), q)));
            }
        }
        if let Some(hit) = best {
            out.push((card, hit));
        }
    }
    out
}

/// The first syllable of a run of adjacent syllables read as `readings`
/// (one set of readings per character).
pub fn homophone_at(syllables: &Syllables, readings: &[Vec<String>]) -> Option<usize> {
    let n = readings.len();
    if n == 0 || syllables.len() < n {
        return None;
    }
    // Each character needs a syllable with one of its readings' initials.
    let initial = |r: &String| {
        r.bytes()
            .next()
            .map_or(0, |b| 1u32 << (b.wrapping_sub(b'a') & 31))
    };
    let possible = readings
        .iter()
        .all(|options| options.iter().any(|r| syllables.initials & initial(r) != 0));
    if !possible {
        return None;
    }
    (0..=syllables.len() - n).find(|&start| {
        readings.iter().enumerate().all(|(k, options)| {
            let s = syllables.syllable(start + k);
            options.iter().any(|r| r.as_bytes() == s)
        })
    })
}

/// Every way to make one typo in `letters`: a letter left out, a letter
/// replaced, a letter missing (`WILDCARD` stands for any letter). The first
/// letter is kept where it can be.
pub fn typo_variants(letters: &[u8]) -> Vec<Vec<u8>> {
    let n = letters.len();
    let mut out = Vec::with_capacity(3 * n);
    for i in 0..n {
        let mut v = letters.to_vec();
        v.remove(i);
        out.push(v);
    }
    for i in 1..n {
        let mut v = letters.to_vec();
        v[i] = WILDCARD;
        out.push(v);
    }
    for i in 1..=n {
        let mut v = letters.to_vec();
        v.insert(i, WILDCARD);
        out.push(v);
    }
    out.sort();
    out.dedup();
    out
}

/// Titles and aliases matching `letters` with one typo.
fn typo_hits(index: &Index, letters: &[u8]) -> Hits {
    let mut out: Hits = Vec::new();
    for variant in typo_variants(letters) {
        let scan = pinyin_scan(index, &variant, None);
        out = merge(&out, &scan_hits(index, &scan, true));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::weights::TITLE;
    use super::*;

    #[test]
    fn word_hits_order_by_the_rules() {
        let exact_body = WordHit::new(false, false, W_BODY, 1000);
        let scattered_title = WordHit::new(false, true, TITLE, 1500);
        let typo_title = WordHit::new(true, false, TITLE, 1500);
        let title = WordHit::new(false, false, TITLE, 1000);
        let title_start = WordHit::new(false, false, TITLE, 1300);
        assert!(exact_body > scattered_title, "contiguous beats scattered");
        assert!(scattered_title > typo_title, "exact beats a typo");
        assert!(title > exact_body, "title beats body");
        assert!(title_start > title);
        assert!(typo_title.typo() && !typo_title.scattered());
        assert_eq!(title_start.attribute(), TITLE);
        assert_eq!(title_start.quality(), 1300);
    }

    #[test]
    fn typo_variants_cover_one_edit() {
        let v = typo_variants(b"qhcv");
        assert!(v.contains(&b"qhc".to_vec()), "extra letter");
        assert!(v.contains(&b"qhc?".to_vec()), "wrong letter");
        assert!(v.contains(&b"q?hcv".to_vec()), "missing letter");
        assert!(v.iter().all(|x| x.first() != Some(&WILDCARD)));
    }

    #[test]
    fn homophones_by_readings() {
        let syl = Syllables::of("客户给柜员差评");
        let readings = |s: &[&[&str]]| -> Vec<Vec<String>> {
            s.iter()
                .map(|r| r.iter().map(|&x| x.to_owned()).collect())
                .collect()
        };
        assert_eq!(
            homophone_at(&syl, &readings(&[&["cha", "chai"], &["ping"]])),
            Some(5)
        );
        assert_eq!(homophone_at(&syl, &readings(&[&["ping"], &["cha"]])), None);
    }

    #[test]
    fn merge_keeps_the_better_hit() {
        let a = vec![
            (1, WordHit::new(false, false, 2, 1)),
            (3, WordHit::new(true, false, 10, 1)),
        ];
        let b = vec![
            (2, WordHit::new(true, false, 7, 1)),
            (3, WordHit::new(false, false, 2, 1)),
        ];
        let m = merge(&a, &b);
        assert_eq!(m.iter().map(|x| x.0).collect::<Vec<_>>(), [1, 2, 3]);
        assert!(!m[2].1.typo());
    }
}
