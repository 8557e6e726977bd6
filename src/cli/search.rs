//! `huashu search`: the ranked cards for a query, as the window ranks them.

use std::io::Write;
use std::ops::Range;

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use serde::Serialize;

use super::output::report_errors;
use crate::content::Loaded;
use crate::model::Card;
use crate::search::{Field, Highlight, Matched, Searcher};

/// One line of `search --json`.
#[derive(Debug, Serialize)]
struct HitLine<'a> {
    rank: usize,
    id: &'a str,
    title: &'a str,
    score: u64,
    /// Query words matched, and the rest of the ranking rules' tally.
    tally: Matched,
    partial: bool,
    /// Matched characters per field, as `[start, end)` character indices.
    highlights: Vec<FieldRanges>,
}

#[derive(Debug, Serialize)]
struct FieldRanges {
    #[serde(flatten)]
    field: Field,
    /// The field's text (a script's as copied with default fill-ins).
    text: String,
    ranges: Vec<[usize; 2]>,
}

pub fn run(
    loaded: Loaded,
    query: &str,
    limit: usize,
    json: bool,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    // Like `list`: results from what loaded, but broken content fails.
    let code = report_errors(&loaded);
    let library = Arc::new(loaded.library);
    let mut searcher = Searcher::new(library.clone());
    let results = searcher.search(query, limit);
    let expanded = results.synonyms.iter().any(|s| !s.is_empty());
    if !json && (results.words.len() > 1 || expanded) {
        // How a phrase was read: the words looked for, and the synonyms
        // each also matched as.
        let words: Vec<String> = results
            .words
            .iter()
            .zip(&results.synonyms)
            .map(|(word, synonyms)| {
                if synonyms.is_empty() {
                    word.clone()
                } else {
                    format!("{word}（≈ {}）", synonyms.join("、"))
                }
            })
            .collect();
        writeln!(out, "查询词：{}", words.join(" · ")).context("无法输出结果")?;
    }
    for (rank, hit) in results.hits.iter().enumerate() {
        let card = &library.cards[hit.card];
        if json {
            let highlights = searcher.highlights(hit.card, query);
            let line = HitLine {
                rank: rank + 1,
                id: card.id.as_str(),
                title: &card.title,
                score: hit.score,
                tally: hit.tally,
                partial: hit.partial,
                highlights: highlights
                    .iter()
                    .filter_map(|h| field_ranges(card, h))
                    .collect(),
            };
            let line = serde_json::to_string(&line).context("无法生成 JSON")?;
            writeln!(out, "{line}")
        } else {
            // When the title did not match, show the alias that did.
            let alias = hit
                .highlights
                .iter()
                .find_map(|h| match h.field {
                    Field::Alias { index } if hit.ranges_in(Field::Title).is_empty() => card
                        .aliases
                        .get(index)
                        .map(|a| format!("  别名：{}", marked(a, &h.ranges))),
                    _ => None,
                })
                .unwrap_or_default();
            let matched = if hit.partial {
                format!("  部分匹配 {}/{}", hit.tally.matched(), results.word_count)
            } else {
                String::new()
            };
            writeln!(
                out,
                "{:>3}. {}{alias}  {}{matched}",
                rank + 1,
                marked(&card.title, hit.ranges_in(Field::Title)),
                card.id,
            )
        }
        .context("无法输出结果")?;
    }
    if results.total == 0 && !json {
        writeln!(out, "没有找到卡片；可以试试拼音首字母，例如 qhcw").context("无法输出结果")?;
    }
    Ok(code)
}

/// `text` with each matched range in brackets: `客户[取号错误]`.
fn marked(text: &str, ranges: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len() + ranges.len() * 2);
    let mut at = 0;
    for r in ranges {
        let (Some(before), Some(inside)) = (text.get(at..r.start), text.get(r.clone())) else {
            continue;
        };
        out.push_str(before);
        out.push('[');
        out.push_str(inside);
        out.push(']');
        at = r.end;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

/// The highlighted field's text and its ranges in characters.
fn field_ranges(card: &Card, h: &Highlight) -> Option<FieldRanges> {
    let text: String = match h.field {
        Field::Title => card.title.clone(),
        Field::Alias { index } => card.aliases.get(index)?.clone(),
        Field::Scene { index } => card.scene.get(index)?.clone(),
        Field::Step { index } => card.steps.get(index)?.action.clone(),
        Field::Script { step, index } => card
            .steps
            .get(step)?
            .scripts
            .get(index)?
            .default_text(&card.fields),
        Field::View { index } => card.view.get(index)?.clone(),
    };
    Some(FieldRanges {
        field: h.field,
        ranges: char_ranges(&text, &h.ranges),
        text,
    })
}

fn char_ranges(text: &str, ranges: &[Range<usize>]) -> Vec<[usize; 2]> {
    let chars = |byte: usize| text.get(..byte).map_or(0, |s| s.chars().count());
    ranges
        .iter()
        .map(|r| [chars(r.start), chars(r.end)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_ranges() {
        let title = "客户取号错误";
        let tail = std::slice::from_ref(&(6..18));
        assert_eq!(marked(title, tail), "客户[取号错误]");
        assert_eq!(marked(title, &[0..3, 9..12]), "[客]户取[号]错误");
        assert_eq!(marked(title, &[]), title);
        assert_eq!(char_ranges(title, tail), vec![[2, 6]]);
    }
}
