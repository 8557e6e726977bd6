//! Writing one card back into its hand-written file: only the card's own
//! text (from `Card(` to its `)`) is replaced, or a new card inserted at
//! the end of a section's `cards: [...]`; every other byte of the file —
//! comments, other cards, formatting — stays as it was. The new file is
//! validated with `check`'s rules before it is written, atomically, and
//! not at all if the file changed on disk since the card was read.

use std::ops::Range;
use std::path::Path;

use crate::content::diagnostic::{Diagnostic, LineIndex, Pos};
use crate::content::{syntax, write};
use crate::model::Card;

/// Why an edit was not written.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(
        "文件在打开卡片之后被改过（可能是别人或别的程序）：没有覆盖。请重新载入卡片，或者继续编辑"
    )]
    Changed,
    #[error("改动后的卡片有错误，没有保存：{}", .0.iter().map(Diagnostic::text).collect::<Vec<_>>().join("；"))]
    Invalid(Vec<Diagnostic>),
    #[error("无法写入 {path}：{source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
}

/// Where a card is written in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardSpan {
    /// From the `C` of `Card(` to its `)`, inclusive.
    pub range: Range<usize>,
    /// The indentation of the line `Card(` is on (spaces).
    pub indent: usize,
}

/// The card whose `Card(` starts at `pos` in `text`.
pub fn card_span(text: &str, pos: Pos) -> Option<CardSpan> {
    let lines = LineIndex::new(text);
    let line = usize::try_from(pos.line).ok()?.checked_sub(1)?;
    let line_start = lines.line_start(line)?;
    let col = usize::try_from(pos.col).ok()?.checked_sub(1)?;
    // The card's recorded place may be the blanks or comment before it.
    let from = line_start + text[line_start..].char_indices().nth(col)?.0;
    let (opener, close, _) = syntax::bracket_pairs(text)
        .into_iter()
        .find(|(o, _, _)| o.at >= from && o.label == "Card(")?;
    let start = opener.at - "Card".len();
    let line_start = text[..start].rfind('\n').map_or(0, |n| n + 1);
    let indent = text[line_start..start]
        .chars()
        .take_while(|c| *c == ' ')
        .count();
    Some(CardSpan {
        range: start..close + 1,
        indent,
    })
}

/// Whether the card at `span` has a comment of its own (which writing it
/// anew drops).
pub fn has_comment(text: &str, span: &CardSpan) -> bool {
    syntax::has_comment(text, span.range.clone())
}

/// The card as hand-written RON for a place indented by `indent`: from
/// `Card(` to `)`.
pub fn card_text(card: &Card, indent: usize) -> String {
    let mut block = String::new();
    write::card_ron(&mut block, card, indent);
    let block = block.trim_start();
    block.strip_suffix(",\n").unwrap_or(block).to_owned()
}

/// The card `old` (written as `old_text`, from `Card(` to `)`) edited to
/// `new`, changing only what changed: a field whose value is the same keeps
/// its bytes (its comments and layout too); a changed one is written as
/// [`card_text`] writes it, in its place; a new one goes after the last;
/// one no longer written is removed with its line. `None` when the card is
/// not written one field a line at the indentation `card_text` uses: the
/// caller writes the whole card anew. The caller checks the result reads
/// back as `new`.
pub fn patch_card(old_text: &str, old: &Card, new: &Card, indent: usize) -> Option<String> {
    let fields = |text: &str| {
        let close = text.strip_suffix(')')?.len();
        text.starts_with("Card(")
            .then(|| syntax::struct_fields(text, "Card".len(), close))
            .flatten()
    };
    let (was, now) = (card_text(old, indent), card_text(new, indent));
    let written = fields(old_text)?;
    let value_in = |text: &'_ str, all: &[syntax::FieldSpan], name: &str| -> Option<String> {
        all.iter()
            .find(|f| f.name == name)
            .map(|f| text[f.value.clone()].to_owned())
    };
    let (was_fields, now_fields) = (fields(&was)?, fields(&now)?);
    let field_indent = indent + 4;
    // Each field on a line of its own, at the indentation written anew.
    let line_start = |at: usize| old_text[..at].rfind('\n').map(|n| n + 1);
    for f in &written {
        let start = line_start(f.start)?;
        if old_text[start..f.start] != " ".repeat(field_indent) {
            return None;
        }
    }
    // (range of old_text, replacement), in order.
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    for f in &written {
        let before = value_in(&was, &was_fields, &f.name);
        match value_in(&now, &now_fields, &f.name) {
            // Written by hand where card_text would not (e.g. `aliases: []`),
            // or unchanged: kept.
            None if before.is_none() => {}
            Some(value) if before.as_ref() == Some(&value) => {}
            Some(value) => edits.push((f.value.clone(), value)),
            None => {
                // Removed with its line: the comma must end it.
                let comma = f.comma?;
                let end = old_text[comma..].find('\n').map(|n| comma + n + 1)?;
                if !old_text[comma + 1..end].trim().is_empty() {
                    return None;
                }
                edits.push((line_start(f.start)?..end, String::new()));
            }
        }
    }
    let added: Vec<&syntax::FieldSpan> = now_fields
        .iter()
        .filter(|f| !written.iter().any(|w| w.name == f.name))
        .collect();
    if !added.is_empty() {
        // After the last field's line, which must end with its comma (the
        // `)` on a line of its own).
        let last = written.last()?;
        let comma = last.comma?;
        let end = old_text[comma..].find('\n').map(|n| comma + n + 1)?;
        if !old_text[comma + 1..end].trim().is_empty()
            || !old_text[end..old_text.len() - 1].trim().is_empty()
        {
            return None;
        }
        let mut lines = String::new();
        for f in added {
            lines.push_str(&" ".repeat(field_indent));
            lines.push_str(&now[f.start..f.comma.map_or(f.value.end, |c| c + 1)]);
            lines.push('\n');
        }
        edits.push((end..end, lines));
    }
    let mut out = old_text.to_owned();
    for (range, with) in edits.into_iter().rev() {
        out.replace_range(range, &with);
    }
    Some(out)
}

/// `text` with `range` replaced by `with`.
pub fn splice(text: &str, range: &Range<usize>, with: &str) -> String {
    let mut out = String::with_capacity(text.len() + with.len());
    out.push_str(&text[..range.start]);
    out.push_str(with);
    out.push_str(&text[range.end..]);
    out
}

/// Where `card` goes at the end of the `section`-th (0-based) `cards: [...]`
/// list of the file, and the text that goes there (replacing the range,
/// which is empty unless a one-line list is opened up); `None` when the file
/// has no such list.
pub fn insertion(text: &str, section: usize, card: &Card) -> Option<(Range<usize>, String)> {
    let (opener, close, _) = syntax::bracket_pairs(text)
        .into_iter()
        .filter(|(o, _, _)| o.bracket == '[' && o.label == "cards: [")
        .nth(section)?;
    let line_start = text[..opener.at].rfind('\n').map_or(0, |n| n + 1);
    let list_indent = text[line_start..].chars().take_while(|c| *c == ' ').count();
    let mut block = String::new();
    write::card_ron(&mut block, card, list_indent + 4);
    let before_close = text[..close].rfind('\n').map_or(0, |n| n + 1);
    if text[before_close..close].trim().is_empty() && before_close > opener.at {
        // `]` on a line of its own: the card goes on the lines before it.
        return Some((before_close..before_close, block));
    }
    // `cards: []` or `cards: [Card(...)]` on one line: open it up.
    let inside = text[opener.at + 1..close].trim_end();
    let mut with = String::new();
    if !inside.trim().is_empty() {
        with.push_str(inside);
        if !inside.ends_with(',') {
            with.push(',');
        }
    }
    with.push('\n');
    with.push_str(&block);
    with.push_str(&" ".repeat(list_indent));
    Some((opener.at + 1..close, with))
}

/// The cards of `new_text` as `check` reads them, or its errors.
pub fn validate(path: &Path, new_text: &str) -> Result<crate::model::Library, Vec<Diagnostic>> {
    let mut diagnostics = Vec::new();
    let library = crate::content::build(
        &[(path.to_path_buf(), new_text.as_bytes().to_vec())],
        &mut diagnostics,
    );
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if errors.is_empty() {
        Ok(library)
    } else {
        Err(errors)
    }
}

/// The file a branch's changes to cards it may not write go to, in its
/// `Local` directory.
pub const OVERRIDES_FILE: &str = "本网点修改.ron";

/// The start of that file when it does not exist yet: one section to put
/// the changed cards in.
pub const OVERRIDES_SKELETON: &str = "// 本网点对总行（或程序内置）卡片的修改：同 id 的卡片替换总行的那张。\n// 删掉这里的一张卡片，就恢复总行的原样。\nChapter(\n    title: \"本网点修改\",\n    sections: [\n        Section(\n            cards: [\n            ],\n        ),\n    ],\n)\n";

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "// a comment\nChapter(\n    sections: [\n        Section(\n            cards: [\n                Card(\n                    id: \"a\",\n                    title: \"甲\", // kept? no: inside the card\n                    steps: [Step(action: \"做。\")],\n                ),\n                // between cards\n                Card(id: \"b\", title: \"乙\", steps: [Step(action: \"说。\")]),\n            ],\n        ),\n        Section(title: \"二\", cards: []),\n    ],\n)\n";

    /// `text` with `card` added at the end of its `section`-th list.
    fn insert_card(text: &str, section: usize, card: &Card) -> Option<String> {
        let (range, with) = insertion(text, section, card)?;
        Some(splice(text, &range, &with))
    }

    fn library() -> crate::model::Library {
        validate(Path::new("f.ron"), FILE).unwrap()
    }

    #[test]
    fn a_replaced_card_changes_only_its_own_span() {
        let lib = library();
        let mut card = lib.cards[1].clone();
        card.title = "乙（改）".into();
        let pos = Pos::new(card.origin.line as usize, card.origin.col as usize);
        let span = card_span(FILE, pos).unwrap();
        assert_eq!(
            &FILE[span.range.clone()],
            "Card(id: \"b\", title: \"乙\", steps: [Step(action: \"说。\")])"
        );
        let new = splice(FILE, &span.range, &card_text(&card, span.indent));
        assert_eq!(&new[..span.range.start], &FILE[..span.range.start]);
        let tail = FILE.len() - span.range.end;
        assert_eq!(&new[new.len() - tail..], &FILE[span.range.end..]);
        let again = validate(Path::new("f.ron"), &new).unwrap();
        assert_eq!(again.cards[1].title, "乙（改）");
        assert_eq!(again.cards[0], lib.cards[0]);
    }

    #[test]
    fn a_new_card_goes_at_the_end_of_its_section() {
        let lib = library();
        let mut card = lib.cards[0].clone();
        card.id = crate::model::CardId::parse("c").unwrap();
        card.title = "丙".into();
        let first = insert_card(FILE, 0, &card).unwrap();
        let lib1 = validate(Path::new("f.ron"), &first).unwrap();
        let ids: Vec<&str> = lib1.cards.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert!(first.contains("// between cards") && first.starts_with("// a comment\n"));
        // An empty one-line list is opened up.
        let second = insert_card(FILE, 1, &card).unwrap();
        let lib2 = validate(Path::new("f.ron"), &second).unwrap();
        assert_eq!(lib2.section_of(&lib2.cards[2]).title.as_deref(), Some("二"));
        assert!(insert_card(FILE, 2, &card).is_none());
    }
}
