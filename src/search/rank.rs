//! Scoring: every card matching all terms gets a score; the best few get
//! highlights.
//!
//! Per term, a card's score is its best field: literal (from the posting
//! lists, see `index`), scattered in a title or alias (the tightest
//! in-order occurrence, see `tightest`), or pinyin (bit-parallel, see
//! `pinyin::PinyinTable`).

use std::ops::Range;

use memchr::memmem::Finder;

use super::fold::fold;
use super::index::{
    BODY, CardText, Index, LONG_MATCH, NO_POS, Postings, SCRIPT, ShortField, W_BODY, W_SCRIPT,
    W_TITLE, coverage, field_bit, field_weight, long_card, long_kinds, short_quality,
};
use super::pinyin::{self, PinyinState};
use super::query::{Query, Term};
use super::{Field, Highlight, Hit, Results};
use crate::model::Card;

/// Buffers reused across searches.
#[derive(Default)]
pub struct Scratch {
    dp: pinyin::Scratch,
}

/// The cards matching a query, kept so that the next keystroke can narrow.
#[derive(Debug, Default)]
pub struct Matched {
    pub query: Query,
    /// Ascending card numbers.
    pub cards: Vec<u32>,
    /// Score of every term but the last, per card.
    base: Vec<u32>,
    /// Score of the last term, per card.
    last: Vec<u32>,
    /// Each short field's pinyin state after the letters `states_for`,
    /// indexed like `Index::pinyin` (valid for `cards` only).
    states: Vec<PinyinState>,
    states_for: Option<Vec<u8>>,
}

impl Matched {
    pub fn scores(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.cards
            .iter()
            .zip(self.base.iter().zip(&self.last))
            .map(|(&c, (&b, &l))| (c, b + l))
    }
}

/// Scores every card matching `query`; `previous` (the last keystroke's
/// result) is used to look only at its cards when `query` narrows it.
pub fn score(index: &Index, query: Query, previous: Option<Matched>) -> Matched {
    let mut previous = previous;
    // The pinyin states buffer lives as long as the searcher.
    let mut states = previous
        .as_mut()
        .map(|p| std::mem::take(&mut p.states))
        .unwrap_or_default();
    if states.len() != index.pinyin.len() {
        states = vec![PinyinState::default(); index.pinyin.len()];
    }
    let n_terms = query.terms.len();
    if n_terms == 0 {
        let cards: Vec<u32> = (0..u32::try_from(index.len()).unwrap_or(u32::MAX)).collect();
        return Matched {
            query,
            base: vec![0; cards.len()],
            last: vec![0; cards.len()],
            cards,
            states,
            states_for: None,
        };
    }

    // Where to start: from scratch, or from the previous keystroke's cards.
    let previous = previous.filter(|p| !p.query.is_empty() && query.narrows(&p.query));
    let (from_term, mut candidates, resume) = match previous {
        None => (0, None, None),
        Some(p) => {
            let k = p.query.terms.len();
            if query.terms[k - 1] == p.query.terms[k - 1] {
                if k == n_terms {
                    // The same query again.
                    return Matched { query, states, ..p };
                }
                // Terms appended: the old ones keep their scores.
                (k, Some(p.scores().collect::<Vec<_>>()), None)
            } else {
                // The last term was extended: rescore it on its cards,
                // typing on from the stored pinyin states.
                let resume = match (&p.states_for, &query.terms[k - 1].letters) {
                    (Some(old), Some(new)) if new.starts_with(old) => Some(old.clone()),
                    _ => None,
                };
                let cards = p
                    .cards
                    .iter()
                    .copied()
                    .zip(p.base.iter().copied())
                    .collect();
                (k - 1, Some(cards), resume)
            }
        }
    };

    let mut scored = Vec::new();
    for t in from_term..n_terms {
        let resume_here = if t == from_term {
            resume.as_deref()
        } else {
            None
        };
        scored = score_term(
            index,
            &query.terms[t],
            candidates.as_deref(),
            resume_here,
            &mut states,
        );
        if t + 1 < n_terms {
            if scored.is_empty() {
                break;
            }
            candidates = Some(scored.iter().map(|&(c, prior, s)| (c, prior + s)).collect());
            scored.clear();
        }
    }
    // One letter is scored from the index; longer ones leave their states.
    let states_for = query.terms[n_terms - 1]
        .letters
        .clone()
        .filter(|l| l.len() > 1);
    Matched {
        query,
        cards: scored.iter().map(|&(c, _, _)| c).collect(),
        base: scored.iter().map(|&(_, b, _)| b).collect(),
        last: scored.iter().map(|&(_, _, s)| s).collect(),
        states,
        states_for,
    }
}

/// Scores one term on `candidates` (`(card, score so far)`, ascending), or
/// on every card that can match when `None`. Returns `(card, score so far,
/// term score)` for the cards where it matches.
fn score_term(
    index: &Index,
    term: &Term,
    candidates: Option<&[(u32, u32)]>,
    resume: Option<&[u8]>,
    states: &mut [PinyinState],
) -> Vec<(u32, u32, u32)> {
    let literal = Literal::new(index, term);
    let fuzzy = if term.fuzzy() {
        fuzzy_candidates(index, term)
    } else {
        Vec::new()
    };
    // A single letter: the index has every card's score for it.
    let initials = match term.letters.as_deref() {
        Some(&[c]) => index.cards_with_initial(c),
        _ => &[],
    };
    let mut walk = Walk::default();
    let mut out = Vec::new();
    let mut eval = |card: u32, prior: u32, walk: &mut Walk| {
        let text = &index.cards[card as usize];
        let mut best = literal.score(card, text, walk);
        if best < W_TITLE * MAX_SCATTERED
            && let Some(fields) = value_of(&fuzzy, &mut walk.fuzzy, card)
        {
            best = best.max(fuzzy_score(text, term, fields, best));
        }
        match term.letters.as_deref() {
            Some([_]) => {
                let score = value_of(initials, &mut walk.initial, card);
                best = best.max(score.map_or(0, u32::from));
            }
            Some(letters) => best = best.max(pinyin_score(index, card, letters, resume, states)),
            None => {}
        }
        if best > 0 {
            out.push((card, prior, best));
        }
    };
    if let Some(cards) = candidates {
        for &(card, prior) in cards {
            eval(card, prior, &mut walk);
        }
    } else {
        let with_initial = match term.letters.as_deref() {
            Some(letters) => index.cards_with_initial(letters[0]),
            None => &[],
        };
        let with_initial: Vec<u32> = with_initial.iter().map(|&(c, _)| c).collect();
        let (short, long) = (literal.short_cards(), literal.long_cards());
        let fuzzy_cards: Vec<u32> = fuzzy.iter().map(|&(c, _)| c).collect();
        for card in union(&[&short, &long, &fuzzy_cards, &with_initial], index.len()) {
            eval(card, 0, &mut walk);
        }
    }
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
    fuzzy: usize,
    initial: usize,
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

/// A term's literal (substring) matches, from the posting lists.
struct Literal<'i> {
    term: &'i Term,
    finder: Finder<'i>,
    /// `(card, (weighted score, fields))` in titles/aliases; the score is
    /// exact for ≤ 2 characters, longer terms are looked for in `fields`
    /// (see `index::field_bit`).
    short: Vec<(u32, (u16, u8))>,
    /// Cards with it (or, for longer terms, all its pairs) in scripts/body.
    long: Vec<(u32, Long)>,
}

/// A term's title/alias candidates `(card, (score, fields))` and
/// scripts/body candidates.
type Candidates = (Vec<(u32, (u16, u8))>, Vec<(u32, Long)>);

/// What the postings tell about a term in a card's scripts/body.
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
    fn new(index: &'i Index, term: &'i Term) -> Self {
        let finder = Finder::new(term.text.as_bytes());
        let (short, long) = match term.chars.as_slice() {
            [] => (Vec::new(), Vec::new()),
            [c] => from_postings(index.char_postings(*c)),
            [a, b] => from_postings(index.pair_postings(*a, *b)),
            chars => {
                let lists: Vec<Postings<'_>> = match chars
                    .windows(2)
                    .map(|w| index.pair_postings(w[0], w[1]))
                    .collect::<Option<Vec<_>>>()
                {
                    Some(lists) => lists,
                    None => {
                        return Self {
                            term,
                            finder,
                            short: Vec::new(),
                            long: Vec::new(),
                        };
                    }
                };
                let short = intersect_short(&lists)
                    .into_iter()
                    .map(|(c, fields)| (c, (0, fields)))
                    .collect();
                (short, intersect_long(index, term, &lists))
            }
        };
        Self {
            term,
            finder,
            short,
            long,
        }
    }

    /// Cards that may match in titles/aliases, ascending.
    fn short_cards(&self) -> Vec<u32> {
        self.short.iter().map(|&(c, _)| c).collect()
    }

    /// Cards that may match in scripts/body, ascending.
    fn long_cards(&self) -> Vec<u32> {
        self.long.iter().map(|&(c, _)| c).collect()
    }

    fn score(&self, card: u32, text: &CardText, walk: &mut Walk) -> u32 {
        let exact = self.term.chars.len() <= 2;
        let mut best = 0;
        if let Some((s, fields)) = value_of(&self.short, &mut walk.short, card) {
            best = if exact {
                u32::from(s)
            } else {
                short_fields_score(text, self.term, fields)
            };
        }
        if best >= W_SCRIPT * LONG_MATCH {
            return best;
        }
        if let Some(long) = value_of(&self.long, &mut walk.long, card) {
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
                best = best.max(W_SCRIPT * LONG_MATCH);
            } else if kinds & BODY != 0 {
                best = best.max(W_BODY * LONG_MATCH);
            }
        }
        best
    }
}

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

/// Cards with every pair in scripts/body. Where the pairs' first
/// occurrences line up, the term is there; else it is looked for where each
/// pair first occurs (enough for phrases); if not found there, `Unknown`.
fn intersect_long(index: &Index, term: &Term, lists: &[Postings<'_>]) -> Vec<(u32, Long)> {
    let Some(shortest) = lists.iter().min_by_key(|p| p.long.len()) else {
        return Vec::new();
    };
    // Byte offset of each pair's first character within the term.
    let offsets: Vec<usize> = term.text.char_indices().map(|(i, _)| i).collect();
    let needle = term.text.as_bytes();
    let mut at = vec![0usize; lists.len()];
    let mut starts = vec![None; lists.len()];
    let mut out = Vec::new();
    'cards: for &entry in shortest.long {
        let card = long_card(entry);
        let mut kinds = SCRIPT | BODY;
        for (i, p) in lists.iter().enumerate() {
            at[i] = seek(p.long, at[i], |l| long_card(l) < card);
            match p.long.get(at[i]) {
                None => break 'cards,
                Some(&l) if long_card(l) != card => continue 'cards,
                Some(&l) => kinds &= long_kinds(l),
            }
            let pos = p.long_pos.get(at[i]).copied().unwrap_or(NO_POS);
            starts[i] = (pos != NO_POS)
                .then(|| usize::from(pos).checked_sub(offsets.get(i).copied().unwrap_or(0)))
                .flatten();
        }
        let aligned = starts[0].is_some() && starts.iter().all(|s| *s == starts[0]);
        let found = if aligned {
            starts[0]
        } else {
            let long = index
                .cards
                .get(card as usize)
                .map_or(&[][..], |c| c.long.as_bytes());
            starts
                .iter()
                .flatten()
                .copied()
                .find(|&s| long.get(s..).is_some_and(|rest| rest.starts_with(needle)))
        };
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

/// A term of three or more characters in the title or aliases (only the
/// `fields` that hold all its pairs are looked at).
fn short_fields_score(text: &CardText, term: &Term, fields: u8) -> u32 {
    let mut best = 0;
    for (f, field) in text.short.iter().enumerate() {
        if fields & field_bit(f) == 0 {
            continue;
        }
        let weight = field_weight(f);
        for (pos, _) in field.folded.match_indices(term.text.as_str()) {
            let before = &field.folded[..pos];
            let at = before.chars().count();
            let q = short_quality(
                field.chars,
                at,
                before.chars().next_back(),
                term.chars.len(),
            );
            best = best.max(weight * q);
        }
    }
    best
}

/// Cards with a title or alias containing every character of the term,
/// with a mask of those fields (see `index::field_bit`).
fn fuzzy_candidates(index: &Index, term: &Term) -> Vec<(u32, u8)> {
    let mut chars = term.chars.clone();
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

/// Characters in order with gaps, in a title or alias that does not contain
/// the term as a whole: 400–800 by compactness, start and coverage.
/// Only the fields in `fields` that could beat `so_far` are aligned.
fn fuzzy_score(text: &CardText, term: &Term, fields: u8, so_far: u32) -> u32 {
    let mut best = so_far;
    for (i, field) in text.short.iter().enumerate() {
        let weight = field_weight(i);
        if fields & field_bit(i) == 0
            || weight * MAX_SCATTERED <= best
            || field.folded.contains(&term.text)
        {
            continue; // lacks a character, cannot win, or scored as a substring
        }
        if let Some((first, span)) = tightest(&field.folded, &term.chars) {
            best = best.max(weight * scattered_quality(first, span, term, field));
        }
    }
    best
}

/// The most a scattered match can score (before weighting).
const MAX_SCATTERED: u32 = 800;

/// The tightest place where `term`'s characters occur in order in `field`:
/// `(first character index, span in characters)`.
fn tightest(field: &str, term: &[char]) -> Option<(usize, usize)> {
    let (&head, rest) = term.split_first()?;
    let mut best: Option<(usize, usize)> = None;
    for (start, c) in field.chars().enumerate() {
        if c != head {
            continue;
        }
        let mut after = field.chars().enumerate().skip(start + 1);
        let mut end = start;
        for &t in rest {
            match after.find(|&(_, c)| c == t) {
                Some((i, _)) => end = i,
                None => return best, // a later start cannot succeed either
            }
        }
        let span = end - start + 1;
        if best.is_none_or(|(_, s)| span < s) {
            best = Some((start, span));
        }
    }
    best
}

/// Character indices of the tightest in-order occurrence, for highlights.
fn tightest_indices(field: &str, term: &[char]) -> Option<Vec<usize>> {
    let (first, _) = tightest(field, term)?;
    let mut out = Vec::with_capacity(term.len());
    let mut terms = term.iter().peekable();
    for (i, c) in field.chars().enumerate().skip(first) {
        if terms.peek() == Some(&&c) {
            out.push(i);
            terms.next();
        }
    }
    (out.len() == term.len()).then_some(out)
}

/// 400 + up to 300 for compactness, +100 at the start, up to +100 coverage.
fn scattered_quality(first: usize, span: usize, term: &Term, field: &ShortField) -> u32 {
    let start = if first == 0 { 100 } else { 0 };
    400 + coverage(300, term.chars.len(), span)
        + start
        + coverage(100, term.chars.len(), field.chars)
}

/// The best pinyin match among the card's title and aliases. With
/// `resume`, the stored states are for those letters and only the rest is
/// typed on; the new states are stored either way.
fn pinyin_score(
    index: &Index,
    card: u32,
    letters: &[u8],
    resume: Option<&[u8]>,
    states: &mut [PinyinState],
) -> u32 {
    let fields = index.pinyin_fields(card);
    let title = fields.start;
    let mut best = 0;
    for field in fields {
        let slot = &mut states[field];
        *slot = match resume {
            Some(done) => letters[done.len()..]
                .iter()
                .fold(*slot, |st, &c| index.pinyin.step(field, st, c)),
            None => index.pinyin.run(field, letters),
        };
        if let Some(q) = index.pinyin.quality(field, *slot, letters.len()) {
            best = best.max(field_weight(field - title) * q);
        }
    }
    best
}

/// The best `limit` matches, best first, ties in chapter order, with
/// highlights in titles and aliases.
pub fn top(
    library: &crate::model::Library,
    index: &Index,
    matched: &Matched,
    limit: usize,
    scratch: &mut Scratch,
) -> Results {
    let mut scored: Vec<(u32, u32)> = matched.scores().collect();
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
                highlights: highlights(c, text, &matched.query, false, scratch),
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
    let folded_owned;
    let folded = if let Some(f) = short {
        f.folded.as_str()
    } else {
        folded_owned = fold(original);
        folded_owned.as_str()
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
            && let Some(indices) = tightest_indices(&field.folded, &term.chars)
        {
            chars.extend(indices.into_iter().map(|i| i..i + 1));
        }
        if let Some(letters) = &term.letters
            && let Some(m) = pinyin::match_letters(letters, &field.syllables, &mut scratch.dp)
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
