//! Scoring candidates and computing highlights for the shown hits.

use std::borrow::Cow;
use std::ops::Range;

use fuzzy_matcher::FuzzyMatcher as _;
use fuzzy_matcher::skim::SkimMatcherV2;
use memchr::memmem::Finder;

use super::fold::fold;
use super::index::{
    ALIAS, BODY, CardText, Index, Posting, SCRIPT, SHORT, ShortField, TITLE, card_of, mask_of,
    posting,
};
use super::pinyin::{self, PinyinMatch, Syllables};
use super::query::{Query, Term};
use super::{Field, Highlight, Hit, Results};
use crate::model::Card;

/// Field weights: title > aliases > scripts > body.
const W_TITLE: u32 = 10;
const W_ALIAS: u32 = 7;
const W_SCRIPT: u32 = 3;
const W_BODY: u32 = 2;
/// Quality of a substring match in a long field.
const LONG_MATCH: u32 = 1000;

/// Buffers reused across searches.
#[derive(Default)]
pub struct Scratch {
    pinyin: pinyin::Scratch,
    matcher: SkimMatcherV2,
}

/// `(card, score)` for every card matching all terms, sorted by card.
pub fn score(
    index: &Index,
    query: &Query,
    within: Option<&[u32]>,
    scratch: &mut Scratch,
) -> Vec<(u32, u32)> {
    let all = || (0..u32::try_from(index.len()).unwrap_or(u32::MAX)).map(|c| (c, 0));
    let mut current: Option<Vec<(u32, u32)>> = within.map(|w| w.iter().map(|&c| (c, 0)).collect());
    if query.is_empty() {
        return current.unwrap_or_else(|| all().collect());
    }
    for term in &query.terms {
        let finder = Finder::new(term.text.as_bytes());
        let literal = literal_candidates(index, term);
        let fuzzy = if term.fuzzy() {
            fuzzy_candidates(index, term)
        } else {
            Vec::new()
        };
        let mut walk = Walk {
            literal: &literal,
            li: 0,
            fuzzy: &fuzzy,
            fi: 0,
        };
        let mut next = Vec::new();
        let mut eval = |card: u32, base: u32, walk: &mut Walk<'_>| {
            let text = &index.cards[card as usize];
            let mut best = 0;
            if let Some(mask) = walk.literal_mask(card) {
                best = literal_score(text, term, &finder, mask);
            }
            if walk.in_fuzzy(card) {
                best = best.max(fuzzy_score(text, term, &scratch.matcher));
            }
            if let Some(letters) = &term.letters {
                best = best.max(pinyin_score(text, letters, &mut scratch.pinyin));
            }
            if best > 0 {
                next.push((card, base + best));
            }
        };
        match &current {
            Some(cards) => {
                for &(card, base) in cards {
                    eval(card, base, &mut walk);
                }
            }
            // Pinyin looks at every card's short fields (cheap bit tests first).
            None if term.letters.is_some() => {
                for (card, base) in all() {
                    eval(card, base, &mut walk);
                }
            }
            None => {
                for card in union(&literal, &fuzzy) {
                    eval(card, 0, &mut walk);
                }
            }
        }
        let done = next.is_empty();
        current = Some(next);
        if done {
            break;
        }
    }
    current.unwrap_or_default()
}

/// Walks sorted candidate lists alongside ascending card numbers.
struct Walk<'a> {
    literal: &'a [Posting],
    li: usize,
    fuzzy: &'a [u32],
    fi: usize,
}

impl Walk<'_> {
    fn literal_mask(&mut self, card: u32) -> Option<u8> {
        self.li = seek(self.literal, self.li, |p| card_of(p) < card);
        let p = *self.literal.get(self.li)?;
        (card_of(p) == card).then(|| mask_of(p))
    }

    fn in_fuzzy(&mut self, card: u32) -> bool {
        self.fi = seek(self.fuzzy, self.fi, |c| c < card);
        self.fuzzy.get(self.fi) == Some(&card)
    }
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

fn union(literal: &[Posting], fuzzy: &[u32]) -> Vec<u32> {
    let mut cards: Vec<u32> = literal.iter().map(|&p| card_of(p)).collect();
    if !fuzzy.is_empty() {
        cards.extend_from_slice(fuzzy);
        cards.sort_unstable();
        cards.dedup();
    }
    cards
}

/// Cards whose fields may contain the term as a substring, with the kinds of
/// field; exact for one or two characters, a superset beyond (checked later).
fn literal_candidates<'i>(index: &'i Index, term: &Term) -> Cow<'i, [Posting]> {
    match term.chars.as_slice() {
        [] => Cow::Borrowed(&[]),
        [c] => Cow::Borrowed(index.postings(*c, None)),
        [a, b] => Cow::Borrowed(index.postings(*a, Some(*b))),
        chars => {
            let mut lists: Vec<&[Posting]> = chars
                .windows(2)
                .map(|w| index.postings(w[0], Some(w[1])))
                .collect();
            lists.sort_by_key(|l| l.len());
            Cow::Owned(intersect(&lists, 0xF))
        }
    }
}

/// Cards whose short fields contain every character of the term.
fn fuzzy_candidates(index: &Index, term: &Term) -> Vec<u32> {
    let mut chars = term.chars.clone();
    chars.sort_unstable();
    chars.dedup();
    let mut lists: Vec<&[Posting]> = chars.iter().map(|&c| index.postings(c, None)).collect();
    lists.sort_by_key(|l| l.len());
    intersect(&lists, SHORT).into_iter().map(card_of).collect()
}

/// Postings present in every list, masks combined with AND (and with `keep`); entries
/// whose mask becomes empty are dropped. `lists` should be shortest first.
fn intersect(lists: &[&[Posting]], keep: u8) -> Vec<Posting> {
    let Some((first, rest)) = lists.split_first() else {
        return Vec::new();
    };
    let mut out: Vec<Posting> = first
        .iter()
        .filter(|&&p| mask_of(p) & keep != 0)
        .map(|&p| posting(card_of(p), mask_of(p) & keep))
        .collect();
    for list in rest {
        let mut at = 0;
        out.retain_mut(|p| {
            let card = card_of(*p);
            at = seek(list, at, |q| card_of(q) < card);
            match list.get(at) {
                Some(&q) if card_of(q) == card => {
                    let mask = mask_of(*p) & mask_of(q);
                    *p = posting(card, mask);
                    mask != 0
                }
                _ => false,
            }
        });
        if out.is_empty() {
            break;
        }
    }
    out
}

fn literal_score(text: &CardText, term: &Term, finder: &Finder<'_>, mask: u8) -> u32 {
    let mut best = 0;
    if mask & TITLE != 0 {
        let title = text.title();
        for pos in finder.find_iter(title.folded.as_bytes()) {
            best = best.max(W_TITLE * substring_quality(&title.folded, pos, 0, title.chars, term));
        }
    }
    if mask & ALIAS != 0 {
        for pos in finder.find_iter(text.alias_blob.as_bytes()) {
            let n = text
                .alias_starts
                .partition_point(|&s| s as usize <= pos)
                .max(1)
                - 1;
            let (Some(&start), Some(alias)) = (text.alias_starts.get(n), text.short.get(n + 1))
            else {
                continue;
            };
            let q = substring_quality(&text.alias_blob, pos, start as usize, alias.chars, term);
            best = best.max(W_ALIAS * q);
        }
    }
    // One or two characters are exact in the postings; longer terms may have
    // their pairs in different places, so look.
    let exact = term.chars.len() <= 2;
    if best < W_SCRIPT * LONG_MATCH
        && mask & SCRIPT != 0
        && (exact || finder.find(text.scripts.as_bytes()).is_some())
    {
        best = W_SCRIPT * LONG_MATCH;
    }
    if best < W_BODY * LONG_MATCH
        && mask & BODY != 0
        && (exact || finder.find(text.body.as_bytes()).is_some())
    {
        best = W_BODY * LONG_MATCH;
    }
    best
}

fn is_separator(c: char) -> bool {
    !c.is_alphanumeric()
}

/// For a match at byte `pos` of `text` in a field starting at byte
/// `field_start` with `field_chars` characters: 1000, +300 at the start of
/// the field, +150 after a separator, up to +200 for covering the field.
fn substring_quality(
    text: &str,
    pos: usize,
    field_start: usize,
    field_chars: usize,
    term: &Term,
) -> u32 {
    let start = if pos == field_start {
        300
    } else if text
        .get(field_start..pos)
        .and_then(|before| before.chars().next_back())
        .is_some_and(is_separator)
    {
        150
    } else {
        0
    };
    1000 + start + coverage(200, term.chars.len(), field_chars)
}

fn coverage(points: u32, part: usize, whole: usize) -> u32 {
    let part = u32::try_from(part).unwrap_or(u32::MAX);
    let whole = u32::try_from(whole.max(1)).unwrap_or(u32::MAX);
    points * part.min(whole) / whole
}

/// Characters in order with gaps, in a title or alias that does not contain
/// the term as a whole: 400–800 by compactness, start and coverage.
fn fuzzy_score(text: &CardText, term: &Term, matcher: &SkimMatcherV2) -> u32 {
    let mut best = 0;
    for (i, field) in text.short.iter().enumerate() {
        if field.folded.contains(&term.text) {
            continue; // the substring path scored it better
        }
        if let Some(indices) = fuzzy_indices(field, term, matcher) {
            let weight = if i == 0 { W_TITLE } else { W_ALIAS };
            best = best.max(weight * scattered_quality(&indices, term, field));
        }
    }
    best
}

fn fuzzy_indices(field: &ShortField, term: &Term, matcher: &SkimMatcherV2) -> Option<Vec<usize>> {
    // Cheap test first: skim is only asked to align what can match.
    let mut rest = field.folded.chars();
    if !term.chars.iter().all(|c| rest.any(|f| f == *c)) {
        return None;
    }
    matcher
        .fuzzy_indices(&field.folded, &term.text)
        .map(|(_, indices)| indices)
        .filter(|indices| indices.len() == term.chars.len())
}

fn scattered_quality(indices: &[usize], term: &Term, field: &ShortField) -> u32 {
    let (Some(&first), Some(&last)) = (indices.first(), indices.last()) else {
        return 0;
    };
    let span = last - first + 1;
    let start = if first == 0 { 100 } else { 0 };
    400 + coverage(300, term.chars.len(), span)
        + start
        + coverage(100, term.chars.len(), field.chars)
}

fn pinyin_score(text: &CardText, letters: &[u8], scratch: &mut pinyin::Scratch) -> u32 {
    // Quick rejections for the whole card before any field.
    if text.initials & pinyin::letter_mask(&letters[..1]) == 0
        || pinyin::letter_mask(letters) & !text.letter_set != 0
    {
        return 0;
    }
    let mut best = 0;
    for (i, field) in text.short.iter().enumerate() {
        if let Some(m) = pinyin::match_letters(letters, &field.syllables, scratch) {
            let weight = if i == 0 { W_TITLE } else { W_ALIAS };
            best = best.max(weight * pinyin_quality(&m, &field.syllables));
        }
    }
    best
}

/// 900 for adjacent syllables (less per skipped one), +300 from the first
/// syllable, up to +200 coverage, up to +100 for spelled-out syllables.
fn pinyin_quality(m: &PinyinMatch, field: &Syllables) -> u32 {
    let gaps = u32::try_from(m.gaps).unwrap_or(u32::MAX);
    let base = if gaps == 0 {
        900
    } else {
        700u32.saturating_sub(60 * gaps.min(100)).max(300)
    };
    let start = if m.syllables.first() == Some(&0) {
        300
    } else {
        0
    };
    let full = u32::try_from(m.full).unwrap_or(4).min(4) * 25;
    base + start + coverage(200, m.syllables.len(), field.len()) + full
}

/// The best `limit` of `scored`, best first, ties in chapter order, with
/// highlights.
pub fn top(
    library: &crate::model::Library,
    index: &Index,
    query: &Query,
    mut scored: Vec<(u32, u32)>,
    limit: usize,
    scratch: &mut Scratch,
) -> Results {
    let total = scored.len();
    let order = |a: &(u32, u32), b: &(u32, u32)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    if limit == 0 {
        scored.clear();
    } else if scored.len() > limit {
        scored.select_nth_unstable_by(limit - 1, order);
        scored.truncate(limit);
    }
    scored.sort_unstable_by(order);
    let hits = scored
        .into_iter()
        .filter_map(|(card, score)| {
            let c = library.cards.get(card as usize)?;
            let text = index.cards.get(card as usize)?;
            Some(Hit {
                card: card as usize,
                score,
                highlights: highlights(c, text, query, false, scratch),
            })
        })
        .collect();
    Results { hits, total }
}

/// Where each term matched in the title and aliases of one card, and with
/// `long` also in its scene, steps, scripts and view.
pub fn highlights(
    card: &Card,
    text: &CardText,
    query: &Query,
    long: bool,
    scratch: &mut Scratch,
) -> Vec<Highlight> {
    let mut out = Vec::new();
    if query.is_empty() {
        return out;
    }
    let mut add = |field: Field, original: &str, short: Option<&ShortField>| {
        let ranges = field_ranges(original, short, query, scratch);
        if !ranges.is_empty() {
            out.push(Highlight { field, ranges });
        }
    };
    add(Field::Title, &card.title, text.short.first());
    for (i, alias) in card.aliases.iter().enumerate() {
        add(Field::Alias { index: i }, alias, text.short.get(i + 1));
    }
    if !long {
        return out;
    }
    for (i, p) in card.scene.iter().enumerate() {
        add(Field::Scene { index: i }, p, None);
    }
    for (i, step) in card.steps.iter().enumerate() {
        add(Field::Step { index: i }, &step.action, None);
        for (j, script) in step.scripts.iter().enumerate() {
            let shown = script.default_text(&card.fields);
            add(Field::Script { step: i, index: j }, &shown, None);
        }
    }
    for (i, p) in card.view.iter().enumerate() {
        add(Field::View { index: i }, p, None);
    }
    out
}

/// Byte ranges in `original` matched by any term. Short fields also get
/// fuzzy and pinyin matches.
fn field_ranges(
    original: &str,
    short: Option<&ShortField>,
    query: &Query,
    scratch: &mut Scratch,
) -> Vec<Range<usize>> {
    let folded = match short {
        Some(f) => Cow::Borrowed(f.folded.as_str()),
        None => Cow::Owned(fold(original)),
    };
    // Byte offset of each character (and the end), in folded and original text.
    let folded_at: Vec<usize> = folded
        .char_indices()
        .map(|(i, _)| i)
        .chain([folded.len()])
        .collect();
    let original_at: Vec<usize> = original
        .char_indices()
        .map(|(i, _)| i)
        .chain([original.len()])
        .collect();
    let mut chars: Vec<Range<usize>> = Vec::new();
    for term in &query.terms {
        let before = chars.len();
        for (pos, _) in folded.match_indices(term.text.as_str()) {
            let start = folded_at.partition_point(|&b| b < pos);
            chars.push(start..start + term.chars.len());
        }
        let Some(field) = short else { continue };
        if chars.len() > before {
            continue;
        }
        if term.fuzzy()
            && let Some(indices) = fuzzy_indices(field, term, &scratch.matcher)
        {
            chars.extend(indices.into_iter().map(|i| i..i + 1));
        }
        if let Some(letters) = &term.letters
            && let Some(m) = pinyin::match_letters(letters, &field.syllables, &mut scratch.pinyin)
        {
            chars.extend(m.syllables.iter().map(|&s| field.syllables.char_range(s)));
        }
    }
    chars.sort_unstable_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in chars {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let last = original_at.len() - 1;
    merged
        .into_iter()
        .map(|r| original_at[r.start.min(last)]..original_at[r.end.min(last)])
        .filter(|r| !r.is_empty())
        .collect()
}
