//! Stage 5: where the query's words matched in a card, as byte ranges of
//! the original text — for the listed hits (titles and aliases) and for
//! the card being shown (every field).

use std::ops::Range;

use fuzzy_matcher::skim::SkimMatcherV2;

use super::candidates::{homophone_at, scattered_indices, typo_variants};
use super::index::{CardText, ShortField};
use super::pinyin::{self, match_letters};
use super::query::{Query, Word};
use super::weights::TYPO_MIN_LETTERS;
use super::{Field, Highlight};
use crate::content::fold::fold;
use crate::model::Card;

/// Where each word matched in the title and aliases of one card, and with
/// `long` also in its scene, steps, scripts and view. Sorted by field.
pub fn highlights(
    card: &Card,
    text: &CardText,
    query: &Query,
    long: bool,
    skim: &SkimMatcherV2,
    dp: &mut pinyin::Scratch,
) -> Vec<Highlight> {
    let mut out = Vec::new();
    if query.is_empty() {
        return out;
    }
    let mut add = |field: Field, original: &str, short: Option<&ShortField>| {
        let ranges = field_ranges(original, short, query, skim, dp);
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

/// Character ranges where `word` matched in a short field that does not
/// contain it literally: scattered, pinyin, or — when the search had to
/// tolerate (see `Word::tolerant`) — pinyin with one typo or a homophone.
fn tolerant_ranges(
    field: &ShortField,
    word: &Word,
    skim: &SkimMatcherV2,
    dp: &mut pinyin::Scratch,
) -> Vec<Range<usize>> {
    if word.scatters()
        && word.chars.iter().all(|&c| field.folded.contains(c))
        && let Some(indices) = scattered_indices(skim, &field.folded, &word.text)
    {
        return indices.into_iter().map(|i| i..i + 1).collect();
    }
    if let Some(letters) = &word.letters {
        let syllables = &field.syllables;
        let exact = match_letters(letters, syllables, dp);
        let m = exact.or_else(|| {
            (word.tolerant && letters.len() >= TYPO_MIN_LETTERS)
                .then(|| {
                    typo_variants(letters)
                        .into_iter()
                        .find_map(|v| match_letters(&v, syllables, dp))
                })
                .flatten()
        });
        if let Some(m) = m {
            return m
                .syllables
                .iter()
                .map(|&s| syllables.char_range(s))
                .collect();
        }
    }
    if word.tolerant
        && word.has_readings()
        && let Some(start) = homophone_at(&field.syllables, &word.readings)
    {
        let end = start + word.readings.len() - 1;
        let chars = field.syllables.char_range(start).start..field.syllables.char_range(end).end;
        return std::iter::once(chars).collect();
    }
    Vec::new()
}

/// Byte ranges in `original` matched by any word. Short fields also get
/// scattered, pinyin and homophone matches.
fn field_ranges(
    original: &str,
    short: Option<&ShortField>,
    query: &Query,
    skim: &SkimMatcherV2,
    dp: &mut pinyin::Scratch,
) -> Vec<Range<usize>> {
    let folded_owned;
    let folded = if let Some(f) = short {
        &f.folded
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
    for word in &query.words {
        let before = chars.len();
        // The word, and the synonyms it matched as.
        let texts = std::iter::once(word.text.as_str())
            .chain(word.synonyms.iter().map(|(folded, _)| folded.as_str()));
        for text in texts {
            let len = text.chars().count();
            for (pos, _) in folded.match_indices(text) {
                let start = folded_at.partition_point(|&b| b < pos);
                chars.push(start..start + len);
            }
        }
        if chars.len() == before
            && let Some(field) = short
        {
            chars.extend(tolerant_ranges(field, word, skim, dp));
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
